"""Pledge photos: re-encoded, stripped of metadata, bounded in size, refused unless they are images."""

import inspect
import io
import random
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile, PngImagePlugin

from hub.core.errors import ApplicationError
from hub.social.images import ImageRejected, ProcessedImage, pledge_image_process

TYPE_MESSAGE = "The selected file must be a JPG, PNG, WebP or GIF photo"
BOMB_MESSAGE = "The photo is too large to process. Choose a photo of at most 40 megapixels"
DAMAGED_MESSAGE = "The photo could not be read. It may be damaged. Choose another photo"

CAMERA_MAKE = "HandCamCo"
CAMERA_MODEL = "PledgeShooter 9000"


def encode(image: Image.Image, image_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **params)
    return buffer.getvalue()


def upload(data: bytes, name: str = "pledge.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopen(result: ProcessedImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.content))
    image.load()
    return image


def noisy(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """An image that does not compress to almost nothing, so truncation hits pixel data."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (with a valid CRC)."""
    data = bytearray(encode(Image.new("RGB", (1, 1), "red"), "PNG"))
    assert data[12:16] == b"IHDR"
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def assert_rejected(excinfo: pytest.ExceptionInfo[ImageRejected], message: str) -> None:
    assert excinfo.value.message == message
    assert excinfo.value.field == "photo"


# Metadata


def test_jpeg_exif_and_gps_are_removed():
    exif = Image.Exif()
    exif[0x010F] = CAMERA_MAKE
    exif[0x0110] = CAMERA_MODEL
    exif[0x0132] = "2024:05:01 10:30:00"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 26.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    source = encode(noisy((300, 200)), "JPEG", exif=exif)
    # The fixture really carries what we mean to strip.
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif()[0x010F] == CAMERA_MAKE
        assert original.getexif().get_ifd(0x8825)[1] == "N"
    assert CAMERA_MAKE.encode() in source

    result = pledge_image_process(upload(source))

    output = reopen(result)
    assert output.format == "JPEG"
    assert "exif" not in output.info
    assert len(output.getexif()) == 0
    assert b"Exif" not in result.content
    assert CAMERA_MAKE.encode() not in result.content
    assert CAMERA_MODEL.encode() not in result.content
    assert b"2024:05:01" not in result.content


def test_jpeg_icc_profile_comment_and_xmp_are_removed():
    source = encode(
        noisy((120, 80)),
        "JPEG",
        icc_profile=b"secret-icc-profile",
        comment=b"secret-comment",
        xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
    )
    assert b"secret-comment" in source and b"secret-xmp" in source and b"secret-icc-profile" in source

    result = pledge_image_process(upload(source))

    output = reopen(result)
    assert {"icc_profile", "comment", "xmp", "exif"}.isdisjoint(output.info)
    assert b"secret" not in result.content


def test_png_text_chunks_are_removed():
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret-location 51.5N")
    text.add_itxt("Description", "secret-itxt", zip=True)
    text.add_text("Author", "secret-author", zip=True)
    source = encode(Image.new("RGB", (50, 40), "blue"), "PNG", pnginfo=text)
    with Image.open(io.BytesIO(source)) as original:
        assert original.info["Comment"] == "secret-location 51.5N"

    result = pledge_image_process(upload(source, "pledge.png", "image/png"))

    output = reopen(result)
    assert output.format == "JPEG"
    assert {"Comment", "Description", "Author"}.isdisjoint(output.info)
    assert b"secret" not in result.content


# Orientation and size


def test_exif_orientation_is_applied_before_metadata_is_dropped():
    # Stored 200 wide, 100 high, left half red; Orientation 6 means "rotate 90 degrees
    # clockwise to display", so the photo as seen is 100 wide, 200 high, red on top.
    image = Image.new("RGB", (200, 100), "white")
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    source = encode(image, "JPEG", exif=exif, quality=95)

    result = pledge_image_process(upload(source))

    assert (result.width, result.height) == (100, 200)
    output = reopen(result)
    assert output.size == (100, 200)
    assert len(output.getexif()) == 0
    top_red, top_green, top_blue = output.getpixel((50, 40))
    bottom = output.getpixel((50, 160))
    assert top_red > 200 and top_green < 60 and top_blue < 60
    assert min(bottom) > 200


def test_large_image_is_scaled_to_1600_on_the_longest_side():
    source = encode(Image.new("RGB", (4000, 3000), "green"), "JPEG")

    result = pledge_image_process(upload(source))

    assert (result.width, result.height) == (1600, 1200)
    assert reopen(result).size == (1600, 1200)


def test_tall_image_is_scaled_by_its_height():
    source = encode(Image.new("RGB", (1000, 3200), "green"), "PNG")

    result = pledge_image_process(upload(source, "tall.png"))

    assert (result.width, result.height) == (500, 1600)


def test_small_image_is_not_upscaled():
    source = encode(noisy((320, 240)), "JPEG")

    result = pledge_image_process(upload(source))

    assert (result.width, result.height) == (320, 240)


def test_output_is_a_progressive_jpeg():
    result = pledge_image_process(upload(encode(noisy((64, 48)), "PNG"), "pledge.png"))

    assert result.content_type == "image/jpeg"
    assert result.extension == "jpg"
    assert result.content.startswith(b"\xff\xd8\xff")
    output = reopen(result)
    assert output.info.get("progressive") or output.info.get("progression")


# Modes and formats


def test_transparent_png_becomes_rgb_jpeg_on_white():
    image = Image.new("RGBA", (60, 40), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 30, 40))
    source = encode(image, "PNG")

    result = pledge_image_process(upload(source, "pledge.png", "image/png"))

    output = reopen(result)
    assert output.mode == "RGB"
    assert min(output.getpixel((50, 20))) > 240  # transparent became white, not black
    red, green, blue = output.getpixel((10, 20))
    assert blue > 200 and red < 60 and green < 60


def test_palette_png_with_transparency_is_flattened_onto_white():
    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 20, 40))
    source = encode(image, "PNG", transparency=0)

    output = reopen(pledge_image_process(upload(source, "pledge.png")))

    assert output.mode == "RGB"
    assert min(output.getpixel((30, 20))) > 240


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped():
    image = Image.new("I;16", (20, 20), 32768)  # mid grey on a 16-bit scale
    source = encode(image, "PNG")

    output = reopen(pledge_image_process(upload(source, "grey.png")))

    assert all(110 < channel < 145 for channel in output.getpixel((10, 10)))


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "lime", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    with Image.open(io.BytesIO(buffer.getvalue())) as original:
        assert original.n_frames == 3

    result = pledge_image_process(upload(buffer.getvalue(), "pledge.gif", "image/gif"))

    red, green, blue = reopen(result).getpixel((20, 15))
    assert red > 200 and green < 60 and blue < 60


def test_webp_is_accepted():
    source = encode(noisy((80, 60)), "WEBP")

    result = pledge_image_process(upload(source, "pledge.webp", "image/webp"))

    assert (result.width, result.height) == (80, 60)


def test_reads_from_a_plain_binary_file_without_size():
    source = io.BytesIO(encode(noisy((30, 20)), "PNG"))
    source.read(5)  # a caller that already peeked at the start

    result = pledge_image_process(source)

    assert (result.width, result.height) == (30, 20)


def test_reads_from_a_django_uploaded_file():
    source = upload(encode(noisy((90, 60)), "JPEG"), "IMG_0001.JPG")
    assert source.size > 0

    result = pledge_image_process(source)

    assert isinstance(result, ProcessedImage)
    assert (result.width, result.height) == (90, 60)


# Refusals


def test_rejection_is_an_application_error_on_the_photo_field():
    with pytest.raises(ApplicationError) as excinfo:
        pledge_image_process(upload(b"hello", "pledge.txt", "text/plain"))

    assert isinstance(excinfo.value, ImageRejected)
    assert excinfo.value.field == "photo"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pledge.jpg", encode(noisy((10, 10)), "JPEG"))
    return buffer.getvalue()


NOT_IMAGES = {
    "pdf named jpg": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    "text": b"I pledge to be kind.\n",
    "zip": _zip_bytes(),
    "svg": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>alert(1)</script><rect width="10" height="10"/></svg>'
    ),
    "html named png": b"<!doctype html><title>x</title><img src=x onerror=alert(1)>",
    "bmp (an image, but not one we accept)": encode(Image.new("RGB", (10, 10)), "BMP"),
    "tiff (an image, but not one we accept)": encode(Image.new("RGB", (10, 10)), "TIFF"),
}


@pytest.mark.parametrize("content", NOT_IMAGES.values(), ids=NOT_IMAGES.keys())
def test_files_that_are_not_accepted_images_are_refused_whatever_their_name(content):
    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(content, "pledge.jpg", "image/jpeg"))

    assert_rejected(excinfo, TYPE_MESSAGE)


def test_empty_file_is_refused():
    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(b""))

    assert_rejected(excinfo, "The selected file is empty")


def test_file_over_the_limit_is_refused():
    source = encode(noisy((100, 100)), "PNG")
    assert len(source) > 2000

    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(source), max_input_bytes=2000)

    assert excinfo.value.field == "photo"
    assert excinfo.value.message.startswith("The selected file must be smaller than")


def test_size_attribute_is_not_trusted():
    class Lying(io.BytesIO):
        size = 10

    source = Lying(encode(noisy((100, 100)), "PNG"))

    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(source, max_input_bytes=2000)

    assert excinfo.value.message.startswith("The selected file must be smaller than")


def test_file_exactly_at_the_limit_is_read():
    source = encode(noisy((30, 30)), "PNG")

    result = pledge_image_process(upload(source), max_input_bytes=len(source))

    assert (result.width, result.height) == (30, 30)


def test_default_limit_is_10_mb():
    parameter = inspect.signature(pledge_image_process).parameters["max_input_bytes"]
    assert parameter.default == 10 * 1024 * 1024

    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(io.BytesIO(b"\0" * (10 * 1024 * 1024 + 1)))

    assert_rejected(excinfo, "The selected file must be smaller than 10 MB")


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (8000, 6000),  # 48 MP: over our limit, under Pillow's warning
        (10000, 10000),  # 100 MP: Pillow's DecompressionBombWarning
        (30000, 30000),  # 900 MP: Pillow's DecompressionBombError
    ],
)
def test_decompression_bomb_is_refused_without_decoding(width, height):
    source = png_declaring(width, height)
    assert len(source) < 100

    tracemalloc.start()
    try:
        with pytest.raises(ImageRejected) as excinfo:
            pledge_image_process(upload(source, "bomb.png", "image/png"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert_rejected(excinfo, BOMB_MESSAGE)
    assert peak < 5 * 1024 * 1024


def test_real_compressed_bomb_is_refused():
    # 7000 x 7000 single-colour pixels compress to a few KB but would take ~150 MB decoded.
    source = encode(Image.new("L", (7000, 7000), 0), "PNG", optimize=True)
    assert len(source) < 200_000

    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(source, "bomb.png", "image/png"))

    assert_rejected(excinfo, BOMB_MESSAGE)


def test_pixel_limit_can_be_set():
    source = encode(Image.new("RGB", (200, 100)), "PNG")

    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(source), max_pixels=10_000)

    assert excinfo.value.field == "photo"
    assert "too large to process" in excinfo.value.message


def test_truncated_jpeg_is_refused_as_damaged():
    source = encode(noisy((400, 300)), "JPEG")

    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(source[: len(source) // 2]))

    assert_rejected(excinfo, DAMAGED_MESSAGE)


def test_truncated_jpeg_is_refused_even_after_weasyprint_loosened_pillow():
    import weasyprint  # noqa: F401 (its import sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the process)

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as after the import, whatever order the tests ran in
    source = encode(noisy((400, 300)), "JPEG")
    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(source[: len(source) // 2]))
    assert_rejected(excinfo, DAMAGED_MESSAGE)


def test_png_with_a_corrupt_chunk_is_refused_as_damaged():
    source = bytearray(encode(noisy((50, 50)), "PNG"))
    idat = source.index(b"IDAT")
    source[idat + 20] ^= 0xFF  # the chunk's CRC no longer matches

    with pytest.raises(ImageRejected) as excinfo:
        pledge_image_process(upload(bytes(source), "pledge.png"))

    assert_rejected(excinfo, DAMAGED_MESSAGE)

"""Re-encoding pledge photos uploaded by the public.

A photo is accepted only if Pillow can decode it as a JPEG, PNG, WebP or GIF,
whatever its name. The pixels are turned the right way up, flattened to RGB,
shrunk to at most 1600 px on the longest side and saved as a new JPEG built
from the pixel data alone, so no EXIF (camera, GPS position, time), ICC
profile, XMP, comment or text chunk of the upload can reach the output.

Nothing here logs the file or its metadata, and nothing is written anywhere:
the caller stores the returned bytes only once everything has succeeded.
"""

import io
import struct
import warnings
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from hub.core.errors import ApplicationError

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85

MESSAGE_TYPE = "The selected file must be a JPG, PNG, WebP or GIF photo"
MESSAGE_EMPTY = "The selected file is empty"
MESSAGE_DAMAGED = "The photo could not be read. It may be damaged. Choose another photo"

# What Pillow raises for a file it recognised but cannot decode.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error)


class ImageRejected(ApplicationError):
    """The message is shown to the user, next to the photo field."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message, field="photo", code=code)


@dataclass(frozen=True)
class ProcessedImage:
    content: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"
    extension: str = "jpg"


def _too_big_message(max_input_bytes: int) -> str:
    megabytes = max_input_bytes / (1024 * 1024)
    limit = f"{megabytes:g} MB" if megabytes >= 1 else f"{max_input_bytes // 1024 or 1} KB"
    return f"The selected file must be smaller than {limit}"


def _bomb_message(max_pixels: int) -> str:
    return f"The photo is too large to process. Choose a photo of at most {max_pixels // 1_000_000:g} megapixels"


def _read_limited(upload: IO[bytes] | Any, max_input_bytes: int) -> bytes:
    """Read at most max_input_bytes + 1 bytes, so an oversized file is seen without reading all of it."""
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > max_input_bytes:
        raise ImageRejected(_too_big_message(max_input_bytes), code="too_big")
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks: list[bytes] = []
    remaining = max_input_bytes + 1
    while remaining > 0:
        chunk = upload.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if not data:
        raise ImageRejected(MESSAGE_EMPTY, code="empty")
    if len(data) > max_input_bytes:
        raise ImageRejected(_too_big_message(max_input_bytes), code="too_big")
    return data


def _open(data: bytes, max_pixels: int) -> ImageFile.ImageFile:
    """Open from bytes, reading the header only; refuse unknown types and oversized dimensions."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(_bomb_message(max_pixels), code="too_many_pixels") from None
        except UnidentifiedImageError:
            raise ImageRejected(MESSAGE_TYPE, code="type") from None
        except _DECODE_ERRORS:
            raise ImageRejected(MESSAGE_DAMAGED, code="damaged") from None
    width, height = image.size
    if width < 1 or height < 1:
        image.close()
        raise ImageRejected(MESSAGE_DAMAGED, code="damaged")
    if width * height > max_pixels:
        image.close()
        raise ImageRejected(_bomb_message(max_pixels), code="too_many_pixels")
    return image


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels, with any transparency laid over white."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        # 16-bit greyscale: scale to 8 bits rather than clipping everything above 255 to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def pledge_image_process(
    upload: IO[bytes] | Any,
    *,
    max_input_bytes: int = MAX_INPUT_BYTES,
    max_side: int = MAX_SIDE,
    max_pixels: int = MAX_PIXELS,
) -> ProcessedImage:
    """Re-encode an uploaded photo as a clean JPEG of at most max_side px, or raise ImageRejected."""
    data = _read_limited(upload, max_input_bytes)

    # verify() checks the file's structure (PNG chunk CRCs, for one) but leaves the image unusable.
    image = _open(data, max_pixels)
    try:
        image.verify()
    except _DECODE_ERRORS:
        raise ImageRejected(MESSAGE_DAMAGED, code="damaged") from None
    finally:
        image.close()

    # WeasyPrint (certificates) sets this process-wide flag to True when imported, which
    # would let Pillow pad a truncated photo with grey instead of refusing it.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image = _open(data, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)  # the first frame of an animation
            # For a JPEG, let the decoder scale down by 1/2, 1/4 or 1/8 while keeping
            # both sides at least max_side: much less memory for a large photo.
            image.draft(None, (max_side, max_side))
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _flatten_to_rgb(upright)
            rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            # A new image from the pixels alone: no info dict (exif, icc_profile,
            # xmp, comment, dpi, text chunks) can be carried into the output.
            clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_bomb_message(max_pixels), code="too_many_pixels") from None
    except _DECODE_ERRORS:
        raise ImageRejected(MESSAGE_DAMAGED, code="damaged") from None
    finally:
        image.close()

    output = io.BytesIO()
    clean.save(output, format="JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return ProcessedImage(content=output.getvalue(), width=clean.width, height=clean.height)

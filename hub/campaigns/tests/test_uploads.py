import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hub.campaigns.tests.factories import MINIMAL_JPEG, MINIMAL_PDF, MINIMAL_PNG, minimal_docx, plain_zip
from hub.campaigns.uploads import MAX_UPLOAD_BYTES, UploadRejected, upload_check


@pytest.mark.parametrize(
    ("content", "name", "file_type"),
    [
        (MINIMAL_PDF, "guide.pdf", "pdf"),
        (MINIMAL_PNG, "poster.png", "png"),
        (MINIMAL_JPEG, "photo.jpeg", "jpg"),
        (minimal_docx(), "toolkit.docx", "docx"),
        # The content decides, not the name.
        (MINIMAL_PDF, "guide.docx", "pdf"),
    ],
)
def test_accepted_types_are_recognised_by_content(content, name, file_type):
    checked = upload_check(SimpleUploadedFile(name, content))
    assert checked.file_type == file_type
    assert checked.size == len(content)
    assert checked.original_name.endswith(f".{file_type}")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "guide.pdf"),
        (b"MZ\x90\x00 executable", "toolkit.docx"),
        (plain_zip(), "toolkit.docx"),
        (b"GIF89a....", "poster.png"),
    ],
)
def test_other_content_is_refused_whatever_its_name(content, name):
    with pytest.raises(UploadRejected) as refused:
        upload_check(SimpleUploadedFile(name, content))
    assert refused.value.message == "The selected file must be a PDF, Word document (.docx), PNG or JPEG"
    assert refused.value.field == "file"


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(UploadRejected, match="The selected file is empty"):
        upload_check(SimpleUploadedFile("empty.pdf", b""))
    too_big = SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"0" * (MAX_UPLOAD_BYTES - len(MINIMAL_PDF) + 1))
    with pytest.raises(UploadRejected, match="smaller than 10 MB"):
        upload_check(too_big)


def test_exactly_ten_megabytes_is_accepted():
    upload = SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"0" * (MAX_UPLOAD_BYTES - len(MINIMAL_PDF)))
    assert upload_check(upload).size == MAX_UPLOAD_BYTES


def test_stored_name_is_random_and_shown_name_is_safe():
    first = upload_check(SimpleUploadedFile("../../etc/passwd.pdf", MINIMAL_PDF))
    second = upload_check(SimpleUploadedFile("../../etc/passwd.pdf", MINIMAL_PDF))
    assert first.storage_name != second.storage_name
    assert "/" not in first.storage_name and ".." not in first.storage_name
    assert first.original_name == "passwd.pdf"
    assert upload_check(SimpleUploadedFile('a"b<c>.pdf', MINIMAL_PDF)).original_name == "a-b-c.pdf"

"""Checking uploaded resource files by their content, not their name.

A file is accepted only if its first bytes (and, for Word documents, its
zip structure) match one of the types we publish. The stored name is random,
so an uploaded name can never choose a path or overwrite another file.
"""

import secrets
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

from hub.core.errors import ApplicationError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpg": "image/jpeg",
}

TYPE_LABELS = {"pdf": "PDF", "docx": "Word", "png": "PNG image", "jpg": "JPEG image"}


class UploadRejected(ApplicationError):
    """The message is shown to the user, next to the file field."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class CheckedUpload:
    file_type: str
    size: int
    original_name: str
    storage_name: str


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _is_word_document(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _clean_name(name: str, file_type: str) -> str:
    """The name people see when they download: the uploaded base name, with our extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "-" for ch in base).strip(" -") or "resource"
    return f"{safe[:100]}.{file_type}"


def upload_check(upload: UploadedFile) -> CheckedUpload:
    """Accept a PDF, Word (.docx), PNG or JPEG of at most 10 MB, or raise UploadRejected."""
    if upload.size == 0:
        raise UploadRejected("The selected file is empty")
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRejected("The selected file must be smaller than 10 MB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    file_type = _sniff(head)
    if file_type == "zip":
        file_type = "docx" if _is_word_document(upload) else None
    if file_type is None:
        raise UploadRejected("The selected file must be a PDF, Word document (.docx), PNG or JPEG")
    return CheckedUpload(
        file_type=file_type,
        size=upload.size,
        original_name=_clean_name(upload.name or "", file_type),
        storage_name=f"{secrets.token_hex(16)}.{file_type}",
    )

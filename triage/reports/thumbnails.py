"""Small photo thumbnails for the HTML report, embedded as ``data:`` URIs.

A thumbnail is the photo itself when it is a small JPEG, PNG or GIF, or else the
JPEG thumbnail stored in its EXIF data. Only the first bytes of a file are read and
only thumbnails under :data:`MAX_THUMBNAIL_BYTES` are embedded, so the report stays
quick to open. The MIME type comes from the bytes' signature, never from the evidence.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

from triage.reports.evidence_files import EvidenceFiles

MAX_THUMBNAIL_BYTES = 32 * 1024
_HEAD_BYTES = 256 * 1024
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_mime(data: bytes) -> str | None:
    """Return the MIME type of JPEG, PNG or GIF bytes, else None."""
    return next((mime for magic, mime in _SIGNATURES if data.startswith(magic)), None)


def exif_thumbnail(head: bytes) -> bytes | None:
    """Return the JPEG thumbnail stored in EXIF data within ``head``, or None."""
    try:
        import exifread

        logging.getLogger("exifread").setLevel(logging.CRITICAL)
        tags = exifread.process_file(io.BytesIO(head[:_HEAD_BYTES]), details=False)
    # ExifRead is fed evidence bytes; any failure just means "no thumbnail".
    except Exception:
        return None
    thumbnail = tags.get("JPEGThumbnail") if isinstance(tags, dict) else None
    if isinstance(thumbnail, bytes) and image_mime(thumbnail) == "image/jpeg":
        return thumbnail
    return None


def thumbnail_bytes(data: bytes, complete: bool) -> tuple[bytes, str] | None:
    """Pick the thumbnail for a photo's bytes (``complete`` when ``data`` is the whole file)."""
    mime = image_mime(data)
    if complete and mime and len(data) <= MAX_THUMBNAIL_BYTES:
        return data, mime
    if mime == "image/jpeg":
        thumbnail = exif_thumbnail(data)
        if thumbnail and len(thumbnail) <= MAX_THUMBNAIL_BYTES:
            return thumbnail, "image/jpeg"
    return None


def data_uri(payload: bytes, mime: str) -> str:
    """Return a base64 ``data:`` URI."""
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def thumbnail_uri(files: EvidenceFiles, file: dict[str, Any]) -> str | None:
    """Return a data URI thumbnail for a case file row, or None when there is none to show."""
    entry, _reason = files.open_file(file)
    if entry is None:
        return None
    try:
        size = int(getattr(entry, "size", 0) or 0)
        head = entry.read(0, min(size, _HEAD_BYTES)) if size > 0 else b""
    except Exception:  # unreadable sectors: no thumbnail
        return None
    picked = thumbnail_bytes(head, complete=0 < size <= len(head))
    return data_uri(*picked) if picked else None

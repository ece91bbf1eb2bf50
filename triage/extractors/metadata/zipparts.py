"""Read small named members of an untrusted zip archive (Office Open XML, ODF)."""

from __future__ import annotations

import io
import zipfile

#: A metadata part larger than this (uncompressed) is not read.
MAX_MEMBER = 4 * 1024 * 1024
#: Archives with more entries than this are not searched (real documents have hundreds).
MAX_ENTRIES = 100_000


class ZipUnreadable(ValueError):
    """The archive or a member cannot be read (corrupt, encrypted, too large)."""


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open ``data`` as a zip archive or raise :class:`ZipUnreadable`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile: BadZipFile, zlib.error, OSError, unsupported methods...
        raise ZipUnreadable(f"not a readable zip archive: {exc}") from exc
    if len(archive.infolist()) > MAX_ENTRIES:
        raise ZipUnreadable(f"zip archive has more than {MAX_ENTRIES} entries")
    return archive


def read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """Return member ``name`` (matched case-insensitively), None when absent.

    Raises :class:`ZipUnreadable` when the member is larger than :data:`MAX_MEMBER`
    (whatever its header claims), encrypted or corrupt.
    """
    wanted = name.lower()
    info = next((i for i in archive.infolist() if i.filename.lower() == wanted), None)
    if info is None:
        return None
    if info.file_size > MAX_MEMBER:
        raise ZipUnreadable(f"{name} larger than {MAX_MEMBER} bytes")
    try:
        with archive.open(info) as member:
            # The header's size can lie; never decompress more than the cap.
            content = member.read(MAX_MEMBER + 1)
    except Exception as exc:  # zipfile: BadZipFile, zlib.error, OSError, unsupported methods...
        raise ZipUnreadable(f"{name} unreadable: {exc}") from exc
    if len(content) > MAX_MEMBER:
        raise ZipUnreadable(f"{name} larger than {MAX_MEMBER} bytes")
    return content

"""Opening the files that hold media: regular files and block devices only.

Opening a FIFO for reading waits for a writer for ever, and a character device
(``/dev/zero``, a tape) has no size: either would hang or mislead a scan. Files are
opened without blocking, checked, and only then read.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from triage.evidence.errors import EvidenceError


def _not_media(path: str, mode: int) -> EvidenceError | None:
    """The error for a file that cannot hold media, None for one that can."""
    if stat.S_ISREG(mode) or stat.S_ISBLK(mode):
        return None
    if stat.S_ISCHR(mode):
        return EvidenceError(f"{path}: a character device, not a disk image (image the drive,"
                             " or give its block device)")
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a directory" if stat.S_ISDIR(mode) else "a special file")
    return EvidenceError(f"{path}: {kind}, not a regular file or block device")


def check_media_file(path: str) -> None:
    """Raise :class:`EvidenceError` unless ``path`` is a regular file or a block device
    (a missing file is left to whoever opens it)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    error = _not_media(path, mode)
    if error is not None:
        raise error


def open_media_file(path: str) -> BinaryIO:
    """Open a regular file or block device for reading; :class:`EvidenceError` (one
    line) for anything else, a missing file or an unreadable one."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as error:
        raise EvidenceError(f"{path}: no such file") from error
    except OSError as error:
        raise EvidenceError(f"{path}: cannot read ({error.strerror or error})") from error
    try:
        error = _not_media(path, os.fstat(descriptor).st_mode)
        if error is not None:
            raise error
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def media_file_size(handle: BinaryIO) -> int:
    """The size of an open regular file or block device (whose ``st_size`` is 0)."""
    info = os.fstat(handle.fileno())
    if stat.S_ISREG(info.st_mode):
        return info.st_size
    position = handle.tell()
    try:
        return handle.seek(0, os.SEEK_END)
    finally:
        handle.seek(position)

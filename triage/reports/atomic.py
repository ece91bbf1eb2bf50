"""Writing an export under a temporary name and renaming it into place when complete.

A half-written report must never look finished, and an export must never replace
something that already exists: the output path is checked before anything is written,
and the finished export is moved into place by a rename that refuses an existing name
(Linux ``renameat2(RENAME_NOREPLACE)``), so a file or folder that appeared meanwhile is
kept and the export fails. Where that call is missing (another system, a file system
without it) a file is published by ``link`` and ``unlink`` (``link`` refuses an existing
name too) and a folder by creating the name with ``mkdir`` and renaming onto that empty
folder; only if neither works (a file system without hard links) does a plain rename
after a last check remain, which leaves a window of microseconds between the two.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from triage.reports.errors import ExportError


def check_output(output: Path) -> None:
    """Raise ExportError unless ``output`` is free and its folder exists and is writable."""
    try:
        taken = output.exists() or output.is_symlink()
    except OSError as exc:  # a name too long for the file system, for one
        raise ExportError(f"{output}: unusable output name ({exc.strerror or exc})") from None
    if taken:
        raise ExportError(f"{output}: exists already; choose a new name")
    parent = output.parent
    if not parent.is_dir():
        raise ExportError(f"{parent}: the output folder does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"{parent}: the output folder is not writable")


def _temporary_sibling(output: Path) -> Path:
    # Short whatever the output's name, so a name near the file system's limit still works.
    return output.with_name(f".{output.name[:40]}.partial-{os.getpid()}-{secrets.token_hex(4)}")


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass  # nothing was made there


_RENAME_NOREPLACE = 1
_AT_FDCWD = -100
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}


def _renameat2() -> Any:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2() if sys.platform.startswith("linux") else None


#: What a file system says when it will not rename a folder onto an empty one.
_NO_RENAME_OVER_FOLDER = frozenset({errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EINVAL})


def _appeared(output: Path) -> ExportError:
    return ExportError(f"{output}: appeared while the export was written; nothing replaced")


def _rename_noreplace(source: Path, target: Path) -> bool:
    """Rename without replacing; False when this system or file system cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target),
                  _RENAME_NOREPLACE) == 0:
        return True
    code = ctypes.get_errno()
    if code == errno.EEXIST:
        raise FileExistsError(code, os.strerror(code), str(target))
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(target))


def _publish(temporary: Path, output: Path, folder: bool) -> None:
    """Give the finished export its name, never replacing anything there."""
    try:
        if _rename_noreplace(temporary, output):
            return
        if folder:
            os.mkdir(output)  # claims the name; the rename then replaces this empty folder
            try:
                os.rename(temporary, output)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.rmdir(output)
                if exc.errno not in _NO_RENAME_OVER_FOLDER:
                    raise
                # A file system that will not rename onto a folder (FUSE FAT): the last
                # check and a rename, as for a file without hard links.
                if output.exists() or output.is_symlink():
                    raise _appeared(output) from None
                os.rename(temporary, output)
            return
        try:
            os.link(temporary, output)
        except FileExistsError:
            raise
        except OSError:  # no hard links here: the last check and a rename
            if output.exists() or output.is_symlink():
                raise _appeared(output) from None
            os.rename(temporary, output)
            return
        temporary.unlink()
    except FileExistsError:
        raise _appeared(output) from None


def withdraw(output: Path) -> None:
    """Remove an export this process published (its audit entry could not be written)."""
    _remove(output)


@contextmanager
def atomic_output(output: Path, folder: bool) -> Iterator[Path]:
    """Yield a temporary path next to ``output``; rename it to ``output`` on success.

    With ``folder`` the temporary path is an empty directory, else a path for one file.
    On any error the temporary output is removed and the error propagates (OSError
    becomes ExportError).
    """
    check_output(output)
    temporary = _temporary_sibling(output)
    try:
        if folder:
            temporary.mkdir()
        yield temporary
        _publish(temporary, output, folder)
    except OSError as exc:
        _remove(temporary)
        raise ExportError(f"{output}: cannot write the export ({exc.strerror or exc})") from None
    except BaseException:
        _remove(temporary)
        raise

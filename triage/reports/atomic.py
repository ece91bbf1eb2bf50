"""Writing an export under a temporary name and renaming it into place when complete.

A half-written report must never look finished, and an export must never replace
something that already exists: the output path is checked before anything is written
and again just before the rename.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def _publish(temporary: Path, output: Path) -> None:
    if output.exists() or output.is_symlink():
        raise ExportError(f"{output}: appeared while the export was written; nothing replaced")
    os.rename(temporary, output)


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
        _publish(temporary, output)
    except OSError as exc:
        _remove(temporary)
        raise ExportError(f"{output}: cannot write the export ({exc.strerror or exc})") from None
    except BaseException:
        _remove(temporary)
        raise

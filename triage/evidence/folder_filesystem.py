"""Logical folder evidence: a local directory tree read as a file system (read-only)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from triage.evidence.errors import EvidenceError
from triage.evidence.filesystem import (
    DirectoryTask,
    FileEntry,
    FileSystem,
    WarnCallback,
    ignore_warning,
    posix_time,
    warn_undecodable_name,
)


class FolderFileEntry(FileEntry):
    """A :class:`FileEntry` for a file in a local folder."""

    __slots__ = ("_local",)

    def __init__(self, local: str, **fields: object) -> None:
        super().__init__(**fields)  # type: ignore[arg-type]
        self._local = local

    def read(self, offset: int, size: int) -> bytes:
        """Return up to ``size`` bytes from ``offset`` (never follows a symbolic link)."""
        if self.kind != "file" or offset < 0 or size <= 0:
            return b""
        try:
            descriptor = os.open(self._local, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as error:
            raise EvidenceError(f"{self.path}: cannot open ({error.strerror or error})") from error
        try:
            return os.pread(descriptor, size, offset)
        except OSError as error:
            raise EvidenceError(f"{self.path}: read error ({error.strerror or error})") from error
        finally:
            os.close(descriptor)


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "link"
    return "other"


_TYPE_CODES = {"file": "r/r", "dir": "d/d", "link": "l/l", "other": "-/-"}


def display_name(name: str) -> str:
    """A local name as the case stores it: bytes that are not UTF-8 become U+FFFD.

    ``os.listdir`` keeps such bytes as lone surrogates, which SQLite (and every report)
    cannot encode; The Sleuth Kit's names of disk images are decoded the same way.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return name


class FolderFileSystem(FileSystem):
    """The tree below a local directory, listed with ``lstat`` (links are not followed)."""

    fs_type = "folder"
    block_size = 0

    def __init__(self, root: str, volume_index: int | None = 0) -> None:
        self.root = os.path.abspath(root)
        self.volume_index = volume_index
        if not os.path.isdir(self.root):
            raise EvidenceError(f"{root}: not a directory")

    def _entry(self, local: str, path: str, st: os.stat_result) -> FolderFileEntry:
        kind = _kind(st.st_mode)
        return FolderFileEntry(
            local,
            path=path,
            name=path.rsplit("/", 1)[-1],
            inode=str(st.st_ino),
            size=st.st_size if kind in ("file", "link") else 0,
            kind=kind,
            mtime=posix_time(*divmod(st.st_mtime_ns, 1_000_000_000)),
            atime=posix_time(*divmod(st.st_atime_ns, 1_000_000_000)),
            ctime=posix_time(*divmod(st.st_ctime_ns, 1_000_000_000)),
            crtime=getattr(st, "st_birthtime", None),
            mode=stat.S_IMODE(st.st_mode),
            uid=st.st_uid,
            gid=st.st_gid,
            meta_type=_TYPE_CODES[kind],
        )

    def _local(self, path: str) -> str:
        parts = [part for part in path.split("/") if part not in ("", ".", "..")]
        local = os.path.join(self.root, *parts)
        if "\ufffd" in path and not os.path.lexists(local):
            # A name stored with U+FFFD for bytes that are not UTF-8: find the real one.
            local = self.root
            for part in parts:
                local = os.path.join(local, self._real_name(local, part))
        return local

    @staticmethod
    def _real_name(folder: str, shown: str) -> str:
        """The first name (in listing order) in ``folder`` that the case shows as ``shown``."""
        if "\ufffd" in shown:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                return shown
            for name in names:
                if display_name(name) == shown:
                    return name
        return shown

    def root_task(self, warn: WarnCallback = ignore_warning) -> DirectoryTask | None:
        """Return the folder's own task (None, with a warning, when it cannot be read)."""
        try:
            root_stat = os.lstat(self.root)
        except OSError as error:
            warn(f"cannot read the folder ({error.strerror or error})", "/")
            return None
        return DirectoryTask((root_stat.st_dev, root_stat.st_ino), "/", self.root)

    def list_directory(
        self, task: DirectoryTask, warn: WarnCallback = ignore_warning
    ) -> Iterator[tuple[FileEntry, DirectoryTask | None]]:
        """Yield a folder's entries in name order, each with the task to descend into it."""
        for local, path in self._children(task.locator, task.path, warn):
            try:
                st = os.lstat(local)
            except OSError as error:
                warn(f"cannot stat ({error.strerror or error})", path)
                continue
            entry = self._entry(local, path, st)
            if "\ufffd" in entry.name:
                warn_undecodable_name(os.fsencode(os.path.basename(local)), path, warn)
            if entry.kind == "dir":
                yield entry, DirectoryTask((st.st_dev, st.st_ino), path, local)
            else:
                yield entry, None

    @staticmethod
    def _children(local: str, path: str, warn: WarnCallback) -> Iterator[tuple[str, str]]:
        try:
            names = sorted(os.listdir(local))
        except OSError as error:
            warn(f"cannot list folder ({error.strerror or error})", path)
            return
        prefix = path.rstrip("/")
        for name in names:
            yield os.path.join(local, name), f"{prefix}/{display_name(name)}"

    def open_path(self, path: str) -> FileEntry | None:
        """Return the entry at ``path`` or ``None``."""
        local = self._local(path)
        try:
            st = os.lstat(local)
        except OSError:
            return None
        clean = "/" + "/".join(part for part in path.split("/") if part not in ("", ".", ".."))
        return self._entry(local, clean, st)

    def listdir(self, path: str) -> list[FileEntry]:
        """Return the entries of the folder ``path`` ([] when absent or unreadable)."""
        local = self._local(path)
        if os.path.islink(local):
            return []
        clean = "/" + "/".join(part for part in path.split("/") if part not in ("", ".", ".."))
        out: list[FileEntry] = []
        for child_local, child_path in self._children(local, clean, ignore_warning):
            try:
                out.append(self._entry(child_local, child_path, os.lstat(child_local)))
            except OSError:
                continue
        return out

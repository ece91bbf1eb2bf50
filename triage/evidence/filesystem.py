"""The file-system and file-entry interface shared by TSK volumes and logical folders."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from triage.extractors.interface import FileView, name_extension

#: ``warn(message, path)`` callback used while walking.
WarnCallback = Callable[[str, "str | None"], None]


def warn_undecodable_name(raw: bytes, path: str, warn: WarnCallback) -> None:
    """Record the bytes of a name that is not UTF-8 (the case shows it with U+FFFD, so
    two such names can look alike); nothing for a name that holds U+FFFD itself."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        warn(f"name is not valid UTF-8; shown with U+FFFD (name bytes: {raw.hex()})", path)


def ignore_warning(message: str, path: str | None = None) -> None:
    """Default warning callback: drop the warning."""


#: Deepest directory a walk enters (a hostile file system can nest without end).
MAX_DEPTH = 1024
#: Listings of directories already listed under another path, per file system, beyond
#: which no more are made (paths can multiply: each of n nested folders linked twice).
MAX_REPEATED_LISTINGS = 100_000


@dataclass(frozen=True)
class DirectoryTask:
    """One directory to list: plain, picklable values, so another process can list it.

    ``key`` identifies the directory within its file system; ``locator`` is what the
    file system needs to open it (an inode number, a local path); ``path`` is where it
    sits. A directory reached by two paths (an HFS+ directory hard link, a damaged file
    system) is listed under each, as ``fls -r`` lists it; one that leads back to a
    directory above it (a loop) is listed as an entry but not entered
    (:class:`DirectoryVisits`).
    """

    key: Hashable
    path: str
    locator: Any


#: Warning recorded for a directory entry that leads back to a directory above it.
LOOP_WARNING = "directory loop: this entry leads back to a directory above it; not entered"
#: Warning recorded for a directory not listed again once MAX_REPEATED_LISTINGS is reached.
REPEAT_WARNING = (f"directory already listed under another path, and more than"
                  f" {MAX_REPEATED_LISTINGS} such listings were made; not listed again here")


class DirectoryVisits:
    """Decides which directories a walk of one file system enters, wherever they are
    listed (one process, or the parent of the worker processes).

    It keeps, for each directory entered, the paths it was entered under. A directory
    met again is a loop when one of those paths is above the new one (every directory on
    a path was entered at its own prefix of the path), else a second path to it, which is
    entered while :data:`MAX_REPEATED_LISTINGS` allows. The memory is one path per
    directory (plus one per repeated listing), whatever the depth.
    """

    def __init__(self, root: DirectoryTask) -> None:
        self._paths: dict[Hashable, str | list[str]] = {root.key: root.path}
        self.repeats = 0

    def admit(self, task: DirectoryTask, warn: WarnCallback) -> bool:
        """Whether ``task`` is to be listed; a warning when it is not."""
        if task.path.count("/") > MAX_DEPTH:
            warn(f"directory nested more than {MAX_DEPTH} levels deep; not entered", task.path)
            return False
        known = self._paths.get(task.key)
        if known is None:
            self._paths[task.key] = task.path
            return True
        paths = [known] if isinstance(known, str) else known
        if any(task.path.startswith(path.rstrip("/") + "/") for path in paths):
            warn(LOOP_WARNING, task.path)
            return False
        if self.repeats >= MAX_REPEATED_LISTINGS:
            warn(REPEAT_WARNING, task.path)
            return False
        self.repeats += 1
        self._paths[task.key] = [*paths, task.path]
        return True


def posix_time(seconds: int, nanoseconds: int) -> float:
    """Return a time kept as whole seconds and nanoseconds as float POSIX seconds whose
    floor is still ``seconds``.

    A double holds a 2020s time to about 0.24 µs, so .9999999 s and more would round up
    to the next second, and every whole-second view (body file, CSV, tables) would show
    one second late.
    """
    value = seconds + nanoseconds / 1e9
    if value >= seconds + 1 and 0 <= nanoseconds < 1_000_000_000:
        return math.nextafter(seconds + 1, -math.inf)
    return value


class FileEntry:
    """One entry of a file system (a file, directory, link, other, or an NTFS stream).

    Metadata are plain attributes; content is read with :meth:`read` or
    :meth:`iter_chunks`. Times are POSIX seconds (UTC) or ``None`` when absent.
    """

    __slots__ = (
        "path", "name", "inode", "size", "kind", "deleted", "allocated",
        "mtime", "atime", "ctime", "crtime", "mode", "uid", "gid", "stream", "meta_type",
    )

    def __init__(
        self,
        path: str,
        name: str,
        inode: str,
        size: int,
        kind: str,
        deleted: bool = False,
        allocated: bool = True,
        mtime: float | None = None,
        atime: float | None = None,
        ctime: float | None = None,
        crtime: float | None = None,
        mode: int | None = None,
        uid: int | None = None,
        gid: int | None = None,
        stream: str | None = None,
        meta_type: str = "r/r",
    ) -> None:
        self.path = path
        self.name = name
        self.inode = inode
        self.size = size
        self.kind = kind
        self.deleted = deleted
        self.allocated = allocated
        self.mtime = mtime
        self.atime = atime
        self.ctime = ctime
        self.crtime = crtime
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.stream = stream
        self.meta_type = meta_type

    def __repr__(self) -> str:
        flag = " deleted" if self.deleted else ""
        return f"<{type(self).__name__} {self.path!r} {self.kind} {self.size}B{flag}>"

    def read(self, offset: int, size: int) -> bytes:
        """Return up to ``size`` bytes of content from ``offset`` (short at the end)."""
        return b""

    def short_read_reason(self) -> str | None:
        """Why reading stops short of ``size``, when the file system's own records say so.

        None when they do not (the content is damaged, or the image is cut short).
        """
        return None

    def unreadable_by_design(self) -> bool:
        """True for a stream whose size is never backed by data (NTFS ``$BadClus:$Bad`` is
        as large as the volume and holds only the bad clusters): reading it short is not
        worth a warning."""
        return False

    def content_key(self) -> Hashable | None:
        """A key shared by every entry of this file system that reads the same bytes.

        Hard links (several names of one inode) share one; an entry whose content is its
        own gives None, the default.
        """
        return None

    def iter_chunks(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Yield the whole content sequentially in chunks of at most ``chunk_size`` bytes."""
        offset = 0
        while offset < self.size:
            data = self.read(offset, min(chunk_size, self.size - offset))
            if not data:
                return
            yield data
            offset += len(data)

    def to_view(self, mime: str | None = None) -> FileView:
        """Return the extractor-facing :class:`FileView` of this entry."""
        # Filled in directly: the frozen dataclass's __init__ sets field by field through
        # object.__setattr__, and every entry of a walk gets a view.
        view = object.__new__(FileView)
        view.__dict__.update(
            path=self.path, name=self.name, size=self.size, kind=self.kind,
            deleted=self.deleted, inode=self.inode, stream=self.stream, mime=mime,
            mime_description=None, mtime=self.mtime, atime=self.atime, ctime=self.ctime,
            crtime=self.crtime,
            # What the cached property would compute on first use.
            extension=name_extension(self.name),
        )
        return view


class FileSystem(ABC):
    """A read-only file system on one volume of an evidence item (or a logical folder)."""

    fs_type: str = ""
    block_size: int = 0
    volume_index: int | None = None

    @abstractmethod
    def root_task(self, warn: WarnCallback = ignore_warning) -> DirectoryTask | None:
        """Return the root directory's task, or None (with a warning) when it is unreadable."""

    @abstractmethod
    def list_directory(
        self, task: DirectoryTask, warn: WarnCallback = ignore_warning
    ) -> Iterator[tuple[FileEntry, DirectoryTask | None]]:
        """Yield the entries directly inside one directory, each with the task to descend.

        The task is given with the last entry of a directory (after its streams) and is
        None for everything a walk does not enter (files, links, deleted names whose
        directory was reused).
        """

    def walk(self, warn: WarnCallback = ignore_warning) -> Iterator[FileEntry]:
        """Yield every entry depth-first, directories before their content.

        Problems go to ``warn``. A directory is entered under every path that reaches
        it, except back into itself or a directory above it, past
        :data:`MAX_REPEATED_LISTINGS` or :data:`MAX_DEPTH` (:class:`DirectoryVisits`).
        The engine's worker processes list the same directories through
        :meth:`list_directory` in parallel, their parent deciding by the same rules, so
        both ways see the same entries.
        """
        root = self.root_task(warn)
        if root is None:
            return
        visits = DirectoryVisits(root)
        stack = [self.list_directory(root, warn)]
        while stack:
            try:
                entry, subdirectory = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            yield entry
            if subdirectory is not None and visits.admit(subdirectory, warn):
                stack.append(self.list_directory(subdirectory, warn))

    @abstractmethod
    def open_path(self, path: str) -> FileEntry | None:
        """Return the entry at ``path`` (``/``-separated from the root) or ``None``."""

    @abstractmethod
    def listdir(self, path: str) -> list[FileEntry]:
        """Return the entries of the directory at ``path`` ([] when absent/unreadable)."""

    def unallocated_ranges(
        self, warn: WarnCallback = ignore_warning
    ) -> Iterator[tuple[int, int]]:
        """Yield merged ``(absolute evidence offset, length)`` runs of unallocated blocks."""
        return iter(())

    def extent(self) -> tuple[int, int] | None:
        """Absolute evidence ``(start, end)`` of the bytes this file system spans, when it
        has an image under it (None by default)."""
        return None

    def close(self) -> None:
        """Release the file system's resources (nothing to release by default)."""
        return None

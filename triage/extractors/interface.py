"""The extractor plug-in interface.

An extractor is a small class that declares what it wants (file names, extensions,
path globs, MIME types, magic signatures, directory names) and turns the content the
engine hands it into typed :class:`Finding` objects. It never reads the evidence on its
own except through the :class:`ExtractionContext` it is given, never writes SQL and
never imports Qt. Byte-level detectors (:meth:`Extractor.scan_bytes`) are plain
functions over ``bytes`` so the unallocated-space scanner can reuse them on carved data.

The engine, not the extractor, decides which files it sees, reads the content once
(shared by hashing, typing and every extractor), records provenance (extractor name and
version, run, evidence, volume, path, inode, offset) and writes to the case.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

#: Value types an artefact attribute can have; the UI and the reports use them to format.
VALUE_TYPES = ("text", "integer", "real", "bool", "datetime", "list", "json")


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute an artefact type carries: its name, value type and display label."""

    name: str
    value_type: str = "text"
    label: str = ""

    def display_label(self) -> str:
        """Return the label shown in tables and reports."""
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ArtefactType:
    """A registered artefact type (``category.kind``) with the attributes it carries.

    ``category`` groups types in the UI tree and the report ("PGP keys", "Wallets", ...);
    ``columns`` names the attributes shown as table columns, in order (all attributes are
    always stored and shown in the detail pane).
    """

    name: str
    label: str
    category: str
    attributes: tuple[AttributeSpec, ...] = ()
    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        category, _, kind = self.name.partition(".")
        if not category or not kind or self.name != self.name.lower():
            raise ValueError(f"artefact type {self.name!r} is not 'category.kind' in lower case")


@dataclass
class Finding:
    """One thing an extractor found.

    ``offset`` is the byte offset of the hit inside the bytes the extractor was given
    (the file's content, or the carved chunk): the engine turns it into an absolute
    evidence offset for unallocated hits. ``path`` overrides the source path for
    artefacts that describe a folder (a GnuPG home, a LevelDB vault, an onion-service
    directory) rather than the file being processed; it is a path in the same file system.
    ``key`` identifies the finding for de-duplication within one source (defaults to the
    type plus the sorted attributes).
    """

    type: str
    attributes: dict[str, Any]
    offset: int | None = None
    context: str | None = None
    path: str | None = None
    key: str | None = None

    def dedupe_key(self) -> str:
        """Return the key used to collapse identical findings from one source."""
        if self.key is not None:
            return f"{self.type}|{self.key}"
        items = sorted((k, repr(v)) for k, v in self.attributes.items() if k not in ("offset", "context"))
        return f"{self.type}|{self.path}|{items}"


class DetectorWarning(Finding):
    """Not a finding: a byte detector's warning among its findings (it stopped at its hit
    cap, say). ``scan_bytes`` has no context to warn through; the engine records this as
    a warning of the file or free-space window instead of storing it as an artefact."""

    def __init__(self, message: str) -> None:
        super().__init__("warning", {"message": message})

    @property
    def message(self) -> str:
        """The warning's text."""
        return str(self.attributes["message"])


def name_extension(name: str) -> str:
    """Lower-case extension of a file name without the dot ('' when there is none)."""
    dot = name.rfind(".")
    return name[dot + 1 :].lower() if dot > 0 else ""


@dataclass(frozen=True)
class FileView:
    """What an extractor sees of one file-system entry (metadata only; content comes separately).

    ``path`` is the full path inside its file system, ``/``-separated and starting with
    ``/``; ``stream`` is the NTFS alternate data stream name or ``None``; ``kind`` is
    ``file``, ``dir``, ``link`` or ``other``; ``mime`` is libmagic's type of the first
    block when the engine has typed it.
    """

    path: str
    name: str
    size: int
    kind: str = "file"
    deleted: bool = False
    inode: str | None = None
    stream: str | None = None
    mime: str | None = None
    #: libmagic's description of the first block, when the engine ran libmagic on it.
    mime_description: str | None = None
    mtime: float | None = None
    atime: float | None = None
    ctime: float | None = None
    crtime: float | None = None

    @functools.cached_property
    def extension(self) -> str:
        """Lower-case extension without the dot ('' when there is none); a stream's comes
        from the stream's own name (``report.docx:keys`` has none, ``a.doc:pay.txt`` is
        ``txt``), not from its file's."""
        return name_extension(self.stream if self.stream else self.name)

    @property
    def parent(self) -> str:
        """The parent directory's path ('/' for entries in the root)."""
        head = self.path.rsplit("/", 1)[0]
        return head or "/"

    def typed(self, mime: str | None, mime_description: str | None = None) -> FileView:
        """A copy with these libmagic results (``dataclasses.replace``, ten times faster).

        The engine calls this for every file; copying the instance dictionary keeps the
        cached extension and skips the frozen dataclass's field-by-field ``__init__``.
        """
        copy = object.__new__(FileView)
        state = dict(self.__dict__)
        state["mime"] = mime
        state["mime_description"] = mime_description
        copy.__dict__.update(state)
        return copy


class ExtractionContext(Protocol):
    """What the engine offers an extractor while it works on one file system.

    Implementations read from the same (read-only) file system the current entry lives
    on, so an extractor that parses a folder (a GnuPG home, a Tor Browser profile) can
    look at sibling files. Reads are capped by ``max_bytes``.
    """

    def warn(self, message: str, path: str | None = None) -> None:
        """Record a warning (shown to the examiner, stored in the case)."""

    def listdir(self, path: str) -> list[FileView]:
        """Return the entries of a directory (allocated and deleted), or [] if unreadable."""

    def read(self, path: str, max_bytes: int = 64 * 1024 * 1024) -> bytes | None:
        """Return the content of a file by path (first ``max_bytes``), or None if absent."""

    def stat(self, path: str) -> FileView | None:
        """Return the entry at ``path`` or None."""

    def cancelled(self) -> bool:
        """True when the user asked to stop; long loops should check it."""


class Extractor:
    """Base class of extractors: declarations plus three optional hooks.

    Hooks:

    * :meth:`extract` for a file the extractor wants, with its content (up to
      ``MAX_FILE_SIZE`` bytes).
    * :meth:`extract_directory` for a directory whose name is in ``DIRECTORY_NAMES`` or
      matches ``DIRECTORY_GLOBS`` (read the children through the context).
    * :meth:`scan_bytes` byte-level detectors run on text-like content of every file
      (when ``SCANS_TEXT`` is true), on SQLite databases in the full profile, on content
      whose first block holds one of ``TEXT_MARKERS``, and on unallocated space; must be
      pure and fast.

    Name matches are case-insensitive. ``PATH_GLOBS`` are ``fnmatch`` patterns on the
    lower-cased full path. ``SIGNATURES`` are ``(offset, bytes)`` pairs checked against
    the file's first block; ``MIME_TYPES`` entries ending in ``/`` match a prefix.
    """

    NAME: ClassVar[str] = ""
    VERSION: ClassVar[str] = "0"
    DESCRIPTION: ClassVar[str] = ""
    ARTEFACT_TYPES: ClassVar[tuple[ArtefactType, ...]] = ()
    PROFILES: ClassVar[frozenset[str]] = frozenset({"quick", "full"})

    FILENAMES: ClassVar[frozenset[str]] = frozenset()
    EXTENSIONS: ClassVar[frozenset[str]] = frozenset()
    PATH_GLOBS: ClassVar[tuple[str, ...]] = ()
    MIME_TYPES: ClassVar[frozenset[str]] = frozenset()
    SIGNATURES: ClassVar[tuple[tuple[int, bytes], ...]] = ()
    DIRECTORY_NAMES: ClassVar[frozenset[str]] = frozenset()
    DIRECTORY_GLOBS: ClassVar[tuple[str, ...]] = ()
    SCANS_TEXT: ClassVar[bool] = False
    #: Byte strings whose presence in the first block of content that is not text
    #: (a database, a mail store, a file with a binary header) still gets it scanned by
    #: :meth:`scan_bytes` ("-----BEGIN PGP" for armored keys pasted anywhere).
    TEXT_MARKERS: ClassVar[tuple[bytes, ...]] = ()
    #: True when an overridden :meth:`wants_by_name` only ever accepts entries that
    #: FILENAMES, EXTENSIONS or PATH_GLOBS select (it narrows them), so the engine may
    #: rule entries out by those declarations before calling it.
    WANTS_BY_NAME_NARROWS: ClassVar[bool] = False
    #: Files larger than this are not handed to :meth:`extract` (a warning is recorded).
    MAX_FILE_SIZE: ClassVar[int] = 64 * 1024 * 1024

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options: dict[str, Any] = dict(options or {})

    # -- what it wants -------------------------------------------------------------
    def wants_by_name(self, entry: FileView) -> bool:
        """Decide from metadata alone (before any content is read)."""
        name = entry.name.lower()
        if name in self.FILENAMES:
            return True
        if self.EXTENSIONS and entry.extension in self.EXTENSIONS:
            return True
        if self.PATH_GLOBS:
            return self._path_pattern(self.PATH_GLOBS).match(entry.path.lower()) is not None
        return False

    @staticmethod
    @functools.cache
    def _path_pattern(globs: tuple[str, ...]) -> re.Pattern[str]:
        # One compiled alternation instead of an fnmatch call per glob and file.
        return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs))

    def wants_by_content(self, entry: FileView, head: bytes, mime: str | None) -> bool:
        """Decide from the first block and its MIME type (after the engine typed it)."""
        for offset, magic in self.SIGNATURES:
            if head[offset : offset + len(magic)] == magic:
                return True
        if mime and self.MIME_TYPES:
            for wanted in self.MIME_TYPES:
                if mime == wanted or (wanted.endswith("/") and mime.startswith(wanted)):
                    return True
        return False

    def content_wanted(self, entry: FileView, head: bytes) -> bool:
        """Decide, from the first block of a file it wants, whether to read all of it.

        Called after :meth:`wants_by_name` or :meth:`wants_by_content` said yes; False
        spares reading (and, in the quick profile, hashing) the rest of the file, as for
        a photo without a GPS position in a quick triage. ``head`` may be as short as
        4 KB (the quick profile asks first with what it read to check signatures), so
        return True whenever the head is too short to tell.
        """
        return True

    def content_prefix(self, entry: FileView, head: bytes) -> int | None:
        """Return how many leading bytes of a wanted file :meth:`extract` needs, when
        ``head`` (the first 64 KB) shows that they are all in it; None for the whole
        content (the default).

        The quick profile then reads no further and hands :meth:`extract` only those
        bytes, as for a photo whose metadata all sits in front of its image data. The
        file is not hashed, as no file whose whole content is left unread is in that
        profile. The full profile reads and hashes every file whole and does not ask.
        """
        return None

    def extract_searches_bytes(self, entry: FileView) -> bool:
        """True when :meth:`extract` on this file already searches its bytes as
        :meth:`scan_bytes` would (and more, knowing the format): the engine then does not
        run :meth:`scan_bytes` over the same file, which would report its hits twice."""
        return False

    def wants_directory(self, entry: FileView) -> bool:
        """Decide whether :meth:`extract_directory` runs on this directory."""
        if entry.name.lower() in self.DIRECTORY_NAMES:
            return True
        if self.DIRECTORY_GLOBS:
            return self._path_pattern(self.DIRECTORY_GLOBS).match(entry.path.lower()) is not None
        return False

    # -- hooks -----------------------------------------------------------------------
    def extract(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterable[Finding]:
        """Parse one wanted file's content; yield findings."""
        return ()

    def extract_directory(self, entry: FileView, ctx: ExtractionContext) -> Iterable[Finding]:
        """Parse one wanted directory through ``ctx``; yield findings."""
        return ()

    def scan_bytes(self, data: bytes) -> Iterator[Finding]:
        """Byte-level detectors over arbitrary bytes; offsets relative to ``data``."""
        return iter(())


@dataclass
class ExtractorInfo:
    """Summary of an extractor for listings (CLI ``--list-extractors``, GUI, About)."""

    name: str
    version: str
    description: str
    artefact_types: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)


def describe(extractor_cls: type[Extractor]) -> ExtractorInfo:
    """Return the listing summary of an extractor class."""
    return ExtractorInfo(
        name=extractor_cls.NAME,
        version=extractor_cls.VERSION,
        description=extractor_cls.DESCRIPTION,
        artefact_types=[t.name for t in extractor_cls.ARTEFACT_TYPES],
        profiles=sorted(extractor_cls.PROFILES),
    )

"""Process one file-system entry: read its content once, hash, type, dispatch extractors.

The content of a file is read at most once, in large sequential reads; the same bytes
feed the hashes, libmagic (first block only), the extractors that want the file and the
text detectors. What comes out is a :class:`FileResult`: the file's row for the case and
the findings with their extractor, ready for the batch writer. Nothing here touches the
case database, so worker processes can run it too.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from triage.engine.chunk_scan import scan_chunks
from triage.engine.filetype import (
    FileTyper,
    extension_mismatch,
    signature_mime,
)
from triage.engine.options import IngestOptions
from triage.engine.shared_content import SharedContentTable, shared_key
from triage.engine.text import is_text_like, reads_as_text
from triage.extractors.interface import (
    DetectorWarning,
    ExtractionContext,
    Extractor,
    FileView,
    Finding,
)

HEAD_SIZE = 64 * 1024
#: The quick profile reads this much of every file to check signatures.
QUICK_HEAD_SIZE = 4096
READ_SIZE = 4 * 1024 * 1024
#: Text-like content up to this size is scanned as one buffer; larger files in chunks.
TEXT_BUFFER_LIMIT = 32 * 1024 * 1024
#: A file larger than its file system is read anyway up to this size (sparse files, such
#: as virtual disks, can be); beyond it, the size is taken for damage and not read.
OVERSIZED_FLOOR = 16 << 30
#: The quick profile reads content of text-like names up to this size for the detectors.
QUICK_TEXT_LIMIT = 8 * 1024 * 1024
#: The quick profile searches SQLite databases up to this size (one buffer) for addresses,
#: onions and keys in their rows; larger ones (a heavy user's browser history) in full.
QUICK_SQLITE_LIMIT = TEXT_BUFFER_LIMIT
#: Content keys (hard links) whose type and hashes are kept for the next name of the inode.
KNOWN_CONTENT_LIMIT = 20_000

#: libmagic's names for an SQLite database (older versions say x-sqlite3).
_SQLITE_MIMES = frozenset({"application/vnd.sqlite3", "application/x-sqlite3"})

# Extensions a quick triage reads for the text detectors (notes, mail, web, chat, configs).
QUICK_TEXT_EXTENSIONS = frozenset(
    "txt text md rtf log csv tsv json jsonl xml html htm xhtml mht eml msg mbox ini cfg conf "
    "config yaml yml toml asc sig pem key pub js php py sh bat ps1 url desktop lnk note notes "
    "tex srt properties plist".split()
)


@dataclass
class FileResult:
    """The outcome of processing one entry."""

    row: dict[str, Any]
    findings: list[tuple[Extractor, Finding]] = field(default_factory=list)
    bytes_read: int = 0


class FileProcessor:
    """Runs hashing, typing and the extractors over one entry at a time."""

    def __init__(self, extractors: Iterable[Extractor], options: IngestOptions,
                 typer: FileTyper | None = None,
                 heartbeat: Callable[[], None] | None = None,
                 shared_content: SharedContentTable | None = None) -> None:
        self.extractors = list(extractors)
        #: Called between the chunks of a large file, so a watchdog sees work going on.
        self.heartbeat = heartbeat
        self.options = options
        # Read for every file: kept as plain attributes, not recomputed each time.
        self._full = options.hashes_everything
        self._sha1 = options.sha1
        self.typer = typer or FileTyper()
        self.text_scanners = [x for x in self.extractors if x.SCANS_TEXT]
        self._marked_scanners = [(x, x.TEXT_MARKERS) for x in self.text_scanners
                                 if x.TEXT_MARKERS]
        #: Seconds spent per stage ("typing", "hashing", "extractor:<name>") since the last take.
        self.timings: Counter[str] = Counter()
        self.directory_extractors = [
            x for x in self.extractors
            if type(x).extract_directory is not Extractor.extract_directory
        ]
        # The declarations of extractors that keep the base class's checks, gathered once:
        # calling every extractor's method for every file costs more than the checks.
        self._name_rules = [
            (x, None) if type(x).wants_by_name is not Extractor.wants_by_name else
            (x, (x.FILENAMES, x.EXTENSIONS,
                 Extractor._path_pattern(x.PATH_GLOBS) if x.PATH_GLOBS else None,
                 _glob_literals(x.PATH_GLOBS)))
            for x in self.extractors
        ]
        self._content_rules = [
            (x, None) if type(x).wants_by_content is not Extractor.wants_by_content else
            (x, _SignatureTable(x.SIGNATURES),
             frozenset(w for w in x.MIME_TYPES if not w.endswith("/")),
             tuple(w for w in x.MIME_TYPES if w.endswith("/")))
            for x in self.extractors
        ]
        self._name_filter = _NameFilter(self.extractors)
        self._content_filter = _ContentFilter(self._content_rules)
        #: (file system, content key) -> (mime, description, md5, sha256, sha1) of an inode
        #: already read whole under another name: a hard link's second name is not typed or
        #: hashed again.
        self._known: OrderedDict[Any, tuple[Any, ...]] = OrderedDict()
        #: The same, filled by every worker of the walk (names of an inode fall to several).
        self.shared_content = shared_content

    # -- entry points ----------------------------------------------------------------
    def process(self, entry: Any, ctx: ExtractionContext) -> FileResult:
        """Process one entry of the file system ``ctx`` reads."""
        view: FileView = entry.to_view()
        row = file_row(entry)
        result = FileResult(row)
        if entry.kind == "dir":
            for extractor in self.directory_extractors:
                if self._call_wants(extractor.wants_directory, view):
                    self._run(result, extractor, extractor.extract_directory, view, ctx, view=view)
            return result
        if entry.kind != "file":
            return result
        if entry.meta_type.endswith("/-"):
            # No readable metadata (fls shows "r/-"): size and content are unknown, not
            # empty, so nothing is typed or hashed.
            row["size"] = None
            return result
        if entry.size == 0:
            row["mime"] = "application/x-empty"
            row["mime_description"] = "empty"
            if self.options.hashes_everything:
                row.update(_empty_hashes(self.options.sha1))
            return result
        if self._implausibly_large(entry, ctx):
            ctx.warn(f"recorded size {entry.size} bytes exceeds the file system's"
                     f" {_filesystem_bytes(ctx)} bytes and {OVERSIZED_FLOOR} bytes: damaged"
                     " metadata or a sparse file; content not read (icat reads it)",
                     view.path)
            return result
        self._process_content(entry, view, ctx, result)
        return result

    @staticmethod
    def _implausibly_large(entry: Any, ctx: ExtractionContext) -> bool:
        """A size no file system of this size can hold (beyond a sparse file's floor):
        reading it would hash zeros for hours."""
        if entry.size <= OVERSIZED_FLOOR:
            return False
        capacity = _filesystem_bytes(ctx)
        return bool(capacity) and entry.size > capacity

    # -- content ---------------------------------------------------------------------
    def _process_content(self, entry: Any, view: FileView, ctx: ExtractionContext,
                         result: FileResult) -> None:
        name_wanted = self._wanted_by_name(view)
        row = result.row
        # The quick profile reads a small head first, except of text it scans anyway.
        small_first = not self._full and not self._quick_rule(view)
        try:
            head = entry.read(0, min(entry.size, QUICK_HEAD_SIZE if small_first else HEAD_SIZE))
        except Exception as exc:  # noqa: BLE001
            ctx.warn(f"cannot read content: {exc}", view.path)
            return
        guess = None
        if small_first:
            # The small head and the strong signatures decide whether the file deserves
            # typing and reading (a wallet database, a photo under a .dll name), and the
            # extractors that want it whether they still do (a photo without GPS).
            guess = signature_mime(head)
            row["mime"] = guess
            if not (guess and extension_mismatch(view.extension, guess)) and not any(
                self._content_wanted(x, view, head)
                for x in name_wanted + self._wanted_by_content(view, head, guess, skip=name_wanted)
            ) and not self._marked(head) and not (
                    # Text under any name (recovery.dat, seed.txt~, debug.log.1) is what
                    # the detectors read; the allow-list of text extensions alone let it go.
                    self.text_scanners and not guess and reads_as_text(head)
            ) and not self._quick_sqlite(guess, entry.size):
                if guess:
                    row["extension_mismatch"] = 0
                return
            if entry.size > len(head):
                try:
                    head += entry.read(len(head), min(entry.size, HEAD_SIZE) - len(head))
                except Exception as exc:  # noqa: BLE001
                    ctx.warn(f"cannot read content: {exc}", view.path)
                    return
        key = entry.content_key()
        known = None
        table_key = None
        if key is not None:
            # A key names bytes within one file system, and one processor serves every
            # volume of an image: the file system (by identity) is part of the key, and
            # a context that names none shares nothing.
            scope = getattr(ctx, "filesystem", None)
            if scope is None:
                key = None
            else:
                if self.shared_content is not None:
                    table_key = shared_key(scope, key)
                key = (scope, key)
                known = self._known.get(key)
                if known is None and table_key is not None:
                    known = self.shared_content.get(table_key)  # type: ignore[union-attr]
        quick_type = None if self._full or known else _quick_type(head, guess)
        if known is not None:
            # Another name of the same inode was typed from the same bytes.
            mime, description = known[0], known[1]
        elif quick_type is not None:
            # Quick profile: a strong signature or plain text typed it; libmagic is spared.
            mime, description = quick_type
        else:
            started = time.perf_counter()
            if signature_mime(head) is not None:
                # A strong signature: libmagic's MIME type is cheap, its long description
                # (a JPEG's every segment) costs ten times more and adds little.
                mime, description = self.typer.mime(head), None
            else:
                mime, description = self.typer.type_bytes(head)
            self.timings["typing"] += time.perf_counter() - started
        row["mime"], row["mime_description"] = mime, description
        row["extension_mismatch"] = int(extension_mismatch(view.extension, mime))
        view = view.typed(mime, description)
        wanted = [
            x for x in name_wanted + self._wanted_by_content(view, head, mime, skip=name_wanted)
            if self._content_wanted(x, view, head)
        ]
        if self.text_scanners and is_text_like(mime, head):
            scanners = self.text_scanners
        else:
            scanners = self._binary_scanners(mime, head, entry.size)
        scan_text = bool(scanners)
        if not self._full and not wanted and not scan_text:
            return
        if not self._full and not scan_text and entry.size > len(head):
            prefix = self._wanted_prefix(wanted, view, head)
            if prefix is not None:
                # Every extractor that wants the file needs only its first bytes: the
                # quick profile reads and hashes no more (a photo's image data). Content
                # the head holds whole is hashed below, as it costs no read.
                data = head[:prefix]
                result.bytes_read += len(head)  # what was read, if more than is parsed
                if known is not None:
                    row["md5"], row["sha256"] = known[2], known[3]
                    if self._sha1:
                        row["sha1"] = known[4]
                for extractor in wanted:
                    self._run(result, extractor, extractor.extract, view, data, ctx, view=view)
                return
        if known is not None and not wanted and not scan_text:
            # Nothing reads this name's content: the inode's hashes stand for it.
            row["md5"], row["sha256"] = known[2], known[3]
            if self._sha1:
                row["sha1"] = known[4]
            return
        keep_limit = max([x.MAX_FILE_SIZE for x in wanted]) if wanted else 0
        if scan_text:
            keep_limit = max(keep_limit, TEXT_BUFFER_LIMIT)
        # Content the head already holds whole is kept in any case: nothing more to read.
        keep = entry.size <= keep_limit or entry.size <= len(head)
        hashers = [hashlib.md5(), hashlib.sha256()] + ([hashlib.sha1()] if self._sha1 else [])
        data: bytes | None = None
        if keep:
            # One read of the whole content, shared by hashing, extractors and detectors.
            data = head if entry.size <= len(head) else self._read_whole(entry, ctx, view)
            result.bytes_read += len(data)
            started = time.perf_counter()
            for hasher in hashers:
                hasher.update(data)
            self.timings["hashing"] += time.perf_counter() - started
        else:
            chunk_iter = self._read_chunks(entry, head, hashers, result, ctx)
            if scan_text:
                # Too big to hold: scan as we stream (overlapping chunks), hashing on the way.
                self._scan_streamed(chunk_iter, result, ctx, view, scanners)
            else:
                for _ in chunk_iter:
                    pass
        if result.bytes_read < entry.size:
            if not entry.unreadable_by_design():
                reason = entry.short_read_reason()
                ctx.warn(f"short read: {result.bytes_read} of {entry.size} bytes"
                         + (f"; {reason}" if reason else ""), view.path)
        else:
            row["md5"] = hashers[0].hexdigest()
            row["sha256"] = hashers[1].hexdigest()
            if self._sha1:
                row["sha1"] = hashers[2].hexdigest()
            if key is not None:
                known = (mime, description, row["md5"], row["sha256"], row.get("sha1"))
                self._remember(key, known)
                if table_key is not None:
                    self.shared_content.put(table_key, known)  # type: ignore[union-attr]
        if data is None:
            for extractor in wanted:
                ctx.warn(f"{extractor.NAME}: file too large to parse ({entry.size} bytes)", view.path)
            return
        for extractor in wanted:
            if len(data) > extractor.MAX_FILE_SIZE:
                ctx.warn(f"{extractor.NAME}: file too large to parse ({len(data)} bytes)", view.path)
                continue
            self._run(result, extractor, extractor.extract, view, data, ctx, view=view)
        for scanner in scanners:
            if scanner in wanted and self._call_wants(scanner.extract_searches_bytes, view):
                continue  # its extract searched these bytes already, knowing the format
            self._run(result, scanner, scanner.scan_bytes, data, view=view, ctx=ctx)

    def _remember(self, key: Any, known: tuple[Any, ...]) -> None:
        self._known[key] = known
        if len(self._known) > KNOWN_CONTENT_LIMIT:
            self._known.popitem(last=False)

    @staticmethod
    def _read_whole(entry: Any, ctx: ExtractionContext, view: FileView) -> bytes:
        try:
            return entry.read(0, entry.size)
        except Exception as exc:  # noqa: BLE001
            ctx.warn(f"read failed: {exc}", view.path)
            return b""

    def _read_chunks(self, entry: Any, head: bytes, hashers: list[Any], result: FileResult,
                     ctx: ExtractionContext) -> Iterable[bytes]:
        offset = 0
        data = head
        while data:
            started = time.perf_counter()
            for hasher in hashers:
                hasher.update(data)
            self.timings["hashing"] += time.perf_counter() - started
            result.bytes_read += len(data)
            yield data
            if self.heartbeat is not None:
                self.heartbeat()
            offset += len(data)
            if offset >= entry.size:
                break
            try:
                data = entry.read(offset, min(READ_SIZE, entry.size - offset))
            except Exception as exc:  # noqa: BLE001
                ctx.warn(f"read failed at offset {offset}: {exc}", entry.path)
                break

    def _scan_streamed(self, chunks: Iterable[bytes], result: FileResult, ctx: ExtractionContext,
                       view: FileView, scanners: list[Extractor]) -> None:
        started = time.perf_counter()
        for scanner, finding in scan_chunks(chunks, scanners, warn=ctx.warn, path=view.path):
            result.findings.append((scanner, finding))
        self.timings["extractor:text (streamed)"] += time.perf_counter() - started

    def _binary_scanners(self, mime: str | None, head: bytes, size: int) -> list[Extractor]:
        """The text detectors worth running over content that is not text: all of them
        over an SQLite database (browser histories, chat and wallet apps keep addresses,
        onion URLs, descriptors and pasted keys in their rows as plain text; the quick
        profile up to :data:`QUICK_SQLITE_LIMIT`), and those whose ``TEXT_MARKERS`` are in
        the first 4 KiB."""
        if mime in _SQLITE_MIMES and (self._full or self._quick_sqlite(mime, size)):
            return self.text_scanners
        head = head[:QUICK_HEAD_SIZE]
        return [x for x, markers in self._marked_scanners if any(m in head for m in markers)]

    def _quick_sqlite(self, mime: str | None, size: int) -> bool:
        """Whether the quick profile searches this content as an SQLite database."""
        return bool(self.text_scanners) and mime in _SQLITE_MIMES and size <= QUICK_SQLITE_LIMIT

    def _marked(self, head: bytes) -> bool:
        """True when a text detector's marker is in the first :data:`QUICK_HEAD_SIZE`
        bytes (content to read and scan). Both profiles look that far: searching the full
        profile's 64 KiB head of every binary file cost 15 µs a file for a marker that
        sits at the start."""
        head = head[:QUICK_HEAD_SIZE]
        return any(m in head for _, markers in self._marked_scanners for m in markers)

    def take_timings(self) -> dict[str, float]:
        """Return and reset the per-stage seconds."""
        taken = dict(self.timings)
        self.timings.clear()
        return taken

    def _quick_rule(self, view: FileView) -> bool:
        """The quick profile's triage rule: which content is worth reading with no extractor asking."""
        if view.size > QUICK_TEXT_LIMIT or not self.text_scanners:
            return False
        if view.size <= 1 << 20 and (not view.extension or view.stream):
            # Names say little of what a stream holds (Zone.Identifier keeps a download's
            # URL; a stream is a place to hide a note), and streams are rare and small.
            return True
        return view.extension in QUICK_TEXT_EXTENSIONS

    # -- which extractors want a file ---------------------------------------------------
    def _wanted_by_name(self, view: FileView) -> list[Extractor]:
        """The extractors whose names, extensions or path patterns select ``view``."""
        name = view.name.lower()
        extension = view.extension
        if not self._name_filter.may_want(name, extension, view.path):
            return [x for x in self._name_filter.custom
                    if self._call_wants(x.wants_by_name, view)]
        lower_path = None
        wanted = []
        for extractor, rules in self._name_rules:
            if rules is None:
                if self._call_wants(extractor.wants_by_name, view):
                    wanted.append(extractor)
                continue
            filenames, extensions, pattern, literals = rules
            if name in filenames or extension in extensions:
                wanted.append(extractor)
            elif pattern is not None:
                if lower_path is None:
                    lower_path = view.path.lower()
                if literals is not None and literals.search(lower_path) is None:
                    continue
                if pattern.match(lower_path) is not None:
                    wanted.append(extractor)
        return wanted

    def _wanted_by_content(self, view: FileView, head: bytes, mime: str | None,
                           skip: Sequence[Extractor] = ()) -> list[Extractor]:
        """The extractors whose signatures, MIME types or content checks select the file."""
        wanted: list[Extractor] = []
        typed_view = None
        rules_to_check = (self._content_rules if self._content_filter.may_want(head, mime)
                          else self._content_filter.custom)
        for extractor, *rules in rules_to_check:
            if extractor in skip:
                continue
            if rules[0] is None:
                if typed_view is None:
                    typed_view = view if view.mime == mime else view.typed(mime, view.mime_description)
                hit = self._call_wants(extractor.wants_by_content, typed_view, head, mime)
            else:
                signatures, exact_mimes, mime_prefixes = rules
                hit = signatures.matches(head) or (
                    mime is not None and (mime in exact_mimes or mime.startswith(mime_prefixes)))
            if hit:
                wanted.append(extractor)
        return wanted

    # -- calling extractors safely ---------------------------------------------------
    @staticmethod
    def _wanted_prefix(wanted: Sequence[Extractor], view: FileView, head: bytes) -> int | None:
        """The leading bytes all of ``wanted`` need, when each says (within ``head``) that
        it needs no more than those (:meth:`Extractor.content_prefix`); else None."""
        needed = 0
        for extractor in wanted:
            try:
                prefix = extractor.content_prefix(view, head)
            except Exception:  # noqa: BLE001 (when in doubt, read the file)
                return None
            if prefix is None or not 0 < prefix <= len(head):
                return None
            needed = max(needed, prefix)
        return needed or None

    @staticmethod
    def _content_wanted(extractor: Extractor, view: FileView, head: bytes) -> bool:
        try:
            return bool(extractor.content_wanted(view, head))
        except Exception:  # noqa: BLE001 (when in doubt, read the file)
            return True

    @staticmethod
    def _call_wants(method: Any, *args: Any) -> bool:
        try:
            return bool(method(*args))
        except Exception:  # noqa: BLE001 (a broken declaration must not stop the scan)
            return False

    def _run(self, result: FileResult, extractor: Extractor, method: Any, *args: Any,
             view: FileView, ctx: ExtractionContext | None = None) -> None:
        if ctx is None:
            ctx = next((a for a in args if hasattr(a, "warn")), None)
        started = time.perf_counter()
        try:
            for finding in method(*args) or ():
                if isinstance(finding, DetectorWarning):
                    if ctx is not None:
                        ctx.warn(f"{extractor.NAME}: {finding.message}", view.path)
                    continue
                result.findings.append((extractor, finding))
        except Exception as exc:  # noqa: BLE001 (hostile input must never end the scan)
            if ctx is not None:
                ctx.warn(f"{extractor.NAME} failed: {type(exc).__name__}: {exc}", view.path)
        finally:
            self.timings[f"extractor:{extractor.NAME}"] += time.perf_counter() - started


def _quick_type(head: bytes, guess: str | None) -> tuple[str, str | None] | None:
    """The quick profile's typing without libmagic, or None when only libmagic can tell."""
    guess = guess or signature_mime(head)
    if guess:
        return guess, None
    if is_text_like(None, head[:4096]):
        return "text/plain", None
    return None


_GLOB_SPECIALS = re.compile(r"[*?\[\]]+")


@functools.cache
def _glob_literals(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """A search for the longest literal part of each glob: a path without any cannot match.

    None when some glob has no literal part (every path must then go to the pattern).
    """
    literals = []
    for glob in globs:
        longest = max(_GLOB_SPECIALS.split(glob.lower()), key=len)
        if not longest:
            return None
        literals.append(re.escape(longest))
    return re.compile("|".join(literals)) if literals else None


class _NameFilter:
    """Rules out, with one look-up each, names no extractor's declarations select.

    ``custom`` are the extractors with their own ``wants_by_name`` that may go beyond
    their declarations; they are always asked.
    """

    def __init__(self, extractors: Sequence[Extractor]) -> None:
        self.custom = [x for x in extractors
                       if type(x).wants_by_name is not Extractor.wants_by_name
                       and not x.WANTS_BY_NAME_NARROWS]
        declared = [x for x in extractors if x not in self.custom]
        self.names = frozenset().union(*(x.FILENAMES for x in declared))
        self.extensions = frozenset().union(*(x.EXTENSIONS for x in declared))
        globbed = [x.PATH_GLOBS for x in declared if x.PATH_GLOBS]
        self.any_glob = bool(globbed)
        literals = [_glob_literals(globs) for globs in globbed]
        # A glob without a literal part lets any path through to the full check.
        self.literals = (None if not globbed or any(x is None for x in literals)
                         else re.compile("|".join(x.pattern for x in literals if x)))

    def may_want(self, lower_name: str, extension: str, path: str) -> bool:
        """False when no declarative extractor's names, extensions or globs can match."""
        if lower_name in self.names or extension in self.extensions:
            return True
        if not self.any_glob:
            return False
        return self.literals is None or self.literals.search(path.lower()) is not None


class _ContentFilter:
    """Rules out, with one signature table and two MIME look-ups, content no declarative
    extractor wants; ``custom`` (own ``wants_by_content``) are always asked."""

    def __init__(self, content_rules: Sequence[tuple[Any, ...]]) -> None:
        declared = [rules for _, *rules in content_rules if rules[0] is not None]
        self.custom = [(x, *rules) for x, *rules in content_rules if rules[0] is None]
        self.signatures = _SignatureTable(
            (offset, magic_bytes) for rules in declared for offset, magic_bytes in rules[0].items
        )
        self.exact_mimes = frozenset().union(*(rules[1] for rules in declared))
        self.mime_prefixes = tuple(p for rules in declared for p in rules[2])

    def may_want(self, head: bytes, mime: str | None) -> bool:
        """False when no declarative extractor's signatures or MIME types match."""
        return self.signatures.matches(head) or (
            mime is not None and (mime in self.exact_mimes or mime.startswith(self.mime_prefixes)))


class _SignatureTable:
    """Leading-byte signatures grouped by offset and length: one slice and set test each,
    asked only when the byte at that offset can start one of them."""

    def __init__(self, signatures: Iterable[tuple[int, bytes]]) -> None:
        self.items = tuple(signatures)
        groups: dict[tuple[int, int], set[bytes]] = {}
        for offset, magic_bytes in self.items:
            groups.setdefault((offset, len(magic_bytes)), set()).add(magic_bytes)
        # An empty signature matches any content, as the slice test would say.
        self._always = any(not magic_bytes for _, magic_bytes in self.items)
        by_offset: dict[int, list[tuple[int, int, frozenset[bytes]]]] = {}
        for (offset, size), magics in groups.items():
            by_offset.setdefault(offset, []).append((offset, offset + size, frozenset(magics)))
        self._by_offset = tuple(
            (offset, frozenset(m[0] for _, _, ms in tables for m in ms if m), tuple(tables))
            for offset, tables in by_offset.items()
        )

    def matches(self, head: bytes) -> bool:
        """True when ``head`` carries one of the signatures."""
        if self._always:
            return True
        size = len(head)
        for offset, first_bytes, tables in self._by_offset:
            if offset < size and head[offset] in first_bytes:
                for start, end, magics in tables:
                    if head[start:end] in magics:
                        return True
        return False


def file_row(entry: Any) -> dict[str, Any]:
    """Return the case row of a file-system entry (without evidence and run ids)."""
    path = entry.path
    parent = path.rsplit("/", 1)[0] or "/"
    if entry.stream:
        parent = path.rsplit(":", 1)[0].rsplit("/", 1)[0] or "/"
    name = entry.name
    dot = name.rfind(".")
    return {
        "path": path,
        "parent": parent,
        "name": name,
        "extension": name[dot + 1:].lower() if dot > 0 and not entry.stream else None,
        "inode": entry.inode,
        "stream": entry.stream,
        "meta_type": getattr(entry, "meta_type", None),
        "kind": entry.kind,
        "size": entry.size,
        "deleted": int(entry.deleted),
        "allocated": int(getattr(entry, "allocated", not entry.deleted)),
        "mtime": entry.mtime,
        "atime": entry.atime,
        "ctime": entry.ctime,
        "crtime": entry.crtime,
        "mode": entry.mode,
        "uid": entry.uid,
        "gid": entry.gid,
    }


def file_identity(volume_idx: int | None, row: dict[str, Any]) -> str:
    """Return the key that makes a file row unique within its evidence across runs."""
    return f"{volume_idx}|{row['inode']}|{row['stream'] or ''}|{row['path']}"


def _empty_hashes(sha1: bool) -> dict[str, str]:
    out = {"md5": hashlib.md5(b"").hexdigest(), "sha256": hashlib.sha256(b"").hexdigest()}
    if sha1:
        out["sha1"] = hashlib.sha1(b"").hexdigest()
    return out




def _filesystem_bytes(ctx: Any) -> int:
    """Capacity of the file system ``ctx`` reads (0 when unknown, as for folders)."""
    filesystem = getattr(ctx, "filesystem", None)
    try:
        return int(filesystem.block_size) * int(filesystem.block_count) if filesystem else 0
    except (AttributeError, TypeError, ValueError):
        return 0

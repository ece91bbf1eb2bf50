"""Scan the bytes no live file points to: free blocks of file systems and space outside partitions.

The ranges come from the evidence layer (each file system's own allocation data, the
volume system's gaps, and whole partitions whose file system could not be opened), so a
live file's data is never scanned here. The bytes are read in large sequential chunks
and handed to :func:`triage.engine.chunk_scan.scan_chunks`, which runs the byte-level
detectors of the extractors (``scan_bytes``) with a look-ahead at chunk edges. Small
structured artefacts (Electrum and Ethereum keystore JSON, a tor ``state`` file, a JPEG's
EXIF block) are carved by signature and handed to the owning extractor's own ``extract``
hook, so no format is parsed twice in the code base. Text detectors (and the tor state
carver) see only the runs of text of a window, with margins (:func:`text_segments`):
whatever they look for is ASCII text, and free space is mostly binary.

Every hit becomes an artefact row with ``unallocated=True``, its volume index and its
absolute byte offset in the evidence. Memory stays bounded: one chunk plus its
look-ahead, and a de-duplication set pruned as the scan moves on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from triage.engine.batch_writer import media_warning
from triage.engine.chunk_scan import LOOKAHEAD, scan_chunks
from triage.engine.rows import UNALLOCATED_AREA, artefact_row
from triage.evidence import Evidence, EvidenceError, FileSystem
from triage.evidence.filesystem import WarnCallback, ignore_warning
from triage.extractors import artefact_types
from triage.extractors.interface import Extractor, FileView, Finding

#: ``(volume index, absolute start, length)`` of one run of bytes to scan.
ScanRange = tuple[int | None, int, int]

#: Volume kinds whose file system, when open, tells which of its blocks are free.
FILESYSTEM_KINDS = ("partition", "whole")
#: Rows handed back per batch (the engine writes them in its own transactions).
BATCH_ROWS = 256
#: A batch (possibly empty) is handed back at least this often, so progress keeps moving.
YIELD_BYTES = 64 << 20
#: Warnings kept per scan; hostile images could otherwise produce one per chunk.
MAX_WARNINGS = 200
#: Largest structure carved; it must fit in a chunk's look-ahead to be carved whole.
CARVE_LIMIT = LOOKAHEAD
#: How far before a JSON wallet marker the enclosing ``{`` is looked for.
JSON_BACKTRACK = 16 * 1024
#: Carves tried per window and rule (bounds work on bytes full of markers).
MAX_CARVES_PER_WINDOW = 256
CONTEXT_CHARS = 120


class UnallocatedScanner:
    """Runs the byte-level detectors over the unallocated space of one evidence item.

    ``scanners`` are the run's extractors: those with ``SCANS_TEXT`` run ``scan_bytes``;
    the ``crypto``, ``tor``, ``metadata`` and ``pgp`` extractors, when present, also get
    carved JSON wallets, tor state files, JPEG EXIF blocks and GnuPG agent keys. ``cancel`` is checked between
    chunks; ``progress(bytes_done, bytes_total)`` is called after every chunk read.
    Problems are collected in :attr:`warnings` as warning rows (drain them with
    :meth:`take_warnings`).
    """

    def __init__(
        self,
        evidence: Evidence,
        scanners: list[Extractor],
        *,
        evidence_id: int,
        run_id: int,
        cancel: Callable[[], bool],
        progress: Callable[[int, int], None] | None = None,
        chunk_size: int = 4 << 20,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        self.evidence = evidence
        self.evidence_id = evidence_id
        self.run_id = run_id
        self.cancel = cancel
        self.progress = progress
        self.chunk_size = chunk_size
        self.warnings: list[dict[str, Any]] = []
        self._warning_count = 0
        self._types = artefact_types()
        self._detectors: list[Extractor] = []
        self._owners: dict[int, Extractor] = {}
        memo = _TrimMemo()
        for owner in scanners:
            rules = [rule for rule in CARVE_RULES if rule.extractor == owner.NAME]
            # Text detectors and text carvers see only the window's text; the other carvers
            # (JSON, a JPEG's EXIF block) see all of it but its leading and trailing zeros.
            inner: list[Extractor] = [_TextOnly(owner, memo)] if owner.SCANS_TEXT else []
            for text in (True, False):
                chosen = [rule for rule in rules if rule.text is text]
                if chosen:
                    carver = _Carver(owner, chosen, self._carve_warn, cancel)
                    inner.append(_TextOnly(carver, memo) if text else _ZeroTrimmed(carver, memo))
            for detector in inner:
                self._owners[id(detector)] = owner
                self._detectors.append(detector)

    # -- warnings ----------------------------------------------------------------------
    def warn(self, message: str, volume_idx: int | None = None) -> None:
        """Record a warning row (the first :data:`MAX_WARNINGS`, then one summary line)."""
        self._warning_count += 1
        if self._warning_count > MAX_WARNINGS + 1:
            return
        if self._warning_count == MAX_WARNINGS + 1:
            message = "unallocated scan: further warnings suppressed"
        self.warnings.append({
            "run_id": self.run_id, "evidence_id": self.evidence_id, "volume_idx": volume_idx,
            "path": None, "source": "unallocated", "message": message,
        })

    def take_warnings(self) -> list[dict[str, Any]]:
        """Return the warning rows collected since the last call and forget them."""
        taken, self.warnings = self.warnings, []
        return taken

    def _carve_warn(self, message: str, path: str | None = None) -> None:
        self.warn(f"carved data: {message}")

    # -- ranges ------------------------------------------------------------------------
    def ranges(self, filesystems: dict[int, FileSystem | None]) -> list[ScanRange]:
        """Return every run to scan, sorted by start, merged and never overlapping.

        That is the unallocated blocks of every opened file system, every
        ``unallocated`` volume (gaps, space before and after partitions), and the whole
        of every partition whose file system is missing from ``filesystems`` or ``None``
        (it could not be opened, so nothing in it is known to be live).
        """
        return list(self._iter_ranges(filesystems, self._volume_warner))

    def _volume_warner(self, volume_idx: int | None) -> WarnCallback:
        def warn(message: str, path: str | None = None) -> None:
            self.warn(f"volume {volume_idx}: {message}", volume_idx)
        return warn

    def _iter_ranges(
        self,
        filesystems: dict[int, FileSystem | None],
        warner: Callable[[int | None], WarnCallback],
    ) -> Iterator[ScanRange]:
        if self.evidence.format == "folder" or self.evidence.size <= 0:
            return
        try:
            volumes = sorted(self.evidence.volumes(), key=lambda v: (v.start, v.index))
        except (EvidenceError, OSError) as error:
            warner(None)(f"volumes unreadable: {error}")
            return
        frontier = 0
        pending: ScanRange | None = None
        covered = max((volume.start + volume.length for volume in volumes), default=0)
        # The volume slots cover whole sectors: an image that ends inside a sector keeps
        # its last bytes outside every slot.
        tail = [(None, covered, self.evidence.size - covered)] if covered < self.evidence.size else []
        starts = sorted({volume.start for volume in volumes})
        runs_by_volume = [
            self._volume_runs(volume, filesystems, warner,
                              next((start for start in starts if start > volume.start), None))
            for volume in volumes
        ]
        for runs in [*runs_by_volume, tail]:
            for volume_idx, start, length in runs:
                end = min(start + length, self.evidence.size)
                start = max(start, frontier)
                if end <= start:
                    continue
                frontier = end
                if pending and pending[0] == volume_idx and pending[1] + pending[2] == start:
                    pending = (volume_idx, pending[1], end - pending[1])
                    continue
                if pending:
                    yield pending
                pending = (volume_idx, start, end - start)
        if pending:
            yield pending

    @staticmethod
    def _volume_runs(
        volume: Any,
        filesystems: dict[int, FileSystem | None],
        warner: Callable[[int | None], WarnCallback],
        next_start: int | None = None,
    ) -> Iterator[ScanRange]:
        if volume.kind == "unallocated":
            yield volume.index, volume.start, volume.length
            return
        if volume.kind not in FILESYSTEM_KINDS:
            return
        filesystem = filesystems.get(volume.index)
        if filesystem is None:
            yield volume.index, volume.start, volume.length
            return
        try:
            for start, length in filesystem.unallocated_ranges(warner(volume.index)):
                yield volume.index, start, length
        except Exception as error:  # noqa: BLE001 (damaged metadata of one volume must not end the scan)
            warner(volume.index)(f"unallocated blocks not listed: {error}")
        extent = filesystem.extent()
        volume_end = volume.start + volume.length
        if next_start is not None:
            volume_end = min(volume_end, next_start)  # overlapping slots: not into another
        if extent is not None and volume.start <= extent[1] < volume_end:
            # Volume slack: the partition goes on after the file system's last block.
            yield volume.index, extent[1], volume_end - extent[1]

    # -- scanning ----------------------------------------------------------------------
    def scan(
        self, filesystems: dict[int, FileSystem | None]
    ) -> Iterator[tuple[list[dict[str, Any]], int]]:
        """Yield ``(artefact rows, bytes scanned so far)`` in bounded batches.

        Rows are built with :func:`artefact_row` (``unallocated=True``); ``offset`` is the
        absolute evidence byte offset of the hit; identical hits within one
        :data:`UNALLOCATED_AREA` of a volume are reported once.
        """
        total = sum(length for _, _, length in self._iter_ranges(filesystems, _quiet))
        state = _ScanState(total=total, trail=2 * self.chunk_size + LOOKAHEAD)
        for volume_idx, start, length in self._iter_ranges(filesystems, self._volume_warner):
            if self.cancel():
                break
            yield from self._scan_range(volume_idx, start, length, state)
        if state.rows or state.bytes_done != state.bytes_reported:
            yield state.rows, state.bytes_done
            state.rows = []

    def _scan_range(
        self, volume_idx: int | None, start: int, length: int, state: _ScanState
    ) -> Iterator[tuple[list[dict[str, Any]], int]]:
        position, end = start, start + length

        def warn(message: str, path: str | None = None) -> None:
            self.warn(message, volume_idx)

        while position < end and not self.cancel():
            reader = _ChunkReader(self.evidence, position, end, self.chunk_size,
                                  self.cancel, lambda size: self._advance(state, size))
            # Every detector is zero-trimmed, so windows of zeros only can be skipped whole.
            for scanner, finding in scan_chunks(reader, self._detectors, warn, None, position,
                                                skip_zero_windows=True):
                row = self._row(scanner, finding, volume_idx, state)
                if row is not None:
                    state.rows.append(row)
                if len(state.rows) >= BATCH_ROWS:
                    yield state.rows, state.bytes_done
                    state.rows, state.bytes_reported = [], state.bytes_done
                state.prune(reader.position)
            if state.bytes_done - state.bytes_reported >= YIELD_BYTES:
                yield state.rows, state.bytes_done
                state.rows, state.bytes_reported = [], state.bytes_done
            for damage in self.evidence.take_media_errors():
                self.warnings.append(media_warning(
                    self.run_id, self.evidence_id, volume_idx, None, damage,
                    "found while scanning unallocated space"))
            if reader.failed_at is None:
                break
            self.warn(f"unreadable bytes at {reader.failed_at} skipped ({reader.error})",
                      volume_idx)
            skipped = min(self.chunk_size, end - reader.failed_at)
            self._advance(state, skipped)
            position = reader.failed_at + skipped

    def _advance(self, state: _ScanState, size: int) -> None:
        state.bytes_done += size
        if self.progress is not None:
            try:
                self.progress(state.bytes_done, state.total)
            except Exception:  # noqa: BLE001 (a broken progress display must not stop a scan)
                self.progress = None

    def _row(
        self, scanner: Extractor, finding: Finding, volume_idx: int | None, state: _ScanState
    ) -> dict[str, Any] | None:
        owner = self._owners.get(id(scanner), scanner)
        finding.path = None
        if isinstance(finding.attributes.get("offset"), int):
            # Detectors record the offset inside the bytes they saw (a chunk window here).
            finding.attributes["offset"] = finding.offset
        row = artefact_row(owner, finding, self._types, evidence_id=self.evidence_id,
                           volume_idx=volume_idx, run_id=self.run_id, file_row=None,
                           unallocated=True)
        area = (finding.offset or 0) // UNALLOCATED_AREA
        seen = state.seen.setdefault(area, set())
        if row["identity"] in seen:
            return None
        seen.add(row["identity"])
        return row


def _quiet(volume_idx: int | None) -> WarnCallback:
    return ignore_warning


@dataclass
class _ScanState:
    """Counters and the de-duplication set of one scan."""

    total: int
    trail: int
    bytes_done: int = 0
    bytes_reported: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[int, set[str]] = field(default_factory=dict)

    def prune(self, read_position: int) -> None:
        """Forget identities of areas no later hit can fall in.

        Hits trail the reader by at most ``trail`` bytes (the chunk being scanned plus
        the one read ahead), and ranges are scanned in ascending order.
        """
        if len(self.seen) < 8:
            return
        keep_from = (read_position - self.trail) // UNALLOCATED_AREA
        for area in [a for a in self.seen if a < keep_from]:
            del self.seen[area]


class _ChunkReader:
    """Iterates over ``[start, end)`` of the evidence in chunks; stops on cancel or error."""

    def __init__(self, evidence: Evidence, start: int, end: int, chunk_size: int,
                 cancel: Callable[[], bool], on_chunk: Callable[[int], None]) -> None:
        self.evidence = evidence
        self.position = start
        self.end = end
        self.chunk_size = chunk_size
        self.cancel = cancel
        self.on_chunk = on_chunk
        self.failed_at: int | None = None
        self.error: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        while self.position < self.end and not self.cancel():
            size = min(self.chunk_size, self.end - self.position)
            try:
                data = self.evidence.read(self.position, size)
            except (EvidenceError, OSError) as error:
                self.failed_at, self.error = self.position, str(error)
                return
            if data:
                self.position += len(data)
                self.on_chunk(len(data))
                yield data
            if len(data) < size:
                # Ranges end inside the media: a short read is unreadable media, whose
                # rest is still scanned past it, not the end of the range.
                self.failed_at = self.position
                self.error = f"the image returned {len(data)} of {size} bytes"
                return


#: A text detector's hit is text: a run of at least this many printable ASCII bytes (an
#: old onion name with its suffix has 22, every other hit more), or of UTF-16LE characters.
TEXT_RUN = 20
#: Bytes on each side of a run of text scanned with it: more than any detector's context
#: string reaches, so a hit's context reads as it would in the whole window.
TEXT_MARGIN = 256
#: Windows whose runs of text hold more than this share of their bytes are scanned whole.
TEXT_SHARE = 0.5

#: Printable ASCII and white space as 'a', the zero byte as 'z', every other byte as a
#: space. (Three classes, so that both needles below hold a byte most binary lacks: a
#: needle of two common bytes makes ``bytes.find`` ten times slower.)
_TEXT_CLASSES = bytes(0x61 if 0x20 <= c <= 0x7E or c in b"\t\n\r\x0b\x0c"
                      else 0x7A if c == 0 else 0x20 for c in range(256))
_ASCII_RUN = b"a" * TEXT_RUN
#: UTF-16LE Latin text: each printable byte followed by a zero byte.
_UTF16_RUN = b"az" * TEXT_RUN
_UTF16_RUN_RE = re.compile(rb"(?:az)+")


def text_segments(data: bytes, most: float | None = None) -> list[tuple[int, int]] | None:
    """``(start, end)`` of the parts of ``data`` that hold text, margins included.

    A part is a run of TEXT_RUN or more printable ASCII bytes or UTF-16LE characters,
    widened by TEXT_MARGIN on each side (its start kept even, for UTF-16), and
    overlapping parts are merged. Free space that held binary files (compressed data,
    executables, media) has few such runs, so text detectors skip most of it. None when
    the runs hold more than ``most`` bytes (the search stops there).
    """
    classes = data.translate(_TEXT_CLASSES)
    runs: list[tuple[int, int]] = []
    held = 0
    for needle in (_ASCII_RUN, _UTF16_RUN):
        found = classes.find(needle)
        while found >= 0:
            if needle is _ASCII_RUN:
                end = classes.find(b" ", found)
                end = len(classes) if end < 0 else end
                zero = classes.find(b"z", found, end)
                end = end if zero < 0 else zero
            else:
                end = _UTF16_RUN_RE.match(classes, found).end()  # type: ignore[union-attr]
            runs.append((found, end))
            held += end - found
            if most is not None and held > most:
                return None
            found = classes.find(needle, end)
    runs.sort()
    segments: list[tuple[int, int]] = []
    for start, end in runs:
        start = max(0, start - TEXT_MARGIN) & ~1
        end = min(len(data), end + TEXT_MARGIN)
        if segments and start <= segments[-1][1]:
            segments[-1] = (segments[-1][0], max(segments[-1][1], end))
        else:
            segments.append((start, end))
    return segments


class _TrimMemo:
    """The zero-trimmed form and the text segments of the last window, computed once for
    all detectors of a scan.

    ``scan_chunks`` hands every detector the same window object, so its identity is the key;
    the window is held (one chunk plus look-ahead) so the identity cannot be reused.
    """

    def __init__(self) -> None:
        self._window: bytes | None = None
        self._trimmed: tuple[int, bytes] | None = None
        self._text_window: bytes | None = None
        self._text: list[tuple[int, bytes]] = []

    def text_parts(self, data: bytes) -> list[tuple[int, bytes]]:
        """``(offset, bytes)`` of what text detectors scan: the zero-trimmed window when
        text fills much of it, else its text segments."""
        if data is not self._text_window:
            self._text_window = data
            trimmed = self.trimmed(data)
            if trimmed is None:
                self._text = []
            else:
                # Searched in the trimmed bytes: leading and trailing zeros hold no text.
                lead, part = trimmed
                segments = text_segments(part, TEXT_SHARE * len(part))
                if segments is None:
                    self._text = [trimmed]
                else:
                    self._text = [(lead + start, part[start:end]) for start, end in segments]
        return self._text

    def trimmed(self, data: bytes) -> tuple[int, bytes] | None:
        """``(lead, data without leading and trailing zeros)``, or None when all zero."""
        if data is not self._window:
            self._window = data
            first = _first_nonzero(data)
            if first is None:
                self._trimmed = None
            else:
                lead = first & ~1
                end = min(len(data), _last_nonzero(data) + 2)
                whole = lead == 0 and end == len(data)
                self._trimmed = (lead, data if whole else data[lead:end])
        return self._trimmed


class _ZeroTrimmed(Extractor):
    """Runs a detector on a window without its leading and trailing zero bytes.

    Free space is mostly zeros, and nothing any detector looks for is made of zeros only;
    trimming keeps UTF-16 alignment (an even number of leading zeros is dropped, one
    zero byte is kept after the last non-zero byte).
    """

    NAME = "zero-trimmed"

    def __init__(self, inner: Extractor, memo: _TrimMemo | None = None) -> None:
        super().__init__()
        self.inner = inner
        self.memo = memo or _TrimMemo()
        self.NAME = inner.NAME  # type: ignore[misc]  # shown in scan_chunks' warnings

    def scan_bytes(self, data: bytes) -> Iterator[Finding]:
        """The inner detector's findings, offsets relative to ``data``."""
        trimmed = self.memo.trimmed(data)
        if trimmed is None:
            return
        lead, part = trimmed
        if lead == 0:
            yield from self.inner.scan_bytes(part)
            return
        for finding in self.inner.scan_bytes(part):
            finding.offset = (finding.offset or 0) + lead
            yield finding


class _TextOnly(_ZeroTrimmed):
    """Runs a text detector on the text of a window only (:meth:`_TrimMemo.text_parts`).

    Every hit of a text detector lies inside a run of text, so the findings are those of
    the whole window; a run shorter than TEXT_RUN holds none.
    """

    def scan_bytes(self, data: bytes) -> Iterator[Finding]:
        """The inner detector's findings in each text part, offsets relative to ``data``."""
        for lead, part in self.memo.text_parts(data):
            for finding in self.inner.scan_bytes(part):
                if lead:
                    finding.offset = (finding.offset or 0) + lead
                yield finding


_ZERO_BLOCK = bytes(64 * 1024)


def _first_nonzero(data: bytes) -> int | None:
    """Index of the first non-zero byte (``None`` if all zero); memcmp-speed on zero runs."""
    step = len(_ZERO_BLOCK)
    for start in range(0, len(data), step):
        block = data[start : start + step]
        if block != _ZERO_BLOCK[: len(block)]:
            return start + len(block) - len(block.lstrip(b"\x00"))
    return None


def _last_nonzero(data: bytes) -> int:
    """Index of the last non-zero byte (call only when there is one)."""
    step = len(_ZERO_BLOCK)
    for end in range(len(data), 0, -step):
        block = data[max(0, end - step) : end]
        if block != _ZERO_BLOCK[: len(block)]:
            return max(0, end - step) + len(block.rstrip(b"\x00")) - 1
    return -1


# -- carving -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CarveRule:
    """A structure carved by signature and handed to an extractor's ``extract`` hook.

    ``spans(window)`` yields ``(start, end)`` of candidate structures in the window;
    ``name`` is the file name the extractor is shown (it dispatches on names); ``text``
    says the structure is ASCII text (a tor state file), so only a window's text is
    searched for it.
    """

    extractor: str
    name: str
    spans: Callable[[bytes], Iterator[tuple[int, int]]]
    text: bool = False


def json_object_end(data: bytes, start: int, limit: int = CARVE_LIMIT) -> int | None:
    """Return the end (exclusive) of the JSON-like object opening at ``data[start]``.

    Braces inside double-quoted strings are ignored; ``None`` when it does not close
    within ``limit`` bytes (or ``data[start]`` is not ``{``).
    """
    if data[start : start + 1] != b"{":
        return None
    depth = 0
    in_string = False
    escaped = False
    stop = min(len(data), start + limit)
    for index in range(start, stop):
        byte = data[index]
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte == 0x7B:
            depth += 1
        elif byte == 0x7D:
            depth -= 1
            if depth == 0:
                return index + 1
        elif byte == 0:
            return None
    return None


def enclosing_object_start(data: bytes, marker: int, backtrack: int = JSON_BACKTRACK) -> int | None:
    """Return the offset of the ``{`` that opens the object holding ``data[marker]``."""
    depth = 0
    for index in range(marker - 1, max(-1, marker - 1 - backtrack), -1):
        byte = data[index]
        if byte == 0x7D:
            depth += 1
        elif byte == 0x7B:
            if depth == 0:
                return index
            depth -= 1
        elif byte == 0:
            return None
    return None


def _marker_objects(markers: tuple[bytes, ...]) -> Callable[[bytes], Iterator[tuple[int, int]]]:
    def spans(window: bytes) -> Iterator[tuple[int, int]]:
        found_spans: set[tuple[int, int]] = set()
        tries = 0
        for marker in markers:
            found = window.find(marker)
            while found != -1 and tries < MAX_CARVES_PER_WINDOW:
                tries += 1
                start = enclosing_object_start(window, found)
                end = json_object_end(window, start) if start is not None else None
                if start is not None and end is not None:
                    found_spans.add((start, end))
                found = window.find(marker, found + len(marker))
        done_until = -1
        for start, end in sorted(found_spans):
            # An object inside one already carved (a nested "crypto") is part of it.
            if start >= done_until:
                done_until = end
                yield start, end
    return spans


def _tor_state_spans(window: bytes) -> Iterator[tuple[int, int]]:
    found = window.find(b"# Tor state file last generated on ")
    hits = 0
    while found != -1 and hits < MAX_CARVES_PER_WINDOW:
        hits += 1
        end = window.find(b"\x00", found, found + CARVE_LIMIT)
        yield found, end if end != -1 else min(len(window), found + CARVE_LIMIT)
        found = window.find(b"# Tor state file last generated on ", found + 1)


#: A line of GnuPG's extended key format: "Name: value" (continuations start with white
#: space).
_NAME_VALUE_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9_-]{0,63}:")
#: The end of a line that holds no control byte (what follows slack before a key file).
_TEXT_TAIL = re.compile(rb"[^\x00-\x08\x0b-\x1f\x7f]*\Z")
#: Longest header or key line a carved agent key may have.
_AGENT_LINE_LIMIT = 8192


def _agent_key_spans(window: bytes) -> Iterator[tuple[int, int]]:
    """GnuPG agent private keys in the extended key format (``private-keys-v1.d/*.key``
    since GnuPG 2.2.20): the run of "Name: value" lines around a ``Key: (`` line."""
    found = window.find(b"Key: (")
    hits = 0
    while found != -1 and hits < MAX_CARVES_PER_WINDOW:
        hits += 1
        start = window.rfind(b"\n", max(0, found - _AGENT_LINE_LIMIT), found) + 1
        if start == 0 and found > _AGENT_LINE_LIMIT:
            start = found
        # Back over the header lines (Created:, Label:, continuations) before the key. A
        # key file at a cluster's start follows slack (zeros, another file's bytes): a
        # line begins after a newline or after the last byte that is not text.
        while start > 0 and window[start - 1] == 0x0A:
            previous = window.rfind(b"\n", max(0, start - 1 - _AGENT_LINE_LIMIT), start - 1) + 1
            line = window[previous : start - 1]
            text = _TEXT_TAIL.search(line)
            if text is not None and text.start() > 0:
                previous += text.start()
                line = line[text.start():]
            if not (_NAME_VALUE_LINE.match(line) or line[:1] in (b" ", b"\t")) or not line:
                break
            start = previous
            if text is not None and text.start() > 0:
                break
        # On over the key's continuation lines and the fields after it.
        end = window.find(b"\n", found, found + _AGENT_LINE_LIMIT)
        while end != -1 and end + 1 < len(window) and end - start < CARVE_LIMIT:
            following = window.find(b"\n", end + 1, end + 1 + _AGENT_LINE_LIMIT)
            line = window[end + 1 : following if following != -1 else len(window)]
            if not line or not (_NAME_VALUE_LINE.match(line) or line[:1] in (b" ", b"\t")):
                break
            end = following
        end = len(window) if end == -1 else end + 1
        yield start, min(end, start + CARVE_LIMIT)
        found = window.find(b"Key: (", max(found + 6, end))


def _jpeg_exif_spans(window: bytes) -> Iterator[tuple[int, int]]:
    found = window.find(b"\xff\xd8\xff")
    hits = 0
    while found != -1 and hits < MAX_CARVES_PER_WINDOW:
        hits += 1
        end = _exif_segment_end(window, found)
        if end is not None:
            yield found, end
        found = window.find(b"\xff\xd8\xff", found + 3)


def _exif_segment_end(window: bytes, soi: int) -> int | None:
    """End of the APP1 'Exif' segment among the first few APPn segments after an SOI."""
    position = soi + 2
    for _ in range(4):
        header = window[position : position + 4]
        if len(header) < 4 or header[0] != 0xFF or not 0xE0 <= header[1] <= 0xEF:
            return None
        end = position + 2 + int.from_bytes(header[2:4], "big")
        if header[1] == 0xE1 and window[position + 4 : position + 10] == b"Exif\x00\x00":
            return end if end <= len(window) else None
        position = end
    return None


#: What is carved, for which extractor (by ``NAME``).
CARVE_RULES: tuple[CarveRule, ...] = (
    # JSON wallets are searched in all bytes: a label in UTF-8 (Cyrillic, Chinese) can
    # stand between the object's "{" and its marker, and such bytes are not ASCII text.
    CarveRule("crypto", "carved_wallet.json",
              _marker_objects((b'"seed_version"', b'"crypto"', b'"Crypto"'))),
    CarveRule("tor", "state", _tor_state_spans, text=True),
    CarveRule("metadata", "carved.jpg", _jpeg_exif_spans),
    CarveRule("pgp", "carved.key", _agent_key_spans, text=True),
)


class _CarveContext:
    """The ExtractionContext of a carved structure: no siblings, warnings go to the scan."""

    def __init__(self, warn: WarnCallback, cancel: Callable[[], bool]) -> None:
        self._warn = warn
        self._cancel = cancel

    def warn(self, message: str, path: str | None = None) -> None:
        """Record a warning."""
        self._warn(message, None)

    def listdir(self, path: str) -> list[FileView]:
        """Carved data has no directory."""
        return []

    def read(self, path: str, max_bytes: int = 64 * 1024 * 1024) -> bytes | None:
        """Carved data has no sibling files."""
        return None

    def stat(self, path: str) -> FileView | None:
        """Carved data has no sibling files."""
        return None

    def cancelled(self) -> bool:
        """True once the user asked to stop."""
        return self._cancel()


class _Carver(Extractor):
    """Adapter that lets scan_chunks run one extractor's carve rules like a detector."""

    NAME = "carver"

    def __init__(self, owner: Extractor, rules: list[CarveRule], warn: WarnCallback,
                 cancel: Callable[[], bool]) -> None:
        super().__init__()
        self.owner = owner
        self.rules = rules
        self.ctx = _CarveContext(warn, cancel)

    def scan_bytes(self, data: bytes) -> Iterator[Finding]:
        """Findings of the owner's ``extract`` on each carved structure in ``data``."""
        for rule in self.rules:
            for start, end in rule.spans(data):
                yield from self._carve(rule, data, start, end)

    def _carve(self, rule: CarveRule, data: bytes, start: int, end: int) -> Iterable[Finding]:
        view = FileView(path=f"/{rule.name}", name=rule.name, size=end - start)
        try:
            findings = list(self.owner.extract(view, data[start:end], self.ctx))
        except Exception as exc:  # noqa: BLE001 (hostile carved bytes must not end the scan)
            self.ctx.warn(f"{self.owner.NAME} failed on bytes carved at window offset "
                          f"{start}: {type(exc).__name__}: {exc}")
            return []
        context = _printable(data[start : start + CONTEXT_CHARS])
        for finding in findings:
            finding.offset = start
            finding.context = finding.context or context
        return findings


def _printable(data: bytes) -> str:
    return "".join(ch if " " <= ch <= "~" else "." for ch in data.decode("latin-1"))

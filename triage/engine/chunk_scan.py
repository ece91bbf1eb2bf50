"""Run byte-level detectors over a stream of chunks without losing hits at chunk edges.

Each chunk is scanned together with a look-behind of the bytes before it and a look-ahead
of the next chunk's first bytes, and a hit is reported by the window whose own chunk it
starts in, so a hit across a boundary is found once. The look-behind lets a detector see
what precedes a chunk, as it would in the whole stream: without it, the tail of a longer
match (the last 16 characters of a v3 onion address) would start a window and look like
a match of its own. Offsets in the findings are made absolute (from the start of the
stream plus ``base_offset``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from triage.extractors.interface import DetectorWarning, Extractor, Finding

#: Bytes of the next chunk scanned with the current one; hits longer than this that cross
#: a chunk edge can be cut (armored keys and wallet JSON are far shorter in practice).
LOOKAHEAD = 64 * 1024
#: Bytes before the current chunk scanned with it, so detectors see a match's left context
#: (an onion label's preceding characters, a hit's context string); hits starting there
#: belong to the previous window and are not reported again.
LOOKBEHIND = 4096


def scan_chunks(
    chunks: Iterable[bytes],
    scanners: list[Extractor],
    warn: Callable[[str, str | None], None] | None = None,
    path: str | None = None,
    base_offset: int = 0,
    lookahead: int = LOOKAHEAD,
    skip_zero_windows: bool = False,
    lookbehind: int = LOOKBEHIND,
) -> Iterator[tuple[Extractor, Finding]]:
    """Yield ``(scanner, finding)`` for every hit in the concatenated chunks.

    ``skip_zero_windows`` says that no scanner finds anything in zero bytes only (free
    space is mostly zeros), so such windows are neither built nor scanned. ``lookbehind``
    bytes before each chunk are scanned with it as context only.
    """
    iterator = iter(chunks)
    current = next(iterator, b"")
    position = base_offset
    behind = b""
    zeros = _Zeros()
    while current:
        following = next(iterator, b"")
        ahead = following[:lookahead]
        if not (skip_zero_windows and zeros.all_zero(current) and zeros.all_zero(ahead)):
            # A lone chunk is scanned as it is (no copy; small files are one chunk).
            window = b"".join((behind, current, ahead)) if behind or ahead else current
            yield from _window_hits(scanners, window, len(behind), len(behind) + len(current),
                                    bool(following), position, warn, path)
        behind = _tail(behind, current, lookbehind)
        position += len(current)
        current = following


def _tail(behind: bytes, current: bytes, size: int) -> bytes:
    """The last ``size`` bytes of the stream read so far (``behind`` then ``current``)."""
    if size <= 0:
        return b""
    if len(current) >= size:
        return current[-size:]
    return (behind + current)[-size:]


def _window_hits(
    scanners: list[Extractor],
    window: bytes,
    own_start: int,
    own_end: int,
    more: bool,
    position: int,
    warn: Callable[[str, str | None], None] | None,
    path: str | None,
) -> Iterator[tuple[Extractor, Finding]]:
    """Findings of one window that start in its own chunk, ``window[own_start:own_end]``.

    Findings without an offset count as starting at the chunk's start; those past its end
    are left to the next window, unless this is the last one (``more`` is false).
    """
    for scanner in scanners:
        try:
            for finding in scanner.scan_bytes(window):
                if isinstance(finding, DetectorWarning):
                    if warn is not None:
                        warn(f"{scanner.NAME}: {finding.message} (bytes at {position})", path)
                    continue
                start = own_start if finding.offset is None else finding.offset
                if start < own_start or (more and start >= own_end):
                    continue
                finding.offset = position + start - own_start
                yield scanner, finding
        except Exception as exc:  # noqa: BLE001 (hostile bytes must not end the scan)
            if warn is not None:
                warn(f"{scanner.NAME} failed on bytes at {position}: {type(exc).__name__}: {exc}", path)


class _Zeros:
    """Tells zero-only bytes by comparing with a zero block (memcmp speed, no copies)."""

    def __init__(self) -> None:
        self._blocks: dict[int, bytes] = {}

    def all_zero(self, data: bytes) -> bool:
        """True when ``data`` holds zero bytes only (also when it is empty)."""
        if not data or data[0] or data[-1]:
            return not data
        block = self._blocks.get(len(data))
        if block is None:
            if len(self._blocks) > 4:
                self._blocks.clear()
            block = self._blocks[len(data)] = bytes(len(data))
        return data == block

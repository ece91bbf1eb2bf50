"""Run byte-level detectors over a stream of chunks without losing hits at chunk edges.

Each chunk is scanned together with a look-ahead of the next chunk's first bytes, and a
hit is reported by the window in which it starts, so a hit across a boundary is found
once. Offsets in the findings are made absolute (from the start of the stream plus
``base_offset``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from triage.extractors.interface import Extractor, Finding

#: Bytes of the next chunk scanned with the current one; hits longer than this that cross
#: a chunk edge can be cut (armored keys and wallet JSON are far shorter in practice).
LOOKAHEAD = 64 * 1024


def scan_chunks(
    chunks: Iterable[bytes],
    scanners: list[Extractor],
    warn: Callable[[str, str | None], None] | None = None,
    path: str | None = None,
    base_offset: int = 0,
    lookahead: int = LOOKAHEAD,
    skip_zero_windows: bool = False,
) -> Iterator[tuple[Extractor, Finding]]:
    """Yield ``(scanner, finding)`` for every hit in the concatenated chunks.

    ``skip_zero_windows`` says that no scanner finds anything in zero bytes only (free
    space is mostly zeros), so such windows are neither built nor scanned.
    """
    iterator = iter(chunks)
    current = next(iterator, b"")
    position = base_offset
    zeros = _Zeros()
    while current:
        following = next(iterator, b"")
        ahead = following[:lookahead]
        if skip_zero_windows and zeros.all_zero(current) and zeros.all_zero(ahead):
            position += len(current)
            current = following
            continue
        window = current + ahead if following else current
        for scanner in scanners:
            try:
                for finding in scanner.scan_bytes(window):
                    start = finding.offset or 0
                    if following and start >= len(current):
                        continue
                    finding.offset = position + start
                    yield scanner, finding
            except Exception as exc:  # noqa: BLE001 (hostile bytes must not end the scan)
                if warn is not None:
                    warn(f"{scanner.NAME} failed on bytes at {position}: {type(exc).__name__}: {exc}", path)
        position += len(current)
        current = following


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

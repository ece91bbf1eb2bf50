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
) -> Iterator[tuple[Extractor, Finding]]:
    """Yield ``(scanner, finding)`` for every hit in the concatenated chunks."""
    iterator = iter(chunks)
    current = next(iterator, b"")
    position = base_offset
    while current:
        following = next(iterator, b"")
        window = current + following[:lookahead] if following else current
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

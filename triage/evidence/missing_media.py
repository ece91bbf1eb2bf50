"""Bytes inside the media that the container did not return, read as zeros instead.

libqcow, libvmdk and libvhdi return a short buffer, without an error, for data past the
end of a truncated file (and fail on reads starting further on), and a split raw set
may have a short segment in the middle. Handing TSK a short buffer shortens files and
ends free-space scans early; instead the read goes on past the gap, the gap reads as
zeros and is recorded here, and the engine warns about it (naming the files whose data
lie there) as it does for damaged EWF chunks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from triage.evidence.byte_ranges import add_span, subtract_spans
from triage.evidence.ewf_checksum import MISSING, MediaDamage


class MissingMedia:
    """Collects the missing byte ranges of one media object and reports each once."""

    def __init__(self, sector_size: int = 512) -> None:
        self.sector_size = sector_size
        self._found: list[tuple[int, int]] = []
        self._reported: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        self._new = False

    def add(self, start: int, end: int) -> None:
        """Record that media bytes ``[start, end)`` were not returned."""
        if end <= start:
            return
        with self._lock:
            add_span(self._found, start, end)
            self._new = True

    def overlaps(self, start: int, end: int) -> bool:
        """True when some of ``[start, end)`` was recorded missing."""
        with self._lock:
            return bool(self._found) and subtract_spans(start, end, self._found) != [(start, end)]

    def take_new(self) -> list[MediaDamage]:
        """The missing bytes recorded since the last call, in pieces not reported before."""
        if not self._new:
            return []
        with self._lock:
            self._new = False
            fresh: list[tuple[int, int]] = []
            for start, end in self._found:
                fresh += subtract_spans(start, end, self._reported)
            for start, end in fresh:
                add_span(self._reported, start, end)
        return [MediaDamage(start, end - start, self.sector_size, MISSING)
                for start, end in fresh]


#: Missing bytes are stepped over in pieces this size, aligned to it: no container keeps
#: data in smaller units, so no byte the container holds is skipped.
PROBE = 512


def read_padded(read: Callable[[int, int], bytes], offset: int, size: int,
                missing: MissingMedia) -> bytes:
    """``size`` bytes at ``offset`` through ``read(size, offset)``; bytes it does not
    return, or fails to read, are recorded in ``missing`` and read as zeros.

    libyal readers stop a read at the first unit they cannot fill (a QCOW2 cluster cut
    by the end of the file) though later units are whole, and fail a whole read when a
    unit in it is missing, so a failed read is retried as one :data:`PROBE`, and only a
    failed probe marks bytes missing; the read goes on past each gap a probe at a time.
    """
    pieces: list[bytes] = []
    position, end = offset, offset + size
    ask = size
    while position < end:
        probe_end = min(end, (position // PROBE + 1) * PROBE)
        try:
            data = read(min(ask, end - position), position) or b""
        except OSError:
            data = b""
        if data:
            pieces.append(data)
            position += len(data)
            ask *= 2
            continue
        if ask > probe_end - position:
            # A long read fails as a whole when any unit in it is missing: only a
            # probe's failure says that these bytes are.
            ask = probe_end - position
            continue
        missing.add(position, probe_end)
        pieces.append(bytes(probe_end - position))
        position = probe_end
        # The readers allocate what is asked before they fail: after a gap, ask for a
        # probe's worth and double from there, not for the whole rest at every step
        # (a millisecond a step over a gigabyte-long gap).
        ask = PROBE
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)

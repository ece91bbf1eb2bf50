"""Replay an SQLite write-ahead log (``<db>-wal``) onto an in-memory copy of its database.

Written from the SQLite file-format documentation (fileformat2.html, section 4 "The
Write-Ahead Log"). The WAL is a 32-byte header (magic, format 3007000, page size,
checkpoint sequence, two salts, a checksum of the header) followed by frames: a 24-byte
header (page number, database size in pages for a commit frame or 0, the two salts, a
cumulative checksum) and one page. A frame counts when its salts equal the header's and
its checksum, chained from the header's through every frame before it, is right; of
those, only frames up to the last commit frame belong to the database, later frames win
over earlier ones and the commit frame's size truncates or extends the database. This is
what SQLite itself reads after a crash, so a torn or uncommitted tail is left out.

Nothing here reads or writes files: the caller gives the bytes of both files and gets the
bytes of the database as SQLite would see it, in rollback-journal form (header bytes 18
and 19 set to 1) so it can be deserialised. The evidence is never changed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_HEADER_SIZE = 32
FRAME_HEADER_SIZE = 24
WAL_FORMAT = 3007000
#: The magic's low bit says in which byte order the checksums read 32-bit words.
_WAL_MAGICS = {0x377F0682: "<", 0x377F0683: ">"}
_MASK = 0xFFFFFFFF


@dataclass
class WalReplay:
    """The database image with the WAL applied, and what the examiner should know."""

    image: bytes
    #: Pages of the image taken from the log.
    pages_from_wal: int = 0
    transactions: int = 0
    warnings: list[str] = field(default_factory=list)


def rollback_header(image: bytearray) -> None:
    """Mark a WAL-mode header (file format versions 2) as rollback-journal (1), in place.

    SQLite will not open a WAL-mode image from memory; the pages themselves are the same
    in both modes.
    """
    for offset in (18, 19):
        if len(image) > offset and image[offset] == 2:
            image[offset] = 1


def database_page_size(data: bytes) -> int | None:
    """The page size recorded in an SQLite header, or None when the header has none."""
    if len(data) < 100 or not data.startswith(SQLITE_MAGIC):
        return None
    size = int.from_bytes(data[16:18], "big")
    size = 65536 if size == 1 else size
    return size if _valid_page_size(size) else None


def _valid_page_size(size: int) -> bool:
    return 512 <= size <= 65536 and size & (size - 1) == 0


def wal_checksum(data: memoryview | bytes, order: str, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum of ``data`` (a multiple of 8 bytes) continued from (s0, s1)."""
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    pairs = iter(words)
    for first, second in zip(pairs, pairs, strict=True):
        s0 = (s0 + first + s1) & _MASK
        s1 = (s1 + second + s0) & _MASK
    return s0, s1


def apply_wal(database: bytes, wal: bytes | None) -> WalReplay:
    """Return ``database`` as SQLite reads it with ``wal`` beside it; never raises.

    A WAL whose header is damaged, of another format, or whose page size differs from the
    database's is ignored with a warning: the database alone is returned (in rollback form).
    """
    if not wal:
        image = bytearray(database)
        rollback_header(image)
        return WalReplay(bytes(image))
    replay = _Replay(database, memoryview(wal))
    try:
        return replay.run()
    finally:
        replay.wal.release()


class _Replay:
    """One replay: validates the frames, remembers where the winning copies are, copies them."""

    def __init__(self, database: bytes, wal: memoryview) -> None:
        self.database = database
        self.wal = wal
        self.warnings: list[str] = []

    def _alone(self, reason: str) -> WalReplay:
        image = bytearray(self.database)
        rollback_header(image)
        return WalReplay(bytes(image), warnings=[f"write-ahead log ignored: {reason}"])

    def run(self) -> WalReplay:
        wal = self.wal
        if len(wal) < WAL_HEADER_SIZE:
            return self._alone("shorter than its header")
        magic, version, page_size, _sequence, salt1, salt2, check1, check2 = struct.unpack(
            ">8I", wal[:WAL_HEADER_SIZE])
        order = _WAL_MAGICS.get(magic)
        if order is None:
            return self._alone("no write-ahead log magic")
        if version != WAL_FORMAT:
            return self._alone(f"unknown format {version}")
        if not _valid_page_size(page_size):
            return self._alone(f"invalid page size {page_size}")
        s0, s1 = wal_checksum(wal[:24], order, 0, 0)
        if (s0, s1) != (check1, check2):
            return self._alone("header checksum does not match")
        db_page_size = database_page_size(self.database)
        if self.database and db_page_size != page_size:
            return self._alone(
                f"page size {page_size} differs from the database's {db_page_size}")
        main_pages = len(self.database) // page_size
        committed, db_pages, stats = self._scan(order, page_size, (salt1, salt2), (s0, s1),
                                                main_pages)
        return self._build(committed, db_pages, page_size, stats)

    def _scan(self, order: str, page_size: int, salts: tuple[int, int],
              checksum: tuple[int, int], main_pages: int
              ) -> tuple[dict[int, int], int | None, tuple[int, int]]:
        """Walk the frames; return {page: frame offset} of committed frames, the size of the
        database at the last commit (None if no commit) and (frames, transactions)."""
        wal = self.wal
        frame_size = FRAME_HEADER_SIZE + page_size
        committed: dict[int, int] = {}
        pending: dict[int, int] = {}
        db_pages: int | None = None
        frames = transactions = pending_frames = 0
        s0, s1 = checksum
        offset = WAL_HEADER_SIZE
        stop_reason = None
        while offset + frame_size <= len(wal):
            page, size, frame_salt1, frame_salt2, check1, check2 = struct.unpack(
                ">6I", wal[offset : offset + FRAME_HEADER_SIZE])
            if (frame_salt1, frame_salt2) != salts:
                # Frames of an earlier generation of the log (before a checkpoint reset
                # it) are left behind on purpose: not damage.
                break
            s0, s1 = wal_checksum(wal[offset : offset + 8], order, s0, s1)
            s0, s1 = wal_checksum(wal[offset + FRAME_HEADER_SIZE : offset + frame_size],
                                  order, s0, s1)
            if (s0, s1) != (check1, check2) or page == 0:
                stop_reason = f"frame {frames + pending_frames + 1} fails its checksum"
                break
            pending[page] = offset
            pending_frames += 1
            if size:
                # Every page of a database is in the main file or has been written to
                # the log, so a larger size can only come from a forged or damaged frame.
                if size > main_pages + frames + pending_frames:
                    stop_reason = f"commit frame claims {size} pages"
                    break
                committed.update(pending)
                pending.clear()
                frames += pending_frames
                pending_frames = 0
                transactions += 1
                db_pages = size
            offset += frame_size
        if stop_reason is not None:
            self.warnings.append(f"write-ahead log damaged: {stop_reason}; "
                                 "later frames are not applied")
        elif pending_frames:
            self.warnings.append(
                f"write-ahead log: {pending_frames} frame(s) after the last commit belong to "
                "an unfinished transaction and are not applied")
        elif offset < len(wal) and (len(wal) - offset) < frame_size:
            self.warnings.append("write-ahead log ends in a partial frame (not applied)")
        return committed, db_pages, (frames, transactions)

    def _build(self, committed: dict[int, int], db_pages: int | None, page_size: int,
               stats: tuple[int, int]) -> WalReplay:
        if db_pages is None:
            image = bytearray(self.database)
            rollback_header(image)
            return WalReplay(bytes(image), warnings=self.warnings)
        # One piece per page, joined once: neither file's pages are held twice.
        pieces: list[bytes | memoryview] = []
        database = memoryview(self.database)
        blank = bytes(page_size)
        for page in range(1, db_pages + 1):
            offset = committed.get(page)
            if offset is not None:
                start = offset + FRAME_HEADER_SIZE
                pieces.append(self.wal[start : start + page_size])
            elif page * page_size <= len(database):
                pieces.append(database[(page - 1) * page_size : page * page_size])
            else:
                pieces.append(blank)
        first = bytearray(pieces[0])
        rollback_header(first)
        pieces[0] = first
        applied = sum(1 for page in committed if page <= db_pages)
        return WalReplay(b"".join(pieces), applied, stats[1], self.warnings)

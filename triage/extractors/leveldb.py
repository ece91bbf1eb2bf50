"""A bounded reader of LevelDB files (``.log`` write-ahead logs, ``.ldb``/``.sst`` tables).

Written from LevelDB's published format descriptions (``doc/log_format.md``,
``doc/table_format.md``) and Snappy's (``format_description.txt``). It reads one file's
bytes at a time, never opens a database and never writes: it is meant for evidence, so
every version of every key that a file still holds is returned with its sequence number
(the order LevelDB itself gives writes), and damage (a bad checksum, a cut record) skips
the damaged record or block with a reason while the rest of the file is kept.

All sizes and counts are capped, so hostile input costs bounded memory and time.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

#: LevelDB's value types (the low byte of a key's tag).
TYPE_DELETION = 0
TYPE_VALUE = 1

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_TRAILER_SIZE = 5
LOG_BLOCK_SIZE = 32768
LOG_HEADER_SIZE = 7

#: Most bytes Snappy may produce for one block (LevelDB writes ~4 KiB blocks; a single
#: large value makes a block of its own size).
MAX_BLOCK_OUTPUT = 32 * 1024 * 1024
#: Most bytes of decompressed blocks and whole keys made from one table (a ~4x Snappy
#: ratio, usual for JSON, gives 64 MiB for a 16 MiB table).
MAX_TABLE_OUTPUT = 128 * 1024 * 1024
#: Longest key taken from a table (prefix sharing lets a few bytes stand for a long key).
MAX_KEY_BYTES = 1024 * 1024
#: Most records yielded from one file.
MAX_RECORDS = 1_000_000
#: Most blocks a table's index may name.
MAX_INDEX_ENTRIES = 200_000
#: Most damage notes kept for one file (later ones are counted, not described).
MAX_DAMAGE_NOTES = 100

_LOG_FULL, _LOG_FIRST, _LOG_MIDDLE, _LOG_LAST = 1, 2, 3, 4
_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF


class LevelDBError(ValueError):
    """Bytes that do not follow the LevelDB or Snappy format."""


# -- CRC-32C (Castagnoli), slicing by 8 ---------------------------------------------------

def _crc_tables() -> list[list[int]]:
    first = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        first.append(crc)
    tables = [first]
    for _ in range(7):
        previous = tables[-1]
        tables.append([(previous[i] >> 8) ^ first[previous[i] & 0xFF] for i in range(256)])
    return tables


_CRC_TABLES = _crc_tables()
_TWO_U32 = struct.Struct("<II")


def crc32c(data: bytes | memoryview, crc: int = 0) -> int:
    """CRC-32C of ``data``, continuing from ``crc`` (the CRC of the bytes before it)."""
    t0, t1, t2, t3, t4, t5, t6, t7 = _CRC_TABLES
    crc ^= _U32
    view = memoryview(data).cast("B")
    whole = len(view) & ~7
    for low, high in _TWO_U32.iter_unpack(view[:whole]):
        low ^= crc
        crc = (t7[low & 0xFF] ^ t6[(low >> 8) & 0xFF] ^ t5[(low >> 16) & 0xFF]
               ^ t4[low >> 24] ^ t3[high & 0xFF] ^ t2[(high >> 8) & 0xFF]
               ^ t1[(high >> 16) & 0xFF] ^ t0[high >> 24])
    for byte in view[whole:]:
        crc = t0[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _U32


def unmask_crc(masked: int) -> int:
    """The CRC that LevelDB stored as ``masked`` (it rotates and offsets stored CRCs)."""
    rotated = (masked - _MASK_DELTA) & _U32
    return ((rotated >> 17) | (rotated << 15)) & _U32


def mask_crc(crc: int) -> int:
    """LevelDB's masked form of ``crc``."""
    return ((((crc >> 15) | (crc << 17)) & _U32) + _MASK_DELTA) & _U32


# -- varints and Snappy --------------------------------------------------------------------

def _varint(data: bytes, pos: int, limit: int, max_bytes: int = 5) -> tuple[int, int]:
    """(value, position after it) of the little-endian base-128 varint at ``pos``."""
    value = 0
    shift = 0
    for _ in range(max_bytes):
        if pos >= limit:
            raise LevelDBError("varint runs past its bounds")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise LevelDBError("varint too long")


def snappy_decompress(data: bytes | memoryview, max_output: int = MAX_BLOCK_OUTPUT) -> bytes:
    """Decompress one raw (unframed) Snappy buffer, refusing output over ``max_output``.

    Raises ``LevelDBError`` on any malformed element, a back-reference before the start
    of the output, or output that does not match the declared length.
    """
    src = bytes(data)
    end = len(src)
    length, pos = _varint(src, 0, end)
    if length > max_output:
        raise LevelDBError(f"snappy output of {length} bytes over the cap of {max_output}")
    out = bytearray(length)
    produced = 0
    while pos < end:
        tag = src[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            size = tag >> 2
            if size >= 60:
                extra = size - 59
                if pos + extra > end:
                    raise LevelDBError("snappy literal length cut short")
                size = int.from_bytes(src[pos:pos + extra], "little")
                pos += extra
            size += 1
            if pos + size > end:
                raise LevelDBError("snappy literal runs past the input")
            if produced + size > length:
                raise LevelDBError("snappy output longer than declared")
            out[produced:produced + size] = src[pos:pos + size]
            produced += size
            pos += size
            continue
        if kind == 1:
            if pos >= end:
                raise LevelDBError("snappy copy cut short")
            size = 4 + ((tag >> 2) & 7)
            offset = ((tag >> 5) << 8) | src[pos]
            pos += 1
        elif kind == 2:
            if pos + 2 > end:
                raise LevelDBError("snappy copy cut short")
            size = (tag >> 2) + 1
            offset = src[pos] | (src[pos + 1] << 8)
            pos += 2
        else:
            if pos + 4 > end:
                raise LevelDBError("snappy copy cut short")
            size = (tag >> 2) + 1
            offset = int.from_bytes(src[pos:pos + 4], "little")
            pos += 4
        if offset == 0 or offset > produced:
            raise LevelDBError("snappy copy offset outside the output")
        if produced + size > length:
            raise LevelDBError("snappy output longer than declared")
        start = produced - offset
        if size <= offset:
            out[produced:produced + size] = out[start:start + size]
        else:
            # An overlapping copy repeats the last ``offset`` bytes (run-length encoding).
            out[produced:produced + size] = (out[start:produced] * (size // offset + 1))[:size]
        produced += size
    if produced != length:
        raise LevelDBError(f"snappy output of {produced} bytes, {length} declared")
    return bytes(out)


# -- records -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """One version of one key as a LevelDB file holds it."""

    key: bytes
    sequence: int
    #: ``TYPE_VALUE`` (1) or ``TYPE_DELETION`` (0; the value is then empty).
    kind: int
    value: bytes
    file: str
    #: Where in the file the record was found: the log record's or table block's offset.
    offset: int


@dataclass
class FileReading:
    """What reading one LevelDB file gave: its records and what could not be read."""

    file: str
    records: list[Record] = field(default_factory=list)
    #: (offset, reason) of each damaged or skipped part, in file order (capped).
    damage: list[tuple[int, str]] = field(default_factory=list)
    damage_count: int = 0
    #: False when the bytes are not a LevelDB file of their kind at all (no valid log
    #: record; a table without its footer magic or readable index).
    recognised: bool = False
    #: Table blocks that were Snappy-compressed.
    snappy_blocks: int = 0

    def note(self, offset: int, reason: str) -> None:
        """Record damage at ``offset`` (kept up to ``MAX_DAMAGE_NOTES``, then counted)."""
        self.damage_count += 1
        if len(self.damage) < MAX_DAMAGE_NOTES:
            self.damage.append((offset, reason))


def read_file(name: str, data: bytes) -> FileReading:
    """Read one LevelDB file, chosen by its name: ``*.log`` as a log, else as a table."""
    if name.lower().endswith(".log"):
        return read_log(name, data)
    return read_table(name, data)


# -- the log -------------------------------------------------------------------------------

def _log_payloads(data: bytes, reading: FileReading) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of each whole logical record of a log, skipping damaged ones."""
    size = len(data)
    fragments: list[bytes] = []
    fragment_start = -1
    block_start = 0
    while block_start < size:
        block_end = min(block_start + LOG_BLOCK_SIZE, size)
        pos = block_start
        resyncing = False
        while block_end - pos >= LOG_HEADER_SIZE:
            masked, length, kind = struct.unpack_from("<IHB", data, pos)
            if kind == 0 and length == 0:
                # Zeros: a preallocated or block-end tail, not a record.
                break
            body = pos + LOG_HEADER_SIZE
            if body + length > block_end:
                cut = block_end == size
                reading.note(pos, "log record cut short by the end of the file" if cut
                             else "log record length runs past its block")
                break
            if unmask_crc(masked) != crc32c(data[body:body + length], crc32c(bytes((kind,)))):
                if not resyncing:
                    reading.note(pos, "log record checksum mismatch: skipped")
                if fragments:
                    reading.note(fragment_start, "log record lost: a fragment was damaged")
                    fragments = []
                # The damaged length may be wrong, but the next header is checked too:
                # reading on costs at most the rest of this block, and keeps what follows
                # a record whose value alone was damaged.
                resyncing = True
                pos = body + length
                continue
            resyncing = False
            reading.recognised = True
            chunk = data[body:body + length]
            if kind == _LOG_FULL:
                if fragments:
                    reading.note(fragment_start, "log record lost: its last fragment is missing")
                    fragments = []
                yield pos, chunk
            elif kind == _LOG_FIRST:
                if fragments:
                    reading.note(fragment_start, "log record lost: its last fragment is missing")
                fragments, fragment_start = [chunk], pos
            elif kind in (_LOG_MIDDLE, _LOG_LAST):
                if not fragments:
                    reading.note(pos, "log fragment without its first part")
                else:
                    fragments.append(chunk)
                    if kind == _LOG_LAST:
                        yield fragment_start, b"".join(fragments)
                        fragments = []
            else:
                reading.note(pos, f"log record of unknown type {kind}")
            pos = body + length
        block_start += LOG_BLOCK_SIZE
    if fragments:
        reading.note(fragment_start, "log record lost: the file ends inside it")


def _write_batch(payload: bytes, offset: int, reading: FileReading) -> Iterator[Record]:
    """The records of one WriteBatch (sequence, count, then the batch's operations)."""
    if len(payload) < 12:
        reading.note(offset, "write batch shorter than its header")
        return
    sequence, count = struct.unpack_from("<QI", payload, 0)
    pos = 12
    end = len(payload)
    found = 0
    try:
        while pos < end:
            kind = payload[pos]
            pos += 1
            if kind not in (TYPE_VALUE, TYPE_DELETION):
                raise LevelDBError(f"write batch operation of unknown type {kind}")
            length, pos = _varint(payload, pos, end)
            if pos + length > end:
                raise LevelDBError("write batch key runs past the batch")
            key = payload[pos:pos + length]
            pos += length
            value = b""
            if kind == TYPE_VALUE:
                length, pos = _varint(payload, pos, end)
                if pos + length > end:
                    raise LevelDBError("write batch value runs past the batch")
                value = payload[pos:pos + length]
                pos += length
            yield Record(key, sequence + found, kind, value, reading.file, offset)
            found += 1
    except LevelDBError as exc:
        reading.note(offset, str(exc))
        return
    if found != count:
        reading.note(offset, f"write batch holds {found} operations, its header says {count}")


def read_log(name: str, data: bytes) -> FileReading:
    """Every operation of a LevelDB ``.log`` file, in the order they were written."""
    reading = FileReading(name)
    for offset, payload in _log_payloads(data, reading):
        for record in _write_batch(payload, offset, reading):
            if len(reading.records) >= MAX_RECORDS:
                reading.note(offset, f"more than {MAX_RECORDS} records: the rest not read")
                return reading
            reading.records.append(record)
    return reading


# -- tables --------------------------------------------------------------------------------

def _block_handle(data: bytes, pos: int, limit: int) -> tuple[int, int, int]:
    """(offset, size, position after it) of the BlockHandle at ``pos``."""
    offset, pos = _varint(data, pos, limit, 10)
    size, pos = _varint(data, pos, limit, 10)
    return offset, size, pos


class _Budget:
    """Decompressed bytes still allowed for one table."""

    def __init__(self, total: int) -> None:
        self.left = total


def _table_block(data: bytes, offset: int, size: int, budget: _Budget,
                 reading: FileReading) -> bytes:
    """The contents of the block at (``offset``, ``size``), checked and decompressed."""
    end = offset + size
    if end + BLOCK_TRAILER_SIZE > len(data):
        raise LevelDBError("block runs past the end of the file")
    kind = data[end]
    (masked,) = struct.unpack_from("<I", data, end + 1)
    body = memoryview(data)[offset:end]
    if unmask_crc(masked) != crc32c(bytes((kind,)), crc32c(body)):
        raise LevelDBError("block checksum mismatch")
    if kind == 0:
        contents = bytes(body)
    elif kind == 1:
        contents = snappy_decompress(body, min(MAX_BLOCK_OUTPUT, budget.left))
        reading.snappy_blocks += 1
    else:
        raise LevelDBError(f"block of unknown compression type {kind}")
    budget.left -= len(contents)
    return contents


def _block_entries(block: bytes,
                   budget: _Budget | None = None) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) of each entry of a table block (prefix-compressed keys, restarts).

    Each key's length is charged to ``budget``: an entry of a few bytes can repeat a long
    shared prefix, so keys could otherwise cost far more than the block. Raises
    ``LevelDBError`` at the first malformed entry or when the budget runs out; entries
    before it are kept.
    """
    if len(block) < 4:
        raise LevelDBError("block shorter than its restart count")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * restarts
    if restarts == 0 or limit < 0:
        raise LevelDBError("block restart array does not fit")
    pos = 0
    key = b""
    while pos < limit:
        shared, pos = _varint(block, pos, limit)
        unshared, pos = _varint(block, pos, limit)
        value_size, pos = _varint(block, pos, limit)
        if shared > len(key) or pos + unshared + value_size > limit:
            raise LevelDBError("block entry runs past its bounds")
        if shared + unshared > MAX_KEY_BYTES:
            raise LevelDBError(f"key of {shared + unshared} bytes over the cap")
        if budget is not None:
            budget.left -= shared + unshared
            if budget.left < 0:
                raise LevelDBError(f"over {MAX_TABLE_OUTPUT} bytes of blocks and keys")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        yield key, block[pos:pos + value_size]
        pos += value_size


def read_table(name: str, data: bytes) -> FileReading:
    """Every key version of a LevelDB table (``.ldb``/``.sst``), in the table's order
    (by user key, then newest first)."""
    reading = FileReading(name)
    size = len(data)
    if size < FOOTER_SIZE:
        reading.note(0, "shorter than a table footer")
        return reading
    footer = size - FOOTER_SIZE
    (magic,) = struct.unpack_from("<Q", data, size - 8)
    if magic != TABLE_MAGIC:
        reading.note(footer, "no table magic number")
        return reading
    budget = _Budget(MAX_TABLE_OUTPUT)
    try:
        _, _, pos = _block_handle(data, footer, size - 8)
        index_offset, index_size, _ = _block_handle(data, pos, size - 8)
        if index_offset + index_size + BLOCK_TRAILER_SIZE > footer:
            raise LevelDBError("index block runs past the footer")
        index_block = _table_block(data, index_offset, index_size, budget, reading)
        index = list(_block_entries(index_block, budget))
    except LevelDBError as exc:
        reading.note(footer, f"table index unreadable: {exc}")
        return reading
    reading.recognised = True
    if len(index) > MAX_INDEX_ENTRIES:
        reading.note(index_offset, f"index names {len(index)} blocks: {MAX_INDEX_ENTRIES} read")
        index = index[:MAX_INDEX_ENTRIES]
    # Blocks of a sound table do not overlap, so the bytes checked never exceed the file:
    # a hostile index naming one large block many times (each check a pass of the CRC in
    # Python) is stopped there, whether or not the block decodes.
    checked = 0
    seen: set[tuple[int, int]] = set()
    for _, handle in index:
        try:
            offset, length, _ = _block_handle(handle, 0, len(handle))
        except LevelDBError as exc:
            reading.note(index_offset, f"index entry unreadable: {exc}")
            continue
        if offset + length + BLOCK_TRAILER_SIZE > footer:
            reading.note(offset, "data block runs past the end of the table")
            continue
        if (offset, length) in seen:
            reading.note(offset, "index names this block again: read once")
            continue
        seen.add((offset, length))
        checked += length
        if checked > size:
            reading.note(offset, "index names more block bytes than the table holds: "
                         "the rest not read")
            break
        if budget.left <= 0:
            reading.note(offset, f"over {MAX_TABLE_OUTPUT} bytes of blocks and keys: "
                         "the rest not read")
            break
        try:
            block = _table_block(data, offset, length, budget, reading)
            for key, value in _block_entries(block, budget):
                if len(key) < 8:
                    raise LevelDBError("table key shorter than its 8-byte tag")
                (tag,) = struct.unpack_from("<Q", key, len(key) - 8)
                kind = tag & 0xFF
                if kind not in (TYPE_VALUE, TYPE_DELETION):
                    raise LevelDBError(f"table key of unknown type {kind}")
                if len(reading.records) >= MAX_RECORDS:
                    reading.note(offset, f"more than {MAX_RECORDS} records: the rest not read")
                    return reading
                reading.records.append(Record(key[:-8], tag >> 8, kind,
                                              value if kind == TYPE_VALUE else b"",
                                              name, offset))
        except LevelDBError as exc:
            reading.note(offset, f"data block skipped: {exc}")
    return reading


def newest_values(readings: list[FileReading]) -> dict[bytes, bytes]:
    """Key -> value as a database of these files would show it: each key's version with
    the highest sequence number, keys whose newest version is a deletion left out."""
    newest: dict[bytes, Record] = {}
    for reading in readings:
        for record in reading.records:
            held = newest.get(record.key)
            if held is None or record.sequence > held.sequence:
                newest[record.key] = record
    return {key: r.value for key, r in sorted(newest.items()) if r.kind == TYPE_VALUE}

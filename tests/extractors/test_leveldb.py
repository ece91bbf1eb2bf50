"""The LevelDB reader against stores written by Debian's LevelDB, libsnappy's output,
published CRC-32C values, and damaged or hostile input."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.extractors import leveldb
from triage.extractors.leveldb import (
    LevelDBError,
    crc32c,
    mask_crc,
    newest_values,
    read_file,
    read_log,
    read_table,
    snappy_decompress,
    unmask_crc,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "leveldb"
METAMASK = "nkbihfbeogaeaoehlefnkodbefgpgknn"
STORES = ("reordered", "reordered_uncompressed", "compressed")
CORPUS_LOG = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "btcrecover"
              / "btcrecover" / "test" / "test-wallets" / "metamask" / METAMASK / "000003.log")


def _files(store: str) -> list[Path]:
    folder = DATA / store / METAMASK
    return sorted(p for p in folder.iterdir() if p.suffix in (".log", ".ldb"))


def _readings(store: str) -> list[leveldb.FileReading]:
    return [read_file(p.name, p.read_bytes()) for p in _files(store)]


def _all_files() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for store in STORES for p in _files(store)]


# -- checksums -----------------------------------------------------------------------------

def test_crc32c_matches_published_values() -> None:
    # RFC 3720 appendix B.4 and the common "123456789" check value.
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc32c(bytes(range(32))) == 0x46DD794E
    assert crc32c(b"6789", crc32c(b"12345")) == 0xE3069283


def test_masking_round_trips() -> None:
    for value in (0, 1, 0xE3069283, 0xFFFFFFFF):
        assert unmask_crc(mask_crc(value)) == value
    assert mask_crc(0) == 0xA282EAD8


# -- Snappy --------------------------------------------------------------------------------

def test_snappy_decodes_libsnappy_output() -> None:
    vectors = json.loads((DATA / "snappy_vectors.json").read_text())
    assert len(vectors) >= 20
    for vector in vectors:
        out = snappy_decompress(base64.b64decode(vector["snappy"]))
        assert len(out) == vector["raw_length"], vector["name"]
        assert hashlib.sha256(out).hexdigest() == vector["raw_sha256"], vector["name"]


def test_snappy_elements_libsnappy_never_writes() -> None:
    # A literal with a 3-byte length, then a copy with a 4-byte offset overlapping itself.
    literal = bytes(range(256)) * 300
    total = len(literal) + 11
    stream = (bytes([0x80 | (total & 0x7F), 0x80 | ((total >> 7) & 0x7F), total >> 14])
              + bytes([62 << 2]) + (len(literal) - 1).to_bytes(3, "little") + literal
              + bytes([(10 << 2) | 3]) + (3).to_bytes(4, "little"))
    assert snappy_decompress(stream) == literal + (literal[-3:] * 4)[:11]


@pytest.mark.parametrize("stream, reason", [
    (b"\x05\x0cabc", "past the input"),             # literal of 4 with 3 bytes left
    (b"\x04\x0cabcd\x01\x00", "offset"),            # copy with offset 0
    (b"\x08\x0cabcd\x01\x05", "offset"),            # copy from before the start
    (b"\x05\x0cabcd", "declared"),                  # 4 bytes made, 5 declared
    (b"\x02\x0cabcd", "longer than declared"),
    (b"\xff\xff\xff\xff\x7f", "cap"),               # 4 GiB declared
    (b"\x80\x80\x80\x80\x80\x80", "varint"),
    (b"\x04\x0cab", "past the input"),
    (b"\x09\x0cabcd\x02\x01", "cut short"),
])
def test_snappy_rejects_malformed_streams(stream: bytes, reason: str) -> None:
    with pytest.raises(LevelDBError, match=reason):
        snappy_decompress(stream, max_output=1 << 20)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=400))
def test_snappy_random_input_fails_only_with_format_errors(data: bytes) -> None:
    try:
        out = snappy_decompress(data, max_output=1 << 16)
    except LevelDBError:
        return
    assert len(out) <= 1 << 16


# -- stores written by LevelDB ---------------------------------------------------------------

@pytest.mark.parametrize("store", STORES)
def test_records_give_what_leveldb_iterates(store: str) -> None:
    expected = json.loads((DATA / store / "expected.json").read_text())["items"]
    readings = _readings(store)
    assert all(r.recognised and not r.damage for r in readings)
    got = {k.decode("latin-1"): v.decode("latin-1") for k, v in newest_values(readings).items()}
    assert got == expected


def test_compressed_store_tables_are_snappy_and_hold_every_vault() -> None:
    readings = {r.file: r for r in _readings("compressed")}
    tables = [r for name, r in readings.items() if name.endswith(".ldb")]
    assert tables and all(r.snappy_blocks > 0 for r in tables)
    data = sorted((rec for r in tables for rec in r.records if rec.key == b"data"),
                  key=lambda rec: rec.sequence, reverse=True)
    salts = [json.loads(json.loads(rec.value)["KeyringController"]["vault"])["salt"]
             for rec in data]
    assert salts == json.loads((DATA / "compressed" / "expected.json").read_text())[
        "vaults_newest_first"]


def test_table_keys_are_sorted_newest_first_with_sequences() -> None:
    (table,) = [r for r in _readings("compressed") if r.file == "000007.ldb"]
    order = [(rec.key, -rec.sequence) for rec in table.records]
    assert order == sorted(order)
    assert any(rec.kind == leveldb.TYPE_DELETION and rec.value == b"" for rec in table.records)


def test_log_sequences_count_up_and_a_value_spans_blocks() -> None:
    (log,) = [r for r in _readings("compressed") if r.file.endswith(".log")]
    sequences = [rec.sequence for rec in log.records]
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    (big,) = [rec for rec in log.records if rec.key == b"big"]
    assert len(big.value) == 40000 and big.offset < leveldb.LOG_BLOCK_SIZE


def test_btcrecover_metamask_log() -> None:
    if not CORPUS_LOG.exists():
        pytest.skip("btcrecover test wallets (GPL, read in place): ../shared/corpus absent")
    reading = read_log(CORPUS_LOG.name, CORPUS_LOG.read_bytes())
    assert reading.recognised and not reading.damage
    assert [r.sequence for r in reading.records] == list(range(1, 23))
    assert {r.key for r in reading.records} == {b"data", b"meta"}


# -- damage ----------------------------------------------------------------------------------

def _compressed_log() -> tuple[str, bytes]:
    (path,) = [p for p in _files("compressed") if p.suffix == ".log"]
    return path.name, path.read_bytes()


def test_a_log_record_with_a_bad_checksum_is_skipped_and_the_rest_kept() -> None:
    name, data = _compressed_log()
    whole = read_log(name, data)
    victim = whole.records[10]
    damaged = bytearray(data)
    damaged[victim.offset + leveldb.LOG_HEADER_SIZE + 20] ^= 0x40
    reading = read_log(name, bytes(damaged))
    assert reading.damage == [(victim.offset, "log record checksum mismatch: skipped")]
    assert reading.records == [r for r in whole.records if r is not victim and r != victim]
    assert len(reading.records) == len(whole.records) - 1


def test_a_damaged_fragment_loses_only_its_record() -> None:
    name, data = _compressed_log()
    whole = read_log(name, data)
    (big,) = [r for r in whole.records if r.key == b"big"]
    damaged = bytearray(data)
    damaged[leveldb.LOG_BLOCK_SIZE + 100] ^= 1     # inside the value's second fragment
    reading = read_log(name, bytes(damaged))
    assert [r.key for r in reading.records] == [r.key for r in whole.records if r != big]
    assert any("fragment was damaged" in reason for _, reason in reading.damage)


def test_a_cut_log_keeps_the_records_before_the_cut() -> None:
    name, data = _compressed_log()
    whole = read_log(name, data)
    (big,) = [r for r in whole.records if r.key == b"big"]
    reading = read_log(name, data[:leveldb.LOG_BLOCK_SIZE + 50])
    assert reading.records == [r for r in whole.records if r.offset < big.offset]
    reasons = [reason for _, reason in reading.damage]
    assert reasons == ["log record cut short by the end of the file",
                       "log record lost: the file ends inside it"]


def test_a_table_block_with_a_bad_checksum_is_skipped_and_the_rest_kept() -> None:
    path = DATA / "compressed" / METAMASK / "000005.ldb"
    data = path.read_bytes()
    whole = read_table(path.name, data)
    blocks = sorted({r.offset for r in whole.records})
    damaged = bytearray(data)
    damaged[blocks[3] + 10] ^= 0x10
    reading = read_table(path.name, bytes(damaged))
    assert reading.damage == [(blocks[3], "data block skipped: block checksum mismatch")]
    assert reading.records == [r for r in whole.records if r.offset != blocks[3]]


def test_bytes_that_are_not_leveldb_are_not_recognised() -> None:
    for name in ("000001.log", "000001.ldb"):
        for data in (b"", b"hello" * 1000, bytes(100_000)):
            reading = read_file(name, data)
            assert not reading.recognised and not reading.records


def test_a_table_with_a_damaged_index_is_not_recognised() -> None:
    path = DATA / "compressed" / METAMASK / "000005.ldb"
    data = bytearray(path.read_bytes())
    data[-leveldb.FOOTER_SIZE - 20] ^= 0xFF              # inside the index block
    reading = read_table(path.name, bytes(data))
    assert not reading.recognised
    assert "index unreadable" in reading.damage[0][1]


# -- hostile input -----------------------------------------------------------------------------

_FILES = _all_files()


def _fix_log_checksums(data: bytearray) -> None:
    """Give every whole-looking log record a valid checksum, so the batch parser is reached."""
    block = 0
    while block < len(data):
        pos = block
        end = min(block + leveldb.LOG_BLOCK_SIZE, len(data))
        while end - pos >= leveldb.LOG_HEADER_SIZE:
            length, kind = struct.unpack_from("<HB", data, pos + 4)
            body = pos + leveldb.LOG_HEADER_SIZE
            if body + length > end:
                break
            crc = crc32c(bytes(data[body:body + length]), crc32c(bytes((kind,))))
            struct.pack_into("<I", data, pos, mask_crc(crc))
            pos = body + length
        block += leveldb.LOG_BLOCK_SIZE


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(_FILES))),
       st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                max_size=8),
       st.floats(0, 1), st.booleans())
def test_mutated_files_never_raise_or_hang(index: int, flips: list[tuple[float, int]],
                                           keep: float, fix_checksums: bool) -> None:
    name, original = _FILES[index]
    data = bytearray(original)
    for where, value in flips:
        data[int(where * len(data))] = value
    if name.endswith(".log") and fix_checksums:
        _fix_log_checksums(data)
    data = data[:max(1, int(keep * len(data)))] if keep < 0.95 else data
    started = time.monotonic()
    reading = read_file(name, bytes(data))
    assert time.monotonic() - started < 5
    assert len(reading.damage) <= leveldb.MAX_DAMAGE_NOTES
    for record in reading.records:
        assert record.kind in (leveldb.TYPE_VALUE, leveldb.TYPE_DELETION)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_block_and_batch_parsers_fail_only_with_format_errors(data: bytes) -> None:
    try:
        list(leveldb._block_entries(data))
    except LevelDBError:
        pass
    reading = leveldb.FileReading("x.log")
    list(leveldb._write_batch(data, 0, reading))


def test_a_block_declaring_a_huge_snappy_output_is_refused() -> None:
    body = b"\xff\xff\xff\x7f" + b"\x00a"                # 268 MB declared, one literal byte
    trailer = b"\x01" + struct.pack("<I", mask_crc(crc32c(b"\x01", crc32c(body))))
    index = _block([(b"k" + bytes(8), b"\x00" + bytes([len(body)]))])
    index_trailer = b"\x00" + struct.pack("<I", mask_crc(crc32c(b"\x00", crc32c(index))))
    index_offset = len(body) + 5
    handles = (b"\x00\x00" + bytes([index_offset, len(index)])).ljust(40, b"\x00")
    table = (body + trailer + index + index_trailer + handles
             + struct.pack("<Q", leveldb.TABLE_MAGIC))
    reading = read_table("000001.ldb", table)
    assert reading.recognised and not reading.records
    assert "over the cap" in reading.damage[0][1]


def _block(entries: list[tuple[bytes, bytes]]) -> bytes:
    """An uncompressed block, every entry a restart point (no shared key prefix)."""
    out = bytearray()
    restarts = []
    for key, value in entries:
        restarts.append(len(out))
        out += bytes([0, len(key), len(value)]) + key + value
    for restart in restarts:
        out += struct.pack("<I", restart)
    return bytes(out + struct.pack("<I", len(restarts)))


def _table(blocks: list[bytes]) -> bytes:
    """An uncompressed table of these data blocks (keys of the index: k0, k1, ...)."""
    out = bytearray()
    handles = []
    for body in blocks:
        handles.append(_varint(len(out)) + _varint(len(body)))
        out += body + b"\x00" + struct.pack("<I", mask_crc(crc32c(b"\x00", crc32c(body))))
    index = _block([(b"k%d" % i + bytes(8), h) for i, h in enumerate(handles)])
    index_offset = len(out)
    out += index + b"\x00" + struct.pack("<I", mask_crc(crc32c(b"\x00", crc32c(index))))
    footer = (b"\x00\x00" + _varint(index_offset) + _varint(len(index))).ljust(40, b"\x00")
    return bytes(out) + footer + struct.pack("<Q", leveldb.TABLE_MAGIC)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(out + bytes([value]))


def test_keys_made_long_by_prefix_sharing_are_bounded() -> None:
    """Four-byte entries that each repeat a 900 KiB prefix would make 3 TB of keys."""
    long_key = b"k" * (900 * 1024) + b"\x01" * 8           # a value, sequence 0x01010101010101
    entries = (bytes([0]) + _varint(len(long_key)) + b"\x00" + long_key
               + (_varint(len(long_key) - 1) + b"\x01\x00" + b"\x01") * 800_000)
    block = entries + struct.pack("<II", 0, 1)
    started = time.monotonic()
    reading = read_table("000001.ldb", _table([block]))
    assert time.monotonic() - started < 10
    assert reading.recognised and len(reading.records) < 200
    assert "bytes of blocks and keys" in reading.damage[0][1]


def test_a_table_made_by_hand_is_read() -> None:
    key = b"data" + struct.pack("<Q", (42 << 8) | 1)
    table = _table([_block([(key, b"{}")])])
    (record,) = read_table("000001.ldb", table).records
    assert (record.key, record.sequence, record.kind, record.value) == (b"data", 42, 1, b"{}")


def test_an_index_naming_one_large_block_many_times_is_bounded() -> None:
    """Self-audit: 200 index entries naming one 1 MB block (of an unknown compression, so
    nothing was charged to the budget) cost 200 passes of the Python CRC, 10 s; the cap
    of 200,000 entries allowed hours."""
    body = bytes(1 << 20)
    out = body + b"\x02" + struct.pack("<I", mask_crc(crc32c(b"\x02", crc32c(body))))
    handle = _varint(0) + _varint(len(body))
    index = _block([(b"k%03d" % i + bytes(8), handle) for i in range(200)]
                   + [(b"z%03d" % i + bytes(8), _varint(1) + _varint(len(body) - 1))
                      for i in range(50)])
    index_offset = len(out)
    out += index + b"\x00" + struct.pack("<I", mask_crc(crc32c(b"\x00", crc32c(index))))
    footer = (b"\x00\x00" + _varint(index_offset) + _varint(len(index))).ljust(40, b"\x00")
    data = out + footer + struct.pack("<Q", leveldb.TABLE_MAGIC)
    started = time.monotonic()
    reading = read_table("000005.ldb", data)
    assert time.monotonic() - started < 1.5
    assert any("read once" in reason for _, reason in reading.damage)

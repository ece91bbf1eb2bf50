"""The WAL replay against SQLite itself: databases in WAL mode are written by sqlite3, their
file pairs copied while the log still holds rows, and what the replay reads is compared
with what sqlite3 reads (and checkpoints) from another copy of the same pair."""

from __future__ import annotations

import shutil
import sqlite3
import struct
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.casedb.evidence_sqlite import open_copy
from triage.casedb.sqlite_wal import (
    FRAME_HEADER_SIZE,
    WAL_HEADER_SIZE,
    apply_wal,
    wal_checksum,
)

ROW = "SELECT a, b FROM t ORDER BY a"


@contextmanager
def wal_database(folder: Path) -> Iterator[sqlite3.Connection]:
    """A WAL-mode database whose log is never checkpointed on its own; the schema and
    a first row are checkpointed into the main file."""
    conn = sqlite3.connect(folder / "live.db", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
        conn.execute("INSERT INTO t VALUES (0, 'in the main file')")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield conn
    finally:
        conn.close()


def insert(conn: sqlite3.Connection, first: int, count: int, size: int = 300) -> None:
    """One committed transaction of ``count`` rows."""
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?, ?)",
                     [(i, f"{i}:" + "x" * size) for i in range(first, first + count)])
    conn.execute("COMMIT")


def snapshot(folder: Path, name: str) -> tuple[bytes, bytes]:
    """Copy the live pair (the writer still open, so nothing is checkpointed) to ``name``."""
    target = folder / name
    target.mkdir()
    shutil.copyfile(folder / "live.db", target / "db")
    shutil.copyfile(folder / "live.db-wal", target / "db-wal")
    return (target / "db").read_bytes(), (target / "db-wal").read_bytes()


def sqlite_reads(folder: Path, name: str, main: bytes, wal: bytes) -> tuple[list, bytes]:
    """The oracle: rows sqlite3 reads from a copy of the pair, and the main file's bytes
    after sqlite3 checkpointed the log into it (header marked rollback, as the replay's)."""
    target = folder / f"oracle-{name}"
    target.mkdir()
    (target / "db").write_bytes(main)
    (target / "db-wal").write_bytes(wal)
    conn = sqlite3.connect(target / "db")
    try:
        rows = conn.execute(ROW).fetchall()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    image = bytearray((target / "db").read_bytes())
    image[18] = image[19] = 1
    return rows, bytes(image)


def replay_reads(main: bytes, wal: bytes | None) -> tuple[list, bytes, list[str]]:
    replay = apply_wal(main, wal)
    with open_copy(replay.image) as conn:
        rows = conn.execute(ROW).fetchall()
    return rows, replay.image, replay.warnings


def frame_size(wal: bytes) -> int:
    return FRAME_HEADER_SIZE + struct.unpack(">I", wal[8:12])[0]


def test_open_copy_reads_a_wal_mode_database_without_its_log(tmp_path) -> None:
    with wal_database(tmp_path):
        main = (tmp_path / "live.db").read_bytes()
    assert main[18:20] == b"\x02\x02"
    with open_copy(main) as conn:
        assert conn.execute(ROW).fetchall() == [(0, "in the main file")]
    # The caller's bytes are not changed.
    assert main[18:20] == b"\x02\x02"


def test_two_transactions_in_the_log_equal_sqlite_byte_for_byte(tmp_path) -> None:
    with wal_database(tmp_path) as conn:
        insert(conn, 1, 40)
        insert(conn, 100, 10)
        conn.execute("UPDATE t SET b = 'changed' WHERE a = 5")
        main, wal = snapshot(tmp_path, "pair")
    rows, image, warnings = replay_reads(main, wal)
    oracle_rows, oracle_image = sqlite_reads(tmp_path, "pair", main, wal)
    assert rows == oracle_rows and len(rows) == 51 and (5, "changed") in rows
    assert image == oracle_image
    assert warnings == []
    # Without the log only the checkpointed row is there.
    assert replay_reads(main, None)[0] == [(0, "in the main file")]


def test_a_torn_last_frame_leaves_out_its_whole_transaction(tmp_path) -> None:
    with wal_database(tmp_path) as conn:
        insert(conn, 1, 5)
        _, first_wal = snapshot(tmp_path, "first")
        insert(conn, 100, 30)
        main, wal = snapshot(tmp_path, "both")
    assert len(wal) > len(first_wal) + frame_size(wal)
    # Cut the last frame (the second transaction's commit frame) in the middle.
    torn = wal[: len(wal) - frame_size(wal) // 2]
    rows, image, warnings = replay_reads(main, torn)
    oracle_rows, oracle_image = sqlite_reads(tmp_path, "torn", main, torn)
    assert rows == oracle_rows == [(0, "in the main file")] + [
        (i, f"{i}:" + "x" * 300) for i in range(1, 6)]
    assert image == oracle_image
    assert any("unfinished transaction" in w for w in warnings)


def test_stale_frames_after_a_checkpoint_restart_are_not_applied(tmp_path) -> None:
    with wal_database(tmp_path) as conn:
        insert(conn, 1, 60)
        # Checkpointed but not truncated: the next writer starts the log over with new
        # salts, and the older, longer generation's frames stay behind the new ones.
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        conn.execute("UPDATE t SET b = 'new' WHERE a = 2")
        main, wal = snapshot(tmp_path, "pair")
    salts = wal[16:24]
    stale = [offset for offset in range(WAL_HEADER_SIZE, len(wal), frame_size(wal))
             if wal[offset + 8 : offset + 16] != salts]
    assert stale, "the test needs frames of the older generation"
    rows, image, warnings = replay_reads(main, wal)
    oracle_rows, oracle_image = sqlite_reads(tmp_path, "pair", main, wal)
    assert rows == oracle_rows and len(rows) == 61 and rows[2] == (2, "new")
    assert image == oracle_image
    assert warnings == []


def test_a_log_with_other_salts_or_a_damaged_header_is_ignored_with_a_warning(tmp_path) -> None:
    with wal_database(tmp_path) as conn:
        insert(conn, 1, 5)
        main, wal = snapshot(tmp_path, "pair")
    changed = bytearray(wal)
    changed[16] ^= 0xFF  # salt-1 of the header: the frames no longer belong to it
    for bad in (bytes(changed), wal[:20], b"\x00" * 64, wal[:4] + b"\x00" * 4 + wal[8:]):
        rows, image, warnings = replay_reads(main, bad)
        assert rows == sqlite_reads(tmp_path, str(len(bad)) + str(bad[16]), main, bad)[0]
        assert rows == [(0, "in the main file")]
        assert warnings and "ignored" in warnings[0]


def test_frames_of_an_uncommitted_transaction_are_not_applied(tmp_path) -> None:
    with wal_database(tmp_path) as conn:
        insert(conn, 1, 3)
        # A tiny page cache spills the open transaction's pages into the log as frames
        # without a commit frame.
        conn.execute("PRAGMA cache_size = 2")
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t VALUES (?, ?)",
                         [(i, "y" * 500) for i in range(100, 400)])
        main, wal = snapshot(tmp_path, "pair")
        conn.execute("ROLLBACK")
    rows, image, warnings = replay_reads(main, wal)
    oracle_rows, oracle_image = sqlite_reads(tmp_path, "pair", main, wal)
    assert rows == oracle_rows and [a for a, _ in rows] == [0, 1, 2, 3]
    assert image == oracle_image
    assert any("unfinished transaction" in w for w in warnings)


def test_a_frame_with_a_bad_checksum_ends_the_replay_with_a_warning(tmp_path) -> None:
    with wal_database(tmp_path) as conn:
        insert(conn, 1, 3)
        insert(conn, 10, 3)
        main, wal = snapshot(tmp_path, "pair")
    damaged = bytearray(wal)
    damaged[-100] ^= 0x01  # inside the last frame's page
    rows, _, warnings = replay_reads(main, bytes(damaged))
    assert rows == sqlite_reads(tmp_path, "damaged", main, bytes(damaged))[0]
    assert [a for a, _ in rows] == [0, 1, 2, 3]
    assert any("checksum" in w for w in warnings)


def test_a_page_size_other_than_the_database_s_is_refused(tmp_path) -> None:
    with wal_database(tmp_path) as conn:
        insert(conn, 1, 3)
        main, wal = snapshot(tmp_path, "pair")
    other = bytearray(main)
    other[16:18] = (8192).to_bytes(2, "big")
    replay = apply_wal(bytes(other), wal)
    assert replay.image[:100] == bytes(other[:18]) + b"\x01\x01" + bytes(other[20:100])
    assert "page size" in replay.warnings[0]


def test_a_commit_frame_claiming_more_pages_than_can_exist_is_not_applied() -> None:
    page_size = 512
    header = struct.pack(">7I", 0x377F0682, 3007000, page_size, 0, 7, 9, 0)[:24]
    s0, s1 = wal_checksum(header, "<", 0, 0)
    wal = bytearray(header + struct.pack(">2I", s0, s1))
    frame = struct.pack(">2I", 1, 1_000_000)
    page = b"SQLite format 3\x00" + b"\x00" * (page_size - 16)
    s0, s1 = wal_checksum(frame, "<", s0, s1)
    s0, s1 = wal_checksum(page, "<", s0, s1)
    wal += frame + struct.pack(">4I", 7, 9, s0, s1) + page
    replay = apply_wal(b"", bytes(wal))
    assert replay.image == b""
    assert "claims" in replay.warnings[0]


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    edits = st.lists(st.tuples(st.integers(0, len(seed) - 1), st.integers(0, 255)), max_size=6)

    def apply(args: tuple[list[tuple[int, int]], int]) -> bytes:
        changes, keep = args
        data = bytearray(seed)
        for position, value in changes:
            data[position] = value
        return bytes(data[:keep])

    return st.tuples(edits, st.integers(0, len(seed))).map(apply)


def _seed_pair() -> tuple[bytes, bytes]:
    folder = Path(tempfile.mkdtemp())
    try:
        with wal_database(folder) as conn:
            insert(conn, 1, 4, size=100)
            insert(conn, 10, 2, size=100)
            return snapshot(folder, "seed")
    finally:
        shutil.rmtree(folder)


SEED_MAIN, SEED_WAL = _seed_pair()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations(SEED_WAL), _mutations(SEED_MAIN))
def test_fuzz_replay_never_raises_and_is_quick(wal: bytes, main: bytes) -> None:
    started = time.perf_counter()
    replay = apply_wal(main, wal)
    assert isinstance(replay.image, bytes)
    assert len(replay.image) <= len(main) + len(wal)
    try:
        with open_copy(replay.image) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except (sqlite3.Error, ValueError, OverflowError, MemoryError):
        pass
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("order", ["<", ">"])
def test_checksum_follows_the_documented_recurrence(order: str) -> None:
    data = bytes(range(256)) * 2
    words = struct.unpack(f"{order}128I", data)
    s0 = s1 = 0
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) % 2**32
        s1 = (s1 + words[i + 1] + s0) % 2**32
    assert wal_checksum(data, order, 0, 0) == (s0, s1)

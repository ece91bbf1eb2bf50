"""The workers' shared table of hard-linked content: round trips, limits, both ways of
starting workers, and two processors of a walk sharing what they read."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

import pytest

from tests.engine.hardlinks_walk import count_reads, process_all
from triage.engine import IngestOptions
from triage.engine.file_processor import FileProcessor
from triage.engine.shared_content import SharedContentTable, shared_key
from triage.engine.volume_walk import build_extractors

VALUE = ("application/x-dosexec", "PE32+ executable (DLL) x86-64, for MS Windows",
         "0" * 32, "1" * 64, None)


@pytest.fixture(params=["fork", "spawn"])
def context(request):
    return multiprocessing.get_context(request.param)


def test_round_trip_and_first_value_stays(context) -> None:
    table = SharedContentTable.create(context)
    try:
        assert table.get(b"k") is None
        assert table.put(b"k", VALUE)
        assert table.get(b"k") == VALUE
        assert table.put(b"k", ("other",) * 5)  # already there: kept as it was
        assert table.get(b"k") == VALUE
        assert table.get(b"k2") is None
        assert table.put("ünïcode".encode(), ("é", None, "", "", None))
        assert table.get("ünïcode".encode()) == ("é", None, "", "", None)
    finally:
        table.close()


def test_entries_too_long_or_beyond_a_full_table_are_refused(context) -> None:
    table = SharedContentTable.create(context, records=4)
    try:
        assert not table.put(b"k", ("x" * 400, None, "", "", None))
        assert not table.put(b"k" * 256, VALUE)
        stored = [table.put(f"key{i}".encode(), VALUE) for i in range(8)]
        assert stored.count(True) == 4
        for i, ok in enumerate(stored):
            assert (table.get(f"key{i}".encode()) == VALUE) is ok
    finally:
        table.close()


def _child_puts(table: SharedContentTable, key: bytes) -> None:
    table.put(key, VALUE)


def test_a_worker_process_writes_what_the_parent_reads(context) -> None:
    table = SharedContentTable.create(context)
    try:
        child = context.Process(target=_child_puts, args=(table, b"from the child"))
        child.start()
        child.join(timeout=60)
        assert child.exitcode == 0
        assert table.get(b"from the child") == VALUE
    finally:
        table.close()


def test_spawned_tables_leave_no_file_and_anonymous_ones_are_not_pickled(tmp_path) -> None:
    spawned = SharedContentTable.create(multiprocessing.get_context("spawn"))
    path = Path(spawned.__getstate__()["path"])
    assert path.is_file()
    spawned.close()
    assert not path.exists()
    forked = SharedContentTable.create(multiprocessing.get_context("fork"))
    try:
        with pytest.raises(TypeError):
            pickle.dumps(forked)
    finally:
        forked.close()


def test_keys_name_the_volume_and_its_offset() -> None:
    class Volume:
        volume_index, offset = 1, 1048576

    assert shared_key(Volume(), ("64", 128, 1, 10)) == b"(1, 1048576, ('64', 128, 1, 10))"
    assert shared_key(object(), ("64", 128, 1, 10)) is None


def _walk(processor: FileProcessor, monkeypatch) -> tuple[dict[str, dict], dict[str, int]]:
    read_bytes = count_reads(monkeypatch)
    rows = {entry.path: result.row for entry, result in process_all(processor)}
    monkeypatch.undo()
    return rows, read_bytes


def test_a_second_worker_reuses_what_the_first_read(monkeypatch) -> None:
    # Two processors, as two workers: each opens the image itself, so only the shared
    # table can tell the second one that the linked inodes were read already.
    table = SharedContentTable.create(multiprocessing.get_context("fork"))
    options = IngestOptions(profile="full")
    try:
        first_rows, first_read = _walk(
            FileProcessor(build_extractors(options), options, shared_content=table), monkeypatch)
        second_rows, second_read = _walk(
            FileProcessor(build_extractors(options), options, shared_content=table), monkeypatch)
    finally:
        table.close()
    assert second_rows == first_rows
    names = ["/Windows/System32/large.bin", "/Windows/WinSxS/large.bin", "/Users/bob/large copy.bin"]
    assert sorted(first_read[n] for n in names) == [65536, 65536, 200_000]
    assert [second_read[n] for n in names] == [65536] * 3


def test_a_lock_never_released_costs_a_miss_not_a_hang(monkeypatch) -> None:
    # A worker killed while it held the lock must not stop the others.
    table = SharedContentTable.create(multiprocessing.get_context("fork"))
    try:
        assert table.put(b"k", VALUE)
        monkeypatch.setattr("triage.engine.shared_content.LOCK_SECONDS", 0.1)
        table._lock.acquire()
        assert table.get(b"k") is None
        assert not table.put(b"k2", VALUE)
        table._lock.release()
        assert table.get(b"k") == VALUE
    finally:
        table.close()

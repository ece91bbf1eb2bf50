"""BatchWriter: batches, and artefacts linked to files written after them."""

from __future__ import annotations

import pytest

from triage.casedb import CaseDatabase, file_record
from triage.engine.batch_writer import BatchWriter


def test_finish_links_an_artefact_that_came_before_its_file(tmp_path):
    case = CaseDatabase.create(tmp_path / "case.triage")
    try:
        evidence_id = case.add_evidence("/img.E01", "ewf", 100)
        writer = BatchWriter(case)
        writer.add(None, [{
            "type": "pgp.agent_key", "category": "PGP keys", "evidence_id": evidence_id,
            "volume_idx": 0, "file_path": "/keys/k1.key", "path": "/keys/k1.key",
            "attributes": {"keygrip": "AB"}, "extractor": "pgp", "extractor_version": "1",
            "identity": "agent-AB",
        }])
        writer.flush()
        writer.add({"evidence_id": evidence_id, "volume_idx": 0, "path": "/keys/k1.key",
                    "parent": "/keys", "name": "k1.key", "kind": "file", "size": 3,
                    "inode": "115", "identity": "0|115||/keys/k1.key"}, [])
        writer.finish()
        artefact = next(case.iter_artefacts())
        file = next(case.iter_files())
        assert (artefact["file_id"], artefact["inode"]) == (file["id"], "115")
        assert writer.named_by_path == []
    finally:
        case.close()


def test_records_from_a_worker_batch_are_counted_and_written(tmp_path):
    case = CaseDatabase.create(tmp_path / "case.triage")
    try:
        evidence_id = case.add_evidence("/img.E01", "ewf", 100)
        rows = [{"evidence_id": evidence_id, "volume_idx": 0, "path": f"/f{i}", "parent": "/",
                 "name": f"f{i}", "kind": "file", "size": i, "deleted": i % 2,
                 "identity": f"0|{i}||/f{i}"} for i in range(5)]
        writer = BatchWriter(case)
        writer.add_records([(file_record(row), []) for row in rows])
        writer.finish()
        assert (writer.file_count, writer.deleted_count) == (5, 2)
        stored = sorted(case.iter_files(), key=lambda f: f["size"])
        assert [(f["path"], f["deleted"]) for f in stored] == [
            (row["path"], bool(row["deleted"])) for row in rows]
    finally:
        case.close()


def test_damaged_media_is_recorded_once_per_byte(tmp_path):
    """Found by an audit: one worker reported a damaged range in two pieces (libewf merged
    them later), another the merged whole; all three were recorded."""
    from triage.engine.batch_writer import media_warning
    from triage.evidence.ewf_checksum import MediaDamage

    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    with CaseDatabase.open(case_path) as case:
        writer = BatchWriter(case)
        for offset, length, found in ((2392064, 32768, "worker 0"), (2424832, 32768, "worker 0"),
                                      (2392064, 65536 + 32768, "worker 1")):
            writer.warn(media_warning(None, None, None, None, MediaDamage(offset, length), found))
        writer.flush()
        messages = [w["message"] for w in case.iter_warnings()]
    assert messages == [
        "EWF chunk checksum failed at media bytes 2392064-2424831 (sectors 4672-4735); libewf"
        " read it as zeros; worker 0",
        "EWF chunk checksum failed at media bytes 2424832-2457599 (sectors 4736-4799); libewf"
        " read it as zeros; worker 0",
        "EWF chunk checksum failed at media bytes 2457600-2490367 (sectors 4800-4863); libewf"
        " read it as zeros; worker 1",
    ]
    assert writer.warning_count == 3


# -- writing in a thread of its own while the walk's parent keeps the workers busy -------
class _SlowCase:
    """Stands in for a case: each write waits until ``go`` is set, then is recorded."""

    def __init__(self, fail_on: int | None = None) -> None:
        import threading

        self.go = threading.Event()
        self.written: list[list[tuple]] = []
        self.calls = 0
        self.fail_on = fail_on

    def write_batch(self, files, artefacts, warnings) -> None:
        self.calls += 1
        if self.calls == self.fail_on:
            from triage.casedb import CaseError

            raise CaseError("case.triage: writing to the case failed (disk is full)")
        assert self.go.wait(10)
        self.written.append(list(files))


def test_a_flush_in_the_background_returns_before_its_batch_is_written():
    """Found by sampling a scan's processes: every half second the parent wrote a batch
    for a tenth of a second, and both workers, out of directories, stalled with it."""
    case = _SlowCase()
    writer = BatchWriter(case)
    with writer.writing_in_background():
        writer.add_records([((f"a{i}",) + (0,) * 30, []) for i in range(3)])
        writer.flush()  # returns at once: the write waits for ``go``
        assert case.written == []
        writer.add_records([(("b",) + (0,) * 30, [])])
        writer.flush()
        case.go.set()
    # The block's end waits for every batch, written in the order flushed.
    assert [[row[0] for row in batch] for batch in case.written] == [["a0", "a1", "a2"], ["b"]]


def test_a_failed_background_write_gives_its_batch_and_later_ones_back_in_order():
    """Self-audit: a failed write lost its batch while later ones were written (8 of 11
    files); a failed write in the caller's thread keeps its batch for the next flush."""
    from triage.casedb import CaseError

    case = _SlowCase(fail_on=1)
    case.go.set()
    writer = BatchWriter(case)
    added = []

    def add(name: str) -> None:
        added.append(name)
        writer.add_records([((name,) + (0,) * 30, [])])

    with pytest.raises(CaseError, match="disk is full"):
        with writer.writing_in_background():
            add("a")
            writer.flush()
            add("b")
            for index in range(100):  # the next flush, or the block's end, raises
                writer.flush()
                add(f"c{index}")
    assert case.written == []
    # Out of the block, the writer writes in the caller's thread again: everything, once.
    writer.flush()
    assert [row[0] for batch in case.written for row in batch] == added


def test_the_block_ends_only_once_the_writer_thread_has(monkeypatch):
    """Self-audit: a second interruption while the block waited for the thread let the
    caller go on (and close the case) while the thread still wrote with the connection."""
    import signal
    import threading

    class Interrupted(Exception):
        pass

    def interrupt(_signum, _frame):
        raise Interrupted

    case = _SlowCase()
    writer = BatchWriter(case)
    previous = signal.signal(signal.SIGALRM, interrupt)
    release = threading.Timer(0.6, case.go.set)
    try:
        with pytest.raises(Interrupted):
            with writer.writing_in_background():
                writer.add_records([(("a",) + (0,) * 30, [])])
                writer.flush()
                release.start()
                signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)  # interrupts, again and again
        signal.setitimer(signal.ITIMER_REAL, 0)
        # (is_alive() cannot tell: an interrupted join may have marked the thread ended.)
        assert [[row[0] for row in batch] for batch in case.written] == [["a"]]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        release.cancel()


def test_background_writes_store_what_writes_in_this_thread_store(tmp_path):
    stored = []
    for background in (False, True):
        case = CaseDatabase.create(tmp_path / f"case{background}.triage")
        try:
            evidence_id = case.add_evidence("/img.E01", "ewf", 100)
            writer = BatchWriter(case)
            rows = [{"evidence_id": evidence_id, "volume_idx": 0, "path": f"/f{i}",
                     "parent": "/", "name": f"f{i}", "kind": "file", "size": i,
                     "identity": f"0|{i}||/f{i}"} for i in range(12)]
            if background:
                with writer.writing_in_background():
                    for row in rows:
                        writer.add_records([(file_record(row), [])])
                        writer.flush()
            else:
                for row in rows:
                    writer.add_records([(file_record(row), [])])
                    writer.flush()
            writer.finish()
            stored.append(sorted((f["id"], f["path"], f["size"]) for f in case.iter_files()))
        finally:
            case.close()
    assert stored[0] == stored[1] and len(stored[0]) == 12


def test_two_signals_while_the_block_waits_end_it_as_one_interruption():
    """Self-audit: Ctrl+C and SIGTERM (whose command-line handler raises
    KeyboardInterrupt) together, while the block waited for a slow write, made it raise
    "RuntimeError: release unlocked lock" (a handler ran inside Condition.wait), so the
    run read as an internal error instead of cancelled."""
    import os
    import signal
    import subprocess
    import sys

    def raise_interrupt(_signum, _frame):
        raise KeyboardInterrupt

    import time

    class SlowWrite:
        written: list[list[str]] = []

        def write_batch(self, files, artefacts, warnings) -> None:
            time.sleep(1.2)  # a write to a slow disk; no other thread in this test
            self.written.append([row[0] for row in files])

    case = SlowWrite()
    writer = BatchWriter(case)
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    killer = subprocess.Popen([sys.executable, "-c", (
        "import os, signal, sys, time; time.sleep(0.4); pid = int(sys.argv[1]);"
        " os.kill(pid, signal.SIGINT); os.kill(pid, signal.SIGTERM)"), str(os.getpid())])
    try:
        with pytest.raises(KeyboardInterrupt):
            with writer.writing_in_background():
                writer.add_records([(("a",) + (0,) * 30, [])])
                writer.flush()
        assert case.written == [["a"]]  # the block ended after the write, not during it
    finally:
        killer.wait()
        signal.signal(signal.SIGTERM, previous)


def test_an_interruption_as_the_block_closes_still_waits_for_the_thread(monkeypatch):
    """Third self-audit: an interruption between the block's end and its first wait
    (or at the wait's first step) let the block end while the thread still wrote."""
    from triage.engine import batch_writer

    real_close = batch_writer._BackgroundWrites.close
    calls = []

    def interrupted_first(self, raise_error=True):
        calls.append(raise_error)
        if len(calls) == 1:
            raise KeyboardInterrupt  # as if a handler ran at close()'s first step
        return real_close(self, raise_error)

    monkeypatch.setattr(batch_writer._BackgroundWrites, "close", interrupted_first)
    case = _SlowCase()
    writer = BatchWriter(case)
    release = __import__("threading").Timer(0.3, case.go.set)
    release.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            with writer.writing_in_background():
                writer.add_records([(("a",) + (0,) * 30, [])])
                writer.flush()
        assert [[row[0] for row in batch] for batch in case.written] == [["a"]]
    finally:
        release.cancel()

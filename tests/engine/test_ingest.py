"""The ingest engine end to end on committed images, checked against The Sleuth Kit."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import triage.extractors as registry
from tests.evidence.oracles import sfdisk_image
from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.engine.volume_walk import _die_with_parent
from triage.extractors.interface import ArtefactType, Extractor, Finding

IMAGES = Path(__file__).parents[1] / "data" / "images"
TWO_PARTITIONS = IMAGES / "two_partitions.E01"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scan(tmp_path: Path, evidence: list[Path], **options: object) -> CaseDatabase:
    case_path = tmp_path / "case.triage"
    if not case_path.exists():
        CaseDatabase.create(case_path, name="t", examiner="tester").close()
    IngestEngine(case_path, IngestOptions(examiner="tester", **options)).run([str(e) for e in evidence])
    return CaseDatabase.open(case_path)


def _fls_listing(image: Path, sector_offset: int) -> set[tuple[str, int, bool]]:
    out = subprocess.run(["fls", "-r", "-m", "/", "-o", str(sector_offset), str(image)],
                         capture_output=True, text=True, check=True).stdout
    listing = set()
    for line in out.splitlines():
        fields = line.split("|")
        name = fields[1]
        deleted = name.endswith(" (deleted)") or name.endswith(" (deleted-realloc)")
        name = name.rsplit(" (deleted", 1)[0] if deleted else name
        if name.endswith(" ($FILE_NAME)"):
            continue  # the body format's second line per NTFS file: $FILE_NAME times, not a file
        if name.endswith(("/.", "/..")):
            continue
        listing.add((name, int(fields[6]), deleted))
    return listing


@pytest.mark.skipif(shutil.which("fls") is None, reason="The Sleuth Kit's fls is not installed")
def test_case_file_listing_matches_fls(tmp_path):
    case = _scan(tmp_path, [TWO_PARTITIONS], profile="full")
    try:
        volumes = {v["idx"]: v for v in case.list_volumes()}
        walked = [v for v in volumes.values() if v["fs_type"]]
        assert len(walked) == 2
        for volume in walked:
            expected = _fls_listing(TWO_PARTITIONS, volume["start"] // 512)
            rows = [f for f in case.iter_files() if f["volume_idx"] == volume["idx"]]
            got = {(f["path"], f["size"], f["deleted"]) for f in rows}
            assert got == expected, (volume, got ^ expected)
    finally:
        case.close()


@pytest.mark.skipif(shutil.which("icat") is None, reason="The Sleuth Kit's icat is not installed")
def test_file_hashes_match_icat(tmp_path):
    case = _scan(tmp_path, [TWO_PARTITIONS], profile="full")
    try:
        volumes = {v["idx"]: v for v in case.list_volumes()}
        checked = 0
        for row in case.iter_files():
            if row["kind"] != "file" or row["deleted"] or row["stream"] or row["path"].startswith("/$"):
                continue
            sector = volumes[row["volume_idx"]]["start"] // 512
            content = subprocess.run(["icat", "-o", str(sector), str(TWO_PARTITIONS), row["inode"]],
                                     capture_output=True, check=True).stdout
            assert row["md5"] == hashlib.md5(content).hexdigest(), row["path"]
            assert row["sha256"] == hashlib.sha256(content).hexdigest(), row["path"]
            checked += 1
        assert checked >= 2
    finally:
        case.close()


def test_evidence_is_unchanged_by_a_scan(tmp_path):
    before = _sha256(TWO_PARTITIONS)
    _scan(tmp_path, [TWO_PARTITIONS], profile="full").close()
    assert _sha256(TWO_PARTITIONS) == before
    assert sorted(p.name for p in IMAGES.parent.joinpath("images").glob("two_partitions*")) == sorted(
        p.name for p in IMAGES.glob("two_partitions*"))


def test_rescan_adds_no_duplicate_rows(tmp_path):
    case = _scan(tmp_path, [TWO_PARTITIONS], profile="full")
    files, artefacts = case.count_files(), case.count_artefacts()
    case.close()
    case = _scan(tmp_path, [TWO_PARTITIONS], profile="full")
    try:
        assert case.count_files() == files
        assert case.count_artefacts() == artefacts
        assert [r["status"] for r in case.list_runs()] == ["completed", "completed"]
    finally:
        case.close()


class _ProbeExtractor(Extractor):
    """Records what the engine hands it, and misbehaves on purpose on one file."""

    NAME = "probe"
    VERSION = "1"
    ARTEFACT_TYPES = (ArtefactType("probe.hit", "Probe hit", "Probes"),)
    EXTENSIONS = frozenset({"txt"})
    SCANS_TEXT = True

    def extract(self, entry, data, ctx):
        if b"explode" in data:
            raise RuntimeError("hostile content")
        yield Finding("probe.hit", {"name": entry.name, "size": len(data)})
        yield Finding("probe.hit", {"name": entry.name, "size": len(data)})

    def scan_bytes(self, data):
        start = data.find(b"needle")
        if start >= 0:
            yield Finding("probe.hit", {"needle": True}, offset=start)


def test_extractor_dispatch_dedupe_and_failures_become_warnings(tmp_path, monkeypatch):
    root = tmp_path / "evidence"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "a.txt").write_text("some needle here")
    (root / "docs" / "b.txt").write_text("explode")
    (root / "docs" / "c.bin").write_bytes(b"\x00\x01binary needle")
    monkeypatch.setattr(registry, "EXTRACTOR_CLASSES", [_ProbeExtractor])
    # In this process: spawned workers would not see the monkeypatched registry.
    case = _scan(tmp_path, [root], profile="full", isolate=False)
    try:
        hits = list(case.iter_artefacts())
        by_path = {}
        for hit in hits:
            by_path.setdefault(hit["path"], []).append(hit["attributes"])
        assert by_path["/docs/a.txt"] == [{"name": "a.txt", "size": 16}, {"needle": True}]
        assert "/docs/b.txt" not in by_path and "/docs/c.bin" not in by_path
        messages = [w["message"] for w in case.iter_warnings()]
        assert any("probe failed: RuntimeError: hostile content" in m for m in messages)
        assert next(h for h in hits if h["attributes"].get("needle"))["offset"] == 5
        assert case.artefact_types_info()["probe.hit"]["category"] == "Probes"
    finally:
        case.close()


class _SignalProbe(Extractor):
    """Reports how the process that reads a file handles SIGINT and SIGTERM."""

    NAME = "signals"
    VERSION = "1"
    ARTEFACT_TYPES = (ArtefactType("probe.signals", "Signals", "Probes"),)
    EXTENSIONS = frozenset({"txt"})

    def extract(self, entry, data, ctx):
        yield Finding("probe.signals", {
            "pid": os.getpid(), "sigint": str(signal.getsignal(signal.SIGINT)),
            "sigterm": str(signal.getsignal(signal.SIGTERM))})


def test_workers_leave_stopping_to_the_parent(tmp_path, monkeypatch):
    """Workers ignore Ctrl-C and die quietly on SIGTERM, whatever handlers the command
    line installed before they were forked (its SIGTERM handler raises KeyboardInterrupt)."""
    root = tmp_path / "evidence"
    root.mkdir()
    (root / "a.txt").write_text("a")
    monkeypatch.setattr(registry, "EXTRACTOR_CLASSES", [_SignalProbe])

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        case = _scan(tmp_path, [root], jobs=2)
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        (found,) = [a["attributes"] for a in case.iter_artefacts()]
    finally:
        case.close()
    assert found["pid"] != os.getpid()
    assert found["sigint"] == str(signal.SIG_IGN) and found["sigterm"] == str(signal.SIG_DFL)


def test_cancel_stops_cleanly_and_keeps_what_was_written(tmp_path):
    cancel = threading.Event()
    seen = []

    def progress(tick):
        seen.append(tick)
        if tick.files_done:
            cancel.set()

    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    summary = IngestEngine(case_path, IngestOptions(), progress=progress, cancel=cancel).run(
        [str(TWO_PARTITIONS)])
    assert summary.status == "cancelled"
    with CaseDatabase.open(case_path) as case:
        assert case.list_runs()[0]["status"] == "cancelled"
        assert case.count_files() == summary.files
    assert seen[-1].phase == "done"


@pytest.mark.parametrize("stop", ["cancel", "interrupt"])
def test_workers_end_on_their_own_when_a_walk_is_stopped(tmp_path, monkeypatch, stop):
    """Found in a timing of Ctrl-C: the command line's interruption left the workers
    waiting for their next task, and each was killed after two seconds."""
    import triage.engine.ingest as ingest

    terminated: list[list[int]] = []

    def wind_down(*args):
        terminated.append(wind_down_workers(*args))
        return terminated[-1]

    wind_down_workers = ingest.wind_down_workers
    monkeypatch.setattr(ingest, "wind_down_workers", wind_down)
    cancel = threading.Event()

    def progress(tick):
        if tick.files_done:
            cancel.set()  # the command line's handlers set the flag, then raise
            if stop == "interrupt":
                raise KeyboardInterrupt

    # One directory, so one task: the other worker waits for a task from the start, and
    # the one listing it has none queued when it stops.
    folder = tmp_path / "evidence"
    folder.mkdir()
    for number in range(3000):
        (folder / f"f{number}.txt").write_text(f"note {number}")
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    engine = IngestEngine(case_path, IngestOptions(jobs=2), progress=progress, cancel=cancel)
    if stop == "interrupt":
        with pytest.raises(KeyboardInterrupt):
            engine.run([str(folder)])
    else:
        engine.run([str(folder)])
    assert terminated and all(shares == [] for shares in terminated)
    with CaseDatabase.open(case_path) as case:
        assert case.list_runs()[0]["status"] == "cancelled"


@pytest.mark.parametrize("image", ["two_partitions.E01", "seized_laptop.E01"])
def test_jobs_and_isolation_give_the_same_result(tmp_path, image):
    results = []
    for name, options in (("inline", {"isolate": False}), ("one", {"jobs": 1}), ("two", {"jobs": 2})):
        (tmp_path / name).mkdir()
        results.append(_scan(tmp_path / name, [IMAGES / image], profile="full", **options))
    one, two, three = results
    try:
        def snapshot(case):
            files = sorted(repr((f["volume_idx"], f["path"], f["inode"], f["md5"], f["mime"]))
                           for f in case.iter_files())
            artefacts = sorted(repr((a["type"], a["path"], a["offset"], a["attributes"]))
                               for a in case.iter_artefacts())
            return files, artefacts
        assert snapshot(one) == snapshot(two) == snapshot(three)
        assert len(snapshot(one)[0]) > 20
    finally:
        for case in results:
            case.close()


def stalled_worker(*args):
    """Stands in for a worker stuck inside The Sleuth Kit."""
    time.sleep(30)


def test_a_stalled_walk_is_given_up_with_a_warning(tmp_path, monkeypatch):
    import triage.engine.ingest as ingest

    monkeypatch.setattr(ingest, "worker_main", stalled_worker)
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    summary = IngestEngine(case_path, IngestOptions(stall_seconds=1.0, unallocated=False)).run(
        [str(TWO_PARTITIONS)])
    assert summary.status == "completed"
    with CaseDatabase.open(case_path) as case:
        assert any("stalled" in w["message"] for w in case.iter_warnings())


def test_quick_profile_reads_less_and_keeps_metadata(tmp_path):
    case = _scan(tmp_path, [TWO_PARTITIONS], profile="quick")
    try:
        files = list(case.iter_files())
        assert files and all(f["path"] for f in files)
        assert sum(1 for f in files if f["md5"]) < sum(1 for f in files if f["kind"] == "file")
    finally:
        case.close()


def test_streaming_a_large_file_sends_heartbeats(tmp_path):
    from triage.engine.context import FileSystemContext
    from triage.engine.file_processor import READ_SIZE, FileProcessor
    from triage.evidence import open_evidence

    content = os.urandom(3 * READ_SIZE + 123)
    (tmp_path / "big.vmdk").write_bytes(content)
    beats = []
    processor = FileProcessor([], IngestOptions(profile="full"), heartbeat=lambda: beats.append(1))
    with open_evidence(tmp_path) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        entry = filesystem.open_path("/big.vmdk")
        result = processor.process(entry, FileSystemContext(filesystem, lambda m, p=None: None))
    assert result.row["md5"] == hashlib.md5(content).hexdigest()
    assert len(beats) == 4  # one per chunk streamed


@pytest.mark.parametrize(("error", "status"), [(RuntimeError("boom"), "failed"),
                                                (KeyboardInterrupt(), "cancelled")])
def test_a_run_stopped_by_an_exception_is_not_recorded_as_completed(tmp_path, monkeypatch,
                                                                     error, status):
    def scan_evidence(*args, **kwargs):
        raise error

    monkeypatch.setattr(IngestEngine, "_scan_evidence", scan_evidence)
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    with pytest.raises(type(error)):
        IngestEngine(case_path, IngestOptions()).run([str(TWO_PARTITIONS)])
    with CaseDatabase.open(case_path) as case:
        run = case.list_runs()[0]
        assert run["status"] == status
        assert [e["action"] for e in case.iter_audit()][-1] == "run.finish"


def test_batches_are_committed_without_a_sync_each_and_the_run_end_syncs(tmp_path, monkeypatch):
    seen: dict[str, list[int]] = {"batch": [], "finish": []}
    write_batch, finish_run = CaseDatabase.write_batch, CaseDatabase.finish_run

    def synchronous(case):
        return case.conn.execute("PRAGMA synchronous").fetchone()[0]

    def spy_write_batch(self, *args, **kwargs):
        seen["batch"].append(synchronous(self))
        return write_batch(self, *args, **kwargs)

    def spy_finish_run(self, *args, **kwargs):
        seen["finish"].append(synchronous(self))
        return finish_run(self, *args, **kwargs)

    monkeypatch.setattr(CaseDatabase, "write_batch", spy_write_batch)
    monkeypatch.setattr(CaseDatabase, "finish_run", spy_finish_run)
    case = _scan(tmp_path, [TWO_PARTITIONS])
    case.close()
    normal, full = 1, 2
    assert seen["batch"] and set(seen["batch"]) == {normal}
    assert seen["finish"] == [full]


def test_a_run_whose_last_batch_cannot_be_written_is_recorded_as_failed(tmp_path, monkeypatch):
    from triage.engine.batch_writer import BatchWriter

    finish = BatchWriter.finish

    def failing_finish(self):
        finish(self)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(BatchWriter, "finish", failing_finish)
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    with pytest.raises(sqlite3.OperationalError):
        IngestEngine(case_path, IngestOptions()).run([str(TWO_PARTITIONS)])
    with CaseDatabase.open(case_path) as case:
        run = case.list_runs()[0]
        assert run["status"] == "failed"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_folder_with_names_that_are_not_utf8_is_scanned_whole(tmp_path: Path, jobs: int) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/pay\xc3.txt", "wb") as handle:
        handle.write(b"pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now\n")
    (folder / "ok.txt").write_text("hello\n")
    case = _scan(tmp_path, [folder], jobs=jobs)
    try:
        (run,) = case.conn.execute("SELECT status FROM runs").fetchall()
        paths = {row[0] for row in case.conn.execute("SELECT path FROM files")}
        found = case.conn.execute("SELECT path FROM artefacts WHERE type = 'crypto.address'")
        assert run[0] == "completed"
        assert paths == {"/pay\ufffd.txt", "/ok.txt"}
        assert [row[0] for row in found] == ["/pay\ufffd.txt"]
    finally:
        case.close()


def _live_processes_naming(text: str) -> list[int]:
    """Processes (not zombies) whose command line holds ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process checks")
def test_sigterm_cancels_a_scan_and_leaves_no_worker(tmp_path: Path) -> None:
    """Found by an audit: SIGTERM left the run 'running' and the workers alive."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    with open(folder / "zeros.bin", "wb") as handle:
        handle.truncate(3 << 30)  # sparse: seconds of hashing, no disk
    (folder / "a.txt").write_text("hello")
    case_path = tmp_path / "sigterm-case.triage"
    scan = subprocess.Popen([sys.executable, "-m", "triage", "scan", str(folder), "--case",
                             str(case_path), "--jobs", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and scan.poll() is None:
        if len(_live_processes_naming(str(case_path))) >= 3:  # the scan and its workers
            break
        time.sleep(0.05)
    scan.send_signal(signal.SIGTERM)
    _, err = scan.communicate(timeout=60)
    assert scan.returncode == 130 and b"interrupted" in err
    time.sleep(0.5)
    assert _live_processes_naming(str(case_path)) == []
    with CaseDatabase.open(case_path) as case:
        (run,) = case.list_runs()
    assert run["status"] == "cancelled"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_worker_dies_with_the_scanning_process() -> None:
    """Found by an audit: after kill -9 of the scan, its workers blocked forever on a pipe,
    holding the evidence and the case open."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    middle = context.Process(target=_start_orphan_workers, args=(writer,))
    middle.start()
    worker_pid, control_pid = reader.recv()
    middle.join(10)  # the "scanning process" has exited
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker_pid):
        time.sleep(0.05)
    try:
        assert not _alive(worker_pid)
        assert _alive(control_pid)  # without the request, an orphan lives on
    finally:
        os.kill(control_pid, signal.SIGKILL)


def _start_orphan_workers(writer: object) -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    worker = context.Process(target=_worker_that_waits, args=(True,))
    control = context.Process(target=_worker_that_waits, args=(False,))
    worker.start()
    control.start()
    writer.send((worker.pid, control.pid))  # type: ignore[attr-defined]
    os._exit(0)  # dies without stopping its workers


def _worker_that_waits(die_with_parent: bool) -> None:
    if die_with_parent:
        _die_with_parent()
    time.sleep(60)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_size_no_file_system_can_hold_is_not_read(tmp_path: Path, monkeypatch) -> None:
    """Found by an audit: a file whose metadata claims 4 GiB (or 1 TiB) on a small volume
    was read and hashed as zeros for minutes (or hours), without a word. oversized.raw
    holds a 64 MiB claim on a 1 MiB ext2; the floor below which sparse files are read
    anyway is lowered to match."""
    from triage.engine import file_processor

    monkeypatch.setattr(file_processor, "OVERSIZED_FLOOR", 32 << 20)
    case = _scan(tmp_path, [IMAGES / "oversized.raw"], isolate=False)
    try:
        rows = {row[0]: row[1:] for row in case.conn.execute(
            "SELECT path, size, md5 FROM files WHERE kind = 'file'")}
        warnings = [row[0] for row in case.conn.execute(
            "SELECT message FROM warnings WHERE path = '/claims_64_mib.bin'")]
    finally:
        case.close()
    assert rows["/claims_64_mib.bin"] == (64 << 20, None)
    assert rows["/plain.txt"][1] == hashlib.md5(b"plain\n").hexdigest()
    assert len(warnings) == 1 and "exceeds the file system's 1048576 bytes" in warnings[0]


def worker_killed_while_waiting(share, workers, evidence_path, options, jobs, tasks, results,
                                cancel, shared_content=None):
    """Worker 1 takes tasks from its pipe without beginning them, then is killed while it
    waits for more (as ``kill -9`` of an idle worker); worker 0 is a real worker."""
    from triage.engine.volume_walk import worker_main

    if share != 1:
        worker_main(share, workers, evidence_path, options, jobs, tasks, results, cancel,
                    shared_content)
        return

    def take_forever() -> None:
        while True:
            tasks.recv()

    threading.Thread(target=take_forever, daemon=True).start()
    time.sleep(0.5)
    os._exit(9)


def test_a_worker_killed_while_waiting_for_work_loses_nothing(tmp_path, monkeypatch):
    """Found by an audit: with one shared task queue, a worker killed while it waited held
    the queue's lock, and the other worker waited for it until the stall watchdog gave the
    rest of the walk up. Each worker now has its own task pipe, and what a dead worker held
    without beginning goes to the others."""
    import triage.engine.ingest as ingest

    (tmp_path / "whole").mkdir()
    whole = _scan(tmp_path / "whole", [TWO_PARTITIONS], jobs=1, unallocated=False)
    monkeypatch.setattr(ingest, "worker_main", worker_killed_while_waiting)
    (tmp_path / "killed").mkdir()
    killed = _scan(tmp_path / "killed", [TWO_PARTITIONS], jobs=2, unallocated=False,
                   stall_seconds=60.0)
    try:
        def listing(case):
            return sorted((f["volume_idx"], f["path"], f["md5"]) for f in case.iter_files())
        assert listing(killed) == listing(whole)
        messages = [w["message"] for w in killed.iter_warnings()]
        assert any("worker process 1 ended (exit code 9)" in m for m in messages)
        assert not any("stalled" in m or "not walked" in m or "may be missing" in m
                       for m in messages)
        assert killed.list_runs()[0]["status"] == "completed"
    finally:
        whole.close()
        killed.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_damaged_ewf_chunk_is_warned_about_once(tmp_path, jobs):
    """Found by an audit: libewf reads a chunk whose checksum fails as zeros, and the
    Python binding says nothing, so such damage used to show only as a --verify mismatch."""
    from tests.damaged_ewf import DAMAGED_SECTORS, damaged_copy

    case = _scan(tmp_path, [damaged_copy(tmp_path)], jobs=jobs, profile="full")
    try:
        media = [w for w in case.iter_warnings()
                 if w["source"] == "media" and w["message"].startswith("EWF chunk")]
        assert len(media) == 1  # each worker reads it; the case records it once
        first, last = DAMAGED_SECTORS
        assert f"(sectors {first}-{last})" in media[0]["message"]
        assert case.list_runs()[0]["status"] == "completed"
    finally:
        case.close()


def test_files_past_the_sleuth_kits_128_extended_tables_are_scanned(tmp_path: Path) -> None:
    """ebr_chain.raw has 140 logical partitions; TSK lists 128. The FAT file systems in
    logicals 135 and 140 (and 2, and primary 2 after the chain) must all be walked."""
    case = _scan(tmp_path, [IMAGES / "ebr_chain.raw"])
    try:
        starts = {v["idx"]: v["start"] // 512 for v in case.list_volumes()}
        found = {(starts[row["volume_idx"]], row["path"], row["md5"]) for row in case.iter_files()
                 if row["path"].endswith(".TXT")}
        warnings = [w["message"] for w in case.iter_warnings()]
    finally:
        case.close()
    staging = IMAGES / "staging"
    assert found == {
        (sector, f"/{name}", hashlib.md5((staging / tree / name).read_bytes()).hexdigest())
        for sector, tree, name in [(69, "ebr_l2", "EARLY.TXT"), (726, "ebr_l135", "LATE135.TXT"),
                                   (871, "ebr_l140", "LATE140.TXT"), (1024, "ebr_p2", "AFTER.TXT")]
    }
    assert any("The Sleuth Kit dropped 12 of the 140 logical partitions" in w for w in warnings)


def _slow_chunks(original):
    def read_chunks(self, *args, **kwargs):
        for chunk in original(self, *args, **kwargs):
            time.sleep(0.1)  # stands in for hashing a large file
            yield chunk
    return read_chunks


def test_directories_do_not_wait_behind_a_large_file(tmp_path, monkeypatch):
    """Found by an audit: a worker given a second directory while it hashed a large file
    (a page file in the root, say) kept it until the file was done, however idle the other
    worker was. Subdirectories found so far now leave before a large entry, and a worker
    busy for a while hands back the directory queued behind it."""
    import triage.engine.file_processor as file_processor
    import triage.engine.volume_walk as volume_walk

    evidence = tmp_path / "evidence"
    for name in ("a", "b", "c"):
        (evidence / name).mkdir(parents=True)
        (evidence / name / f"{name}.txt").write_text(f"file in {name}\n")
    (evidence / "zz.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    monkeypatch.setattr(file_processor, "READ_SIZE", 64 * 1024)
    monkeypatch.setattr(volume_walk, "LARGE_ENTRY", 1024 * 1024)
    monkeypatch.setattr(file_processor.FileProcessor, "_read_chunks",
                        _slow_chunks(file_processor.FileProcessor._read_chunks))
    (tmp_path / "case").mkdir()
    case = _scan(tmp_path / "case", [evidence], jobs=2, profile="full", unallocated=False)
    try:
        order = {f["path"]: index for index, f in enumerate(case.iter_files())}
    finally:
        case.close()
    # Rows are written in the order the workers send them: the three directories' files
    # were listed while the root's worker was still reading zz.bin.
    assert all(order[f"/{name}/{name}.txt"] < order["/zz.bin"] for name in ("a", "b", "c"))


def test_damage_only_the_scanning_process_reads_is_warned_about(tmp_path):
    """Found by an audit: the parent opens every file system itself; a damaged boot sector
    made the volume unreadable with no word of the damage in a quick scan."""
    from tests.damaged_ewf import BOOT_SECTOR_CHUNK, damaged_copy

    case = _scan(tmp_path, [damaged_copy(tmp_path, (BOOT_SECTOR_CHUNK[0],))], jobs=2,
                 profile="quick")
    try:
        media = [w for w in case.iter_warnings() if w["source"] == "media"]
    finally:
        case.close()
    offset, length = BOOT_SECTOR_CHUNK[1]
    assert [w["message"].split("; ")[0].split(" at media bytes ")[1] for w in media] == [
        f"{offset}-{offset + length - 1} (sectors {offset // 512}-{(offset + length) // 512 - 1})"]


def _tsk_owners(image: Path, sector_offset: int, clusters: range) -> set[str]:
    """The paths The Sleuth Kit gives for the files owning ``clusters`` (ifind, ffind)."""
    owners = set()
    for cluster in clusters:
        found = subprocess.run(["ifind", "-o", str(sector_offset), "-d", str(cluster),
                                str(image)], capture_output=True, text=True).stdout.strip()
        if found and found[0].isdigit():
            inode = found.split("-")[0]
            names = subprocess.run(["ffind", "-o", str(sector_offset), str(image), inode],
                                   capture_output=True, text=True).stdout.split("\n")
            owners |= {name.lstrip("* ").strip() for name in names if name.strip()}
    return owners


@pytest.mark.skipif(shutil.which("ifind") is None, reason="The Sleuth Kit's ifind is not installed")
@pytest.mark.parametrize("jobs", [1, 2])
def test_the_files_in_a_damaged_ewf_chunk_are_named_as_ifind_names_them(tmp_path, jobs):
    """The damaged chunk is first met while the file system's metadata is read, so the
    files whose data lie in it are found afterwards, one inode at a time."""
    from tests.damaged_ewf import DAMAGED_SECTORS, LAPTOP, damaged_copy

    case = _scan(tmp_path, [damaged_copy(tmp_path)], jobs=jobs, profile="quick")
    try:
        named = {w["path"] for w in case.iter_warnings()
                 if w["source"] == "media" and "lies in EWF chunks" in w["message"]}
    finally:
        case.close()
    first, last = DAMAGED_SECTORS
    partition = 2048  # the NTFS volume's first sector (mmls), clusters of 8 sectors
    clusters = range((first - partition) // 8, (last + 1 - partition) // 8)
    expected = _tsk_owners(LAPTOP, partition, clusters)
    assert len(expected) == 5 and named == expected


@pytest.mark.parametrize("names", [("delta.vmdk", "base.vmdk"), ("fat16.raw",)])
def test_evidence_segments_are_stored_absolute_and_once(tmp_path, monkeypatch, names):
    """A scan given a relative path records every segment by its absolute path, once."""
    images = tmp_path / "img"
    images.mkdir()
    for name in names:
        shutil.copy(IMAGES / "chain" / name if name.endswith(".vmdk") else IMAGES / name,
                    images / name)
    monkeypatch.chdir(tmp_path)
    case = _scan(tmp_path, [Path("img") / names[0]], unallocated=False)
    try:
        (evidence,) = case.list_evidence()
        assert evidence["path"] == str(images / names[0])
        assert evidence["segments"] == [str(images / name) for name in names]
        assert case.count_files() > 0
    finally:
        case.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_files_in_bytes_a_truncated_qcow2_lacks_are_named(tmp_path, jobs):
    """Found by an audit: a QCOW2 cut short gave wrong file hashes and a completed run
    with no warning. The missing bytes read as zeros (so the hashes are those of the raw
    image with them zeroed) and the files whose data lie there are named."""
    from tests.truncated_qcow import truncated_qcow2

    image = tmp_path / "cut.qcow2"
    start, end = truncated_qcow2(IMAGES / "fat16.raw", image, 102 * 512)  # README.TXT
    zeroed = tmp_path / "zeroed.raw"
    raw = bytearray((IMAGES / "fat16.raw").read_bytes())
    raw[start:end] = bytes(end - start)
    zeroed.write_bytes(raw)
    (tmp_path / "cut").mkdir()
    (tmp_path / "zeroed").mkdir()
    case = _scan(tmp_path / "cut", [image], jobs=jobs, profile="full")
    truth = _scan(tmp_path / "zeroed", [zeroed], jobs=1, profile="full")
    try:
        hashes = {f["path"]: f["md5"] for f in case.iter_files()}
        assert hashes == {f["path"]: f["md5"] for f in truth.iter_files()}
        media = [w for w in case.iter_warnings() if w["source"] == "media"]
        assert [w["message"].split(";")[0] for w in media
                if w["message"].startswith("media bytes")] == [f"media bytes {start}-{end - 1} (sectors {start // 512}-{end // 512 - 1})"
                      " could not be read from the image (truncated or damaged)"]
        named = {w["path"] for w in media if "lies in media that could not" in w["message"]}
        assert "/README.TXT" in named
        assert case.list_runs()[0]["status"] == "completed"
    finally:
        case.close()
        truth.close()


MSR_GUID = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE"
EFI_GUID = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"


def test_microsoft_reserved_partition_gives_no_warning(tmp_path):
    """Every Windows GPT disk has one and it never holds a file system: no warning for
    it (another partition without one still gets its warning)."""
    if shutil.which("mkfs.fat") is None:
        pytest.skip("needs mkfs.fat")
    image = tmp_path / "gpt.raw"
    sfdisk_image(image, 12 << 20, f"label: gpt\nstart=2048, size=8192, type={EFI_GUID}\n"
                 f"start=10240, size=4096, type={MSR_GUID}\n"
                 "start=14336, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8E477E4\n")
    fat = tmp_path / "efi.raw"
    subprocess.run(["mkfs.fat", "-C", str(fat), "4096"], check=True, capture_output=True)
    with open(image, "r+b") as out:
        out.seek(2048 * 512)
        out.write(fat.read_bytes())
    case = _scan(tmp_path, [image], unallocated=False)
    try:
        by_start = {v["start"]: v for v in case.list_volumes()}
        messages = [w["message"] for w in case.iter_warnings()]
    finally:
        case.close()
    # sfdisk names no partition: The Sleuth Kit describes them all as '', the type GUID
    # (read from the GPT) tells the reserved one.
    msr, linux = by_start[10240 * 512], by_start[14336 * 512]
    assert msr["status"] == "no file system (none expected in this partition type)"
    assert not any(f"volume {msr['idx']}:" in m for m in messages)
    assert any(f"volume {linux['idx']}:" in m and "no file system" in m for m in messages)

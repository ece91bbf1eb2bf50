"""The ingest engine: evidence → volumes → file systems → processed entries → case.

Qt-free. Progress and cancellation go through a plain callback and a
``threading.Event``, so the command line and the GUI drive the same engine.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage.casedb import CaseCheckCancelled, CaseDatabase
from triage.engine.batch_writer import BatchWriter, media_warning
from triage.engine.damage_owners import damaged_file_warnings, damaged_volumes
from triage.engine.file_processor import FileProcessor
from triage.engine.options import IngestOptions, Progress, RunSummary
from triage.engine.progress import ProgressReporter
from triage.engine.result_channel import ResultChannel
from triage.engine.shared_content import SharedContentTable
from triage.engine.task_channel import TaskChannel
from triage.engine.unallocated import UnallocatedScanner
from triage.engine.volume_walk import (
    RowBatch,
    UnallocatedTask,
    VolumeJob,
    WalkTask,
    build_extractors,
    iter_volume_batches,
    worker_main,
)
from triage.evidence import Evidence, EvidenceError, FileSystemError, open_evidence
from triage.evidence.filesystem import DirectoryVisits
from triage.evidence_places import inside_evidence_folder
from triage.extractors import artefact_types

#: Volumes of these kinds hold a file system to walk.
WALKABLE_KINDS = ("partition", "whole")
#: Seconds the walk's workers have, in all, to end on their own once the walk is over or
#: cancelled (a worker stuck in The Sleuth Kit's C code is then terminated).
WORKER_GRACE_SECONDS = 2.0


class IngestEngine:
    """Runs one ingest over a list of evidence items into a case file."""

    def __init__(
        self,
        case_path: str | Path,
        options: IngestOptions,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.case_path = Path(case_path)
        self.options = options
        self.cancel = cancel or threading.Event()
        self.reporter = ProgressReporter(progress)

    # -- the run ---------------------------------------------------------------------
    def run(self, evidence_paths: list[str]) -> RunSummary:
        """Scan every evidence item into the case and return the run's summary.

        An item named twice (by any spelling of its path) is scanned once.
        """
        started = time.monotonic()
        evidence_paths = distinct_evidence(evidence_paths)
        check_case_outside_evidence(self.case_path, evidence_paths)
        opened = [open_evidence(path) for path in evidence_paths]
        self.reporter.update(force=True, phase="checking")
        try:
            case = CaseDatabase.open(self.case_path, check_whole=True,
                                     cancelled=self.cancel.is_set)
        except CaseCheckCancelled:
            for evidence in opened:
                evidence.close()
            if not self.cancel.is_set():
                raise KeyboardInterrupt from None  # Ctrl-C or SIGTERM during the check
            self.reporter.update(force=True, phase="done")
            return RunSummary(run_id=0, status="cancelled",
                              message="cancelled while the case was checked")
        except BaseException:
            for evidence in opened:
                evidence.close()
            raise
        try:
            return self._run(case, opened, started)
        finally:
            for evidence in opened:
                evidence.close()
            case.close()

    def _run(self, case: CaseDatabase, opened: list[Evidence], started: float) -> RunSummary:
        options = self.options
        extractors = build_extractors(options)
        # Synced with the run's end, like the batches below.
        with case.deferred_sync():
            case.register_artefact_types(artefact_types().values())
            case.mark_interrupted_runs()
            if options.examiner:
                case.add_examiner(options.examiner)
            evidence_ids = [
                case.add_evidence(
                    str(Path(e.path).resolve()), e.format, e.size,
                    list(dict.fromkeys(str(Path(s).resolve()) for s in e.segments)),
                    _safe(e.media_info), _safe(e.stored_hashes), options.examiner,
                )
                for e in opened
            ]
            run_id = case.begin_run(options.profile, [x.NAME for x in extractors],
                                    options.examiner, evidence_ids, options.jobs)
        writer = BatchWriter(case)
        summary = RunSummary(run_id=run_id, status="running")
        status, message = "completed", None
        try:
            # The batches are not synced to disk one by one: finish_run's commit, after
            # this block, syncs them all (a crash before it leaves a consistent case whose
            # run shows as interrupted, or is missing if it had only just begun).
            with case.deferred_sync():
                try:
                    for evidence, evidence_id in zip(opened, evidence_ids, strict=True):
                        if self.cancel.is_set():
                            break
                        self._scan_evidence(case, writer, evidence, evidence_id, run_id,
                                            extractors, summary)
                    if self.cancel.is_set():
                        status = "cancelled"
                except (EvidenceError, OSError) as exc:
                    status, message = "failed", str(exc)
                    writer.warn({"run_id": run_id, "source": "engine",
                                 "message": f"run failed: {exc}"})
                except KeyboardInterrupt:
                    status, message = "cancelled", "interrupted"
                    raise
                except BaseException as exc:
                    status, message = "failed", f"internal error: {type(exc).__name__}: {exc}"
                    raise
                finally:
                    try:
                        writer.finish()
                    except BaseException as exc:
                        # The last batch is lost: the run must not read as completed.
                        status, message = "failed", f"writing the case failed: {exc}"
                        raise
        finally:
            summary.status = status
            summary.message = message
            summary.files = writer.file_count
            summary.deleted_files = writer.deleted_count
            summary.artefacts_by_type = dict(sorted(writer.artefacts_by_type.items()))
            summary.warnings = writer.warning_count
            summary.seconds = time.monotonic() - started
            case.finish_run(run_id, status, _summary_stats(summary), options.examiner)
            self.reporter.update(force=True, phase="done")
        return summary

    def _scan_evidence(self, case: CaseDatabase, writer: BatchWriter, evidence: Evidence,
                       evidence_id: int, run_id: int, extractors: list[Any],
                       summary: RunSummary) -> None:
        self.reporter.update(force=True, phase="opening", evidence=evidence.path)
        volumes = evidence.volumes()
        for message in evidence.volume_warnings:
            writer.warn({"run_id": run_id, "evidence_id": evidence_id, "volume_idx": None,
                         "source": "engine", "message": message})

        def media_warnings(volume_idx: int | None, found: str, force: bool = False) -> None:
            # This process reads the media too (tables, file systems, root directories).
            for damage in evidence.take_media_errors(force):
                writer.warn(media_warning(run_id, evidence_id, volume_idx, None, damage, found))

        media_warnings(None, "found while reading the partition table")
        filesystems: dict[int, Any] = {}
        for volume in volumes:
            record = {
                "index": volume.index, "start": volume.start, "length": volume.length,
                "kind": volume.kind, "description": volume.description, "scheme": volume.scheme,
            }
            filesystem = None
            if volume.kind in WALKABLE_KINDS:
                try:
                    filesystem = volume.open_filesystem()
                except FileSystemError as exc:
                    record["status"] = str(exc)
                    if volume.expects_no_file_system:
                        # Every Windows GPT disk has a Microsoft reserved partition.
                        record["status"] = "no file system (none expected in this partition type)"
                    else:
                        writer.warn({"run_id": run_id, "evidence_id": evidence_id,
                                     "volume_idx": volume.index, "source": "engine",
                                     "message": f"volume {volume.index}: {exc}"})
            if filesystem is not None:
                record["fs_type"] = filesystem.fs_type
                record["block_size"] = filesystem.block_size
            media_warnings(volume.index, "found while opening this volume's file system")
            case.upsert_volume(evidence_id, record)
            summary.volumes += 1
            if volume.kind in WALKABLE_KINDS:
                filesystems[volume.index] = filesystem
        walkable = [index for index, fs in filesystems.items() if fs is not None]
        jobs = [VolumeJob(evidence.path, index, evidence_id, run_id, self.options)
                for index in walkable]
        scan_unallocated = self.options.scans_unallocated and evidence.format != "folder"
        if self.cancel.is_set():
            return
        if self.options.isolate:
            roots = {}
            for number, job in enumerate(jobs):
                def walk_warn(message: str, path: str | None = None,
                              volume_idx: int = job.volume_index) -> None:
                    writer.warn({"run_id": run_id, "evidence_id": evidence_id,
                                 "volume_idx": volume_idx, "path": path,
                                 "source": "engine", "message": message})

                root = filesystems[job.volume_index].root_task(walk_warn)
                if root is not None:
                    roots[number] = root
            media_warnings(None, "found while opening the root directories", force=True)
            # The unallocated scan is one more task for the workers, done while they walk.
            unallocated = (UnallocatedTask(evidence_id, run_id, tuple(filesystems))
                           if scan_unallocated else None)
            if roots or unallocated:
                self.reporter.update(force=True, phase="walking", evidence=evidence.path)
                self._walk_in_workers(evidence.path, jobs, roots, unallocated, writer, summary)
        else:
            if jobs:
                self.reporter.update(force=True, phase="walking", evidence=evidence.path)
                processor = FileProcessor(extractors, self.options)
                for job in jobs:
                    media_errors = (evidence.take_media_errors if evidence.reports_media_errors
                                    else None)
                    for batch in iter_volume_batches(job, filesystems[job.volume_index],
                                                     processor, self.cancel.is_set,
                                                     media_errors):
                        self._write(writer, batch, summary)
            if scan_unallocated and not self.cancel.is_set():
                self._scan_unallocated(writer, evidence, evidence_id, run_id, extractors,
                                       filesystems, summary)
        media_warnings(None, "found during the scan", force=True)
        damaged = writer.damaged_spans(evidence_id)
        hit = damaged_volumes(volumes, filesystems, damaged)
        if hit and not self.cancel.is_set():
            writer.flush()  # the file rows the owners are looked up in
            self.reporter.update(force=True, phase="damage", evidence=evidence.path)
            for warning in damaged_file_warnings(
                case.iter_file_inodes(evidence_id, hit), filesystems, damaged, run_id,
                evidence_id, self.cancel.is_set, evidence.media_sector_size,
                writer.damage_causes(evidence_id),
            ):
                writer.warn(warning)

    def _scan_unallocated(self, writer: BatchWriter, evidence: Evidence, evidence_id: int,
                          run_id: int, extractors: list[Any], filesystems: dict[int, Any],
                          summary: RunSummary) -> None:
        """Scan free blocks, partition gaps and unreadable volumes with the byte detectors."""
        def progress(done: int, total: int) -> None:
            self.reporter.update(phase="unallocated", bytes_done=done, bytes_total=total,
                                 current_path=None, warnings=writer.warning_count,
                                 artefacts=sum(writer.artefacts_by_type.values()))

        scanner = UnallocatedScanner(evidence, extractors, evidence_id=evidence_id, run_id=run_id,
                                     cancel=self.cancel.is_set, progress=progress)
        self.reporter.update(force=True, phase="unallocated", bytes_done=0)
        started = time.perf_counter()
        scanned = 0
        for rows, bytes_done in scanner.scan(filesystems):
            scanned = bytes_done
            writer.add(None, rows)
            for warning in scanner.take_warnings():
                writer.warn(warning)
        for warning in scanner.take_warnings():
            writer.warn(warning)
        summary.unallocated_bytes += scanned
        summary.stage_seconds["unallocated"] = (
            summary.stage_seconds.get("unallocated", 0.0) + time.perf_counter() - started)

    # -- writing and progress --------------------------------------------------------
    def _write(self, writer: BatchWriter, batch: RowBatch, summary: RunSummary) -> None:
        writer.add_records(batch.files)
        for warning in batch.warnings:
            writer.warn(warning)
        summary.bytes_read += batch.bytes_read
        for stage, seconds in batch.timings.items():
            summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + seconds
        self.reporter.update(
            files_done=writer.file_count,
            bytes_done=summary.bytes_read,
            current_path=batch.last_path,
            warnings=writer.warning_count,
            artefacts=sum(writer.artefacts_by_type.values()),
        )

    def _walk_in_workers(self, evidence_path: str, jobs: list[VolumeJob], roots: dict[int, Any],
                         unallocated: UnallocatedTask | None, writer: BatchWriter,
                         summary: RunSummary) -> None:
        """Walk the file systems in worker processes that share out the directories.

        The unallocated-space scan, when asked for, is one more task: a worker takes it
        first while the others start the walk.

        The parent hands out one directory per task and decides which directories are
        entered, keeping per file system the paths each was entered under
        (:class:`DirectoryVisits`: loops, second paths, depth). A worker that
        dies takes only its current directory with it (a warning names it); the
        directories it held but had not begun go to the other workers. When no
        worker reports anything for ``stall_seconds`` (a hostile file system can make The
        Sleuth Kit loop inside C code, where no check can interrupt it), the rest of that
        evidence's walk is skipped with a warning and the run goes on.
        """
        context = _process_context()
        tasks = TaskChannel(context)
        shares = self.options.jobs
        results = ResultChannel(context)
        cancel = context.Event()
        shared_content = _shared_content_table(context) if shares > 1 else None
        workers: list[Any] = []
        evidence_id = unallocated.evidence_id if unallocated else jobs[0].evidence_id
        run_id = unallocated.run_id if unallocated else jobs[0].run_id

        def warn(message: str, volume_idx: int | None = None, path: str | None = None) -> None:
            writer.warn({"run_id": run_id, "evidence_id": evidence_id,
                         "volume_idx": volume_idx, "path": path, "source": "engine",
                         "message": message})

        visits = {number: DirectoryVisits(root) for number, root in roots.items()}
        outstanding = 0
        try:
            for share in range(shares):
                sender = results.new_sender()
                receiver = tasks.new_receiver()
                process = context.Process(
                    target=worker_main, daemon=True,
                    args=(share, shares, evidence_path, self.options, jobs, receiver, sender,
                          cancel, shared_content))
                try:
                    process.start()
                finally:
                    # The worker has its own copies; workers forked later must not inherit
                    # them.
                    sender.close()
                    receiver.close()
                workers.append(process)
        except BaseException:
            for process in workers:
                process.terminate()
            results.close()
            tasks.close()
            if shared_content is not None:
                shared_content.close()
            raise
        if unallocated is not None:
            tasks.put(unallocated, exclusive=True)
            outstanding += 1
        for number, root in roots.items():
            tasks.put(WalkTask(number, root))
            outstanding += 1
        in_flight: dict[int, str | None] = dict.fromkeys(range(shares))
        running = set(range(shares))
        stopping = False
        stalled = False
        scanned = 0
        last_message = time.monotonic()
        try:
            # Batches are written by a thread while this one keeps the workers busy.
            with writer.writing_in_background():
                while running:
                    for share in results.take_ended():
                        if share in running:  # gone without its "done": killed or crashed
                            running.discard(share)
                            workers[share].join(timeout=1)
                            outstanding -= self._lost_task(share, tasks, in_flight, warn,
                                                           workers[share].exitcode, stopping)
                    if not running:
                        break
                    if self.cancel.is_set() and not stopping:
                        cancel.set()
                        stopping = True
                        tasks.stop()
                    if outstanding == 0 and not stopping:
                        stopping = True
                        tasks.stop()
                    try:
                        message = results.get(timeout=0.2)
                    except queue_module.Empty:
                        silent = time.monotonic() - last_message
                        if silent > self.options.stall_seconds:
                            where = ", ".join(sorted(p for p in in_flight.values() if p)) or "the start"
                            warn(f"the walk stalled: no progress for {self.options.stall_seconds:.0f} s"
                                 f" while listing {where}; the rest of the walk was skipped")
                            stalled = True
                            break
                        # A worker that is gone shows as its pipe's end (take_ended above), once
                        # every message it sent has been read; its process ending can come
                        # first, and acting on that would count its last task twice.
                        continue
                    last_message = time.monotonic()
                    kind = message[0]
                    if kind == "rows":
                        share, batch = message[1], message[2]
                        # New tasks go out before the rows are written, so no worker waits.
                        for task in batch.directories:
                            volume_index = jobs[task.job].volume_index
                            if not visits[task.job].admit(
                                    task.directory,
                                    lambda message, path, v=volume_index: warn(message, v, path)):
                                continue
                            tasks.put(task)
                            outstanding += 1
                        for task in batch.splits:
                            tasks.put(task)
                            outstanding += 1
                        if batch.finished_task:
                            outstanding -= 1
                            in_flight[share] = None
                            tasks.finished(share)
                        self._write(writer, batch, summary)
                    elif kind == "unallocated":
                        share, rows, warnings, done, seconds = message[1:]
                        writer.add(None, rows)
                        for warning in warnings:
                            writer.warn(warning)
                        scanned = max(scanned, done)
                        if seconds is not None:
                            summary.stage_seconds["unallocated"] = (
                                summary.stage_seconds.get("unallocated", 0.0) + seconds)
                            outstanding -= 1
                            in_flight[share] = None
                            tasks.finished(share)
                    elif kind == "start":
                        in_flight[message[1]] = message[2]
                        tasks.begun(message[1])
                    elif kind == "return":
                        tasks.returned(message[1], message[2])
                    elif kind == "warn":
                        warn(message[1], message[2])
                    elif kind == "done":
                        share = message[1]
                        running.discard(share)
                        outstanding -= self._lost_task(share, tasks, in_flight, warn, None, stopping)
            if outstanding > 0 and not stalled and not self.cancel.is_set():
                warn(f"{outstanding} directories were not walked: the worker processes ended")
        finally:
            summary.unallocated_bytes += scanned
            cancel.set()
            # A worker waiting for its next task must be told: the end of its pipe never
            # shows, as every worker forked after it holds a copy of the sending end.
            tasks.stop()
            wind_down_workers(workers, results, WORKER_GRACE_SECONDS)
            tasks.close()
            results.close()
            if shared_content is not None:
                shared_content.close()

    @staticmethod
    def _lost_task(share: int, tasks: TaskChannel, in_flight: dict[int, str | None],
                   warn: Callable[..., None], exitcode: int | None, stopping: bool) -> int:
        """Account for a worker that ended: the tasks it had not begun go to the others;
        return 1 if the one it was working on was lost with it."""
        lost = tasks.ended(share)
        path = in_flight.get(share)
        in_flight[share] = None
        how = f" (exit code {exitcode})" if exitcode else ""
        if lost is None or path is None:
            if exitcode and not stopping:
                warn(f"worker process {share} ended{how}; the other workers took over its"
                     " directories")
            return 0
        warn(f"a worker process ended{how} while listing this directory; its entries may be"
             " missing", None, path)
        return 1


def wind_down_workers(workers: list[Any], results: ResultChannel, grace: float) -> list[int]:
    """Give the walk's workers up to ``grace`` seconds in all to end on their own, reading
    and dropping what they still send (as bytes: :meth:`ResultChannel.discard`), then
    terminate those still running; return their shares.

    A worker told to stop may be blocked sending a batch into its full pipe: unless the
    parent reads, it never sees the request. Joining the workers one after another
    without reading cost two seconds a worker after Ctrl-C before they were killed.
    """
    deadline = time.monotonic() + grace
    while any(process.is_alive() for process in workers):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        results.discard(min(0.05, left))
    terminated = []
    for share, process in enumerate(workers):
        if process.is_alive():
            process.terminate()
            terminated.append(share)
    for process in workers:
        process.join(timeout=2)
    return terminated


def resolved_path(path: str | Path) -> Path:
    """``path`` made absolute with its symbolic links followed; EvidenceError (one line)
    for a loop of links."""
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError) as error:  # RuntimeError: Python before 3.13
        raise EvidenceError(f"{path}: cannot follow its symbolic links ({error})") from error


def distinct_evidence(evidence_paths: list[str]) -> list[str]:
    """``evidence_paths`` without repeats of the same file or folder, in order."""
    seen: set[Path] = set()
    distinct = []
    for path in evidence_paths:
        resolved = resolved_path(path)
        if resolved not in seen:
            seen.add(resolved)
            distinct.append(path)
    return distinct


def check_case_outside_evidence(case_path: str | Path, evidence_paths: list[str]) -> None:
    """Raise EvidenceError when the case file would lie inside a folder being scanned:
    the scan would write into the evidence and record its own case as evidence."""
    resolved_path(case_path)  # a loop of links is one line here
    folder = inside_evidence_folder(case_path, evidence_paths)
    if folder is not None:
        raise EvidenceError(f"{folder}: the case file {case_path} lies inside this evidence"
                            " folder; keep the case outside the evidence")


def _shared_content_table(context: Any) -> SharedContentTable | None:
    """The workers' shared table of hard-linked content, or None when none can be made
    (each worker then keeps its own)."""
    try:
        return SharedContentTable.create(context)
    except (OSError, ValueError):
        return None


def _process_context() -> Any:
    """Return the multiprocessing context for the walk's workers.

    On Linux a process with no other thread forks its workers, which then start with
    every module already imported (spawning re-imports them all, most of a second); a
    process with threads (the GUI) spawns, since forking a threaded process can copy a
    lock another thread holds.
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _safe(getter: Any) -> dict[str, Any]:
    try:
        return dict(getter())
    except Exception:  # noqa: BLE001 (optional metadata)
        return {}


def _summary_stats(summary: RunSummary) -> dict[str, Any]:
    return {
        "volumes": summary.volumes,
        "files": summary.files,
        "deleted_files": summary.deleted_files,
        "bytes_read": summary.bytes_read,
        "unallocated_bytes": summary.unallocated_bytes,
        "stage_seconds": {k: round(v, 3) for k, v in sorted(summary.stage_seconds.items())},
        "artefacts_by_type": summary.artefacts_by_type,
        "warnings": summary.warnings,
        "seconds": round(summary.seconds, 3),
        "message": summary.message,
    }

"""The ingest engine: evidence → volumes → file systems → processed entries → case.

Qt-free. Progress and cancellation go through a plain callback and a
``threading.Event``, so the command line and the GUI drive the same engine.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.engine.batch_writer import BatchWriter
from triage.engine.file_processor import FileProcessor
from triage.engine.options import IngestOptions, Progress, RunSummary
from triage.engine.progress import ProgressReporter
from triage.engine.unallocated import UnallocatedScanner
from triage.engine.volume_walk import (
    RowBatch,
    VolumeJob,
    build_extractors,
    iter_volume_batches,
    worker_main,
)
from triage.evidence import Evidence, EvidenceError, FileSystemError, open_evidence
from triage.extractors import artefact_types

#: Volumes of these kinds hold a file system to walk.
WALKABLE_KINDS = ("partition", "whole")


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
        """Scan every evidence item into the case and return the run's summary."""
        started = time.monotonic()
        opened = [open_evidence(path) for path in evidence_paths]
        case = CaseDatabase.open(self.case_path)
        try:
            return self._run(case, opened, started)
        finally:
            for evidence in opened:
                evidence.close()
            case.close()

    def _run(self, case: CaseDatabase, opened: list[Evidence], started: float) -> RunSummary:
        options = self.options
        extractors = build_extractors(options)
        case.register_artefact_types(artefact_types().values())
        case.mark_interrupted_runs()
        if options.examiner:
            case.add_examiner(options.examiner)
        evidence_ids = [
            case.add_evidence(
                str(Path(e.path).resolve()) if e.format != "folder" else str(Path(e.path).resolve()),
                e.format, e.size, [str(s) for s in e.segments], _safe(e.media_info),
                _safe(e.stored_hashes), options.examiner,
            )
            for e in opened
        ]
        run_id = case.begin_run(
            options.profile, [x.NAME for x in extractors], options.examiner, evidence_ids, options.jobs
        )
        writer = BatchWriter(case)
        summary = RunSummary(run_id=run_id, status="running")
        status, message = "completed", None
        try:
            for evidence, evidence_id in zip(opened, evidence_ids, strict=True):
                if self.cancel.is_set():
                    break
                self._scan_evidence(case, writer, evidence, evidence_id, run_id, extractors, summary)
            if self.cancel.is_set():
                status = "cancelled"
        except (EvidenceError, OSError) as exc:
            status, message = "failed", str(exc)
            writer.warn({"run_id": run_id, "source": "engine", "message": f"run failed: {exc}"})
        finally:
            writer.flush()
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
                    writer.warn({"run_id": run_id, "evidence_id": evidence_id,
                                 "volume_idx": volume.index, "source": "engine",
                                 "message": f"volume {volume.index}: {exc}"})
            if filesystem is not None:
                record["fs_type"] = filesystem.fs_type
                record["block_size"] = filesystem.block_size
            case.upsert_volume(evidence_id, record)
            summary.volumes += 1
            if volume.kind in WALKABLE_KINDS:
                filesystems[volume.index] = filesystem
        walkable = [index for index, fs in filesystems.items() if fs is not None]
        if walkable and not self.cancel.is_set():
            self.reporter.update(force=True, phase="walking", evidence=evidence.path)
            jobs = [VolumeJob(evidence.path, index, evidence_id, run_id, self.options)
                    for index in walkable]
            if self.options.isolate:
                self._walk_in_workers(jobs, writer, summary)
            else:
                processor = FileProcessor(extractors, self.options)
                for job in jobs:
                    for batch in iter_volume_batches(job, filesystems[job.volume_index], processor,
                                                     self.cancel.is_set):
                        self._write(writer, batch, summary)
        if self.options.scans_unallocated and evidence.format != "folder" and not self.cancel.is_set():
            self._scan_unallocated(writer, evidence, evidence_id, run_id, extractors, filesystems,
                                   summary)

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
        for row, artefacts in batch.files:
            writer.add(row, artefacts)
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

    def _walk_in_workers(self, jobs: list[VolumeJob], writer: BatchWriter,
                         summary: RunSummary) -> None:
        """Walk the volumes in worker processes, each taking every N-th entry.

        A worker that reports nothing for ``stall_seconds`` (a hostile file system can make
        The Sleuth Kit loop inside C code, where no check can interrupt it) is stopped; the
        rest of that evidence's walk is skipped with a warning and the run goes on.
        """
        context = multiprocessing.get_context("spawn")
        rows: Any = context.Queue(maxsize=64)
        cancel = context.Event()
        shares = self.options.jobs
        workers = [
            context.Process(
                target=worker_main,
                args=([VolumeJob(j.evidence_path, j.volume_index, j.evidence_id, j.run_id,
                                 j.options, share, shares) for j in jobs], rows, cancel),
                daemon=True,
            )
            for share in range(shares)
        ]
        for process in workers:
            process.start()
        first = jobs[0]

        def warn(message: str, volume_idx: int | None = None) -> None:
            writer.warn({"run_id": first.run_id, "evidence_id": first.evidence_id,
                         "volume_idx": volume_idx, "source": "engine", "message": message})

        remaining = len(workers)
        last_message = time.monotonic()
        last_path: str | None = None
        try:
            while remaining:
                if self.cancel.is_set():
                    cancel.set()
                try:
                    message = rows.get(timeout=0.2)
                except queue_module.Empty:
                    if time.monotonic() - last_message > self.options.stall_seconds:
                        warn(f"the walk stalled: no progress for {self.options.stall_seconds:.0f} s"
                             f" after {last_path or 'the start'}; the rest of the walk was skipped")
                        break
                    if not any(p.is_alive() for p in workers):
                        warn("a worker process ended without reporting")
                        break
                    continue
                last_message = time.monotonic()
                kind = message[0]
                if kind == "rows":
                    self._write(writer, message[1], summary)
                    last_path = message[1].last_path or last_path
                elif kind == "beat":
                    continue
                elif kind == "warn":
                    warn(message[1], message[2])
                else:
                    remaining -= 1
        finally:
            cancel.set()
            for process in workers:
                process.join(timeout=2)
                if process.is_alive():
                    process.terminate()
                    process.join(timeout=2)


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

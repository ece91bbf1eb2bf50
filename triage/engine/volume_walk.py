"""Walk one file system and process a share of its entries (in this process or a worker).

With ``--jobs N`` each of N worker processes opens the evidence itself (pytsk3 objects do
not cross processes), walks the same file system in the same deterministic order and
processes every N-th entry, so the work is split without any shared state; the parent
only writes the rows the workers send through a bounded queue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from triage.engine.context import FileSystemContext
from triage.engine.file_processor import FileProcessor
from triage.engine.options import IngestOptions
from triage.engine.rows import result_rows
from triage.extractors import artefact_types, extractor_classes
from triage.extractors.interface import Extractor

ROWS_PER_MESSAGE = 256
#: A batch also leaves after this long, so results show in the GUI while a scan runs.
SECONDS_PER_MESSAGE = 0.5
#: While one large file is read, a worker says it is alive this often.
HEARTBEAT_SECONDS = 5.0


@dataclass
class VolumeJob:
    """What a worker needs to redo a volume's walk on its own: plain, picklable values."""

    evidence_path: str
    volume_index: int
    evidence_id: int
    run_id: int
    options: IngestOptions
    share: int = 0
    shares: int = 1


@dataclass
class RowBatch:
    """Rows of processed entries plus warnings, as sent from a worker to the writer."""

    files: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    bytes_read: int = 0
    last_path: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


def build_extractors(options: IngestOptions) -> list[Extractor]:
    """Instantiate the extractors a run uses."""
    extractor_options = {"include_invalid": options.include_invalid, "profile": options.profile}
    return [cls(extractor_options) for cls in extractor_classes(options.extractors, options.profile)]


def iter_volume_batches(
    job: VolumeJob,
    filesystem: Any,
    processor: FileProcessor,
    cancel: Callable[[], bool],
) -> Iterator[RowBatch]:
    """Walk ``filesystem`` and yield batches of rows for this job's share of the entries."""
    types = artefact_types()
    batch = RowBatch()

    def warn(message: str, path: str | None = None) -> None:
        batch.warnings.append({
            "run_id": job.run_id, "evidence_id": job.evidence_id, "volume_idx": job.volume_index,
            "path": path, "source": "engine", "message": message,
        })

    def walk_warn(message: str, path: str | None = None) -> None:
        # Every share walks the whole tree; only the first reports walk problems once.
        if job.share == 0:
            warn(message, path)

    cancel_event = _CallableEvent(cancel)
    sent = time.monotonic()
    ctx = FileSystemContext(filesystem, warn, cancel_event)
    for index, entry in enumerate(filesystem.walk(walk_warn)):
        if index % job.shares != job.share:
            continue
        if cancel():
            break
        result = processor.process(entry, ctx)
        row, artefacts = result_rows(
            result, types, evidence_id=job.evidence_id, volume_idx=job.volume_index,
            run_id=job.run_id,
        )
        batch.files.append((row, artefacts))
        batch.bytes_read += result.bytes_read
        batch.last_path = row["path"]
        now = time.monotonic()
        if len(batch.files) >= ROWS_PER_MESSAGE or now - sent >= SECONDS_PER_MESSAGE:
            yield batch
            batch = RowBatch()
            sent = now
    batch.timings = processor.take_timings()
    yield batch


class _CallableEvent(threading.Event):
    """A threading.Event view over a cancel predicate (for the extraction context)."""

    def __init__(self, predicate: Callable[[], bool]) -> None:
        super().__init__()
        self._predicate = predicate

    def is_set(self) -> bool:  # noqa: D102
        return self._predicate()


def worker_main(jobs: list[VolumeJob], queue: Any, cancel: Any) -> None:
    """Entry point of a worker process: open the evidence once, walk each volume's share."""
    from triage.evidence import EvidenceError, open_evidence

    try:
        evidence = open_evidence(jobs[0].evidence_path)
        volumes = evidence.volumes()
        last_beat = [time.monotonic()]

        def heartbeat() -> None:
            now = time.monotonic()
            if now - last_beat[0] >= HEARTBEAT_SECONDS:
                last_beat[0] = now
                queue.put(("beat", jobs[0].share))

        processor = FileProcessor(build_extractors(jobs[0].options), jobs[0].options,
                                  heartbeat=heartbeat)
        for job in jobs:
            if cancel.is_set():
                break
            try:
                filesystem = volumes[job.volume_index].open_filesystem()
                for batch in iter_volume_batches(job, filesystem, processor, cancel.is_set):
                    queue.put(("rows", batch))
            except EvidenceError as exc:
                if job.share == 0:
                    queue.put(("warn", f"volume {job.volume_index}: {exc}", job.volume_index))
    except EvidenceError as exc:
        if jobs[0].share == 0:
            queue.put(("warn", str(exc), None))
    except BaseException as exc:  # noqa: BLE001 (report, never hang the parent)
        queue.put(("warn", f"worker failed: {type(exc).__name__}: {exc}", None))
    finally:
        queue.put(("done", jobs[0].share))

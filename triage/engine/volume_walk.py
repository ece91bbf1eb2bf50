"""Walk file systems and process their entries, in this process or in worker processes.

In this process, :func:`iter_volume_batches` walks one file system depth-first. With
worker processes, the walk is split by directory: the parent hands out
:class:`WalkTask` items (one directory each) through each worker's task pipe, a worker lists the
directory, processes its entries and sends back their rows together with the
subdirectories it found, which become new tasks. Every directory is listed by one
worker (once per path that reaches it, as in a walk in this process), so the workers
share the walk as well as the content work, and the parent gives the next
directory to whichever worker holds the least. A directory with very many entries is split into interleaved parts
that several workers process. Each worker opens the evidence itself (pytsk3 objects do
not cross processes); the parent only writes rows and decides which directories are
entered (:class:`~triage.evidence.filesystem.DirectoryVisits`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from triage.casedb import file_record
from triage.engine.batch_writer import media_warning
from triage.engine.context import FileSystemContext
from triage.engine.file_processor import FileProcessor
from triage.engine.options import IngestOptions
from triage.engine.rows import result_rows
from triage.engine.shared_content import SharedContentTable
from triage.evidence.ewf_checksum import MediaDamage
from triage.evidence.filesystem import DirectoryTask
from triage.extractors import artefact_types, extractor_classes
from triage.extractors.interface import Extractor

ROWS_PER_MESSAGE = 256
#: A batch also leaves after this long, so results show in the GUI while a scan runs.
SECONDS_PER_MESSAGE = 0.5
#: While one large file is read, a worker says it is alive this often.
HEARTBEAT_SECONDS = 5.0
#: A worker this long on one task hands back the tasks queued behind it (to idle workers).
GIVE_BACK_AFTER = 0.25
#: Before an entry this large, subdirectories found so far are sent (other workers can
#: list them while this one reads it).
LARGE_ENTRY = 16 * 1024 * 1024
#: prctl option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Entries of one directory after which the rest of it is shared among the workers.
SPLIT_AFTER = 1024
#: How a damaged media range was met: the warning's path is the directory, or the file.
LISTING_READ = ("found while listing this directory or opening its file system (metadata;"
                " `ifind -d` names the owner)")
CONTENT_READ = ("first met while reading this file (other files may share the damaged"
                " range; `ifind -d` names them)")


@dataclass
class VolumeJob:
    """One file system to walk: plain, picklable values a worker can act on."""

    evidence_path: str
    volume_index: int
    evidence_id: int
    run_id: int
    options: IngestOptions


@dataclass(frozen=True)
class WalkTask:
    """One directory of one job's file system (or one interleaved part of it)."""

    job: int
    directory: DirectoryTask
    part: int = 0
    parts: int = 1


@dataclass(frozen=True)
class UnallocatedTask:
    """Scan the unallocated space of one evidence item (all its volumes)."""

    evidence_id: int
    run_id: int
    #: Volumes that hold a file system to open (the others are scanned whole).
    volume_indexes: tuple[int, ...]


@dataclass
class RowBatch:
    """Rows of processed entries plus warnings, as sent from a worker to the writer.

    ``directories`` are the subdirectories found (tasks to hand out), ``splits`` the
    other parts of a directory too large for one worker, and ``finished_task`` marks
    the last batch of a task.
    """

    #: ``(file record, artefact rows)``: records in the case's FILE_COLUMNS order.
    files: list[tuple[tuple[Any, ...], list[dict[str, Any]]]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    bytes_read: int = 0
    last_path: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    directories: list[WalkTask] = field(default_factory=list)
    splits: list[WalkTask] = field(default_factory=list)
    finished_task: bool = False

    def due(self, since: float) -> bool:
        """True when the batch is big or old enough to send."""
        return (
            len(self.files) >= ROWS_PER_MESSAGE
            or bool(self.splits)
            or time.monotonic() - since >= SECONDS_PER_MESSAGE
        )


def build_extractors(options: IngestOptions) -> list[Extractor]:
    """Instantiate the extractors a run uses."""
    extractor_options = {"include_invalid": options.include_invalid, "profile": options.profile}
    return [cls(extractor_options) for cls in extractor_classes(options.extractors, options.profile)]


class _EntrySink:
    """Turns processed entries of one job into rows and warnings on the current batch.

    ``media_errors`` (the evidence's :meth:`~triage.evidence.Evidence.take_media_errors`,
    when it can tell) names damaged media read since it was last asked; each is warned
    about with the entry whose processing read it.
    """

    def __init__(self, job: VolumeJob, filesystem: Any, processor: FileProcessor,
                 cancel: Callable[[], bool],
                 media_errors: Callable[[], list[MediaDamage]] | None = None) -> None:
        self.job = job
        self.processor = processor
        self.types = artefact_types()
        self.batch = RowBatch()
        self.ctx = FileSystemContext(filesystem, self.warn, _CallableEvent(cancel))
        self.media_errors = media_errors

    def warn(self, message: str, path: str | None = None, source: str = "engine") -> None:
        self.batch.warnings.append({
            "run_id": self.job.run_id, "evidence_id": self.job.evidence_id,
            "volume_idx": self.job.volume_index, "path": path, "source": source,
            "message": message,
        })

    def check_media(self, path: str | None, found: str = LISTING_READ) -> None:
        """Warn about damaged media read since the last check, naming ``path``."""
        if self.media_errors is not None:
            job = self.job
            for damage in self.media_errors():
                self.batch.warnings.append(media_warning(
                    job.run_id, job.evidence_id, job.volume_index, path, damage, found))

    def add(self, entry: Any) -> None:
        if self.media_errors is not None:
            self.check_media(entry.path.rsplit("/", 1)[0] or "/")
        result = self.processor.process(entry, self.ctx)
        row, artefacts = result_rows(
            result, self.types, evidence_id=self.job.evidence_id,
            volume_idx=self.job.volume_index, run_id=self.job.run_id,
        )
        batch = self.batch
        batch.files.append((file_record(row), artefacts))
        batch.bytes_read += result.bytes_read
        batch.last_path = row["path"]
        if self.media_errors is not None:
            self.check_media(row["path"], CONTENT_READ)

    def take(self) -> RowBatch:
        batch, self.batch = self.batch, RowBatch()
        return batch


def iter_volume_batches(
    job: VolumeJob,
    filesystem: Any,
    processor: FileProcessor,
    cancel: Callable[[], bool],
    media_errors: Callable[[], list[MediaDamage]] | None = None,
) -> Iterator[RowBatch]:
    """Walk ``filesystem`` in this process and yield batches of rows of every entry."""
    sink = _EntrySink(job, filesystem, processor, cancel, media_errors)
    sent = time.monotonic()
    for entry in filesystem.walk(sink.warn):
        if cancel():
            break
        sink.add(entry)
        if sink.batch.due(sent):
            yield sink.take()
            sent = time.monotonic()
    sink.check_media(None)
    batch = sink.take()
    batch.timings = processor.take_timings()
    yield batch


def iter_task_batches(
    task: WalkTask,
    job: VolumeJob,
    filesystem: Any,
    processor: FileProcessor,
    cancel: Callable[[], bool],
    workers: int,
    media_errors: Callable[[], list[MediaDamage]] | None = None,
) -> Iterator[RowBatch]:
    """List one directory (or this task's part of it) and yield batches of its rows.

    Part ``p`` of ``n`` takes the entries after :data:`SPLIT_AFTER` whose position
    counted from there is ``p`` modulo ``n``; part 0 also takes the first entries and
    reports the listing's own warnings, so nothing is processed or reported twice.
    """
    sink = _EntrySink(job, filesystem, processor, cancel, media_errors)
    part, parts = task.part, task.parts
    listing_warn = sink.warn if part == 0 else _ignore
    sent = time.monotonic()
    for index, (entry, subdirectory) in enumerate(
        filesystem.list_directory(task.directory, listing_warn)
    ):
        if cancel():
            break
        if index >= SPLIT_AFTER:
            if parts == 1 and workers > 1:
                parts = workers
                sink.batch.splits = [WalkTask(task.job, task.directory, other, parts)
                                     for other in range(1, parts)]
            if (index - SPLIT_AFTER) % parts != part:
                continue
        elif part != 0:
            continue
        if sink.batch.directories and entry.size >= LARGE_ENTRY:
            yield sink.take()
            sent = time.monotonic()
        sink.add(entry)
        if subdirectory is not None:
            sink.batch.directories.append(WalkTask(task.job, subdirectory))
        if sink.batch.due(sent):
            yield sink.take()
            sent = time.monotonic()
    sink.check_media(task.directory.path)
    batch = sink.take()
    batch.timings = processor.take_timings()
    batch.finished_task = True
    yield batch


def _ignore(message: str, path: str | None = None) -> None:
    """Drop a warning another part of the same directory reports."""


class _CallableEvent(threading.Event):
    """A threading.Event view over a cancel predicate (for the extraction context)."""

    def __init__(self, predicate: Callable[[], bool]) -> None:
        super().__init__()
        self._predicate = predicate

    def is_set(self) -> bool:  # noqa: D102
        return self._predicate()


class _ParentGone(Exception):
    """The parent's end of the results pipe is closed: nobody reads any more."""


def worker_main(share: int, workers: int, evidence_path: str, options: IngestOptions,
                jobs: list[VolumeJob], tasks: Any, results: Any, cancel: Any,
                shared_content: SharedContentTable | None = None) -> None:
    """Entry point of a worker process: take tasks until told to stop.

    ``tasks`` is this worker's reading end of its task pipe from the parent
    (:class:`~triage.engine.task_channel.TaskChannel`), ``results`` its sending end of its pipe to the parent
    (:class:`~triage.engine.result_channel.ResultChannel`). Messages to the parent:
    ``("start", share, path)`` when a task begins, ``("rows", share, batch)``,
    ``("unallocated", share, rows, warnings, bytes done, seconds or None until the scan
    ends)``, ``("beat", share)`` while a large file streams, ``("return", share, task)``
    for a task it held unread behind a long one, ``("warn", message, volume index)`` and
    finally ``("done", share)``.
    """
    from triage.evidence import EvidenceError, FileSystemError, open_evidence

    _die_with_parent()
    _leave_stopping_to_the_parent()

    def say(message: tuple[Any, ...]) -> None:
        try:
            results.send(message)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _ParentGone from exc

    last_beat = [time.monotonic()]
    task_started = [time.monotonic()]
    stop_asked = [False]

    def give_back() -> None:
        """Hand back the tasks queued behind this one once it has taken a while."""
        if time.monotonic() - task_started[0] < GIVE_BACK_AFTER:
            return
        try:
            while not stop_asked[0] and tasks.poll(0):
                queued = tasks.recv()
                if queued is None:
                    stop_asked[0] = True  # stop after this task, as the loop would
                else:
                    say(("return", share, queued))
        except (EOFError, OSError):
            stop_asked[0] = True

    def heartbeat() -> None:
        give_back()
        now = time.monotonic()
        if now - last_beat[0] >= HEARTBEAT_SECONDS:
            last_beat[0] = now
            say(("beat", share))

    try:
        evidence = open_evidence(evidence_path)
        media_errors = evidence.take_media_errors if evidence.reports_media_errors else None
        volumes = evidence.volumes()
        processor = FileProcessor(build_extractors(options), options, heartbeat=heartbeat,
                                  shared_content=shared_content)
        filesystems: dict[int, Any] = {}

        def filesystem_of(volume_index: int) -> Any:
            if volume_index not in filesystems:
                try:
                    filesystems[volume_index] = volumes[volume_index].open_filesystem()
                except (EvidenceError, FileSystemError, IndexError):
                    filesystems[volume_index] = None
            return filesystems[volume_index]

        while not stop_asked[0]:
            try:
                task = tasks.recv()
            except EOFError:  # the parent closed its end: nothing more will come
                break
            if task is None or cancel.is_set():
                break
            task_started[0] = time.monotonic()
            if isinstance(task, UnallocatedTask):
                say(("start", share, "unallocated space"))
                _scan_unallocated(task, evidence, processor, filesystem_of, say, share,
                                  cancel.is_set)
                continue
            job = jobs[task.job]
            say(("start", share, task.directory.path))
            filesystem = filesystem_of(job.volume_index)
            if filesystem is None:
                say(("warn", f"volume {job.volume_index}: no longer readable",
                     job.volume_index))
                say(("rows", share, RowBatch(finished_task=True)))
                continue
            for batch in iter_task_batches(task, job, filesystem, processor, cancel.is_set,
                                           workers, media_errors):
                if not batch.finished_task:
                    give_back()
                say(("rows", share, batch))
        _say_media_errors(evidence, jobs, say, share)
    except _ParentGone:
        return
    except EvidenceError as exc:
        _say_last(results, ("warn", f"worker {share}: {exc}", None))
    except BaseException as exc:  # noqa: BLE001 (report, never hang the parent)
        _say_last(results, ("warn", f"worker failed: {type(exc).__name__}: {exc}", None))
    _say_last(results, ("done", share))


def _say_media_errors(evidence: Any, jobs: list[VolumeJob],
                      say: Callable[[tuple[Any, ...]], None], share: int) -> None:
    """Send what this worker's handle found damaged and had not said yet (libewf merges
    ranges, so a last full look is taken)."""
    damaged = evidence.take_media_errors(force=True)
    if damaged and jobs:
        job = jobs[0]
        warnings = [media_warning(job.run_id, job.evidence_id, None, None, damage,
                                  f"found by worker {share}") for damage in damaged]
        say(("rows", share, RowBatch(warnings=warnings)))


def _leave_stopping_to_the_parent() -> None:
    """Ignore Ctrl-C (a terminal sends SIGINT to the whole group; the parent stops the
    workers through ``cancel``) and die quietly on SIGTERM (how the parent ends a worker).

    A forked worker inherits the command line's SIGTERM handler, which raises
    KeyboardInterrupt: a worker ended that way printed tracebacks while it said goodbye.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _die_with_parent() -> None:
    """Have Linux kill this worker when the scanning process dies (kill -9, the OOM
    killer, a crash): an orphan would go on holding the evidence and the case open."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)  # the parent died before the request took effect


def _say_last(results: Any, message: tuple[Any, ...]) -> None:
    """Send a closing message; a parent that stopped reading is no reason to fail."""
    try:
        results.send(message)
    except (OSError, ValueError):
        pass


def _scan_unallocated(task: UnallocatedTask, evidence: Any, processor: FileProcessor,
                      filesystem_of: Callable[[int], Any],
                      say: Callable[[tuple[Any, ...]], None], share: int,
                      cancel: Callable[[], bool]) -> None:
    """Run the unallocated-space scan in this worker, sending its rows as they come."""
    from triage.engine.unallocated import UnallocatedScanner

    started = time.perf_counter()
    scanner = UnallocatedScanner(evidence, processor.extractors, evidence_id=task.evidence_id,
                                 run_id=task.run_id, cancel=cancel)
    done = 0
    try:
        for rows, done in scanner.scan({index: filesystem_of(index)
                                        for index in task.volume_indexes}):
            say(("unallocated", share, rows, scanner.take_warnings(), done, None))
    except _ParentGone:
        raise
    except Exception as exc:  # noqa: BLE001 (the walk's directories still need this worker)
        scanner.warn(f"the unallocated-space scan stopped after {done} bytes:"
                     f" {type(exc).__name__}: {exc}")
    finally:
        say(("unallocated", share, [], scanner.take_warnings(), done,
             time.perf_counter() - started))

"""Collect rows and write them to the case in atomic batches."""

from __future__ import annotations

import _thread
import collections
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from triage.casedb import FILE_RECORD_DELETED, CaseDatabase, file_record
from triage.evidence.byte_ranges import add_span, subtract_spans
from triage.evidence.ewf_checksum import MediaDamage

BATCH_FILES = 5000
BATCH_SECONDS = 0.5
#: Batches that may wait for the writer thread while it writes one (see
#: :meth:`BatchWriter.writing_in_background`).
BACKGROUND_DEPTH = 2
#: Warnings' ``source`` for damaged media: every worker reads the media through its own
#: handle, so the same damaged bytes can be reported by several (whole by one, in pieces
#: by another); each byte is recorded once.
MEDIA_SOURCE = "media"
#: What CaseDatabase.link_artefacts_by_path reads of an artefact.
_LINK_KEYS = ("evidence_id", "identity", "volume_idx", "file_path")


class BatchWriter:
    """Buffers file, artefact and warning rows and flushes them in one transaction each time.

    A batch is flushed when it holds ``BATCH_FILES`` files or is ``BATCH_SECONDS`` old, so
    a reader (the GUI) sees results appear while the scan runs, and a scan killed at any
    moment leaves whole batches only.
    """

    def __init__(self, case: CaseDatabase) -> None:
        self.case = case
        self.files: list[tuple[Any, ...]] = []
        self.artefacts: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.artefacts_by_type: Counter[str] = Counter()
        #: Keys of artefacts naming their file by path, linked again by :meth:`finish`
        #: (only the four fields the link needs, so a long run holds little).
        self.named_by_path: list[dict[str, Any]] = []
        self.warning_count = 0
        self.file_count = 0
        self.deleted_count = 0
        #: Damaged bytes recorded so far, per evidence item (sorted, merged spans).
        self._media_covered: dict[Any, list[tuple[int, int]]] = {}
        #: What damaged it (:attr:`MediaDamage.cause`), per evidence item.
        self._media_causes: dict[Any, set[str]] = {}
        self._started = time.monotonic()
        self._background: _BackgroundWrites | None = None

    @contextmanager
    def writing_in_background(self) -> Iterator[None]:
        """Within the block, each flushed batch is written by a thread of its own.

        The walk's parent hands out directories and reads the workers' rows; while it
        wrote a batch (a tenth of a second every half second on the benchmark image) the
        workers ran out of directories and stalled with it. Batches are still written
        whole, one transaction each, in the order they were flushed; at most
        :data:`BACKGROUND_DEPTH` wait, so memory stays bounded. The block ends once every
        batch is written; a failed write is raised at the next flush or at the block's
        end, and its batch and every later one are given back to this writer unwritten
        (a later flush, the run's :meth:`finish`, tries them again, as after a failed
        write in the caller's thread). Within the block only this writer may use the
        case, and no process may be forked (the thread may hold SQLite's locks).
        """
        background = _BackgroundWrites(self.case)
        self._background = background
        try:
            try:
                yield
                background.close()
            except BaseException:
                background.close(raise_error=False)
                raise
        finally:
            # Again (it returns at once when done): an interruption between the block's
            # end and the first close must not leave the thread writing.
            background.close(raise_error=False)
            self._background = None
            self._take_back(background.unwritten)

    def _take_back(self, batches: list[tuple[list[Any], list[Any], list[Any]]]) -> None:
        """Put batches the thread did not write back in front of what is queued, in
        order: a later :meth:`flush` (the run's :meth:`finish`) tries them again, as a
        write in this thread that fails leaves its batch queued."""
        if not batches:
            return
        files = [row for files, _, _ in batches for row in files] + self.files
        artefacts = [row for _, artefacts, _ in batches for row in artefacts] + self.artefacts
        warnings = [row for _, _, warnings in batches for row in warnings] + self.warnings
        self.files, self.artefacts, self.warnings = files, artefacts, warnings
        batches.clear()  # given back once, even if this is called again

    def add(self, file_row: dict[str, Any] | tuple[Any, ...] | None,
            artefacts: list[dict[str, Any]]) -> None:
        """Queue one file (a row dict, its :func:`file_record`, or None) and its artefacts."""
        if file_row is not None:
            record = file_row if isinstance(file_row, tuple) else file_record(file_row)
            self.files.append(record)
            self.file_count += 1
            self.deleted_count += bool(record[FILE_RECORD_DELETED])
        if artefacts:
            self._add_artefacts(artefacts)
        self._maybe_flush()

    def add_records(self, files: list[tuple[tuple[Any, ...], list[dict[str, Any]]]]) -> None:
        """Queue many ``(file record, artefacts)`` pairs, as a worker's batch brings them."""
        for record, artefacts in files:
            self.files.append(record)
            if record[FILE_RECORD_DELETED]:
                self.deleted_count += 1
            if artefacts:
                self._add_artefacts(artefacts)
        self.file_count += len(files)
        self._maybe_flush()

    def _add_artefacts(self, artefacts: list[dict[str, Any]]) -> None:
        for artefact in artefacts:
            self.artefacts.append(artefact)
            self.artefacts_by_type[artefact["type"]] += 1
            if artefact.get("file_path") and artefact.get("file_id") is None:
                self.named_by_path.append({key: artefact.get(key) for key in _LINK_KEYS})

    def warn(self, warning: dict[str, Any]) -> None:
        """Queue one warning row (of damaged media, only the bytes not recorded yet)."""
        damage = warning.get("damage")
        if damage is not None:
            self._warn_damage(warning, damage)
            return
        self.warnings.append(warning)
        self.warning_count += 1
        self._maybe_flush()

    def damaged_spans(self, evidence_id: int) -> list[tuple[int, int]]:
        """The damaged media recorded for one evidence item: sorted ``[start, end)``."""
        return list(self._media_covered.get(evidence_id, []))

    def damage_causes(self, evidence_id: int) -> set[str]:
        """The causes (:attr:`MediaDamage.cause`) of the damage recorded for one item."""
        return set(self._media_causes.get(evidence_id, ()))

    def _warn_damage(self, warning: dict[str, Any], damage: MediaDamage) -> None:
        covered = self._media_covered.setdefault(warning.get("evidence_id"), [])
        self._media_causes.setdefault(warning.get("evidence_id"), set()).add(damage.cause)
        end = damage.offset + damage.length
        for first, stop in subtract_spans(damage.offset, end, covered):
            piece = MediaDamage(first, stop - first, damage.sector_size, damage.cause)
            self.warnings.append({**warning, "damage": None,
                                  "message": f"{piece.describe()}; {warning['found']}"})
            self.warning_count += 1
            add_span(covered, first, stop)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.files) >= BATCH_FILES or time.monotonic() - self._started >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write everything queued in one transaction."""
        if self.files or self.artefacts or self.warnings:
            if self._background is not None:
                self._background.submit(self.files, self.artefacts, self.warnings)
            else:
                self.case.write_batch(self.files, self.artefacts, self.warnings)
        self.files, self.artefacts, self.warnings = [], [], []
        self._started = time.monotonic()

    def finish(self) -> None:
        """Write what is queued, then link artefacts written before the files they name."""
        self.flush()
        if self.named_by_path:
            self.case.link_artefacts_by_path(self.named_by_path)
            self.named_by_path = []


#: Signals held back while the caller waits for the writer thread; faults never are.
_HELD_SIGNALS = frozenset(signal.valid_signals()) - {
    getattr(signal, name) for name in (
        "SIGKILL", "SIGSTOP", "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGTRAP", "SIGSYS",
        "SIGABRT") if hasattr(signal, name)}


def _signal_mask() -> Any:
    """This thread's signal mask, to restore later (None where threads cannot mask)."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, ())


def _hold_signals() -> None:
    """Hold :data:`_HELD_SIGNALS` back from this thread (where threads can mask them)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)


class _BackgroundWrites:
    """One thread that writes the batches handed to it, in order (see
    :meth:`BatchWriter.writing_in_background`).

    The caller's side waits only on C-level locks and ``time.sleep``: a signal handler
    that raises (Ctrl+C, the command line's SIGTERM) in the middle of Python's
    Condition.wait could leave its lock held ("release unlocked lock") or the queue's
    lock taken for good, so queue.Queue and threading.Event are not used here. Such an
    exception between two steps leaves each batch either queued or still the caller's
    (at worst both: the case writes a batch twice as it would once, rows are keyed).
    """

    def __init__(self, case: CaseDatabase) -> None:
        self._case = case
        self._pending: collections.deque[tuple[list[Any], list[Any], list[Any]]] = (
            collections.deque())
        self._error: BaseException | None = None
        self._closing = False
        #: The batch whose write failed and those queued after it, in order.
        self.unwritten: list[tuple[list[Any], list[Any], list[Any]]] = []
        #: Held while the thread runs; released as it ends.
        self._running = _thread.allocate_lock()
        self._running.acquire()
        #: Released to wake the thread when a batch or the end comes.
        self._bell = _thread.allocate_lock()
        self._bell.acquire()
        self._thread = threading.Thread(target=self._write_all, name="case-writer", daemon=True)
        try:
            self._thread.start()
        except BaseException:
            # Interrupted while starting, perhaps after the thread began: let it end.
            self._closing = True
            self._ring()
            raise

    def submit(self, files: list[Any], artefacts: list[Any], warnings: list[Any]) -> None:
        """Queue one batch (waiting while :data:`BACKGROUND_DEPTH` wait); raise the error
        of a failed earlier write."""
        while (len(self._pending) >= BACKGROUND_DEPTH and self._error is None
               and self._running.locked()):
            time.sleep(0.002)
        if self._error is not None:
            raise self._error
        self._pending.append((files, artefacts, warnings))
        self._ring()

    def close(self, raise_error: bool = True) -> None:
        """Wait until every queued batch is written (or, after a failure, set aside in
        :attr:`unwritten`); raise a failed write's error.

        It returns only once the thread has ended, even when interrupted meanwhile (a
        second Ctrl+C, a SIGTERM): the caller goes on to use the case's connection, which
        the thread must no longer be writing with. The interruption is raised then.
        """
        interrupted: BaseException | None = None
        self._closing = True
        # Signals are held back from this thread meanwhile (the writer thread holds them
        # back too), so no handler can raise where no try catches it (a loop's jump back
        # runs pending handlers); only one that came just before can, and is caught.
        previous = _signal_mask()
        try:
            _hold_signals()
            while True:  # the jump back runs only after an interruption was caught
                try:
                    while self._running.locked():
                        # Polled, not acquired: an exception between taking the lock and
                        # giving it back would leave this thread waiting for itself.
                        self._ring()
                        time.sleep(0.01)
                    break
                except BaseException as exc:  # noqa: BLE001 (raised once the thread is done)
                    interrupted = interrupted or exc
        finally:
            if previous is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if interrupted is not None:
            raise interrupted
        if self._error is not None and raise_error:
            raise self._error

    def _ring(self) -> None:
        if self._bell.locked():
            try:
                self._bell.release()
            except RuntimeError:  # the thread took it meanwhile
                pass

    def _write_all(self) -> None:
        try:
            _hold_signals()  # the process's signals go to the caller's thread
            while True:
                if self._pending:
                    self._write(self._pending.popleft())
                elif self._closing:
                    return
                else:
                    self._bell.acquire(timeout=0.05)
        except BaseException as exc:  # noqa: BLE001 (raised in the caller's thread)
            if self._error is None:
                self._error = exc
        finally:
            # Whatever is still queued goes back to the caller, unwritten.
            while self._pending:
                self.unwritten.append(self._pending.popleft())
            self._running.release()

    def _write(self, batch: tuple[list[Any], list[Any], list[Any]]) -> None:
        if self._error is not None:
            self.unwritten.append(batch)  # after a failed write, later batches wait too
            return
        try:
            self._case.write_batch(*batch)
        except BaseException as exc:  # noqa: BLE001 (raised in the caller's thread)
            self._error = exc
            self.unwritten.append(batch)


def media_warning(run_id: int | None, evidence_id: int | None, volume_idx: int | None, path: str | None,
                  damage: MediaDamage, found: str) -> dict[str, Any]:
    """A warning row about damaged media; ``found`` says what was being read."""
    return {"run_id": run_id, "evidence_id": evidence_id, "volume_idx": volume_idx,
            "path": path, "source": MEDIA_SOURCE, "damage": damage, "found": found,
            "message": f"{damage.describe()}; {found}"}

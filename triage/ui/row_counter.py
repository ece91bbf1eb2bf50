"""Count a table's matching rows in a background thread, so a slow count never blocks the UI.

A filtered count over a million files is a full scan (seconds); the first page of the same
query stops after a few hundred hits. The table shows that page at once and asks a
:class:`RowCounter` for the total, which runs the count on its own read-only connection
and reports back on the GUI thread. Starting a new count (another filter, another folder)
interrupts the one still running, so typing never piles up scans.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from triage.casedb import CaseDatabase
from triage.casedb.case import CaseError

#: Counts take a case (the counter's own connection) and return the number of rows.
CountFunction = Callable[[CaseDatabase], int]


class _CountJob:
    """One count on its own connection; :meth:`cancel` interrupts it from any thread."""

    def __init__(self, path: Path, count: CountFunction,
                 report: Callable[[int], None]) -> None:
        self._path = path
        self._count = count
        self._report = report
        self._lock = threading.Lock()
        self._cancelled = False
        self._conn: sqlite3.Connection | None = None
        self.thread = threading.Thread(target=self._run, name="triage-row-count", daemon=True)

    def cancel(self) -> None:
        """Stop the count (its result is dropped)."""
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()

    def _run(self) -> None:
        try:
            case = CaseDatabase.open(self._path, readonly=True)
        except CaseError:
            return
        try:
            with self._lock:
                if self._cancelled:
                    return
                self._conn = case.conn
            total = self._count(case)
        # An interrupted or failed count leaves the table's provisional total in place.
        except sqlite3.Error:
            return
        finally:
            with self._lock:
                self._conn = None
            case.close()
        with self._lock:
            if self._cancelled:
                return
        try:
            self._report(total)
        # The table (and its counter) may have been deleted while this thread counted.
        except RuntimeError:
            return


class RowCounter(QObject):
    """Runs one count at a time for a table model; emits ``counted(generation, total)``.

    ``generation`` is the caller's token for the query that was counted, so a late result
    of an outdated query can be recognised and ignored.
    """

    counted = Signal(int, int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._job: _CountJob | None = None

    def start(self, path: Path, count: CountFunction, generation: int) -> None:
        """Count in the background (cancelling any count still running)."""
        self.cancel()
        # Emitting from the worker thread queues the signal to this object's (GUI) thread.
        self._job = _CountJob(path, count, lambda total: self.counted.emit(generation, total))
        self._job.thread.start()

    def cancel(self) -> None:
        """Drop the running count, if any."""
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def is_running(self) -> bool:
        """True while a count is under way."""
        return self._job is not None and self._job.thread.is_alive()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the running count ends (tests and benchmarks); False on timeout."""
        job = self._job
        if job is None:
            return True
        job.thread.join(timeout)
        return not job.thread.is_alive()

"""Run an ingest off the GUI thread and report progress as (throttled) Qt signals.

The worker lives in its own QThread and calls ``IngestEngine.run``; the engine opens its
own case connection. Cancel sets a ``threading.Event`` the engine polls, so a cancelled
run still keeps everything it wrote.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

#: Progress signals are emitted at most this often (the engine may call more often).
MIN_PROGRESS_INTERVAL = 0.1

EngineFactory = Callable[..., Any]


def default_engine_factory(case_path: str, options: Any, progress: Callable[[Any], None],
                           cancel: threading.Event) -> Any:
    """Return the real :class:`triage.engine.IngestEngine`."""
    from triage.engine import IngestEngine

    return IngestEngine(case_path, options, progress=progress, cancel=cancel)


def make_options(profile: str, extractors: list[str] | None, examiner: str | None) -> Any:
    """Return engine options for a scan: ``extractors`` None runs every extractor; an
    empty list is refused (ValueError), never taken to mean every extractor."""
    from triage.engine import IngestOptions

    if extractors is not None and not extractors:
        raise ValueError("no extractor chosen: check at least one extractor to scan with")
    return IngestOptions(profile=profile, extractors=extractors, examiner=examiner)


class IngestWorker(QObject):
    """Runs one scan; lives in a worker thread."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, case_path: str, evidence_paths: list[str], options: Any,
                 engine_factory: EngineFactory = default_engine_factory) -> None:
        super().__init__()
        self.case_path = case_path
        self.evidence_paths = list(evidence_paths)
        self.options = options
        self.cancel_event = threading.Event()
        self._engine_factory = engine_factory
        self._last_emit = 0.0

    def _on_progress(self, progress: Any) -> None:
        now = time.monotonic()
        if now - self._last_emit >= MIN_PROGRESS_INTERVAL or progress.phase == "done":
            self._last_emit = now
            self.progress.emit(progress)

    @Slot()
    def run(self) -> None:
        """Run the scan; emit ``finished(summary)`` or ``failed(message)``."""
        try:
            engine = self._engine_factory(self.case_path, self.options, self._on_progress,
                                          self.cancel_event)
            summary = engine.run(self.evidence_paths)
        # Engine errors (EvidenceError, CaseError) carry one-line messages; anything else
        # is a bug, but must still reach the examiner as text, not kill the thread.
        except Exception as exc:  # noqa: BLE001
            message = " ".join(str(exc).split()) or type(exc).__name__
            self.failed.emit(message)
            return
        self.finished.emit(summary)

    def cancel(self) -> None:
        """Ask the engine to stop soon (thread-safe)."""
        self.cancel_event.set()


class IngestController(QObject):
    """Starts scans in a QThread and relays their signals to the GUI thread."""

    started = Signal()
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    stopped = Signal()

    def __init__(self, engine_factory: EngineFactory = default_engine_factory,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.engine_factory = engine_factory
        self._thread: QThread | None = None
        self._worker: IngestWorker | None = None

    def is_running(self) -> bool:
        """True while a scan is in progress."""
        return self._thread is not None

    def start(self, case_path: str, evidence_paths: list[str], options: Any) -> None:
        """Start a scan (one at a time)."""
        if self.is_running():
            raise RuntimeError("a scan is already running")
        thread = QThread()
        thread.setObjectName("ingest")
        worker = IngestWorker(case_path, evidence_paths, options, self.engine_factory)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._thread, self._worker = thread, worker
        thread.start()
        self.started.emit()

    def cancel(self) -> None:
        """Ask the running scan to stop."""
        if self._worker is not None:
            self._worker.cancel()

    def _on_finished(self, summary: Any) -> None:
        self._cleanup()
        self.finished.emit(summary)
        self.stopped.emit()

    def _on_failed(self, message: str) -> None:
        self._cleanup()
        self.failed.emit(message)
        self.stopped.emit()

    def _cleanup(self) -> None:
        thread, self._thread = self._thread, None
        worker, self._worker = self._worker, None
        if thread is not None:
            thread.quit()
            thread.wait(5000)
            thread.deleteLater()
        if worker is not None:
            worker.deleteLater()

    def wait(self, milliseconds: int) -> bool:
        """Block until the scan thread ends (for shutdown); True when it did."""
        return self._thread.wait(milliseconds) if self._thread is not None else True

"""Run one blocking job (an export, a file copy) in a QThread and report back by signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot


class _Job(QObject):
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, function: Callable[[], Any]) -> None:
        super().__init__()
        self._function = function

    @Slot()
    def run(self) -> None:
        try:
            result = self._function()
        # Jobs report their own errors as one-line exceptions; a bug must still reach
        # the examiner as text rather than kill the thread silently.
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(" ".join(str(exc).split()) or type(exc).__name__)
            return
        self.done.emit(result)


class BackgroundTask(QObject):
    """Runs ``function()`` in its own thread; emits ``done(result)`` or ``failed(message)``."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, function: Callable[[], Any], parent: Any = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._job = _Job(function)
        self._job.moveToThread(self._thread)
        self._thread.started.connect(self._job.run)
        self._job.done.connect(self._on_done)
        self._job.failed.connect(self._on_failed)

    def start(self) -> None:
        """Start the job."""
        self._thread.start()

    def is_running(self) -> bool:
        """True until the job has reported."""
        return self._thread.isRunning()

    def _finish(self) -> None:
        self._thread.quit()
        self._thread.wait(5000)

    def _on_done(self, result: Any) -> None:
        self._finish()
        self.done.emit(result)

    def _on_failed(self, message: str) -> None:
        self._finish()
        self.failed.emit(message)

"""Throttled progress reporting with rate and time-left estimates."""

from __future__ import annotations

import time
from collections.abc import Callable

from triage.engine.options import Progress

MIN_INTERVAL = 0.1


class ProgressReporter:
    """Keeps the counters of a run and calls the callback at most ten times a second."""

    def __init__(self, callback: Callable[[Progress], None] | None) -> None:
        self.callback = callback
        self.state = Progress(phase="opening", evidence="")
        self._started = time.monotonic()
        self._last = 0.0

    def update(self, force: bool = False, **changes: object) -> None:
        """Apply counter changes and report when due (or when ``force`` is set)."""
        for key, value in changes.items():
            setattr(self.state, key, value)
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last < MIN_INTERVAL:
            return
        self._last = now
        elapsed = max(now - self._started, 1e-6)
        state = self.state
        state.rate_bytes_per_s = state.bytes_done / elapsed
        state.eta_seconds = None
        if state.bytes_total and state.bytes_done:
            remaining = max(state.bytes_total - state.bytes_done, 0)
            state.eta_seconds = remaining / max(state.rate_bytes_per_s, 1.0)
        elif state.files_total and state.files_done:
            state.eta_seconds = (state.files_total - state.files_done) * elapsed / state.files_done
        try:
            self.callback(Progress(**state.__dict__))
        except Exception:  # noqa: BLE001 (a broken progress display must not stop a scan)
            self.callback = None

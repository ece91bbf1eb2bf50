"""The scan progress panel: files and bytes done, current path, rate, time left, Cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
)

from triage.textsafety import visible_controls
from triage.ui.formatting import format_duration, format_size, plain_tooltip

PHASE_LABELS = {
    "checking": "Checking the case file", "damage": "Finding files in damaged chunks",
    "opening": "Opening evidence", "counting": "Counting files", "walking": "Scanning files",
    "unallocated": "Scanning unallocated space", "finishing": "Finishing", "done": "Done",
}


class ProgressPanel(QFrame):
    """Shows the running scan; ``cancel_requested`` when the examiner presses Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.phase = QLabel("Scan")
        self.phase.setStyleSheet("font-weight: bold")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.files = QLabel()
        self.bytes = QLabel()
        self.rate = QLabel()
        self.eta = QLabel()
        self.found = QLabel()
        self.current = QLabel()
        self.current.setTextFormat(Qt.TextFormat.PlainText)  # the path being read, from the evidence
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.current.setMinimumWidth(100)
        self.cancel_button = QPushButton("Cancel scan")
        self.cancel_button.clicked.connect(self._on_cancel)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.addWidget(self.phase, 0, 0)
        grid.addWidget(self.bar, 0, 1, 1, 4)
        grid.addWidget(self.cancel_button, 0, 5)
        for column, label in enumerate((self.files, self.bytes, self.rate, self.eta, self.found)):
            grid.addWidget(label, 1, column)
        grid.addWidget(self.current, 2, 0, 1, 6)
        grid.setColumnStretch(4, 1)

    def start(self) -> None:
        """Reset for a new scan and show."""
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel scan")
        self.phase.setText("Starting scan")
        self.bar.setRange(0, 0)
        for label in (self.files, self.bytes, self.rate, self.eta, self.found, self.current):
            label.clear()
        self.show()

    def update_progress(self, progress: Any) -> None:
        """Show one progress tick (a :class:`triage.engine.Progress`)."""
        self.phase.setText(PHASE_LABELS.get(progress.phase, progress.phase.capitalize()))
        if progress.bytes_total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(1.0, progress.bytes_done / progress.bytes_total)))
        elif progress.files_total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(1.0, progress.files_done / progress.files_total)))
        else:
            self.bar.setRange(0, 0)
        total_files = f" of {progress.files_total:,}" if progress.files_total else ""
        self.files.setText(f"{progress.files_done:,}{total_files} files")
        total_bytes = f" of {format_size(progress.bytes_total)}" if progress.bytes_total else ""
        self.bytes.setText(f"{format_size(progress.bytes_done)}{total_bytes}")
        self.rate.setText(f"{format_size(int(progress.rate_bytes_per_s))}/s")
        eta = format_duration(progress.eta_seconds)
        self.eta.setText(f"{eta} left" if eta else "")
        self.found.setText(f"{progress.artefacts:,} artefacts, {progress.warnings:,} warnings")
        path = progress.current_path or progress.evidence or ""
        metrics = self.current.fontMetrics()
        self.current.setText(metrics.elidedText(visible_controls(path, single_line=True),
                                                Qt.TextElideMode.ElideMiddle,
                                                max(200, self.current.width())))
        self.current.setToolTip(plain_tooltip(path))

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.cancel_requested.emit()

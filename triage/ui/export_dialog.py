"""Export a report (html, csv, kml, jsonl, bodyfile, portable) of everything or tagged items."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
)

from triage.casedb import CaseDatabase

FORMAT_LABELS = {
    "html": "HTML report (folder)", "csv": "CSV tables (folder)", "kml": "KML for map tools",
    "jsonl": "JSON lines", "bodyfile": "Body file (timeline)", "portable": "Portable case (folder)",
}
_SUFFIX = {"kml": ".kml", "jsonl": ".jsonl", "bodyfile": ".body"}


def default_output(folder: Path, case_name: str, fmt: str,
                   taken: Collection[Path] = ()) -> Path:
    """Return a fresh output path in ``folder`` for a report of ``fmt`` (not in ``taken``,
    the outputs of exports still running)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", case_name).strip("_") or "case"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = _SUFFIX.get(fmt, "")
    output = folder / f"{slug}-{fmt}-{stamp}{suffix}"
    number = 2
    # Two exports within one second (or one still being written) need different names.
    while output in taken or output.exists():
        output = folder / f"{slug}-{fmt}-{stamp}-{number}{suffix}"
        number += 1
    return output


def run_export(case_path: str, fmt: str, output: Path, tagged_only: bool,
               examiner: str | None, messages: list[tuple[str, str]] | None = None) -> Path:
    """Export in the calling (worker) thread with its own case connection.

    ``messages`` collects what the export has to say, as ``("warning", line)`` (a run
    still recorded as running: the export may be incomplete; files a portable case could
    not copy) and ``("note", line)`` (how many files a portable case holds).
    """
    from triage.reports import export

    warn = notify = None
    if messages is not None:
        def warn(line: str) -> None:
            messages.append(("warning", line))

        def notify(line: str) -> None:
            messages.append(("note", line))
    case = CaseDatabase.open(case_path)
    try:
        return export(case, fmt, output, tagged_only=tagged_only, examiner=examiner,
                      warn=warn, notify=notify)
    finally:
        case.close()


class ExportDialog(QDialog):
    """Choose the format, tagged-only and the destination folder."""

    def __init__(self, default_folder: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        self.format = QComboBox()
        for fmt, label in FORMAT_LABELS.items():
            self.format.addItem(label, fmt)
        self.tagged_only = QCheckBox("Tagged items only")
        self.folder = QLineEdit(default_folder)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("", self.tagged_only)
        form.addRow("Save in", row)
        form.addRow(buttons)
        self.resize(520, 160)

    def chosen_format(self) -> str:
        """Return the export format name."""
        return str(self.format.currentData())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save the export in", self.folder.text())
        if folder:
            self.folder.setText(folder)

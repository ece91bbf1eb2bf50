"""The start screen: create a case, open one, or pick a recent one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from triage.casedb import CaseDatabase, CaseError
from triage.ui.formatting import plain_tooltip
from triage.ui.icons import icon

CASE_SUFFIX = ".triage"
CASE_FILTER = "Triage cases (*.triage *.db *.sqlite);;All files (*)"


def case_file_name(name: str) -> str:
    """Return a file name for a case called ``name``."""
    return (re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "case") + CASE_SUFFIX


class StartScreen(QWidget):
    """Emits ``case_chosen(path, examiner)`` once a case exists and should be opened."""

    case_chosen = Signal(str, str)

    def __init__(self, recent: list[str], examiner: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        title = QLabel("triage — forensic triage of disk images")
        title.setStyleSheet("font-size: 18px; font-weight: bold")
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # errors quote the case path
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)

        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Operation Onion")
        self.number = QLineEdit()
        self.examiner = QLineEdit(examiner)
        self.folder = QLineEdit(str(Path.home()))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.create_button = QPushButton(icon("case"), "Create case")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_case)
        new_box = QGroupBox("New case")
        form = QFormLayout(new_box)
        form.addRow("Case name", self.name)
        form.addRow("Case number", self.number)
        form.addRow("Examiner", self.examiner)
        form.addRow("Folder", folder_row)
        form.addRow("", self.create_button)

        self.open_button = QPushButton("Open case…")
        self.open_button.clicked.connect(self._browse_case)
        self.recent = QListWidget()
        for path in recent:
            item = QListWidgetItem(icon("case"), Path(path).name)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(plain_tooltip(path))
            self.recent.addItem(item)
        self.recent.itemActivated.connect(self._open_recent)
        open_box = QGroupBox("Open a case")
        open_layout = QVBoxLayout(open_box)
        open_layout.addWidget(self.open_button)
        open_layout.addWidget(QLabel("Recent cases (double-click to open)"))
        open_layout.addWidget(self.recent)

        columns = QHBoxLayout()
        columns.addWidget(new_box, 1)
        columns.addWidget(open_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(title)
        layout.addWidget(self.error)
        layout.addLayout(columns)
        layout.addStretch(1)

    def create_case(self) -> None:
        """Create the case file from the form and emit ``case_chosen``."""
        name = self.name.text().strip()
        examiner = self.examiner.text().strip()
        if not name or not examiner:
            self.error.setText("Enter a case name and the examiner's name.")
            return
        path = Path(self.folder.text().strip()) / case_file_name(name)
        try:
            case = CaseDatabase.create(path, name=name, number=self.number.text().strip() or None,
                                       examiner=examiner)
            case.close()
        except CaseError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.case_chosen.emit(str(path), examiner)

    def open_case(self, path: str) -> None:
        """Ask for ``path`` to be opened (the main window checks it)."""
        if path:
            self.case_chosen.emit(path, self.examiner.text().strip())

    def _open_recent(self, item: QListWidgetItem) -> None:
        self.open_case(item.data(Qt.ItemDataRole.UserRole))

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the case", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _browse_case(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open case", self.folder.text(), CASE_FILTER)
        self.open_case(path)

"""Choose evidence (images or a folder), the profile and the extractors for a scan."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

IMAGE_FILTER = (
    "Disk images (*.E01 *.e01 *.Ex01 *.raw *.dd *.img *.001 *.vmdk *.vhd *.vhdx *.qcow2 *.iso"
    " *.bin);;All files (*)"
)


def available_extractors() -> list[tuple[str, str]]:
    """Return (name, description) of every registered extractor."""
    from triage.extractors import EXTRACTOR_CLASSES

    return [(cls.NAME, cls.DESCRIPTION) for cls in EXTRACTOR_CLASSES]


class AddEvidenceDialog(QDialog):
    """Collects evidence paths, a profile ('quick' or 'full') and extractor names."""

    def __init__(self, examiner: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add evidence and scan")
        self.resize(620, 480)
        self.paths = QListWidget()
        add_images = QPushButton("Add images…")
        add_folder = QPushButton("Add folder…")
        remove = QPushButton("Remove")
        add_images.clicked.connect(self._choose_images)
        add_folder.clicked.connect(self._choose_folder)
        remove.clicked.connect(self._remove_selected)
        path_buttons = QHBoxLayout()
        for button in (add_images, add_folder, remove):
            path_buttons.addWidget(button)
        path_buttons.addStretch(1)

        self.profile = QComboBox()
        self.profile.addItem("Full: hash every file, scan unallocated space", "full")
        self.profile.addItem("Quick: only files the extractors want", "quick")
        self.examiner = QLineEdit(examiner)
        self.examiner.setPlaceholderText("Your name (recorded in the audit log)")
        self.extractors = QListWidget()
        for name, description in available_extractors():
            item = QListWidgetItem(f"{name} — {description}" if description else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.extractors.addItem(item)
        if not self.extractors.count():
            self.extractors.addItem("(every registered extractor)")
        self.extractors.itemChanged.connect(self._update_ok)
        #: Says why "Start scan" is off when no extractor is checked.
        self.hint = QLabel("Check at least one extractor: a scan runs the extractors checked.")
        self.hint.setObjectName("extractor_hint")
        self.hint.setStyleSheet("color: #b03030")
        self.hint.hide()

        form = QFormLayout()
        form.addRow("Profile", self.profile)
        form.addRow("Examiner", self.examiner)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start scan")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.paths.model().rowsInserted.connect(self._update_ok)
        self.paths.model().rowsRemoved.connect(self._update_ok)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Evidence (E01, raw, split raw, VMDK, VHD/VHDX, QCOW2 or a folder)"))
        layout.addWidget(self.paths, 1)
        layout.addLayout(path_buttons)
        layout.addLayout(form)
        layout.addWidget(QLabel("Extractors"))
        layout.addWidget(self.extractors, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self._update_ok()

    def add_paths(self, paths: list[str]) -> None:
        """Add evidence paths (once each)."""
        known = set(self.evidence_paths())
        for path in paths:
            if path and path not in known:
                self.paths.addItem(path)
                known.add(path)

    def evidence_paths(self) -> list[str]:
        """Return the chosen evidence paths."""
        return [self.paths.item(i).text() for i in range(self.paths.count())]

    def chosen_profile(self) -> str:
        """Return 'quick' or 'full'."""
        return str(self.profile.currentData())

    def chosen_extractors(self) -> list[str] | None:
        """Return the checked extractor names (None when all are checked; an empty list
        when none is, which "Start scan" does not accept)."""
        names, unchecked = [], False
        for i in range(self.extractors.count()):
            item = self.extractors.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            if name is None:
                continue
            if item.checkState() == Qt.CheckState.Checked:
                names.append(name)
            else:
                unchecked = True
        return names if unchecked else None

    def _choose_images(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Choose disk images", "", IMAGE_FILTER)
        self.add_paths(paths)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a folder of evidence")
        self.add_paths([path] if path else [])

    def _remove_selected(self) -> None:
        for item in self.paths.selectedItems():
            self.paths.takeItem(self.paths.row(item))

    def _update_ok(self, *args: object) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        none_chosen = self.chosen_extractors() == []
        self.hint.setVisible(none_chosen)
        ok.setEnabled(self.paths.count() > 0 and not none_chosen)

    def accept(self) -> None:
        """Start only with evidence and at least one extractor (as the button allows)."""
        if self.paths.count() == 0 or self.chosen_extractors() == []:
            self._update_ok()
            return
        super().accept()

"""Tag or annotate the current artefact or file (default and custom tag names)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)


def _target_label(target: str) -> QLabel:
    label = QLabel(target)
    label.setObjectName("target")
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class TagDialog(QDialog):
    """Pick an existing tag or type a new one, with an optional comment."""

    def __init__(self, tag_names: list[str], parent: Any = None, target: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Tag")
        self.tag = QComboBox()
        self.tag.setEditable(True)
        self.tag.addItems(tag_names)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Optional comment")
        form = QFormLayout(self)
        if target:
            form.addRow("Tag what", _target_label(target))
        form.addRow("Tag", self.tag)
        form.addRow("Comment", self.comment)
        form.addRow(_ok_cancel(self))

    def chosen_tag(self) -> str:
        """Return the tag name (stripped)."""
        return self.tag.currentText().strip()

    def chosen_comment(self) -> str | None:
        """Return the comment or None."""
        return self.comment.text().strip() or None


class RemoveTagDialog(QDialog):
    """Pick one of the tags the selected items carry, to remove it from them."""

    def __init__(self, tag_names: list[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Remove tag")
        self.tag = QComboBox()
        self.tag.addItems(tag_names)
        form = QFormLayout(self)
        form.addRow("Tag", self.tag)
        form.addRow(_ok_cancel(self))

    def chosen_tag(self) -> str:
        """Return the tag name to remove."""
        return self.tag.currentText()


class NoteDialog(QDialog):
    """Write a note."""

    def __init__(self, parent: Any = None, target: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Add note")
        self.resize(420, 220)
        self.text = QPlainTextEdit()
        form = QFormLayout(self)
        if target:
            form.addRow("Note on", _target_label(target))
        form.addRow("Note", self.text)
        form.addRow(_ok_cancel(self))

    def note_text(self) -> str:
        """Return the note (stripped)."""
        return self.text.toPlainText().strip()


def _ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel buttons that accept or reject ``dialog``."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons

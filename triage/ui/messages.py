"""Readable, non-blocking messages for the examiner (never a traceback)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


def show_error(parent: Any, title: str, text: str) -> QMessageBox:
    """Open a window-modal error box without blocking the caller; return it."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("error_box")
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote evidence and case paths
    box.open()
    return box


def show_info(parent: Any, title: str, text: str) -> QMessageBox:
    """Open an information box without blocking the caller; return it."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("info_box")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.open()
    return box

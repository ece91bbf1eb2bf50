"""The bar above the Hex and Text tabs: which bytes they show, and moving to others.

The viewers hold one window of a file (:data:`~triage.ui.content_loader.WINDOW` bytes);
the bar says which, and asks for the previous or next window or one at a typed offset.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from triage.ui.content_loader import WINDOW


def window_label(base: int, length: int, size: int | None) -> str:
    """Return e.g. 'Bytes 0–65,535 of 1,048,576' for a window of ``length`` bytes at ``base``."""
    if length <= 0:
        return "No bytes" if size is None else f"No bytes (of {size:,})"
    shown = f"Bytes {base:,}–{base + length - 1:,}"
    if size is not None:
        return f"{shown} of {size:,}"
    return f"{shown} (more may follow)" if length >= WINDOW else shown


def parse_offset(text: str) -> int | None:
    """Return the offset typed as decimal or 0x hexadecimal (None when it is neither)."""
    text = text.strip().replace(",", "").replace("_", "")
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None
    return value if value >= 0 else None


class ContentWindowBar(QWidget):
    """Shows the window's byte range; emits ``offset_requested`` to read another window."""

    #: (offset, mark): read the window at ``offset``; ``mark`` highlights that byte.
    offset_requested = Signal(int, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.previous_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.offset_edit = QLineEdit()
        self.offset_edit.setPlaceholderText("Go to offset (0x…)")
        self.offset_edit.setMaximumWidth(160)
        self.previous_button.clicked.connect(lambda: self._request(self._base - WINDOW))
        self.next_button.clicked.connect(lambda: self._request(self._base + WINDOW))
        self.offset_edit.returnPressed.connect(self._go_to)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        for widget in (self.previous_button, self.next_button, self.offset_edit):
            layout.addWidget(widget)
        self._base, self._length, self._size = 0, 0, None
        self.show_window(0, 0, None, browsable=False)

    def show_window(self, base: int, length: int, size: int | None, browsable: bool) -> None:
        """Show which bytes the viewers hold; ``browsable`` when other windows can be read."""
        self._base, self._length, self._size = base, length, size
        self.label.setText(window_label(base, length, size) if browsable or length else "")
        more = size is None and length >= WINDOW or size is not None and base + length < size
        self.previous_button.setEnabled(browsable and base > 0)
        self.next_button.setEnabled(browsable and more)
        self.offset_edit.setEnabled(browsable)

    def _go_to(self) -> None:
        offset = parse_offset(self.offset_edit.text())
        if offset is not None and (self._size is None or offset < self._size):
            self.offset_edit.clear()
            self.offset_requested.emit(offset, True)

    def _request(self, offset: int) -> None:
        self.offset_requested.emit(max(0, offset), False)

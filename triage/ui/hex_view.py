"""A hex viewer that paints only the visible lines and highlights the hit's bytes."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFontDatabase, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea

BYTES_PER_LINE = 16


def hex_line(data: bytes, start: int, base_offset: int) -> tuple[str, str, str]:
    """Return the offset, hex and ASCII columns of the line of ``data`` starting at ``start``."""
    chunk = data[start : start + BYTES_PER_LINE]
    hex_part = " ".join(f"{b:02x}" for b in chunk).ljust(BYTES_PER_LINE * 3 - 1)
    text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
    return f"{base_offset + start:010x}", hex_part, text


class HexView(QAbstractScrollArea):
    """Read-only hex dump of a bytes window (``base_offset`` is the first byte's offset)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._data = b""
        self._base = 0
        self._highlight: tuple[int, int] | None = None
        self.viewport().setAutoFillBackground(True)

    def set_data(self, data: bytes, base_offset: int = 0,
                 highlight: tuple[int, int] | None = None) -> None:
        """Show ``data``; ``highlight`` is (absolute offset, length) and is scrolled into view."""
        self._data, self._base, self._highlight = bytes(data), base_offset, highlight
        self._update_scrollbar()
        if highlight:
            line = max(0, (highlight[0] - base_offset) // BYTES_PER_LINE - 2)
            self.verticalScrollBar().setValue(line)
        else:
            self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def line_count(self) -> int:
        """Return how many lines the dump has."""
        return (len(self._data) + BYTES_PER_LINE - 1) // BYTES_PER_LINE

    def first_visible_line(self) -> int:
        """Return the line at the top of the viewport."""
        return self.verticalScrollBar().value()

    def _line_height(self) -> int:
        return self.fontMetrics().height()

    def _update_scrollbar(self) -> None:
        visible = max(1, self.viewport().height() // max(1, self._line_height()))
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, self.line_count() - visible))
        bar.setPageStep(visible)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbar()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        metrics = self.fontMetrics()
        height = self._line_height()
        char = metrics.horizontalAdvance("0")
        hex_x = char * 12
        text_x = hex_x + char * (BYTES_PER_LINE * 3 + 1)
        first = self.first_visible_line()
        visible = self.viewport().height() // max(1, height) + 1
        highlight_color = QColor("#ffd54f")
        for line in range(first, min(self.line_count(), first + visible)):
            y = (line - first) * height
            start = line * BYTES_PER_LINE
            if self._highlight:
                self._paint_highlight(painter, start, y, height, char, hex_x, text_x,
                                      highlight_color)
            offset, hex_part, text = hex_line(self._data, start, self._base)
            painter.setPen(self.palette().color(self.foregroundRole()).darker(150))
            painter.drawText(0, y + metrics.ascent(), offset)
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(hex_x, y + metrics.ascent(), hex_part)
            painter.drawText(text_x, y + metrics.ascent(), text)
        painter.end()

    def _paint_highlight(self, painter: QPainter, start: int, y: int, height: int, char: int,
                         hex_x: int, text_x: int, color: QColor) -> None:
        assert self._highlight is not None
        first = self._highlight[0] - self._base
        last = first + max(1, self._highlight[1])
        for column in range(BYTES_PER_LINE):
            if first <= start + column < last:
                painter.fillRect(QRect(hex_x + column * 3 * char, y, char * 2, height), color)
                painter.fillRect(QRect(text_x + column * char, y, char, height), color)

"""Render the application icon for Windows (.ico) and macOS (.icns) from the SVG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python build_spec/make_icons.py

Writes build_spec/icons/triage.ico, triage.icns and triage.png from resources/icons/case.svg
(Qt's SVG renderer and its ico/icns image writers; no other tool needed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "resources" / "icons" / "case.svg"
TARGET = HERE / "icons"


def render(size: int) -> QImage:
    """Return the SVG drawn on a transparent ``size`` x ``size`` image."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SOURCE)).render(painter)
    painter.end()
    return image


def main() -> int:
    """Write the three icon files; return the exit status."""
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (image plug-ins need an application)
    TARGET.mkdir(exist_ok=True)
    written = [
        render(256).save(str(TARGET / "triage.ico"), "ICO"),
        render(512).save(str(TARGET / "triage.icns"), "ICNS"),
        render(256).save(str(TARGET / "triage.png"), "PNG"),
    ]
    return 0 if all(written) else 1


if __name__ == "__main__":
    sys.exit(main())

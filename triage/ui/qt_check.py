"""The self-test's Qt check: PySide6 stays inside triage.ui, the self-test calls this."""

from __future__ import annotations

import os
import sys

from triage.resources import resource_path


def qt_version() -> str:
    """Return PySide6's and Qt's versions."""
    import PySide6
    from PySide6.QtCore import qVersion

    return f"{PySide6.__version__} (Qt {qVersion()})"


def render_icon_check() -> str:
    """Create a QApplication (offscreen without a display) and render an SVG icon.

    Raises RuntimeError when the icon cannot be rendered.
    """
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    icon_path = resource_path("icons", "case.svg")
    if QIcon(str(icon_path)).pixmap(32, 32).isNull():
        raise RuntimeError(f"cannot render {icon_path} (SVG plug-in missing?)")
    return f"QApplication on '{app.platformName()}', SVG icon rendered"

"""Entry point of the desktop application (``triage gui [CASE]``)."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from triage import __version__
from triage.ui.icons import icon
from triage.ui.main_window import MainWindow

#: When set to 1, the application quits with status 0 a second after the window is shown
#: (used by the frozen-build test to prove the GUI starts).
SMOKE_TEST_VARIABLE = "TRIAGE_GUI_SMOKE_TEST"
SMOKE_TEST_MILLISECONDS = 1000


def main(case_path: str | None = None) -> int:
    """Create the application, show the start screen (or open ``case_path``) and run."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("triage")
    app.setOrganizationName("triage")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("case"))
    window = MainWindow()
    window.show()
    if case_path:
        window.open_case(case_path)
    if os.environ.get(SMOKE_TEST_VARIABLE) == "1":
        QTimer.singleShot(SMOKE_TEST_MILLISECONDS, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))

"""UI test setup: offscreen Qt, isolated settings, a populated sample case."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402 (the platform must be chosen before Qt loads)

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from tests.ui.case_builder import build_case  # noqa: E402
from triage.ui.settings import UiSettings  # noqa: E402


@pytest.fixture
def ui_settings(tmp_path: Path) -> UiSettings:
    """Settings stored in a temporary INI file (never the user's)."""
    return UiSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def sample_case_path(tmp_path: Path) -> Path:
    """A populated case file (closed, ready to be opened by the UI)."""
    path = tmp_path / "sample.triage"
    build_case(path).close()
    return path


@pytest.fixture
def window(qtbot, ui_settings):
    """A main window with isolated settings; closed after the test."""
    from triage.ui.main_window import MainWindow

    main = MainWindow(ui_settings)
    qtbot.addWidget(main)
    main.show()
    yield main
    if main.ingest.is_running():
        main.ingest.cancel()
        qtbot.waitUntil(lambda: not main.ingest.is_running(), timeout=30000)
    qtbot.waitUntil(lambda: not main._tasks, timeout=30000)  # exports run in threads
    main.close()

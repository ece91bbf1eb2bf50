"""Damage in a case file met while browsing (not at open) is a message, not a blank table."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from triage.casedb import CaseDatabase, ui_queries
from triage.ui.main_window import MainWindow


def _malformed(*_args: Any, **_kwargs: Any) -> Any:
    raise sqlite3.DatabaseError("database disk image is malformed")


def _error_box(window: MainWindow) -> QMessageBox | None:
    return window.findChild(QMessageBox, "error_box")


def test_a_malformed_page_of_files_is_reported(qtbot, window: MainWindow,
                                               sample_case_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by an audit: fetchMore raised into Qt (a traceback on stderr), the table
    stayed blank and read as "no files"."""
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    monkeypatch.setattr(CaseDatabase, "page_files", _malformed)
    with qtbot.capture_exceptions() as caught:
        assert workspace.select_tree_node("evidence_root")
        qtbot.waitUntil(lambda: _error_box(window) is not None, timeout=5000)
        qtbot.wait(50)  # the view asks for rows again at every paint: still one message
    assert not caught
    assert workspace.file_model.load_has_failed()
    assert not workspace.file_model.canFetchMore(workspace.file_model.index(-1, -1))
    boxes = window.findChildren(QMessageBox, "error_box")
    assert len(boxes) == 1 and "damaged case file" in boxes[0].text()
    assert str(sample_case_path) in boxes[0].text()

    boxes[0].accept()
    monkeypatch.undo()
    assert workspace.select_tree_node("category", "Addresses")
    workspace.select_tree_node("evidence_root")
    assert workspace.file_model.rowCount() > 0 and not workspace.file_model.load_has_failed()


def test_a_malformed_directory_listing_in_the_tree_is_reported(
        qtbot, window: MainWindow, sample_case_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.open_case(str(sample_case_path), "Tester")
    tree = window.workspace.tree_model
    volume = tree.index(0, 0, tree.index(0, 0, tree.index(0, 0)))
    assert tree.node_at(volume).kind == "volume"
    monkeypatch.setattr(ui_queries, "page_subdirectories", _malformed)
    with qtbot.capture_exceptions() as caught:
        window.workspace.tree.expand(volume)
        if tree.canFetchMore(volume):
            tree.fetchMore(volume)
        qtbot.waitUntil(lambda: _error_box(window) is not None, timeout=5000)
    assert not caught
    assert not tree.canFetchMore(volume)
    assert "damaged case file" in _error_box(window).text()


def test_a_locked_case_is_not_called_damaged(qtbot, window: MainWindow, sample_case_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's "database is locked" is a DatabaseError too; the file is sound."""

    def locked(*_args: Any, **_kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    assert window.open_case(str(sample_case_path), "Tester")
    assert window.workspace.select_tree_node("category", "Addresses")
    monkeypatch.setattr(CaseDatabase, "page_files", locked)
    with qtbot.capture_exceptions() as caught:
        assert window.workspace.select_tree_node("evidence_root")
        qtbot.waitUntil(lambda: _error_box(window) is not None, timeout=5000)
    assert not caught
    text = _error_box(window).text()
    assert "locked" in text and "damaged" not in text

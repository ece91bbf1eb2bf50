"""Another program writing to the case (a command-line scan, a second window): the GUI's
writes wait a few seconds, then say the case is busy; nothing is half-written."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QDialog, QMessageBox

from triage.casedb import CaseBusy, CaseDatabase
from triage.ui.main_window import MainWindow
from triage.ui.workspace import WRITE_WAIT_S

#: A frozen window for longer than this is what the audit found (30-45 s).
MOST_SECONDS = WRITE_WAIT_S + 3


@contextmanager
def _write_locked(case_path: Path) -> Iterator[None]:
    """Hold the case's write lock on another connection (as another program would)."""
    holder = sqlite3.connect(case_path, isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO audit_log (ts, examiner, action, details)"
                       " VALUES ('x', 'other', 'other.write', '{}')")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _count(case_path: Path, table: str) -> int:
    with CaseDatabase.open(case_path, readonly=True) as case:
        return case.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _select_rows(view, rows: range) -> None:
    model = view.model()
    view.selectionModel().clearSelection()
    for row in rows:
        view.selectionModel().select(
            model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
            | QItemSelectionModel.SelectionFlag.Rows)
    view.selectionModel().setCurrentIndex(model.index(rows[0], 0),
                                          QItemSelectionModel.SelectionFlag.NoUpdate)


def _error_text(window: MainWindow) -> str:
    box = window.findChild(QMessageBox, "error_box")
    return box.text() if box is not None else ""


def _open_addresses(window: MainWindow, case_path: Path) -> None:
    assert window.open_case(str(case_path), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    _select_rows(workspace.artefact_view, range(0, 3))
    assert len(workspace._review_items()) == 3


def test_tagging_a_locked_case_says_busy_quickly(qtbot, window: MainWindow,
                                                 sample_case_path: Path) -> None:
    """Found by an audit: the window froze for 30 s, then an uncaught OperationalError."""
    _open_addresses(window, sample_case_path)
    tags_before = _count(sample_case_path, "tags")
    window.tag_current()
    dialog = window.findChild(QDialog, "tag_dialog")
    dialog.tag.setCurrentText("Evidence")
    with _write_locked(sample_case_path), qtbot.capture_exceptions() as caught:
        started = time.monotonic()
        dialog.accept()
        qtbot.waitUntil(lambda: bool(_error_text(window)), timeout=int(MOST_SECONDS * 1000))
        elapsed = time.monotonic() - started
    assert not caught
    assert elapsed < MOST_SECONDS
    text = _error_text(window)
    assert "busy (another program is writing to it); try again" in text
    assert "Nothing was written" in text
    assert _count(sample_case_path, "tags") == tags_before
    # Once the other program is done, the same action works.
    window.findChild(QMessageBox, "error_box").close()
    assert window.workspace.tag_current("Evidence").changed == 3
    assert _count(sample_case_path, "tags") == tags_before + 3


def test_untag_and_note_on_a_locked_case_say_busy(qtbot, window: MainWindow,
                                                  sample_case_path: Path) -> None:
    _open_addresses(window, sample_case_path)
    assert window.workspace.tag_current("Evidence").changed == 3
    notes_before = _count(sample_case_path, "notes")
    with _write_locked(sample_case_path), qtbot.capture_exceptions() as caught:
        window._apply_untag("Evidence")
        assert "busy" in _error_text(window)
        window.findChild(QMessageBox, "error_box").close()
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "error_box") is None)
        window._apply_note("seen on the suspect's laptop")
        assert "busy" in _error_text(window)
    assert not caught
    assert _count(sample_case_path, "notes") == notes_before
    with CaseDatabase.open(sample_case_path, readonly=True) as case:
        assert case.conn.execute("SELECT count(*) FROM tags t JOIN tag_names n"
                                 " ON n.id = t.tag_name_id WHERE n.name = 'Evidence'"
                                 ).fetchone()[0] == 3


def test_a_locked_case_opens_as_busy_not_damaged(qtbot, window: MainWindow,
                                                 sample_case_path: Path) -> None:
    """Found by an audit: a new examiner opening a locked case waited 30 s and was told
    the case file was damaged."""
    with _write_locked(sample_case_path), qtbot.capture_exceptions() as caught:
        started = time.monotonic()
        assert not window.open_case(str(sample_case_path), "A new examiner")
        elapsed = time.monotonic() - started
    assert not caught
    assert elapsed < MOST_SECONDS
    assert "damaged" not in _error_text(window)
    assert "busy (another program is writing to it); try again" in _error_text(window)
    assert "busy" in window.start_screen.error.text()
    assert window.open_case(str(sample_case_path), "A new examiner")


def test_tagging_many_items_is_one_transaction(tmp_path: Path) -> None:
    """A batch that fails part-way leaves no tag of it behind (no silent half-batch)."""
    from tests.ui.case_builder import build_case

    case = build_case(tmp_path / "c.triage")
    try:
        ids = [row["id"] for row in case.page_artefacts(limit=3)]
        before = case.conn.execute("SELECT count(*) FROM tags").fetchone()[0]
        audit_before = len(list(case.iter_audit()))
        with pytest.raises(ValueError):
            case.tag_many("Evidence", "Tester", [("artefact", ids[0]), ("artefact", ids[1]),
                                                 ("volume", 1)])
        assert case.conn.execute("SELECT count(*) FROM tags").fetchone()[0] == before
        assert len(list(case.iter_audit())) == audit_before
        assert case.tag_many("Evidence", "Tester", [("artefact", i) for i in ids]) == []
        assert case.tag_many("Evidence", "Tester", [("artefact", ids[0])]) == [
            ("artefact", ids[0])]
        assert case.untag_many("Evidence", "Tester", [("artefact", i) for i in ids]) == 3
    finally:
        case.close()


def test_busy_wait_gives_up_after_its_time(tmp_path: Path) -> None:
    from tests.ui.case_builder import build_case

    path = tmp_path / "c.triage"
    build_case(path).close()
    with CaseDatabase.open(path) as case, _write_locked(path):
        started = time.monotonic()
        with pytest.raises(CaseBusy, match="try again"), case.busy_wait(0.5):
            case.add_note_many("a note", "Tester", [("file", 1)])
        assert time.monotonic() - started < 3
        # Back to the usual wait for everything else.
        assert case.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000

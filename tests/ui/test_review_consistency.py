"""Tag and Add note act on the same items, and a tag comment is never dropped silently."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from triage.casedb import CaseDatabase
from triage.ui.main_window import MainWindow


def _select_three(window: MainWindow) -> list[int]:
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    view, model = workspace.artefact_view, workspace.artefact_model
    for row in range(3):
        view.selectionModel().select(model.index(row, 0),
                                     QItemSelectionModel.SelectionFlag.Select
                                     | QItemSelectionModel.SelectionFlag.Rows)
    view.selectionModel().setCurrentIndex(model.index(2, 0),
                                          QItemSelectionModel.SelectionFlag.NoUpdate)
    return [model.row_data(row)["id"] for row in range(3)]


def _notes(case_path: Path, artefact_id: int) -> list[str]:
    with CaseDatabase.open(case_path, readonly=True) as case:
        return [note["text"] for note in case.notes_for(artefact_id=artefact_id)]


def test_add_note_goes_to_every_selected_item_as_tag_does(qtbot, window: MainWindow,
                                                          sample_case_path: Path) -> None:
    """Found by an audit: Tag went to the 3 selected rows, Add note to one of them."""
    assert window.open_case(str(sample_case_path), "Tester")
    ids = _select_three(window)
    window.act_note.trigger()
    dialog = window.findChild(QDialog, "note_dialog")
    assert dialog.findChild(QLabel, "target").text() == "3 selected artefacts"
    dialog.text.setPlainText("seen in the chat log")
    dialog.accept()
    assert [_notes(sample_case_path, i) for i in ids] == [["seen in the chat log"]] * 3
    assert window.status_work.text() == "Note added to 3 items"
    window.act_tag.trigger()
    tag_dialog = window.findChild(QDialog, "tag_dialog")
    assert tag_dialog.findChild(QLabel, "target").text() == "3 selected artefacts"


def test_a_comment_for_an_item_already_tagged_becomes_a_note(qtbot, window: MainWindow,
                                                             sample_case_path: Path) -> None:
    """Found by an audit: tagging an item already tagged dropped the new comment."""
    assert window.open_case(str(sample_case_path), "Tester")
    ids = _select_three(window)
    with CaseDatabase.open(sample_case_path) as case:
        case.tag("Evidence", "Tester", artefact_id=ids[0], comment="first look")
    window.act_tag.trigger()
    dialog = window.findChild(QDialog, "tag_dialog")
    dialog.tag.setCurrentText("Evidence")
    dialog.comment.setText("matches the seized wallet")
    dialog.accept()
    box = window.findChild(QMessageBox, "info_box")
    assert box is not None
    assert "1 item already carried the tag Evidence" in box.text()
    assert "added to them as a note" in box.text()
    assert _notes(sample_case_path, ids[0]) == [
        "Comment on the tag Evidence: matches the seized wallet"]
    with CaseDatabase.open(sample_case_path, readonly=True) as case:
        assert [t["comment"] for t in case.tags_for(artefact_id=ids[0])] == ["first look"]
        assert [t["comment"] for t in case.tags_for(artefact_id=ids[1])] == [
            "matches the seized wallet"]
    assert _notes(sample_case_path, ids[1]) == []
    assert window.status_work.text() == "Tagged 3 items as Evidence (1 already carried it)"

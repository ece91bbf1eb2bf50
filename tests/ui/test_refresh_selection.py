"""Refresh keeps the selection by id (or clears the detail pane with it), and the Tagged
artefacts view drops an artefact whose last tag is removed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel

from triage.casedb import CaseDatabase
from triage.ui.main_window import MainWindow

FLAGS = QItemSelectionModel.SelectionFlag


def test_refresh_keeps_the_selection_and_the_detail_pane(qtbot, window: MainWindow,
                                                         sample_case_path: Path) -> None:
    """Found by an audit: F5 dropped the selection while the pane showed the old item."""
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    view, model = workspace.artefact_view, workspace.artefact_model
    view.selectRow(4)
    view.selectionModel().select(model.index(5, 0), FLAGS.Select | FLAGS.Rows)
    before = workspace._selected_items()
    shown = workspace.detail.current
    assert len(before) == 2 and shown == ("artefact", model.row_data(4)["id"])
    window._refresh()
    assert sorted(workspace._selected_items()) == sorted(before)
    assert workspace.detail.current == shown
    assert model.row_data(view.selectionModel().currentIndex().row())["id"] == shown[1]
    assert workspace.tag_current("Evidence").changed == 2


def test_refresh_clears_the_pane_when_its_item_left_the_table(qtbot, window: MainWindow,
                                                              sample_case_path: Path) -> None:
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    with CaseDatabase.open(sample_case_path) as case:
        first = case.page_artefacts(types=["crypto.address"], limit=1)[0]["id"]
        case.tag("Follow up", "Tester", artefact_id=first)
    workspace.tree_model.refresh()
    assert workspace.select_tree_node("tag", "Follow up")
    workspace.artefact_view.selectRow(0)
    assert workspace.detail.current == ("artefact", first)
    assert workspace.detail.tag_button.isEnabled()
    with CaseDatabase.open(sample_case_path) as case:  # another window removes the tag
        case.untag("Follow up", "Tester", artefact_id=first)
    window._refresh()
    assert workspace.artefact_model.rowCount() == 0
    assert workspace._review_items() == []
    assert workspace.detail.current is None
    assert not workspace.detail.tag_button.isEnabled()


def test_tagged_artefacts_view_drops_an_artefact_whose_last_tag_is_removed(
        qtbot, window: MainWindow, sample_case_path: Path) -> None:
    """Found by an audit: the row stayed in "Tagged artefacts" with no tag left."""
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("artefacts_root")
    workspace.artefact_view.selectRow(0)
    assert workspace.tag_current("Evidence").changed == 1
    assert workspace.select_tree_node("tags_root")
    assert workspace.artefact_model.rowCount() == 1
    workspace.artefact_view.selectRow(0)
    assert workspace.untag_current("Evidence") == 1
    assert workspace.artefact_model.rowCount() == 0
    assert workspace.count_label.text() == "0 rows"

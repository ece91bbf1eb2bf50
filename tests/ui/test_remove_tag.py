"""Removing a tag from the selected items, through the Review menu and the detail pane."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialog

from triage.casedb import CaseDatabase
from triage.ui.main_window import MainWindow


def _tag_addresses(path: Path, count: int) -> list[int]:
    with CaseDatabase.open(path) as case:
        ids = [row["id"] for row in case.page_artefacts(categories=["Addresses"], limit=count)]
        for artefact_id in ids:
            case.tag("Reviewed", "Tester", artefact_id=artefact_id)
            case.tag("Notable", "Tester", artefact_id=artefact_id)
    return ids


def _remove(qtbot, window: MainWindow, tag: str) -> None:
    dialog = window.findChild(QDialog, "untag_dialog")
    assert dialog is not None
    options = [dialog.tag.itemText(i) for i in range(dialog.tag.count())]
    assert options == ["Notable", "Reviewed"]
    dialog.tag.setCurrentText(tag)
    dialog.accept()
    dialog.deleteLater()


def test_a_tag_is_removed_from_every_selected_row(qtbot, window: MainWindow,
                                                  sample_case_path: Path) -> None:
    """Found by an audit: CaseDatabase.untag was called from nowhere, so a tag applied
    by mistake stayed in the case and in every tagged-only report."""
    tagged = _tag_addresses(sample_case_path, 3)
    assert window.open_case(str(sample_case_path), "Examiner B")
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    model, view = workspace.artefact_model, workspace.artefact_view
    rows = [model.row_of_id(artefact_id) for artefact_id in tagged]
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        view.selectionModel().select(model.index(row, 0), flags)
    view.selectionModel().setCurrentIndex(model.index(rows[0], 0), flags)
    assert window.act_untag.isEnabled()

    window.act_untag.trigger()
    _remove(qtbot, window, "Reviewed")

    tags_column = next(i for i, c in enumerate(model.columns()) if c.key == "tags")
    assert [model.index(row, tags_column).data() for row in rows] == ["Notable"] * 3
    tree = workspace.tree_model
    assert tree.data(tree.find_index("tag", "Reviewed")) == "Reviewed (0)"
    assert tree.data(tree.find_index("tag", "Notable")) == "Notable (3)"
    assert "Reviewed" not in workspace.detail.details.toPlainText()
    with CaseDatabase.open(sample_case_path, readonly=True) as case:
        assert all(case.tags_for(artefact_id=i)[0]["name"] == "Notable" for i in tagged)
        removals = [e for e in case.iter_audit() if e["action"] == "tag.remove"]
    assert sorted(e["details"]["artefact_id"] for e in removals) == sorted(tagged)
    assert {(e["examiner"], e["details"]["tag"]) for e in removals} == {("Examiner B", "Reviewed")}


def test_the_detail_pane_removes_a_tag_and_the_tag_listing_drops_the_item(
        qtbot, window: MainWindow, sample_case_path: Path) -> None:
    tagged = _tag_addresses(sample_case_path, 2)
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("tag", "Notable")
    model = workspace.artefact_model
    assert model.rowCount() == 2
    workspace.artefact_view.selectRow(0)
    assert workspace.detail.untag_button.isEnabled()

    qtbot.mouseClick(workspace.detail.untag_button, Qt.MouseButton.LeftButton)
    _remove(qtbot, window, "Notable")

    assert model.rowCount() == 1 and model.row_data(0)["id"] in tagged
    assert workspace.count_label.text() == "1 rows"
    tree = workspace.tree_model
    assert tree.data(tree.find_index("tag", "Notable")) == "Notable (1)"

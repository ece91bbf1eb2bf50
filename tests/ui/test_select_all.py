""""Select all" stands for every row of the table's query, not only the loaded pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.case_builder import build_case, build_directory_case
from triage.casedb import CaseDatabase
from triage.ui.file_table_model import FileLocation
from triage.ui.main_window import MainWindow
from triage.ui.paged_table_model import PAGE_SIZE

ADDRESSES = PAGE_SIZE * 2 + 40
ENTRIES = PAGE_SIZE * 2 + 10
DIRECTORY = "/data"


def _entry(index: int) -> dict[str, Any]:
    kind = "dir" if index % 50 == 0 else "file"
    name = f"{'d' if kind == 'dir' else 'f'}{index:04d}"
    return {"evidence_id": 1, "volume_idx": 0, "path": f"{DIRECTORY}/{name}",
            "parent": DIRECTORY, "name": name, "kind": kind, "size": 1, "deleted": False,
            "identity": f"0:{name}"}


def _tagged(case_path: Path, tag: str) -> tuple[int, int]:
    """(artefacts, files) carrying ``tag``."""
    with CaseDatabase.open(case_path, readonly=True) as case:
        return case.tag_counts_by_kind().get(tag, (0, 0))


@pytest.fixture
def many_addresses(tmp_path: Path) -> Path:
    path = tmp_path / "many.triage"
    build_case(path, addresses=ADDRESSES).close()
    return path


def test_select_all_then_tag_tags_every_row_of_the_query(qtbot, window: MainWindow,
                                                         many_addresses: Path) -> None:
    """Found by an audit: Ctrl+A then Tag tagged the 256 loaded rows of 552."""
    assert window.open_case(str(many_addresses), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    view, model = workspace.artefact_view, workspace.artefact_model
    assert model.rowCount() < model.total() == ADDRESSES
    view.setFocus()
    view.selectAll()
    workspace._on_row_changed(model.index(0, 0), model.index(0, 0))
    outcome = workspace.tag_current("Bulk")
    assert (outcome.items, outcome.changed) == (ADDRESSES, ADDRESSES)
    assert _tagged(many_addresses, "Bulk") == (ADDRESSES, 0)
    assert workspace.tags_of_selection() == ["Bulk"]
    assert workspace.untag_current("Bulk") == ADDRESSES
    assert _tagged(many_addresses, "Bulk") == (0, 0)


def test_select_all_with_a_filter_keeps_to_the_filtered_rows(qtbot, window: MainWindow,
                                                             many_addresses: Path) -> None:
    assert window.open_case(str(many_addresses), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    workspace.filter.setText("litecoin")
    workspace.apply_filter()
    model = workspace.artefact_model
    assert model.wait_for_total()
    workspace.artefact_view.selectAll()
    items = workspace._review_items()
    assert len(items) == model.total() == ADDRESSES // 2
    # A selection of some rows is those rows only.
    workspace.artefact_view.clearSelection()
    workspace.artefact_view.selectRow(3)
    assert workspace._review_items() == [("artefact", model.row_data(3)["id"])]


def test_select_all_then_export_lists_every_file_of_the_directory(qtbot, window: MainWindow,
                                                                  tmp_path: Path) -> None:
    case_path = build_directory_case(tmp_path / "dir.triage", "directory",
                                     [_entry(i) for i in range(ENTRIES)])
    assert window.open_case(str(case_path), "Tester")
    workspace = window.workspace
    workspace.show_directory(FileLocation(1, 0, DIRECTORY))
    model = workspace.file_model
    assert model.rowCount() < model.total() == ENTRIES
    workspace.file_view.selectAll()
    ids = workspace.selected_file_ids()
    expected = [i + 1 for i in range(ENTRIES) if i % 50]  # ids follow insertion, no dirs
    assert sorted(ids) == expected
    assert len(workspace._review_items()) == ENTRIES


def test_a_refreshed_partial_selection_stays_partial(qtbot, window: MainWindow,
                                                     many_addresses: Path) -> None:
    """Self-audit: after F5 the first page was reselected and, being every loaded row
    with more to come, taken for "select all": Tag then tagged all 552 of 300 chosen."""
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    assert window.open_case(str(many_addresses), "Tester")
    workspace = window.workspace
    assert workspace.select_tree_node("category", "Addresses")
    view, model = workspace.artefact_view, workspace.artefact_model
    while model.rowCount() < 300:
        model.fetchMore(model.index(-1, -1))
    chosen = QItemSelection(model.index(0, 0), model.index(299, model.columnCount() - 1))
    flags = QItemSelectionModel.SelectionFlag
    view.selectionModel().select(chosen, flags.ClearAndSelect | flags.Rows)
    view.selectionModel().setCurrentIndex(model.index(0, 0), flags.NoUpdate)
    workspace._on_row_changed(model.index(0, 0), model.index(0, 0))
    window._refresh()
    assert not workspace.whole_table_selected()
    assert len(view.selectionModel().selectedRows()) == 300  # kept below the first page
    outcome = workspace.tag_current("Some")
    assert (outcome.items, outcome.changed) == (300, 300)
    assert _tagged(many_addresses, "Some") == (300, 0)
    # Selecting exactly the loaded rows by hand is not "select all" either.
    model.reload()
    loaded = model.rowCount()
    view.selectionModel().select(QItemSelection(model.index(0, 0), model.index(
        loaded - 1, model.columnCount() - 1)), flags.ClearAndSelect | flags.Rows)
    assert loaded < ADDRESSES and not workspace.whole_table_selected()
    view.selectAll()
    assert workspace.whole_table_selected()

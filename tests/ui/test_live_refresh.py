"""The live refresh during a scan: new rows show once, in place, and the examiner's place stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from tests.ui.case_builder import build_directory_case, open_workspace
from triage.casedb import CaseDatabase
from triage.ui.file_table_model import FileLocation
from triage.ui.paged_table_model import PAGE_SIZE, PagedTableModel
from triage.ui.workspace import Workspace

DIRECTORY = "/cache"
ENTRIES = 450


def _entry(name: str, index: int) -> dict[str, Any]:
    return {"evidence_id": 1, "volume_idx": 0, "path": f"{DIRECTORY}/{name}",
            "parent": DIRECTORY, "name": name, "kind": "file", "size": index,
            "identity": f"0:{DIRECTORY}/{name}"}


@pytest.fixture
def case_path(tmp_path: Path) -> Path:
    return build_directory_case(tmp_path / "live.triage", "live",
                                [_entry(f"f{i:04d}.bin", i) for i in range(ENTRIES)])


@pytest.fixture
def workspace(qtbot, case_path: Path):
    yield from open_workspace(qtbot, case_path)


def _scan_writes(case_path: Path, names: list[str]) -> None:
    """Write entries into the directory as the scan would: on a connection of its own."""
    with CaseDatabase.open(case_path) as scan:
        scan.write_batch(files=[_entry(name, 10_000 + i) for i, name in enumerate(names)])


def _all_ids(model: PagedTableModel) -> list[int]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.row_data(row)["id"] for row in range(model.rowCount())]


def test_a_directory_listing_shows_each_entry_once_after_a_live_refresh(
        workspace: Workspace, case_path: Path) -> None:
    """Found by an audit: entries the scan wrote sorted before the loaded page shifted
    the later pages' offsets; scrolling on showed 50 entries twice and 50 never."""
    workspace.show_directory(FileLocation(1, 0, DIRECTORY))
    model = workspace.file_model
    assert model.rowCount() == PAGE_SIZE
    _scan_writes(case_path, [f"000new{i:03d}.txt" for i in range(50)])
    workspace.refresh()
    ids = _all_ids(model)
    assert len(ids) == len(set(ids)) == ENTRIES + 50
    names = [model.row_data(row)["name"] for row in range(model.rowCount())]
    assert names == sorted(names)


def _selected_ids(workspace: Workspace) -> set[int]:
    view, model = workspace.file_view, workspace.file_model
    return {model.row_data(index.row())["id"] for index in view.selectionModel().selectedRows()}


def _select(workspace: Workspace, rows: list[int], current: int) -> None:
    view, model = workspace.file_view, workspace.file_model
    selection = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(model.index(row, 0), flags)
    selection.setCurrentIndex(model.index(current, 0), flags)


@pytest.mark.parametrize("location", [FileLocation(1, 0, DIRECTORY), FileLocation(None, None, None)],
                         ids=["directory", "all files"])
def test_a_sorted_table_keeps_its_place_when_nothing_changed(
        qtbot, workspace: Workspace, location: FileLocation) -> None:
    """Found by an audit: every live refresh reloaded a sorted table, so the current row
    and the selection went every 1.5 s and Tag… then tagged only the detail pane's item."""
    workspace.show_directory(location)
    workspace.file_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # size
    _select(workspace, [3, 5, 7], current=5)
    before = _selected_ids(workspace)
    with qtbot.assertNotEmitted(workspace.file_model.modelReset):
        workspace.refresh()
    assert workspace.file_view.currentIndex().row() == 5
    assert _selected_ids(workspace) == before and len(before) == 3


@pytest.mark.parametrize("location", [FileLocation(1, 0, DIRECTORY), FileLocation(None, None, None)],
                         ids=["directory", "all files"])
def test_a_sorted_table_keeps_the_selected_items_when_a_scan_adds_rows(
        workspace: Workspace, case_path: Path, location: FileLocation) -> None:
    workspace.show_directory(location)
    workspace.file_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # name
    _all_ids(workspace.file_model)
    _select(workspace, [3, 5, 300], current=5)
    before = _selected_ids(workspace)
    current = workspace.file_model.row_data(5)["id"]
    workspace.file_view.verticalScrollBar().setValue(4)
    _scan_writes(case_path, [f"000new{i:03d}.txt" for i in range(20)])  # sort first
    workspace.refresh()
    model = workspace.file_model
    assert model.total() == ENTRIES + 20
    assert workspace.file_view.currentIndex().row() == 25
    assert model.row_data(25)["id"] == current
    assert _selected_ids(workspace) == before
    assert workspace.file_view.verticalScrollBar().value() == 4
    ids = _all_ids(model)
    assert len(ids) == len(set(ids)) == ENTRIES + 20


def test_a_sorted_filtered_table_rechecks_its_count_in_the_background(
        qtbot, workspace: Workspace, case_path: Path) -> None:
    workspace.show_directory(FileLocation(None, None, None))
    workspace.file_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    model = workspace.file_model
    model.set_filter(".bin")
    assert model.wait_for_total()
    _select(workspace, [1, 2], current=2)
    before = _selected_ids(workspace)
    with qtbot.assertNotEmitted(model.modelReset):
        workspace.refresh()
        assert model.wait_for_total()
    assert _selected_ids(workspace) == before
    _scan_writes(case_path, [f"zz{i}.bin" for i in range(3)])  # sort first, descending
    workspace.refresh()
    assert model.wait_for_total()
    qtbot.waitUntil(lambda: model.total() == ENTRIES + 3, timeout=5000)
    assert workspace.file_view.currentIndex().row() == 5
    assert _selected_ids(workspace) == before


def test_another_programs_scan_is_shown_as_a_scan_from_this_window(
        qtbot, window, case_path: Path) -> None:
    """GUI auditor: with a command-line scan writing to the open case, new rows sorting
    first were never shown, 50 loaded rows came twice, and the count stayed stale."""
    from triage.ui.main_window import LIVE_REFRESH_MS

    assert window.open_case(str(case_path), "Dana")
    workspace = window.workspace
    workspace.show_directory(FileLocation(1, 0, DIRECTORY))
    model = workspace.file_model
    assert model.rowCount() == PAGE_SIZE
    with CaseDatabase.open(case_path) as other:
        other.write_batch(files=[_entry(f"a{i:03d}.bin", i) for i in range(50)])
    qtbot.waitUntil(lambda: "500" in workspace.count_label.text(),
                    timeout=4 * LIVE_REFRESH_MS)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    ids = [model.row_data(row)["id"] for row in range(model.rowCount())]
    assert len(ids) == len(set(ids)) == ENTRIES + 50
    # The examiner's own writes (tags) are not taken for another program's.
    version = window.case.data_version()
    window.case.tag("Evidence", "Dana", file_id=ids[0])
    assert window.case.data_version() == version

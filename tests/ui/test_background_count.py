"""Filtered tables show their first page at once and count the matches in the background."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex

from triage.casedb import CaseDatabase
from triage.ui.file_table_model import FileLocation, FileTableModel
from triage.ui.paged_table_model import PAGE_SIZE

FILES = 700


def _file(index: int) -> dict[str, object]:
    name = f"{'match' if index % 2 else 'other'}{index:04d}.txt"
    return {"evidence_id": 1, "volume_idx": 0, "path": f"/d/{name}", "parent": "/d",
            "name": name, "kind": "file", "size": index, "identity": f"0|{index}||/d/{name}"}


@pytest.fixture
def case(tmp_path: Path):
    db = CaseDatabase.create(tmp_path / "count.triage", name="count")
    db.add_evidence("/img.raw", "raw", 1)
    db.write_batch(files=[_file(i) for i in range(FILES)])
    yield db
    db.close()


def _no_foreground_count(model: FileTableModel) -> None:
    def refuse() -> int:
        raise AssertionError("a filtered table must not count on the GUI thread")

    model._count = refuse  # type: ignore[method-assign]


def test_filtered_total_arrives_from_the_background(qtbot, case: CaseDatabase) -> None:
    model = FileTableModel(case)
    model.set_location(FileLocation(1, None, None))
    assert model.total() == FILES and model.total_is_known()  # unfiltered: counted at once
    _no_foreground_count(model)
    with qtbot.waitSignal(model.total_changed, timeout=10000, raising=False):
        model.set_filter("MATCH")
    assert model.rowCount() == PAGE_SIZE  # the first page is there before the count
    qtbot.waitUntil(model.total_is_known, timeout=10000)
    assert model.total() == FILES // 2
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == FILES // 2
    assert all("match" in model.row_data(r)["name"] for r in range(model.rowCount()))


def test_a_newer_filter_wins_over_a_late_count(qtbot, case: CaseDatabase) -> None:
    model = FileTableModel(case)
    model.set_location(FileLocation(1, None, None))
    _no_foreground_count(model)
    model.set_filter("match")
    model.set_filter("txt")  # every file; the first count is cancelled or ignored
    assert model.wait_for_total(10)
    qtbot.wait(50)  # let any late signal of the first count arrive
    assert model.total() == FILES


def test_a_short_first_page_settles_the_total_without_counting(case: CaseDatabase) -> None:
    model = FileTableModel(case)
    model.set_location(FileLocation(1, None, None))
    _no_foreground_count(model)
    model.set_filter("match000")
    assert model.total_is_known() and model.total() == 5  # match0001 ... match0009
    assert not model.canFetchMore(QModelIndex())


def test_while_counting_the_view_can_still_fetch_pages(case: CaseDatabase) -> None:
    model = FileTableModel(case)
    model.set_location(FileLocation(1, None, None))
    model.set_filter("txt")
    model.shutdown()  # drop the count: the total stays unknown
    assert not model.total_is_known()
    pages = 0
    while model.canFetchMore(QModelIndex()) and pages < 10:
        model.fetchMore(QModelIndex())
        pages += 1
    assert model.rowCount() == FILES and model.total_is_known() and model.total() == FILES


def test_workspace_starts_unsorted_and_says_counting(qtbot, case: CaseDatabase) -> None:
    from triage.ui.workspace import Workspace

    workspace = Workspace(case, "tester")
    qtbot.addWidget(workspace)
    assert workspace.file_model.sort_key is None  # Qt's default indicator is not applied
    assert workspace.artefact_model.sort_key is None
    workspace.show_directory(FileLocation(1, None, None))
    workspace.filter.setText("match")
    workspace.apply_filter()
    if not workspace.file_model.total_is_known():
        assert "counting" in workspace.count_label.text()
    qtbot.waitUntil(lambda: workspace.count_label.text() == f"{FILES // 2:,} rows", timeout=10000)
    workspace.shutdown()

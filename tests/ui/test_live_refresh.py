"""The live refresh during a scan: new rows show once, in place, and the examiner's place stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

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
    path = tmp_path / "live.triage"
    case = CaseDatabase.create(path, name="live")
    case.add_evidence("/img.raw", "raw", 1)
    case.upsert_volume(1, {"index": 0, "start": 0, "length": 1, "kind": "filesystem"})
    case.write_batch(files=[_entry(f"f{i:04d}.bin", i) for i in range(ENTRIES)])
    case.close()
    return path


@pytest.fixture
def workspace(qtbot, case_path: Path):
    case = CaseDatabase.open(case_path)
    view = Workspace(case, "Tester")
    qtbot.addWidget(view)
    view.show()
    yield view
    view.shutdown()
    case.close()


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

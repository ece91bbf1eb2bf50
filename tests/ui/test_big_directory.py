"""'Show in file system' in a directory of 50,000 entries: found by counting, not paging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.case_builder import build_directory_case, open_workspace
from triage.casedb import CaseDatabase, ui_queries
from triage.ui.file_table_model import FileLocation
from triage.ui.paged_table_model import PAGE_SIZE, ROW_ROLE
from triage.ui.workspace import Workspace

ENTRIES = 50_000
DIRECTORY = "/Windows/WinSxS"


def _entry(index: int) -> dict[str, Any]:
    kind = "dir" if index % 40 == 0 else "file"
    # Names in an order unlike the ids, so the listing's order is not the insertion order.
    name = f"{'d' if kind == 'dir' else 'f'}{(index * 7919) % ENTRIES:05d}"
    return {"evidence_id": 1, "volume_idx": 0, "path": f"{DIRECTORY}/{name}", "parent": DIRECTORY,
            "name": name, "kind": kind, "size": index % 1000, "deleted": False,
            "identity": f"0:{name}"}


@pytest.fixture(scope="module")
def big_directory_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_directory_case(tmp_path_factory.mktemp("big_directory") / "big.triage",
                                "big directory", [_entry(i) for i in range(ENTRIES)])


@pytest.fixture
def workspace(qtbot, big_directory_case: Path):
    yield from open_workspace(qtbot, big_directory_case)


def _pages_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the offset of every directory page the file table reads."""
    offsets: list[int] = []
    original = ui_queries.page_directory

    def page_directory(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        offsets.append(args[7] if len(args) > 7 else kwargs.get("offset", 0))
        return original(*args, **kwargs)

    monkeypatch.setattr(ui_queries, "page_directory", page_directory)
    return offsets


def _first_entry(case: CaseDatabase, order: str) -> dict[str, Any]:
    return case.conn.execute(f"SELECT id FROM files ORDER BY {order} LIMIT 1").fetchone()


def test_show_in_file_system_reads_only_the_page_holding_the_file(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by an audit: the table read every page before the file (12 s at 60,000)."""
    target = _first_entry(workspace.case, "kind != 'dir' DESC, name DESC")
    offsets = _pages_read(monkeypatch)
    assert workspace.show_in_file_system(target["id"])
    current = workspace.file_view.currentIndex()
    assert current.row() == ENTRIES - 1
    assert current.data(ROW_ROLE)["id"] == target["id"]
    assert workspace.file_view.selectionModel().isRowSelected(ENTRIES - 1)
    assert workspace.file_model.rowCount() == ENTRIES
    # The first page (opening the directory) and the file's; the view may ask for the one
    # before it when both are on screen.
    assert len(offsets) <= 3 and (ENTRIES - 1) // PAGE_SIZE * PAGE_SIZE in offsets


def test_the_pages_skipped_over_load_when_scrolled_back_to(workspace: Workspace) -> None:
    target = _first_entry(workspace.case, "kind != 'dir' DESC, name DESC")
    assert workspace.show_in_file_system(target["id"])
    model = workspace.file_model
    middle = ENTRIES // 2
    expected = ui_queries.page_directory(workspace.case, 1, 0, DIRECTORY, offset=middle, limit=3)
    assert [model.row_data(middle + i)["id"] for i in range(3)] == [r["id"] for r in expected]
    assert model.index(middle, 0).data() == expected[0]["name"]


def test_show_in_file_system_keeps_the_tables_sort_order(workspace: Workspace) -> None:
    workspace.show_directory(FileLocation(1, 0, DIRECTORY))
    size_column = next(i for i, c in enumerate(workspace.file_model.columns()) if c.key == "size")
    workspace.file_view.sortByColumn(size_column, Qt.SortOrder.DescendingOrder)
    target = _first_entry(workspace.case, "size ASC, id ASC")  # last by size, id descending
    assert workspace.show_in_file_system(target["id"])
    current = workspace.file_view.currentIndex()
    assert current.row() == ENTRIES - 1
    assert current.data(ROW_ROLE)["id"] == target["id"]

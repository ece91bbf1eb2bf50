"""A row's position in a directory listing is counted, not found by paging through it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from triage.casedb import CaseDatabase, ui_queries
from triage.casedb.queries import FILE_SORT_COLUMNS

ENTRIES = 90
DIRECTORY = "/d"


def _entry(index: int) -> dict[str, Any]:
    # Repeated names, sizes and times, NULLs and directories: ties and NULLs are where a
    # counted position and the listing's ORDER BY could disagree.
    kind = "dir" if index % 9 == 0 else "file"
    name = f"n{index % 23:02d}" + ("" if kind == "dir" else ".txt")
    return {
        "evidence_id": 1, "volume_idx": 0, "path": f"{DIRECTORY}/{name}#{index}",
        "parent": DIRECTORY, "name": name, "kind": kind,
        "size": None if index % 7 == 0 else index % 5, "deleted": index % 4 == 0,
        "mtime": None if index % 3 == 0 else float(index % 6),
        "md5": None if index % 2 else f"{index % 4:032x}",
        "extension": None if kind == "dir" else "txt", "identity": f"0:{index}",
    }


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("position") / "position.triage"
    db = CaseDatabase.create(path, name="position")
    db.add_evidence("/img.raw", "raw", 1)
    db.write_batch(files=[_entry(i) for i in range(ENTRIES)]
                   + [{**_entry(i), "parent": "/other", "identity": f"1:{i}"} for i in range(9)])
    yield db
    db.close()


ORDERS = [(None, False)] + [(key, backwards) for key in FILE_SORT_COLUMNS
                            for backwards in (False, True)]


@pytest.mark.parametrize(("sort_key", "descending"), ORDERS)
def test_position_is_the_offset_the_listing_shows_the_file_at(
        case: CaseDatabase, sort_key: str | None, descending: bool) -> None:
    listing = ui_queries.page_directory(case, 1, 0, DIRECTORY, None, sort_key, descending,
                                        limit=ENTRIES + 10)
    assert len(listing) == ENTRIES
    for offset, row in enumerate(listing):
        assert ui_queries.directory_position(
            case, 1, 0, DIRECTORY, row["id"], None, sort_key, descending) == offset, row


def test_position_follows_the_filter_and_is_none_outside_the_listing(case: CaseDatabase) -> None:
    listing = ui_queries.page_directory(case, 1, 0, DIRECTORY, "n1", limit=ENTRIES)
    assert listing and len(listing) < ENTRIES
    for offset, row in enumerate(listing):
        assert ui_queries.directory_position(case, 1, 0, DIRECTORY, row["id"], "n1") == offset
    filtered_out = case.conn.execute(
        "SELECT id FROM files WHERE parent = ? AND name NOT LIKE '%n1%'", (DIRECTORY,)).fetchone()[0]
    elsewhere = case.conn.execute("SELECT id FROM files WHERE parent = '/other'").fetchone()[0]
    assert ui_queries.directory_position(case, 1, 0, DIRECTORY, filtered_out, "n1") is None
    assert ui_queries.directory_position(case, 1, 0, DIRECTORY, elsewhere) is None


def test_an_unknown_sort_key_is_refused(case: CaseDatabase) -> None:
    with pytest.raises(ValueError):
        ui_queries.directory_position(case, 1, 0, DIRECTORY, 1, sort_key="name; DROP")

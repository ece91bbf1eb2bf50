"""The GUI's read queries stay index-driven at scale (issue 11) and return the right rows.

The plans are read back with EXPLAIN QUERY PLAN from the SQL the queries really run (caught
with a trace callback), so a query that starts scanning or sorting a whole table fails
here long before anyone notices it on a million-file case. Results are checked against
plain Python over the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from triage.casedb import CaseDatabase, ui_queries

FILES = 1200
ARTEFACTS = 900


def _file(index: int) -> dict[str, Any]:
    parent = f"/Users/u{index % 7}/Docs"
    name = f"{'needle' if index % 50 == 0 else 'file'}{index:05d}_{index % 3}.txt"
    return {"evidence_id": 1, "volume_idx": 0, "path": f"{parent}/{name}", "parent": parent,
            "name": name, "kind": "file", "size": index, "deleted": int(index % 40 == 0),
            "identity": f"0|{index}||{parent}/{name}"}


def _artefact(index: int) -> dict[str, Any]:
    photo = index % 3 == 0
    attributes: dict[str, Any] = {"address": f"1Addr{index:05d}", "coin": "bitcoin"}
    if photo:
        attributes = {"make": f"Maker{index % 11}", "gps_latitude": 10.5, "gps_longitude": 20.25}
    if index % 45 == 0:
        attributes["note"] = "a needle here"
    return {"type": "media.exif" if photo else "crypto.address",
            "category": "Photos" if photo else "Addresses", "evidence_id": 1, "volume_idx": 0,
            "file_identity": _file(index % FILES)["identity"], "path": _file(index % FILES)["path"],
            "unallocated": index % 30 == 0, "attributes": attributes, "extractor": "test",
            "extractor_version": "1", "identity": f"a{index}"}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("scale") / "scale.triage"
    db = CaseDatabase.create(path, name="scale")
    db.add_evidence("/img.raw", "raw", 1)
    db.write_batch(files=[_file(i) for i in range(FILES)])
    db.write_batch(artefacts=[_artefact(i) for i in range(ARTEFACTS)])
    for artefact_id in (5, 17, 400):
        db.tag("Notable", "tester", artefact_id=artefact_id)
    db.tag("Evidence", "tester", artefact_id=17)
    yield db
    db.close()


def _plans(case: CaseDatabase, action: Callable[[], Any]) -> list[str]:
    """Run ``action`` and return the query plan lines of every SELECT it ran."""
    statements: list[str] = []
    case.conn.set_trace_callback(statements.append)
    try:
        action()
    finally:
        case.conn.set_trace_callback(None)
    lines = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            lines += [row[3] for row in case.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert lines, "the action ran no query"
    return lines


#: Whole-table walks that are intended: the tree counts artefacts per type on its index
#: (a few MB for 200,000 artefacts), the partial indexes hold only matching rows.
_ALLOWED_SCANS = ("COVERING INDEX artefacts_type", "artefacts_coordinates",
                  "artefacts_unallocated")


def _full_scans(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        words = line.split()
        whole_table = words[:1] == ["SCAN"] and words[1] in ("a", "f", "artefacts", "files")
        if (whole_table or "TEMP B-TREE" in line) and not any(
                allowed in line for allowed in _ALLOWED_SCANS):
            found.append(line)
    return found


GUI_STEPS: dict[str, Callable[[CaseDatabase], Any]] = {
    "category page": lambda c: c.page_artefacts(categories=["Photos"]),
    "category count": lambda c: c.count_artefacts(categories=["Photos"]),
    "category filter": lambda c: (c.page_artefacts(categories=["Photos"], filter_text="needle"),
                                  c.count_artefacts(categories=["Photos"], filter_text="needle")),
    "type page": lambda c: c.page_artefacts(types=["media.exif"]),
    "gps": lambda c: (ui_queries.page_artefacts_with_coordinates(c),
                      ui_queries.count_artefacts_with_coordinates(c)),
    "unallocated": lambda c: (c.page_artefacts(unallocated=True),
                              c.count_artefacts(unallocated=True)),
    "tagged": lambda c: (c.page_artefacts(tagged_only=True), c.count_artefacts(tagged_only=True)),
    "one tag": lambda c: (c.page_artefacts(tag="Notable"), c.count_artefacts(tag="Notable")),
    "all files page": lambda c: c.page_files(1),
    "all files count": lambda c: c.count_files(1),
    "tree counts": lambda c: ui_queries.artefact_counts_by_category_and_type(c),
    "directory count": lambda c: ui_queries.count_directory(c, 1, 0, "/Users/u1/Docs"),
}


@pytest.mark.parametrize("step", sorted(GUI_STEPS))
def test_gui_queries_neither_scan_nor_sort_whole_tables(case: CaseDatabase, step: str) -> None:
    lines = _plans(case, lambda: GUI_STEPS[step](case))
    assert not _full_scans(lines), lines


@pytest.mark.parametrize("descending", [False, True])
def test_files_sorted_by_name_either_way_read_the_index_without_sorting(
        case: CaseDatabase, descending: bool) -> None:
    """Found by a GUI audit: "name DESC, id" (a tie-break running the other way) made
    SQLite sort all rows again for every page (168 s for the middle page of 1,000,000)."""
    for action in (
        lambda: case.page_files(1, sort_key="name", descending=descending, offset=500),
        lambda: ui_queries.page_directory(case, 1, 0, "/Users/u1/Docs", sort_key="name",
                                          descending=descending),
    ):
        lines = _plans(case, action)
        assert not any("TEMP B-TREE" in line for line in lines), lines


def test_all_files_filter_pages_in_id_order_without_sorting(case: CaseDatabase) -> None:
    # No trigram index on files (ingest cost): the page walks the rows in id order and stops
    # after a page of hits; what must never happen is collecting all hits to sort them.
    lines = _plans(case, lambda: case.page_files(1, "needle"))
    assert not any("TEMP B-TREE" in line for line in lines), lines


def test_file_filter_scans_rows_instead_of_looking_each_up_by_evidence(case: CaseDatabase) -> None:
    # A path filter must read every row of the evidence; walking the evidence_id index
    # and fetching each row from it costs more than the scan in rowid order.
    for action in (lambda: case.page_files(1, "zqxjzqxj"), lambda: case.count_files(1, "zq")):
        lines = _plans(case, action)
        assert not any("files_evidence" in line for line in lines), lines


def _oracle_files(text: str) -> list[int]:
    return [i + 1 for i in range(FILES) if text.lower() in _file(i)["path"].lower()]


@pytest.mark.parametrize("text", ["needle", "NEEDLE", "_1.", "0%", "u3/docs/file", "x"])
def test_file_filter_matches_a_plain_substring_search(case: CaseDatabase, text: str) -> None:
    expected = _oracle_files(text)
    assert case.count_files(1, text) == len(expected)
    got = [r["id"] for r in case.page_files(1, text, limit=FILES)]
    assert got == expected


def test_tag_filters_return_exactly_the_tagged_artefacts(case: CaseDatabase) -> None:
    assert [r["id"] for r in case.page_artefacts(tagged_only=True)] == [5, 17, 400]
    assert case.count_artefacts(tagged_only=True) == 3
    assert [r["id"] for r in case.page_artefacts(tag="Evidence")] == [17]
    assert [r["id"] for r in case.page_artefacts(tag="Notable", categories=["Photos"])] == [400]
    assert case.count_artefacts(tag="Follow up") == 0


def test_artefact_filter_agrees_with_the_stored_text(case: CaseDatabase) -> None:
    for text in ("needle", "ne", "addr0004", "a_n"):
        expected = [r["id"] for r in case.conn.execute(
            "SELECT id, summary FROM artefacts ORDER BY id") if text in r["summary"]]
        assert [r["id"] for r in case.page_artefacts(filter_text=text, limit=ARTEFACTS)] \
            == expected, text
        assert case.count_artefacts(filter_text=text) == len(expected)

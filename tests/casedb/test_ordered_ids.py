"""Deep pages of sorted tables come from a snapshot of sorted ids: the same rows, in the
same order, as one sort of everything in Python, and a new snapshot once the case changed."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from triage.casedb import CaseDatabase
from triage.casedb.ordered_ids import DEEP_OFFSET

FILES = DEEP_OFFSET + 1500
PAGE = 256


def _file(index: int, size: int | None) -> dict[str, Any]:
    name = f"{'needle' if index % 5 else 'f'}{index:05d}.bin"
    return {"evidence_id": 1, "volume_idx": 0, "path": f"/d/{name}", "parent": "/d",
            "name": name, "kind": "file", "size": size, "mtime": float(index % 97),
            "identity": f"0|{index}||/d/{name}"}


def _artefact(index: int, score: int | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"label": f"a{index}"}
    if score is not None:
        attributes["score"] = score
    return {"type": "crypto.address", "category": "Addresses", "evidence_id": 1,
            "volume_idx": 0, "path": f"/d/a{index}", "attributes": attributes,
            "extractor": "test", "extractor_version": "1", "identity": f"a{index}"}


@pytest.fixture()
def case(tmp_path: Path):
    generator = random.Random(7)
    db = CaseDatabase.create(tmp_path / "deep.triage", name="deep")
    db.add_evidence("/img.raw", "raw", 1)
    # Few distinct sizes and scores, some missing: ties and NULLs decide many places.
    db.write_batch(files=[_file(i, generator.choice([None, 0, 1, 7, 4096]))
                          for i in range(FILES)])
    db.write_batch(artefacts=[_artefact(i, generator.choice([None, -3, 0, 12]))
                              for i in range(FILES)])
    yield db
    db.close()


def _sorted_files(case: CaseDatabase, key: str, descending: bool, text: str = "") -> list[int]:
    """Python's order of the same rows: NULL first ascending, ids breaking ties the same way."""
    rows = [f for f in case.iter_files() if text in f["path"]]

    def rank(row: dict[str, Any]) -> tuple[Any, ...]:
        value = row[key]
        return (value is not None, value if value is not None else 0, row["id"])

    return [r["id"] for r in sorted(rows, key=rank, reverse=descending)]


def _all_pages(fetch: Any, total: int) -> list[int]:
    return [row["id"] for offset in range(0, total, PAGE) for row in fetch(offset)]


@pytest.mark.parametrize(("key", "descending"), [("size", False), ("size", True),
                                                 ("mtime", True), ("name", False)])
def test_every_page_of_a_sorted_file_table_matches_one_sort(case, key, descending) -> None:
    expected = _sorted_files(case, key, descending)
    got = _all_pages(lambda offset: case.page_files(
        1, None, sort_key=key, descending=descending, offset=offset, limit=PAGE), FILES)
    assert got == expected
    # The deep pages did come from a snapshot (the query's whole order, read once).
    assert case._ordered_file_ids._stamp is not None


def test_filtered_deep_pages_match_one_sort(case) -> None:
    expected = _sorted_files(case, "size", True, "needle")
    got = _all_pages(lambda offset: case.page_files(
        1, "needle", sort_key="size", descending=True, offset=offset, limit=PAGE), FILES)
    assert got == expected
    assert len(expected) == FILES - (FILES + 4) // 5 > DEEP_OFFSET


def test_a_new_snapshot_after_this_or_another_connection_wrote(case) -> None:
    def deep_page() -> list[int]:
        return [r["id"] for r in case.page_files(
            1, None, sort_key="size", descending=True, offset=DEEP_OFFSET, limit=PAGE)]

    before = deep_page()
    assert before == _sorted_files(case, "size", True)[DEEP_OFFSET:DEEP_OFFSET + PAGE]
    # Rows larger than all others push every row down by their number.
    case.write_batch(files=[_file(FILES + i, 10**9) for i in range(3)])
    assert deep_page() == _sorted_files(case, "size", True)[DEEP_OFFSET:DEEP_OFFSET + PAGE]
    other = CaseDatabase.open(case.path)
    try:
        other.write_batch(files=[_file(FILES + 10 + i, 10**9) for i in range(5)])
    finally:
        other.close()
    after = deep_page()
    assert after == _sorted_files(case, "size", True)[DEEP_OFFSET:DEEP_OFFSET + PAGE]
    assert after[8:] == before[:-8]


@pytest.mark.parametrize("descending", [False, True])
def test_deep_pages_of_artefacts_sorted_by_an_attribute(case, descending) -> None:
    artefacts = list(case.iter_artefacts())

    def rank(artefact: dict[str, Any]) -> tuple[Any, ...]:
        score = artefact["attributes"].get("score")
        return (score is not None, score if score is not None else 0, artefact["id"])

    expected = [a["id"] for a in sorted(artefacts, key=rank, reverse=descending)]
    got = _all_pages(lambda offset: case.page_artefacts(
        sort_key="score", descending=descending, offset=offset, limit=PAGE), FILES)
    assert got == expected

"""The case models: Qt's model contract (qtmodeltester), paging, query-side sort and filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from tests.ui.case_builder import PHOTO_PLACES, build_case
from triage.casedb import CaseDatabase
from triage.ui.artefact_table_model import ArtefactQuery, ArtefactTableModel
from triage.ui.case_tree_model import CaseTreeModel
from triage.ui.file_table_model import FileLocation, FileTableModel
from triage.ui.paged_table_model import PAGE_SIZE
from triage.ui.warning_table_model import WarningTableModel

ADDRESSES = 600


@pytest.fixture
def big_case(tmp_path: Path):
    case = build_case(tmp_path / "big.triage", addresses=ADDRESSES)
    yield case
    case.close()


def _column(model, key: str) -> int:
    return next(i for i, c in enumerate(model.columns()) if c.key == key)


def _all_rows(model) -> list[dict]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.row_data(i) for i in range(model.rowCount())]


def test_models_pass_qtmodeltester(qtmodeltester, big_case: CaseDatabase) -> None:
    tree = CaseTreeModel(big_case)
    qtmodeltester.check(tree)
    artefacts = ArtefactTableModel(big_case)
    artefacts.set_query(ArtefactQuery(categories=("Addresses",)))
    qtmodeltester.check(artefacts)
    files = FileTableModel(big_case)
    files.set_location(FileLocation(1, 0, "/Users/alice"))
    qtmodeltester.check(files)
    warnings = WarningTableModel(big_case)
    warnings.reload()
    qtmodeltester.check(warnings)


def test_artefact_table_loads_pages_not_everything(big_case: CaseDatabase) -> None:
    model = ArtefactTableModel(big_case)
    model.set_query(ArtefactQuery(categories=("Addresses",)))
    assert model.total() == ADDRESSES
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE
    assert len(_all_rows(model)) == ADDRESSES
    assert not model.canFetchMore(QModelIndex())


def test_sorting_by_attribute_happens_in_the_query(big_case: CaseDatabase) -> None:
    model = ArtefactTableModel(big_case)
    model.set_query(ArtefactQuery(categories=("Addresses",)))
    model.sort(_column(model, "address"), Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == PAGE_SIZE  # still paged after sorting
    got = [row["attributes"]["address"] for row in _all_rows(model)]
    expected = sorted((f"1Addr{i:05d}" for i in range(ADDRESSES)), reverse=True)
    assert got == expected
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert "Address" in headers and "Coin" in headers


def test_filter_is_applied_by_the_query(big_case: CaseDatabase) -> None:
    model = ArtefactTableModel(big_case)
    model.set_query(ArtefactQuery(categories=("Addresses",)))
    model.set_filter("1addr0012")
    expected = [f"1Addr{i:05d}" for i in range(ADDRESSES) if f"1Addr{i:05d}".startswith("1Addr0012")]
    assert sorted(r["attributes"]["address"] for r in _all_rows(model)) == expected
    model.set_filter("no such thing")
    assert model.rowCount() == 0 and model.total() == 0


def test_gps_and_unallocated_views(big_case: CaseDatabase) -> None:
    model = ArtefactTableModel(big_case)
    model.set_query(ArtefactQuery(with_coordinates=True))
    rows = _all_rows(model)
    assert sorted((r["attributes"]["gps_latitude"], r["attributes"]["gps_longitude"])
                  for r in rows) == sorted(PHOTO_PLACES)
    model.set_query(ArtefactQuery(unallocated=True))
    assert model.total() == ADDRESSES // 10
    assert all(r["unallocated"] for r in _all_rows(model))


def test_tags_column_follows_tagging(big_case: CaseDatabase) -> None:
    model = ArtefactTableModel(big_case)
    model.set_query(ArtefactQuery(categories=("PGP keys",)))
    first = model.row_data(0)["id"]
    big_case.tag("Notable", "Tester", artefact_id=first)
    model.refresh_tags(first)
    index = model.index(0, _column(model, "tags"))
    assert model.data(index) == "Notable"


def test_file_table_lists_a_directory_sorted_by_size(big_case: CaseDatabase) -> None:
    model = FileTableModel(big_case)
    model.set_location(FileLocation(1, 0, "/Users/alice"))
    names = [r["name"] for r in _all_rows(model)]
    assert names == ["Pictures", "notes.txt", "old.wallet", "secret.asc"]  # dirs first
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.row_data(0)["name"] == "secret.asc"
    deleted = next(i for i in range(model.rowCount()) if model.row_data(i)["deleted"])
    assert model.data(model.index(deleted, 4)) == "yes"


def test_tree_counts_and_lazy_directories(big_case: CaseDatabase) -> None:
    tree = CaseTreeModel(big_case)
    categories = {}
    artefacts = tree.find_index("artefacts_root")
    for row in range(tree.rowCount(artefacts)):
        node = tree.node_at(tree.index(row, 0, artefacts))
        categories[node.label] = node.count
    assert categories["Addresses"] == ADDRESSES
    assert categories["Photos"] == len(PHOTO_PLACES)
    assert categories["Photos with GPS"] == len(PHOTO_PLACES)
    assert categories["Secret keys"] == 1  # AAAA1111 has its secret half, BBBB2222 not
    # Categories the issue lists are offered even when nothing was found.
    assert categories["Onion services"] == 0 and categories["Documents"] == 0
    assert categories["Unallocated hits"] == ADDRESSES // 10
    evidence = tree.index(0, 0, tree.find_index("evidence_root"))
    volume = tree.index(0, 0, evidence)
    assert tree.hasChildren(volume) and tree.rowCount(volume) == 0
    assert tree.canFetchMore(volume)
    tree.fetchMore(volume)
    users = tree.index(0, 0, volume)
    assert tree.data(users) == "Users"
    tree.fetchMore(users)
    assert tree.data(tree.index(0, 0, users)) == "alice"


def test_tree_refresh_adds_new_categories_and_types_in_place(big_case: CaseDatabase) -> None:
    tree = CaseTreeModel(big_case)
    inserted: list[tuple[str, int, int]] = []
    changed: list[str] = []
    tree.rowsInserted.connect(
        lambda parent, first, last: inserted.append((tree.node_at(parent).label, first, last)))
    tree.dataChanged.connect(lambda first, _last: changed.append(tree.data(first)))
    addresses = tree.find_index("category", "Addresses")
    assert tree.rowCount(addresses) == 0  # one type only: no type level
    big_case.write_batch(artefacts=[
        {"type": "tor.onion_address", "category": "Onion addresses", "evidence_id": 1,
         "attributes": {"address": "x" * 56 + ".onion"}, "extractor": "t",
         "extractor_version": "1", "identity": "onion-1"},
        {"type": "chat.message", "category": "Chat logs", "evidence_id": 1,
         "attributes": {"text": "hello"}, "extractor": "t", "extractor_version": "1",
         "identity": "chat-1"},
        {"type": "crypto.legacy_address", "category": "Addresses", "evidence_id": 1,
         "attributes": {"address": "1Legacy"}, "extractor": "t", "extractor_version": "1",
         "identity": "legacy-1"},
    ])
    tree.refresh()
    assert "Onion addresses (1)" in changed  # counted in place, not re-inserted
    assert ("Artefacts", ) == tuple({label for label, _, _ in inserted} - {"Addresses"})
    assert tree.data(tree.find_index("category", "Chat logs")) == "Chat logs (1)"
    # A second type in a category splits it by type, the most frequent first.
    assert tree.rowCount(addresses) == 2
    assert [tree.data(tree.index(r, 0, addresses)) for r in range(2)] == [
        f"Address ({ADDRESSES:,})", "crypto.legacy_address (1)"]


def test_secret_keys_view(big_case: CaseDatabase) -> None:
    model = ArtefactTableModel(big_case)
    model.set_query(ArtefactQuery(types=("pgp.key",), secret_keys=True))
    rows = _all_rows(model)
    assert [r["attributes"]["fingerprint"] for r in rows] == ["AAAA1111"]
    assert [c.key for c in model.columns()][2:5] == ["fingerprint", "user_ids", "has_secret"]

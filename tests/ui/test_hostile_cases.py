"""Damaged cases, hostile strings and exports at awkward moments, through the main window."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from tests.ui.case_builder import build_case
from triage.textsafety import visible_controls
from triage.ui.file_table_model import FileLocation
from triage.ui.formatting import plain_tooltip
from triage.ui.main_window import MainWindow
from triage.ui.paged_table_model import ROW_ROLE

HOSTILE_NAME = "<img src=x onerror=alert(1)><b>bold</b> & \u202egpj.exe"


def _damage(path: Path, kind: str) -> None:
    if kind == "pages":
        data = bytearray(path.read_bytes())
        page = int.from_bytes(data[16:18], "big")
        for offset in range(page * 2, len(data), page * 3):
            data[offset:offset + page] = b"\xa5" * page
        path.write_bytes(bytes(data))
        return
    connection = sqlite3.connect(path)
    if kind == "json":
        connection.execute("UPDATE artefacts SET attributes = '{not json' WHERE type = 'pgp.key'")
    else:
        connection.execute("DROP TABLE artefact_types")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("kind", ["pages", "json", "table"])
def test_a_damaged_case_is_a_message_not_an_exception(qtbot, window: MainWindow,
                                                      tmp_path: Path, kind: str) -> None:
    """Found by an audit: the damage the first queries met escaped into the event loop and
    left a half-open case behind."""
    path = tmp_path / f"{kind}.triage"
    build_case(path, addresses=3000).close()
    _damage(path, kind)
    with qtbot.capture_exceptions() as caught:
        window.start_screen.open_case(str(path))
        qtbot.wait(50)
    assert not caught
    assert window.case is None and window.workspace is None
    assert "damaged case file" in window.start_screen.error.text()


def test_tooltips_show_hostile_text_literally() -> None:
    for text in (HOSTILE_NAME, "plain path", "a & b", "line\n  two"):
        tooltip = plain_tooltip(text)
        if tooltip != text:  # rich text: what Qt shows is the escaped text, as typed
            document = QTextDocument()
            document.setHtml(tooltip)
            assert document.toPlainText() == visible_controls(text)
        else:
            assert "<" not in text and "&" not in text


def test_labels_quoting_evidence_are_plain_text(qtbot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "<b>case<i>.triage"
    build_case(path).close()
    assert window.open_case(str(path), "Tester")
    labels = [window.status_case, window.status_evidence, window.status_work,
              window.start_screen.error, window.progress_panel.current,
              window.workspace.title, window.workspace.detail.title]
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText


def _exports_of(window: MainWindow, case_path: Path) -> list[object]:
    """Open the case; return the list every finished export's result is appended to."""
    assert window.open_case(str(case_path), "Tester")
    finished: list[object] = []
    window.export_finished.connect(finished.append)
    return finished


def test_closing_during_an_export_waits_for_it(qtbot, window: MainWindow,
                                               sample_case_path: Path, tmp_path: Path) -> None:
    """Found by an audit: the event loop ended under the export's thread (abort, exit 134)."""
    finished = _exports_of(window, sample_case_path)
    window.start_export("html", tmp_path, tagged_only=False)
    window.close()
    assert window.isVisible() or finished  # not closed under a running export
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    assert finished and finished[0] is not None
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_two_exports_in_one_second_get_two_names(qtbot, window: MainWindow,
                                                 sample_case_path: Path, tmp_path: Path) -> None:
    finished = _exports_of(window, sample_case_path)
    window.start_export("jsonl", tmp_path, tagged_only=False)
    window.start_export("jsonl", tmp_path, tagged_only=True)
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=30000)
    assert None not in finished and len({str(p) for p in finished}) == 2


def test_sorting_by_an_attribute_with_capitals_works(qtbot, window: MainWindow,
                                                     sample_case_path: Path) -> None:
    from triage.casedb import CaseDatabase

    with CaseDatabase.open(sample_case_path) as case:
        rows = case.conn.execute("SELECT id FROM artefacts").fetchall()
        assert rows
    with qtbot.capture_exceptions() as caught:
        assert window.open_case(str(sample_case_path), "Tester")
        model = window.workspace.artefact_model
        model.sort_key = None
        from triage.ui.paged_table_model import Column

        model._columns.append(Column("SerialNumber", "Serial", sortable=True))
        model.sort(len(model._columns) - 1)
        model.sort(len(model._columns) - 1, Qt.SortOrder.DescendingOrder)
    assert not caught


def test_tagging_applies_to_every_selected_row(qtbot, window: MainWindow,
                                               sample_case_path: Path) -> None:
    """Found by an audit: with ten rows selected, Tag… tagged one."""
    from PySide6.QtWidgets import QDialog

    from triage.casedb import CaseDatabase

    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    workspace.select_tree_node("category", "Addresses")
    view = workspace.artefact_view
    view.selectRow(0)
    for row in range(1, 10):
        rect = view.visualRect(workspace.artefact_model.index(row, 1))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.ControlModifier, rect.center())
    selected = {workspace.artefact_model.row_data(i.row())["id"]
                for i in view.selectionModel().selectedRows()}
    assert len(selected) == 10
    window.act_tag.trigger()
    dialog = window.findChild(QDialog, "tag_dialog")
    dialog.tag.setEditText("Reviewed")
    dialog.accept()
    with CaseDatabase.open(sample_case_path, readonly=True) as case:
        tagged = {row[0] for row in case.conn.execute(
            "SELECT artefact_id FROM tags JOIN tag_names ON tag_names.id = tags.tag_name_id"
            " WHERE tag_names.name = 'Reviewed'")}
    assert tagged == selected


def test_tagged_files_are_counted_and_listed_under_their_tag(qtbot, window: MainWindow,
                                                             sample_case_path: Path) -> None:
    """Found by an audit: a tag's count included tagged files, but its view listed only
    artefacts, so a tagged file could not be found from the tree."""
    from triage.casedb import CaseDatabase

    with CaseDatabase.open(sample_case_path) as case:
        file_ids = [row[0] for row in case.conn.execute(
            "SELECT id FROM files WHERE kind = 'file' ORDER BY id LIMIT 2")]
        artefact_id = case.conn.execute("SELECT id FROM artefacts LIMIT 1").fetchone()[0]
        for file_id in file_ids:
            case.tag("Seized", "Tester", file_id=file_id)
        case.tag("Seized", "Tester", artefact_id=artefact_id)
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    tag_index = workspace.tree_model.find_index("tag", "Seized")
    assert workspace.tree_model.node_at(tag_index).count == 1  # what the tag's view lists
    assert workspace.select_tree_node("tag", "Seized")
    assert workspace.artefact_model.rowCount() == 1
    assert workspace.select_tree_node("tag_files")
    files_node = workspace.tree_model.node_at(workspace.tree.currentIndex())
    assert files_node.count == 2 and files_node.parent.label == "Seized"
    qtbot.waitUntil(lambda: workspace.file_model.rowCount() == 2, timeout=5000)
    listed = {workspace.file_model.row_data(row)["id"] for row in range(2)}
    assert listed == set(file_ids)
    assert workspace.title.text() == "Files tagged: Seized"


#: A file that reads "holidayexe.jpg" when U+202E is obeyed, in a directory whose name
#: hides a zero-width space, with an artefact value wrapped in an isolate.
MASQUERADE = "holiday\u202egpj.exe"
HIDDEN_DIRECTORY = "/Users/ali\u200bce"


def _case_with_hidden_characters(path: Path) -> None:
    case = build_case(path)
    run_id = case.conn.execute("SELECT max(id) FROM runs").fetchone()[0]
    entries = [(HIDDEN_DIRECTORY, "dir"), (f"{HIDDEN_DIRECTORY}/{MASQUERADE}", "file")]
    case.write_batch(files=[
        {"evidence_id": 1, "volume_idx": 0, "path": entry, "parent": entry.rpartition("/")[0],
         "name": entry.rpartition("/")[2], "kind": kind, "size": 1, "run_id": run_id,
         "identity": f"0:{entry}"} for entry, kind in entries])
    case.write_batch(artefacts=[{
        "type": "crypto.address", "category": "Addresses", "evidence_id": 1, "volume_idx": 0,
        "file_identity": f"0:{HIDDEN_DIRECTORY}/{MASQUERADE}",
        "path": f"{HIDDEN_DIRECTORY}/{MASQUERADE}", "attributes": {
            "address": "\u20671Evil\u2069", "coin": "bitcoin"},
        "extractor": "test", "extractor_version": "1", "run_id": run_id, "identity": "hidden"}])
    case.close()


def test_hidden_and_reordering_characters_show_visibly(qtbot, window: MainWindow,
                                                       tmp_path: Path) -> None:
    """Found by an audit: the reports named U+202E, the GUI obeyed it, so the examiner saw
    "holidayexe.jpg" in the tables, the tree and the detail pane."""
    path = tmp_path / "hidden.triage"
    _case_with_hidden_characters(path)
    assert window.open_case(str(path), "Tester")
    workspace = window.workspace
    shown_name = "holiday<U+202E>gpj.exe"
    shown_directory = "/Users/ali<U+200B>ce"

    workspace.show_directory(FileLocation(1, 0, HIDDEN_DIRECTORY))
    assert workspace.title.text() == shown_directory
    model = workspace.file_model
    name, path_column = (next(i for i, c in enumerate(model.columns()) if c.key == key)
                         for key in ("name", "path"))
    assert model.index(0, name).data() == shown_name
    assert model.index(0, name).data(ROW_ROLE)["name"] == MASQUERADE  # the case keeps it as is
    tooltip = QTextDocument()
    tooltip.setHtml(model.index(0, path_column).data(Qt.ItemDataRole.ToolTipRole))
    assert tooltip.toPlainText() == f"{shown_directory}/{shown_name}"

    workspace.file_view.selectRow(0)
    assert workspace.detail.title.text() == shown_name
    details = workspace.detail.details.toPlainText()
    assert f"{shown_directory}/{shown_name}" in details and "\u202e" not in details

    tree = workspace.tree_model
    users = tree.index(0, 0)  # Evidence, then the image, its volume, /Users
    for _ in range(3):
        if tree.canFetchMore(users):
            tree.fetchMore(users)
        users = tree.index(0, 0, users)
    assert tree.canFetchMore(users)
    tree.fetchMore(users)
    labels = [tree.index(row, 0, users).data() for row in range(tree.rowCount(users))]
    assert "ali<U+200B>ce" in labels and not any("\u200b" in label for label in labels)

    assert workspace.select_tree_node("category", "Addresses")
    artefacts = workspace.artefact_model
    artefacts.set_filter("Evil")
    address = next(i for i, c in enumerate(artefacts.columns()) if c.key == "address")
    assert artefacts.index(0, address).data() == "<U+2067>1Evil<U+2069>"


def test_line_breaks_in_evidence_text_show_in_cells_and_keep_list_items_apart() -> None:
    """Found by an audit: white space was collapsed before hidden characters were named,
    so "invoice.pdf\\n\\n.exe" read "invoice.pdf .exe" in the artefact table; and the detail
    pane, once it named line breaks, ran list items together."""
    from triage.ui.detail_pane import _detail_value, _table
    from triage.ui.formatting import format_value

    assert format_value("invoice.pdf\n\n.exe") == "invoice.pdf<U+000A><U+000A>.exe"
    assert format_value("a\x1fb.exe") == "a<U+001F>b.exe"
    document = QTextDocument()
    document.setHtml(_table([("Items", _detail_value(["a.txt", "b\nc.txt"]))]))
    assert [line.strip() for line in document.toPlainText().strip().split("\n")][-2:] == [
        "a.txt", "b<U+000A>c.txt"]

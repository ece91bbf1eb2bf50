"""The application driven through its widgets: case, scan, browse, tag, filter, map, export."""

from __future__ import annotations

import hashlib
import json
import time
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QDialog

from tests.ui.fake_engine import SlowEngine
from triage.casedb import CaseDatabase
from triage.ui.main_window import MainWindow
from triage.ui.paged_table_model import ROW_ROLE

REPO = Path(__file__).resolve().parents[2]
E01 = REPO / "tests" / "data" / "images" / "two_partitions.E01"
P1_TXT = REPO / "tests" / "data" / "images" / "staging" / "two_partitions.p1" / "data" / "p1.txt"


def _dialog(window: MainWindow, name: str) -> QDialog:
    dialog = window.findChild(QDialog, name)
    assert dialog is not None and dialog.isVisible()
    return dialog


def _click_tree(qtbot, window: MainWindow, kind: str, label: str | None = None) -> None:
    workspace = window.workspace
    index = workspace.tree_model.find_index(kind, label)
    assert index.isValid(), (kind, label)
    workspace.tree.scrollTo(index)
    rect = workspace.tree.visualRect(index)
    qtbot.mouseClick(workspace.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_new_case_from_the_start_screen(qtbot, window: MainWindow, tmp_path: Path) -> None:
    screen = window.start_screen
    qtbot.keyClicks(screen.name, "Operation Onion")
    qtbot.keyClicks(screen.number, "2024-17")
    screen.examiner.clear()
    qtbot.keyClicks(screen.examiner, "Dana")
    screen.folder.setText(str(tmp_path))
    with qtbot.waitSignal(window.case_opened, timeout=5000):
        qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    case_file = tmp_path / "Operation_Onion.triage"
    with CaseDatabase.open(case_file, readonly=True) as case:
        assert case.info()["name"] == "Operation Onion"
        assert case.info()["number"] == "2024-17"
        assert "Dana" in case.examiners()
    assert "Operation Onion" in window.status_case.text()
    assert str(case_file.resolve()) in window.settings.recent_cases()


def test_unreadable_case_gives_a_message_not_a_traceback(window: MainWindow,
                                                         tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-case.triage"
    bogus.write_bytes(b"hello, I am not SQLite")
    assert not window.open_case(str(bogus))
    assert "not a triage case file" in window.start_screen.error.text()
    assert window.workspace is None


def test_browse_tag_filter_map(qtbot, window: MainWindow, sample_case_path: Path) -> None:
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    _click_tree(qtbot, window, "category", "PGP keys")
    model = workspace.artefact_model
    assert model.rowCount() == 2
    fingerprints = {model.row_data(r)["attributes"]["fingerprint"] for r in range(2)}
    assert fingerprints == {"AAAA1111", "BBBB2222"}

    workspace.artefact_view.selectRow(0)
    artefact_id = model.row_data(0)["id"]
    assert workspace.detail.current == ("artefact", artefact_id)
    assert "AAAA1111" in workspace.detail.details.toPlainText()

    window.act_tag.trigger()
    dialog = _dialog(window, "tag_dialog")
    dialog.tag.setEditText("Evidence")
    dialog.comment.setText("vendor key")
    dialog.accept()
    tags_column = next(i for i, c in enumerate(model.columns()) if c.key == "tags")
    assert model.data(model.index(0, tags_column)) == "Evidence"
    window.act_note.trigger()
    note = _dialog(window, "note_dialog")
    note.text.setPlainText("matches the seized laptop")
    note.accept()
    with CaseDatabase.open(sample_case_path, readonly=True) as case:
        audit = [e for e in case.iter_audit() if e["action"] in ("tag.add", "note.add")]
    assert [(e["action"], e["examiner"]) for e in audit] == [("tag.add", "Tester"),
                                                              ("note.add", "Tester")]
    assert audit[0]["details"]["artefact_id"] == artefact_id
    assert workspace.tree_model.data(workspace.tree_model.find_index("tag", "Evidence")) \
        == "Evidence (1)"

    _click_tree(qtbot, window, "category", "Addresses")
    assert model.total() == 30
    qtbot.keyClicks(workspace.filter, "1addr0002")
    qtbot.waitUntil(lambda: model.total() == 10, timeout=3000)
    assert all("1Addr0002" in model.row_data(r)["attributes"]["address"]
               for r in range(model.rowCount()))

    window.act_map.trigger()
    assert workspace.stack.currentWidget() is workspace.map_view
    assert len(workspace.map_view.markers) == 3
    marker_id = next(iter(workspace.map_view.markers))
    qtbot.mouseClick(workspace.map_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=workspace.map_view.marker_view_position(marker_id))
    assert workspace.detail.current == ("artefact", marker_id)
    assert "Canon" in workspace.detail.details.toPlainText()


def test_show_in_file_system_and_warnings(qtbot, window: MainWindow,
                                          sample_case_path: Path) -> None:
    window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    _click_tree(qtbot, window, "category", "Wallets")
    workspace.artefact_view.selectRow(0)
    qtbot.mouseClick(workspace.detail.show_file_button, Qt.MouseButton.LeftButton)
    assert workspace.stack.currentWidget() is workspace.file_view
    current = workspace.file_view.currentIndex()
    assert current.data(ROW_ROLE)["path"] == "/Users/alice/old.wallet"
    assert current.data(ROW_ROLE)["deleted"]
    window.act_warnings.trigger()
    assert workspace.warning_model.rowCount() == 1
    assert workspace.warning_model.row_data(0)["message"] == "truncated JPEG"


def test_the_audit_log_view_lists_entries_and_says_whether_the_chain_holds(
        qtbot, window: MainWindow, sample_case_path: Path) -> None:
    import sqlite3

    with CaseDatabase.open(sample_case_path) as case:
        case.audit("export.csv", "Tester", {"path": "/out/a.csv"})
        entries = len(list(case.iter_audit()))
    window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    window.act_audit.trigger()
    assert workspace.stack.currentWidget() is workspace.audit_view
    assert workspace.audit_model.total() == entries
    assert workspace.audit_model.row_data(entries - 1)["action"] == "export.csv"
    # Checked in the background: the title says so until the answer comes.
    qtbot.waitUntil(lambda: "checking" not in workspace.title.text(), timeout=10000)
    assert workspace.title.text() == "Audit log: hash chain intact"
    assert "SHA-256" in workspace.title.toolTip()
    window.close_case()
    conn = sqlite3.connect(sample_case_path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET examiner = 'mallory' WHERE action = 'export.csv'")
    conn.commit()
    conn.close()
    window.open_case(str(sample_case_path), "Tester")
    window.act_audit.trigger()
    qtbot.waitUntil(lambda: "checking" not in window.workspace.title.text(), timeout=10000)
    assert window.workspace.title.text() == "Audit log: hash chain BROKEN"
    assert "differs from what was chained" in window.workspace.title.toolTip()
    _click_tree(qtbot, window, "warnings")
    assert window.workspace.title.toolTip() == ""


def test_export_tagged_report_in_the_background(qtbot, window: MainWindow,
                                                sample_case_path: Path, tmp_path: Path) -> None:
    pytest.importorskip("triage.reports")
    with CaseDatabase.open(sample_case_path) as case:
        tagged = case.page_artefacts(categories=["Wallets"])[0]["id"]
        case.tag("Notable", "Tester", artefact_id=tagged)
    window.open_case(str(sample_case_path), "Tester")
    with qtbot.waitSignal(window.export_finished, timeout=20000) as blocker:
        window.start_export("jsonl", tmp_path, tagged_only=True)
    output = blocker.args[0]
    assert output is not None and Path(output).is_file()
    lines = [json.loads(line) for line in Path(output).read_text().splitlines() if line.strip()]
    ids = {item.get("id") for item in lines if isinstance(item, dict)}
    assert tagged in ids
    assert not any(item.get("type") == "crypto.address" for item in lines)


@pytest.mark.skipif(not E01.is_file(), reason="test image absent")
def test_scan_the_test_image_then_export_a_verified_file(qtbot, window: MainWindow,
                                                         tmp_path: Path) -> None:
    case_file = tmp_path / "scan.triage"
    CaseDatabase.create(case_file, name="Scan", examiner="Tester").close()
    window.open_case(str(case_file), "Tester")
    window.act_add.trigger()
    dialog = _dialog(window, "add_evidence_dialog")
    dialog.add_paths([str(E01)])
    dialog.profile.setCurrentIndex(0)  # full
    with qtbot.waitSignal(window.scan_finished, timeout=60000) as blocker:
        dialog.accept()
        assert window.progress_panel.isVisible()
    summary = blocker.args[0]
    assert summary is not None and summary.status == "completed"
    assert not window.progress_panel.isVisible()
    assert "1 evidence item" in window.status_evidence.text()

    workspace = window.workspace
    tree = workspace.tree_model
    evidence = tree.index(0, 0, tree.find_index("evidence_root"))
    assert tree.data(evidence) == "two_partitions.E01"
    assert workspace.show_in_file_system(_file_id(case_file, "/data/p1.txt"))
    workspace.file_view.selectRow(workspace.file_view.currentIndex().row())
    with qtbot.waitSignal(window.export_finished, timeout=20000) as export:
        window.export_selected_files(str(tmp_path / "out"))
    [result] = export.args[0]
    assert result.status == "verified"
    copied = Path(result.target).read_bytes()
    assert copied == P1_TXT.read_bytes()
    assert result.md5 == hashlib.md5(P1_TXT.read_bytes()).hexdigest()
    assert (tmp_path / "out" / "export_manifest.csv").is_file()
    qtbot.waitUntil(lambda: workspace.detail.text_view.toPlainText() == P1_TXT.read_text(),
                    timeout=5000)
    assert workspace.detail.hex_view.line_count() == 2


def _file_id(case_file: Path, path: str) -> int:
    with CaseDatabase.open(case_file, readonly=True) as case:
        return next(f["id"] for f in case.iter_files() if f["path"] == path)


def test_ui_thread_stays_responsive_during_a_scan(qtbot, ui_settings, tmp_path: Path) -> None:
    SlowEngine.instances.clear()
    window = MainWindow(ui_settings, engine_factory=partial(SlowEngine, seconds=1.5))
    qtbot.addWidget(window)
    window.show()
    case_file = tmp_path / "slow.triage"
    CaseDatabase.create(case_file, name="Slow", examiner="Tester").close()
    window.open_case(str(case_file), "Tester")
    window.workspace.select_tree_node("artefacts_root")
    gaps: list[int] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(20)

    def beat() -> None:
        gaps.append(clock.restart())

    heartbeat.timeout.connect(beat)
    progress_ticks: list[object] = []
    window.ingest.progress.connect(progress_ticks.append)
    clock.start()
    heartbeat.start()
    started = time.monotonic()
    with qtbot.waitSignal(window.scan_finished, timeout=30000):
        assert window.start_scan(["/evidence/slow.raw"])
    heartbeat.stop()
    elapsed = time.monotonic() - started
    assert elapsed >= 1.4
    assert len(gaps) > 30
    assert max(gaps[1:]) < 250, f"UI thread blocked for {max(gaps[1:])} ms"
    engine = SlowEngine.instances[-1]
    # The engine called back hundreds of times; the GUI saw at most ~10 ticks a second.
    assert engine.progress_calls > 300
    assert len(progress_ticks) <= elapsed * 10 + 3
    assert window.workspace.artefact_model.total() > 0
    window.close()


def test_closing_during_a_scan_asks_and_stops_cleanly(qtbot, ui_settings, tmp_path: Path,
                                                      monkeypatch) -> None:
    SlowEngine.instances.clear()
    window = MainWindow(ui_settings, engine_factory=partial(SlowEngine, seconds=30))
    qtbot.addWidget(window)
    window.show()
    case_file = tmp_path / "close.triage"
    CaseDatabase.create(case_file, name="Close", examiner="Tester").close()
    window.open_case(str(case_file), "Tester")
    asked: list[bool] = []
    monkeypatch.setattr(window, "confirm_stop_scan", lambda: asked.append(True) or True)
    window.start_scan(["/evidence/slow.raw"])
    qtbot.wait(300)
    with qtbot.waitSignal(window.scan_finished, timeout=10000) as blocker:
        window.close()
    assert asked == [True]
    assert blocker.args[0].status == "cancelled"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    with CaseDatabase.open(case_file, readonly=True) as case:
        assert case.count_artefacts() > 0  # what was written before the stop is kept


def test_a_report_export_says_when_a_run_is_still_recorded_running(
        qtbot, window: MainWindow, sample_case_path: Path, tmp_path: Path) -> None:
    """The command line warns that such an export may be incomplete; the GUI said nothing."""
    pytest.importorskip("triage.reports")
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    conn = sqlite3.connect(sample_case_path)
    conn.execute("UPDATE runs SET status = 'running'")
    conn.commit()
    conn.close()
    window.open_case(str(sample_case_path), "Tester")
    with qtbot.waitSignal(window.export_finished, timeout=20000) as blocker:
        window.start_export("jsonl", tmp_path, tagged_only=False)
    assert blocker.args[0] is not None
    box = window.findChild(QMessageBox, "error_box")
    assert box is not None and "running" in box.text()
    assert "see the warnings" in window.status_work.text()


def test_the_audit_title_says_broken_when_the_chain_table_was_removed(
        sample_case_path: Path) -> None:
    """Self-audit: with the chain's table removed (and the case not opened writable
    since, so it was not started again), the title said "not chained yet" while its
    tooltip said BROKEN."""
    import sqlite3

    from triage.ui.audit_chain_check import chain_titles

    conn = sqlite3.connect(sample_case_path)
    conn.execute("DROP TABLE audit_chain")
    conn.commit()
    conn.close()
    with CaseDatabase.open(sample_case_path, readonly=True) as case:
        short, summary = chain_titles(case)
    assert short == "hash chain BROKEN" and "table was removed" in summary

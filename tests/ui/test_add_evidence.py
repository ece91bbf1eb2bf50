"""The Add evidence dialog's extractor choice: none checked is not "all"."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from triage.casedb import CaseDatabase
from triage.ui.add_evidence_dialog import AddEvidenceDialog
from triage.ui.ingest_worker import make_options
from triage.ui.main_window import MainWindow


def _set_all(dialog: AddEvidenceDialog, state: Qt.CheckState) -> None:
    for i in range(dialog.extractors.count()):
        dialog.extractors.item(i).setCheckState(state)


def test_unchecking_every_extractor_disables_start_with_a_hint(qtbot) -> None:
    """Found by an audit: unchecking every extractor ran every extractor."""
    dialog = AddEvidenceDialog("Tester")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_paths(["/evidence/disk.raw"])
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled() and not dialog.hint.isVisible()
    assert dialog.chosen_extractors() is None  # all checked: every extractor
    _set_all(dialog, Qt.CheckState.Unchecked)
    assert dialog.chosen_extractors() == []
    assert not ok.isEnabled()
    assert dialog.hint.isVisible() and "at least one extractor" in dialog.hint.text()
    accepted = []
    dialog.accepted.connect(lambda: accepted.append(True))
    dialog.accept()
    assert not accepted and dialog.isVisible()
    first = dialog.extractors.item(0)
    first.setCheckState(Qt.CheckState.Checked)
    assert ok.isEnabled() and not dialog.hint.isVisible()
    assert dialog.chosen_extractors() == [first.data(Qt.ItemDataRole.UserRole)]


def test_an_empty_extractor_list_is_refused_not_taken_for_all() -> None:
    with pytest.raises(ValueError, match="no extractor chosen"):
        make_options("full", [], "Tester")
    assert make_options("full", None, "Tester").extractors is None


def test_start_scan_with_no_extractor_says_so(qtbot, window: MainWindow, tmp_path: Path) -> None:
    case_file = tmp_path / "scan.triage"
    CaseDatabase.create(case_file, name="Scan", examiner="Tester").close()
    assert window.open_case(str(case_file), "Tester")
    assert not window.start_scan([str(tmp_path)], "full", [])
    assert not window.ingest.is_running()
    box = window.findChild(QMessageBox, "error_box")
    assert box is not None and "no extractor chosen" in box.text()

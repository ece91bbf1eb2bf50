"""Exporting files out of the evidence: never into it, a manifest that keeps every export,
an audit entry and a status line that says what happened."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.ui.file_export import MANIFEST, ExportRefused, export_files
from triage.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
FAT16 = REPO / "tests" / "data" / "images" / "fat16.raw"


def _scan(case_path: Path, evidence: Path) -> Path:
    CaseDatabase.create(case_path, name="export", examiner="Tester").close()
    IngestEngine(case_path, IngestOptions(jobs=1, profile="quick")).run(
        [str(evidence)])
    return case_path


def _listing(folder: Path) -> list[tuple[str, int]]:
    """Every path under ``folder`` with its size (directories as -1)."""
    return sorted((str(p.relative_to(folder)), -1 if p.is_dir() else p.stat().st_size)
                  for p in folder.rglob("*"))


def _file_id(case_path: Path, name: str) -> int:
    with CaseDatabase.open(case_path, readonly=True) as case:
        return next(f["id"] for f in case.iter_files() if f["name"] == name)


def _file_ids(case_path: Path) -> list[int]:
    with CaseDatabase.open(case_path, readonly=True) as case:
        return [f["id"] for f in case.iter_files() if f["kind"] == "file"]


@pytest.fixture
def folder_case(tmp_path: Path) -> tuple[Path, Path]:
    """(case, evidence folder tmp/parent/seized) scanned as folder evidence."""
    seized = tmp_path / "parent" / "seized"
    (seized / "Documents").mkdir(parents=True)
    (seized / "Documents" / "letter.txt").write_text("dear examiner\n")
    (seized / "notes.txt").write_text("a note\n")
    return _scan(tmp_path / "folder.triage", seized), seized


@pytest.fixture
def image_case(tmp_path: Path) -> tuple[Path, Path]:
    """(case, image tmp/img/disk.raw) scanned as an image."""
    image = tmp_path / "img" / "disk.raw"
    image.parent.mkdir()
    shutil.copy(FAT16, image)
    return _scan(tmp_path / "image.triage", image), image


def test_export_into_the_parent_of_folder_evidence_is_refused(tmp_path: Path,
                                                              folder_case) -> None:
    """Found by an audit: the export made parent/seized/vol0/... inside the evidence."""
    case_path, seized = folder_case
    before = _listing(tmp_path / "parent")
    with pytest.raises(ExportRefused, match="inside the evidence folder"):
        export_files(case_path, _file_ids(case_path), tmp_path / "parent")
    assert _listing(tmp_path / "parent") == before


def test_export_inside_folder_evidence_is_refused(folder_case) -> None:
    case_path, seized = folder_case
    before = _listing(seized)
    for destination in (seized, seized / "Documents", seized / "new" / "out"):
        with pytest.raises(ExportRefused) as refused:
            export_files(case_path, _file_ids(case_path), destination)
        assert "\n" not in str(refused.value)
        assert "outside the evidence" in str(refused.value)
    assert _listing(seized) == before


def test_export_through_a_link_into_the_evidence_is_refused(tmp_path: Path,
                                                            folder_case) -> None:
    case_path, seized = folder_case
    (tmp_path / "elsewhere").mkdir()
    os.symlink(seized, tmp_path / "elsewhere" / "link")
    before = _listing(seized)
    with pytest.raises(ExportRefused):
        export_files(case_path, _file_ids(case_path), tmp_path / "elsewhere" / "link" / "out")
    assert _listing(seized) == before


def test_export_into_the_folder_holding_an_image_is_refused(image_case) -> None:
    """Found by an audit: every file failed ("Not a directory: .../disk.raw/vol0") and the
    manifest was left next to the image."""
    case_path, image = image_case
    before = _listing(image.parent)
    with pytest.raises(ExportRefused, match="holds the evidence image"):
        export_files(case_path, _file_ids(case_path)[:2], image.parent)
    assert _listing(image.parent) == before


def test_export_next_to_the_evidence_still_works(tmp_path: Path, folder_case,
                                                 image_case) -> None:
    case_path, seized = folder_case
    results = export_files(case_path, _file_ids(case_path), tmp_path / "out")
    assert len(results) == 2 and {r.status for r in results} <= {"verified", "unverified"}
    assert (tmp_path / "out" / MANIFEST).is_file()
    image_case_path, image = image_case
    results = export_files(image_case_path, _file_ids(image_case_path)[:1], tmp_path)
    assert results and results[0].status in ("verified", "unverified")


def test_window_refuses_an_evidence_destination_before_writing(qtbot, window: MainWindow,
                                                               tmp_path: Path,
                                                               folder_case) -> None:
    case_path, seized = folder_case
    assert window.open_case(str(case_path), "Tester")
    workspace = window.workspace
    notes = _file_id(case_path, "notes.txt")
    assert workspace.show_in_file_system(notes)
    before = _listing(tmp_path / "parent")
    assert window.export_selected_files(str(tmp_path / "parent")) is None
    box = window.findChild(QMessageBox, "error_box")
    assert box is not None and "outside the evidence" in box.text()
    assert not window._tasks
    assert _listing(tmp_path / "parent") == before


def _manifest_rows(manifest: Path) -> list[dict[str, str]]:
    with open(manifest, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_second_export_into_a_folder_keeps_the_first_manifest(tmp_path: Path,
                                                                folder_case) -> None:
    """Found by an audit: the second export's manifest replaced the first's records."""
    case_path, _seized = folder_case
    first_ids, second_ids = _file_ids(case_path)[:1], _file_ids(case_path)[1:]
    out = tmp_path / "out"
    first = export_files(case_path, first_ids, out)
    second = export_files(case_path, second_ids, out)
    third = export_files(case_path, first_ids, out)
    manifests = sorted(out.glob("export_manifest*.csv"))
    assert len(manifests) == 3
    assert first.manifest == out / MANIFEST
    assert len({first.manifest, second.manifest, third.manifest}) == 3
    recorded = [row for manifest in manifests for row in _manifest_rows(manifest)]
    assert sorted(int(r["file_id"]) for r in recorded) == sorted(first_ids * 2 + second_ids)
    # The same file exported twice is two files, each named in its own manifest.
    targets = [r["target"] for r in recorded]
    assert len(set(targets)) == len(targets) and all(Path(t).is_file() for t in targets)
    assert [r["file_id"] for r in _manifest_rows(first.manifest)] == [str(first_ids[0])]


def _audit_entries(case_path: Path, action: str) -> list[dict]:
    with CaseDatabase.open(case_path, readonly=True) as case:
        return [entry for entry in case.iter_audit() if entry["action"] == action]


def test_a_file_export_is_audited_and_described_exactly(qtbot, window: MainWindow,
                                                        tmp_path: Path, folder_case) -> None:
    """Found by an audit: file exports left no audit entry, unlike report exports."""
    case_path, _seized = folder_case
    assert window.open_case(str(case_path), "Examiner E")
    assert window.workspace.show_in_file_system(_file_id(case_path, "notes.txt"))
    with qtbot.waitSignal(window.export_finished, timeout=20000) as export:
        window.export_selected_files(str(tmp_path / "out"))
    results = export.args[0]
    assert [r.status for r in results] == ["verified"]
    assert window.status_work.text() == (
        f"Exported 1 file to {tmp_path / 'out'} (1 verified);"
        " manifest export_manifest.csv")
    [entry] = _audit_entries(case_path, "files.export")
    assert entry["examiner"] == "Examiner E"
    details = entry["details"]
    assert details["output"] == str(tmp_path / "out")
    assert details["manifest"] == str(tmp_path / "out" / MANIFEST)
    assert (details["requested"], details["exported"]) == (1, 1)
    assert details["file_ids"] == [_file_id(case_path, "notes.txt")]
    assert window.findChild(QMessageBox, "error_box") is None


def test_an_export_that_copied_nothing_says_so(qtbot, window: MainWindow, tmp_path: Path,
                                               folder_case) -> None:
    """Found by an audit: "Exported 1 files ... 1 error" when nothing was exported."""
    case_path, seized = folder_case
    (seized / "notes.txt").unlink()  # the evidence changed since the scan
    assert window.open_case(str(case_path), "Examiner E")
    assert window.workspace.show_in_file_system(_file_id(case_path, "notes.txt"))
    with qtbot.waitSignal(window.export_finished, timeout=20000):
        window.export_selected_files(str(tmp_path / "out"))
    text = window.status_work.text()
    assert text.startswith(f"No file exported to {tmp_path / 'out'}; 1 failed (first: ")
    assert "Exported" not in text
    box = window.findChild(QMessageBox, "error_box")
    assert box is not None and box.text() == text
    [entry] = _audit_entries(case_path, "files.export")
    assert (entry["details"]["requested"], entry["details"]["exported"]) == (1, 0)
    assert entry["details"]["statuses"] == {"error": 1}


def test_the_manifest_guards_formulas_as_the_report_csvs_do(tmp_path: Path) -> None:
    """Self-audit: a file named 'a;=2+5*cmd|x!A0.txt' gave a formula cell to a
    spreadsheet that splits on ';' (the report CSVs were guarded, the manifest not)."""
    seized = tmp_path / "seized"
    seized.mkdir()
    (seized / "a;=2+5*cmd|x!A0.txt").write_text("x\n")
    case_path = _scan(tmp_path / "f.triage", seized)
    results = export_files(case_path, _file_ids(case_path), tmp_path / "out")
    text = results.manifest.read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        for cell in line.split(";"):
            assert not cell.strip('"').startswith(("=", "+", "-", "@")), cell
    assert [r["status"] for r in _manifest_rows(results.manifest)] == ["verified"]

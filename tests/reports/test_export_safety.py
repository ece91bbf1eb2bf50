"""Exports never write into the evidence, over the case's SQLite files, or half-way."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.case_builder import build_case
from triage.casedb import CaseDatabase
from triage.cli import main
from triage.reports import FORMATS, ExportError, export


def _with_evidence(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A built case that also holds a folder of evidence and a two-segment image."""
    built = build_case(tmp_path)
    folder = tmp_path / "seized_folder"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "a.txt").write_text("evidence")
    images = tmp_path / "images"
    images.mkdir()
    (images / "disk.E01").write_bytes(b"EVF")
    with CaseDatabase.open(built.path) as case:
        case.add_evidence(str(folder), "folder", None, [str(folder)])
        case.add_evidence(str(images / "disk.E01"), "ewf", 3,
                          [str(images / "disk.E01"), str(images / "disk.E02")])
    return built.path, folder, images


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_into_an_evidence_folder_is_refused(tmp_path: Path, fmt: str) -> None:
    case_path, folder, images = _with_evidence(tmp_path)
    before = _listing(folder), _listing(images)
    with CaseDatabase.open(case_path) as case:
        for output, fragment in (
            (folder / "report.out", "lies inside this evidence folder"),
            (folder / "docs" / "deeper.out", "lies inside this evidence folder"),
            (images / "report.out", "next to this evidence image"),
            (images / "disk.E02", "next to this evidence image"),
        ):
            with pytest.raises(ExportError, match=fragment) as raised:
                export(case, fmt, output)
            assert "keep reports outside the evidence" in str(raised.value)
        assert [e["action"] for e in case.iter_audit()].count("export") == 0
    assert (_listing(folder), _listing(images)) == before
    # Beside the evidence, not in it, is fine.
    with CaseDatabase.open(case_path) as case:
        export(case, fmt, tmp_path / "report.out")


def test_an_evidence_folder_reached_through_a_link_is_recognised(tmp_path: Path) -> None:
    case_path, folder, _ = _with_evidence(tmp_path)
    (tmp_path / "alias").symlink_to(folder)
    with CaseDatabase.open(case_path) as case, pytest.raises(ExportError, match="inside"):
        export(case, "jsonl", tmp_path / "alias" / "report.jsonl")
    assert not (folder / "report.jsonl").exists()


def test_cli_export_into_the_evidence_is_one_line(capsys, tmp_path: Path) -> None:
    case_path, folder, _ = _with_evidence(tmp_path)
    status = main(["export", str(case_path), "--format", "jsonl",
                   "-o", str(folder / "report.jsonl")])
    err = capsys.readouterr().err
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: error:"), err
    assert "lies inside this evidence folder" in err
    assert not (folder / "report.jsonl").exists()


@pytest.mark.parametrize("suffix", ["-journal", "-wal", "-shm", "-WAL"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_sqlite_sidecar_names_are_refused(tmp_path: Path, suffix: str, fmt: str) -> None:
    built = build_case(tmp_path)
    other = tmp_path / "browser.sqlite"
    other.write_bytes(b"SQLite format 3\x00")
    with CaseDatabase.open(built.path) as case:
        for output in (Path(f"{built.path}{suffix}"), Path(f"{other}{suffix}")):
            existed = output.exists()  # the open case has its own -wal and -shm
            with pytest.raises(ExportError, match="SQLite"):
                export(case, fmt, output)
            assert output.exists() == existed
        # A name that only looks like one, with no database beside it, is an ordinary name.
        export(case, fmt, tmp_path / f"notes{suffix}")
    with CaseDatabase.open(built.path) as case:  # the case still reads
        assert case.count_artefacts() > 0


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "html"])
def test_an_export_while_a_run_is_recorded_running_warns(capsys, tmp_path: Path,
                                                          fmt: str) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        run_id = case.begin_run("quick", ["pgp"], "Dana", [1])  # this process: alive
    out = tmp_path / "out"
    status = main(["export", str(built.path), "--format", fmt, "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 0  # warned, not refused: a killed scan stays "running" too
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: warning: run "), err
    assert f"run {run_id}" in lines[0] and "incomplete" in lines[0]
    if fmt == "html":
        index = (out / "index.html").read_text(encoding="utf-8")
        assert f"Warning: run {run_id}" in index and "incomplete" in index
    with CaseDatabase.open(built.path) as case:
        entry = [e for e in case.iter_audit() if e["action"] == "export"][-1]
    assert entry["details"]["runs_running"] == [run_id]


def test_a_finished_run_gives_no_warning(capsys, tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        case.finish_run(case.begin_run("quick", ["pgp"], "Dana", [1]), "completed", {}, "Dana")
    assert main(["export", str(built.path), "--format", "jsonl", "-o",
                 str(tmp_path / "out.jsonl")]) == 0
    assert capsys.readouterr().err == ""

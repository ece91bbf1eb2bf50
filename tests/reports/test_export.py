"""The export entry point: formats, refusal to overwrite, temporary names, audit log."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reports.case_builder import build_case
from triage.casedb import CaseDatabase
from triage.reports import FORMATS, ExportError, export


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("html", "csv", "kml", "jsonl", "bodyfile", "portable")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_and_audits(tmp_path: Path, fmt: str) -> None:
    built = build_case(tmp_path)
    out = tmp_path / f"out-{fmt}"
    with CaseDatabase.open(built.path) as case:
        assert export(case, fmt, out, examiner="Dana") == out
        entry = list(case.iter_audit())[-1]
    assert entry["action"] == "export" and entry["examiner"] == "Dana"
    assert entry["details"]["format"] == fmt and entry["details"]["output"] == str(out)
    assert out.is_dir() == (fmt in ("html", "csv", "portable"))
    leftovers = [p for p in tmp_path.iterdir() if ".partial-" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_existing_output_is_refused_and_left_alone(tmp_path: Path, fmt: str) -> None:
    built = build_case(tmp_path)
    out = tmp_path / "taken"
    out.write_text("keep me")
    with CaseDatabase.open(built.path) as case, pytest.raises(ExportError, match="exists"):
        export(case, fmt, out)
    assert out.read_text() == "keep me"


def test_bad_requests_give_one_line_errors(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        with pytest.raises(ExportError, match="unknown export format"):
            export(case, "pdf", tmp_path / "x")
        with pytest.raises(ExportError, match="unknown category 'Nope'"):
            export(case, "jsonl", tmp_path / "x", categories=["Nope"])
        with pytest.raises(ExportError, match="does not exist"):
            export(case, "jsonl", tmp_path / "missing" / "x.jsonl")
    with CaseDatabase.open(built.path, readonly=True) as case:
        with pytest.raises(ExportError, match="read-only"):
            export(case, "jsonl", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_unwritable_folder(tmp_path: Path, monkeypatch) -> None:
    built = build_case(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with CaseDatabase.open(built.path) as case:
        if os.geteuid() == 0:  # root ignores permission bits; ask what a user would get
            monkeypatch.setattr("triage.reports.atomic.os.access", lambda path, mode: False)
        with pytest.raises(ExportError, match="not writable"):
            export(case, "csv", locked / "out")


def test_failed_export_leaves_no_partial_output(tmp_path: Path, monkeypatch) -> None:
    built = build_case(tmp_path)

    def explode(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("triage.reports.csv_export._file_rows", explode)
    with CaseDatabase.open(built.path) as case:
        with pytest.raises(ExportError, match="No space left"):
            export(case, "csv", tmp_path / "out")
        assert [e["action"] for e in case.iter_audit()].count("export") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.triage"]

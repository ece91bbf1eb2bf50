"""The command line: bad input ends with one line and a non-zero status, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.casedb import SCHEMA_VERSION, CaseDatabase
from triage.cli import main

IMAGES = Path(__file__).parent / "data" / "images"
LAPTOP = IMAGES / "seized_laptop.E01"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _assert_one_line_error(err: str, fragment: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: error:"), err
    assert fragment in lines[0]
    assert "Traceback" not in err


@pytest.fixture()
def bad_inputs(tmp_path: Path) -> dict[str, Path]:
    truncated = tmp_path / "truncated.E01"
    truncated.write_bytes(LAPTOP.read_bytes()[:100_000])
    text = tmp_path / "notes.txt"
    text.write_text("not an image\n")
    lone = tmp_path / "disk.E01"
    first_segment = CORPUS / "plaso" / "test_data" / "image-split.E01"
    if first_segment.exists():
        shutil.copy(first_segment, lone)  # its .E02 is not copied: a missing segment
    return {"truncated": truncated, "text": text, "lone": lone, "missing": tmp_path / "gone.E01"}


@pytest.mark.parametrize(("name", "fragment"), [
    ("truncated", "truncated"),
    ("text", "no partition table or file system"),
    ("missing", "no such file"),
    ("lone", "missing or truncated"),
])
def test_scan_refuses_bad_evidence_and_creates_no_case(capsys, tmp_path, bad_inputs, name, fragment):
    evidence = bad_inputs[name]
    if not evidence.exists() and name == "lone":
        pytest.skip("../shared/corpus (plaso's split E01) is absent")
    case = tmp_path / "case.triage"
    status, _, err = _run(capsys, "scan", str(evidence), "--case", str(case))
    assert status == 1
    _assert_one_line_error(err, fragment)
    assert not case.exists()


def test_case_commands_refuse_files_that_are_not_cases(capsys, tmp_path, bad_inputs):
    status, _, err = _run(capsys, "info", str(bad_inputs["text"]))
    assert status == 1
    _assert_one_line_error(err, "not a triage case file")


def test_newer_case_schema_is_refused_and_left_intact(capsys, tmp_path):
    path = tmp_path / "future.triage"
    CaseDatabase.create(path, name="future").close()
    with CaseDatabase.open(path) as case:
        case.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = path.read_bytes()
    status, _, err = _run(capsys, "scan", str(LAPTOP), "--case", str(path))
    assert status == 1
    _assert_one_line_error(err, "newer triage")
    assert path.read_bytes() == before


def test_export_refuses_an_existing_output(capsys, tmp_path):
    case = tmp_path / "case.triage"
    assert _run(capsys, "scan", str(IMAGES / "two_partitions.E01"), "--case", str(case),
                "--quiet", "--profile", "quick")[0] == 0
    existing = tmp_path / "report"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    status, _, err = _run(capsys, "export", str(case), "--format", "html", "-o", str(existing))
    assert status == 1
    _assert_one_line_error(err, "exists")
    assert (existing / "keep.txt").read_text() == "mine"


def test_verify_reports_the_stored_hash(capsys):
    status, out, _ = _run(capsys, "verify", str(LAPTOP))
    assert status == 0
    assert "verification: verified" in out


def test_version_and_extractor_listing(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("triage ")
    status, out, _ = _run(capsys, "extractors")
    assert status == 0
    for name in ("pgp", "crypto", "tor", "metadata", "type_mismatch"):
        assert f"\n{name} " in f"\n{out}"


def test_scan_with_verify_records_the_image_hashes(capsys, tmp_path):
    import hashlib

    from triage.evidence import open_evidence

    case_path = tmp_path / "case.triage"
    status, out, _ = _run(capsys, "scan", str(LAPTOP), "--case", str(case_path), "--quiet",
                          "--profile", "quick", "--verify")
    assert status == 0 and "(verified)" in out
    with open_evidence(LAPTOP) as evidence:  # the oracle: libewf's media bytes, hashed here
        media = evidence.read(0, evidence.size)
    with CaseDatabase.open(case_path) as case:
        (record,) = case.list_evidence()
        assert record["verification"] == "verified"
        assert record["md5"] == hashlib.md5(media).hexdigest()
        assert record["sha256"] == hashlib.sha256(media).hexdigest()
        assert record["stored_hashes"]["md5"] == record["md5"]

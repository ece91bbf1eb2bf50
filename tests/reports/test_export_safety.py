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


def _appears_while_writing(monkeypatch, fmt: str, output: Path) -> None:
    """Make ``output`` appear while the export is written, after every check of it."""
    import triage.reports as reports

    original = reports._WRITERS[fmt]

    def writer(case, selection, target, examiner):
        written = original(case, selection, target, examiner)
        if fmt in ("html", "csv", "portable"):
            output.mkdir()
            (output / "theirs.txt").write_text("theirs")
        else:
            output.write_text("theirs")
        # From here on a check cannot see it: the race the rename itself must close.
        monkeypatch.setattr(Path, "exists", lambda self, **kwargs: False)
        monkeypatch.setattr(Path, "is_symlink", lambda self: False)
        return written

    monkeypatch.setitem(reports._WRITERS, fmt, writer)


@pytest.mark.parametrize("fmt", ["jsonl", "kml", "csv", "html"])
def test_an_output_that_appears_meanwhile_is_kept_and_nothing_is_logged(
        monkeypatch, tmp_path: Path, fmt: str) -> None:
    built = build_case(tmp_path)
    output = tmp_path / "out"
    _appears_while_writing(monkeypatch, fmt, output)
    with CaseDatabase.open(built.path) as case:
        with pytest.raises(ExportError, match="appeared while the export was written"):
            export(case, fmt, output)
        monkeypatch.undo()
        actions = [e["action"] for e in case.iter_audit()]
    assert "export" not in actions  # logged only once the output is in place
    theirs = output / "theirs.txt" if output.is_dir() else output
    assert theirs.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.triage", "out"]


def test_an_export_the_audit_log_cannot_record_is_taken_away(monkeypatch,
                                                             tmp_path: Path) -> None:
    from triage.casedb import CaseError

    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        def refuse(action, *args, **kwargs):
            if action == "export":
                assert (tmp_path / "out.jsonl").exists()  # already in place when logged
                raise CaseError("disk full")
        monkeypatch.setattr(case, "audit", refuse)
        with pytest.raises(ExportError, match="disk full"):
            export(case, "jsonl", tmp_path / "out.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.triage"]


def test_publishing_without_renameat2_still_refuses_to_replace(monkeypatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.setattr("triage.reports.atomic._RENAMEAT2", None)
    test_an_output_that_appears_meanwhile_is_kept_and_nothing_is_logged(
        monkeypatch, tmp_path, "jsonl")
    monkeypatch.setattr("triage.reports.atomic._RENAMEAT2", None)
    built_again = tmp_path / "second"
    built_again.mkdir()
    test_an_output_that_appears_meanwhile_is_kept_and_nothing_is_logged(
        monkeypatch, built_again, "html")


@pytest.mark.parametrize("fmt", ["jsonl", "html"])
def test_sigterm_during_an_export_leaves_no_partial_output(tmp_path: Path, fmt: str) -> None:
    import subprocess
    import sys

    built = build_case(tmp_path)
    script = f"""
import os, signal, sys
import triage.reports as reports
from triage.cli import main

original = reports._WRITERS[{fmt!r}]

def writer(case, selection, target, examiner):
    original(case, selection, target, examiner)
    os.kill(os.getpid(), signal.SIGTERM)  # the export is stopped half-way
    raise AssertionError("SIGTERM did not stop the export")

reports._WRITERS[{fmt!r}] = writer
sys.exit(main(["export", {str(built.path)!r}, "--format", {fmt!r}, "-o", {str(tmp_path / "out")!r}]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "triage: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.triage"]


def _damage(case_path: Path, sql: str) -> None:
    import sqlite3

    connection = sqlite3.connect(case_path)
    try:
        connection.executescript(sql)
        connection.commit()
    finally:
        connection.close()


def test_kml_and_bodyfile_of_a_damaged_case_do_not_crash(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    liberty = built.artefact_ids["media.exif|/Users/alice/Pictures/liberty.jpg"]
    traversal = built.file_ids["/Users/alice/../../etc/passwd"]
    _damage(built.path, f"""
        UPDATE artefacts SET attributes = '[1, 2]' WHERE id = {liberty};
        UPDATE files SET mode = 'x', size = 'big', uid = 'u' WHERE id = {traversal};""")
    with CaseDatabase.open(built.path) as case:
        export(case, "kml", tmp_path / "out.kml")
        export(case, "bodyfile", tmp_path / "out.body")
    kml = (tmp_path / "out.kml").read_text(encoding="utf-8")
    assert kml.count("<Placemark") == 1 and "without valid coordinates" in kml
    line = next(x for x in (tmp_path / "out.body").read_text().splitlines() if "passwd" in x)
    assert line.split("|")[3:7] == ["r/r---------", "0", "1000", "0"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_whose_evidence_record_is_gone_are_still_exported(tmp_path: Path,
                                                               fmt: str) -> None:
    import json

    built = build_case(tmp_path)
    _damage(built.path, "PRAGMA foreign_keys = OFF; DELETE FROM evidence;")
    out = tmp_path / "out"
    with CaseDatabase.open(built.path) as case:
        export(case, fmt, out)
        files = case.file_statistics()["entries"]
    unknown = "unknown (evidence #1 is not recorded in the case)"
    if fmt == "jsonl":
        records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        artefacts = [r for r in records if r["type"] != "file"]
        assert len(artefacts) == len(built.artefact_ids)
        assert {r["source"]["evidence"] for r in artefacts} == {None}
    elif fmt == "bodyfile":
        assert len(out.read_text(encoding="utf-8").splitlines()) == files
    elif fmt == "kml":
        text = out.read_text(encoding="utf-8")
        assert text.count("<Placemark") == 2 and unknown in text
    elif fmt == "csv":
        text = (out / "files.csv").read_text(encoding="utf-8-sig")
        assert text.count(unknown) == files
        assert unknown in (out / "pgp.key.csv").read_text(encoding="utf-8-sig")
    elif fmt == "html":
        page = next(out.glob("type-pgp*.html")).read_text(encoding="utf-8")
        assert unknown in page
    else:
        with CaseDatabase.open(out / "case.triage") as portable:
            assert portable.count_artefacts() == len(built.artefact_ids)
            [evidence] = portable.list_evidence()
            assert evidence["path"].startswith("unknown evidence #1")


def test_portable_export_says_how_many_files_it_copied(capsys, tmp_path: Path) -> None:
    from triage.reports.portable import copy_messages

    built = build_case(tmp_path)  # its evidence path points nowhere
    status = main(["export", str(built.path), "--format", "portable",
                   "-o", str(tmp_path / "port")])
    out, err = capsys.readouterr()
    assert status == 0
    with CaseDatabase.open(tmp_path / "port" / "case.triage") as portable:
        regular = sum(1 for f in portable.iter_files() if f["kind"] == "file")
    assert regular > 0
    assert f"files copied: 0 of {regular}" in out.splitlines()
    [warning] = err.strip().splitlines()
    assert warning.startswith(f"triage: warning: {regular} of {regular} files were not copied")
    with CaseDatabase.open(built.path) as case:
        entry = [e for e in case.iter_audit() if e["action"] == "export"][-1]
    assert entry["details"]["files"]["not_copied"] == regular
    assert copy_messages({"copied": 3, "files": 3, "mismatched": 0}) == (
        "files copied: 3 of 3", [])


def test_a_folder_export_where_renaming_onto_a_folder_is_refused(monkeypatch,
                                                                 tmp_path: Path) -> None:
    """Self-audit: on FUSE FAT renameat2 says EINVAL and renaming a folder onto the empty
    one claiming the name says EPERM, so HTML and CSV exports failed there (the previous
    code wrote them)."""
    import errno
    import os

    from triage.reports import atomic

    built = build_case(tmp_path)
    monkeypatch.setattr(atomic, "_RENAMEAT2", None)
    rename = os.rename

    def fat_rename(source, target):
        if os.path.isdir(target):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(target))
        return rename(source, target)

    monkeypatch.setattr(atomic.os, "rename", fat_rename)
    with CaseDatabase.open(built.path) as case:
        written = export(case, "html", tmp_path / "report")
    assert written == tmp_path / "report" and (written / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.triage", "report"]


def test_a_stand_in_evidence_record_is_no_place(monkeypatch, tmp_path: Path) -> None:
    """Self-audit: a portable case of a damaged case names its missing evidence
    'unknown evidence #1 (...)', which was resolved against the working folder, so
    every export into that folder was refused as 'next to this evidence image'."""
    case_path = tmp_path / "c.triage"
    with CaseDatabase.create(case_path) as case:
        case.add_evidence("unknown evidence #1 (its record is missing from the case)",
                          "unknown", 0)
    monkeypatch.chdir(tmp_path)
    with CaseDatabase.open(case_path) as case:
        written = export(case, "jsonl", Path("r.jsonl"))
    assert (tmp_path / "r.jsonl").is_file() and written.name == "r.jsonl"


def test_attributes_that_are_not_an_object_are_shown_not_dropped(tmp_path: Path) -> None:
    """The reports helper's finding: a damaged or edited case whose artefact holds a JSON
    list as its attributes lost them in the CSV and HTML exports."""
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        artefact_id = next(iter(built.artefact_ids.values()))
        with case.conn:
            case.conn.execute("UPDATE artefacts SET attributes = ? WHERE id = ?",
                              ('["KEEP-ME"]', artefact_id))
        export(case, "csv", tmp_path / "csv")
        export(case, "html", tmp_path / "html")
    csv_text = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "csv").glob("*.csv"))
    html_text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "html").glob("*.html"))
    assert "KEEP-ME" in csv_text and "KEEP-ME" in html_text


def test_text_where_the_case_keeps_a_size_gives_no_internal_error(tmp_path: Path) -> None:
    """The reports helper's finding: text in a damaged case's size columns made the HTML
    and portable exports fail with a Python error."""
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        with case.conn:
            case.conn.execute("UPDATE files SET size = 'big<b>'")
            case.conn.execute("UPDATE evidence SET size = 'big<b>'")
        export(case, "html", tmp_path / "html")
        export(case, "portable", tmp_path / "portable")
    index = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert "big<b>" not in index and "damaged case value" in index

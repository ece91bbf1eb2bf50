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


@pytest.mark.parametrize(("names", "fragment"), [
    ("PGP,nosuch", "unknown extractor 'nosuch'"),
    (",, ,", "no extractor named"),
])
def test_scan_refuses_extractor_names_it_does_not_know(capsys, tmp_path, names, fragment):
    case = tmp_path / "case.triage"
    status, _, err = _run(capsys, "scan", str(LAPTOP), "--case", str(case), "--extractors", names)
    assert status == 1
    _assert_one_line_error(err, fragment)
    assert not case.exists()


def test_extractor_names_are_trimmed_and_case_insensitive(capsys, tmp_path):
    case = tmp_path / "case.triage"
    status, _, _ = _run(capsys, "scan", str(LAPTOP), "--case", str(case), "--quiet",
                        "--profile", "quick", "--extractors", " PGP , tor")
    assert status == 0
    with CaseDatabase.open(case) as opened:
        (run,) = opened.list_runs()
    assert run["extractors"] == ["pgp", "tor"]


@pytest.mark.parametrize("jobs", ["1000", "99999999999999999999"])
def test_scan_refuses_absurd_job_counts_before_making_a_case(capsys, tmp_path, jobs):
    case = tmp_path / "case.triage"
    status, _, err = _run(capsys, "scan", str(LAPTOP), "--case", str(case), "--jobs", jobs)
    assert status == 1
    _assert_one_line_error(err, "jobs must be from 1 to 64")
    assert not case.exists()


def test_scan_with_verify_fails_when_the_image_hash_does_not_match(capsys, tmp_path):
    damaged = tmp_path / "damaged.E01"
    data = bytearray(LAPTOP.read_bytes())
    data[30000:30004] = b"\x55\xaa\x55\xaa"  # inside a compressed chunk: libewf reads zeros
    damaged.write_bytes(bytes(data))
    status, out, err = _run(capsys, "scan", str(damaged), "--case", str(tmp_path / "c.triage"),
                            "--quiet", "--profile", "quick", "--verify")
    assert status == 1 and "(mismatch)" in out
    _assert_one_line_error(err, "does not match the acquisition hash")


def test_the_same_evidence_named_twice_is_scanned_once(capsys, tmp_path):
    case = tmp_path / "case.triage"
    again = IMAGES / ".." / "images" / LAPTOP.name
    status, out, _ = _run(capsys, "scan", str(LAPTOP), str(again), "--case", str(case),
                          "--quiet", "--profile", "quick")
    assert status == 0
    with CaseDatabase.open(case) as opened:
        files = opened.conn.execute("SELECT count(*) FROM files").fetchone()[0]
        assert len(opened.list_evidence()) == 1
    assert f"files:      {files} " in out


def test_a_case_inside_the_evidence_folder_is_refused(capsys, tmp_path):
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "note.txt").write_text("hello")
    status, _, err = _run(capsys, "scan", str(folder), "--case", str(folder / "inside.triage"))
    assert status == 1
    _assert_one_line_error(err, "lies inside this evidence folder")
    assert sorted(p.name for p in folder.iterdir()) == ["note.txt"]


def test_an_interrupted_case_creation_leaves_nothing(tmp_path, monkeypatch):
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(CaseDatabase, "add_examiner", interrupt)
    with pytest.raises(KeyboardInterrupt):
        CaseDatabase.create(tmp_path / "case.triage", examiner="dana")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["user_version = 0", "user_version = -1", "drop_files"])
def test_damaged_cases_give_one_line(capsys, tmp_path, damage):
    path = tmp_path / "case.triage"
    CaseDatabase.create(path, name="x").close()
    with CaseDatabase.open(path) as case:
        if damage == "drop_files":
            case.conn.executescript("PRAGMA foreign_keys = OFF; DROP TABLE files;")
        else:
            case.conn.execute(f"PRAGMA {damage}")
    status, _, err = _run(capsys, "info", str(path))
    assert status == 1
    _assert_one_line_error(err, "damaged")


def test_a_scan_refuses_a_case_damaged_where_opening_does_not_look(capsys, tmp_path):
    """Found by an audit: SQLite reports damage only in the pages a command reads, so a
    second scan wrote into a case whose files table was damaged."""
    import hashlib
    import sqlite3

    path = tmp_path / "case.triage"
    assert _run(capsys, "scan", str(LAPTOP), "--case", str(path), "--quiet",
                "--profile", "quick")[0] == 0
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'files'").fetchone()
    conn.close()
    with open(path, "r+b") as case_file:
        case_file.seek((root - 1) * page_size + 8)  # its cell pointers
        case_file.write(b"\xff" * 64)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    CaseDatabase.open(path, readonly=True).close()  # opening alone does not notice
    status, _, err = _run(capsys, "scan", str(LAPTOP), "--case", str(path), "--quiet")
    assert status == 1
    _assert_one_line_error(err, "damaged case file")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_export_names_near_the_length_limit_and_full_disks(capsys, tmp_path):
    case = tmp_path / "case.triage"
    assert _run(capsys, "scan", str(LAPTOP), "--case", str(case), "--quiet",
                "--profile", "quick")[0] == 0
    long_name = tmp_path / ("b" * 240)
    status, _, err = _run(capsys, "export", str(case), "--format", "jsonl", "-o", str(long_name))
    assert status == 0 and long_name.stat().st_size > 0, err
    status, _, err = _run(capsys, "export", str(case), "--format", "jsonl", "-o",
                          str(tmp_path / ("b" * 300)))
    assert status == 1
    _assert_one_line_error(err, "File name too long")
    if Path("/dev/full").exists():
        with open("/dev/full", "wb") as full:
            import sys

            real = sys.stdout
            sys.stdout = open(full.fileno(), "w", closefd=False)  # noqa: SIM115
            try:
                status = main(["export", str(case), "--format", "jsonl"])
            finally:
                sys.stdout = real
        _assert_one_line_error(capsys.readouterr().err, "No space left on device")
        assert status == 1


def test_a_case_name_with_uri_characters_opens(capsys, tmp_path):
    case = tmp_path / "case ?#%41.triage"
    status, _, err = _run(capsys, "scan", str(IMAGES / "fat16.raw"), "--case", str(case),
                          "--quiet", "--profile", "quick")
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case ?#%41.triage"]


def test_verify_prints_the_damaged_chunks(capsys, tmp_path):
    from tests.damaged_ewf import damaged_copy

    status, out, _ = _run(capsys, "verify", str(damaged_copy(tmp_path)))
    assert status == 1
    assert "damaged: EWF chunk checksum failed at media bytes 2621440-2654207" in out
    assert "verification: mismatch" in out


def test_the_case_check_before_a_scan_can_be_cancelled(capsys, tmp_path, monkeypatch):
    import triage.casedb.case as case_module
    from triage.casedb import CaseCheckCancelled

    path = tmp_path / "case.triage"
    assert _run(capsys, "scan", str(LAPTOP), "--case", str(path), "--quiet",
                "--profile", "quick")[0] == 0
    monkeypatch.setattr(case_module, "CHECK_STEPS", 100)
    with pytest.raises(CaseCheckCancelled):
        CaseDatabase.open(path, check_whole=True, cancelled=lambda: True)
    CaseDatabase.open(path, check_whole=True, cancelled=lambda: False).close()


def test_scan_verify_lists_the_damaged_chunks(capsys, tmp_path):
    from tests.damaged_ewf import damaged_copy

    image = damaged_copy(tmp_path)
    status, out, err = _run(capsys, "scan", str(image), "--case", str(tmp_path / "c.triage"),
                            "--quiet", "--profile", "quick", "--verify")
    assert status == 1
    assert f"{image}: damaged: EWF chunk checksum failed at media bytes 2621440-2654207" in out
    _assert_one_line_error(err, "does not match the acquisition hash")


def _audit(case: Path) -> list[tuple[str, dict]]:
    import json

    with CaseDatabase.open(case) as opened:
        rows = opened.conn.execute("SELECT action, details FROM audit_log ORDER BY id").fetchall()
    return [(action, json.loads(details)) for action, details in rows if "export" in action]


@pytest.fixture()
def quick_case(capsys, tmp_path: Path) -> Path:
    case = tmp_path / "case.triage"
    assert _run(capsys, "scan", str(IMAGES / "two_partitions.E01"), "--case", str(case),
                "--quiet", "--profile", "quick")[0] == 0
    return case


def test_export_log_names_standard_output_and_absolute_paths(capsys, tmp_path, quick_case,
                                                             monkeypatch):
    status, out, _ = _run(capsys, "export", str(quick_case), "--format", "bodyfile")
    assert status == 0 and out.count("\n") > 0
    monkeypatch.chdir(tmp_path)
    assert _run(capsys, "export", str(quick_case), "--format", "kml", "-o", "places.kml")[0] == 0
    assert [details["output"] for _, details in _audit(quick_case)] == [
        "standard output", str(tmp_path / "places.kml")]


def test_export_to_dash_is_standard_output(capsys, tmp_path, quick_case, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, _ = _run(capsys, "export", str(quick_case), "--format", "bodyfile", "-o", "-")
    assert status == 0 and out.count("\n") > 0 and out.split("\n")[0].count("|") == 10
    assert not (tmp_path / "-").exists()
    assert [details["output"] for _, details in _audit(quick_case)] == ["standard output"]
    status, _, err = _run(capsys, "export", str(quick_case), "--format", "html", "-o", "-")
    assert status == 1 and not (tmp_path / "-").exists()
    _assert_one_line_error(err, "--format html cannot be written to standard output")


def test_export_that_does_not_reach_standard_output_is_logged_so(capsys, quick_case,
                                                                 monkeypatch):
    import errno
    import io

    class FullDevice(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(io.BufferedWriter(FullDevice())))
    status = main(["export", str(quick_case), "--format", "bodyfile"])
    err = capsys.readouterr().err
    assert status == 1
    _assert_one_line_error(err, "No space left on device")
    assert [action for action, _ in _audit(quick_case)] == ["export", "export not delivered"]
    monkeypatch.setattr("sys.stdout", None)
    status = main(["export", str(quick_case), "--format", "bodyfile"])
    _assert_one_line_error(capsys.readouterr().err, "standard output is closed")
    assert status == 1 and len(_audit(quick_case)) == 2


def test_export_to_a_path_ending_in_a_separator_is_refused(capsys, tmp_path, quick_case):
    status, _, err = _run(capsys, "export", str(quick_case), "--format", "kml",
                          "-o", f"{tmp_path}/zz/")
    assert status == 1
    _assert_one_line_error(err, "names a folder")
    assert not (tmp_path / "zz").exists()


def test_ctrl_c_while_starting_up_is_one_line(capsys, monkeypatch):
    """Ctrl-C during the first imports, before the command's handlers: no traceback."""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("triage.cli.build_parser", interrupted)
    assert main(["info", "x.triage"]) == 130
    assert capsys.readouterr().err == "triage: interrupted\n"


def test_a_loop_of_symbolic_links_as_evidence_is_one_line(capsys, tmp_path):
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    status, _, err = _run(capsys, "scan", str(tmp_path / "loop1"), "--case",
                          str(tmp_path / "case.triage"), "--quiet")
    assert status == 1
    _assert_one_line_error(err, f"{tmp_path / 'loop1'}: cannot follow its symbolic links")
    assert not (tmp_path / "case.triage").exists()


@pytest.mark.parametrize(("command", "fragment"), [
    (["info", "{folder}"], "a folder, not a case file"),
    (["info", ""], "no case file named"),
    (["scan", "{image}", "--case", ""], "--case needs the name of a case file"),
    (["export", "{case}", "--format", "jsonl", "--examiner", "\udcff"],
     "examiner name \\xff is not valid UTF-8"),
])
def test_odd_case_arguments_give_one_line(capsys, tmp_path, quick_case, command, fragment):
    values = {"folder": str(tmp_path), "image": str(IMAGES / "fat16.raw"), "case": str(quick_case)}
    status, _, err = _run(capsys, *[part.format(**values) for part in command])
    assert status == 1
    _assert_one_line_error(err, fragment)


def _md5_of_readme() -> str:
    import hashlib

    return hashlib.md5((IMAGES / "staging" / "fat16" / "README.TXT").read_bytes()).hexdigest()


def test_a_block_device_is_scanned_and_verified(capsys, tmp_path):
    """Found by an audit: a block device's st_size is 0, so a write-blocked drive was
    refused as 'the file is empty'. Its size comes from seeking to its end."""
    import hashlib
    import os
    import subprocess

    if os.geteuid() != 0 or shutil.which("losetup") is None:
        pytest.skip("needs root and losetup for a loop device")
    image = IMAGES / "fat16.raw"
    made = subprocess.run(["losetup", "-f", "--show", "-r", str(image)], capture_output=True,
                          text=True)
    if made.returncode != 0:
        pytest.skip(f"no loop device: {made.stderr.strip()}")
    device = made.stdout.strip()
    try:
        status, out, err = _run(capsys, "verify", device)
        assert status == 0, err
        assert f"md5: {hashlib.md5(image.read_bytes()).hexdigest()}" in out
        for name, evidence in (("device", device), ("file", str(image))):
            status, _, err = _run(capsys, "scan", evidence, "--case",
                                  str(tmp_path / f"{name}.triage"), "--jobs", "2", "--quiet")
            assert status == 0, err
    finally:
        subprocess.run(["losetup", "-d", device], check=False)
    cases = [CaseDatabase.open(tmp_path / f"{name}.triage") for name in ("device", "file")]
    try:
        device_files, file_files = ({(f["path"], f["md5"]) for f in case.iter_files()}
                                    for case in cases)
        assert device_files == file_files and ("/README.TXT", _md5_of_readme()) in device_files
        assert cases[0].list_evidence()[0]["size"] == image.stat().st_size
    finally:
        for case in cases:
            case.close()


def test_evidence_whose_path_is_not_utf8_is_scanned_verified_and_recorded(capsys, tmp_path):
    """Found by an audit: pytsk3 takes the image path as UTF-8 text, so an image in a
    folder with a Latin-1 name could be neither scanned nor verified, and the case
    refused to record its path. The case stores such a path with \\xNN escapes."""
    import os

    from triage.casedb.path_text import local_path

    folder = os.fsdecode(os.fsencode(str(tmp_path)) + b"/Beweisst\xfccke")
    os.mkdir(folder)
    image = os.fsdecode(os.fsencode(folder) + b"/disk\xff.raw")
    shutil.copy(IMAGES / "fat16.raw", image)
    case_path = tmp_path / "case.triage"
    status, _, err = _run(capsys, "scan", image, "--case", str(case_path), "--jobs", "2",
                          "--verify", "--quiet")
    assert status == 0, err
    status, out, err = _run(capsys, "verify", image, "--case", str(case_path))
    assert status == 0, err
    assert "verification: no stored hash" in out
    stored = f"{tmp_path}/Beweisst\\xfccke/disk\\xff.raw"
    status, out, err = _run(capsys, "info", str(case_path))
    assert status == 0 and f"#1 {stored} [raw, 4194304 bytes]" in out, err
    case = CaseDatabase.open(case_path)
    try:
        (evidence,) = case.list_evidence()
        assert evidence["path"] == stored and evidence["segments"] == [stored]
        assert evidence["verification"] == "no stored hash"
        assert ("/README.TXT", _md5_of_readme()) in {(f["path"], f["md5"])
                                                     for f in case.iter_files()}
    finally:
        case.close()
    assert local_path(stored) == image


def test_two_images_whose_recorded_paths_read_alike_are_not_merged(capsys, tmp_path):
    """'caf<0xE9>.raw' is recorded as 'caf\\xe9.raw', the very name of another file: the
    second scan must not add its files to the first image's evidence (self-audit)."""
    import os

    folder = os.fsencode(tmp_path)
    latin = os.path.join(folder, b"caf\xe9.raw")
    shutil.copy(IMAGES / "ext4.raw", os.fsdecode(latin))
    literal = tmp_path / "caf\\xe9.raw"
    shutil.copy(IMAGES / "two_partitions.raw", literal)
    case = tmp_path / "case.triage"
    assert _run(capsys, "scan", os.fsdecode(latin), "--case", str(case), "--quiet")[0] == 0
    status, _, err = _run(capsys, "scan", str(literal), "--case", str(case), "--quiet")
    assert status == 1
    _assert_one_line_error(err, "the case holds other evidence under this path")
    with CaseDatabase.open(case) as opened:
        assert len(opened.list_evidence()) == 1


def test_info_checks_the_audit_log_against_a_printed_head(capsys, tmp_path):
    """The hash chain's head a report printed: info says whether the case still agrees,
    and exits 1 when the log up to that entry was rewritten."""
    import sqlite3

    path = tmp_path / "c.triage"
    with CaseDatabase.create(path, examiner="ann") as case:
        case.audit("export.html", "ann", {"path": "/out"})
        status, _ = case.audit_chain_status()
    head = f"{status.head_id}:{status.head_digest}"
    code, out, _ = _run(capsys, "info", str(path), "--audit-head", head)
    assert code == 0 and "hash chain intact" in out and f"audit head {head}: matches" in out
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET examiner = 'mallory' WHERE action = 'export.html'")
    conn.commit()
    conn.close()
    code, out, _ = _run(capsys, "info", str(path), "--audit-head", head)
    assert code == 1 and "hash chain BROKEN" in out and "DOES NOT MATCH" in out
    code, out, _ = _run(capsys, "info", str(path), "--json")
    assert code == 0 and '"intact": false' in out
    for wrong in ("2:xyz", "\u00b2:" + "a" * 64, "\u0663:" + "a" * 64):
        code, _, err = _run(capsys, "info", str(path), "--audit-head", wrong)
        assert code == 2
        _assert_one_line_error(err, "--audit-head takes ENTRY:SHA256")


def test_an_interruption_pytsk3_swallows_still_cancels_the_scan(capsys, tmp_path, monkeypatch):
    """Found by an audit: Ctrl+C or SIGTERM while The Sleuth Kit called back into Python
    for a read raised inside pytsk3, which swallowed it, and the scan ended "completed".
    The handlers set the cancel flag before raising, so the engine stops at its next
    look at it."""
    import signal

    from triage.engine import ingest
    from triage.engine.options import RunSummary

    image = Path(__file__).parent / "data" / "images" / "exfat.raw"
    seen = []

    def run(self, evidence):
        for number in (signal.SIGINT, signal.SIGTERM):
            try:  # what pytsk3 does with an exception raised in its read callback
                signal.getsignal(number)(number, None)
            except KeyboardInterrupt:
                pass
            seen.append(self.cancel.is_set())
            self.cancel.clear()
        return RunSummary(run_id=1, status="cancelled" if seen[-1] else "completed")

    monkeypatch.setattr(ingest.IngestEngine, "run", run)
    previous = signal.getsignal(signal.SIGINT)
    status, _, _ = _run(capsys, "scan", str(image), "--case", str(tmp_path / "c.triage"),
                        "--quiet")
    assert seen == [True, True] and status == 130
    assert signal.getsignal(signal.SIGINT) is previous  # put back after the scan

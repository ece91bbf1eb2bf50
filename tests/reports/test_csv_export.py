"""CSV export: one file per type plus files.csv, loadable, formula-injection guarded."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reports.case_builder import HOSTILE_FORMULA, HOSTILE_SCRIPT, build_case
from tests.reports.scanned import IMAGES, scan
from triage.casedb import CaseDatabase
from triage.reports import export
from triage.reports.csv_export import guard_cell


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets detect UTF-8
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_csv_per_type_with_attribute_columns(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        export(case, "csv", tmp_path / "out")
        counts = case.artefact_counts_by_type()
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "crypto.address.csv", "files.csv", "media.exif.csv", "pgp.key.csv"]
    for type_name, count in counts.items():
        assert len(_read(out / f"{type_name}.csv")) == count
    keys = _read(out / "pgp.key.csv")
    assert list(keys[0])[:12] == ["id", "type", "evidence", "volume", "path", "inode", "deleted",
                                  "unallocated", "offset", "fingerprint", "user_ids", "has_secret"]
    assert keys[0]["has_secret"] == "true" and keys[0]["tags"] == "Evidence"
    assert HOSTILE_SCRIPT in keys[0]["user_ids"]
    assert "undeclared" in keys[0]["other_attributes"]
    photos = _read(out / "media.exif.csv")
    assert {p["gps_longitude"] for p in photos} >= {"-74.044502", "151.2153"}  # numbers stay numbers
    files = _read(out / "files.csv")
    assert len(files) == len(built.file_ids)
    assert {f["mtime"] for f in files if f["kind"] == "file"} == {"2023-11-14T22:13:20Z"}


def test_formula_cells_are_guarded(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        export(case, "csv", tmp_path / "out")
    out = tmp_path / "out"
    addresses = _read(out / "crypto.address.csv")
    assert "'" + HOSTILE_FORMULA in {a["address"] for a in addresses}
    assert "'-btc" in {a["coin"] for a in addresses}
    files = _read(out / "files.csv")
    assert f"/home/{HOSTILE_FORMULA}.csv" in {f["path"] for f in files}  # path starts with '/'
    for path in out.iterdir():
        for row in _read(path):
            for value in row.values():
                if value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    float(value)  # only real numbers (negative coordinates) are left as they are


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_guard_cell_never_leaves_a_formula(text: str) -> None:
    guarded = guard_cell(text)
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
    # Nor where a reader splitting on ';', tabs or line breaks would start a cell.
    assert not re.search(r'[;\t\r\n]"*[=+\-@]', guarded)
    assert guarded.replace("'", "") == text.replace("'", "")  # only quotes were added
    assert guarded in (text, "'" + text) or re.search(r'[;\t\r\n]"*[=+\-@]', text)


def test_a_formula_after_a_semicolon_is_guarded_and_every_text_cell_quoted(
        tmp_path: Path) -> None:
    built = build_case(tmp_path)
    hostile = "r;=2+5*cmd|x!A0.txt"
    with CaseDatabase.open(built.path) as case:
        case.write_batch(files=[{
            "evidence_id": 1, "volume_idx": 2, "path": f"/{hostile}", "parent": "/",
            "name": hostile, "inode": "99", "kind": "file", "size": 1, "deleted": False,
            "allocated": True, "identity": "semicolon"}])
        export(case, "csv", tmp_path / "out")
    raw = (tmp_path / "out" / "files.csv").read_bytes().decode("utf-8-sig")
    line = next(x for x in raw.split("\r\n") if "2+5*cmd" in x)
    assert '"r;\'=2+5*cmd|x!A0.txt"' in line
    assert line.split(",")[0].isdigit()  # numbers stay unquoted numbers
    # As a spreadsheet in a ';' locale reads it: no cell starts a formula.
    for delimiter in (";", "\t", ","):
        for cells in csv.reader(io.StringIO(raw), delimiter=delimiter):
            for cell in cells:
                assert not cell.startswith(("=", "+", "@")), (delimiter, cell)
    rows = _read(tmp_path / "out" / "files.csv")
    assert "/r;'=2+5*cmd|x!A0.txt" in {r["path"] for r in rows}


def test_category_filter_limits_type_files(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        export(case, "csv", tmp_path / "out", categories=["Photos"])
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["files.csv", "media.exif.csv"]
    paths = [f["path"] for f in _read(out / "files.csv")]
    assert len(paths) == 3 and all(p.startswith("/Users/alice/Pictures/") for p in paths)


def _istat_times(image: Path, inode: str) -> set[str]:
    """The inode's four times as istat prints them, cut to whole seconds."""
    output = subprocess.run(["istat", str(image), inode], check=True,
                            capture_output=True, text=True).stdout
    found = re.findall(r"^(?:Accessed|File Modified|Inode Modified|File Created):\t"
                       r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.\d+ \(UTC\)$", output, re.M)
    return {f"{day}T{clock}Z" for day, clock in found}


@pytest.mark.skipif(shutil.which("istat") is None, reason="sleuthkit istat not installed")
def test_times_a_nanosecond_before_the_second_stay_in_it(tmp_path: Path) -> None:
    # late.txt's times are .999999999 s and later.txt's .999999750 s past 22:13:20.
    case_path = scan(tmp_path, "nanoseconds.raw")
    with CaseDatabase.open(case_path) as case:
        export(case, "csv", tmp_path / "out")
    files = {row["name"]: row for row in _read(tmp_path / "out" / "files.csv")}
    for name in ("late.txt", "later.txt"):
        row = files[name]
        oracle = _istat_times(IMAGES / "nanoseconds.raw", row["inode"])
        assert oracle == {"2023-11-14T22:13:20Z"}
        assert {row[column] for column in ("mtime", "atime", "ctime", "crtime")} == oracle


def test_tag_comments_notes_and_file_tags_are_in_the_csv(tmp_path: Path) -> None:
    import json

    built = build_case(tmp_path)
    photo = built.file_ids["/Users/alice/Pictures/liberty.jpg"]
    with CaseDatabase.open(built.path) as case:
        case.tag("Seen", "Dana", file_id=photo, comment="tag comment")
        case.add_note("file note", "Dana", file_id=photo)
        export(case, "csv", tmp_path / "out")
        export(case, "csv", tmp_path / "tagged", tagged_only=True)
    keys = _read(tmp_path / "out" / "pgp.key.csv")
    assert keys[0]["tags"] == "Evidence"
    [detail] = json.loads(keys[0]["tag_details"])
    assert detail["comment"].startswith("comment ") and detail["examiner"] and detail["created"]
    assert json.loads(keys[0]["notes"])[0]["text"].startswith("note ")
    files = {int(r["id"]): r for r in _read(tmp_path / "out" / "files.csv")}
    assert files[photo]["tags"] == "Seen"
    assert json.loads(files[photo]["tag_details"])[0]["comment"] == "tag comment"
    assert json.loads(files[photo]["notes"])[0]["text"] == "file note"
    traversal = built.file_ids["/Users/alice/../../etc/passwd"]
    assert files[traversal]["tags"] == "Follow up"
    tagged = {int(r["id"]): r for r in _read(tmp_path / "tagged" / "files.csv")}
    assert {photo, traversal} <= set(tagged) and tagged[photo]["tags"] == "Seen"

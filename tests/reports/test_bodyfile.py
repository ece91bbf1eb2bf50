"""Body file export, checked against fls -m on the committed images."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reports.case_builder import build_case
from tests.reports.scanned import IMAGES, scan
from triage.casedb import CaseDatabase
from triage.reports import export
from triage.reports.bodyfile import mode_string

needs_fls = pytest.mark.skipif(shutil.which("fls") is None, reason="sleuthkit fls not installed")


def _fls(image: Path, mount: str = "/", sector_offset: int | None = None) -> list[list[str]]:
    command = ["fls", "-r", "-m", mount]
    if sector_offset is not None:
        command += ["-o", str(sector_offset)]
    output = subprocess.run([*command, str(image)], check=True, capture_output=True).stdout
    rows = []
    for line in output.decode("utf-8").splitlines():
        fields = line.split("|")
        if "($FILE_NAME)" in fields[1]:
            continue  # fls's second NTFS line per entry; the case keeps one set of times
        fields[1] = fields[1].split(" -> ", 1)[0]  # fls appends symlink targets
        rows.append(fields)
    return rows


def _export(case_path: Path, out: Path, **filters: object) -> list[list[str]]:
    with CaseDatabase.open(case_path) as case:
        export(case, "bodyfile", out, **filters)
    return [line.split("|") for line in out.read_text(encoding="utf-8").splitlines()]


def _without_md5(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return sorted(tuple(row[1:]) for row in rows)


@needs_fls
@pytest.mark.parametrize("image", ["ext4.raw", "fat16.raw", "nanoseconds.raw"])
def test_bodyfile_equals_fls(tmp_path: Path, image: str) -> None:
    ours = _export(scan(tmp_path, image), tmp_path / "out.body")
    assert all(len(row) == 11 for row in ours)
    assert _without_md5(ours) == _without_md5(_fls(IMAGES / image))


@needs_fls
def test_bodyfile_md5_column_is_the_content_md5(tmp_path: Path) -> None:
    image = IMAGES / "ext4.raw"
    rows = _export(scan(tmp_path, "ext4.raw"), tmp_path / "out.body")
    regular = [r for r in rows if r[3].startswith("r/r") and int(r[6]) > 0]
    assert regular
    for row in regular:
        content = subprocess.run(["icat", str(image), row[2]], check=True,
                                 capture_output=True).stdout
        assert row[0] == hashlib.md5(content).hexdigest(), row[1]


@needs_fls
def test_ntfs_names_modes_sizes_match_fls(tmp_path: Path) -> None:
    ours = _export(scan(tmp_path, "ntfs.raw"), tmp_path / "out.body")
    theirs = _fls(IMAGES / "ntfs.raw")

    def key(row: list[str]) -> tuple[str, ...]:
        # The case stores the default stream's inode as the bare MFT entry number.
        return (row[1], row[2].split("-")[0], row[3], row[4], row[5], row[6])

    assert sorted(map(key, ours)) == sorted(map(key, theirs))
    assert any(r[1].endswith("deleted_secret.txt (deleted)") and r[3] == "-/rrwxrwxrwx"
               for r in ours)


@needs_fls
def test_multi_volume_lines_carry_the_volume_mount(tmp_path: Path) -> None:
    image = IMAGES / "two_partitions.E01"
    ours = _export(scan(tmp_path, "two_partitions.E01"), tmp_path / "out.body")
    ext4 = [r for r in ours if r[1].startswith("/vol4/")]
    assert ext4 and all(r[1].startswith(("/vol2/", "/vol4/")) for r in ours)
    assert _without_md5(ext4) == _without_md5(_fls(image, "/vol4/", 5242880 // 512))
    names = [r[1] for r in ours]
    assert len(names) == len(set(names))


def test_hostile_names_stay_on_one_line(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    rows = _export(built.path, tmp_path / "out.body")
    assert len(rows) == len(built.file_ids)
    assert all(len(row) == 11 for row in rows)
    by_name = {row[1]: row for row in rows}
    assert "/vol4/home/pipe^and^newline.txt" in by_name
    deleted = by_name["/vol4/home/=cmd^' /C calc'!A0.csv (deleted)"]
    assert deleted[3] == "-/rrw-r--r--"
    assert deleted[7:] == ["1700000100", "1700000000", "1700000200", "0"]


def test_tagged_only_lists_files_of_tagged_items(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    rows = _export(built.path, tmp_path / "out.body", tagged_only=True)
    names = sorted(row[1] for row in rows)
    assert names == sorted([
        "/vol2/Users/alice/<script>alert('x')</script>key.asc",
        "/vol2/Users/alice/../../etc/passwd",
        "/vol2/Users/alice/Pictures/liberty.jpg",
    ])


@pytest.mark.parametrize(("meta_type", "mode", "expected"), [
    ("r/r", 0o644, "r/rrw-r--r--"),
    ("d/d", 0o755, "d/drwxr-xr-x"),
    ("-/r", 0o777, "-/rrwxrwxrwx"),
    ("l/l", 0o777, "l/lrwxrwxrwx"),
    ("V/V", 0, "V/V---------"),
    ("r/r", 0o4755, "r/rrwsr-xr-x"),
    ("r/r", 0o2644, "r/rrw-r-Sr--"),
    ("d/d", 0o1777, "d/drwxrwxrwt"),
    (None, None, "-/----------"),
])
def test_mode_string_like_tsk(meta_type: str | None, mode: int | None, expected: str) -> None:
    assert mode_string(meta_type, mode) == expected


def test_times_before_1970_are_rounded_down_like_fls(tmp_path: Path) -> None:
    import os

    from triage.reports.bodyfile import _seconds

    assert _seconds(-86399.5) == -86400 and _seconds(1_700_000_000.999) == 1_700_000_000
    folder = tmp_path / "evidence"
    folder.mkdir()
    old = folder / "old.txt"
    old.write_text("old")
    os.utime(old, ns=(-86_399_500_000_000, -86_399_500_000_000))  # 1969-12-31 00:00:00.5
    case_path = tmp_path / "case.triage"
    from triage.cli import main

    assert main(["scan", str(folder), "--case", str(case_path), "--quiet"]) == 0
    rows = _export(case_path, tmp_path / "out.body")
    (line,) = [row for row in rows if row[1] == "/old.txt"]
    assert line[7] == line[8] == "-86400"

"""Logical folder evidence."""

from __future__ import annotations

import math
import os
from pathlib import Path

from triage.evidence import open_evidence
from triage.evidence.filesystem import posix_time


def test_folder_walk_lists_everything_without_following_links(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_bytes(b"deep content")
    (tmp_path / "top.bin").write_bytes(bytes(range(256)) * 10)
    os.symlink("..", tmp_path / "a" / "loop")
    os.symlink("/etc", tmp_path / "outside")
    with open_evidence(tmp_path) as evidence:
        assert evidence.format == "folder"
        (volume,) = evidence.volumes()
        filesystem = volume.open_filesystem()
        entries = {e.path: e for e in filesystem.walk()}
    assert filesystem.fs_type == "folder"
    assert set(entries) == {"/a", "/a/b", "/a/b/deep.txt", "/a/loop", "/outside", "/top.bin"}
    assert entries["/a/loop"].kind == "link" and entries["/outside"].kind == "link"
    assert entries["/outside"].read(0, 10) == b""
    assert entries["/a/b/deep.txt"].read(5, 100) == b"content"
    top = entries["/top.bin"]
    assert b"".join(top.iter_chunks(1000)) == (tmp_path / "top.bin").read_bytes()
    assert top.inode == str((tmp_path / "top.bin").stat().st_ino)
    assert [e.name for e in filesystem.listdir("/a")] == ["b", "loop"]
    assert filesystem.open_path("/a/b/deep.txt").size == 12
    assert filesystem.open_path("/missing") is None
    assert filesystem.listdir("/a/loop") == []


def test_folder_unreadable_directory_is_a_warning(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x").write_text("x")
    locked.chmod(0)
    warnings: list[tuple[str, str | None]] = []
    try:
        with open_evidence(tmp_path) as evidence:
            filesystem = evidence.volumes()[0].open_filesystem()
            paths = [e.path for e in filesystem.walk(lambda m, p=None: warnings.append((m, p)))]
    finally:
        locked.chmod(0o755)
    assert "/locked" in paths
    # root reads through permissions; anyone else gets a warning instead of an exception.
    assert ("/locked/x" in paths) or any(path == "/locked" for _, path in warnings)


def test_names_that_are_not_utf8_are_shown_with_replacement_and_still_read(tmp_path: Path) -> None:
    # os.listdir keeps such bytes as lone surrogates, which no case or report can store.
    root = os.fsencode(tmp_path)
    os.mkdir(root + b"/d\xff")
    with open(root + b"/d\xff/bad\xc3name.txt", "wb") as handle:
        handle.write(b"content")
    with open_evidence(tmp_path) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        warnings: list[tuple[str, str | None]] = []
        entries = {e.path: e for e in filesystem.walk(lambda m, p=None: warnings.append((m, p)))}
        assert set(entries) == {"/d\ufffd", "/d\ufffd/bad\ufffdname.txt"}
        assert [(p, m.rsplit(" ", 1)[-1]) for m, p in sorted(warnings, key=lambda w: w[1])] == [
            ("/d\ufffd", "64ff)"), ("/d\ufffd/bad\ufffdname.txt", "626164c36e616d652e747874)")]
        for path in entries:
            path.encode("utf-8")
        assert entries["/d\ufffd/bad\ufffdname.txt"].read(0, 100) == b"content"
        # Extractors and exports find the entry again by the name the case holds.
        reopened = filesystem.open_path("/d\ufffd/bad\ufffdname.txt")
        assert reopened is not None and reopened.read(0, 100) == b"content"
        assert [e.name for e in filesystem.listdir("/d\ufffd")] == ["bad\ufffdname.txt"]


def test_posix_time_never_rounds_into_the_next_second() -> None:
    for nanoseconds in (0, 1, 500_000_000, 999_999_750, 999_999_999):
        value = posix_time(1_700_000_000, nanoseconds)
        assert int(value) == 1_700_000_000
        assert abs(value - (1_700_000_000 + nanoseconds / 1e9)) < 1e-6
    assert math.floor(posix_time(-5, 999_999_999)) == -5


def test_folder_times_a_nanosecond_before_the_second_stay_in_it(tmp_path: Path) -> None:
    late = tmp_path / "late.txt"
    late.write_text("late")
    os.utime(late, ns=(1_700_000_000_999_999_999, 1_700_000_000_999_999_999))
    if late.stat().st_mtime_ns % 1_000_000_000 != 999_999_999:
        return  # a file system without nanosecond times keeps nothing to round
    with open_evidence(tmp_path) as evidence:
        (volume,) = evidence.volumes()
        (entry,) = volume.open_filesystem().walk()
    assert math.floor(entry.mtime) == math.floor(entry.atime) == 1_700_000_000

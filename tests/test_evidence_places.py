"""Where triage may write: the evidence guard on a file system that ignores case."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from triage import evidence_places
from triage.evidence_places import (
    beside_evidence_file,
    inside_evidence_folder,
    through_evidence_file,
)


@pytest.fixture
def fat_mount(tmp_path):
    """A FAT file system mounted through FUSE (fusefat): names ignore case, and inode
    numbers follow the name, so EVDIR and evdir are one folder with two inodes."""
    if shutil.which("fusefat") is None or shutil.which("mkfs.vfat") is None:
        pytest.skip("fusefat or mkfs.vfat is not installed (Debian: fusefat, dosfstools)")
    image, mount = tmp_path / "fat.img", tmp_path / "mnt"
    mount.mkdir()
    with open(image, "wb") as handle:
        handle.truncate(8 << 20)
    subprocess.run(["mkfs.vfat", str(image)], check=True, capture_output=True)
    mounted = subprocess.run(["fusefat", "-o", "rw+", str(image), str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount through FUSE here: {mounted.stderr.strip()[:200]}")
    try:
        yield mount
    finally:
        unmount = shutil.which("fusermount3") or shutil.which("fusermount") or "fusermount"
        subprocess.run([unmount, "-u", str(mount)], capture_output=True)


def test_an_evidence_folder_named_in_another_case_is_found_on_fat(fat_mount: Path) -> None:
    """Found by an audit (a known gap until now): on FAT through FUSE, EVDIR and evdir
    are one folder with two inode numbers, so an export to evdir/ passed the guard."""
    evidence = fat_mount / "EVDIR"
    evidence.mkdir()
    (evidence / "disk.raw").write_bytes(b"\0" * 512)
    assert (fat_mount / "evdir").stat().st_ino != evidence.stat().st_ino
    assert inside_evidence_folder(fat_mount / "evdir" / "out.csv", [evidence]) == str(evidence)
    assert beside_evidence_file(fat_mount / "evdir" / "case.triage",
                                [evidence / "disk.raw"]) == str(evidence / "disk.raw")
    assert through_evidence_file(fat_mount / "EVDIR" / "DISK.RAW" / "vol0" / "a.txt",
                                 [evidence / "disk.raw"]) == str(evidence / "disk.raw")
    # Another folder of the same FAT is not taken for the evidence.
    (fat_mount / "reports").mkdir()
    assert inside_evidence_folder(fat_mount / "reports" / "out.csv", [evidence]) is None
    assert beside_evidence_file(fat_mount / "reports" / "c.triage",
                                [evidence / "disk.raw"]) is None


def test_names_are_compared_case_folded_only_where_case_is_ignored(tmp_path, monkeypatch):
    evidence = tmp_path / "EVDIR"
    evidence.mkdir()
    target = tmp_path / "evdir" / "out.csv"
    assert inside_evidence_folder(target, [evidence]) is None  # two folders here
    monkeypatch.setattr(evidence_places, "_ignores_case", lambda _path: True)
    assert inside_evidence_folder(target, [evidence]) == str(evidence)


def test_names_differing_beyond_case_are_not_taken_for_one():
    """Third self-audit: casefold() made "Strasse" the same name as "Straße", which FAT
    keeps apart; names are compared lower-cased, as FAT compares them."""
    assert not evidence_places._same_ignoring_case(Path("/x/Straße"), [Path("/x/STRASSE")])
    assert evidence_places._same_ignoring_case(Path("/x/EvDir"), [Path("/x/evdir")])

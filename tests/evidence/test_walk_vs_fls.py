"""The walk of every test image lists exactly what ``fls -r -p -m /`` lists."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.evidence.oracles import IMAGES, corpus_file, fls_listing, fls_style, require_tool
from triage.evidence import open_evidence
from triage.evidence.filesystem import LOOP_WARNING

# (image, fls reference images or None for the image itself, volume index, fls sector offset)
COMMITTED = [
    ("ntfs.raw", 0, 0),
    ("fat16.raw", 0, 0),
    ("fat32.raw", 0, 0),
    ("exfat.raw", 0, 0),
    ("ext4.raw", 0, 0),
    ("iso9660.iso", 0, 0),
    ("two_partitions.raw", 2, 2048),
    ("two_partitions.raw", 4, 10240),
    ("two_partitions.E01", 2, 2048),
    ("two_partitions.E01", 4, 10240),
]

D, P = "dfvfs/test_data/", "plaso/test_data/"
CORPUS = [
    (D + "ext2.E01", None, 0, 0),
    (D + "ext2.split.E01", None, 0, 0),
    (D + "ext2.split.E02", [D + "ext2.split.E01"], 0, 0),
    (D + "ext2.splitraw.000", [D + "ext2.splitraw.000", D + "ext2.splitraw.001"], 0, 0),
    (D + "ext2.splitraw.001", [D + "ext2.splitraw.000", D + "ext2.splitraw.001"], 0, 0),
    (D + "ext2.vhd", None, 0, 0),
    (D + "ext2.vmdk", None, 0, 0),
    # fls cannot read QCOW2: compare with the same file system in another container.
    (D + "ext2.qcow2", [D + "ext2.E01"], 0, 0),
    (D + "image.vhd", None, 0, 0),
    # TSK does not resolve VHD parents; the differential image holds the parent's tree.
    (D + "image-differential.vhd", [D + "image.vhd"], 0, 0),
    (D + "iso9660.raw", None, 0, 0),
    (D + "hfsplus.raw", None, 0, 0),
    (D + "ímynd.dd", None, 0, 0),
    (P + "image.E01", None, 0, 0),
    (P + "image-split.E01", None, 6, 352),
    (P + "image.qcow2", [P + "image.E01"], 0, 0),
    (P + "image.vmdk", None, 0, 0),
    (P + "tsk_volume_system.raw", None, 6, 352),
    (P + "syslog_image.dd", None, 0, 0),
    (P + "ímynd.dd", None, 0, 0),
    ("go-exfat/test/assets/test.exfat", None, 0, 0),
    ("dissect/dissect_fat-3.13/tests/data/fat12.bin", None, 0, 0),
    ("dissect/dissect_fat-3.13/tests/data/fat16.bin", None, 0, 0),
    ("dissect/dissect_fat-3.13/tests/data/exfat.bin", None, 0, 0),
    ("dissect/dissect_fat-3.13/tests/data/exfat4m.bin", None, 0, 0),
    ("dissect/dissect_extfs-3.15/tests/data/ext4.bin", None, 0, 0),
    ("dissect/dissect_extfs-3.15/tests/data/ext4_symlink_test.bin", None, 0, 0),
    ("dissect/dissect_extfs-3.15/tests/data/ext4_sparse.bin", None, 0, 0),
]


def walk_listing(image: Path, volume: int,
                 expected_warnings: list[tuple[str, str | None]] | None = None,
                 ) -> Counter[tuple[str, int, bool]]:
    """The walk as fls lists it: HFS+ forks and extended attributes, which fls leaves out,
    are checked against istat and icat below."""
    warnings: list[tuple[str, str | None]] = []
    with open_evidence(image) as evidence:
        filesystem = evidence.volumes()[volume].open_filesystem()
        hfs = filesystem.fs_type == "hfs+"
        listing = Counter(
            (fls_style(entry.path), entry.size, entry.deleted)
            for entry in filesystem.walk(lambda message, path=None: warnings.append((message, path)))
            if not (hfs and entry.stream)
        )
    assert warnings == (expected_warnings or [])
    return listing


def test_directory_reached_by_two_paths_and_a_loop_walk_as_fls() -> None:
    """/a/sub is also /b/again: listed under both paths; /a/sub/deep/up leads back to /a:
    listed, not entered (under /b/again it is entered once, as fls does)."""
    image = IMAGES / "crosslinked.raw"
    loops = [(LOOP_WARNING, "/a/sub/deep/up"), (LOOP_WARNING, "/b/again/deep/up/sub")]
    listing = walk_listing(image, 0, loops)
    assert listing == fls_listing([image], 0)
    assert ("/b/again/deep/g.txt", 4, False) in listing


@pytest.mark.parametrize(("name", "volume", "offset"), COMMITTED)
def test_committed_image_walk_matches_fls(name: str, volume: int, offset: int) -> None:
    image = IMAGES / name
    assert walk_listing(image, volume) == fls_listing([image], offset)


@pytest.mark.parametrize(("relative", "reference", "volume", "offset"), CORPUS)
def test_corpus_image_walk_matches_fls(
    relative: str, reference: list[str] | None, volume: int, offset: int
) -> None:
    image = corpus_file(relative)
    references = [corpus_file(ref) for ref in reference] if reference else [image]
    assert walk_listing(image, volume) == fls_listing(references, offset)


@pytest.mark.parametrize("relative", [D + "windows_volume.qcow2", P + "vsstest.qcow2"])
def test_qcow2_ntfs_walk_matches_fls_on_a_raw_dump(relative: str, tmp_path: Path) -> None:
    pyqcow = pytest.importorskip("pyqcow")
    image = corpus_file(relative)
    raw = tmp_path / "dump.raw"
    qcow = pyqcow.file()
    qcow.open(str(image))
    size = qcow.get_media_size()
    with open(raw, "wb") as out:
        offset = 0
        while offset < size:
            chunk = qcow.read_buffer_at_offset(min(1 << 22, size - offset), offset)
            if chunk.count(0) != len(chunk):
                out.seek(offset)
                out.write(chunk)
            offset += len(chunk)
        out.truncate(size)
    qcow.close()
    assert walk_listing(image, 0) == fls_listing([raw], 0)


def test_dissect_fat32_walk_matches_fls(tmp_path: Path) -> None:
    packed = corpus_file("dissect/dissect_fat-3.13/tests/data/fat32.bin.gz")
    image = tmp_path / "fat32.bin"
    with gzip.open(packed) as source, open(image, "wb") as target:
        shutil.copyfileobj(source, target)
    assert walk_listing(image, 0) == fls_listing([image], 0)


def test_ntfs_walk_has_ads_deleted_and_system_files() -> None:
    with open_evidence(IMAGES / "ntfs.raw") as evidence:
        entries = {e.path: e for e in evidence.volumes()[0].open_filesystem().walk()}
    ads = entries["/Users/alice/Downloads/setup.exe:Zone.Identifier"]
    assert ads.stream == "Zone.Identifier"
    assert ads.inode.count("-") == 2 and ads.inode.split("-")[1] == "128"
    assert entries["/Users/alice/Downloads/setup.exe"].stream is None
    assert entries["/Users/alice/Documents/deleted_secret.txt"].deleted
    assert not entries["/Users/alice/Documents/notes.txt"].deleted
    assert {"/$MFT", "/$Bitmap", "/$OrphanFiles"} <= entries.keys()
    assert entries["/Users"].kind == "dir" and entries["/Users"].meta_type == "d/d"


_ISTAT_ATTRIBUTE = re.compile(r"^Type: (RSRC|ExATTR) \((\d+-\d+)\)\s+Name: (\S+)\s.*size: (\d+)")


def test_hfs_forks_and_extended_attributes_match_istat_and_icat() -> None:
    """Every non-empty resource fork and extended attribute istat shows is a stream,
    with icat's bytes."""
    require_tool("istat")
    image = corpus_file(D + "hfsplus.raw")
    with open_evidence(image) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        entries = list(filesystem.walk())
        streams = {(e.inode, e.stream, e.size): e.read(0, e.size) for e in entries if e.stream}
    expected = {}
    for inode in sorted({e.inode for e in entries if not e.stream and e.kind == "file"}):
        report = subprocess.run(["istat", str(image), inode], capture_output=True, text=True,
                                check=True).stdout
        for line in report.splitlines():
            match = _ISTAT_ATTRIBUTE.match(line)
            if match and int(match[4]):
                kind, address, name, size = match.groups()
                content = subprocess.run(["icat", str(image), f"{inode}-{address}"],
                                         capture_output=True, check=True).stdout
                expected[(f"{inode}-{address}", "rsrc" if kind == "RSRC" else name,
                          int(size))] = content
    assert streams == expected
    assert len(expected) == 2  # a_file's 'myxattr' and a_resourcefork's resource fork


def _mft_record_offset(image: Path, volume: int, inode: int) -> int:
    """Where MFT record ``inode`` lies in ``image`` (from $MFT's first data run)."""
    import pytsk3

    with open_evidence(image) as evidence:
        part = evidence.volumes()[volume]
        fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)), offset=part.start)
        for attr in fs.open_meta(inode=0):
            if int(attr.info.type) == pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA:
                first = next(iter(attr))
                return part.start + int(first.addr) * fs.info.block_size + inode * 1024
    raise AssertionError("no $MFT data run")


def test_a_name_whose_record_is_damaged_is_not_deleted_and_has_no_content(tmp_path: Path) -> None:
    """The evidence helper's finding: an allocated name whose MFT record is zeroed (fls:
    "r/- 66: data/p1.txt", not deleted) was recorded as deleted, with the hashes of
    empty content."""
    from triage.casedb import CaseDatabase
    from triage.engine import IngestEngine, IngestOptions

    image = tmp_path / "damaged.raw"
    shutil.copyfile(IMAGES / "two_partitions.raw", image)
    offset = _mft_record_offset(image, 2, 66)
    with open(image, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\x00" * 1024)
    assert walk_listing(image, 2, [(w, p) for w, p in _walk_warnings(image, 2)]) == fls_listing(
        [image], 2048)
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    IngestEngine(case_path, IngestOptions(profile="full", jobs=1, unallocated=False)).run(
        [str(image)])
    with CaseDatabase.open(case_path) as case:
        (row,) = [f for f in case.iter_files() if f["path"] == "/data/p1.txt"]
    assert (row["deleted"], row["allocated"], row["size"], row["md5"]) == (False, False, None, None)


def _walk_warnings(image: Path, volume: int) -> list[tuple[str, str | None]]:
    warnings: list[tuple[str, str | None]] = []
    with open_evidence(image) as evidence:
        for _ in evidence.volumes()[volume].open_filesystem().walk(
                lambda message, path=None: warnings.append((message, path))):
            pass
    return warnings


def test_a_kept_name_of_a_freed_inode_is_not_deleted_as_fls_says(tmp_path: Path) -> None:
    """The evidence helper's finding: debugfs kill_file frees an ext4 inode and keeps its
    name; fls lists the name as allocated (body format: no "(deleted)"), triage marked it
    deleted. It is now not deleted, and not allocated either."""
    require_tool("debugfs")
    with open_evidence(IMAGES / "two_partitions.raw") as evidence:
        ext4 = next(v for v in evidence.volumes() if v.start == 10240 * 512)
        data = evidence.read(ext4.start, ext4.length)
    image = tmp_path / "ext4.raw"
    image.write_bytes(data)
    subprocess.run(["debugfs", "-w", "-R", "kill_file /srv/p2.txt", str(image)],
                   check=True, capture_output=True)
    assert walk_listing(image, 0) == fls_listing([image], 0)
    with open_evidence(image) as evidence:
        entry = next(e for e in evidence.volumes()[0].open_filesystem().walk()
                     if e.path == "/srv/p2.txt")
    assert (entry.deleted, entry.allocated) == (False, False)

"""Free space at the edges: after a file system's end inside its partition, in an image's
last partial sector, and in the healthy groups of an ext4 with a damaged descriptor.

Images are made here with mkfs.fat / mkfs.ext4 and sfdisk; each planted address's offset
is known by construction, and The Sleuth Kit's ``fsstat`` confirms where the file system
ends.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.engine.unallocated import UnallocatedScanner
from triage.evidence import open_evidence
from triage.extractors.crypto.extractor import CryptoExtractor

ADDRESSES = [b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
             b"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"]
MIB = 1 << 20

needs_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("mkfs.fat", "mkfs.ext4", "sfdisk", "fsstat")),
    reason="mkfs.fat, mkfs.ext4, sfdisk or The Sleuth Kit's fsstat absent")


def _plant(image: Path, offset: int, address: bytes) -> int:
    """Write `` pay ADDRESS `` at ``offset``; return the address's own offset."""
    with open(image, "r+b") as handle:
        handle.seek(offset)
        handle.write(b" pay " + address + b" \n")
    return offset + 5


def _partitioned(image: Path, size: int, partition_start: int, partition_size: int,
                 filesystem: Path) -> None:
    with open(image, "wb") as handle:
        handle.truncate(size)
    subprocess.run(["sfdisk", "--quiet", str(image)], check=True, text=True,
                   input=f"label: dos\nstart={partition_start // 512},"
                         f" size={partition_size // 512}, type=83\n")
    with open(image, "r+b") as out:
        out.seek(partition_start)
        out.write(filesystem.read_bytes())


def _unallocated_hits(image: Path) -> set[tuple[str, int]]:
    with open_evidence(image) as evidence:
        scanner = UnallocatedScanner(evidence, [CryptoExtractor()], evidence_id=1, run_id=1,
                                     cancel=lambda: False)
        filesystems = {v.index: v.open_filesystem() for v in evidence.volumes()
                       if v.kind in ("partition", "whole")}
        return {(row["attributes"]["address"], row["offset"])
                for batch, _ in scanner.scan(filesystems) for row in batch
                if row["type"] == "crypto.address"}


def _fat_sectors(filesystem: Path) -> int:
    out = subprocess.run(["fsstat", str(filesystem)], capture_output=True, text=True,
                         check=True).stdout
    return int(re.search(r"Total Range: 0 - (\d+)", out).group(1)) + 1


@needs_tools
def test_volume_slack_after_the_file_system_is_scanned(tmp_path: Path) -> None:
    """Found by an audit: a partition larger than its file system kept its last 4 MiB
    unscanned (a place to hide data that no file system tool lists)."""
    filesystem = tmp_path / "fat.img"
    subprocess.run(["mkfs.fat", "-C", str(filesystem), "4096"], check=True, capture_output=True)
    assert _fat_sectors(filesystem) * 512 == 4 * MIB  # the file system ends at 4 MiB
    image = tmp_path / "disk.raw"
    _partitioned(image, 10 * MIB, MIB, 8 * MIB, filesystem)
    hidden = _plant(image, MIB + 6 * MIB, ADDRESSES[0])
    assert (ADDRESSES[0].decode(), hidden) in _unallocated_hits(image)


@needs_tools
def test_the_last_bytes_of_an_image_that_ends_inside_a_sector_are_scanned(tmp_path: Path) -> None:
    filesystem = tmp_path / "fat.img"
    subprocess.run(["mkfs.fat", "-C", str(filesystem), "2048"], check=True, capture_output=True)
    image = tmp_path / "disk.raw"
    _partitioned(image, 4 * MIB, MIB, 2 * MIB, filesystem)
    tail = b" pay " + ADDRESSES[1]
    with open(image, "ab") as handle:
        handle.write(b"\x00" * 200 + tail)  # 200 + 39 bytes past the last whole sector
    expected = image.stat().st_size - len(ADDRESSES[1])
    assert image.stat().st_size % 512
    assert (ADDRESSES[1].decode(), expected) in _unallocated_hits(image)


def _ext4_with_damaged_group(tmp_path: Path) -> tuple[Path, list[int]]:
    """A 24 MiB ext4 (1 KiB blocks, 64-bit descriptors, three groups) whose third group's
    block-bitmap pointer holds garbage in its high word; addresses planted in free blocks
    of the first two groups."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "live.txt").write_bytes(b"live " + ADDRESSES[2] + b"\n")
    image = tmp_path / "ext4.raw"
    with open(image, "wb") as handle:
        handle.truncate(24 * MIB)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-b", "1024", "-O",
                    "^has_journal,^metadata_csum,^uninit_bg,^flex_bg,64bit", "-d", str(tree),
                    str(image)], check=True, capture_output=True)
    data = bytearray(image.read_bytes())
    desc_size = struct.unpack_from("<H", data, 1024 + 0xFE)[0]
    struct.pack_into("<I", data, 2048 + 2 * desc_size + 0x20, 0xFFFFFFF0)
    image.write_bytes(bytes(data))
    planted = [_plant(image, block * 1024, address)
               for block, address in ((5000, ADDRESSES[0]), (10000, ADDRESSES[1]))]
    return image, planted


@needs_tools
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_damaged_ext4_group_descriptor_loses_only_that_group(tmp_path: Path, jobs: int) -> None:
    """Found by an audit: the descriptor's 64-bit block number overflowed a read, the
    worker died, and with one worker the run 'completed' with no file and no free space."""
    image, planted = _ext4_with_damaged_group(tmp_path)
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    summary = IngestEngine(case_path, IngestOptions(profile="full", jobs=jobs)).run([str(image)])
    assert summary.status == "completed"
    with CaseDatabase.open(case_path) as case:
        paths = {row["path"] for row in case.iter_files()}
        found = {(row["attributes"]["address"], row["offset"])
                 for row in case.iter_artefacts() if row["type"] == "crypto.address"}
        messages = [row["message"] for row in case.iter_warnings()]
    assert "/live.txt" in paths
    for address, offset in zip(ADDRESSES[:2], planted, strict=True):
        assert (address.decode(), offset) in found
    assert any("block group 2" in message and "outside the file system" in message
               for message in messages)


@needs_tools
def test_slack_stops_where_an_overlapping_partition_starts(tmp_path: Path) -> None:
    """Found by an audit: a partition slot overlapping another's slack had its live
    files reported as free space."""
    if shutil.which("mcopy") is None:
        pytest.skip("mtools absent")
    first, second = tmp_path / "p1.img", tmp_path / "p2.img"
    for filesystem in (first, second):
        subprocess.run(["mkfs.fat", "-C", str(filesystem), "2048"], check=True,
                       capture_output=True)
    live = tmp_path / "live.txt"
    live.write_bytes(b"live " + ADDRESSES[2] + b"\n")
    subprocess.run(["mcopy", "-i", str(second), str(live), "::live.txt"], check=True)
    image = tmp_path / "overlap.raw"
    mbr = bytearray(512)
    for slot, (kind, start, size) in enumerate(((0x0C, MIB, 8 * MIB), (0xEF, 5 * MIB, 2 * MIB))):
        struct.pack_into("<B3xB3xII", mbr, 446 + 16 * slot, 0, kind, start // 512, size // 512)
    mbr[510:512] = b"\x55\xaa"
    with open(image, "wb") as handle:
        handle.truncate(12 * MIB)
        handle.write(mbr)
        handle.seek(MIB)
        handle.write(first.read_bytes())
        handle.seek(5 * MIB)
        handle.write(second.read_bytes())
    hidden = _plant(image, MIB + 3 * MIB, ADDRESSES[0])  # the first partition's slack
    found = _unallocated_hits(image)
    assert (ADDRESSES[0].decode(), hidden) in found
    assert all(address != ADDRESSES[2].decode() for address, _ in found)

"""Free blocks of ext4 groups whose block bitmap was never written (BLOCK_UNINIT) agree
with e2fsprogs' ``dumpe2fs``, on file systems made on reused media (every byte 0xFF
before ``mkfs``, as an earlier disk's bytes would be), where such a bitmap reads as all
blocks in use. The Sleuth Kit's ``blkls`` reads the stale bitmap, so it is no oracle here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from triage.evidence import open_evidence

pytestmark = pytest.mark.skipif(
    shutil.which("mkfs.ext4") is None or shutil.which("dumpe2fs") is None,
    reason="e2fsprogs (mkfs.ext4, dumpe2fs) absent")


def _reused_media_ext4(path: Path, features: str) -> None:
    path.write_bytes(b"\xff" * (32 << 20))
    subprocess.run(["mkfs.ext4", "-q", "-F", "-b", "1024", "-O", features,
                    "-E", "nodiscard,lazy_itable_init=1", str(path)],
                   check=True, capture_output=True)


def _dumpe2fs_free_blocks(path: Path) -> tuple[list[int], int]:
    """(free blocks, groups flagged BLOCK_UNINIT) as dumpe2fs lists them."""
    out = subprocess.run(["dumpe2fs", str(path)], capture_output=True, text=True,
                         check=True).stdout
    free: list[int] = []
    for listed in re.findall(r"^\s+Free blocks: (.*)$", out, re.MULTILINE):
        for part in filter(None, (piece.strip() for piece in listed.split(","))):
            first, _, last = part.partition("-")
            free += range(int(first), int(last or first) + 1)
    return sorted(free), out.count("BLOCK_UNINIT")


@pytest.mark.parametrize("features", ["^has_journal", "^has_journal,^flex_bg",
                                      "^has_journal,sparse_super2", "^has_journal,^metadata_csum,uninit_bg"])
def test_never_written_group_bitmaps_read_as_the_kernel_reads_them(tmp_path: Path,
                                                                   features: str) -> None:
    image = tmp_path / "ext4.img"
    _reused_media_ext4(image, features)
    expected, uninit_groups = _dumpe2fs_free_blocks(image)
    assert uninit_groups  # the case this is about
    with open_evidence(image) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        size = filesystem.block_size
        mine = [start // size + index
                for start, length in filesystem.unallocated_ranges()
                for index in range(length // size)]
    assert mine == expected


def test_a_superblock_the_kernel_refuses_falls_back_to_the_stale_bitmaps() -> None:
    """Found by an audit: a huge inode count per group (every group BLOCK_UNINIT) made
    working out the groups' metadata quadratic in the number of groups."""
    import struct

    from triage.evidence.allocation import _UninitGroups

    superblock = bytearray(1024)
    struct.pack_into("<I", superblock, 0x20, 8)  # blocks per group
    struct.pack_into("<I", superblock, 0x28, 0x100000)  # inodes per group
    struct.pack_into("<I", superblock, 0x64, 0x10)  # GDT_CSUM
    table = bytes(32 * 4096)
    assert not _UninitGroups(bytes(superblock), table, 4096, 32, 1024, False).applies

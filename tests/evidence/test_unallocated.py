"""Unallocated ranges agree with ``blkls -A`` (TSK's own allocation status)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.evidence.oracles import IMAGES, blkls_unallocated, corpus_file
from triage.evidence import open_evidence
from triage.evidence.allocation import free_bit_runs, unallocated_runs


@pytest.mark.parametrize(("image", "volume", "offset"), [
    ("ntfs.raw", 0, 0), ("fat16.raw", 0, 0), ("fat32.raw", 0, 0), ("ext4.raw", 0, 0),
    ("exfat.raw", 0, 0), ("two_partitions.raw", 2, 2048), ("two_partitions.raw", 4, 10240),
    ("go-exfat/test/assets/test.exfat", 0, 0), ("plaso/test_data/syslog_image.dd", 0, 0),
    ("dissect/dissect_fat-3.13/tests/data/fat12.bin", 0, 0),
    ("dissect/dissect_extfs-3.15/tests/data/ext4.bin", 0, 0),
    ("dfvfs/test_data/hfsplus.raw", 0, 0),
])
def test_unallocated_blocks_match_blkls(image: str, volume: int, offset: int) -> None:
    path = IMAGES / image if "/" not in image else corpus_file(image)
    with open_evidence(path) as evidence:
        filesystem = evidence.volumes()[volume].open_filesystem()
        ranges = list(filesystem.unallocated_ranges())
        base = evidence.volumes()[volume].start
    size = filesystem.block_size
    mine = [
        (start - base) // size + index
        for start, length in ranges
        for index in range(length // size)
    ]
    assert mine == blkls_unallocated(Path(path), offset)
    # Merged: no two runs touch.
    assert all(a[0] + a[1] < b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_unsupported_file_system_warns_and_lists_nothing() -> None:
    warnings: list[str] = []
    filesystem = SimpleNamespace(fs_type="ufs2")
    ranges = list(unallocated_runs(filesystem, lambda m, p=None: warnings.append(m)))  # type: ignore[arg-type]
    assert ranges == [] and warnings == ["unallocated space of ufs2 file systems is not listed"]


def _naive_free_runs(bitmap: bytes, total: int) -> list[tuple[int, int]]:
    clear = [n for n in range(min(total, len(bitmap) * 8)) if not bitmap[n // 8] >> n % 8 & 1]
    runs: list[tuple[int, int]] = []
    for n in clear:
        if runs and sum(runs[-1]) == n:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((n, 1))
    return runs


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), st.integers(0, 600), st.integers(1, 9))
def test_free_bit_runs_matches_a_bit_by_bit_count(bitmap: bytes, total: int, pieces: int) -> None:
    size = max(1, len(bitmap) // pieces)
    chunks = [bitmap[i : i + size] for i in range(0, len(bitmap), size)]
    assert list(free_bit_runs(chunks, total)) == _naive_free_runs(bitmap, total)

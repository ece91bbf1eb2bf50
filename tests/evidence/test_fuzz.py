"""Hostile bytes as a raw image: an EvidenceError/FileSystemError or a finite walk."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.evidence.oracles import IMAGES, corpus_file
from triage.evidence import EvidenceError, open_evidence

SEEDS = {
    "ext2": corpus_file("plaso/test_data/syslog_image.dd").read_bytes(),
    "fat16": (IMAGES / "fat16.raw").read_bytes()[:512 * 200],
    "mbr": (IMAGES / "two_partitions.raw").read_bytes()[:512 * 2048 + 512 * 64],
    "ntfs": (IMAGES / "ntfs.raw").read_bytes()[: 1 << 20],
}
MAX_ENTRIES = 100_000


def exercise(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "fuzz.raw"
        image.write_bytes(data)
        try:
            evidence = open_evidence(image)
        except EvidenceError:
            return
        with evidence:
            for volume in evidence.volumes():
                try:
                    filesystem = volume.open_filesystem()
                except EvidenceError:
                    continue
                if filesystem is None:
                    continue
                count = 0
                for entry in filesystem.walk():
                    count += 1
                    assert count < MAX_ENTRIES
                    try:
                        entry.read(0, 4096)
                    except EvidenceError:
                        pass
                list(filesystem.unallocated_ranges())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(st.tuples(st.integers(0, 70_000), st.binary(min_size=1, max_size=16)),
                   max_size=12),
    cut=st.one_of(st.none(), st.integers(1, 1 << 20)),
)
# The first data block moved past the last block: no block groups, a negative-size read.
@example(seed="ext2", edits=[(1043, b"\x00\x00!")], cut=None)
def test_mutated_images_never_crash(seed: str, edits: list[tuple[int, bytes]], cut: int | None) -> None:
    data = bytearray(SEEDS[seed])
    for offset, patch in edits:
        data[offset : offset + len(patch)] = patch
    if cut is not None:
        data = data[:cut]
    exercise(bytes(data))


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=0, max_size=4096))
def test_random_bytes_never_crash(data: bytes) -> None:
    exercise(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=4096), st.integers(min_value=0, max_value=1 << 40))
def test_partition_salvage_never_fails_on_hostile_tables(data: bytes, size: int) -> None:
    from triage.evidence.partition_salvage import salvage_partitions

    # A DOS signature on random bytes, and reads that loop back into the same bytes.
    boot = (data[:510].ljust(510, b"\0") + b"\x55\xaa") + data[512:]
    found = salvage_partitions(lambda offset, length: boot[offset % 4096:][:length], size)
    assert all(p.length >= 0 and p.start >= 0 for p in found)

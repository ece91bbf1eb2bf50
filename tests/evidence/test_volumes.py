"""Volume listing against mmls, and volumes whose file system cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evidence.oracles import IMAGES, corpus_file, mmls_slots
from triage.evidence import FileSystemError, open_evidence


@pytest.mark.parametrize(
    "image",
    [
        IMAGES / "two_partitions.raw",
        IMAGES / "two_partitions.E01",
        "plaso/test_data/tsk_volume_system.raw",
        "plaso/test_data/image-split.E01",
    ],
)
def test_volumes_match_mmls(image: Path | str) -> None:
    path = image if isinstance(image, Path) else corpus_file(image)
    sector, slots = mmls_slots(path)
    with open_evidence(path) as evidence:
        volumes = evidence.volumes()
    assert [(v.start, v.length, v.kind, v.description) for v in volumes] == [
        (s.start * sector, s.length * sector, s.kind, s.description) for s in slots
    ]
    assert [v.index for v in volumes] == list(range(len(volumes)))
    assert {v.scheme for v in volumes} == {"dos"}


def test_two_partitions_layout_and_file_systems() -> None:
    with open_evidence(IMAGES / "two_partitions.raw") as evidence:
        partitions = [v for v in evidence.volumes() if v.kind == "partition"]
        assert [(v.start, v.length) for v in partitions] == [(2048 * 512, 6144 * 512),
                                                               (10240 * 512, 4096 * 512)]
        types = [v.open_filesystem().fs_type for v in partitions]
        assert types == ["ntfs", "ext4"]
        assert all(v.open_filesystem() is None for v in evidence.volumes()
                   if v.kind in ("meta", "unallocated"))


def test_bare_file_system_is_one_whole_volume() -> None:
    with open_evidence(IMAGES / "ext4.raw") as evidence:
        (volume,) = evidence.volumes()
        assert (volume.kind, volume.start, volume.length, volume.scheme) == (
            "whole", 0, evidence.size, None)
        filesystem = volume.open_filesystem()
        assert filesystem.fs_type == "ext4" and filesystem.volume_index == 0


def test_partition_without_a_file_system_raises_and_others_still_walk() -> None:
    with open_evidence(corpus_file("plaso/test_data/tsk_volume_system.raw")) as evidence:
        volumes = evidence.volumes()
        with pytest.raises(FileSystemError) as caught:
            volumes[2].open_filesystem()
        assert "\n" not in str(caught.value) and "volume 2" in str(caught.value)
        assert any(e.path == "/lost+found" for e in volumes[6].open_filesystem().walk())


def test_corrupted_ntfs_partition_raises_while_ext4_walks(tmp_path: Path) -> None:
    data = bytearray((IMAGES / "two_partitions.raw").read_bytes())
    data[2048 * 512 : 2048 * 512 + 512] = b"\xde\xad" * 256
    # The backup boot sector at the end of the NTFS volume would rescue it: spoil it too.
    end = (2048 + 6144 - 1) * 512
    data[end : end + 512] = b"\xde\xad" * 256
    image = tmp_path / "broken.raw"
    image.write_bytes(bytes(data))
    with open_evidence(image) as evidence:
        volumes = evidence.volumes()
        with pytest.raises(FileSystemError):
            volumes[2].open_filesystem()
        paths = {entry.path for entry in volumes[4].open_filesystem().walk()}
        assert "/srv/p2.txt" in paths


def test_reopening_gives_the_same_volume_and_listing() -> None:
    def listing() -> list[tuple[str, str, int]]:
        with open_evidence(IMAGES / "two_partitions.E01") as evidence:
            filesystem = evidence.volumes()[2].open_filesystem()
            return [(e.path, e.inode, e.size) for e in filesystem.walk()]

    assert listing() == listing()

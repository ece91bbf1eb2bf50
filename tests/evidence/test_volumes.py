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


def _cut(tmp_path: Path, source: Path, size: int) -> Path:
    image = tmp_path / f"cut-{size}.raw"
    with open(source, "rb") as handle:
        image.write_bytes(handle.read(size))
    return image


def test_a_truncated_dos_image_keeps_the_partitions_it_holds(tmp_path: Path) -> None:
    """TSK refuses a table whose second partition starts past the end of the image; the
    first partition is still there and is listed (table and files as mmls/fls say)."""
    from tests.evidence.oracles import fls_listing
    from tests.evidence.test_walk_vs_fls import walk_listing

    image = _cut(tmp_path, IMAGES / "two_partitions.raw", 5_000_000)
    sector, slots = mmls_slots(IMAGES / "two_partitions.raw")  # the whole image's table
    expected = [(s.start * sector, s.length * sector) for s in slots if s.kind == "partition"]
    with open_evidence(image) as evidence:
        volumes = evidence.volumes()
        warnings = evidence.volume_warnings
    assert [(v.start, v.length) for v in volumes if v.kind == "partition"] == expected[:1]
    assert [v.index for v in volumes] == list(range(len(volumes)))
    assert "could not read the partition table" in warnings[0]
    assert f"at byte {expected[1][0]}" in warnings[1] and "beyond the end" in warnings[1]
    (first,) = [v for v in volumes if v.kind == "partition"]
    assert walk_listing(image, first.index) == fls_listing([image], expected[0][0] // sector)


def test_a_partition_cut_short_is_warned_about(tmp_path: Path) -> None:
    image = _cut(tmp_path, IMAGES / "two_partitions.raw", 6_000_000)
    with open_evidence(image) as evidence:
        kinds = [v.kind for v in evidence.volumes()]
        (warning,) = evidence.volume_warnings
    assert kinds.count("partition") == 2
    assert "at byte 5242880 holds 757120 of its 2097152 bytes" in warning


def test_a_truncated_gpt_image_is_read_without_tsk(tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess

    if shutil.which("sfdisk") is None:
        pytest.skip("sfdisk (util-linux fdisk) not installed")
    whole = tmp_path / "gpt.raw"
    with open(whole, "wb") as handle:
        handle.truncate(8 << 20)
    script = 'label: gpt\nstart=2048, size=4096, name="first"\nstart=8192, size=6144, name="second"\n'
    subprocess.run(["sfdisk", "-q", str(whole)], input=script, text=True, check=True)
    table = json.loads(subprocess.run(["sfdisk", "--json", str(whole)], capture_output=True,
                                      text=True, check=True).stdout)["partitiontable"]
    expected = [(p["start"] * 512, p["size"] * 512, f"GPT {p['name']}") for p in table["partitions"]]
    image = _cut(tmp_path, whole, 3_000_000)  # cuts "first", loses "second" and the backup GPT
    with open_evidence(image) as evidence:
        partitions = [(v.start, v.length, v.description) for v in evidence.volumes()
                      if v.kind == "partition"]
        warnings = evidence.volume_warnings
    assert partitions == [(*expected[0][:2], f"{expected[0][2]} (cut short by the end of the image)")]
    assert "holds 1951424 of its 2097152 bytes" in warnings[1]
    assert f"{expected[1][2]} partition at byte {expected[1][0]}" in warnings[2]


def test_a_table_with_too_many_slots_keeps_the_first_ones(tmp_path: Path) -> None:
    """Found by an audit: a GPT of 600 entries (over 1024 slots with the gaps) made the
    whole image read as one disk with no file system, and the scan refused it."""
    import struct
    import uuid
    import zlib

    ext4 = (IMAGES / "ext4.raw").read_bytes()
    sector, count, first = 512, 600, 2048
    tiny = first + len(ext4) // sector
    total = tiny + count * 2 + 2048
    image = bytearray(total * sector)
    image[446:462] = struct.pack("<B3sB3sII", 0, b"\0\x02\0", 0xEE, b"\xff\xff\xff", 1, total - 1)
    image[510:512] = b"\x55\xaa"
    linux = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4").bytes_le
    entries = bytearray(count * 128)
    for index in range(count):
        start = first if index == 0 else tiny + index * 2
        last = first + len(ext4) // sector - 1 if index == 0 else start
        struct.pack_into("<16s16sQQQ", entries, index * 128, linux, uuid.uuid4().bytes_le,
                         start, last, 0)
    image[2 * sector:2 * sector + len(entries)] = entries
    header = bytearray(92)
    struct.pack_into("<8sIIIIQQQQ16sQIII", header, 0, b"EFI PART", 0x10000, 92, 0, 0, 1,
                     total - 1, 2 + len(entries) // sector, total - 34, uuid.uuid4().bytes_le,
                     2, count, 128, zlib.crc32(entries))
    struct.pack_into("<I", header, 16, zlib.crc32(header))
    image[sector:sector + 92] = header
    image[first * sector:first * sector + len(ext4)] = ext4
    path = tmp_path / "many.raw"
    path.write_bytes(bytes(image))
    with open_evidence(path) as evidence:
        volumes = evidence.volumes()
        assert "only the first 1024 are scanned" in evidence.volume_warnings[0]
        real = next(v for v in volumes if v.kind == "partition")
        assert real.start == first * sector
        assert real.open_filesystem().fs_type == "ext4"

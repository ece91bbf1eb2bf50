"""Volume listing against mmls, and volumes whose file system cannot be opened."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.evidence.oracles import IMAGES, corpus_file, mmls_slots, require_tool, sfdisk_image
from triage.evidence import EvidenceError, FileSystemError, open_evidence


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
    whole = tmp_path / "gpt.raw"
    partitions = sfdisk_image(whole, 8 << 20, 'label: gpt\nstart=2048, size=4096, name="first"\n'
                              'start=8192, size=6144, name="second"\n')
    expected = [(p["start"] * 512, p["size"] * 512, f"GPT {p['name']}") for p in partitions]
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


EBR_CHAIN = IMAGES / "ebr_chain.raw"
#: ebr_chain.raw's logical partitions that hold a file system (number: start sector).
EBR_FILLED = {2: 69, 135: 726, 140: 871}
_EXTENDED_TYPES = {0x05, 0x0F, 0x85}


def _partx_partitions(image: Path) -> dict[int, tuple[int, int]]:
    """Partition number: (start, length) in bytes, read by util-linux's partx (libblkid)."""
    import re
    import shutil
    import subprocess

    if shutil.which("partx") is None:
        pytest.skip("partx (util-linux) not installed")
    output = subprocess.run(["partx", "--pairs", "-o", "NR,START,SECTORS,TYPE", str(image)],
                            capture_output=True, text=True, check=True).stdout
    rows = re.findall(r'NR="(\d+)" START="(\d+)" SECTORS="(\d+)" TYPE="0x([0-9a-f]+)"', output)
    return {int(number): (int(start) * 512, int(sectors) * 512)
            for number, start, sectors, kind in rows if int(kind, 16) not in _EXTENDED_TYPES}


def _volume_at(volumes: list, sector: int):
    (volume,) = [v for v in volumes if v.kind == "partition" and v.start == sector * 512]
    return volume


def test_every_logical_partition_past_the_sleuth_kits_128_tables_is_listed() -> None:
    """pytsk3 lists 128 of ebr_chain.raw's 140 logical partitions, silently; partx reads
    them all, and so must we (sfdisk stops at 60 partitions: see the next test)."""
    expected = _partx_partitions(EBR_CHAIN)
    assert len(expected) == 141  # 140 logical, 1 primary
    with open_evidence(EBR_CHAIN) as evidence:
        volumes = evidence.volumes()
        warnings = evidence.volume_warnings
    assert sorted((v.start, v.length) for v in volumes if v.kind == "partition") == sorted(
        expected.values())
    assert [v.index for v in volumes] == list(range(len(volumes)))
    assert warnings == ["The Sleuth Kit dropped 12 of the 140 logical partitions of the"
                        " extended-partition chain (it follows at most 128 tables); they were"
                        " read without it"]


def test_ebr_chain_partitions_as_far_as_sfdisk_reads_them() -> None:
    """sfdisk (libfdisk) reads the first 60 partition numbers only, and says so; those
    are ours too, and partx agrees with it there."""
    import json
    import shutil
    import subprocess

    if shutil.which("sfdisk") is None:
        pytest.skip("sfdisk (util-linux fdisk) not installed")
    run = subprocess.run(["sfdisk", "--json", str(EBR_CHAIN)], capture_output=True, text=True,
                         check=True)
    table = json.loads(run.stdout)["partitiontable"]
    listed = {int(p["node"].rsplit("raw", 1)[1]): (p["start"] * 512, p["size"] * 512)
              for p in table["partitions"] if int(p["type"], 16) not in _EXTENDED_TYPES}
    assert max(listed) == 60 and "Omitting partitions after #60" in run.stderr
    assert {n: span for n, span in _partx_partitions(EBR_CHAIN).items() if n <= 60} == listed
    with open_evidence(EBR_CHAIN) as evidence:
        ours = {(v.start, v.length) for v in evidence.volumes() if v.kind == "partition"}
    assert set(listed.values()) <= ours and len(ours) > len(listed)


def test_the_sleuth_kits_slots_keep_their_indexes_and_the_dropped_ones_follow() -> None:
    import pytsk3

    with open_evidence(EBR_CHAIN) as evidence:
        volumes = evidence.volumes()
        tsk = list(pytsk3.Volume_Info(evidence.img_info()))
    changed = [i for i, part in enumerate(tsk)
               if (volumes[i].start, volumes[i].length) != (part.start * 512, part.len * 512)]
    # The unallocated slot TSK made of the chain's untraversed tail keeps its start.
    (split,) = changed
    assert volumes[split].kind == "unallocated" and volumes[split].start == tsk[split].start * 512
    assert volumes[split].length == 512  # table #129, before the first dropped partition
    added = volumes[len(tsk):]
    assert [(v.start, v.kind) for v in added] == sorted((v.start, v.kind) for v in added)
    assert [v.kind for v in added].count("partition") == 12
    assert _volume_at(volumes, 1024).index < len(tsk)  # primary 2, listed by TSK


@pytest.mark.parametrize("number", sorted(EBR_FILLED))
def test_logical_partition_walk_matches_fls(number: int) -> None:
    from tests.evidence.oracles import fls_listing
    from tests.evidence.test_walk_vs_fls import walk_listing

    sector = EBR_FILLED[number]
    with open_evidence(EBR_CHAIN) as evidence:
        index = _volume_at(evidence.volumes(), sector).index
    listing = walk_listing(EBR_CHAIN, index)
    assert listing == fls_listing([EBR_CHAIN], sector)
    assert any(path.endswith(".TXT") for path, _size, _deleted in listing)


def _hostile(tmp_path: Path, name: str, changes: dict[int, tuple[int, bytes]]) -> Path:
    """ebr_chain.raw with bytes replaced ({sector: (offset in it, bytes)})."""
    data = bytearray(EBR_CHAIN.read_bytes())
    for sector, (offset, replacement) in changes.items():
        at = sector * 512 + offset
        data[at:at + len(replacement)] = replacement
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return path


def _link(first: int) -> bytes:
    import struct

    return struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", 0x05, b"\xfe\xff\xff", first, 4)


@pytest.mark.parametrize(("link", "message"), [
    (701 - 64, "loops back to sector 701"),  # table #138 links to table #129
    (1 << 31, f"sector {64 + (1 << 31)} lies beyond the end of the image"),
])
def test_a_hostile_chain_ends_with_a_warning(tmp_path: Path, link: int, message: str) -> None:
    image = _hostile(tmp_path, "hostile.raw", {863 - 1: (462, _link(link))})
    with open_evidence(image) as evidence:
        volumes = evidence.volumes()
        warnings = evidence.volume_warnings
    assert message in warnings[0]
    assert "dropped 10 of the 138 logical partitions" in warnings[1]
    assert sum(v.kind == "partition" for v in volumes) == 139


def test_thousands_of_extended_tables_end_with_warnings_not_a_hang(tmp_path: Path) -> None:
    import time

    from tests.evidence.test_partition_salvage import _chain
    from triage.evidence.evidence import MAX_VOLUMES
    from triage.evidence.partition_salvage import MAX_LOGICAL

    image = tmp_path / "long_chain.raw"
    image.write_bytes(_chain(MAX_LOGICAL + 1000))
    started = time.monotonic()
    with open_evidence(image) as evidence:
        volumes = evidence.volumes()
        warnings = evidence.volume_warnings
    assert time.monotonic() - started < 20
    assert len(volumes) == MAX_VOLUMES
    assert [v.index for v in volumes] == list(range(MAX_VOLUMES))
    assert warnings == [
        f"the extended partition chain has more than {MAX_LOGICAL} tables (damaged or"
        " hostile); the rest are not read",
        f"The Sleuth Kit dropped {MAX_LOGICAL - 128} of the {MAX_LOGICAL} logical partitions"
        " of the extended-partition chain (it follows at most 128 tables); they were read"
        " without it",
        f"the partition table lists more than {MAX_VOLUMES} slots; only the first"
        f" {MAX_VOLUMES} are scanned",
    ]


def test_a_truncated_image_says_where_its_extended_chain_was_cut(tmp_path: Path) -> None:
    """TSK refuses ebr_chain.raw cut after sector 868 (primary 2 starts past the end);
    the salvage reader's chain then stops at table #140 (sector 870), past the end."""
    image = _cut(tmp_path, EBR_CHAIN, 869 * 512)
    with open_evidence(image) as evidence:
        partitions = [v for v in evidence.volumes() if v.kind == "partition"]
        warnings = evidence.volume_warnings
    assert len(partitions) == 139 and partitions[-1].start == 867 * 512
    assert "could not read the partition table" in warnings[0]
    assert ("extended partition table at sector 870 lies beyond the end of the image"
            f" ({869 * 512} bytes); not read") in warnings
    assert any("at byte 443904 holds 1024 of its 1536 bytes" in w for w in warnings)
    assert any("at byte 524288 (65536 bytes) lies beyond the end" in w for w in warnings)


def test_free_space_inside_an_added_partition_is_not_scanned_as_free(tmp_path: Path) -> None:
    """Found by an audit: an unallocated slot of TSK's lying wholly inside a logical
    partition it had dropped stayed 'unallocated', so its bytes were carved as free space
    while the partition's file system was walked: every hit twice."""
    from tests.evidence.test_partition_salvage import EXTENDED, STRIDE, _chain, _entry
    from triage.evidence import Volume

    last = EXTENDED + 129 * STRIDE  # the 130th table: TSK drops its partition
    image = bytearray(_chain(130) + bytes(200 * 512))
    image[last * 512 + 446:last * 512 + 462] = _entry(0x83, 1, 100)
    path = tmp_path / "inside.raw"
    path.write_bytes(bytes(image))
    with open_evidence(path) as evidence:
        inside = Volume(0, (last + 11) * 512, 20 * 512, "unallocated", "Unallocated", "dos",
                        evidence)
        result = evidence._with_missed_logicals([inside])
    assert (result[0].index, result[0].start, result[0].kind) == (0, inside.start, "meta")
    assert (last + 1) * 512 in {v.start for v in result if v.kind == "partition"}


def test_when_added_partitions_do_not_all_fit_free_space_stays_free(tmp_path: Path,
                                                                    monkeypatch) -> None:
    """Found by a second audit: a slot marked as inside an added partition was not
    scanned, and the partition itself could then be cut by the volume cap: its bytes were
    neither walked nor scanned."""
    import triage.evidence.evidence as evidence_module
    from tests.evidence.test_partition_salvage import EXTENDED, STRIDE, _chain, _entry
    from triage.evidence import Volume

    last = EXTENDED + 129 * STRIDE
    image = bytearray(_chain(130) + bytes(200 * 512))
    image[last * 512 + 446:last * 512 + 462] = _entry(0x83, 1, 100)
    path = tmp_path / "inside.raw"
    path.write_bytes(bytes(image))
    with open_evidence(path) as evidence:
        monkeypatch.setattr(evidence_module, "MAX_VOLUMES", 2)
        inside = Volume(0, (last + 11) * 512, 20 * 512, "unallocated", "Unallocated", "dos",
                        evidence)
        result = evidence._with_missed_logicals([inside])
        warnings = evidence.volume_warnings
    # TSK's listing is the one slot here, so every logical counts as added: one fits.
    assert [(v.start, v.kind) for v in result] == [(inside.start, "unallocated"),
                                                   ((EXTENDED + 1) * 512, "partition")]
    assert any("only the first 2 are scanned" in w for w in warnings)


def test_an_image_that_kept_only_its_partition_table_is_scanned_with_warnings(
        tmp_path: Path) -> None:
    """Found by a corpus sweep: dissect's mbr.bin (512 bytes, two NTFS partitions past the
    end) was refused as "not a disk image?", while the same cut in GPT form was scanned
    with warnings."""
    from tests.evidence.test_partition_salvage import _entry

    image = bytearray(512)
    image[446:462] = _entry(0x07, 2048, 1024000)
    image[462:478] = _entry(0x07, 1026048, 124805008)
    image[510:512] = b"\x55\xaa"
    path = tmp_path / "table_only.raw"
    path.write_bytes(bytes(image))
    if shutil.which("sfdisk"):
        dump = subprocess.run(["sfdisk", "-d", str(path)], capture_output=True, text=True).stdout
        assert "start=        2048" in dump and "start=     1026048" in dump
    with open_evidence(path) as evidence:
        volumes = evidence.volumes()
        warnings = evidence.volume_warnings
    assert [(v.kind, v.start) for v in volumes] == [("meta", 0)]
    assert [w for w in warnings if "lies beyond the end" in w] == [
        "DOS type 0x07 partition at byte 1048576 (524288000 bytes) lies beyond the end of the"
        " image (512 bytes): the image is truncated; not scanned",
        "DOS type 0x07 partition at byte 525336576 (63900164096 bytes) lies beyond the end of"
        " the image (512 bytes): the image is truncated; not scanned"]


def test_boot_code_with_a_signature_is_still_not_a_disk_image(tmp_path: Path) -> None:
    image = bytearray(os.urandom(512))
    image[446:462] = b"\x33" + bytes(3) + b"\x07" + bytes(3) + (4096).to_bytes(4, "little") \
        + (100).to_bytes(4, "little")
    image[510:512] = b"\x55\xaa"
    path = tmp_path / "boot_code.bin"
    path.write_bytes(bytes(image))
    with pytest.raises(EvidenceError, match="not a disk image"):
        open_evidence(path)


def _damaged_ntfs(data: bytearray) -> None:
    """Zero the first MFT record and its mirror, where the boot sector says they are."""
    cluster = int.from_bytes(data[11:13], "little") * data[13]
    for field in (0x30, 0x38):
        start = int.from_bytes(data[field:field + 8], "little") * cluster
        data[start:start + 4096] = bytes(4096)


def _damaged_fat(data: bytearray) -> None:
    data[11:13] = bytes(2)  # bytes per sector


@pytest.mark.parametrize(("image", "damage", "name"), [
    ("ntfs.raw", _damaged_ntfs, "NTFS"), ("fat16.raw", _damaged_fat, "FAT")])
def test_a_single_damaged_volume_is_scanned_as_inside_a_container(
        tmp_path: Path, image: str, damage, name: str) -> None:
    """Found by an audit: an image of one partition whose file system TSK cannot open
    (an NTFS volume with its MFT zeroed) was refused as "not a disk image?", while the
    same bytes in an E01 were scanned byte by byte with a warning."""
    data = bytearray((IMAGES / image).read_bytes())
    damage(data)
    path = tmp_path / "damaged.raw"
    path.write_bytes(bytes(data))
    with open_evidence(path) as evidence:
        (volume,) = evidence.volumes()
        assert (volume.kind, volume.start, volume.length) == ("whole", 0, len(data))
        with pytest.raises(FileSystemError):
            volume.open_filesystem()
        assert evidence.volume_warnings == [
            f"{name} boot sector or superblock found at the start of the image, but no file"
            " system could be read there (damaged?): only the byte-level detectors see its"
            " bytes"]


@pytest.mark.parametrize("content", [b"just some text\n" * 3000, os.urandom(1 << 16)])
def test_text_and_random_bytes_are_still_not_disk_images(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "not_an_image.bin"
    path.write_bytes(content)
    with pytest.raises(EvidenceError, match="not a disk image"):
        open_evidence(path)


@pytest.mark.parametrize(("description", "expected"), [
    ("Apple_partition_map", True),  # the map's own slot (mmls lists it as a partition)
    ("Microsoft reserved partition", True),
    ("Apple_HFS", False),
    ("DOS_FAT_16", False),
])
def test_slots_that_hold_no_file_system_by_design(description: str, expected: bool) -> None:
    """The evidence helper's finding: an Apple partition map's own slot was opened as a
    data partition and warned about ("no file system found")."""
    from triage.evidence.evidence import Volume

    volume = Volume(1, 512, 63 * 512, "partition", description, "mac")
    assert volume.expects_no_file_system is expected


def _gpt_4kn(path: Path, size: int, partitions: list[tuple[int, int, str]]) -> None:
    """Write a GPT disk with 4096-byte sectors: protective MBR, header at LBA 1, 128
    entries of 128 bytes from LBA 2, backup at the end; ``partitions`` are (first LBA,
    last LBA, name), Linux data partitions."""
    import struct
    import uuid
    import zlib

    sector = 4096
    lbas = size // sector
    entries = bytearray(128 * 128)
    linux = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4").bytes_le
    for index, (first, last, name) in enumerate(partitions):
        entries[index * 128 : (index + 1) * 128] = (
            linux + uuid.uuid4().bytes_le + struct.pack("<QQQ", first, last, 0)
            + name.encode("utf-16-le").ljust(72, b"\0"))
    table_lbas = len(entries) // sector

    def header(own: int, other: int, table: int) -> bytes:
        fields = bytearray(struct.pack(
            "<8s4sII4sQQQQ16sQIII", b"EFI PART", b"\0\0\1\0", 92, 0, bytes(4), own, other,
            2 + table_lbas, lbas - 2 - table_lbas, uuid.uuid4().bytes_le, table, 128, 128,
            zlib.crc32(entries)))
        struct.pack_into("<I", fields, 16, zlib.crc32(fields))
        return bytes(fields)

    mbr = bytearray(512)
    struct.pack_into("<B3sB3sII", mbr, 446, 0, bytes(3), 0xEE, bytes(3), 1,
                     min(lbas - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"
    with open(path, "wb") as handle:
        handle.truncate(size)
        for offset, data in ((0, mbr), (sector, header(1, lbas - 1, 2)), (2 * sector, entries),
                             ((lbas - 1 - table_lbas) * sector, entries),
                             ((lbas - 1) * sector, header(lbas - 1, 1, lbas - 1 - table_lbas))):
            handle.seek(offset)
            handle.write(data)


def test_a_truncated_gpt_with_4096_byte_sectors_keeps_the_partitions_it_holds(
        tmp_path: Path) -> None:
    """The evidence helper's finding: the table was read as if sectors were 512 bytes,
    so a cut 4Kn disk showed only its protective MBR's slot."""
    whole = tmp_path / "gpt4k.raw"
    _gpt_4kn(whole, 16 << 20, [(256, 1279, "first"), (1536, 2559, "second")])
    require_tool("mmls")
    listed = subprocess.run(["mmls", "-b", "4096", str(whole)], capture_output=True,
                            text=True, check=True).stdout
    assert "first" in listed and "second" in listed  # the oracle reads the made table
    image = _cut(tmp_path, whole, 5_500_000)  # "second" (from 6 MiB) is lost
    with open_evidence(image) as evidence:
        partitions = [(v.start, v.length, v.description) for v in evidence.volumes()
                      if v.kind == "partition"]
        warnings = evidence.volume_warnings
    assert partitions == [(256 * 4096, 1024 * 4096, "GPT first")]
    assert any("GPT second partition at byte 6291456" in warning for warning in warnings)

"""Container detection, split images, bad input, stored hashes and read-only access."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.evidence.oracles import IMAGES, corpus_file, require_tool
from triage.evidence import EvidenceError, open_evidence

D, P = "dfvfs/test_data/", "plaso/test_data/"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("relative", "expected_format", "segment_count"),
    [
        (D + "ext2.E01", "ewf", 1),
        (D + "ext2.split.E01", "ewf", 2),
        (D + "ext2.split.E02", "ewf", 2),
        (D + "ext2.splitraw.000", "split_raw", 2),
        (D + "ext2.splitraw.001", "split_raw", 2),
        (D + "ext2.vmdk", "vmdk", 1),
        (D + "ext2.vhd", "vhd", 1),
        (D + "image-differential.vhd", "vhd", 2),
        (D + "ext2.qcow2", "qcow2", 1),
        (D + "hfsplus.raw", "raw", 1),
        (P + "image-split.E01", "ewf", 2),
    ],
)
def test_container_detection(relative: str, expected_format: str, segment_count: int) -> None:
    with open_evidence(corpus_file(relative)) as evidence:
        assert evidence.format == expected_format
        assert len(evidence.segments) == segment_count


@pytest.mark.parametrize(
    "relative",
    [D + "ext2.E01", D + "ext2.split.E01", D + "ext2.vmdk", D + "ext2.vhd", D + "ext2.qcow2"],
)
def test_every_container_of_the_ext2_fs_reads_the_same_bytes(relative: str) -> None:
    parts = [corpus_file(D + "ext2.splitraw.000"), corpus_file(D + "ext2.splitraw.001")]
    raw = b"".join(part.read_bytes() for part in parts)
    with open_evidence(corpus_file(relative)) as evidence:
        assert evidence.read(0, len(raw)) == raw


def test_a_renamed_sparse_vmdk_reads_itself_not_the_file_its_descriptor_names(
        tmp_path: Path) -> None:
    """The evidence helper's finding: a sparse VMDK's embedded descriptor names the file
    it was made as ("ext2.vmdk"); libvmdk opened a file of that name beside a renamed
    copy and read it instead, without a word."""
    parts = [corpus_file(D + "ext2.splitraw.000"), corpus_file(D + "ext2.splitraw.001")]
    raw = b"".join(part.read_bytes() for part in parts)
    shutil.copyfile(corpus_file(D + "ext2.vmdk"), tmp_path / "exhibit1.vmdk")
    other = corpus_file("plaso/test_data/image.vmdk")
    shutil.copyfile(other, tmp_path / "ext2.vmdk")  # another disk under the original name
    with open_evidence(tmp_path / "exhibit1.vmdk") as evidence:
        assert evidence.read(0, len(raw)) == raw
        assert [Path(s).name for s in evidence.segments] == ["exhibit1.vmdk"]
    (tmp_path / "ext2.vmdk").unlink()  # and alone
    with open_evidence(tmp_path / "exhibit1.vmdk") as evidence:
        assert evidence.read(0, len(raw)) == raw


def test_differential_vhd_reads_through_its_parent() -> None:
    child = corpus_file(D + "image-differential.vhd")
    with open_evidence(child) as evidence:
        assert Path(evidence.segments[1]).name == "image.vhd"
        assert evidence.volumes()[0].open_filesystem().open_path("/passwords.txt") is not None


@pytest.mark.parametrize("pattern", ["{}.{:03d}", "{}.{:03d}+1", "{}.{}"])
def test_split_raw_found_from_any_segment(pattern: str, tmp_path: Path) -> None:
    original = IMAGES / "two_partitions.raw"
    data = original.read_bytes()
    piece = 3_000_000  # not a sector multiple: reads must cross segment boundaries
    names = []
    for index in range(0, len(data), piece):
        number = index // piece + (1 if pattern.endswith("+1") else 0)
        if pattern == "{}.{}":
            suffix = "a" + "abcdefghijklmnopqrstuvwxyz"[number]
            name = f"disk.{suffix}"
        else:
            name = f"disk.{number:03d}"
        (tmp_path / name).write_bytes(data[index : index + piece])
        names.append(name)
    assert len(names) == 3
    for name in names:
        with open_evidence(tmp_path / name) as evidence:
            assert evidence.format == "split_raw"
            assert [Path(s).name for s in evidence.segments] == names
            assert evidence.size == len(data)
            assert evidence.read(piece - 10, 20) == data[piece - 10 : piece + 10]
            assert evidence.read(len(data) - 5, 100) == data[-5:]
            assert [v.kind for v in evidence.volumes()].count("partition") == 2


def test_split_raw_with_a_missing_middle_segment(tmp_path: Path) -> None:
    data = (IMAGES / "two_partitions.raw").read_bytes()
    for number in (1, 3):
        (tmp_path / f"disk.{number:03d}").write_bytes(data[:1_000_000])
    with pytest.raises(EvidenceError, match=r"disk\.002 is missing"):
        open_evidence(tmp_path / "disk.001")


def _assert_one_line(error: EvidenceError, path: Path) -> None:
    message = str(error)
    assert "\n" not in message and message.startswith(str(path))


def test_bad_inputs_give_one_line_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just some text\n" * 100)
    empty = tmp_path / "empty.dd"
    empty.touch()
    truncated = tmp_path / "cut.E01"
    whole = (IMAGES / "two_partitions.E01").read_bytes()
    truncated.write_bytes(whole[: len(whole) // 3])
    lonely = tmp_path / "ext2.split.E01"
    shutil.copy(corpus_file(D + "ext2.split.E01"), lonely)
    bogus = corpus_file(D + "bogus.001")
    missing = tmp_path / "nothing.E01"
    for path in (text, empty, truncated, lonely, bogus, missing):
        with pytest.raises(EvidenceError) as caught:
            open_evidence(path)
        _assert_one_line(caught.value, path)


def test_ewf_stored_hash_matches_the_media_and_ewfverify() -> None:
    image = IMAGES / "two_partitions.E01"
    raw = (IMAGES / "two_partitions.raw").read_bytes()
    with open_evidence(image) as evidence:
        stored = evidence.stored_hashes()
        assert stored["md5"] == hashlib.md5(raw).hexdigest()
        assert stored["sha1"] == hashlib.sha1(raw).hexdigest()
        media = b"".join(evidence.read(offset, 1 << 20) for offset in range(0, evidence.size, 1 << 20))
        assert hashlib.md5(media).hexdigest() == stored["md5"]
        info = evidence.media_info()
        assert info["case_number"] == "CASE-0001"
        assert info["examiner_name"] == "Test Examiner"
    require_tool("ewfverify")
    report = subprocess.run(["ewfverify", "-q", str(image)], capture_output=True, text=True)
    match = re.search(r"MD5 hash stored in file:\s+([0-9a-f]{32})", report.stdout)
    assert match and match[1] == stored["md5"]


def test_non_ewf_evidence_has_no_stored_hashes() -> None:
    with open_evidence(IMAGES / "ext4.raw") as evidence:
        assert evidence.stored_hashes() == {}
        assert evidence.media_info() == {}


def test_full_walk_and_read_leave_the_evidence_unchanged() -> None:
    images = [IMAGES / "two_partitions.E01", IMAGES / "ntfs.raw", IMAGES / "fat16.raw"]
    before = {path: sha256(path) for path in images}
    for path in images:
        with open_evidence(path) as evidence:
            for volume in evidence.volumes():
                filesystem = volume.open_filesystem() if volume.kind != "meta" else None
                if filesystem is None:
                    continue
                for entry in filesystem.walk():
                    for _chunk in entry.iter_chunks(1 << 16):
                        pass
                list(filesystem.unallocated_ranges())
    assert {path: sha256(path) for path in images} == before
    assert sorted(p.name for p in IMAGES.iterdir() if p.is_file()) == sorted(
        p.name for p in IMAGES.iterdir() if p.is_file()
    )


def test_no_files_written_next_to_the_evidence(tmp_path: Path) -> None:
    copy = tmp_path / "two_partitions.E01"
    shutil.copy(IMAGES / "two_partitions.E01", copy)
    with open_evidence(copy) as evidence:
        for volume in evidence.volumes():
            if volume.kind == "partition":
                list(volume.open_filesystem().walk())
    assert [p.name for p in tmp_path.iterdir()] == ["two_partitions.E01"]


def test_read_past_the_end_is_short_and_folder_has_no_media(tmp_path: Path) -> None:
    with open_evidence(IMAGES / "ext4.raw") as evidence:
        assert evidence.read(evidence.size - 3, 10) == (IMAGES / "ext4.raw").read_bytes()[-3:]
        assert evidence.read(evidence.size + 10, 10) == b""
    with open_evidence(tmp_path) as folder:
        assert folder.format == "folder"
        with pytest.raises(EvidenceError):
            folder.read(0, 1)
        with pytest.raises(EvidenceError):
            folder.img_info()


def test_raw_image_beside_a_compressed_copy_is_not_a_split_set(tmp_path: Path) -> None:
    """'disk.dd' with 'disk.gz' beside it: two letters each, but no split set."""
    data = (IMAGES / "two_partitions.raw").read_bytes()
    (tmp_path / "disk.dd").write_bytes(data)
    (tmp_path / "disk.gz").write_bytes(gzip.compress(data[:100_000]))
    with open_evidence(tmp_path / "disk.dd") as evidence:
        assert evidence.format == "raw" and evidence.size == len(data)


def test_split_set_ignores_a_far_sibling_of_another_size(tmp_path: Path) -> None:
    data = (IMAGES / "two_partitions.raw").read_bytes()
    piece = 4_000_000
    names = [f"disk.a{letter}" for letter in "abc"]
    for number, name in enumerate(names):
        (tmp_path / name).write_bytes(data[number * piece:(number + 1) * piece])
    (tmp_path / "disk.sh").write_text("#!/bin/sh\ncat disk.a? > disk.raw\n")
    with open_evidence(tmp_path / "disk.aa") as evidence:
        assert [Path(s).name for s in evidence.segments] == names
        assert evidence.size == len(data)
    # The same sibling with a segment's size is taken for a later segment: the gap is an error.
    (tmp_path / "disk.sh").write_bytes(data[:piece])
    with pytest.raises(EvidenceError, match=r"disk\.ad is missing"):
        open_evidence(tmp_path / "disk.aa")


def test_split_set_with_many_digits_is_found_quickly(tmp_path: Path) -> None:
    data = (IMAGES / "two_partitions.raw").read_bytes()
    for number in (1, 2):
        (tmp_path / f"disk.{number:012d}").write_bytes(data[(number - 1) * 5_000_000:number * 5_000_000])
    with open_evidence(tmp_path / "disk.000000000001") as evidence:
        assert len(evidence.segments) == 2


CHAIN = IMAGES / "chain"


def _flat_hashes() -> dict[str, str]:
    lines = (CHAIN / "flat.sha256").read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines)}


@pytest.mark.parametrize(("child", "files", "kind"), [
    ("overlay.qcow2", ["base.qcow2"], "qcow2"),
    ("delta.vmdk", ["base.vmdk"], "vmdk"),
    # The audit's finding: a descriptor child over a sparse parent was refused
    # ("argument 1 must be pyvmdk.handle").
    ("split_delta.vmdk", ["split_delta-s001.vmdk", "base.vmdk"], "vmdk"),
])
def test_differencing_image_reads_through_its_parent(child: str, files: list[str],
                                                     kind: str) -> None:
    """What qemu-img reads through the child (flat.sha256) is what triage reads."""
    with open_evidence(CHAIN / child) as evidence:
        assert evidence.format == kind
        assert [Path(s).name for s in evidence.segments] == [child, *files]
        assert all(Path(s).is_absolute() for s in evidence.segments)
        digest = hashlib.sha256(evidence.read(0, evidence.size)).hexdigest()
        assert digest == _flat_hashes()[child]
        # The child's own 4 KiB at 1 MiB, the parent's bytes elsewhere.
        assert evidence.read(1 << 20, 4096) == b"\x5a" * 4096
        assert evidence.read(0, 512) == (IMAGES / "fat16.raw").read_bytes()[:512]


@pytest.mark.parametrize(("child", "parent"), [("overlay.qcow2", "base.qcow2"),
                                               ("delta.vmdk", "base.vmdk")])
def test_differencing_image_without_its_parent(child: str, parent: str, tmp_path: Path) -> None:
    shutil.copy(CHAIN / child, tmp_path / child)
    with pytest.raises(EvidenceError, match=rf"parent image {re.escape(parent)} is missing"):
        open_evidence(tmp_path / child)


def test_a_truncated_qcow2_reads_its_missing_bytes_as_zeros_and_names_them(
        tmp_path: Path) -> None:
    """Found by an audit: libqcow returns a short buffer, raising nothing, for a cluster
    cut by the end of the file; the short buffer went to TSK and the hashes were wrong
    with no word of damage. The bytes after the cut cluster must still be read."""
    from tests.truncated_qcow import truncated_qcow2
    from triage.evidence.verify import verify_evidence

    raw_path = IMAGES / "fat16.raw"
    image = tmp_path / "cut.qcow2"
    start, end = truncated_qcow2(raw_path, image, 102 * 512)
    raw = bytearray(raw_path.read_bytes())
    raw[start:end] = bytes(end - start)
    with open_evidence(image) as evidence:
        assert evidence.read(0, len(raw)) == raw
        (damage,) = evidence.take_media_errors()
        assert (damage.offset, damage.length) == (start, end - start)
        assert damage.describe().startswith(
            f"media bytes {start}-{end - 1} (sectors {start // 512}-{end // 512 - 1}) could"
            " not be read from the image (truncated or damaged); read as zeros")
        assert evidence.take_media_errors() == []
    result = verify_evidence(image)
    assert result.verdict == "damaged"
    assert result.computed["md5"] == hashlib.md5(raw).hexdigest()


@pytest.mark.parametrize("held", [0, 300_000])
def test_a_short_middle_segment_keeps_the_bytes_after_it_in_place(
        tmp_path: Path, held: int) -> None:
    """Found by an audit: an empty or short middle segment of a split raw set was joined
    silently, shifting every byte after it (wrong size, wrong hashes). Its missing bytes
    now read as zeros, recorded as damage and warned about."""
    from triage.evidence.verify import verify_evidence

    data = (IMAGES / "fat16.raw").read_bytes()
    piece = 1 << 20
    for number in range(4):
        (tmp_path / f"disk.{number:03d}").write_bytes(data[number * piece:(number + 1) * piece])
    with open(tmp_path / "disk.002", "r+b") as segment:
        segment.truncate(held)
    expected = bytearray(data)
    expected[2 * piece + held:3 * piece] = bytes(piece - held)
    with open_evidence(tmp_path / "disk.000") as evidence:
        assert evidence.size == len(data)
        assert evidence.read(0, len(data)) == expected
        (damage,) = evidence.take_media_errors()
        assert (damage.offset, damage.length) == (2 * piece + held, piece - held)
        assert evidence.volume_warnings == [
            f"split image segment disk.002 holds {held} of the {piece} bytes of every other"
            " segment but the last (damaged or cut-off copy?): its missing bytes read as zeros"]
    result = verify_evidence(tmp_path / "disk.001")
    assert result.verdict == "damaged"
    assert result.computed["md5"] == hashlib.md5(expected).hexdigest()


def test_a_segment_longer_than_the_first_is_refused(tmp_path: Path) -> None:
    data = (IMAGES / "fat16.raw").read_bytes()
    (tmp_path / "disk.000").write_bytes(data[:1000])
    (tmp_path / "disk.001").write_bytes(data[1000:3000])
    with pytest.raises(EvidenceError) as raised:
        open_evidence(tmp_path / "disk.000")
    assert str(raised.value) == (
        f"{tmp_path / 'disk.001'}: split image segment of 2000 bytes is longer than the first"
        " segment disk.000 (1000 bytes); is the first segment cut short?")


def _verify_in_a_process(path: Path) -> str:
    """``triage verify path``'s error line; a hang (waiting on a FIFO) fails the test."""
    import os
    import sys

    done = subprocess.run([sys.executable, "-m", "triage", "verify", str(path)],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    return done.stderr.strip()


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Found by an audit: opening a FIFO with no writer waited for ever, as evidence, as
    a split segment or as a VMDK extent."""
    import os

    fifo = tmp_path / "disk.raw"
    os.mkfifo(fifo)
    assert _verify_in_a_process(fifo) == (
        f"triage: error: {fifo}: a FIFO (named pipe), not a regular file or block device")
    with pytest.raises(EvidenceError, match="FIFO"):
        open_evidence(fifo)
    split = tmp_path / "split"
    split.mkdir()
    (split / "disk.000").write_bytes((IMAGES / "fat16.raw").read_bytes()[:1 << 20])
    os.mkfifo(split / "disk.001")
    with pytest.raises(EvidenceError) as raised:
        open_evidence(split / "disk.000")
    assert str(raised.value) == (
        f"{split / 'disk.001'}: a FIFO (named pipe), not a regular file or block device")
    vmdk = tmp_path / "vmdk"
    vmdk.mkdir()
    (vmdk / "disk.vmdk").write_text(
        '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n'
        'createType="monolithicFlat"\n# Extent description\nRW 8192 FLAT "flat.bin" 0\n'
        '# The Disk Data Base\n#DDB\nddb.virtualHWVersion = "4"\n')
    os.mkfifo(vmdk / "flat.bin")
    assert _verify_in_a_process(vmdk / "disk.vmdk") == (
        f"triage: error: {vmdk / 'flat.bin'}: a FIFO (named pipe), not a regular file or"
        " block device")


def test_a_character_device_is_refused() -> None:
    with pytest.raises(EvidenceError) as raised:
        open_evidence("/dev/zero")
    assert str(raised.value) == ("/dev/zero: a character device, not a disk image (image the"
                                 " drive, or give its block device)")


def test_a_later_ewf_segment_without_the_first_names_the_missing_one(tmp_path: Path) -> None:
    """Found by an audit: pyewf.glob raises MemoryError when the .E01 is missing, which
    ended in 'internal error: MemoryError'."""
    lone = tmp_path / "ext2.split.E02"
    shutil.copy(corpus_file(D + "ext2.split.E02"), lone)
    with pytest.raises(EvidenceError) as raised:
        open_evidence(lone)
    assert str(raised.value) == f"{lone}: first segment ext2.split.E01 is missing"


def test_padded_reads_equal_probe_by_probe_reads_and_stay_linear() -> None:
    """A reader that fails a whole read when any 4 KiB unit in it is missing (as libqcow
    does): bytes of present units are never zeroed, and a long gap costs probes, not
    reads of the whole rest (self-review: each step asked for everything left)."""
    from triage.evidence.missing_media import PROBE, MissingMedia, read_padded

    unit, units = 4096, 512
    present = [index % 3 != 1 and not 200 <= index < 400 for index in range(units)]
    media = b"".join(bytes([index % 251 + 1]) * unit for index in range(units))
    asked: list[int] = []

    def read(size: int, offset: int) -> bytes:
        asked.append(size)
        first, last = offset // unit, (offset + size - 1) // unit
        if not present[first]:
            raise OSError("missing cluster")
        if not all(present[first:last + 1]):
            raise OSError("a cluster of this read is missing")
        return media[offset:offset + size]

    got = read_padded(read, 0, len(media), MissingMedia())
    expected = b"".join(media[i * unit:(i + 1) * unit] if present[i] else bytes(unit)
                        for i in range(units))
    assert got == expected
    assert sum(asked) < 8 * len(media)  # was about len(media) * steps / 2
    assert max(asked[1:]) <= len(media) and len(asked) < 3 * len(media) // PROBE

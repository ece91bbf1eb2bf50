"""The unallocated-space scanner on committed images, checked against The Sleuth Kit and gpg.

Images come from tests/data/unallocated/make_images.sh. Oracles: where the note's bytes
lie is found by searching the raw image; whether that place is allocated comes from
``blkstat`` (TSK), the volume slots from ``mmls``, the key's fingerprint from
``gpg --show-keys``, a photo's GPS position from ``exiftool -n``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.pgp.oracle import stop_agent
from triage.engine.unallocated import (
    UnallocatedScanner,
    enclosing_object_start,
    json_object_end,
)
from triage.evidence import EvidenceError, open_evidence
from triage.extractors.crypto.extractor import CryptoExtractor
from triage.extractors.interface import Extractor
from triage.extractors.metadata.extractor import MetadataExtractor
from triage.extractors.pgp.extractor import PgpExtractor
from triage.extractors.tor.extractor import TorExtractor

DATA = Path(__file__).parents[1] / "data"
HERE = DATA / "unallocated"
NOTE = (HERE / "note.txt").read_bytes()
FAT_DELETED = HERE / "fat_deleted.raw"
TWO_PARTS = HERE / "two_parts.raw"
GAP_OFFSET, TAIL_OFFSET = (int(v) for v in (HERE / "outside_offsets.txt").read_text().split())
P1_SECTOR, P2_SECTOR = 2048, 8192

ONION = b"duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
BTC = b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
ARMOR = b"-----BEGIN PGP PUBLIC KEY BLOCK-----"

needs_tsk = pytest.mark.skipif(shutil.which("blkstat") is None or shutil.which("mmls") is None,
                               reason="The Sleuth Kit command-line tools absent")


def _extractors() -> list[Extractor]:
    return [PgpExtractor(), CryptoExtractor(), TorExtractor(), MetadataExtractor()]


def _run(image: Path, open_fs: Callable[[Any], dict[int, Any]], **kwargs: Any,
         ) -> tuple[list[dict[str, Any]], UnallocatedScanner, list[tuple[int, int]]]:
    ticks: list[tuple[int, int]] = []
    with open_evidence(image) as evidence:
        scanner = UnallocatedScanner(
            evidence, _extractors(), evidence_id=7, run_id=3, cancel=lambda: False,
            progress=lambda done, total: ticks.append((done, total)), **kwargs,
        )
        filesystems = open_fs(evidence)
        rows = [row for batch, _ in scanner.scan(filesystems) for row in batch]
    return rows, scanner, ticks


def _open_partitions(evidence: Any) -> dict[int, Any]:
    return {v.index: v.open_filesystem() for v in evidence.volumes() if v.kind in ("partition", "whole")}


def _expected_hits(base: int) -> set[tuple[str, int]]:
    """(type, absolute offset) of the three hits of a note copy starting at ``base``."""
    return {
        ("crypto.address", base + NOTE.index(BTC)),
        ("tor.onion_address", base + NOTE.index(ONION)),
        ("pgp.key", base + NOTE.index(ARMOR)),
    }


def _occurrences(data: bytes, needle: bytes) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(needle), data)]


def _allocated(image: Path, sector_offset: int, block: int) -> bool:
    out = subprocess.run(["blkstat", "-o", str(sector_offset), str(image), str(block)],
                         capture_output=True, text=True, check=True).stdout
    assert "Allocated" in out
    return "Not Allocated" not in out


def _mmls_slots(image: Path) -> list[tuple[int, int, int, str]]:
    out = subprocess.run(["mmls", str(image)], capture_output=True, text=True, check=True).stdout
    slots = []
    for line in out.splitlines():
        match = re.match(r"(\d+):\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)", line)
        if match:
            slots.append((int(match[1]), int(match[2]) * 512, int(match[4]) * 512, match[5]))
    return slots


def _gpg_fingerprint(data: bytes) -> str:
    if shutil.which("gpg") is None:
        pytest.skip("gpg absent")
    with tempfile.TemporaryDirectory() as home:  # never the examiner's own keyrings
        out = subprocess.run(["gpg", "--homedir", home, "--batch", "--show-keys",
                              "--with-colons"], input=data, capture_output=True,
                             check=True).stdout.decode()
        stop_agent(Path(home))
    return next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))


def _check_rows(rows: list[dict[str, Any]]) -> None:
    identities = [row["identity"] for row in rows]
    assert len(identities) == len(set(identities))
    for row in rows:
        assert row["unallocated"] is True
        assert row["path"] is None and row["file_identity"] is None
        assert row["evidence_id"] == 7 and row["run_id"] == 3


# -- deleted file in a FAT file system ------------------------------------------------------
@needs_tsk
def test_deleted_file_in_free_clusters_found_at_its_absolute_offset() -> None:
    image = FAT_DELETED.read_bytes()
    copies = _occurrences(image, NOTE)
    assert len(copies) == 1
    base = copies[0]
    # Oracle: TSK says the sector holding the note is free and no name points to it.
    assert not _allocated(FAT_DELETED, 0, base // 512)
    listing = subprocess.run(["fls", "-r", str(FAT_DELETED)], capture_output=True, text=True,
                             check=True).stdout
    assert "NOTE" not in listing.upper()

    rows, scanner, ticks = _run(FAT_DELETED, _open_partitions)
    _check_rows(rows)
    assert {(r["type"], r["offset"]) for r in rows} == _expected_hits(base)
    assert {r["volume_idx"] for r in rows} == {0}
    by_type = {r["type"]: r for r in rows}
    assert by_type["crypto.address"]["attributes"]["address"] == BTC.decode()
    assert by_type["crypto.address"]["attributes"]["offset"] == base + NOTE.index(BTC)
    assert by_type["tor.onion_address"]["attributes"]["address"] == ONION.decode()
    assert by_type["pgp.key"]["attributes"]["fingerprint"].upper() == _gpg_fingerprint(NOTE)
    assert BTC.decode() in by_type["crypto.address"]["context"]
    assert by_type["crypto.address"]["extractor"] == "crypto"
    with open_evidence(FAT_DELETED) as evidence:
        free = sum(length for _, _, length in scanner.ranges(_open_partitions(evidence)))
    assert ticks and ticks[-1][0] == ticks[-1][1] == free
    assert [done for done, _ in ticks] == sorted(done for done, _ in ticks)


# -- outside the partitions of an MBR disk --------------------------------------------------
def _two_parts_truth() -> tuple[set[tuple[str, int]], dict[int, int], list[int]]:
    """Expected (type, offset) hits, the volume of each note copy, and the live copies."""
    image = TWO_PARTS.read_bytes()
    slots = _mmls_slots(TWO_PARTS)
    expected: set[tuple[str, int]] = set()
    volume_of: dict[int, int] = {}
    live = []
    for base in _occurrences(image, NOTE):
        slot = next(s for s in slots if s[3] != "Primary Table (#0)" and s[1] <= base < s[1] + s[2])
        if slot[3] == "Unallocated":
            allocated = False
        elif slot[1] == P1_SECTOR * 512:
            allocated = _allocated(TWO_PARTS, P1_SECTOR, (base - slot[1]) // 512)
        else:
            allocated = _allocated(TWO_PARTS, P2_SECTOR, (base - slot[1]) // 1024)
        if allocated:
            live.append(base)
        else:
            expected |= _expected_hits(base)
            volume_of[base] = slot[0]
    return expected, volume_of, live


@needs_tsk
@pytest.mark.parametrize("chunk_size", [4 << 20, 64 * 1024, 4096])
def test_gap_and_tail_hits_found_once_and_live_copies_not_reported(chunk_size: int) -> None:
    expected, volume_of, live = _two_parts_truth()
    # The two dd'ed copies outside partitions, the deleted ext4 copy; live: FAT and ext4.
    assert GAP_OFFSET in volume_of and TAIL_OFFSET in volume_of
    assert len(volume_of) == 3 and len(live) == 2

    rows, _, _ = _run(TWO_PARTS, _open_partitions, chunk_size=chunk_size)
    _check_rows(rows)
    found = [(r["type"], r["offset"]) for r in rows]
    assert len(found) == len(set(found))
    assert set(found) == expected
    for row in rows:
        base = max(b for b in volume_of if b <= row["offset"])
        assert row["volume_idx"] == volume_of[base]
    for base in live:
        assert not any(base <= r["offset"] < base + len(NOTE) for r in rows)


@needs_tsk
def test_ranges_cover_gaps_and_free_blocks_without_overlap() -> None:
    slots = _mmls_slots(TWO_PARTS)
    gaps = {(index, start, length) for index, start, length, desc in slots if desc == "Unallocated"}
    with open_evidence(TWO_PARTS) as evidence:
        scanner = UnallocatedScanner(evidence, [], evidence_id=1, run_id=1, cancel=lambda: False)
        ranges = scanner.ranges(_open_partitions(evidence))
    assert gaps <= set(ranges)
    assert ranges == sorted(ranges, key=lambda r: r[1])
    for (_, start, length), (_, next_start, _) in zip(ranges, ranges[1:], strict=False):
        assert start + length <= next_start
    for index, start, length in set(ranges) - gaps:
        slot = next(s for s in slots if s[0] == index)
        assert slot[3] != "Unallocated"
        assert slot[1] <= start and start + length <= slot[1] + slot[2]
        sector = slot[1] // 512
        unit = 512 if sector == P1_SECTOR else 1024
        # Oracle: the first and last block of each free run are free according to blkstat.
        assert not _allocated(TWO_PARTS, sector, (start - slot[1]) // unit)
        assert not _allocated(TWO_PARTS, sector, (start + length - 1 - slot[1]) // unit)


@needs_tsk
def test_partition_without_file_system_is_scanned_whole() -> None:
    def only_p2(evidence: Any) -> dict[int, Any]:
        filesystems = _open_partitions(evidence)
        filesystems[2] = None  # as when the FAT partition's file system fails to open
        return filesystems

    expected, _, live = _two_parts_truth()
    rows, _, _ = _run(TWO_PARTS, only_p2)
    p1_live = [b for b in live if P1_SECTOR * 512 <= b < P2_SECTOR * 512]
    assert len(p1_live) == 1
    assert {(r["type"], r["offset"]) for r in rows} == expected | _expected_hits(p1_live[0])
    assert {r["volume_idx"] for r in rows if r["offset"] >= p1_live[0] and r["offset"] < p1_live[0] + len(NOTE)} == {2}


def test_cancel_stops_between_chunks() -> None:
    calls: list[tuple[int, int]] = []
    with open_evidence(TWO_PARTS) as evidence:
        scanner = UnallocatedScanner(
            evidence, _extractors(), evidence_id=1, run_id=1,
            cancel=lambda: len(calls) >= 2, progress=lambda d, t: calls.append((d, t)),
            chunk_size=4096,
        )
        batches = list(scanner.scan(_open_partitions(evidence)))
    total = calls[0][1]
    assert len(calls) == 2
    assert batches[-1][1] == calls[-1][0] == 2 * 4096 < total


# -- carving ------------------------------------------------------------------------------
KEYSTORE = json.dumps({  # Web3 Secret Storage definition's PBKDF2 test vector
    "crypto": {
        "cipher": "aes-128-ctr", "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
        "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        "kdf": "pbkdf2",
        "kdfparams": {"c": 262144, "dklen": 32, "prf": "hmac-sha256",
                      "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
        "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
    },
    "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6", "version": 3,
}, indent=2).encode()
ELECTRUM = json.dumps({
    "addr_history": {"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq": []},
    "seed_version": 18, "use_encryption": False, "wallet_type": "standard",
    "keystore": {"type": "bip32", "xpub": "not-checked-here"},
}, indent=4).encode()
TOR_STATE = (DATA / "tor" / "server" / "var" / "lib" / "tor" / "state").read_bytes()
PHOTO = DATA / "metadata" / "photos" / "IMG_0001.jpg"


def _exiftool_gps(path: Path) -> tuple[float, float]:
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool absent")
    out = subprocess.run(["exiftool", "-n", "-j", "-GPSLatitude", "-GPSLongitude", str(path)],
                         capture_output=True, text=True, check=True).stdout
    values = json.loads(out)[0]
    return values["GPSLatitude"], values["GPSLongitude"]


def test_structured_artefacts_carved_from_gap(tmp_path: Path) -> None:
    disk = tmp_path / "disk.raw"
    shutil.copyfile(TWO_PARTS, disk)
    photo = PHOTO.read_bytes()
    placed = {
        "wallet.ethereum_keystore": (3 << 20) + 200_000, "wallet.electrum": (3 << 20) + 300_000,
        "tor.state": (3 << 20) + 400_000, "media.exif": (3 << 20) + 500_000,
    }
    with open(disk, "r+b") as handle:
        for kind, blob in (("wallet.ethereum_keystore", KEYSTORE), ("wallet.electrum", ELECTRUM),
                           ("tor.state", TOR_STATE), ("media.exif", photo)):
            # Stray braces and text before the structure must not change where it starts.
            handle.seek(placed[kind] - 12)
            handle.write(b"x}{ garbage\n" + blob)
    rows, scanner, _ = _run(disk, _open_partitions, chunk_size=64 * 1024)
    _check_rows(rows)
    carved = {r["type"]: r for r in rows if r["type"] in placed}
    assert {t: r["offset"] for t, r in carved.items()} == placed
    assert carved["wallet.electrum"]["attributes"]["addresses"] == [
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"]
    assert carved["wallet.ethereum_keystore"]["attributes"]["kdf"] == "pbkdf2"
    assert carved["tor.state"]["attributes"]["guards"]
    latitude, longitude = _exiftool_gps(PHOTO)
    assert carved["media.exif"]["attributes"]["gps_latitude"] == pytest.approx(latitude, abs=1e-6)
    assert carved["media.exif"]["attributes"]["gps_longitude"] == pytest.approx(longitude, abs=1e-6)
    assert all(r["volume_idx"] == 3 for r in carved.values())
    # The electrum wallet's address is also a plain address hit at its own offset.
    address = b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    assert ("crypto.address", placed["wallet.electrum"] + ELECTRUM.index(address)) in {
        (r["type"], r["offset"]) for r in rows}


# -- hostile bytes --------------------------------------------------------------------------
class _BytesEvidence:
    """Evidence-shaped wrapper over bytes: one 'unallocated' volume, optional bad region."""

    format = "raw"

    def __init__(self, data: bytes, bad: range | None = None, short: int | None = None) -> None:
        self.data = data
        self.size = len(data)
        self.bad = bad
        #: A read over this offset stops there, as libqcow's does at a truncated cluster.
        self.short = short

    def volumes(self) -> list[Any]:
        from triage.evidence import Volume

        return [Volume(0, 0, self.size, "unallocated", "Unallocated", "dos", None)]

    def read(self, offset: int, size: int) -> bytes:
        if self.bad is not None and offset in self.bad:
            raise EvidenceError(f"read error at offset {offset}")
        if self.short is not None and offset <= self.short < offset + size:
            size = self.short - offset
        return self.data[offset : offset + size]

    def take_media_errors(self, force: bool = False) -> list[Any]:
        return []


def _scan_bytes(data: bytes, chunk_size: int = 4096, bad: range | None = None,
                short: int | None = None) -> tuple[list[dict[str, Any]], UnallocatedScanner]:
    evidence: Any = _BytesEvidence(data, bad, short)
    scanner = UnallocatedScanner(evidence, _extractors(), evidence_id=1, run_id=1,
                                 cancel=lambda: False, chunk_size=chunk_size)
    return [row for batch, _ in scanner.scan({}) for row in batch], scanner


def test_unreadable_chunk_is_warned_and_skipped() -> None:
    data = b"\x00" * 10_000 + NOTE + b"\x00" * 10_000 + NOTE + b"\x00" * 3000
    second = 10_000 + len(NOTE) + 10_000
    rows, scanner = _scan_bytes(data, chunk_size=4096, bad=range(8192, 8193))
    assert {(r["type"], r["offset"]) for r in rows} == _expected_hits(second)
    warnings = scanner.take_warnings()
    assert any("unreadable bytes at 8192" in w["message"] for w in warnings)
    assert scanner.take_warnings() == []


def test_a_short_read_is_warned_about_and_the_range_scanned_past_it() -> None:
    """Found by an audit: a read returning fewer bytes than asked for, inside the media,
    ended the range quietly, so the free space after it was never scanned."""
    data = b"\x00" * 10_000 + NOTE + b"\x00" * 10_000 + NOTE + b"\x00" * 3000
    second = 10_000 + len(NOTE) + 10_000
    rows, scanner = _scan_bytes(data, chunk_size=4096, short=9000)
    assert {(r["type"], r["offset"]) for r in rows} == _expected_hits(second)
    messages = [w["message"] for w in scanner.take_warnings()]
    assert any("unreadable bytes at 9000" in m for m in messages)


def test_same_hit_twice_in_one_area_is_one_artefact() -> None:
    line = b"pay " + BTC + b" now\n"
    rows, _ = _scan_bytes(line + b"\x00" * 5000 + line + b"\x00" * (2 << 20) + line)
    offsets = sorted(r["offset"] for r in rows if r["type"] == "crypto.address")
    # Two copies within 1 MiB collapse; the one 2 MiB further on is a separate artefact.
    assert offsets == [4, len(line) + 5000 + len(line) + (2 << 20) + 4]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=20_000), st.sampled_from([512, 4096]))
def test_fuzz_scanner_on_arbitrary_bytes(data: bytes, chunk_size: int) -> None:
    rows, _ = _scan_bytes(data, chunk_size)
    assert all(0 <= r["offset"] < len(data) for r in rows)


_MARKED = st.lists(st.sampled_from([b"{", b"}", b'"', b"\\", b"\x00", b'"seed_version"',
                                    b'"crypto"', b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00",
                                    b"\xff\xd8\xff", b"# Tor state file last generated on ",
                                    b"x", b"\n"]), max_size=300).map(b"".join)


@settings(max_examples=200, deadline=None)
@given(_MARKED)
def test_fuzz_carvers_on_marker_soup(data: bytes) -> None:
    for start in range(len(data)):
        end = json_object_end(data, start)
        assert end is None or (start < end <= len(data) and data[end - 1 : end] == b"}")
        opening = enclosing_object_start(data, start)
        assert opening is None or (0 <= opening < start and data[opening : opening + 1] == b"{")
    rows, _ = _scan_bytes(data, chunk_size=512)
    assert all(0 <= r["offset"] < len(data) for r in rows)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "ascii"])
@pytest.mark.parametrize("zeros", [4095, 4096, 70_001])
def test_zero_runs_trimmed_without_changing_hits(encoding: str, zeros: int) -> None:
    data = b"\x00" * zeros + ("visit " + ONION.decode() + " now").encode(encoding) + b"\x00" * 9000
    rows, _ = _scan_bytes(data, chunk_size=1 << 20)
    # Oracle: the detector itself on the whole, untrimmed buffer.
    direct = [(f.type, f.offset) for f in TorExtractor().scan_bytes(data)]
    assert [(r["type"], r["offset"]) for r in rows] == direct
    assert len(direct) == 1 and rows[0]["attributes"]["address"] == ONION.decode()
    assert zeros <= direct[0][1] < zeros + 20


@pytest.mark.parametrize("encoding", ["ascii", "utf-16-le"])
def test_onion_address_across_a_chunk_edge_is_not_also_a_v2_hit(encoding: str) -> None:
    text = ("visit " + ONION.decode() + " now").encode(encoding)
    # The chunk edge falls before the address's last 16 characters and ".onion".
    tail = text.index(ONION[-len(".onion") - 16 :].decode().encode(encoding))
    data = b"x" * (4096 - tail) + text + b"\x00" * 9000
    rows, _ = _scan_bytes(data, chunk_size=4096)
    onions = [(r["offset"], r["attributes"]["address"], r["attributes"]["version"])
              for r in rows if r["type"] == "tor.onion_address"]
    assert onions == [(4096 - tail + text.index(ONION[:8].decode().encode(encoding)),
                       ONION.decode(), 3)]


# -- GnuPG agent keys carved from free space --------------------------------------------------
AGENT_KEY = (DATA / "pgp/home2/.gnupg/private-keys-v1.d/15AF6E23B220A0BFA1C1F8F1A41F2BC02CAC409A.key")


def test_a_deleted_agent_key_is_carved_with_its_keygrip() -> None:
    """gpg names an agent key file by its keygrip: the carved key's computed keygrip is
    that name."""
    image = (HERE / "fat_agent_key.raw").read_bytes()
    key = AGENT_KEY.read_bytes()
    (base,) = _occurrences(image, key)
    assert not _allocated(HERE / "fat_agent_key.raw", 0, base // 512)
    rows, _, _ = _run(HERE / "fat_agent_key.raw", _open_partitions)
    (row,) = [r for r in rows if r["type"] == "pgp.agent_key"]
    assert row["offset"] == base and row["unallocated"]
    assert row["attributes"]["computed_keygrip"] == AGENT_KEY.stem
    assert row["attributes"]["algorithm"] == "RSA"


def test_agent_keys_are_carved_from_between_other_text_and_bounded() -> None:
    key = AGENT_KEY.read_bytes()
    data = b"\x00" * 1000 + b"shopping: eggs\nnot a field line\n" + key + b"more: x\nplain text\n"
    rows, _ = _scan_bytes(data + b"\x00" * 3000, chunk_size=65536)
    (row,) = [r for r in rows if r["type"] == "pgp.agent_key"]
    assert row["offset"] == data.index(key)
    assert row["attributes"]["computed_keygrip"] == AGENT_KEY.stem
    # A window full of "Key: (" lines is carved a bounded number of times, and quickly.
    hostile = b"Key: (private-key (x))\n" * 50_000
    rows, scanner = _scan_bytes(hostile, chunk_size=1 << 20)
    assert len([r for r in rows if r["type"] == "pgp.agent_key"]) <= 256 * 2


def test_a_carved_agent_key_after_slack_keeps_its_header_lines() -> None:
    """Self-audit: a key file at a cluster's start follows zeros, not a newline, so its
    Created: line was cut off and the carved key had no creation time."""
    from triage.extractors.pgp.agentkey import parse_agent_key

    key = AGENT_KEY.read_bytes()
    assert key.startswith(b"Created:")
    expected = parse_agent_key(key)
    rows, _ = _scan_bytes(b"\x00" * 4096 + key + b"\x00" * 4096, chunk_size=65536)
    (row,) = [r for r in rows if r["type"] == "pgp.agent_key"]
    assert row["offset"] == 4096
    assert expected.created is not None
    assert row["attributes"]["created"] == expected.created

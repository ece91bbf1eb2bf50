"""Keybox blobs against gpg's listing of the same home."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.extractors.pgp.oracle import DATA, corpus, list_home
from triage.extractors.pgp.keybox import is_keybox, parse_keybox
from triage.extractors.pgp.openpgp import parse_openpgp


def _fingerprints(kbx: Path) -> list[str]:
    data = kbx.read_bytes()
    assert is_keybox(data)
    box = parse_keybox(data)
    assert not box.warnings
    return [key.primary.fingerprint for _, block in box.keyblocks
            for key in parse_openpgp(block).keys]


def test_keybox_fingerprints_match_gpg(tmp_path: Path) -> None:
    for home in (DATA / "home2/.gnupg", corpus("gnupg/derived/migrations/extended-pkf")):
        copy = tmp_path / home.parent.name
        shutil.copytree(home, copy)
        copy.chmod(0o700)
        listing = list_home(copy)
        assert listing.primaries
        assert sorted(_fingerprints(home / "pubring.kbx")) == sorted(listing.primaries)


def test_truncated_keybox_keeps_earlier_blocks() -> None:
    data = (DATA / "home2/.gnupg/pubring.kbx").read_bytes()
    box = parse_keybox(data[: len(data) - 200])
    assert box.warnings and len(box.keyblocks) == 2
    keys = [k for _, block in box.keyblocks for k in parse_openpgp(block).keys]
    assert keys[0].primary.fingerprint  # first certificate is intact


def _blob_starts(data: bytes) -> list[int]:
    starts, pos = [], 0
    while pos + 5 <= len(data):
        starts.append(pos)
        pos += int.from_bytes(data[pos : pos + 4], "big")
    return starts


@pytest.mark.parametrize(("blob", "length"), [
    (0, 0), (0, 0x7FFFFFFF), (1, 4), (1, 0xFFFFFF00), (1, "+16"), (1, "-16"), (2, "+16"),
])
def test_a_damaged_blob_length_loses_no_other_key(tmp_path: Path, blob: int,
                                                   length: int | str) -> None:
    """The PGP helper's finding: one wrong blob length lost every key after it."""
    kbx = DATA / "home2/.gnupg/pubring.kbx"
    data = bytearray(kbx.read_bytes())
    start = _blob_starts(bytes(data))[blob]
    if isinstance(length, str):
        length = int.from_bytes(data[start : start + 4], "big") + int(length)
    data[start : start + 4] = length.to_bytes(4, "big")
    box = parse_keybox(bytes(data))
    keys = [k.primary.fingerprint for _, block in box.keyblocks
            for k in parse_openpgp(block).keys]
    assert keys == _fingerprints(kbx)
    assert box.warnings

"""Keybox blobs against gpg's listing of the same home."""

from __future__ import annotations

import shutil
from pathlib import Path

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

"""Binary keyrings with damage inside: bytes before them, junk between key blocks, a
packet header or length overwritten. Reading goes on at the next plausible key packet
(bounded) and what was skipped is said; nothing is lost silently. gpg --show-keys on the
undamaged keyring is the oracle for what must still be found."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.extractor_harness import run_extractor
from tests.extractors.pgp.oracle import DATA, show_keys
from triage.extractors.pgp.extractor import PgpExtractor
from triage.extractors.pgp.findings import binary_findings
from triage.extractors.pgp.openpgp import parse_openpgp
from triage.extractors.pgp.packets import iter_packets

PUBRING = DATA / "home1" / "gnupg-classic" / "pubring.gpg"
SECRING = DATA / "home1" / "gnupg-classic" / "secring.gpg"


def _offsets(data: bytes, tag: int) -> list[int]:
    return [p.offset for p, _ in iter_packets(data) if p is not None and p.tag == tag]


def _primaries(findings: list) -> list[str]:
    return [f.attributes["fingerprint"] for f in findings if f.type == "pgp.key"]


def _junk(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize("size", [1, 17, 500, 4000])
def test_bytes_before_a_keyring_are_skipped_with_a_warning(tmp_path: Path, size: int) -> None:
    """17 random bytes in front of a pubring.gpg gave nothing and no warning."""
    data = PUBRING.read_bytes()
    oracle = show_keys(PUBRING, tmp_path / "g").primaries
    junk = _junk(size, size).replace(b"\x98", b"\x00").replace(b"\x99", b"\x00")
    findings, warnings = binary_findings(junk + data)
    assert _primaries(findings) == oracle
    assert any(f"{size} bytes at offset 0 are not OpenPGP packets" in w for w in warnings)
    assert all(f.offset >= size for f in findings)


def test_junk_between_key_blocks(tmp_path: Path) -> None:
    data = PUBRING.read_bytes()
    bob = _offsets(data, 6)[1]
    damaged = data[:bob] + b"\x00" * 300 + data[bob:]
    findings, warnings = binary_findings(damaged)
    assert _primaries(findings) == show_keys(PUBRING, tmp_path / "g").primaries
    assert any("300 bytes at offset" in w and "may have lost packets" in w for w in warnings)


def test_a_length_running_past_the_end_does_not_hide_the_next_key(tmp_path: Path) -> None:
    """Alice's subkey binding claims 40,000 bytes: the framing took the rest of the file
    (Bob's key) for its body."""
    data = bytearray(PUBRING.read_bytes())
    binding = _offsets(bytes(data), 2)[1]
    assert data[binding] == 0x88  # old format, one-byte length: make it a two-byte one
    data[binding : binding + 2] = b"\x89\x9c"
    data.insert(binding + 2, 0x40)
    findings, warnings = binary_findings(bytes(data))
    assert _primaries(findings) == show_keys(PUBRING, tmp_path / "g").primaries
    assert any("not OpenPGP packets" in w for w in warnings)


def test_a_damaged_subkey_header_is_warned_about(tmp_path: Path) -> None:
    """The subkey packet's tag overwritten (14 -> 63): gpg refuses the whole keyring; its
    subkey used to vanish without a word."""
    data = bytearray(PUBRING.read_bytes())
    subkey = _offsets(bytes(data), 14)[0]
    data[subkey] = 0xC0 | 63
    data.insert(subkey + 1, data[subkey + 1])  # new-format one-byte length, same value
    del data[subkey + 2]
    content = parse_openpgp(bytes(data))
    oracle = show_keys(PUBRING, tmp_path / "g").primaries
    assert [k.primary.fingerprint for k in content.keys] == oracle
    assert content.keys[0].subkeys == []
    assert any(f"unknown tag 63 at offset {subkey}" in w for w in content.warnings)


@pytest.mark.parametrize("tag", [13, 2])
def test_an_open_length_on_a_key_block_packet_is_damage(tmp_path: Path, tag: int) -> None:
    """The PGP helper's finding: one bit flipped in a user ID's (or signature's) header
    made its length indeterminate, and the rest of the keyring was taken for its body
    without a word; gpg says "indeterminate length for invalid packet type 13"."""
    data = bytearray(PUBRING.read_bytes())
    offset = _offsets(bytes(data), tag)[0]
    assert data[offset] & 0xC0 == 0x80  # old format: length type 3 is indeterminate
    data[offset] |= 0x03
    content = parse_openpgp(bytes(data))
    assert [k.primary.fingerprint for k in content.keys] == show_keys(
        PUBRING, tmp_path / "g").primaries
    assert any(f"indeterminate length for packet type {tag} at offset {offset}" in w
               for w in content.warnings)


def test_the_extractor_records_the_skip(tmp_path: Path) -> None:
    (tmp_path / "backup.gpg").write_bytes(_junk(17, 1).replace(b"\x99", b"") + SECRING.read_bytes())
    result = run_extractor(PgpExtractor(), tmp_path)
    secret = show_keys(SECRING, tmp_path / "g").primaries
    assert _primaries([f for _, f in result.findings]) == secret
    assert any("not OpenPGP packets" in message for message, _ in result.warnings)


def test_random_bytes_give_no_key() -> None:
    for seed in range(20):
        findings, _ = binary_findings(_junk(64 * 1024, seed))
        assert _primaries(findings) == []

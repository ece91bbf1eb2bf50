"""Binary files cut short inside their first packet: one warning, never a made-up key."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from tests.extractor_harness import run_extractor
from tests.extractors.pgp.oracle import DATA, gpg_available, show_key_views, stop_agent
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.extractor import PgpExtractor
from triage.extractors.pgp.findings import binary_findings, cut_first_packet
from triage.extractors.pgp.openpgp import parse_openpgp
from triage.extractors.pgp.packets import fixed_length_header


def _bob_public() -> bytes:
    """Bob's RSA-2048 public key block (make_samples.sh), as gpg exported it."""
    data = (DATA / "home1/gnupg-classic/pubring.gpg").read_bytes()
    keys = parse_openpgp(data).keys
    bob = next(k for k in keys if k.primary.algorithm == "RSA")
    following = [k.offset for k in keys if k.offset > bob.offset]
    return data[bob.offset : min(following, default=len(data))]


def _gpg_lists_packets(path: Path, home: Path) -> str:
    gpg_available()
    home.mkdir(mode=0o700, exist_ok=True)
    result = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--list-packets", str(path)],
                            capture_output=True, text=True, timeout=60, check=False)
    stop_agent(home)
    return result.stdout


def test_keyring_cut_inside_its_first_packet_warns_once(tmp_path: Path) -> None:
    """Found by an audit: 'head -c 150 rsa.gpg > backup.gpg' gave neither a finding nor a
    warning, while a keyring cut after its first packet gave a warning."""
    root = tmp_path / "disk"
    root.mkdir()
    whole = _bob_public()
    assert whole[0] == 0x99 and len(whole) > 400  # old-format header, 2-byte length
    (root / "backup.gpg").write_bytes(whole[:150])
    # A key packet whose header claims 4 GiB (new format, 5-byte length), then 200 bytes.
    (root / "huge.pgp").write_bytes(b"\xc6\xff\xff\xff\xff\xff" + whole[3:203])
    # gpg cannot read a key from either.
    assert show_key_views(root / "backup.gpg", tmp_path / "g1") == {}
    assert ":public key packet:" not in _gpg_lists_packets(root / "huge.pgp", tmp_path / "g2")
    result = run_extractor(PgpExtractor(), root)
    assert result.findings == []
    by_path: dict[str | None, list[str]] = {}
    for message, path in result.warnings:
        by_path.setdefault(path, []).append(message)
    declared = int.from_bytes(whole[1:3], "big")
    assert by_path == {
        "/backup.gpg": [f"pgp: truncated file: its first packet (public key, tag 6) declares "
                        f"{declared} bytes but only 147 follow the header; nothing could be read"],
        "/huge.pgp": ["pgp: truncated file: its first packet (public key, tag 6) declares "
                      "4294967295 bytes but only 200 follow the header; nothing could be read"],
    }


def test_cut_public_key_packet_gets_no_fingerprint() -> None:
    # A fingerprint over part of a v4 public key would name a key that does not exist.
    whole = _bob_public()
    content = parse_openpgp(whole[:150])
    assert content.keys == []
    assert any("cut short" in w for w in content.warnings)


def test_secret_key_cut_inside_its_secret_part_still_names_its_key() -> None:
    data = next(find_armored((DATA / "bob-secret.asc").read_bytes())).data
    (whole,) = parse_openpgp(data).keys
    public_size = len(whole.primary.public_body)
    findings, warnings = binary_findings(data[: public_size + 40])
    (finding,) = findings
    assert finding.attributes["fingerprint"] == whole.primary.fingerprint
    assert warnings == ["packet (tag 5) at offset 0 is truncated"]


@pytest.mark.parametrize("name", ["alice-secret.asc", "bob-secret.asc", "order.txt.sig.asc"])
def test_every_cut_of_a_first_packet_is_reported(name: str) -> None:
    data = next(find_armored((DATA / name).read_bytes())).data
    header = fixed_length_header(data)
    assert header is not None
    _, header_size, declared = header
    # From the first field after the algorithm on, a cut is told apart from random bytes.
    for cut in range(header_size + 16, header_size + declared):
        _, warnings = binary_findings(data[:cut])
        assert warnings, cut


def test_random_binary_files_give_no_truncation_warning() -> None:
    rng = random.Random(20240501)
    for _ in range(3000):
        data = rng.randbytes(512)
        assert cut_first_packet(data) is None, data[:16].hex()
        assert not [w for w in binary_findings(data)[1] if w.startswith("truncated file")]


def test_random_bytes_behind_key_like_headers_rarely_pass() -> None:
    rng = random.Random(7)
    headers = [b"\x99", b"\x98", b"\x95", b"\x89", b"\xc6", b"\xc5", b"\xc2", b"\xb9"]
    passed = sum(cut_first_packet(rng.choice(headers) + rng.randbytes(300)) is not None
                 for _ in range(20_000))
    assert passed <= 5

"""A file holding only a key revocation signature is reported as a revocation certificate
(with its reason and issuer; whether it was ever published, the file cannot tell)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.extractors.pgp.oracle import corpus, list_packets, show_key_views
from triage.extractors.pgp.findings import binary_findings, scan_armored

PGPY = "PGPy/tests/testdata"


def _findings(path: Path) -> list:
    data = path.read_bytes()
    return list(scan_armored(data)) or binary_findings(data)[0]


@pytest.mark.parametrize("name", ["rsa", "dsa", "ecc"])
def test_revocation_certificate_matches_gpg(name: str, tmp_path: Path) -> None:
    path = corpus(f"{PGPY}/revocations/{name}.1.revoc.asc")
    packets = list_packets(path, tmp_path / "home")
    assert "sigclass 0x20" in packets
    issuer = re.search(r"issuer fpr v4 ([0-9A-F]{40})", packets)
    reason = re.search(r"revocation reason 0x([0-9a-f]{2})", packets)
    assert issuer and reason, "gpg did not list the revocation: the oracle failed"
    (finding,) = _findings(path)
    attributes = finding.attributes
    assert finding.type == "pgp.key"
    assert attributes["kind"] == "revocation certificate"
    # Found by an audit: gpg writes an unused certificate for every key it makes, so a
    # certificate alone does not make the key revoked.
    assert attributes["revoked"] is None
    assert attributes["revocation_reason_code"] == int(reason.group(1), 16) == 2
    assert attributes["revocation_reason"] == "key material has been compromised"
    assert attributes["issuer_fingerprint"] == attributes["fingerprint"] == issuer.group(1)
    assert attributes["key_id"] == issuer.group(1)[-16:]
    # It names the key the same PGPy corpus holds, so the two link by fingerprint.
    key_views = show_key_views(corpus(f"{PGPY}/keys/{name}.1.pub.asc"), tmp_path / "home2")
    assert attributes["fingerprint"] in key_views


def test_revocation_naming_only_a_key_id_keeps_reason_text(tmp_path: Path) -> None:
    path = corpus(f"{PGPY}/packets/02.v4.0x20.signature")
    packets = list_packets(path, tmp_path / "home")
    match = re.search(r"revocation reason 0x03 \((.*)\)\)$", packets, re.MULTILINE)
    assert match and "issuer key ID 20CAE9AFFA7B80B3" in packets
    (finding,) = _findings(path)
    attributes = finding.attributes
    assert finding.type == "pgp.key" and attributes["kind"] == "revocation certificate"
    assert attributes["fingerprint"] is None and attributes["issuer_fingerprint"] is None
    assert attributes["key_id"] == attributes["issuer_key_id"] == "20CAE9AFFA7B80B3"
    assert attributes["revoked"] is None
    assert attributes["revocation_reason_code"] == 3
    assert attributes["revocation_comment"] == match.group(1)
    assert attributes["revoked_at"] == "2004-12-09T08:31:54Z"


def test_revoked_key_carries_its_reason(tmp_path: Path) -> None:
    path = corpus(f"{PGPY}/blocks/revochiio.asc")
    packets = list_packets(path, tmp_path / "home")
    assert "sigclass 0x20" in packets and "revocation reason 0x00 (test key revocation)" in packets
    (finding,) = [f for f in _findings(path) if f.type == "pgp.key"]
    attributes = finding.attributes
    assert attributes["kind"] == "key" and attributes["revoked"] is True
    assert attributes["revocation_reason_code"] == 0
    assert attributes["revocation_comment"] == "test key revocation"

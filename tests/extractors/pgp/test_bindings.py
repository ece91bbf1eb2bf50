"""User IDs, subkeys and revocations count only when the key itself signed them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.extractors.pgp.oracle import DATA, corpus, show_key_views
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.findings import binary_findings, scan_armored
from triage.extractors.pgp.openpgp import parse_openpgp
from triage.extractors.pgp.packets import read_packets

STRANGER_FPR = "0123456789ABCDEF0123456789ABCDEF01234567"


def _packet(tag: int, body: bytes) -> bytes:
    """A new-format packet (bodies here stay under 8384 bytes)."""
    if len(body) < 192:
        return bytes([0xC0 | tag, len(body)]) + body
    size = len(body) - 192
    return bytes([0xC0 | tag, (size >> 8) + 192, size & 0xFF]) + body


def _subpacket(kind: int, value: bytes) -> bytes:
    return bytes([len(value) + 1, kind]) + value


def _signature(sig_type: int, issuer_fpr: str, hashed: bytes = b"", hash_algo: int = 8,
               created: int = 1_600_000_000) -> bytes:
    """A v4 signature packet naming ``issuer_fpr``; its (dummy) MPI is never verified."""
    issuer = bytes.fromhex(issuer_fpr)
    hashed = _subpacket(2, created.to_bytes(4, "big")) + _subpacket(33, b"\x04" + issuer) + hashed
    unhashed = _subpacket(16, issuer[-8:])
    body = (bytes([4, sig_type, 22, hash_algo]) + len(hashed).to_bytes(2, "big") + hashed
            + len(unhashed).to_bytes(2, "big") + unhashed + b"\x00\x00\x00\x08\xff")
    return _packet(2, body)


def _alice() -> tuple[bytes, str]:
    data = next(find_armored((DATA / "alice-secret.asc").read_bytes())).data
    (key,) = parse_openpgp(data).keys
    assert key.primary.fingerprint
    return data, key.primary.fingerprint


def test_user_id_signed_by_someone_else_is_not_bound() -> None:
    data, alice = _alice()
    forged = (data + _packet(13, b"Mallory <mallory@example.net>")
              + _signature(0x13, STRANGER_FPR))
    (key,) = parse_openpgp(forged).keys
    attributes = key.attributes("binary_keyring")
    assert attributes["user_ids"] == ["Alice Vendor <alice@example.org>"]
    assert attributes["emails"] == ["alice@example.org"]
    assert attributes["unbound_user_ids"] == ["Mallory <mallory@example.net>"]
    assert attributes["self_certified"] is True
    # The same user ID with the key's own certification is bound.
    owned = data + _packet(13, b"Alice Two <a2@example.org>") + _signature(0x13, alice)
    (key,) = parse_openpgp(owned).keys
    assert key.attributes("binary_keyring")["user_ids"][-1] == "Alice Two <a2@example.org>"


def test_md5_self_certification_on_v4_key_is_not_bound() -> None:
    data, alice = _alice()
    (key,) = parse_openpgp(data + _packet(13, b"Old <old@example.org>")
                           + _signature(0x13, alice, hash_algo=1)).keys
    assert key.attributes("binary_keyring")["unbound_user_ids"] == ["Old <old@example.org>"]


def test_revocation_counts_only_from_the_key_or_its_designated_revoker() -> None:
    data, alice = _alice()
    (key,) = parse_openpgp(_insert_after_primary(data, _signature(0x20, STRANGER_FPR))).keys
    assert key.revoked is False
    (key,) = parse_openpgp(_insert_after_primary(data, _signature(0x20, alice))).keys
    assert key.revoked is True
    # A revoker named in the key's own direct-key signature may revoke it; that signature
    # may come after the revocation.
    designate = _signature(0x1F, alice, _subpacket(12, b"\x80\x01" + bytes.fromhex(STRANGER_FPR)))
    (key,) = parse_openpgp(_insert_after_primary(
        data, _signature(0x20, STRANGER_FPR) + designate)).keys
    assert key.revoked is True
    assert key.attributes("binary_keyring")["designated_revokers"] == [STRANGER_FPR]


def test_user_id_and_subkey_revocations_count_only_from_the_key_itself() -> None:
    data, alice = _alice()
    (plain,) = parse_openpgp(data).keys
    uid = plain.user_ids[0]
    subkey = plain.subkeys[0].fingerprint
    uid_end = read_packets(data).packets[2].offset  # right after the user ID packet
    later = 1_900_000_000

    def revoked(uid_sigs: bytes, subkey_sigs: bytes = b"") -> tuple[list, list]:
        (key,) = parse_openpgp(data[:uid_end] + uid_sigs + data[uid_end:] + subkey_sigs).keys
        attributes = key.attributes("binary_keyring")
        assert attributes["user_ids"] == [uid] and attributes["subkeys"] == [subkey]
        return attributes["revoked_user_ids"], attributes["revoked_subkeys"]

    assert revoked(b"") == ([], [])
    assert revoked(_signature(0x30, alice, created=later),
                   _signature(0x28, alice, created=later)) == ([uid], [subkey])
    # Someone else's revocation, or an MD5 one (gpg rejects it), changes nothing.
    assert revoked(_signature(0x30, STRANGER_FPR, created=later),
                   _signature(0x28, STRANGER_FPR, created=later)) == ([], [])
    assert revoked(_signature(0x30, alice, hash_algo=1, created=later),
                   _signature(0x28, alice, hash_algo=1, created=later)) == ([], [])
    # A newer self-certification makes a revoked user ID valid again, an older one does not;
    # a subkey stays revoked whatever binding follows (gpg's rules).
    recertified = _signature(0x30, alice, created=later) + _signature(0x13, alice, created=later + 1)
    assert revoked(recertified, _signature(0x28, alice, created=later)
                   + _signature(0x18, alice, created=later + 1)) == ([], [subkey])
    assert revoked(_signature(0x13, alice, created=later - 1)
                   + _signature(0x30, alice, created=later)) == ([uid], [])


def _insert_after_primary(data: bytes, extra: bytes) -> bytes:
    first = read_packets(data).packets[1].offset
    return data[:first] + extra + data[first:]


def _triage_keys(path: Path) -> dict[str, dict]:
    data = path.read_bytes()
    findings = list(scan_armored(data)) or binary_findings(data)[0]
    return {f.attributes["fingerprint"]: f.attributes for f in findings if f.type == "pgp.key"}


def test_forged_keyring_matches_gpg(tmp_path: Path) -> None:
    path = corpus("gnupg/tests/openpgp/forged-keyring.gpg")
    gpg = show_key_views(path, tmp_path / "home")
    ours = _triage_keys(path)
    fpr = "5B83120DB1E3A65AE5A8DCF6AA43F1DCC7FED1B7"
    assert gpg[fpr].validity == "i" and gpg[fpr].user_ids == [] and gpg[fpr].subkeys == []
    key = ours[fpr]
    assert key["user_ids"] == [] and key["emails"] == [] and key["subkeys"] == []
    assert key["self_certified"] is False
    assert key["unbound_user_ids"] == ["Echo Test (demo key) <echo@example.net>",
                                       "Eve (demo key)", "Echelon (demo key)"]
    assert len(key["unbound_subkeys"]) == 1


def test_gnupg_pubring_user_ids_match_gpg(tmp_path: Path) -> None:
    # Six RSA-1023 keys here carry only MD5 self-signatures, which gpg rejects.
    path = corpus("gnupg/tests/openpgp/pubring.asc")
    gpg = show_key_views(path, tmp_path / "home")
    ours = _triage_keys(path)
    invalid = [fpr for fpr, view in gpg.items() if view.validity == "i"]
    assert len(invalid) == 6
    for fpr, view in gpg.items():
        assert sorted(ours[fpr]["user_ids"]) == sorted(view.user_ids), fpr
        assert sorted(ours[fpr]["subkeys"]) == sorted(view.subkeys), fpr
        assert ours[fpr]["self_certified"] is (view.validity != "i"), fpr
    assert all(ours[fpr]["unbound_user_ids"] == ["Harry A. (RSA test key) <hh@@ddorf.de>"]
               for fpr in invalid)


@pytest.mark.parametrize("name", ["carol.asc", "carol-secret.asc"])
def test_revoked_user_ids_and_subkeys_match_gpg(name: str, tmp_path: Path) -> None:
    """Found by an audit: revoked user IDs and subkeys were listed as valid, unflagged."""
    path = DATA / name
    gpg = show_key_views(path, tmp_path / "home")
    (fpr,) = gpg
    key = _triage_keys(path)[fpr]
    assert gpg[fpr].validity != "r"  # else gpg shows every part revoked
    assert key["user_ids"] == gpg[fpr].user_ids and key["subkeys"] == gpg[fpr].subkeys
    # make_revocations.sh: 'Carol Old' revoked, 'Carol Back' revoked and certified again.
    assert key["revoked_user_ids"] == gpg[fpr].revoked_user_ids == ["Carol Old <carol@old.example>"]
    assert key["revoked_subkeys"] == gpg[fpr].revoked_subkeys and len(key["revoked_subkeys"]) == 1
    if name == "carol-secret.asc":
        assert set(key["revoked_subkeys"]) <= set(key["secret_keys"])

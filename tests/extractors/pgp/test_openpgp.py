"""Fingerprints and keygrips from the packet reader against `gpg --show-keys`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.extractors.pgp.oracle import CORPUS, DATA, corpus, show_key_views, show_keys
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.keygrip import openpgp_keygrip
from triage.extractors.pgp.openpgp import PgpKey, parse_openpgp

SAMPLEKEYS = "gnupg/tests/openpgp/samplekeys"
#: Corpus files gpg 2.2 lists fully (v5, post-quantum and signature-less keys it cannot).
GNUPG_FILES = [
    "ecc-sample-1-pub.asc", "ecc-sample-2-sec.asc", "ecc-sample-3-pub.asc",
    "eddsa-sample-1-sec.asc", "ed25519-cv25519-sample-1.asc", "rsa-rsa-sample-1.asc",
    "E657FB607BB4F21C90BB6651BC067AF28BC90111.asc", "whats-new-in-2.1.asc",
    "silent-running.asc", "dda252ebb8ebe1af-1.asc", "issue2346.gpg",
    "authenticate-only.sec.asc", "e2e-p256-1-prt.asc",
]
PGPY_FILES = ["rsa.1.pub.asc", "rsa.1.enc.asc", "dsa.1.sec.asc", "ecc.1.pub.asc",
              "ecc.2.sec.asc", "mixed.1.pub.asc", "targette.pub.rsa.asc"]


def _keys(path: Path) -> list[PgpKey]:
    data = path.read_bytes()
    blocks = list(find_armored(data))
    keys: list[PgpKey] = []
    for raw in [block.data for block in blocks] if blocks else [data]:
        keys.extend(parse_openpgp(raw).keys)
    return keys


def _check_against_gpg(path: Path, tmp_path: Path) -> None:
    listing = show_keys(path, tmp_path / "gnupghome")
    assert listing.primaries, "gpg listed nothing: the oracle failed"
    keys = _keys(path)
    ours = {k.primary.fingerprint: k for k in keys}
    assert set(listing.primaries) <= set(ours)
    # gpg 2.2 silently drops v3 keys; ours carry the RFC 4880 MD5 fingerprint.
    assert all(ours[fpr].primary.version == 3 for fpr in set(ours) - set(listing.primaries))
    grips = {sub.fingerprint: openpgp_keygrip(sub.algorithm_id, sub.curve, sub.params)
             for key in keys for sub in key.all_keys()}
    # Every key and subkey gpg lists (it drops subkeys without binding signatures) is ours,
    # with the same keygrip.
    assert {fpr: grips.get(fpr) for fpr in listing.grips} == listing.grips
    sizes = {sub.fingerprint: sub.bits for key in keys for sub in key.all_keys()}
    assert {fpr: sizes.get(fpr) for fpr in listing.bits} == listing.bits


@pytest.mark.parametrize("name", GNUPG_FILES)
def test_gnupg_samplekeys_match_gpg(name: str, tmp_path: Path) -> None:
    _check_against_gpg(corpus(f"{SAMPLEKEYS}/{name}"), tmp_path)


@pytest.mark.parametrize("name", PGPY_FILES)
def test_pgpy_keys_match_gpg(name: str, tmp_path: Path) -> None:
    _check_against_gpg(corpus(f"PGPy/tests/testdata/keys/{name}"), tmp_path)


@pytest.mark.parametrize("name", ["alice-secret.asc", "bob-secret.asc",
                                  "home1/gnupg-classic/pubring.gpg"])
def test_own_samples_match_gpg(name: str, tmp_path: Path) -> None:
    _check_against_gpg(DATA / name, tmp_path)


def test_migration_keyrings_match_gpg(tmp_path: Path) -> None:
    for home in ("from-classic", "issue2276"):
        _check_against_gpg(corpus(f"gnupg/derived/migrations/{home}/pubring.gpg"), tmp_path)


def test_secret_protection_from_s2k_usage() -> None:
    alice = parse_openpgp(next(find_armored((DATA / "alice-secret.asc").read_bytes())).data)
    bob = parse_openpgp(next(find_armored((DATA / "bob-secret.asc").read_bytes())).data)
    assert [k.secret_protected() for k in alice.keys] == [False]
    assert [k.secret_protected() for k in bob.keys] == [True]
    assert all(len(k.secret_keys()) == 2 for k in alice.keys + bob.keys)


def test_user_ids_expiry_and_algorithms() -> None:
    (alice,) = parse_openpgp(next(find_armored((DATA / "alice-secret.asc").read_bytes())).data).keys
    attributes = alice.attributes("armored")
    assert attributes["user_ids"] == ["Alice Vendor <alice@example.org>"]
    assert attributes["emails"] == ["alice@example.org"]
    assert attributes["algorithm"] == "EdDSA" and attributes["curve"] == "ed25519"
    # make_samples.sh gives Alice a 2-year expiry and Bob none.
    assert attributes["expires"] > attributes["created"]
    (bob,) = parse_openpgp(next(find_armored((DATA / "bob-secret.asc").read_bytes())).data).keys
    assert bob.attributes("armored")["expires"] is None
    assert bob.attributes("armored")["bits"] == 2048


def test_v5_key_gets_sha256_fingerprint() -> None:
    # The file name/README of GnuPG's v5 sample states the v5 fingerprint.
    keys = _keys(corpus(f"{SAMPLEKEYS}/v5-sample-1-pub.asc"))
    assert keys[0].primary.version == 5
    assert keys[0].primary.fingerprint == (
        "19347BC9872464025F99DF3EC2E0000ED9884892E1F7B3EA4C94009159569B54")
    assert keys[0].primary.key_id == "19347BC987246402"


def test_post_quantum_keys_still_give_fingerprints() -> None:
    for number in range(1, 6):
        path = corpus(f"{SAMPLEKEYS}/pqc-sample-{number}.key.asc")
        keys = _keys(path)
        assert keys and all(k.primary.fingerprint for k in keys)
        # Keygrips of the classic primary keys name files in GnuPG's privkeys folder.
        grip = openpgp_keygrip(keys[0].primary.algorithm_id, keys[0].primary.curve,
                               keys[0].primary.params)
        if grip:
            privkeys = CORPUS / "gnupg/tests/openpgp/privkeys"
            assert (privkeys / f"{grip}.key").exists() or (privkeys / f"{grip}.asc").exists()


#: Files whose key expiry gpg shows, own (make_*.sh) and from the corpus.
EXPIRY_FILES = [
    (DATA, "carol.asc"), (DATA, "alice-secret.asc"), (DATA, "bob-secret.asc"),
    (None, "PGPy/tests/testdata/blocks/revochiio.asc"),
    (None, "gnupg/tests/openpgp/pubring.asc"),
]


@pytest.mark.parametrize(("base", "name"), EXPIRY_FILES)
def test_expiry_matches_gpg(base: Path | None, name: str, tmp_path: Path) -> None:
    path = base / name if base else corpus(name)
    gpg = show_key_views(path, tmp_path / "home")
    assert gpg, "gpg listed nothing: the oracle failed"
    ours = {key.primary.fingerprint: key.attributes("armored") for key in _keys(path)}
    for fpr, view in gpg.items():
        assert ours[fpr]["expires"] == view.expires, fpr


def test_direct_key_signature_without_expiry_keeps_user_id_expiry() -> None:
    """Found by an audit: a later direct-key signature (here naming a designated revoker,
    as gpg's addrevoker makes it) without subpacket 9 wiped out the key's expiry."""
    (carol,) = _keys(DATA / "carol.asc")
    assert carol._direct_sig is not None and carol._direct_sig.key_expires_after is None
    assert carol.attributes("armored")["expires"] is not None
    (revochiio,) = _keys(corpus("PGPy/tests/testdata/blocks/revochiio.asc"))
    assert revochiio.attributes("armored")["expires"] == "2018-09-12T01:00:59Z"


def test_md5_self_signatures_give_no_expiry() -> None:
    """Found by an audit: six keys in GnuPG's test keyring carry only MD5 self-signatures,
    which gpg rejects (no user IDs, no expiry), yet their expiry was read from them."""
    keys = {key.primary.fingerprint: key for key in _keys(corpus("gnupg/tests/openpgp/pubring.asc"))}
    key = keys["8BB030C168F1AD6325FC053E9E9C10A0CED854FF"]
    assert key.attributes("armored")["user_ids"] == []
    assert key.attributes("armored")["expires"] is None


def test_self_signature_without_issuer_sets_no_expiry() -> None:
    # gpg takes a signature naming no issuer for no one's self-signature.
    from tests.extractors.pgp.test_bindings import _alice, _packet, _subpacket

    data, _ = _alice()
    hashed = (_subpacket(2, (1_900_000_000).to_bytes(4, "big"))
              + _subpacket(9, (86_400).to_bytes(4, "big")))
    body = (bytes([4, 0x13, 22, 8]) + len(hashed).to_bytes(2, "big") + hashed
            + b"\x00\x00" + b"\x00\x00\x00\x08\xff")
    (before,) = parse_openpgp(data).keys
    (after,) = parse_openpgp(data + _packet(13, b"Anon <anon@example.org>") + _packet(2, body)).keys
    assert after.attributes("armored")["expires"] == before.attributes("armored")["expires"]


def test_revocation_flag() -> None:
    keys = _keys(corpus("PGPy/tests/testdata/blocks/revochiio.asc"))
    assert any(key.revoked for key in keys)


def test_tiny_partial_body_chunks_stop_framing_at_once() -> None:
    """Found by fuzzing: a literal packet split into 1-byte partial chunks took ~2 s per
    MiB and 48 times its size in memory; no OpenPGP writer makes chunks under 512 bytes."""
    from triage.extractors.pgp.packets import read_packets

    stream = read_packets(b"\xcb" + b"\xe0A" * 100_000 + b"\x01A")
    assert stream.packets == []
    assert stream.warnings == ["partial body chunk of 1 bytes in the packet at offset 0:"
                               " not OpenPGP framing; stopping"]
    # Chunks of 512 bytes and more frame as before.
    body = b"x" * 1024 + b"tail"
    framed = read_packets(b"\xcb" + b"\xe9" + body[:512] + b"\xe9" + body[512:1024] + b"\x04"
                          + body[1024:])
    assert [p.body for p in framed.packets] == [body] and framed.warnings == []


def _new_format_packet(tag: int, body: bytes) -> bytes:
    return bytes([0xC0 | tag, 0xFF]) + len(body).to_bytes(4, "big") + body


def test_a_compression_bomb_inflates_to_a_bounded_total(monkeypatch) -> None:
    """The PGP helper's finding: a compressed packet holding thousands of compressed
    packets, each inflating to the per-packet cap, kept a scan busy for many minutes."""
    import bz2

    from triage.extractors.pgp import openpgp

    inflated: list[int] = []
    real = openpgp._inflate

    def counting(body: bytes, *rest: int) -> bytes | None:
        out = real(body, *rest)
        inflated.append(len(out or b""))
        return out

    monkeypatch.setattr(openpgp, "_inflate", counting)
    zeros = _new_format_packet(8, b"\x03" + bz2.compress(b"\x00" * openpgp.MAX_INFLATE))
    bomb = _new_format_packet(8, b"\x03" + bz2.compress(zeros * 40))
    content = parse_openpgp(bomb)
    assert content.message is not None
    assert sum(inflated) <= openpgp.MAX_INFLATE + openpgp.KEYRING_SNIFF  # and a keyring?
    assert any("compression bomb" in warning for warning in content.warnings)


def test_a_compressed_keyring_is_read_as_gpg_reads_it(tmp_path: Path) -> None:
    """The PGP helper's finding: a keyring inside a compressed packet was reported as a
    message whose "signers" were the keys' own self-signatures, and no key."""
    import zlib

    pubring = DATA / "home1" / "gnupg-classic" / "pubring.gpg"
    compressed = tmp_path / "backup.gpg"
    compressed.write_bytes(
        _new_format_packet(8, b"\x02" + zlib.compress(pubring.read_bytes())))
    listing = show_keys(compressed, tmp_path / "gnupghome")
    assert listing.primaries, "gpg listed nothing: the oracle failed"
    content = parse_openpgp(compressed.read_bytes())
    assert content.message is None
    assert [key.primary.fingerprint for key in content.keys] == listing.primaries
    assert {key.offset for key in content.keys} == {0}
    # A compressed message (literal data inside) stays a message.
    literal = _new_format_packet(11, b"b\x00\x00\x00\x00\x00hello")
    message = parse_openpgp(_new_format_packet(8, b"\x02" + zlib.compress(literal)))
    assert message.message is not None and message.keys == []


def test_user_ids_that_differ_only_in_bytes_that_are_not_utf8_stay_apart(tmp_path: Path) -> None:
    """The PGP helper's finding: "Ren\\xe9" and "Ren\\xe8" both read as "Ren\\ufffd", so
    the revocation of one was taken for both; then the audit's: both were still shown
    alike, so the report read as if the one user ID were revoked."""
    path = DATA / "latin1-uids.gpg"
    (view,) = show_key_views(path, tmp_path / "gnupghome").values()
    (key,) = parse_openpgp(path.read_bytes()).keys
    attributes = key.attributes("binary")
    assert attributes["user_ids"] == view.user_ids == ["Ren\\xe9 <r@x.org>", "Ren\\xe8 <r@x.org>"]
    assert attributes["revoked_user_ids"] == view.revoked_user_ids == ["Ren\\xe8 <r@x.org>"]
    assert attributes["emails"] == ["r@x.org"]

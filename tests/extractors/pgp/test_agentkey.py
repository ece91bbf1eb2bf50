"""private-keys-v1.d files: both formats, kinds, keygrips equal to GnuPG's file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.extractors.pgp.oracle import DATA, corpus
from triage.extractors.pgp.agentkey import parse_agent_key
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.sexp import SexpError, parse_sexp


def _key_files(folder: Path) -> list[tuple[str, bytes]]:
    out = []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if path.suffix == ".asc":
            data = next(find_armored(data)).data  # 'PGP ARMORED FILE' wrapper
        out.append((path.name.split(".")[0], data))
    return out


def test_gnupg_privkeys_keygrip_is_file_name() -> None:
    # Found by an audit: brainpool, X448 and Kyber files had no computed keygrip.
    files = _key_files(corpus("gnupg/tests/openpgp/privkeys"))
    kinds = set()
    for name, data in files:
        key = parse_agent_key(data)
        assert key.kind in ("private", "protected", "shadowed"), name
        assert key.keygrip == name, (name, key.algorithm, key.curve)
        kinds.add(key.curve or key.algorithm)
    assert len(files) >= 40
    assert {"brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1", "X448", "Kyber"} <= kinds
    kyber = [parse_agent_key(data) for _, data in files if b"kyber" in data[:200]]
    assert {(k.algorithm, k.bits) for k in kyber} == {("Kyber", 768), ("Kyber", 1024)}


def test_own_curve_home_keygrips_are_file_names() -> None:
    # make_curve_home.sh: brainpoolP256r1/P384r1/P512r1 and secp256k1, as gpg 2.2 makes them.
    curves = set()
    for name, data in _key_files(DATA / "home3/.gnupg/private-keys-v1.d"):
        key = parse_agent_key(data)
        assert key.keygrip == name, key.curve
        curves.add(key.curve)
    assert curves == {"brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1", "secp256k1"}


def test_own_home_extended_format() -> None:
    folder = DATA / "home2/.gnupg/private-keys-v1.d"
    kinds = {}
    for name, data in _key_files(folder):
        key = parse_agent_key(data)
        assert key.file_format == "extended" and key.keygrip == name and key.created
        kinds[key.algorithm] = kinds.get(key.algorithm, set()) | {key.kind}
    assert kinds == {"RSA": {"protected"}, "ECC": {"private"}}


def test_both_formats_in_migrated_home() -> None:
    folder = corpus("gnupg/derived/migrations/extended-pkf/private-keys-v1.d")
    formats = set()
    for name, data in _key_files(folder):
        key = parse_agent_key(data)
        assert key.keygrip == name and key.kind == "private"
        formats.add(key.file_format)
    assert formats == {"sexp", "extended"}


def test_sexp_advanced_and_canonical_agree() -> None:
    canonical = b"(11:private-key(3:ecc(5:curve7:Ed25519)(1:q3:\x01\x02\x03)))"
    advanced = b'(private-key (ecc (curve "Ed25519") (q #010203#)))'
    assert parse_sexp(canonical) == parse_sexp(advanced)
    assert parse_sexp(b"(a |AQID|)") == [b"a", b"\x01\x02\x03"]


@pytest.mark.parametrize("bad", [b"(", b"(3:ab", b"(#zz#)", b"((((((" * 50, b"no",
                                 b"(11:private-key(3:rsa(1:n" + b"9" * 5000 + b":x)))"])
def test_sexp_errors_are_sexp_errors(bad: bytes) -> None:
    with pytest.raises(SexpError):
        parse_sexp(bad)
    assert parse_agent_key(bad).warnings

"""Onion-service folders: the hostname checked against the keys (tor and openssl as oracles)."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.tor.conftest import DATA, HS_TUTORIAL, corpus_path
from triage.extractors.tor.ed25519_point import public_key_from_scalar
from triage.extractors.tor.onion import v3_address_from_pubkey
from triage.extractors.tor.onion_service import (
    V3_SECRET_HEADER,
    ServiceFiles,
    analyse_service,
    read_v3_secret_scalar,
)


def _files(folder) -> ServiceFiles:
    def read(name):
        path = folder / name
        return path.read_bytes() if path.exists() else None

    return ServiceFiles(
        hostname=read("hostname"),
        public_key=read("hs_ed25519_public_key"),
        secret_key=read("hs_ed25519_secret_key"),
        rsa_private_key=read("private_key"),
    )


def test_tutorial_v3_folder_made_by_tor():
    folder = corpus_path(HS_TUTORIAL)
    attrs = analyse_service(_files(folder)).attributes
    hostname = (folder / "hostname").read_text().strip()
    assert attrs["hostname"] == hostname
    assert attrs["key_address"] == hostname
    assert attrs["version"] == 3 and attrs["has_private_key"] is True
    assert attrs["hostname_matches_key"] is True and attrs["keys_consistent"] is True


def test_our_v3_folder_made_by_tor(expected):
    attrs = analyse_service(_files(DATA / "server/var/lib/tor/market_v3")).attributes
    assert attrs["hostname"] == expected["v3_service_hostname"]
    assert attrs["hostname_matches_key"] is True and attrs["hostname_checksum_valid"] is True


def test_v3_secret_key_alone_still_derives_the_address(expected):
    files = _files(DATA / "server/var/lib/tor/market_v3")
    files.public_key = None
    attrs = analyse_service(files).attributes
    assert attrs["key_address"] == expected["v3_service_hostname"]
    assert attrs["hostname_matches_key"] is True


def test_v2_folder_hostname_from_openssl(expected):
    attrs = analyse_service(_files(DATA / "server/var/lib/tor/legacy_v2")).attributes
    assert attrs["version"] == 2
    assert attrs["hostname"] == attrs["key_address"] == expected["v2_service_hostname"]
    assert attrs["hostname_matches_key"] is True
    assert attrs["hostname_checksum_valid"] is None


def test_planted_hostname_does_not_match(expected):
    files = _files(DATA / "server/var/lib/tor/market_v3")
    files.hostname = b"25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion\n"
    attrs = analyse_service(files).attributes
    assert attrs["hostname_matches_key"] is False


def test_mismatched_key_pair_and_truncated_files():
    v3 = _files(DATA / "server/var/lib/tor/market_v3")
    other = _files(corpus_path(HS_TUTORIAL))
    v3.public_key = other.public_key
    result = analyse_service(v3)
    assert result.attributes["keys_consistent"] is False
    assert any("different keys" in w for w in result.warnings)
    broken = analyse_service(ServiceFiles(hostname=b"", secret_key=b"== ed25519v1-secret: type0 ==",
                                          rsa_private_key=b"-----BEGIN RSA PRIVATE KEY-----\nxx"))
    assert broken.attributes["has_private_key"] is True
    assert broken.attributes["key_address"] is None
    assert len(broken.warnings) >= 2


# -- the private key is checked on its own, not only through the public key ----------------
def _expanded_secret_file(seed: bytes) -> bytes:
    """tor's hs_ed25519_secret_key: header, then SHA-512(seed) with the scalar clamped."""
    digest = bytearray(hashlib.sha512(seed).digest())
    digest[0] &= 248
    digest[31] &= 127
    digest[31] |= 64
    return V3_SECRET_HEADER + b"\x00" * 3 + bytes(digest)


def test_scalar_times_base_point_matches_rfc8032_vector():
    # RFC 8032, section 7.1, TEST 1.
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    public = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    scalar = read_v3_secret_scalar(_expanded_secret_file(seed))
    assert public_key_from_scalar(scalar) == public


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_scalar_times_base_point_matches_the_cryptography_library(seed):
    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    scalar = read_v3_secret_scalar(_expanded_secret_file(seed))
    assert public_key_from_scalar(scalar) == expected


def test_v3_verdicts_per_key_on_the_folder_tor_made(expected):
    attrs = analyse_service(_files(DATA / "server/var/lib/tor/market_v3")).attributes
    assert attrs["hostname"] == expected["v3_service_hostname"]
    assert attrs["hostname_matches_public_key"] is True
    assert attrs["hostname_matches_private_key"] is True
    assert attrs["hostname_matches_key"] is True


def test_v3_secret_key_of_another_service_is_caught(expected):
    files = _files(DATA / "server/var/lib/tor/market_v3")
    files.secret_key = _expanded_secret_file(b"\x01" * 32)
    result = analyse_service(files)
    attrs = result.attributes
    # hostname and public key still agree (tor wrote both); the private key is foreign.
    assert attrs["hostname_matches_public_key"] is True
    assert attrs["hostname_matches_private_key"] is False
    assert attrs["hostname_matches_key"] is False
    assert attrs["keys_consistent"] is False


def test_v3_secret_key_alone_with_matching_hostname():
    seed = bytes(range(32))
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    hostname = v3_address_from_pubkey(public) + ".onion"
    attrs = analyse_service(ServiceFiles(hostname=hostname.encode() + b"\n",
                                         secret_key=_expanded_secret_file(seed))).attributes
    assert attrs["hostname_matches_private_key"] is True
    assert attrs["hostname_matches_public_key"] is None
    assert attrs["hostname_matches_key"] is True


def test_v2_private_key_verdict_and_a_foreign_rsa_key(expected):
    folder = DATA / "server/var/lib/tor/legacy_v2"
    attrs = analyse_service(_files(folder)).attributes
    assert attrs["hostname"] == expected["v2_service_hostname"]
    assert attrs["hostname_matches_private_key"] is True
    assert attrs["hostname_matches_public_key"] is None
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption())
    files = _files(folder)
    files.rsa_private_key = foreign
    attrs = analyse_service(files).attributes
    assert attrs["hostname_matches_private_key"] is False
    assert attrs["hostname_matches_key"] is False


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_v2_address_of_the_folder_key_by_openssl(expected):
    """Oracle: base32(SHA-1(PKCS#1 DER public key)[:10]) computed from openssl's output."""
    key = DATA / "server/var/lib/tor/legacy_v2/private_key"
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-RSAPublicKey_out", "-outform",
                          "DER"], capture_output=True, check=True).stdout
    address = base64.b32encode(hashlib.sha1(der).digest()[:10]).decode().lower() + ".onion"
    attrs = analyse_service(_files(key.parent)).attributes
    assert attrs["key_address"] == address == expected["v2_service_hostname"]
    assert attrs["hostname_matches_private_key"] is True

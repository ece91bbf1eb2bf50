"""Onion-service folders: the hostname checked against the keys (tor and openssl as oracles)."""

from __future__ import annotations

from tests.extractors.tor.conftest import DATA, HS_TUTORIAL, corpus_path
from triage.extractors.tor.onion_service import ServiceFiles, analyse_service


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

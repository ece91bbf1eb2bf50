"""Analyse an onion-service folder (tor's ``HiddenServiceDir``) from its files' bytes.

v3 folders hold ``hostname``, ``hs_ed25519_public_key`` (32-byte header
``== ed25519v1-public: type0 ==`` padded with NULs, then the key) and
``hs_ed25519_secret_key`` (header, then the 64-byte expanded key) and optionally
``authorized_clients/*.auth``. v2 folders hold ``hostname`` and ``private_key`` (PEM RSA)
and optionally ``client_keys``. The hostname is checked against the keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage.extractors.tor.ed25519_point import public_key_from_scalar
from triage.extractors.tor.onion import (
    checksum_valid,
    onion_version,
    strip_onion,
    v2_address_from_rsa_der,
    v3_address_from_pubkey,
)

V3_PUBLIC_HEADER = b"== ed25519v1-public: type0 =="
V3_SECRET_HEADER = b"== ed25519v1-secret: type0 =="
_HEADER_LENGTH = 32
#: File names that make a folder an onion-service folder.
SERVICE_FILES = ("hostname", "hs_ed25519_public_key", "hs_ed25519_secret_key", "private_key")
MAX_KEY_FILE = 64 * 1024


@dataclass
class ServiceFiles:
    """The raw content of the files of one onion-service folder (None when absent)."""

    hostname: bytes | None = None
    public_key: bytes | None = None
    secret_key: bytes | None = None
    rsa_private_key: bytes | None = None
    authorized_clients: list[str] = field(default_factory=list)
    client_keys: bytes | None = None


@dataclass
class OnionService:
    """The verdict on one onion-service folder."""

    attributes: dict[str, Any]
    warnings: list[str]


def read_v3_public_key(data: bytes) -> bytes | None:
    """Return the 32-byte key of an ``hs_ed25519_public_key`` file, or None if malformed."""
    if data.startswith(V3_PUBLIC_HEADER) and len(data) >= _HEADER_LENGTH + 32:
        return data[_HEADER_LENGTH : _HEADER_LENGTH + 32]
    return None


def read_v3_secret_scalar(data: bytes) -> bytes | None:
    """Return the 32-byte scalar of an ``hs_ed25519_secret_key`` file, or None if malformed."""
    if data.startswith(V3_SECRET_HEADER) and len(data) >= _HEADER_LENGTH + 64:
        return data[_HEADER_LENGTH : _HEADER_LENGTH + 32]
    return None


def rsa_public_der_from_pem(pem: bytes) -> bytes | None:
    """Return the PKCS#1 DER public key of a PEM RSA private key, or None if unreadable."""
    # Imported here: loading cryptography's serialisation costs every scan 26 ms at
    # start-up, and few disks hold a v2 onion service key.
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        return None
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )


def _hostname_label(raw: bytes) -> str | None:
    text = raw[:4096].decode("ascii", errors="replace").strip()
    first = text.split()[0] if text.split() else ""
    return strip_onion(first) if first else None


def _compare(hostname: str | None, addresses: list[str]) -> bool | None:
    """Whether ``hostname`` is one of the key-derived ``addresses`` (None: nothing to compare)."""
    if not hostname or not addresses:
        return None
    return hostname in addresses


def analyse_service(files: ServiceFiles) -> OnionService:
    """Derive the service's address from each key and compare it with ``hostname``.

    The public key and the private key (v3 expanded secret key, v2 RSA key) are checked
    separately: a hostname that matches the public key but not the private key means the
    private key in the folder does not belong to that address.
    """
    warnings: list[str] = []
    hostname = _hostname_label(files.hostname) if files.hostname is not None else None
    version: int | None = None
    public_address: str | None = None
    private_addresses: list[str] = []
    public_from_file = None
    if files.public_key is not None:
        public_from_file = read_v3_public_key(files.public_key)
        if public_from_file is None:
            warnings.append("hs_ed25519_public_key is truncated or has an unknown header")
        else:
            version = 3
            public_address = v3_address_from_pubkey(public_from_file)
    secret_matches_public = None
    if files.secret_key is not None:
        scalar = read_v3_secret_scalar(files.secret_key)
        if scalar is None:
            warnings.append("hs_ed25519_secret_key is truncated or has an unknown header")
        else:
            version = 3
            public_from_secret = public_key_from_scalar(scalar)
            private_addresses.append(v3_address_from_pubkey(public_from_secret))
            if public_from_file is not None:
                secret_matches_public = public_from_secret == public_from_file
    if files.rsa_private_key is not None:
        der = rsa_public_der_from_pem(files.rsa_private_key)
        if der is None:
            warnings.append("private_key is not a readable PEM RSA private key")
        else:
            version = version or 2
            private_addresses.append(v2_address_from_rsa_der(der))
    if version is None and hostname:
        version = onion_version(hostname)
    matches_public = _compare(hostname, [public_address] if public_address else [])
    matches_private = _compare(hostname, private_addresses)
    verdicts = [v for v in (matches_public, matches_private) if v is not None]
    matches = all(verdicts) if verdicts else None
    if files.hostname is not None and not hostname:
        warnings.append("hostname file is empty")
    if secret_matches_public is False:
        warnings.append("hs_ed25519_secret_key and hs_ed25519_public_key belong to different keys")
    key_addresses = ([public_address] if public_address else []) + private_addresses
    key_address = key_addresses[0] + ".onion" if key_addresses else None
    attributes: dict[str, Any] = {
        "hostname": hostname + ".onion" if hostname else None,
        "version": version,
        "has_private_key": files.secret_key is not None or files.rsa_private_key is not None,
        "has_public_key": files.public_key is not None,
        "key_address": key_address,
        "hostname_matches_key": matches,
        "hostname_matches_public_key": matches_public,
        "hostname_matches_private_key": matches_private,
        "keys_consistent": secret_matches_public,
        "hostname_checksum_valid": checksum_valid(hostname) if hostname else None,
        "authorized_clients": files.authorized_clients,
        "has_client_keys": files.client_keys is not None,
    }
    return OnionService(attributes, warnings)

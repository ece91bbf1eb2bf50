"""Hash functions the address and key checksums are built on."""

from __future__ import annotations

import hashlib
from typing import Any


def sha256d(data: bytes) -> bytes:
    """Double SHA-256, the checksum of Base58Check."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum and Monero use it (the pre-standard padding, not NIST SHA3-256)."""
    return _pycryptodome_hash("keccak").new(digest_bits=256, data=data).digest()


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of SHA-256: the payload of P2PKH addresses built from a public key."""
    return _pycryptodome_hash("RIPEMD160").new(hashlib.sha256(data).digest()).digest()


def _pycryptodome_hash(name: str) -> Any:
    # Imported on first use: pycryptodome loads cffi and pycparser (50 ms), which every
    # scan would otherwise pay before its workers start, for hashes most images never need.
    from Crypto.Hash import RIPEMD160, keccak

    return {"keccak": keccak, "RIPEMD160": RIPEMD160}[name]

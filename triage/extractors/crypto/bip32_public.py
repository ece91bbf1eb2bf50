"""Addresses a wallet's extended public key leads to (BIP-32 public derivation).

A wallet file that keeps only its master public key (an old or deleted Electrum wallet,
say) still tells which addresses it received on: Electrum derives receiving addresses
as ``xpub/0/i`` and change addresses as ``xpub/1/i``. The address type follows the key's
version bytes (SLIP-132): xpub/tpub P2PKH, ypub/upub P2SH-P2WPKH, zpub/vpub P2WPKH.

Written from BIP-32 ("Public parent key -> public child key"; the curve in secp256k1.py),
BIP-49/BIP-84 (address encodings) and BIP-86/BIP-341 (a key-path-only taproot output);
checked against their published vectors.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from .base58 import b58check_decode, b58check_encode
from .bech32 import segwit_encode
from .hashes import hash160
from .secp256k1 import ORDER, G, add, compress, decompress, multiply

#: Version bytes of extended public keys: (network, address kind).
_VERSIONS = {
    0x0488B21E: ("main", "p2pkh"), 0x049D7CB2: ("main", "p2sh-p2wpkh"),
    0x04B24746: ("main", "p2wpkh"), 0x043587CF: ("test", "p2pkh"),
    0x044A5262: ("test", "p2sh-p2wpkh"), 0x045F1CF6: ("test", "p2wpkh"),
}
_P2PKH_VERSION = {"main": b"\x00", "test": b"\x6f"}
_P2SH_VERSION = {"main": b"\x05", "test": b"\xc4"}
_BECH32_HRP = {"main": "bc", "test": "tb", "regtest": "bcrt"}

@dataclass(frozen=True)
class ExtendedPublicKey:
    """A parsed extended public key: its network, address kind, key and chain code."""

    network: str
    kind: str
    key: bytes
    chain_code: bytes

    def child(self, index: int) -> ExtendedPublicKey | None:
        """CKDpub: the non-hardened child ``index`` (None for the ~2^-127 invalid ones)."""
        if not 0 <= index < 2**31:
            raise ValueError("public derivation has no hardened children")
        digest = hmac.new(self.chain_code, self.key + index.to_bytes(4, "big"),
                          hashlib.sha512).digest()
        tweak = int.from_bytes(digest[:32], "big")
        parent = decompress(self.key)
        if tweak >= ORDER or parent is None:
            return None
        point = add(multiply(tweak, G), parent)
        if point is None:
            return None
        return ExtendedPublicKey(self.network, self.kind, compress(point), digest[32:])

    def address(self) -> str:
        """This key's address in the kind its version bytes name."""
        key_hash = hash160(self.key)
        if self.kind == "p2pkh":
            return p2pkh_address(self.key, _P2PKH_VERSION[self.network])
        if self.kind == "p2sh-p2wpkh":
            script = b"\x00\x14" + key_hash
            return b58check_encode(_P2SH_VERSION[self.network] + hash160(script))
        if self.kind == "p2tr":
            return p2tr_address(self.key, self.network)
        return segwit_encode(_BECH32_HRP[self.network], 0, key_hash)

    def as_kind(self, kind: str) -> ExtendedPublicKey:
        """The same key giving addresses of ``kind`` (Wasabi writes a BIP-84 account key
        with xpub's version bytes, which SLIP-132 reserves for P2PKH)."""
        return ExtendedPublicKey(self.network, kind, self.key, self.chain_code)


def p2tr_address(public_key: bytes, network: str = "main") -> str | None:
    """BIP-86's address of a public key: the taproot output with no script path, its
    key tweaked by BIP-341's ``TapTweak`` hash of the key's x coordinate (None for a key
    that is not on the curve)."""
    point = decompress(public_key)
    if point is None:
        return None
    x_only = public_key[1:33]
    internal = decompress(b"\x02" + x_only)  # BIP-341 takes the point with even y
    tag = hashlib.sha256(b"TapTweak").digest()
    tweak = int.from_bytes(hashlib.sha256(tag + tag + x_only).digest(), "big")
    if tweak >= ORDER or internal is None:
        return None
    output = add(internal, multiply(tweak, G))
    if output is None:
        return None
    return segwit_encode(_BECH32_HRP.get(network, "bc"), 1, output[0].to_bytes(32, "big"))


def p2wpkh_address(public_key: bytes, network: str = "main") -> str:
    """BIP-84's address of a compressed public key (P2WPKH)."""
    return segwit_encode(_BECH32_HRP.get(network, "bc"), 0, hash160(public_key))


def p2pkh_address(public_key: bytes, version: bytes) -> str:
    """The P2PKH address of a public key (compressed or not) for a coin's version byte."""
    return b58check_encode(version + hash160(public_key))


def parse_extended_public_key(text: str) -> ExtendedPublicKey | None:
    """An xpub/ypub/zpub (or testnet tpub/upub/vpub) with a valid checksum and a key on
    the curve, else None."""
    payload = b58check_decode(text.strip())
    if payload is None or len(payload) != 78:
        return None
    version = _VERSIONS.get(int.from_bytes(payload[:4], "big"))
    key = payload[45:78]
    if version is None or decompress(key) is None:
        return None
    return ExtendedPublicKey(version[0], version[1], key, payload[13:45])


def derived_addresses(text: str, receiving: int = 20, change: int = 10,
                      kind: str | None = None) -> list[dict[str, str]]:
    """The first ``receiving`` addresses of chain 0 and ``change`` of chain 1 below an
    extended public key, as ``{"path": "m/0/3", "address": ...}`` ([] for a key that is
    not one). ``kind`` overrides the address kind the key's version bytes name."""
    root = parse_extended_public_key(text)
    if root is None:
        return []
    if kind is not None:
        root = root.as_kind(kind)
    found = []
    for branch, count in ((0, receiving), (1, change)):
        chain = root.child(branch)
        for index in range(count if chain is not None else 0):
            key = chain.child(index)
            if key is not None:
                found.append({"path": f"m/{branch}/{index}", "address": key.address()})
    return found

"""Addresses a wallet's extended public key leads to (BIP-32 public derivation).

A wallet file that keeps only its master public key (an old or deleted Electrum wallet,
say) still tells which addresses it received on: Electrum derives receiving addresses
as ``xpub/0/i`` and change addresses as ``xpub/1/i``. The address type follows the key's
version bytes (SLIP-132): xpub/tpub P2PKH, ypub/upub P2SH-P2WPKH, zpub/vpub P2WPKH.

Written from BIP-32 ("Public parent key -> public child key"), SEC 2 (secp256k1) and
BIP-49/BIP-84 (address encodings); checked against their published vectors.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from .base58 import b58check_decode, b58check_encode
from .bech32 import segwit_encode
from .hashes import hash160

_P = 2**256 - 2**32 - 977
_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
      0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)

#: Version bytes of extended public keys: (network, address kind).
_VERSIONS = {
    0x0488B21E: ("main", "p2pkh"), 0x049D7CB2: ("main", "p2sh-p2wpkh"),
    0x04B24746: ("main", "p2wpkh"), 0x043587CF: ("test", "p2pkh"),
    0x044A5262: ("test", "p2sh-p2wpkh"), 0x045F1CF6: ("test", "p2wpkh"),
}
_P2PKH_VERSION = {"main": b"\x00", "test": b"\x6f"}
_P2SH_VERSION = {"main": b"\x05", "test": b"\xc4"}
_BECH32_HRP = {"main": "bc", "test": "tb"}

Point = tuple[int, int] | None


def _add(a: Point, b: Point) -> Point:
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0]:
        if (a[1] + b[1]) % _P == 0:
            return None
        slope = 3 * a[0] * a[0] * pow(2 * a[1], -1, _P) % _P
    else:
        slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, _P) % _P
    x = (slope * slope - a[0] - b[0]) % _P
    return x, (slope * (a[0] - x) - a[1]) % _P


def _multiply(k: int, point: Point) -> Point:
    result: Point = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def _decompress(key: bytes) -> Point:
    """The point of a 33-byte compressed public key, or None when it is not one."""
    if len(key) != 33 or key[0] not in (2, 3):
        return None
    x = int.from_bytes(key[1:], "big")
    if x >= _P:
        return None
    right = (pow(x, 3, _P) + 7) % _P
    y = pow(right, (_P + 1) // 4, _P)
    if y * y % _P != right:
        return None
    return x, y if y % 2 == key[0] % 2 else _P - y


def _compress(point: tuple[int, int]) -> bytes:
    return bytes([2 + point[1] % 2]) + point[0].to_bytes(32, "big")


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
        parent = _decompress(self.key)
        if tweak >= _N or parent is None:
            return None
        point = _add(_multiply(tweak, _G), parent)
        if point is None:
            return None
        return ExtendedPublicKey(self.network, self.kind, _compress(point), digest[32:])

    def address(self) -> str:
        """This key's address in the kind its version bytes name."""
        key_hash = hash160(self.key)
        if self.kind == "p2pkh":
            return b58check_encode(_P2PKH_VERSION[self.network] + key_hash)
        if self.kind == "p2sh-p2wpkh":
            script = b"\x00\x14" + key_hash
            return b58check_encode(_P2SH_VERSION[self.network] + hash160(script))
        return segwit_encode(_BECH32_HRP[self.network], 0, key_hash)


def parse_extended_public_key(text: str) -> ExtendedPublicKey | None:
    """An xpub/ypub/zpub (or testnet tpub/upub/vpub) with a valid checksum and a key on
    the curve, else None."""
    payload = b58check_decode(text.strip())
    if payload is None or len(payload) != 78:
        return None
    version = _VERSIONS.get(int.from_bytes(payload[:4], "big"))
    key = payload[45:78]
    if version is None or _decompress(key) is None:
        return None
    return ExtendedPublicKey(version[0], version[1], key, payload[13:45])


def derived_addresses(text: str, receiving: int = 20, change: int = 10) -> list[dict[str, str]]:
    """The first ``receiving`` addresses of chain 0 and ``change`` of chain 1 below an
    extended public key, as ``{"path": "m/0/3", "address": ...}`` ([] for a key that is
    not one)."""
    root = parse_extended_public_key(text)
    if root is None:
        return []
    found = []
    for branch, count in ((0, receiving), (1, change)):
        chain = root.child(branch)
        for index in range(count if chain is not None else 0):
            key = chain.child(index)
            if key is not None:
                found.append({"path": f"m/{branch}/{index}", "address": key.address()})
    return found

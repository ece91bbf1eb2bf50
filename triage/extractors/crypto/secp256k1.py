"""secp256k1 (SEC 2): the curve of Bitcoin's keys, in plain integers.

Enough for public keys: whether bytes are a point on the curve, and the point arithmetic
of BIP-32's public derivation. Nothing secret is computed here, so constant time does
not matter.
"""

from __future__ import annotations

FIELD = 2**256 - 2**32 - 977
ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)

Point = tuple[int, int] | None
"""An affine point; None is the point at infinity."""


def add(a: Point, b: Point) -> Point:
    """The sum of two points."""
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0]:
        if (a[1] + b[1]) % FIELD == 0:
            return None
        slope = 3 * a[0] * a[0] * pow(2 * a[1], -1, FIELD) % FIELD
    else:
        slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, FIELD) % FIELD
    x = (slope * slope - a[0] - b[0]) % FIELD
    return x, (slope * (a[0] - x) - a[1]) % FIELD


def multiply(k: int, point: Point) -> Point:
    """``k`` times ``point`` (double and add)."""
    result: Point = None
    while k:
        if k & 1:
            result = add(result, point)
        point = add(point, point)
        k >>= 1
    return result


def decompress(key: bytes) -> Point:
    """The point of a 33-byte compressed public key, or None when it is not one."""
    if len(key) != 33 or key[0] not in (2, 3):
        return None
    x = int.from_bytes(key[1:], "big")
    if x >= FIELD:
        return None
    right = (pow(x, 3, FIELD) + 7) % FIELD
    y = pow(right, (FIELD + 1) // 4, FIELD)
    if y * y % FIELD != right:
        return None
    return x, y if y % 2 == key[0] % 2 else FIELD - y


def compress(point: tuple[int, int]) -> bytes:
    """The 33-byte compressed form of a point."""
    return bytes([2 + point[1] % 2]) + point[0].to_bytes(32, "big")

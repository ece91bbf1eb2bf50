"""Ed25519 public key from tor's expanded secret key (scalar times the base point).

tor stores a v3 onion service's secret key *expanded* (the clamped scalar ``a`` and the
nonce prefix, 64 bytes), not as the 32-byte seed that crypto libraries load, so the
public key is recomputed here with plain integer arithmetic (RFC 8032, section 5.1).
Only used on evidence, never to sign, so constant time does not matter.
"""

from __future__ import annotations

_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_BASE_Y = (4 * pow(5, _P - 2, _P)) % _P


def _recover_x(y: int, sign: int) -> int:
    xx = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    x = pow(xx, (_P + 3) // 8, _P)
    if (x * x - xx) % _P != 0:
        x = x * pow(2, (_P - 1) // 4, _P) % _P
    if x & 1 != sign:
        x = _P - x
    return x


_BASE = (_recover_x(_BASE_Y, 0), _BASE_Y, 1, _recover_x(_BASE_Y, 0) * _BASE_Y % _P)


def _add(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % _P
    bb = (y1 + x1) * (y2 + x2) % _P
    cc = 2 * t1 * t2 * _D % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def public_key_from_scalar(scalar_le: bytes) -> bytes:
    """Return the 32-byte encoded point ``a * B`` for a 32-byte little-endian scalar."""
    if len(scalar_le) != 32:
        raise ValueError("scalar must be 32 bytes")
    scalar = int.from_bytes(scalar_le, "little")
    result = (0, 1, 1, 0)
    addend = _BASE
    while scalar:
        if scalar & 1:
            result = _add(result, addend)
        addend = _add(addend, addend)
        scalar >>= 1
    x, y, z, _ = result
    inv = pow(z, _P - 2, _P)
    x, y = x * inv % _P, y * inv % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")



def is_curve_point(encoded: bytes) -> bool:
    """Whether 32 bytes encode a point of the curve (RFC 8032 decoding: y below p, and
    x recoverable with its sign), as tor checks a v3 onion address's key; one modular
    power. Whether the point also lies in the prime-order subgroup (tor refuses keys with
    a small-order part as well) is not checked: that costs a full scalar
    multiplication (about 2 ms here) for every address."""
    if len(encoded) != 32:
        return False
    value = int.from_bytes(encoded, "little")
    y, sign = value & ((1 << 255) - 1), value >> 255
    if y >= _P:
        return False
    xx = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if xx == 0:
        return not sign
    return pow(xx, (_P - 1) // 2, _P) == 1

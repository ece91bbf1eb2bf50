"""Keygrips as libgcrypt computes them, to link private-keys-v1.d files to OpenPGP keys.

A keygrip is a SHA-1 over the public key only, independent of the OpenPGP packet:

* RSA: over the modulus n in libgcrypt's standard (signed) encoding: minimal big-endian
  bytes with a 0x00 in front when the top bit is set (as the agent stores it).
* DSA / ElGamal: over '(1:p<len>:<p>)(1:q...' for each public parameter, each number in
  libgcrypt's standard (signed) encoding, i.e. with a 0x00 in front when the top bit is set.
* ECC: the same '(1:x<len>:...)' framing over the curve's p, a, b, g (uncompressed point),
  n and then the public point q (25519 points without their 0x40 prefix).

Curve constants are public domain parameters (RFC 7748, RFC 8032, FIPS 186-4).
"""

from __future__ import annotations

import hashlib


def _hx(text: str) -> bytes:
    return bytes.fromhex(text)


_P25519 = "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFED"
_N25519 = "1000000000000000000000000000000014DEF9DEA2F79CD65812631A5CF5D3ED"

#: libgcrypt curve name -> (p, a, b, g, n) as libgcrypt hashes them (magnitudes).
_CURVES: dict[str, tuple[bytes, ...]] = {
    "Ed25519": (
        _hx(_P25519),
        _hx("01"),
        _hx("2DFC9311D490018C7338BF8688861767FF8FF5B2BEBE27548A14B235ECA6874A"),
        _hx("04216936D3CD6E53FEC0A4E231FDD6DC5C692CC7609525A7B2C9562D608F25D51A"
            "6666666666666666666666666666666666666666666666666666666666666658"),
        _hx(_N25519),
    ),
    "Curve25519": (
        _hx(_P25519),
        _hx("01DB41"),
        _hx("01"),
        _hx("04" + "00" * 31 + "09"
            "20AE19A1B8A086B4E01EDD2C7748D14C923D4D7E6D7C61B229E9C5A27ECED3D9"),
        _hx(_N25519),
    ),
    "NIST P-256": (
        _hx("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF"),
        _hx("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC"),
        _hx("5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B"),
        _hx("046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
            "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"),
        _hx("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"),
    ),
    "NIST P-384": (
        _hx("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF"),
        _hx("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC"),
        _hx("B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF"),
        _hx("04AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7"
            "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F"),
        _hx("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"),
    ),
    "NIST P-521": (
        _hx("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
        _hx("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC"),
        _hx("0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E"
            "937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00"),
        _hx("0400C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EF"
            "E75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66011839296A789A3BC0045C8A5F"
            "B42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C70"
            "86A272C24088BE94769FD16650"),
        _hx("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F"
            "966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409"),
    ),
}

#: OpenPGP / agent curve spellings -> libgcrypt curve names.
CURVE_ALIASES = {
    "ed25519": "Ed25519",
    "cv25519": "Curve25519",
    "curve25519": "Curve25519",
    "x25519": "Curve25519",
    "nistp256": "NIST P-256",
    "nist p-256": "NIST P-256",
    "prime256v1": "NIST P-256",
    "secp256r1": "NIST P-256",
    "nistp384": "NIST P-384",
    "nist p-384": "NIST P-384",
    "secp384r1": "NIST P-384",
    "nistp521": "NIST P-521",
    "nist p-521": "NIST P-521",
    "secp521r1": "NIST P-521",
}

_GENERIC_ELEMENTS = {"dsa": "pqgy", "elg": "pgy"}


def _signed(value: bytes) -> bytes:
    value = value.lstrip(b"\x00") or b"\x00"
    return b"\x00" + value if value[0] & 0x80 else value


def _frame(name: str, value: bytes) -> bytes:
    return b"(1:" + name.encode() + str(len(value)).encode() + b":" + value + b")"


def rsa_keygrip(n: bytes) -> str:
    """Keygrip of an RSA key from its modulus."""
    return hashlib.sha1(_signed(n)).hexdigest().upper()


def generic_keygrip(kind: str, values: tuple[bytes, ...]) -> str | None:
    """Keygrip of a DSA ('dsa': p, q, g, y) or ElGamal ('elg': p, g, y) key."""
    names = _GENERIC_ELEMENTS.get(kind)
    if names is None or len(values) < len(names):
        return None
    digest = hashlib.sha1()
    for name, value in zip(names, values, strict=False):
        digest.update(_frame(name, _signed(value)))
    return digest.hexdigest().upper()


def ecc_keygrip(curve: str, q: bytes) -> str | None:
    """Keygrip of an ECC key from its curve name and public point (None: curve unknown)."""
    name = CURVE_ALIASES.get(curve.lower(), curve)
    params = _CURVES.get(name)
    if params is None:
        return None
    if name in ("Ed25519", "Curve25519") and len(q) == 33 and q[0] == 0x40:
        q = q[1:]
    digest = hashlib.sha1()
    for label, value in zip("pabgn", params, strict=False):
        # Numbers are hashed as minimal magnitudes; the point g keeps its fixed width.
        digest.update(_frame(label, value if label == "g" else value.lstrip(b"\x00")))
    digest.update(_frame("q", q))
    return digest.hexdigest().upper()


def openpgp_keygrip(algorithm_id: int, curve: str | None, params: tuple[bytes, ...]) -> str | None:
    """Keygrip of an OpenPGP key from its algorithm and parsed public parameters."""
    if not params:
        return None
    if algorithm_id in (1, 2, 3):
        return rsa_keygrip(params[0])
    if algorithm_id == 17:
        return generic_keygrip("dsa", params)
    if algorithm_id in (16, 20):
        return generic_keygrip("elg", params)
    if curve and algorithm_id in (18, 19, 22, 25, 27):
        return ecc_keygrip(curve, params[-1])
    return None

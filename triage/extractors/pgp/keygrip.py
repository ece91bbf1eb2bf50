"""Keygrips as libgcrypt computes them, to link private-keys-v1.d files to OpenPGP keys.

A keygrip is a SHA-1 over the public key only, independent of the OpenPGP packet:

* RSA: over the modulus n in libgcrypt's standard (signed) encoding: minimal big-endian
  bytes with a 0x00 in front when the top bit is set (as the agent stores it).
* DSA / ElGamal: over '(1:p<len>:<p>)(1:q...' for each public parameter, each number in
  libgcrypt's standard (signed) encoding, i.e. with a 0x00 in front when the top bit is set.
* ECC: the same '(1:x<len>:...)' framing over the curve's p, a, b, g (uncompressed point),
  n and then the public point q (25519 points without their 0x40 prefix; X448 points are
  the bare 56-byte u-coordinate). A zero (secp256k1's a) is hashed as an empty string.
* KEM (Kyber / ML-KEM): the algorithm name as the agent file spells it, a NUL byte and the
  public key p, with no framing (libgcrypt's kem.c documents this rule).

Curve constants are public domain parameters (RFC 7748, RFC 8032, FIPS 186-4, RFC 5639 for
the brainpool curves, SEC 2 for secp256k1). Montgomery curves are stored as libgcrypt does:
'a' is (A - 2) / 4. Every rule here is checked in the tests against file names gpg-agent
chose (private-keys-v1.d) and against ``gpg --with-keygrip``.
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
    "brainpoolP256r1": (
        _hx("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377"),
        _hx("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9"),
        _hx("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6"),
        _hx("048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4"
            "FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997"),
        _hx("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"),
    ),
    "brainpoolP384r1": (
        _hx("8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71"
            "874700133107EC53"),
        _hx("7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB"
            "04A8C7DD22CE2826"),
        _hx("04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC994"
            "3AB78696FA504C11"),
        _hx("041D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646"
            "AAEF87B2E247D4AF1E8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129"
            "280E4646217791811142820341263C5315"),
        _hx("8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC310"
            "3B883202E9046565"),
    ),
    "brainpoolP512r1": (
        _hx("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842"
            "AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3"),
        _hx("7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA1"
            "0A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA"),
        _hx("3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D"
            "77FC94CADC083E67984050B75EBAE5DD2809BD638016F723"),
        _hx("0481AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D4"
            "8D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F8227DDE385D566332ECC0EABFA9CF7822"
            "FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F054"
            "0678CD1E0F3AD80892"),
        _hx("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619"
            "418661197FAC10471DB1D381085DDADDB58796829CA90069"),
    ),
    "secp256k1": (
        _hx("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F"),
        _hx("00"),
        _hx("07"),
        _hx("0479BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798483ADA7726A3C4"
            "655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"),
        _hx("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"),
    ),
    "X448": (
        _hx("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF"
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
        _hx("98A9"),
        _hx("01"),
        _hx("04000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000057D235D1295F5B1F66C98AB6E58326FCECBAE5D34F55545"
            "D060F75DC28DF3F6EDB8027E2346430D211312C4B150677AF76FD7223D457B5B1A"),
        _hx("3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7CCA23E9C44EDB49AED63690"
            "216CC2728DC58F552378C292AB5844F3"),
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
    "brainpoolp256r1": "brainpoolP256r1",
    "brainpoolp384r1": "brainpoolP384r1",
    "brainpoolp512r1": "brainpoolP512r1",
    "secp256k1": "secp256k1",
    "x448": "X448",
    "cv448": "X448",
    "curve448": "X448",
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


#: KEM algorithm names in agent key files whose keygrip is computed (see module docstring).
KEM_ALGORITHMS = frozenset({"kyber512", "kyber768", "kyber1024"})


def kem_keygrip(algorithm: str, public: bytes) -> str | None:
    """Keygrip of a Kyber (ML-KEM) key from its agent algorithm name and public key p."""
    if algorithm not in KEM_ALGORITHMS or not public:
        return None
    return hashlib.sha1(algorithm.encode() + b"\x00" + public).hexdigest().upper()


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
    # Ed448 (28) is left out: no gpg-agent file to check its curve constants against.
    if curve and algorithm_id in (18, 19, 22, 25, 26, 27):
        return ecc_keygrip(curve, params[-1])
    return None

"""Public- and secret-key packet bodies: fingerprint, algorithm, size/curve, protection.

Fingerprints follow RFC 4880 (v3: MD5 over the RSA n and e; v4: SHA-1 over 0x99, a
2-byte length and the public body), the LibrePGP v5 rule (SHA-256 over 0x9A and a 4-byte
length) and RFC 9580 v6 (SHA-256 over 0x9B and a 4-byte length). For v5/v6 the public
part's length is explicit, so even keys of unknown (e.g. post-quantum) algorithms get a
fingerprint; v4 keys of an unknown algorithm only do when they are public-key packets.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

ALGORITHMS = {
    1: "RSA",
    2: "RSA (encrypt only)",
    3: "RSA (sign only)",
    8: "Kyber (GnuPG)",
    16: "ElGamal",
    17: "DSA",
    18: "ECDH",
    19: "ECDSA",
    20: "ElGamal (sign+encrypt)",
    22: "EdDSA",
    25: "X25519",
    26: "X448",
    27: "Ed25519",
    28: "Ed448",
}

#: OpenPGP curve OIDs (DER body without tag/length) to GnuPG's curve names.
CURVES = {
    "2a8648ce3d030107": "nistp256",
    "2b81040022": "nistp384",
    "2b81040023": "nistp521",
    "2b8104000a": "secp256k1",
    "2b2403030208010107": "brainpoolP256r1",
    "2b240303020801010b": "brainpoolP384r1",
    "2b240303020801010d": "brainpoolP512r1",
    "2b06010401da470f01": "ed25519",
    "2b060104019755010501": "cv25519",
    "2b656e": "cv25519",
    "2b656f": "cv448",
    "2b6570": "ed25519",
    "2b6571": "ed448",
}

_NATIVE = {25: ("cv25519", 32), 26: ("cv448", 56), 27: ("ed25519", 32), 28: ("ed448", 57)}
#: Key size GnuPG reports for a curve (``--with-colons`` field 3), checked against gpg's
#: listings; the 448-bit curves, which gpg 2.2 cannot list, are left unknown.
CURVE_BITS = {
    "nistp256": 256, "nistp384": 384, "nistp521": 521, "secp256k1": 256,
    "brainpoolP256r1": 256, "brainpoolP384r1": 384, "brainpoolP512r1": 512,
    "ed25519": 255, "cv25519": 255,
}
_MPI_COUNT = {1: 2, 2: 2, 3: 2, 16: 3, 20: 3, 17: 4}


class KeyParseError(ValueError):
    """A key packet body too damaged to give even a fingerprint."""


@dataclass
class KeyPacket:
    """What a key packet says about one (primary or sub) key."""

    version: int
    created: int
    algorithm_id: int
    fingerprint: str | None
    key_id: str | None
    public_body: bytes
    bits: int | None = None
    curve: str | None = None
    #: Raw public parameters for keygrips: RSA (n, e); ECC (oid hex, q); DSA (p,q,g,y)...
    params: tuple[bytes, ...] = ()
    secret: bool = False
    #: True = passphrase-protected, False = in the clear, None = unknown or no secret.
    secret_protected: bool | None = None
    #: Secret material is a GnuPG stub (key on a smartcard, or removed): not present.
    secret_stub: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def algorithm(self) -> str:
        """Human-readable public-key algorithm name."""
        return ALGORITHMS.get(self.algorithm_id, f"unknown ({self.algorithm_id})")

    @property
    def created_iso(self) -> str | None:
        """Creation time as ISO 8601 UTC (None for a zero timestamp)."""
        return iso_time(self.created) if self.created else None


def iso_time(seconds: int) -> str:
    """Format a Unix timestamp as ISO 8601 UTC with a trailing Z."""
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "9999-12-31T23:59:59Z"


def _read_mpi(body: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 2 > len(body):
        raise KeyParseError("truncated MPI length")
    bits = int.from_bytes(body[pos : pos + 2], "big")
    size = (bits + 7) // 8
    end = pos + 2 + size
    if end > len(body):
        raise KeyParseError("truncated MPI")
    return body[pos + 2 : end], end


def _bit_length(value: bytes) -> int:
    return int.from_bytes(value, "big").bit_length()


def _parse_params(algo: int, body: bytes, pos: int) -> tuple[tuple[bytes, ...], int, int | None, str | None]:
    """Parse public parameters; return (params, end position, bits, curve)."""
    if algo in _MPI_COUNT:
        params = []
        for _ in range(_MPI_COUNT[algo]):
            value, pos = _read_mpi(body, pos)
            params.append(value)
        return tuple(params), pos, _bit_length(params[0]), None
    if algo in (18, 19, 22):
        if pos >= len(body):
            raise KeyParseError("truncated curve OID")
        oid_len = body[pos]
        if oid_len in (0, 0xFF) or pos + 1 + oid_len > len(body):
            raise KeyParseError("bad curve OID length")
        oid = body[pos + 1 : pos + 1 + oid_len].hex()
        point, pos = _read_mpi(body, pos + 1 + oid_len)
        if algo == 18:
            if pos >= len(body):
                raise KeyParseError("truncated ECDH KDF parameters")
            pos += 1 + body[pos]
            if pos > len(body):
                raise KeyParseError("truncated ECDH KDF parameters")
        curve = CURVES.get(oid, f"oid:{oid}")
        return (bytes.fromhex(oid), point), pos, CURVE_BITS.get(curve), curve
    if algo in _NATIVE:
        curve, size = _NATIVE[algo]
        if pos + size > len(body):
            raise KeyParseError("truncated native key")
        return (body[pos : pos + size],), pos + size, CURVE_BITS.get(curve), curve
    raise KeyParseError(f"unknown public-key algorithm {algo}")


def _fingerprint(version: int, public: bytes, params: tuple[bytes, ...]) -> tuple[str, str]:
    if version == 4:
        digest = hashlib.sha1(b"\x99" + len(public).to_bytes(2, "big") + public).hexdigest()
        return digest.upper(), digest[-16:].upper()
    if version in (5, 6):
        prefix = b"\x9a" if version == 5 else b"\x9b"
        digest = hashlib.sha256(prefix + len(public).to_bytes(4, "big") + public).hexdigest()
        return digest.upper(), digest[:16].upper()
    # v2/v3 (RSA only): MD5 over the MPI bodies of n and e; key ID is n's low 64 bits.
    modulus, exponent = params[0], params[1]
    digest = hashlib.md5(modulus + exponent, usedforsecurity=False).hexdigest()
    return digest.upper(), modulus[-8:].hex().upper()


def _secret_protection(body: bytes, pos: int, version: int) -> tuple[bool | None, bool]:
    """Read the S2K usage octet after the public part: (protected, is_gnu_stub)."""
    if pos >= len(body):
        return None, False
    usage = body[pos]
    if usage == 0:
        return False, False
    if usage in (253, 254, 255):
        # Find the S2K specifier to spot GnuPG's "gnu-dummy"/"divert-to-card" (type 101).
        cursor = pos + 1
        if version in (5, 6):
            cursor += 1  # count of the following fields
        cursor += 1  # symmetric algorithm
        if usage == 253:
            cursor += 1  # AEAD algorithm
        if version in (5, 6):
            cursor += 1  # length of the S2K specifier
        if cursor < len(body) and body[cursor] == 101:
            return None, True
        return True, False
    return True, False


def parse_key_packet(body: bytes, secret: bool = False, cut: bool = False) -> KeyPacket:
    """Parse a key packet body (tags 5, 6, 7, 14). Raises KeyParseError when hopeless.

    ``cut`` says the body is shorter than its packet header declared: a v3/v4 public-key
    packet is then refused, as its fingerprint would be taken over part of the key.
    """
    if len(body) < 6:
        raise KeyParseError("key packet too short")
    version = body[0]
    if cut and not secret and version in (2, 3, 4):
        raise KeyParseError("public key packet cut short: no fingerprint can be computed")
    created = int.from_bytes(body[1:5], "big")
    warnings: list[str] = []
    if version in (2, 3):
        if len(body) < 8:
            raise KeyParseError("v3 key packet too short")
        algo = body[7]
        params, end, bits, curve = _parse_params(algo, body, 8)
        if algo not in (1, 2, 3):
            raise KeyParseError("v3 key that is not RSA")
    elif version == 4:
        algo = body[5]
        try:
            params, end, bits, curve = _parse_params(algo, body, 6)
        except KeyParseError as exc:
            if secret:
                raise
            # A public packet's body is all public: fingerprint it anyway.
            warnings.append(f"v4 key parameters not understood: {exc}")
            params, end, bits, curve = (), len(body), None, None
    elif version in (5, 6):
        if len(body) < 10:
            raise KeyParseError(f"v{version} key packet too short")
        algo = body[5]
        material = int.from_bytes(body[6:10], "big")
        end = 10 + material
        if end > len(body):
            raise KeyParseError(f"v{version} key material runs past the packet")
        try:
            params, _, bits, curve = _parse_params(algo, body[:end], 10)
        except KeyParseError as exc:
            warnings.append(f"v{version} key parameters not understood: {exc}")
            params, bits, curve = (), None, None
    else:
        raise KeyParseError(f"unsupported key packet version {version}")
    public = body[:end]
    fingerprint, key_id = _fingerprint(version, public, params)
    key = KeyPacket(
        version=version,
        created=created,
        algorithm_id=algo,
        fingerprint=fingerprint,
        key_id=key_id,
        public_body=public,
        bits=bits,
        curve=curve,
        params=params,
        secret=secret,
        warnings=warnings,
    )
    if secret:
        key.secret_protected, key.secret_stub = _secret_protection(body, end, version)
    return key

"""Signature packet bodies (v3, v4, v5, v6): type, times, issuer and key expiry.

Signatures are read, never verified: the extractor reports what a packet claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SIG_TYPES = {
    0x00: "binary",
    0x01: "text",
    0x02: "standalone",
    0x10: "certification (generic)",
    0x11: "certification (persona)",
    0x12: "certification (casual)",
    0x13: "certification (positive)",
    0x18: "subkey binding",
    0x19: "primary key binding",
    0x1F: "direct key",
    0x20: "key revocation",
    0x28: "subkey revocation",
    0x30: "certification revocation",
    0x40: "timestamp",
    0x50: "third-party confirmation",
}

#: Reason-for-revocation codes (RFC 4880 5.2.3.23).
REVOCATION_REASONS = {
    0: "no reason specified",
    1: "key is superseded",
    2: "key material has been compromised",
    3: "key is retired and no longer used",
    32: "user ID information is no longer valid",
}

HASHES = {1: "MD5", 2: "SHA1", 3: "RIPEMD160", 8: "SHA256", 9: "SHA384", 10: "SHA512",
          11: "SHA224", 12: "SHA3-256", 14: "SHA3-512"}

_SUB_CREATED = 2
_SUB_SIG_EXPIRES = 3
_SUB_KEY_EXPIRES = 9
_SUB_REVOCATION_KEY = 12
_SUB_ISSUER = 16
_SUB_PRIMARY_UID = 25
_SUB_REVOCATION_REASON = 29
_SUB_ISSUER_FPR = 33


@dataclass
class Signature:
    """The parts of a signature packet an examiner links keys and messages with."""

    version: int
    sig_type: int
    pubkey_algorithm: int
    hash_algorithm: int
    created: int | None = None
    issuer_key_id: str | None = None
    issuer_fingerprint: str | None = None
    key_expires_after: int | None = None
    primary_user_id: bool = False
    revocation_keys: list[str] = field(default_factory=list)
    revocation_reason: int | None = None
    revocation_comment: str | None = None

    @property
    def type_name(self) -> str:
        """Human-readable signature type."""
        return SIG_TYPES.get(self.sig_type, f"0x{self.sig_type:02x}")

    @property
    def hash_name(self) -> str:
        """Human-readable hash algorithm."""
        return HASHES.get(self.hash_algorithm, str(self.hash_algorithm))

    def issued_by(self, fingerprint: str | None, key_id: str | None) -> bool:
        """True when the issuer subpackets name this key (or name no issuer at all)."""
        if self.issuer_fingerprint and fingerprint:
            return self.issuer_fingerprint == fingerprint
        if self.issuer_key_id and key_id:
            return self.issuer_key_id == key_id
        return self.issuer_fingerprint is None and self.issuer_key_id is None


def _subpacket_length(area: bytes, pos: int) -> tuple[int, int] | None:
    first = area[pos]
    if first < 192:
        return first, 1
    if first < 255:
        if pos + 1 >= len(area):
            return None
        return ((first - 192) << 8) + area[pos + 1] + 192, 2
    if pos + 4 >= len(area):
        return None
    return int.from_bytes(area[pos + 1 : pos + 5], "big"), 5


def _apply_subpackets(sig: Signature, area: bytes, hashed: bool) -> None:
    pos = 0
    while pos < len(area):
        decoded = _subpacket_length(area, pos)
        if decoded is None:
            return
        length, used = decoded
        start = pos + used
        end = start + length
        if length == 0 or end > len(area):
            return
        kind = area[start] & 0x7F
        value = area[start + 1 : end]
        if kind == _SUB_CREATED and len(value) == 4 and hashed:
            sig.created = int.from_bytes(value, "big")
        elif kind == _SUB_KEY_EXPIRES and len(value) == 4 and hashed:
            sig.key_expires_after = int.from_bytes(value, "big")
        elif kind == _SUB_ISSUER and len(value) == 8:
            sig.issuer_key_id = value.hex().upper()
        elif kind == _SUB_ISSUER_FPR and len(value) in (21, 33):
            sig.issuer_fingerprint = value[1:].hex().upper()
        elif kind == _SUB_PRIMARY_UID and value[:1] == b"\x01" and hashed:
            sig.primary_user_id = True
        elif kind == _SUB_REVOCATION_REASON and value and hashed:
            sig.revocation_reason = value[0]
            sig.revocation_comment = value[1:2048].decode("utf-8", "replace") or None
        elif kind == _SUB_REVOCATION_KEY and len(value) in (22, 34) and hashed:
            sig.revocation_keys.append(value[2:].hex().upper())
        pos = end


def parse_signature(body: bytes) -> Signature | None:
    """Parse a signature packet body; None when it is too short or of unknown version."""
    if len(body) < 4:
        return None
    version = body[0]
    if version in (2, 3):
        if len(body) < 19 or body[1] != 5:
            return None
        sig = Signature(version, body[2], body[15], body[16])
        sig.created = int.from_bytes(body[3:7], "big")
        sig.issuer_key_id = body[7:15].hex().upper()
        return sig
    if version not in (4, 5, 6):
        return None
    sig = Signature(version, body[1], body[2], body[3])
    size = 4 if version == 6 else 2
    pos = 4
    for hashed in (True, False):
        if pos + size > len(body):
            return sig
        length = int.from_bytes(body[pos : pos + size], "big")
        area = body[pos + size : pos + size + length]
        _apply_subpackets(sig, area, hashed)
        pos += size + length
    if sig.issuer_fingerprint and not sig.issuer_key_id:
        fpr = sig.issuer_fingerprint
        sig.issuer_key_id = fpr[-16:] if len(fpr) == 40 else fpr[:16]
    return sig

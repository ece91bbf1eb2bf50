"""Onion addresses: validation (v3 checksum, v2 form), derivation from keys, and a text scanner.

A v3 address is ``base32(PUBKEY(32) | CHECKSUM(2) | VERSION(1))`` with
``CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[:2]`` and ``VERSION = 3``
(rend-spec-v3, [ONIONADDRESS]). A v2 address is the base32 of the first 10 bytes of the
SHA-1 of the service's RSA-1024 public key in PKCS#1 DER; it carries no checksum.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from triage.extractors.tor.ed25519_point import is_curve_point

V3_LENGTH = 56
V2_LENGTH = 16
_BASE32_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz234567")
#: ".onion" after at least 16 letters and digits, the shortest label an address has: the
#: only places one can end. The regex engine rejects the other occurrences (a file full
#: of ".onion", each after "onion.") without a step of Python per occurrence.
_CANDIDATE_ASCII = re.compile(rb"\.onion(?<=[a-z0-9]{16}\.onion)")
_CANDIDATE_UTF16 = re.compile(
    rb"\.\x00o\x00n\x00i\x00o\x00n\x00(?<=(?:[a-z0-9]\x00){16}\.\x00o\x00n\x00i\x00o\x00n\x00)"
)
_BASE32_BYTES = b"abcdefghijklmnopqrstuvwxyz234567"
#: Characters that may not follow ".onion" for it to be a host name ending there (they
#: would make the last label longer: ``.onionfoo``, ``.onion-foo``, ``.onion_x``).
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_-")
_CONTEXT_RADIUS = 50
#: Characters of a label looked at before ".onion": more than the longest address after
#: an escape's tail (``u002f`` of ``\\u002F``), so a longer run is told from an address.
_LOOKBACK = V3_LENGTH + 6
#: A run of host-name characters (letters and digits; lowered text) ending the buffer.
_RUN_ASCII = re.compile(rb"[a-z0-9]+\Z")
_RUN_UTF16 = re.compile(rb"(?:[a-z0-9]\x00)+\Z")
#: Maps every non-printable Latin-1 character to a space (context strings stay ASCII).
_PRINTABLE = {code: " " for code in range(256) if not 0x20 <= code < 0x7F}
#: Cap on hits reported from one buffer, so a hostile file cannot flood the case.
MAX_HITS_PER_BUFFER = 10_000


def v3_checksum(pubkey: bytes, version: int = 3) -> bytes:
    """Return the two checksum bytes of a v3 onion address for ``pubkey``."""
    return hashlib.sha3_256(b".onion checksum" + pubkey + bytes([version])).digest()[:2]


def v3_address_from_pubkey(pubkey: bytes) -> str:
    """Return the 56-character v3 onion address (without ``.onion``) of an ed25519 key."""
    if len(pubkey) != 32:
        raise ValueError("an ed25519 public key is 32 bytes")
    raw = pubkey + v3_checksum(pubkey) + b"\x03"
    return base64.b32encode(raw).decode("ascii").lower()


def v2_address_from_rsa_der(pkcs1_der: bytes) -> str:
    """Return the 16-character v2 onion address of an RSA public key in PKCS#1 DER."""
    return base64.b32encode(hashlib.sha1(pkcs1_der).digest()[:10]).decode("ascii").lower()


def strip_onion(address: str) -> str:
    """Return the service label of an address: lower case, no ``.onion``, no subdomains."""
    label = address.strip().lower()
    if label.endswith(".onion"):
        label = label[: -len(".onion")]
    return label.rsplit(".", 1)[-1]


def onion_version(address: str) -> int | None:
    """Return 3 or 2 when ``address`` has the length and alphabet of that version, else None."""
    label = strip_onion(address)
    if not set(label.encode("ascii", "replace")) <= _BASE32_CHARS:
        return None
    return {V3_LENGTH: 3, V2_LENGTH: 2}.get(len(label))


def v3_pubkey(address: str) -> bytes | None:
    """Return the ed25519 key inside a v3 address with a valid checksum and version, else
    None; also None when the key is not a point of the curve, which tor refuses
    (rend-spec-v3: a client validates the address, its key included)."""
    label = strip_onion(address)
    if onion_version(label) != 3:
        return None
    raw = base64.b32decode(label.upper())
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34]
    if version != 3 or v3_checksum(pubkey) != checksum or not is_curve_point(pubkey):
        return None
    return pubkey


@lru_cache(maxsize=4096)
def checksum_valid(address: str) -> bool | None:
    """True/False for a v3 address's checksum, version byte and key (see :func:`v3_pubkey`);
    None for v2 (no checksum)."""
    version = onion_version(address)
    if version == 3:
        return v3_pubkey(address) is not None
    return None


@dataclass(frozen=True)
class OnionHit:
    """An onion address found in a buffer: where, which version, and whether it verifies."""

    address: str
    version: int
    checksum_valid: bool | None
    offset: int
    length: int
    encoding: str

    @property
    def exportable(self) -> bool:
        """True for a checksum-valid v3 or a well-formed v2 address."""
        return self.version == 2 or bool(self.checksum_valid)


def printable_context(data: bytes, start: int, end: int, radius: int = _CONTEXT_RADIUS) -> str:
    """Return up to ``2 * radius`` + hit characters around ``data[start:end]``, printable only."""
    window = data[max(0, start - radius) : end + radius]
    if b"\x00" in window and window.count(b"\x00") * 3 >= len(window):
        window = window.replace(b"\x00", b"")
    text = window.decode("latin-1")
    return " ".join(text.translate(_PRINTABLE).split())[:120]


def _label_before(lowered: bytes, end: int, step: int) -> tuple[int, int]:
    """Return (start, count) of the label ending at ``end``: its run of letters and digits.

    A dot or any other character starts the label, so ``x0<16 chars>`` is one label of 18
    characters, not an address. ``step`` is 1 for single-byte text, 2 for UTF-16LE (each
    character followed by NUL). At most ``_LOOKBACK`` characters are looked at; a longer
    run is reported as ``_LOOKBACK`` characters long.
    """
    pattern = _RUN_ASCII if step == 1 else _RUN_UTF16
    match = pattern.search(lowered, max(0, end - _LOOKBACK * step), end)
    if match is None:
        return end, 0
    return match.start(), (end - match.start()) // step


def _is_base32(label: bytes) -> bool:
    return not label.translate(None, _BASE32_BYTES)


def _address_start(lowered: bytes, end: int, step: int, packed: bool = False) -> int | None:
    """Where the address label ending at ``end`` (before ".onion") starts, or None.

    The label is the run of letters and digits before ``end``: 56 or 16 base32
    characters. A longer run is an address only when it is an escaped punctuation
    character's tail (``%2F``, ``\\x2F``, ``\\u002F``: URL- and string-encoded links)
    followed by a checksum-valid v3 label, which cannot be there by chance. In ``packed``
    bytes (database records, whose values and field names touch with nothing between:
    ``searchbar-history<address>.onion``) any longer run ending in such a label is one.
    """
    start, count = _label_before(lowered, end, step)
    if count in (V3_LENGTH, V2_LENGTH):
        return start if _is_base32(lowered[start:end:step]) else None
    if count <= V3_LENGTH:
        return None
    label_start = start + (count - V3_LENGTH) * step
    if not packed and not _after_escape(lowered, start, label_start, step):
        return None
    label = lowered[label_start:end:step]
    if not _is_base32(label) or not checksum_valid(label.decode("ascii")):
        return None
    return label_start


def _after_escape(lowered: bytes, start: int, label_start: int, step: int) -> bool:
    """True when ``lowered[start:label_start]`` ends an escape of a non-label character.

    The escape's introducer (``%`` or a backslash) is the character before ``start``;
    the run holds the rest (``2f``, ``x2f``, ``u002f``).
    """
    if start < step or (step == 2 and lowered[start - 1] != 0):
        return False
    introducer = lowered[start - step]
    head = lowered[start:label_start:step]
    if introducer == ord("%") and len(head) == 2:
        digits = head
    elif introducer == ord("\\") and (head[:1], len(head)) in ((b"x", 3), (b"u", 5)):
        digits = head[1:]
    else:
        return False
    if digits.translate(None, b"0123456789abcdef"):
        return False
    return not chr(int(digits, 16)).isalnum()


def _followed_by_word(lowered: bytes, after: int, step: int) -> bool:
    if after >= len(lowered):
        return False
    if step == 2 and after + 1 < len(lowered) and lowered[after + 1] != 0:
        return False
    return lowered[after] in _WORD_BYTES


def scan_onion_addresses(data: bytes, max_hits: int = MAX_HITS_PER_BUFFER,
                         packed: bool = False) -> list[OnionHit]:
    """Find ``<label>.onion`` host names (v3 and v2) in ASCII/UTF-8 and UTF-16LE text.

    Works on any bytes (whole files or carved chunks); offsets are relative to ``data``.
    Every candidate is returned with its checksum verdict; callers decide what to export.
    ``packed`` says the bytes are a database's, whose stored values touch each other: a
    checksum-valid v3 address is then also taken from a longer run of letters and digits
    (see :func:`_address_start`) and when a letter or digit follows ".onion".
    """
    lowered = data.lower()
    hits: list[OnionHit] = []
    for candidates, step, encoding in ((_CANDIDATE_ASCII, 1, "ascii"),
                                       (_CANDIDATE_UTF16, 2, "utf-16-le")):
        for match in candidates.finditer(lowered):
            if len(hits) >= max_hits:
                break
            pos, after = match.span()
            # A word character after ".onion" lengthens the name; in packed bytes it may
            # be the next stored value, so a checksum-valid v3 address still counts.
            touched = _followed_by_word(lowered, after, step)
            if touched and not packed:
                continue
            start = _address_start(lowered, pos, step, packed)
            if start is None:
                continue
            label = lowered[start:pos:step].decode("ascii")
            valid = checksum_valid(label)
            if touched and not valid:
                continue
            hits.append(
                OnionHit(
                    address=label + ".onion",
                    version=3 if len(label) == V3_LENGTH else 2,
                    checksum_valid=valid,
                    offset=start,
                    length=after - start,
                    encoding=encoding,
                )
            )
    hits.sort(key=lambda hit: hit.offset)
    return hits

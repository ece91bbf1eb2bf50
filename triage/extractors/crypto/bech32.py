"""Bech32 / Bech32m (BIP173, BIP350) segwit addresses and Bitcoin Cash's cashaddr.

Written from the BIP texts: a BCH code over 5-bit groups whose polymod residue is 1
(bech32) or 0x2bc830a3 (bech32m); cashaddr is a 40-bit BCH code with its own generator.
"""

from __future__ import annotations

from dataclasses import dataclass

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHARSET_INDEX = {char: value for value, char in enumerate(CHARSET)}
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _generator_table(generator: tuple[int, ...]) -> tuple[int, ...]:
    """XOR of the generator terms selected by each 5-bit value (one look-up per character)."""
    table = []
    for top in range(32):
        term = 0
        for bit in range(5):
            if (top >> bit) & 1:
                term ^= generator[bit]
        table.append(term)
    return tuple(table)


_GENERATOR_TABLE = _generator_table(_GENERATOR)


def _polymod(values: list[int]) -> int:
    checksum = 1
    table = _GENERATOR_TABLE
    for value in values:
        checksum = ((checksum & 0x1FFFFFF) << 5 ^ value) ^ table[checksum >> 25]
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_create_checksum(hrp: str, data: list[int], const: int) -> list[int]:
    """Return the six checksum characters' values for ``hrp`` and ``data``."""
    polymod = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    return [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]


def bech32_encode(hrp: str, data: list[int], const: int) -> str:
    """Encode 5-bit ``data`` under ``hrp`` with the bech32 or bech32m constant."""
    combined = data + bech32_create_checksum(hrp, data, const)
    return hrp + "1" + "".join(CHARSET[d] for d in combined)


def bech32_decode(text: str) -> tuple[str, list[int], str] | None:
    """Decode a bech32/bech32m string to (hrp, data without checksum, 'bech32'|'bech32m')."""
    # Only the characters 33..126: printable ASCII without the space.
    if len(text) > 90 or not (text.isascii() and text.isprintable()) or " " in text:
        return None
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        return None
    hrp = text[:pos]
    data = []
    for char in text[pos + 1 :]:
        value = _CHARSET_INDEX.get(char)
        if value is None:
            return None
        data.append(value)
    residue = _polymod(_hrp_expand(hrp) + data)
    if residue == BECH32_CONST:
        return hrp, data[:-6], "bech32"
    if residue == BECH32M_CONST:
        return hrp, data[:-6], "bech32m"
    return None


def convertbits(data: list[int] | bytes, frombits: int, tobits: int, pad: bool) -> list[int] | None:
    """Regroup bits (8→5 to encode, 5→8 to decode); None on invalid padding."""
    acc = 0
    bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


@dataclass(frozen=True)
class SegwitAddress:
    """A decoded segwit address."""

    hrp: str
    version: int
    program: bytes

    def script_pubkey(self) -> bytes:
        """The output script this address pays to."""
        op = 0x50 + self.version if self.version else 0
        return bytes([op, len(self.program)]) + self.program


def segwit_decode(text: str, hrp: str | None = None) -> SegwitAddress | None:
    """Decode a segwit address, enforcing BIP173/BIP350 rules (v0 bech32, v1+ bech32m)."""
    decoded = bech32_decode(text)
    if decoded is None:
        return None
    got_hrp, data, encoding = decoded
    if (hrp is not None and got_hrp != hrp) or not data or data[0] > 16:
        return None
    program = convertbits(data[1:], 5, 8, False)
    if program is None or not 2 <= len(program) <= 40:
        return None
    version = data[0]
    if version == 0 and len(program) not in (20, 32):
        return None
    if (version == 0) != (encoding == "bech32"):
        return None
    return SegwitAddress(got_hrp, version, bytes(program))


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    """Encode a segwit address (bech32 for v0, bech32m otherwise)."""
    data = [version] + (convertbits(program, 8, 5, True) or [])
    return bech32_encode(hrp, data, BECH32_CONST if version == 0 else BECH32M_CONST)


# -- cashaddr ----------------------------------------------------------------------------
_CASH_GENERATOR = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)


_CASH_GENERATOR_TABLE = _generator_table(_CASH_GENERATOR)


def _cash_polymod(values: list[int]) -> int:
    checksum = 1
    table = _CASH_GENERATOR_TABLE
    for value in values:
        checksum = (((checksum & 0x07FFFFFFFF) << 5) ^ value) ^ table[checksum >> 35]
    return checksum ^ 1


def _cash_prefix(prefix: str) -> list[int]:
    return [ord(c) & 31 for c in prefix] + [0]


@dataclass(frozen=True)
class CashAddress:
    """A decoded cashaddr: prefix, type (0 P2PKH, 1 P2SH) and the hash."""

    prefix: str
    kind: int
    hash: bytes


def cashaddr_decode(text: str, default_prefix: str = "bitcoincash") -> CashAddress | None:
    """Decode a cashaddr with or without its ``prefix:``; None if the checksum fails."""
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    prefix, sep, payload = text.rpartition(":")
    if not sep:
        prefix = default_prefix
    if not prefix or len(payload) < 9 or len(payload) > 112:
        return None
    values = []
    for char in payload:
        value = _CHARSET_INDEX.get(char)
        if value is None:
            return None
        values.append(value)
    if _cash_polymod(_cash_prefix(prefix) + values) != 0:
        return None
    data = convertbits(values[:-8], 5, 8, False)
    if not data:
        return None
    version = data[0]
    if version & 0x80:
        return None
    sizes = (20, 24, 28, 32, 40, 48, 56, 64)
    body = bytes(data[1:])
    if len(body) != sizes[version & 7]:
        return None
    return CashAddress(prefix, version >> 3, body)


def cashaddr_encode(prefix: str, kind: int, hash_: bytes) -> str:
    """Encode a cashaddr (with its prefix)."""
    sizes = (20, 24, 28, 32, 40, 48, 56, 64)
    version = (kind << 3) | sizes.index(len(hash_))
    values = convertbits(bytes([version]) + hash_, 8, 5, True) or []
    polymod = _cash_polymod(_cash_prefix(prefix) + values + [0] * 8)
    checksum = [(polymod >> 5 * (7 - i)) & 31 for i in range(8)]
    return prefix + ":" + "".join(CHARSET[v] for v in values + checksum)

"""Base58 in its three flavours: Bitcoin (Base58Check), Ripple's alphabet, and Monero's blocks."""

from __future__ import annotations

from .hashes import sha256d

BITCOIN_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
RIPPLE_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"

_INDEX = {
    alphabet: {char: value for value, char in enumerate(alphabet)}
    for alphabet in (BITCOIN_ALPHABET, RIPPLE_ALPHABET)
}

#: Longest string decoded; keeps big-integer work bounded on hostile input.
MAX_BASE58_LENGTH = 160


def b58decode(
    text: str, alphabet: str = BITCOIN_ALPHABET, max_length: int = MAX_BASE58_LENGTH
) -> bytes | None:
    """Decode Base58 text to bytes; None on a character outside the alphabet or text longer
    than ``max_length``."""
    if len(text) > max_length:
        return None
    index = _INDEX[alphabet]
    number = 0
    for char in text:
        value = index.get(char)
        if value is None:
            return None
        number = number * 58 + value
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip(alphabet[0]))
    return b"\x00" * zeros + body


def b58encode(data: bytes, alphabet: str = BITCOIN_ALPHABET) -> str:
    """Encode bytes as Base58 (leading zero bytes become the alphabet's first character)."""
    number = int.from_bytes(data, "big")
    chars = []
    while number:
        number, rest = divmod(number, 58)
        chars.append(alphabet[rest])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return alphabet[0] * zeros + "".join(reversed(chars))


def b58check_decode(text: str, alphabet: str = BITCOIN_ALPHABET) -> bytes | None:
    """Return the payload of a Base58Check string, or None if it is not one (bad checksum)."""
    raw = b58decode(text, alphabet)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    return payload if sha256d(payload)[:4] == checksum else None


def b58check_encode(payload: bytes, alphabet: str = BITCOIN_ALPHABET) -> str:
    """Encode a payload with its 4-byte double-SHA-256 checksum."""
    return b58encode(payload + sha256d(payload)[:4], alphabet)


# Monero encodes 8-byte blocks as 11 characters; a short final block uses fewer.
_MONERO_BLOCK_CHARS = (0, 2, 3, 5, 6, 7, 9, 10, 11)
_MONERO_CHARS_TO_BYTES = {chars: size for size, chars in enumerate(_MONERO_BLOCK_CHARS)}


def monero_b58decode(text: str) -> bytes | None:
    """Decode Monero's block-wise Base58; None on a bad character or impossible block."""
    if len(text) > MAX_BASE58_LENGTH:
        return None
    index = _INDEX[BITCOIN_ALPHABET]
    out = bytearray()
    for start in range(0, len(text), 11):
        block = text[start : start + 11]
        size = _MONERO_CHARS_TO_BYTES.get(len(block))
        if size is None:
            return None
        number = 0
        for char in block:
            value = index.get(char)
            if value is None:
                return None
            number = number * 58 + value
        if number >> (8 * size):
            return None
        out += number.to_bytes(size, "big")
    return bytes(out)


def monero_b58encode(data: bytes) -> str:
    """Encode bytes in Monero's block-wise Base58."""
    out = []
    for start in range(0, len(data), 8):
        block = data[start : start + 8]
        number = int.from_bytes(block, "big")
        chars = []
        for _ in range(_MONERO_BLOCK_CHARS[len(block)]):
            number, rest = divmod(number, 58)
            chars.append(BITCOIN_ALPHABET[rest])
        out.append("".join(reversed(chars)))
    return "".join(out)

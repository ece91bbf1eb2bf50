"""BIP-39 mnemonic checksums and Electrum seed versions.

BIP-39: each word is 11 bits; the last ``n/3`` bits of the concatenation are the first
bits of SHA-256 over the entropy. Electrum (2.0+) seeds carry no checksum bits; their
type is the prefix of HMAC-SHA512(key="Seed version", normalised phrase) in hex.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from .bip39_english import WORDS

WORD_INDEX: dict[str, int] = {word: index for index, word in enumerate(WORDS)}
BIP39_LENGTHS = (12, 15, 18, 21, 24)

# Electrum seed type -> hex prefix of HMAC-SHA512("Seed version", seed)
ELECTRUM_PREFIXES: tuple[tuple[str, str], ...] = (
    ("standard", "01"),
    ("segwit", "100"),
    ("2fa", "101"),
    ("2fa_segwit", "102"),
)


def bip39_entropy(words: list[str]) -> bytes | None:
    """Return the entropy of a valid English BIP-39 mnemonic, None if any check fails."""
    if len(words) not in BIP39_LENGTHS:
        return None
    number = 0
    for word in words:
        index = WORD_INDEX.get(word.lower())
        if index is None:
            return None
        number = (number << 11) | index
    checksum_bits = len(words) // 3
    entropy_bits = len(words) * 11 - checksum_bits
    entropy = (number >> checksum_bits).to_bytes(entropy_bits // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    return entropy if expected == number & ((1 << checksum_bits) - 1) else None


def bip39_is_valid(words: list[str]) -> bool:
    """True when ``words`` is a valid English BIP-39 mnemonic (checksum verified)."""
    return bip39_entropy(words) is not None


def bip39_from_entropy(entropy: bytes) -> list[str]:
    """Return the English mnemonic for 16/20/24/28/32 bytes of entropy."""
    if len(entropy) not in (16, 20, 24, 28, 32):
        raise ValueError("entropy must be 16, 20, 24, 28 or 32 bytes")
    bits = len(entropy) * 8
    checksum_bits = bits // 32
    number = int.from_bytes(entropy, "big") << checksum_bits
    number |= hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    count = (bits + checksum_bits) // 11
    return [WORDS[(number >> (11 * (count - 1 - i))) & 0x7FF] for i in range(count)]


def normalize_electrum(phrase: str) -> str:
    """Normalise a phrase the way Electrum does before hashing (NFKD, lower case, no accents)."""
    if phrase.isascii():
        # NFKD leaves ASCII as it is and ASCII has no combining marks.
        return " ".join(phrase.lower().split())
    text = unicodedata.normalize("NFKD", phrase).lower()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def electrum_seed_type(words: list[str]) -> str | None:
    """Return Electrum's seed type ('standard', 'segwit', '2fa', ...) or None."""
    digest = hmac.new(
        b"Seed version", normalize_electrum(" ".join(words)).encode("utf-8"), hashlib.sha512
    ).hexdigest()
    for name, prefix in ELECTRUM_PREFIXES:
        if digest.startswith(prefix):
            return name
    return None

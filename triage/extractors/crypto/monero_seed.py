"""Monero's 25-word seeds (monero-wallet-cli, the GUI, most mobile wallets).

24 words carry the 32-byte private spend key, three words for each little-endian 32-bit
piece (``x = w1 + n * ((w2 - w1) mod n) + n² * ((w3 - w2) mod n)`` over the 1,626-word
list, and ``x mod n`` must give ``w1`` back); the 25th repeats the word at
``CRC-32(first three letters of each of the 24) mod 24``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from .monero_english import UNIQUE_PREFIX, WORDS

WORD_INDEX: dict[str, int] = {word: index for index, word in enumerate(WORDS)}
SEED_WORDS = 25
_LIST_SIZE = len(WORDS)


def monero_checksum_valid(words: Sequence[str]) -> bool:
    """True when ``words`` (lower-case list words) are a 25-word seed whose last word is
    the checksum word of the 24 before it (compared by prefix, as Monero does)."""
    if len(words) != SEED_WORDS:
        return False
    body = words[:-1]
    prefixes = "".join(word[:UNIQUE_PREFIX] for word in body)
    chosen = body[zlib.crc32(prefixes.encode("ascii")) % len(body)]
    return chosen[:UNIQUE_PREFIX] == words[-1][:UNIQUE_PREFIX]


def monero_spend_key(words: Sequence[str]) -> bytes | None:
    """The 32-byte private spend key the first 24 of ``words`` encode; None when a word
    is not on the list or a group of three does not decode (no wallet writes such)."""
    if len(words) < SEED_WORDS - 1:
        return None
    n = _LIST_SIZE
    key = b""
    try:
        indexes = [WORD_INDEX[word] for word in words[: SEED_WORDS - 1]]
    except KeyError:
        return None
    for first, second, third in zip(indexes[0::3], indexes[1::3], indexes[2::3], strict=True):
        value = first + n * ((second - first) % n) + n * n * ((third - second) % n)
        if value % n != first or value >= 1 << 32:
            return None
        key += struct.pack("<I", value)
    return key

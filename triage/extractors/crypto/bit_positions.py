"""Bit-mask helpers shared by the seed-phrase searches: where a mask's bits are set, and
the table that keeps only letters (lower-cased) of a byte string."""

from __future__ import annotations


def _is_letter(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


#: Letters lower-cased, everything else a space (one byte in, one byte out).
LETTERS_ONLY = bytes(c | 0x20 if _is_letter(c) else 0x20 for c in range(256))
_NONZERO = bytes(1 if c else 0 for c in range(256))
_BIT_POSITIONS = tuple(tuple(bit for bit in range(8) if c >> bit & 1) for c in range(256))


def set_bits(mask: int, size: int) -> list[int]:
    """Positions of the set bits of ``mask``, ascending."""
    raw = mask.to_bytes(size // 8, "little")
    find = raw.translate(_NONZERO).find
    positions: list[int] = []
    append = positions.append
    index = find(1)
    while index >= 0:
        offsets = _BIT_POSITIONS[raw[index]]
        base = index << 3
        if len(offsets) == 1:
            append(base + offsets[0])
        else:
            positions += [base + bit for bit in offsets]
        index = find(1, index + 1)
    return positions

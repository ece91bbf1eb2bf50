"""Read Mozilla's ``mozLz40`` files (sessionstore.jsonlz4, bookmark backups, search.json.mozlz4).

Layout: the 8-byte magic ``mozLz40\\0``, the decompressed size as a 32-bit little-endian
integer, then one LZ4 *block* (no frame). The block decoder below follows the LZ4 block
format description and checks every length and offset against the input and the
output cap, so corrupt or hostile input raises :class:`LZ4Error` instead of looping or
growing without bound.
"""

from __future__ import annotations

MOZLZ4_MAGIC = b"mozLz40\x00"
#: Largest decompressed size accepted (sessionstore files are a few MiB at most).
MAX_OUTPUT = 64 * 1024 * 1024


class LZ4Error(ValueError):
    """The data is not a valid LZ4 block (or not a mozLz40 file)."""


def _read_length(data: bytes, pos: int, base: int) -> tuple[int, int]:
    length = base
    if base == 15:
        while True:
            if pos >= len(data):
                raise LZ4Error("truncated length")
            byte = data[pos]
            pos += 1
            length += byte
            if byte != 255:
                break
    return length, pos


def lz4_block_decompress(data: bytes, max_output: int = MAX_OUTPUT) -> bytes:
    """Decompress one LZ4 block; raise :class:`LZ4Error` on malformed input."""
    out = bytearray()
    pos = 0
    end = len(data)
    while pos < end:
        token = data[pos]
        pos += 1
        literal_length, pos = _read_length(data, pos, token >> 4)
        if pos + literal_length > end:
            raise LZ4Error("literals run past the end of the block")
        if len(out) + literal_length > max_output:
            raise LZ4Error("output exceeds the size cap")
        out += data[pos : pos + literal_length]
        pos += literal_length
        if pos >= end:
            break
        if pos + 2 > end:
            raise LZ4Error("truncated match offset")
        offset = data[pos] | (data[pos + 1] << 8)
        pos += 2
        if offset == 0 or offset > len(out):
            raise LZ4Error("match offset outside the output")
        match_length, pos = _read_length(data, pos, token & 15)
        match_length += 4
        if len(out) + match_length > max_output:
            raise LZ4Error("output exceeds the size cap")
        start = len(out) - offset
        if offset >= match_length:
            out += out[start : start + match_length]
        else:
            # Overlapping match: the copied bytes repeat the last `offset` bytes.
            pattern = bytes(out[start:])
            repeats, rest = divmod(match_length, offset)
            out += pattern * repeats + pattern[:rest]
    return bytes(out)


def read_mozlz4(data: bytes, max_output: int = MAX_OUTPUT) -> bytes:
    """Return the decompressed content of a mozLz40 file; raise :class:`LZ4Error` if invalid."""
    if not data.startswith(MOZLZ4_MAGIC) or len(data) < 12:
        raise LZ4Error("not a mozLz40 file")
    declared = int.from_bytes(data[8:12], "little")
    if declared > max_output:
        raise LZ4Error(f"declared size {declared} exceeds the cap")
    out = lz4_block_decompress(data[12:], max_output=declared)
    if len(out) != declared:
        raise LZ4Error(f"decompressed {len(out)} bytes, header says {declared}")
    return out

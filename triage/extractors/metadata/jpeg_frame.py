"""Read a JPEG's pixel dimensions from its start-of-frame marker (bounded walk)."""

from __future__ import annotations

import struct

#: Start-of-frame markers that carry the image size (not DHT 0xC4, JPG 0xC8, DAC 0xCC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: A JPEG has a few dozen segments before its frame header; more means garbage.
_MAX_SEGMENTS = 1024


def jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    """Return ``(width, height)`` from the first SOF segment of a JPEG, or None."""
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    size = len(data)
    for _ in range(_MAX_SEGMENTS):
        while pos < size and data[pos] == 0xFF and pos + 1 < size and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if pos + 4 > size or data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):
            return None
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if pos + 9 > size:
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return (width, height) if width and height else None
        pos += 2 + length
    return None


def jpeg_header_length(data: bytes) -> int | None:
    """Return the length of a JPEG's header: every segment up to and including the
    start-of-scan segment, after which only coded image data (and, rarely, trailing
    segments) follow. None when ``data`` is not a JPEG or ends before its scan starts.

    EXIF, XMP, ICC profiles and the frame header (the size) all sit in the header, so
    a reader of metadata needs only these bytes, not the image.
    """
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    size = len(data)
    for _ in range(_MAX_SEGMENTS):
        while pos + 1 < size and data[pos] == 0xFF and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if pos + 4 > size or data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker == 0xD9:
            return None
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            return None
        end = pos + 2 + length
        if marker == 0xDA:
            return end if end <= size else None
        pos = end
    return None

"""Walk a JPEG's segments (bounded): its pixel dimensions from the start-of-frame
marker, where its EXIF segment is, and how long its header is."""

from __future__ import annotations

import struct
from collections.abc import Iterator

#: Start-of-frame markers that carry the image size (not DHT 0xC4, JPG 0xC8, DAC 0xCC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: A JPEG has a few dozen segments before its frame header; more means garbage.
_MAX_SEGMENTS = 1024
#: Marker of the start of scan: coded image data follows its segment.
SOS = 0xDA
#: Marker of the end of the image.
EOI = 0xD9
#: Marker of an APP1 segment, which holds EXIF (after ``Exif\0\0``) or XMP.
APP1 = 0xE1
EXIF_HEADER = b"Exif\x00\x00"
#: What starts an APP1 segment that holds an XMP packet.
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"


def jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """Yield ``(offset, marker, declared length)`` of each segment of a JPEG, from the
    start up to and including the start of scan (:data:`SOS`), or the end of the image
    (:data:`EOI`, length 0) when it comes first. Stops quietly at anything that is not a
    segment, at the end of ``data`` (a segment's marker and length must be in it; its
    body may be cut), or after :data:`_MAX_SEGMENTS`: a caller that saw neither marker
    cannot tell what follows."""
    if not data.startswith(b"\xff\xd8"):
        return
    pos = 2
    size = len(data)
    for _ in range(_MAX_SEGMENTS):
        while pos + 1 < size and data[pos] == 0xFF and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if pos + 4 > size or data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2  # markers without a length
            continue
        if marker == EOI:
            yield pos, marker, 0
            return
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            return
        yield pos, marker, length
        if marker == SOS:
            return
        pos += 2 + length


def jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    """Return ``(width, height)`` from the first SOF segment of a JPEG, or None."""
    for pos, marker, _ in jpeg_segments(data):
        if marker in _SOF_MARKERS:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return (width, height) if width and height else None
    return None


def jpeg_header_length(data: bytes) -> int | None:
    """Return the length of a JPEG's header: every segment up to and including the
    start-of-scan segment, after which only coded image data (and, rarely, trailing
    segments) follow. None when ``data`` is not a JPEG or ends before its scan starts.

    EXIF, XMP, ICC profiles and the frame header (the size) all sit in the header, so
    a reader of metadata needs only these bytes, not the image.
    """
    for pos, marker, length in jpeg_segments(data):
        if marker == SOS:
            end = pos + 2 + length
            return end if end <= len(data) else None
    return None


def jpeg_exif_segment(data: bytes) -> tuple[int, int] | None:
    """Return ``(offset, declared length)`` of a JPEG's EXIF APP1 segment, found by
    walking the segments from the start (not by searching the bytes: a comment may hold
    anything); None when there is none before the scan or ``data`` ends first."""
    for pos, marker, length in jpeg_segments(data):
        if marker == APP1 and data[pos + 4 : pos + 10] == EXIF_HEADER:
            return pos, length
    return None


def jpeg_xmp_packet(data: bytes) -> bytes | None:
    """Return the XMP packet of a JPEG's first XMP APP1 segment (cut short when ``data``
    is), found by walking the segments up to the scan; None when there is none."""
    for pos, marker, length in jpeg_segments(data):
        start = pos + 4 + len(XMP_HEADER)
        if marker == APP1 and data[pos + 4 : start] == XMP_HEADER:
            return data[start : pos + 2 + length]
    return None

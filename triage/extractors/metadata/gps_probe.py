"""A cheap look for a GPS position in a JPEG's EXIF, before the full ExifRead parse."""

from __future__ import annotations

import struct

from triage.extractors.metadata.jpeg_frame import jpeg_exif_segment

_GPS_IFD_POINTER = 0x8825
#: Markers a JPEG may hold before its APP1 segment; more than this is not a photo.
_MAX_SEGMENTS = 64


def jpeg_has_gps(data: bytes) -> bool | None:
    """Return whether the JPEG's EXIF holds a GPS position (a GPS IFD with a latitude and
    a longitude).

    ``False`` when the file has no EXIF, its IFD0 has no GPS pointer or its GPS IFD has
    no position; ``None`` when the structure cannot be read in ``data`` (the caller then
    parses in full, so nothing is lost).
    """
    status, tiff = _find_exif(data)
    if status == _ABSENT:
        return False
    if status == _UNKNOWN:
        return None
    return _ifd0_has_gps(tiff)


def jpeg_exif_block(data: bytes) -> bytes | None:
    """Return the TIFF block of a JPEG's EXIF APP1 segment, found by walking the segments.

    None when there is none, or the data is not a JPEG or ends before one is found. The
    block may be cut short when ``data`` is.
    """
    found = jpeg_exif_segment(data)
    if found is None:
        return None
    start, length = found
    return data[start + 10 : start + 2 + length]


_FOUND, _ABSENT, _UNKNOWN = "found", "absent", "unknown"


def _find_exif(data: bytes) -> tuple[str, bytes]:
    """(status, TIFF block): found; absent (the frame starts first); unknown (not a JPEG,
    or the data ends or breaks off before the answer)."""
    if data[:2] != b"\xff\xd8":
        return _UNKNOWN, b""
    position = 2
    for _ in range(_MAX_SEGMENTS):
        if position + 4 > len(data) or data[position] != 0xFF:
            return _UNKNOWN, b""
        marker = data[position + 1]
        if marker == 0xDA or marker == 0xD9:  # start of scan / end of image: no EXIF ahead
            return _ABSENT, b""
        length = struct.unpack_from(">H", data, position + 2)[0]
        segment = data[position + 4 : position + 2 + length]
        if marker == 0xE1 and segment[:6] == b"Exif\x00\x00":
            return _FOUND, segment[6:]
        position += 2 + length
    return _UNKNOWN, b""


def _ifd0_has_gps(tiff: bytes) -> bool | None:
    """Whether IFD0 points to a GPS IFD that holds a latitude and a longitude (cameras
    write an empty GPS IFD, or one with only GPSVersionID, when they had no fix)."""
    if tiff[:2] == b"II":
        order = "<"
    elif tiff[:2] == b"MM":
        order = ">"
    else:
        return None
    try:
        gps = _tag_value(tiff, order, struct.unpack_from(f"{order}I", tiff, 4)[0],
                         _GPS_IFD_POINTER)
        if gps is None:
            return False
        tags = _tags(tiff, order, gps)
    except struct.error:
        return None
    return _GPS_LATITUDE in tags and _GPS_LONGITUDE in tags


_GPS_LATITUDE, _GPS_LONGITUDE = 2, 4


def _tags(tiff: bytes, order: str, offset: int) -> set[int]:
    """The tags of the IFD at ``offset`` (struct.error when it lies past the data)."""
    count = struct.unpack_from(f"{order}H", tiff, offset)[0]
    return {struct.unpack_from(f"{order}H", tiff, offset + 2 + 12 * index)[0]
            for index in range(min(count, 1024))}


def _tag_value(tiff: bytes, order: str, offset: int, wanted: int) -> int | None:
    """The LONG value of tag ``wanted`` in the IFD at ``offset``, or None without it."""
    count = struct.unpack_from(f"{order}H", tiff, offset)[0]
    for index in range(min(count, 1024)):
        entry = offset + 2 + 12 * index
        if struct.unpack_from(f"{order}H", tiff, entry)[0] == wanted:
            return struct.unpack_from(f"{order}I", tiff, entry + 8)[0]
    return None

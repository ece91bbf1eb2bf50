"""A cheap look for a GPS position in a JPEG's EXIF, before the full ExifRead parse."""

from __future__ import annotations

import struct

_GPS_IFD_POINTER = 0x8825
#: Markers a JPEG may hold before its APP1 segment; more than this is not a photo.
_MAX_SEGMENTS = 64


def jpeg_has_gps(data: bytes) -> bool | None:
    """Return whether the JPEG's EXIF IFD0 points to a GPS IFD.

    ``False`` when the file has no EXIF or its IFD0 has no GPS pointer; ``None`` when the
    structure cannot be read (the caller then parses in full, so nothing is lost).
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
    status, tiff = _find_exif(data)
    return tiff if status == _FOUND else None


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
    if tiff[:2] == b"II":
        order = "<"
    elif tiff[:2] == b"MM":
        order = ">"
    else:
        return None
    try:
        offset = struct.unpack_from(f"{order}I", tiff, 4)[0]
        count = struct.unpack_from(f"{order}H", tiff, offset)[0]
        for index in range(min(count, 1024)):
            tag = struct.unpack_from(f"{order}H", tiff, offset + 2 + 12 * index)[0]
            if tag == _GPS_IFD_POINTER:
                return True
    except struct.error:
        return None
    return False

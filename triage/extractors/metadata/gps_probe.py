"""A cheap look for a GPS position in a JPEG's EXIF or XMP, before the full parse."""

from __future__ import annotations

import struct

from triage.extractors.metadata.jpeg_frame import (
    APP1,
    EOI,
    EXIF_HEADER,
    SOS,
    XMP_HEADER,
    jpeg_exif_segment,
    jpeg_segments,
)

_GPS_IFD_POINTER = 0x8825
_EXIF_IFD_POINTER = 0x8769


def jpeg_has_gps(data: bytes) -> bool | None:
    """Return whether the JPEG holds a GPS position: a GPS IFD with a latitude and a
    longitude in its EXIF, or an XMP packet that names both.

    ``False`` when the header up to the scan has neither (no EXIF, no GPS pointer, a
    GPS IFD without a position), or when its EXIF has none and ``data`` ends before the
    scan with no XMP seen; ``None`` when the structure cannot be read in ``data`` (the
    caller then parses in full, so nothing is lost).
    """
    exif_seen = False
    for pos, marker, length in jpeg_segments(data):
        if marker == APP1 and not exif_seen and data[pos + 4 : pos + 8] == EXIF_HEADER[:4]:
            if data[pos + 4 : pos + 10] != EXIF_HEADER:
                # "Exif" with other padding (Exif\0\xff): ExifRead and exiftool read it,
                # so the full parse decides.
                return None
            answer = _ifd0_has_gps(data[pos + 10 : pos + 2 + length])
            if answer is not False:
                return answer
            exif_seen = True
        elif marker == APP1 and data[pos + 4 : pos + 4 + len(XMP_HEADER)] == XMP_HEADER:
            segment = data[pos : pos + 2 + length]
            if b"GPSLatitude" in segment and b"GPSLongitude" in segment:
                return True
            if pos + 2 + length > len(data):
                return None  # the packet goes on past the data
        elif marker == SOS or marker == EOI:
            return False
    # The data ends before the scan: an XMP packet further on is not seen here.
    return False if exif_seen else None


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


def _ifd0_has_gps(tiff: bytes) -> bool | None:
    """Whether IFD0, or the EXIF IFD it points to, points to a GPS IFD that holds a
    latitude and a longitude (cameras write an empty GPS IFD, or one with only
    GPSVersionID, when they had no fix; some software puts the GPS pointer in the EXIF
    IFD, where the full parse also follows it)."""
    if tiff[:2] == b"II":
        order = "<"
    elif tiff[:2] == b"MM":
        order = ">"
    else:
        return None
    try:
        ifd0 = struct.unpack_from(f"{order}I", tiff, 4)[0]
        gps = _tag_value(tiff, order, ifd0, _GPS_IFD_POINTER)
        if gps is None:
            exif = _tag_value(tiff, order, ifd0, _EXIF_IFD_POINTER)
            gps = None if exif is None else _tag_value(tiff, order, exif, _GPS_IFD_POINTER)
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

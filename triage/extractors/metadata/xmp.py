"""XMP packets: flattened to their properties, and read for a photo's camera, times and GPS.

XMP is Adobe's RDF/XML metadata (ISO 16684-1). PDFs carry it as a stream; photos in a
JPEG APP1 segment. Editors and some phones write a photo's GPS position or capture time
only there; exiftool reads it, so an examiner expects it read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from triage.extractors.metadata.result import MetadataResult, signed_coordinate
from triage.extractors.metadata.safexml import UnsafeXml, local_name, parse_xml
from triage.extractors.metadata.textvalues import clean_text, iso_utc, parse_utc_offset

_XMP_ARRAYS = frozenset({"Seq", "Alt", "Bag"})
_STRUCTURE = frozenset({"li", "Seq", "Alt", "Bag", "Description", "RDF", "xmpmeta"})


def xmp_values(root: Any) -> dict[str, str]:
    """Flatten an XMP tree to {local name: text}; rdf:Seq/Alt/Bag items are joined by '; '.

    Properties written as attributes of rdf:Description (the compact form) count as well
    as those written as elements; the first of a name wins.
    """
    out: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for key, value in element.attrib.items():
            out.setdefault(local_name(key), value.strip())
        name = local_name(element.tag)
        # An array is the property's rdf:Seq/Alt/Bag child and that child's rdf:li
        # children; looking only there keeps the walk linear (every element's whole
        # subtree made 20,000 nested elements take 30 s).
        items = [
            _li_text(li)
            for container in element
            if isinstance(container.tag, str) and local_name(container.tag) in _XMP_ARRAYS
            for li in container
            if isinstance(li.tag, str) and local_name(li.tag) == "li"
        ]
        text = "; ".join(i for i in items if i) if items else (element.text or "").strip()
        if text and name not in _STRUCTURE:
            out.setdefault(name, text)
    return out


def _li_text(li: Any) -> str:
    """An rdf:li's text with that of its direct children ("Report <b>draft</b> 2"): one
    level only, so nested arrays keep the walk linear."""
    parts = [li.text or ""]
    for child in li:
        parts += [child.text or "", child.tail or ""]
    return "".join(parts).strip()


#: Photo attribute -> the XMP properties (local names) that hold it, first found wins:
#: the tiff, exif, exifEX (CIPA), aux (Adobe camera raw) and xmp namespaces.
_PHOTO_TEXT = {
    "make": ("Make",),
    "model": ("Model",),
    "software": ("Software", "CreatorTool"),
    "serial_number": ("BodySerialNumber", "SerialNumber"),
    "lens_make": ("LensMake",),
    "lens_model": ("LensModel", "Lens"),
    "lens_serial_number": ("LensSerialNumber",),
}
#: Photo time -> XMP properties, as the Metadata Working Group maps EXIF's times to XMP.
_PHOTO_TIMES = {
    "original": ("DateTimeOriginal", "DateCreated"),
    "digitized": ("DateTimeDigitized", "CreateDate"),
}
_PHOTO_MODIFIED = ("ModifyDate", "DateTime")

#: An XMP date (ISO 8601 as XMP restricts it): date, optional time, fraction and zone;
#: EXIF's "YYYY:MM:DD HH:MM:SS" and one-digit zone hours are written too, and read.
_XMP_DATE = re.compile(
    r"^(\d{4})(?:[-:](\d{2})(?:[-:](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
    r"\s*(Z|[+-]\d{1,2}:?\d{2})?)?)?)?$")
#: An XMP GPS coordinate: "DDD,MM,SSk" or "DDD,MM.mmk" (k one of N S E W).
_XMP_COORDINATE = re.compile(
    r"^(\d{1,3}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])$")


def read_photo_xmp(packet: bytes, result: MetadataResult) -> None:
    """Add to ``result`` what a photo's XMP ``packet`` holds and its EXIF did not.

    EXIF comes first, as for exiftool: XMP only fills attributes still missing. A packet
    that cannot be parsed leaves a warning and nothing else.
    """
    try:
        values = xmp_values(parse_xml(packet.rstrip(b"\x00")))
    except UnsafeXml as exc:
        result.warnings.append(f"XMP: {exc}")
        return
    found = MetadataResult()
    for name, keys in _PHOTO_TEXT.items():
        found.set(name, clean_text(_first(values, keys)))
    for kind, keys in _PHOTO_TIMES.items():
        # A time, its zone and its UTC come from one source: an editor's zone on the
        # camera's clock time would be a guess.
        if f"datetime_{kind}" not in result.attributes:
            _time(found, kind, _first(values, keys))
    recorded, _, _ = _xmp_date(_first(values, _PHOTO_MODIFIED))
    found.set("datetime_modified", recorded)
    _xmp_gps(values, found)
    orientation = values.get("Orientation", "")
    if orientation.isdigit() and 1 <= int(orientation) <= 8:
        found.set("orientation", int(orientation))
    for name, value in found.attributes.items():
        result.attributes.setdefault(name, value)
    result.warnings += [f"XMP {message}" for message in found.warnings]


def _first(values: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if values.get(key):
            return values[key]
    return None


def _xmp_date(text: str | None) -> tuple[str | None, str | None, datetime | None]:
    """(EXIF-style "YYYY:MM:DD HH:MM:SS" as recorded, the zone as "+HH:MM" when there is
    one, the moment in UTC when both time and zone are there) of an XMP date; exiftool
    shows XMP dates in EXIF's form too."""
    match = _XMP_DATE.match((text or "").strip())
    if not match:
        return None, None, None
    year, month, day, hour, minute, second, _, zone = match.groups()
    recorded = ":".join(part for part in (year, month, day) if part)
    if hour is None:
        return recorded, None, None
    clock = f"{hour}:{minute}:{second or '00'}"
    recorded = f"{recorded} {clock}"
    try:
        moment = datetime.strptime(recorded, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, None, None
    tz = parse_utc_offset("+00:00" if zone == "Z" else zone)
    if tz is None:
        return recorded, None, None
    offset = moment.replace(tzinfo=tz).strftime("%z")
    return recorded, f"{offset[:3]}:{offset[3:5]}", moment.replace(tzinfo=tz)


def _time(found: MetadataResult, kind: str, text: str | None) -> None:
    recorded, offset, moment = _xmp_date(text)
    if text and recorded is None:
        found.warnings.append(f"date {text[:40]!r} is not an XMP date; ignored")
        return
    found.set(f"datetime_{kind}", recorded)
    if moment is not None:
        found.set(f"datetime_{kind}_utc", iso_utc(moment))
        found.set(f"utc_offset_{kind}", offset)


def _xmp_coordinate(text: str | None, limit: float, negative: str,
                    found: MetadataResult, axis: str) -> float | None:
    if not text:
        return None
    match = _XMP_COORDINATE.match(text.strip().upper())
    if not match:
        found.warnings.append(f"GPS {axis} {text[:40]!r} is not an XMP coordinate; ignored")
        return None
    degrees, minutes, seconds, ref = match.groups()
    value = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    return signed_coordinate(value, ref, negative, limit, axis, found)


def _rational(text: str | None) -> float | None:
    """An XMP rational ("176/5") or a plain number; None when it is neither or n/0."""
    if not text:
        return None
    numerator, _, denominator = text.strip().partition("/")
    try:
        value = float(numerator) / float(denominator) if denominator else float(numerator)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def _xmp_gps(values: dict[str, str], found: MetadataResult) -> None:
    latitude = _xmp_coordinate(values.get("GPSLatitude"), 90.0, "S", found, "latitude")
    longitude = _xmp_coordinate(values.get("GPSLongitude"), 180.0, "W", found, "longitude")
    if latitude is not None and longitude is not None:
        found.set("gps_latitude", latitude)
        found.set("gps_longitude", longitude)
    elif latitude is not None or longitude is not None:
        found.warnings.append("GPS position incomplete (latitude or longitude missing)")
    altitude = _rational(values.get("GPSAltitude"))
    if altitude is not None:
        found.set("gps_altitude", -altitude if values.get("GPSAltitudeRef") == "1" else altitude)
    _gps_time(values.get("GPSTimeStamp"), found)


def _gps_time(text: str | None, found: MetadataResult) -> None:
    """GPSTimeStamp (an XMP date-time, UTC unless a zone says otherwise) as
    "YYYY-MM-DDTHH:MM:SS[.f]Z", the form EXIF's GPS date and time are given in; a
    time without a date is no GPS time (XMP has no such value)."""
    match = _XMP_DATE.match((text or "").strip())
    if not match or match.group(4) is None:
        return
    recorded, _, moment = _xmp_date(text)
    if recorded is None:
        return
    if moment is None:  # no zone: GPS time is UTC
        moment = datetime.strptime(recorded, "%Y:%m:%d %H:%M:%S")
    else:
        moment = moment.astimezone(UTC)
    fraction = match.group(7) or ""  # as written, as exiftool shows it
    found.set("gps_timestamp", f"{moment:%Y-%m-%dT%H:%M:%S}{fraction}Z")

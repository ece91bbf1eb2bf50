"""KML 2.2 export: a placemark for every selected artefact that carries coordinates.

Coordinates come from the ``gps_latitude`` / ``gps_longitude`` (and optional
``gps_altitude``) attributes, as signed decimal degrees; KML writes them longitude
first. Values that are not finite numbers within range are skipped and counted. Every
string is XML-escaped (no CDATA, so ``]]>`` in evidence cannot end a section),
characters XML 1.0 does not allow are replaced, and the description, which readers
render as HTML, is HTML-escaped first.

A photo's time goes into ``<TimeStamp><when>`` in UTC (``...Z``) or with its offset when
either is known; otherwise only its date is given there, and the description says the
time zone was not recorded (KML reads a date-time as a moment, so a camera's clock
time must not pass for UTC).
"""

from __future__ import annotations

import html
import math
import posixpath
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.reports.selection import Selection
from triage.reports.values import attribute_map, evidence_text, source_location
from triage.textsafety import visible_controls

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def one_line(value: Any) -> str:
    """Evidence text shown on one line: its line breaks, like hidden and reordering
    characters, are shown as ``<U+000A>``."""
    return visible_controls("" if value is None else str(value), single_line=True)


def xml_text(value: Any) -> str:
    """Return ``value`` as escaped XML character data (hidden and reordering characters shown)."""
    text = _XML_INVALID.sub("\ufffd", visible_controls("" if value is None else str(value)))
    # A raw carriage return would reach the reader as a line feed (XML end-of-line rule).
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _decimal(value: float) -> str:
    # Fixed notation: KML readers do not all accept exponents such as 1e-05.
    text = f"{value:.8f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def coordinates(attributes: dict[str, Any]) -> tuple[float, float, float | None] | None:
    """Return (latitude, longitude, altitude) when the attributes hold valid coordinates."""
    latitude = _number(attributes.get("gps_latitude"))
    longitude = _number(attributes.get("gps_longitude"))
    if latitude is None or longitude is None:
        return None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    return latitude, longitude, _number(attributes.get("gps_altitude"))


_ZONE = re.compile(r"([+-])(\d\d):?(\d\d)")


def _moment(value: Any) -> tuple[str, str] | None:
    """Split an EXIF or ISO date-time into ('YYYY-MM-DDThh:mm:ss', zone: 'Z', '+hh:mm'
    or '' when it names none), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for pattern in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            moment = datetime.strptime(text[:19], pattern)
        except ValueError:
            continue
        return moment.strftime("%Y-%m-%dT%H:%M:%S"), _zone(text[19:])
    return None


def _zone(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    text = text.strip()
    if text in ("Z", "+00:00", "+0000"):
        return "Z"
    match = _ZONE.fullmatch(text)
    return f"{match[1]}{match[2]}:{match[3]}" if match else ""


def kml_time(value: Any) -> str | None:
    """Return an EXIF or ISO date-time as a KML ``<when>`` value, or None.

    KML 2.2 takes a dateTime only with its zone (``...Z`` or ``...+hh:mm``); one that names
    no zone is given as its date (``YYYY-MM-DD``), also a KML form, rather than a time a
    reader would take for UTC.
    """
    parsed = _moment(value)
    if parsed is None:
        return None
    moment, zone = parsed
    return moment + zone if zone else moment[:10]


def taken_time(attributes: dict[str, Any]) -> tuple[str | None, str | None, bool]:
    """Return (recorded text, ``<when>`` value, whether the moment is known in UTC).

    The UTC value the extractor worked out (``datetime_original_utc``) comes first, then the
    recorded time with its recorded offset (``utc_offset_original``); without either the
    time is the device's clock in an unknown zone, and only its date goes into ``<when>``.
    """
    taken = attributes.get("datetime_original") or attributes.get("datetime")
    utc = _moment(attributes.get("datetime_original_utc"))
    if utc is not None and utc[1]:
        return taken, utc[0] + utc[1], True
    parsed = _moment(taken)
    if parsed is None:
        return taken, None, False
    moment, zone = parsed
    zone = zone or _zone(attributes.get("utc_offset_original"))
    if zone:
        return taken, moment + zone, True
    return taken, moment[:10], False


def placemark(item: dict[str, Any], where: tuple[float, float, float | None]) -> str:
    """Return the <Placemark> element of one artefact."""
    # A damaged case can hold attributes that are no object (a list, a string).
    attributes = attribute_map(item.get("attributes"))
    latitude, longitude, altitude = where
    path = item.get("path") or ""
    name = posixpath.basename(path) or f"{item['type']} #{item['id']}"
    camera = " ".join(str(attributes.get(k) or "").strip() for k in ("make", "model")).strip()
    taken, when, zone_known = taken_time(attributes)
    shown_taken = taken
    if taken and when and zone_known:
        shown_taken = f"{taken} ({when})" if when != taken else taken
    elif taken:
        shown_taken = f"{taken} (time zone not recorded: the device's clock, not UTC)"
    coords = ",".join(_decimal(v) for v in (longitude, latitude, altitude) if v is not None)
    # Readers such as Google Earth show a description as HTML: evidence text is escaped
    # for HTML here and the whole again for XML below, so it stays text.
    description = "<br>\n".join(f"{label}: {html.escape(one_line(value), quote=True)}"
                                 for label, value in (
        ("Source", source_location(item)),
        ("Evidence", evidence_text(item)),
        ("Camera", camera),
        ("Taken", shown_taken),
        ("Artefact", f"{item['type']} #{item['id']}"),
    ) if value)
    data = {
        "artefact_id": item["id"], "type": item["type"], "evidence": item.get("evidence_path"),
        "path": path, "deleted": bool(item.get("deleted")), "make": attributes.get("make"),
        "model": attributes.get("model"), "datetime_original": taken,
        "time_zone": None if not taken else "recorded" if zone_known else "not recorded",
    }
    parts = [f'<Placemark id="artefact-{int(item["id"])}">',
             f"<name>{xml_text(one_line(name))}</name>",
             f"<description>{xml_text(description)}</description>"]
    if when:
        parts.append(f"<TimeStamp><when>{when}</when></TimeStamp>")
    parts.append("<ExtendedData>")
    for key, value in data.items():
        if value is not None and value != "":
            # Keys are the fixed names above, safe as attribute values.
            parts.append(f'<Data name="{key}"><value>{xml_text(value)}</value></Data>')
    parts.append("</ExtendedData>")
    parts.append(f"<Point><coordinates>{coords}</coordinates></Point></Placemark>")
    return "".join(parts)


def write_kml(case: CaseDatabase, selection: Selection, target: Path, title: str) -> int:
    """Write the KML document to ``target``; return the number of placemarks."""
    count = skipped = 0
    with open(target, "w", encoding="utf-8", newline="\n") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        handle.write(f'<kml xmlns="{KML_NAMESPACE}"><Document>\n')
        handle.write(f"<name>{xml_text(title)}</name>\n")
        for item in case.artefacts_with_coordinates(tagged_only=selection.tagged_only):
            if not selection.wants_category(item["category"]):
                continue
            attributes = item["attributes"]
            where = coordinates(attributes) if isinstance(attributes, dict) else None
            if where is None:
                skipped += 1
                continue
            handle.write(placemark(item, where) + "\n")
            count += 1
        if skipped:
            handle.write(f"<!-- {skipped} artefacts without valid coordinates left out -->\n")
        handle.write("</Document></kml>\n")
    return count

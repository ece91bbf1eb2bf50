"""Normalise document dates (W3CDTF, ODF, PDF) to ISO 8601 strings.

Dates with a time zone become UTC ('2019-05-04T10:11:12Z'); dates recorded without one
keep their wall-clock value without a 'Z' ('2019-05-04T10:11:12'), since the zone is
unknown.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_PDF = re.compile(
    r"^\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"\s*(Z|[+-]\d{2}(?:'?\d{2}'?)?)?"
)


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    digits = re.sub(r"[^0-9]", "", text)
    hours = int(digits[:2] or 0)
    minutes = int(digits[2:4] or 0)
    if hours > 18 or minutes > 59:
        raise ValueError("offset out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text.startswith("-") else delta)


def _format(parts: list[str | None], zone_text: str | None) -> str | None:
    try:
        year, month, day = int(parts[0] or 0), int(parts[1] or 1), int(parts[2] or 1)
        hour, minute, second = (int(p or 0) for p in parts[3:6])
        zone = _zone(zone_text)
        moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except (ValueError, OverflowError):
        return None
    if zone is None:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_iso_date(text: str | None) -> str | None:
    """Normalise a W3CDTF / ODF date ('2019-05-04T12:11:12+02:00'), None when unparsable."""
    if not text:
        return None
    match = _ISO.match(text[:64])
    if not match:
        return None
    groups = list(match.groups())
    return _format(groups[:6], groups[6])


def normalise_pdf_date(text: str | None) -> str | None:
    """Normalise a PDF date ("D:20190504121112+02'00'"), None when unparsable."""
    if not text:
        return None
    match = _PDF.match(text[:64])
    if not match:
        return None
    groups = list(match.groups())
    return _format(groups[:6], groups[6])

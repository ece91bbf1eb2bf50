"""Small helpers that turn raw metadata values into clean text and ISO 8601 UTC times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

#: Longest text value kept from any metadata field.
MAX_TEXT = 1024

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OFFSET = re.compile(r"^\s*([+-])(\d{1,2}):?(\d{2})\s*$")


def clean_text(value: object) -> str | None:
    """Return ``value`` as stripped printable text (capped), or None when empty."""
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        text = bytes(value).split(b"\x00", 1)[0].decode("utf-8", "replace")
    else:
        text = str(value).split("\x00", 1)[0]
    text = _CONTROL.sub(" ", text).strip()
    return text[:MAX_TEXT] or None


def parse_utc_offset(value: str | None) -> timezone | None:
    """Parse an EXIF OffsetTime value ('+02:00', '-0500') into a timezone, or None."""
    if not value:
        return None
    match = _OFFSET.match(value)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=18):
        return None
    return timezone(-delta if sign == "-" else delta)


def parse_exif_datetime(value: str | None) -> datetime | None:
    """Parse an EXIF 'YYYY:MM:DD HH:MM:SS' value into a naive datetime, or None."""
    if not value:
        return None
    try:
        return datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def iso_utc(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 UTC ('2019-05-04T10:11:12Z')."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

"""Time helpers shared by the Tor parsers (all output is ISO 8601 UTC with a ``Z``)."""

from __future__ import annotations

from datetime import UTC, datetime

_ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_tor_time(text: str) -> datetime | None:
    """Parse tor's ``YYYY-MM-DD HH:MM:SS`` / ``YYYY-MM-DDTHH:MM:SS`` (UTC); None if malformed."""
    text = text.strip()
    for fmt in _ISO_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def tor_time_to_iso(text: str) -> str | None:
    """Return tor's UTC time string as ISO 8601 UTC ('2019-06-06T17:17:19Z'), or None."""
    moment = parse_tor_time(text)
    return iso_utc(moment) if moment else None


def iso_utc(moment: datetime) -> str:
    """Format an aware or UTC-naive datetime as ISO 8601 UTC with a ``Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_to_iso(seconds: float | None) -> str | None:
    """Return a POSIX timestamp as ISO 8601 UTC, or None when absent or out of range."""
    if seconds is None:
        return None
    try:
        return iso_utc(datetime.fromtimestamp(seconds, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return None

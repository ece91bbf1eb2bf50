"""Onion URLs from a Firefox/Tor Browser ``places.sqlite`` (history and bookmarks).

The database is opened as an in-memory copy (``sqlite3.Connection.deserialize``), never
from the evidence, and read-only queries pick the ``moz_places`` rows whose URL mentions
``.onion``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage.casedb.evidence_sqlite import READ_ERRORS, onion_places
from triage.extractors.tor.timefmt import epoch_to_iso

MAX_ROWS = 100_000
#: Visit times kept per URL (the newest).
MAX_VISIT_TIMES = 100


@dataclass
class PlacesOnionRows:
    """Rows of moz_places that mention an onion host, plus any problem met."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _prtime_to_iso(value: Any) -> str | None:
    # Firefox PRTime: microseconds since the epoch.
    if not isinstance(value, int) or value <= 0:
        return None
    return epoch_to_iso(value / 1_000_000)


def read_onion_places(data: bytes) -> PlacesOnionRows:
    """Return the onion rows of a places.sqlite image; never raises."""
    result = PlacesOnionRows()
    if not data.startswith(b"SQLite format 3\x00"):
        result.warnings.append("places.sqlite has no SQLite header")
        return result
    try:
        found = onion_places(data, MAX_ROWS)
    except READ_ERRORS as error:
        result.warnings.append(f"places.sqlite could not be queried: {error}")
        return result
    for place in found:
        url = place["url"]
        times = [time for time in map(_prtime_to_iso, place["visits"]) if time]
        result.rows.append(
            {
                "url": url if isinstance(url, str) else str(url),
                "title": place["title"],
                "visit_count": place["visit_count"],
                "last_visit": _prtime_to_iso(place["last_visit"]),
                "first_visit": times[0] if times else None,
                # The newest visits, oldest first: a page visited daily for years would
                # otherwise make one artefact of thousands of times.
                "visit_times": times[-MAX_VISIT_TIMES:],
                "bookmarked": place["bookmarked"],
                "bookmark_titles": [str(t) for t in place["bookmark_titles"]],
                "bookmark_added": _prtime_to_iso(place["bookmark_added"]),
            }
        )
    return result

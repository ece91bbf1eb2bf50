"""Onion URLs from a Firefox/Tor Browser ``places.sqlite`` (history and bookmarks).

The database is opened as an in-memory copy (``sqlite3.Connection.deserialize``), never
from the evidence, and read-only queries pick the ``moz_places`` rows whose URL mentions
``.onion``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from triage.extractors.tor.timefmt import epoch_to_iso

MAX_ROWS = 100_000


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
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        has_bookmarks = bool(
            connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='moz_bookmarks'"
            ).fetchone()
        )
        title_join = (
            "LEFT JOIN moz_bookmarks b ON b.fk = p.id" if has_bookmarks else ""
        )
        bookmark_col = "b.title" if has_bookmarks else "NULL"
        query = (
            f"SELECT p.url, p.title, p.visit_count, p.last_visit_date, {bookmark_col} "
            f"FROM moz_places p {title_join} WHERE p.url LIKE '%.onion%' LIMIT {MAX_ROWS}"
        )
        for url, title, visits, last_visit, bookmark_title in connection.execute(query):
            result.rows.append(
                {
                    "url": url if isinstance(url, str) else str(url),
                    "title": title,
                    "visit_count": visits,
                    "last_visit": _prtime_to_iso(last_visit),
                    "bookmarked": bookmark_title is not None,
                    "bookmark_title": bookmark_title,
                }
            )
    except (sqlite3.Error, OverflowError, ValueError, MemoryError) as error:
        result.warnings.append(f"places.sqlite could not be queried: {error}")
    finally:
        connection.close()
    return result

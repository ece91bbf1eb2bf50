"""Read-only queries on SQLite databases found in the evidence (wallets, browser history).

All of triage's SQL lives in :mod:`triage.casedb`, this included. The evidence's bytes are
deserialised into a private in-memory connection, so nothing touches the evidence or the
case; ``query_only`` is set and a progress handler aborts any query that runs too long on
a hostile file. A database in WAL mode is opened as a rollback-journal one (the copy's
header says so); :func:`triage.casedb.sqlite_wal.apply_wal` first merges its ``-wal``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from triage.casedb.sqlite_wal import rollback_header

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Virtual-machine steps (in thousands) before a query is aborted.
MAX_STEPS = 20_000
MAX_ROWS = 50_000
#: Errors a hostile or truncated database can raise while being read.
READ_ERRORS = (sqlite3.Error, OverflowError, ValueError, MemoryError)


@contextmanager
def open_copy(data: bytes) -> Iterator[sqlite3.Connection]:
    """Yield a read-only in-memory connection over ``data``; raise sqlite3.Error if unusable.

    A WAL-mode header is read as rollback mode (SQLite opens no WAL-mode image from
    memory); only the private copy is changed.
    """
    if not data.startswith(SQLITE_MAGIC):
        raise sqlite3.DatabaseError("not an SQLite database")
    image = bytearray(data)
    rollback_header(image)
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(image)
        del image  # SQLite keeps its own copy; this one is not needed any more.
        steps = [0]

        def _limit() -> int:
            steps[0] += 1
            return 1 if steps[0] > MAX_STEPS else 0

        conn.set_progress_handler(_limit, 1000)
        conn.execute("PRAGMA query_only = ON")
        yield conn
    finally:
        conn.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Return {lower-case table name: {lower-case column names}} from the schema."""
    tables: dict[str, set[str]] = {}
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchmany(1000)
    for (name,) in rows:
        if not isinstance(name, str):
            continue
        columns = conn.execute(f"PRAGMA table_info({_quoted(name)})").fetchall()
        tables[name.lower()] = {str(col[1]).lower() for col in columns}
    return tables


class _SchemaMemo(threading.local):
    """The schema of the last database bytes asked about (wallet probes ask twice), per thread."""

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.answer: dict[str, set[str]] | sqlite3.Error | None = None


_schema_memo = _SchemaMemo()


def schema_of(data: bytes) -> dict[str, set[str]]:
    """Return :func:`table_columns` of the database in ``data``; raise sqlite3.Error if unusable.

    The answer for the last ``data`` object is kept (with a reference to it, so the identity
    cannot be reused) until :func:`forget_schema`; callers must not change the dictionary.
    """
    memo = _schema_memo
    if data is not memo.data:
        memo.data = data
        try:
            with open_copy(data) as conn:
                memo.answer = table_columns(conn)
        except sqlite3.Error as error:
            memo.answer = error
        except READ_ERRORS as error:
            memo.answer = sqlite3.DatabaseError(str(error))
    if isinstance(memo.answer, sqlite3.Error):
        raise memo.answer
    assert memo.answer is not None
    return memo.answer


def forget_schema() -> None:
    """Drop the kept schema and the bytes it belongs to."""
    _schema_memo.data = _schema_memo.answer = None


def key_value_rows(conn: sqlite3.Connection, table: str) -> list[tuple[bytes, bytes]]:
    """Return (key, value) rows of a Bitcoin Core style key/value table (capped)."""
    rows = conn.execute(f"SELECT key, value FROM {_quoted(table)}").fetchmany(MAX_ROWS)
    return [(bytes(k), bytes(v)) for k, v in rows if isinstance(k, bytes) and isinstance(v, bytes)]


def column_values(conn: sqlite3.Connection, table: str, column: str) -> list[object]:
    """Return the values of one column of one table (capped)."""
    sql = f"SELECT {_quoted(column)} FROM {_quoted(table)}"
    return [row[0] for row in conn.execute(sql).fetchmany(MAX_ROWS)]


def onion_places(data: bytes, limit: int = 100_000) -> list[dict[str, Any]]:
    """Return the ``moz_places`` rows of a Firefox ``places.sqlite`` whose URL mentions
    ``.onion``, as dicts: ``url``, ``title``, ``visit_count``, ``last_visit`` (PRTime),
    ``bookmarked``, ``bookmark_titles``, ``bookmark_added`` (PRTime, the first bookmark's)
    and ``visits`` (PRTime of every visit ``moz_historyvisits`` still holds, oldest
    first); raises one of :data:`READ_ERRORS`.

    ``bookmarked`` is true when any bookmark points at the place, whatever its title
    (Firefox stores an empty one as NULL); ``bookmark_titles`` are the distinct non-NULL
    titles of those bookmarks, sorted. At most ``limit`` places and ``limit`` visits are
    read.
    """
    with open_copy(data) as conn:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        has_bookmarks = "moz_bookmarks" in tables
        bookmarked = ("EXISTS (SELECT 1 FROM moz_bookmarks b WHERE b.fk = p.id)"
                      if has_bookmarks else "0")
        places = conn.execute(
            f"SELECT p.id, p.url, p.title, p.visit_count, p.last_visit_date, {bookmarked}"
            " FROM moz_places p WHERE p.url LIKE '%.onion%' LIMIT ?", (limit,)).fetchall()
        titles: dict[Any, list[Any]] = {}
        added: dict[Any, Any] = {}
        if has_bookmarks and any(place[5] for place in places):
            rows = conn.execute(
                "SELECT b.fk, b.title, b.dateAdded FROM moz_bookmarks b JOIN moz_places p"
                " ON p.id = b.fk WHERE p.url LIKE '%.onion%' ORDER BY b.fk, b.title LIMIT ?",
                (limit,)).fetchall()
            for fk, title, date_added in rows:
                if title is not None and title not in titles.setdefault(fk, []):
                    titles[fk].append(title)
                if isinstance(date_added, int) and (fk not in added or date_added < added[fk]):
                    added[fk] = date_added
        visits: dict[Any, list[Any]] = {}
        if "moz_historyvisits" in tables and places:
            for place_id, visit_date in conn.execute(
                    "SELECT v.place_id, v.visit_date FROM moz_historyvisits v JOIN moz_places p"
                    " ON p.id = v.place_id WHERE p.url LIKE '%.onion%'"
                    " ORDER BY v.place_id, v.visit_date LIMIT ?", (limit,)):
                visits.setdefault(place_id, []).append(visit_date)
        return [{"url": url, "title": title, "visit_count": count, "last_visit": last_visit,
                 "bookmarked": bool(marked), "bookmark_titles": titles.get(place_id, []),
                 "bookmark_added": added.get(place_id), "visits": visits.get(place_id, [])}
                for place_id, url, title, count, last_visit, marked in places]

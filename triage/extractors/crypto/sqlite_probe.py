"""Read-only inspection of an SQLite database held in memory (a copy of evidence bytes).

The bytes are deserialised into a private in-memory connection, so nothing touches the
evidence or the case database; a progress handler aborts any query that runs too long on
a hostile file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Virtual-machine steps (in thousands) before a query is aborted.
MAX_STEPS = 20_000
MAX_ROWS = 50_000


@contextmanager
def open_sqlite(data: bytes) -> Iterator[sqlite3.Connection]:
    """Yield a read-only in-memory connection over ``data``; raise sqlite3.Error if unusable."""
    if not data.startswith(SQLITE_MAGIC):
        raise sqlite3.DatabaseError("not an SQLite database")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(bytes(data))
        steps = [0]

        def _limit() -> int:
            steps[0] += 1
            return 1 if steps[0] > MAX_STEPS else 0

        conn.set_progress_handler(_limit, 1000)
        conn.execute("PRAGMA query_only = ON")
        yield conn
    finally:
        conn.close()


def table_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Return {lower-case table name: {lower-case column names}} from the schema."""
    tables: dict[str, set[str]] = {}
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchmany(1000)
    for (name,) in rows:
        if not isinstance(name, str):
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        columns = conn.execute(f"PRAGMA table_info({quoted})").fetchall()
        tables[name.lower()] = {str(col[1]).lower() for col in columns}
    return tables


def key_value_rows(conn: sqlite3.Connection, table: str) -> list[tuple[bytes, bytes]]:
    """Return (key, value) rows of a Bitcoin Core style key/value table (capped)."""
    quoted = '"' + table.replace('"', '""') + '"'
    rows = conn.execute(f"SELECT key, value FROM {quoted}").fetchmany(MAX_ROWS)
    return [(bytes(k), bytes(v)) for k, v in rows if isinstance(k, bytes) and isinstance(v, bytes)]


def column_values(conn: sqlite3.Connection, table: str, column: str) -> list[object]:
    """Return the values of one column of one table (capped)."""
    qt = '"' + table.replace('"', '""') + '"'
    qc = '"' + column.replace('"', '""') + '"'
    return [row[0] for row in conn.execute(f"SELECT {qc} FROM {qt}").fetchmany(MAX_ROWS)]

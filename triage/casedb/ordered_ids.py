"""Deep pages of a sorted table without sorting it again for each page.

``LIMIT ? OFFSET ?`` on a query sorted by a column without an index of its own (a file's
size, times, hashes; an artefact's attribute) makes SQLite sort every matching row for
each page: about 13 s for a page in the middle of 1,000,000 files. The first pages are
cheap (SQLite keeps only the top rows), so only pages past :data:`DEEP_OFFSET` are served
from a snapshot of the query's row ids in order, read once (a sort of the ids alone, 8
bytes a row in memory) and reused while the case is unchanged.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from typing import Any

#: Pages starting before this row are read with LIMIT/OFFSET (a partial sort is cheap there).
DEEP_OFFSET = 4096


class OrderedIds:
    """The ids of the last sorted query a connection paged deeply, in order.

    The snapshot is taken again when the query or its parameters change, when another
    connection committed (``PRAGMA data_version``; a scan adding rows) or when this one
    wrote (``total_changes``).
    """

    def __init__(self) -> None:
        self._stamp: tuple[Any, ...] | None = None
        self._ids = array("q")

    def page(self, conn: sqlite3.Connection, ids_sql: str, params: Sequence[Any],
             offset: int, limit: int) -> list[int]:
        """Return the ids of rows ``offset`` to ``offset + limit`` of ``ids_sql``'s order."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        stamp = (ids_sql, tuple(params), version, conn.total_changes)
        if stamp != self._stamp:
            self._stamp = None  # a failed read must not leave a half snapshot in use
            self._ids = array("q", (row[0] for row in conn.execute(ids_sql, params)))
            self._stamp = stamp
        return self._ids[offset:offset + limit].tolist()


def rows_in_order(conn: sqlite3.Connection, select_sql: str, id_column: str,
                  ids: list[int]) -> list[sqlite3.Row]:
    """Fetch the rows ``select_sql`` gives for ``ids``, in the order of ``ids`` (rows
    deleted since the snapshot are left out)."""
    if not ids:
        return []
    placeholders = ", ".join("?" * len(ids))
    found = {row["id"]: row for row in conn.execute(
        f"{select_sql} WHERE {id_column} IN ({placeholders})", ids)}
    return [found[item] for item in ids if item in found]

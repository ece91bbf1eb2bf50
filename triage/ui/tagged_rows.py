"""Table rows that carry their tags: read with each page, re-read after the examiner's
changes (one query for any number of rows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: How a table's tags are read: ``(case, ids) -> {id: [tag names]}``.
TagsQuery = Callable[[Any, list[int]], dict[int, list[Any]]]


class TaggedRowsMixin:
    """For a :class:`PagedTableModel` with a ``tags`` column; a subclass names the query
    that reads the tags of some of its ids (``tags_query``)."""

    tags_query: TagsQuery
    _case: Any
    _rows: list[dict[str, Any] | None]
    _columns: list[Any]

    def _read_tags(self, ids: list[int]) -> dict[int, list[Any]]:
        return type(self).tags_query(self._case, ids)

    def _after_page(self, rows: list[dict[str, Any]]) -> None:
        tags = self._read_tags([r["id"] for r in rows])
        for row in rows:
            row["tags"] = tags.get(row["id"], [])

    def refresh_tags_many(self, item_ids: list[int]) -> None:
        """Re-read the tags of the loaded rows among ``item_ids`` (one query)."""
        wanted = set(item_ids)
        held = [(position, row) for position, row in enumerate(self._rows)
                if row is not None and row["id"] in wanted]
        if not held:
            return
        tags = self._read_tags([row["id"] for _, row in held])
        for _, row in held:
            row["tags"] = tags.get(row["id"], [])
        column = self._tags_column()
        self.dataChanged.emit(self.index(held[0][0], column),  # type: ignore[attr-defined]
                              self.index(held[-1][0], column))  # type: ignore[attr-defined]

    def refresh_tags(self, item_id: int) -> None:
        """Re-read one item's tags after the examiner changed them."""
        self.refresh_tags_many([item_id])

    def _tags_column(self) -> int:
        return next(i for i, c in enumerate(self._columns) if c.key == "tags")

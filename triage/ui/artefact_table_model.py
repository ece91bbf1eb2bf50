"""The artefact table: one category, type set, tag or the GPS/unallocated views, paged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from triage.casedb import CaseDatabase, ui_queries
from triage.ui.formatting import format_value
from triage.ui.icons import category_icon
from triage.ui.paged_table_model import Column, PagedTableModel
from triage.ui.row_counter import CountFunction
from triage.ui.tagged_rows import TaggedRowsMixin

#: A table over several types shows the union of their declared columns up to this many;
#: beyond it (Tor: browser, state, torrc, prefetch) one "Summary" column is more readable.
MAX_UNION_COLUMNS = 12
#: How many "label: value" pairs a summary cell shows.
SUMMARY_ATTRIBUTES = 6


@dataclass(frozen=True)
class ArtefactQuery:
    """Which artefacts the table shows."""

    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    tag: str | None = None
    tagged_only: bool = False
    unallocated: bool | None = None
    with_coordinates: bool = False
    secret_keys: bool = False
    title: str = "Artefacts"


class ArtefactTableModel(TaggedRowsMixin, PagedTableModel):
    """Paged, query-sorted, query-filtered artefacts with their attribute columns."""

    tags_query = staticmethod(ui_queries.tags_by_artefact)

    def __init__(self, case: CaseDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self._case = case
        self.query = ArtefactQuery()
        self._types: dict[str, dict[str, Any]] = {}
        self._columns = self._columns_for(self.query)

    def set_query(self, query: ArtefactQuery) -> None:
        """Show another set of artefacts (resets sort and columns, keeps the filter)."""
        self.query = query
        self.sort_key, self.descending = None, False
        self.beginResetModel()
        self._rows, self._total = [], 0
        self._columns = self._columns_for(query)
        self.endResetModel()
        self.reload()

    def _columns_for(self, query: ArtefactQuery) -> list[Column]:
        self._types = self._case.artefact_types_info()
        chosen = [t for t in self._types.values()
                  if t["category"] in query.categories or t["name"] in query.types]
        attribute_columns = self._attribute_columns(chosen)
        return [
            Column("id", "ID"), Column("type", "Type"), *attribute_columns,
            Column("tags", "Tags", sortable=False), Column("deleted", "Deleted"),
            Column("unallocated", "Unallocated"), Column("path", "Path"),
        ]

    def _attribute_columns(self, chosen: list[dict[str, Any]]) -> list[Column]:
        """Return the declared columns of ``chosen`` types, the most frequent type first."""
        summary = [Column("summary", "Summary", sortable=False)]
        if not chosen:
            return summary
        if len(chosen) > 1:
            counts = self._case.artefact_counts_by_type()
            present = [t for t in chosen if counts.get(t["name"])] or chosen
            chosen = sorted(present, key=lambda t: (-counts.get(t["name"], 0), t["name"]))
        columns: list[Column] = []
        seen: set[str] = set()
        for info in chosen:
            labels = {a["name"]: a.get("label") or a["name"] for a in info["attributes"]}
            for name in info["columns"] or list(labels)[:SUMMARY_ATTRIBUTES]:
                if name not in seen:
                    seen.add(name)
                    columns.append(Column(name, labels.get(name, name)))
        return columns if len(columns) <= MAX_UNION_COLUMNS else summary

    # -- queries ---------------------------------------------------------------------
    def _query_kwargs(self) -> dict[str, Any]:
        query = self.query
        return {
            "types": list(query.types) or None, "categories": list(query.categories) or None,
            "filter_text": self.filter_text or None, "tagged_only": query.tagged_only,
            "tag": query.tag, "unallocated": query.unallocated,
        }

    def _count_function(self) -> CountFunction:
        """Return a count of the current query that runs on any case connection."""
        query, kwargs, filter_text = self.query, self._query_kwargs(), self.filter_text or None

        def count(case: CaseDatabase) -> int:
            if query.secret_keys:
                return ui_queries.count_secret_keys(case, filter_text)
            if query.with_coordinates:
                return ui_queries.count_artefacts_with_coordinates(case, filter_text)
            return case.count_artefacts(**kwargs)

        return count

    def _count(self) -> int:
        return self._count_function()(self._case)

    def _background_count(self) -> tuple[Path, CountFunction] | None:
        # Unfiltered counts are answered by indexes; a filter may have to scan.
        if not self.filter_text:
            return None
        return self._case.path, self._count_function()

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        if self.query.secret_keys:
            return ui_queries.page_secret_keys(
                self._case, self.filter_text or None, self.sort_key, self.descending, offset, limit)
        if self.query.with_coordinates:
            return ui_queries.page_artefacts_with_coordinates(
                self._case, self.filter_text or None, self.sort_key, self.descending, offset, limit)
        return self._case.page_artefacts(
            **self._query_kwargs(), sort_key=self.sort_key, descending=self.descending,
            offset=offset, limit=limit,
        )

    def all_ids(self) -> list[int]:
        """The ids of every row of the current query (loaded or not), in id order."""
        filter_text = self.filter_text or None
        if self.query.secret_keys:
            return ui_queries.secret_key_ids(self._case, filter_text)
        if self.query.with_coordinates:
            return ui_queries.artefact_ids_with_coordinates(self._case, filter_text)
        return ui_queries.artefact_ids(self._case, **self._query_kwargs())

    # -- display ---------------------------------------------------------------------
    def display(self, row: dict[str, Any], column: Column) -> str:
        key = column.key
        if key in ("deleted", "unallocated"):
            return "yes" if row.get(key) else ""
        if key == "tags":
            return ", ".join(row.get("tags", []))
        if key == "summary":
            return self._summary(row)
        if key == "type":
            return (self._types.get(row["type"]) or {}).get("label") or row["type"]
        if key in ("id", "path"):
            return format_value(row.get(key))
        return format_value(row["attributes"].get(key), 200)

    def _summary(self, row: dict[str, Any]) -> str:
        """Return 'Label: value' pairs of the row's declared columns (non-empty ones)."""
        info = self._types.get(row["type"]) or {}
        labels = {a["name"]: a.get("label") or a["name"] for a in info.get("attributes", [])}
        attributes = row["attributes"]
        names = info.get("columns") or list(attributes)
        pairs = [(labels.get(name, name), attributes.get(name)) for name in names]
        shown = [(label, value) for label, value in pairs if value not in (None, "", [], {})]
        return " · ".join(f"{label}: {format_value(value, 80)}"
                          for label, value in shown[:SUMMARY_ATTRIBUTES])

    def extra_data(self, row: dict[str, Any], column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column.key == "type":
            return category_icon(row["category"])
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "type":
            return row["type"]
        if role == Qt.ItemDataRole.ForegroundRole and (row["deleted"] or row["unallocated"]):
            return QBrush(QColor("#b03030"))
        return None

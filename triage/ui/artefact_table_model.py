"""The artefact table: one category, type set, tag or the GPS/unallocated views, paged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from triage.casedb import CaseDatabase, ui_queries
from triage.ui.formatting import format_value
from triage.ui.icons import category_icon
from triage.ui.paged_table_model import Column, PagedTableModel

SUMMARY_ATTRIBUTES = 4


@dataclass(frozen=True)
class ArtefactQuery:
    """Which artefacts the table shows."""

    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    tag: str | None = None
    tagged_only: bool = False
    unallocated: bool | None = None
    with_coordinates: bool = False
    title: str = "Artefacts"


class ArtefactTableModel(PagedTableModel):
    """Paged, query-sorted, query-filtered artefacts with their attribute columns."""

    def __init__(self, case: CaseDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self._case = case
        self.query = ArtefactQuery()
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
        types = self._case.artefact_types_info()
        chosen = [t for t in types.values()
                  if t["category"] in query.categories or t["name"] in query.types]
        attribute_columns: list[Column] = []
        if chosen:
            seen: set[str] = set()
            for info in chosen:
                labels = {a["name"]: a.get("label") or a["name"] for a in info["attributes"]}
                for name in info["columns"] or list(labels)[:SUMMARY_ATTRIBUTES]:
                    if name not in seen:
                        seen.add(name)
                        attribute_columns.append(Column(name, labels.get(name, name)))
        else:
            attribute_columns.append(Column("summary", "Summary", sortable=False))
        return [
            Column("id", "ID"), Column("type", "Type"), *attribute_columns,
            Column("path", "Path"), Column("deleted", "Deleted"),
            Column("unallocated", "Unallocated"), Column("tags", "Tags", sortable=False),
        ]

    # -- queries ---------------------------------------------------------------------
    def _query_kwargs(self) -> dict[str, Any]:
        query = self.query
        return {
            "types": list(query.types) or None, "categories": list(query.categories) or None,
            "filter_text": self.filter_text or None, "tagged_only": query.tagged_only,
            "tag": query.tag, "unallocated": query.unallocated,
        }

    def _count(self) -> int:
        if self.query.with_coordinates:
            return ui_queries.count_artefacts_with_coordinates(self._case, self.filter_text or None)
        return self._case.count_artefacts(**self._query_kwargs())

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        if self.query.with_coordinates:
            return ui_queries.page_artefacts_with_coordinates(
                self._case, self.filter_text or None, self.sort_key, self.descending, offset, limit)
        return self._case.page_artefacts(
            **self._query_kwargs(), sort_key=self.sort_key, descending=self.descending,
            offset=offset, limit=limit,
        )

    def _after_page(self, rows: list[dict[str, Any]]) -> None:
        tags = ui_queries.tags_by_artefact(self._case, [r["id"] for r in rows])
        for row in rows:
            row["tags"] = tags.get(row["id"], [])

    def refresh_tags(self, artefact_id: int) -> None:
        """Re-read one artefact's tags after the examiner changed them."""
        row = self.row_of_id(artefact_id)
        if row < 0:
            return
        self._rows[row]["tags"] = ui_queries.tags_by_artefact(self._case, [artefact_id]).get(
            artefact_id, [])
        column = next(i for i, c in enumerate(self._columns) if c.key == "tags")
        index = self.index(row, column)
        self.dataChanged.emit(index, index)

    # -- display ---------------------------------------------------------------------
    def display(self, row: dict[str, Any], column: Column) -> str:
        key = column.key
        if key in ("deleted", "unallocated"):
            return "yes" if row.get(key) else ""
        if key == "tags":
            return ", ".join(row.get("tags", []))
        if key == "summary":
            items = list(row["attributes"].items())[:SUMMARY_ATTRIBUTES]
            return "; ".join(f"{k}: {format_value(v, 60)}" for k, v in items)
        if key in ("id", "type", "path"):
            return format_value(row.get(key))
        return format_value(row["attributes"].get(key), 200)

    def extra_data(self, row: dict[str, Any], column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column.key == "type":
            return category_icon(row["category"])
        if role == Qt.ItemDataRole.ForegroundRole and (row["deleted"] or row["unallocated"]):
            return QBrush(QColor("#b03030"))
        return None

"""The warnings table: every warning recorded in the case, paged, oldest first."""

from __future__ import annotations

from typing import Any

from triage.casedb import CaseDatabase, ui_queries
from triage.ui.paged_table_model import Column, PagedTableModel


class WarningTableModel(PagedTableModel):
    """Paged warnings (time, evidence, volume, path, source, message); not sortable."""

    def __init__(self, case: CaseDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self._case = case
        self._columns = [
            Column("created", "Time", False), Column("evidence_name", "Evidence", False),
            Column("volume_idx", "Volume", False), Column("path", "Path", False),
            Column("source", "Source", False), Column("message", "Message", False),
        ]

    def _count(self) -> int:
        return self._case.count_warnings()

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return ui_queries.page_warnings(self._case, offset, limit)

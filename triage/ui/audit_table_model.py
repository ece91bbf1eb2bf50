"""The audit log table: every entry of the case's audit log, paged, oldest first."""

from __future__ import annotations

from typing import Any

from triage.casedb import CaseDatabase, ui_queries
from triage.ui.paged_table_model import Column, PagedTableModel


class AuditTableModel(PagedTableModel):
    """Paged audit entries (number, time, examiner, action, details); not sortable."""

    def __init__(self, case: CaseDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self._case = case
        self._columns = [
            Column("id", "#", False), Column("ts", "Time (UTC)", False),
            Column("examiner", "Examiner", False), Column("action", "Action", False),
            Column("details", "Details", False),
        ]

    def _count(self) -> int:
        return ui_queries.count_audit(self._case)

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return ui_queries.page_audit(self._case, offset, limit)

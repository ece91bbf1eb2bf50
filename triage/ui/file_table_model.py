"""The file table: one directory's entries, or every file matching a path filter, paged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from triage.casedb import CaseDatabase, ui_queries
from triage.ui.formatting import format_size, format_time
from triage.ui.icons import icon
from triage.ui.paged_table_model import Column, PagedTableModel
from triage.ui.row_counter import CountFunction
from triage.ui.tagged_rows import TaggedRowsMixin

COLUMNS = [
    Column("name", "Name"), Column("size", "Size"), Column("mtime", "Modified"),
    Column("crtime", "Created"), Column("deleted", "Deleted"), Column("mime", "Type"),
    Column("md5", "MD5"), Column("tags", "Tags", sortable=False), Column("path", "Path"),
]


@dataclass(frozen=True)
class FileLocation:
    """A directory in one volume of one evidence item (``parent=None``: all files)."""

    evidence_id: int | None
    volume_idx: int | None = None
    parent: str | None = "/"
    #: Only the files carrying this tag (any evidence).
    tag: str | None = None


class FileTableModel(TaggedRowsMixin, PagedTableModel):
    """Paged files of a directory (or all files) sorted and filtered in the query."""

    tags_query = staticmethod(ui_queries.tags_by_file)

    def __init__(self, case: CaseDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self._case = case
        self._columns = list(COLUMNS)
        self.location = FileLocation(None, None, None)

    def set_location(self, location: FileLocation) -> None:
        """Show the entries of another directory."""
        self.location = location
        self.reload()

    def _count_function(self) -> CountFunction:
        """Return a count of the current listing that runs on any case connection."""
        loc, filter_text = self.location, self.filter_text or None

        def count(case: CaseDatabase) -> int:
            if loc.parent is None or loc.evidence_id is None:
                return case.count_files(loc.evidence_id, filter_text, tag=loc.tag)
            return ui_queries.count_directory(case, loc.evidence_id, loc.volume_idx, loc.parent,
                                              filter_text)

        return count

    def _count(self) -> int:
        return self._count_function()(self._case)

    def _background_count(self) -> tuple[Path, CountFunction] | None:
        # Without a filter the count is index-only; a path filter over all files is a scan.
        if not self.filter_text:
            return None
        return self._case.path, self._count_function()

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        loc = self.location
        if loc.parent is None or loc.evidence_id is None:
            return self._case.page_files(
                loc.evidence_id, self.filter_text or None, None, self.sort_key, self.descending,
                offset, limit, tag=loc.tag)
        return ui_queries.page_directory(
            self._case, loc.evidence_id, loc.volume_idx, loc.parent, self.filter_text or None,
            self.sort_key, self.descending, offset, limit)

    def all_ids(self, files_only: bool = False) -> list[int]:
        """The ids of every row of the current listing (loaded or not), in id order;
        with ``files_only``, without directories."""
        loc, filter_text = self.location, self.filter_text or None
        if loc.parent is None or loc.evidence_id is None:
            return ui_queries.file_ids(self._case, loc.evidence_id, filter_text, tag=loc.tag,
                                       files_only=files_only)
        return ui_queries.directory_ids(self._case, loc.evidence_id, loc.volume_idx, loc.parent,
                                        filter_text, files_only=files_only)

    def _natural_order_is_id(self) -> bool:
        # A directory lists its subdirectories first, then entries by name.
        return self.location.parent is None or self.location.evidence_id is None

    def _position(self, item_id: int) -> int | None:
        loc = self.location
        if loc.parent is None or loc.evidence_id is None:
            return None
        return ui_queries.directory_position(
            self._case, loc.evidence_id, loc.volume_idx, loc.parent, item_id,
            self.filter_text or None, self.sort_key, self.descending)

    def display(self, row: dict[str, Any], column: Column) -> str:
        key = column.key
        if key == "size":
            return format_size(row.get("size")) if row.get("kind") != "dir" else ""
        if key in ("mtime", "crtime"):
            return format_time(row.get(key))
        if key == "deleted":
            return "yes" if row.get("deleted") else ""
        if key == "tags":
            return ", ".join(row.get("tags", []))
        value = row.get(key)
        return "" if value is None else str(value)

    def extra_data(self, row: dict[str, Any], column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column.key == "name":
            if row.get("deleted"):
                return icon("deleted")
            return icon("folder" if row.get("kind") == "dir" else "file")
        if role == Qt.ItemDataRole.ForegroundRole and row.get("deleted"):
            return QBrush(QColor("#b03030"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.key == "size":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

"""A table model that loads rows a page at a time from a query (never all rows at once).

Subclasses say how to count and fetch a page; sorting and filtering are passed to the
query, so the view only ever holds the pages the user has scrolled through. A count that
may be slow (a filter scanning a million paths) runs in the background: the first page is
shown at once, the total follows (``total_changed``) and is "counting" until then.

:meth:`PagedTableModel.seek` jumps to a row far down without loading the pages before it:
they are reserved as placeholders (``None``) and loaded when a view first asks for them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from triage.casedb import CaseError
from triage.textsafety import visible_controls
from triage.ui.formatting import plain_tooltip
from triage.ui.row_counter import CountFunction, RowCounter

PAGE_SIZE = 256
#: How many pages a sorted table reads to find a selected row again after a scan added rows.
LOCATE_PAGES = 4
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
#: What reading a damaged case file raises (a malformed page, undecodable JSON).
READ_ERRORS = (sqlite3.DatabaseError, CaseError)


@dataclass(frozen=True)
class Column:
    """One table column: a key (also the query's sort key, when ``sortable``) and a title."""

    key: str
    title: str
    sortable: bool = True


class PagedTableModel(QAbstractTableModel):
    """Base of the case tables: paged rows, query-side sort and filter, background counts."""

    #: Emitted when a background count has settled the total.
    total_changed = Signal()
    #: Emitted with the error's text when reading the case failed (a damaged case file);
    #: the model then shows the rows it has and loads no more until :meth:`reload`.
    load_failed = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        #: Loaded rows; ``None`` for a row of a page reserved by :meth:`seek`, not loaded yet.
        self._rows: list[dict[str, Any] | None] = []
        self._total = 0
        self._total_known = True
        self._generation = 0
        self._counter = RowCounter(self)
        self._counter.counted.connect(self._on_counted)
        self._failed = False
        #: A background recount of a sorted table is checking whether rows were added.
        self._recounting = False
        self._columns: list[Column] = []
        self.filter_text = ""
        self.sort_key: str | None = None
        self.descending = False

    # -- subclasses ------------------------------------------------------------------
    def _count(self) -> int:
        """Count the matching rows (subclasses query the case)."""
        return 0

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Return the matching rows ``offset`` to ``offset + limit`` (subclasses query)."""
        return []

    def _position(self, item_id: int) -> int | None:
        """Return the offset ``_page`` lists ``item_id`` at, without loading the rows before
        it; None when the listing does not hold it or the model cannot tell (the default)."""
        return None

    def _after_page(self, rows: list[dict[str, Any]]) -> None:
        """Hook to decorate a freshly loaded page (e.g. with its tags)."""

    def _background_count(self) -> tuple[Path, CountFunction] | None:
        """Return (case path, count function) when the count may be slow, else None.

        The function gets a case opened on its own connection in another thread.
        """
        return None

    def display(self, row: dict[str, Any], column: Column) -> str:
        """Return the text of one cell (the view shows hidden characters in it visibly)."""
        value = row.get(column.key)
        return "" if value is None else str(value)

    # -- loading ---------------------------------------------------------------------
    def reload(self) -> None:
        """Drop the loaded rows, load the first page and count (in the background if slow)."""
        self._generation += 1
        self._counter.cancel()
        self._failed = self._recounting = False
        background = self._background_count()
        total, failure = 0, None
        if background is None:
            try:
                total = self._count()
            except READ_ERRORS as exc:
                failure = exc
        self.beginResetModel()
        self._rows = []
        self._total, self._total_known = total, background is None
        self.endResetModel()
        if failure is not None:
            self._fail(failure)
            return
        if self._total or not self._total_known:
            self.fetchMore(QModelIndex())
        if not self._total_known:
            path, count = background
            self._counter.start(path, count, self._generation)

    def _natural_order_is_id(self) -> bool:
        """True when, without a sort key, rows come in id order (the default)."""
        return True

    def ordered_by_id(self) -> bool:
        """True when rows come in ascending id order, so rows a scan adds come last."""
        if self.descending or self.sort_key not in (None, "id"):
            return False
        return self.sort_key == "id" or self._natural_order_is_id()

    def refresh_total(self) -> None:
        """Pick up rows a scan added. In id order they come last: recount, and the view
        fetches them as it scrolls. In any other order they fall among the loaded rows:
        when the count changed, re-read those in place (:meth:`_reorder_in_place`)."""
        if self._failed:
            return  # the examiner was told; Refresh reloads
        background = self._background_count()
        if not self.ordered_by_id():
            if background is None:
                try:
                    total = self._count()
                except READ_ERRORS as exc:
                    self._fail(exc)
                    return
                if total != self._total:
                    self._reorder_in_place(total)
            elif self._total_known and not self._counter.is_running():
                self._recounting = True
                self._counter.start(*background, self._generation)
            return
        if background is not None:
            if self._total_known:
                self._total_known = False
                self._counter.start(*background, self._generation)
            return
        try:
            total = self._count()
        except READ_ERRORS as exc:
            self._fail(exc)
            return
        if total < len(self._rows):
            self.reload()
        else:
            self._total = total

    def _reorder_in_place(self, total: int) -> None:
        """Re-read the rows after the case gained some, keeping the places the view holds.

        The view's current row and selection are persistent indexes: they are moved to
        where their items are now (a layout change, as a sort is), so a scan writing
        elsewhere neither scrolls the table nor drops what the examiner selected.
        """
        added = total - self._total
        if added < 0 or not self._total_known or not self._rows:
            self.reload()
            return
        self._total = total
        held = len(self._rows)
        # An item moves down by at most ``added``: make room for the lowest one to move.
        last = max((index.row() for index in self.persistentIndexList() if index.isValid()),
                   default=-1)
        grow = min(added, max(0, last + 1 + added - held)) if last >= 0 else 0
        if grow:
            self.beginInsertRows(QModelIndex(), held, held + grow - 1)
            self._rows.extend([None] * grow)
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        indexes = self.persistentIndexList()
        old_rows = self._rows
        wanted = {}
        for index in indexes:
            row = old_rows[index.row()] if 0 <= index.row() < len(old_rows) else None
            if row is not None:
                wanted[row["id"]] = index.row()
        self._rows = [None] * len(old_rows)
        found = self._locate(wanted, added)
        moved = []
        for index in indexes:
            row = old_rows[index.row()] if 0 <= index.row() < len(old_rows) else None
            new_row = found.get(row["id"], -1) if row is not None else -1
            moved.append(self.index(new_row, index.column()) if new_row >= 0 else QModelIndex())
        self.changePersistentIndexList(indexes, moved)
        self.layoutChanged.emit()

    def _locate(self, wanted: dict[int, int], added: int) -> dict[int, int]:
        """Return the rows the items ``wanted`` (id: old row) are at now, reading only
        their pages: where :meth:`_position` says, else from their old row down to
        ``added`` rows further (at most :data:`LOCATE_PAGES` pages each)."""
        pages: set[int] = set()
        for item_id, old_row in wanted.items():
            try:
                position = self._position(item_id)
            except READ_ERRORS as exc:
                self._fail(exc)
                return {}
            if position is not None:
                pages.add(position - position % PAGE_SIZE)
                continue
            first = old_row - old_row % PAGE_SIZE
            last = min(old_row + added, first + (LOCATE_PAGES - 1) * PAGE_SIZE)
            pages.update(range(first, last + 1, PAGE_SIZE))
        for first in sorted(pages):
            if first < len(self._rows) and not self._failed:
                self._fill_page(first)
        ids = set(wanted)
        return {row["id"]: position for position, row in enumerate(self._rows)
                if row is not None and row["id"] in ids}

    def set_filter(self, text: str) -> None:
        """Filter rows (in the query) by ``text``."""
        self.filter_text = text.strip()
        self.reload()

    def _on_counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        if self._recounting:
            self._recounting = False
            if total != self._total:
                self._reorder_in_place(total)
            return
        if self._total_known:
            return
        self._total = max(total, len(self._rows))
        self._total_known = True
        self.total_changed.emit()

    def total_is_known(self) -> bool:
        """False while a background count is still running."""
        return self._total_known

    def wait_for_total(self, timeout: float = 30.0) -> bool:
        """Block until the background count has reported (tests, benchmarks); True if known."""
        if not self._counter.wait(timeout):
            return False
        # The result arrives as a queued signal; deliver it now.
        QCoreApplication.processEvents()
        return self._total_known

    def shutdown(self) -> None:
        """Stop a background count (the model is going away)."""
        self._generation += 1
        self._counter.cancel()

    def total(self) -> int:
        """Return the number of matching rows (while counting: the rows loaded so far)."""
        return self._total

    def row_data(self, row: int) -> dict[str, Any] | None:
        """Return the row dict at ``row`` (None when out of range), loading its page if
        :meth:`seek` only reserved it."""
        if not 0 <= row < len(self._rows):
            return None
        if self._rows[row] is None and not self._failed:
            self._fill_page(row)
        return self._rows[row]

    def row_of_id(self, item_id: int) -> int:
        """Return the loaded row holding ``item_id`` or -1."""
        return next((i for i, row in enumerate(self._rows)
                     if row is not None and row.get("id") == item_id), -1)

    def rows_of_ids(self, item_ids: list[int]) -> list[int]:
        """The loaded rows holding ``item_ids`` (those loaded), ascending, in one pass."""
        wanted = set(item_ids)
        return [i for i, row in enumerate(self._rows)
                if row is not None and row.get("id") in wanted]

    def seek(self, item_id: int) -> int:
        """Return the row of ``item_id`` (-1 when not listed), loading only its page.

        The pages between the loaded rows and it are reserved, not loaded, so the view
        can scroll back over them; without :meth:`_position` only loaded rows are found.
        """
        loaded = self.row_of_id(item_id)
        if loaded >= 0:
            return loaded
        try:
            position = self._position(item_id)
        except READ_ERRORS as exc:
            self._fail(exc)
            return -1
        if position is None:
            return -1
        if position >= len(self._rows):
            end = position - position % PAGE_SIZE + PAGE_SIZE
            if self._total_known:
                end = max(position + 1, min(end, self._total))
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, end - 1)
            self._rows.extend([None] * (end - first))
            self.endInsertRows()
            self._total = max(self._total, end)
        row = self.row_data(position)
        if row is not None and row.get("id") == item_id:
            return position
        # The case changed between the count and the page.
        return self.row_of_id(item_id)

    def _fill_page(self, row: int) -> None:
        """Load the page holding ``row`` into the places :meth:`seek` reserved for it."""
        first = row - row % PAGE_SIZE
        try:
            rows = self._page(first, min(PAGE_SIZE, len(self._rows) - first))
            self._after_page(rows)
        except READ_ERRORS as exc:
            self._fail(exc)
            return
        for position, loaded in enumerate(rows, first):
            if self._rows[position] is None:
                self._rows[position] = loaded

    def _fail(self, exc: Exception) -> None:
        """Stop loading after a read error: settle the total at the rows held and report
        the error once (a view asks for the same rows again at every paint)."""
        self._generation += 1
        self._counter.cancel()
        self._total, self._total_known = len(self._rows), True
        if not self._failed:
            self._failed = True
            self.total_changed.emit()
            self.load_failed.emit(str(exc))

    def load_has_failed(self) -> bool:
        """True when reading the case failed since the last :meth:`reload`."""
        return self._failed

    def columns(self) -> list[Column]:
        """Return the current columns."""
        return list(self._columns)

    # -- QAbstractTableModel ---------------------------------------------------------
    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() or self._failed:
            return False
        return len(self._rows) < self._total or not self._total_known

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._failed:
            return
        try:
            rows = self._page(len(self._rows), PAGE_SIZE)
            if rows:
                self._after_page(rows)
        except READ_ERRORS as exc:
            self._fail(exc)
            return
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        if len(rows) < PAGE_SIZE:
            # A short page ends the result, which settles the total without a count.
            settled = not self._total_known
            self._total, self._total_known = len(self._rows), True
            if settled:
                self._generation += 1
                self._counter.cancel()
                self.total_changed.emit()
        else:
            self._total = max(self._total, len(self._rows))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return visible_controls(self.display(row, column), single_line=True)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = visible_controls(self.display(row, column))
            if len(text) > 40:
                return plain_tooltip(text)
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.get("id")
        return self.extra_data(row, column, role)

    def extra_data(self, row: dict[str, Any], column: Column, role: int) -> Any:
        """Return data for other roles (decoration, colours); None by default."""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title if 0 <= section < len(self._columns) else None
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns) or not self._columns[column].sortable:
            return
        key = self._columns[column].key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending):
            return
        previous = self.sort_key, self.descending
        self.sort_key, self.descending = key, descending
        try:
            self.reload()
        except ValueError:
            # A column the case cannot sort by (an attribute name it refuses in SQL).
            self.sort_key, self.descending = previous
            self.reload()

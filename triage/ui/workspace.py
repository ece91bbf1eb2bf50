"""The case browser: tree on the left, a table (or the map) in the middle, details on the right."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from triage.casedb import CaseDatabase, ui_queries
from triage.textsafety import visible_controls
from triage.ui.artefact_table_model import ArtefactQuery, ArtefactTableModel
from triage.ui.audit_chain_check import AuditChainCheck
from triage.ui.audit_table_model import AuditTableModel
from triage.ui.case_tree_model import CaseTreeModel
from triage.ui.detail_pane import DetailPane
from triage.ui.file_table_model import FileLocation, FileTableModel
from triage.ui.formatting import plain_tooltip
from triage.ui.map_view import MAX_MARKERS, MapPoint, MapView
from triage.ui.paged_table_model import PagedTableModel
from triage.ui.warning_table_model import WarningTableModel

FILTER_DELAY_MS = 250
#: How long a tag, untag or note waits for another program writing to the case (seconds)
#: before the examiner is told the case is busy: the window is frozen meanwhile.
WRITE_WAIT_S = 3.0
#: Columns are sized to the loaded rows' contents within these bounds (pixels).
MIN_COLUMN_WIDTH = 48
MAX_COLUMN_WIDTH = 380
#: ... judged on at most this many rows (the visible ones first): Qt's default of 1000 asks
#: every cell of every loaded page for all its roles, a quarter of a second per table.
FIT_SAMPLE_ROWS = 64


@dataclass
class ReviewOutcome:
    """What a tag (or note) did: ``items`` acted on, ``changed`` of them newly tagged, and
    those that ``already`` carried the tag. False when there was nothing to act on."""

    items: int
    changed: int
    already: list[tuple[str, int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.items > 0


def fit_columns(view: QTableView) -> None:
    """Size each column to its header and loaded cells, within sensible bounds."""
    header = view.horizontalHeader()
    last = header.count() - 1
    for column in range(header.count()):
        if column == last and header.stretchLastSection():
            continue
        wanted = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
        header.resizeSection(column, max(MIN_COLUMN_WIDTH, min(MAX_COLUMN_WIDTH, wanted)))


#: Rows a refresh loads again to keep the examiner's selection (those further down are
#: dropped from the selection).
RELOAD_KEEPS_ROWS = 20_000


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


class PagedTableView(QTableView):
    """A table view that remembers whether the examiner chose "Select all" (Ctrl+A).

    A paged table holds only the rows scrolled through, so "every loaded row selected"
    does not say "every row": a refresh reselecting the first page, or a shift-click to
    the last loaded row, looks the same. Only the select-all action sets
    :attr:`all_chosen`; any other change of the selection, or a reload, clears it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.all_chosen = False

    def setModel(self, model: Any) -> None:  # noqa: N802 (Qt's name)
        super().setModel(model)
        self.selectionModel().selectionChanged.connect(self._selection_changed)
        model.modelReset.connect(self._forget)

    def selectAll(self) -> None:  # noqa: N802 (Qt's name)
        super().selectAll()
        self.all_chosen = True

    def _selection_changed(self, *_args: Any) -> None:
        self.all_chosen = False

    def _forget(self) -> None:
        self.all_chosen = False


def _table_view(model: PagedTableModel, name: str) -> PagedTableView:
    view = PagedTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setDefaultSectionSize(140)
    view.horizontalHeader().setResizeContentsPrecision(FIT_SAMPLE_ROWS)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class Workspace(QWidget):
    """Browses one open case; the main window drives scans, dialogs and exports."""

    selection_changed = Signal()
    #: Emitted with the error's text when browsing met a damaged case file.
    case_damaged = Signal(str)

    def __init__(self, case: CaseDatabase, examiner: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.case = case
        self.examiner = examiner
        self.tree_model = CaseTreeModel(case, self)
        self.tree = QTreeView()
        self.tree.setObjectName("case_tree")
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.expand(self.tree_model.index(0, 0))
        self.tree.expand(self.tree_model.index(1, 0))
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current)
        self.tree_model.load_failed.connect(self.case_damaged)

        self.artefact_model = ArtefactTableModel(case, self)
        self.file_model = FileTableModel(case, self)
        self.warning_model = WarningTableModel(case, self)
        self.artefact_view = _table_view(self.artefact_model, "artefact_table")
        self.file_view = _table_view(self.file_model, "file_table")
        self.warning_view = _table_view(self.warning_model, "warning_table")
        self.audit_model = AuditTableModel(case, self)
        self.audit_view = _table_view(self.audit_model, "audit_table")
        self._audit_check = AuditChainCheck(self)
        self._audit_check.checked.connect(self._on_audit_checked)
        self._audit_check_generation = 0
        for model in (self.artefact_model, self.file_model):
            model.total_changed.connect(self._show_count)
        for model in (self.artefact_model, self.file_model, self.warning_model, self.audit_model):
            model.load_failed.connect(self.case_damaged)
        for view in (self.artefact_view, self.file_view):
            # Enabling sorting sorts by the indicator at once, and Qt's default indicator is
            # column 0 descending: clear it first, or "All files" starts as a sort of 1M names.
            view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            view.setSortingEnabled(True)
            view.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.file_view.setColumnWidth(0, 220)
        self.file_view.doubleClicked.connect(self._on_file_double_clicked)
        self.map_view = MapView()
        self.map_view.setObjectName("map_view")
        self.map_view.artefact_clicked.connect(self.show_artefact_details)

        self.title = QLabel("Select an item in the tree")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # directory paths and tag names from the case
        self.title.setStyleSheet("font-weight: bold")
        self.filter = QLineEdit()
        self.filter.setObjectName("filter")
        self.filter.setPlaceholderText("Filter (Ctrl+F)…")
        self.filter.setClearButtonEnabled(True)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter.textChanged.connect(lambda _text: self._filter_timer.start())
        self.count_label = QLabel()
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.count_label)
        header.addWidget(self.filter)

        self.stack = QStackedWidget()
        for widget in (self.artefact_view, self.file_view, self.warning_view, self.audit_view,
                       self.map_view):
            self.stack.addWidget(widget)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addLayout(header)
        middle_layout.addWidget(self.stack, 1)

        self.detail = DetailPane(case)
        self.detail.show_file_requested.connect(self.show_in_file_system)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([240, 560, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    # -- routing from the tree -------------------------------------------------------
    def _on_tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self.tree_model.node_at(current)
        payload = node.payload
        self.title.setToolTip("")  # the audit log's title alone carries one
        if node.kind == "category":
            self.show_artefacts(ArtefactQuery(categories=(payload["category"],),
                                              title=payload["category"]))
        elif node.kind == "type":
            self.show_artefacts(ArtefactQuery(types=(payload["type"],),
                                              title=f"{payload['category']}: {node.label}"))
        elif node.kind == "secret_keys":
            self.show_artefacts(ArtefactQuery(types=("pgp.key",), secret_keys=True,
                                              title=node.label))
        elif node.kind == "artefacts_root":
            self.show_artefacts(ArtefactQuery(title="All artefacts"))
        elif node.kind == "gps":
            self.show_artefacts(ArtefactQuery(with_coordinates=True, title=node.label))
        elif node.kind == "unallocated":
            self.show_artefacts(ArtefactQuery(unallocated=True, title=node.label))
        elif node.kind == "tag":
            self.show_artefacts(ArtefactQuery(tag=payload["tag"], title=f"Tag: {payload['tag']}"))
        elif node.kind == "tag_files":
            self.show_directory(FileLocation(None, None, None, tag=payload["tag"]))
        elif node.kind == "tags_root":
            self.show_artefacts(ArtefactQuery(tagged_only=True, title="Tagged artefacts"))
        elif node.kind in ("volume", "dir"):
            self.show_directory(FileLocation(payload["evidence_id"], payload["volume_idx"],
                                             payload["path"]))
        elif node.kind == "evidence":
            self.show_directory(FileLocation(payload["evidence"]["id"], None, None))
        elif node.kind == "evidence_root":
            self.show_directory(FileLocation(None, None, None))
        elif node.kind == "warnings":
            self.show_warnings()
        elif node.kind == "audit":
            self.show_audit_log()

    def select_tree_node(self, kind: str, label: str | None = None) -> bool:
        """Select a top-level or second-level tree node (as a click would)."""
        index = self.tree_model.find_index(kind, label)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        return True

    def _leave_tree(self) -> None:
        """Clear the tree's current node: the middle pane is about to show something the
        tree did not choose, and a highlighted node would not react to a click (the tree
        navigates when its current node changes)."""
        self.tree.selectionModel().clear()

    # -- the middle pane -------------------------------------------------------------
    def show_artefacts(self, query: ArtefactQuery) -> None:
        """Show a set of artefacts in the table."""
        self.stack.setCurrentWidget(self.artefact_view)
        self.filter.setEnabled(True)
        self.artefact_model.filter_text = self.filter.text().strip()
        self.artefact_model.set_query(query)
        self.artefact_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.title.setText(visible_controls(query.title, single_line=True))
        self._after_reload()

    def show_directory(self, location: FileLocation) -> None:
        """Show one directory (or all files of an evidence item) in the file table."""
        self.stack.setCurrentWidget(self.file_view)
        self.filter.setEnabled(True)
        self.file_model.filter_text = self.filter.text().strip()
        self.file_model.set_location(location)
        if location.tag is not None:
            self.title.setText(visible_controls(f"Files tagged: {location.tag}", single_line=True))
        else:
            self.title.setText(visible_controls(location.parent or "All files", single_line=True))
        self._after_reload()

    def show_warnings(self) -> None:
        """Show the warnings recorded in the case."""
        self.stack.setCurrentWidget(self.warning_view)
        self.filter.setEnabled(False)
        self.warning_model.reload()
        self.title.setText("Warnings")
        self._after_reload()

    def show_audit_log(self) -> None:
        """Show the case's audit log; its hash chain is checked in the background and
        the title then says whether it holds (the tooltip: the head, or what broke it)."""
        self.stack.setCurrentWidget(self.audit_view)
        self.filter.setEnabled(False)
        self.audit_model.reload()
        self._audit_check_generation += 1
        self.title.setText("Audit log: checking the hash chain…")
        self._audit_check.start(self.case.path, self._audit_check_generation)
        self._after_reload()

    def _on_audit_checked(self, generation: int, short: str, summary: str) -> None:
        if generation != self._audit_check_generation:
            return
        if self.stack.currentWidget() is not self.audit_view:
            return
        self.title.setText(visible_controls(f"Audit log: {short}", single_line=True))
        self.title.setToolTip(plain_tooltip(visible_controls(summary)))

    def show_map(self) -> int:
        """Show every artefact with coordinates on the map; return how many are placed."""
        self._leave_tree()
        points = []
        for artefact in self.case.artefacts_with_coordinates():
            attributes = artefact["attributes"]
            label = f"{artefact['type']} #{artefact['id']}: {artefact.get('path') or ''}"
            points.append(MapPoint(artefact["id"], attributes.get("gps_latitude"),
                                   attributes.get("gps_longitude"), label))
            if len(points) >= MAX_MARKERS:
                break
        placed = self.map_view.set_points(points)
        self.stack.setCurrentWidget(self.map_view)
        self.filter.setEnabled(False)
        self.title.setText("Map")
        self.count_label.setText(f"{placed:,} places")
        self.map_view.reset_zoom()
        return placed

    def current_model(self) -> PagedTableModel | None:
        """Return the model of the visible table (None on the map)."""
        widget = self.stack.currentWidget()
        return widget.model() if isinstance(widget, QTableView) else None

    def apply_filter(self) -> None:
        """Filter the visible table by the filter box (in the query)."""
        self._filter_timer.stop()
        model = self.current_model()
        text = self.filter.text().strip()
        if model is not None and self.filter.isEnabled() and text != model.filter_text:
            model.set_filter(text)
            self._after_reload()

    def _after_reload(self) -> None:
        model = self.current_model()
        if model is not None:
            self._show_count()
            fit_columns(self.stack.currentWidget())
        self.detail.clear()
        self.selection_changed.emit()

    def _show_count(self) -> None:
        """Show the visible table's row count ("counting…" while a filter is counted)."""
        model = self.current_model()
        if model is None:
            return
        if model.total_is_known():
            self.count_label.setText(f"{model.total():,} rows")
        else:
            self.count_label.setText(f"{model.total():,}+ rows, counting…")

    # -- selection -------------------------------------------------------------------
    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        model = current.model()
        row = model.row_data(current.row()) if isinstance(model, PagedTableModel) else None
        if row is None:
            return
        if model is self.artefact_model:
            self.detail.show_artefact(row["id"])
        else:
            self.detail.show_file(row["id"])
        self.selection_changed.emit()

    def show_artefact_details(self, artefact_id: int) -> None:
        """Show an artefact in the detail pane (used by map clicks)."""
        self.detail.show_artefact(artefact_id)
        self.selection_changed.emit()

    def _on_file_double_clicked(self, index: QModelIndex) -> None:
        row = self.file_model.row_data(index.row())
        if row and row.get("kind") == "dir":
            self._leave_tree()
            self.show_directory(FileLocation(row["evidence_id"], row["volume_idx"], row["path"]))

    def whole_table_selected(self) -> bool:
        """True when the examiner chose "Select all" (Ctrl+A) in the table shown, every
        loaded row is still selected and the table lists more rows than it has loaded: the
        selection then stands for every row of the current query, not only the pages
        scrolled through. A selection that merely covers the loaded rows (a refresh
        selecting the first page again, a shift-click) stands for those rows only."""
        widget = self.stack.currentWidget()
        if widget not in (self.artefact_view, self.file_view) or not widget.all_chosen:
            return False
        model = widget.model()
        loaded = model.rowCount()
        if not loaded or not widget.selectionModel().hasSelection():
            return False
        selected = len(widget.selectionModel().selectedRows())
        more = (model.total() > loaded or not model.total_is_known()
                or model.canFetchMore(QModelIndex()))
        return selected == loaded and more

    def selected_file_ids(self) -> list[int]:
        """Return the files selected in the file table (every file of the listing when the
        whole table is selected), or the current artefact's file."""
        if self.stack.currentWidget() is self.file_view:
            if self.whole_table_selected():
                return self.file_model.all_ids(files_only=True)
            rows = self.file_view.selectionModel().selectedRows()
            ids = [self.file_model.row_data(i.row()) for i in rows]
            return [r["id"] for r in ids if r and r.get("kind") != "dir"]
        if self.detail.current and self.detail.current[0] == "artefact":
            artefact = self.case.get_artefact(self.detail.current[1])
            if artefact and artefact.get("file_id"):
                return [artefact["file_id"]]
        return []

    def show_in_file_system(self, file_id: int) -> bool:
        """Open the file's directory in the file table and select the file."""
        file = self.case.get_file(file_id)
        if file is None:
            return False
        self._leave_tree()
        self.filter.clear()
        self._filter_timer.stop()
        self.show_directory(FileLocation(file["evidence_id"], file["volume_idx"], file["parent"]))
        row = self.file_model.seek(file_id)
        if row < 0:
            return False
        index = self.file_model.index(row, 0)
        self.file_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.file_view.scrollTo(index)
        return True

    # -- review ----------------------------------------------------------------------
    def tag_current(self, tag: str, comment: str | None = None) -> ReviewOutcome:
        """Tag every row selected in the table shown (or else the item in the detail
        pane), all in one transaction; the outcome is false when there is nothing to tag.

        Waits at most :data:`WRITE_WAIT_S` for another program writing to the case, then
        raises :class:`CaseBusy` with nothing tagged.
        """
        items = self._review_items()
        if not items:
            return ReviewOutcome(0, 0)
        with self.case.busy_wait(WRITE_WAIT_S):
            # A comment for an item that carried the tag already is kept as a note on it.
            already = self.case.tag_many(tag, self.examiner, items, comment=comment,
                                         note_comment_if_tagged=True)
        self._refresh_review(items)
        return ReviewOutcome(len(items), len(items) - len(already), already)

    def _refresh_review(self, items: list[tuple[str, int]]) -> None:
        """Show the tags of ``items`` anew in the tables, the tree and the detail pane."""
        self._refresh_tags(items)
        self.tree_model.refresh()
        self.detail.refresh()

    def _refresh_tags(self, items: list[tuple[str, int]]) -> None:
        for kind, model in (("artefact", self.artefact_model), ("file", self.file_model)):
            model.refresh_tags_many([item_id for item_kind, item_id in items if item_kind == kind])

    def _review_items(self) -> list[tuple[str, int]]:
        """(kind, id) of the rows selected in the table shown, else the detail pane's item."""
        return self._selected_items() or ([self.detail.current] if self.detail.current else [])

    def tags_of_selection(self) -> list[str]:
        """Return the tag names the selected items (or the detail pane's item) carry."""
        items = self._review_items()
        names: dict[str, None] = {}
        for kind, lookup in (("artefact", ui_queries.tags_by_artefact),
                             ("file", ui_queries.tags_by_file)):
            ids = [item_id for item_kind, item_id in items if item_kind == kind]
            for tags in lookup(self.case, ids).values() if ids else ():
                names.update(dict.fromkeys(tags))
        return sorted(names, key=str.casefold)

    def untag_current(self, tag: str) -> int:
        """Remove ``tag`` from every selected row (or else the detail pane's item) in one
        transaction; return how many items carried it. Each removal is recorded in the
        audit log. Raises :class:`CaseBusy` (nothing removed) as :meth:`tag_current`."""
        items = self._review_items()
        if not items:
            return 0
        with self.case.busy_wait(WRITE_WAIT_S):
            removed = self.case.untag_many(tag, self.examiner, items)
        self._refresh_tags(items)
        if removed:
            self.tree_model.refresh()
            model = self.current_model()
            listed = (self.artefact_model.query.tag if model is self.artefact_model
                      else self.file_model.location.tag if model is self.file_model else None)
            tagged_view = model is self.artefact_model and self.artefact_model.query.tagged_only
            if listed == tag or tagged_view:
                # The table lists that tag's items (or tagged items): the untagged ones
                # leave it.
                model.reload()
                self._after_reload()
            self.detail.refresh()
        return removed

    def _selected_items(self) -> list[tuple[str, int]]:
        """(kind, id) of the rows selected in the artefact or file table on show (of every
        row of its query when the whole table is selected)."""
        widget = self.stack.currentWidget()
        if widget is self.artefact_view:
            kind, view, model = "artefact", self.artefact_view, self.artefact_model
        elif widget is self.file_view:
            kind, view, model = "file", self.file_view, self.file_model
        else:
            return []
        if self.whole_table_selected():
            return [(kind, item_id) for item_id in model.all_ids()]
        rows = [model.row_data(index.row()) for index in view.selectionModel().selectedRows()]
        return [(kind, row["id"]) for row in rows if row]

    def note_current(self, text: str) -> int:
        """Add the note to every row selected in the table shown (or else the item in the
        detail pane), as Tag does, in one transaction; return how many items got it (0
        when there is none or the note is empty). Raises :class:`CaseBusy` (nothing
        written) as :meth:`tag_current`."""
        items = self._review_items()
        if not items or not text.strip():
            return 0
        with self.case.busy_wait(WRITE_WAIT_S):
            self.case.add_note_many(text, self.examiner, items)
        self.detail.refresh()
        return len(items)

    def describe_review_items(self) -> str:
        """What Tag and Add note act on, for their dialogs: 'artefact #12' or '3 selected
        items' (every row of the table's query when it is all selected)."""
        items = self._review_items()
        if len(items) == 1:
            kind, item_id = items[0]
            return f"{kind} #{item_id}"
        kinds = {kind for kind, _ in items}
        noun = f"{kinds.pop()}s" if len(kinds) == 1 else "items"
        return f"{len(items):,} selected {noun}"

    # -- live updates ----------------------------------------------------------------
    def refresh(self) -> None:
        """Pick up rows a running scan has written (counts, new rows at the end)."""
        self.tree_model.refresh()
        model = self.current_model()
        if model is not None:
            model.refresh_total()
            self._show_count()

    def reload_after_scan(self) -> None:
        """Refresh everything once a scan ended."""
        self.tree_model.refresh()
        self.tree_model.reload_evidence()
        self.tree.expand(self.tree_model.index(0, 0))
        model = self.current_model()
        if model is not None:
            self._reload_keeping_selection(model)
            self._show_count()

    def _reload_keeping_selection(self, model: PagedTableModel) -> None:
        """Reload the table shown and select again, by id, the rows that were selected
        (those still listed among the rows loaded, and the current one wherever it is
        now); when the current item is no longer listed, the detail pane is cleared, so
        it never shows (and Tag never acts on) an item the table no longer selects."""
        view = self.stack.currentWidget()
        selection = view.selectionModel()
        current = model.row_data(selection.currentIndex().row()) if selection.currentIndex(
        ).isValid() else None
        current_id = current["id"] if current else None
        selected_ids = [row["id"] for row in (model.row_data(index.row())
                                             for index in selection.selectedRows()) if row]
        held = min(model.rowCount(), RELOAD_KEEPS_ROWS)
        model.reload()
        # Load again as many rows as were loaded, so a selection further down is kept.
        while model.rowCount() < held and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        flags = QItemSelectionModel.SelectionFlag
        rows = model.rows_of_ids(selected_ids)
        current_row = model.seek(current_id) if current_id is not None else -1
        blocked = selection.blockSignals(True)  # the detail pane is set below, once
        try:
            chosen = QItemSelection()
            for first, last in _runs(rows):
                chosen.select(model.index(first, 0),
                              model.index(last, model.columnCount() - 1))
            selection.select(chosen, flags.Select | flags.Rows)
            if current_row >= 0:
                selection.setCurrentIndex(model.index(current_row, 0), flags.NoUpdate)
        finally:
            selection.blockSignals(blocked)
        view.viewport().update()
        if current_row >= 0:
            self.detail.refresh()
        elif self.detail.current is not None and self.detail.current[0] in ("artefact", "file"):
            self.detail.clear()
        self.selection_changed.emit()

    def shutdown(self) -> None:
        """Stop background helpers (the content loader, row counts)."""
        self.artefact_model.shutdown()
        self.file_model.shutdown()
        self.detail.shutdown()

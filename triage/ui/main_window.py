"""The main window: start screen or case workspace, actions, scans, exports, status bar."""

from __future__ import annotations

import getpass
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from triage.casedb import CaseBusy, CaseDatabase, CaseError
from triage.casedb.errors import is_busy
from triage.ui.about_dialog import AboutDialog
from triage.ui.add_evidence_dialog import AddEvidenceDialog
from triage.ui.background_task import BackgroundTask
from triage.ui.export_dialog import ExportDialog, default_output, run_export
from triage.ui.file_export import (
    ExportRefused,
    ExportResults,
    check_destination,
    export_files,
)
from triage.ui.icons import icon
from triage.ui.ingest_worker import (
    EngineFactory,
    IngestController,
    default_engine_factory,
    make_options,
)
from triage.ui.messages import show_error, show_info
from triage.ui.progress_panel import ProgressPanel
from triage.ui.settings import UiSettings
from triage.ui.start_screen import StartScreen
from triage.ui.tag_dialog import NoteDialog, RemoveTagDialog, TagDialog
from triage.ui.workspace import WRITE_WAIT_S, Workspace

LIVE_REFRESH_MS = 1500


def _items(count: int) -> str:
    return f"{count:,} item{'' if count == 1 else 's'}"


class MainWindow(QMainWindow):
    """The application window; ``case_opened`` and ``scan_finished`` signal milestones."""

    case_opened = Signal(str)
    scan_finished = Signal(object)
    export_finished = Signal(object)

    def __init__(self, settings: UiSettings | None = None,
                 engine_factory: EngineFactory = default_engine_factory) -> None:
        super().__init__()
        self.settings = settings or UiSettings()
        self.setWindowTitle("triage")
        self.setWindowIcon(icon("case"))
        self.resize(1400, 860)
        self.case: CaseDatabase | None = None
        self.workspace: Workspace | None = None
        self.examiner = self.settings.examiner() or getpass.getuser()
        self._close_when_stopped = False
        #: The window was asked to close while an export ran; it closes when that ends.
        self._close_when_tasks_done = False
        #: Where the reports being exported go (two exports in one second get two names).
        self._export_outputs: set[Path] = set()
        self._tasks: list[BackgroundTask] = []
        #: The message about damage met while browsing, while it is open (shown once).
        self._damage_box: QMessageBox | None = None

        self.ingest = IngestController(engine_factory, self)
        self.ingest.progress.connect(self._on_progress)
        self.ingest.finished.connect(self._on_scan_finished)
        self.ingest.failed.connect(self._on_scan_failed)
        self.progress_panel = ProgressPanel()
        self.progress_panel.hide()
        self.progress_panel.cancel_requested.connect(self.ingest.cancel)
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(LIVE_REFRESH_MS)
        self._live_timer.timeout.connect(self._live_refresh)
        # Another program (a `triage scan` from the command line) may write to the open
        # case: its commits are noticed by the case's data version and shown as a scan
        # from this window is.
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(LIVE_REFRESH_MS)
        self._watch_timer.timeout.connect(self._watch_case)
        self._seen_version: int | None = None

        self.start_screen = StartScreen(self.settings.recent_cases(), self.settings.examiner())
        self.start_screen.case_chosen.connect(self.open_case)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_screen)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.progress_panel)
        self.setCentralWidget(central)

        self.status_case = QLabel("No case open")
        self.status_evidence = QLabel()
        self.status_work = QLabel("Idle")
        for label in (self.status_case, self.status_evidence, self.status_work):
            label.setTextFormat(Qt.TextFormat.PlainText)  # case names and paths are shown as typed
        for label in (self.status_case, self.status_evidence):
            self.statusBar().addWidget(label)
        self.statusBar().addPermanentWidget(self.status_work)
        self._make_actions()
        self._restore_layout()
        self._update_actions()

    # -- actions ---------------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcut: Any = None, icon_name: str | None = None,
                name: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        action.setObjectName(name or text)
        return action

    def _make_actions(self) -> None:
        std = QKeySequence.StandardKey
        self.act_new = self._action("New case", self.show_start_screen, std.New, "case")
        self.act_open = self._action("Open case…", self._open_case_dialog, std.Open, "case")
        self.act_close = self._action("Close case", self.close_case, "Ctrl+W")
        self.act_add = self._action("Add evidence…", self.add_evidence, "Ctrl+E", "evidence")
        self.act_cancel = self._action("Cancel scan", self.ingest.cancel, "Ctrl+.", "warning")
        self.act_tag = self._action("Tag…", self.tag_current, "Ctrl+T", "tag")
        self.act_untag = self._action("Remove tag…", self.untag_current, "Ctrl+Shift+T", "tag")
        self.act_note = self._action("Add note…", self.note_current, "Ctrl+Shift+N", "document")
        self.act_filter = self._action("Filter", self._focus_filter, std.Find, "artefacts")
        self.act_map = self._action("Map", self.show_map, "Ctrl+M", "map")
        self.act_warnings = self._action("Warnings", self._show_warnings, "Ctrl+Shift+W",
                                         "warning")
        self.act_audit = self._action("Audit log", self._show_audit_log, "Ctrl+Shift+L",
                                      "document")
        self.act_export = self._action("Export report…", self.export_report, "Ctrl+Shift+E",
                                       "document")
        self.act_export_files = self._action("Export selected files…", self.export_selected_files,
                                             "Ctrl+Shift+S", "file")
        self.act_refresh = self._action("Refresh", self._refresh, std.Refresh)
        self.act_about = self._action("About triage", self._about, None)
        self.act_quit = self._action("Quit", self.close, std.Quit)

        menu = self.menuBar()
        case_menu = menu.addMenu("&Case")
        for action in (self.act_new, self.act_open, self.act_close, None, self.act_add,
                       self.act_cancel, None, self.act_export, self.act_export_files, None,
                       self.act_quit):
            case_menu.addSeparator() if action is None else case_menu.addAction(action)
        review = menu.addMenu("&Review")
        for action in (self.act_tag, self.act_untag, self.act_note, self.act_filter):
            review.addAction(action)
        view = menu.addMenu("&View")
        for action in (self.act_map, self.act_warnings, self.act_audit, self.act_refresh):
            view.addAction(action)
        menu.addMenu("&Help").addAction(self.act_about)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.act_add, self.act_tag, self.act_note, self.act_map,
                       self.act_warnings, self.act_export):
            toolbar.addAction(action)
        self.addToolBar(toolbar)

    def _update_actions(self) -> None:
        has_case = self.workspace is not None
        scanning = self.ingest.is_running()
        for action in (self.act_close, self.act_add, self.act_tag, self.act_untag, self.act_note,
                       self.act_filter, self.act_map, self.act_warnings, self.act_audit,
                       self.act_export, self.act_export_files, self.act_refresh):
            action.setEnabled(has_case)
        self.act_add.setEnabled(has_case and not scanning)
        self.act_close.setEnabled(has_case and not scanning)
        self.act_cancel.setEnabled(scanning)

    # -- cases -----------------------------------------------------------------------
    def open_case(self, path: str, examiner: str = "") -> bool:
        """Open the case at ``path``; show a readable error and return False when it fails."""
        if self.ingest.is_running():
            show_error(self, "Scan running", "Wait for the scan to finish or cancel it first.")
            return False
        try:
            case = CaseDatabase.open(path)
        except CaseError as exc:
            self.start_screen.error.setText(str(exc))
            show_error(self, "Cannot open the case", str(exc))
            return False
        self._drop_workspace()
        if examiner:
            self.examiner = examiner
            self.settings.set_examiner(examiner)
        try:
            with case.busy_wait(WRITE_WAIT_S):
                case.add_examiner(self.examiner)
            workspace = Workspace(case, self.examiner)
        except (CaseError, sqlite3.Error) as exc:
            # Damage the first queries meet (a malformed page, JSON, a missing table), or
            # another program writing to the case (a sound file: try again).
            busy = isinstance(exc, CaseBusy) or is_busy(exc)
            case.close(busy_wait=0 if busy else WRITE_WAIT_S)  # no second wait when busy
            if busy:
                message = (f"{path}: the case is busy (another program is writing to it);"
                           " try again")
                self.start_screen.error.setText(message)
                show_error(self, "Case busy", message)
                return False
            message = f"{path}: damaged case file ({exc})"
            self.start_screen.error.setText(message)
            show_error(self, "Cannot open the case", message)
            return False
        self.case = case
        self.workspace = workspace
        self.workspace.selection_changed.connect(self._update_actions)
        # Queued: the damage is met inside a model's fetchMore or a paint, no place for a dialog.
        self.workspace.case_damaged.connect(self._on_case_damaged,
                                            Qt.ConnectionType.QueuedConnection)
        self.workspace.detail.tag_requested.connect(self.tag_current)
        self.workspace.detail.untag_requested.connect(self.untag_current)
        self.workspace.detail.note_requested.connect(self.note_current)
        self.pages.addWidget(self.workspace)
        self.pages.setCurrentWidget(self.workspace)
        self._restore_splitter()
        self.settings.add_recent_case(path)
        try:
            self._seen_version = case.data_version()
        except (CaseError, sqlite3.Error):
            self._seen_version = None
        self._watch_timer.start()
        self._update_status()
        self._update_actions()
        self.case_opened.emit(path)
        return True

    def _on_case_damaged(self, error: str) -> None:
        """Tell the examiner that browsing met damage in the case file (once at a time)."""
        if self.case is None or self._damage_box is not None:
            return
        if "locked" in error or "busy" in error:
            # SQLite's busy errors are DatabaseErrors too, but the file is sound.
            title = "Case busy"
            message = (f"{self.case.path}: another process kept the case locked ({error})."
                       "\n\nThe table or tree shows only what could be read; choose Refresh"
                       " to read it again.")
        else:
            title = "Damaged case file"
            detail = error if "damaged case file" in error else f"damaged case file ({error})"
            message = (f"{self.case.path}: {detail}\n\nThe table or tree shows only what"
                       " could be read before the damage; it may not list everything the"
                       " case holds.")
        self.status_work.setText(title)
        box = show_error(self, title, message)
        if box is not None:
            self._damage_box = box
            box.finished.connect(self._forget_damage_box)

    def _forget_damage_box(self) -> None:
        self._damage_box = None

    def _drop_workspace(self) -> None:
        self._watch_timer.stop()
        if self.workspace is not None:
            self._save_layout()
            self.workspace.shutdown()
            self.pages.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        if self.case is not None:
            self.case.close(busy_wait=WRITE_WAIT_S)
            self.case = None

    def close_case(self) -> None:
        """Close the case and go back to the start screen."""
        if self.ingest.is_running():
            return
        self._drop_workspace()
        self.show_start_screen()

    def show_start_screen(self) -> None:
        """Show the start screen (new case, open, recent)."""
        if self.workspace is not None and not self.ingest.is_running():
            self._drop_workspace()
        self.pages.setCurrentWidget(self.start_screen)
        self._update_status()
        self._update_actions()

    def _open_case_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open case", "",
                                              "Triage cases (*.triage *.db *.sqlite);;All files (*)")
        if path:
            self.open_case(path)

    # -- scans -----------------------------------------------------------------------
    def add_evidence(self) -> None:
        """Ask for evidence, profile and extractors, then start the scan."""
        if self.workspace is None or self.ingest.is_running():
            return
        dialog = AddEvidenceDialog(self.examiner, self)
        dialog.setObjectName("add_evidence_dialog")
        dialog.accepted.connect(lambda: self._start_from_dialog(dialog))
        dialog.open()

    def _start_from_dialog(self, dialog: AddEvidenceDialog) -> None:
        examiner = dialog.examiner.text().strip()
        if examiner and examiner != self.examiner:
            self.examiner = examiner
            self.settings.set_examiner(examiner)
            if self.workspace is not None:
                self.workspace.examiner = examiner
        self.start_scan(dialog.evidence_paths(), dialog.chosen_profile(),
                        dialog.chosen_extractors())

    def start_scan(self, paths: list[str], profile: str = "full",
                   extractors: list[str] | None = None) -> bool:
        """Start scanning ``paths`` into the open case in a worker thread."""
        if self.case is None or self.ingest.is_running() or not paths:
            return False
        try:
            options = make_options(profile, extractors, self.examiner)
        except (ImportError, ValueError) as exc:
            show_error(self, "Cannot start the scan", str(exc))
            return False
        self.ingest.start(str(self.case.path), paths, options)
        self.progress_panel.start()
        self.status_work.setText("Scanning…")
        self._live_timer.start()
        self._update_actions()
        return True

    def _on_progress(self, progress: Any) -> None:
        self.progress_panel.update_progress(progress)
        self.status_work.setText(f"Scanning: {progress.files_done:,} files, "
                                 f"{progress.artefacts:,} artefacts")

    def _live_refresh(self) -> None:
        if self.workspace is not None:
            self.workspace.refresh()
            self._update_status(keep_work=True)

    def _watch_case(self) -> None:
        """Refresh when another program committed to the case since the last look."""
        if self.case is None or self.workspace is None or self.ingest.is_running():
            return
        try:
            version = self.case.data_version()
        except (CaseError, sqlite3.Error):
            return  # browsing reports damage where it meets it
        if self._seen_version is not None and version != self._seen_version:
            self._live_refresh()
        self._seen_version = version

    def _scan_ended(self) -> None:
        self._live_timer.stop()
        self.progress_panel.hide()
        if self.workspace is not None:
            self.workspace.reload_after_scan()
        self._update_status()
        self._update_actions()

    def _on_scan_finished(self, summary: Any) -> None:
        self._scan_ended()
        total = sum(getattr(summary, "artefacts_by_type", {}).values())
        message = (f"Scan {summary.status}: {summary.files:,} files, {total:,} artefacts, "
                   f"{summary.warnings:,} warnings in {summary.seconds:.1f} s")
        self.status_work.setText(message)
        if summary.status == "failed" and summary.message:
            show_error(self, "Scan failed", summary.message)
        self.scan_finished.emit(summary)
        if self._close_when_stopped:
            self.close()

    def _on_scan_failed(self, message: str) -> None:
        self._scan_ended()
        self.status_work.setText("Scan failed")
        show_error(self, "Scan failed", message)
        self.scan_finished.emit(None)
        if self._close_when_stopped:
            self.close()

    # -- review ----------------------------------------------------------------------
    def tag_current(self) -> None:
        """Ask for a tag and apply it to the selected artefact or file."""
        if self.workspace is None or not self.workspace.detail.current or self.case is None:
            return
        dialog = TagDialog(self.case.tag_names(), self, self.workspace.describe_review_items())
        dialog.setObjectName("tag_dialog")
        dialog.accepted.connect(lambda: self._apply_tag(dialog))
        dialog.open()

    def _apply_tag(self, dialog: TagDialog) -> None:
        tag = dialog.chosen_tag()
        if not tag or self.workspace is None:
            return
        workspace, comment = self.workspace, dialog.chosen_comment()
        outcome = self._review_write("Tag", lambda: workspace.tag_current(tag, comment))
        if outcome:
            text = f"Tagged {_items(outcome.items)} as {tag}"
            if outcome.already:
                text += f" ({len(outcome.already):,} already carried it)"
            self.status_work.setText(text)
            if outcome.already and comment:
                # Never drop the comment silently: it went into a note on those items.
                show_info(self, "Tag", f"{_items(len(outcome.already))} already carried the tag"
                          f" {tag}; that tag and its earlier comment are unchanged, and your"
                          " comment was added to them as a note.")

    def untag_current(self) -> None:
        """Ask which of their tags to remove from the selected artefacts or files."""
        if self.workspace is None:
            return
        try:
            tags = self.workspace.tags_of_selection()
        except (CaseError, sqlite3.Error) as exc:
            show_error(self, "Remove tag", f"{self.case.path if self.case else ''}: cannot read"
                       f" the tags ({exc})")
            return
        if not tags:
            show_info(self, "Remove tag", "The selected items carry no tags.")
            return
        dialog = RemoveTagDialog(tags, self)
        dialog.setObjectName("untag_dialog")
        dialog.accepted.connect(lambda: self._apply_untag(dialog.chosen_tag()))
        dialog.open()

    def _apply_untag(self, tag: str) -> None:
        if self.workspace is None:
            return
        workspace = self.workspace
        removed = self._review_write("Remove tag", lambda: workspace.untag_current(tag))
        if removed is not None:
            self.status_work.setText(f"Removed the tag {tag} from {_items(removed)}")

    def note_current(self) -> None:
        """Ask for a note and attach it to the selected artefact or file."""
        if self.workspace is None or not self.workspace.detail.current:
            return
        dialog = NoteDialog(self, self.workspace.describe_review_items())
        dialog.setObjectName("note_dialog")
        dialog.accepted.connect(lambda: self._apply_note(dialog.note_text()))
        dialog.open()

    def _apply_note(self, text: str) -> None:
        if self.workspace is None:
            return
        workspace = self.workspace
        noted = self._review_write("Add note", lambda: workspace.note_current(text))
        if noted:
            self.status_work.setText(f"Note added to {_items(noted)}")

    def _review_write(self, title: str, write: Any) -> Any:
        """Run a tag, untag or note; tell the examiner when the case was busy or could not
        be written (nothing was then written) and return None, else what ``write`` gave."""
        try:
            return write()
        except CaseBusy as exc:
            self.status_work.setText("Case busy: nothing written")
            show_error(self, "Case busy", f"{exc}\n\nNothing was written.")
        except (CaseError, sqlite3.Error, ValueError) as exc:
            path = self.case.path if self.case is not None else ""
            self.status_work.setText("Nothing written")
            show_error(self, title, f"{path}: could not write to the case ({exc});"
                       " nothing was written")
        return None

    def show_map(self) -> None:
        """Show the map of artefacts with coordinates."""
        if self.workspace is not None:
            self.workspace.show_map()

    def _show_warnings(self) -> None:
        if self.workspace is not None:
            self.workspace.select_tree_node("warnings")

    def _show_audit_log(self) -> None:
        if self.workspace is not None:
            self.workspace.select_tree_node("audit")

    def _focus_filter(self) -> None:
        if self.workspace is not None:
            self.workspace.filter.setFocus()
            self.workspace.filter.selectAll()

    def _refresh(self) -> None:
        if self.workspace is not None:
            self.workspace.reload_after_scan()
            self._update_status()

    def _about(self) -> None:
        AboutDialog(self).open()

    # -- exports ---------------------------------------------------------------------
    def export_report(self) -> None:
        """Ask for a format and destination, then export in the background."""
        if self.case is None:
            return
        dialog = ExportDialog(str(Path(self.case.path).parent), self)
        dialog.setObjectName("export_dialog")
        dialog.accepted.connect(lambda: self.start_export(
            dialog.chosen_format(), Path(dialog.folder.text()), dialog.tagged_only.isChecked()))
        dialog.open()

    def start_export(self, fmt: str, folder: Path, tagged_only: bool) -> BackgroundTask | None:
        """Export a report into ``folder`` off the GUI thread."""
        if self.case is None:
            return None
        output = default_output(folder, self.case.info().get("name") or "case", fmt,
                                self._export_outputs)
        case_path, examiner = str(self.case.path), self.examiner
        self._export_outputs.add(output)
        messages: list[tuple[str, str]] = []

        def describe(path: Any) -> str:
            notes = [line for kind, line in messages if kind == "note"]
            warnings = [line for kind, line in messages if kind == "warning"]
            if warnings and not self._close_when_tasks_done:
                show_error(self, "Report written, with warnings", "\n".join(warnings))
            return "; ".join([f"Report written to {path}", *notes,
                              *(["see the warnings"] if warnings else [])])

        task = self._run_task(
            lambda: run_export(case_path, fmt, output, tagged_only, examiner, messages),
            "Exporting report…", describe)
        task.done.connect(lambda _result: self._export_outputs.discard(output))
        task.failed.connect(lambda _message: self._export_outputs.discard(output))
        return task

    def export_selected_files(self, folder: str | None = None) -> BackgroundTask | None:
        """Copy the selected files out of the evidence and verify their hashes."""
        if self.case is None or self.workspace is None:
            return None
        file_ids = self.workspace.selected_file_ids()
        if not file_ids:
            show_info(self, "Export files", "Select one or more files (or an artefact in a file).")
            return None
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Export the files into")
            if not folder:
                return None
        try:
            check_destination(folder, self.case.list_evidence())
        except ExportRefused as exc:
            self.status_work.setText("Files not exported")
            show_error(self, "Export files", str(exc))
            return None
        except (CaseError, sqlite3.Error) as exc:
            show_error(self, "Export files", f"{self.case.path}: cannot read the evidence list"
                       f" ({exc})")
            return None
        case_path, examiner = str(self.case.path), self.examiner

        def summary(results: ExportResults) -> str:
            text = results.describe()
            counts = results.counts()
            if (counts.get("error") or counts.get("mismatch") or results.audit_error
                    or results.manifest_error) and not self._close_when_tasks_done:
                show_error(self, "Export files", text)
            return text

        return self._run_task(
            lambda: export_files(case_path, file_ids, folder, examiner=examiner),
            f"Exporting {len(file_ids):,} file{'' if len(file_ids) == 1 else 's'}…", summary)

    def _run_task(self, function: Any, busy: str, describe: Any) -> BackgroundTask:
        task = BackgroundTask(function, self)
        self._tasks.append(task)
        self.status_work.setText(busy)

        def done(result: Any) -> None:
            self._tasks.remove(task)
            self.status_work.setText(describe(result))
            self.export_finished.emit(result)
            self._close_if_waiting()

        def failed(message: str) -> None:
            self._tasks.remove(task)
            self.status_work.setText("Export failed")
            if not self._close_when_tasks_done:
                show_error(self, "Export failed", message)
            self.export_finished.emit(None)
            self._close_if_waiting()

        task.done.connect(done)
        task.failed.connect(failed)
        task.start()
        return task

    # -- status and layout -----------------------------------------------------------
    def _update_status(self, keep_work: bool = False) -> None:
        if self.case is None or self.workspace is None:
            self.status_case.setText("No case open")
            self.status_evidence.clear()
            self.setWindowTitle("triage")
            return
        name = self.case.info().get("name") or self.case.path.stem
        evidence = len(self.case.list_evidence())
        self.status_case.setText(f"Case: {name}")
        self.status_evidence.setText(f"{evidence} evidence item{'s' if evidence != 1 else ''}")
        self.setWindowTitle(f"{name} — triage")
        if not keep_work and not self.ingest.is_running() and not self._tasks:
            self.status_work.setText(self.status_work.text() or "Idle")

    def _restore_layout(self) -> None:
        geometry = self.settings.layout("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.layout("state")
        if state is not None:
            self.restoreState(state)

    def _restore_splitter(self) -> None:
        state = self.settings.layout("splitter")
        if state is not None and self.workspace is not None:
            self.workspace.splitter.restoreState(state)

    def _save_layout(self) -> None:
        self.settings.set_layout("geometry", self.saveGeometry())
        self.settings.set_layout("state", self.saveState())
        if self.workspace is not None:
            self.settings.set_layout("splitter", self.workspace.splitter.saveState())
        self.settings.sync()

    def confirm_stop_scan(self) -> bool:
        """Ask whether to stop the running scan to close the window."""
        answer = QMessageBox.question(
            self, "Scan running",
            "A scan is running. Stop it and close? Everything found so far is kept.")
        return answer == QMessageBox.StandardButton.Yes

    def _close_if_waiting(self) -> None:
        if self._close_when_tasks_done and not self._tasks:
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._tasks:
            # An export runs in its own thread: ending the event loop under it aborts
            # the process and leaves a half-written report. Close when it is done.
            event.ignore()
            self._close_when_tasks_done = True
            self.status_work.setText("Closing when the export has finished…")
            return
        if self.ingest.is_running():
            event.ignore()
            if self._close_when_stopped or self.confirm_stop_scan():
                self._close_when_stopped = True
                self.status_work.setText("Stopping the scan…")
                self.ingest.cancel()
            return
        self._drop_workspace()
        self._save_layout()
        event.accept()

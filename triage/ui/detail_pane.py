"""The detail pane: attributes, source, tags and notes, plus hex, text and image viewers."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from triage.casedb import CaseDatabase
from triage.textsafety import visible_controls
from triage.ui.content_loader import (
    ContentLoader,
    ContentRequest,
    ContentResult,
    request_for_artefact,
    request_for_file,
    request_for_window,
)
from triage.ui.content_window_bar import ContentWindowBar
from triage.ui.formatting import format_size_exact, format_time_exact, format_value
from triage.ui.hex_view import HexView

MAX_TEXT = 64 * 1024
MAX_DETAIL_VALUE = 2000
MAX_LIST_ITEMS = 200


def _shown(text: str, single_line: bool = True) -> str:
    """Return evidence text as HTML with hidden and reordering characters made visible
    (line breaks too unless the text keeps its lines)."""
    return html.escape(visible_controls(text, single_line=single_line))


def _table(rows: list[tuple[str, str]]) -> str:
    # A value's lines are its list items (_detail_value); each line is shown as one line.
    cells = "".join(
        f"<tr><td width='34%' style='color:#555;padding-right:12px'>{_shown(k)}</td>"
        f"<td>{'<br>'.join(_shown(line) for line in v.split(chr(10)))}</td></tr>"
        for k, v in rows
    )
    return f"<table cellspacing='2'>{cells}</table>"


def _detail_value(value: Any) -> str:
    """Return an attribute value for the detail pane: list items one per line."""
    if isinstance(value, list | tuple):
        return "\n".join(format_value(item, MAX_DETAIL_VALUE) for item in value[:MAX_LIST_ITEMS])
    return format_value(value, MAX_DETAIL_VALUE)


def ordered_attributes(attributes: dict[str, Any],
                       specs: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Return (label, value) pairs: declared attributes in declared order, then the rest."""
    labels = {spec["name"]: spec.get("label") or spec["name"] for spec in specs}
    names = [name for name in labels if name in attributes]
    names += sorted(name for name in attributes if name not in labels)
    return [(labels.get(name, name), attributes[name]) for name in names]


class DetailPane(QWidget):
    """Shows one artefact or file; emits requests for the main window's actions."""

    show_file_requested = Signal(int)
    tag_requested = Signal()
    untag_requested = Signal()
    note_requested = Signal()

    def __init__(self, case: CaseDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self._case = case
        self.current: tuple[str, int] | None = None
        self._file_id: int | None = None
        self._request_id = 0
        #: What the viewers show (or are reading), the base of further windows.
        self._request: ContentRequest | None = None
        self._keep_picture = False
        self.loader = ContentLoader(self)
        self.loader.loaded.connect(self._on_loaded)

        self.title = QLabel("Nothing selected")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # file names from the evidence, never markup
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; font-size: 13px")
        self.show_file_button = QPushButton("Show in file system")
        self.tag_button = QPushButton("Tag…")
        self.untag_button = QPushButton("Remove tag…")
        self.note_button = QPushButton("Add note…")
        for button in (self.show_file_button, self.tag_button, self.untag_button,
                       self.note_button):
            button.setEnabled(False)
        self.show_file_button.clicked.connect(self._show_file)
        self.tag_button.clicked.connect(self.tag_requested)
        self.untag_button.clicked.connect(self.untag_requested)
        self.note_button.clicked.connect(self.note_requested)
        buttons = QHBoxLayout()
        for button in (self.tag_button, self.untag_button, self.note_button,
                       self.show_file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._on_anchor)
        self.hex_view = HexView()
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.image_label = QLabel("No picture")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        image_scroll = QScrollArea()
        image_scroll.setWidgetResizable(True)
        image_scroll.setWidget(self.image_label)
        self.window_bar = ContentWindowBar()
        self.window_bar.offset_requested.connect(self.show_window)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.details, "Details")
        self.tabs.addTab(self.hex_view, "Hex")
        self.tabs.addTab(self.text_view, "Text")
        self.tabs.addTab(image_scroll, "Picture")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addWidget(self.window_bar)
        layout.addWidget(self.tabs, 1)

    # -- showing ---------------------------------------------------------------------
    def clear(self) -> None:
        """Show nothing."""
        self.current = None
        self._file_id = None
        self.title.setText("Nothing selected")
        self.details.clear()
        self._request_id, self._request = 0, None
        self._set_content(ContentResult())
        for button in (self.show_file_button, self.tag_button, self.untag_button,
                       self.note_button):
            button.setEnabled(False)

    def show_artefact(self, artefact_id: int) -> None:
        """Show an artefact: attributes, source, tags, notes and its hit in the viewers."""
        artefact = self._case.get_artefact(artefact_id)
        if artefact is None:
            self.clear()
            return
        self.current = ("artefact", artefact_id)
        self._file_id = artefact.get("file_id")
        info = self._case.artefact_types_info().get(artefact["type"], {})
        type_label = info.get("label") or artefact["type"]
        self.title.setText(visible_controls(f"{type_label} #{artefact_id}", single_line=True))
        attributes = [(label, _detail_value(value)) for label, value in
                      ordered_attributes(artefact["attributes"], info.get("attributes", []))]
        source = [
            ("Evidence", artefact.get("evidence_path") or ""),
            ("Volume", format_value(artefact.get("volume_idx"))),
            ("Path", artefact.get("path") or ""),
            ("Inode", format_value(artefact.get("inode"))),
            ("Offset", format_value(artefact.get("offset"))),
            ("Deleted", "yes" if artefact["deleted"] else "no"),
            ("Unallocated", "yes" if artefact["unallocated"] else "no"),
            ("Extractor", f"{artefact['extractor']} {artefact['extractor_version']}"),
            ("Run", format_value(artefact.get("run_id"))),
        ]
        parts = [f"<h3>Attributes</h3>{_table(attributes)}", f"<h3>Source</h3>{_table(source)}"]
        if artefact.get("context"):
            context = _shown(artefact["context"][:4000], single_line=False)
            parts.append(f"<h3>Context</h3><pre>{context}</pre>")
        parts.append(self._review_html(artefact_id=artefact_id))
        self.details.setHtml("".join(parts))
        self._enable_buttons()
        self._load(request_for_artefact(artefact))

    def show_file(self, file_id: int) -> None:
        """Show a file: metadata, hashes, tags, notes and artefacts found in it."""
        file = self._case.get_file(file_id)
        if file is None:
            self.clear()
            return
        self.current = ("file", file_id)
        self._file_id = None
        evidence = self._case.evidence_by_id(file["evidence_id"]) or {}
        suffix = " (deleted)" if file["deleted"] else ""
        self.title.setText(visible_controls(f"{file['name']}{suffix}", single_line=True))
        rows = [
            ("Evidence", evidence.get("path", "")), ("Volume", format_value(file["volume_idx"])),
            ("Path", file["path"]), ("Inode", format_value(file["inode"])),
            ("Kind", file["kind"]), ("Size", format_size_exact(file["size"])),
            ("Deleted", "yes" if file["deleted"] else "no"),
            # Exact values here; the tables keep the short forms.
            ("Modified", format_time_exact(file["mtime"])),
            ("Accessed", format_time_exact(file["atime"])),
            ("Changed", format_time_exact(file["ctime"])),
            ("Created", format_time_exact(file["crtime"])),
            ("Type", file.get("mime_description") or file.get("mime") or ""),
            ("MD5", file.get("md5") or ""), ("SHA-256", file.get("sha256") or ""),
        ]
        found = self._case.file_artefacts(file_id)
        links = "".join(
            f"<li><a href='artefact:{a['id']}'>{_shown(a['type'])} #{a['id']}</a></li>"
            for a in found[:200]
        )
        parts = [f"<h3>File</h3>{_table(rows)}"]
        if links:
            parts.append(f"<h3>Artefacts in this file</h3><ul>{links}</ul>")
        parts.append(self._review_html(file_id=file_id))
        self.details.setHtml("".join(parts))
        self._enable_buttons()
        self.show_file_button.setEnabled(False)
        self._load(request_for_file(file, evidence.get("path", "")))

    def refresh(self) -> None:
        """Re-show the current item (after a tag or note was added)."""
        if self.current and self.current[0] == "artefact":
            self.show_artefact(self.current[1])
        elif self.current:
            self.show_file(self.current[1])

    def _review_html(self, artefact_id: int | None = None, file_id: int | None = None) -> str:
        tags = self._case.tags_for(artefact_id=artefact_id, file_id=file_id)
        notes = self._case.notes_for(artefact_id=artefact_id, file_id=file_id)
        tag_rows = [(t["name"], f"{t['examiner']}, {t['created'][:19]}"
                     + (f": {t['comment']}" if t.get("comment") else "")) for t in tags]
        note_rows = [(f"{n['examiner']}, {n['created'][:19]}", n["text"]) for n in notes]
        return (f"<h3>Tags</h3>{_table(tag_rows) if tag_rows else '<i>none</i>'}"
                f"<h3>Notes</h3>{_table(note_rows) if note_rows else '<i>none</i>'}")

    def _enable_buttons(self) -> None:
        self.tag_button.setEnabled(True)
        self.untag_button.setEnabled(True)
        self.note_button.setEnabled(True)
        self.show_file_button.setEnabled(self._file_id is not None)

    # -- content ---------------------------------------------------------------------
    def _load(self, request: ContentRequest | None, keep_picture: bool = False) -> None:
        if request is None or not request.evidence_path:
            self._request_id = 0
            self._request = None
            self._set_content(ContentResult(message="No content to show"))
            return
        self._request, self._keep_picture = request, keep_picture
        self._set_content(ContentResult(message="Reading…"), keep_picture)
        self._request_id = self.loader.request(request)

    def show_window(self, offset: int, mark: bool = False) -> None:
        """Read the Hex and Text tabs' window at ``offset`` of the item shown (in the
        background, as the first); ``mark`` highlights the byte at ``offset``."""
        if self._request is not None:
            self._load(request_for_window(self._request, offset, mark), keep_picture=True)

    def _on_loaded(self, request_id: int, result: ContentResult) -> None:
        if request_id == self._request_id:
            self._set_content(result, self._keep_picture, browsable=True)

    def _set_content(self, result: ContentResult, keep_picture: bool = False,
                     browsable: bool = False) -> None:
        """Show a read window (``browsable``: the examiner may move to others)."""
        self.window_bar.show_window(result.base_offset, len(result.data), result.size, browsable)
        self.hex_view.set_data(result.data, result.base_offset, result.highlight)
        if result.message:
            self.text_view.setPlainText(result.message)
        else:
            text = result.data[:MAX_TEXT].decode("utf-8", "replace")
            # NUL as one symbol (U+2400): binary content would otherwise be a wall of
            # "<U+0000>", eight characters per byte.
            self.text_view.setPlainText(visible_controls(text.replace("\x00", "\u2400")))
        if keep_picture:
            return
        pixmap = QPixmap()
        if result.image and pixmap.loadFromData(result.image):
            if pixmap.width() > 1600 or pixmap.height() > 1600:
                pixmap = pixmap.scaled(1600, 1600, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            self.image_label.setPixmap(pixmap)
        else:
            self.image_label.setPixmap(QPixmap())
            self.image_label.setText(result.message or "No picture")

    # -- actions ---------------------------------------------------------------------
    def _show_file(self) -> None:
        if self._file_id is not None:
            self.show_file_requested.emit(self._file_id)

    def _on_anchor(self, url: QUrl) -> None:
        scheme, _, value = url.toString().partition(":")
        if scheme == "artefact" and value.isdigit():
            self.show_artefact(int(value))

    def shutdown(self) -> None:
        """Stop the content thread."""
        self.loader.stop()

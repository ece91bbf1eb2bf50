"""The HTML report: an ``index.html`` plus linked pages, readable offline in any browser.

``index.html`` holds the case and examiner, tool version, evidence (sizes, hashes,
verification), a per-volume summary, counts per artefact category, the tagged items
with their tags and notes, and links to the paged tables: one set of pages per artefact
type (grouped by category), the unallocated-space hits with their offsets, the warnings
and the audit log appendix. Every page is written as the rows stream from the case, so
a large case never sits in memory. Photos get small embedded thumbnails when the
evidence can be read (see :mod:`triage.reports.thumbnails`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage import __version__
from triage.casedb import CaseDatabase
from triage.casedb.portable import count_files_by_volume
from triage.reports.annotations import annotated_files
from triage.reports.evidence_files import EvidenceFiles
from triage.reports.html_page import (
    cell_text,
    esc,
    link,
    row,
    table,
    write_page,
    write_paged_table,
)
from triage.reports.naming import slug, unique_name
from triage.reports.runs import running_run_warnings
from triage.reports.selection import Selection, artefact_types_in_case
from triage.reports.thumbnails import thumbnail_uri
from triage.reports.values import attribute_map, evidence_text, source_location, text_value

PAGE_ROWS = 1000
#: Pages with thumbnails hold fewer rows so each stays light to open.
PHOTO_PAGE_ROWS = 200
TAGGED_INLINE = 500
_MAX_TABLE_ATTRIBUTES = 8


def _size(value: Any) -> str:
    """A byte count as text that is safe as HTML (callers put it into cells as it is)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        return "(not a whole number: damaged case value)"
    units = ("bytes", "KiB", "MiB", "GiB", "TiB")
    number, unit = float(value), 0
    while number >= 1024 and unit < len(units) - 1:
        number, unit = number / 1024, unit + 1
    return f"{value:,} bytes" if unit == 0 else f"{number:.1f} {units[unit]} ({value:,} bytes)"


def _definition_table(pairs: list[tuple[str, Any]]) -> str:
    rows = [f"<tr><th>{esc(k)}</th><td>{cell_text(v)}</td></tr>" for k, v in pairs]
    return "<table>" + "".join(rows) + "</table>"


def _attributes_summary(attributes: dict[str, Any], skip: set[str], labels: dict[str, str]) -> str:
    items = [
        f"<b>{esc(labels.get(k, k))}</b>: {cell_text(text_value(v))}"
        for k, v in attributes.items() if k not in skip and v not in (None, "", [], {})
    ]
    return "<br>".join(items)


def _tags_markup(case: CaseDatabase, artefact_id: int | None = None,
                 file_id: int | None = None) -> str:
    tags = case.tags_for(artefact_id=artefact_id, file_id=file_id)
    # Who tagged it and when, for every tag (a comment, if any, is in the notes cell).
    return "".join(f'<div><span class="tag">{esc(t["name"])}</span> <span class="muted">'
                   f'{esc(t["examiner"])}, {esc(t["created"])}</span></div>' for t in tags)


def _source_cell(item: dict[str, Any]) -> str:
    css = "mono deleted" if item.get("deleted") else "mono"
    return f'<span class="{css}">{cell_text(source_location(item))}</span>'


class HtmlReport:
    """Writes the report for one case and selection into a folder."""

    def __init__(self, case: CaseDatabase, selection: Selection, folder: Path,
                 examiner: str | None, thumbnails: bool = True) -> None:
        self.case = case
        self.selection = selection
        self.folder = folder
        self.examiner = examiner
        self.thumbnails = thumbnails
        self.files = EvidenceFiles()
        self.artefacts_written = 0
        #: Page stems and anchors given out: two types or categories that differ only in
        #: case or in characters a file name cannot hold must not share one.
        self._stems: set[str] = set()
        self._anchors: set[str] = set()

    # -- artefact type pages -----------------------------------------------------------
    def _type_rows(self, type_info: dict[str, Any], shown: list[str], photo: bool
                   ) -> Iterator[str]:
        labels = {a["name"]: a["label"] for a in type_info["attributes"]}
        for item in self.selection.artefacts(self.case, [type_info["name"]]):
            attributes = attribute_map(item.get("attributes"))
            cells = [esc(item["id"]), _source_cell(item),
                     cell_text(item["evidence_name"] or evidence_text(item)),
                     esc(item["volume_idx"])]
            if photo:
                cells.append(self._thumbnail(item))
            cells.extend(cell_text(text_value(attributes.get(name))) for name in shown)
            cells.append(_attributes_summary(attributes, set(shown), labels))
            cells.append(_tags_markup(self.case, artefact_id=item["id"]))
            self.artefacts_written += 1
            yield row(cells)

    def _thumbnail(self, item: dict[str, Any]) -> str:
        if not self.thumbnails or item.get("file_id") is None:
            return ""
        file = self.case.get_file(item["file_id"])
        if file is None:
            return ""
        file["evidence_path"] = item["evidence_path"]
        uri = thumbnail_uri(self.files, file)
        return f'<img class="thumb" alt="thumbnail" src="{esc(uri)}">' if uri else ""

    def _write_type(self, type_info: dict[str, Any]) -> list[tuple[str, int]]:
        names = [a["name"] for a in type_info["attributes"]]
        shown = [c for c in type_info["columns"] if c in names] or names
        shown = shown[:_MAX_TABLE_ATTRIBUTES]
        labels = {a["name"]: a["label"] for a in type_info["attributes"]}
        photo = type_info["name"].startswith("media.") or any(
            n in ("gps_latitude", "gps_longitude") for n in names)
        header = ["#", "Source", "Evidence", "Volume", *(["Thumbnail"] if photo else []),
                  *(labels.get(n, n) for n in shown), "Other attributes", "Tags"]
        title = f"{type_info['category']}: {type_info['label']}"
        return write_paged_table(
            self.folder, unique_name("type-" + slug(type_info["name"]), self._stems), title, header,
            self._type_rows(type_info, shown, photo),
            PHOTO_PAGE_ROWS if photo else PAGE_ROWS,
        )

    # -- other paged tables ------------------------------------------------------------
    def _unallocated_rows(self) -> Iterator[str]:
        for item in self.selection.artefacts(self.case):
            if not item["unallocated"]:
                continue
            attributes = attribute_map(item.get("attributes"))
            yield row([esc(item["id"]), esc(item["type"]),
                       cell_text(item["evidence_name"] or evidence_text(item)),
                       esc(item["volume_idx"]), esc(item["offset"]),
                       _attributes_summary(attributes, set(), {}),
                       cell_text(item.get("context"))])

    def _warning_rows(self) -> Iterator[str]:
        for warning in self.case.iter_warnings():
            yield row([esc(warning["created"]), cell_text(warning["source"]),
                       esc(warning["evidence_id"]), esc(warning["volume_idx"]),
                       f'<span class="mono">{cell_text(warning["path"])}</span>',
                       cell_text(warning["message"])])

    def _audit_rows(self) -> Iterator[str]:
        for entry in self.case.iter_audit():
            yield row([esc(entry["id"]), esc(entry["ts"]), cell_text(entry["examiner"]),
                       esc(entry["action"]), cell_text(text_value(entry["details"]))])

    def _tagged_rows(self) -> Iterator[str]:
        """Tagged files and artefacts, then (unless the report is tagged-only) those the
        examiner only wrote a note on: every note is in the report, as in CSV and JSON lines."""
        for file in annotated_files(self.case, self.selection):
            yield row([f"file {esc(file['id'])}", esc(file["kind"]),
                       _source_cell(file), _size(file.get("size")) + " " + esc(file["md5"]),
                       _tags_markup(self.case, file_id=file["id"]),
                       self._notes_markup(file_id=file["id"])])
        tagged = Selection(tagged_only=True, categories=self.selection.categories)
        items = tagged.artefacts(self.case)
        if not self.selection.tagged_only:
            noted = (self.case.get_artefact(i) for i in self.case.noted_untagged_artefact_ids())
            wanted = set(self.selection.categories or ())
            items = itertools.chain(items, (a for a in noted if a is not None and (
                not wanted or a["category"] in wanted)))
        for item in items:
            attributes = attribute_map(item.get("attributes"))
            yield row([esc(item["id"]), esc(item["type"]), _source_cell(item),
                       _attributes_summary(attributes, set(), {}),
                       _tags_markup(self.case, artefact_id=item["id"]),
                       self._notes_markup(artefact_id=item["id"])])

    def _notes_markup(self, artefact_id: int | None = None, file_id: int | None = None) -> str:
        notes = self.case.notes_for(artefact_id=artefact_id, file_id=file_id)
        tags = self.case.tags_for(artefact_id=artefact_id, file_id=file_id)
        parts = [f'<div class="note">{cell_text(t["comment"], single_line=False)} '
                 f'<span class="muted">— {esc(t["examiner"])}, {esc(t["created"])}</span></div>'
                 for t in tags if t.get("comment")]
        parts.extend(
            f'<div class="note">{cell_text(n["text"], single_line=False)} '
            f'<span class="muted">— {esc(n["examiner"])}, {esc(n["created"])}</span></div>'
            for n in notes
        )
        return "".join(parts)

    # -- index sections ----------------------------------------------------------------
    def _case_section(self) -> str:
        info = self.case.info()
        filters = []
        if self.selection.tagged_only:
            filters.append("tagged items only")
        if self.selection.categories:
            filters.append("categories: " + ", ".join(self.selection.categories))
        return _definition_table([
            ("Case name", info.get("name")),
            ("Case number", info.get("number")),
            ("Description", info.get("description")),
            ("Case created", info.get("created")),
            ("Case created with triage", info.get("tool_version")),
            ("Examiners", ", ".join(self.case.examiners())),
            ("Report by", self.examiner),
            ("Report generated", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("Report written by triage", __version__),
            ("Scope", "; ".join(filters) or "everything in the case"),
        ])

    def _evidence_section(self) -> str:
        volume_counts = count_files_by_volume(self.case)
        parts = []
        for item in self.case.list_evidence():
            stored = ", ".join(f"{k}: {v}" for k, v in sorted(item["stored_hashes"].items()))
            parts.append(f"<h3>{esc(item['name'])}</h3>")
            parts.append(_definition_table([
                ("Path", item["path"]), ("Format", item["format"]), ("Size", _size(item["size"])),
                ("Segments", len(item["segments"])), ("MD5", item["md5"]),
                ("SHA-1", item["sha1"]), ("SHA-256", item["sha256"]),
                ("Hashes stored in the image", stored), ("Verification", item["verification"]),
                ("Added", item["added"]),
                *((f"Media: {k}", v) for k, v in sorted(item["media_info"].items())),
            ]))
            rows = []
            for volume in self.case.list_volumes(item["id"]):
                counts = volume_counts.get((item["id"], volume["idx"]), {})
                rows.append(row([esc(volume["idx"]), esc(volume["kind"]),
                                 cell_text(volume["description"]), esc(volume["fs_type"]),
                                 esc(volume["start"]), _size(volume["length"]),
                                 cell_text(volume["status"]),
                                 esc(counts.get("entries", 0)), esc(counts.get("deleted", 0)),
                                 _size(counts.get("bytes", 0))]))
            if rows:
                parts.append(table(["Volume", "Kind", "Description", "File system",
                                    "Start (bytes)", "Length", "Status", "Entries", "Deleted",
                                    "File bytes"], rows))
        return "".join(parts) or "<p>No evidence in this case.</p>"

    def _runs_section(self) -> str:
        rows = [row([esc(r["id"]), esc(r["started"]), esc(r["finished"]), esc(r["status"]),
                     esc(r["profile"]), cell_text(r["examiner"]), esc(r["tool_version"])])
                for r in self.case.list_runs()]
        stats = self.case.file_statistics()
        summary = _definition_table([
            ("File-system entries", f"{stats['entries']:,}"),
            ("Directories", f"{stats['directories']:,}"),
            ("Deleted entries", f"{stats['deleted']:,}"),
            ("Bytes in files", _size(stats["bytes"])),
            ("Extension mismatches", f"{stats['extension_mismatches']:,}"),
        ])
        runs = table(["Run", "Started", "Finished", "Status", "Profile", "Examiner", "Version"],
                     rows) if rows else "<p>No ingest runs recorded.</p>"
        return summary + runs

    def write(self) -> int:
        """Write every page; return the number of artefacts listed in the type tables."""
        try:
            return self._write()
        finally:
            self.files.close()

    def _write(self) -> int:
        case, selection = self.case, self.selection
        body = [f'<p class="warning">Warning: {esc(line)}.</p>'
                for line in running_run_warnings(case)]
        body += [f"<h2>Case</h2>{self._case_section()}",
                f"<h2>Evidence</h2>{self._evidence_section()}",
                f"<h2>Ingest</h2>{self._runs_section()}"]

        tagged_pages = write_paged_table(
            self.folder, "tagged", "Tagged items",
            ["#", "Type", "Source", "Details", "Tags", "Comments and notes"],
            self._tagged_rows(), TAGGED_INLINE)
        body.append("<h2>Tagged items</h2>" if self.selection.tagged_only
                    else "<h2>Tagged items, and items with notes</h2>")
        body.append(self._page_links(tagged_pages, "No tagged items."))

        types = artefact_types_in_case(case, selection)
        categories: dict[str, list[dict[str, Any]]] = {}
        for type_info in types:
            categories.setdefault(type_info["category"], []).append(type_info)
        anchors = {category: unique_name("cat-" + slug(category), self._anchors)
                   for category in categories}
        counts = []
        for category in categories:
            number = case.count_artefacts(categories=[category], tagged_only=selection.tagged_only)
            counts.append(row([link(f"#{anchors[category]}", category),
                               f'<span class="count">{number:,}</span>']))
        body.append("<h2>Artefacts per category</h2>")
        body.append(table(["Category", "Artefacts"], counts) if counts
                    else "<p>No artefacts in scope.</p>")
        for category, category_types in categories.items():
            body.append(f'<h2 id="{esc(anchors[category])}">{esc(category)}</h2>')
            rows = []
            for type_info in category_types:
                pages = self._write_type(type_info)
                total = sum(n for _, n in pages)
                name = f'<span class="mono">{esc(type_info["name"])}</span>'
                rows.append(row([esc(type_info["label"]), name, f"{total:,}",
                                 self._page_links(pages, "")]))
            body.append(table(["Type", "Name", "Artefacts", "Pages"], rows))

        unallocated = write_paged_table(
            self.folder, "unallocated", "Hits in unallocated space",
            ["#", "Type", "Evidence", "Volume", "Offset (bytes)", "Attributes", "Context"],
            self._unallocated_rows(), PAGE_ROWS)
        body.append("<h2>Hits in unallocated space</h2>")
        body.append(self._page_links(unallocated, "No hits in unallocated space."))

        warnings = write_paged_table(
            self.folder, "warnings", "Warnings",
            ["Recorded", "Source", "Evidence", "Volume", "Path", "Message"],
            self._warning_rows(), PAGE_ROWS)
        body.append(f"<h2>Warnings ({case.count_warnings():,})</h2>")
        body.append(self._page_links(warnings, "No warnings were recorded."))

        audit = write_paged_table(
            self.folder, "audit", "Appendix: audit log",
            ["#", "Time (UTC)", "Examiner", "Action", "Details"], self._audit_rows(), PAGE_ROWS)
        body.append("<h2>Appendix: audit log</h2>")
        body.append(self._page_links(audit, "The audit log is empty."))
        body.append(self._audit_chain_paragraph())

        title = f"Triage report: {case.info().get('name') or ''}"
        write_page(self.folder / "index.html", title, "".join(body))
        return self.artefacts_written

    def _audit_chain_paragraph(self) -> str:
        """The audit log's hash chain as this report found it, with its head: whoever
        holds the report can check the case against it later
        (``triage info CASE --audit-head ENTRY:SHA256``)."""
        status, _ = self.case.audit_chain_status()
        text = f"<p>Hash chain: {esc(status.summary())}.</p>"
        # A broken chain still has a head: what it is now is what a later check compares
        # against (a restart, reported for ever, does not stop that).
        if status.present and status.head_id is not None:
            head = f"{status.head_id}:{status.head_digest}"
            text += (f'<p>Check the case against this report later with <span class="mono">'
                     f"triage info CASE --audit-head {esc(head)}</span> (entries written"
                     " after this report extend the chain and do not change this head).</p>")
        return text

    @staticmethod
    def _page_links(pages: list[tuple[str, int]], empty: str) -> str:
        if not pages:
            return f"<p>{esc(empty)}</p>" if empty else ""
        total = sum(n for _, n in pages)
        links = " ".join(link(name, f"page {i}") for i, (name, _) in enumerate(pages, 1))
        return f"<p>{total:,} rows: {links}</p>"


def write_html(case: CaseDatabase, selection: Selection, folder: Path,
               examiner: str | None = None, thumbnails: bool = True) -> int:
    """Write the HTML report into ``folder``; return the number of artefacts listed."""
    return HtmlReport(case, selection, folder, examiner, thumbnails).write()


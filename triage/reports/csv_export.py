"""CSV export: one file per artefact type plus files.csv, ready for a spreadsheet.

Files are UTF-8 with a byte-order mark (``utf-8-sig``) so spreadsheet programs pick the
right encoding, RFC 4180 quoting, CRLF line ends. Every cell that starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` so no evidence string is
run as a formula.

Spreadsheets in locales whose list separator is ``;`` split a CSV line on ``;`` (and
some readers on tabs), and honour quotes only at the start of what they take for a cell,
so a cell ``r;=2+5*cmd|x!A0`` would there become a cell ``=2+5*cmd|x!A0``. Therefore
every text cell is quoted (numbers are not, so they stay numbers), and a formula
character that follows a ``;``, tab or line break inside a text (possibly after quotes)
also gets a ``'`` before it: ``r;'=2+5*cmd|x!A0``. That changes the text as the leading
``'`` does, and only where a spreadsheet could start a formula. Artefact files are named after the type (``pgp.key.csv``); their
columns are the source columns, then the type's declared attributes, then
``other_attributes`` (JSON of any attribute the type did not declare), then the
examiner's work: ``tags`` (tag names, ``; ``-separated), ``tag_details`` (JSON list of
``{"name", "comment", "examiner", "created"}``) and ``notes`` (JSON list of
``{"examiner", "text", "created"}``); files.csv ends with the same three columns.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.reports.annotations import note_records, tag_records
from triage.reports.naming import safe_component, unique_name
from triage.reports.selection import Selection, artefact_types_in_case
from triage.reports.values import attribute_map, evidence_text, iso_utc

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A formula character where a reader splitting on ';', tabs or line breaks starts a cell.
_INNER_FORMULA = re.compile(r"([;\t\r\n]\"*)([=+\-@])")

SOURCE_COLUMNS = (
    "id", "type", "evidence", "volume", "path", "inode", "deleted", "unallocated", "offset",
)
ANNOTATION_COLUMNS = ("tags", "tag_details", "notes")
TRAILING_COLUMNS = ("other_attributes", "extractor", "extractor_version", *ANNOTATION_COLUMNS)
FILE_COLUMNS = (
    "id", "evidence", "volume", "path", "name", "extension", "inode", "stream", "kind",
    "meta_type", "size", "deleted", "allocated", "mtime", "atime", "ctime", "crtime",
    "md5", "sha1", "sha256", "mime", "extension_mismatch", *ANNOTATION_COLUMNS,
)


def guard_cell(value: Any) -> str | int | float:
    """Return a cell's text, with ``'`` put before a formula character where a spreadsheet
    could start a cell (the start, or after ``;``, tab or a line break); numbers (ints and
    floats from the case) are returned as they are, for :func:`csv_writer` to leave
    unquoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        # Real numbers are data, not formulas: -3.7 must stay a number in the sheet.
        return value
    if isinstance(value, list | tuple | dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    text = _INNER_FORMULA.sub(r"\1'\2", text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_writer(handle: Any) -> Any:
    """A CSV writer that quotes every text cell and no number, with CRLF line ends."""
    return csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)


def _write(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> int:
    count = 0
    with open(path, "x", encoding="utf-8-sig", errors="replace", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow([guard_cell(h) for h in header])
        for row in rows:
            writer.writerow([guard_cell(v) for v in row])
            count += 1
    return count


def _artefact_rows(case: CaseDatabase, selection: Selection, type_info: dict[str, Any]
                   ) -> Iterable[list[Any]]:
    declared = [a["name"] for a in type_info["attributes"]]
    declared_set = set(declared)
    for item in selection.artefacts(case, [type_info["name"]]):
        attributes = attribute_map(item.get("attributes"))
        other = {k: v for k, v in attributes.items() if k not in declared_set}
        yield [
            item["id"], item["type"], evidence_text(item), item["volume_idx"], item["path"],
            item["inode"], item["deleted"], item["unallocated"], item["offset"],
            *(attributes.get(name) for name in declared),
            json.dumps(other, ensure_ascii=False, sort_keys=True, default=str) if other else "",
            item["extractor"], item["extractor_version"],
            *_annotation_cells(case, artefact_id=item["id"]),
        ]


def _annotation_cells(case: CaseDatabase, artefact_id: int | None = None,
                      file_id: int | None = None) -> list[Any]:
    tags = tag_records(case, artefact_id=artefact_id, file_id=file_id)
    notes = note_records(case, artefact_id=artefact_id, file_id=file_id)
    return ["; ".join(t["name"] for t in tags), tags or "", notes or ""]


def _file_rows(case: CaseDatabase, selection: Selection) -> Iterable[list[Any]]:
    for file in selection.files(case):
        yield [
            file["id"], evidence_text(file), file["volume_idx"], file["path"], file["name"],
            file["extension"], file["inode"], file["stream"], file["kind"], file["meta_type"],
            file["size"], file["deleted"], file["allocated"],
            *(iso_utc(file[k]) for k in ("mtime", "atime", "ctime", "crtime")),
            file["md5"], file["sha1"], file["sha256"], file["mime"],
            None if file["extension_mismatch"] is None else bool(file["extension_mismatch"]),
            *_annotation_cells(case, file_id=file["id"]),
        ]


def write_csv(case: CaseDatabase, selection: Selection, folder: Path) -> int:
    """Write one CSV per selected artefact type plus files.csv into ``folder``.

    Returns the number of artefact rows written.
    """
    total = 0
    used: set[str] = {"files.csv"}
    for type_info in artefact_types_in_case(case, selection):
        name = unique_name(safe_component(type_info["name"], fallback="artefacts"), used, ".csv")
        header = [
            *SOURCE_COLUMNS, *(a["name"] for a in type_info["attributes"]), *TRAILING_COLUMNS,
        ]
        total += _write(folder / name, header, _artefact_rows(case, selection, type_info))
    _write(folder / "files.csv", FILE_COLUMNS, _file_rows(case, selection))
    return total

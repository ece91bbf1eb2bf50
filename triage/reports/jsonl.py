"""The JSON-lines artefact export: one JSON object per artefact, one per line.

This is the stable machine-readable export. Every line is exactly one object::

    {"type": "pgp.key",
     "source": {"evidence": str | null, "volume": int | null, "path": str | null,
                "inode": str | null, "deleted": bool, "unallocated": bool,
                "offset": int | null},
     "attributes": {...},
     "extractor": str,
     "extractor_version": str,
     "id": int,
     "file_id": int | null,
     "tags": [str, ...],
     "tag_details": [{"name": str, "comment": str | null, "examiner": str,
                      "created": str}, ...],
     "notes": [{"examiner": str, "text": str, "created": str}, ...]}

The first five keys are the contract and never change meaning; ``id`` (the artefact's
id in the case), ``file_id`` (the file it was found in), ``tags`` (tag names),
``tag_details`` (each tag with its comment, examiner and time) and ``notes`` are
additions. ``source.evidence`` is the evidence path as recorded when it was added (null
when the case no longer holds that evidence record); ``offset`` is the absolute byte
offset in the evidence for unallocated hits, or the offset inside the file.

After the artefacts come the files an examiner tagged (and, unless the export is
tagged-only, the files with notes), so every tag and note is in the export; they are
left out when the export is limited to categories, as files have none. Such a line has
``"type": "file"`` (artefact types always hold a dot), ``"id": null``, its ``file_id``,
the same ``source`` keys, file facts (name, kind, size, times in UTC, hashes, MIME type)
as ``attributes``, null ``extractor`` and ``extractor_version``, and the same ``tags``,
``tag_details`` and ``notes``. Lines are UTF-8, keys in this order, no line breaks
inside an object (JSON escapes them).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.reports.annotations import annotated_files, note_records, tag_records
from triage.reports.selection import Selection
from triage.reports.values import iso_utc


def artefact_record(case: CaseDatabase, item: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON-lines object of one artefact row."""
    return {
        "type": item["type"],
        "source": {
            "evidence": item["evidence_path"],
            "volume": item["volume_idx"],
            "path": item["path"],
            "inode": None if item["inode"] is None else str(item["inode"]),
            "deleted": bool(item["deleted"]),
            "unallocated": bool(item["unallocated"]),
            "offset": item["offset"],
        },
        "attributes": item["attributes"],
        "extractor": item["extractor"],
        "extractor_version": item["extractor_version"],
        "id": item["id"],
        "file_id": item.get("file_id"),
        **_annotations(case, artefact_id=item["id"]),
    }


def _annotations(case: CaseDatabase, artefact_id: int | None = None,
                 file_id: int | None = None) -> dict[str, Any]:
    tags = tag_records(case, artefact_id=artefact_id, file_id=file_id)
    return {"tags": [t["name"] for t in tags], "tag_details": tags,
            "notes": note_records(case, artefact_id=artefact_id, file_id=file_id)}


#: File facts a file line carries as its attributes.
_FILE_FACTS = ("name", "extension", "kind", "meta_type", "stream", "size", "allocated",
               "md5", "sha1", "sha256", "mime")


def file_record(case: CaseDatabase, file: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON-lines object of one tagged or annotated file row."""
    attributes = {key: file.get(key) for key in _FILE_FACTS if file.get(key) is not None}
    for key in ("mtime", "atime", "ctime", "crtime"):
        if iso_utc(file.get(key)):
            attributes[key] = iso_utc(file.get(key))
    return {
        "type": "file",
        "source": {
            "evidence": file.get("evidence_path"),
            "volume": file.get("volume_idx"),
            "path": file.get("path"),
            "inode": None if file.get("inode") is None else str(file["inode"]),
            "deleted": bool(file.get("deleted")),
            "unallocated": False,
            "offset": None,
        },
        "attributes": attributes,
        "extractor": None,
        "extractor_version": None,
        "id": None,
        "file_id": file["id"],
        **_annotations(case, file_id=file["id"]),
    }


#: Characters many line readers (Python's str.splitlines among them) take as line ends;
#: they only occur inside JSON strings, where their escapes mean the same.
_LINE_BREAKS_ESCAPED = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028",
                                      "\u2029": "\\u2029"})


def write_jsonl(case: CaseDatabase, selection: Selection, target: Path) -> int:
    """Write the selected artefacts, then the annotated files, to ``target``; return how
    many artefact lines were written."""
    count = 0
    # backslashreplace keeps lone surrogates from evidence strings as valid JSON escapes.
    with open(
        target, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
    ) as handle:
        for item in selection.artefacts(case):
            _write_line(handle, artefact_record(case, item))
            count += 1
        for file in annotated_files(case, selection):
            _write_line(handle, file_record(case, file))
    return count


def _write_line(handle: Any, record: dict[str, Any]) -> None:
    try:
        line = json.dumps(record, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        # NaN or an infinity (a damaged or edited case): JSON has no such numbers, and
        # Python would write ones no other reader takes. They are kept as text.
        line = json.dumps(_finite(record), ensure_ascii=False, default=str, allow_nan=False)
    handle.write(line.translate(_LINE_BREAKS_ESCAPED))
    handle.write("\n")


def _finite(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by its name ("NaN",
    "Infinity", "-Infinity"), in nested dicts and lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value

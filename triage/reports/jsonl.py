"""The JSON-lines artefact export: one JSON object per artefact, one per line.

This is the stable machine-readable export. Every line is exactly one object::

    {"type": "pgp.key",
     "source": {"evidence": str, "volume": int | null, "path": str | null,
                "inode": str | null, "deleted": bool, "unallocated": bool,
                "offset": int | null},
     "attributes": {...},
     "extractor": str,
     "extractor_version": str,
     "id": int,
     "tags": [str, ...],
     "notes": [{"examiner": str, "text": str, "created": str}, ...]}

The first five keys are the contract and never change meaning; ``id`` (the artefact's
id in the case), ``tags`` (tag names) and ``notes`` are additions. ``source.evidence``
is the evidence path as recorded when it was added; ``offset`` is the absolute byte
offset in the evidence for unallocated hits, or the offset inside the file. Lines are
UTF-8, keys in this order, no line breaks inside an object (JSON escapes them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.reports.selection import Selection


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
        "tags": [t["name"] for t in case.tags_for(artefact_id=item["id"])],
        "notes": [
            {"examiner": n["examiner"], "text": n["text"], "created": n["created"]}
            for n in case.notes_for(artefact_id=item["id"])
        ],
    }


#: Characters many line readers (Python's str.splitlines among them) take as line ends;
#: they only occur inside JSON strings, where their escapes mean the same.
_LINE_BREAKS_ESCAPED = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028",
                                      "\u2029": "\\u2029"})


def write_jsonl(case: CaseDatabase, selection: Selection, target: Path) -> int:
    """Write the selected artefacts to ``target``; return how many lines were written."""
    count = 0
    # backslashreplace keeps lone surrogates from evidence strings as valid JSON escapes.
    with open(
        target, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
    ) as handle:
        for item in selection.artefacts(case):
            line = json.dumps(artefact_record(case, item), ensure_ascii=False, default=str)
            handle.write(line.translate(_LINE_BREAKS_ESCAPED))
            handle.write("\n")
            count += 1
    return count

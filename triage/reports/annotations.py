"""An examiner's tags and notes on artefacts and files, as the exports write them.

Every format carries all of them: the tag's name, comment, examiner and time, and each
note's text, examiner and time (the HTML report lists them with the tagged items, the
portable case copies them, CSV and JSON lines give them per row).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from triage.casedb import CaseDatabase
from triage.casedb.portable import iter_annotated_files
from triage.reports.selection import Selection


def tag_records(case: CaseDatabase, artefact_id: int | None = None,
                file_id: int | None = None) -> list[dict[str, Any]]:
    """The tags on one artefact or file: ``{"name", "comment", "examiner", "created"}``."""
    return [{"name": t["name"], "comment": t["comment"], "examiner": t["examiner"],
             "created": t["created"]}
            for t in case.tags_for(artefact_id=artefact_id, file_id=file_id)]


def note_records(case: CaseDatabase, artefact_id: int | None = None,
                 file_id: int | None = None) -> list[dict[str, Any]]:
    """The notes on one artefact or file: ``{"examiner", "text", "created"}``, oldest first."""
    return [{"examiner": n["examiner"], "text": n["text"], "created": n["created"]}
            for n in case.notes_for(artefact_id=artefact_id, file_id=file_id)]


def annotated_files(case: CaseDatabase, selection: Selection) -> Iterator[dict[str, Any]]:
    """The files with a tag or note an export lists on their own (as the HTML report's
    tagged items do): tagged files (and, unless tagged-only, files with notes); none when
    the export is limited to categories, which files do not have."""
    if selection.categories:
        return iter(())
    return iter_annotated_files(case, selection.tagged_only)

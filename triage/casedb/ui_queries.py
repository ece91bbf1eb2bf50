"""Extra read queries the desktop UI needs (paged and sortable like those in queries.py).

Kept apart from :mod:`triage.casedb.queries` so the UI can grow without touching the
shared read path; every function takes an open :class:`CaseDatabase`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from triage.casedb.queries import (
    FILE_SORT_COLUMNS,
    ArtefactQueries,
    _decode_artefact,
    _decode_file,
)

if TYPE_CHECKING:
    from triage.casedb.case import CaseDatabase

_HAS_COORDINATES = (
    "json_extract(a.attributes, '$.gps_latitude') IS NOT NULL"
    " AND json_extract(a.attributes, '$.gps_longitude') IS NOT NULL"
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _coordinates_where(filter_text: str | None) -> tuple[str, list[Any]]:
    where, params = ArtefactQueries._artefact_where(None, None, filter_text, False)
    joiner = " AND " if where else " WHERE "
    return where + joiner + _HAS_COORDINATES, params


def page_artefacts_with_coordinates(
    case: CaseDatabase,
    filter_text: str | None = None,
    sort_key: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Return one page of artefacts that carry GPS coordinates, filtered and sorted."""
    where, params = _coordinates_where(filter_text)
    order = ArtefactQueries._order_by(
        sort_key, descending, ("id", "type", "path", "deleted", "unallocated", "offset", "extractor"),
        "a.",
    )
    sql = ArtefactQueries._ARTEFACT_SELECT + where + order + " LIMIT ? OFFSET ?"
    return [_decode_artefact(r) for r in case.conn.execute(sql, [*params, limit, offset])]


def count_artefacts_with_coordinates(case: CaseDatabase, filter_text: str | None = None) -> int:
    """Count artefacts that carry GPS coordinates (matching ``filter_text``)."""
    where, params = _coordinates_where(filter_text)
    return case.conn.execute("SELECT count(*) FROM artefacts a" + where, params).fetchone()[0]


def _directory_where(
    evidence_id: int, volume_idx: int | None, parent: str, filter_text: str | None
) -> tuple[str, list[Any]]:
    where = " WHERE evidence_id = ? AND volume_idx IS ? AND parent = ?"
    params: list[Any] = [evidence_id, volume_idx, parent]
    if filter_text:
        where += " AND name LIKE ? ESCAPE '\\'"
        params.append(f"%{_escape_like(filter_text)}%")
    return where, params


def page_directory(
    case: CaseDatabase,
    evidence_id: int,
    volume_idx: int | None,
    parent: str,
    filter_text: str | None = None,
    sort_key: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Return one page of a directory's entries, filtered by name and sorted.

    Without a sort key, directories come first, then entries by name.
    """
    where, params = _directory_where(evidence_id, volume_idx, parent, filter_text)
    if sort_key:
        order = ArtefactQueries._order_by(sort_key, descending, FILE_SORT_COLUMNS, "")
    else:
        order = " ORDER BY kind != 'dir', name, id"
    rows = case.conn.execute(
        "SELECT * FROM files" + where + order + " LIMIT ? OFFSET ?", [*params, limit, offset]
    )
    return [_decode_file(r) for r in rows]


def count_directory(
    case: CaseDatabase,
    evidence_id: int,
    volume_idx: int | None,
    parent: str,
    filter_text: str | None = None,
) -> int:
    """Count a directory's entries matching ``filter_text``."""
    where, params = _directory_where(evidence_id, volume_idx, parent, filter_text)
    return case.conn.execute("SELECT count(*) FROM files" + where, params).fetchone()[0]


def page_subdirectories(
    case: CaseDatabase,
    evidence_id: int,
    volume_idx: int | None,
    parent: str,
    offset: int = 0,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Return one page of the sub-directories of ``parent`` by name (for the case tree)."""
    rows = case.conn.execute(
        "SELECT * FROM files WHERE evidence_id = ? AND volume_idx IS ? AND parent = ?"
        " AND kind = 'dir' AND path != parent ORDER BY name, id LIMIT ? OFFSET ?",
        (evidence_id, volume_idx, parent, limit, offset),
    )
    return [_decode_file(r) for r in rows]


def count_subdirectories(
    case: CaseDatabase, evidence_id: int, volume_idx: int | None, parent: str
) -> int:
    """Count the sub-directories of ``parent``."""
    return case.conn.execute(
        "SELECT count(*) FROM files WHERE evidence_id = ? AND volume_idx IS ? AND parent = ?"
        " AND kind = 'dir' AND path != parent",
        (evidence_id, volume_idx, parent),
    ).fetchone()[0]


def _tags_by(case: CaseDatabase, column: str, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    ids = list(ids)
    # SQLite limits bound parameters; pages are small, but stay safe.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = case.conn.execute(
            f"SELECT t.{column}, n.name FROM tags t JOIN tag_names n ON n.id = t.tag_name_id"
            f" WHERE t.{column} IN ({', '.join('?' * len(chunk))}) ORDER BY t.id",
            chunk,
        )
        for owner, name in rows:
            found.setdefault(owner, []).append(name)
    return found


def tags_by_artefact(case: CaseDatabase, artefact_ids: Sequence[int]) -> dict[int, list[str]]:
    """Return ``{artefact id: [tag names]}`` for the given artefacts (absent when untagged)."""
    return _tags_by(case, "artefact_id", artefact_ids)


def tags_by_file(case: CaseDatabase, file_ids: Sequence[int]) -> dict[int, list[str]]:
    """Return ``{file id: [tag names]}`` for the given files (absent when untagged)."""
    return _tags_by(case, "file_id", file_ids)


def page_warnings(case: CaseDatabase, offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """Return one page of warnings with their evidence name, oldest first."""
    rows = case.conn.execute(
        "SELECT w.*, e.name AS evidence_name FROM warnings w"
        " LEFT JOIN evidence e ON e.id = w.evidence_id ORDER BY w.id LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [dict(r) for r in rows]

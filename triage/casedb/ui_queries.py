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
    folded_text_filter,
)
from triage.casedb.review import AUDIT_COLUMNS_AS_STORED, shown_audit_entry

if TYPE_CHECKING:
    from triage.casedb.case import CaseDatabase

#: Positions are copied into indexed columns when artefacts are written (valid ranges only).
_HAS_COORDINATES = "a.latitude IS NOT NULL"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: A PGP key whose secret half was found (a keyring, agent key file or secret key block).
_IS_SECRET_KEY = "a.type = 'pgp.key' AND json_extract(a.attributes, '$.has_secret') = 1"
_DERIVED_SORT_COLUMNS = ("id", "type", "path", "deleted", "unallocated", "offset", "extractor")


def _derived_where(condition: str, filter_text: str | None) -> tuple[str, list[Any]]:
    where, params = ArtefactQueries._artefact_where(None, None, filter_text, False)
    joiner = " AND " if where else " WHERE "
    return where + joiner + condition, params


def _page_derived(
    case: CaseDatabase,
    condition: str,
    filter_text: str | None,
    sort_key: str | None,
    descending: bool,
    offset: int,
    limit: int,
) -> list[dict[str, Any]]:
    where, params = _derived_where(condition, filter_text)
    order = ArtefactQueries._order_by(sort_key, descending, _DERIVED_SORT_COLUMNS, "a.")
    sql = ArtefactQueries._ARTEFACT_SELECT + where + order + " LIMIT ? OFFSET ?"
    return [_decode_artefact(r) for r in case.conn.execute(sql, [*params, limit, offset])]


def _count_derived(case: CaseDatabase, condition: str, filter_text: str | None) -> int:
    where, params = _derived_where(condition, filter_text)
    return case.conn.execute("SELECT count(*) FROM artefacts a" + where, params).fetchone()[0]


def page_artefacts_with_coordinates(
    case: CaseDatabase,
    filter_text: str | None = None,
    sort_key: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Return one page of artefacts that carry GPS coordinates, filtered and sorted."""
    return _page_derived(case, _HAS_COORDINATES, filter_text, sort_key, descending, offset, limit)


def count_artefacts_with_coordinates(case: CaseDatabase, filter_text: str | None = None) -> int:
    """Count artefacts that carry GPS coordinates (matching ``filter_text``)."""
    return _count_derived(case, _HAS_COORDINATES, filter_text)


def page_secret_keys(
    case: CaseDatabase,
    filter_text: str | None = None,
    sort_key: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Return one page of PGP keys (``pgp.key``) whose ``has_secret`` attribute is true."""
    return _page_derived(case, _IS_SECRET_KEY, filter_text, sort_key, descending, offset, limit)


def count_secret_keys(case: CaseDatabase, filter_text: str | None = None) -> int:
    """Count PGP keys whose secret half was found (matching ``filter_text``)."""
    return _count_derived(case, _IS_SECRET_KEY, filter_text)


def artefact_counts_by_category_and_type(case: CaseDatabase) -> dict[str, dict[str, int]]:
    """Return ``{category: {type: count}}`` over the whole case (for the tree).

    Counts by type (an index-only scan) and maps each type to its registered category;
    a type the case never registered takes the category stored on its artefacts.
    """
    categories = {row[0]: row[1] for row in case.conn.execute(
        "SELECT name, category FROM artefact_types")}
    counts: dict[str, dict[str, int]] = {}
    for type_, count in case.conn.execute(
            "SELECT type, count(*) FROM artefacts GROUP BY type ORDER BY type"):
        category = categories.get(type_)
        if category is None:
            row = case.conn.execute(
                "SELECT category FROM artefacts WHERE type = ? LIMIT 1", (type_,)).fetchone()
            category = row[0] if row else "Other"
        counts.setdefault(category, {})[type_] = count
    return counts


def _directory_where(
    evidence_id: int, volume_idx: int | None, parent: str, filter_text: str | None
) -> tuple[str, list[Any]]:
    where = " WHERE evidence_id = ? AND volume_idx IS ? AND parent = ?"
    params: list[Any] = [evidence_id, volume_idx, parent]
    if filter_text:
        if filter_text.isascii():
            where += " AND name LIKE ? ESCAPE '\\'"
            params.append(f"%{_escape_like(filter_text)}%")
        else:
            clause, patterns = folded_text_filter("name", filter_text)
            where += f" AND {clause}"
            params.extend(patterns)
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
    order = " ORDER BY " + ", ".join(
        f"{expression} {'DESC' if backwards else 'ASC'}"
        for expression, backwards in _directory_order(sort_key, descending))
    rows = case.conn.execute(
        "SELECT * FROM files" + where + order + " LIMIT ? OFFSET ?", [*params, limit, offset]
    )
    return [_decode_file(r) for r in rows]


def directory_position(
    case: CaseDatabase,
    evidence_id: int,
    volume_idx: int | None,
    parent: str,
    file_id: int,
    filter_text: str | None = None,
    sort_key: str | None = None,
    descending: bool = False,
) -> int | None:
    """Return the offset at which :func:`page_directory` lists ``file_id`` (None when the
    directory, filtered, does not hold it), counted without loading the entries before it."""
    where, params = _directory_where(evidence_id, volume_idx, parent, filter_text)
    order = _directory_order(sort_key, descending)
    expressions = ", ".join(expression for expression, _ in order)
    target = case.conn.execute(
        f"SELECT {expressions} FROM files" + where + " AND id = ?", [*params, file_id]).fetchone()
    if target is None:
        return None
    before, before_params = _sorts_before(order, tuple(target))
    return case.conn.execute(
        "SELECT count(*) FROM files" + where + f" AND {before}", [*params, *before_params]
    ).fetchone()[0]


def _directory_order(sort_key: str | None, descending: bool) -> list[tuple[str, bool]]:
    """Return a directory listing's sort keys as (SQL expression, descending) pairs.

    Without a sort key, directories come first, then entries by name; ``id`` last makes
    the order total, so a row's position in it is well defined.
    """
    if not sort_key:
        return [("kind != 'dir'", False), ("name", False), ("id", False)]
    if sort_key not in FILE_SORT_COLUMNS:
        raise ValueError(f"cannot sort by {sort_key!r}")
    if sort_key == "id":
        return [("id", descending)]
    # The id tie-break follows the key's direction, as in ArtefactQueries._order_by.
    return [(sort_key, descending), ("id", descending)]


def _sorts_before(order: list[tuple[str, bool]], target: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """Return a condition (and its parameters) true for the rows ``order`` puts before a
    row whose sort keys are ``target``.

    SQLite sorts NULL below every value, so it comes first ascending and last descending;
    ``<`` and ``=`` are never true of NULL, hence the explicit ``IS NULL`` cases.
    """
    condition, params = "0", []
    for (bare, backwards), value in reversed(list(zip(order, target, strict=True))):
        expression = f"({bare})"  # "kind != 'dir' < ?" would compare 'dir' < ?
        if value is None:
            earlier, earlier_params = (f"{expression} IS NOT NULL" if backwards else "0"), []
            same, same_params = f"{expression} IS NULL", []
        elif backwards:
            earlier, earlier_params = f"{expression} > ?", [value]
            same, same_params = f"{expression} = ?", [value]
        else:
            earlier, earlier_params = f"({expression} IS NULL OR {expression} < ?)", [value]
            same, same_params = f"{expression} = ?", [value]
        condition = f"({earlier} OR ({same} AND {condition}))"
        params = [*earlier_params, *same_params, *params]
    return condition, params


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


def page_audit(case: CaseDatabase, offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """Return one page of the audit log, oldest first (details as stored: JSON text)."""
    rows = case.conn.execute(
        f"SELECT {AUDIT_COLUMNS_AS_STORED} FROM audit_log ORDER BY id LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [shown_audit_entry(r) for r in rows]


def count_audit(case: CaseDatabase) -> int:
    """Return how many entries the audit log holds."""
    return int(case.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def artefact_ids(
    case: CaseDatabase,
    types: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    filter_text: str | None = None,
    tagged_only: bool = False,
    tag: str | None = None,
    unallocated: bool | None = None,
) -> list[int]:
    """Return the ids of every artefact :meth:`CaseDatabase.page_artefacts` lists for the
    same filters (in id order): what a table's "select all" stands for."""
    where, params = ArtefactQueries._artefact_where(
        types, categories, filter_text, tagged_only, tag, None, unallocated)
    return [row[0] for row in case.conn.execute(
        "SELECT a.id FROM artefacts a" + where + " ORDER BY a.id", params)]


def artefact_ids_with_coordinates(case: CaseDatabase, filter_text: str | None = None) -> list[int]:
    """Return the ids :func:`page_artefacts_with_coordinates` lists (in id order)."""
    where, params = _derived_where(_HAS_COORDINATES, filter_text)
    return [row[0] for row in case.conn.execute(
        "SELECT a.id FROM artefacts a" + where + " ORDER BY a.id", params)]


def secret_key_ids(case: CaseDatabase, filter_text: str | None = None) -> list[int]:
    """Return the ids :func:`page_secret_keys` lists (in id order)."""
    where, params = _derived_where(_IS_SECRET_KEY, filter_text)
    return [row[0] for row in case.conn.execute(
        "SELECT a.id FROM artefacts a" + where + " ORDER BY a.id", params)]


def file_ids(
    case: CaseDatabase,
    evidence_id: int | None = None,
    filter_text: str | None = None,
    tag: str | None = None,
    files_only: bool = False,
) -> list[int]:
    """Return the ids :meth:`CaseDatabase.page_files` lists for the same filters (in id
    order); with ``files_only``, without directories."""
    where, params = case._file_where(evidence_id, filter_text, None, tag=tag)
    if files_only:
        where += (" AND" if where else " WHERE") + " kind != 'dir'"
    return [row[0] for row in case.conn.execute(
        "SELECT id FROM files" + where + " ORDER BY id", params)]


def directory_ids(
    case: CaseDatabase,
    evidence_id: int,
    volume_idx: int | None,
    parent: str,
    filter_text: str | None = None,
    files_only: bool = False,
) -> list[int]:
    """Return the ids :func:`page_directory` lists (in id order); with ``files_only``,
    without directories."""
    where, params = _directory_where(evidence_id, volume_idx, parent, filter_text)
    if files_only:
        where += " AND kind != 'dir'"
    return [row[0] for row in case.conn.execute(
        "SELECT id FROM files" + where + " ORDER BY id", params)]

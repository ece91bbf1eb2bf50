"""Selecting a subset of a case and copying it into a new case file (for exports).

The reports package selects what it exports with the same two filters everywhere:
``tagged_only`` (artefacts carrying any tag, plus tagged files) and ``categories``
(artefact categories). This module holds the SQL for that selection and for copying
the selected artefacts with their files, evidence, volumes, runs, tags and notes into
a freshly created case (the *portable case*). Ids are kept, so artefact 123 in the
portable case is artefact 123 in the original. Every query streams from a cursor;
nothing holds the whole case in memory.
"""

from __future__ import annotations

import posixpath
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.casedb.case import CaseDatabase, CaseError, utc_now
from triage.casedb.queries import ArtefactQueries, _decode_file

# Inserts are sent in slices of this many rows so memory stays flat on large selections.
_BATCH = 2000


@dataclass
class SubsetCounts:
    """How many rows of each kind went into a portable case."""

    evidence: int = 0
    volumes: int = 0
    files: int = 0
    artefacts: int = 0
    tags: int = 0
    notes: int = 0
    warnings: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as a plain dict (for the audit log)."""
        return {
            "evidence": self.evidence, "volumes": self.volumes, "files": self.files,
            "artefacts": self.artefacts, "tags": self.tags, "notes": self.notes,
            "warnings": self.warnings, **self.extra,
        }


def _artefact_selection(
    tagged_only: bool, categories: Sequence[str] | None
) -> tuple[str, list[Any]]:
    return ArtefactQueries._artefact_where(None, categories or None, None, tagged_only)


def _file_selection(tagged_only: bool, categories: Sequence[str] | None) -> tuple[str, list[Any]]:
    """WHERE clause over ``files f``: files of selected artefacts, plus tagged files and,
    unless ``tagged_only``, files with a note.

    Tagged and noted files have no category, so they join the selection only when no
    category filter is given.
    """
    where, params = _artefact_selection(tagged_only, categories)
    clause = f"f.id IN (SELECT a.file_id FROM artefacts a{where})"
    if not categories:
        clause += " OR f.id IN (SELECT t.file_id FROM tags t WHERE t.file_id IS NOT NULL)"
        if not tagged_only:
            clause += " OR f.id IN (SELECT n.file_id FROM notes n WHERE n.file_id IS NOT NULL)"
    return " WHERE " + clause, params


def iter_selected_files(
    case: CaseDatabase, tagged_only: bool = False, categories: Sequence[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Stream the files an export covers (with ``evidence_path``), in id order.

    Without filters that is every file of the case; with filters it is the files the
    selected artefacts were found in, plus tagged files when no category is given.
    """
    if not tagged_only and not categories:
        yield from case.iter_files_with_evidence()
        return
    where, params = _file_selection(tagged_only, categories)
    sql = (
        "SELECT f.*, e.path AS evidence_path FROM files f"
        " LEFT JOIN evidence e ON e.id = f.evidence_id" + where + " ORDER BY f.id"
    )
    for row in case.conn.execute(sql, params):
        yield _decode_file(row)


def iter_annotated_files(case: CaseDatabase, tagged_only: bool = False
                         ) -> Iterator[dict[str, Any]]:
    """Stream the files that carry a tag or a note (only a tag with ``tagged_only``), with
    ``evidence_path``, in id order."""
    owners = "SELECT t.file_id FROM tags t WHERE t.file_id IS NOT NULL"
    if not tagged_only:
        owners += " UNION SELECT n.file_id FROM notes n WHERE n.file_id IS NOT NULL"
    sql = ("SELECT f.*, e.path AS evidence_path FROM files f"
           f" LEFT JOIN evidence e ON e.id = f.evidence_id WHERE f.id IN ({owners})"
           " ORDER BY f.id")
    for row in case.conn.execute(sql):
        yield _decode_file(row)


def count_files_by_volume(case: CaseDatabase) -> dict[tuple[int, int | None], dict[str, int]]:
    """Return ``{(evidence_id, volume_idx): {"entries", "deleted", "bytes"}}`` for summaries."""
    rows = case.conn.execute(
        "SELECT evidence_id, volume_idx, count(*), sum(deleted),"
        " coalesce(sum(CASE WHEN kind = 'file' THEN size END), 0)"
        " FROM files GROUP BY evidence_id, volume_idx"
    )
    return {
        (r[0], r[1]): {"entries": r[2] or 0, "deleted": r[3] or 0, "bytes": r[4] or 0}
        for r in rows
    }


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _insert_rows(
    target: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
    or_ignore: bool = False,
) -> int:
    sql = (
        f"INSERT {'OR IGNORE ' if or_ignore else ''}INTO {table} ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    written = 0
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(tuple(row))
        if len(batch) >= _BATCH:
            written += target.executemany(sql, batch).rowcount
            batch.clear()
    if batch:
        written += target.executemany(sql, batch).rowcount
    return written


def _ancestors(path: str) -> Iterator[tuple[str, str]]:
    """Yield ``(parent, name)`` of each directory above ``path`` (the root excluded)."""
    current = posixpath.dirname(path)
    depth = 0
    while current not in ("", "/") and depth < 512:
        yield posixpath.dirname(current) or "/", posixpath.basename(current)
        current = posixpath.dirname(current)
        depth += 1


def create_subset_case(
    source: CaseDatabase,
    target_path: Path,
    tagged_only: bool = False,
    categories: Sequence[str] | None = None,
    examiner: str | None = None,
) -> tuple[CaseDatabase, SubsetCounts]:
    """Create a new case at ``target_path`` holding only the selected part of ``source``.

    Copied: case number and examiners, every artefact type and run, the selected
    artefacts, the files they were found in (plus tagged files, and files with a note
    unless ``tagged_only``, when no category is given) and those files' parent directories, the evidence and volume records they
    belong to, their tags and notes, and the warnings recorded for that evidence. The
    new case gets one ``portable.create`` audit entry naming the source and the filters.
    Returns the new case, open for writing, and what went into it.
    """
    info = source.info()
    target = CaseDatabase.create(
        target_path,
        name=f"{info.get('name') or source.path.stem} (portable)",
        number=info.get("number"),
        examiner=examiner,
        description=info.get("description"),
    )
    counts = SubsetCounts()
    src, dst = source.conn, target.conn
    a_where, a_params = _artefact_selection(tagged_only, categories)
    f_where, f_params = _file_selection(tagged_only, categories)
    try:
        with dst:
            _insert_rows(dst, "examiners", ("name", "created"),
                         src.execute("SELECT name, created FROM examiners ORDER BY id"),
                         or_ignore=True)
            for table in ("artefact_types", "runs"):
                cols = _columns(src, table)
                _insert_rows(dst, table, cols,
                             src.execute(f"SELECT {', '.join(cols)} FROM {table}"), or_ignore=True)

            evidence_ids = sorted({
                r[0] for r in src.execute(
                    f"SELECT DISTINCT a.evidence_id FROM artefacts a{a_where}", a_params)
            } | {
                r[0] for r in src.execute(
                    f"SELECT DISTINCT f.evidence_id FROM files f{f_where}", f_params)
            })
            marks = ", ".join("?" * len(evidence_ids))
            for table, key in (("evidence", "id"), ("volumes", "evidence_id")):
                cols = _columns(src, table)
                written = _insert_rows(dst, table, cols, src.execute(
                    f"SELECT {', '.join(cols)} FROM {table} WHERE {key} IN ({marks})",
                    evidence_ids,
                ))
                setattr(counts, table, written)
                if table == "evidence":
                    counts.extra["missing_evidence"] = _stand_in_evidence(
                        src, dst, evidence_ids)

            file_cols = _columns(src, "files")
            wanted_dirs: set[tuple[int, int | None, str, str]] = set()

            def selected_files() -> Iterator[sqlite3.Row]:
                cursor = src.execute(
                    f"SELECT {', '.join('f.' + c for c in file_cols)} FROM files f{f_where}"
                    " ORDER BY f.id", f_params)
                for row in cursor:
                    for parent, name in _ancestors(row["path"]):
                        wanted_dirs.add((row["evidence_id"], row["volume_idx"], parent, name))
                    yield row

            counts.files = _insert_rows(dst, "files", file_cols, selected_files(), or_ignore=True)
            counts.extra["parent_directories"] = _insert_rows(
                dst, "files", file_cols, _directory_rows(src, file_cols, wanted_dirs),
                or_ignore=True,
            )

            art_cols = _columns(src, "artefacts")
            counts.artefacts = _insert_rows(dst, "artefacts", art_cols, src.execute(
                f"SELECT {', '.join('a.' + c for c in art_cols)} FROM artefacts a{a_where}"
                " ORDER BY a.id", a_params))

            _insert_rows(dst, "tag_names", ("name", "description"),
                         src.execute("SELECT name, description FROM tag_names ORDER BY id"),
                         or_ignore=True)
            owner = (
                f"(t.artefact_id IN (SELECT a.id FROM artefacts a{a_where})"
                f" OR t.file_id IN (SELECT f.id FROM files f{f_where}))"
            )
            counts.tags = _insert_rows(
                dst, "tags",
                ("tag_name_id", "artefact_id", "file_id", "examiner", "comment", "created"),
                ((dst.execute("SELECT id FROM tag_names WHERE name = ?", (r[0],)).fetchone()[0],
                  *r[1:]) for r in src.execute(
                    "SELECT n.name, t.artefact_id, t.file_id, t.examiner, t.comment, t.created"
                    f" FROM tags t JOIN tag_names n ON n.id = t.tag_name_id WHERE {owner}"
                    " ORDER BY t.id", [*a_params, *f_params])),
            )
            note_cols = _columns(src, "notes")
            counts.notes = _insert_rows(dst, "notes", note_cols, src.execute(
                f"SELECT {', '.join('t.' + c for c in note_cols)} FROM notes t WHERE {owner}"
                " ORDER BY t.id", [*a_params, *f_params]))
            warn_cols = _columns(src, "warnings")
            counts.warnings = _insert_rows(dst, "warnings", warn_cols, src.execute(
                f"SELECT {', '.join(warn_cols)} FROM warnings WHERE evidence_id IN ({marks})"
                " ORDER BY id", evidence_ids))
    except sqlite3.Error as exc:
        target.close()
        raise CaseError(f"{target_path}: copying the selection failed ({exc})") from None
    target.audit("portable.create", examiner, {
        "source_case": str(source.path), "source_name": info.get("name"),
        "tagged_only": tagged_only, "categories": list(categories or []),
        "counts": counts.as_dict(),
    })
    return target, counts


def _stand_in_evidence(src: sqlite3.Connection, dst: sqlite3.Connection,
                       evidence_ids: list[int]) -> int:
    """Give rows whose evidence record is gone from ``src`` (a damaged case) a stand-in
    record in ``dst`` that says so, so they are copied rather than refused or dropped.
    Return how many stand-ins were written."""
    known = {r[0] for r in src.execute("SELECT id FROM evidence")}
    missing = [i for i in evidence_ids if i not in known]
    for evidence_id in missing:
        label = f"unknown evidence #{evidence_id} (its record is missing from the source case)"
        dst.execute("INSERT INTO evidence (id, path, name, format, size, added)"
                    " VALUES (?, ?, ?, 'unknown', NULL, ?)",
                    (evidence_id, label, label, utc_now()))
    return len(missing)


def _directory_rows(
    src: sqlite3.Connection, file_cols: Sequence[str],
    wanted: set[tuple[int, int | None, str, str]],
) -> Iterator[sqlite3.Row]:
    sql = (
        f"SELECT {', '.join(file_cols)} FROM files WHERE evidence_id = ? AND volume_idx IS ?"
        " AND parent = ? AND name = ? AND kind = 'dir' ORDER BY deleted, id"
    )
    for key in sorted(wanted, key=lambda k: (k[0], -1 if k[1] is None else k[1], k[2], k[3])):
        yield from src.execute(sql, key)

"""Where an export may go: never into the evidence of its case, never next to an image.

A report written into an evidence folder becomes part of that evidence (and of the next
scan of it); one written next to an image sits among the files whose hashes the case
records. Both are refused before anything is written, as the scan refuses a case file
inside the evidence (:mod:`triage.evidence_places` holds the shared test).
"""

from __future__ import annotations

from pathlib import Path

from triage.casedb import CaseDatabase
from triage.casedb.path_text import local_path
from triage.evidence_places import beside_evidence_file, inside_evidence_folder
from triage.reports.errors import ExportError


def _evidence_places(case: CaseDatabase) -> tuple[list[str], list[str]]:
    """(evidence folders, evidence image files and segments) recorded in the case."""
    folders: list[str] = []
    files: list[str] = []
    for item in case.list_evidence():
        path = local_path(item["path"])
        if not Path(path).is_absolute():
            # Not a place (a portable case's stand-in for a record that was missing).
            continue
        if item.get("format") == "folder" or Path(path).is_dir():
            folders.append(path)
            continue
        files.append(path)
        for segment in item.get("segments") or []:
            if not isinstance(segment, str):
                continue
            segment_path = Path(local_path(segment))
            if not segment_path.is_absolute():  # older cases: relative to the first segment
                segment_path = Path(path).parent / segment_path
            files.append(str(segment_path))
    return folders, files


def check_outside_evidence(case: CaseDatabase, output: Path) -> None:
    """Raise ExportError when ``output`` lies inside an evidence folder of ``case``, is an
    evidence image or segment, or lies in the folder that holds one."""
    folders, files = _evidence_places(case)
    folder = inside_evidence_folder(output, folders)
    if folder is not None:
        raise ExportError(f"{folder}: the export {output} lies inside this evidence folder;"
                          " keep reports outside the evidence")
    image = beside_evidence_file(output, files)
    if image is not None:
        raise ExportError(f"{image}: the export {output} would lie next to this evidence"
                          " image; keep reports outside the evidence")


#: Names SQLite gives the files beside a database: its rollback journal, write-ahead log
#: and shared-memory index. SQLite opens them by name, so an export called
#: ``case.triage-journal`` would be taken for a hot journal and "rolled back" into the case.
SQLITE_SIDECARS = ("-journal", "-wal", "-shm")


def check_not_sqlite_sidecar(case: CaseDatabase, output: Path) -> None:
    """Raise ExportError when ``output`` is named as a SQLite side file of an existing
    file (of the case's own file always)."""
    name = output.name
    for suffix in SQLITE_SIDECARS:
        # Compared ignoring case: on a case-insensitive file system -WAL is -wal.
        if not name.lower().endswith(suffix) or len(name) == len(suffix):
            continue
        base = output.with_name(name[: -len(suffix)])
        own = base.absolute() == Path(case.path).absolute()
        try:
            own = own or base.resolve() == Path(case.path).resolve()
            exists = base.exists()
        except (OSError, RuntimeError):
            exists = False
        if own or exists:
            raise ExportError(f"{output}: SQLite would take this name for a side file"
                              f" ({suffix}) of {base}; choose another name")

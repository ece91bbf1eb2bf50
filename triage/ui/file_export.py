"""Copy selected files' content out of the evidence and verify it against the case's hashes.

Qt-free: runs in a background task. Output paths are built from sanitised components so
names from the evidence can never escape the chosen folder; a manifest CSV records each
file's hashes and verification status. A destination that would put anything inside the
evidence (an evidence folder, the folder holding an image or one of its segments, or a path
through either) is refused before anything is written (:func:`check_destination`).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase, CaseError
from triage.casedb.path_text import local_path
from triage.evidence_places import (
    beside_evidence_file,
    inside_evidence_folder,
    through_evidence_file,
)
from triage.reports.csv_export import csv_writer, guard_cell
from triage.ui.evidence_reader import ContentError, EvidenceReader

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
#: The manifest of the first export into a folder; later ones get export_manifest_1.csv,
#: export_manifest_2.csv, ... (one file per export, never overwritten or appended to).
MANIFEST = "export_manifest.csv"
MANIFEST_HEADER = ["file_id", "source", "target", "status", "md5", "sha256", "message"]


@dataclass
class ExportedFile:
    """The outcome for one file: 'verified', 'unverified' (no recorded hash), 'mismatch',
    or 'error' (with ``message``)."""

    file_id: int
    source: str
    target: str | None
    status: str
    md5: str | None = None
    sha256: str | None = None
    message: str | None = None


class ExportResults(list[ExportedFile]):
    """The outcome of one export, a file at a time, with where its manifest went."""

    def __init__(self, folder: Path, requested: int) -> None:
        super().__init__()
        self.folder = folder
        #: How many files were asked for (more than ``len(self)`` when cancelled).
        self.requested = requested
        #: The manifest this export wrote (None when it could not be written).
        self.manifest: Path | None = None
        #: Why the manifest could not be written, else None.
        self.manifest_error: str | None = None
        #: Why the export could not be recorded in the case's audit log, else None.
        self.audit_error: str | None = None

    def counts(self) -> dict[str, int]:
        """How many files ended in each status."""
        counts: dict[str, int] = {}
        for result in self:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    def exported(self) -> int:
        """How many files were copied out whole (verified, unverified or mismatched)."""
        return sum(1 for result in self if result.status != "error")

    def describe(self) -> str:
        """One line saying exactly what this export did."""
        counts = self.counts()
        exported, failed = self.exported(), counts.get("error", 0)
        where = str(self.folder)
        if exported:
            head = f"Exported {_files(exported)}"
            if exported != self.requested:
                head = f"Exported {exported} of {_files(self.requested)}"
            details = ", ".join(f"{counts[status]} {label}" for status, label in (
                ("verified", "verified"), ("unverified", "without a recorded hash"),
                ("mismatch", "NOT matching the case's hash")) if counts.get(status))
            parts = [f"{head} to {where} ({details})"]
        else:
            parts = [f"No file exported to {where}"]
        if failed:
            first = next(r for r in self if r.status == "error")
            parts.append(f"{failed} failed (first: {first.source or first.file_id}:"
                         f" {first.message})")
        skipped = self.requested - len(self)
        if skipped:
            parts.append(f"{skipped} not attempted (cancelled)")
        if self.manifest is not None:
            parts.append(f"manifest {self.manifest.name}")
        if self.manifest_error:
            parts.append(self.manifest_error)
        if self.audit_error:
            parts.append(f"NOT recorded in the case's audit log ({self.audit_error})")
        return "; ".join(parts)


def _files(count: int) -> str:
    return f"{count:,} file{'' if count == 1 else 's'}"


def safe_relative_path(*parts: str) -> Path:
    """Join path components from the evidence into a relative path that cannot escape."""
    clean: list[str] = []
    for part in parts:
        for component in str(part).replace("\\", "/").split("/"):
            component = _UNSAFE.sub("_", component).strip(" .")[:120]
            if component:
                clean.append(component)
    return Path(*clean) if clean else Path("unnamed")


class ExportRefused(ValueError):
    """The chosen destination would write into the evidence; the message is one line."""


class EvidenceGuard:
    """Knows where a case's evidence lies and tells whether a path would write into it.

    Built from :meth:`CaseDatabase.list_evidence` rows: an evidence folder (format
    ``folder``, or any evidence path that is a directory now) protects everything under
    it; an image and each of its segments protect themselves and the folder holding them
    (an export there would put its own folders and manifest next to the image). The
    comparisons are :mod:`triage.evidence_places`', which the scan and the report exports
    use too (links followed, folders also compared by device and inode).
    """

    def __init__(self, evidence: Iterable[dict[str, Any]]) -> None:
        self.folders: list[str] = []
        self.images: list[str] = []
        for item in evidence:
            texts = [item.get("path") or "", *(item.get("segments") or [])]
            for text in dict.fromkeys(t for t in texts if isinstance(t, str) and t):
                path = local_path(text)
                if Path(path).is_dir() or (item.get("format") == "folder"
                                           and not Path(path).exists()):
                    self.folders.append(path)
                else:
                    self.images.append(path)

    def problem(self, path: str | Path, as_destination: bool = False) -> str | None:
        """Why writing at ``path`` would touch the evidence (None when it would not).

        With ``as_destination``, ``path`` is the folder an export writes into: the folder
        holding an evidence image is refused too.
        """
        folder = inside_evidence_folder(path, self.folders)
        if folder is not None:
            return f"it lies inside the evidence folder {folder}"
        image = through_evidence_file(path, self.images)
        if image is not None:
            return f"it would write through the evidence image {image}"
        if as_destination:
            # Anything the export writes there lies beside the image.
            image = beside_evidence_file(Path(path) / "export_manifest.csv", self.images)
            if image is not None:
                return f"it holds the evidence image {image}"
        return None


def check_destination(folder: str | Path, evidence: Iterable[dict[str, Any]]) -> None:
    """Raise :class:`ExportRefused` (one line) when exporting the case's files into
    ``folder`` could write inside the evidence: ``folder`` is in an evidence folder or
    holds an evidence image or segment, or the first folder an export makes there (named
    after an evidence item) is, or leads into, an evidence path."""
    evidence = list(evidence)
    guard = EvidenceGuard(evidence)
    why = guard.problem(folder, as_destination=True)
    if why is None:
        for item in evidence:
            first = safe_relative_path(item.get("name") or "evidence").parts[0]
            why = guard.problem(Path(folder) / first)
            if why is not None:
                why = f"the export's folder {first} there would be evidence ({why})"
                break
    if why is not None:
        raise ExportRefused(f"{folder}: not exported there, {why}; choose a folder outside"
                            " the evidence")


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    for number in range(1, 10000):
        candidate = path.with_name(f"{path.stem}_{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise ContentError(f"{path}: too many files of that name")


def export_files(case_path: str | Path, file_ids: list[int], folder: str | Path,
                 cancel: threading.Event | None = None,
                 examiner: str | None = None) -> ExportResults:
    """Copy files ``file_ids`` into ``folder`` and verify md5/sha256; write a manifest
    of its own for this export (an earlier export's manifest there is kept as it is).

    Raises :class:`ExportRefused` before writing anything when ``folder`` would put files
    inside the evidence (:func:`check_destination`). The export is recorded in the case's
    audit log (``files.export``: destination, manifest, counts, ``examiner``), as report
    exports are; when that fails the results say so (``audit_error``).
    """
    folder = Path(folder)
    results = ExportResults(folder, len(file_ids))
    case = CaseDatabase.open(case_path)
    reader = EvidenceReader()
    try:
        evidence = case.list_evidence()
        check_destination(folder, evidence)  # before anything is written
        guard = EvidenceGuard(evidence)
        folder.mkdir(parents=True, exist_ok=True)
        for file_id in file_ids:
            if cancel is not None and cancel.is_set():
                break
            results.append(_export_one(case, reader, file_id, folder, guard))
        try:
            results.manifest = _write_manifest(folder, results)
        except OSError as exc:
            results.manifest_error = f"the manifest could not be written ({exc})"
        _audit(case, results, examiner)
    finally:
        case.close()
        reader.close()
    return results


#: The audit entry lists the exported files' ids up to this many (the manifest lists all).
AUDIT_FILE_IDS = 1000


def _audit(case: CaseDatabase, results: ExportResults, examiner: str | None) -> None:
    """Record the export in the case's audit log (what, how many, where, who)."""
    ids = [result.file_id for result in results]
    details = {
        "output": str(results.folder.absolute()),
        "manifest": str(results.manifest.absolute()) if results.manifest else None,
        "requested": results.requested, "exported": results.exported(),
        "statuses": results.counts(), "file_ids": ids[:AUDIT_FILE_IDS],
        "file_ids_complete": len(ids) <= AUDIT_FILE_IDS,
    }
    try:
        case.audit("files.export", examiner, details)
    except (CaseError, sqlite3.Error) as exc:
        results.audit_error = str(exc)


def _export_one(case: CaseDatabase, reader: EvidenceReader, file_id: int,
                folder: Path, guard: EvidenceGuard | None = None) -> ExportedFile:
    file = case.get_file(file_id)
    if file is None:
        return ExportedFile(file_id, "", None, "error", message="not in the case")
    evidence = case.evidence_by_id(file["evidence_id"]) or {}
    source = f"{evidence.get('name', '')}:{file['path']}"
    if file["kind"] == "dir":
        return ExportedFile(file_id, source, None, "error", message="a directory")
    relative = safe_relative_path(evidence.get("name", "evidence"), f"vol{file['volume_idx']}",
                                  file["path"])
    target = _unique(folder / relative)
    why = guard.problem(target) if guard is not None else None
    if why is not None:
        # A link inside the destination that leads into the evidence: never follow it.
        return ExportedFile(file_id, source, None, "error", message=f"not written: {why}")
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    limit = max(0, int(file.get("size") or 0))
    written = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            for chunk in reader.iter_file(evidence.get("path", ""), file["volume_idx"],
                                          file["path"], file.get("inode")):
                # A corrupt size field must not make us write more than the entry holds.
                chunk = chunk[: max(0, limit - written)]
                handle.write(chunk)
                md5.update(chunk)
                sha256.update(chunk)
                written += len(chunk)
                if written >= limit:
                    break
    except (ContentError, OSError) as exc:
        return ExportedFile(file_id, source, str(target), "error", message=str(exc))
    got_md5, got_sha = md5.hexdigest(), sha256.hexdigest()
    recorded = [(file.get("md5"), got_md5), (file.get("sha256"), got_sha)]
    known = [(want, got) for want, got in recorded if want]
    if not known:
        status = "unverified"
    elif all(want.lower() == got for want, got in known):
        status = "verified"
    else:
        status = "mismatch"
    return ExportedFile(file_id, source, str(target), status, got_md5, got_sha)


def _write_manifest(folder: Path, results: list[ExportedFile]) -> Path:
    """Write this export's manifest under a name no earlier export used and return it.

    Each export gets its own manifest (``export_manifest.csv``, then
    ``export_manifest_1.csv``, ...), created exclusively: a second export into the same
    folder never replaces or edits the records of the first.
    """
    path = folder / MANIFEST
    for number in range(0, 100000):
        if number:
            path = folder / f"{Path(MANIFEST).stem}_{number}{Path(MANIFEST).suffix}"
        try:
            handle = open(path, "x", newline="", encoding="utf-8")
        except FileExistsError:
            continue
        with handle:
            # Written as the report CSVs are: evidence names may hold formulas.
            writer = csv_writer(handle)
            writer.writerow([guard_cell(name) for name in MANIFEST_HEADER])
            for r in results:
                writer.writerow([guard_cell(value) for value in (
                    r.file_id, r.source, r.target or "", r.status, r.md5 or "",
                    r.sha256 or "", r.message or "")])
        return path
    raise OSError(f"{folder}: too many export manifests")

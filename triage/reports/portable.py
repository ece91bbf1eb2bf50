"""The portable case: a folder an examiner can take to another machine.

Layout::

    case.triage   a new case holding only the selected (or tagged) artefacts, the files
                  they were found in, their evidence and volume records, tags and notes
    files/        copies of those files' content, read from the evidence, each named
                  ``<file id, 8 digits>_<sanitised name>`` (never a path from the evidence)
    hashes.csv    per file: where the copy is, the case's MD5/SHA-256, the copy's, and
                  whether they agree

It opens in ``triage gui`` without the original image. Files that cannot be read (the
evidence is not reachable, a path now names another entry, unreadable sectors) are
listed in hashes.csv with the reason and recorded as warnings in the new case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.casedb.portable import create_subset_case
from triage.reports.csv_export import csv_writer, guard_cell
from triage.reports.errors import ExportError
from triage.reports.evidence_files import ContentReadError, EvidenceFiles, copy_content
from triage.reports.naming import safe_component
from triage.reports.selection import Selection

CASE_FILE_NAME = "case.triage"
FILES_FOLDER = "files"
HASHES_FILE = "hashes.csv"
#: Files larger than this are listed but not copied (a portable case should stay portable).
MAX_COPY_BYTES = 4 * 1024**3
HASH_COLUMNS = (
    "file_id", "evidence", "volume", "path", "deleted", "copied_as", "size_case", "size_copied",
    "md5_case", "md5_copied", "sha256_case", "sha256_copied", "status",
)
_WARNING_BATCH = 500


def copy_name(file: dict[str, Any]) -> str:
    """Return the name a file's copy gets inside ``files/`` (unique per file id)."""
    return f"{int(file['id']):08d}_{safe_component(file.get('name') or '', fallback='file')}"


def _verdict(file: dict[str, Any], size: int, md5: str, sha256: str) -> str:
    expected = [(file.get("md5"), md5), (file.get("sha256"), sha256)]
    known = [(want.lower(), got) for want, got in expected if want]
    if file.get("size") is not None and size != file["size"]:
        return f"MISMATCH: copied {size} bytes, case records {file['size']}"
    if not known:
        return "copied; the case has no hash to verify against"
    if all(want == got for want, got in known):
        return "verified"
    return "MISMATCH: hash differs from the case"


class PortableCopier:
    """Copies the files of a portable case from the evidence and writes hashes.csv."""

    def __init__(self, target: CaseDatabase, folder: Path, max_bytes: int = MAX_COPY_BYTES
                 ) -> None:
        self.target = target
        self.files_dir = folder / FILES_FOLDER
        self.hashes_path = folder / HASHES_FILE
        self.max_bytes = max_bytes
        self.summary = {"copied": 0, "verified": 0, "mismatched": 0, "not_copied": 0}
        self._warnings: list[dict[str, Any]] = []

    def _warn(self, file: dict[str, Any], message: str) -> None:
        self._warnings.append({
            "evidence_id": file["evidence_id"], "volume_idx": file.get("volume_idx"),
            "path": file.get("path"), "source": "portable export", "message": message,
        })
        if len(self._warnings) >= _WARNING_BATCH:
            self._flush_warnings()

    def _flush_warnings(self) -> None:
        if self._warnings:
            self.target.write_batch(warnings=self._warnings)
            self._warnings = []

    def _copy_one(self, reader: EvidenceFiles, file: dict[str, Any]) -> list[Any]:
        base = [file["id"], file["evidence_path"], file.get("volume_idx"), file["path"],
                file["deleted"]]
        case_values = [file.get("size"), file.get("md5"), file.get("sha256")]
        size = file.get("size")
        # A damaged case can hold text here: such a file is copied, up to the limit.
        if isinstance(size, int) and size > self.max_bytes:
            reason = f"not copied: larger than the {self.max_bytes:,}-byte limit"
        else:
            entry, reason = reader.open_file(file)
            if entry is not None:
                return self._write_copy(entry, file, base, case_values)
        self.summary["not_copied"] += 1
        self._warn(file, f"file not copied into the portable case: {reason}")
        return [*base, "", case_values[0], "", case_values[1], "", case_values[2], "", reason]

    def _write_copy(self, entry: Any, file: dict[str, Any], base: list[Any],
                    case_values: list[Any]) -> list[Any]:
        name = copy_name(file)
        destination = self.files_dir / name
        # Defence in depth: the name is sanitised, but never write outside files/.
        if destination.resolve().parent != self.files_dir.resolve():
            raise ExportError(f"refusing to write {name!r} outside the files folder")
        try:
            with open(destination, "xb") as handle:
                copied, md5, sha256 = copy_content(entry, handle, self.max_bytes)
        except ContentReadError as exc:
            destination.unlink(missing_ok=True)
            reason = f"not copied: reading failed ({exc})"
            self.summary["not_copied"] += 1
            self._warn(file, f"file not copied into the portable case: {reason}")
            return [*base, "", case_values[0], "", case_values[1], "", case_values[2], "", reason]
        verdict = _verdict(file, copied, md5, sha256)
        self.summary["copied"] += 1
        if verdict.startswith("MISMATCH"):
            self.summary["mismatched"] += 1
            self._warn(file, f"copy of {file['path']} does not match the case: {verdict}")
        elif verdict == "verified":
            self.summary["verified"] += 1
        return [*base, f"{FILES_FOLDER}/{name}", case_values[0], copied, case_values[1], md5,
                case_values[2], sha256, verdict]

    def run(self) -> dict[str, int]:
        """Copy every regular file of the target case; return the summary counts."""
        self.files_dir.mkdir()
        with EvidenceFiles() as reader, open(
            self.hashes_path, "x", encoding="utf-8-sig", errors="replace", newline=""
        ) as handle:
            writer = csv_writer(handle)
            writer.writerow(HASH_COLUMNS)
            for file in self.target.iter_files_with_evidence():
                if file["kind"] != "file":
                    continue
                writer.writerow([guard_cell(v) for v in self._copy_one(reader, file)])
        self._flush_warnings()
        return dict(self.summary)


def write_portable(case: CaseDatabase, selection: Selection, folder: Path,
                   examiner: str | None = None, max_bytes: int = MAX_COPY_BYTES,
                   files_summary: dict[str, int] | None = None) -> int:
    """Write a portable case into ``folder``; return the number of artefacts it holds.

    ``files_summary``, when given, receives the copy counts: ``copied``, ``verified``,
    ``mismatched``, ``not_copied`` and ``files`` (the regular files to copy)."""
    target, counts = create_subset_case(
        case, folder / CASE_FILE_NAME, selection.tagged_only,
        list(selection.categories) if selection.categories else None, examiner,
    )
    try:
        summary = PortableCopier(target, folder, max_bytes).run()
        target.audit("portable.files", examiner, summary)
    finally:
        target.close()
    if files_summary is not None:
        files_summary.update(summary, files=summary["copied"] + summary["not_copied"])
    return counts.artefacts


def copy_messages(summary: dict[str, int]) -> tuple[str, list[str]]:
    """The line saying how many files a portable case got, and warnings when not all of
    them were copied or some copies differ from the case."""
    copied, total = summary.get("copied", 0), summary.get("files", 0)
    line = f"files copied: {copied} of {total}"
    warnings = []
    if copied < total:
        warnings.append(f"{total - copied} of {total} files were not copied into the portable"
                        f" case (the evidence was not reachable or not readable); {HASHES_FILE}"
                        " gives the reason for each")
    if summary.get("mismatched"):
        warnings.append(f"{summary['mismatched']} copied files do not match the hashes the"
                        f" case records; see {HASHES_FILE}")
    return line, warnings

"""Copy selected files' content out of the evidence and verify it against the case's hashes.

Qt-free: runs in a background task. Output paths are built from sanitised components so
names from the evidence can never escape the chosen folder; a manifest CSV records each
file's hashes and verification status.
"""

from __future__ import annotations

import csv
import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from triage.casedb import CaseDatabase
from triage.ui.evidence_reader import ContentError, EvidenceReader

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
MANIFEST = "export_manifest.csv"


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


def safe_relative_path(*parts: str) -> Path:
    """Join path components from the evidence into a relative path that cannot escape."""
    clean: list[str] = []
    for part in parts:
        for component in str(part).replace("\\", "/").split("/"):
            component = _UNSAFE.sub("_", component).strip(" .")[:120]
            if component:
                clean.append(component)
    return Path(*clean) if clean else Path("unnamed")


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    for number in range(1, 10000):
        candidate = path.with_name(f"{path.stem}_{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise ContentError(f"{path}: too many files of that name")


def export_files(case_path: str | Path, file_ids: list[int], folder: str | Path,
                 cancel: threading.Event | None = None) -> list[ExportedFile]:
    """Copy files ``file_ids`` into ``folder`` and verify md5/sha256; write a manifest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results: list[ExportedFile] = []
    reader = EvidenceReader()
    case = CaseDatabase.open(case_path, readonly=True)
    try:
        for file_id in file_ids:
            if cancel is not None and cancel.is_set():
                break
            results.append(_export_one(case, reader, file_id, folder))
    finally:
        case.close()
        reader.close()
    _write_manifest(folder / MANIFEST, results)
    return results


def _export_one(case: CaseDatabase, reader: EvidenceReader, file_id: int,
                folder: Path) -> ExportedFile:
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


def _write_manifest(path: Path, results: list[ExportedFile]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_id", "source", "target", "status", "md5", "sha256", "message"])
        for r in results:
            writer.writerow([r.file_id, r.source, r.target or "", r.status, r.md5 or "",
                             r.sha256 or "", r.message or ""])

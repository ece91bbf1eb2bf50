"""Turn processing results into the rows the case database stores.

Kept apart from the engine's control flow so worker processes can build rows (plain
dicts that pickle) and the writer only writes them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from triage.engine.file_processor import FileResult, file_identity
from triage.extractors.interface import ArtefactType, Extractor, Finding

#: Unallocated hits with the same identity within this many bytes are one artefact.
UNALLOCATED_AREA = 1 << 20


def category_of(artefact_type: str, types: dict[str, ArtefactType]) -> str:
    """Return the UI/report category of an artefact type (its prefix when unregistered)."""
    known = types.get(artefact_type)
    if known is not None:
        return known.category
    return artefact_type.split(".", 1)[0].replace("_", " ").capitalize()


def artefact_row(
    extractor: Extractor,
    finding: Finding,
    types: dict[str, ArtefactType],
    *,
    evidence_id: int,
    volume_idx: int | None,
    run_id: int,
    file_row: dict[str, Any] | None = None,
    file_key: str | None = None,
    unallocated: bool = False,
) -> dict[str, Any]:
    """Return the artefact row for one finding, with a stable identity for de-duplication."""
    path = finding.path or (file_row["path"] if file_row else None)
    same_entry = file_row is not None and (finding.path is None or finding.path == file_row["path"])
    if unallocated:
        area = (finding.offset or 0) // UNALLOCATED_AREA
        scope = f"unallocated|{area}"
    else:
        scope = file_key if same_entry else f"path|{path}"
    identity_text = f"{finding.type}|{volume_idx}|{scope}|{finding.dedupe_key()}"
    return {
        "type": finding.type,
        "category": category_of(finding.type, types),
        "evidence_id": evidence_id,
        "volume_idx": volume_idx,
        "file_identity": file_key if same_entry else None,
        "file_path": None if same_entry else path,
        "path": path,
        "inode": file_row.get("inode") if same_entry and file_row else None,
        "deleted": bool(file_row.get("deleted")) if file_row else False,
        "unallocated": unallocated,
        "offset": finding.offset,
        "context": finding.context,
        "attributes": finding.attributes,
        "extractor": extractor.NAME,
        "extractor_version": extractor.VERSION,
        "run_id": run_id,
        "identity": hashlib.sha1(identity_text.encode("utf-8", "replace")).hexdigest(),
    }


def result_rows(
    result: FileResult,
    types: dict[str, ArtefactType],
    *,
    evidence_id: int,
    volume_idx: int | None,
    run_id: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the file row and the artefact rows of one processed entry."""
    row = result.row
    row["evidence_id"] = evidence_id
    row["volume_idx"] = volume_idx
    row["run_id"] = run_id
    row["identity"] = file_identity(volume_idx, row)
    artefacts = []
    seen: set[str] = set()
    for extractor, finding in result.findings:
        artefact = artefact_row(
            extractor, finding, types, evidence_id=evidence_id, volume_idx=volume_idx,
            run_id=run_id, file_row=row, file_key=row["identity"],
        )
        if artefact["identity"] in seen:
            continue
        seen.add(artefact["identity"])
        artefacts.append(artefact)
    return row, artefacts

"""Collect rows and write them to the case in atomic batches."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from triage.casedb import FILE_RECORD_DELETED, CaseDatabase, file_record
from triage.evidence.byte_ranges import add_span, subtract_spans
from triage.evidence.ewf_checksum import MediaDamage

BATCH_FILES = 5000
BATCH_SECONDS = 0.5
#: Warnings' ``source`` for damaged media: every worker reads the media through its own
#: handle, so the same damaged bytes can be reported by several (whole by one, in pieces
#: by another); each byte is recorded once.
MEDIA_SOURCE = "media"
#: What CaseDatabase.link_artefacts_by_path reads of an artefact.
_LINK_KEYS = ("evidence_id", "identity", "volume_idx", "file_path")


class BatchWriter:
    """Buffers file, artefact and warning rows and flushes them in one transaction each time.

    A batch is flushed when it holds ``BATCH_FILES`` files or is ``BATCH_SECONDS`` old, so
    a reader (the GUI) sees results appear while the scan runs, and a scan killed at any
    moment leaves whole batches only.
    """

    def __init__(self, case: CaseDatabase) -> None:
        self.case = case
        self.files: list[tuple[Any, ...]] = []
        self.artefacts: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.artefacts_by_type: Counter[str] = Counter()
        #: Keys of artefacts naming their file by path, linked again by :meth:`finish`
        #: (only the four fields the link needs, so a long run holds little).
        self.named_by_path: list[dict[str, Any]] = []
        self.warning_count = 0
        self.file_count = 0
        self.deleted_count = 0
        #: Damaged bytes recorded so far, per evidence item (sorted, merged spans).
        self._media_covered: dict[Any, list[tuple[int, int]]] = {}
        #: What damaged it (:attr:`MediaDamage.cause`), per evidence item.
        self._media_causes: dict[Any, set[str]] = {}
        self._started = time.monotonic()

    def add(self, file_row: dict[str, Any] | tuple[Any, ...] | None,
            artefacts: list[dict[str, Any]]) -> None:
        """Queue one file (a row dict, its :func:`file_record`, or None) and its artefacts."""
        if file_row is not None:
            record = file_row if isinstance(file_row, tuple) else file_record(file_row)
            self.files.append(record)
            self.file_count += 1
            self.deleted_count += bool(record[FILE_RECORD_DELETED])
        if artefacts:
            self._add_artefacts(artefacts)
        self._maybe_flush()

    def add_records(self, files: list[tuple[tuple[Any, ...], list[dict[str, Any]]]]) -> None:
        """Queue many ``(file record, artefacts)`` pairs, as a worker's batch brings them."""
        for record, artefacts in files:
            self.files.append(record)
            if record[FILE_RECORD_DELETED]:
                self.deleted_count += 1
            if artefacts:
                self._add_artefacts(artefacts)
        self.file_count += len(files)
        self._maybe_flush()

    def _add_artefacts(self, artefacts: list[dict[str, Any]]) -> None:
        for artefact in artefacts:
            self.artefacts.append(artefact)
            self.artefacts_by_type[artefact["type"]] += 1
            if artefact.get("file_path") and artefact.get("file_id") is None:
                self.named_by_path.append({key: artefact.get(key) for key in _LINK_KEYS})

    def warn(self, warning: dict[str, Any]) -> None:
        """Queue one warning row (of damaged media, only the bytes not recorded yet)."""
        damage = warning.get("damage")
        if damage is not None:
            self._warn_damage(warning, damage)
            return
        self.warnings.append(warning)
        self.warning_count += 1
        self._maybe_flush()

    def damaged_spans(self, evidence_id: int) -> list[tuple[int, int]]:
        """The damaged media recorded for one evidence item: sorted ``[start, end)``."""
        return list(self._media_covered.get(evidence_id, []))

    def damage_causes(self, evidence_id: int) -> set[str]:
        """The causes (:attr:`MediaDamage.cause`) of the damage recorded for one item."""
        return set(self._media_causes.get(evidence_id, ()))

    def _warn_damage(self, warning: dict[str, Any], damage: MediaDamage) -> None:
        covered = self._media_covered.setdefault(warning.get("evidence_id"), [])
        self._media_causes.setdefault(warning.get("evidence_id"), set()).add(damage.cause)
        end = damage.offset + damage.length
        for first, stop in subtract_spans(damage.offset, end, covered):
            piece = MediaDamage(first, stop - first, damage.sector_size, damage.cause)
            self.warnings.append({**warning, "damage": None,
                                  "message": f"{piece.describe()}; {warning['found']}"})
            self.warning_count += 1
            add_span(covered, first, stop)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.files) >= BATCH_FILES or time.monotonic() - self._started >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write everything queued in one transaction."""
        if self.files or self.artefacts or self.warnings:
            self.case.write_batch(self.files, self.artefacts, self.warnings)
        self.files, self.artefacts, self.warnings = [], [], []
        self._started = time.monotonic()

    def finish(self) -> None:
        """Write what is queued, then link artefacts written before the files they name."""
        self.flush()
        if self.named_by_path:
            self.case.link_artefacts_by_path(self.named_by_path)
            self.named_by_path = []


def media_warning(run_id: int | None, evidence_id: int | None, volume_idx: int | None, path: str | None,
                  damage: MediaDamage, found: str) -> dict[str, Any]:
    """A warning row about damaged media; ``found`` says what was being read."""
    return {"run_id": run_id, "evidence_id": evidence_id, "volume_idx": volume_idx,
            "path": path, "source": MEDIA_SOURCE, "damage": damage, "found": found,
            "message": f"{damage.describe()}; {found}"}

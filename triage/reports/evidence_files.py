"""Reading the content of a case's files back from the evidence (for copies and thumbnails).

The evidence may be gone (a portable case on another machine) or unreadable; every
lookup then answers ``None`` with a one-line reason instead of raising. Evidence items
and file systems are opened once and reused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any, BinaryIO


class EvidenceFiles:
    """Open files by (evidence path, volume index, path) through :mod:`triage.evidence`."""

    def __init__(self) -> None:
        self._evidence: dict[str, Any] = {}
        self._filesystems: dict[tuple[str, int | None], Any] = {}
        self._failures: dict[tuple[str, int | None], str] = {}

    def _filesystem(self, evidence_path: str, volume_idx: int | None) -> tuple[Any, str | None]:
        key = (evidence_path, volume_idx)
        if key in self._failures:
            return None, self._failures[key]
        if key in self._filesystems:
            return self._filesystems[key], None
        try:
            from triage.casedb.path_text import local_path
            from triage.evidence import open_evidence

            evidence = self._evidence.get(evidence_path)
            if evidence is None:
                evidence = open_evidence(local_path(evidence_path))
                self._evidence[evidence_path] = evidence
            volumes = evidence.volumes()
            if volume_idx is None:
                candidates = volumes[:1]
            else:
                candidates = [v for v in volumes if v.index == volume_idx]
            if not candidates:
                raise LookupError(f"volume {volume_idx} not found")
            filesystem = candidates[0].open_filesystem()
            if filesystem is None:
                raise LookupError(f"volume {volume_idx} holds no file system")
        # The evidence layer wraps third-party parsers; whatever they raise on a missing or
        # damaged image must become a reason shown to the user, not a crashed export.
        except Exception as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            self._failures[key] = reason
            return None, reason
        self._filesystems[key] = filesystem
        return filesystem, None

    def open_file(self, file: dict[str, Any]) -> tuple[Any, str | None]:
        """Return ``(FileEntry, None)`` for a case file row, or ``(None, reason)``."""
        evidence_path = file.get("evidence_path")
        if not evidence_path:
            return None, "no evidence path recorded"
        filesystem, reason = self._filesystem(evidence_path, file.get("volume_idx"))
        if filesystem is None:
            return None, f"evidence not readable: {reason}"
        try:
            entry = filesystem.open_path(file["path"])
        except Exception as exc:  # same reasoning as in _filesystem
            return None, f"cannot open {file['path']}: {' '.join(str(exc).split())}"
        if entry is None:
            return None, "path not found in the evidence"
        recorded, found = file.get("inode"), getattr(entry, "inode", None)
        if recorded is not None and found is not None and str(recorded) != str(found):
            return None, f"path now names another entry (inode {found}, case has {recorded})"
        return entry, None

    def close(self) -> None:
        """Close every evidence item opened."""
        for evidence in self._evidence.values():
            try:
                evidence.close()
            # Closing must not hide the export's result.
            except Exception:
                pass
        self._evidence.clear()
        self._filesystems.clear()

    def __enter__(self) -> EvidenceFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ContentReadError(Exception):
    """Reading a file's content from the evidence failed part-way (one-line message)."""


def _chunks(entry: Any) -> Iterator[bytes]:
    iterator = iter(entry.iter_chunks())
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        # pytsk3 signals bad sectors with IOError and the container libraries with their own
        # errors; all of them mean "this copy failed", unlike errors writing the copy.
        except Exception as exc:
            raise ContentReadError(" ".join(str(exc).split()) or type(exc).__name__) from None
        yield chunk


def copy_content(entry: Any, handle: BinaryIO, max_bytes: int) -> tuple[int, str, str]:
    """Copy an entry's content into ``handle``; return (bytes written, md5, sha256).

    Stops after ``max_bytes`` so a corrupt size field cannot fill the disk. Raises
    :class:`ContentReadError` when the evidence cannot be read; errors writing
    ``handle`` propagate unchanged.
    """
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    written = 0
    for chunk in _chunks(entry):
        if written + len(chunk) > max_bytes:
            chunk = chunk[: max_bytes - written]
        handle.write(chunk)
        md5.update(chunk)
        sha256.update(chunk)
        written += len(chunk)
        if written >= max_bytes:
            break
    return written, md5.hexdigest(), sha256.hexdigest()

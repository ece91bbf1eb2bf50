"""Read file content and media bytes back from the evidence for the viewers and exports.

Evidence items and file systems are opened once per reader and reused; every failure
becomes a :class:`ContentError` with a one-line message for the examiner.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class ContentError(Exception):
    """The content cannot be read; ``str(error)`` is one line for the user."""


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class EvidenceReader:
    """Open evidence lazily and read files or raw media bytes (use from one thread)."""

    def __init__(self) -> None:
        self._evidence: dict[str, Any] = {}
        self._filesystems: dict[tuple[str, int | None], Any] = {}

    def _open_evidence(self, evidence_path: str) -> Any:
        if evidence_path not in self._evidence:
            try:
                from triage.casedb.path_text import local_path
                from triage.evidence import open_evidence

                self._evidence[evidence_path] = open_evidence(local_path(evidence_path))
            # The evidence layer wraps C parsers; anything they raise is a message here.
            except Exception as exc:  # noqa: BLE001
                raise ContentError(f"cannot open the evidence: {_reason(exc)}") from None
        return self._evidence[evidence_path]

    def _filesystem(self, evidence_path: str, volume_idx: int | None) -> Any:
        key = (evidence_path, volume_idx)
        if key not in self._filesystems:
            evidence = self._open_evidence(evidence_path)
            try:
                volumes = evidence.volumes()
                matches = [v for v in volumes if volume_idx is None or v.index == volume_idx]
                filesystem = matches[0].open_filesystem() if matches else None
            except Exception as exc:  # noqa: BLE001 (see _open_evidence)
                raise ContentError(f"cannot open volume {volume_idx}: {_reason(exc)}") from None
            if filesystem is None:
                raise ContentError(f"volume {volume_idx} holds no readable file system")
            self._filesystems[key] = filesystem
        return self._filesystems[key]

    def open_entry(self, evidence_path: str, volume_idx: int | None, path: str,
                   inode: str | None = None) -> Any:
        """Return the file entry at ``path`` (checked against the recorded inode)."""
        filesystem = self._filesystem(evidence_path, volume_idx)
        try:
            entry = filesystem.open_path(path)
        except Exception as exc:  # noqa: BLE001 (see _open_evidence)
            raise ContentError(f"cannot open {path}: {_reason(exc)}") from None
        if entry is None:
            raise ContentError(f"{path} is not in the evidence any more")
        found = getattr(entry, "inode", None)
        if inode is not None and found is not None and str(found) != str(inode):
            raise ContentError(f"{path} now names another entry (inode {found}, case has {inode})")
        return entry

    def read_file(self, evidence_path: str, volume_idx: int | None, path: str, offset: int,
                  size: int, inode: str | None = None) -> bytes:
        """Return up to ``size`` bytes of a file's content from ``offset``."""
        entry = self.open_entry(evidence_path, volume_idx, path, inode)
        try:
            return bytes(entry.read(max(0, offset), max(0, size)))
        except Exception as exc:  # noqa: BLE001 (see _open_evidence)
            raise ContentError(f"cannot read {path}: {_reason(exc)}") from None

    def iter_file(self, evidence_path: str, volume_idx: int | None, path: str,
                  inode: str | None = None) -> Iterator[bytes]:
        """Yield a file's whole content in chunks."""
        entry = self.open_entry(evidence_path, volume_idx, path, inode)
        try:
            yield from entry.iter_chunks()
        except Exception as exc:  # noqa: BLE001 (see _open_evidence)
            raise ContentError(f"cannot read {path}: {_reason(exc)}") from None

    def read_media(self, evidence_path: str, offset: int, size: int) -> bytes:
        """Return raw media bytes (for unallocated hits, whose offset is absolute)."""
        evidence = self._open_evidence(evidence_path)
        try:
            return bytes(evidence.read(max(0, offset), max(0, size)))
        except Exception as exc:  # noqa: BLE001 (see _open_evidence)
            raise ContentError(f"cannot read the media at {offset}: {_reason(exc)}") from None

    def close(self) -> None:
        """Close every evidence item this reader opened."""
        for evidence in self._evidence.values():
            try:
                evidence.close()
            except Exception:  # noqa: BLE001, S110 (closing must not mask a result)
                pass
        self._evidence.clear()
        self._filesystems.clear()

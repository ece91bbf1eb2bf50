"""Walking ``hardlinks.raw`` in this process, counting the bytes read per path (shared by
the hard-link and shared-table tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from triage.engine.context import FileSystemContext
from triage.engine.file_processor import FileProcessor, FileResult
from triage.evidence import open_evidence
from triage.evidence.tsk_filesystem import TskFileEntry

IMAGE = Path(__file__).parents[1] / "data" / "images" / "hardlinks.raw"


def count_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Patch TskFileEntry.read to add each read's length to the returned dict, by path."""
    read_bytes: dict[str, int] = {}
    real_read = TskFileEntry.read

    def counting_read(self: TskFileEntry, offset: int, size: int) -> bytes:
        data = real_read(self, offset, size)
        read_bytes[self.path] = read_bytes.get(self.path, 0) + len(data)
        return data

    monkeypatch.setattr(TskFileEntry, "read", counting_read)
    return read_bytes


def process_all(processor: FileProcessor) -> Iterator[tuple[Any, FileResult]]:
    """(entry, result) of ``processor`` on every entry of the image's file system."""
    with open_evidence(str(IMAGE)) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        ctx = FileSystemContext(filesystem, lambda message, path=None: None, threading.Event())
        for entry in filesystem.walk():
            yield entry, processor.process(entry, ctx)

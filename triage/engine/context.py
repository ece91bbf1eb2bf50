"""The ExtractionContext the engine gives extractors: a read-only window on one file system."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from triage.extractors.interface import FileView

WarnFunc = Callable[[str, str | None], None]


class FileSystemContext:
    """Lets an extractor look at sibling files of the entry it is working on.

    Every call reads the same file system the engine is walking, read-only; errors turn
    into ``None`` / ``[]`` so a broken sibling never takes an extractor down.
    """

    def __init__(self, filesystem: Any, warn: WarnFunc, cancel: threading.Event | None = None) -> None:
        self._fs = filesystem
        #: The file system read (its identity scopes content keys: inode numbers repeat
        #: from one volume to the next).
        self.filesystem = filesystem
        self._warn = warn
        self._cancel = cancel

    def warn(self, message: str, path: str | None = None) -> None:
        """Record a warning for the examiner."""
        self._warn(message, path)

    def listdir(self, path: str) -> list[FileView]:
        """Return a directory's entries (allocated and deleted) or [] when unreadable."""
        try:
            return [entry.to_view() for entry in self._fs.listdir(path)]
        except Exception:  # noqa: BLE001 (any parser failure means "cannot list")
            return []

    def read(self, path: str, max_bytes: int = 64 * 1024 * 1024) -> bytes | None:
        """Return up to ``max_bytes`` of a file's content, or None when absent/unreadable."""
        try:
            entry = self._fs.open_path(path)
            if entry is None or entry.kind != "file":
                return None
            return entry.read(0, min(entry.size, max_bytes))
        except Exception:  # noqa: BLE001
            return None

    def stat(self, path: str) -> FileView | None:
        """Return the entry at ``path`` or None."""
        try:
            entry = self._fs.open_path(path)
        except Exception:  # noqa: BLE001
            return None
        return entry.to_view() if entry is not None else None

    def cancelled(self) -> bool:
        """True once the user asked to stop."""
        return bool(self._cancel and self._cancel.is_set())

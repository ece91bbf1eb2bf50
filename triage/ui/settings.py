"""Remembered preferences: recent cases, the examiner's name, window layout (QSettings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10


class UiSettings:
    """Typed access to the application's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings("triage", "triage")

    def recent_cases(self) -> list[str]:
        """Return recently opened case paths, newest first, that still exist."""
        value = self._settings.value("recent_cases", [])
        if isinstance(value, str):
            value = [value]
        return [p for p in (value or []) if isinstance(p, str) and Path(p).is_file()]

    def add_recent_case(self, path: str) -> None:
        """Put ``path`` first in the recent-case list."""
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_cases() if p != path]
        self._settings.setValue("recent_cases", [path, *recent][:MAX_RECENT])

    def examiner(self) -> str:
        """Return the last examiner name entered ('' if none)."""
        return str(self._settings.value("examiner", "") or "")

    def set_examiner(self, name: str) -> None:
        """Remember the examiner's name."""
        self._settings.setValue("examiner", name)

    def layout(self, key: str) -> QByteArray | None:
        """Return a saved geometry/state blob or None."""
        value = self._settings.value(f"layout/{key}")
        return value if isinstance(value, QByteArray) else None

    def set_layout(self, key: str, value: QByteArray) -> None:
        """Save a geometry/state blob."""
        self._settings.setValue(f"layout/{key}", value)

    def sync(self) -> None:
        """Write pending changes to storage."""
        self._settings.sync()

"""Check the audit log's hash chain in a background thread, so a long log (200,000
entries take more than a second) never freezes the window."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from triage.casedb import CaseDatabase
from triage.casedb.case import CaseError


def chain_titles(case: CaseDatabase) -> tuple[str, str]:
    """(short state for a title, the whole summary) of ``case``'s audit chain."""
    try:
        status, _ = case.audit_chain_status()
    except (sqlite3.Error, CaseError) as exc:
        text = f"hash chain unreadable ({exc})"
        return text, text
    if status.intact:
        short = "hash chain intact"
    elif status.problems or status.more_problems:
        short = "hash chain BROKEN"
    else:
        short = "not chained yet"
    return short, status.summary()


class AuditChainCheck(QObject):
    """Runs :func:`chain_titles` on its own read-only connection; emits
    ``checked(generation, short, summary)`` on the GUI thread."""

    checked = Signal(int, str, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    def start(self, path: Path, generation: int) -> None:
        """Check in the background; a result for an older ``generation`` is the caller's
        to ignore."""
        self._thread = threading.Thread(target=self._run, args=(path, generation),
                                        name="triage-audit-chain", daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the check ends (tests); False on timeout."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self, path: Path, generation: int) -> None:
        try:
            case = CaseDatabase.open(path, readonly=True)
        except CaseError as exc:
            short = summary = f"hash chain unreadable ({exc})"
        else:
            try:
                short, summary = chain_titles(case)
            finally:
                case.close()
        try:
            # Emitting from this thread queues the signal to this object's (GUI) thread.
            self.checked.emit(generation, short, summary)
        except RuntimeError:  # the window (and this object) was deleted meanwhile
            return

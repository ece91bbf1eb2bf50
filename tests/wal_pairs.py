"""Build SQLite databases in WAL mode whose newest rows are only in the ``-wal`` file,
as Firefox, Android apps and Bitcoin Core leave them on a seized disk."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path


def write_wal_pair(target: Path, checkpointed: Sequence[str], in_log: Sequence[str],
                   params: dict[str, Sequence[object]] | None = None) -> None:
    """Write ``target`` and ``target-wal``: the ``checkpointed`` statements end up in the
    main file, the ``in_log`` ones (one transaction) only in the log. ``params`` maps a
    statement to its parameters."""
    params = params or {}
    with tempfile.TemporaryDirectory() as build:
        live = Path(build) / "live.db"
        conn = sqlite3.connect(live, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA wal_autocheckpoint=0")
            for statement in checkpointed:
                conn.execute(statement, params.get(statement, ()))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("BEGIN")
            for statement in in_log:
                conn.execute(statement, params.get(statement, ()))
            conn.execute("COMMIT")
            # Copied while the writer is open: closing it would checkpoint the log.
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(live, target)
            shutil.copyfile(f"{live}-wal", f"{target}-wal")
        finally:
            conn.close()

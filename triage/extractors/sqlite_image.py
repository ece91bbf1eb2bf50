"""An evidence SQLite database as SQLite itself would read it: with its ``-wal`` applied.

Firefox, Android apps and Bitcoin Core keep databases in WAL mode, where the newest
committed rows may sit only in the sibling ``<name>-wal`` file. That file is read through
the extraction context (the same read-only file system), never from the host.
"""

from __future__ import annotations

from triage.casedb.sqlite_wal import apply_wal
from triage.extractors.interface import ExtractionContext

#: A log larger than this is read only this far (its later frames are then left out).
MAX_WAL_BYTES = 64 * 1024 * 1024


def database_image(path: str, data: bytes, ctx: ExtractionContext) -> bytes:
    """Return ``data`` (the database at ``path``) with the committed frames of the
    ``path + "-wal"`` file applied, in rollback-journal form; warnings go to ``ctx``.

    Without a log, or for a database whose header says rollback-journal mode, ``data``
    itself is returned (opening it reads a WAL-mode header as rollback mode anyway).
    """
    if len(data) < 20 or (data[18] != 2 and data[19] != 2):
        # A -wal is looked for beside a database whose header says WAL mode (either
        # byte): the lookup is a directory search, too dear for every SQLite file. SQLite
        # itself would also read a -wal left beside a rollback-mode database, which
        # only a tampered or half-copied pair has (README: known gaps).
        return data
    wal_path = path + "-wal"
    entry = ctx.stat(wal_path)
    if entry is None or entry.kind != "file" or entry.size == 0:
        return data
    wal = ctx.read(wal_path, MAX_WAL_BYTES)
    if wal is None:
        ctx.warn("cannot read the write-ahead log; the database is read without it", wal_path)
        return data
    if entry.size > len(wal):
        ctx.warn(f"write-ahead log read up to {len(wal)} of {entry.size} bytes; "
                 "later transactions are not applied", wal_path)
    replay = apply_wal(data, wal)
    for warning in replay.warnings:
        ctx.warn(warning, wal_path)
    return replay.image

"""Read-only schema probes of SQLite databases found in the evidence."""

from __future__ import annotations

import sqlite3

import pytest

from triage.casedb import evidence_sqlite
from triage.casedb.evidence_sqlite import forget_schema, schema_of


def _database(*statements: str) -> bytes:
    conn = sqlite3.connect(":memory:")
    for statement in statements:
        conn.execute(statement)
    data = conn.serialize()
    conn.close()
    return bytes(data)


def test_schema_of_reads_tables_and_columns_once_per_bytes_object(monkeypatch) -> None:
    data = _database("CREATE TABLE main (key BLOB, Value BLOB)", "CREATE TABLE Other (a)")
    opened = []
    real_open = evidence_sqlite.open_copy

    def counting_open(raw: bytes):
        opened.append(len(raw))
        return real_open(raw)

    monkeypatch.setattr(evidence_sqlite, "open_copy", counting_open)
    forget_schema()
    assert schema_of(data) == {"main": {"key", "value"}, "other": {"a"}}
    assert schema_of(data) == {"main": {"key", "value"}, "other": {"a"}}
    assert len(opened) == 1
    # Equal content in another object is read again: only identity is trusted.
    assert schema_of(bytes(bytearray(data)))["main"] == {"key", "value"}
    assert len(opened) == 2
    forget_schema()
    assert evidence_sqlite._schema_memo.data is None


def test_schema_of_repeats_the_error_of_unusable_bytes() -> None:
    forget_schema()
    junk = b"SQLite format 3\x00" + b"\xff" * 200
    for _ in range(2):
        with pytest.raises(sqlite3.Error):
            schema_of(junk)
    with pytest.raises(sqlite3.Error):
        schema_of(b"not a database")

"""Read-only inspection of wallet databases held in memory (a copy of evidence bytes).

The SQL itself lives in :mod:`triage.casedb.evidence_sqlite`; this module names what the
wallet parsers use.
"""

from __future__ import annotations

from triage.casedb.evidence_sqlite import (
    MAX_ROWS,
    MAX_STEPS,
    SQLITE_MAGIC,
    column_values,
    forget_schema,
    key_value_rows,
    schema_of,
    table_columns,
)
from triage.casedb.evidence_sqlite import open_copy as open_sqlite

__all__ = ["MAX_ROWS", "MAX_STEPS", "SQLITE_MAGIC", "column_values", "forget_schema",
           "key_value_rows", "open_sqlite", "schema_of", "table_columns"]

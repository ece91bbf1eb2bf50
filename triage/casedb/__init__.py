"""The case database (SQLite): the only package in triage that speaks SQL."""

from triage.casedb.case import FILE_RECORD_DELETED, CaseDatabase, CaseError, file_record, utc_now
from triage.casedb.errors import CaseBusy, CaseCheckCancelled
from triage.casedb.schema import SCHEMA_VERSION

__all__ = [
    "FILE_RECORD_DELETED", "SCHEMA_VERSION", "CaseBusy", "CaseCheckCancelled", "CaseDatabase", "CaseError", "file_record", "utc_now",
]

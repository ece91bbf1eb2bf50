"""The case database (SQLite): the only package in triage that speaks SQL."""

from triage.casedb.case import CaseDatabase, CaseError, utc_now
from triage.casedb.schema import SCHEMA_VERSION

__all__ = ["CaseDatabase", "CaseError", "SCHEMA_VERSION", "utc_now"]

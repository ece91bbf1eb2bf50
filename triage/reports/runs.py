"""Runs recorded as still running when an export is written: its findings may be partial.

A scan that is still going has not written everything yet; a scan that was killed (or
lost its machine) stays recorded as running until the next scan of the case marks it
interrupted. Either way the export is warned about, not refused.
"""

from __future__ import annotations

from typing import Any

from triage.casedb import CaseDatabase


def _warning(run: dict[str, Any]) -> str:
    started = f", started {run['started']}" if run.get("started") else ""
    if run.get("alive") is True:
        state = "is still running on this machine"
    elif run.get("alive") is False:
        state = "is recorded as running but its process is gone (killed?)"
    else:
        state = "is recorded as running (its process cannot be checked from here)"
    return (f"run {run['id']}{started} {state}; this export holds only what that run had"
            " written, so it may be incomplete")


def running_run_warnings(case: CaseDatabase) -> list[str]:
    """One line per run recorded as running in ``case``."""
    return [_warning(run) for run in case.runs_recorded_running()]

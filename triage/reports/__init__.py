"""Reports and exports: HTML, CSV, KML, JSON lines, body file and the portable case.

Call :func:`export`; every format honours the same two filters (``tagged_only`` and
``categories``), streams from the case, writes under a temporary name that is renamed
when complete, never replaces an existing path, and then records an ``export`` entry in
the case's audit log.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from triage.casedb import CaseDatabase, CaseError
from triage.reports.atomic import atomic_output, withdraw
from triage.reports.bodyfile import write_bodyfile
from triage.reports.csv_export import write_csv
from triage.reports.errors import ExportError
from triage.reports.html_report import write_html
from triage.reports.jsonl import write_jsonl
from triage.reports.kml import write_kml
from triage.reports.placement import check_not_sqlite_sidecar, check_outside_evidence
from triage.reports.portable import copy_messages, write_portable
from triage.reports.runs import running_run_warnings
from triage.reports.selection import Selection, make_selection

FORMATS = ("html", "csv", "kml", "jsonl", "bodyfile", "portable")
#: Formats whose output is a folder; the others write one file.
FOLDER_FORMATS = frozenset({"html", "csv", "portable"})

_Writer = Callable[[CaseDatabase, Selection, Path, "str | None"], int]


def _kml(case: CaseDatabase, selection: Selection, target: Path, examiner: str | None) -> int:
    return write_kml(case, selection, target, f"Triage: {case.info().get('name') or ''}")


_WRITERS: dict[str, _Writer] = {
    "html": write_html,
    "csv": lambda case, selection, target, examiner: write_csv(case, selection, target),
    "kml": _kml,
    "jsonl": lambda case, selection, target, examiner: write_jsonl(case, selection, target),
    "bodyfile": lambda case, selection, target, examiner: write_bodyfile(case, selection, target),
    "portable": write_portable,
}


def export(
    case: CaseDatabase,
    fmt: str,
    output: Path,
    tagged_only: bool = False,
    categories: list[str] | None = None,
    examiner: str | None = None,
    recorded_as: str | None = None,
    check_place: bool = True,
    warn: Callable[[str], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> Path:
    """Export ``case`` as ``fmt`` to ``output`` and return the path written.

    ``output`` is a file path for jsonl, bodyfile and kml, and a folder (created by the
    export) for html, csv and portable; it must not exist. ``tagged_only`` keeps only
    tagged items; ``categories`` keeps only artefacts of those categories. The audit log
    records the output as ``recorded_as`` when given (a caller that passes the file on,
    to standard output say), else as an absolute path. Raises :class:`ExportError` with
    a one-line message when the export cannot be written. An output inside an evidence
    folder of the case, or next to one of its images, is refused; ``check_place`` False
    skips that for a caller's own private temporary folder. ``warn`` is given one line
    per warning (a run recorded as still running: the export may be incomplete; files a
    portable case could not copy), ``notify`` one line per fact worth telling (how many
    files a portable case holds), both once the export is in place.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose one of {', '.join(FORMATS)})")
    if case.readonly:
        raise ExportError(f"{case.path}: the case is open read-only; an export must be "
                          "recorded in its audit log")
    output = Path(output)
    started = time.monotonic()
    try:
        check_not_sqlite_sidecar(case, output)
        if check_place:
            check_outside_evidence(case, output)
        selection = make_selection(case, tagged_only, categories)
        running = case.runs_recorded_running()
        for line in running_run_warnings(case):
            if warn is not None:
                warn(line)
        files: dict[str, int] = {}
        with atomic_output(output, folder=fmt in FOLDER_FORMATS) as temporary:
            if fmt == "portable":
                items = write_portable(case, selection, temporary, examiner,
                                       files_summary=files)
            else:
                items = _WRITERS[fmt](case, selection, temporary, examiner)
        # Recorded once the output is in place under its name; an export the audit log
        # cannot record is taken away again, not left behind looking finished.
        try:
            case.audit("export", examiner, {
                "format": fmt, "output": recorded_as or str(output.absolute()),
                "tagged_only": tagged_only,
                "categories": list(categories or []), "items": items,
                **({"runs_running": [r["id"] for r in running]} if running else {}),
                **({"files": files} if files else {}),
                "seconds": round(time.monotonic() - started, 3),
            })
        except BaseException:
            withdraw(output)
            raise
    except CaseError as exc:
        raise ExportError(str(exc)) from None
    except sqlite3.Error as exc:
        raise ExportError(f"{case.path}: reading the case failed ({exc})") from None
    if fmt == "portable":
        line, copy_warnings = copy_messages(files)
        if notify is not None:
            notify(line)
        for warning in copy_warnings:
            if warn is not None:
                warn(warning)
    return output


__all__ = ["FORMATS", "FOLDER_FORMATS", "ExportError", "export"]

"""The desktop application (PySide6): start screen, case browser, ingest, review and export.

The UI reads the case through :mod:`triage.casedb` (paged queries, one connection per
thread) and runs scans and exports in worker threads so the window never blocks.
"""

from triage.ui.qt_workarounds import guard_none_refcount

# Must run before any widget code: see qt_workarounds for the PySide6 defect it offsets.
guard_none_refcount()

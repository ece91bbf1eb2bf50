"""Opening a case a second time in one process keeps the first connection's locks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from triage.casedb import CaseDatabase, CaseError

_OTHER_PROCESS = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("SELECT count(*) FROM case_info").fetchone()
connection.close()
"""


def test_a_second_open_in_the_process_keeps_the_log_files_of_the_first(tmp_path: Path) -> None:
    """Closing any other descriptor of the file drops this process's POSIX locks on it;
    another process closing the case then takes itself for the last one and deletes the
    write-ahead log under the first connection (found by a GUI audit: the GUI's case was
    reported malformed after an export from the command line)."""
    path = tmp_path / "case.triage"
    CaseDatabase.create(path, name="locks").close()
    first = CaseDatabase.open(path)
    try:
        first.audit("test.write", "examiner", {"n": 1})  # the log files now exist
        CaseDatabase.open(path).close()  # as an export from the GUI does
        subprocess.run([sys.executable, "-c", _OTHER_PROCESS, str(path)], check=True,
                       timeout=60)
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        first.audit("test.write", "examiner", {"n": 2})
        assert first.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        first.close()


def test_files_that_are_not_cases_are_named_as_such(tmp_path: Path) -> None:
    """Now that SQLite reads the header, the messages and the untouched file stay."""
    text = tmp_path / "notes.triage"
    text.write_text("not a database at all, just text long enough to fill a header" * 3)
    empty = tmp_path / "empty.triage"
    empty.write_bytes(b"")
    for path, reason in ((text, "not an SQLite database"), (empty, "empty")):
        with pytest.raises(CaseError, match=reason):
            CaseDatabase.open(path)
    assert not Path(f"{text}-wal").exists() and not Path(f"{text}-journal").exists()


def test_a_case_cut_short_is_called_damaged(tmp_path: Path) -> None:
    path = tmp_path / "good.triage"
    CaseDatabase.create(path, name="cut").close()
    cut = tmp_path / "cut.triage"
    cut.write_bytes(path.read_bytes()[:50])
    with pytest.raises(CaseError, match="damaged case file"):
        CaseDatabase.open(cut)

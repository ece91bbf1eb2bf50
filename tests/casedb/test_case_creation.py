"""A case creation that fails (a full disk) leaves nothing behind: neither the case file
nor its write-ahead log, nor the temporary file it was built in."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from triage.casedb import CaseDatabase, CaseError


def test_creation_fails_when_the_log_cannot_be_written_back(tmp_path, monkeypatch):
    real = CaseDatabase._connect

    class FullDisk:
        """A connection whose checkpoint cannot copy the log (what SQLite reports when
        the disk is full)."""

        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            if sql == "PRAGMA wal_checkpoint(TRUNCATE)":
                return self._conn.execute("SELECT 0, 7, 3")
            return self._conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._conn, name)

        def __enter__(self):
            return self._conn.__enter__()

        def __exit__(self, *exc):
            return self._conn.__exit__(*exc)

    monkeypatch.setattr(CaseDatabase, "_connect",
                        staticmethod(lambda path, readonly: FullDisk(real(path, readonly))))
    with pytest.raises(CaseError, match="cannot create the case"):
        CaseDatabase.create(tmp_path / "case.triage", name="x")
    assert list(tmp_path.iterdir()) == []


def test_creation_that_cannot_open_the_placed_case_removes_it(tmp_path, monkeypatch):
    def damaged(*args, **kwargs):
        raise CaseError("case.triage: not a readable triage case file (disk I/O error)")

    monkeypatch.setattr(CaseDatabase, "open", damaged)
    with pytest.raises(CaseError, match="disk I/O error"):
        CaseDatabase.create(tmp_path / "case.triage", name="x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None,
                    reason="mounting a small tmpfs needs root")
@pytest.mark.parametrize("size_kib", [250, 300, 350, 400])
def test_creation_on_a_full_disk(tmp_path, size_kib):
    """The bad-input audit's case: a 250 to 400 KiB file system fills during creation."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        try:
            CaseDatabase.create(mount / "case.triage", name="x").close()
        except CaseError:
            assert list(mount.iterdir()) == []
        else:
            with CaseDatabase.open(mount / "case.triage") as case:
                assert case.info()["name"] == "x"
    finally:
        subprocess.run(["umount", str(mount)], check=True)

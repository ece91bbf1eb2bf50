"""The detail pane shows a file's size and times exactly (the tables keep short forms)."""

from __future__ import annotations

from pathlib import Path

from tests.ui.case_builder import build_directory_case, open_workspace


def test_exact_size_and_time_formats() -> None:
    from triage.ui.formatting import format_size_exact, format_time_exact

    assert format_size_exact(2060) == "2,060 bytes (2.0 KiB)"
    assert format_size_exact(512) == "512 bytes"
    assert format_size_exact(1) == "1 byte"
    assert format_size_exact(0) == "0 bytes"
    assert format_size_exact(None) == ""
    assert format_size_exact(5 * 1024**3 + 1) == "5,368,709,121 bytes (5.0 GiB)"
    assert format_time_exact(1_700_000_000) == "2023-11-14 22:13:20.000000 UTC"
    assert format_time_exact(1_700_000_000.25) == "2023-11-14 22:13:20.250000 UTC"
    # A hair before the next second stays in its second.
    assert format_time_exact(1_700_000_000.9999998) == "2023-11-14 22:13:20.999999 UTC"
    assert format_time_exact(-0.5) == "1969-12-31 23:59:59.500000 UTC"
    assert format_time_exact(None) == ""
    assert format_time_exact(1e300) == "1e+300"
    # Self-audit: flooring the binary fraction showed one microsecond early what sqlite3
    # prints exactly (15 of the demo case's 173 times).
    assert format_time_exact(1795340998.768678) == "2026-11-22 09:49:58.768678 UTC"
    for micro in range(0, 1_000_000, 997):
        value = 1_600_000_000 + micro / 1_000_000
        assert format_time_exact(value).endswith(f".{micro:06d} UTC"), value


def test_detail_pane_shows_exact_size_and_times(qtbot, tmp_path: Path) -> None:
    """Found by an audit: the pane showed '2.0 KiB' for 2,060 bytes and times without
    their fraction or zone."""
    entry = {"evidence_id": 1, "volume_idx": 0, "path": "/report.doc", "parent": "/",
             "name": "report.doc", "kind": "file", "size": 2060, "deleted": False,
             "mtime": 1_700_000_000.25, "atime": 1_700_000_000.0,
             "ctime": 1_700_000_000.9999998, "crtime": 1_600_000_000.123456,
             "identity": "0:/report.doc"}
    path = build_directory_case(tmp_path / "exact.triage", "exact", [entry])
    for workspace in open_workspace(qtbot, path):
        file_id = workspace.case.find_file(1, 0, "/report.doc")["id"]
        workspace.detail.show_file(file_id)
        lines = workspace.detail.details.toPlainText().splitlines()
        shown = {lines[i]: lines[i + 1] for i in range(len(lines) - 1)}
        assert shown["Size"] == "2,060 bytes (2.0 KiB)"
        assert shown["Modified"] == "2023-11-14 22:13:20.250000 UTC"
        assert shown["Accessed"] == "2023-11-14 22:13:20.000000 UTC"
        assert shown["Changed"] == "2023-11-14 22:13:20.999999 UTC"
        assert shown["Created"] == "2020-09-13 12:26:40.123456 UTC"
        # The table keeps its short forms.
        row = workspace.file_model.row_of_id(file_id)
        assert row < 0 or workspace.file_model.display(
            workspace.file_model.row_data(row), workspace.file_model.columns()[1]) == "2.0 KiB"

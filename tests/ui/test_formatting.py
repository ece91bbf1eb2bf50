"""Display strings of case values."""

from __future__ import annotations

from triage.ui.formatting import format_time


def test_times_show_whole_seconds_floored_as_fls_does() -> None:
    # 22:13:20.9999996 would round to the microsecond, then show as 22:13:21.
    assert format_time(1_700_000_000.9999996) == "2023-11-14 22:13:20"
    assert format_time(1_700_000_000) == "2023-11-14 22:13:20"
    assert format_time(-0.5) == "1969-12-31 23:59:59"
    assert format_time(None) == ""

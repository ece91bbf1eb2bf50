"""Hex view, map view and the hash-verified file export helpers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, Qt

from triage.ui.content_loader import load, request_for_artefact
from triage.ui.evidence_reader import EvidenceReader
from triage.ui.file_export import safe_relative_path
from triage.ui.hex_view import HexView, hex_line
from triage.ui.map_view import (
    MapPoint,
    MapView,
    load_outlines,
    project,
    unwrap_ring,
    valid_coordinates,
)


def test_hex_line_matches_an_independent_dump() -> None:
    data = bytes(range(0x1E, 0x40))
    offset, hex_part, text = hex_line(data, 16, 0x1000)
    assert offset == f"{0x1010:010x}"
    assert hex_part == data[16:32].hex(" ")
    assert text == "".join(chr(b) if 32 <= b < 127 else "." for b in data[16:32])


def test_hex_view_scrolls_to_the_highlighted_hit(qtbot) -> None:
    view = HexView()
    qtbot.addWidget(view)
    view.resize(600, 200)
    view.set_data(bytes(64 * 1024), base_offset=4096, highlight=(4096 + 40000, 16))
    assert view.line_count() == 4096
    assert view.first_visible_line() == 40000 // 16 - 2


def test_unwrap_keeps_antimeridian_rings_contiguous() -> None:
    ring = [179.0, 10.0, -179.0, 10.0, -179.0, 11.0, 179.0, 11.0]
    points = unwrap_ring(ring)
    assert [p.x() for p in points] == [179.0, 181.0, 181.0, 179.0]


def test_outlines_stay_inside_the_world() -> None:
    outline = load_outlines()
    bounds = outline.boundingRect()
    assert outline.elementCount() > 5000
    assert bounds.left() >= -180.01 and bounds.right() <= 180.01
    assert bounds.top() >= -90.01 and bounds.bottom() <= 90.01
    # Paris is on land, the middle of the Atlantic is not.
    assert outline.contains(project(48.85, 2.35))
    assert not outline.contains(project(30.0, -40.0))


def test_coordinate_validation() -> None:
    assert valid_coordinates("48.8", 2.3)
    for lat, lon in ((91, 0), (0, -181), (None, 0), ("x", 1), (float("nan"), 0)):
        assert not valid_coordinates(lat, lon)


def test_clicking_a_marker_selects_its_artefact(qtbot) -> None:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(800, 450)
    view.show()
    placed = view.set_points([MapPoint(7, 48.85, 2.29), MapPoint(9, -33.86, 151.21),
                              MapPoint(11, 123.0, 0.0)])
    assert placed == 2
    view.reset_zoom()
    position = view.marker_view_position(9)
    with qtbot.waitSignal(view.artefact_clicked) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    assert blocker.args == [9]
    scene_pos = view.markers[7].scenePos()
    assert scene_pos == QPointF(2.29, -48.85)


def test_safe_relative_path_cannot_escape() -> None:
    path = safe_relative_path("img.E01", "vol2", "/../../etc/pass wd")
    assert ".." not in path.parts and not path.is_absolute()
    assert path.parts[-1] == "pass wd"
    assert str(safe_relative_path("", "..", "/")) == "unnamed"


def test_corrupt_map_file_gives_an_empty_outline(tmp_path) -> None:
    bad = tmp_path / "world.json"
    bad.write_bytes(b"\xff\x00{not json")
    assert load_outlines(bad).isEmpty()
    bad.write_text('{"countries": [{"rings": [[1, 2], "x", [1, 2, 3, 4, 5, 6]]}]}')
    assert load_outlines(bad).elementCount() > 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-180, 180), min_size=2, max_size=40))
def test_unwrapped_rings_never_jump_half_the_world(longitudes) -> None:
    ring = [value for lon in longitudes for value in (lon, 0.0)]
    xs = [p.x() for p in unwrap_ring(ring)]
    assert all(abs(b - a) <= 180 for a, b in zip(xs, xs[1:], strict=False))


def test_viewer_reports_unreadable_evidence(tmp_path) -> None:
    artefact = {"evidence_path": str(tmp_path / "gone.E01"), "volume_idx": 0,
                "path": "/a.jpg", "inode": "5", "offset": 100, "unallocated": False}
    result = load(EvidenceReader(), request_for_artefact(artefact))
    assert result.data == b"" and "cannot open the evidence" in result.message
    unallocated = dict(artefact, unallocated=True, offset=10_000)
    request = request_for_artefact(unallocated)
    assert request.path is None and request.highlight == (10_000, 16)


def test_none_refcount_guard_is_active_when_pyside_leaks() -> None:
    import sys

    from triage.ui.qt_workarounds import guard_none_refcount, void_calls_leak_none

    if sys.version_info >= (3, 12) or not void_calls_leak_none():
        pytest.skip("this PySide6/Python pair does not leak references to None")
    assert guard_none_refcount()
    assert sys.getrefcount(None) > 1 << 39

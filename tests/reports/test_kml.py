"""KML export: valid KML 2.2 with lon,lat[,alt] coordinates; hostile strings escaped."""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reports.case_builder import HOSTILE_CDATA, PHOTO_COORDINATES, build_case
from triage.casedb import CaseDatabase
from triage.reports import export
from triage.reports.kml import KML_NAMESPACE, coordinates, kml_time, placemark

NS = {"k": KML_NAMESPACE}


def _placemarks(path: Path) -> list[ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{KML_NAMESPACE}}}kml"
    return root.findall("k:Document/k:Placemark", NS)


def test_a_placemark_per_photo_with_coordinates(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        export(case, "kml", tmp_path / "out.kml")
    marks = _placemarks(tmp_path / "out.kml")
    found = {}
    for mark in marks:
        path = next(d.findtext("k:value", namespaces=NS)
                    for d in mark.findall("k:ExtendedData/k:Data", NS) if d.get("name") == "path")
        found[path] = [float(v) for v in mark.findtext("k:Point/k:coordinates", namespaces=NS)
                       .split(",")]
    assert set(found) == set(PHOTO_COORDINATES)  # the out-of-range photo is left out
    for path, (lat, lon, alt) in PHOTO_COORDINATES.items():
        expected = [lon, lat] + ([alt] if alt is not None else [])
        assert found[path] == expected
    names = [m.findtext("k:name", namespaces=NS) for m in marks]
    assert sorted(names) == ["liberty.jpg", "script>.jpg"]  # '/' in '</script>' ends the dir
    stamps = {m.findtext("k:TimeStamp/k:when", namespaces=NS) for m in marks}
    # The builder's photos record no time zone: only the date is a KML moment.
    assert stamps == {"2008-05-30"}
    description = marks[0].findtext("k:description", namespaces=NS)
    # Readers render a description as HTML: its only markup is the tool's own <br>, and
    # the evidence text (a path holding <script>, quotes, ]]>) comes back as text.
    assert re.findall(r"<[^>]*>", description) == ["<br>"] * 4
    assert "<script>" in built_evidence_path(marks[0])
    shown = html.unescape(description.replace("<br>", ""))
    assert 'Canon "&' in shown and f"EOS {HOSTILE_CDATA}" in shown
    assert f"Evidence: {built_evidence_path(marks[0])}" in shown
    assert "Taken: 2008:05:30 15:56:01 (time zone not recorded" in shown


def built_evidence_path(mark: ET.Element) -> str:
    return next(d.findtext("k:value", namespaces=NS)
                for d in mark.findall("k:ExtendedData/k:Data", NS) if d.get("name") == "evidence")


def test_carriage_returns_survive_and_bidi_controls_are_shown() -> None:
    item = {"id": 1, "type": "media.exif", "path": "/cr\rname\u202egpj.exe",
            "attributes": {"make": "<img src=x onerror=alert(1)>"}}
    mark = ET.fromstring(f'<kml xmlns="{KML_NAMESPACE}">{placemark(item, (1.0, 2.0, None))}</kml>')
    # The name is shown on one line, so its line break is named; the data keeps it.
    assert mark.findtext("k:Placemark/k:name", namespaces=NS) == "cr<U+000D>name<U+202E>gpj.exe"
    path = mark.find("k:Placemark/k:ExtendedData/k:Data[@name='path']/k:value", NS)
    assert path is not None and path.text == "/cr\rname<U+202E>gpj.exe"
    description = mark.findtext("k:Placemark/k:description", namespaces=NS)
    assert "<img" not in description and "&lt;img src=x" in description


def test_tagged_only(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        export(case, "kml", tmp_path / "out.kml", tagged_only=True)
    marks = _placemarks(tmp_path / "out.kml")
    assert [m.findtext("k:name", namespaces=NS) for m in marks] == ["liberty.jpg"]


def test_coordinate_validation() -> None:
    assert coordinates({"gps_latitude": 91, "gps_longitude": 0}) is None
    assert coordinates({"gps_latitude": "nan", "gps_longitude": 0}) is None
    assert coordinates({"gps_latitude": True, "gps_longitude": 0}) is None
    assert coordinates({"gps_latitude": "-12.5", "gps_longitude": 180}) == (-12.5, 180.0, None)
    assert kml_time("2008:05:30 15:56:01+02:00") == "2008-05-30T15:56:01+02:00"
    assert kml_time("2008:05:30 15:56:01") == "2008-05-30"  # no zone: not passed off as UTC
    assert kml_time("not a date") is None


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30), lat=st.floats(-90, 90), lon=st.floats(-180, 180))
def test_any_strings_make_a_parseable_placemark(text: str, lat: float, lon: float) -> None:
    item = {"id": 1, "type": "media.exif", "path": "/p/" + text, "evidence_path": text,
            "deleted": False, "unallocated": False,
            "attributes": {"make": text, "model": text, "datetime_original": text}}
    element = ET.fromstring(
        f'<kml xmlns="{KML_NAMESPACE}">{placemark(item, (lat, lon, None))}</kml>')
    values = element.findtext("k:Placemark/k:Point/k:coordinates", namespaces=NS).split(",")
    assert math.isclose(float(values[0]), lon, abs_tol=1e-8)
    assert math.isclose(float(values[1]), lat, abs_tol=1e-8)


@pytest.mark.parametrize(("attributes", "when", "shown"), [
    ({"datetime_original": "2008:05:30 15:56:01", "utc_offset_original": "+02:00",
      "datetime_original_utc": "2008-05-30T13:56:01Z"},
     "2008-05-30T13:56:01Z", "Taken: 2008:05:30 15:56:01 (2008-05-30T13:56:01Z)"),
    ({"datetime_original": "2008:05:30 15:56:01", "utc_offset_original": "-0530"},
     "2008-05-30T15:56:01-05:30", "Taken: 2008:05:30 15:56:01 (2008-05-30T15:56:01-05:30)"),
    ({"datetime_original": "2008:05:30 15:56:01"},
     "2008-05-30", "Taken: 2008:05:30 15:56:01 (time zone not recorded"),
])
def test_a_photo_time_is_given_in_utc_or_with_its_offset(attributes, when, shown) -> None:
    item = {"id": 7, "type": "media.exif", "path": "/p.jpg", "attributes": attributes}
    mark = ET.fromstring(f'<kml xmlns="{KML_NAMESPACE}">{placemark(item, (1.0, 2.0, None))}</kml>')
    assert mark.findtext("k:Placemark/k:TimeStamp/k:when", namespaces=NS) == when
    description = html.unescape(mark.findtext("k:Placemark/k:description", namespaces=NS))
    assert shown in description

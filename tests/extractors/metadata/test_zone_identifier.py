"""Download origins from Windows' Zone.Identifier streams, checked against Python's own INI
reader on the stream the test image was built from."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.extractors.metadata.zone_identifier import parse_zone_identifier

IMAGES = Path(__file__).parents[2] / "data" / "images"
STREAM = IMAGES / "staging" / "ntfs" / "Users" / "alice" / "Downloads" / "setup.exe__ads__Zone.Identifier"


def _oracle() -> dict[str, str]:
    ini = configparser.ConfigParser()
    ini.read_string(STREAM.read_text())
    return dict(ini["ZoneTransfer"])


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_zone_identifier_of_the_test_image(tmp_path: Path, profile: str) -> None:
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path, name="zone").close()
    IngestEngine(case_path, IngestOptions(profile=profile, unallocated=False)).run(
        [str(IMAGES / "ntfs.raw")])
    with CaseDatabase.open(case_path) as case:
        (origin,) = [a for a in case.iter_artefacts() if a["type"] == "file.download_origin"]
    expected = _oracle()
    assert origin["path"] == "/Users/alice/Downloads/setup.exe:Zone.Identifier"
    attributes = origin["attributes"]
    assert attributes["host_url"] == expected["hosturl"]
    assert attributes["referrer_url"] == expected["referrerurl"]
    assert (attributes["zone_id"], attributes["zone"]) == (int(expected["zoneid"]), "internet")


def test_utf16_and_windows_store_apps() -> None:
    text = ("[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=http://example.onion/\r\n"
            "HostUrl=http://example.onion/wallet.zip\r\n"
            "LastWriterPackageFamilyName=Microsoft.MicrosoftEdge_8wekyb3d8bbwe\r\n")
    origin = parse_zone_identifier(b"\xff\xfe" + text.encode("utf-16-le"))
    assert origin == {"zone_id": 3, "zone": "internet", "referrer_url": "http://example.onion/",
                      "host_url": "http://example.onion/wallet.zip",
                      "app_package": "Microsoft.MicrosoftEdge_8wekyb3d8bbwe"}
    assert parse_zone_identifier(b"[Other]\nZoneId=3\n") is None
    assert parse_zone_identifier(b"[ZoneTransfer]\nZoneId=x3\n")["zone"] is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_never_raises(data: bytes) -> None:
    result = parse_zone_identifier(b"[ZoneTransfer]\n" + data)
    assert result is None or isinstance(result, dict)

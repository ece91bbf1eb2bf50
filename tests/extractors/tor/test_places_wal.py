"""places.sqlite as Firefox keeps it: in WAL mode, the newest history only in the -wal."""

from __future__ import annotations

import pytest

from tests.extractor_harness import run_extractor
from tests.wal_pairs import write_wal_pair
from triage.extractors.tor import TorExtractor

OLD = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"
NEW = "2h4bbc2cgtue6v4eb7ukxorri4y46xlcwvcnf6sj733egxofubqqkuyd"
SCHEMA = (
    "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,"
    " visit_count INTEGER DEFAULT 0, last_visit_date INTEGER)",
    "CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER,"
    " title LONGVARCHAR, dateAdded INTEGER)",
    f"INSERT INTO moz_places VALUES (1, 'http://{OLD}.onion/', 'Old page', 3, 1551596676821000)",
)
IN_LOG = (
    f"INSERT INTO moz_places VALUES (2, 'http://{NEW}.onion/market/login', 'Market login', 2,"
    " 1559841000000000)",
)
PROFILE = "Tor Browser/Browser/TorBrowser/Data/Browser/profile.default"


def _places(result) -> dict[str, dict]:
    return {f.attributes["url"]: f.attributes for f in result.of_type("tor.onion_address")
            if f.attributes["source"] == "places"}


def test_history_in_the_write_ahead_log_is_read(tmp_path) -> None:
    write_wal_pair(tmp_path / PROFILE / "places.sqlite", SCHEMA, IN_LOG)
    assert (tmp_path / PROFILE / "places.sqlite").read_bytes()[18:20] == b"\x02\x02"
    result = run_extractor(TorExtractor(), tmp_path)
    rows = _places(result)
    assert rows[f"http://{OLD}.onion/"]["title"] == "Old page"
    assert rows[f"http://{OLD}.onion/"]["last_visit"] == "2019-03-03T07:04:36Z"
    login = rows[f"http://{NEW}.onion/market/login"]
    assert (login["title"], login["visit_count"], login["last_visit"]) == (
        "Market login", 2, "2019-06-06T17:10:00Z")
    assert not [w for w in result.warnings if "places" in w[0] or "write-ahead" in w[0]]


def test_a_wal_mode_places_without_its_log_is_still_read(tmp_path) -> None:
    places = tmp_path / PROFILE / "places.sqlite"
    write_wal_pair(places, SCHEMA, IN_LOG)
    (tmp_path / PROFILE / "places.sqlite-wal").unlink()
    result = run_extractor(TorExtractor(), tmp_path)
    assert list(_places(result)) == [f"http://{OLD}.onion/"]
    assert not [w for w in result.warnings if "places" in w[0]]


def test_a_damaged_log_is_reported_and_the_main_file_read(tmp_path) -> None:
    places = tmp_path / PROFILE / "places.sqlite"
    write_wal_pair(places, SCHEMA, IN_LOG)
    wal = tmp_path / PROFILE / "places.sqlite-wal"
    wal.write_bytes(wal.read_bytes()[:20] + b"\xff" * 12 + wal.read_bytes()[32:])
    result = run_extractor(TorExtractor(), tmp_path)
    assert list(_places(result)) == [f"http://{OLD}.onion/"]
    assert any("write-ahead log ignored" in message and path.endswith("places.sqlite-wal")
               for message, path in result.warnings)


@pytest.mark.parametrize("header", [b"\x01\x02", b"\x02\x01"])
def test_a_header_saying_wal_in_one_byte_still_reads_the_log(tmp_path, header) -> None:
    """SQLite switches to WAL mode when either version byte is 2 (self-audit)."""
    places = tmp_path / PROFILE / "places.sqlite"
    write_wal_pair(places, SCHEMA, IN_LOG)
    data = bytearray(places.read_bytes())
    data[18:20] = header
    places.write_bytes(bytes(data))
    rows = _places(run_extractor(TorExtractor(), tmp_path))
    assert rows[f"http://{NEW}.onion/market/login"]["title"] == "Market login"

"""Every visit of an onion page that moz_historyvisits holds, the first visit and when it
was bookmarked, checked against sqlite3's own reading of the same database."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime

import pytest

from tests.extractor_harness import run_extractor
from triage.extractors.tor import TorExtractor
from triage.extractors.tor.places import MAX_VISIT_TIMES, read_onion_places

A = "2h4bbc2cgtue6v4eb7ukxorri4y46xlcwvcnf6sj733egxofubqqkuyd"
B = "c7jldhjhuzfa6m62qx3wlhw5mphycb6isdheh3yyhpqr76zjidmfn5ad"


def _iso(prtime: int) -> str:
    return datetime.fromtimestamp(prtime // 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _build(path, visits_of_a: int) -> None:
    generator = random.Random(5)
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
            visit_count INTEGER, last_visit_date INTEGER);
        CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER,
            place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER);
        CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER,
            parent INTEGER, title LONGVARCHAR, dateAdded INTEGER);
        INSERT INTO moz_places VALUES (1, 'http://{A}.onion/upload', 'Upload', 0, NULL);
        INSERT INTO moz_places VALUES (2, 'http://{B}.onion/', 'Blog', 0, NULL);
        INSERT INTO moz_places VALUES (3, 'https://example.org/', 'Clear web', 1, NULL);
        INSERT INTO moz_bookmarks VALUES (1, 1, 2, 3, 'later', 1560000000000000);
        INSERT INTO moz_bookmarks VALUES (2, 1, 2, 3, 'earlier', 1550000000123456);
    """)
    # Visits stored out of order, as ids of several sessions interleave.
    times = [1551000000000000 + generator.randrange(10**13) for _ in range(visits_of_a)]
    for when in generator.sample(times, len(times)):
        conn.execute("INSERT INTO moz_historyvisits (place_id, visit_date, visit_type)"
                     " VALUES (1, ?, 1)", (when,))
    conn.execute("INSERT INTO moz_historyvisits (place_id, visit_date) VALUES (3, 1)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("visits", [3, MAX_VISIT_TIMES + 20])
def test_visits_first_visit_and_bookmark_date(tmp_path, visits: int) -> None:
    path = tmp_path / "places.sqlite"
    _build(path, visits)
    oracle = sqlite3.connect(path)
    dates = [row[0] for row in oracle.execute(
        "SELECT visit_date FROM moz_historyvisits WHERE place_id = 1 ORDER BY visit_date")]
    (added,) = oracle.execute("SELECT min(dateAdded) FROM moz_bookmarks WHERE fk = 2").fetchone()
    oracle.close()
    rows = {row["url"]: row for row in read_onion_places(path.read_bytes()).rows}
    upload, blog = rows[f"http://{A}.onion/upload"], rows[f"http://{B}.onion/"]
    assert upload["first_visit"] == _iso(dates[0])
    assert upload["visit_times"] == [_iso(d) for d in dates][-MAX_VISIT_TIMES:]
    assert upload["bookmark_added"] is None
    assert (blog["first_visit"], blog["visit_times"]) == (None, [])
    assert blog["bookmark_added"] == _iso(added) == "2019-02-12T19:33:20Z"
    findings = {f.attributes["url"]: f.attributes for f in
                run_extractor(TorExtractor(), tmp_path).of_type("tor.onion_address")
                if f.attributes["source"] == "places"}
    assert findings[f"http://{A}.onion/upload"]["visit_times"] == upload["visit_times"]
    assert findings[f"http://{B}.onion/"]["bookmark_added"] == blog["bookmark_added"]


def test_places_without_a_visits_table(tmp_path) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR,"
                 " title LONGVARCHAR, visit_count INTEGER, last_visit_date INTEGER)")
    conn.execute(f"INSERT INTO moz_places VALUES (1, 'http://{A}.onion/', NULL, 2, NULL)")
    conn.commit()
    conn.close()
    (row,) = read_onion_places(path.read_bytes()).rows
    assert (row["first_visit"], row["visit_times"], row["bookmark_added"]) == (None, [], None)

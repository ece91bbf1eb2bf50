"""Bookmarks of places.sqlite: NULL titles (Firefox's empty title) and pages bookmarked twice."""

from __future__ import annotations

import sqlite3

from tests.extractor_harness import run_extractor
from triage.extractors.tor import TorExtractor
from triage.extractors.tor.places import read_onion_places

A = "2h4bbc2cgtue6v4eb7ukxorri4y46xlcwvcnf6sj733egxofubqqkuyd"
B = "c7jldhjhuzfa6m62qx3wlhw5mphycb6isdheh3yyhpqr76zjidmfn5ad"
C = "zzaein3xvww5foinnfamhcongew5fkgmnowbldlving7voio7hidp4qd"


def _places(path) -> bytes:
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
            visit_count INTEGER, last_visit_date INTEGER);
        CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER,
            parent INTEGER, title LONGVARCHAR, dateAdded INTEGER);
        INSERT INTO moz_places VALUES (1, 'http://{A}.onion/upload', 'Upload', 3, NULL);
        INSERT INTO moz_places VALUES (2, 'http://{B}.onion/', 'World Blog', 1, NULL);
        INSERT INTO moz_places VALUES (3, 'http://{C}.onion/', NULL, 0, NULL);
        -- bookmarked twice, the later-sorting title stored first
        INSERT INTO moz_bookmarks VALUES (1, 1, 2, 3, 'World B', 1551777629169000);
        INSERT INTO moz_bookmarks VALUES (2, 1, 2, 5, 'World A', 1551777629169000);
        INSERT INTO moz_bookmarks VALUES (3, 1, 2, 6, 'World A', 1551777629169000);
        -- bookmarked with an empty title, which Firefox stores as NULL
        INSERT INTO moz_bookmarks VALUES (4, 1, 3, 3, NULL, 1551596657043000);
    """)
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_bookmarked_is_true_whatever_the_title_and_one_row_per_page(tmp_path) -> None:
    rows = {row["url"]: row for row in read_onion_places(_places(tmp_path / "p.sqlite")).rows}
    assert len(rows) == 3
    assert (rows[f"http://{A}.onion/upload"]["bookmarked"],
            rows[f"http://{A}.onion/upload"]["bookmark_titles"]) == (False, [])
    assert (rows[f"http://{B}.onion/"]["bookmarked"],
            rows[f"http://{B}.onion/"]["bookmark_titles"]) == (True, ["World A", "World B"])
    assert (rows[f"http://{C}.onion/"]["bookmarked"],
            rows[f"http://{C}.onion/"]["bookmark_titles"]) == (True, [])


def test_findings_carry_every_bookmark_title(tmp_path) -> None:
    _places(tmp_path / "places.sqlite")
    findings = [f for f in run_extractor(TorExtractor(), tmp_path).of_type("tor.onion_address")
                if f.attributes["source"] == "places"]
    by_url = {f.attributes["url"]: f.attributes for f in findings}
    assert len(findings) == len(by_url) == 3
    assert by_url[f"http://{B}.onion/"]["bookmark_titles"] == ["World A", "World B"]
    assert by_url[f"http://{C}.onion/"]["bookmarked"] is True

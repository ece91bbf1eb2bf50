"""Onion pages of Firefox's session store and bookmark backups come with their titles,
tab times and bookmark dates, not as bare host names."""

from __future__ import annotations

import json
import shutil
import struct
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractor_harness import run_extractor
from tests.extractors.tor.conftest import TOR_BROWSER, corpus_path
from triage.extractors.tor import TorExtractor
from triage.extractors.tor.mozilla_json import bookmark_pages, session_pages

A = "2h4bbc2cgtue6v4eb7ukxorri4y46xlcwvcnf6sj733egxofubqqkuyd"
B = "c7jldhjhuzfa6m62qx3wlhw5mphycb6isdheh3yyhpqr76zjidmfn5ad"
C = "zzaein3xvww5foinnfamhcongew5fkgmnowbldlving7voio7hidp4qd"
PROFILE = Path("Browser/TorBrowser/Data/Browser/profile.default")


def _mozlz4(payload: bytes) -> bytes:
    """mozLz40 holding one LZ4 block of literals only (valid by the LZ4 block format)."""
    length = len(payload)
    token = bytes([min(length, 15) << 4])
    extra = b""
    if length >= 15:
        rest = length - 15
        extra = b"\xff" * (rest // 255) + bytes([rest % 255])
    return b"mozLz40\x00" + struct.pack("<I", length) + token + extra + payload


def _iso(milliseconds: int) -> str:
    return datetime.fromtimestamp(milliseconds // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _places_of(findings, source):
    return {f.attributes["url"]: f.attributes for f in findings.of_type("tor.onion_address")
            if f.attributes["source"] == source}


def test_session_store_tabs_open_and_closed(tmp_path) -> None:
    session = {
        "version": ["sessionrestore", 1],
        "windows": [{
            "tabs": [{"entries": [{"url": f"http://{A}.onion/upload", "title": "Upload"},
                                  {"url": f"http://{A}.onion/done", "title": "Done"}],
                      "index": 2, "lastAccessed": 1559841000000}],
            "_closedTabs": [{"state": {"entries": [{"url": f"http://{B}.onion/", "title": "Blog"}],
                                       "index": 1, "lastAccessed": 1559800000000},
                             "closedAt": 1559840000000}],
        }],
        "_closedWindows": [{"closedAt": 1559700000000, "tabs": [{"entries": [
            {"url": f"http://{C}.onion/", "title": "Egames"}], "index": 1}]}],
        "session": {"lastUpdate": 1559841391000},
        "formdata": f"typed {B}.onion elsewhere",
    }
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "recovery.jsonlz4").write_bytes(_mozlz4(json.dumps(session).encode()))
    pages = _places_of(run_extractor(TorExtractor(), tmp_path), "session")
    assert set(pages) == {f"http://{A}.onion/upload", f"http://{A}.onion/done",
                          f"http://{B}.onion/", f"http://{C}.onion/"}
    done, upload = pages[f"http://{A}.onion/done"], pages[f"http://{A}.onion/upload"]
    assert (done["title"], done["tab_current"], upload["tab_current"]) == ("Done", True, False)
    assert done["tab_last_accessed"] == _iso(1559841000000) and done["tab_closed_at"] is None
    assert pages[f"http://{B}.onion/"]["tab_closed_at"] == _iso(1559840000000)
    assert pages[f"http://{C}.onion/"]["tab_closed_at"] == _iso(1559700000000)


def test_corpus_bookmark_backups_give_titles_and_dates(tmp_path) -> None:
    backups = corpus_path(TOR_BROWSER / PROFILE / "bookmarkbackups")
    shutil.copytree(backups, tmp_path / "bookmarkbackups")
    pages = _places_of(run_extractor(TorExtractor(), tmp_path), "bookmark backup")
    egames = pages[f"http://{C}.onion/"]
    assert egames["bookmark_titles"] == ["Egames"]
    assert egames["bookmark_added"] == "2019-03-03T07:04:17Z"  # dateAdded 1551596657043000
    upload = pages[f"http://{A}.onion/"]
    assert (upload["bookmark_titles"], upload["bookmark_modified"]) == (
        ["Test_upload"], "2019-03-03T07:05:03Z")


def test_session_that_is_not_json_still_gives_its_addresses(tmp_path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "sessionstore.jsonlz4").write_bytes(_mozlz4(f"{{cut http://{A}.onion/".encode()))
    result = run_extractor(TorExtractor(), tmp_path)
    # (Literal-only LZ4 leaves the text readable in the file too: its own "text" hit.)
    assert [f.attributes["address"] for f in result.of_type("tor.onion_address")
            if f.attributes["source"] == "session"] == [f"{A}.onion"]
    assert any("not JSON after decompression" in message for message, _ in result.warnings)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["uri", "url", "entries", "tabs", "children", f"http://{A}.onion/"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["windows", "_closedWindows", "tabs", "_closedTabs", "state", "entries",
                         "url", "uri", "title", "index", "lastAccessed", "closedAt",
                         "children", "dateAdded", "lastModified"]), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_walks_never_raise_on_any_json(document) -> None:
    for page in [*session_pages(document), *bookmark_pages(document)]:
        assert isinstance(page.url, str)

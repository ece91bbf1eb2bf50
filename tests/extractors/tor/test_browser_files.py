"""mozLz4, prefs.js, places.sqlite, client-auth and prefetch readers."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

import pytest

from tests.extractors.tor.conftest import DATA, TOR_BROWSER, corpus_path
from triage.extractors.tor.browser import profile_usage
from triage.extractors.tor.client_auth import parse_auth_private
from triage.extractors.tor.mozlz4 import LZ4Error, lz4_block_decompress, read_mozlz4
from triage.extractors.tor.places import read_onion_places
from triage.extractors.tor.prefetch import parse_prefetch, parse_uncompressed
from triage.extractors.tor.prefs import parse_prefs

PROFILE = TOR_BROWSER / "Browser" / "TorBrowser" / "Data" / "Browser" / "profile.default"


def test_corpus_bookmark_backups_decompress_to_json():
    backups = sorted(corpus_path(PROFILE / "bookmarkbackups").glob("*.jsonlz4"))
    assert backups
    for path in backups:
        data = path.read_bytes()
        text = read_mozlz4(data)
        assert len(text) == int.from_bytes(data[8:12], "little")
        assert json.loads(text)["root"] == "placesRoot"


def test_sessionstore_made_by_reference_lz4(expected):
    text = read_mozlz4((DATA / "profile" / "sessionstore.jsonlz4").read_bytes())
    assert hashlib.sha256(text).hexdigest() == expected["session_json_sha256"]


def test_lz4_cli_roundtrip_of_repetitive_data():
    if shutil.which("lz4") is None:
        pytest.skip("lz4 CLI absent")
    original = (b"abc" * 5000) + bytes(range(256)) * 40 + b"z" * 70000
    frame = subprocess.run(["lz4", "-c", "-9", "--no-frame-crc", "-BD"], input=original,
                           capture_output=True, check=True).stdout
    pos = 4 + 2 + (8 if frame[4] & 0x08 else 0) + 1
    size = int.from_bytes(frame[pos : pos + 4], "little")
    assert not size & 0x80000000
    assert lz4_block_decompress(frame[pos + 4 : pos + 4 + size]) == original[: 4 * 1024 * 1024]


def test_lz4_rejects_bad_offsets_and_caps_output():
    with pytest.raises(LZ4Error):
        lz4_block_decompress(b"\x0f\x01\x00")  # match before any literal
    with pytest.raises(LZ4Error):
        lz4_block_decompress(b"\x1fA\x01\x00\xff\xff\xff\xff", max_output=100)
    with pytest.raises(LZ4Error):
        read_mozlz4(b"mozLz40\x00\xff\xff\xff\xff")
    with pytest.raises(LZ4Error):
        read_mozlz4(b"not mozlz4 at all")


def test_prefs_js_of_the_used_tor_browser():
    path = corpus_path(PROFILE / "prefs.js")
    raw = path.read_bytes()
    prefs = parse_prefs(raw)
    assert len(prefs.prefs) == len(re.findall(rb"^user_pref\(", raw, re.M)) == 131
    assert prefs.torbrowser_version == "8.5.1"
    assert prefs.security_slider == 1
    assert prefs.prefs["browser.startup.homepage"] == "https://3g2upl4pq6kufc4m.onion/"
    assert prefs.bridges() == [] and prefs.bridges_enabled() is None


def test_prefs_bridges_new_style():
    raw = (b'user_pref("torbrowser.settings.bridges.enabled", true);\n'
           b'user_pref("torbrowser.settings.bridges.builtin_type", "snowflake");\n'
           b'user_pref("torbrowser.settings.bridges.bridge_strings.0", "snowflake 192.0.2.3:80 2B28");\n'
           b'user_pref("browser.security_level.security_slider", 2);\n')
    prefs = parse_prefs(raw)
    assert prefs.bridges_enabled() is True and prefs.bridge_type() == "snowflake"
    assert prefs.bridges() == ["snowflake 192.0.2.3:80 2B28"] and prefs.security_slider == 2


def test_places_sample(expected):
    rows = read_onion_places((DATA / "profile" / "places.sqlite").read_bytes()).rows
    assert len(rows) == 1
    assert rows[0]["url"] == f"http://{expected['notes']['valid_v3']}/login"
    assert rows[0]["last_visit"] == expected["places_last_visit"]
    assert rows[0]["bookmarked"] is True and rows[0]["visit_count"] == 5


def test_places_corrupt_gives_warning():
    data = (DATA / "profile" / "places.sqlite").read_bytes()
    assert read_onion_places(data[:100]).warnings
    assert read_onion_places(b"junk").warnings


def test_auth_private(expected):
    path = DATA / "laptop/Users/bob/AppData/Roaming/tor/onion-auth/market.auth_private"
    parsed = parse_auth_private(path.read_bytes())
    (entry,) = parsed.entries
    assert entry.address == expected["notes"]["valid_v3"] and entry.checksum_valid
    assert entry.key_type == "x25519" and "<key>" in entry.line
    assert parse_auth_private(b"garbage line\n").warnings


@pytest.mark.parametrize("name", ["TOR.EXE-1A2B3C4D.pf", "FIREFOX.EXE-5E6F7081.pf"])
def test_prefetch_samples(name, expected):
    data = (DATA / "laptop" / "Windows" / "Prefetch" / name).read_bytes()
    want = expected["prefetch"][name]
    for info in (parse_prefetch(data), parse_uncompressed(data)):
        assert info.warnings == []
        assert info.format_version == want["version"]
        assert info.run_count == want["run_count"]
        assert info.last_run_times[0] == want["last_run"]
        assert info.prefetch_hash == want["hash"]
        assert info.executable == name.split("-")[0]
        assert info.tor_browser_paths()


def test_prefetch_read_by_libscca_when_installed():
    pytest.importorskip("pyscca")
    data = (DATA / "laptop" / "Windows" / "Prefetch" / "FIREFOX.EXE-5E6F7081.pf").read_bytes()
    info = parse_prefetch(data)
    assert info.parser == "libscca"
    assert info.volumes[0]["serial_number"] == "1234ABCD"
    assert info.last_run_times == ["2019-06-06T17:10:00Z", "2019-06-05T09:00:00Z"]


def test_prefetch_truncated_and_compressed():
    data = (DATA / "laptop" / "Windows" / "Prefetch" / "TOR.EXE-1A2B3C4D.pf").read_bytes()
    assert parse_prefetch(data[:150]).warnings
    assert parse_uncompressed(data[:150]).warnings
    assert parse_prefetch(b"MAM\x04" + b"\x00" * 40).warnings


@pytest.mark.parametrize(("created", "count", "expected_created", "expected_count"), [
    ("1551458513", "34", "2019-03-01T16:41:53Z", 34),
    ('"1551458513"', "true", None, None),  # a string and a bool are not what Firefox writes
    ("99999999999999999999", "-1", None, -1),  # past any date: no time, no exception
    ("0", "0", None, 0),
])
def test_profile_usage_from_prefs(created, count, expected_created, expected_count):
    raw = (f'user_pref("browser.laterrun.bookkeeping.profileCreationTime", {created});\n'
           f'user_pref("browser.laterrun.bookkeeping.sessionCount", {count});\n').encode()
    usage = profile_usage(parse_prefs(raw).prefs)
    assert usage == {"profile_created": expected_created, "last_started": None,
                     "session_count": expected_count}

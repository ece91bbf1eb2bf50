"""End to end: the extractor over folders laid out like the seized laptop and server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.extractor_harness import run_extractor
from tests.extractors.tor.conftest import DATA, TOR_BROWSER, corpus_path
from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.extractors.tor import TorExtractor

DESKTOP = "Users/bob/Desktop"


@pytest.fixture(scope="module")
def laptop(tmp_path_factory):
    """An NTFS-like laptop tree: the used 2019 Tor Browser on the desktop plus our samples."""
    corpus_path(TOR_BROWSER)
    root = tmp_path_factory.mktemp("laptop")
    shutil.copytree(DATA / "laptop", root, dirs_exist_ok=True)
    install = root / DESKTOP / "Tor Browser"
    shutil.copytree(TOR_BROWSER, install, ignore=shutil.ignore_patterns("TREE_LISTING.txt"))
    profile = install / "Browser/TorBrowser/Data/Browser/profile.default"
    for name in ("places.sqlite", "sessionstore.jsonlz4"):
        shutil.copyfile(DATA / "profile" / name, profile / name)
    return run_extractor(TorExtractor(), root)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Linux server partition: /etc/tor/torrc and /var/lib/tor with two onion services."""
    root = tmp_path_factory.mktemp("server")
    shutil.copytree(DATA / "server", root, dirs_exist_ok=True)
    return run_extractor(TorExtractor(), root)


def test_browser_found_with_versions_and_settings(laptop):
    (browser,) = laptop.of_type("tor.browser")
    attrs = browser.attributes
    assert browser.path == f"/{DESKTOP}/Tor Browser"
    assert attrs["platform"] == "windows"
    assert attrs["torbrowser_version"] == "8.5.1"
    assert attrs["firefox_version"] == "60.7.0"
    assert attrs["tor_version"] == "0.3.5.8"
    assert attrs["state_last_written"] == "2019-06-06T17:17:19Z"
    assert attrs["profile_path"].endswith("/Data/Browser/profile.default")
    assert attrs["security_level"] == "safest"
    assert attrs["tor_binary"].endswith("/TorBrowser/Tor/tor.exe")
    # prefs.js: profileCreationTime 1551458513, last_success 1559841391, sessionCount 34.
    assert attrs["profile_created"] == "2019-03-01T16:41:53Z"
    assert attrs["last_started"] == "2019-06-06T17:16:31Z"
    assert attrs["session_count"] == 34


def test_state_with_version_and_last_written(laptop):
    (state,) = laptop.of_type("tor.state")
    assert state.attributes["tor_version"] == "0.3.5.8"
    assert state.attributes["last_written"] == "2019-06-06T17:17:19Z"
    assert state.attributes["guard_count"] == 26
    assert state.attributes["file_modified"].endswith("Z")


def test_configs_of_the_browser(laptop):
    roles = sorted(f.attributes["role"] for f in laptop.of_type("tor.config"))
    assert roles == ["config", "defaults", "previous"]


def test_valid_address_exported_lookalike_not(laptop, expected):
    addresses = {f.attributes["address"] for f in laptop.of_type("tor.onion_address")}
    assert expected["notes"]["valid_v3"] in addresses
    assert expected["notes"]["v2"] in addresses
    assert expected["notes"]["lookalike"] not in addresses
    for finding in laptop.of_type("tor.onion_address"):
        if finding.attributes["version"] == 3:
            assert finding.attributes["checksum_valid"] is True


def test_address_sources(laptop, expected):
    sources = {(f.attributes["source"], f.attributes["address"])
               for f in laptop.of_type("tor.onion_address")}
    valid = expected["notes"]["valid_v3"]
    for source in ("text", "places", "session", "client_auth"):
        assert (source, valid) in sources
    assert any(s == "bookmark backup" for s, _ in sources)
    places = next(f for f in laptop.of_type("tor.onion_address")
                  if f.attributes["source"] == "places")
    assert places.attributes["last_visit"] == expected["places_last_visit"]


def test_text_hits_carry_offset_and_context(laptop, expected):
    notes = [(path, f) for path, f in laptop.findings if path.endswith("/notes.txt")]
    text = (DATA / "laptop/Users/bob/Documents/notes.txt").read_bytes()
    assert notes
    for _, finding in notes:
        address = finding.attributes["address"].encode()
        assert text[finding.offset : finding.offset + len(address)] == address
        assert address.decode() in finding.context


def test_prefetch_executions(laptop, expected):
    runs = {f.attributes["prefetch_hash"]: f.attributes for f in laptop.of_type("tor.execution")}
    # The plain Firefox prefetch (not inside a Tor Browser folder) is not reported.
    assert set(runs) == {"1A2B3C4D", "5E6F7081"}
    assert runs["1A2B3C4D"]["run_count"] == 7
    assert runs["1A2B3C4D"]["last_run"] == "2019-06-06T17:10:00Z"


def test_server_onion_services(server, expected):
    services = {f.path: f.attributes for f in server.of_type("tor.onion_service")}
    v3 = services["/var/lib/tor/market_v3"]
    v2 = services["/var/lib/tor/legacy_v2"]
    assert v3["hostname"] == expected["v3_service_hostname"] and v3["version"] == 3
    assert v2["hostname"] == expected["v2_service_hostname"] and v2["version"] == 2
    assert v3["hostname_matches_key"] is True and v2["hostname_matches_key"] is True
    assert v3["authorized_clients"] == ["alice"]
    removed = services["/var/lib/tor/removed_service"]
    assert removed["configured_in"] == "/etc/tor/torrc" and removed["hostname"] is None
    assert removed["ports"] == ["22 -> 127.0.0.1:22"]
    assert len(services) == 3


def test_server_config_and_state(server, expected):
    (config,) = server.of_type("tor.config")
    assert config.attributes["hidden_service_dirs"][:2] == ["/var/lib/tor/market_v3/",
                                                           "/var/lib/tor/legacy_v2/"]
    assert config.attributes["hidden_service_non_anonymous_mode"] is None
    (state,) = server.of_type("tor.state")
    assert state.attributes["tor_version"] == expected["server_state"]["tor_version"]


def test_files_merely_named_like_tor_files_are_ignored(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "hostname").write_text("laptop-01\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "state").write_text('{"window": [1, 2]}')
    (tmp_path / "tor-browser-notes").mkdir()
    result = run_extractor(TorExtractor(), tmp_path)
    assert result.findings == []


def test_torrc_of_node_choices_only_is_reported(tmp_path):
    torrc = tmp_path / "etc/tor/torrc"
    torrc.parent.mkdir(parents=True)
    torrc.write_text("ExitNodes {us},{de}\nExcludeNodes {ru}\nStrictNodes 1\n")
    result = run_extractor(TorExtractor(), tmp_path)
    (config,) = result.of_type("tor.config")
    assert config.attributes["directives"] == [["ExitNodes", "{us},{de}"],
                                               ["ExcludeNodes", "{ru}"], ["StrictNodes", "1"]]
    assert result.warnings == []


def test_truncated_and_hostile_files_warn_without_raising(tmp_path):
    folder = tmp_path / "var/lib/tor/svc"
    folder.mkdir(parents=True)
    (folder / "hostname").write_text("25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion\n")
    (folder / "hs_ed25519_public_key").write_bytes(b"== ed25519v1-public: type0 ==\x00\x00\x00ab")
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "sessionstore.jsonlz4").write_bytes(b"mozLz40\x00\x10\x00\x00\x00\xf0")
    (profile / "places.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    (tmp_path / "TOR.EXE-DEADBEEF.pf").write_bytes(b"\x17\x00\x00\x00SCCA" + b"\x00" * 30)
    result = run_extractor(TorExtractor(), tmp_path)
    assert len(result.warnings) >= 4
    (service,) = result.of_type("tor.onion_service")
    assert service.attributes["hostname_matches_key"] is None


def test_state_carries_its_file_times(tmp_path, expected):
    state = tmp_path / "var/lib/tor/state"
    state.parent.mkdir(parents=True)
    shutil.copyfile(DATA / "server/var/lib/tor/state", state)
    os.utime(state, (1559840000, 1559840123))
    (finding,) = run_extractor(TorExtractor(), tmp_path).of_type("tor.state")
    attrs = finding.attributes
    assert attrs["tor_version"] == expected["server_state"]["tor_version"]
    assert attrs["last_written"] == expected["server_state"]["last_written"]
    assert attrs["file_accessed"] == "2019-06-06T16:53:20Z"
    assert attrs["file_modified"] == "2019-06-06T16:55:23Z"
    assert attrs["file_created"] is None  # the harness's FileView has no creation time


def _fake_tor_browser(folder: Path, tor_binary: bool = True) -> None:
    """A minimal Windows Tor Browser: what find_layout and describe_installation read."""
    browser = folder / "Browser"
    tor_browser = browser / "TorBrowser"
    profile = tor_browser / "Data/Browser/profile.default"
    profile.mkdir(parents=True)
    (tor_browser / "Data/Tor").mkdir()
    (tor_browser / "Docs/sources").mkdir(parents=True)
    (browser / "application.ini").write_text("[App]\nVersion=60.7.0\nBuildID=20190101000000\n")
    (tor_browser / "Docs/sources/versions").write_text("TORBROWSER_VERSION=8.5.1\n")
    (profile / "prefs.js").write_text('user_pref("extensions.torbutton.security_slider", 1);\n')
    if tor_binary:
        (tor_browser / "Tor").mkdir()
        (tor_browser / "Tor/tor.exe").write_bytes(b"MZ")


@pytest.mark.parametrize(("folder", "install"), [
    ("", "/"),
    ("Downloads/tb-2019", "/Downloads/tb-2019"),
    ("Desktop/Tor Browser", "/Desktop/Tor Browser"),
])
def test_browser_recognised_by_its_layout_whatever_its_name(tmp_path, folder, install):
    _fake_tor_browser(tmp_path / folder)
    (browser,) = run_extractor(TorExtractor(), tmp_path).of_type("tor.browser")
    attrs = browser.attributes
    assert browser.path == attrs["install_path"] == install
    assert attrs["torbrowser_version"] == "8.5.1"
    assert attrs["firefox_version"] == "60.7.0"
    assert attrs["security_level"] == "safest"
    assert attrs["profile_path"] == (
        install.rstrip("/") + "/Browser/TorBrowser/Data/Browser/profile.default")


def test_renamed_browser_needs_tor_or_its_data(tmp_path):
    _fake_tor_browser(tmp_path / "a", tor_binary=False)
    shutil.rmtree(tmp_path / "a/Browser/TorBrowser/Data/Tor")
    _fake_tor_browser(tmp_path / "b", tor_binary=False)
    result = run_extractor(TorExtractor(), tmp_path)
    assert [f.path for f in result.of_type("tor.browser")] == ["/b"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_browser_that_is_the_evidence_through_the_engine(tmp_path, jobs):
    evidence = tmp_path / "evidence"
    _fake_tor_browser(evidence)
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path, name="tor", examiner="tester").close()
    IngestEngine(case_path, IngestOptions(extractors=["tor"], jobs=jobs)).run([str(evidence)])
    with CaseDatabase.open(case_path) as case:
        found = [(a["path"], a["attributes"]["torbrowser_version"])
                 for a in case.iter_artefacts(types=["tor.browser"])]
    assert found == [("/", "8.5.1")]


def _v3_service(folder: Path, seed: bytes) -> str:
    """Write tor's two v3 key files for ``seed`` into ``folder``; return the address."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.extractors.tor.test_onion_service import _expanded_secret_file
    from triage.extractors.tor.onion import v3_address_from_pubkey

    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    folder.mkdir(parents=True)
    (folder / "hs_ed25519_public_key").write_bytes(
        b"== ed25519v1-public: type0 ==\x00\x00\x00" + public)
    (folder / "hs_ed25519_secret_key").write_bytes(_expanded_secret_file(seed))
    return v3_address_from_pubkey(public)


def test_a_service_whose_hostname_file_is_empty_is_reported_from_its_keys(tmp_path):
    """The Tor helper's finding: the engine hands no empty file to an extractor, and the
    empty hostname was the file chosen to report the folder, so the service was lost."""
    evidence = tmp_path / "evidence"
    address = _v3_service(evidence / "var/lib/tor/hs", b"\x11" * 32)
    (evidence / "var/lib/tor/hs/hostname").write_bytes(b"")
    (evidence / "etc/tor").mkdir(parents=True)
    (evidence / "etc/tor/torrc").write_text(
        "HiddenServiceDir /var/lib/tor/hs/\nHiddenServicePort 80 127.0.0.1:80\n")
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path, name="tor", examiner="tester").close()
    IngestEngine(case_path, IngestOptions(extractors=["tor"], jobs=1)).run([str(evidence)])
    with CaseDatabase.open(case_path) as case:
        (service,) = case.iter_artefacts(types=["tor.onion_service"])
        messages = [w["message"] for w in case.iter_warnings()]
    assert service["path"] == "/var/lib/tor/hs"
    assert service["attributes"]["key_address"] == f"{address}.onion"
    assert service["attributes"]["has_private_key"] is True
    assert service["attributes"]["configured_in"] == "/etc/tor/torrc"
    assert any("empty" in message for message in messages)


def _engine_artefacts(tmp_path: Path, evidence: Path) -> list[dict]:
    case_path = tmp_path / f"{evidence.name}.triage"
    CaseDatabase.create(case_path, name="tor", examiner="tester").close()
    IngestEngine(case_path, IngestOptions(extractors=["tor"], jobs=1)).run([str(evidence)])
    with CaseDatabase.open(case_path) as case:
        return list(case.iter_artefacts())


def test_the_session_copy_firefox_keeps_at_an_upgrade_is_read(tmp_path):
    """The Tor helper's finding: upgrade.jsonlz4-<build id> (its extension has the build
    id in it) was not decompressed, so onion tabs only it kept were missed."""
    sessions = {}
    for name in ("sessionstore.jsonlz4", "upgrade.jsonlz4-20190307020101"):
        evidence = tmp_path / name.replace(".", "_")
        (evidence / "sessionstore-backups").mkdir(parents=True)
        shutil.copyfile(DATA / "profile" / "sessionstore.jsonlz4",
                        evidence / "sessionstore-backups" / name)
        sessions[name] = sorted(a["attributes"]["address"]
                                for a in _engine_artefacts(tmp_path, evidence)
                                if a["type"] == "tor.onion_address"
                                and a["attributes"]["source"] == "session")
    assert len(sessions["sessionstore.jsonlz4"]) >= 2
    assert sessions["upgrade.jsonlz4-20190307020101"] == sessions["sessionstore.jsonlz4"]


def test_onion_addresses_typed_into_forms_are_found(tmp_path, expected):
    """The Tor helper's finding: formhistory.sqlite keeps a field's name right before
    the value typed into it, and such addresses were missed."""
    import sqlite3

    address = expected["notes"]["valid_v3"]
    profile = tmp_path / "profile.default"
    profile.mkdir()
    with sqlite3.connect(profile / "formhistory.sqlite") as db:
        db.execute("CREATE TABLE moz_formhistory (id INTEGER PRIMARY KEY, fieldname TEXT"
                   " NOT NULL, value TEXT NOT NULL, timesUsed INTEGER, firstUsed INTEGER,"
                   " lastUsed INTEGER, guid TEXT)")
        db.execute("INSERT INTO moz_formhistory (fieldname, value, timesUsed, guid)"
                   " VALUES ('searchbar-history', ?, 1, 'AbCdEfGhIjKl')", (address,))
    db.close()
    result = run_extractor(TorExtractor(), tmp_path)
    assert [(f.attributes["address"], f.attributes["source"])
            for f in result.of_type("tor.onion_address")] == [
        (address, "formhistory.sqlite (raw)")]


def test_a_history_visit_is_reported_once_in_the_full_profile(tmp_path):
    """The Tor helper's finding: the full profile's byte-level scan of every SQLite file
    reported places.sqlite's visits a second time, as bare text hits."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    shutil.copyfile(DATA / "profile" / "places.sqlite", evidence / "places.sqlite")
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path, name="tor", examiner="tester").close()
    IngestEngine(case_path, IngestOptions(profile="full", extractors=["tor"], jobs=1)).run(
        [str(evidence)])
    with CaseDatabase.open(case_path) as case:
        found = [(a["attributes"]["address"], a["attributes"]["source"])
                 for a in case.iter_artefacts(types=["tor.onion_address"])]
    from_history = {address for address, source in found if source == "places"}
    assert from_history
    assert [source for address, source in found if address in from_history] == [
        "places"] * len(from_history)


def test_a_service_of_a_tor_browser_that_is_the_evidence_keeps_its_torrc(tmp_path):
    """The Tor helper's finding: with the Tor Browser folder as the evidence, the torrc's
    "E:\\Tor Browser\\...\\hs" was looked for at /Tor Browser/...: a second service without
    keys was reported there, and the real one lost its torrc and ports."""
    evidence = tmp_path / "evidence"
    _fake_tor_browser(evidence)
    data = evidence / "Browser/TorBrowser/Data/Tor"
    address = _v3_service(data / "hs", b"\x05" * 32)
    (data / "hs/hostname").write_text(f"{address}.onion\n")
    (data / "torrc").write_bytes(
        b"DataDirectory E:\\Tor Browser\\Browser\\TorBrowser\\Data\\Tor\r\n"
        b"HiddenServiceDir E:\\Tor Browser\\Browser\\TorBrowser\\Data\\Tor\\hs\r\n"
        b"HiddenServicePort 80 127.0.0.1:8080\r\n")
    services = [a for a in _engine_artefacts(tmp_path, evidence) if a["type"] == "tor.onion_service"]
    assert [(a["path"], a["attributes"]["configured_in"], a["attributes"]["ports"])
            for a in services] == [("/Browser/TorBrowser/Data/Tor/hs",
                                    "/Browser/TorBrowser/Data/Tor/torrc",
                                    ["80 -> 127.0.0.1:8080"])]

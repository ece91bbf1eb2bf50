"""The Tor extractor through the engine on the seized-laptop image (NTFS laptop, ext4 server).

Oracles: the staged files the image was built from (torrc, hostname files, state files,
read here with plain regular expressions) and The Sleuth Kit's ``fls``/``istat`` for the
state files' own time stamps.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.extractors.tor.conftest import DATA, REPO
from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions

IMAGE = REPO / "tests" / "data" / "images" / "seized_laptop.E01"
STAGING = REPO / "tests" / "data" / "images" / "seized_laptop"
TOR_BROWSER_STATE = "/Users/alice/Desktop/Tor Browser/Browser/TorBrowser/Data/Tor/state"
STATES = {
    TOR_BROWSER_STATE: STAGING / "ntfs" / TOR_BROWSER_STATE.lstrip("/"),
    "/var/lib/tor/state": DATA / "server/var/lib/tor/state",
}
SERVICES = {
    "/var/lib/tor/hidden_service_v3": DATA / "server/var/lib/tor/market_v3",
    "/var/lib/tor/hidden_service_v2": DATA / "server/var/lib/tor/legacy_v2",
}
TORRC = STAGING / "ext4" / "etc" / "tor" / "torrc"

pytestmark = pytest.mark.skipif(not IMAGE.exists(), reason="seized_laptop.E01 absent")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> dict:
    """Artefacts of the tor extractor and the volumes, from one quick engine run."""
    case_path = tmp_path_factory.mktemp("case") / "case.triage"
    CaseDatabase.create(case_path, name="tor", examiner="tester").close()
    IngestEngine(case_path, IngestOptions(profile="quick", extractors=["tor"])).run([str(IMAGE)])
    with CaseDatabase.open(case_path) as case:
        artefacts = list(case.iter_artefacts(types=["tor.onion_service", "tor.state"]))
        volumes = {v["idx"]: v for v in case.list_volumes()}
    return {"artefacts": artefacts, "volumes": volumes}


def _at(scanned: dict, artefact_type: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for item in scanned["artefacts"]:
        if item["type"] == artefact_type:
            assert item["path"] not in found, f"{item['path']} reported twice"
            found[item["path"]] = item
    return found


def _torrc_ports() -> dict[str, list[str]]:
    """HiddenServiceDir (no trailing slash) -> 'virtual -> target' from the staged torrc."""
    blocks: dict[str, list[str]] = {}
    current = ""
    for keyword, value in re.findall(r"^(HiddenService\w+) (.+)$", TORRC.read_text(), re.M):
        if keyword == "HiddenServiceDir":
            current = value.rstrip("/")
            blocks[current] = []
        elif keyword == "HiddenServicePort":
            virtual, target = value.split()
            blocks[current].append(f"{virtual} -> {target}")
    return blocks


def test_both_services_linked_to_the_torrc(scanned):
    services = _at(scanned, "tor.onion_service")
    assert set(services) == set(SERVICES)
    ports = _torrc_ports()
    assert set(ports) == set(SERVICES)
    for folder, staged in SERVICES.items():
        attrs = services[folder]["attributes"]
        assert attrs["hostname"] == (staged / "hostname").read_text().strip()
        assert attrs["configured_in"] == "/etc/tor/torrc"
        assert attrs["ports"] == ports[folder]


def test_hostnames_verified_against_the_keys(scanned):
    services = _at(scanned, "tor.onion_service")
    v3 = services["/var/lib/tor/hidden_service_v3"]["attributes"]
    assert v3["version"] == 3
    assert v3["hostname_matches_public_key"] is True
    assert v3["hostname_matches_private_key"] is True
    assert v3["keys_consistent"] is True and v3["hostname_matches_key"] is True
    v2 = services["/var/lib/tor/hidden_service_v2"]["attributes"]
    assert v2["version"] == 2
    assert v2["hostname_matches_private_key"] is True and v2["hostname_matches_key"] is True
    assert v2["key_address"] == v2["hostname"]


def _state_oracle(path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    version = re.search(r"^TorVersion Tor (\S+)", text, re.MULTILINE)
    written = re.search(r"^LastWritten (\S+) (\S+)$", text, re.MULTILINE)
    assert version and written
    return version.group(1), f"{written.group(1)}T{written.group(2)}Z"


def test_state_files_with_version_and_last_written(scanned):
    states = _at(scanned, "tor.state")
    assert set(states) == set(STATES)
    for path, staged in STATES.items():
        attrs = states[path]["attributes"]
        assert (attrs["tor_version"], attrs["last_written"]) == _state_oracle(staged)


def _istat_times(volume_start: int, path: str) -> dict[str, str]:
    """The first Modified/Accessed/Created times istat prints (NTFS: $STANDARD_INFORMATION)."""
    offset = str(volume_start // 512)
    listing = subprocess.run(["fls", "-r", "-p", "-o", offset, str(IMAGE)],
                             capture_output=True, text=True, check=True).stdout
    inode = next(line.split()[1].split(":")[0].split("-")[0] for line in listing.splitlines()
                 if line.split("\t", 1)[-1] == path.lstrip("/"))
    report = subprocess.run(["istat", "-o", offset, str(IMAGE), inode],
                            capture_output=True, text=True, check=True).stdout
    times: dict[str, str] = {}
    for label, key in (("File Modified", "file_modified"), ("Accessed", "file_accessed"),
                       ("(?:File )?Created", "file_created"),
                       ("(?:Inode|MFT) Modified", "file_changed")):
        match = re.search(rf"^{label}:\s+(\S+ \d\d:\d\d:\d\d)", report, re.MULTILINE)
        if match:
            moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            times[key] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return times


@pytest.mark.skipif(shutil.which("istat") is None, reason="The Sleuth Kit is not installed")
def test_state_files_carry_their_own_timestamps(scanned):
    states = _at(scanned, "tor.state")
    for path in STATES:
        item = states[path]
        start = scanned["volumes"][item["volume_idx"]]["start"]
        oracle = _istat_times(start, path)
        assert set(oracle) == {"file_modified", "file_accessed", "file_created", "file_changed"}
        for key, value in oracle.items():
            assert item["attributes"][key] == value, (path, key)

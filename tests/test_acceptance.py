"""End-to-end acceptance tests on the "seized laptop" image (issues 3-7 and 9).

The image (tests/data/images/seized_laptop.E01, built by seized_laptop/build.sh, planted
content in seized_laptop/EXPECTED.md) is scanned once per profile through the command
line, then exported through the command line. Every expectation comes from an
independent oracle computed here: ``gpg`` on the staged key files, ``exiftool`` on the
staged photos, ``fls`` on the image, libewf (pyewf) reading the planted notes back at
the offsets build.sh wrote them to, the staged notes, state files and onion-service
hostname files, and a BIP39 checksum computed from the published word list.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import math
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.extractors.pgp.oracle import stop_agent
from triage.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
IMAGE = DATA / "images" / "seized_laptop.E01"
STAGING = DATA / "images" / "seized_laptop"
NTFS_SECTOR = 2048
EXT4_SECTOR = 20480
# Written by build.sh with dd (GAP_NOTE_OFFSET, TAIL_NOTE_OFFSET); checked against the
# image itself with libewf in test_planted_notes_are_where_build_sh_wrote_them.
GAP_NOTE_OFFSET = 9441403
TAIL_NOTE_OFFSET = 14745607
COORDINATE_TOLERANCE = 1e-4

pytestmark = pytest.mark.skipif(not IMAGE.exists(), reason="seized_laptop.E01 absent (run build.sh)")

ALICE = "/Users/alice"
KBX_HOME = f"{ALICE}/AppData/Roaming/gnupg"
CLASSIC_HOME = "/home/bob/.gnupg"
DELETED_SECRET_KEY = f"{ALICE}/Documents/backup-secret-key.asc"
NOTES = f"{ALICE}/Documents/notes.txt"
TOR_BROWSER = f"{ALICE}/Desktop/Tor Browser"
TOR_BROWSER_STAGED = STAGING / "ntfs" / TOR_BROWSER.lstrip("/")
HIDDEN_PHOTO = "/Windows/System32/wmphoto32.dll"
GAP_NOTE_LIVE = f"{ALICE}/Documents/contact-card.txt"
TAIL_NOTE_LIVE = "/home/bob/notes/handover.txt"

#: Wallets planted by build.sh: image path -> artefact type ("the right kind").
PLANTED_WALLETS = {
    f"{ALICE}/AppData/Roaming/Electrum/wallets/default_wallet": "wallet.electrum",
    f"{ALICE}/AppData/Roaming/Ethereum/keystore/"
    "UTC--2019-05-04T10-11-12.000000000Z--c69ea13227bace6e1f8a06364d93f4a6f0463243":
        "wallet.ethereum_keystore",
    f"{ALICE}/AppData/Roaming/Exodus/exodus.wallet": "wallet.exodus",
    f"{ALICE}/AppData/Local/Google/Chrome/User Data/Default/Local Extension Settings/"
    "fhbohimaelbohpjbbldcngcnapndodjp": "wallet.metamask",
    f"{ALICE}/AppData/Roaming/Bither/address.db": "wallet.bither",
    f"{ALICE}/AppData/Roaming/mSIGNA/savings.vault": "wallet.msigna",
    "/home/bob/wallets/multibit.wallet": "wallet.bitcoinj",
    "/home/bob/Monero/wallets/alice/alice.keys": "wallet.monero",
    "/home/bob/.armory/armory_2xCdCyG3_.wallet": "wallet.armory",
    "/home/bob/.electrum/wallets/default_wallet": "wallet.electrum",
}
#: The staged photos with GPS: image path -> staged file (exiftool reads the latter).
GPS_PHOTOS = {
    f"{ALICE}/Pictures/IMG_0001.jpg": DATA / "metadata" / "photos" / "IMG_0001.jpg",
    f"{ALICE}/Pictures/IMG_0002.heic": DATA / "metadata" / "photos" / "IMG_0002.heic",
    f"{ALICE}/Pictures/scan_0003.tif": DATA / "metadata" / "photos" / "scan_0003.tif",
    HIDDEN_PHOTO: STAGING / "ntfs" / HIDDEN_PHOTO.lstrip("/"),
}
DOCUMENTS = {
    f"{ALICE}/Documents/report.docx": DATA / "metadata" / "documents" / "report.docx",
    f"{ALICE}/Documents/invoice.pdf": DATA / "metadata" / "documents" / "invoice.pdf",
}
#: Onion services staged on the ext4 partition: image folder -> staged folder.
ONION_SERVICES = {
    "/var/lib/tor/hidden_service_v3": DATA / "tor" / "server" / "var" / "lib" / "tor" / "market_v3",
    "/var/lib/tor/hidden_service_v2": DATA / "tor" / "server" / "var" / "lib" / "tor" / "legacy_v2",
}
TOR_STATES = {
    f"{TOR_BROWSER}/Browser/TorBrowser/Data/Tor/state":
        TOR_BROWSER_STAGED / "Browser" / "TorBrowser" / "Data" / "Tor" / "state",
    "/var/lib/tor/state": DATA / "tor" / "server" / "var" / "lib" / "tor" / "state",
}
ADDRESS_LABELS = ("btc_p2wpkh", "btc_p2pkh", "btc_p2tr", "eth", "xmr", "ltc", "doge")


# -- running the command line -------------------------------------------------------------
def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m triage ARGS`` in a new process; fail the test when it fails."""
    proc = subprocess.run([sys.executable, "-m", "triage", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"triage {' '.join(map(str, args))}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def cli(*args: str | Path) -> str:
    """Run the same command line in this process (saves interpreter start-ups); return stdout."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in args])
    assert status == 0, f"triage {' '.join(map(str, args))}:\n{out.getvalue()}\n{err.getvalue()}"
    return out.getvalue()


@dataclass
class Scan:
    """One profile's scan of the image and its JSONL export."""

    profile: str
    case: Path
    folder: Path
    artefacts: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, artefact_type: str) -> list[dict[str, Any]]:
        """Artefacts of one type."""
        return [a for a in self.artefacts if a["type"] == artefact_type]

    def at(self, path: str, artefact_type: str | None = None) -> list[dict[str, Any]]:
        """Artefacts whose source path is ``path`` (optionally of one type)."""
        return [a for a in self.artefacts if a["source"]["path"] == path
                and (artefact_type is None or a["type"] == artefact_type)]


def _scan(folder: Path, profile: str) -> Scan:
    if not IMAGE.exists():
        pytest.skip("seized_laptop.E01 absent (run tests/data/images/seized_laptop/build.sh)")
    case = folder / "case.triage"
    run_cli("scan", IMAGE, "--case", case, "--profile", profile, "--quiet")
    out = folder / "out.jsonl"
    cli("export", case, "--format", "jsonl", "-o", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    return Scan(profile, case, folder, [json.loads(line) for line in lines if line])


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    """The full-profile scan (with unallocated space)."""
    return _scan(tmp_path_factory.mktemp("full"), "full")


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    """The quick-profile scan."""
    return _scan(tmp_path_factory.mktemp("quick"), "quick")


@pytest.fixture(params=["full", "quick"])
def scan(request: pytest.FixtureRequest) -> Scan:
    """Each profile's scan in turn (issues 3-6 must hold for both)."""
    return request.getfixturevalue(request.param)


# -- oracles ------------------------------------------------------------------------------
def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} not installed")
    return found


@pytest.fixture(scope="module")
def fls_entries() -> dict[str, bool]:
    """``fls -r -p`` of both partitions: '/path' -> deleted flag (metadata files left out)."""
    _need("fls")
    entries: dict[str, bool] = {}
    for sector in (NTFS_SECTOR, EXT4_SECTOR):
        out = subprocess.run(["fls", "-r", "-p", "-o", str(sector), str(IMAGE)],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            meta, _, name = line.partition(":\t")
            if not name or name.startswith("$") or "/$" in name:
                continue
            entries["/" + name] = " * " in meta + " "
    return entries


@dataclass
class GpgKey:
    """One primary key as gpg lists it."""

    fingerprint: str
    secret: bool
    keygrip: str | None


def gpg_keys(path: Path, gpg_home: Path) -> list[GpgKey]:
    """Primary keys of a key file per ``gpg --show-keys --with-colons --with-keygrip``."""
    out = subprocess.run(
        [_need("gpg"), "--batch", "--no-tty", "--homedir", str(gpg_home), "--show-keys",
         "--with-colons", "--with-keygrip", str(path)],
        capture_output=True, text=True, check=True).stdout
    stop_agent(gpg_home)
    keys: list[GpgKey] = []
    expecting: str | None = None
    for line in out.splitlines():
        record = line.split(":")
        if record[0] in ("pub", "sec"):
            expecting = record[0]
        elif record[0] in ("sub", "ssb"):
            expecting = None
        elif record[0] == "fpr" and expecting:
            keys.append(GpgKey(record[9], expecting == "sec", None))
        elif record[0] == "grp" and expecting and keys and keys[-1].keygrip is None:
            keys[-1].keygrip = record[9]
            expecting = None
    return keys


@pytest.fixture(scope="module")
def gpg_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, private GnuPG home so gpg never touches the user's."""
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    return home


def kbx_keys(gpg_home: Path, tmp: Path) -> list[GpgKey]:
    """The keys of the staged GnuPG 2.x home's pubring.kbx (exported by gpg itself)."""
    home = tmp / "kbx-home"
    home.mkdir(mode=0o700)
    shutil.copy(DATA / "pgp" / "home2" / ".gnupg" / "pubring.kbx", home)
    exported = subprocess.run([_need("gpg"), "--batch", "--no-tty", "--homedir", str(home),
                               "--export"], capture_output=True, check=True).stdout
    stop_agent(home)
    (tmp / "kbx-export.gpg").write_bytes(exported)
    return gpg_keys(tmp / "kbx-export.gpg", gpg_home)


@functools.cache
def _exiftool_all() -> dict[str, dict[str, Any]]:
    staged = [*GPS_PHOTOS.values(), *DOCUMENTS.values()]
    out = subprocess.run([_need("exiftool"), "-n", "-j", *map(str, staged)], capture_output=True,
                         text=True, check=True).stdout
    return {entry["SourceFile"]: entry for entry in json.loads(out)}


def exiftool_values(path: Path) -> dict[str, Any]:
    """``exiftool -n -j`` of one staged photo or document (one exiftool run for all)."""
    return _exiftool_all()[str(path)]


def labelled_lines(path: Path) -> dict[str, str]:
    """``label: value`` lines of a staged note."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        label, sep, value = line.partition(": ")
        if sep and re.fullmatch(r"[a-z0-9_]+", label):
            values[label] = value.strip()
    return values


def bip39_checksum_ok(phrase: str) -> bool:
    """The BIP39 checksum, computed from the published English word list."""
    words = (DATA / "crypto" / "vectors" / "english.txt").read_text().split()
    bits = "".join(f"{words.index(w):011b}" for w in phrase.split())
    entropy_bits = len(bits) * 32 // 33
    entropy = int(bits[:entropy_bits], 2).to_bytes(entropy_bits // 8, "big")
    digest = int.from_bytes(hashlib.sha256(entropy).digest(), "big")
    checksum = f"{digest:0256b}"[: len(bits) - entropy_bits]
    return checksum == bits[entropy_bits:]


def onion_in(text: str) -> str:
    """The first v3 onion host name in a piece of text."""
    match = re.search(r"[a-z2-7]{56}\.onion", text)
    assert match, text
    return match.group(0)


def tor_state_oracle(path: Path) -> tuple[str, str]:
    """(tor version, LastWritten as ISO UTC) read from a state file's own lines."""
    text = path.read_text(encoding="utf-8")
    version = re.search(r"^TorVersion Tor (\S+)", text, re.MULTILINE)
    written = re.search(r"^LastWritten (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)", text, re.MULTILINE)
    assert version and written
    return version.group(1), f"{written.group(1)}T{written.group(2)}Z"


# -- the image itself ---------------------------------------------------------------------
def test_planted_notes_are_where_build_sh_wrote_them() -> None:
    pyewf = pytest.importorskip("pyewf")
    handle = pyewf.handle()
    handle.open([str(IMAGE)])
    try:
        for offset, note in ((GAP_NOTE_OFFSET, "gap_note.txt"), (TAIL_NOTE_OFFSET, "tail_note.txt")):
            expected = (STAGING / "outside" / note).read_bytes()
            handle.seek(offset)
            assert handle.read(len(expected)) == expected
    finally:
        handle.close()


def test_verify_says_verified_and_matches_ewfverify() -> None:
    out = cli("verify", IMAGE)
    assert "verification: verified" in out
    oracle = subprocess.run([_need("ewfverify"), "-q", "-d", "sha1", str(IMAGE)],
                            capture_output=True, text=True).stdout
    md5 = re.search(r"MD5 hash calculated over data:\s*([0-9a-f]{32})", oracle)
    assert md5, oracle
    assert f"md5: {md5.group(1)}" in out


@pytest.fixture(scope="module")
def csv_folder(full: Scan) -> Path:
    """The full scan exported as CSV."""
    folder = full.folder / "csv"
    cli("export", full.case, "--format", "csv", "-o", folder)
    return folder


def test_file_listing_and_deleted_flags_match_fls(csv_folder: Path, fls_entries: dict[str, bool]) -> None:
    with open(csv_folder / "files.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    listed: dict[str, bool] = {}
    for row in rows:
        listed[row["path"]] = listed.get(row["path"], False) or row["deleted"] == "true"
    missing = sorted(set(fls_entries) - set(listed))
    assert not missing
    wrong = sorted(p for p, deleted in fls_entries.items() if listed[p] != deleted)
    assert not wrong
    assert fls_entries[DELETED_SECRET_KEY] is True
    assert fls_entries["/home/bob/.armory/armory_2xCdCyG3_.wallet"] is True
    assert f"{ALICE}/Downloads/torbrowser-install-win64-8.5.1_en-US.exe:Zone.Identifier" in listed


# -- issue 3: PGP ------------------------------------------------------------------------
def _keys_under(scan: Scan, folder: str) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for item in scan.of_type("pgp.key"):
        path = item["source"]["path"] or ""
        if path.startswith(folder + "/"):
            fingerprint = item["attributes"]["fingerprint"]
            found[fingerprint] = found.get(fingerprint, False) or bool(item["attributes"]["has_secret"])
    return found


def test_gnupg2_home_keys_and_secrets(scan: Scan, gpg_home: Path, tmp_path: Path) -> None:
    keys = kbx_keys(gpg_home, tmp_path)
    agent_keygrips = {p.stem for p in (DATA / "pgp" / "home2" / ".gnupg" / "private-keys-v1.d").glob("*.key")}
    expected = {k.fingerprint: k.keygrip in agent_keygrips for k in keys}
    assert len(expected) >= 2
    assert _keys_under(scan, KBX_HOME) == expected


def test_gnupg1_home_keys_and_secrets(scan: Scan, gpg_home: Path) -> None:
    home = DATA / "pgp" / "home1" / "gnupg-classic"
    public = {k.fingerprint for k in gpg_keys(home / "pubring.gpg", gpg_home)}
    secret = {k.fingerprint for k in gpg_keys(home / "secring.gpg", gpg_home) if k.secret}
    assert secret and public - secret  # the sample holds both kinds: the test can fail
    assert _keys_under(scan, CLASSIC_HOME) == {fp: fp in secret for fp in public}


def test_armored_key_in_mail(scan: Scan, gpg_home: Path) -> None:
    expected = {k.fingerprint for k in gpg_keys(DATA / "pgp" / "vendor-mail.eml", gpg_home)}
    found = {a["attributes"]["fingerprint"] for a in scan.at(f"{ALICE}/Documents/vendor-mail.eml", "pgp.key")}
    assert found == expected


def test_deleted_armored_secret_key(scan: Scan, gpg_home: Path, fls_entries: dict[str, bool]) -> None:
    (key,) = gpg_keys(DATA / "pgp" / "alice-secret.asc", gpg_home)
    assert key.secret and fls_entries[DELETED_SECRET_KEY]
    hits = scan.at(DELETED_SECRET_KEY, "pgp.key")
    assert [(h["attributes"]["fingerprint"], h["attributes"]["has_secret"], h["source"]["deleted"])
            for h in hits] == [(key.fingerprint, True, True)]


def test_every_primary_fingerprint_is_exported(scan: Scan, gpg_home: Path, tmp_path: Path) -> None:
    staged = [DATA / "pgp" / "home1" / "gnupg-classic" / "pubring.gpg",
              DATA / "pgp" / "vendor-mail.eml", DATA / "pgp" / "alice-secret.asc",
              STAGING / "outside" / "gap_note.txt"]
    expected = {k.fingerprint for path in staged for k in gpg_keys(path, gpg_home)}
    expected |= {k.fingerprint for k in kbx_keys(gpg_home, tmp_path)}
    assert expected <= {a["attributes"]["fingerprint"] for a in scan.of_type("pgp.key")}


# -- issue 4: wallets, addresses, seeds ----------------------------------------------------
def test_every_wallet_with_its_kind(scan: Scan, fls_entries: dict[str, bool]) -> None:
    deleted = {p for p in PLANTED_WALLETS if fls_entries[p]}
    assert deleted and deleted != set(PLANTED_WALLETS)
    for path, kind in PLANTED_WALLETS.items():
        hits = scan.at(path)
        assert [h["type"] for h in hits if h["type"].startswith("wallet.")] == [kind], path
        assert all(h["source"]["deleted"] == (path in deleted) for h in hits), path


def test_planted_addresses_seed_and_xpub_are_valid(scan: Scan) -> None:
    planted = labelled_lines(STAGING / "ntfs" / NOTES.lstrip("/"))
    assert bip39_checksum_ok(planted["seed"])
    addresses = {a["attributes"]["address"]: a["attributes"] for a in scan.at(NOTES, "crypto.address")}
    for label in ADDRESS_LABELS:
        assert addresses[planted[label]]["checksum_valid"] is True, label
    keys = {a["attributes"]["key"]: a["attributes"] for a in scan.at(NOTES, "crypto.extended_key")}
    assert keys[planted["xpub"]]["checksum_valid"] is True
    seeds = {a["attributes"]["words"]: a["attributes"] for a in scan.at(NOTES, "crypto.seed_phrase")}
    assert seeds[planted["seed"]]["checksum_valid"] is True


def test_lookalikes_are_not_exported_as_valid(scan: Scan) -> None:
    planted = labelled_lines(STAGING / "ntfs" / NOTES.lstrip("/"))
    lookalikes = {v for k, v in planted.items() if k.startswith("lookalike_")}
    assert len(lookalikes) == len(ADDRESS_LABELS) + 2
    assert not bip39_checksum_ok(planted["lookalike_seed"])
    for item in scan.artefacts:
        attributes = item["attributes"]
        value = attributes.get("address") or attributes.get("key") or attributes.get("words")
        if value in lookalikes:
            assert attributes.get("checksum_valid") is False, value


# -- issue 5: Tor ---------------------------------------------------------------------------
def test_tor_browser_with_its_state(scan: Scan) -> None:
    versions = (TOR_BROWSER_STAGED / "Browser" / "TorBrowser" / "Docs" / "sources" / "versions").read_text()
    browser_version = re.search(r"^TORBROWSER_VERSION=(\S+)", versions, re.MULTILINE)
    assert browser_version
    tor_version, last_written = tor_state_oracle(TOR_STATES[f"{TOR_BROWSER}/Browser/TorBrowser/Data/Tor/state"])
    (browser,) = scan.at(TOR_BROWSER, "tor.browser")
    attributes = browser["attributes"]
    assert attributes["torbrowser_version"] == browser_version.group(1)
    assert (attributes["tor_version"], attributes["state_last_written"]) == (tor_version, last_written)


def test_tor_state_files(scan: Scan) -> None:
    for path, staged in TOR_STATES.items():
        (state,) = scan.at(path, "tor.state")
        assert (state["attributes"]["tor_version"], state["attributes"]["last_written"]) \
            == tor_state_oracle(staged)


def test_both_onion_services_with_their_hostnames(scan: Scan) -> None:
    torrc = (STAGING / "ext4" / "etc" / "tor" / "torrc").read_text()
    configured = {d.rstrip("/") for d in re.findall(r"^HiddenServiceDir (\S+)", torrc, re.MULTILINE)}
    assert configured == set(ONION_SERVICES)
    for folder, staged in ONION_SERVICES.items():
        hostname = (staged / "hostname").read_text().strip()
        (service,) = scan.at(folder, "tor.onion_service")
        assert service["attributes"]["hostname"] == hostname
        assert service["attributes"]["version"] == (3 if len(hostname) == 62 else 2)
    (config,) = scan.at("/etc/tor/torrc", "tor.config")
    assert {d.rstrip("/") for d in config["attributes"]["hidden_service_dirs"]} == configured


def test_onion_address_in_notes_and_not_its_lookalike(scan: Scan) -> None:
    planted = labelled_lines(STAGING / "ntfs" / NOTES.lstrip("/"))
    valid, lookalike = onion_in(planted["market"]), onion_in(planted["mirror"])
    assert valid != lookalike
    found = {a["attributes"]["address"]: a["attributes"] for a in scan.at(NOTES, "tor.onion_address")}
    assert found[valid]["checksum_valid"] is True
    for item in scan.of_type("tor.onion_address"):
        if item["attributes"]["address"] == lookalike:
            assert item["attributes"]["checksum_valid"] is False


# -- issue 6: photos and documents ----------------------------------------------------------
def test_every_gps_photo_with_camera_and_coordinates(scan: Scan) -> None:
    for path, staged in GPS_PHOTOS.items():
        oracle = exiftool_values(staged)
        hits = scan.at(path, "media.exif")
        (photo,) = hits
        attributes = photo["attributes"]
        assert (attributes["make"], attributes["model"]) == (oracle["Make"], oracle["Model"]), path
        assert math.isclose(attributes["gps_latitude"], oracle["GPSLatitude"], abs_tol=COORDINATE_TOLERANCE)
        assert math.isclose(attributes["gps_longitude"], oracle["GPSLongitude"], abs_tol=COORDINATE_TOLERANCE)


def test_photo_hidden_as_dll_is_an_extension_mismatch(scan: Scan) -> None:
    assert exiftool_values(GPS_PHOTOS[HIDDEN_PHOTO])["MIMEType"] == "image/jpeg"
    hits = scan.at(HIDDEN_PHOTO, "file.extension_mismatch")
    (mismatch,) = hits
    assert mismatch["attributes"]["detected_mime"] == "image/jpeg"
    assert mismatch["attributes"]["extension"] == "dll"


def test_document_authors(scan: Scan) -> None:
    for path, staged in DOCUMENTS.items():
        oracle = exiftool_values(staged)
        (document,) = scan.at(path, "document.metadata")
        assert document["attributes"]["author"] in (oracle.get("Creator"), oracle.get("Author")), path


# -- issue 7: outside the partitions ----------------------------------------------------------
def _unallocated_at(full: Scan, offset: int, artefact_type: str) -> list[dict[str, Any]]:
    return [a for a in full.of_type(artefact_type)
            if a["source"]["unallocated"] and a["source"]["offset"] == offset]


def _planted_strings(note: bytes) -> Iterator[tuple[str, str, int, str]]:
    """(type, attribute, offset in the note, expected value) of what a planted note holds."""
    text = note.decode("ascii")
    onion = onion_in(text)
    yield "tor.onion_address", "address", text.index(onion), onion
    address = re.search(r"\b(bc1q[02-9ac-hj-np-z]{38}|1[1-9A-HJ-NP-Za-km-z]{25,33})\b", text)
    assert address
    yield "crypto.address", "address", address.start(), address.group(1)


def test_notes_outside_partitions_found_at_absolute_offsets(full: Scan, gpg_home: Path) -> None:
    for base, note_name, live in ((GAP_NOTE_OFFSET, "gap_note.txt", GAP_NOTE_LIVE),
                                  (TAIL_NOTE_OFFSET, "tail_note.txt", TAIL_NOTE_LIVE)):
        note = (STAGING / "outside" / note_name).read_bytes()
        for artefact_type, attribute, offset, value in _planted_strings(note):
            hits = _unallocated_at(full, base + offset, artefact_type)
            assert [h["attributes"][attribute] for h in hits] == [value], (note_name, value)
            assert hits[0]["source"]["path"] is None
            live_hits = [h for h in full.at(live, artefact_type) if h["attributes"][attribute] == value]
            assert [(h["source"]["unallocated"], h["source"]["offset"]) for h in live_hits] == [(False, offset)]
            assert live_hits[0]["source"]["volume"] != hits[0]["source"]["volume"]
    gap_note = STAGING / "outside" / "gap_note.txt"
    (key,) = gpg_keys(gap_note, gpg_home)
    offset = gap_note.read_bytes().index(b"-----BEGIN PGP PUBLIC KEY BLOCK-----")
    hits = _unallocated_at(full, GAP_NOTE_OFFSET + offset, "pgp.key")
    assert [h["attributes"]["fingerprint"] for h in hits] == [key.fingerprint]
    live_keys = full.at(GAP_NOTE_LIVE, "pgp.key")
    assert [(h["attributes"]["fingerprint"], h["source"]["unallocated"], h["source"]["offset"])
            for h in live_keys] == [(key.fingerprint, False, offset)]


def test_quick_profile_skips_unallocated(quick: Scan) -> None:
    assert not [a for a in quick.artefacts if a["source"]["unallocated"]]


# -- issue 9: reports -----------------------------------------------------------------------
def test_kml_has_a_placemark_for_every_gps_photo(full: Scan) -> None:
    out = full.folder / "photos.kml"
    cli("export", full.case, "--format", "kml", "-o", out)
    namespace = {"k": "http://www.opengis.net/kml/2.2"}
    points = []
    for placemark in ET.parse(out).getroot().iter(f"{{{namespace['k']}}}Placemark"):
        coordinates = placemark.find(".//k:Point/k:coordinates", namespace)
        assert coordinates is not None and coordinates.text
        lon, lat = (float(v) for v in coordinates.text.strip().split(",")[:2])
        points.append((lat, lon))
    for staged in GPS_PHOTOS.values():
        oracle = exiftool_values(staged)
        assert any(abs(lat - oracle["GPSLatitude"]) <= COORDINATE_TOLERANCE
                   and abs(lon - oracle["GPSLongitude"]) <= COORDINATE_TOLERANCE
                   for lat, lon in points), staged.name


class _MarkupAudit(HTMLParser):
    """Collects what would run or load in a browser: script elements, on* handlers, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.remote: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            if name in ("src", "href") and value and re.match(r"(?i)\s*(https?:)?//", value):
                self.remote.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        self.text.append(data)


def test_html_report_offline_complete_and_escaped(full: Scan) -> None:
    folder = full.folder / "html"
    cli("export", full.case, "--format", "html", "-o", folder)
    pages = sorted(folder.glob("*.html"))
    assert (folder / "index.html") in pages
    all_text: list[str] = []
    for page in pages:
        audit = _MarkupAudit()
        audit.feed(page.read_text(encoding="utf-8"))
        assert not [s for s in audit.scripts if "alert(" in s], page.name
        assert not audit.handlers, (page.name, audit.handlers)
        assert not audit.remote, (page.name, audit.remote)
        all_text.append("".join(audit.text))
    text = "\n".join(all_text)
    # The hostile names reached the report as text, so the checks above could fail.
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>.txt" in text
    from triage.extractors import artefact_types

    registry = artefact_types()
    index = (folder / "index.html").read_text(encoding="utf-8")
    for category in {registry[a["type"]].category for a in full.artefacts}:
        assert category in index, category


def test_csv_exports_load(full: Scan, csv_folder: Path) -> None:
    folder = csv_folder
    counts: dict[str, int] = {}
    for item in full.artefacts:
        counts[item["type"]] = counts.get(item["type"], 0) + 1
    for artefact_type, count in counts.items():
        with open(folder / f"{artefact_type}.csv", encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == count, artefact_type
        assert {r["type"] for r in rows} == {artefact_type}
        assert {int(r["id"]) for r in rows} == {a["id"] for a in full.artefacts if a["type"] == artefact_type}


def test_portable_case_of_tagged_items_without_the_image(tmp_path: Path) -> None:
    if not IMAGE.exists():
        pytest.skip("seized_laptop.E01 absent")
    image = tmp_path / "evidence" / IMAGE.name
    image.parent.mkdir()
    shutil.copy(IMAGE, image)
    case = tmp_path / "case.triage"
    cli("scan", image, "--case", case, "--profile", "quick", "--extractors", "metadata", "--quiet")
    heic = f"{ALICE}/Pictures/IMG_0002.heic"
    cli("export", case, "--format", "jsonl", "-o", tmp_path / "out.jsonl")
    exported = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    (artefact_id,) = [a["id"] for a in exported if a["source"]["path"] == heic]
    from triage.casedb import CaseDatabase

    database = CaseDatabase.open(case)
    try:
        database.tag("evidence", "tester", artefact_id=artefact_id)
    finally:
        database.close()
    portable = tmp_path / "portable"
    cli("export", case, "--format", "portable", "--tagged-only", "-o", portable)
    shutil.rmtree(image.parent)
    info = json.loads(cli("info", portable / "case.triage", "--json"))
    assert info["artefacts"] == {"media.exif": 1}
    with open(portable / "hashes.csv", encoding="utf-8-sig", newline="") as handle:
        (row,) = [r for r in csv.DictReader(handle) if r["path"] == heic]
    assert row["status"] == "verified"
    copied = portable / row["copied_as"]
    staged = DATA / "metadata" / "photos" / "IMG_0002.heic"
    assert hashlib.sha256(copied.read_bytes()).hexdigest() == hashlib.sha256(staged.read_bytes()).hexdigest()

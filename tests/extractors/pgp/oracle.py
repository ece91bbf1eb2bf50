"""gpg as an independent oracle for the PGP extractor tests (temporary GNUPGHOME only)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / ".." / "shared" / "corpus"
DATA = REPO / "tests" / "data" / "pgp"


def corpus(relative: str) -> Path:
    """A corpus path, skipping the test when the (GPL, not copied) corpus is absent."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"{relative}: corpus absent")
    return path


@dataclass
class GpgListing:
    """Primary fingerprints, all fingerprints with keygrips, and secret primaries."""

    primaries: list[str] = field(default_factory=list)
    grips: dict[str, str] = field(default_factory=dict)
    secret_primaries: list[str] = field(default_factory=list)
    #: Key size gpg gives each key and subkey (field 3 of its pub/sub record).
    bits: dict[str, int] = field(default_factory=dict)


def _parse(output: str) -> GpgListing:
    listing = GpgListing()
    record = ""
    fpr = ""
    size = ""
    for line in output.splitlines():
        fields = line.split(":")
        if fields[0] in ("pub", "sec", "sub", "ssb"):
            record, size = fields[0], fields[2]
        elif fields[0] == "fpr":
            fpr = fields[9]
            if size.isdigit():
                listing.bits[fpr] = int(size)
            if record in ("pub", "sec"):
                listing.primaries.append(fpr)
            if record == "sec":
                listing.secret_primaries.append(fpr)
        elif fields[0] == "grp" and fpr:
            listing.grips[fpr] = fields[9]
    return listing


def gpg_available() -> None:
    if shutil.which("gpg") is None:
        pytest.skip("gpg not installed")


def show_keys(path: Path, home: Path) -> GpgListing:
    """`gpg --show-keys --with-colons --with-keygrip` on a key file."""
    gpg_available()
    home.mkdir(mode=0o700, exist_ok=True)
    result = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--show-keys", "--with-colons",
         "--with-keygrip", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    stop_agent(home)
    return _parse(result.stdout)


@dataclass
class GpgKeyView:
    """What gpg shows for one primary key: validity letter, expiry, user IDs and subkeys."""

    validity: str
    user_ids: list[str] = field(default_factory=list)
    subkeys: list[str] = field(default_factory=list)
    #: Expiry as gpg prints it (ISO 8601 UTC), None when it shows none.
    expires: str | None = None
    #: User IDs and subkeys gpg shows as revoked ('r'; all of them when the key is).
    revoked_user_ids: list[str] = field(default_factory=list)
    revoked_subkeys: list[str] = field(default_factory=list)


def _iso(seconds: str) -> str | None:
    if not seconds:
        return None
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unescape(text: str) -> str:
    # --with-colons escapes ':' and control bytes as \xNN; the text holds one char a byte.
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape").encode(
        "latin-1").decode("utf-8", "backslashreplace")


def show_key_views(path: Path, home: Path) -> dict[str, GpgKeyView]:
    """Per primary fingerprint, gpg's validity, user IDs and subkeys (`--show-keys`)."""
    gpg_available()
    home.mkdir(mode=0o700, exist_ok=True)
    result = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--show-keys", "--with-colons", str(path)],
        # gpg writes a user ID's bytes as they are (not UTF-8 ones too): one char a byte.
        capture_output=True, text=True, encoding="latin-1", timeout=60, check=False,
    )
    stop_agent(home)
    views: dict[str, GpgKeyView] = {}
    view: GpgKeyView | None = None
    record = ""
    sub_revoked = False
    for line in result.stdout.splitlines():
        fields = line.split(":")
        if fields[0] in ("pub", "sec"):
            view, record = GpgKeyView(fields[1], expires=_iso(fields[6])), fields[0]
        elif fields[0] in ("sub", "ssb"):
            record, sub_revoked = fields[0], fields[1] == "r"
        elif fields[0] == "fpr" and view is not None:
            if record in ("pub", "sec"):
                views[fields[9]] = view
            elif record in ("sub", "ssb"):
                view.subkeys.append(fields[9])
                if sub_revoked:
                    view.revoked_subkeys.append(fields[9])
            record = ""
        elif fields[0] == "uid" and view is not None:
            view.user_ids.append(_unescape(fields[9]))
            if fields[1] == "r":
                view.revoked_user_ids.append(_unescape(fields[9]))
    return views


def stop_agent(home: Path) -> None:
    """Stop the gpg-agent gpg started for ``home`` (it would outlive the test run)."""
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
                   capture_output=True, timeout=30, check=False)


def list_home(home_copy: Path, secret: bool = False) -> GpgListing:
    """`gpg --list-keys` (or --list-secret-keys) on a writable copy of a GnuPG home."""
    gpg_available()
    option = "--list-secret-keys" if secret else "--list-keys"
    result = subprocess.run(
        ["gpg", "--homedir", str(home_copy), "--batch", "--no-auto-check-trustdb", option,
         "--with-colons", "--with-keygrip"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    stop_agent(home_copy)
    return _parse(result.stdout)


def list_packets(path: Path, home: Path) -> str:
    """`gpg --list-packets` on a file (what gpg reads from it, nothing imported)."""
    gpg_available()
    home.mkdir(mode=0o700, exist_ok=True)
    result = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--list-packets", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    stop_agent(home)
    return result.stdout

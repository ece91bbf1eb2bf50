"""Which vault of a wallet extension's LevelDB folder is the current one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.extractor_harness import LocalFolderContext, _view
from triage.extractors.crypto.wallet_folders import identify_extension_vault

from .paths import btcrecover_wallet

METAMASK = "nkbihfbeogaeaoehlefnkodbefgpgknn"


def _vault(salt: str) -> str:
    return json.dumps({"data": "QUJD" * 8 + salt, "iv": "aXZpdml2aXY=", "salt": salt},
                      separators=(",", ":"))


def _record(salt: str) -> bytes:
    """A LevelDB log record of MetaMask's state: the vault is a JSON string inside JSON."""
    state = json.dumps({"KeyringController": {"vault": _vault(salt)}})
    return b"\x00\x11\x22\x33\x40\x00\x01" + state.encode()


def _identify(folder: Path):
    ctx = LocalFolderContext(folder.parent)
    return identify_extension_vault(_view(folder.parent, folder), ctx)


def _salt(vault: str) -> str:
    return json.loads(vault)["salt"]


def test_the_newest_record_of_the_newest_file_is_the_vault(tmp_path) -> None:
    folder = tmp_path / METAMASK
    folder.mkdir()
    # Tables hold older state than the log; a higher number is newer.
    (folder / "000005.ldb").write_bytes(_record("c2FsdEE="))
    (folder / "000007.ldb").write_bytes(_record("c2FsdEQ="))
    # The log, listed first by name, holds B and then (appended later) C.
    (folder / "000003.log").write_bytes(_record("c2FsdEI=") + _record("c2FsdEM=")
                                        + _record("c2FsdEM="))
    (folder / "CURRENT").write_text("MANIFEST-000001\n")
    info = _identify(folder)
    assert _salt(info.extra["vault"]) == "c2FsdEM="
    older = info.extra["older_vaults"]
    assert [_salt(v["vault"]) for v in older] == ["c2FsdEI=", "c2FsdEQ=", "c2FsdEE="]
    assert [v["file"] for v in older] == ["000003.log", "000007.ldb", "000005.ldb"]
    assert older[0]["offset"] == (folder / "000003.log").read_bytes().index(b'{\\"data')


def test_a_single_vault_has_no_older_ones(tmp_path) -> None:
    folder = tmp_path / METAMASK
    folder.mkdir()
    (folder / "000003.log").write_bytes(_record("c2FsdEE=") * 2)
    info = _identify(folder)
    assert _salt(info.extra["vault"]) == "c2FsdEE="
    assert "older_vaults" not in info.extra


def test_btcrecover_metamask_folder_reports_the_vault_of_the_current_password() -> None:
    """btcrecover's folder says: current password btcr-test-password, previous one
    "password". Its log holds the vault salted 13+DUqg… (decrypts with "password") and
    then the one salted cxp0pRts… (decrypts with btcr-test-password)."""
    folder = btcrecover_wallet(f"metamask/{METAMASK}")
    info = _identify(folder)
    assert _salt(info.extra["vault"]).startswith("cxp0pRts")
    (older,) = info.extra["older_vaults"]
    assert _salt(older["vault"]).startswith("13+DUqg")
    assert older["file"] == "000003.log"

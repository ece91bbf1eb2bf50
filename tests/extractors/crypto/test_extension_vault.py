"""Which vault of a wallet extension's LevelDB folder is the current one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.extractor_harness import LocalFolderContext, _view, run_extractor
from triage.extractors.crypto import CryptoExtractor
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


def _identify(folder: Path, warnings: list | None = None):
    ctx = LocalFolderContext(folder.parent)
    info = identify_extension_vault(_view(folder.parent, folder), ctx)
    if warnings is not None:
        warnings += ctx.warnings
    return info


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
    warnings: list = []
    info = _identify(folder, warnings)
    # Without LevelDB framing, file order is all there is to go by, and a warning says so.
    assert len(warnings) == 3 and all("by pattern" in message for message, _ in warnings)
    assert _salt(info.extra["vault"]) == "c2FsdEM="
    older = info.extra["older_vaults"]
    assert [_salt(v["vault"]) for v in older] == ["c2FsdEI=", "c2FsdEQ=", "c2FsdEE="]
    assert [v["file"] for v in older] == ["000003.log", "000007.ldb", "000005.ldb"]
    assert older[0]["offset"] == (folder / "000003.log").read_bytes().index(b'{\\"data')
    assert "vault_sequence" not in info.extra and "sequence" not in older[0]


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
    # Sequence 22 is the last write; 16 the last one under the old password.
    assert (info.extra["vault_file"], info.extra["vault_sequence"]) == ("000003.log", 22)
    assert older["sequence"] == 16


# -- stores written by Debian's LevelDB (tests/data/leveldb/make_stores.py) ------------------

LEVELDB_DATA = Path(__file__).resolve().parents[2] / "data" / "leveldb"


def _store(name: str) -> tuple[Path, list[str]]:
    expected = json.loads((LEVELDB_DATA / name / "expected.json").read_text())
    return LEVELDB_DATA / name / METAMASK, expected["vaults_newest_first"]


@pytest.mark.parametrize("store", ["reordered", "reordered_uncompressed"])
def test_the_newest_vault_is_the_highest_sequence_not_the_highest_file(store: str) -> None:
    """Vault A was rewritten by a compaction into 000010.ldb; vault B, written after it,
    is in 000009.ldb. File order says A, sequence numbers say B."""
    folder, (newest, older) = _store(store)
    ctx = LocalFolderContext(folder.parent)
    info = identify_extension_vault(_view(folder.parent, folder), ctx)
    assert _salt(info.extra["vault"]) == newest
    assert (info.extra["vault_file"], info.extra["vault_sequence"]) == ("000009.ldb", 7)
    (previous,) = info.extra["older_vaults"]
    assert _salt(previous["vault"]) == older
    assert (previous["file"], previous["sequence"]) == ("000010.ldb", 5)
    assert info.addresses == ["0x" + "5a" * 20] and info.confidence == "format"
    assert not ctx.warnings


def test_vaults_in_snappy_compressed_tables_are_found_in_sequence_order() -> None:
    folder, salts = _store("compressed")
    info = _identify(folder)
    assert [_salt(info.extra["vault"])] + [_salt(v["vault"]) for v in info.extra["older_vaults"]] \
        == salts
    assert [v["file"] for v in info.extra["older_vaults"]] == ["000007.ldb", "000005.ldb"]
    assert json.loads(info.extra["vault"])["keyMetadata"]["params"]["iterations"] == 600000
    assert info.addresses == ["0x" + "5a" * 20]


def test_a_damaged_log_record_is_skipped_with_a_warning(tmp_path) -> None:
    """A write batch whose checksum fails is left out; the batches around it are kept."""
    folder = btcrecover_wallet(f"metamask/{METAMASK}")
    copy = tmp_path / METAMASK
    shutil.copytree(folder, copy)
    log = bytearray((copy / "000003.log").read_bytes())
    # Sequence 22 (the last write, at offset 67062) loses its checksum; 21 is then newest.
    log[67062 + 200] ^= 1
    (copy / "000003.log").write_bytes(bytes(log))
    ctx = LocalFolderContext(tmp_path)
    info = identify_extension_vault(_view(tmp_path, copy), ctx)
    assert _salt(info.extra["vault"]).startswith("cxp0pRts")
    assert info.extra["vault_sequence"] == 21
    ((message, path),) = ctx.warnings
    assert "1 damaged part(s) skipped, the first at offset 67062" in message
    assert path.endswith("000003.log")


def test_a_file_that_is_not_leveldb_is_searched_by_pattern_with_a_warning(tmp_path) -> None:
    folder = tmp_path / METAMASK
    shutil.copytree(_store("compressed")[0], folder)
    # A carved fragment: a vault record without LevelDB framing, named as a later log.
    (folder / "000011.log").write_bytes(_record("Y2FydmVk"))
    ctx = LocalFolderContext(tmp_path)
    info = identify_extension_vault(_view(tmp_path, folder), ctx)
    # Vaults with sequence numbers outrank the pattern-found one.
    assert _salt(info.extra["vault"]) == _store("compressed")[1][0]
    assert _salt(info.extra["older_vaults"][-1]["vault"]) == "Y2FydmVk"
    assert "sequence" not in info.extra["older_vaults"][-1]
    assert [path.rsplit("/", 1)[-1] for _, path in ctx.warnings] == ["000011.log"]


def test_scan_finds_the_vault_of_a_compressed_store(tmp_path) -> None:
    """End to end: the folder-level pass (extract_directory) over a Chrome profile."""
    settings = tmp_path / "disk/Users/fay/AppData/Local/Google/Chrome/User Data/Default"
    shutil.copytree(_store("compressed")[0], settings / "Local Extension Settings" / METAMASK)
    result = run_extractor(CryptoExtractor(), tmp_path / "disk")
    (finding,) = [f for _, f in result.findings if f.type == "wallet.metamask"]
    assert finding.path.endswith(f"/Local Extension Settings/{METAMASK}")
    assert _salt(finding.attributes["vault"]) == _store("compressed")[1][0]
    assert finding.attributes["confidence"] == "format"
    assert finding.attributes["addresses"] == ["0x" + "5a" * 20]
    assert not result.warnings


def test_a_carved_metamask_11_vault_with_nested_key_metadata_is_found(tmp_path) -> None:
    folder = tmp_path / METAMASK
    folder.mkdir()
    vault = json.dumps({"data": "QUJD" * 8, "iv": "aXZpdml2aXY=",
                        "keyMetadata": {"algorithm": "PBKDF2", "params": {"iterations": 600000}},
                        "salt": "c2FsdEs="}, separators=(",", ":"))
    state = json.dumps({"KeyringController": {"vault": vault}}, separators=(",", ":"))
    (folder / "000003.log").write_bytes(b"\x00" * 7 + state.encode())
    info = _identify(folder)
    assert info.extra["vault"] == vault


def test_other_extensions_stores_are_not_parsed_unless_their_bytes_name_a_vault(
        tmp_path, monkeypatch) -> None:
    """Self-audit: every extension's LevelDB store was parsed, its checksums in Python
    (60 ms a megabyte): an ad blocker's tens of megabytes cost seconds for nothing."""
    from triage.extractors.crypto import wallet_folders

    folder, _ = _store("compressed")
    settings = tmp_path / "Default" / "Local Extension Settings"
    other = settings / "cjpalhdlnbpafiamejdnhcphjbkeiagm"  # not a wallet
    shutil.copytree(folder, other)
    for path in other.iterdir():
        path.write_bytes(path.read_bytes().replace(b"KeyringController", b"FilterListState")
                         .replace(b"vault", b"lists"))
    parsed = []
    original = wallet_folders.read_file
    monkeypatch.setattr(wallet_folders, "read_file",
                        lambda name, data: parsed.append(name) or original(name, data))
    ctx = LocalFolderContext(tmp_path)
    assert identify_extension_vault(_view(tmp_path, other), ctx) is None
    assert parsed == []

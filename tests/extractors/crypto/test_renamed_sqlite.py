"""SQLite wallets under any name (``backupwallet`` writes wherever the user says) are
chosen by the tables named in the file's head, which the quick profile reads (4 KiB)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.extractor_harness import run_extractor
from tests.wal_pairs import write_wal_pair
from triage.engine.file_processor import QUICK_HEAD_SIZE
from triage.extractors.crypto import CryptoExtractor
from triage.extractors.interface import FileView

from .paths import btcrecover_wallet

CORE = "CREATE TABLE main(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL)"
CORE_ROWS = (
    "INSERT INTO main VALUES (x'0776657273696f6e', x'00000000')",  # \x07version
    "INSERT INTO main VALUES (x'046d6b657901000000', x'00')",  # \x04mkey
)


def _database(path: Path, *statements: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def _wanted(path: Path) -> bool:
    view = FileView(path="/" + path.name, name=path.name, size=path.stat().st_size)
    head = path.read_bytes()[:QUICK_HEAD_SIZE]
    return CryptoExtractor().wants_by_content(view, head, "application/vnd.sqlite3")


def test_a_renamed_descriptor_wallet_is_wanted_and_identified(tmp_path) -> None:
    wallet = _database(tmp_path / "misc/backup.bak", CORE, *CORE_ROWS)
    assert _wanted(wallet)
    (found,) = run_extractor(CryptoExtractor(), tmp_path).of_type("wallet.bitcoin_core")
    assert found.attributes["wallet_type"] == "sqlite"


def test_renamed_bither_and_msigna_databases_are_wanted(tmp_path) -> None:
    bither = _database(tmp_path / "a.bin", "CREATE TABLE addresses (address TEXT,"
                       " encrypt_private_key TEXT, pub_key TEXT)")
    msigna = _database(tmp_path / "b.bin", "CREATE TABLE Keychain (id INTEGER,"
                       " privkey_ciphertext BLOB)")
    assert _wanted(bither) and _wanted(msigna)


def test_other_sqlite_files_under_other_names_are_not_wanted(tmp_path) -> None:
    cookies = _database(tmp_path / "cookies.bak",
                        "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, name TEXT, value TEXT)",
                        "CREATE TABLE maintenance (key BLOB, value BLOB)",
                        "INSERT INTO moz_cookies VALUES (1, 'main', 'CREATE TABLE main')")
    assert not _wanted(cookies)


def test_a_renamed_wal_mode_wallet_whose_tables_are_only_in_its_log(tmp_path) -> None:
    wallet = tmp_path / "copy.bak"
    write_wal_pair(wallet, (), (CORE, *CORE_ROWS))
    assert _wanted(wallet)
    (found,) = run_extractor(CryptoExtractor(), tmp_path).of_type("wallet.bitcoin_core")
    assert found.attributes["encrypted"] is True


def test_btcrecover_descriptor_wallet_renamed_to_a_backup_name(tmp_path) -> None:
    source = btcrecover_wallet("bitcoincore-0.21.1-wallet.dat")
    target = tmp_path / "Users/bob/Documents/misc/backup.bak"
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    assert _wanted(target)
    (found,) = run_extractor(CryptoExtractor(), tmp_path).of_type("wallet.bitcoin_core")
    assert (found.attributes["wallet_type"], found.attributes["descriptors"]) == ("sqlite", 6)

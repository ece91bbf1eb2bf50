"""SQLite wallets under any name (``backupwallet`` writes wherever the user says) are
chosen by the tables named in the file's head, which the quick profile reads (4 KiB)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.extractor_harness import run_extractor
from tests.wal_pairs import write_wal_pair
from triage.engine.file_processor import QUICK_HEAD_SIZE
from triage.extractors.crypto import CryptoExtractor
from triage.extractors.crypto.sqlite_head import cannot_be_wallet_database
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


def _schema_sql(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
    finally:
        conn.close()


def test_application_databases_whose_whole_schema_names_no_wallet_are_not_read(tmp_path) -> None:
    # Browsers and applications keep hundreds of these; the extension alone used to get
    # each one read whole and opened.
    for name in ("history.sqlite", "cache.db", "store.sqlite3", "settings.dat"):
        database = _database(tmp_path / name,
                             "CREATE TABLE visits (id INTEGER PRIMARY KEY, url TEXT, seen REAL)",
                             "CREATE INDEX visits_url ON visits (url)",
                             "INSERT INTO visits VALUES (1, 'CREATE TABLE main', 0)")
        assert not _wanted(database), name
        assert not cannot_be_wallet_database(b"") and cannot_be_wallet_database(
            database.read_bytes()[:QUICK_HEAD_SIZE])


def test_databases_whose_schema_the_head_may_not_hold_whole_are_still_read(tmp_path) -> None:
    # A CREATE statement longer than page 1 can keep continues on an overflow page.
    columns = ", ".join(f"column_number_{i} TEXT" for i in range(200))
    spilled = _database(tmp_path / "spilled.sqlite", f"CREATE TABLE wide ({columns})")
    # So many tables that sqlite_master's root (page 1) became an interior page.
    tables = [f"CREATE TABLE t{i} (a_long_column_name_{i} TEXT, another_one_{i} TEXT)"
              for i in range(80)]
    interior = _database(tmp_path / "many.sqlite", *tables)
    # Pages larger than the quick profile's head.
    large = _database(tmp_path / "large.sqlite", "PRAGMA page_size = 8192",
                      "CREATE TABLE t (a TEXT)")
    wal = tmp_path / "wal.sqlite"
    write_wal_pair(wal, ("CREATE TABLE t (a TEXT)",), ("CREATE TABLE u (b TEXT)",))
    for database in (spilled, interior, large, wal):
        assert _wanted(database), database.name
    assert _wanted(_database(tmp_path / "d.db", CORE, *CORE_ROWS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=st.lists(st.tuples(
    st.sampled_from(["t", "Main", "addresses", "hd_seeds", "password_seed", "Keychain", "notes"]),
    st.lists(st.sampled_from(["a", "key", "value", "encrypt_private_key", "encrypt_seed",
                              "privkey_ciphertext", "x" * 300]), min_size=1, max_size=12,
             unique=True)), min_size=0, max_size=20, unique_by=lambda t: t[0]),
    page_size=st.sampled_from([512, 1024, 4096, 8192]))
def test_ruling_a_database_out_agrees_with_sqlites_own_schema(tmp_path, tables, page_size) -> None:
    path = tmp_path / "x.sqlite"
    path.unlink(missing_ok=True)
    statements = [f"PRAGMA page_size = {page_size}"] + [
        f'CREATE TABLE "{name}" ({", ".join(columns)})' for name, columns in tables]
    _database(path, *statements)
    head = path.read_bytes()[:QUICK_HEAD_SIZE]
    if cannot_be_wallet_database(head):
        for sql in _schema_sql(path):
            # Whole in the head, and naming nothing a wallet identifier looks for.
            assert sql.encode() in head
            assert not any(word in sql.lower() for word in
                           ("main", "encrypt_private_key", "password_seed", "encrypt_seed",
                            "privkey_ciphertext"))
    elif head:
        sql_text = " ".join(_schema_sql(path)).lower()
        small = len(tables) <= 3 and "x" * 300 not in sql_text and page_size <= QUICK_HEAD_SIZE
        # A few short tables fit page 1 whole: such a database is ruled out unless its
        # schema names what a wallet has.
        assert not small or any(word in sql_text for word in (
            "main", "encrypt_private_key", "password_seed", "encrypt_seed", "privkey_ciphertext"))

"""Wallet databases in WAL mode (Android's default, Bitcoin Core after a switch): found,
with the records that are only in the -wal file."""

from __future__ import annotations

from tests.extractor_harness import run_extractor
from tests.wal_pairs import write_wal_pair
from triage.extractors.crypto import CryptoExtractor

BITHER_SCHEMA = (
    "CREATE TABLE addresses (address TEXT NOT NULL PRIMARY KEY, encrypt_private_key TEXT,"
    " pub_key TEXT NOT NULL, is_xrandom INTEGER NOT NULL, is_trash INTEGER NOT NULL,"
    " is_synced INTEGER NOT NULL, sort_time INTEGER NOT NULL)",
    "CREATE TABLE password_seed (password_seed TEXT NOT NULL PRIMARY KEY)",
)
BITHER_ROW = ("INSERT INTO addresses VALUES ('1BUoAfr3N6RcH3JArntzoFGfk9hrgU4i5a', 'enc', '02ab',"
              " 0, 0, 1, 0)",)
CORE_SCHEMA = ("CREATE TABLE main(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL)",)
CORE_ROWS = (
    "INSERT INTO main VALUES (x'0776657273696f6e', x'00000000')",  # \x07version
    "INSERT INTO main VALUES (x'046d6b657901000000', x'00')",  # \x04mkey
)


def test_a_bither_database_in_wal_mode_is_found_with_its_logged_address(tmp_path) -> None:
    write_wal_pair(tmp_path / "Android/data/net.bither/databases/address.db",
                   BITHER_SCHEMA, BITHER_ROW)
    result = run_extractor(CryptoExtractor(), tmp_path)
    (wallet,) = result.of_type("wallet.bither")
    assert wallet.attributes["addresses"] == ["1BUoAfr3N6RcH3JArntzoFGfk9hrgU4i5a"]


def test_a_descriptor_wallet_whose_records_are_only_in_the_log(tmp_path) -> None:
    write_wal_pair(tmp_path / "home/carol/.bitcoin/wallets/w/wallet.dat", CORE_SCHEMA, CORE_ROWS)
    result = run_extractor(CryptoExtractor(), tmp_path)
    (wallet,) = result.of_type("wallet.bitcoin_core")
    assert wallet.attributes["wallet_type"] == "sqlite"
    assert wallet.attributes["encrypted"] is True

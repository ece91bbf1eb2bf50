"""Wallet identifiers on real wallets (btcrecover's GPL test wallets, read in place) and on
the self-made samples, checked against facts about each file (format, encryption, keys)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from triage.extractors.crypto.base58 import b58check_encode
from triage.extractors.crypto.hashes import hash160
from triage.extractors.crypto.identify import identify
from triage.extractors.crypto.protobuf import parse_message
from triage.extractors.crypto.wallet_core import identify_core_wallet
from triage.extractors.crypto.wallet_json import (
    identify_blockchain_com,
    identify_electrum,
    identify_keystore,
    identify_metamask_vault,
)
from triage.extractors.crypto.wallet_misc import (
    identify_armory,
    identify_monero,
    identify_multibit,
    identify_sqlite_apps,
    monero_keys_structure,
)
from triage.extractors.crypto.wallet_protobuf import identify_bitcoinj, identify_coinomi

from .paths import TREE, btcrecover_wallet


def _read(name: str) -> bytes:
    return btcrecover_wallet(name).read_bytes()


def test_bitcoin_core_berkeley_db() -> None:
    data = _read("bitcoincore-wallet.dat")
    info = identify_core_wallet(data, "/home/a/.bitcoin/wallet.dat")
    assert info.kind == "bitcoin_core" and info.wallet_type == "berkeley_db"
    assert info.encrypted is True and info.confidence == "format"
    # every recorded address is a 'name' record with a valid checksum
    assert info.addresses and all(identify(a).checksum_valid for a in info.addresses)
    assert all(b"\x04name" + bytes([len(a)]) + a.encode() in data for a in info.addresses)
    assert identify_core_wallet(data, "/home/a/.litecoin/wallet.dat").coin == ["BTC"]


def test_bitcoin_core_sqlite_descriptor_wallet() -> None:
    path = btcrecover_wallet("bitcoincore-0.21.1-wallet.dat")
    info = identify_core_wallet(path.read_bytes())
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        keys = [bytes(k) for (k,) in conn.execute("SELECT key FROM main")]
    assert info.wallet_type == "sqlite" and info.encrypted is True
    assert any(k.startswith(b"\x04mkey") for k in keys)
    assert info.extra["descriptors"] == sum(k.startswith(b"\x10walletdescriptor") for k in keys)
    assert info.extra["descriptors"] > 0


def test_fork_coin_from_path_when_addresses_are_ambiguous() -> None:
    data = _read("bitcoincore-0.21.1-wallet.dat")
    assert identify_core_wallet(data, "/home/a/.dogecoin/wallet.dat").coin == ["DOGE"]


@pytest.mark.parametrize(
    ("name", "wallet_type", "encrypted"),
    [
        ("electrum2-wallet", "standard", True),
        ("electrum27-wallet", "standard", True),
        ("electrum2-loosekey-wallet", "imported", True),
        ("electrum4_4_3_unencrypted", "standard", True),
        ("electrum28-wallet", "encrypted_file", True),
        ("electrum41-wallet", "encrypted_file", True),
    ],
)
def test_electrum(name: str, wallet_type: str, encrypted: bool) -> None:
    data = _read(name)
    info = identify_electrum(data)
    assert (info.kind, info.wallet_type, info.encrypted) == ("electrum", wallet_type, encrypted)
    if not data.startswith(b"QklFMQ"):
        doc = json.loads(data)
        expected = set(doc.get("addr_history", {}))
        expected |= {a for group in doc.get("addresses", {}).values() for a in group}
        for account in doc.get("accounts", {}).values():
            expected |= set(account.get("imported", {}))
            # Electrum 2.0 lists public keys: their P2PKH addresses.
            expected |= {b58check_encode(b"\x00" + hash160(bytes.fromhex(key)))
                         for chain in ("receiving", "change") for key in account.get(chain, [])}
        assert set(info.addresses) == expected


@pytest.mark.parametrize(
    ("name", "wallet_type", "addresses"),
    [
        ("blockchain-v2.0-wallet.aes.json", "v2", []),
        ("blockchain-v3.0-MAY2020-wallet.aes.json", "v3", []),
        (
            "blockchain-unencrypted-wallet.aes.json",
            "unencrypted_backup",
            ["1BUoAfr3N6RcH3JArntzoFGfk9hrgU4i5a"],
        ),
    ],
)
def test_blockchain_com(name: str, wallet_type: str, addresses: list[str]) -> None:
    info = identify_blockchain_com(_read(name), name)
    assert info.kind == "blockchain_com" and info.wallet_type == wallet_type
    assert info.addresses == addresses and info.encrypted is True


@pytest.mark.parametrize(
    "name", ["utc-keystore-v3-pbkdf2-custom.json", "utc-keystore-v3-scrypt-myetherwallet.json"]
)
def test_ethereum_keystore(name: str) -> None:
    data = _read(name)
    info = identify_keystore(data)
    doc = json.loads(data)
    assert info.kind == "ethereum_keystore" and info.encrypted is True
    assert info.extra["kdf"] == doc["crypto"]["kdf"]
    assert [a.lower() for a in info.addresses] == ["0x" + doc["address"]]
    assert identify(info.addresses[0]).checksum_valid is True


def test_imtoken_identity() -> None:
    info = identify_keystore(_read("imtoken-identity.json"))
    assert info.kind == "imtoken" and info.extra["network"] == "MAINNET"


def test_metamask_vault_json() -> None:
    info = identify_metamask_vault(_read("metamask_vault_v11_12_1.txt"))
    assert info.kind == "metamask" and info.confidence == "format"
    assert identify_metamask_vault(b'{"data": "x", "iv": "y", "salt": "z"}', "/tmp/a.json") is None


def test_multibit_files() -> None:
    key = identify_multibit(_read("multibit-wallet.key"), "/x/multibit-wallet.key")
    assert (key.kind, key.wallet_type, key.confidence) == ("multibit", "key_export", "location")
    hd = identify_multibit(_read("mbhd.wallet.aes"), "/x/mbhd.wallet.aes")
    assert (hd.wallet_type, hd.app) == ("mbhd", "MultiBit HD")
    assert identify_multibit(_read("mbhd.wallet.aes"), "/x/other.aes") is None


def test_bitcoinj_wallet() -> None:
    data = _read("multibit.wallet.bitcoinj.encrypted")
    info = identify_bitcoinj(data, "/home/a/MultiBit/multibit.wallet")
    fields = parse_message(data)
    assert info.wallet_type == "org.bitcoin.production" and info.app == "MultiBit Classic"
    assert info.encrypted is ([f.value for f in fields if f.number == 5] == [2])
    assert info.addresses and all(identify(a).checksum_valid for a in info.addresses)


def test_coinomi_wallet() -> None:
    data = _read("coinomi.wallet.desktop")
    info = identify_coinomi(data, "/x/coinomi.wallet.desktop")
    assert info.kind == "coinomi" and info.encrypted is True
    assert {"BTC", "LTC", "ETH", "DOGE"} <= set(info.coin)
    assert b"bitcoin.main" in data and b"litecoin.main" in data


def test_formats_do_not_claim_each_other() -> None:
    data = _read("coinomi.wallet.desktop")
    assert identify_bitcoinj(data) is None and identify_electrum(data) is None
    assert identify_coinomi(_read("multibit.wallet.bitcoinj.encrypted")) is None
    assert identify_core_wallet(_read("electrum27-wallet")) is None


def test_self_made_samples() -> None:
    home = TREE / "home" / "alice"
    keys = (home / "Monero" / "wallets" / "alice" / "alice.keys").read_bytes()
    assert monero_keys_structure(keys)
    assert monero_keys_structure(keys + b"x") is False
    assert identify_monero(keys, "/a/alice.keys").confidence == "format"
    assert identify_monero(keys + b"x", "/a/alice.keys") is None
    assert identify_monero(keys + b"x", "/a/alice.keys", has_cache=True).confidence == "location"
    armory = identify_armory((home / ".armory" / "armory_2xCdCyG3_.wallet").read_bytes())
    assert armory.encrypted is True and armory.extra["network"] == "main"
    roaming = TREE / "Users" / "bob" / "AppData" / "Roaming"
    bither = identify_sqlite_apps((roaming / "Bither" / "address.db").read_bytes())
    assert bither.kind == "bither" and len(bither.addresses) == 1
    assert (
        identify_sqlite_apps((roaming / "mSIGNA" / "savings.vault").read_bytes()).kind == "msigna"
    )


def test_generic_sqlite_is_not_a_wallet(tmp_path) -> None:
    path = tmp_path / "places.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE main (key BLOB, value BLOB)")
        conn.execute("INSERT INTO main VALUES (x'0568656c6c6f', x'00')")
        conn.execute("CREATE TABLE addresses (address TEXT)")
    conn.close()
    data = path.read_bytes()
    assert identify_core_wallet(data) is None and identify_sqlite_apps(data) is None


def _electrum1_literal(transactions: int) -> bytes:
    """An Electrum 1.x wallet file: the repr() of a dict, as that version wrote it."""
    wallet = {
        "seed_version": 4, "use_encryption": True,
        "master_public_key": "ab" * 64, "seed": "cd" * 32,
        "addresses": ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"], "change_addresses": [],
        "transactions": {f"{i:064x}": "00" * 200 for i in range(transactions)},
    }
    return repr(wallet).encode()


def test_electrum1_literal_wallets_small_and_too_big_to_parse_whole() -> None:
    """Found by fuzzing: a multi-MB literal went through ast four times (minutes, GBs)."""
    from triage.extractors.crypto import wallet_json

    small, big = _electrum1_literal(10), _electrum1_literal(2000)
    assert len(small) < wallet_json.MAX_LITERAL_BYTES < len(big)
    for data in (small, big):
        info = identify_electrum(data, "/home/u/.electrum/wallets/default_wallet")
        wallet_json.forget_document()
        assert info is not None and info.wallet_type == "old" and info.encrypted is True
        assert info.extra["seed_version"] == 4


def test_a_wallet_file_is_parsed_once_for_all_json_identifiers(monkeypatch) -> None:
    from triage.extractors.crypto import wallet_json

    calls = []
    real = wallet_json._parse_document
    monkeypatch.setattr(wallet_json, "_parse_document", lambda data: calls.append(1) or real(data))
    data = _electrum1_literal(10)
    for identifier in wallet_json.JSON_IDENTIFIERS:
        identifier(data, "")
    wallet_json.forget_document()
    assert len(calls) == 1


def test_electrum_imported_address_wallet_is_keyed_by_address() -> None:
    """Electrum 4 imported-address wallets map each address to its pubkey and script type,
    with no address history when nothing was received yet."""
    address = "1J5ApTWD24ZBKzkYgnoN5NacXCP9u4rAkp"
    pubkey = "039bb38c166e55c595891b78325da2025d013ecd5d9694b05e210b48a01168065c"
    doc = {"addresses": {address: {"pubkey": pubkey, "type": "p2pkh"}},
           "keystore": {"keypairs": {pubkey: "L1..."}, "type": "imported"},
           "seed_version": 52, "use_encryption": False, "wallet_type": "imported"}
    info = identify_electrum(json.dumps(doc).encode())
    assert (info.wallet_type, info.addresses) == ("imported", [address])


def test_a_python_literal_with_odd_escapes_parses_without_a_compiler_warning() -> None:
    """Python's compiler warns about "\\o" in a literal's strings (printed to standard
    error from Python 3.12 on); hostile Electrum 1.x files must not make a scan noisy."""
    import warnings

    from triage.extractors.crypto.wallet_json import _parse_document

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _parse_document(b"{'seed_version': 4, 'note': '\\o\\9'}") == {
            "seed_version": 4, "note": "\\o\\9"}

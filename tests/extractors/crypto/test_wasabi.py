"""Wasabi / Ginger Wallet key managers: identified, their listed keys' addresses given with
labels and states; checked against the keys NBitcoin wrote (GingerWallet's own test
fixture) and BIP-84/BIP-86's published vectors."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractor_harness import run_extractor
from tests.extractors.crypto.paths import VECTORS
from triage.extractors.crypto import CryptoExtractor
from triage.extractors.crypto.bip32_public import (
    p2tr_address,
    p2wpkh_address,
    parse_extended_public_key,
)
from triage.extractors.crypto.wallet_wasabi import identify_wasabi

KEY_MANAGER = VECTORS / "gingerwallet_keymanager.json"


def _document() -> dict:
    return json.loads(KEY_MANAGER.read_text())


def _bip_vectors(name: str, purpose: str) -> list[tuple[str, str]]:
    """(xpub of m/<purpose>'/0'/0'/c/i, address) pairs from a committed BIP text."""
    text = (VECTORS / name).read_text()
    return [(m[1], m[2]) for m in re.finditer(
        rf"m/{purpose}'/0'/0'/\d/\d.*?xpub\s*=\s*(\w+).*?address\s*=\s*(bc1\w+)", text, re.S)]


def test_p2tr_addresses_match_bip86() -> None:
    vectors = _bip_vectors("bip-0086.mediawiki", "86")
    assert len(vectors) == 3
    for xpub, address in vectors:
        assert p2tr_address(parse_extended_public_key(xpub).key) == address


def test_p2wpkh_addresses_match_bip84() -> None:
    text = (VECTORS / "bip-0084.mediawiki").read_text()
    pairs = re.findall(r"pubkey\s*=\s*(0[23][0-9a-f]{64}).*?address\s*=\s*(bc1\w+)", text, re.S)
    assert len(pairs) == 3
    for key, address in pairs:
        assert p2wpkh_address(bytes.fromhex(key)) == address


def test_the_listed_keys_are_the_account_keys_children() -> None:
    """NBitcoin wrote HdPubKeys from ExtPubKey: our BIP-32 derivation gives the same keys."""
    doc = _document()
    receiving = parse_extended_public_key(doc["ExtPubKey"]).child(0)
    for index, entry in enumerate(doc["HdPubKeys"]):
        assert entry["FullKeyPath"] == f"84'/0'/0'/0/{index}"
        assert receiving.child(index).key.hex() == entry["PubKey"]


def test_a_hot_wallet_is_identified_with_its_addresses_and_labels() -> None:
    doc = _document()
    info = identify_wasabi(KEY_MANAGER.read_bytes(), "/Users/bob/AppData/Roaming/WalletWasabi"
                                                      "/Client/Wallets/Wallet 1.json")
    assert (info.kind, info.wallet_type, info.encrypted, info.app) == (
        "wasabi", "hot", True, "Wasabi Wallet")
    expected = [p2wpkh_address(bytes.fromhex(e["PubKey"])) for e in doc["HdPubKeys"]]
    assert info.addresses == expected and len(expected) == 22
    assert all(a.startswith("bc1q") for a in expected)
    extra = info.extra
    assert (extra["master_fingerprint"], extra["account_key_path"], extra["network"]) == (
        "a60e43c8", "84'/0'/0'", "main")
    assert extra["encrypted_secret"] == doc["EncryptedSecret"]
    assert extra["labels"] == [{"address": expected[0], "path": "84'/0'/0'/0/0",
                                "label": "Alice, Bob", "state": "clean"}]
    assert extra["key_states"] == {"clean": 22}
    assert "derived_addresses" not in extra


def test_ginger_wallet_watch_only_and_hardware_wallets() -> None:
    doc = _document()
    ginger = identify_wasabi(KEY_MANAGER.read_bytes(), "/home/x/.walletwasabi/../GingerWallet/"
                                                       "Client/Wallets/a.json")
    assert ginger.app == "Ginger Wallet"
    watch = dict(doc, EncryptedSecret=None, MasterFingerprint=None)
    info = identify_wasabi(json.dumps(watch).encode())
    assert (info.wallet_type, info.encrypted) == ("watch_only", None)
    assert "encrypted_secret" not in info.extra
    hardware = dict(doc, EncryptedSecret=None)
    assert identify_wasabi(json.dumps(hardware).encode()).wallet_type == "hardware"


def test_used_taproot_and_coinjoin_keys() -> None:
    doc = _document()
    taproot = parse_extended_public_key(doc["TaprootExtPubKey"]).child(0).child(0)
    doc["HdPubKeys"][1]["KeyState"] = 2
    doc["HdPubKeys"].append({"PubKey": taproot.key.hex(), "FullKeyPath": "86'/0'/0'/0/0",
                             "Label": "market", "KeyState": 2})
    doc["CoinJoinTransactions"] = ["26840cbedaa0698afeb5acae887e487ec658dc810b2ca36cfb358de4d8c36b7d",
                                   "not a txid"]
    info = identify_wasabi(json.dumps(doc).encode())
    assert info.addresses[-1] == p2tr_address(taproot.key) and info.addresses[-1].startswith("bc1p")
    assert info.extra["key_states"] == {"clean": 21, "used": 2}
    assert info.extra["labels"][-1]["label"] == "market"
    assert info.extra["coinjoin_count"] == 1


def test_a_wallet_listing_no_keys_gets_addresses_derived_within_its_gap() -> None:
    doc = dict(_document(), HdPubKeys=[])
    info = identify_wasabi(json.dumps(doc).encode())
    assert info.addresses == []
    derived = info.extra["derived_addresses"]
    listed = _document()["HdPubKeys"]
    # Derived as BIP-84 addresses although the key carries xpub's version bytes.
    assert derived[0] == {"path": "m/0/0",
                          "address": p2wpkh_address(bytes.fromhex(listed[0]["PubKey"]))}
    assert len(derived) == 2 * 22 and "gap limit" in info.extra["derived_from"]


def test_other_documents_are_not_wasabi() -> None:
    assert identify_wasabi(b'{"ExtPubKey": "xpub"}') is None
    assert identify_wasabi(b'{"EncryptedSecret": "6P", "HdPubKeys": []}') is None
    assert identify_wasabi(b"[1, 2]") is None
    electrum = {"seed_version": 18, "keystore": {"xpub": _document()["ExtPubKey"]}}
    assert identify_wasabi(json.dumps(electrum).encode()) is None


def test_found_in_a_wallet_folder_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "Users/bob/AppData/Roaming/WalletWasabi/Client/Wallets"
    folder.mkdir(parents=True)
    (folder / "Wallet 1.json").write_bytes(KEY_MANAGER.read_bytes())
    (found,) = run_extractor(CryptoExtractor(), tmp_path).of_type("wallet.wasabi")
    assert found.attributes["wallet_type"] == "hot" and len(found.attributes["addresses"]) == 22


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_damaged_key_lists_never_raise(data) -> None:
    doc = copy.deepcopy(_document())
    junk = st.one_of(st.none(), st.integers(), st.text(max_size=80), st.binary(max_size=8).map(
        lambda b: b.hex()), st.lists(st.integers(), max_size=3), st.dictionaries(
        st.text(max_size=5), st.integers(), max_size=2))
    for entry in doc["HdPubKeys"][:5]:
        field = data.draw(st.sampled_from(["PubKey", "FullKeyPath", "Label", "KeyState"]))
        entry[field] = data.draw(junk)
    doc["BlockchainState"] = data.draw(st.one_of(junk, st.just({"Network": "TestNet"})))
    doc["MinGapLimit"] = data.draw(st.one_of(junk, st.integers(-5, 10**9)))
    info = identify_wasabi(json.dumps(doc).encode())
    assert info is not None and len(info.addresses) <= 22

"""Addresses below an extended public key, checked against BIP-32's and BIP-84's published
vectors and against the public keys an Electrum 2.0 wallet lists for itself."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.crypto.paths import VECTORS, btcrecover_wallet
from triage.extractors.crypto.base58 import b58check_encode
from triage.extractors.crypto.bip32_public import derived_addresses, parse_extended_public_key
from triage.extractors.crypto.hashes import hash160
from triage.extractors.crypto.wallet_json import identify_electrum

# BIP-32 test vector 1: the extended public keys of m/0H and of its child m/0H/1.
BIP32_M_0H = ("xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTs"
              "fTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw")
BIP32_M_0H_1 = ("xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5"
                "uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ")


def _bip84() -> tuple[str, dict[str, str]]:
    """BIP-84's account zpub and its addresses, read from the committed BIP text."""
    text = (VECTORS / "bip-0084.mediawiki").read_text()
    account = re.search(r"xpub\s*=\s*(zpub\w+)", text)[1]
    addresses = {f"m/{m[1]}/{m[2]}": m[3] for m in re.finditer(
        r"m/84'/0'/0'/(\d)/(\d).*?address\s*=\s*(bc1\w+)", text, re.S)}
    return account, addresses


def test_public_child_matches_bip32_vector_1() -> None:
    parent, child = parse_extended_public_key(BIP32_M_0H), parse_extended_public_key(BIP32_M_0H_1)
    derived = parent.child(1)
    assert (derived.key, derived.chain_code) == (child.key, child.chain_code)


def test_addresses_match_bip84() -> None:
    account, expected = _bip84()
    assert len(expected) == 3
    found = {item["path"]: item["address"] for item in derived_addresses(account)}
    assert {path: found[path] for path in expected} == expected
    assert len(found) == 30


def test_electrum_2_public_keys_are_what_its_master_key_gives() -> None:
    """electrum2-wallet lists its receiving and change public keys under accounts["0"]
    beside its master public key: the keys' P2PKH addresses are the derived ones."""
    doc = json.loads(btcrecover_wallet("electrum2-wallet").read_text())
    account = doc["accounts"]["0"]
    derived = {item["path"]: item["address"] for item in derived_addresses(
        doc["master_public_keys"]["x/"], len(account["receiving"]), len(account["change"]))}
    for branch, name in ((0, "receiving"), (1, "change")):
        for index, key in enumerate(account[name]):
            address = b58check_encode(b"\x00" + hash160(bytes.fromhex(key)))
            assert derived[f"m/{branch}/{index}"] == address
    info = identify_electrum(btcrecover_wallet("electrum2-wallet").read_bytes())
    assert set(derived.values()) <= set(info.addresses)


def test_a_wallet_keeping_only_its_key_gets_derived_addresses() -> None:
    account, expected = _bip84()
    wallet = json.dumps({"seed_version": 18, "wallet_type": "standard", "use_encryption": True,
                         "keystore": {"type": "bip32", "xpub": account, "xprv": "(encrypted)"}})
    info = identify_electrum(wallet.encode())
    assert info.addresses == []
    derived = info.extra["derived_addresses"]
    assert derived[0] == {"path": "m/0/0", "address": expected["m/0/0"]}
    assert derived[20] == {"path": "m/1/0", "address": expected["m/1/0"]}
    assert "the wallet may have used more" in info.extra["derived_from"]


@pytest.mark.parametrize("text", ["", "xpub", BIP32_M_0H[:-1] + "x", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"])
def test_not_a_key_gives_nothing(text: str) -> None:
    assert derived_addresses(text) == []


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=78, max_size=78))
def test_any_78_bytes_never_raise(payload: bytes) -> None:
    text = b58check_encode(payload)
    assert isinstance(derived_addresses(text, 1, 1), list)

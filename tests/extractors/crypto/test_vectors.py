"""Checksum code against the official vectors (Bitcoin Core, BIP-173/350, Trezor, ERC-55)."""

from __future__ import annotations

import ast
import hashlib
import json
import re

import pytest

from triage.extractors.crypto.base58 import b58decode, b58encode
from triage.extractors.crypto.bech32 import bech32_decode, segwit_decode
from triage.extractors.crypto.bip39_english import WORDS
from triage.extractors.crypto.identify import (
    EXTENDED_KEY,
    PRIVATE_KEY,
    eip55_checksum,
    identify,
    identify_base58,
    identify_ethereum,
    identify_segwit,
)
from triage.extractors.crypto.seeds import bip39_entropy, bip39_from_entropy, bip39_is_valid
from triage.extractors.crypto.text_scan import scan_text

from .paths import VECTORS

# BIP-39's published SHA-256 of english.txt (bip-0039/bip-0039-wordlists.md).
ENGLISH_SHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"


def _key_io_valid() -> list[list]:
    return json.loads((VECTORS / "key_io_valid.json").read_text())


def _superseded_by_bip350(address: str) -> bool:
    """This key_io_valid.json predates BIP-350: its witness v1+ entries use bech32."""
    decoded = bech32_decode(address)
    return decoded is not None and decoded[2] == "bech32" and decoded[1][0] != 0


def _script(found, address: str) -> bytes:
    if found.kind == "p2pkh":
        return b"\x76\xa9\x14" + found.payload + b"\x88\xac"
    if found.kind == "p2sh":
        return b"\xa9\x14" + found.payload + b"\x87"
    return segwit_decode(address).script_pubkey()


def test_wordlist_matches_published_hash() -> None:
    text = "\n".join(WORDS) + "\n"
    assert len(WORDS) == 2048
    assert hashlib.sha256(text.encode()).hexdigest() == ENGLISH_SHA256
    assert text == (VECTORS / "english.txt").read_text()


@pytest.mark.parametrize("row", _key_io_valid(), ids=lambda row: row[0][:20])
def test_key_io_valid(row: list) -> None:
    text, hexdata, meta = row
    if _superseded_by_bip350(text):
        assert identify(text).checksum_valid is False
        return
    found = identify(text)
    assert found is not None and found.checksum_valid is True
    if meta["isPrivkey"]:
        assert found.type == PRIVATE_KEY
        assert found.payload.hex() == hexdata
        assert (found.kind == "wif_compressed") == meta["isCompressed"]
    else:
        assert _script(found, text).hex() == hexdata
        if meta["chain"] == "main":
            assert found.network == "main"


def test_key_io_invalid() -> None:
    rows = json.loads((VECTORS / "key_io_invalid.json").read_text())
    assert len(rows) > 50
    for (text,) in rows:
        found = identify(text) if text else None
        assert found is None or found.checksum_valid is not True, text


def test_base58_encode_decode() -> None:
    for hexdata, text in json.loads((VECTORS / "base58_encode_decode.json").read_text()):
        assert b58encode(bytes.fromhex(hexdata)) == text
        assert b58decode(text, max_length=1000) == bytes.fromhex(hexdata)


def _bech32_ref() -> dict[str, list]:
    tree = ast.parse((VECTORS / "bech32_ref_tests.py.txt").read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name.startswith(("VALID_", "INVALID_")):
                # the lists hold literals and "+" concatenations of literals only
                expression = compile(ast.Expression(node.value), "vectors", "eval")
                out[name] = eval(expression, {"__builtins__": {}})
    return out


def test_bech32_reference_strings() -> None:
    ref = _bech32_ref()
    for text in ref["VALID_BECH32"]:
        assert bech32_decode(text)[2] == "bech32", text
    for text in ref["VALID_BECH32M"]:
        assert bech32_decode(text)[2] == "bech32m", text
    for text in ref["INVALID_BECH32"] + ref["INVALID_BECH32M"]:
        decoded = bech32_decode(text)
        wrong = "bech32" if text in ref["INVALID_BECH32"] else "bech32m"
        assert decoded is None or decoded[2] != wrong, text


def test_segwit_reference_addresses() -> None:
    ref = _bech32_ref()
    for address, hexscript in ref["VALID_ADDRESS"]:
        decoded = segwit_decode(address)
        assert decoded is not None and decoded.script_pubkey().hex() == hexscript
        assert identify_segwit(address).checksum_valid is True
    for address in ref["INVALID_ADDRESS"]:
        found = identify_segwit(address)
        assert segwit_decode(address, "bc") is None and segwit_decode(address, "tb") is None
        assert found is None or found.checksum_valid is False, address


def test_bip350_document_addresses() -> None:
    text = (VECTORS / "bip-0350.mediawiki").read_text()
    valid = re.findall(r"^\* <tt>([A-Za-z0-9]+)</tt>: <tt>([0-9a-f]+)</tt>", text, re.M)
    assert len(valid) >= 8
    for address, script in valid:
        assert segwit_decode(address).script_pubkey().hex() == script
    invalid_section = text[text.index("invalid segwit addresses") :]
    invalid = re.findall(r"^\* <tt>([^<]+)</tt>: ", invalid_section, re.M)
    assert len(invalid) >= 10
    for address in invalid:
        found = identify(address)
        assert found is None or found.checksum_valid is not True, address


def test_trezor_bip39_vectors() -> None:
    vectors = json.loads((VECTORS / "vectors.json").read_text())["english"]
    assert len(vectors) >= 24
    for entropy, mnemonic, _seed, xprv in vectors:
        words = mnemonic.split()
        assert bip39_entropy(words) == bytes.fromhex(entropy)
        assert bip39_from_entropy(bytes.fromhex(entropy)) == words
        found = identify_base58(xprv)
        assert found.type == EXTENDED_KEY and found.kind == "xprv" and found.checksum_valid
        # swapping the last word for another breaks the checksum (for at least one choice)
        broken = words[:-1] + [WORDS[(WORDS.index(words[-1]) + 1) % 2048]]
        broken2 = words[:-1] + [WORDS[(WORDS.index(words[-1]) + 2) % 2048]]
        assert not (bip39_is_valid(broken) and bip39_is_valid(broken2))


def test_bip32_test_vector_5_keys_are_not_taken_for_keys() -> None:
    invalid = json.loads((VECTORS / "bip32_test_vector_5.json").read_text())["invalid"]
    assert len(invalid) == 16
    for key, reason in invalid:
        found = identify_base58(key)
        assert found is None or found.checksum_valid is False, reason
        assert scan_text(f"key: {key}\n".encode()) == [], reason


def test_bip84_zpub_and_addresses() -> None:
    text = (VECTORS / "bip-0084.mediawiki").read_text()
    tokens = set(
        re.findall(r"\b(?:[xz]p(?:ub|rv)[1-9A-HJ-NP-Za-km-z]{107}|bc1q[a-z0-9]{38})\b", text)
    )
    assert len(tokens) >= 5
    for token in tokens:
        found = identify(token)
        assert found is not None and found.checksum_valid is True, token


def test_erc55_examples() -> None:
    text = (VECTORS / "erc-55.md").read_text()
    examples = re.findall(r'test\("(0x[0-9a-fA-F]{40})"\)', text)
    assert len(examples) >= 4
    for address in examples:
        assert eip55_checksum(address[2:]) == address[2:]
        assert identify_ethereum(address).checksum_valid is True
        flipped = address[:-1] + address[-1].swapcase() if address[-1].isalpha() else None
        if flipped:
            assert identify_ethereum(flipped).checksum_valid is False
    assert identify_ethereum("0x" + examples[0][2:].lower()).checksum_valid is None
    assert identify_ethereum("0x" + examples[0][2:].upper()).checksum_valid is None

"""Property tests of the checksum code: round trips, and single-character mutations rejected."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.crypto.base58 import (
    BITCOIN_ALPHABET,
    b58check_decode,
    b58check_encode,
    b58decode,
    b58encode,
    monero_b58decode,
    monero_b58encode,
)
from triage.extractors.crypto.bech32 import (
    CHARSET,
    cashaddr_decode,
    cashaddr_encode,
    segwit_decode,
    segwit_encode,
)
from triage.extractors.crypto.hashes import keccak256
from triage.extractors.crypto.identify import (
    MONERO_PREFIXES,
    eip55_checksum,
    identify,
    identify_monero,
)
from triage.extractors.crypto.seeds import bip39_entropy, bip39_from_entropy, bip39_is_valid
from triage.extractors.crypto.text_scan import scan_text

FAST = settings(max_examples=200, deadline=None)


def _mutate(text: str, index: int, alphabet: str) -> str | None:
    position = index % len(text)
    old = text[position]
    replacement = alphabet[(alphabet.index(old) + 1) % len(alphabet)] if old in alphabet else None
    if replacement is None:
        return None
    return text[:position] + replacement + text[position + 1 :]


@FAST
@given(st.binary(max_size=80))
def test_base58_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


@FAST
@given(st.binary(min_size=1, max_size=80), st.integers(min_value=0))
def test_base58check_mutation_rejected(payload: bytes, index: int) -> None:
    text = b58check_encode(payload)
    assert b58check_decode(text) == payload
    mutated = _mutate(text, index, BITCOIN_ALPHABET)
    if mutated is not None:
        assert b58check_decode(mutated) != payload


@FAST
@given(st.binary(max_size=80))
def test_monero_base58_round_trip(data: bytes) -> None:
    assert monero_b58decode(monero_b58encode(data)) == data


@FAST
@given(
    st.sampled_from(["bc", "tb", "ltc"]),
    st.integers(min_value=0, max_value=16),
    st.binary(min_size=2, max_size=40),
    st.integers(min_value=0),
)
def test_segwit_round_trip_and_mutation(hrp: str, version: int, program: bytes, index: int) -> None:
    if version == 0 and len(program) not in (20, 32):
        return
    address = segwit_encode(hrp, version, program)
    decoded = segwit_decode(address, hrp)
    assert decoded is not None and (decoded.version, decoded.program) == (version, program)
    assert identify(address).checksum_valid is True
    position = len(hrp) + 1 + index % (len(address) - len(hrp) - 1)
    mutated = _mutate(address[:position] + address[position:], position, CHARSET)
    assert mutated is not None
    assert segwit_decode(mutated, hrp) is None


@FAST
@given(st.integers(min_value=0, max_value=1), st.binary(min_size=20, max_size=20), st.integers(0))
def test_cashaddr_round_trip_and_mutation(kind: int, hash_: bytes, index: int) -> None:
    text = cashaddr_encode("bitcoincash", kind, hash_)
    decoded = cashaddr_decode(text)
    assert decoded is not None and (decoded.kind, decoded.hash) == (kind, hash_)
    body = text.split(":")[1]
    mutated = _mutate(body, index, CHARSET)
    assert cashaddr_decode("bitcoincash:" + mutated) is None


@FAST
@given(st.binary(min_size=20, max_size=20), st.integers(min_value=0, max_value=39))
def test_eip55_case_flip_rejected(raw: bytes, index: int) -> None:
    body = eip55_checksum(raw.hex())
    assert identify("0x" + body).checksum_valid in (True, None)
    if not body[index].isalpha():
        return
    flipped = body[:index] + body[index].swapcase() + body[index + 1 :]
    if flipped != flipped.lower() and flipped != flipped.upper():
        assert identify("0x" + flipped).checksum_valid is False


@FAST
@given(st.binary(min_size=64, max_size=64), st.integers(0))
def test_monero_round_trip_and_mutation(keys: bytes, index: int) -> None:
    body = bytes([18]) + keys
    address = monero_b58encode(body + keccak256(body)[:4])
    found = identify_monero(address)
    assert found is not None and found.checksum_valid is True
    mutated = _mutate(address, index, BITCOIN_ALPHABET)
    again = identify_monero(mutated)
    assert again is None or again.checksum_valid is False


@FAST
@given(st.sampled_from(sorted(MONERO_PREFIXES)), st.binary(min_size=64, max_size=64),
       st.binary(min_size=8, max_size=8))
def test_monero_every_network_and_kind_is_found(prefix: int, keys: bytes, payment: bytes) -> None:
    kind, network = MONERO_PREFIXES[prefix]
    body = bytes([prefix]) + keys + (payment if kind == "integrated" else b"")
    address = monero_b58encode(body + keccak256(body)[:4])
    found = identify(address)
    assert found is not None and (found.kind, found.network) == (kind, network)
    assert found.checksum_valid is True
    [hit] = scan_text(f"send to {address} please".encode())
    assert hit.attributes["address"] == address and hit.attributes["network"] == network


@FAST
@given(st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_bip39_round_trip(entropy: bytes) -> None:
    words = bip39_from_entropy(entropy)
    assert bip39_entropy(words) == entropy


@FAST
@given(st.binary(min_size=16, max_size=16), st.integers(min_value=0, max_value=11))
def test_bip39_word_swap_mostly_rejected(entropy: bytes, index: int) -> None:
    # a 12-word checksum has 4 bits: of 16 replacements of one word, most must fail
    words = bip39_from_entropy(entropy)
    from triage.extractors.crypto.bip39_english import WORDS

    position = WORDS.index(words[index])
    accepted = sum(
        bip39_is_valid(words[:index] + [WORDS[(position + k) % 2048]] + words[index + 1 :])
        for k in range(1, 17)
    )
    assert accepted <= 8

"""Monero 25-word seeds: the word list, the checksum word, the spend key, and the text search."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.crypto.monero_english import UNIQUE_PREFIX, WORDS
from triage.extractors.crypto.monero_seed import monero_checksum_valid, monero_spend_key
from triage.extractors.crypto.text_scan import scan_text

#: Monero's own test wallet (monero-project/monero tests: the wallet restored from this
#: seed in its functional and performance tests) and its private spend key.
SEED = ("sequence atlas unveil summon pebbles tuesday beer rudely snake rockets different"
        " fuselage woven tagged bested dented vegan hover rapid fawns obvious muppet randomly"
        " seasons randomly")
SPEND_KEY = "b0ef6bd527b9b23b9ceef70dc8b4cd1ee83ca14541964e764ad23f5151204f0f"


def _monero(text: str, include_invalid: bool = False) -> list[tuple[str, bool, int]]:
    return [(f.attributes["words"], f.attributes["checksum_valid"], f.offset)
            for f in scan_text(text.encode(), include_invalid=include_invalid)
            if f.attributes.get("kind") == "monero"]


def test_the_word_list_is_monero_s_in_its_order():
    assert len(WORDS) == 1626 and list(WORDS) == sorted(WORDS)
    assert len({word[:UNIQUE_PREFIX] for word in WORDS}) == len(WORDS)
    assert all(4 <= len(word) <= 12 for word in WORDS)


def test_monero_s_test_wallet_seed_gives_its_spend_key():
    words = SEED.split()
    assert monero_checksum_valid(words)
    assert monero_spend_key(words).hex() == SPEND_KEY


def test_another_last_word_fails_the_checksum():
    words = SEED.split()
    for other in ("sequence", "atlas", "zoom"):
        assert not monero_checksum_valid([*words[:-1], other])


def test_seeds_are_found_as_people_write_them_with_their_offsets():
    numbered = "\n".join(f"{number}. {word}" for number, word in enumerate(SEED.split(), 1))
    assert _monero(f"xmr wallet seed: {SEED}\nkeep safe") == [(SEED, True, 17)]
    assert _monero(numbered) == [(SEED, True, 3)]
    assert _monero(SEED.upper()) == [(SEED, True, 0)]
    assert _monero(f"{SEED}\n{SEED.replace('sequence', 'atlas', 1)}") == [(SEED, True, 0)]


def test_what_is_not_a_seed_is_not_reported():
    words = SEED.split()
    assert _monero(" ".join(words[:24])) == []  # 24 words
    assert _monero(" ".join([*words[:-1], "zoom"])) == []
    assert _monero(" ".join([*words[:-1], "zoom"]), include_invalid=True) == [
        (" ".join([*words[:-1], "zoom"]), False, 0)]
    assert _monero("\n".join(WORDS)) == []  # the word list itself, one per line
    assert _monero(". ".join(words)) == []  # sentences, not a phrase


def test_lines_of_list_words_give_only_checksum_valid_lines():
    rng = random.Random(7)
    lines = [" ".join(rng.choice(WORDS) for _ in range(25)) for _ in range(200)]
    lines.insert(100, SEED)
    found = _monero("\n".join(lines))
    assert (SEED, True, sum(len(line) + 1 for line in lines[:100])) in found
    # About one random line in 24 passes the checksum by chance; all reported pass it.
    assert all(valid for _, valid, _ in found)
    assert all(monero_checksum_valid(words.split()) for words, _, _ in found)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*WORDS[:40], "the", "of", "1.", "\n", ","]), max_size=120))
def test_the_search_never_raises(tokens):
    scan_text(" ".join(tokens).encode(), include_invalid=True)

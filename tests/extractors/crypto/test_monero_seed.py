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
#: The wallet of Monero's functional tests (tests/functional_tests), and its spend key.
OTHER_SEED = ("velvet lymph giddy number token physics poetry unquoted nibs useful sabotage"
              " limits benches lifestyle eden nitrogen anvil fewest avoid batch vials washing"
              " fences goat unquoted")
OTHER_SPEND_KEY = "148d78d2aba7dbca5cd8f6abcfb0b3c009ffbdbea1ff373d50ed94d78286640e"


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


def test_monero_s_functional_test_wallet_seed_gives_its_spend_key():
    assert monero_spend_key(OTHER_SEED.split()).hex() == OTHER_SPEND_KEY


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
    # About one random line in 1,626 passes the checksum by chance; all reported pass it.
    assert all(valid for _, valid, _ in found)
    assert all(monero_checksum_valid(words.split()) for words, _, _ in found)


def _three_lines(seed: str) -> str:
    words = seed.split()
    return "\n".join(" ".join(part) for part in (words[:8], words[8:16], words[16:]))


def test_seeds_inside_longer_runs_of_list_words_are_found():
    # "height" is a list word: a label on the seed's line makes a run of 26.
    assert _monero(f"height {SEED}\n") == [(SEED, True, 7)]
    assert _monero(f"{SEED} height") == [(SEED, True, 0)]
    after = len(SEED) + 1
    both = [(SEED, True, 0), (OTHER_SEED, True, after)]
    assert _monero("\n".join([*SEED.split(), *OTHER_SEED.split()])) == both  # a word a line
    assert _monero(f"{_three_lines(SEED)}\n{_three_lines(OTHER_SEED)}") == both
    assert _monero(f"{SEED} {OTHER_SEED}") == both
    assert _monero(f"{SEED}\n\n{OTHER_SEED}") == [(SEED, True, 0), (OTHER_SEED, True, after + 1)]
    three = f"{SEED} {OTHER_SEED} {SEED.replace('sequence', 'atlas', 1)} height {SEED}"
    assert [offset for _, _, offset in _monero(three)] == [0, after]  # SEED once: one per value


def test_a_long_run_is_read_seed_after_seed_from_its_start_and_its_blank_lines():
    words = [*OTHER_SEED.split(), *SEED.split()] * 2  # 100 words, one per line
    found = _monero("\n".join(["seed", "height", *words]))
    assert [(phrase, valid) for phrase, valid, _ in found] == [(OTHER_SEED, True), (SEED, True)]
    blank = "\n\n".join(" ".join(WORDS[index : index + 30]) for index in range(0, 300, 30))
    assert _monero(f"{blank}\n\n{SEED}") == [(SEED, True, len(blank) + 2)]


def test_runs_of_random_list_words_seldom_pass_as_seeds():
    # A random window passes the checksum about one time in 1,626: runs up to three
    # seeds long are tried only where a layout explains a seed.
    rng = random.Random(11)
    runs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(26, 75))) for _ in range(600)]
    found = sum(len(_monero(run)) for run in runs)
    assert found <= 6  # 1 with this seed; trying every window gives 11


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*WORDS[:40], "the", "of", "1.", "\n", ","]), max_size=120))
def test_the_search_never_raises(tokens):
    scan_text(" ".join(tokens).encode(), include_invalid=True)

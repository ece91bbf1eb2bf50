"""Find Monero 25-word seeds in text, cheaply enough to run on every text file.

Every word of Monero's list has 4 to 12 letters, so a seed is a run of 25 tokens of that
length in a row, which prose almost never holds (its short words break such runs). As
for BIP-39 phrases, whole-integer operations on one "is a letter" bit per byte find
those runs (:func:`_long_token_runs`); only their words are looked up in the list.

A run of 25 list words written as a phrase (separated by white space, commas or list
numbering) is a candidate; a longer run is cut at its line breaks and each line of
exactly 25 list words is one. A candidate is a seed when its 25th word is the checksum
word of the 24 before it and the 24 decode to a spend key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .bit_positions import LETTERS_ONLY, set_bits
from .monero_english import WORDS
from .monero_seed import SEED_WORDS, monero_checksum_valid, monero_spend_key
from .phrase_runs import PHRASE_RUN_RE, WORD_RE, start_of_tokens_before, tokens_back

#: Letters of the shortest and the longest word of the list.
MIN_LETTERS, MAX_LETTERS = 4, 12
_LIST = frozenset(word.encode("ascii") for word in WORDS)
#: 25 or more list words in a row (one flag byte per word).
_LIST_RUN = re.compile(rb"\x01{%d,}" % SEED_WORDS)
_LOWER_WORD_RE = re.compile(rb"[a-z]+")
#: The 24 letter tokens before a position, matched in the reversed bytes.
_TOKENS_BACK = tokens_back(SEED_WORDS - 1)


def monero_seeds(data: bytes, letters: int, size: int) -> Iterator[tuple[list[str], bool, int, int]]:
    """Yield ``(words, checksum valid, start, end)`` of each candidate seed in ``data``,
    given its letter bits (bit ``i`` of ``letters`` set when byte ``i`` is an ASCII
    letter; ``size`` bits in all, a multiple of 8)."""
    for position, end in _long_token_runs(letters, size, len(data)):
        start = start_of_tokens_before(data, position, _TOKENS_BACK, span=512)
        text = data[start:end].translate(LETTERS_ONLY)
        words = text.split()
        flags = bytes(map(_LIST.__contains__, words))
        runs = list(_LIST_RUN.finditer(flags))
        if not runs:
            continue
        spans = [match.span() for match in _LOWER_WORD_RE.finditer(text)]
        for run in runs:
            first, last = run.span()
            for phrase in PHRASE_RUN_RE.finditer(data, start + spans[first][0],
                                                 start + spans[last - 1][1]):
                yield from _phrase_candidates(data, phrase.start(), phrase.end())


def _long_token_runs(letters: int, size: int, length: int) -> list[tuple[int, int]]:
    """``(offset of its 25th token, end)`` of every run of 25 or more tokens of 4 to 12
    letters; the end is where the token that ends the run starts (``length`` when the
    data ends first)."""
    starts = letters & ~(letters << 1)
    two = letters & (letters >> 1)
    four = two & (two >> 2)
    eight = four & (four >> 4)
    too_long = eight & (four >> 8) & (letters >> MAX_LETTERS)
    good = starts & four & ~too_long
    if good.bit_count() < SEED_WORDS:
        return []
    between = ((1 << size) - 1) ^ starts

    def following(tokens: int, steps: int = 1) -> int:
        """Token starts ``steps`` tokens after those in ``tokens``."""
        for _ in range(steps):
            tokens = (between + (tokens << 1)) & starts
        return tokens

    # run<k>: tokens that end a run of k good tokens; most text stops at the first zero.
    run2 = good & following(good)
    run4 = run2 & following(run2, 2)
    if not run4:
        return []
    run8 = run4 & following(run4, 4)
    if not run8:
        return []
    run16 = run8 & following(run8, 8)
    if not run16:
        return []
    run24 = run8 & following(run16, 8)
    run25 = good & following(run24)
    if not run25:
        return []
    first = run25 & ~following(run25)
    bad = starts ^ good
    ends = (((1 << size) - 1 ^ bad) + (first << 1)) & bad
    positions = set_bits(first | ends, size)
    if len(positions) % 2:
        positions.append(length)  # the last run goes on to the end
    return list(zip(positions[0::2], positions[1::2], strict=True))


def _phrase_candidates(data: bytes, start: int,
                       end: int) -> Iterator[tuple[list[str], bool, int, int]]:
    """Candidates in one phrase-like run of list words ``data[start:end]``: the run
    itself when it has 25 words, else each line of it that has."""
    words = list(WORD_RE.finditer(data, start, end))
    if len(words) == SEED_WORDS:
        yield _candidate(words)
    elif len(words) > SEED_WORDS:
        offset = start
        for line in data[start:end].split(b"\n"):
            if len(WORD_RE.findall(line)) == SEED_WORDS:
                yield _candidate(list(WORD_RE.finditer(data, offset, offset + len(line))))
            offset += len(line) + 1


def _candidate(matches: list[re.Match[bytes]]) -> tuple[list[str], bool, int, int]:
    words = [match.group().lower().decode("ascii") for match in matches]
    valid = monero_checksum_valid(words) and monero_spend_key(words) is not None
    return words, valid, matches[0].start(), matches[-1].end()

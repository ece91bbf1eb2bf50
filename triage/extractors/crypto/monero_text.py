"""Find Monero 25-word seeds in text, cheaply enough to run on every text file.

Every word of Monero's list has 4 to 12 letters, so a seed is a run of 25 tokens of that
length in a row, which prose almost never holds (its short words break such runs). As
for BIP-39 phrases, whole-integer operations on one "is a letter" bit per byte find
those runs (:func:`_long_token_runs`); only their words are looked up in the list.

A run of 25 list words written as a phrase (separated by white space, commas or list
numbering) is a candidate. A candidate is a seed when its 25th word is the checksum word
of the 24 before it and the 24 decode to a spend key; 25 random list words pass about
one time in 1,626. A longer run is searched for seeds inside it, only in windows a
layout explains, then seed after seed from each one found: in a run of up to
:data:`MAX_SLIDING_RUN` words (a label word before a seed, two seeds one after the other,
one word per line or in the wallet's three lines), every 25-word window with a line
break at either end or within two words of the run's start or end; in a longer one (a
word list, a file of many seeds), lines of exactly 25 words and the start of each part
between blank lines that has room for a seed (up to two label words after it). Windows
that begin and end a line are tried first, so the seed as written wins over a shifted
window that passes by chance.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from itertools import pairwise

from .bit_positions import LETTERS_ONLY, set_bits
from .monero_english import WORDS
from .monero_seed import SEED_WORDS, monero_checksum_valid, monero_spend_key
from .phrase_runs import (
    LINE_BREAK,
    PHRASE_RUN_RE,
    STRONG_BREAK,
    STRONG_GAP,
    WORD_RE,
    start_of_tokens_before,
    tokens_back,
)

#: Letters of the shortest and the longest word of the list.
MIN_LETTERS, MAX_LETTERS = 4, 12
_LIST = frozenset(word.encode("ascii") for word in WORDS)
#: 25 or more list words in a row (one flag byte per word).
_LIST_RUN = re.compile(rb"\x01{%d,}" % SEED_WORDS)
_LOWER_WORD_RE = re.compile(rb"[a-z]+")
_NEWLINE = re.compile(rb"\n")
#: The 24 letter tokens before a position, matched in the reversed bytes.
_TOKENS_BACK = tokens_back(SEED_WORDS - 1)
#: Longest run of list words tried at every 25-word window (three seeds' worth).
MAX_SLIDING_RUN = 3 * SEED_WORDS
#: Label words a seed may follow at the start of a run or after a blank line.
LABEL_WORDS = 2


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
    """Candidates in one phrase-like run of list words ``data[start:end]``, in order: the
    run itself when it has 25 words; in a longer run, the seeds found in it (see the
    module's notes) and its other lines of exactly 25 words (not seeds)."""
    matches = list(WORD_RE.finditer(data, start, end))
    if len(matches) < SEED_WORDS:
        return
    if len(matches) == SEED_WORDS:
        yield _candidate(matches)
        return
    breaks = _breaks_before(data, start, end, [match.start() for match in matches])

    def words_at(first: int) -> list[str]:
        return [match.group().lower().decode("ascii")
                for match in matches[first : first + SEED_WORDS]]

    seeds = _seeds_in_run(len(matches), breaks, words_at)
    found = [(first, True) for first in seeds]
    for first in _whole_lines(breaks):
        # The seeds are sorted and apart: only the last to start within the line can
        # reach it, so one search per line (not a test against every seed) settles it.
        before = bisect_right(seeds, first + SEED_WORDS - 1)
        if not before or seeds[before - 1] + SEED_WORDS <= first:
            found.append((first, False))
    for first, valid in sorted(found):
        window = matches[first : first + SEED_WORDS]
        yield words_at(first), valid, window[0].start(), window[-1].end()


def _breaks_before(data: bytes, start: int, end: int, word_starts: list[int]) -> list[int]:
    """For each word of ``data[start:end]`` (by its start), how strongly the gap before it
    breaks the run (:func:`~.phrase_runs.gap_break`; the first word's break is strong).
    Found with two searches in C, not by looking at every gap."""
    breaks = [0] * len(word_starts)
    breaks[0] = STRONG_BREAK
    for found in _NEWLINE.finditer(data, start, end):
        index = bisect_left(word_starts, found.start())
        if index < len(breaks) and not breaks[index]:
            breaks[index] = LINE_BREAK
    for found in STRONG_GAP.finditer(data, start, end):
        index = bisect_left(word_starts, found.start())
        if index < len(breaks):
            breaks[index] = STRONG_BREAK
    return breaks


def _seeds_in_run(size: int, breaks: list[int],
                  words_at: Callable[[int], list[str]]) -> list[int]:
    """First word of each seed in a run of ``size`` (over 25) list words, without overlap;
    ``words_at(first)`` gives the 25 words from ``first``."""

    def line_bounds(first: int) -> int:
        """How many of the window's two ends fall on a line break (or the run's ends)."""
        end = first + SEED_WORDS
        return int(bool(breaks[first])) + int(end == size or bool(breaks[end]))

    def is_seed(first: int) -> bool:
        window = words_at(first)
        return monero_checksum_valid(window) and monero_spend_key(window) is not None

    seeds: list[int] = []
    # One flag a word, set for the words of each seed taken. Seeds are all 25 words long,
    # so a window overlaps one exactly when its first or its last word is taken: two
    # lookups, where testing against every seed made a file of seeds quadratic.
    taken = bytearray(size)

    def take(first: int) -> bool:
        end = first + SEED_WORDS
        if end <= size and not taken[first] and not taken[end - 1] and is_seed(first):
            seeds.append(first)
            taken[first:end] = b"\x01" * SEED_WORDS
            return True
        return False

    if size <= MAX_SLIDING_RUN:
        # Windows a layout explains: on a line break at either end, or within two label
        # words of the run's start or end; then seed after seed from those found.
        last = size - SEED_WORDS
        laid_out = [first for first in range(last + 1)
                    if line_bounds(first) or first <= LABEL_WORDS or first >= last - LABEL_WORDS]
        for first in sorted(laid_out, key=lambda first: (-line_bounds(first), first)):
            take(first)
        chain = sorted(seeds)
        while chain:
            end = chain.pop() + SEED_WORDS
            for first in range(end, end + LABEL_WORDS + 1):
                if take(first):
                    chain.append(first)
                    break
        return sorted(seeds)
    # A word list or a file of seeds: only where a seed is laid out (a line of 25 words;
    # the start of a part between blank lines that has room for one), then seed after seed.
    strong = [index for index, level in enumerate(breaks) if level == STRONG_BREAK]
    parts = [first for first, following in pairwise([*strong, size])
             if following - first >= SEED_WORDS]
    queue = sorted({first + skip for first in parts for skip in range(LABEL_WORDS + 1)}
                   | set(_whole_lines(breaks)))
    while queue:
        first = heapq.heappop(queue)
        if take(first):
            for skip in range(LABEL_WORDS + 1):
                heapq.heappush(queue, first + SEED_WORDS + skip)
    return sorted(seeds)


def _whole_lines(breaks: list[int]) -> list[int]:
    """First word of each line of exactly 25 words (a line break before it, one after
    its 25th word or the run's end, and none between)."""
    starts = [index for index, level in enumerate(breaks) if level] + [len(breaks)]
    return [first for first, following in pairwise(starts) if following - first == SEED_WORDS]


def _candidate(matches: list[re.Match[bytes]]) -> tuple[list[str], bool, int, int]:
    words = [match.group().lower().decode("ascii") for match in matches]
    valid = monero_checksum_valid(words) and monero_spend_key(words) is not None
    return words, valid, matches[0].start(), matches[-1].end()

"""Monero seeds in long runs of list words: the search gives what a plain reference gives
(every overlap tested against every seed taken) and stays linear in the number of seeds."""

from __future__ import annotations

import random
import time
import zlib
from collections.abc import Iterator
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.crypto import monero_text
from triage.extractors.crypto.monero_english import UNIQUE_PREFIX, WORDS
from triage.extractors.crypto.monero_seed import (
    SEED_WORDS,
    monero_checksum_valid,
    monero_spend_key,
)
from triage.extractors.crypto.phrase_runs import PHRASE_RUN_RE, STRONG_BREAK, WORD_RE
from triage.extractors.crypto.text_scan import scan_text

Candidate = tuple[list[str], bool, int, int]


def _seed_from(prefix: list[str], rng: random.Random) -> list[str]:
    """A seed that starts with ``prefix`` (up to 24 words): the rest drawn at random, then
    the checksum word. Its spend key decodes unless a group of three overflows (rare)."""
    body = [*prefix, *(rng.choice(WORDS) for _ in range(SEED_WORDS - 1 - len(prefix)))]
    letters = "".join(word[:UNIQUE_PREFIX] for word in body)
    return [*body, body[zlib.crc32(letters.encode("ascii")) % len(body)]]


def _is_seed(words: list[str]) -> bool:
    """True when ``words`` pass the checksum and decode to a spend key."""
    return monero_checksum_valid(words) and monero_spend_key(words) is not None


def _overlaps(first: int, taken: list[int]) -> bool:
    """True when the window from word ``first`` shares a word with a seed in ``taken``."""
    return any(abs(first - other) < SEED_WORDS for other in taken)


def _reference_seeds(words: list[str], breaks: list[int]) -> list[int]:
    """The seed search of :func:`monero_text._seeds_in_run` written plainly: each window
    is tested against every seed taken before it, and the queue is a set."""
    size = len(words)
    taken: list[int] = []

    def take(first: int) -> bool:
        if (first + SEED_WORDS <= size and not _overlaps(first, taken)
                and _is_seed(words[first : first + SEED_WORDS])):
            taken.append(first)
            return True
        return False

    def line_ends(first: int) -> int:
        end = first + SEED_WORDS
        return (breaks[first] > 0) + (end == size or breaks[end] > 0)

    if size <= monero_text.MAX_SLIDING_RUN:
        last = size - SEED_WORDS
        windows = [first for first in range(last + 1)
                   if line_ends(first) or first <= monero_text.LABEL_WORDS
                   or first >= last - monero_text.LABEL_WORDS]
        for first in sorted(windows, key=lambda first: (-line_ends(first), first)):
            take(first)
        chain = sorted(taken)
        while chain:
            end = chain.pop() + SEED_WORDS
            for first in range(end, end + monero_text.LABEL_WORDS + 1):
                if take(first):
                    chain.append(first)
                    break
        return sorted(taken)
    strong = [index for index, level in enumerate(breaks) if level == STRONG_BREAK] + [size]
    pending = set(monero_text._whole_lines(breaks))
    for first, following in pairwise(strong):
        if following - first >= SEED_WORDS:
            pending.update(range(first, first + monero_text.LABEL_WORDS + 1))
    while pending:
        first = min(pending)
        pending.remove(first)
        if take(first):
            end = first + SEED_WORDS
            pending.update(range(end, end + monero_text.LABEL_WORDS + 1))
    return sorted(taken)


def _reference_candidates(data: bytes, start: int, end: int) -> list[Candidate]:
    """What :func:`monero_text._phrase_candidates` yields, found the plain way."""
    matches = list(WORD_RE.finditer(data, start, end))
    words = [match.group().lower().decode("ascii") for match in matches]
    if len(words) < SEED_WORDS:
        return []
    if len(words) == SEED_WORDS:
        return [(words, _is_seed(words), matches[0].start(), matches[-1].end())]
    breaks = monero_text._breaks_before(data, start, end, [match.start() for match in matches])
    seeds = _reference_seeds(words, breaks)
    found = [(first, True) for first in seeds]
    found += [(first, False) for first in monero_text._whole_lines(breaks)
              if not _overlaps(first, seeds)]
    return [(words[first : first + SEED_WORDS], valid, matches[first].start(),
             matches[first + SEED_WORDS - 1].end()) for first, valid in sorted(found)]


def _phrases(data: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run of words joined by phrase separators in ``data``."""
    for phrase in PHRASE_RUN_RE.finditer(data):
        yield phrase.span()


@st.composite
def _runs_of_seeds(draw: st.DrawFn) -> bytes:
    """A run of list words holding seeds that overlap the one before by 0 (adjacent) to 24
    words, label words between some, a few spoilt checksums, laid out in varied ways."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    words: list[str] = []
    seed_starts: set[int] = set()
    for _ in range(draw(st.integers(1, 9))):
        words += [rng.choice(WORDS) for _ in range(draw(st.integers(0, 3)))]
        shared = min(len(words), draw(st.sampled_from([0, 0, 1, 2, 3, 12, 23, 24])))
        seed = _seed_from(words[len(words) - shared :], rng)
        if rng.random() < 0.1:
            seed[-1] = rng.choice(WORDS)
        seed_starts.add(len(words) - shared)
        words += seed[shared:]
    layout = draw(st.sampled_from(["spaces", "seed lines", "word lines", "mixed"]))
    blank_lines = draw(st.booleans())
    parts: list[str] = []
    for index, word in enumerate(words):
        if index:
            if layout == "word lines":
                gap = "\n"
            elif layout == "mixed":
                gap = rng.choice([" ", " ", " ", ", ", "\n", "\n\n", "\n1. "])
            elif layout == "seed lines" and index in seed_starts:
                gap = "\n\n" if blank_lines and rng.random() < 0.3 else "\n"
            else:
                gap = " "
            parts.append(gap)
        parts.append(word)
    return "".join(parts).encode("ascii")


@settings(max_examples=300, deadline=None)
@given(_runs_of_seeds())
def test_seeds_in_a_run_are_those_a_plain_overlap_search_finds(data):
    for start, end in _phrases(data):
        assert list(monero_text._phrase_candidates(data, start, end)) == \
            _reference_candidates(data, start, end)


def test_overlapping_and_adjacent_seeds_are_found_as_the_reference_finds_them():
    rng = random.Random(3)
    first = _seed_from([], rng)
    overlapping = _seed_from(first[15:], rng)  # shares its first ten words with the tail
    adjacent = _seed_from([], rng)
    for gap in (" ", "\n"):
        data = gap.join([*first, *overlapping[10:], *adjacent, "height"]).encode("ascii")
        expected = _reference_candidates(data, 0, len(data))
        assert any(valid for _, valid, _, _ in expected)  # the layout does hold seeds
        assert list(monero_text._phrase_candidates(data, 0, len(data))) == expected


def test_a_line_of_25_words_is_reported_beside_a_seed_but_not_when_sharing_a_word():
    rng = random.Random(5)
    seed = _seed_from([], rng)
    filler = [rng.choice(WORDS) for _ in range(SEED_WORDS - 1)]
    line = " ".join([*filler, "height"])
    assert not any(map(_is_seed, ([*filler, seed[0]], [seed[-1], *filler], line.split())))
    length = len(" ".join(seed))
    after_filler = len(" ".join(filler)) + 1
    layouts = {
        # The seed starts on the line's last word, or ends on its first: the line is not one.
        f"{' '.join(filler)} {seed[0]}\n{' '.join(seed[1:])}":
            [(seed, True, after_filler, after_filler + length)],
        f"{' '.join(seed[:-1])}\n{' '.join([seed[-1], *filler])}":
            [(seed, True, 0, length)],
        # The line just before or just after the seed is one of its own.
        f"{line}\n{' '.join(seed)}":
            [(line.split(), False, 0, len(line)), (seed, True, len(line) + 1, len(line) + 1 + length)],
        f"{' '.join(seed)}\n{line}":
            [(seed, True, 0, length), (line.split(), False, length + 1, length + 1 + len(line))],
    }
    for text, expected in layouts.items():
        data = text.encode("ascii")
        assert _reference_candidates(data, 0, len(data)) == expected
        assert list(monero_text._phrase_candidates(data, 0, len(data))) == expected


def test_a_file_of_thousands_of_seeds_one_a_line_is_read_in_linear_time():
    # One run of 16,000 seeds (2.8 MB): testing each against all taken before took 40 s.
    rng = random.Random(17)
    seeds = [" ".join(_seed_from([], rng)) for _ in range(16_000)]
    data = "\n".join(seeds).encode("ascii")
    started = time.process_time()
    found = [finding for finding in scan_text(data)
             if finding.attributes.get("kind") == "monero"]
    elapsed = time.process_time() - started
    assert elapsed < 10, f"{elapsed:.1f} CPU seconds for {len(seeds)} seeds"
    valid = [seed for seed in seeds if _is_seed(seed.split())]
    assert [finding.attributes["words"] for finding in found] == valid

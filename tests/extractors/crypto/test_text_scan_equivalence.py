"""The bit-parallel text scanner against the per-word scanner it replaced (the oracle in
reference_text_scan.py) and its candidate finder against a naive word-by-word one."""

from __future__ import annotations

import json
import random
import re
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.crypto import text_scan
from triage.extractors.crypto.bip39_english import WORDS
from triage.extractors.crypto.seeds import WORD_INDEX, bip39_from_entropy

from . import reference_text_scan as reference
from .paths import TREE, VECTORS

PLANTED = json.loads((TREE / "planted.json").read_text())
_VECTORS = [v[1] for v in json.loads((VECTORS / "vectors.json").read_text())["english"]]
_SEEDS = [PLANTED["seed12"], PLANTED["seed24"], *_VECTORS[:4]]
_ADDRESSES = [value for name, value in PLANTED.items() if not name.startswith("seed")]
#: Words off the list, of every length class the zone finder treats differently.
_OTHER_WORDS = ["a", "I", "of", "to", "the", "and", "with", "which", "information", "abandonment"]
_SEPARATORS = [
    b" ",
    b"\n",
    b", ",
    b" 1. ",
    b"\t",
    b"-",
    b".",
    b"\x00",
    b"  \r\n  ",
    b"|",
    b"'",
    b"12) ",
    b"\x00" * 300,
    b" " * 700,
    b"3",
    b"\xff",
]


def _normalised(findings) -> list[tuple]:
    return [(f.type, f.offset, f.context, sorted(f.attributes.items()), f.key) for f in findings]


def _same_as_reference(data: bytes) -> None:
    for include_invalid in (False, True):
        for include_unchecksummed in (True, False):
            new = text_scan.scan_text(data, include_invalid, include_unchecksummed)
            old = reference.scan_text(data, include_invalid, include_unchecksummed)
            assert _normalised(new) == _normalised(old)


@contextmanager
def _windows(size: int, overlap: int):
    """Shrink the scan window of both scanners (their windowing must agree too)."""
    saved = [(module, module.WINDOW, module.OVERLAP) for module in (text_scan, reference)]
    for module, _, _ in saved:
        module.WINDOW, module.OVERLAP = size, overlap
    try:
        yield
    finally:
        for module, window, overlap_before in saved:
            module.WINDOW, module.OVERLAP = window, overlap_before


_piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(str.upper),
    st.sampled_from(_OTHER_WORDS),
    st.sampled_from(_SEEDS),
    st.sampled_from(_ADDRESSES),
    st.binary(max_size=24).map(lambda raw: raw.decode("latin-1")),
)


@st.composite
def _documents(draw) -> bytes:
    pieces = draw(st.lists(_piece, max_size=120))
    out = bytearray()
    for piece in pieces:
        out += piece.encode("latin-1")
        out += draw(st.sampled_from(_SEPARATORS))
    return bytes(out)


@settings(max_examples=150, deadline=None)
@given(_documents())
def test_same_findings_as_reference_on_word_soup(data: bytes) -> None:
    _same_as_reference(data)


@settings(max_examples=40, deadline=None)
@given(_documents(), st.integers(min_value=64, max_value=700))
def test_same_findings_as_reference_across_windows(data: bytes, window: int) -> None:
    with _windows(window, 48):
        _same_as_reference(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_same_findings_as_reference_on_random_bytes(data: bytes) -> None:
    _same_as_reference(data)


def test_same_findings_on_generated_mixtures() -> None:
    rng = random.Random(1234)
    for _ in range(20):
        parts = []
        for _ in range(rng.randrange(50, 400)):
            kind = rng.random()
            if kind < 0.5:
                parts.append(rng.choice(WORDS))
            elif kind < 0.7:
                parts.append(rng.choice(_OTHER_WORDS))
            elif kind < 0.75:
                parts.append(" ".join(bip39_from_entropy(rng.randbytes(16))))
            elif kind < 0.8:
                parts.append(rng.choice(_ADDRESSES))
            else:
                parts.append(rng.randbytes(rng.randrange(1, 40)).decode("latin-1"))
            parts.append(rng.choice(_SEPARATORS).decode("latin-1"))
        _same_as_reference("".join(parts).encode("latin-1"))


def test_seed_also_inside_an_earlier_oversized_run() -> None:
    # The per-word scanner skips runs over MAX_LOCATED_RUN words without moving its search
    # on, so a later phrase whose words also occur inside such a run is looked for there.
    seed = PLANTED["seed12"]
    dashed = "-".join([seed.replace(" ", "-")] * 100)
    lines = [
        dashed + "\n" + seed + "\n",
        " ".join(WORDS) + "\n" + seed + "\n",
        seed + "\n" + "-".join(WORDS[:1100]) + "\n" + seed + "\n" + PLANTED["seed24"] + "\n",
        "\n".join([seed] * 90) + "\n" + seed + " " + PLANTED["seed24"] + "\n",
    ]
    for text in lines:
        _same_as_reference(text.encode())


def test_wordlist_and_windows_edges() -> None:
    wordlist = (VECTORS / "english.txt").read_bytes()
    _same_as_reference(wordlist)
    seed = PLANTED["seed24"].encode()
    for size in (100, 257, 1000):
        with _windows(size, 64):
            _same_as_reference(b"x" * (size - 30) + b"\n" + seed + b"\n" + wordlist[:3000])


# -- the candidate finder alone ------------------------------------------------------------
def _naive_list_runs(data: bytes) -> list[tuple[list[bytes], list[tuple[int, int]]]]:
    """Maximal runs of 12+ consecutive list-word tokens, word by word."""
    runs, current = [], []
    for match in re.finditer(rb"[A-Za-z]+", data):
        word = match.group().lower()
        if word.decode() in WORD_INDEX:
            current.append((word, match.span()))
            continue
        if len(current) >= 12:
            runs.append(current)
        current = []
    if len(current) >= 12:
        runs.append(current)
    return [([w for w, _ in run], [s for _, s in run]) for run in runs]


def _fast_list_runs(data: bytes) -> list[tuple[list[bytes], list[tuple[int, int]]]]:
    pairs = text_scan._pair_classes(data)
    return [(run.words, run.spans) for run in text_scan._list_word_runs(data, pairs)]


@settings(max_examples=200, deadline=None)
@given(_documents())
def test_list_word_runs_match_naive_search(data: bytes) -> None:
    assert _fast_list_runs(data) == _naive_list_runs(data)


@pytest.mark.parametrize("gap", [b" ", b"\x00" * 5000, b"9", b"\n\n"])
def test_list_word_runs_with_any_gap_and_at_edges(gap: bytes) -> None:
    words = [w.encode() for w in WORDS[100:130]]
    for count in (11, 12, 13, 23, 24, 25):
        data = gap.join(words[:count])
        assert _fast_list_runs(data) == _naive_list_runs(data)
        data = b"ab " + data + b" abandonment"
        assert _fast_list_runs(data) == _naive_list_runs(data)


@pytest.mark.parametrize("before", [0, 5, 11, 12, 30])
def test_phrase_after_a_good_length_non_list_word(before: int) -> None:
    # One zone of 3-8 letter tokens whose twelfth token ("the") is not a list word.
    seed = PLANTED["seed12"]
    text = " ".join(["information", *WORDS[:before], "the", seed, "with"]) + "\n"
    found = text_scan.scan_text(text.encode())
    assert seed in {f.attributes.get("words") for f in found}
    _same_as_reference(text.encode())


@st.composite
def _seed_lists(draw) -> bytes:
    """Lines of list words, most of them valid phrases (a list of seeds), some random,
    some short: runs longer than one phrase, split into lines by both scanners."""
    lines = []
    for _ in range(draw(st.integers(min_value=3, max_value=14))):
        kind = draw(st.sampled_from(["phrase", "phrase", "phrase", "random", "short"]))
        if kind == "phrase":
            size = draw(st.sampled_from([16, 20, 24, 28, 32]))
            words = bip39_from_entropy(draw(st.binary(min_size=size, max_size=size)))
        else:
            count = draw(st.integers(min_value=12, max_value=30) if kind == "random"
                         else st.integers(min_value=1, max_value=11))
            words = draw(st.lists(st.sampled_from(WORDS), min_size=count, max_size=count))
        label = draw(st.sampled_from(["", "seed ", "seed wallet ", "3. "]))
        lines.append((label + " ".join(words)).encode())
    return b"\n".join(lines) + b"\n"


@settings(max_examples=60, deadline=None)
@given(_seed_lists())
def test_same_findings_as_reference_on_seed_lists(data: bytes) -> None:
    _same_as_reference(data)

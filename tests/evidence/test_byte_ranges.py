"""Sorted, disjoint byte spans, checked against Python sets of the bytes they hold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from triage.evidence.byte_ranges import add_span, merge_spans, subtract_spans

SPANS = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)).map(
    lambda pair: (pair[0], pair[0] + pair[1])), max_size=25)


def _bytes_of(spans: list[tuple[int, int]]) -> set[int]:
    return {byte for start, end in spans for byte in range(start, end)}


@given(SPANS, SPANS)
def test_adding_and_subtracting_match_sets(added: list[tuple[int, int]],
                                           asked: list[tuple[int, int]]) -> None:
    covered: list[tuple[int, int]] = []
    held: set[int] = set()
    for (start, end), (ask_start, ask_end) in zip(added, asked + added, strict=False):
        free = subtract_spans(ask_start, ask_end, covered)
        assert _bytes_of(free) == set(range(ask_start, ask_end)) - held
        assert free == merge_spans(free) and all(a < b for a, b in free)
        add_span(covered, start, end)
        held |= set(range(start, end))
        assert covered == merge_spans(covered)  # sorted, and touching spans merged
        assert _bytes_of(covered) == held


@given(SPANS)
def test_merging_keeps_every_byte_once(spans: list[tuple[int, int]]) -> None:
    merged = merge_spans(spans)
    assert _bytes_of(merged) == _bytes_of(spans)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))

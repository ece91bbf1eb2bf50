"""Sorted, disjoint ``[start, end)`` spans of bytes: merging, subtracting, adding."""

from __future__ import annotations

from bisect import bisect_left


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans merged where they overlap or touch, in order."""
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def subtract_spans(start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` outside ``covered`` (sorted, disjoint), in order."""
    free = []
    position = start
    # The span before the first starting at or after ``start`` may reach into it.
    index = max(0, bisect_left(covered, (start, start)) - 1)
    while index < len(covered) and covered[index][0] < end:
        first, stop = covered[index]
        index += 1
        if stop <= position:
            continue
        if first > position:
            free.append((position, first))
        position = max(position, stop)
    if position < end:
        free.append((position, end))
    return free


def add_span(covered: list[tuple[int, int]], start: int, end: int) -> None:
    """Add ``[start, end)`` to ``covered`` in place, keeping it sorted, disjoint and merged
    where spans touch."""
    low = bisect_left(covered, (start, start))
    if low and covered[low - 1][1] >= start:
        low -= 1
    high = bisect_left(covered, (end + 1,))  # every span starting at or before end
    if low < high:
        start = min(start, covered[low][0])
        end = max(end, covered[high - 1][1])
    covered[low:high] = [(start, end)]

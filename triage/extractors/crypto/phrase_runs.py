"""How the words of a written-down seed phrase are set apart, for every word list."""

from __future__ import annotations

import re

#: What may stand between two words of a written-down phrase: white space or a comma,
#: optionally with list numbering ("1.", "2)", "#3", "4 -"), dashes or quotes. Atomic: a
#: long gap before a byte that ends the run is not tried again at every split.
SEED_GAP = rb"(?>[\s,;'\"|#-]*(?:\d{1,2}[.):-]?)?[\s,;'\"|-]*)"
#: Words joined by such separators (each whole gap must be one, as ``fullmatch`` would say).
PHRASE_RUN_RE = re.compile(rb"[A-Za-z]++(?:" + SEED_GAP + rb"[A-Za-z]++)*+")
#: One word of a phrase.
WORD_RE = re.compile(rb"[A-Za-z]+")
#: How strongly the gap before a word separates it from the one before: none, a line
#: break, or a strong break (a blank line, or list numbering that starts again at 1).
LINE_BREAK, STRONG_BREAK = 1, 2
#: A blank line, or a new line numbered 1 ("1.", "#1", "1 -"), in the gap before a word.
STRONG_GAP = re.compile(rb"\n[ \t\r]*(?:\n|#?1(?![0-9]))")


def gap_break(gap: bytes) -> int:
    """How strongly the non-letters ``gap`` between two words separate them."""
    if b"\n" not in gap:
        return 0
    return STRONG_BREAK if STRONG_GAP.search(gap) else LINE_BREAK


def tokens_back(count: int) -> re.Pattern[bytes]:
    """The expression :func:`start_of_tokens_before` takes: ``count`` letter tokens,
    matched in reversed bytes."""
    return re.compile(rb"(?:[^A-Za-z]*+[A-Za-z]++){%d}" % count)


def start_of_tokens_before(data: bytes, position: int, back: re.Pattern[bytes],
                           span: int = 128) -> int:
    """Start of the first of the letter tokens ``back`` (from :func:`tokens_back`)
    matches before ``position``, searched backwards by matching forwards in the reversed
    bytes of a window that grows fourfold while it may cut a token short."""
    while True:
        low = max(0, position - span)
        found = back.match(data[low:position][::-1])
        start = position - found.end() if found else low
        # A match that reaches the window's edge may have cut a token short.
        if found and (start > low or low == 0 or not data[low - 1 : low].isalpha()):
            return start
        if low == 0:
            return start
        span *= 4

"""The original (slow, per-word) text scanner, kept only as a test oracle.

This is ``triage/extractors/crypto/text_scan.py`` as it was before the bit-parallel
rewrite. The differential tests require the production scanner to return exactly what
this one returns; it is never imported by the package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from triage.extractors.crypto.identify import (
    ADDRESS,
    EXTENDED_KEY,
    PRIVATE_KEY,
    Identified,
    identify,
)
from triage.extractors.crypto.known_vectors import is_known_vector
from triage.extractors.crypto.seeds import (
    WORD_INDEX,
)

# The window policy (which spans of a run are tried as phrases) is shared with the
# production scanner: this reference checks the fast candidate finding, not the policy.
from triage.extractors.crypto.text_scan import (  # noqa: E402
    STRONG_BREAK,
    fold_known_vectors,
    gap_break,
    run_seed_windows,
    single_byte_views,
)
from triage.extractors.interface import Finding

SEED_PHRASE = "crypto.seed_phrase"


def _table(keep: Callable[[int], bool], lower: bool = False) -> bytes:
    return bytes((c | 0x20 if lower else c) if keep(c) else 0x20 for c in range(256))


def _is_alnum(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_letter(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


# The pre-filters work on translated copies (one byte in, one byte out, so offsets hold):
# every non-alphanumeric byte becomes a space, then a regex anchored on a literal space
# (which the regex engine finds with a fast scan) cuts out long alphanumeric tokens.
_ALNUM_ONLY = _table(_is_alnum)
_LETTERS_ONLY = _table(_is_letter, lower=True)
#: Alphanumeric tokens long enough to be an address or key (the shortest, an old P2PKH, is 25).
LONG_TOKEN_RE = re.compile(rb" ([0-9A-Za-z]{25,112})(?![0-9A-Za-z])")
_RUN_OF_LIST_WORDS = re.compile(rb"\x01{12,}")
_WORD_RE = re.compile(rb"[A-Za-z]+")
#: What may stand between two words of a written-down phrase: white space or a comma,
#: optionally with list numbering ("1.", "2)") or quotes.
_SEED_GAP_RE = re.compile(rb"[\s,;'\"|#-]*(?:\d{1,2}[.):-]?)?[\s,;'\"|-]*")
_WORDSET = frozenset(word.encode("ascii") for word in WORD_INDEX)
_SEGWIT_PREFIXES = (b"bc1", b"tb1", b"ltc1", b"bcrt1", b"tltc1")
_CASHADDR_PREFIXES = (b"bitcoincash:", b"bchtest:", b"bchreg:")

# Base58 lengths worth decoding: addresses (25-35), WIF (51-52), BIP38 (58),
# Monero (95, 106) and BIP32 extended keys (111-112).
_B58_LENGTHS = frozenset([*range(25, 36), 51, 52, 58, 95, 106, 111, 112])

#: Longest run of list words (any separators) split into phrase-like runs at all.
MAX_LOCATED_RUN = 16384
#: Hits per call beyond which the rest are dropped (keeps hostile input bounded).
MAX_HITS = 20000
#: Data is scanned in windows of this size (bounded memory) overlapping by ``OVERLAP``.
WINDOW = 8 * 1024 * 1024
OVERLAP = 4096

CONTEXT_CHARS = 120


def printable_context(data: bytes, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """Return up to ``width`` printable characters around ``data[start:end]``."""
    spare = max(0, width - (end - start)) // 2
    lo = max(0, start - spare)
    hi = min(len(data), end + spare)
    text = data[lo:hi].decode("latin-1")
    return "".join(c if " " <= c <= "~" else "." for c in text)[:width]


def _token_finding(found: Identified, offset: int, context: str) -> Finding:
    value_key = "address" if found.type == ADDRESS else "key"
    attributes = {
        "coin": found.coin,
        value_key: found.value,
        "kind": found.kind,
        "network": found.network,
        "checksum_valid": found.checksum_valid,
        "offset": offset,
    }
    return Finding(found.type, attributes, offset=offset, context=context, key=found.value)


def _worth_identifying(token: bytes) -> bool:
    """Cheap shape test before any decoding: a length or prefix some family uses."""
    if len(token) in _B58_LENGTHS or len(token) == 42:
        return True
    return token[:5].lower().startswith(_SEGWIT_PREFIXES)


def _iter_tokens(data: bytes) -> Iterator[tuple[Identified, int, int]]:
    translated = b" " + data.translate(_ALNUM_ONLY)
    for match in LONG_TOKEN_RE.finditer(translated):
        start, end = match.start(), match.end() - 1
        token = data[start:end]
        found = None
        if _worth_identifying(token):
            if len(token) == 42 and token[:1] in b"qpQP":
                for prefix in _CASHADDR_PREFIXES:
                    if data[max(0, start - len(prefix)) : start].lower() == prefix:
                        start -= len(prefix)
                        token = data[start:end]
                        break
            found = identify(token.decode("ascii"))
        if found is None or not found.checksum_valid:
            # An address glued to the text after it (SQLite columns): its shortest
            # prefix of 25 to 35 characters that is a valid address, found by brute force.
            for length in range(25, min(35, len(token) - 1) + 1):
                glued = identify(token[:length].decode("ascii"))
                if glued is not None and glued.checksum_valid and glued.type == ADDRESS:
                    yield glued, start, start + length
                    break
            else:
                if found is not None:
                    yield found, start, end
            continue
        yield found, start, end


def _iter_seeds(data: bytes) -> Iterator[tuple[list[str], str, int, int]]:
    translated = b" " + data.translate(_LETTERS_ONLY)
    tokens = translated.split()
    flags = bytes(map(_WORDSET.__contains__, tokens))
    position = 0
    for match in _RUN_OF_LIST_WORDS.finditer(flags):
        if match.end() - match.start() > MAX_LOCATED_RUN:
            continue
        words = tokens[match.start() : match.end()]
        # Only runs are located in the bytes (a literal-prefixed search on the translated
        # copy, whose offsets are the original's plus one); other words stay unindexed.
        pattern = rb" " + rb" +".join(words) + rb"(?![a-z])"
        located = re.compile(pattern).search(translated, position)
        if located is None:
            continue
        position = located.end()
        region_start, region_end = located.start(), located.end() - 1
        runs: list[list[tuple[str, int, int, int]]] = [[]]
        previous_end = region_start
        for word in _WORD_RE.finditer(data, region_start, region_end):
            gap = data[previous_end : word.start()]
            if runs[-1] and not _SEED_GAP_RE.fullmatch(gap):
                runs.append([])
            level = STRONG_BREAK if not runs[-1] else gap_break(gap)
            previous_end = word.end()
            runs[-1].append(
                (word.group().lower().decode("ascii"), word.start(), word.end(), level)
            )
        for run in runs:
            if len(run) < 12:
                continue
            for first, count, kind in run_seed_windows(run):
                chosen = run[first : first + count]
                words_chosen = [w[0] for w in chosen]
                if kind and not _plausible_phrase(words_chosen):
                    continue
                yield words_chosen, kind, chosen[0][1], chosen[-1][2]


def _plausible_phrase(words: list[str]) -> bool:
    """Reject machine text that passes a checksum by chance (e.g. repeated CSS names).

    Random phrases rarely repeat a word more than twice over; published vectors such as
    'abandon ... about' are always kept (the quorum rule folds them into one summary).
    """
    return len(set(words)) >= len(words) - 2 or is_known_vector(" ".join(words))


def scan_text(
    data: bytes,
    include_invalid: bool = False,
    include_unchecksummed: bool = True,
) -> list[Finding]:
    """Return crypto findings in ``data`` (addresses, keys, extended keys, seed phrases).

    Only checksum-valid hits are returned unless ``include_invalid``; hits of forms with no
    checksum (all-lower-case Ethereum addresses, ``checksum_valid`` None) are returned while
    ``include_unchecksummed``. Hits are de-duplicated by value (first offset wins). Known
    published test vectors are folded as the fast scanner folds them.
    """
    hits: dict[str, Finding] = {}
    for view, to_offset in single_byte_views(data):
        for base in range(0, len(view), WINDOW):
            window = view[base : base + WINDOW + OVERLAP]
            cut = base > 0 and _is_alnum(view[base - 1])
            for start, end, value, finding in _window_hits(
                window, include_invalid, include_unchecksummed
            ):
                if start >= WINDOW or (cut and start == 0) or value in hits:
                    continue
                if len(hits) >= MAX_HITS:
                    break
                offset = to_offset(base + start)
                finding.offset = offset
                finding.attributes["offset"] = offset
                finding.context = printable_context(window, start, end)
                hits[value] = finding
    # Folding the vectors found is shared post-processing, not part of what this
    # reference checks (finding them).
    return fold_known_vectors(hits)


def _window_hits(
    window: bytes, include_invalid: bool, include_unchecksummed: bool
) -> Iterator[tuple[int, int, str, Finding]]:
    """(start, end, value, finding) of every hit in one window; offsets set by the caller."""
    for found, start, end in _iter_tokens(window):
        if found.checksum_valid is False and not include_invalid:
            continue
        if found.checksum_valid is None and not include_unchecksummed:
            continue
        yield start, end, found.value, _token_finding(found, start, "")
    for words, kind, start, end in _iter_seeds(window):
        valid = bool(kind)
        if not valid and not include_invalid:
            continue
        phrase = " ".join(words)
        attributes = {
            "words": phrase,
            "word_count": len(words),
            "kind": kind or "unknown",
            "language": "english",
            "checksum_valid": valid,
            "offset": start,
        }
        yield start, end, phrase, Finding(SEED_PHRASE, attributes, start, None, key=phrase)



__all__ = ["ADDRESS", "EXTENDED_KEY", "PRIVATE_KEY", "SEED_PHRASE", "scan_text"]

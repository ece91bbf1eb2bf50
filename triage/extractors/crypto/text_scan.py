"""Find checksum-validated addresses, keys and seed phrases in arbitrary bytes.

:func:`scan_text` is the byte-level detector behind ``CryptoExtractor.scan_bytes``: it is
called on every text-like file and on raw chunks of unallocated space, so it never
assumes a whole file, returns offsets relative to the bytes it was given, and only runs
the (slow) checksum code on candidates that cheap whole-buffer passes have cut out.

Speed comes from never looping in Python over every word or byte:

* one ``bytes.translate`` gives each byte a class (letter, digit, other) as a hex digit,
  and ``binascii.a2b_hex`` packs pairs of classes into one byte;
* address/key candidates are runs of 25+ alphanumerics, so they hold 12 consecutive
  all-alphanumeric pairs: a ``bytes.find`` for that literal skips everything else;
* seed candidates need 12 consecutive letter tokens of 3-8 letters (every BIP-39 word
  is one). Two more translate/``a2b_hex`` rounds pack one "is a letter" bit per byte
  into a big integer, and a few dozen whole-integer shifts, ANDs and additions mark, for
  every such zone, its twelfth token and the token that ends it (:func:`_zone_bounds`);
* every run of 12 list words in a zone of at most 23 tokens includes the twelfth token,
  so one batch look-up of the zones' tails rules most zones out; the rest are split into
  words and handled as before.

The results are exactly those of the straightforward per-word scanner this replaced
(kept as a test oracle in ``tests/extractors/crypto/reference_text_scan.py``).
"""

from __future__ import annotations

import re
from binascii import a2b_hex
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from itertools import accumulate, pairwise, repeat

from ..interface import DetectorWarning, Finding
from .base58 import BITCOIN_ALPHABET, RIPPLE_ALPHABET, b58encode
from .bit_positions import LETTERS_ONLY as _LETTERS_ONLY
from .bit_positions import set_bits as _set_bits
from .identify import (
    ADDRESS,
    BASE58_ADDRESS_VERSIONS,
    EXTENDED_KEY,
    PRIVATE_KEY,
    Identified,
    identify,
)
from .known_vectors import is_known_vector
from .monero_text import monero_seeds
from .phrase_runs import PHRASE_RUN_RE as _PHRASE_RUN_RE
from .phrase_runs import STRONG_BREAK, gap_break, start_of_tokens_before, tokens_back
from .phrase_runs import STRONG_GAP as _STRONG_GAP
from .phrase_runs import WORD_RE as _WORD_RE
from .seeds import BIP39_LENGTHS, WORD_INDEX, bip39_is_valid, electrum_seed_type

SEED_PHRASE = "crypto.seed_phrase"
TEST_VECTORS = "crypto.test_vectors"


def _table(value: Callable[[int], int]) -> bytes:
    return bytes(value(c) for c in range(256))


def _is_alnum(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_letter(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


_HEX = b"0123456789abcdef"
#: Byte class as a hex digit: '1' letter, '2' digit, '0' anything else.
_CLASS_HEX = _table(lambda c: 0x31 if _is_letter(c) else 0x32 if _is_alnum(c) else 0x30)
#: a2b_hex(classes) holds one byte per pair of positions, ``class0 << 4 | class1``.
_PAIR_BOTH_ALNUM = _table(lambda c: 0x61 if c >> 4 in (1, 2) and c & 15 in (1, 2) else 0x20)
_PAIR_LETTER_BITS = _table(lambda c: _HEX[((c >> 4) == 1) << 1 | ((c & 15) == 1)])
#: Two 2-bit nibbles (four positions) -> one hex digit, so a2b_hex packs eight per byte.
_QUAD_LETTER_BITS = _table(lambda c: _HEX[(c >> 4 & 3) << 2 | (c & 3)])
_REVERSED_BITS = _table(lambda c: int(f"{c:08b}"[::-1], 2))
_IS_ALNUM = _table(lambda c: 1 if _is_alnum(c) else 0)
_IS_LETTER = _table(lambda c: 1 if _is_letter(c) else 0)
#: Letters lower-cased, everything else a space (one byte in, one byte out).

#: Alphanumeric tokens long enough to be an address or key (the shortest, an old P2PKH, is 25);
#: :func:`_long_alnum_runs` finds exactly these runs without running this expression.
LONG_TOKEN_RE = re.compile(rb" ([0-9A-Za-z]{25,112})(?![0-9A-Za-z])")
MIN_TOKEN, MAX_TOKEN = 25, 112
#: A run of MIN_TOKEN alphanumerics always covers this many whole position pairs.
_ALNUM_PAIRS = b"a" * (MIN_TOKEN // 2)
_ALNUM_RUN_RE = re.compile(rb"[0-9A-Za-z]*")
_LOWER_WORD_RE = re.compile(rb"[a-z]+")
_RUN_OF_LIST_WORDS = re.compile(rb"\x01{12,}")
#: A zone's tail (twelfth token on) that may hold a run: it starts with a list word or is
#: longer than 12 tokens. Codes: 2 separator, 1 list word, 0 other.
_CANDIDATE_TAIL_RE = re.compile(rb"\x02(?:\x01+|(?=[\x00\x01]{13}))")
_TAIL_SEPARATOR = b" q "
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
_ELEVEN_TOKENS_BACK = tokens_back(11)
_WORDSET = frozenset(word.encode("ascii") for word in WORD_INDEX)
_TAIL_CODES = dict.fromkeys(_WORDSET, 1) | {_TAIL_SEPARATOR.strip(): 2}
_SEGWIT_PREFIXES = (b"bc1", b"tb1", b"ltc1", b"bcrt1", b"tltc1")
_CASHADDR_PREFIXES = (b"bitcoincash:", b"bchtest:", b"bchreg:")

# Base58 lengths worth decoding: addresses (25-35), WIF (51-52), BIP38 (58),
# Monero (95, 106) and BIP32 extended keys (111-112).
_B58_LENGTHS = frozenset([*range(25, 36), 51, 52, 58, 95, 106, 111, 112])

#: Word runs longer than this are word lists, dictionaries or several phrases, one per
#: line: only their lines are checked (see :func:`run_seed_windows`).
MAX_SEED_RUN = 48
#: Most words a line of such a run may have: a 24-word phrase after two label words.
LINE_PHRASE_WORDS = 26
#: Longest run of list words (any separators) split into phrase-like runs at all.
MAX_LOCATED_RUN = 16384
#: Hits per call beyond which the rest are dropped (keeps hostile input bounded).
MAX_HITS = 20000
#: Known test vectors are folded into one summary only when at least this many sit in
#: the same buffer.
TEST_VECTOR_QUORUM = 3
#: Values a test-vector summary lists (the count covers all of them).
TEST_VECTOR_EXAMPLES = 10
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


def _pair_classes(data: bytes) -> bytes:
    """One byte per two positions of ``data``: ``class0 << 4 | class1`` (1 letter, 2 digit)."""
    classes = data.translate(_CLASS_HEX)
    return a2b_hex(classes + b"0" if len(classes) % 2 else classes)


# -- addresses and keys -------------------------------------------------------------------
def _long_alnum_runs(data: bytes, pairs: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of every maximal alphanumeric run of MIN_TOKEN..MAX_TOKEN bytes."""
    both = pairs.translate(_PAIR_BOTH_ALNUM)
    index = both.find(_ALNUM_PAIRS)
    while index >= 0:
        # Pair index-1 is not all-alphanumeric (find would have stopped there), so the
        # run starts at this pair or at its left neighbour's second byte.
        start = 2 * index
        if start and _IS_ALNUM[data[start - 1]]:
            start -= 1
        end = _ALNUM_RUN_RE.match(data, start).end()  # type: ignore[union-attr]
        if MIN_TOKEN <= end - start <= MAX_TOKEN:
            yield start, end
        index = both.find(_ALNUM_PAIRS, end // 2)


def _iter_tokens(data: bytes, pairs: bytes) -> Iterator[tuple[Identified, int, int]]:
    for start, end in _long_alnum_runs(data, pairs):
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
        if (found is None or not found.checksum_valid) and len(token) > MIN_TOKEN:
            glued = _address_at_start(token)
            if glued is not None:
                yield glued, start, start + len(glued.value)
                continue
        if found is not None:
            yield found, start, end


_ADDRESS_BYTES = 25


def _digits(alphabet: str) -> dict[int, int]:
    return {char: digit for digit, char in enumerate(alphabet.encode("ascii"))}


def _address_leaders() -> frozenset[int]:
    """First characters a 25-byte Bitcoin-alphabet address of a known version can have:
    those from its smallest to its largest payload, in alphabet order (a run starting
    otherwise, most base64, is passed over at once)."""
    leaders = set()
    for version in BASE58_ADDRESS_VERSIONS:
        low = b58encode(bytes([version]) + bytes(24))[0]
        high = b58encode(bytes([version]) + b"\xff" * 24)[0]
        first, last = BITCOIN_ALPHABET.index(low), BITCOIN_ALPHABET.index(high)
        leaders.update(BITCOIN_ALPHABET[first : last + 1].encode("ascii"))
    return frozenset(leaders)


_BITCOIN_DIGITS, _RIPPLE_DIGITS = _digits(BITCOIN_ALPHABET), _digits(RIPPLE_ALPHABET)
_ADDRESS_LEADERS = _address_leaders()
#: An XRP classic address (version 0) starts with the Ripple alphabet's zero, 'r'.
_RIPPLE_ZERO = ord(RIPPLE_ALPHABET[0])


def _address_at_start(token: bytes) -> Identified | None:
    """A Base58 address (25 bytes with a valid checksum) at the start of a longer run: in
    an SQLite record a column's text follows the one before with nothing between
    ("...NVN2Address"), so a visited address ends where the page title begins.

    Each prefix of 25 to 35 characters is decoded as one integer grows; only a prefix
    that decodes to exactly 25 bytes has its checksum tested (a chance match: 2**-32).
    """
    if token[0] in _ADDRESS_LEADERS:
        digits, zero = _BITCOIN_DIGITS, ord(BITCOIN_ALPHABET[0])
    elif token[0] == _RIPPLE_ZERO:
        digits, zero = _RIPPLE_DIGITS, _RIPPLE_ZERO
    else:
        return None
    ones = len(token) - len(token.lstrip(bytes([zero])))
    value = 0
    for length, char in enumerate(token[:35], 1):
        digit = digits.get(char)
        if digit is None:
            return None
        value = value * 58 + digit
        if length < MIN_TOKEN:
            continue
        zeros = min(ones, length)
        rest = _ADDRESS_BYTES - zeros
        if rest <= 0 or value >> (8 * rest) or not value >> (8 * (rest - 1)):
            continue
        raw = bytes(zeros) + value.to_bytes(rest, "big")
        if sha256(sha256(raw[:21]).digest()).digest()[:4] == raw[21:]:
            found = identify(token[:length].decode("ascii"))
            if found is not None and found.checksum_valid and found.type == ADDRESS:
                return found
    return None


# -- seed phrases: finding candidate zones ------------------------------------------------
def _letter_bits(pairs: bytes) -> tuple[int, int]:
    """(mask, size): bit ``i`` of ``mask`` is set when byte ``i`` is a letter."""
    quads = pairs.translate(_PAIR_LETTER_BITS)
    packed = a2b_hex(quads + b"0" if len(quads) % 2 else quads)
    octets = packed.translate(_QUAD_LETTER_BITS)
    packed = a2b_hex(octets + b"0" if len(octets) % 2 else octets)
    return int.from_bytes(packed.translate(_REVERSED_BITS), "little"), len(packed) * 8


def _zone_bounds(letters: int, size: int) -> int:
    """Bits marking, for every zone of 12+ consecutive tokens of 3-8 letters, the start of
    its twelfth token and the start of the token that ends it (any other length).

    Bit ``i`` is byte ``i``, so ``x << k`` moves the value at byte ``i`` to byte ``i + k``.
    Tokens may be separated by any number of non-letters: stepping from one token to the
    next is an addition whose carry ripples forward through the bits between token starts
    and stops at the next start.
    """
    starts = letters & ~(letters << 1)
    three = letters & (letters >> 1) & (letters >> 2)
    nine = three & (three >> 3) & (three >> 6)
    good = starts & three & ~nine
    if not good:
        return 0
    everything = (1 << size) - 1
    between = everything ^ starts

    def following(tokens: int) -> int:
        """Token starts whose previous token start is in ``tokens``."""
        return (between + (tokens << 1)) & starts

    two = good & following(good)
    four = two & following(following(two))
    eight = four & following(following(following(following(four))))
    twelfth = four & following(following(following(following(eight))))
    if not twelfth:
        return 0
    bad = starts ^ good
    first_twelfth = twelfth & ~following(twelfth)
    ends = ((everything ^ bad) + (twelfth << 1)) & bad
    return first_twelfth | ends


@dataclass
class _ListRun:
    """A maximal run (12 or more) of consecutive word-list tokens, any separators."""

    words: list[bytes]
    spans: list[tuple[int, int]]


def _word_bits(pairs: bytes) -> tuple[int, int]:
    """(letter bits, size) as :func:`_letter_bits` gives them, or (0, 0) when no token
    of three or more letters can be in the data."""
    # A token of 3+ letters holds a pair of letters at an even offset (byte 0x11).
    if pairs.find(b"\x11") < 0:
        return 0, 0
    return _letter_bits(pairs)


def _list_word_runs(data: bytes, pairs: bytes,
                    bits: tuple[int, int] | None = None) -> Iterator[_ListRun]:
    """Every maximal run of 12+ consecutive word-list tokens, in order (``bits``: the
    data's :func:`_word_bits`, when the caller has them)."""
    letters, size = _word_bits(pairs) if bits is None else bits
    if not letters:
        return
    bounds = _zone_bounds(letters, size)
    if not bounds:
        return
    positions = _set_bits(bounds, size)
    if len(positions) % 2:
        positions.append(len(data))  # the last zone runs to the end
    twelfths, ends = positions[0::2], positions[1::2]
    # Every run of 12 list words in a zone of at most 23 tokens includes the zone's twelfth
    # token, so one batch look-up of the zones' tails (twelfth token on) rules most out.
    tails = _TAIL_SEPARATOR + _TAIL_SEPARATOR.join(
        [data[a:b] for a, b in zip(twelfths, ends, strict=True)]
    )
    codes = bytes(map(_TAIL_CODES.get, tails.translate(_LETTERS_ONLY).split(), repeat(0)))
    zone, counted = -1, 0
    for match in _CANDIDATE_TAIL_RE.finditer(codes):
        zone += codes.count(b"\x02", counted, match.start() + 1)
        counted = match.start() + 1
        listed = match.end() - match.start() - 1
        following = codes.find(b"\x02", match.start() + 1)
        tail_size = (len(codes) if following < 0 else following) - match.start() - 1
        if tail_size <= 12 and listed < 12:
            if not _listed_before(data, twelfths[zone], 12 - listed):
                continue
        yield from _runs_in_zone(data, start_of_tokens_before(data, twelfths[zone], _ELEVEN_TOKENS_BACK), ends[zone])


def _listed_before(data: bytes, position: int, count: int) -> bool:
    """False when one of the ``count`` letter tokens before ``position`` is not a list word
    (True when they all are, or when they lie too far back to look at cheaply)."""
    low = max(0, position - 10 * count)
    words = data[low:position].translate(_LETTERS_ONLY).split()
    # The first word may be cut short by the window; it only counts if more are needed.
    if len(words) <= count and low and _IS_LETTER[data[low - 1]]:
        return True
    return _WORDSET.issuperset(words[-count:])


def _runs_in_zone(data: bytes, start: int, end: int) -> Iterator[_ListRun]:
    text = data[start:end].translate(_LETTERS_ONLY)
    words = text.split()
    flags = bytes(map(_WORDSET.__contains__, words))
    spans: list[tuple[int, int]] | None = None
    for run in _RUN_OF_LIST_WORDS.finditer(flags):
        if spans is None:
            spans = [(m.start() + start, m.end() + start) for m in _LOWER_WORD_RE.finditer(text)]
        first, last = run.span()
        yield _ListRun(words[first:last], spans[first:last])


#: (word, start, end, break before it): 0 none, 1 a line break, 2 a strong break (the run's
#: start, a blank line, or list numbering that starts again at 1).
_Item = tuple[str, int, int, int]


# -- seed phrases: the per-run checks --------------------------------------------------------
def _seed_windows(run: list[_Item]) -> Iterator[tuple[int, int, str]]:
    """Yield (first, count, kind) of the seed phrases inside one run of word-list words,
    in order and without overlap.

    ``run`` items are (word, start, end, newline_before). A run of up to 24 words is
    tried whole and at up to two words in from either end (label words such as "test
    seed:" before a phrase, or list words after it); a longer one only from its line
    starts and up to two words after them, so long prose-like runs do not multiply the
    1-in-16 chance of a 12-word checksum matching by accident. Of the windows that hold
    a valid phrase, those that begin a line come first, then those that end one, then
    the longer: a label word on the line above, or the next phrase's first words, can
    make a shifted window valid by chance, and the phrase as written must win. Electrum
    phrases are tried only in windows that begin and end a line (or the run). A short
    run with no phrase is yielded whole with kind "" (an invalid candidate).
    """
    words = [item[0] for item in run]
    size = len(words)
    if size <= 24:
        firsts_of = {count: {0, 1, 2, size - count, size - count - 1, size - count - 2}
                     for count in BIP39_LENGTHS}
    else:
        line_starts = [i for i, item in enumerate(run) if item[3]]
        around = {i + skip for i in line_starts for skip in (0, 1, 2)}
        firsts_of = dict.fromkeys(BIP39_LENGTHS, around)
    windows = [(first, count) for count, firsts in firsts_of.items() for first in firsts
               if 0 <= first <= size - count]

    def begins_line(first: int) -> int:
        return run[first][3]

    def ends_line(end: int) -> int:
        return STRONG_BREAK if end == size else run[end][3]

    def free(first: int, count: int) -> bool:
        return all(first + count <= other or other + length <= first
                   for other, length, _ in taken)

    taken: list[tuple[int, int, str]] = []
    strong = [i for i, item in enumerate(run) if item[3] == STRONG_BREAK]

    def crosses_strong(first: int, count: int) -> bool:
        """True when a blank line or numbering from 1 lies inside the window."""
        return any(first < i < first + count for i in strong)

    # Windows whose two ends fall on the strongest breaks (a blank line or numbering from
    # 1 over a line break over none) come first, then those no such break cuts through,
    # then the longer.
    for first, count in sorted(windows, key=lambda w: (
            -begins_line(w[0]) - ends_line(w[0] + w[1]), crosses_strong(*w), -w[1], w[0])):
        chosen = words[first : first + count]
        if free(first, count) and bip39_is_valid(chosen) and _plausible_phrase(chosen):
            taken.append((first, count, "bip39"))
    for count in (12, 13):
        for first in range(size - count + 1):
            if begins_line(first) and ends_line(first + count) and free(first, count):
                electrum = electrum_seed_type(words[first : first + count])
                if electrum is not None:
                    taken.append((first, count, f"electrum_{electrum}"))
    if not taken and size <= 24:
        yield 0, size, ""
        return
    yield from sorted(taken)


class _Locator:
    """Where each run of list words is looked for, as the per-word scanner did it.

    That scanner searched for each run's words (in order, as whole tokens) from the end
    of the previously found one; runs over MAX_LOCATED_RUN words were skipped without
    moving the search on, so a later run whose words also occur inside such a skipped run
    is found there. Only runs of 12+ list words can hold such an occurrence, so keeping
    those runs (and a cursor into them) reproduces it exactly.
    """

    def __init__(self) -> None:
        self.runs: list[_ListRun] = []
        self.run_index = 0
        self.word_index = 0
        #: Per kept run (by identity): its words joined between spaces, and where the
        #: space before each word sits; built once, so many short runs found inside one
        #: long run cost no more than one pass over it.
        self._hays: dict[int, tuple[bytes, list[int]]] = {}

    def locate(self, run: _ListRun) -> tuple[int, int] | None:
        """Add ``run`` and return the (start, end) byte span its words are found at."""
        self.runs.append(run)
        if len(run.words) > MAX_LOCATED_RUN:
            return None
        needle = b" " + b" ".join(run.words) + b" "
        for index in range(self.run_index, len(self.runs)):
            host = self.runs[index]
            skip = self.word_index if index == self.run_index else 0
            if host is run and skip == 0:
                found = 0
            else:
                hay, spaces = self._hay(host)
                at = hay.find(needle, spaces[skip])
                if at < 0:
                    continue
                found = bisect_left(spaces, at)
            last = found + len(run.words)
            self._advance(index, last)
            return host.spans[found][0], host.spans[last - 1][1]
        return None

    def _hay(self, host: _ListRun) -> tuple[bytes, list[int]]:
        cached = self._hays.get(id(host))
        if cached is None:
            spaces = [0, *accumulate(len(word) + 1 for word in host.words)]
            cached = self._hays[id(host)] = (b" " + b" ".join(host.words) + b" ", spaces)
        return cached

    def _advance(self, index: int, word_index: int) -> None:
        if word_index >= len(self.runs[index].words):
            index, word_index = index + 1, 0
        for dropped in self.runs[:index]:
            self._hays.pop(id(dropped), None)
        del self.runs[:index]
        self.run_index, self.word_index = 0, word_index


def _run_items(data: bytes, start: int, end: int) -> list[_Item]:
    """The words of ``data[start:end]`` as (word, start, end, break before) items; the
    first word's break is strong."""
    items = []
    previous_end = -1
    for word in _WORD_RE.finditer(data, start, end):
        level = STRONG_BREAK if previous_end < 0 else gap_break(data[previous_end : word.start()])
        previous_end = word.end()
        items.append((word.group().lower().decode("ascii"), word.start(), word.end(), level))
    return items


def _candidate_lines(data: bytes, start: int, end: int) -> list[tuple[int, list[str]]]:
    """(start, lower-case words) of the lines of ``data[start:end]`` holding 12 to
    LINE_PHRASE_WORDS words; the words of every line are found in C."""
    lines = data[start:end].split(b"\n")
    out = []
    offset = start
    for line, words in zip(lines, map(_WORD_RE.findall, lines), strict=True):
        if 12 <= len(words) <= LINE_PHRASE_WORDS:
            out.append((offset, [word.lower().decode("ascii") for word in words]))
        offset += len(line) + 1
    return out


def run_seed_windows(run: list[_Item]) -> Iterator[tuple[int, int, str]]:
    """Yield (first, count, kind) of seed phrases in one phrase-like run of list words.

    A run of at most MAX_SEED_RUN words goes to :func:`_seed_windows`. A longer one is a
    word list, or several phrases (a list of wallets' seeds): it is cut into units, each
    the words between two strong breaks (a blank line, numbering from 1 again) when they
    are a phrase's size, else each line of them that is, and the units go to
    :func:`line_seed_windows`.
    """
    if len(run) <= MAX_SEED_RUN:
        yield from _seed_windows(run)
        return
    units: list[tuple[int, list[str]]] = []
    starts = [i for i, item in enumerate(run) if item[3] == STRONG_BREAK] + [len(run)]
    for begin, stop in pairwise(starts):
        if 12 <= stop - begin <= LINE_PHRASE_WORDS:
            units.append((begin, [item[0] for item in run[begin:stop]]))
        elif stop - begin > LINE_PHRASE_WORDS:
            line_starts = [i for i in range(begin, stop) if run[i][3]] + [stop]
            units += [(first, [item[0] for item in run[first:last]])
                      for first, last in pairwise(line_starts)
                      if 12 <= last - first <= LINE_PHRASE_WORDS]
    for index, first, count, kind in line_seed_windows([words for _, words in units]):
        yield units[index][0] + first, count, kind


def line_seed_windows(lines: list[list[str]]) -> list[tuple[int, int, int, str]]:
    """(unit, first, count, kind) of the seed phrases in the units (12 to
    LINE_PHRASE_WORDS words each: parts between strong breaks, or lines) of a run too
    long to be one phrase.

    Each unit is tried once, as the phrase ending it (up to two label words may lead it).
    Its valid phrases count only when at least half of the units hold one: a list of
    seeds is valid unit after unit, while lines or groups of a word list pass the
    checksum by chance one time in sixteen or less.
    """
    found = []
    for index, line in enumerate(lines):
        size = len(line)
        count = max(n for n in BIP39_LENGTHS if n <= size)
        if bip39_is_valid(line[size - count :]):
            found.append((index, size - count, count, "bip39"))
    return found if 2 * len(found) >= len(lines) else []


def _long_run_windows(
    data: bytes, start: int, end: int,
) -> Iterator[tuple[list[_Item], int, int, str]]:
    """(items, first, count, kind) of the phrases in a run of more than MAX_SEED_RUN words,
    as :func:`run_seed_windows` finds them, without making items of every word: the run
    is cut at its strong breaks and into lines in C, and only units that hold a phrase
    become items."""
    cuts = [match.end() for match in _STRONG_GAP.finditer(data, start, end)]
    units: list[tuple[int, int, list[str]]] = []
    for begin, stop in pairwise([start, *cuts, end]):
        words = [word.lower().decode("ascii") for word in _WORD_RE.findall(data, begin, stop)]
        if 12 <= len(words) <= LINE_PHRASE_WORDS:
            units.append((begin, stop, words))
        elif len(words) > LINE_PHRASE_WORDS:
            for line_start, line_words in _candidate_lines(data, begin, stop):
                line_end = data.find(b"\n", line_start, stop)
                units.append((line_start, stop if line_end < 0 else line_end, line_words))
    for index, first, count, kind in line_seed_windows([words for _, _, words in units]):
        unit_start, unit_end, _ = units[index]
        yield _run_items(data, unit_start, unit_end), first, count, kind


def _iter_seeds(data: bytes, pairs: bytes,
                bits: tuple[int, int] | None = None) -> Iterator[tuple[list[str], str, int, int]]:
    locator = _Locator()
    for list_run in _list_word_runs(data, pairs, bits):
        span = locator.locate(list_run)
        if span is None:
            continue
        # Split the located words into runs whose separators look like a written phrase.
        for phrase in _PHRASE_RUN_RE.finditer(data, *span):
            start, end = phrase.span()
            words = len(_WORD_RE.findall(data, start, end))
            if words < 12:
                continue
            if words <= MAX_SEED_RUN:
                run = _run_items(data, start, end)
                windows = [(run, first, count, kind) for first, count, kind in _seed_windows(run)]
            else:
                windows = list(_long_run_windows(data, start, end))
            for run, first, count, kind in windows:
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
    published test vectors are folded into one ``crypto.test_vectors`` summary when
    ``TEST_VECTOR_QUORUM`` or more of them occur in ``data`` (the signature of a wallet
    test suite or vector file) and kept as ordinary hits otherwise.
    """
    hits: dict[str, Finding] = {}
    capped = False
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
                    capped = True
                    break
                offset = to_offset(base + start)
                finding.offset = offset
                finding.attributes["offset"] = offset
                finding.context = printable_context(window, start, end)
                hits[value] = finding
    findings = fold_known_vectors(hits)
    if capped:
        findings.append(DetectorWarning(
            f"more than {MAX_HITS} distinct addresses, keys and seed phrases in these bytes;"
            " only the first were reported"))
    return findings


def fold_known_vectors(hits: dict[str, Finding]) -> list[Finding]:
    """Return ``hits`` (value -> finding, in order) with published test vectors folded
    into one ``crypto.test_vectors`` finding when ``TEST_VECTOR_QUORUM`` or more occur.

    A wallet's test suite or a vector file holds dozens of well-known addresses and
    phrases that belong to nobody; one summary says they were there without filling the
    case with them. A single planted vector stays an ordinary hit.
    """
    known = [hits[value] for value in hits if is_known_vector(value)]
    if len(known) < TEST_VECTOR_QUORUM:
        return list(hits.values())
    first = min(known, key=lambda finding: finding.offset or 0)
    kinds = sorted({finding.type.partition(".")[2].replace("_", " ") for finding in known})
    examples = [finding.key or "" for finding in known[:TEST_VECTOR_EXAMPLES]]
    attributes = {
        "count": len(known),
        "kinds": kinds,
        "examples": examples,
        "offset": first.offset,
    }
    summary = Finding(TEST_VECTORS, attributes, first.offset, first.context,
                      key="published test vectors")
    folded = {id(finding) for finding in known}
    return [summary] + [finding for finding in hits.values() if id(finding) not in folded]


def _window_hits(
    window: bytes, include_invalid: bool, include_unchecksummed: bool
) -> Iterator[tuple[int, int, str, Finding]]:
    """(start, end, value, finding) of every hit in one window; offsets set by the caller."""
    pairs = _pair_classes(window)
    for found, start, end in _iter_tokens(window, pairs):
        if found.checksum_valid is False and not include_invalid:
            continue
        if found.checksum_valid is None and not include_unchecksummed:
            continue
        yield start, end, found.value, _token_finding(found, start, "")
    bits = _word_bits(pairs)
    for words, kind, start, end in _iter_seeds(window, pairs, bits):
        if kind or include_invalid:
            yield _seed_hit(words, kind or "unknown", bool(kind), start, end)
    if bits[0]:
        for words, valid, start, end in monero_seeds(window, *bits):
            if valid or include_invalid:
                yield _seed_hit(words, "monero", valid, start, end)


def _seed_hit(words: list[str], kind: str, valid: bool, start: int,
              end: int) -> tuple[int, int, str, Finding]:
    phrase = " ".join(words)
    attributes = {
        "words": phrase,
        "word_count": len(words),
        "kind": kind,
        "language": "english",
        "checksum_valid": valid,
        "offset": start,
    }
    return start, end, phrase, Finding(SEED_PHRASE, attributes, start, None, key=phrase)


def single_byte_views(data: bytes) -> list[tuple[bytes, Callable[[int], int]]]:
    """The byte strings to scan for ``data``, each with the map from its indexes to
    offsets in ``data``: ``data`` itself, and for data that starts with a UTF-16
    byte-order mark, also its text one byte per UTF-16 code unit (characters beyond
    Latin-1 as ``?``); for other data with zero bytes, each run of UTF-16LE Latin text
    in it (:func:`_utf16_run_views`).

    Both are scanned: two bytes that look like a byte-order mark prove nothing (carved
    data, binary files, a chunk of free space), and a document in any script can quote
    an ASCII address. A character outside the Basic Multilingual Plane (an emoji) is one
    character of text but two code units, and the map counts it so.
    """
    views: list[tuple[bytes, Callable[[int], int]]] = [(data, _same_offset)]
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        if b"\x00" in data:  # text files have none: no cost for them
            views += _utf16_run_views(data)
        return views
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        codec = "utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be"
        text = data[2 : len(data) - (len(data) % 2)].decode(codec, errors="surrogatepass")
        wide = [match.start() for match in _BEYOND_BMP.finditer(text)]

        def unit_offset(index: int) -> int:
            return 2 + 2 * (index + bisect_left(wide, index))

        views.append((text.encode("latin-1", errors="replace"), unit_offset))
    return views


def _same_offset(index: int) -> int:
    return index


#: 'a' for printable ASCII, 'z' for a zero byte: UTF-16LE Latin text reads "azaz...".
_UTF16_CLASSES = bytes(0x61 if 0x20 <= c <= 0x7E or c in b"\t\n\r" else 0x7A if c == 0
                       else 0x20 for c in range(256))
#: UTF-16LE characters in a row worth a view: the shortest address or key.
_UTF16_RUN_CHARS = MIN_TOKEN
_UTF16_NEEDLE = b"az" * _UTF16_RUN_CHARS
_UTF16_PAIRS = re.compile(rb"(?:az)+")


def _utf16_run_views(data: bytes) -> list[tuple[bytes, Callable[[int], int]]]:
    """One view of the runs of UTF-16LE Latin text in ``data`` that no byte-order mark
    opens (text in free space or carved data, a note that starts mid-window): each run's
    characters' low bytes, the runs joined by a zero byte (which no token crosses), mapped
    back to where each character starts. One view for all, so many short runs cost one
    scan, not one each."""
    classes = data.translate(_UTF16_CLASSES)
    pieces: list[bytes] = []
    view_starts: list[int] = []
    data_starts: list[int] = []
    length = 0
    found = classes.find(_UTF16_NEEDLE)
    while found >= 0:
        end = _UTF16_PAIRS.match(classes, found).end()  # type: ignore[union-attr]
        piece = data[found:end:2]
        pieces.append(piece)
        view_starts.append(length)
        data_starts.append(found)
        length += len(piece) + 1
        found = classes.find(_UTF16_NEEDLE, end)
    if not pieces:
        return []

    def to_offset(index: int) -> int:
        run = bisect_right(view_starts, index) - 1
        return data_starts[run] + 2 * (index - view_starts[run])

    return [(b"\x00".join(pieces), to_offset)]


__all__ = ["ADDRESS", "EXTENDED_KEY", "PRIVATE_KEY", "SEED_PHRASE", "TEST_VECTORS", "scan_text"]

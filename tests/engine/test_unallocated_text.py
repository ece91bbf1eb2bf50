"""Text detectors in free space see only its text (``text_segments``): the same findings,
offsets and contexts as on the whole window, on binary with text planted anywhere."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.test_unallocated import ELECTRUM, KEYSTORE, TOR_STATE
from triage.engine import IngestOptions
from triage.engine.unallocated import (
    CARVE_RULES,
    TEXT_MARGIN,
    TEXT_RUN,
    _Carver,
    _TextOnly,
    _TrimMemo,
    _ZeroTrimmed,
    text_segments,
)
from triage.engine.volume_walk import build_extractors

DATA = Path(__file__).parents[1] / "data"
NOTE = (DATA / "unallocated" / "note.txt").read_bytes()
PLANTED = json.loads((DATA / "crypto" / "tree" / "planted.json").read_text())
ONION = b"duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
#: Text a detector finds: a note with an address, an onion and an armored key; a seed
#: phrase; a v2 onion name (the shortest hit); UTF-16 text with an onion name.
PIECES = [
    NOTE,
    PLANTED["seed12"].encode() + b"\n",
    b"see expyuzz4wqqyqhjn.onion",
    b"\xff\xfe" + ("visit " + ONION.decode() + " now").encode("utf-16-le"),
    ("wallet " + PLANTED["seed24"]).encode("utf-16-le"),
    b" ".join(value.encode() for name, value in PLANTED.items() if not name.startswith("seed")),
    KEYSTORE,
    ELECTRUM,
    TOR_STATE,
]
_EXTRACTORS = build_extractors(IngestOptions(profile="full"))
#: The text detectors, and the carvers of ASCII text structures (a tor state file).
DETECTORS = [x for x in _EXTRACTORS if x.SCANS_TEXT] + [
    _Carver(owner, [rule], lambda message, path=None: None, lambda: False)
    for owner in _EXTRACTORS for rule in CARVE_RULES
    if rule.text and rule.extractor == owner.NAME
]


def _noise(rng: random.Random, size: int) -> bytes:
    # Binary as free space holds it: random bytes with runs of zeros and of 0xFF.
    out = bytearray(rng.randbytes(size))
    for _ in range(size // 2000):
        at = rng.randrange(size)
        out[at : at + rng.randrange(1, 300)] = bytes([rng.choice([0, 0xFF])]) * 300
    return bytes(out[:size])


def _findings(detector, window: bytes, wrapped: bool) -> list[tuple]:
    scanner = _TextOnly(detector, _TrimMemo()) if wrapped else detector
    found = []
    seen = set()
    # As the scanner's rows are: the offset attribute is the hit's window offset, and a
    # hit met again nearby is one artefact (the first). The crypto detector also keeps
    # only the first of equal values in the bytes it is given, so text parts could
    # otherwise report a value once per part.
    for finding in sorted(scanner.scan_bytes(window), key=lambda f: f.offset or 0):
        if (finding.type, finding.dedupe_key()) in seen:
            continue
        seen.add((finding.type, finding.dedupe_key()))
        if isinstance(finding.attributes.get("offset"), int):
            finding.attributes["offset"] = finding.offset
        found.append((finding.type, finding.offset, finding.context,
                      json.dumps(finding.attributes, sort_keys=True, default=str)))
    return found


def _window(seed: int, positions: list[int], size: int) -> bytes:
    """Binary with whole pieces of text planted at ``positions`` (moved apart so none
    overwrites another: a key block cut short by a later piece is found in its own text
    part, where the whole window lets it run on into the next block)."""
    rng = random.Random(seed)
    window = bytearray(_noise(rng, size))
    free = 0
    for index, position in enumerate(sorted(positions)):
        piece = PIECES[index % len(PIECES)]
        at = max(position, free)
        if at + len(piece) > size:
            break
        window[at : at + len(piece)] = piece
        free = at + len(piece) + 1
    return bytes(window)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.lists(st.integers(0, 200_000), min_size=1, max_size=8))
def test_the_text_of_a_binary_window_gives_the_findings_of_the_whole(seed, positions) -> None:
    window = _window(seed, positions, 200_000)
    parts = _TrimMemo().text_parts(window)
    assert sum(len(part) for _, part in parts) < len(window) // 2  # segments, not the whole
    for detector in DETECTORS:
        assert _findings(detector, window, True) == _findings(detector, window, False), detector


def test_every_planted_piece_is_found_in_binary() -> None:
    window = _window(3, [20_000 * (i + 1) for i in range(len(PIECES))], 200_000)
    found = {f[0] for detector in DETECTORS for f in _findings(detector, window, True)}
    assert {"crypto.address", "crypto.seed_phrase", "tor.onion_address", "pgp.key",
            "tor.state"} <= found


def test_a_text_heavy_window_is_scanned_whole() -> None:
    window = NOTE * 200 + bytes(1000) + _noise(random.Random(1), 10_000)
    parts = _TrimMemo().text_parts(window)
    assert len(parts) == 1 and parts[0][0] == 0 and window.startswith(parts[0][1])
    assert len(parts[0][1]) > len(window) - 2000


def test_segments_cover_runs_with_margins_and_skip_short_ones() -> None:
    rng = random.Random(5)
    noise = bytes(b for b in rng.randbytes(40_000) if not 0x20 <= b <= 0x7E and b not in b"\t\n\r\x0b\x0c")
    short = b"x" * (TEXT_RUN - 1)
    text = b"y" * TEXT_RUN
    window = noise[:10_000] + short + noise[10_000:20_000] + text + noise[20_000:]
    start = 10_000 + len(short) + 10_000
    assert text_segments(window) == [((start - TEXT_MARGIN) & ~1, start + TEXT_RUN + TEXT_MARGIN)]
    utf16 = "z".encode("utf-16-le") * TEXT_RUN
    window = noise[:1001] + utf16 + noise[1001:]
    assert text_segments(window) == [((1001 - TEXT_MARGIN) & ~1, 1001 + len(utf16) + TEXT_MARGIN)]


_PRINTABLE = rb"[\t\n\x0b\x0c\r -~]"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=64), st.sampled_from(
    [b"a" * 19, b"b" * 20, b"c" * 40, "utf-16 text here!!".encode("utf-16-le"),
     b"\x00" * 30, b"x\x00" * 19, b"x\x00" * 20])), max_size=40))
def test_segments_cover_every_run_of_text_and_nothing_overlaps(parts: list[bytes]) -> None:
    data = b"".join(parts)
    segments = text_segments(data)
    assert segments == sorted(segments)
    assert all(0 <= start < end <= len(data) and start % 2 == 0 for start, end in segments)
    assert all(a[1] < b[0] for a, b in zip(segments, segments[1:], strict=False))
    runs = [m.span() for m in re.finditer(_PRINTABLE + b"{%d,}" % TEXT_RUN, data)]
    runs += [m.span() for m in re.finditer(b"(?:" + _PRINTABLE + b"\\x00){%d,}" % TEXT_RUN, data)]
    for start, end in runs:
        assert any(s <= max(0, start - TEXT_MARGIN) and min(len(data), end + TEXT_MARGIN) <= e
                   for s, e in segments), (start, end)


def test_a_json_wallet_with_a_non_ascii_label_is_carved_from_binary() -> None:
    # UTF-8 Cyrillic between the object's "{" and its marker is not ASCII text, so the
    # JSON carver must see the whole window, as the scanner gives it (rule.text False).
    label = ("Оплата поставщику за партию " * 30).encode()
    wallet = ELECTRUM.replace(b"{", b'{\n    "labels": {"note": "' + label + b'"},', 1)
    window = _noise(random.Random(11), 50_000) + wallet + _noise(random.Random(12), 50_000)
    found = []
    for owner in _EXTRACTORS:
        for rule in CARVE_RULES:
            if rule.extractor == owner.NAME:
                carver = _Carver(owner, [rule], lambda message, path=None: None, lambda: False)
                wrapped = _TextOnly(carver, _TrimMemo()) if rule.text else _ZeroTrimmed(
                    carver, _TrimMemo())
                found += [f.type for f in wrapped.scan_bytes(window)]
    assert "wallet.electrum" in found

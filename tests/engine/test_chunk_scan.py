"""scan_chunks: hits across chunk edges are found once, and zero-only windows may be skipped."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.engine.chunk_scan import scan_chunks
from triage.extractors.interface import DetectorWarning, Extractor, Finding
from triage.extractors.tor import TorExtractor

_TOKEN = re.compile(rb"[A-Z]{3}[0-9]")


class _TokenScanner(Extractor):
    """Finds 'ABC1'-like tokens (never in zero bytes) and records every window it sees."""

    NAME = "token"

    def __init__(self) -> None:
        super().__init__()
        self.windows: list[bytes] = []

    def scan_bytes(self, data: bytes):  # noqa: D102
        self.windows.append(data)
        return [Finding("test.token", {"value": m.group().decode()}, offset=m.start())
                for m in _TOKEN.finditer(data)]


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _hits(data: bytes, size: int, skip: bool, lookahead: int = 8) -> tuple[list, _TokenScanner]:
    scanner = _TokenScanner()
    found = [(f.offset, f.attributes["value"])
             for _, f in scan_chunks(_chunks(data, size), [scanner], base_offset=100,
                                     lookahead=lookahead, skip_zero_windows=skip)]
    return found, scanner


def test_zero_windows_are_not_scanned_and_edge_hits_survive():
    # Chunks of 64: zeros | ABC1, zeros | zeros, "XY" | "Z2", zeros | zeros | zeros.
    data = bytes(64) + b"ABC1" + bytes(122) + b"XYZ2" + bytes(62) + bytes(128)
    found, scanner = _hits(data, 64, skip=True)
    assert found == [(164, "ABC1"), (290, "XYZ2")] == _hits(data, 64, skip=False)[0]
    # The first chunk is zeros, but its look-ahead holds the first token: scanned. The
    # token across the third and fourth chunks is found; the last two chunks are skipped.
    assert all(any(window) for window in scanner.windows)
    assert len(scanner.windows) == 4


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(1, 300).map(bytes),
                          st.sampled_from([b"ABC1", b"QQQ9", b"junk", b"A", b"BC2"])),
                max_size=30),
       st.integers(1, 80), st.integers(4, 40))
def test_skipping_zero_windows_changes_no_hit(parts, size, lookahead):
    data = b"".join(parts)
    assert _hits(data, size, True, lookahead)[0] == _hits(data, size, False, lookahead)[0]


class _WordTokenScanner(_TokenScanner):
    """Finds 'ABC1'-like tokens not preceded by a capital: a hit depends on what precedes it."""

    def scan_bytes(self, data: bytes):  # noqa: D102
        return [Finding("test.token", {"value": m.group().decode()}, offset=m.start())
                for m in re.finditer(rb"(?<![A-Z])[A-Z]{3}[0-9]", data)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"ABC1", b"QABC1", b"XY", b"Z9", b"A", b" ", b"BC2", bytes(5)]),
                max_size=40),
       st.integers(4, 40), st.integers(4, 20), st.integers(1, 20), st.booleans())
def test_chunked_hits_equal_whole_buffer_hits(parts, size, lookahead, lookbehind, skip):
    data = b"".join(parts)
    whole = [(100 + f.offset, f.attributes["value"]) for f in _WordTokenScanner().scan_bytes(data)]
    chunked = [(f.offset, f.attributes["value"])
               for _, f in scan_chunks(_chunks(data, size), [_WordTokenScanner()], base_offset=100,
                                       lookahead=lookahead, lookbehind=lookbehind,
                                       skip_zero_windows=skip)]
    assert chunked == whole


# tor src/test/test_hs_common.c, test_build_address.
_V3 = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_onion_address_across_a_chunk_edge_is_one_v3_hit(encoding):
    text = f"see http://{_V3}.onion/ now".encode(encoding)
    whole = [(f.offset, f.attributes["address"]) for f in TorExtractor().scan_bytes(text)]
    assert len(whole) == 1
    for cut in range(len(text)):
        chunks = [text[:cut], text[cut:]] if cut else [text]
        found = [(f.offset, f.attributes["address"])
                 for _, f in scan_chunks(chunks, [TorExtractor()], lookahead=4096)]
        assert found == whole, cut


class _CappedScanner(Extractor):
    """Finds one token per window and then says it stopped at its cap."""

    NAME = "capped"

    def scan_bytes(self, data: bytes):  # noqa: D102
        found = [Finding("test.token", {"value": m.group().decode()}, offset=m.start())
                 for m in _TOKEN.finditer(data)]
        return [*found[:1], DetectorWarning("stopped at 1 hit")] if len(found) > 1 else found


def test_detector_warnings_are_warned_not_yielded():
    warnings: list[tuple[str, str | None]] = []
    data = b"ABC1 XYZ2 " + bytes(100) + b"QQQ9"
    found = [(f.offset, f.attributes["value"]) for _, f in scan_chunks(
        [data], [_CappedScanner()], warn=lambda m, p=None: warnings.append((m, p)),
        path="/free", base_offset=1000)]
    assert found == [(1000, "ABC1")]
    assert warnings == [("capped: stopped at 1 hit (bytes at 1000)", "/free")]

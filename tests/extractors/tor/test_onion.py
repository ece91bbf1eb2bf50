"""Onion address validation and the byte scanner, against tor's own test vectors."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.tor.conftest import TOR_SOURCE, corpus_path
from triage.extractors.tor import TorExtractor
from triage.extractors.tor.onion import (
    checksum_valid,
    onion_version,
    scan_onion_addresses,
    v3_address_from_pubkey,
)

# tor src/test/test_hs_common.c, test_build_address / test_validate_address.
VECTOR_PUBKEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
VECTOR_ADDRESS = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"
BAD_CHECKSUM = (
    "l5satjgud6gucryazcyvyvhuxhr74u6ygigiuyixe3a6ysis67ororad",
    "btojiu7nu5y5iwut64eufevogqdw4wmqzugnoluw232r4t3ecsfv37ad",
)


def test_vectors_from_tor_source_file():
    source = corpus_path(TOR_SOURCE / "src" / "test" / "test_hs_common.c").read_text()
    assert VECTOR_PUBKEY in source and VECTOR_ADDRESS in source
    for bad in BAD_CHECKSUM:
        assert bad in source
    # Every 56-char quoted address in the validation test is valid iff tor says so.
    block = source[source.index("test_validate_address") : source.index("mock_write_str_to_file")]
    quoted = re.findall(r'"([a-z2-7]{56})"', block)
    assert set(quoted) == {*BAD_CHECKSUM, VECTOR_ADDRESS}


def test_build_address_from_pubkey_matches_tor():
    assert v3_address_from_pubkey(bytes.fromhex(VECTOR_PUBKEY)) == VECTOR_ADDRESS


def test_valid_and_invalid_checksums():
    assert checksum_valid(VECTOR_ADDRESS) is True
    assert checksum_valid(VECTOR_ADDRESS + ".onion") is True
    for bad in BAD_CHECKSUM:
        assert checksum_valid(bad) is False


def test_lengths_and_alphabet():
    assert onion_version("blah") is None
    assert onion_version("p3xnclpu4mu22dwaurjtsybyqk4xfjmcfz6z62yl24uwmhjatiwnlnadb") is None
    assert onion_version("?" * 56) is None
    assert onion_version("3g2upl4pq6kufc4m.onion") == 2
    assert checksum_valid("3g2upl4pq6kufc4m") is None


@given(st.integers(0, 55), st.sampled_from("abcdefghijklmnopqrstuvwxyz234567"))
@settings(max_examples=200, deadline=None)
def test_any_single_change_breaks_the_checksum(position, char):
    changed = VECTOR_ADDRESS[:position] + char + VECTOR_ADDRESS[position + 1 :]
    if changed != VECTOR_ADDRESS:
        assert checksum_valid(changed) is False


def test_scanner_reports_verdicts_and_offsets():
    text = (
        f"go to http://{VECTOR_ADDRESS}.onion/login or {BAD_CHECKSUM[0]}.onion, "
        "search https://www.3g2upl4pq6kufc4m.onion/ but not x3g2upl4pq6kufc4m.onionfoo"
    ).encode()
    hits = {hit.address: hit for hit in scan_onion_addresses(text)}
    assert set(hits) == {VECTOR_ADDRESS + ".onion", BAD_CHECKSUM[0] + ".onion",
                         "3g2upl4pq6kufc4m.onion"}
    for address, hit in hits.items():
        assert text[hit.offset : hit.offset + hit.length].decode() == address
    assert hits[VECTOR_ADDRESS + ".onion"].exportable
    assert not hits[BAD_CHECKSUM[0] + ".onion"].exportable


@pytest.mark.parametrize("text", [
    "x0abcdefghijklmnop.onion",  # an 18-character label holding a v2-like tail
    # torspec's example of a too-long name: its last 16 characters look like a v2 label.
    "llamanymityx4fi3l6x2gyzmtmgxjyqyorj9qsb5r543izcwymle.onion",
    f"1{VECTOR_ADDRESS}.onion",
    f"a{VECTOR_ADDRESS}.onion",
    f"{VECTOR_ADDRESS}.onion-foo",
    f"{VECTOR_ADDRESS}.onion_foo",
])
def test_a_label_is_the_whole_run_of_letters_and_digits(text):
    assert scan_onion_addresses(text.encode()) == []
    assert scan_onion_addresses(text.encode("utf-16-le")) == []


@pytest.mark.parametrize("before", [" ", ".", "/", "-", "_", "@", "\n", "é"])
def test_punctuation_starts_a_label(before):
    for address in (VECTOR_ADDRESS, "3g2upl4pq6kufc4m"):
        for encoding in ("utf-8", "utf-16-le"):
            data = f"x{before}{address}.onion".encode(encoding)
            assert [hit.address for hit in scan_onion_addresses(data)] == [address + ".onion"]


@pytest.mark.parametrize("text", [
    f"https://duckduckgo.com/l/?uddg=http%3A%2F%2F{VECTOR_ADDRESS}.onion%2Findex.html",
    f'{{"url": "http:\\u002F\\u002F{VECTOR_ADDRESS}.onion"}}',
    f"var u = 'http:\\x2F\\x2F{VECTOR_ADDRESS}.onion';",
    f"http%3a%2f%2f{VECTOR_ADDRESS.upper()}.ONION",
])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_address_after_an_escaped_slash(text, encoding):
    data = text.encode(encoding)
    (hit,) = scan_onion_addresses(data)
    assert hit.address == VECTOR_ADDRESS + ".onion" and hit.checksum_valid
    step = 2 if encoding == "utf-16-le" else 1
    assert data[hit.offset : hit.offset + 56 * step].decode(encoding).lower() == VECTOR_ADDRESS


@pytest.mark.parametrize("text", [
    f"%41{VECTOR_ADDRESS}.onion",  # an escaped letter belongs to the label
    f"%2F{BAD_CHECKSUM[0]}.onion",  # only a checksum-valid address is taken from a run
    f"%2F9{VECTOR_ADDRESS}.onion",
    f"\\u002Fab{VECTOR_ADDRESS}.onion",
    f"/2F{VECTOR_ADDRESS}.onion",  # no escape
    "%2F3g2upl4pq6kufc4m.onion",  # v2 carries no checksum to vouch for it
])
def test_runs_after_other_text_stay_unreported(text):
    assert scan_onion_addresses(text.encode()) == []


def test_scanner_utf16_and_upper_case():
    data = b"\xff\xfe" + f"X {VECTOR_ADDRESS.upper()}.ONION y".encode("utf-16-le")
    (hit,) = scan_onion_addresses(data)
    assert hit.address == VECTOR_ADDRESS + ".onion" and hit.encoding == "utf-16-le"
    assert data[hit.offset : hit.offset + 4] == VECTOR_ADDRESS.upper()[:2].encode("utf-16-le")


def test_scan_bytes_exports_only_valid_unless_asked():
    data = f"{VECTOR_ADDRESS}.onion {BAD_CHECKSUM[1]}.onion".encode()
    default = [f.attributes["address"] for f in TorExtractor().scan_bytes(data)]
    assert default == [VECTOR_ADDRESS + ".onion"]
    everything = TorExtractor({"include_invalid": True}).scan_bytes(data)
    verdicts = {f.attributes["address"]: f.attributes["checksum_valid"] for f in everything}
    assert verdicts == {VECTOR_ADDRESS + ".onion": True, BAD_CHECKSUM[1] + ".onion": False}


@given(st.binary(max_size=3000), st.binary(max_size=3000), st.booleans())
@settings(max_examples=200, deadline=None)
def test_scan_bytes_finds_address_inside_garbage(before, after, utf16):
    url = f"http://{VECTOR_ADDRESS}.onion/x"
    needle = url.encode("utf-16-le") if utf16 else url.encode()
    # Garbage ending in a base32 letter would lengthen the label: separate it as text does.
    data = before + (b" \x00" if utf16 else b" ") + needle + b" " + after
    findings = [f for f in TorExtractor().scan_bytes(data)
                if f.attributes["address"] == VECTOR_ADDRESS + ".onion"]
    start = len(before) + (2 if utf16 else 1) + (14 if utf16 else 7)
    assert start in {f.offset for f in findings}
    for finding in findings:
        assert finding.context is not None and len(finding.context) <= 120


def test_suffixes_without_a_label_before_them_cost_no_python_step(monkeypatch):
    from triage.extractors.tor import onion

    looked_at: list[int] = []
    real = onion._address_start
    monkeypatch.setattr(onion, "_address_start",
                        lambda data, end, *rest: looked_at.append(end) or real(data, end, *rest))
    hostile = b".onion" * 5000 + ".onion".encode("utf-16-le") * 5000 + b"onion.onion x.onion"
    assert scan_onion_addresses(hostile) == []
    assert looked_at == []
    # Sixteen letters or digits before the suffix make a candidate worth a closer look.
    text = f"a{VECTOR_ADDRESS}.onion 3g2upl4pq6kufc4m.onion".encode()
    assert [hit.version for hit in scan_onion_addresses(text)] == [2]
    assert len(looked_at) == 2


def test_scan_bytes_does_not_backtrack_on_4_mib_of_noise():
    import os
    import time

    noise = os.urandom(4 * 1024 * 1024) + b".onion" * 20000
    started = time.perf_counter()
    list(TorExtractor().scan_bytes(noise))
    # A hang guard against catastrophic regex backtracking (the scan takes ~0.05 s),
    # not a speed check: speed is measured in benchmarks/.
    assert time.perf_counter() - started < 10


def test_in_database_bytes_a_value_may_touch_the_address_before_it():
    """The Tor helper's finding: SQLite stores a form field's name right before its
    value (``searchbar-history<address>.onion``), so onion addresses typed into
    formhistory.sqlite were missed; in text such a run stays one (invalid) label."""
    for before in ("searchbar-history", "q", "1", "x2f"):
        data = f"\x0b\x17{before}{VECTOR_ADDRESS}.onionAbCdEfGh".encode()  # the guid next
        assert scan_onion_addresses(data) == []
        (hit,) = scan_onion_addresses(data, packed=True)
        assert hit.address == VECTOR_ADDRESS + ".onion" and hit.checksum_valid
        assert data[hit.offset : hit.offset + 56].decode() == VECTOR_ADDRESS
    # Only a checksum-valid address is taken out of a longer run, and never a v2 one.
    assert scan_onion_addresses(f"q{BAD_CHECKSUM[0]}.onion".encode(), packed=True) == []
    assert scan_onion_addresses(b"history3g2upl4pq6kufc4m.onion", packed=True) == []
    assert scan_onion_addresses(b"\x003g2upl4pq6kufc4m.onionAbCd", packed=True) == []


def test_an_address_whose_key_is_no_curve_point_is_not_valid():
    """The Tor helper's finding: a v3 address with a right checksum and version but a
    "key" that is not an ed25519 point (tor refuses it) was reported as valid."""
    import hashlib

    from triage.extractors.tor.ed25519_point import is_curve_point
    from triage.extractors.tor.onion import checksum_valid, v3_address_from_pubkey

    key = next(candidate for candidate in (hashlib.sha256(b"%d" % i).digest() for i in range(64))
               if not is_curve_point(candidate))
    address = v3_address_from_pubkey(key)
    (hit,) = scan_onion_addresses(f"visit http://{address}.onion/".encode())
    assert hit.checksum_valid is False and not hit.exportable
    assert checksum_valid(VECTOR_ADDRESS) is True  # tor's own test vector still is

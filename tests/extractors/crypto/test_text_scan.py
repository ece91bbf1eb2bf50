"""The text scanner: planted hits in garbage and at arbitrary offsets, look-alikes, options,
test-vector handling, UTF-16 and speed."""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.crypto.text_scan import scan_text

from .paths import TREE, VECTORS

PLANTED = json.loads((TREE / "planted.json").read_text())
#: BIP-173's mainnet P2WPKH example, one of the published vectors.
PLANTED_VECTOR_ADDRESS = b"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def _values(findings) -> set[str]:
    out = set()
    for f in findings:
        a = f.attributes
        out.add(a.get("address") or a.get("key") or a.get("words"))
    return out


def test_notes_file_every_family_valid_and_lookalikes_not() -> None:
    data = (TREE / "home" / "alice" / "notes.txt").read_bytes()
    findings = scan_text(data)
    assert _values(findings) == set(PLANTED.values())
    assert all(f.attributes["checksum_valid"] is True for f in findings)
    by_value = {
        (f.attributes.get("address") or f.attributes.get("key") or f.attributes.get("words")): f
        for f in findings
    }
    for name, value in PLANTED.items():
        hit = by_value[value]
        assert data[hit.offset : hit.offset + len(value)].decode() == value, name
        assert len(hit.context) <= 120 and value[:20] in hit.context
    kinds = {f.attributes["kind"] for f in findings}
    assert {"p2pkh", "p2sh", "p2wpkh", "p2tr", "eip55", "standard", "integrated"} <= kinds
    assert {"xpub", "wif_compressed", "bip39", "classic"} <= kinds


def test_include_invalid_flags_lookalikes() -> None:
    data = (TREE / "home" / "alice" / "notes.txt").read_bytes()
    findings = scan_text(data, include_invalid=True)
    invalid = [f for f in findings if f.attributes["checksum_valid"] is False]
    # every non-seed look-alike line is reported, flagged invalid
    assert len(invalid) == len([k for k in PLANTED if not k.startswith("seed")])
    assert not _values(invalid) & set(PLANTED.values())


def test_hits_inside_binary_garbage() -> None:
    rng = random.Random(7)
    values = list(PLANTED.values())
    chunk = bytearray()
    offsets = {}
    for value in values:
        chunk += rng.randbytes(rng.randrange(1, 3000)) + b"\x00 "
        offsets[value] = len(chunk)
        chunk += value.encode() + b" \x00"
    chunk += rng.randbytes(5000)
    findings = scan_text(bytes(chunk))
    found = {
        (f.attributes.get("address") or f.attributes.get("key") or f.attributes.get("words")): f
        for f in findings
    }
    for value in values:
        assert found[value].offset == offsets[value], value


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300), st.sampled_from(sorted(PLANTED)))
def test_hit_at_arbitrary_position(before: bytes, after: bytes, name: str) -> None:
    value = PLANTED[name].encode()
    data = before + b"\n" + value + b"\n" + after
    hits = [f for f in scan_text(data) if value.decode() in _values([f])]
    assert hits and hits[0].offset == len(before) + 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    for finding in scan_text(data, include_invalid=True):
        assert 0 <= finding.offset < len(data)


def test_lowercase_ethereum_is_unchecksummed_option() -> None:
    data = b"pay 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed now"
    [hit] = scan_text(data)
    assert hit.attributes["checksum_valid"] is None and hit.attributes["kind"] == "unchecksummed"
    assert scan_text(data, include_unchecksummed=False) == []


def test_test_vectors_folded_only_in_quorum() -> None:
    vectors = json.loads((VECTORS / "vectors.json").read_text())["english"]
    one = vectors[3][1].encode()
    [single] = scan_text(b"my seed: " + one + b"\n")
    assert single.type == "crypto.seed_phrase" and single.attributes["words"] == vectors[3][1]
    prefix = b"test suite\n"
    suite = prefix + b"\n".join(b'("' + v[1].encode() + b'"),' for v in vectors[:8])
    planted = PLANTED["seed12"].encode()
    findings = scan_text(suite + b"\n" + planted + b"\n")
    summary, *rest = findings
    assert _values(rest) == {PLANTED["seed12"]}
    # The vectors are not lost: one summary counts them, names examples and points at
    # the first.
    assert summary.type == "crypto.test_vectors"
    assert summary.attributes["count"] == 8
    assert summary.attributes["kinds"] == ["seed phrase"]
    assert summary.attributes["examples"] == [v[1] for v in vectors[:8]]
    assert summary.offset == len(prefix) + 2 and vectors[0][1][:20] in summary.context


def test_test_vector_summary_keeps_ten_examples_and_every_kind() -> None:
    vectors = json.loads((VECTORS / "vectors.json").read_text())["english"]
    phrases = b"\n".join(v[1].encode() for v in vectors[:12])
    [summary] = scan_text(phrases + b"\n" + PLANTED_VECTOR_ADDRESS + b"\n")
    assert summary.attributes["count"] == 13
    assert summary.attributes["kinds"] == ["address", "seed phrase"]
    assert len(summary.attributes["examples"]) == 10


def test_duplicate_hits_deduplicated() -> None:
    value = PLANTED["btc_p2pkh"].encode()
    findings = scan_text(value + b" " + value + b"\n" + value)
    assert len(findings) == 1 and findings[0].offset == 0


def test_utf16_text_with_bom() -> None:
    text = "address: " + PLANTED["btc_p2wpkh"] + "\r\n"
    data = b"\xff\xfe" + text.encode("utf-16-le")
    [hit] = scan_text(data)
    assert hit.offset == 2 + 2 * text.index(PLANTED["btc_p2wpkh"])


def test_no_seed_false_positives_in_wordlist_and_prose() -> None:
    wordlist = (VECTORS / "english.txt").read_bytes()
    assert scan_text(wordlist) == []
    prose = b"The quick brown fox jumps over the lazy dog near the river bank. " * 2000
    assert scan_text(prose) == []


def test_hit_straddling_window_boundary(monkeypatch) -> None:
    from triage.extractors.crypto import text_scan

    monkeypatch.setattr(text_scan, "WINDOW", 1000)
    value = PLANTED["xpub"].encode()
    data = b"x" * 950 + b" " + value + b" " + b"y" * 2000 + b" " + value[:-1] + b"Z"
    findings = text_scan.scan_text(data)
    assert [f.offset for f in findings] == [951]



def _bip39_phrase(entropy: bytes) -> str:
    """BIP-39 as the specification states it (entropy, then the first ENT/32 bits of its
    SHA-256, in 11-bit groups over the official English list): an oracle of its own."""
    words = (VECTORS / "english.txt").read_text().split()
    bits = len(entropy) * 8
    checksum = hashlib.sha256(entropy).digest()[0] >> (8 - bits // 32)
    number = int.from_bytes(entropy, "big") << (bits // 32) | checksum
    count = (bits + bits // 32) // 11
    return " ".join(words[number >> (11 * (count - 1 - i)) & 2047] for i in range(count))


def _seed_list(layout: str) -> tuple[list[str], bytes]:
    randomness = random.Random(11)
    phrases = [_bip39_phrase(randomness.randbytes(size))
               for size in (16, 32, 20, 24, 28, 16, 32, 16)]
    lines = [layout.format(number=i + 1, phrase=p) for i, p in enumerate(phrases)]
    return phrases, ("\n".join(lines) + "\n").encode()


def test_several_seed_phrases_one_per_line_all_found() -> None:
    # Three or more phrases one per line make one run of list words longer than a
    # written phrase; each line is a phrase of its own.
    for layout in ("{phrase}", "{number}. {phrase}", "wallet {number}: {phrase}"):
        phrases, data = _seed_list(layout)
        for count in (3, len(phrases)):
            text = b"".join(data.splitlines(keepends=True)[:count])
            findings = scan_text(text)
            assert [f.attributes["words"] for f in findings] == phrases[:count], layout
            assert all(f.attributes["kind"] == "bip39" for f in findings)
            for finding, phrase in zip(findings, phrases, strict=False):
                assert text[finding.offset:].startswith(phrase.encode())


def test_word_list_laid_out_in_lines_gives_no_seed() -> None:
    words = (VECTORS / "english.txt").read_text().split()
    for per_line in (12, 13, 15, 16, 24, 26):
        for start in (0, 700, 1300):
            chosen = words[start:start + 700]
            text = "\n".join(" ".join(chosen[i:i + per_line])
                             for i in range(0, len(chosen), per_line))
            assert scan_text(text.encode()) == [], (per_line, start)


def test_phrases_on_neighbouring_lines_and_under_a_label_line_are_found_as_written() -> None:
    randomness = random.Random(12)
    for layout in ("{a}\n{b}\n", "{a}\n\n{b}\n", "seed\n{a}\n", "seed wallet\n{a}\nnext\n",
                   "{a} word\n"):
        for _ in range(40):
            a = _bip39_phrase(randomness.randbytes(randomness.choice((16, 32))))
            b = _bip39_phrase(randomness.randbytes(16))
            text = layout.format(a=a, b=b).encode()
            wanted = [a, b] if "{b}" in layout else [a]
            findings = scan_text(text)
            assert [f.attributes["words"] for f in findings] == wanted, (layout, text)
            for finding, phrase in zip(findings, wanted, strict=True):
                assert text[finding.offset:].startswith(phrase.encode())


def test_electrum_phrase_next_to_list_words_across_lines() -> None:
    import hmac

    phrase = "waste random satoshi piano truck enrich jaguar often guide kite soon shrimp"
    # Electrum's rule, computed here: HMAC-SHA512 keyed "Seed version" starts with "01".
    version = hmac.new(b"Seed version", phrase.encode(), hashlib.sha512).hexdigest()
    assert version.startswith("01")
    for text in (f"Electrum seed\n{phrase}\n", f"{phrase}\nkeep this safe and secret\n",
                 f"{phrase}\n\nnext: bitcoin core\n", f"{phrase}\n"):
        [finding] = scan_text(text.encode())
        assert finding.attributes["words"] == phrase, text
        assert finding.attributes["kind"] == "electrum_standard"


def test_numbered_layouts_with_hashes_and_dashes() -> None:
    randomness = random.Random(13)
    phrases = [_bip39_phrase(randomness.randbytes(size)) for size in (16, 32, 16)]
    for item in ("{n} - {w}", "#{n} {w}", "{n}-{w}", "{w} -"):
        for phrase in phrases:
            lines = [item.format(n=n, w=w) for n, w in enumerate(phrase.split(), 1)]
            [finding] = scan_text(("seed:\n" + "\n".join(lines) + "\n").encode())
            assert finding.attributes["words"] == phrase, item


def test_utf16_offsets_count_code_units_in_any_script() -> None:
    address = PLANTED["btc_p2wpkh"]
    for prefix in ("😀😀😀 ", "Grüße ", "比特币地址" * 15 + " "):
        for codec, mark in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
            data = mark + (prefix + address + "\r\n").encode(codec)
            [hit] = scan_text(data)
            assert hit.attributes["address"] == address
            # The oracle: where the address's code units begin in the bytes.
            assert hit.offset == data.index(address.encode(codec)), (prefix, codec)


def test_ascii_after_a_byte_order_mark_is_still_found() -> None:
    address = PLANTED["btc_p2pkh"].encode()
    registry = b"\xff\xfe" + "Windows Registry Editor\r\n".encode("utf-16-le") * 800
    for data in (registry + b" pay " + address + b" now ", b"\xff\xfe" + bytes(4096) + b" " + address):
        [hit] = scan_text(data)
        assert hit.offset == data.index(address)


def test_lists_of_phrases_numbered_a_word_a_line_or_split_over_lines() -> None:
    """Found by an audit: three or four numbered phrases, a word a line, lost half of them
    to longer windows across two phrases that passed the checksum by chance; five, or
    phrases split over two lines, were not read at all."""
    randomness = random.Random(14)
    for count, size, layout in ((3, 16, "numbered"), (4, 16, "numbered"), (5, 16, "numbered"),
                                (3, 32, "numbered"), (5, 16, "two lines"), (3, 32, "two lines")):
        for _ in range(6):
            phrases = [_bip39_phrase(randomness.randbytes(size)) for _ in range(count)]
            if layout == "numbered":
                blocks = ["\n".join(f"{n}. {w}" for n, w in enumerate(p.split(), 1))
                          for p in phrases]
            else:
                blocks = [" ".join(p.split()[:len(p.split()) // 2]) + "\n"
                          + " ".join(p.split()[len(p.split()) // 2:]) for p in phrases]
            text = ("My wallets\n\n" + "\n\n".join(blocks) + "\n").encode()
            found = [f.attributes["words"] for f in scan_text(text)]
            assert found == phrases, (count, size, layout)


@pytest.mark.parametrize("lead", [4096, 4097])
def test_utf16_text_without_a_byte_order_mark_before_it_is_read(lead: int) -> None:
    """Found by an audit: UTF-16 text was read only when its byte-order mark opened the
    bytes given, so a deleted Notepad note in free space was found only by luck of where
    a window started. Runs of UTF-16LE text are read wherever they start, at either
    parity, with offsets of the characters in the bytes."""
    rng = random.Random(lead)
    address = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
    note = "\ufeffsend to " + address + " tonight"
    data = rng.randbytes(lead) + note.encode("utf-16-le") + rng.randbytes(300)
    offset = lead + 2 * note.index(address)
    assert [(f.attributes["address"], f.offset) for f in scan_text(data)] == [(address, offset)]
    assert data[offset : offset + 2 * len(address)].decode("utf-16-le") == address


def test_a_long_gap_inside_a_run_of_list_words_is_not_backtracked() -> None:
    """Found by an audit: a long white-space gap followed by a byte that ends the run
    made the phrase-run expression try every split of the gap (6 s for 32 KiB; this
    input took 146 s). A hang guard, not a timing: the expression runs in a child
    process (it holds the interpreter lock while it runs)."""
    import subprocess
    import sys

    code = (
        "from triage.extractors.crypto.phrase_runs import PHRASE_RUN_RE\n"
        "data = b'abandon ability able about above' + b' ' * 150_000 + b'\\x00 absent absorb'\n"
        "print([m.span() for m in PHRASE_RUN_RE.finditer(data)])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "[(0, 32), (150034, 150047)]"


@pytest.mark.parametrize(("address", "after"), [
    ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Address 1BvBM | Blockchain Explorer"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "Bitcoin"),
    ("LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", "ltc"),
    ("rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", "XRP wallet"),
])
def test_an_address_glued_to_the_next_column_of_an_sqlite_row_is_found(
        tmp_path, address: str, after: str) -> None:
    """The quick-versus-full audit's side finding: in an SQLite record a column's text
    follows the one before with nothing between, so a visited address followed by its
    page title ("...NVN2Address") was no address."""
    import sqlite3

    path = tmp_path / "History"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
        db.execute("INSERT INTO urls (url, title) VALUES (?, ?)",
                   (f"https://explorer.example/address/{address}", after))
    db.close()
    data = path.read_bytes()
    assert (address + after).encode() in data  # glued, as SQLite stores them
    assert [f.attributes["address"] for f in scan_text(data)] == [address]


def test_a_longer_run_that_starts_like_no_address_is_not_one() -> None:
    # One character off: the checksum of every prefix fails.
    assert scan_text(b"x 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3Address y") == []

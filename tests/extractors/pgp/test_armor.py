"""Armor detection and decoding: offsets, CRC-24, quoting, truncation, UTF-16."""

from __future__ import annotations

import base64
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.pgp.oracle import DATA
from triage.extractors.pgp.armor import crc24, find_armored
from triage.extractors.pgp.extractor import PgpExtractor

ALICE_PUB = (DATA / "vendor-mail.eml").read_bytes().replace(b"\r\n", b"\n")
_END = b"-----END PGP PUBLIC KEY BLOCK-----"
BLOCK = ALICE_PUB[ALICE_PUB.index(b"-----BEGIN") : ALICE_PUB.index(_END) + len(_END)]


def test_crc24_matches_rfc_definition() -> None:
    assert crc24(b"") == 0xB704CE
    # Independent oracle: the bitwise definition from RFC 4880 section 6.1.
    for sample in (b"a", b"OpenPGP", os.urandom(300)):
        crc = 0xB704CE
        for byte in sample:
            crc ^= byte << 16
            for _ in range(8):
                crc <<= 1
                if crc & 0x1000000:
                    crc ^= 0x1864CFB
        assert crc24(sample) == crc & 0xFFFFFF


def test_block_decodes_with_good_crc() -> None:
    (block,) = find_armored(BLOCK)
    assert block.kind == "PUBLIC KEY BLOCK" and block.crc_ok is True and block.complete
    body = b"".join(line for line in BLOCK.split(b"\n")[2:-2])
    assert block.data == base64.b64decode(body)


def test_bad_crc_is_reported_not_dropped() -> None:
    lines = BLOCK.split(b"\n")
    crc_index = next(i for i, line in enumerate(lines) if line.startswith(b"="))
    lines[crc_index] = b"=AAAA"
    (block,) = find_armored(b"\n".join(lines))
    assert block.crc_ok is False and block.data and block.warnings


def test_quoted_crlf_and_html_variants_decode_identically() -> None:
    (plain,) = find_armored(BLOCK)
    quoted = b"\r\n".join(b"> " + line for line in BLOCK.split(b"\n"))
    html = b"<br>\n".join(BLOCK.split(b"\n"))
    for variant in (quoted, html):
        (block,) = find_armored(variant)
        assert block.data == plain.data and block.crc_ok is True


def test_truncated_block_gives_partial_data() -> None:
    cut = BLOCK[: len(BLOCK) // 2]
    (block,) = find_armored(cut)
    assert not block.complete and block.data and block.crc_ok is None


def test_utf16_block_found_with_byte_offset() -> None:
    data = b"\x00" * 10 + BLOCK.decode().encode("utf-16-le")
    blocks = list(find_armored(data))
    assert [b.start for b in blocks] == [10]
    assert blocks[0].crc_ok is True


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.binary(max_size=3000), st.binary(max_size=500))
def test_scan_bytes_finds_block_in_garbage(before: bytes, after: bytes, between: bytes) -> None:
    # Garbage must not itself open an armor header for the oracle to be exact.
    before = before.replace(b"-", b"_")
    between = between.replace(b"-", b"_")
    data = before + BLOCK + between + BLOCK + after.replace(b"-", b"_")
    findings = list(PgpExtractor().scan_bytes(data))
    keys = [f for f in findings if f.type == "pgp.key"]
    second = len(before) + len(BLOCK) + len(between)
    assert [f.offset for f in keys] == [len(before), second]
    assert all(f.attributes["crc_ok"] for f in keys)
    assert all(f.context and len(f.context) <= 120 for f in keys)


def test_utf16_blocks_at_both_alignments_among_many_false_headers() -> None:
    """Found by fuzzing: each UTF-16 header that did not match decoded a 16 MiB window."""
    import time

    wide = BLOCK.decode().encode("utf-16-le")
    decoy = "-----BEGIN PGP x".encode("utf-16-le") * 30_000  # about 1 MB of false headers
    data = b"\x00" * 10 + wide + decoy + b"\x01" + wide + b"\x00"
    started = time.process_time()
    blocks = list(find_armored(data))
    assert time.process_time() - started < 5  # was minutes; now one pass
    odd_start = 10 + len(wide) + len(decoy) + 1
    assert [(b.start, b.end) for b in blocks] == [(10, 10 + len(wide)),
                                                  (odd_start, odd_start + len(wide))]
    assert all(b.crc_ok is True and b.headers["encoding"] == "UTF-16LE" for b in blocks)


def test_many_cleartext_headers_without_signature_are_one_search() -> None:
    """Found by fuzzing: each signed-message header searched 8 MiB for its signature."""
    import time

    signed = (b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n"
              + BLOCK.replace(b"PUBLIC KEY BLOCK", b"SIGNATURE"))
    # The filler puts the signature beyond the 8 MiB a header searches.
    data = b"-----BEGIN PGP SIGNED MESSAGE-----\n" * 5_000 + b"filler " * 1_300_000 + signed
    started = time.process_time()
    blocks = list(find_armored(data))
    assert time.process_time() - started < 5
    assert len(blocks) == 5_001
    assert all(not b.complete for b in blocks[:-1])
    assert blocks[-1].kind == "SIGNED MESSAGE" and blocks[-1].complete
    assert blocks[-1].crc_ok is True

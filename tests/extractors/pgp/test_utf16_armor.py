"""Armor in UTF-16 text (Notepad saves, clipboard dumps) is found exactly as in 8-bit text.

Found by an audit: the UTF-16 scan moved each block's offsets into the wide text while
the 8-bit scan of the narrowed text was still going on, so that scan went on from twice
too far and skipped the next block: every other key was lost, and an empty armor header
line hid the key after it. gpg --show-keys on the UTF-8 text is the oracle for the keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.extractors.pgp.oracle import DATA, show_keys
from triage.extractors.pgp.armor import MAX_BLOCKS, ArmoredBlock, find_armored
from triage.extractors.pgp.findings import scan_armored

CAROL = (DATA / "carol.asc").read_text()
ALICE_SECRET = (DATA / "alice-secret.asc").read_text()
BOB_SECRET = (DATA / "bob-secret.asc").read_text()
EMPTY_HEADER = "-----BEGIN PGP MESSAGE-----\n"

#: Texts of several armored blocks, by name: real keys, with empty header lines among them.
TEXTS = {
    "two keys": CAROL + ALICE_SECRET,
    "three keys": CAROL + "\nsome notes\n" + ALICE_SECRET + BOB_SECRET,
    "empty header before a key": EMPTY_HEADER + CAROL,
    "empty headers between keys": CAROL + EMPTY_HEADER * 3 + ALICE_SECRET + EMPTY_HEADER + BOB_SECRET,
}


def _keys(data: bytes) -> list[str]:
    return [f.attributes["fingerprint"] for f in scan_armored(data) if f.type == "pgp.key"]


def _gpg_primaries(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "keys.asc"
    path.write_bytes(text.encode())
    return show_keys(path, tmp_path / "gpg").primaries


def _content(blocks: list[ArmoredBlock]) -> list[tuple[str, bytes, bool | None, bool]]:
    return [(b.kind, b.data, b.crc_ok, b.complete) for b in blocks]


@pytest.mark.parametrize("name", TEXTS)
@pytest.mark.parametrize("lead", [b"", b"\x00"], ids=["even", "odd"])
def test_utf16le_text_gives_the_keys_gpg_reads_from_the_utf8_text(
        name: str, lead: bytes, tmp_path: Path) -> None:
    text = TEXTS[name]
    oracle = _gpg_primaries(text, tmp_path)
    assert len(oracle) == text.count("-----BEGIN PGP P")
    assert _keys(text.encode()) == oracle
    # At an odd offset too, as in a carved chunk.
    assert _keys(lead + text.encode("utf-16-le")) == oracle


@pytest.mark.parametrize("name", TEXTS)
def test_utf16le_gives_the_blocks_the_8bit_scan_gives(name: str) -> None:
    text = TEXTS[name]
    narrow = list(find_armored(text.encode()))
    wide = list(find_armored(text.encode("utf-16-le")))
    assert _content(wide) == _content(narrow)
    assert all(b.headers.get("encoding") == "UTF-16LE" for b in wide)


def test_utf16be_text_gives_the_blocks_the_8bit_scan_gives() -> None:
    """Big-endian text reads as little-endian text one byte on, so it is found too."""
    text = TEXTS["empty headers between keys"]
    narrow = list(find_armored(text.encode()))
    assert len(narrow) == 7
    assert _content(list(find_armored(text.encode("utf-16-be")))) == _content(narrow)


def test_more_empty_headers_than_the_block_cap_do_not_hide_a_utf16le_key(
        tmp_path: Path) -> None:
    """Headers with nothing after them do not count towards the cap in 8-bit text; the
    UTF-16 scan cut its blocks at the cap whatever they held, and lost the key."""
    text = EMPTY_HEADER * (MAX_BLOCKS + 5) + CAROL
    oracle = _gpg_primaries(CAROL, tmp_path)
    assert _keys(text.encode()) == oracle
    assert _keys(text.encode("utf-16-le")) == oracle


@pytest.mark.parametrize("lead", [b"", b"\x00", b"\x00" * 6], ids=["at-0", "at-1", "at-6"])
def test_utf16le_offsets_point_at_each_blocks_begin_and_end_line(lead: bytes) -> None:
    """Characters outside the BMP (two UTF-16 code units each) come before later blocks."""
    text = (EMPTY_HEADER + CAROL + "\U0001F511\U0001F511 my keys \u00e9\u4e2d\n"
            + ALICE_SECRET + "\U0001F600\n" + EMPTY_HEADER + BOB_SECRET)
    utf8 = text.encode()
    data = lead + text.encode("utf-16-le")

    def wide_offset(utf8_offset: int) -> int:
        return len(lead) + len(utf8[:utf8_offset].decode().encode("utf-16-le"))

    narrow = list(find_armored(utf8))
    wide = list(find_armored(data))
    assert len(narrow) == 5 and _content(wide) == _content(narrow)
    assert [(b.start, b.end) for b in wide] == [
        (wide_offset(b.start), wide_offset(b.end)) for b in narrow]
    begin = "-----BEGIN PGP ".encode("utf-16-le")
    for block in wide:
        assert data[block.start : block.start + len(begin)] == begin
        line = data[block.start : block.end].decode("utf-16-le").split("\n", 1)[0]
        assert line == f"-----BEGIN PGP {block.kind}-----"
        if block.complete:
            text_before_end = data[len(lead) : block.end].decode("utf-16-le")
            assert text_before_end.endswith(f"-----END PGP {block.kind}-----")


def test_keys_quoted_in_a_utf16le_cleartext_signed_message(tmp_path: Path) -> None:
    """Two dash-escaped keys in signed text: the nested scan of the signed text must not
    skip the second, and the signed text's range is given in the wide text."""
    escaped = "".join("- " + line if line.startswith("-") else line
                      for line in (CAROL + "\nand\n" + ALICE_SECRET).splitlines(keepends=True))
    signed = (DATA / "announce.txt").read_text()
    at = signed.index("-----BEGIN PGP SIGNATURE-----")
    text = signed[:at] + "My keys:\n" + escaped + signed[at:]
    data = text.encode("utf-16-le")
    oracle = _gpg_primaries(CAROL + ALICE_SECRET, tmp_path)
    assert _keys(text.encode()) == oracle
    assert _keys(data) == oracle
    narrow = list(find_armored(text.encode()))
    wide = list(find_armored(data))
    assert _content(wide) == _content(narrow)
    (message,) = [b for b in wide if b.signed_text is not None]
    begin, end = message.signed_text
    assert begin % 2 == 0 and end % 2 == 0
    assert data[end:].decode("utf-16-le").startswith("-----BEGIN PGP SIGNATURE-----")
    assert "My keys:" in data[begin:end].decode("utf-16-le")

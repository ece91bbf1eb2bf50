"""is_text_like: which content the byte-level detectors scan."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.engine.text import is_text_like, reads_as_text


def _reference_printable_share(sample: bytes) -> bool:
    """The rule written out byte by byte: at least 90% printable or tab/CR/LF."""
    printable = sum(1 for byte in sample if byte >= 32 or byte in (9, 10, 13))
    return printable >= 0.9 * len(sample)


def test_plain_ascii_and_utf8_are_text() -> None:
    assert is_text_like(None, b"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n")
    assert is_text_like(None, "Grüße aus Köln\r\n".encode())


def test_utf16_with_bom_is_text_and_nul_bytes_are_not() -> None:
    assert is_text_like(None, "\ufeffhello".encode("utf-16-le"))
    assert not is_text_like(None, b"MZ\x90\x00\x03\x00")


def test_mime_decides_when_known() -> None:
    assert is_text_like("text/x-python", b"\x00\x01")
    assert is_text_like("image/svg+xml", b"")
    assert not is_text_like("image/jpeg", b"plain words")
    assert is_text_like("application/octet-stream", b"plain words")


def test_mostly_control_bytes_are_not_text() -> None:
    assert not is_text_like(None, b"\x01\x02\x03\x04abcdef")


@given(st.binary(min_size=1, max_size=5000))
def test_printable_share_matches_the_byte_by_byte_rule(data: bytes) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    sample = data[:4096]
    expected = b"\x00" not in sample and _reference_printable_share(sample)
    assert is_text_like(None, data) is expected


@pytest.mark.parametrize(("head", "text"), [
    (b"abandon ability able " * 100, True),
    ("Привет, мир; ".encode() * 400, True),  # UTF-8, cut anywhere in its last character
    ("café résumé ".encode("cp1252") * 300, True),  # a legacy code page, mostly ASCII
    (b"\xff\xfe" + "seed 😀 ".encode("utf-16-le") * 400, True),
    (b"\xfe\xff" + "notes".encode("utf-16-be") * 300, True),
    (b"RSTR" + b"\xff" * 4092, False),  # NTFS $LogFile fill: no NUL, but no text
    (bytes(range(128, 256)) * 32, False),
])
def test_reads_as_text(head: bytes, text: bool) -> None:
    assert reads_as_text(head[:4096]) is text
    assert reads_as_text(head[:4095]) is text


@given(st.binary(min_size=64, max_size=4096))
def test_random_bytes_behind_a_byte_order_mark_are_not_text(tail: bytes) -> None:
    """One random file in 32,768 starts with a UTF-16 byte-order mark (a cache blob of the
    benchmark image did); what follows must decode as UTF-16 too."""
    if tail.isascii():
        return
    for mark in (b"\xff\xfe", b"\xfe\xff"):
        data = mark + tail
        encoding = "utf-16-le" if mark == b"\xff\xfe" else "utf-16-be"
        try:
            data[2 : len(data) - len(data) % 2].decode(encoding)
        except UnicodeDecodeError as error:
            if error.start < len(data) - 6:
                assert not reads_as_text(data)

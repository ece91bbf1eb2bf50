"""is_text_like: which content the byte-level detectors scan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from triage.engine.text import is_text_like


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

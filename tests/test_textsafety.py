"""Hidden and reordering characters in evidence text are shown as <U+XXXX> (reports, GUI)."""

from __future__ import annotations

import pytest

from triage.textsafety import visible_controls

HIDDEN = ("\u202e", "\u202a", "\u200e", "\u200f", "\u061c", "\u2066", "\u2069", "\u200b",
          "\u2060", "\ufeff", "\u00ad", "\u3164", "\U000e0041", "\x1b", "\x07", "\x7f",
          "\x9b")


@pytest.mark.parametrize("character", HIDDEN)
def test_each_hidden_or_reordering_character_is_named(character: str) -> None:
    assert visible_controls(f"a{character}b") == f"a<U+{ord(character):04X}>b"


def test_the_masquerading_name_reads_as_stored() -> None:
    assert visible_controls("holiday\u202egpj.exe") == "holiday<U+202E>gpj.exe"


@pytest.mark.parametrize("text", ["", "plain.txt", "Café.jpg", "日本語/ファイル", "\u2764\ufe0f",
                                  "tab\there", "שלום.txt", "a\u0301", "lines\r\nand more",
                                  "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
                                  "\U0001f468\u200d\U0001f469\u200d\U0001f467"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Zero-width (non-)joiners are part of Persian and Indic words and emoji sequences."""
    assert visible_controls(text) == text


@pytest.mark.parametrize("brk", ["\n", "\r", "\t", "\x85", "\u2028", "\u2029"])
def test_line_breaks_show_where_the_text_is_one_line(brk: str) -> None:
    """Found by an audit: "invoice.pdf\n\n\n.exe" showed as "invoice.pdf" in a table."""
    name = f"invoice.pdf{brk * 3}.exe"
    assert visible_controls(name, single_line=True) == f"invoice.pdf{f'<U+{ord(brk):04X}>' * 3}.exe"
    if brk in "\n\r\t":
        assert visible_controls(name) == name  # multi-line text keeps its lines


def test_ascii_text_is_returned_without_a_copy() -> None:
    # The GUI calls this for every cell it paints; ASCII must cost next to nothing.
    text = "/Windows/WinSxS/amd64_microsoft-windows-a" * 3
    assert visible_controls(text) is text

"""Hidden and reordering characters in evidence text are shown as <U+XXXX> (reports, GUI)."""

from __future__ import annotations

import pytest

from triage.textsafety import visible_controls

HIDDEN = ("\u202e", "\u202a", "\u200e", "\u200f", "\u061c", "\u2066", "\u2069", "\u200b",
          "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\U000e0041")


@pytest.mark.parametrize("character", HIDDEN)
def test_each_hidden_or_reordering_character_is_named(character: str) -> None:
    assert visible_controls(f"a{character}b") == f"a<U+{ord(character):04X}>b"


def test_the_masquerading_name_reads_as_stored() -> None:
    assert visible_controls("holiday\u202egpj.exe") == "holiday<U+202E>gpj.exe"


@pytest.mark.parametrize("text", ["", "plain.txt", "Café.jpg", "日本語/ファイル", "\u2764\ufe0f",
                                  "tab\there", "שלום.txt", "a\u0301"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert visible_controls(text) == text


def test_ascii_text_is_returned_without_a_copy() -> None:
    # The GUI calls this for every cell it paints; ASCII must cost next to nothing.
    text = "/Windows/WinSxS/amd64_microsoft-windows-a" * 3
    assert visible_controls(text) is text

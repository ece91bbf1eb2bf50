"""Evidence text shown to a person, with the characters that hide or reorder it made visible.

Shared by the reports and the GUI (neither Qt nor SQL here), so both show a name such as
``holiday\\u202egpj.exe`` the same way: ``holiday<U+202E>gpj.exe``.
"""

from __future__ import annotations

import re

#: Characters that reorder the text around them (U+202E turns "gpj.exe" into "exe.jpg"),
#: are drawn as nothing (zero-width spaces, the soft hyphen, word joiner and invisible
#: operators, byte order mark, Hangul fillers, tag characters) or are control characters,
#: so two names that look the same could differ. Zero-width (non-)joiners and variation
#: selectors are left alone: Persian and Indic names and emoji need them.
_HIDDEN = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u034f\u061c\u115f\u1160"
           "\u17b4\u17b5\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff"
           "\uffa0\ufff9-\ufffb\U000e0000-\U000e007f")
#: Line breaks and tabs, also shown where the text is one line (a table cell, a title): a
#: name such as "invoice.pdf\n\n.exe" would show as "invoice.pdf" there.
_LINE_BREAKS = "\t\n\r\x85\u2028\u2029"
_MULTI_LINE = re.compile(f"[{_HIDDEN}]")
_SINGLE_LINE = re.compile(f"[{_HIDDEN}{_LINE_BREAKS}]")


def _code(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def visible_controls(text: str, single_line: bool = False) -> str:
    """Return ``text`` with bidirectional controls, invisible and control characters shown
    as ``<U+202E>``, so evidence text read by a person cannot reorder itself or the words
    around it, nor hide a difference between two names. Where the text is shown as one
    line (``single_line``), line breaks and tabs are shown the same way."""
    if text.isascii() and text.isprintable():
        # Every character replaced is a control or outside ASCII; both tests read flags or
        # run in C.
        return text
    return (_SINGLE_LINE if single_line else _MULTI_LINE).sub(_code, text)

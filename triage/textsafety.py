"""Evidence text shown to a person, with the characters that hide or reorder it made visible.

Shared by the reports and the GUI (neither Qt nor SQL here), so both show a name such as
``holiday\\u202egpj.exe`` the same way: ``holiday<U+202E>gpj.exe``.
"""

from __future__ import annotations

import re

#: Characters that reorder the text around them (U+202E turns "gpj.exe" into "exe.jpg") or
#: are drawn as nothing (zero-width spaces and joiners, the soft hyphen, word joiner and
#: invisible operators, byte order mark, Hangul fillers, tag characters), so two names that
#: look the same could differ. Variation selectors are left alone: emoji need them.
_HIDDEN_OR_REORDERING = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def visible_controls(text: str) -> str:
    """Return ``text`` with bidirectional controls and invisible characters shown as
    ``<U+202E>``, so evidence text read by a person cannot reorder itself or the words
    around it, nor hide a difference between two names."""
    if text.isascii():
        # Every character replaced is outside ASCII; isascii() reads a flag CPython keeps.
        return text
    return _HIDDEN_OR_REORDERING.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)

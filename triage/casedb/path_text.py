"""Evidence paths as the case stores them: text, even for names that are not UTF-8.

SQLite stores UTF-8 text, and a path from the operating system may hold other bytes
(a Latin-1 folder name), which Python keeps as lone surrogates. Such a path is stored
with each of those bytes written ``\\xNN``; :func:`local_path` finds the file again.
"""

from __future__ import annotations

import os
import re

_ESCAPE = re.compile(rb"\\x([0-9a-f]{2})")


_SURROGATE = re.compile("[\ud800-\udfff]")


def stored_path(path: str) -> str:
    """``path`` (or a message quoting it) as text the case can store: itself when it is
    UTF-8, otherwise with each byte that is not written ``\\xNN``.

    Any other lone surrogate (hostile JSON's ``"\\ud800"``, a UTF-16 string cut in
    half) cannot be stored as UTF-8 either, and is written as its JSON escape
    (``\\ud800``).
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return os.fsencode(path).decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return _SURROGATE.sub(_escaped_surrogate, path)
    return path


def stored_text(value: str | None) -> str | None:
    """Any text as the case can store it (see :func:`stored_path`); None stays None."""
    return None if value is None else stored_path(value)


def _escaped_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    # An escaped byte of a name that is not UTF-8, or a lone UTF-16 half.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def local_path(text: str) -> str:
    """The path on this system that :func:`stored_path` gave ``text`` for: ``text``
    itself when it exists, otherwise with its ``\\xNN`` escapes made bytes again."""
    if "\\x" not in text or os.path.lexists(text):
        return text
    raw = _ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), text.encode("utf-8"))
    return os.fsdecode(raw)

"""Evidence paths as the case stores them: text, even for names that are not UTF-8.

SQLite stores UTF-8 text, and a path from the operating system may hold other bytes
(a Latin-1 folder name), which Python keeps as lone surrogates. Such a path is stored
with each of those bytes written ``\\xNN``; :func:`local_path` finds the file again.
"""

from __future__ import annotations

import os
import re

_ESCAPE = re.compile(rb"\\x([0-9a-f]{2})")


def stored_path(path: str) -> str:
    """``path`` (or a message quoting it) as text the case can store: itself when it is
    UTF-8, otherwise with each byte that is not written ``\\xNN``."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def local_path(text: str) -> str:
    """The path on this system that :func:`stored_path` gave ``text`` for: ``text``
    itself when it exists, otherwise with its ``\\xNN`` escapes made bytes again."""
    if "\\x" not in text or os.path.lexists(text):
        return text
    raw = _ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), text.encode("utf-8"))
    return os.fsdecode(raw)

"""The case layer's error, and decoding of the JSON values a case stores."""

from __future__ import annotations

import json
from typing import Any


class CaseError(Exception):
    """A case file cannot be created, opened or written; the message is one line for the user."""


def stored_json(text: str, what: str) -> Any:
    """Decode a JSON value read from the case; raise CaseError naming ``what`` when the
    case holds something else (a damaged or edited case file)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise CaseError(f"damaged case file: {what} is not valid JSON ({exc})") from None


class CaseBusy(CaseError):
    """Another connection (a scan, another window) held the case's write lock longer than
    the caller would wait; nothing was written, and trying again later may succeed."""


def is_busy(error: BaseException) -> bool:
    """True when an SQLite error says the database was locked by another connection."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (and their extended codes)
    text = str(error)
    return "database is locked" in text or "database is busy" in text or "table is locked" in text


class CaseCheckCancelled(CaseError):
    """The whole-file check before a scan was stopped by the examiner."""


def require_utf8(value: str, what: str, remedy: str = "give it in UTF-8") -> None:
    """Raise CaseError when ``value`` holds bytes that are not UTF-8 (lone surrogates from
    the operating system), which the case cannot store without changing them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise CaseError(
            f"{what} {shown} is not valid UTF-8 and cannot be recorded as it is; {remedy}"
        ) from None

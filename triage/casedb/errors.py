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


class CaseCheckCancelled(CaseError):
    """The whole-file check before a scan was stopped by the examiner."""

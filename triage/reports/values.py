"""Turning case values (timestamps, attribute values) into text for reports."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

#: Characters that reorder the text around them (U+202E turns "gpj.exe" into "exe.jpg").
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """Show bidirectional control characters as ``<U+202E>``, so evidence text read by a
    person cannot reorder itself or the report's own words around it."""
    return _BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def iso_utc(seconds: float | int | None) -> str:
    """Return POSIX seconds as 'YYYY-MM-DDTHH:MM:SSZ' ('' when unknown or out of range)."""
    if seconds is None:
        return ""
    try:
        value = float(seconds)
        if not math.isfinite(value):
            return ""
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


def text_value(value: Any) -> str:
    """Return an attribute value as display text (lists and dicts as compact JSON)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def source_location(item: dict[str, Any]) -> str:
    """Return 'path' / 'unallocated @ offset' for an artefact row, with a deleted marker."""
    if item.get("unallocated"):
        offset = item.get("offset")
        return f"unallocated @ {offset}" if offset is not None else "unallocated"
    path = item.get("path") or ""
    return f"{path} (deleted)" if item.get("deleted") else path

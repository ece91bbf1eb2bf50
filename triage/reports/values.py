"""Turning case values (timestamps, attribute values) into text for reports."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any


def iso_utc(seconds: float | int | None) -> str:
    """Return POSIX seconds as 'YYYY-MM-DDTHH:MM:SSZ' ('' when unknown or out of range)."""
    if seconds is None:
        return ""
    try:
        value = float(seconds)
        if not math.isfinite(value):
            return ""
        # Whole seconds, as fls and istat show them: rounding to the microsecond first
        # would show .9999996 s as the next second.
        return datetime.fromtimestamp(math.floor(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
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


def evidence_text(item: dict[str, Any]) -> str:
    """The evidence path of an artefact or file row, or a plain statement that the case
    no longer records that evidence (a damaged case: the row is listed all the same)."""
    path = item.get("evidence_path")
    if path:
        return str(path)
    return f"unknown (evidence #{item.get('evidence_id')} is not recorded in the case)"


#: The name an artefact's attributes are shown under when a damaged or edited case holds
#: something other than a JSON object for them.
UNNAMED_ATTRIBUTES = "(attributes)"


def attribute_map(value: Any) -> dict[str, Any]:
    """An artefact's attributes as a mapping: the stored object, or, when a damaged or
    edited case holds anything else, that value under :data:`UNNAMED_ATTRIBUTES`, so the
    exports show it instead of dropping it."""
    if isinstance(value, dict):
        return value
    return {} if value is None else {UNNAMED_ATTRIBUTES: value}

"""Turn case values into short display strings (sizes, times, attribute values)."""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from triage.textsafety import visible_controls


def format_size(size: int | None) -> str:
    """Return a byte count as '1.5 MiB' (exact bytes below 1 KiB)."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)


def format_time(epoch: float | None) -> str:
    """Return a POSIX time as 'YYYY-MM-DD HH:MM:SS' UTC ('' when unknown or absurd)."""
    if epoch is None:
        return ""
    try:
        # Whole seconds (floored, as fls shows them), not rounded to the microsecond.
        return datetime.fromtimestamp(math.floor(float(epoch)), UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return str(epoch)


def format_size_exact(size: int | None) -> str:
    """Return a byte count exactly, with the short form beside it when it is 1 KiB or
    more: '2,060 bytes (2.0 KiB)', '512 bytes', '1 byte' ('' when unknown)."""
    if size is None:
        return ""
    try:
        count = int(size)
    except (TypeError, ValueError):
        return str(size)
    exact = f"{count:,} byte{'' if count == 1 else 's'}"
    return exact if abs(count) < 1024 else f"{exact} ({format_size(count)})"


def format_time_exact(epoch: float | None) -> str:
    """Return a POSIX time with its fraction and zone: '2023-11-14 22:13:20.999999 UTC'.

    The fraction is cut (never rounded) to the microsecond, as far as a stored time
    holds one: a time a hair before the next second stays in its second. '' when
    unknown; the value as stored when it is no date.
    """
    if epoch is None:
        return ""
    try:
        # The digits of the stored value's shortest form (what sqlite3 prints), cut to
        # six: flooring the binary fraction made 0.768678 read 0.768677.
        exact = Decimal(repr(float(epoch)))
        whole = math.floor(exact)
        micro = int((exact - whole) * 1_000_000)
        stamp = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError, TypeError, ArithmeticError):
        return str(epoch)
    return f"{stamp}.{micro:06d} UTC"


def format_duration(seconds: float | None) -> str:
    """Return seconds as 'h:mm:ss' or 'm:ss' ('' when unknown)."""
    if seconds is None or seconds < 0:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_value(value: Any, limit: int = 300) -> str:
    """Return an attribute value as one line of text, cut at ``limit`` characters."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Ten significant digits: 48.858222000000005 reads 48.858222 (GPS, confidences).
        return format(value, ".10g")
    if isinstance(value, list | tuple):
        # "; " because list items (user IDs, "Doe, John <j@x>") often contain commas.
        text = "; ".join(format_value(item, limit) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    # Line breaks and separators become visible first: collapsing white space would turn
    # "invoice.pdf\n\n.exe" into "invoice.pdf .exe".
    text = " ".join(visible_controls(text, single_line=True).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain_tooltip(text: str) -> str:
    """Tooltip text Qt shows literally.

    Qt renders a tooltip that looks like HTML as rich text, so an evidence name such as
    ``<img src=x>.jpg`` would show as a picture: such text is escaped inside a paragraph
    that keeps its white space. Reordering and invisible characters show as ``<U+202E>``.
    """
    text = visible_controls(text)
    if "<" not in text and "&" not in text:
        return text
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"

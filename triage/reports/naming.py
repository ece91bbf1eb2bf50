"""Safe names for files an export writes: evidence strings never choose where a file goes."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SEPARATORS = re.compile(r"[/\\]+")
#: Longest extension kept when a long name is shortened.
MAX_KEPT_EXTENSION = 16
_RESERVED_WINDOWS = {
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def safe_component(text: str, fallback: str = "item", max_length: int = 80) -> str:
    """Return ``text`` as one harmless file-name component.

    Only ASCII letters, digits, ``.``, ``_`` and ``-`` survive (accents are folded,
    anything else becomes ``_``); leading dots are removed, so the result can never be
    ``.``, ``..``, hidden, absolute or contain a separator.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    parts = [p for p in _SEPARATORS.split(folded) if p not in ("", ".", "..")]
    cleaned = _UNSAFE.sub("_", "_".join(parts)).lstrip(".")
    if len(cleaned) > max_length:
        # A long name keeps its extension, so the copy still opens as what it is.
        stem, dot, extension = cleaned.rpartition(".")
        if stem and 0 < len(extension) <= MAX_KEPT_EXTENSION < max_length - 1:
            cleaned = f"{stem[:max_length - len(extension) - 1]}.{extension}"
        else:
            cleaned = cleaned[:max_length]
    cleaned = cleaned.rstrip(". ")
    if not cleaned or cleaned.strip("_") == "":
        cleaned = fallback
    if cleaned.split(".", 1)[0].lower() in _RESERVED_WINDOWS:
        cleaned = "_" + cleaned
    return cleaned


def unique_name(name: str, used: set[str], extension: str = "") -> str:
    """Return ``name + extension``, or ``name-2 + extension``, ``name-3``..., whichever is
    not in ``used`` yet (compared in lower case, as case-insensitive file systems and
    links do), and add it to ``used``."""
    candidate, number = name + extension, 1
    while candidate.lower() in used:
        number += 1
        candidate = f"{name}-{number}{extension}"
    used.add(candidate.lower())
    return candidate


def slug(text: str) -> str:
    """Return a short lower-case identifier for page and file names ('PGP keys' -> 'pgp_keys')."""
    return safe_component(text.lower().replace(" ", "_"), fallback="x", max_length=60)

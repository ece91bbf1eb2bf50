"""Decide which content counts as text-like for the byte-level detectors."""

from __future__ import annotations

_TEXT_MIMES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-ndjson",
    "message/",
    "application/x-shellscript",
    "application/x-sh",
    "application/pgp",
    "application/x-subrip",
    "application/csv",
    "application/x-wine-extension-ini",
)

# Control bytes other than tab, line feed and carriage return: deleting them with
# bytes.translate counts the printable rest in C, not byte by byte in Python.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def is_text_like(mime: str | None, head: bytes) -> bool:
    """True when content of this MIME type (or, if unknown, these first bytes) is text-like.

    Text-like content is what the address, seed, onion and armored-PGP detectors scan.
    UTF-16 text (common on Windows) counts too; binary formats do not.
    """
    if mime:
        if mime.startswith(_TEXT_MIMES) or mime.endswith(("+xml", "+json")):
            return True
        if mime not in ("application/octet-stream", "application/x-empty"):
            return False
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:4096]
    if b"\x00" in sample:
        return False
    printable = len(sample.translate(None, _CONTROL_BYTES))
    return printable >= 0.9 * len(sample)

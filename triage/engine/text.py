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
        return _utf16_without_mark(sample)
    printable = len(sample.translate(None, _CONTROL_BYTES))
    return printable >= 0.9 * len(sample)


def _utf16_without_mark(sample: bytes) -> bool:
    """Latin-script UTF-16 (either byte order) without a byte-order mark: nine in ten of
    every other byte zero, the bytes between printable (Notepad and PowerShell write
    such files)."""
    # One count in C settles most binary (a few NULs in 4 KB) before any slicing.
    if len(sample) < 64 or sample.count(0) < 0.4 * len(sample):
        return False
    for zeros, chars in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if (zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) <= 0.1 * len(chars)
                and len(chars.translate(None, _CONTROL_BYTES)) >= 0.9 * len(chars)):
            return True
    return False


_HIGH_BYTES = bytes(range(128, 256))


def reads_as_text(head: bytes) -> bool:
    """True when ``head`` (the first bytes of content no name or signature vouches for)
    is text a person wrote: text-like, and either UTF-8 (cut anywhere in its last
    character) or mostly ASCII (a legacy code page's note).

    Stricter than :func:`is_text_like` on bytes alone, which counts every byte from 0x80
    up as printable: a file system's log of 0xFF fill, or other binary without NUL
    bytes, would pass it and be read whole.
    """
    if not is_text_like(None, head):
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A byte-order mark must be followed by UTF-16 (random bytes start so one time
        # in 32,768, and hold unpaired surrogates).
        body = head[2 : len(head) - len(head) % 2]
        return _decodes(body, "utf-16-le" if head[0] == 0xFF else "utf-16-be", 4)
    if head.isascii() or _decodes(head, "utf-8", 3):
        return True
    return len(head.translate(None, _HIGH_BYTES)) >= 0.7 * len(head)


def _decodes(data: bytes, encoding: str, cut: int) -> bool:
    """Whether ``data`` decodes, but for a character cut by its last ``cut`` bytes."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start >= len(data) - cut and error.reason in (
            "unexpected end of data", "unexpected end of data (truncated surrogate pair)")
    return True

"""Find and decode ASCII-armored OpenPGP blocks (RFC 4880 section 6) inside arbitrary bytes.

Works on whole files and on carved chunks alike: the block may be quoted in an e-mail
('> ' prefixes), carry CRLF line ends or HTML line breaks, be cut off by the chunk end,
or be stored as UTF-16LE. A bad or missing CRC-24 is reported, not a reason to drop.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

#: Largest armored block decoded; a key ring of many keys stays well below this.
MAX_ARMOR_BYTES = 8 * 1024 * 1024
#: Most blocks with content decoded from one buffer, and most armor header lines looked
#: at in all (hostile input could hold millions of headers, with or without content).
MAX_BLOCKS = 10_000
MAX_HEADER_LINES = 100_000

BEGIN_RE = re.compile(rb"-----BEGIN PGP ([A-Z][A-Z ,/0-9]{2,40})-----")
_UTF16_BEGIN = "-----BEGIN PGP ".encode("utf-16-le")
_HTML_TAG = re.compile(rb"<[a-zA-Z/][^<>]{0,20}>")
_B64_LINE = re.compile(rb"^[A-Za-z0-9+/]+={0,2}$")
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*: ?")

_CRC24_INIT = 0xB704CE
_CRC24_POLY = 0x1864CFB


def _crc24_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= _CRC24_POLY
        table.append(crc & 0xFFFFFF)
    return table


_TABLE = _crc24_table()


def crc24(data: bytes) -> int:
    """The OpenPGP CRC-24 of ``data``."""
    crc = _CRC24_INIT
    table = _TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ table[(crc >> 16) ^ byte]
    return crc


@dataclass
class ArmoredBlock:
    """One armored block: its kind, byte range in the input and decoded content."""

    kind: str
    start: int
    end: int
    data: bytes
    crc_ok: bool | None
    headers: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    warnings: list[str] = field(default_factory=list)
    #: A cleartext-signed message's signed text (start, end), which may quote armor.
    signed_text: tuple[int, int] | None = None


def _clean_line(line: bytes) -> bytes:
    line = line.strip()
    while line.startswith(b">"):
        line = line[1:].lstrip()
    if b"<" in line:
        line = _HTML_TAG.sub(b"", line).strip()
    return line


def decode_armor_body(body: bytes) -> tuple[bytes, bool | None, dict[str, str], list[str]]:
    """Decode the lines after an armor header line: (data, crc_ok, headers, warnings)."""
    warnings: list[str] = []
    headers: dict[str, str] = {}
    lines = [_clean_line(line) for line in body.split(b"\n")]
    # The first line is the rest of the BEGIN line (normally empty).
    index = 1 if lines and not lines[0] else 0
    # Armor headers run to the first blank line; tolerate a missing blank line.
    while index < len(lines) and lines[index] and _HEADER_LINE.match(lines[index]):
        if _B64_LINE.match(lines[index]):
            break
        name, _, value = lines[index].partition(b":")
        if len(headers) < 32:
            headers[name.decode("ascii", "replace")] = value.strip()[:200].decode("utf-8", "replace")
        index += 1
    while index < len(lines) and not lines[index]:
        index += 1
    chunks: list[bytes] = []
    checksum: bytes | None = None
    skipped: list[int] = []
    for number, line in enumerate(lines[index:], start=index):
        if not line:
            continue
        if line.startswith(b"=") and len(line) == 5:
            checksum = line[1:]
            break
        if not _B64_LINE.match(line):
            # A line pasted into the block (a note, a mail client's addition): the lines
            # after it still hold the rest, each a whole number of radix-64 quads.
            skipped.append(number)
            continue
        chunks.append(line)
    if skipped:
        warnings.append(f"{len(skipped)} line(s) inside the armor that are not radix-64 skipped"
                        f" (the first is line {skipped[0] + 1} of the block)")
    text = b"".join(chunks)
    text = text[: len(text) - len(text) % 4] if len(text) % 4 == 1 else text
    try:
        data = binascii.a2b_base64(text + b"=" * (-len(text) % 4))
    except binascii.Error as exc:
        warnings.append(f"radix-64 decoding failed: {exc}")
        data = b""
    crc_ok: bool | None = None
    if checksum is not None:
        try:
            expected = int.from_bytes(binascii.a2b_base64(checksum), "big")
            crc_ok = crc24(data) == expected
        except binascii.Error:
            crc_ok = False
        if not crc_ok:
            warnings.append("armor CRC-24 checksum does not match")
    return data, crc_ok, headers, warnings


_SIGNATURE_BEGIN = b"-----BEGIN PGP SIGNATURE-----"


class _SignatureFinder:
    """Where the next signature header lies, remembered between the calls of one scan
    (asked from increasing offsets, so many signed-message headers cost one search)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.searched_from = -1
        self.found = -1

    def next_from(self, position: int) -> int:
        """Offset of the first signature header at or after ``position`` (-1 if none)."""
        known = self.searched_from >= 0 and position >= self.searched_from and (
            self.found < 0 or self.found >= position)
        if not known:
            self.searched_from = position
            self.found = self.data.find(_SIGNATURE_BEGIN, position)
        return self.found


_ASCII_ESCAPE = re.compile(rb"\\u00([2-7][0-9A-Fa-f])")
#: Line ends written as JSON's \u escapes (\u000a, \u000d), as some serializers do.
_LINE_ESCAPE = re.compile(rb"\\u000([aAdD])")


def _unescape(body: bytes) -> tuple[bytes, bool]:
    """Undo the string escapes of armor stored in JSON or source code: lines joined by a
    literal backslash-n or \\u000a, '/' written '\\/', '+' written '\\u002B' as .NET
    writes it (radix-64 itself never holds a backslash). Armor with real line breaks is
    left as it is: a header line may hold a backslash-n of its own (``Comment: C:\\new``)."""
    if b"\n" in body or (b"\\n" not in body and _LINE_ESCAPE.search(body) is None):
        return body, False
    body = _LINE_ESCAPE.sub(lambda m: b"" if m[1] in (b"d", b"D") else b"\n", body)
    body = body.replace(b"\\r", b"").replace(b"\\n", b"\n").replace(b"\\/", b"/")
    body = _ASCII_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), body)
    return body, True


def _decode_block(data: bytes, match: re.Match[bytes],
                  signatures: _SignatureFinder | None = None,
                  stop: int | None = None) -> ArmoredBlock:
    kind = match.group(1).decode("ascii")
    start = match.start()
    body_start = match.end()
    limit = min(len(data) if stop is None else stop, body_start + MAX_ARMOR_BYTES)
    signed_text: tuple[int, int] | None = None
    if kind == "SIGNED MESSAGE":
        # Cleartext signature: the signed text is not armored; the signature block is.
        sig_at = (signatures or _SignatureFinder(data)).next_from(body_start)
        if sig_at >= limit:
            sig_at = -1
        if sig_at < 0:
            block = ArmoredBlock(kind, start, body_start, b"", None, complete=False)
            block.warnings.append("cleartext-signed message without its signature block")
            return block
        signed_text = (body_start, sig_at)
        body_start = sig_at + len(_SIGNATURE_BEGIN)
        end_marker = b"-----END PGP SIGNATURE-----"
    else:
        end_marker = b"-----END PGP " + match.group(1) + b"-----"
    # A block without its end line ends where the next one begins: armor holds no other
    # header line, and the next block (often the whole key again) must not be swallowed.
    # (Each search stops there, so many headers without end lines cost one pass.)
    next_begin = data.find(b"-----BEGIN PGP ", body_start, limit)
    end_at = data.find(end_marker, body_start, next_begin if next_begin >= 0 else limit)
    if end_at >= 0:
        next_begin = -1
    complete = end_at >= 0
    body_end = end_at if complete else (next_begin if next_begin >= 0 else limit)
    body, escaped = _unescape(data[body_start:body_end])
    decoded, crc_ok, headers, warnings = decode_armor_body(body)
    if escaped:
        headers["encoding"] = "escaped line ends (JSON or source-code string)"
    if next_begin >= 0:
        warnings.append(f"armored {kind} has no end line before the next armor header "
                        f"(at byte {next_begin}): truncated")
    elif not complete:
        warnings.append(f"armored {kind} has no end line (truncated or over the size cap)")
    end = end_at + len(end_marker) if complete else body_end
    block = ArmoredBlock(kind, start, end, decoded, crc_ok, headers, complete, warnings)
    block.signed_text = signed_text
    return block


def find_armored(data: bytes, notes: list[str] | None = None) -> Iterator[ArmoredBlock]:
    """Yield every armored block in ``data`` (offsets relative to ``data``): the 8-bit
    ones in order, then the UTF-16LE ones in order. Where a cap stopped the search, a
    sentence saying so is added to ``notes``."""
    yield from _find_narrow(data, notes=notes)
    yield from _find_utf16(data, notes)


def _find_narrow(data: bytes, start: int = 0, stop: int | None = None,
                 nested: bool = False, notes: list[str] | None = None) -> Iterator[ArmoredBlock]:
    """Blocks in ``data[start:stop]``; offsets relative to ``data``.

    Header lines with nothing after them (a file that lists "-----BEGIN PGP MESSAGE-----"
    ten thousand times) do not count towards :data:`MAX_BLOCKS`, so they cannot hide a
    key behind them; at most :data:`MAX_HEADER_LINES` are looked at.
    """
    signatures = _SignatureFinder(data)
    stop = len(data) if stop is None else stop
    pos = start
    decoded = 0
    for _ in range(MAX_HEADER_LINES):
        match = BEGIN_RE.search(data, pos, stop)
        if match is None:
            return
        if decoded >= MAX_BLOCKS:
            break
        block = _decode_block(data, match, signatures, stop if nested else None)
        decoded += bool(block.data)
        yield block
        if block.signed_text is not None and not nested:
            # The signed text may quote armor, dash-escaped ("- -----BEGIN PGP ..."), as
            # when a key is published in a signed message; it is read once, not nested.
            yield from _find_narrow(data, *block.signed_text, nested=True)
        pos = max(block.end, match.end())
    else:
        if BEGIN_RE.search(data, pos, stop) is None:
            return
    if notes is not None:
        notes.append(f"more than {MAX_BLOCKS} armored blocks with content (or"
                     f" {MAX_HEADER_LINES} armor header lines): those from byte {pos} on"
                     " were not read")


_NOT_LATIN1 = re.compile(rb"[^\x00]+")


def _narrow_utf16le(wide: bytes) -> bytes:
    """One byte per UTF-16LE code unit of ``wide`` (even length): the unit's value where
    it is below 256, ``?`` elsewhere.

    Unlike decoding, this keeps a surrogate pair as two bytes, so byte ``i`` of the result
    is always the unit at ``2 * i`` of ``wide``.
    """
    narrow = wide[0::2]
    high = wide[1::2]
    if not high.strip(b"\x00"):
        return narrow
    out = bytearray(narrow)
    for run in _NOT_LATIN1.finditer(high):
        out[run.start() : run.end()] = b"?" * (run.end() - run.start())
    return bytes(out)


def _find_utf16(data: bytes, notes: list[str] | None = None) -> Iterator[ArmoredBlock]:
    """Blocks stored as UTF-16LE: the text from the first header on is narrowed once per
    byte alignment and searched like 8-bit text (linear, however many headers)."""
    anywhere = data.find(_UTF16_BEGIN)
    if anywhere < 0:
        return
    blocks = []
    notes_before = len(notes) if notes is not None else 0
    for parity in (0, 1):
        first = anywhere
        while first >= 0 and first % 2 != parity:
            first = data.find(_UTF16_BEGIN, first + 1)
        if first < 0:
            continue
        narrow = _narrow_utf16le(data[first : len(data) - (len(data) - first) % 2])
        for block in _find_narrow(narrow, notes=notes):
            # A copy: the scan goes on from the block's narrow offsets once it is yielded.
            signed = block.signed_text
            blocks.append(replace(
                block, start=first + 2 * block.start, end=first + 2 * block.end,
                headers={**block.headers, "encoding": "UTF-16LE"},
                signed_text=None if signed is None else (first + 2 * signed[0],
                                                         first + 2 * signed[1])))
    blocks.sort(key=lambda block: block.start)
    # As in the 8-bit scan, only blocks with content count towards the cap: header
    # lines with nothing after them must not hide the key behind them.
    with_content = 0
    for block in blocks:
        if with_content >= MAX_BLOCKS:
            if notes is not None and len(notes) == notes_before:
                notes.append(f"more than {MAX_BLOCKS} armored blocks with content in UTF-16"
                             f" text: those from byte {block.start} on were not read")
            return
        with_content += bool(block.data)
        yield block


#: MIME parts holding OpenPGP data in base64 (RFC 3156 types), looked at in mail text.
_MIME_PGP = re.compile(
    rb"(?im)^content-type:[ \t]*(application/pgp-(?:keys|signature|encrypted))\b")
_MAIL_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]{0,64}(?:From |[A-Za-z][A-Za-z0-9-]{0,63}:)")
_MIME_BASE64 = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*base64\b")
_MIME_HEADERS_END = re.compile(rb"\r?\n[ \t]*\r?\n")
_MIME_BODY_END = re.compile(rb"(?m)^--|[^A-Za-z0-9+/=\s]")
#: Most MIME parts decoded from one buffer, and the largest part decoded.
MAX_MIME_PARTS = 256
MAX_MIME_PART_BYTES = 8 * 1024 * 1024


@dataclass
class MimePart:
    """A base64 MIME part of an OpenPGP type: where its body starts, its type, content."""

    offset: int
    content_type: str
    data: bytes
    complete: bool = True


def find_base64_mime_parts(data: bytes) -> Iterator[MimePart]:
    """Yield the decoded base64 bodies of ``application/pgp-*`` MIME parts in mail text
    (text that starts with a header line or an mbox "From " line).

    Armor (or binary packets) in such a part is invisible in the raw text; the part's
    headers must be followed by a blank line and the body ends at the next boundary line
    (or the first character outside base64). Bounded in parts and bytes.
    """
    # Only mail is searched: text that starts as a mail or an mbox does (a header line,
    # "From "). Searching every text file for "pgp-" cost twice what the armor scan does.
    if _MAIL_START.match(data) is None or (b"pgp-" not in data and b"PGP-" not in data):
        return
    count = 0
    for match in _MIME_PGP.finditer(data):
        if count >= MAX_MIME_PARTS:
            return
        headers_end = _MIME_HEADERS_END.search(data, match.end(), match.end() + 4096)
        if headers_end is None:
            continue
        # The part's own headers: back to the blank line before it, on to the one after.
        part_start = data.rfind(b"\n\n", max(0, match.start() - 4096), match.start())
        part_start = max(part_start, data.rfind(b"\n\r\n", max(0, match.start() - 4096),
                                                match.start()))
        headers = data[max(part_start, 0) : headers_end.start()]
        if not _MIME_BASE64.search(headers):
            continue
        body_start = headers_end.end()
        limit = min(len(data), body_start + MAX_MIME_PART_BYTES * 4 // 3 + 65536)
        body_end = _MIME_BODY_END.search(data, body_start, limit)
        end = body_end.start() if body_end else limit
        text = re.sub(rb"\s+", b"", data[body_start:end])
        text = text[: len(text) - len(text) % 4]
        try:
            decoded = binascii.a2b_base64(text)
        except binascii.Error:
            continue
        count += 1
        yield MimePart(body_start, match.group(1).decode("ascii").lower(), decoded,
                       complete=body_end is not None or end == len(data))

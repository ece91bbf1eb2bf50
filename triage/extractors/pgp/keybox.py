"""GnuPG keybox (``pubring.kbx``) blobs, as described in GnuPG's kbx/keybox-blob.c.

A keybox is a sequence of blobs, each starting with a 4-byte big-endian length and a
type byte: 1 is the header blob (with the 'KBXf' magic at offset 8), 2 an OpenPGP blob,
3 an X.509 blob, 0 an empty (deleted) slot. An OpenPGP blob carries the keyblock (the
ordinary OpenPGP packets of one certificate) at an offset and length given in its header.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.extractors.pgp.sniff import key_packet_at

KBX_MAGIC = b"KBXf"
BLOB_EMPTY = 0
BLOB_HEADER = 1
BLOB_OPENPGP = 2
BLOB_X509 = 3
MAX_BLOBS = 100_000


@dataclass
class KeyboxContent:
    """The keyblocks of a keybox with each one's offset, plus warnings."""

    keyblocks: list[tuple[int, bytes]] = field(default_factory=list)
    x509_certificates: int = 0
    warnings: list[str] = field(default_factory=list)


def is_keybox(data: bytes) -> bool:
    """True when ``data`` starts with a keybox header blob."""
    return len(data) >= 12 and data[4] == BLOB_HEADER and data[8:12] == KBX_MAGIC


def parse_keybox(data: bytes) -> KeyboxContent:
    """Split a keybox into OpenPGP keyblocks, with warnings for damaged blobs.

    A blob whose length is impossible, runs past the end or leaves the next blob's
    header unreadable is damage: reading goes on at the next plausible OpenPGP blob
    (:func:`_next_openpgp_blob`), searched from just after the last blob that read
    well, and the damaged blob's own keyblock is kept when its header still points at
    one before that blob.
    """
    content = KeyboxContent()
    if not is_keybox(data):
        content.warnings.append("no keybox header blob ('KBXf') at the start")
    pos = 0
    last_good = -1
    for _ in range(MAX_BLOBS):
        if pos + 5 > len(data):
            break
        length = int.from_bytes(data[pos : pos + 4], "big")
        blob_type = data[pos + 4]
        problem = _blob_problem(data, pos, length, blob_type)
        if problem is None:
            if blob_type == BLOB_OPENPGP:
                _keyblock(data, pos, length, content)
            elif blob_type == BLOB_X509:
                content.x509_certificates += 1
            last_good, pos = pos, pos + length
            continue
        # From just after the last good blob: a wrong length there put us here.
        resume = _next_openpgp_blob(data, last_good + 5 if last_good >= 0 else pos + 1)
        end = len(data) if resume is None or resume < pos else resume
        if blob_type == BLOB_OPENPGP and _keyblock(data, pos, end - pos, content):
            problem += "; its keyblock was read"
        where = ("no further blob found" if resume is None
                 else f"reading resumed at the blob at offset {resume}")
        content.warnings.append(f"keybox blob at offset {pos} {problem}: {where}")
        if resume is None:
            break
        # The resumed blob reads well, so the last good blob moves on past every blob
        # met so far: no position is read twice.
        pos = resume
    else:
        content.warnings.append(f"more than {MAX_BLOBS} keybox blobs: stopping")
    return content


def _blob_problem(data: bytes, pos: int, length: int, blob_type: int) -> str | None:
    """What is wrong with the blob header at ``pos``, or None when it reads well."""
    if length < 5:
        return f"has impossible length {length}"
    if pos + length > len(data):
        return f"runs past the end of the file (length {length})"
    if blob_type not in (BLOB_EMPTY, BLOB_HEADER, BLOB_OPENPGP, BLOB_X509):
        return f"has unknown type {blob_type}"
    if blob_type == BLOB_OPENPGP and _openpgp_blob_length(data, pos) is None:
        return f"has a keyblock that does not lie in it (length {length})"
    return None


def _keyblock(data: bytes, pos: int, length: int, content: KeyboxContent) -> bool:
    """Add the keyblock of the OpenPGP blob at ``pos`` (taken as ``length`` bytes long)
    when its header points inside it; return whether one was added."""
    blob = data[pos : pos + length]
    if len(blob) < 16:
        return False
    start = int.from_bytes(blob[8:12], "big")
    size = int.from_bytes(blob[12:16], "big")
    if start < 16 or start >= len(blob) or not size:
        return False
    content.keyblocks.append((pos + start, blob[start : start + size]))
    return True


def _openpgp_blob_length(data: bytes, pos: int) -> int | None:
    """The length of an OpenPGP blob at ``pos`` whose header is consistent (version 1,
    keyblock inside the blob and starting with a key packet), else None."""
    if pos + 16 > len(data) or data[pos + 4] != BLOB_OPENPGP or data[pos + 5] != 1:
        return None
    length = int.from_bytes(data[pos : pos + 4], "big")
    start = int.from_bytes(data[pos + 8 : pos + 12], "big")
    size = int.from_bytes(data[pos + 12 : pos + 16], "big")
    if length < 16 or pos + length > len(data) or start < 16 or not size:
        return None
    if start + size > length or key_packet_at(data, pos + start) is None:
        return None
    return length


def _next_openpgp_blob(data: bytes, start: int) -> int | None:
    """Offset of the first plausible OpenPGP blob at or after ``start`` (its type and
    version bytes, 2 and 1, are looked for, then its header checked)."""
    found = data.find(b"\x02\x01", start + 4)
    while found >= 0:
        if _openpgp_blob_length(data, found - 4) is not None:
            return found - 4
        found = data.find(b"\x02\x01", found + 1)
    return None

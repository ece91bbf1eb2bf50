"""GnuPG keybox (``pubring.kbx``) blobs, as described in GnuPG's kbx/keybox-blob.c.

A keybox is a sequence of blobs, each starting with a 4-byte big-endian length and a
type byte: 1 is the header blob (with the 'KBXf' magic at offset 8), 2 an OpenPGP blob,
3 an X.509 blob, 0 an empty (deleted) slot. An OpenPGP blob carries the keyblock (the
ordinary OpenPGP packets of one certificate) at an offset and length given in its header.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """Split a keybox into OpenPGP keyblocks; stop with a warning at damaged blobs."""
    content = KeyboxContent()
    if not is_keybox(data):
        content.warnings.append("no keybox header blob ('KBXf') at the start")
    pos = 0
    for _ in range(MAX_BLOBS):
        if pos + 5 > len(data):
            break
        length = int.from_bytes(data[pos : pos + 4], "big")
        blob_type = data[pos + 4]
        if length < 5:
            content.warnings.append(f"keybox blob at offset {pos} has impossible length {length}")
            break
        if pos + length > len(data):
            content.warnings.append(f"keybox blob at offset {pos} runs past the end of the file")
            length = len(data) - pos
        blob = data[pos : pos + length]
        if blob_type == BLOB_OPENPGP:
            if len(blob) < 16:
                content.warnings.append(f"keybox OpenPGP blob at offset {pos} is too short")
            else:
                start = int.from_bytes(blob[8:12], "big")
                size = int.from_bytes(blob[12:16], "big")
                if start < 16 or start + size > len(blob):
                    content.warnings.append(
                        f"keybox blob at offset {pos}: keyblock lies outside the blob"
                    )
                    size = max(0, len(blob) - start)
                if start < len(blob) and size:
                    content.keyblocks.append((pos + start, blob[start : start + size]))
        elif blob_type == BLOB_X509:
            content.x509_certificates += 1
        elif blob_type not in (BLOB_EMPTY, BLOB_HEADER):
            content.warnings.append(f"keybox blob at offset {pos} has unknown type {blob_type}")
        pos += length
    else:
        content.warnings.append(f"more than {MAX_BLOBS} keybox blobs: stopping")
    return content

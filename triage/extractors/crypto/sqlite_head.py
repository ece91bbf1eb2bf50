"""A cheap look at an SQLite file's first bytes: could it be a wallet whatever its name,
and can it be one at all?

Page 1 of an SQLite database holds ``sqlite_master``, the ``CREATE`` statements of its
tables, as plain text; the wallets read by :func:`wallet_core.identify_sqlite_wallet` and
:func:`wallet_misc.identify_sqlite_apps` have tables no other program is likely to name
the same way. Only the head the engine already read is searched, so an SQLite file
that is no wallet is never read whole for this.
"""

from __future__ import annotations

import re

from .sqlite_probe import SQLITE_MAGIC

_WALLET_SCHEMA = re.compile(
    # Bitcoin Core descriptor wallets: CREATE TABLE main(key BLOB PRIMARY KEY NOT NULL, ...)
    rb"create\s+table\s+(?:if\s+not\s+exists\s+)?[\"'`\[]?main[\"'`\]]?\s*\(\s*"
    rb"[\"'`\[]?key[\"'`\]]?\s+blob"
    # Bither: addresses.encrypt_private_key, password_seed, hd_seeds.encrypt_seed
    rb"|encrypt_private_key|password_seed|encrypt_seed"
    # mSIGNA: Keychain.privkey_ciphertext
    rb"|privkey_ciphertext",
    re.IGNORECASE,
)
#: B-tree page type of a table leaf (page 1's, after the 100-byte file header).
_LEAF = 13
#: Words every schema a wallet identifier accepts holds (``main`` for Bitcoin Core's
#: table; Bither's and mSIGNA's columns and tables), lower-cased.
_WALLET_SCHEMA_WORDS = (b"main", b"encrypt_private_key", b"password_seed", b"encrypt_seed",
                        b"privkey_ciphertext")


def may_be_wallet_database(head: bytes) -> bool:
    """True when the head of an SQLite file names a wallet's table, or when a WAL-mode
    file has no table on page 1 yet (its schema is then only in its ``-wal``).

    A schema larger than page 1 continues on pages the head may not hold (the quick
    profile's 4 KiB); such files are left to the name rules.
    """
    if not head.startswith(SQLITE_MAGIC) or len(head) < 108:
        return False
    if _WALLET_SCHEMA.search(head):
        return True
    wal_mode = head[18] == 2 or head[19] == 2
    empty = head[100] == _LEAF and head[103:105] == b"\x00\x00"
    return wal_mode and empty


def cannot_be_wallet_database(head: bytes) -> bool:
    """True when ``head`` holds the database's whole schema and no wallet's table is in it.

    The schema is whole when page 1 (``sqlite_master``) is a table leaf that ``head``
    holds entire and none of its records spills onto overflow pages. A database in WAL
    mode never counts: its ``-wal`` may hold a newer page 1. Deleted schema text left in
    page 1's free space is searched too, which only errs on the side of reading.
    """
    if not head.startswith(SQLITE_MAGIC) or len(head) < 108:
        return False
    if head[18] == 2 or head[19] == 2 or head[100] != _LEAF:
        return False
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size > len(head):
        return False
    # A table leaf keeps a record whole when it is at most U - 35 bytes (U: the page
    # less its reserved bytes); a longer one continues on overflow pages.
    largest_local = page_size - head[20] - 35
    cells = int.from_bytes(head[103:105], "big")
    if 108 + 2 * cells > page_size:
        return False
    for index in range(cells):
        offset = int.from_bytes(head[108 + 2 * index:110 + 2 * index], "big")
        payload = _varint(head, offset, page_size)
        if payload is None or payload > largest_local:
            return False
    schema = head[100:page_size].lower()
    return not any(word in schema for word in _WALLET_SCHEMA_WORDS)


def _varint(data: bytes, offset: int, end: int) -> int | None:
    """SQLite's big-endian varint at ``offset`` (None when it runs past ``end``)."""
    value = 0
    for position in range(offset, min(offset + 9, end)):
        byte = data[position]
        if position == offset + 8:
            return value << 8 | byte
        value = value << 7 | (byte & 0x7F)
        if byte < 0x80:
            return value
    return None

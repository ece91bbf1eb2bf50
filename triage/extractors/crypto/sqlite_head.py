"""A cheap look at an SQLite file's first bytes: could it be a wallet whatever its name?

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

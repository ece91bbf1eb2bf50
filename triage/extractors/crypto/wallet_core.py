"""Bitcoin Core (and forks) wallet.dat: legacy Berkeley DB and the SQLite descriptor format."""

from __future__ import annotations

import re
import sqlite3

from .identify import ADDRESS, identify
from .sqlite_probe import SQLITE_MAGIC, key_value_rows, open_sqlite, schema_of
from .wallet_info import FORMAT, WalletInfo, coin_from_path

BDB_BTREE_MAGICS = (b"\x62\x31\x05\x00", b"\x00\x05\x31\x62")
# Record types (length-prefixed) only a Bitcoin Core wallet writes.
_CORE_RECORDS = (
    b"\x0adefaultkey",
    b"\x04mkey",
    b"\x04ckey",
    b"\x07keymeta",
    b"\x07hdchain",
    b"\x10walletdescriptor",
    b"\x0bminversion",
)
_NAME_RECORD = re.compile(rb"\x04name([\x0e-\x5a])")
_MAX_NAME_RECORDS = 5000


def is_berkeley_db(data: bytes) -> bool:
    """True when the bytes start with a Berkeley DB B-tree meta page."""
    return data[12:16] in BDB_BTREE_MAGICS


def _names(blob: bytes) -> list[str]:
    out = []
    for match in _NAME_RECORD.finditer(blob):
        if len(out) >= _MAX_NAME_RECORDS:
            break
        size = match.group(1)[0]
        raw = blob[match.end() : match.end() + size]
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            continue
        found = identify(text)
        if found is not None and found.type == ADDRESS and found.checksum_valid:
            out.append(text)
    return out


def _coins(addresses: list[str], path: str) -> list[str]:
    coins = set()
    ambiguous = True
    for address in addresses:
        found = identify(address)
        if found is not None:
            coins.add(found.coin)
            # Forks share Bitcoin's P2SH prefix '3'; only those leave the coin open.
            ambiguous = ambiguous and found.coin == "BTC" and found.kind == "p2sh"
    from_path = coin_from_path(path)
    if from_path and ambiguous:
        coins = {from_path}
    return sorted(coins or {"BTC"})


def identify_bdb_wallet(data: bytes, path: str = "") -> WalletInfo | None:
    """Identify a legacy Berkeley DB wallet.dat by its B-tree magic and record types."""
    if not is_berkeley_db(data) or not any(marker in data for marker in _CORE_RECORDS):
        return None
    encrypted: bool | None = None
    if b"\x04mkey" in data or b"\x04ckey" in data:
        encrypted = True
    elif b"\x03key!" in data or b"\x03key\x21" in data or b"\x03key" in data:
        encrypted = False
    addresses = _names(data)
    info = WalletInfo("bitcoin_core", "berkeley_db", FORMAT, _coins(addresses, path), encrypted)
    info.add_addresses(addresses)
    return info


def identify_sqlite_wallet(data: bytes, path: str = "") -> WalletInfo | None:
    """Identify a descriptor (SQLite) wallet.dat: table ``main(key, value)`` with Core records."""
    if not data.startswith(SQLITE_MAGIC):
        return None
    if schema_of(data).get("main") != {"key", "value"}:
        return None
    with open_sqlite(data) as conn:
        rows = key_value_rows(conn, "main")
    keys = [key for key, _ in rows]
    if not any(key.startswith(marker) for key in keys for marker in _CORE_RECORDS):
        if not any(key.startswith((b"\x07version", b"\x04name")) for key in keys):
            return None
    encrypted: bool | None = None
    if any(k.startswith((b"\x04mkey", b"\x14walletdescriptorckey", b"\x04ckey")) for k in keys):
        encrypted = True
    elif any(k.startswith((b"\x13walletdescriptorkey", b"\x03key")) for k in keys):
        encrypted = False
    addresses = _names(b"".join(k for k in keys if k.startswith(b"\x04name")))
    descriptors = sum(1 for k in keys if k.startswith(b"\x10walletdescriptor"))
    info = WalletInfo("bitcoin_core", "sqlite", FORMAT, _coins(addresses, path), encrypted)
    info.add_addresses(addresses)
    info.extra["descriptors"] = descriptors
    return info


def identify_core_wallet(data: bytes, path: str = "") -> WalletInfo | None:
    """Try both Bitcoin Core formats; sqlite errors on a damaged file count as 'not one'."""
    if is_berkeley_db(data):
        return identify_bdb_wallet(data, path)
    try:
        return identify_sqlite_wallet(data, path)
    except sqlite3.Error:
        return None

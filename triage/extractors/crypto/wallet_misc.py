"""Wallets identified by a magic header, a file structure or their name and place:
Armory, MultiBit, Android Bitcoin Wallet backups, Monero, Bither and mSIGNA."""

from __future__ import annotations

import re
import sqlite3

from .protobuf import ProtobufError, read_varint
from .sqlite_probe import SQLITE_MAGIC, column_values, open_sqlite, schema_of
from .wallet_info import FORMAT, LOCATION, WalletInfo

ARMORY_MAGIC = b"\xbaWALLET\x00"
_ARMORY_NETWORKS = {b"\xf9\xbe\xb4\xd9": "main", b"\x0b\x11\x09\x07": "test"}
OPENSSL_SALTED_B64 = b"U2FsdGVkX1"  # base64 of "Salted__"
MULTIBIT_KEY_HEADER = b"# KEEP YOUR PRIVATE KEYS SAFE"
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\r\n]+")


def identify_armory(data: bytes, path: str = "") -> WalletInfo | None:
    """Armory ``.wallet``: magic, version, network magic, then 8 flag bytes (bit 0: encrypted)."""
    if not data.startswith(ARMORY_MAGIC) or len(data) < 24:
        return None
    network = _ARMORY_NETWORKS.get(data[12:16], "unknown")
    flags = int.from_bytes(data[16:24], "little")
    info = WalletInfo("armory", "armory_v1", FORMAT, ["BTC"], bool(flags & 1), app="Armory")
    info.extra["network"] = network
    info.extra["watching_only"] = bool(flags & 2)
    return info


def identify_multibit(data: bytes, path: str = "") -> WalletInfo | None:
    """MultiBit Classic key exports (``.key``) and MultiBit HD ``mbhd.wallet.aes``."""
    name = path.rsplit("/", 1)[-1].lower()
    if data.startswith(MULTIBIT_KEY_HEADER):
        return WalletInfo("multibit", "key_export", FORMAT, ["BTC"], False, app="MultiBit Classic")
    if name.endswith(".key") and data.startswith(OPENSSL_SALTED_B64):
        if _BASE64_TEXT.fullmatch(data.strip()):
            return WalletInfo(
                "multibit", "key_export", LOCATION, ["BTC"], True, app="MultiBit Classic"
            )
    if name == "mbhd.wallet.aes" and data and len(data) % 16 == 0:
        return WalletInfo("multibit", "mbhd", LOCATION, ["BTC"], True, app="MultiBit HD")
    return None


def identify_android_backup(data: bytes, path: str = "") -> WalletInfo | None:
    """Android Bitcoin Wallet backups: base64 OpenSSL-encrypted bitcoinj wallets."""
    name = path.rsplit("/", 1)[-1].lower()
    if not name.startswith("bitcoin-wallet-backup") or not data.startswith(OPENSSL_SALTED_B64):
        return None
    return WalletInfo(
        "bitcoinj", "android_backup", LOCATION, ["BTC"], True, app="Bitcoin Wallet (Android)"
    )


def monero_keys_structure(data: bytes) -> bool:
    """True when ``data`` is an 8-byte IV, a varint length and exactly that many bytes.

    That is the serialised ``keys_file_data`` of a Monero ``<wallet>.keys`` file.
    """
    if len(data) < 64:
        return False
    try:
        length, pos = read_varint(data, 8)
    except ProtobufError:
        return False
    return length >= 32 and pos + length == len(data)


def identify_monero(data: bytes, path: str = "", has_cache: bool = False) -> WalletInfo | None:
    """A Monero ``<name>.keys`` file (its cache ``<name>`` normally sits beside it)."""
    if not path.lower().endswith(".keys"):
        return None
    if monero_keys_structure(data):
        confidence = FORMAT
    elif has_cache:
        confidence = LOCATION
    else:
        return None
    info = WalletInfo("monero", "wallet2", confidence, ["XMR"], True, app="Monero")
    info.extra["cache_file"] = has_cache
    return info


def identify_sqlite_apps(data: bytes, path: str = "") -> WalletInfo | None:
    """Bither (tables addresses/hd_seeds/password_seed) and mSIGNA (Keychain) databases."""
    if not data.startswith(SQLITE_MAGIC):
        return None
    try:
        tables = schema_of(data)
        if "encrypt_private_key" in tables.get("addresses", set()) or (
            "password_seed" in tables or "encrypt_seed" in tables.get("hd_seeds", set())
        ):
            info = WalletInfo("bither", "sqlite", FORMAT, ["BTC"], True, app="Bither")
            if "address" in tables.get("addresses", set()):
                with open_sqlite(data) as conn:
                    values = column_values(conn, "addresses", "address")
                info.add_addresses([v for v in values if isinstance(v, str)])
            return info
        if "privkey_ciphertext" in tables.get("keychain", set()):
            return WalletInfo("msigna", "sqlite", FORMAT, ["BTC"], True, app="mSIGNA")
    except sqlite3.Error:
        return None
    return None

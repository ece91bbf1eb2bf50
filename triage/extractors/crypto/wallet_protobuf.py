"""Protocol-buffers wallets: bitcoinj (MultiBit Classic, Android Bitcoin Wallet) and Coinomi."""

from __future__ import annotations

import re

from .base58 import b58check_encode
from .hashes import hash160
from .protobuf import Field, ProtobufError, first, parse_message
from .wallet_info import FORMAT, WalletInfo

_BITCOINJ_NETWORK = re.compile(rb"org\.([a-z]+)\.(production|test|unittest|regtest)")
_COINOMI_POCKET = re.compile(rb"([a-z][a-z0-9_]{1,30})\.(main|test)")
#: A Coinomi pocket's id as its message starts: field 1, its length, '<coin>.main'.
COINOMI_POCKET_ID = re.compile(rb"\x0a[\x05-\x24][a-z][a-z0-9_]{1,30}\.(?:main|test)")
# bitcoinj network name -> (coin, P2PKH version byte)
_BITCOINJ_COINS = {
    (b"bitcoin", b"production"): ("BTC", 0x00),
    (b"bitcoin", b"test"): ("BTC", 0x6F),
    (b"litecoin", b"production"): ("LTC", 0x30),
    (b"dogecoin", b"production"): ("DOGE", 0x1E),
}
_COINOMI_COINS = {
    "bitcoin": "BTC",
    "litecoin": "LTC",
    "dogecoin": "DOGE",
    "dash": "DASH",
    "ethereum": "ETH",
    "bitcoincash": "BCH",
    "btccash": "BCH",
    "ripple": "XRP",
    "tron": "TRX",
    "monero": "XMR",
    "btcgold": "BTG",
    "ethclassic": "ETC",
    "zcash": "ZEC",
    "digibyte": "DGB",
    "binance": "BNB",
    "bitcoinsv": "BSV",
}
ENCRYPTED_SCRYPT_AES = 2
MAX_KEYS = 500


def _addresses_from_keys(fields: list[Field], version: int) -> list[str]:
    out = []
    for item in fields:
        if item.number != 3 or not isinstance(item.value, bytes) or len(out) >= MAX_KEYS:
            continue
        try:
            key = parse_message(item.value, 64)
        except ProtobufError:
            continue
        public = first(key, 3)
        if isinstance(public, bytes) and len(public) in (33, 65) and public[0] in (2, 3, 4):
            out.append(b58check_encode(bytes([version]) + hash160(public)))
    return out


def identify_bitcoinj(data: bytes, path: str = "") -> WalletInfo | None:
    """A bitcoinj ``Wallet`` message: field 1 is a network id like 'org.bitcoin.production'."""
    if data[:1] != b"\x0a" or data[2:6] != b"org.":
        return None
    try:
        fields = parse_message(data)
    except ProtobufError:
        return None
    network = first(fields, 1)
    match = _BITCOINJ_NETWORK.fullmatch(network) if isinstance(network, bytes) else None
    if match is None:
        return None
    coin, version = _BITCOINJ_COINS.get(match.groups(), (match.group(1).decode().upper(), None))
    encryption = first(fields, 5)
    lowered = path.lower()
    app = None
    if "multibit" in lowered:
        app = "MultiBit Classic"
    elif "schildbach" in lowered or "wallet-protobuf" in lowered:
        app = "Bitcoin Wallet (Android)"
    info = WalletInfo(
        "bitcoinj",
        network.decode("ascii"),
        FORMAT,
        [coin],
        encryption == ENCRYPTED_SCRYPT_AES if isinstance(encryption, int) else False,
        app=app,
    )
    if version is not None:
        info.add_addresses(_addresses_from_keys(fields, version))
    return info


def identify_coinomi(data: bytes, path: str = "") -> WalletInfo | None:
    """A Coinomi wallet: version, seed key, master key and pockets named '<coin>.main'."""
    if data[:1] != b"\x08":
        return None
    try:
        fields = parse_message(data)
    except ProtobufError:
        return None
    if not isinstance(first(fields, 1), int) or not isinstance(first(fields, 3), bytes):
        return None
    coins = []
    for item in fields:
        if item.number != 6 or not isinstance(item.value, bytes):
            continue
        try:
            pocket_id = first(parse_message(item.value), 1)
        except ProtobufError:
            continue
        if isinstance(pocket_id, bytes):
            match = _COINOMI_POCKET.fullmatch(pocket_id)
            if match:
                name = match.group(1).decode("ascii")
                coin = _COINOMI_COINS.get(name, name.upper())
                # A testnet pocket holds no coin of value: kept apart from the main one.
                coins.append(coin if match.group(2) == b"main" else f"{coin} (testnet)")
    if not coins:
        return None
    encryption = first(fields, 4)
    return WalletInfo(
        "coinomi",
        "protobuf",
        FORMAT,
        coins,
        encryption == ENCRYPTED_SCRYPT_AES if isinstance(encryption, int) else None,
        app="Coinomi",
    )

"""Wallets stored as JSON (or a Python literal): Electrum, Blockchain.com, Ethereum keystores,
imToken identities and exported MetaMask vaults."""

from __future__ import annotations

import ast
import json
import re
import threading
import warnings
from typing import Any

from .bip32_public import derived_addresses, p2pkh_address
from .identify import ADDRESS, eip55_checksum, identify
from .wallet_info import FORMAT, LOCATION, WalletInfo

#: Largest document parsed (wallet JSON files are small; this bounds hostile input).
MAX_JSON_BYTES = 16 * 1024 * 1024
ELECTRUM_ENCRYPTED_MAGIC = b"QklFMQ"  # base64 of "BIE1"
_BASE64_BLOB = re.compile(rb"\s*[A-Za-z0-9+/=\s]{64,}\s*")


#: Largest Python literal parsed whole: ``ast`` needs ~300 bytes of memory per byte of
#: input; bigger Electrum 1.x files are identified from their top-level fields alone.
MAX_LITERAL_BYTES = 256 * 1024
_LITERAL_FIELD = re.compile(
    rb"'(seed_version|use_encryption|wallet_type)'\s*:\s*(True|False|\d{1,9}|'[A-Za-z0-9_]{1,40}')")


class _DocumentMemo(threading.local):
    """The parse of the last bytes asked about (the JSON identifiers all ask), per thread."""

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.document: Any = None


_memo = _DocumentMemo()


def forget_document() -> None:
    """Drop the kept parse and the bytes it belongs to."""
    _memo.data = _memo.document = None


def load_document(data: bytes) -> Any:
    """Parse JSON, or an Electrum 1.x Python literal; None when it is neither.

    The answer for the last ``data`` object is kept until :func:`forget_document`;
    callers must not change it.
    """
    if data is not _memo.data:
        _memo.data, _memo.document = data, _parse_document(data)
    return _memo.document


def _parse_document(data: bytes) -> Any:
    if len(data) > MAX_JSON_BYTES:
        return None
    text = data.decode("utf-8", errors="replace").strip()
    if not text.startswith("{"):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    if len(data) > MAX_LITERAL_BYTES:
        return _literal_top_fields(data)
    try:
        with warnings.catch_warnings():
            # Python's compiler warns about escapes such as "\o" in the file's strings
            # (a SyntaxWarning printed to standard error from Python 3.12 on).
            warnings.simplefilter("ignore")
            return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None


def _literal_top_fields(data: bytes) -> dict[str, Any] | None:
    """The Electrum 1.x fields of a literal too big to parse (first of each), or None."""
    if not data.lstrip().startswith(b"{'"):
        return None
    fields: dict[str, Any] = {}
    for match in _LITERAL_FIELD.finditer(data):
        name, value = match.group(1).decode("ascii"), match.group(2)
        if name not in fields:
            fields[name] = (value == b"True" if value in (b"True", b"False")
                            else int(value) if value.isdigit() else value.strip(b"'").decode())
    return fields if "seed_version" in fields else None


def _valid_addresses(values: list[Any]) -> list[str]:
    out = []
    for value in values:
        if isinstance(value, str) and len(value) <= 120:
            found = identify(value)
            if found is not None and found.type == ADDRESS and found.checksum_valid:
                out.append(value)
    return out


def _coins(addresses: list[str], default: str) -> list[str]:
    coins = {found.coin for a in addresses if (found := identify(a)) is not None}
    return sorted(coins or {default})


def _electrum_addresses(doc: dict[str, Any], coin: str = "BTC") -> list[str]:
    candidates: list[Any] = []
    history = doc.get("addr_history")
    if isinstance(history, dict):
        candidates += list(history)
    addresses = doc.get("addresses")
    if isinstance(addresses, dict):
        # Imported-address wallets key the map by address ({"1J5A...": {"pubkey": ...}});
        # deterministic ones by chain ("receiving", "change"), which validation drops.
        candidates += list(addresses)
        for group in addresses.values():
            if isinstance(group, list):
                candidates += group
            elif isinstance(group, dict):
                candidates += list(group)
    elif isinstance(addresses, list):
        candidates += addresses
    accounts = doc.get("accounts")
    if isinstance(accounts, dict):
        for account in accounts.values():
            if isinstance(account, dict):
                for group in account.values():
                    if isinstance(group, dict):
                        candidates += list(group)
                    elif isinstance(group, list):
                        strings = [g for g in group if isinstance(g, str)]
                        # Electrum 2.0 lists each account's public keys, not addresses.
                        candidates += strings + _p2pkh_addresses(strings, coin)
    return _valid_addresses(candidates)


#: P2PKH version bytes of the coins Electrum (and Electrum-LTC) wallets hold.
_P2PKH_VERSIONS = {"BTC": b"\x00", "LTC": b"\x30"}
_PUBLIC_KEY_HEX = re.compile(r"0[23][0-9a-fA-F]{64}|04[0-9a-fA-F]{128}")


def _p2pkh_addresses(values: list[str], coin: str) -> list[str]:
    """The P2PKH addresses of the public keys (hex) among ``values``."""
    return [p2pkh_address(bytes.fromhex(value), _P2PKH_VERSIONS[coin])
            for value in values if _PUBLIC_KEY_HEX.fullmatch(value)]


def identify_electrum(data: bytes, path: str = "") -> WalletInfo | None:
    """Electrum 1.x (Python literal), 2.x-4.x (JSON) and fully encrypted ('BIE1') wallets."""
    coin = "LTC" if "electrum-ltc" in path.lower() else "BTC"
    if data.lstrip()[:6] == ELECTRUM_ENCRYPTED_MAGIC:
        return WalletInfo("electrum", "encrypted_file", FORMAT, [coin], True)
    doc = load_document(data)
    if not isinstance(doc, dict):
        return None
    keys = set(doc)
    typical = {"wallet_type", "keystore", "addr_history", "master_public_key", "accounts", "seed"}
    # Imported-key 2.x wallets may lack seed_version but keep these together.
    if not ("seed_version" in keys and keys & (typical | {"use_encryption"})) and not (
        {"wallet_type", "use_encryption", "addr_history"} <= keys
    ):
        return None
    version = doc.get("seed_version")
    wallet_type = str(doc.get("wallet_type") or ("old" if data.lstrip()[:2] == b"{'" else ""))
    encrypted = doc.get("use_encryption")
    addresses = _electrum_addresses(doc, coin)
    info = WalletInfo(
        "electrum",
        wallet_type or "standard",
        FORMAT,
        _coins(addresses, coin),
        bool(encrypted) if isinstance(encrypted, bool) else None,
    )
    info.add_addresses(addresses)
    if isinstance(version, int):
        info.extra["seed_version"] = version
    master = _electrum_master_public_key(doc)
    if master and not addresses and wallet_type in ("", "standard"):
        # Only the key is kept (an Electrum 2.0 wallet, a deleted one's remains): the
        # addresses it leads to, derived as Electrum derives them.
        info.add_derived_addresses(
            derived_addresses(master, ELECTRUM_RECEIVING, ELECTRUM_CHANGE),
            "master public key", ELECTRUM_RECEIVING, ELECTRUM_CHANGE, "Electrum's first gap")
    return info


#: Electrum's gap limits: receiving and change addresses it derives ahead of use.
ELECTRUM_RECEIVING, ELECTRUM_CHANGE = 20, 10


def _electrum_master_public_key(doc: dict[str, Any]) -> str | None:
    """The wallet's extended public key: ``keystore.xpub`` (Electrum 3+) or
    ``master_public_keys["x/"]`` (Electrum 2.x)."""
    keystore = doc.get("keystore")
    if isinstance(keystore, dict) and isinstance(keystore.get("xpub"), str):
        return keystore["xpub"]
    keys = doc.get("master_public_keys")
    if isinstance(keys, dict) and isinstance(keys.get("x/"), str):
        return keys["x/"]
    return None


def identify_blockchain_com(data: bytes, path: str = "") -> WalletInfo | None:
    """Blockchain.com (blockchain.info) wallet.aes.json: v2-v4 envelopes, plain v3, legacy v0."""
    doc = load_document(data)
    if isinstance(doc, dict):
        if {"payload", "version", "pbkdf2_iterations"} <= set(doc):
            info = WalletInfo("blockchain_com", f"v{doc.get('version')}", FORMAT, ["BTC"], True)
            return info
        if {"guid", "sharedKey"} <= set(doc) and ("keys" in doc or "hd_wallets" in doc):
            keys = doc.get("keys") if isinstance(doc.get("keys"), list) else []
            addresses = _valid_addresses([k.get("addr") for k in keys if isinstance(k, dict)])
            double = doc.get("double_encryption")
            info = WalletInfo(
                "blockchain_com",
                "unencrypted_backup",
                FORMAT,
                ["BTC"],
                bool(double) if isinstance(double, bool) else False,
            )
            info.add_addresses(addresses)
            return info
        return None
    if path.lower().endswith("wallet.aes.json") and _BASE64_BLOB.fullmatch(data[:65536]):
        return WalletInfo("blockchain_com", "v0", LOCATION, ["BTC"], True)
    return None


def identify_keystore(data: bytes, path: str = "") -> WalletInfo | None:
    """Ethereum Web3 Secret Storage (UTC--... JSON, geth/MyEtherWallet) and imToken identities."""
    doc = load_document(data)
    if not isinstance(doc, dict):
        return None
    crypto = doc.get("crypto", doc.get("Crypto"))
    if not isinstance(crypto, dict) or not {"ciphertext", "kdf"} <= set(crypto):
        return None
    if "imTokenMeta" in doc:
        meta = doc.get("imTokenMeta")
        info = WalletInfo("imtoken", "identity", FORMAT, ["ETH", "BTC"], True, app="imToken")
        if isinstance(meta, dict) and isinstance(meta.get("network"), str):
            info.extra["network"] = meta["network"]
        return info
    info = WalletInfo("ethereum_keystore", f"v{doc.get('version', '?')}", FORMAT, ["ETH"], True)
    address = doc.get("address")
    if isinstance(address, str) and re.fullmatch(r"(0x)?[0-9a-fA-F]{40}", address):
        info.add_addresses(["0x" + eip55_checksum(address[-40:])])
    if isinstance(crypto.get("kdf"), str):
        info.extra["kdf"] = crypto["kdf"]
    return info


def identify_metamask_vault(data: bytes, path: str = "") -> WalletInfo | None:
    """A MetaMask vault copied out of the browser: {"data", "iv", "salt"[, "keyMetadata"]}."""
    doc = load_document(data)
    if not isinstance(doc, dict) or not {"data", "iv", "salt"} <= set(doc):
        return None
    if not all(isinstance(doc[k], str) for k in ("data", "iv", "salt")):
        return None
    if "keyMetadata" in doc:
        confidence = FORMAT
    elif "metamask" in path.lower() or "vault" in path.lower():
        confidence = LOCATION
    else:
        return None
    return WalletInfo("metamask", "vault_json", confidence, ["ETH"], True, app="MetaMask")


JSON_IDENTIFIERS = (
    identify_electrum,
    identify_keystore,
    identify_blockchain_com,
    identify_metamask_vault,
)

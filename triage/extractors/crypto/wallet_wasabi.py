"""Wasabi Wallet and its fork Ginger Wallet: the key manager JSON of a wallet.

Wasabi (a Bitcoin wallet built around CoinJoin) keeps each wallet as
``WalletWasabi/Client/Wallets/<name>.json`` (Ginger: ``GingerWallet/...``), with copies in
``WalletBackups``. The file holds the BIP-38 encrypted master secret
(``EncryptedSecret``, absent for watch-only and hardware wallets), the master key's
fingerprint, the account's extended public key and every public key the wallet has
generated (``HdPubKeys``) with its derivation path, the label the user gave it and
whether it was used. Those keys give the wallet's addresses: BIP-84 (P2WPKH) for
``84'/...`` paths, BIP-86 (P2TR) for ``86'/...``.
"""

from __future__ import annotations

import re
from typing import Any

from .bip32_public import (
    derived_addresses,
    p2pkh_address,
    p2tr_address,
    p2wpkh_address,
    parse_extended_public_key,
)
from .wallet_info import FORMAT, MAX_ADDRESSES, WalletInfo
from .wallet_json import load_document

#: Wasabi's key states (KeyState enum): what the wallet did with each key.
KEY_STATES = {0: "clean", 1: "locked", 2: "used"}
#: BlockchainState.Network -> the network name the address encoders take.
_NETWORKS = {"main": "main", "testnet": "test", "regtest": "regtest"}
#: Derivation purpose (first path component) -> address kind.
_PURPOSES = {"84": "p2wpkh", "86": "p2tr", "44": "p2pkh", "49": "p2sh-p2wpkh"}
_PUBLIC_KEY = re.compile(r"0[23][0-9a-fA-F]{64}")
_PATH = re.compile(r"(?:m/)?(\d{1,10})'?(?:/\d{1,10}'?){0,8}")
_TXID = re.compile(r"[0-9a-fA-F]{64}")
#: Wasabi's default gap limit, used when a file gives none.
DEFAULT_GAP = 21
MAX_GAP = 100
MAX_COINJOINS = 200


def identify_wasabi(data: bytes, path: str = "") -> WalletInfo | None:
    """A Wasabi or Ginger Wallet key manager file; None for any other document."""
    doc = load_document(data)
    if not isinstance(doc, dict) or not isinstance(doc.get("ExtPubKey"), str):
        return None
    if not ({"EncryptedSecret", "HdPubKeys", "AccountKeyPath"} & set(doc)):
        return None
    secret = doc.get("EncryptedSecret")
    fingerprint = doc.get("MasterFingerprint")
    if isinstance(secret, str) and secret:
        wallet_type, encrypted = "hot", True
    elif isinstance(fingerprint, str) and fingerprint:
        wallet_type, encrypted = "hardware", None
    else:
        wallet_type, encrypted = "watch_only", None
    state = doc.get("BlockchainState")
    network_name = state.get("Network") if isinstance(state, dict) else None
    network = _NETWORKS.get(str(network_name).lower(), "main")
    app = "Ginger Wallet" if "gingerwallet" in path.lower() else "Wasabi Wallet"
    info = WalletInfo("wasabi", wallet_type, FORMAT, ["BTC"], encrypted, app=app)
    info.extra["network"] = network
    for key, name in (("MasterFingerprint", "master_fingerprint"),
                      ("AccountKeyPath", "account_key_path"),
                      ("EncryptedSecret", "encrypted_secret")):
        if isinstance(doc.get(key), str) and doc[key]:
            info.extra[name] = doc[key][:256]
    keys = _listed_keys(doc.get("HdPubKeys"), network)
    info.add_addresses([key["address"] for key in keys])
    states: dict[str, int] = {}
    for key in keys:
        states[key["state"]] = states.get(key["state"], 0) + 1
    if states:
        info.extra["key_states"] = states
    labelled = [key for key in keys if key["label"]][:MAX_ADDRESSES]
    if labelled:
        info.extra["labels"] = labelled
    coinjoins = doc.get("CoinJoinTransactions")
    if isinstance(coinjoins, list):
        txids = [t for t in coinjoins if isinstance(t, str) and _TXID.fullmatch(t)]
        info.extra["coinjoin_transactions"] = txids[:MAX_COINJOINS]
        info.extra["coinjoin_count"] = len(txids)
    if not keys:
        _add_derived(info, doc, network)
    return info


def _listed_keys(entries: Any, network: str) -> list[dict[str, str]]:
    """Address, path, label and state of each well-formed ``HdPubKeys`` entry."""
    if not isinstance(entries, list):
        return []
    keys = []
    seen = set()
    for entry in entries:
        if len(keys) >= MAX_ADDRESSES:
            break
        if not isinstance(entry, dict):
            continue
        public_key, key_path = entry.get("PubKey"), entry.get("FullKeyPath")
        if not (isinstance(public_key, str) and _PUBLIC_KEY.fullmatch(public_key)
                and isinstance(key_path, str) and (purpose := _PATH.fullmatch(key_path))):
            continue
        address = _address(bytes.fromhex(public_key), _PURPOSES.get(purpose[1], ""), network)
        if address is None or address in seen:
            continue
        seen.add(address)
        label = entry.get("Label")
        state = entry.get("KeyState")
        keys.append({
            "address": address,
            "path": key_path,
            "label": label[:256] if isinstance(label, str) else "",
            "state": KEY_STATES.get(state, str(state)) if isinstance(state, int) else "unknown",
        })
    return keys


def _address(public_key: bytes, kind: str, network: str) -> str | None:
    if kind == "p2wpkh":
        return p2wpkh_address(public_key, network)
    if kind == "p2tr":
        return p2tr_address(public_key, network)
    if kind == "p2pkh":
        return p2pkh_address(public_key, b"\x00" if network == "main" else b"\x6f")
    return None


def _add_derived(info: WalletInfo, doc: dict[str, Any], network: str) -> None:
    """A wallet listing no keys (a fresh one, a damaged file): the addresses its account
    key leads to within its gap limit."""
    account_path = doc.get("AccountKeyPath")
    purpose = _PATH.fullmatch(account_path) if isinstance(account_path, str) else None
    kind = _PURPOSES.get(purpose[1], "p2wpkh") if purpose else "p2wpkh"
    key = parse_extended_public_key(doc["ExtPubKey"])
    if key is None or kind not in ("p2wpkh", "p2pkh") or key.network != network:
        return
    gap = doc.get("MinGapLimit")
    gap = gap if isinstance(gap, int) and 0 < gap <= MAX_GAP else DEFAULT_GAP
    info.add_derived_addresses(
        derived_addresses(doc["ExtPubKey"], gap, gap, kind=kind),
        f"account public key ({account_path or 'no path given'})", gap, gap,
        "the wallet's gap limit")

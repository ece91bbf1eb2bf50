"""Wallets that are folders: Chromium extension vaults (LevelDB) and Exodus ``exodus.wallet``."""

from __future__ import annotations

import re

from ..interface import ExtractionContext, FileView
from .wallet_info import FORMAT, LOCATION, WalletInfo

#: Chromium extension ids of wallet extensions -> product name.
EXTENSION_WALLETS: dict[str, str] = {
    "nkbihfbeogaeaoehlefnkodbefgpgknn": "MetaMask",
    "ejbalbakoplchlghecdalmeeeajnimhm": "MetaMask (Edge)",
    "fhbohimaelbohpjbbldcngcnapndodjp": "Binance Chain Wallet",
    "fnjhmkhhmkbjkkabndcnnogagogbneec": "Ronin Wallet",
    "bfnaelmomeimhlpmgjnjophhpkkoljpa": "Phantom",
    "hnfanknocfeofbddgcijnmhnfnkdnaad": "Coinbase Wallet",
    "ibnejdfjmmkpcnlpebklmnkoeoihofec": "TronLink",
    "egjidjbpglichdcondbcbdnbeeppgdph": "Trust Wallet",
    "dmkamcknogkgcdfhhbddcghachkejeap": "Keplr",
    "acmacodkjbdgmoleebolmdjonilkdbch": "Rabby",
    "mcohilncbfahbmgdjkbpemcciiolgcge": "OKX Wallet",
}
_VAULT_MARKERS = (b'"vault"', b'\\"vault\\"', b"KeyringController", b"encryptedMnemonic")
_VAULT_JSON = re.compile(
    rb'\{\\*"data\\*":\\*"[A-Za-z0-9+/=]{16,}\\*",\\*"iv\\*":\\*"[A-Za-z0-9+/=]{8,}\\*"'
    rb'(?:,\\*"[A-Za-z]+\\*":\\*(?:"[A-Za-z0-9+/=]*\\*"|\{[^{}]{0,400}\}))*\}'
)
_SELECTED_ADDRESS = re.compile(rb'selectedAddress\\*":\\*"(0x[0-9a-fA-F]{40})')
MAX_FILES = 200
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_VAULT_CHARS = 8192
MAX_OLDER_VAULTS = 20
_LEVELDB_EXTENSIONS = ("log", "ldb", "sst")
_FILE_NUMBER = re.compile(r"^\d+")


def _leveldb_files(entry: FileView, ctx: ExtractionContext) -> list[FileView]:
    """The folder's LevelDB files, oldest content first.

    LevelDB appends new records to its ``.log`` and only later moves them into tables,
    so every ``.log`` is newer than every table; among files of one kind, a higher file
    number is newer.
    """
    ranked = []
    for child in ctx.listdir(entry.path):
        if child.kind != "file" or child.extension not in _LEVELDB_EXTENSIONS:
            continue
        number = _FILE_NUMBER.match(child.name)
        # A file renamed without its number (a copy, say) counts as the oldest of its kind.
        rank = (child.extension == "log", int(number.group()) if number else -1, child.name)
        ranked.append((rank, child))
    ranked.sort(key=lambda item: item[0])
    return [child for _, child in ranked[-MAX_FILES:]]


def _vaults_oldest_first(child: FileView, data: bytes) -> list[tuple[str, str, int]]:
    """(vault JSON, file name, offset) of every vault record in one file, oldest first.

    A log is written in order; inside a table one key's versions are sorted newest first.
    """
    found = [
        (match.group().replace(b"\\", b"").decode("ascii")[:MAX_VAULT_CHARS], child.name,
         match.start())
        for match in _VAULT_JSON.finditer(data)
    ]
    return found if child.extension == "log" else found[::-1]


def identify_extension_vault(entry: FileView, ctx: ExtractionContext) -> WalletInfo | None:
    """One Chromium ``Local Extension Settings/<id>`` folder holding a wallet vault, or a
    wallet extension's folder (named by its id) kept anywhere else.

    The newest vault record is reported as ``vault``; vaults written before it (under a
    password since changed, say) are listed newest first in ``older_vaults``.
    """
    extension_id = entry.name.lower()
    app = EXTENSION_WALLETS.get(extension_id)
    if app is None and entry.parent.rsplit("/", 1)[-1].lower() != "local extension settings":
        return None
    marker = False
    vaults: list[tuple[str, str, int]] = []
    addresses: list[str] = []
    for child in _leveldb_files(entry, ctx):
        if ctx.cancelled():
            break
        data = ctx.read(child.path, MAX_FILE_BYTES)
        if data is None:
            ctx.warn("cannot read LevelDB file", child.path)
            continue
        if any(m in data for m in _VAULT_MARKERS):
            marker = True
        vaults += _vaults_oldest_first(child, data)
        addresses += [m.decode("ascii") for m in _SELECTED_ADDRESS.findall(data)]
    if app is None and not marker:
        return None
    info = WalletInfo(
        "metamask",
        "extension_leveldb",
        FORMAT if marker else LOCATION,
        ["SOL"] if app == "Phantom" else ["ETH"],
        True if marker else None,
        app=app or "unknown wallet extension",
        extension_id=extension_id,
    )
    info.add_addresses(addresses)
    if vaults:
        newest = vaults[-1][0]
        info.extra["vault"] = newest
        older: dict[str, dict[str, object]] = {}
        for vault, name, offset in reversed(vaults):
            if vault != newest and vault not in older and len(older) < MAX_OLDER_VAULTS:
                older[vault] = {"vault": vault, "file": name, "offset": offset}
        if older:
            info.extra["older_vaults"] = list(older.values())
    return info


def identify_exodus(entry: FileView, ctx: ExtractionContext) -> WalletInfo | None:
    """An ``exodus.wallet`` folder with its ``*.seco`` files (magic 'SECO')."""
    children = [c for c in ctx.listdir(entry.path) if c.kind == "file"][:MAX_FILES]
    seco = [c for c in children if c.extension == "seco"]
    if not seco:
        return None
    magic = False
    for child in seco:
        head = ctx.read(child.path, 16)
        if head is not None and head.startswith(b"SECO"):
            magic = True
            break
    info = WalletInfo("exodus", "seco", FORMAT if magic else LOCATION, [], True, app="Exodus")
    info.extra["files"] = sorted(c.name for c in seco)
    return info

"""Wallets that are folders: Chromium extension vaults (LevelDB) and Exodus ``exodus.wallet``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..interface import ExtractionContext, FileView
from ..leveldb import TYPE_VALUE, FileReading, read_file
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
    # Fields after iv: strings, or objects nested one deep (MetaMask 11's keyMetadata).
    rb'(?:,\\*"[A-Za-z]+\\*":\\*(?:"[A-Za-z0-9+/=]*\\*"|\{(?:[^{}]|\{[^{}]{0,400}\}){0,400}\}))*\}'
)
_SELECTED_ADDRESS = re.compile(rb'selectedAddress\\*":\\*"(0x[0-9a-fA-F]{40})')
MAX_FILES = 200
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_VAULT_CHARS = 8192
MAX_OLDER_VAULTS = 20
_LEVELDB_EXTENSIONS = ("log", "ldb", "sst")
_FILE_NUMBER = re.compile(r"^\d+")


def _leveldb_files(entry: FileView, ctx: ExtractionContext) -> list[FileView]:
    """The folder's LevelDB files, oldest content first as far as file names tell.

    LevelDB appends new records to its ``.log`` and only later moves them into tables,
    so every ``.log`` is newer than every table; among files of one kind, a higher file
    number is newer. Compaction breaks this (it rewrites old records into new tables), so
    the order is used only for files that cannot be read as LevelDB.
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


@dataclass(frozen=True)
class _Vault:
    """One vault record: its JSON, where it was found, and its place in time."""

    vault: str
    file: str
    offset: int
    #: LevelDB's sequence number (None for a file read by pattern, not as LevelDB).
    sequence: int | None
    #: Sorts oldest first: every sequence-numbered vault after every pattern-found one.
    order: tuple[int, ...]


def _vaults_oldest_first(child: FileView, data: bytes, rank: int) -> list[_Vault]:
    """Every vault a regex finds in one file's raw bytes, oldest first.

    A log is written in order; inside a table one key's versions are sorted newest first.
    """
    found = [
        (match.group().replace(b"\\", b"").decode("ascii")[:MAX_VAULT_CHARS], match.start())
        for match in _VAULT_JSON.finditer(data)
    ]
    if child.extension != "log":
        found.reverse()
    return [_Vault(vault, child.name, offset, None, (0, rank, index))
            for index, (vault, offset) in enumerate(found)]


def _state_vault(value: bytes) -> str | None:
    """The vault in MetaMask's state (key ``data``): the JSON string at
    ``KeyringController.vault``, when it is a JSON object with ``data`` and ``iv``."""
    try:
        state = json.loads(value)
        keyring = state.get("KeyringController") if isinstance(state, dict) else None
        vault = keyring.get("vault") if isinstance(keyring, dict) else None
        fields = json.loads(vault) if isinstance(vault, str) else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(fields, dict) or not {"data", "iv"} <= fields.keys():
        return None
    return vault[:MAX_VAULT_CHARS]


def _record_vaults(reading: FileReading) -> list[_Vault]:
    """Every vault in one LevelDB file's records, with their sequence numbers.

    MetaMask keeps its whole state as JSON under key ``data``; the vault is read from
    it as JSON. Forks of MetaMask may use other keys, so any value holding a
    ``KeyringController`` is read so; other extensions' vaults are found by pattern.
    """
    found = []
    for record in reading.records:
        if record.kind != TYPE_VALUE:
            continue
        vault = _state_vault(record.value) if b"KeyringController" in record.value else None
        if vault is not None:
            vaults = [vault]
        else:
            vaults = [match.group().replace(b"\\", b"").decode("ascii")[:MAX_VAULT_CHARS]
                      for match in _VAULT_JSON.finditer(record.value)]
        found += [_Vault(v, reading.file, record.offset, record.sequence,
                         (1, record.sequence, index)) for index, v in enumerate(vaults)]
    return found


def _describe(vault: _Vault) -> dict[str, object]:
    place: dict[str, object] = {"vault": vault.vault, "file": vault.file}
    if vault.sequence is not None:
        place["sequence"] = vault.sequence
    place["offset"] = vault.offset
    return place


def _raw_marker(entry: FileView, ctx: ExtractionContext) -> bool:
    """True when a LevelDB file of the folder holds a vault marker as it is stored."""
    for child in _leveldb_files(entry, ctx):
        if ctx.cancelled():
            return False
        data = ctx.read(child.path, MAX_FILE_BYTES)
        if data is not None and any(m in data for m in _VAULT_MARKERS):
            return True
    return False


def identify_extension_vault(entry: FileView, ctx: ExtractionContext) -> WalletInfo | None:
    """One Chromium ``Local Extension Settings/<id>`` folder holding a wallet vault, or a
    wallet extension's folder (named by its id) kept anywhere else.

    Each file is read as LevelDB (its records and their sequence numbers); the vault
    with the highest sequence number is reported as ``vault``, vaults written before it
    (under a password since changed, say) newest first in ``older_vaults``. A file that
    cannot be read as LevelDB (damaged, carved) is searched by pattern instead, with a
    warning; its vaults count as older than any with a sequence number.
    """
    extension_id = entry.name.lower()
    app = EXTENSION_WALLETS.get(extension_id)
    if app is None and entry.parent.rsplit("/", 1)[-1].lower() != "local extension settings":
        return None
    if app is None and not _raw_marker(entry, ctx):
        # Every extension has such a folder (an ad blocker's holds tens of megabytes):
        # one that is no known wallet is read as LevelDB, its checksums in Python, only
        # when its bytes name a vault.
        return None
    marker = False
    # Each distinct vault at its newest record: a log may hold thousands of copies of one.
    vaults: dict[str, _Vault] = {}
    addresses: list[str] = []
    for rank, child in enumerate(_leveldb_files(entry, ctx)):
        if ctx.cancelled():
            break
        data = ctx.read(child.path, MAX_FILE_BYTES)
        if data is None:
            ctx.warn("cannot read LevelDB file", child.path)
            continue
        reading = read_file(child.name, data)
        if reading.recognised:
            texts = [record.value for record in reading.records]
            found = _record_vaults(reading)
            if reading.damage_count:
                # A vault in a damaged record may still be whole in the raw bytes.
                known = {v.vault for v in found} | vaults.keys()
                found += [v for v in _vaults_oldest_first(child, data, rank)
                          if v.vault not in known]
                offset, reason = reading.damage[0]
                ctx.warn(f"LevelDB file partly unreadable: {reading.damage_count} damaged "
                         f"part(s) skipped, the first at offset {offset} ({reason})",
                         child.path)
        else:
            texts = [data]
            found = _vaults_oldest_first(child, data, rank)
            if found or any(m in data for m in _VAULT_MARKERS):
                ctx.warn("not readable as LevelDB: wallet vaults looked for by pattern, "
                         "ordered by file name", child.path)
        for vault in found:
            held = vaults.get(vault.vault)
            if held is None or vault.order > held.order:
                vaults[vault.vault] = vault
        for text in texts:
            if not marker and any(m in text for m in _VAULT_MARKERS):
                marker = True
            addresses += [m.decode("ascii") for m in _SELECTED_ADDRESS.findall(text)]
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
        newest, *older = sorted(vaults.values(), key=lambda v: v.order, reverse=True)
        info.extra["vault"] = newest.vault
        info.extra["vault_file"] = newest.file
        if newest.sequence is not None:
            info.extra["vault_sequence"] = newest.sequence
        if older:
            info.extra["older_vaults"] = [_describe(v) for v in older[:MAX_OLDER_VAULTS]]
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

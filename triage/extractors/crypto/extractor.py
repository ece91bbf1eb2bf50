"""The cryptocurrency extractor: wallet files and folders, and crypto strings in text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from ..interface import ArtefactType, AttributeSpec, ExtractionContext, Extractor, FileView, Finding
from ..sqlite_image import database_image
from .sqlite_head import cannot_be_wallet_database, may_be_wallet_database
from .sqlite_probe import SQLITE_MAGIC, forget_schema
from .text_scan import scan_text
from .wallet_core import BDB_BTREE_MAGICS, identify_core_wallet
from .wallet_folders import EXTENSION_WALLETS, identify_exodus, identify_extension_vault
from .wallet_info import WalletInfo
from .wallet_json import ELECTRUM_ENCRYPTED_MAGIC, JSON_IDENTIFIERS, forget_document
from .wallet_misc import (
    ARMORY_MAGIC,
    identify_android_backup,
    identify_armory,
    identify_monero,
    identify_multibit,
    identify_sqlite_apps,
)
from .wallet_protobuf import COINOMI_POCKET_ID, identify_bitcoinj, identify_coinomi
from .wallet_wasabi import identify_wasabi

WALLET_KINDS = (
    ("bitcoin_core", "Bitcoin Core wallet"),
    ("electrum", "Electrum wallet"),
    ("multibit", "MultiBit wallet"),
    ("bitcoinj", "bitcoinj wallet"),
    ("coinomi", "Coinomi wallet"),
    ("bither", "Bither wallet"),
    ("msigna", "mSIGNA wallet"),
    ("armory", "Armory wallet"),
    ("blockchain_com", "Blockchain.com wallet"),
    ("ethereum_keystore", "Ethereum keystore"),
    ("imtoken", "imToken identity"),
    ("metamask", "Browser extension wallet vault"),
    ("exodus", "Exodus wallet"),
    ("monero", "Monero wallet"),
    ("wasabi", "Wasabi Wallet"),
)
_WALLET_ATTRIBUTES = (
    AttributeSpec("wallet_type", "text", "Wallet type"),
    AttributeSpec("coin", "list", "Coins"),
    AttributeSpec("encrypted", "bool", "Encrypted"),
    AttributeSpec("addresses", "list", "Addresses"),
    AttributeSpec("app", "text", "Application"),
    AttributeSpec("extension_id", "text", "Extension id"),
    AttributeSpec("confidence", "text", "Identified by"),
    AttributeSpec("derived_addresses", "json", "Addresses derived from its public key"),
    AttributeSpec("derived_from", "text", "Derived from"),
    AttributeSpec("network", "text", "Network"),
    AttributeSpec("master_fingerprint", "text", "Master key fingerprint"),
    AttributeSpec("account_key_path", "text", "Account key path"),
    AttributeSpec("labels", "json", "Address labels"),
    AttributeSpec("key_states", "json", "Keys by state"),
    AttributeSpec("coinjoin_count", "integer", "CoinJoin transactions"),
    AttributeSpec("coinjoin_transactions", "list", "CoinJoin transaction ids"),
)
_COMMON = (
    AttributeSpec("coin", "text", "Coin"),
    AttributeSpec("kind", "text", "Kind"),
    AttributeSpec("network", "text", "Network"),
    AttributeSpec("checksum_valid", "bool", "Checksum valid"),
    AttributeSpec("offset", "integer", "Offset"),
)

# Content markers that make a JSON-looking file worth parsing as a wallet.
_JSON_MARKERS = (
    b"seed_version",
    b"ciphertext",
    b"pbkdf2_iterations",
    b"sharedKey",
    b"keyMetadata",
    b"use_encryption",
    b'"iv"',
    # Electrum 2.7+ sorts its keys: a long address history can push the others out of
    # the head.
    b'"addr_history"',
    # Wasabi and Ginger Wallet key managers.
    b'"ExtPubKey"',
)
_SQLITE_EXTENSIONS = frozenset({"dat", "db", "vault", "wallet", "sqlite", "sqlite3"})
#: A JSON object's start after ASCII white space (as bytes.lstrip() strips), without
#: copying a whole head to find it.
_JSON_START = re.compile(rb"[ \t\n\r\x0b\x0c]*+\{")


class CryptoExtractor(Extractor):
    """Cryptocurrency wallets (by format first, then by name and place) and checksum-valid
    addresses, seed phrases, extended keys and private keys in text."""

    NAME = "crypto"
    VERSION = "1.11"
    DESCRIPTION = (
        "Cryptocurrency wallet files and extension vaults; checksum-validated addresses, "
        "BIP-39/Electrum and Monero seed phrases, extended keys and private keys in text"
    )
    ARTEFACT_TYPES = tuple(
        ArtefactType(
            f"wallet.{kind}",
            label,
            "Wallets",
            _WALLET_ATTRIBUTES,
            ("wallet_type", "coin", "encrypted", "confidence", "app"),
        )
        for kind, label in WALLET_KINDS
    ) + (
        ArtefactType(
            "crypto.address",
            "Cryptocurrency address",
            "Addresses",
            (AttributeSpec("address", "text", "Address"), *_COMMON),
            ("coin", "address", "kind", "checksum_valid"),
        ),
        ArtefactType(
            "crypto.seed_phrase",
            "Seed phrase",
            "Seeds and keys",
            (
                AttributeSpec("words", "text", "Words"),
                AttributeSpec("word_count", "integer", "Words (count)"),
                AttributeSpec("kind", "text", "Kind"),
                AttributeSpec("language", "text", "Language"),
                AttributeSpec("checksum_valid", "bool", "Checksum valid"),
                AttributeSpec("offset", "integer", "Offset"),
            ),
            ("kind", "word_count", "words", "checksum_valid"),
        ),
        ArtefactType(
            "crypto.extended_key",
            "Extended key",
            "Seeds and keys",
            (AttributeSpec("key", "text", "Key"), *_COMMON),
            ("coin", "kind", "key", "checksum_valid"),
        ),
        ArtefactType(
            "crypto.private_key",
            "Private key",
            "Seeds and keys",
            (AttributeSpec("key", "text", "Key"), *_COMMON),
            ("coin", "kind", "key", "checksum_valid"),
        ),
        ArtefactType(
            "crypto.test_vectors",
            "Published test vectors",
            "Seeds and keys",
            (
                AttributeSpec("count", "integer", "Vectors (count)"),
                AttributeSpec("kinds", "list", "Kinds"),
                AttributeSpec("examples", "list", "Examples"),
                AttributeSpec("offset", "integer", "Offset"),
            ),
            ("count", "kinds", "examples"),
        ),
    )

    FILENAMES = frozenset(
        {
            "wallet.dat",
            "default_wallet",
            "mbhd.wallet.aes",
            "wallet.aes.json",
            "wallet-protobuf",
            "wallet-protobuf-testnet",
            "multibit.wallet",
        }
    )
    EXTENSIONS = frozenset({"wallet", "keys", "key"})
    PATH_GLOBS = (
        "*/utc--*",
        "*/keystore/*",
        "*/.electrum*/wallets/*",
        "*/electrum*/wallets/*",
        "*/com.coinomi.wallet/*",
        "*/coinomi/*",
        "*bitcoin-wallet-backup*",
        "*/de.schildbach.wallet*/*",
        "*wallet.aes.json*",
    )
    SIGNATURES = (
        (12, BDB_BTREE_MAGICS[0]),
        (12, BDB_BTREE_MAGICS[1]),
        (0, ARMORY_MAGIC),
        (0, ELECTRUM_ENCRYPTED_MAGIC),
        (2, b"org."),
    )
    # Wallet extensions' ids are named wherever their folder sits (copied out of a
    # browser profile, say), not only under "Local Extension Settings".
    DIRECTORY_NAMES = frozenset({"exodus.wallet", *EXTENSION_WALLETS})
    DIRECTORY_GLOBS = ("*/local extension settings/*",)
    SCANS_TEXT = True

    def wants_by_content(self, entry: FileView, head: bytes, mime: str | None) -> bool:
        """Signatures, SQLite files with wallet-like names or a wallet's tables in their
        head, JSON with wallet keys, and Coinomi's protocol buffers."""
        if head.startswith(SQLITE_MAGIC):
            if cannot_be_wallet_database(head):
                # Browsers and applications keep hundreds of .sqlite and .db files: one
                # whose whole schema names no wallet table is not opened.
                return False
            return (entry.extension in _SQLITE_EXTENSIONS or "wallet" in entry.name.lower()
                    or may_be_wallet_database(head))
        if _JSON_START.match(head) and any(m in head for m in _JSON_MARKERS):
            return True
        if head[:1] == b"\x08" and COINOMI_POCKET_ID.search(head):
            # A Coinomi wallet kept under any name: its first pocket's id is in the head.
            return True
        for offset, magic in self.SIGNATURES:
            if head[offset : offset + len(magic)] == magic:
                return True
        return False

    # -- files ----------------------------------------------------------------------
    def extract(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterable[Finding]:
        """Identify one candidate wallet file; yield at most one ``wallet.*`` finding."""
        try:
            info = self._identify_file(entry, data, ctx)
        except (ValueError, IndexError, KeyError, TypeError, OverflowError, RecursionError) as exc:
            ctx.warn(f"crypto: could not parse candidate wallet: {exc}", entry.path)
            return []
        return [info.to_finding()] if info is not None else []

    def _identify_file(
        self, entry: FileView, data: bytes, ctx: ExtractionContext
    ) -> WalletInfo | None:
        path = entry.path
        if not data:
            return None
        if entry.extension == "keys":
            cache = ctx.stat(path[: -len(".keys")])
            found = identify_monero(data, path, cache is not None and cache.kind == "file")
            if found is not None:
                return found
        if data.startswith(SQLITE_MAGIC):
            # The newest committed records of a WAL-mode wallet may be in its -wal only.
            data = database_image(path, data, ctx)
        identifiers: list[Callable[[bytes, str], WalletInfo | None]] = [
            identify_core_wallet,
            identify_sqlite_apps,
            identify_armory,
            identify_bitcoinj,
            identify_coinomi,
            *JSON_IDENTIFIERS,
            identify_wasabi,
            identify_multibit,
            identify_android_backup,
        ]
        try:
            for identify in identifiers:
                found = identify(data, path)
                if found is not None:
                    return found
        finally:
            forget_schema()
            forget_document()
        return None

    # -- folders --------------------------------------------------------------------
    def extract_directory(self, entry: FileView, ctx: ExtractionContext) -> Iterable[Finding]:
        """Extension vault folders and Exodus wallet folders (one finding per folder)."""
        if entry.name.lower() == "exodus.wallet":
            info = identify_exodus(entry, ctx)
        else:
            info = identify_extension_vault(entry, ctx)
        return [info.to_finding(path=entry.path)] if info is not None else []

    # -- text -----------------------------------------------------------------------
    def scan_bytes(self, data: bytes) -> Iterator[Finding]:
        """Checksum-valid addresses, seeds and keys in ``data`` (options: include_invalid,
        include_unchecksummed)."""
        yield from scan_text(
            data,
            include_invalid=bool(self.options.get("include_invalid", False)),
            include_unchecksummed=bool(self.options.get("include_unchecksummed", True)),
        )

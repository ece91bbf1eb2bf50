"""End to end through the harness over a disk-like tree, and fuzzing of every parser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.extractor_harness import LocalFolderContext, run_extractor
from triage.extractors.crypto import CryptoExtractor
from triage.extractors.crypto.wallet_core import identify_core_wallet
from triage.extractors.crypto.wallet_json import JSON_IDENTIFIERS
from triage.extractors.crypto.wallet_misc import (
    identify_armory,
    identify_monero,
    identify_multibit,
    identify_sqlite_apps,
)
from triage.extractors.crypto.wallet_protobuf import identify_bitcoinj, identify_coinomi
from triage.extractors.interface import FileView

from .paths import BTCRECOVER, TREE, btcrecover_wallet

PLANTED = json.loads((TREE / "planted.json").read_text())

CORPUS_LAYOUT = {
    "bitcoincore-wallet.dat": "home/carol/.bitcoin/wallet.dat",
    "bitcoincore-0.21.1-wallet.dat": "home/carol/.bitcoin/wallets/savings/wallet.dat",
    "electrum27-wallet": "home/carol/.electrum/wallets/default_wallet",
    "electrum41-wallet": "Users/dave/AppData/Roaming/Electrum/wallets/wallet_1",
    "blockchain-v2.0-wallet.aes.json": "Users/dave/Downloads/wallet.aes.json",
    "coinomi.wallet.desktop": "Users/dave/AppData/Local/Coinomi/Coinomi/wallets/coinomi.wallet",
    "multibit.wallet.bitcoinj.encrypted": "Users/dave/AppData/Roaming/MultiBit/multibit.wallet",
    "mbhd.wallet.aes": "Users/dave/AppData/Roaming/MultiBitHD/mbhd-1/mbhd.wallet.aes",
    "utc-keystore-v3-scrypt-myetherwallet.json": "home/carol/.ethereum/keystore/UTC--2017-01-01T00-00-00.000Z--ab28206d93e0b1c4cedf4302351a206777056c4c",
}
EXPECTED_KINDS = {
    "/home/carol/.bitcoin/wallet.dat": "wallet.bitcoin_core",
    "/home/carol/.bitcoin/wallets/savings/wallet.dat": "wallet.bitcoin_core",
    "/home/carol/.electrum/wallets/default_wallet": "wallet.electrum",
    "/Users/dave/AppData/Roaming/Electrum/wallets/wallet_1": "wallet.electrum",
    "/Users/dave/Downloads/wallet.aes.json": "wallet.blockchain_com",
    "/Users/dave/AppData/Local/Coinomi/Coinomi/wallets/coinomi.wallet": "wallet.coinomi",
    "/Users/dave/AppData/Roaming/MultiBit/multibit.wallet": "wallet.bitcoinj",
    "/Users/dave/AppData/Roaming/MultiBitHD/mbhd-1/mbhd.wallet.aes": "wallet.multibit",
    "/home/carol/.ethereum/keystore/UTC--2017-01-01T00-00-00.000Z--"
    "ab28206d93e0b1c4cedf4302351a206777056c4c": "wallet.ethereum_keystore",
    "/Users/dave/AppData/Local/Google/Chrome/User Data/Default/Local Extension Settings/"
    "nkbihfbeogaeaoehlefnkodbefgpgknn": "wallet.metamask",
}


def _build_disk(root: Path) -> bool:
    shutil.copytree(TREE, root, dirs_exist_ok=True)
    if not BTCRECOVER.exists():
        return False
    for name, target in CORPUS_LAYOUT.items():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BTCRECOVER / name, root / target)
    vault = root / (
        "Users/dave/AppData/Local/Google/Chrome/User Data/Default/Local Extension Settings/"
        "nkbihfbeogaeaoehlefnkodbefgpgknn"
    )
    shutil.copytree(BTCRECOVER / "metamask" / "nkbihfbeogaeaoehlefnkodbefgpgknn", vault)
    return True


def test_end_to_end_self_made_tree(tmp_path) -> None:
    _build_disk(tmp_path / "disk")
    result = run_extractor(CryptoExtractor(), tmp_path / "disk")
    wallets = {path: f.type for path, f in result.findings if f.type.startswith("wallet.")}
    assert wallets["/home/alice/.electrum/wallets/default_wallet"] == "wallet.electrum"
    assert wallets["/home/alice/Monero/wallets/alice/alice.keys"] == "wallet.monero"
    assert wallets["/home/alice/.config/Exodus/exodus.wallet"] == "wallet.exodus"
    assert wallets["/home/alice/.armory/armory_2xCdCyG3_.wallet"] == "wallet.armory"
    assert wallets["/home/alice/MultiBit/multibit.wallet"] == "wallet.bitcoinj"
    assert wallets["/Users/bob/AppData/Roaming/Bither/address.db"] == "wallet.bither"
    assert wallets["/Users/bob/AppData/Roaming/mSIGNA/savings.vault"] == "wallet.msigna"
    binance = [f for p, f in result.findings if p.endswith("fhbohimaelbohpjbbldcngcnapndodjp")]
    assert binance[0].attributes["app"] == "Binance Chain Wallet"
    assert binance[0].path.endswith("/fhbohimaelbohpjbbldcngcnapndodjp")
    notes = [f for p, f in result.findings if p == "/home/alice/notes.txt"]
    values = {
        f.attributes.get("address") or f.attributes.get("key") or f.attributes.get("words")
        for f in notes
    }
    assert values == set(PLANTED.values())
    assert all(f.attributes["checksum_valid"] is True for f in notes)
    assert not result.warnings
    declared = {artefact.name for artefact in CryptoExtractor.ARTEFACT_TYPES}
    assert {f.type for _, f in result.findings} <= declared


def test_end_to_end_real_wallets(tmp_path) -> None:
    if not _build_disk(tmp_path / "disk"):
        import pytest

        pytest.skip("btcrecover test wallets: corpus absent")
    result = run_extractor(CryptoExtractor(), tmp_path / "disk")
    wallets: dict[str, list[str]] = {}
    for path, finding in result.findings:
        if finding.type.startswith("wallet."):
            wallets.setdefault(path, []).append(finding.type)
    for path, kind in EXPECTED_KINDS.items():
        assert wallets.get(path) == [kind], path
    metamask = [
        f for p, f in result.findings if p in EXPECTED_KINDS and f.type == "wallet.metamask"
    ]
    assert metamask[0].attributes["confidence"] == "format"
    assert json.loads(metamask[0].attributes["vault"]).keys() >= {"data", "iv", "salt"}


def test_wallets_kept_out_of_their_usual_places(tmp_path) -> None:
    """A Coinomi wallet renamed into a backup folder and a MetaMask extension folder
    copied out of its browser profile are still recognised, by content and by the
    extension's id; other folders and protobuf-like files are not."""
    if not BTCRECOVER.exists():
        import pytest

        pytest.skip("btcrecover test wallets: corpus absent")
    disk = tmp_path / "disk"
    backup = disk / "Users/eve/Documents/old phone"
    backup.mkdir(parents=True)
    shutil.copy(BTCRECOVER / "coinomi.wallet.desktop", backup / "backup-2021.bin")
    (backup / "other.bin").write_bytes(b"\x08\x14\x12\x05hello" + bytes(64))
    shutil.copytree(BTCRECOVER / "metamask", disk / "Users/eve/Desktop/metamask")
    shutil.copytree(BTCRECOVER / "metamask" / "nkbihfbeogaeaoehlefnkodbefgpgknn",
                    disk / "Users/eve/Desktop/renamed")
    result = run_extractor(CryptoExtractor(), disk)
    wallets = {path: f for path, f in result.findings if f.type.startswith("wallet.")}
    assert set(wallets) == {"/Users/eve/Documents/old phone/backup-2021.bin",
                            "/Users/eve/Desktop/metamask/nkbihfbeogaeaoehlefnkodbefgpgknn"}
    coinomi = wallets["/Users/eve/Documents/old phone/backup-2021.bin"]
    assert coinomi.type == "wallet.coinomi" and "BTC" in coinomi.attributes["coin"]
    # Its bitcoin.test pocket is not the main one.
    coins = coinomi.attributes["coin"]
    assert "BTC (testnet)" in coins and len(coins) == len(set(coins))
    metamask = wallets["/Users/eve/Desktop/metamask/nkbihfbeogaeaoehlefnkodbefgpgknn"]
    assert metamask.type == "wallet.metamask"
    assert metamask.attributes["confidence"] == "format"
    assert json.loads(metamask.attributes["vault"]).keys() >= {"data", "iv", "salt"}


def test_renamed_electrum_wallet_is_wanted_from_a_small_head() -> None:
    """Electrum 2.7+ sorts its keys, so its address history comes first; the quick
    profile's 4 KiB head must still be enough to want the file under any name."""
    for name in ("electrum27-wallet", "electrum4_4_3_unencrypted"):
        data = btcrecover_wallet(name).read_bytes()
        view = FileView(path="/Users/eve/Documents/backup.dat", name="backup.dat", size=len(data))
        assert CryptoExtractor().wants_by_content(view, data[:4096], None), name


def test_include_invalid_option() -> None:
    data = (TREE / "home" / "alice" / "notes.txt").read_bytes()
    default = list(CryptoExtractor().scan_bytes(data))
    everything = list(CryptoExtractor({"include_invalid": True}).scan_bytes(data))
    assert len(everything) > len(default)
    assert {f.attributes["checksum_valid"] for f in everything} == {True, False}


def _seeds() -> list[bytes]:
    seeds = [p.read_bytes()[:20000] for p in TREE.rglob("*") if p.is_file()]
    if BTCRECOVER.exists():
        seeds += [p.read_bytes()[:20000] for p in BTCRECOVER.iterdir() if p.is_file()]
    return seeds


SEEDS = _seeds()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 20000), st.integers(0, 255)), max_size=8),
    st.integers(0, 20000),
)
def test_fuzz_wallet_parsers(seed: bytes, edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(seed)
    for position, value in edits:
        if data:
            data[position % len(data)] = value
    mutated = bytes(data[: cut or None])
    for identify in (
        identify_core_wallet,
        identify_sqlite_apps,
        identify_armory,
        identify_bitcoinj,
        identify_coinomi,
        identify_multibit,
        *JSON_IDENTIFIERS,
    ):
        identify(mutated, "/x/wallet.aes.json")
    identify_monero(mutated, "/x/a.keys", True)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SEEDS), st.integers(0, 20000))
def test_fuzz_extract_never_raises(seed: bytes, cut: int) -> None:
    extractor = CryptoExtractor()
    ctx = LocalFolderContext(TREE)
    entry = FileView(path="/home/alice/x.wallet", name="x.wallet", size=len(seed))
    list(extractor.extract(entry, seed[:cut], ctx))
    list(extractor.scan_bytes(seed[:cut]))

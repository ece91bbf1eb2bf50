"""Write the self-made sample tree under tests/data/crypto/tree (deterministic).

Run: python tests/data/crypto/make_samples.py
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import struct
from pathlib import Path

from triage.extractors.crypto.base58 import b58check_encode, monero_b58encode
from triage.extractors.crypto.bech32 import cashaddr_encode, segwit_encode
from triage.extractors.crypto.hashes import keccak256
from triage.extractors.crypto.identify import eip55_checksum
from triage.extractors.crypto.seeds import bip39_from_entropy
from triage.extractors.leveldb import crc32c, mask_crc

ROOT = Path(__file__).parent / "tree"


def h(label: str, size: int = 20) -> bytes:
    """Deterministic pseudo-random bytes for a label."""
    return hashlib.sha256(label.encode()).digest()[:size]


def monero_address(prefix: int, label: str, extra: bytes = b"") -> str:
    body = bytes([prefix]) + h(label + "s", 32) + h(label + "v", 32) + extra
    return monero_b58encode(body + keccak256(body)[:4])


def planted() -> dict[str, str]:
    """Every family's valid address/key/seed planted in the notes file."""
    ext = bytes.fromhex("0488b21e") + b"\x03" + h("fp", 4) + b"\x00\x00\x00\x00"
    ext += h("chain", 32) + b"\x02" + h("pub", 32)
    return {
        "btc_p2pkh": b58check_encode(b"\x00" + h("p2pkh")),
        "btc_p2sh": b58check_encode(b"\x05" + h("p2sh")),
        "btc_p2wpkh": segwit_encode("bc", 0, h("wpkh")),
        "btc_p2tr": segwit_encode("bc", 1, h("tr", 32)),
        "ltc_p2pkh": b58check_encode(bytes([0x30]) + h("ltc")),
        "ltc_p2wpkh": segwit_encode("ltc", 0, h("ltcw")),
        "doge_p2pkh": b58check_encode(bytes([0x1E]) + h("doge")),
        "dash_p2pkh": b58check_encode(bytes([0x4C]) + h("dash")),
        "trx": b58check_encode(bytes([0x41]) + h("trx")),
        "bch": cashaddr_encode("bitcoincash", 0, h("bch")),
        "eth": "0x" + eip55_checksum(h("eth").hex()),
        "xmr": monero_address(18, "xmr"),
        "xmr_integrated": monero_address(19, "xmri", h("pid", 8)),
        "xrp": b58check_encode(b"\x00" + h("xrp"), alphabet_ripple()),
        "xpub": b58check_encode(ext),
        "wif": b58check_encode(b"\x80" + h("wif", 32) + b"\x01"),
        "seed12": " ".join(bip39_from_entropy(h("seed12", 16))),
        "seed24": " ".join(bip39_from_entropy(h("seed24", 32))),
    }


def alphabet_ripple() -> str:
    from triage.extractors.crypto.base58 import RIPPLE_ALPHABET

    return RIPPLE_ALPHABET


def broken(value: str) -> str:
    """The same string with one character changed (a look-alike with a broken checksum)."""
    middle = len(value) // 2
    swap = "2" if value[middle] != "2" else "3"
    return value[:middle] + swap + value[middle + 1 :]


def leveldb_log_record(sequence: int, key: bytes, value: bytes) -> bytes:
    """A LevelDB log holding one write batch that puts ``key`` (a FULL record, under 32 KiB)."""
    batch = struct.pack("<QI", sequence, 1) + b"\x01"
    for part in (key, value):
        assert len(part) < 128 * 128
        batch += (bytes([0x80 | (len(part) & 0x7F), len(part) >> 7]) if len(part) >= 128
                  else bytes([len(part)])) + part
    crc = mask_crc(crc32c(batch, crc32c(b"\x01")))
    return struct.pack("<IHB", crc, len(batch), 1) + batch


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def main() -> None:
    if ROOT.exists():
        shutil.rmtree(ROOT)
    rng = random.Random(4)
    values = planted()
    alice = ROOT / "home" / "alice"
    lines = [f"{name}: {value}" for name, value in values.items()]
    lines += ["look-alikes (broken checksums):"]
    lines += [f"  {broken(v)}" for k, v in values.items() if not k.startswith("seed")]
    write(alice / "notes.txt", "\n".join(lines) + "\n")
    write(ROOT / "planted.json", json.dumps(values, indent=1))

    electrum = {
        "seed_version": 17,
        "use_encryption": False,
        "wallet_type": "standard",
        "addresses": {"receiving": [values["btc_p2wpkh"]], "change": []},
        "keystore": {"type": "bip32", "xpub": values["xpub"]},
    }
    write(alice / ".electrum" / "wallets" / "default_wallet", json.dumps(electrum, indent=4))
    keystore = {
        "version": 3,
        "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
        "address": values["eth"][2:].lower(),
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": h("ct", 32).hex(),
            "cipherparams": {"iv": h("iv", 16).hex()},
            "kdf": "scrypt",
            "kdfparams": {"dklen": 32, "n": 262144, "p": 1, "r": 8, "salt": h("salt", 32).hex()},
            "mac": h("mac", 32).hex(),
        },
    }
    name = "UTC--2019-05-04T10-11-12.000000000Z--" + values["eth"][2:].lower()
    write(alice / ".ethereum" / "keystore" / name, json.dumps(keystore))

    account = rng.randbytes(300)
    write(
        alice / "Monero" / "wallets" / "alice" / "alice.keys",
        rng.randbytes(8) + bytes([0xAC, 0x02]) + account,
    )
    write(alice / "Monero" / "wallets" / "alice" / "alice", rng.randbytes(512))
    write(
        alice / ".config" / "Exodus" / "exodus.wallet" / "seed.seco", b"SECO" + rng.randbytes(220)
    )
    write(alice / ".config" / "Exodus" / "exodus.wallet" / "passphrase.json", "{}")
    armory = b"\xbaWALLET\x00" + (1).to_bytes(4, "little") + b"\xf9\xbe\xb4\xd9"
    armory += (1).to_bytes(8, "little") + rng.randbytes(400)
    write(alice / ".armory" / "armory_2xCdCyG3_.wallet", armory)

    bob = ROOT / "Users" / "bob" / "AppData"
    ext = bob / "Local" / "Google" / "Chrome" / "User Data" / "Default" / "Local Extension Settings"
    vault = json.dumps({"data": "QUJD" * 40, "iv": "aXZpdml2aXZpdml2aXY=", "salt": "c2FsdA=="})
    record = json.dumps({"KeyringController": {"vault": vault}})
    write(ext / "fhbohimaelbohpjbbldcngcnapndodjp" / "000003.log",
          leveldb_log_record(1, b"data", record.encode()))
    write(ext / "fhbohimaelbohpjbbldcngcnapndodjp" / "CURRENT", "MANIFEST-000001\n")

    db = bob / "Roaming" / "Bither" / "address.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE addresses (address TEXT, encrypt_private_key TEXT, pub_key TEXT)"
        )
        conn.execute("CREATE TABLE password_seed (password_seed TEXT)")
        conn.execute("INSERT INTO addresses VALUES (?, ?, ?)", (values["btc_p2pkh"], "x", "y"))
    conn.close()
    vault_db = bob / "Roaming" / "mSIGNA" / "savings.vault"
    vault_db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(vault_db) as conn:
        conn.execute(
            "CREATE TABLE Keychain (name TEXT, privkey_ciphertext BLOB, privkey_salt BLOB)"
        )
    conn.close()

    bitcoinj = b"\x0a\x16org.bitcoin.production"
    key = b"\x08\x01" + b"\x1a\x21" + b"\x02" + h("pubkey", 32)
    bitcoinj += b"\x1a" + bytes([len(key)]) + key + b"\x28\x01"
    write(alice / "MultiBit" / "multibit.wallet", bitcoinj)


if __name__ == "__main__":
    main()

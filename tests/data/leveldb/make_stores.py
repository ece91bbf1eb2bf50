"""Build the LevelDB stores under tests/data/leveldb/ with Debian's LevelDB (plyvel).

Usage (system Python with Debian's python3-plyvel and python3-snappy, not the venv):
    apt-get install -y python3-plyvel python3-snappy
    /usr/bin/python3 tests/data/leveldb/make_stores.py
    /usr/bin/python3 tests/data/leveldb/make_stores.py --bench DIR   (a ~16 MiB table to time)

Every store is written by the real library with Snappy compression on, then copied
(LevelDB replays and rewrites a log when a database is opened, so the committed files
are the copy taken before any reopening). ``expected.json`` beside each store holds
what plyvel's iteration of a second copy gives (key -> value, latin-1 text), and the
vaults (by salt) the store holds, newest first. ``snappy_vectors.json`` holds inputs and
the compression by python-snappy (libsnappy). Vaults are synthetic (random bytes from a
fixed seed, encrypted by nothing): no real secrets.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import plyvel
import snappy

HERE = Path(__file__).resolve().parent
METAMASK = "nkbihfbeogaeaoehlefnkodbefgpgknn"
ADDRESS = "0x" + "5a" * 20


def _b64(rng: random.Random, size: int) -> str:
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(size))).decode()


def vault(rng: random.Random, salt_seed: str, key_metadata: bool) -> str:
    """A vault JSON shaped like MetaMask's: data, iv, salt, and since MetaMask 11 the key
    derivation's ``keyMetadata``."""
    fields: dict[str, object] = {"data": _b64(rng, 600), "iv": _b64(rng, 16)}
    if key_metadata:
        fields["keyMetadata"] = {"algorithm": "PBKDF2", "params": {"iterations": 600000}}
    fields["salt"] = _salt(salt_seed)
    return json.dumps(fields, separators=(",", ":"))


def state(rng: random.Random, salt_seed: str, key_metadata: bool = True,
          padding: int = 40) -> bytes:
    """MetaMask's ``data`` value: its controllers' state, the vault a JSON string in it.

    The repeated token lists make Snappy emit back-references inside the value.
    """
    tokens = [{"address": "0x" + f"{i:040x}", "symbol": f"TK{i}", "decimals": 18}
              for i in range(padding)]
    return json.dumps({
        "AppStateController": {"browserEnvironment": {"browser": "chrome", "os": "linux"}},
        "KeyringController": {"vault": vault(rng, salt_seed, key_metadata)},
        "PreferencesController": {"selectedAddress": ADDRESS, "tokens": tokens},
        "TokensController": {"tokens": tokens},
    }, separators=(",", ":")).encode()


def _flush(db: plyvel.DB) -> None:
    """Write the memtable to a table without compacting anything (the range is empty)."""
    db.compact_range(start=b"\x00", stop=b"\x00\x01")


def _tables(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.suffix == ".ldb")


def _salt(seed: str) -> str:
    return base64.b64encode(seed.encode().ljust(32, b"!")).decode()


def reordered(path: Path, compression: str | None = "snappy") -> list[str]:
    """Vault A rewritten by a compaction into a table numbered above vault B's table.

    A's table (level 1) is charged with seeks by reads that miss it and find their key
    one level down; LevelDB then compacts it alone into level 2, a new higher-numbered
    file, while B (newer by sequence number) stays in its older level-0 table. The
    vaults have MetaMask 10's shape (no ``keyMetadata``), as btcrecover's sample has.
    """
    rng = random.Random(1)
    db = plyvel.DB(str(path), create_if_missing=True, compression=compression)
    db.put(b"a-low", b"L2 edge")
    db.put(b"m", b"found one level down")
    db.put(b"z-high", b"L2 edge")
    _flush(db)                                     # level 2: nothing overlaps
    with db.write_batch() as batch:
        batch.put(b"b-mid", b"L1 edge")
        batch.put(b"data", state(rng, "vault A, the older", False))
        batch.put(b"y-mid", b"L1 edge")
    _flush(db)                                     # level 1: overlaps level 2 only
    db.put(b"data", state(rng, "vault B, the newer", False))
    _flush(db)                                     # level 0: overlaps level 1
    before = _tables(path)
    for _ in range(400):
        db.get(b"m")
        if _tables(path) != before:
            break
    for _ in range(100):
        time.sleep(0.05)
        if _tables(path) != before:
            break
    db.put(b"meta", b'{"version":62}')
    db.close()
    after = _tables(path)
    if after == before:
        sys.exit("no seek compaction happened: cannot build the reordered store")
    return [_salt("vault B, the newer"), _salt("vault A, the older")]


def reordered_uncompressed(path: Path) -> list[str]:
    """``reordered`` with Snappy off, so that a regex over the raw bytes sees both vaults."""
    return reordered(path, None)


def compressed(path: Path) -> list[str]:
    """Three vaults and many prefix-sharing keys, all moved into Snappy tables, then a
    log holding deletions, overwrites and a value that spans log blocks."""
    rng = random.Random(2)
    db = plyvel.DB(str(path), create_if_missing=True, compression="snappy", block_size=1024,
                   block_restart_interval=4)
    for i in range(300):
        db.put(f"setting/{i:05d}".encode(), f"value {i} ".encode() * (i % 7 + 1))
    db.put(b"data", state(rng, "vault 1"))
    db.compact_range()
    db.put(b"data", state(rng, "vault 2"))
    for i in range(0, 300, 3):
        db.delete(f"setting/{i:05d}".encode())
    db.compact_range()
    db.put(b"data", state(rng, "vault 3"))
    db.compact_range()
    for i in range(1, 300, 5):
        db.put(f"setting/{i:05d}".encode(), b"overwritten in the log")
    db.delete(b"setting/00002")
    db.put(b"big", _b64(rng, 30000).encode())
    db.close()
    return [_salt("vault 3"), _salt("vault 2"), _salt("vault 1")]


def _expected(path: Path, vault_salts: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "db"
        shutil.copytree(path, copy)
        db = plyvel.DB(str(copy))
        items = {k.decode("latin-1"): v.decode("latin-1") for k, v in db}
        db.close()
    return {"items": items, "vaults_newest_first": vault_salts}


def _snappy_vectors() -> list[dict[str, str]]:
    rng = random.Random(3)
    inputs = {
        "empty": b"",
        "one byte": b"x",
        "short text": b"hello, hello, hello world",
        "run of one byte": b"a" * 5000,
        "run of a pair": b"ab" * 3000,
        "random 100": bytes(rng.getrandbits(8) for _ in range(100)),
        "random 5000 (long literals)": bytes(rng.getrandbits(8) for _ in range(5000)),
        "json-ish": json.dumps([{"k": i, "v": "x" * (i % 13)} for i in range(500)]).encode(),
        "far repeat": (lambda r: r + bytes(rng.getrandbits(8) for _ in range(3000)) + r)(
            bytes(rng.getrandbits(8) for _ in range(200))),
        "over 64 KiB with repeats": b"".join(
            bytes(rng.getrandbits(8) for _ in range(50)) * 40 for _ in range(60)),
    }
    for i in range(20):
        alphabet = bytes(rng.sample(range(256), rng.randint(1, 6)))
        inputs[f"small alphabet {i}"] = bytes(rng.choice(alphabet)
                                              for _ in range(rng.randint(1, 3000)))
    return [{"name": name, "raw_length": len(raw), "raw_sha256": hashlib.sha256(raw).hexdigest(),
             "snappy": base64.b64encode(snappy.compress(raw)).decode()}
            for name, raw in inputs.items()]


def bench_table(path: Path, megabytes: int = 16) -> None:
    """A store whose one table is about ``megabytes`` MiB of Snappy blocks of JSON state
    (for timing the reader; not committed)."""
    rng = random.Random(4)
    db = plyvel.DB(str(path), create_if_missing=True, compression="snappy",
                   max_file_size=4 * megabytes << 20, write_buffer_size=4 * megabytes << 20)
    written = 0
    i = 0
    while written < (megabytes << 20) * 17 // 4:   # Snappy makes JSON state ~4x smaller
        value = state(rng, f"bench {i}", padding=rng.randint(5, 60))
        db.put(f"key/{i:08d}".encode(), value)
        written += len(value)
        i += 1
    db.compact_range()
    db.close()


def main() -> None:
    if sys.argv[1:2] == ["--bench"]:
        bench_table(Path(sys.argv[2]))
        return
    stores = (("reordered", reordered), ("reordered_uncompressed", reordered_uncompressed),
              ("compressed", compressed))
    for name, build in stores:
        target = HERE / name / METAMASK
        shutil.rmtree(HERE / name, ignore_errors=True)
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch) / METAMASK
            salts = build(work)
            target.parent.mkdir(parents=True)
            shutil.copytree(work, target, ignore=shutil.ignore_patterns("LOG", "LOG.old", "LOCK"))
        (HERE / name / "expected.json").write_text(
            json.dumps(_expected(target, salts), indent=1, sort_keys=True) + "\n")
        print(name, sorted(p.name for p in target.iterdir()))
    (HERE / "snappy_vectors.json").write_text(json.dumps(_snappy_vectors(), indent=0) + "\n")


if __name__ == "__main__":
    main()

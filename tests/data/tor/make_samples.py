"""Regenerate the self-made Tor samples in this folder (run from anywhere).

Each sample's expected values come from a tool independent of triage, and are written
to ``expected.json``:

* the v3 onion service and its ``hostname`` are made by tor itself (``tor`` binary,
  run offline with ``DisableNetwork 1`` for a few seconds);
* the v2 service's RSA key is made by ``openssl genrsa`` and its hostname computed with
  ``openssl rsa -RSAPublicKey_out | openssl sha1`` + base32 (v2 hostnames are the
  base32 of the first 10 bytes of that SHA-1);
* ``sessionstore.jsonlz4`` is compressed by the reference ``lz4`` command-line tool
  (the block is lifted out of its frame and given the mozLz40 header);
* ``places.sqlite`` holds a minimal moz_places/moz_bookmarks schema written by sqlite3;
* the prefetch files are built field by field from the libscca format documentation.

Needs: tor, openssl, lz4 on PATH. Requires root-free temp dirs only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER = HERE / "server"
LAPTOP = HERE / "laptop"
PROFILE = HERE / "profile"

# A valid v3 address from tor's src/test/test_hs_common.c (test_build_address).
VECTOR_V3 = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"
# Same vector with one character changed: the checksum no longer matches.
LOOKALIKE_V3 = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sia"
V2_PUBLIC = "3g2upl4pq6kufc4m"  # DuckDuckGo's former v2 address (public, well known)


def run(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


def make_v3_service(target: Path) -> str:
    """Let tor create a v3 onion service folder; return the hostname tor wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, hs_dir = Path(tmp, "data"), Path(tmp, "hs")
        data_dir.mkdir(mode=0o700)
        hs_dir.mkdir(mode=0o700)
        proc = subprocess.Popen(
            ["tor", "--RunAsDaemon", "0", "--DataDirectory", str(data_dir),
             "--HiddenServiceDir", str(hs_dir), "--HiddenServicePort", "80 127.0.0.1:8080",
             "--SocksPort", "0", "--DisableNetwork", "1", "--Log", "err stderr"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                if (hs_dir / "hostname").exists():
                    break
                time.sleep(0.1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in ("hostname", "hs_ed25519_public_key", "hs_ed25519_secret_key"):
            shutil.copyfile(hs_dir / name, target / name)
    (target / "authorized_clients").mkdir(exist_ok=True)
    client_key = base64.b32encode(hashlib.sha256(b"alice").digest()).decode().rstrip("=")
    (target / "authorized_clients" / "alice.auth").write_text(
        f"descriptor:x25519:{client_key}\n"
    )
    return (target / "hostname").read_text().strip()


def make_v2_service(target: Path) -> str:
    """Make a v2-style folder with an openssl RSA-1024 key; return its hostname."""
    target.mkdir(parents=True, exist_ok=True)
    pem = run("openssl", "genrsa", "-traditional", "1024")
    (target / "private_key").write_bytes(pem)
    der = run("openssl", "rsa", "-RSAPublicKey_out", "-outform", "DER", data=pem)
    digest = run("openssl", "sha1", "-binary", data=der)
    hostname = base64.b32encode(digest[:10]).decode().lower() + ".onion"
    (target / "hostname").write_text(hostname + "\n")
    return hostname


def write_server(expected: dict) -> None:
    tor_dir = SERVER / "var" / "lib" / "tor"
    expected["v3_service_hostname"] = make_v3_service(tor_dir / "market_v3")
    expected["v2_service_hostname"] = make_v2_service(tor_dir / "legacy_v2")
    (SERVER / "etc" / "tor").mkdir(parents=True, exist_ok=True)
    (SERVER / "etc" / "tor" / "torrc").write_text(
        "## torrc of the server sample\n"
        "SocksPort 0\n"
        "ControlPort 9051\n"
        "HashedControlPassword 16:872860B76453A77D60CA2BB8C1A7042072093276A3D701AD684053EC4C\n"
        "DataDirectory /var/lib/tor\n"
        "HiddenServiceDir /var/lib/tor/market_v3/\n"
        "HiddenServicePort 80 127.0.0.1:8080\n"
        "HiddenServiceDir /var/lib/tor/legacy_v2/\n"
        "HiddenServiceVersion 2\n"
        "HiddenServicePort 80 127.0.0.1:8081\n"
        "HiddenServiceDir /var/lib/tor/removed_service/\n"
        "HiddenServicePort 22 127.0.0.1:22\n"
        "UseBridges 1\n"
        "ClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy\n"
        "Bridge obfs4 192.0.2.10:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=AAAA iat-mode=0\n"
    )
    # Old-format state (EntryGuard lines, tor 0.2.x), fields per tor's doc/state-contents.txt.
    (tor_dir / "state").write_text(
        "# Tor state file last generated on 2016-03-01 13:04:05 local time\n"
        "# Other times below are in UTC\n"
        "# You *do not* need to edit this file.\n\n"
        "EntryGuard Unnamed 0011223344556677889900112233445566778899\n"
        "EntryGuardAddedBy 0011223344556677889900112233445566778899 0.2.7.6 2016-02-10 08:00:00\n"
        "EntryGuard gurgle AABBCCDDEEFF00112233445566778899AABBCCDD\n"
        "EntryGuardDownSince 2016-02-28 10:00:00 2016-02-28 11:00:00\n"
        "EntryGuardAddedBy AABBCCDDEEFF00112233445566778899AABBCCDD 0.2.7.6 2016-02-11 09:30:00\n"
        "TransportProxy obfs4 127.0.0.1:40001\n"
        "BWHistoryReadEnds 2016-03-01 12:00:00\n"
        "BWHistoryReadInterval 86400\n"
        "BWHistoryReadValues 1000,2000,3000\n"
        "BWHistoryWriteEnds 2016-03-01 12:00:00\n"
        "BWHistoryWriteInterval 86400\n"
        "BWHistoryWriteValues 500,500\n"
        "HidServRevCounter 1 2\n"
        "MinutesSinceUserActivity 42\n"
        "Dormant 0\n"
        "TorVersion Tor 0.2.7.6 (git-605ae665009853bd)\n"
        "LastWritten 2016-03-01 12:04:05\n"
    )
    expected["server_state"] = {
        "tor_version": "0.2.7.6", "last_written": "2016-03-01T12:04:05Z",
        "utc_offset_minutes": 60, "guards": 2, "read_total": 6000,
    }


def write_laptop(expected: dict) -> None:
    docs = LAPTOP / "Users" / "bob" / "Documents"
    docs.mkdir(parents=True, exist_ok=True)
    notes = (
        "market links (do not share)\n"
        f"main: http://{VECTOR_V3}.onion/login\n"
        f"mirror (typo?): http://{LOOKALIKE_V3}.onion/\n"
        f"old search: https://{V2_PUBLIC}.onion/?q=test\n"
        "not an address: abcdefghijklmnop.onionx and short.onion\n"
    )
    (docs / "notes.txt").write_text(notes)
    (docs / "notes-utf16.txt").write_bytes(
        b"\xff\xfe" + f"wallet vendor: {VECTOR_V3}.onion\r\n".encode("utf-16-le")
    )
    auth = LAPTOP / "Users" / "bob" / "AppData" / "Roaming" / "tor" / "onion-auth"
    auth.mkdir(parents=True, exist_ok=True)
    key = base64.b32encode(hashlib.sha256(b"bob").digest()).decode().rstrip("=")
    (auth / "market.auth_private").write_text(f"{VECTOR_V3}:descriptor:x25519:{key}\n")
    prefetch = LAPTOP / "Windows" / "Prefetch"
    prefetch.mkdir(parents=True, exist_ok=True)
    tb = "\\VOLUME{01d5a1b2c3d4e5f6-1234abcd}\\USERS\\BOB\\DESKTOP\\TOR BROWSER\\BROWSER\\"
    runs = [datetime(2019, 6, 6, 17, 10, 0, tzinfo=UTC), datetime(2019, 6, 5, 9, 0, 0, tzinfo=UTC)]
    (prefetch / "TOR.EXE-1A2B3C4D.pf").write_bytes(
        build_prefetch(23, "TOR.EXE", 0x1A2B3C4D, 7, runs[:1],
                       [tb + "TORBROWSER\\TOR\\TOR.EXE", tb + "TORBROWSER\\TOR\\ZLIB1.DLL"])
    )
    (prefetch / "FIREFOX.EXE-5E6F7081.pf").write_bytes(
        build_prefetch(30, "FIREFOX.EXE", 0x5E6F7081, 12, runs,
                       [tb + "FIREFOX.EXE", tb + "NSS3.DLL"])
    )
    plain = "\\VOLUME{01d5a1b2c3d4e5f6-1234abcd}\\PROGRAM FILES\\MOZILLA FIREFOX\\"
    (prefetch / "FIREFOX.EXE-11111111.pf").write_bytes(
        build_prefetch(23, "FIREFOX.EXE", 0x11111111, 3, runs[:1], [plain + "FIREFOX.EXE"])
    )
    expected["prefetch"] = {
        "TOR.EXE-1A2B3C4D.pf": {"version": 23, "run_count": 7,
                                "last_run": "2019-06-06T17:10:00Z", "hash": "1A2B3C4D"},
        "FIREFOX.EXE-5E6F7081.pf": {"version": 30, "run_count": 12,
                                    "last_run": "2019-06-06T17:10:00Z", "hash": "5E6F7081"},
    }
    expected["notes"] = {"valid_v3": VECTOR_V3 + ".onion", "lookalike": LOOKALIKE_V3 + ".onion",
                         "v2": V2_PUBLIC + ".onion"}


def _filetime(moment: datetime) -> int:
    return int((moment - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


def build_prefetch(version: int, exe: str, prefetch_hash: int, run_count: int,
                   runs: list[datetime], filenames: list[str]) -> bytes:
    """Build an uncompressed prefetch file (format 23 or 30) with one volume."""
    info_size = 156 if version == 23 else 220
    metrics_offset = 84 + info_size
    metric_size = 32
    strings = b""
    metrics = b""
    for name in filenames:
        offset_chars = len(strings) // 2
        strings += name.encode("utf-16-le") + b"\x00\x00"
        metrics += struct.pack("<IIIIIIQ", 0, 0, 0, offset_chars * 2, len(name), 0x200, 0)
    trace_offset = metrics_offset + metric_size * len(filenames)
    trace = struct.pack("<III", 0xFFFFFFFF, 1, 0) if version == 23 else struct.pack(
        "<IHBB", 0xFFFFFFFF, 1, 0, 0)
    strings_offset = trace_offset + len(trace)
    volume_offset = strings_offset + len(strings)
    volume_offset += (-volume_offset) % 8
    device = "\\VOLUME{01d5a1b2c3d4e5f6-1234abcd}".encode("utf-16-le")
    entry_size = 104 if version == 23 else 96
    vol = struct.pack("<IIQIIIII", entry_size, len(device) // 2,
                      _filetime(datetime(2019, 1, 1, tzinfo=UTC)), 0x1234ABCD, 0, 0, 0, 0)
    vol = vol.ljust(entry_size, b"\x00") + device + b"\x00\x00"
    info = struct.pack("<IIIIIIIII", metrics_offset, len(filenames), trace_offset, 1,
                       strings_offset, len(strings), volume_offset, 1, len(vol))
    info += b"\x00" * 8
    times = [_filetime(m) for m in runs]
    if version == 23:
        info += struct.pack("<Q", times[0]) + b"\x00" * 16 + struct.pack("<I", run_count)
    else:
        info += b"".join(struct.pack("<Q", t) for t in (times + [0] * 8)[:8])
        info += b"\x00" * 16 + struct.pack("<I", run_count)
    info = info.ljust(info_size, b"\x00")
    body = info + metrics + trace + strings
    body = body.ljust(volume_offset - 84, b"\x00") + vol
    size = 84 + len(body)
    header = struct.pack("<I4sII", version, b"SCCA", 0x11, size)
    header += exe.encode("utf-16-le").ljust(60, b"\x00") + struct.pack("<II", prefetch_hash, 0)
    return header + body


def write_profile(expected: dict) -> None:
    PROFILE.mkdir(parents=True, exist_ok=True)
    places = PROFILE / "places.sqlite"
    places.unlink(missing_ok=True)
    db = sqlite3.connect(places)
    db.executescript(
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,"
        " rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0,"
        " typed INTEGER DEFAULT 0, frecency INTEGER DEFAULT -1, last_visit_date INTEGER,"
        " guid TEXT, foreign_count INTEGER DEFAULT 0, url_hash INTEGER DEFAULT 0);"
        "CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER DEFAULT NULL,"
        " parent INTEGER, position INTEGER, title LONGVARCHAR, dateAdded INTEGER,"
        " lastModified INTEGER, guid TEXT);"
    )
    visit = int(datetime(2019, 5, 20, 21, 15, 0, tzinfo=UTC).timestamp() * 1_000_000)
    db.execute("INSERT INTO moz_places VALUES (1, ?, 'Market login', NULL, 5, 0, 1, 100, ?,"
               " 'aaaaaaaaaaaa', 1, 0)", (f"http://{VECTOR_V3}.onion/login", visit))
    db.execute("INSERT INTO moz_places VALUES (2, 'https://www.torproject.org/', 'Tor', NULL, 1,"
               " 0, 0, 100, ?, 'bbbbbbbbbbbb', 0, 0)", (visit,))
    db.execute("INSERT INTO moz_bookmarks VALUES (1, 1, 1, 3, 0, 'the market', ?, ?, 'cccccccccccc')",
               (visit, visit))
    db.commit()
    db.close()
    session = json.dumps({
        "version": ["sessionrestore", 1],
        "windows": [{"tabs": [{"entries": [
            {"url": f"http://{VECTOR_V3}.onion/cart", "title": "cart"},
            {"url": f"http://{V2_PUBLIC}.onion/", "title": "search"},
        ]}]}],
    }).encode()
    frame = run("lz4", "-c", "-9", "--no-frame-crc", "-BD", data=session)
    (PROFILE / "sessionstore.jsonlz4").write_bytes(mozlz4_from_frame(frame, len(session)))
    expected["places_last_visit"] = "2019-05-20T21:15:00Z"
    expected["session_json_sha256"] = hashlib.sha256(session).hexdigest()


def mozlz4_from_frame(frame: bytes, size: int) -> bytes:
    """Lift the single LZ4 block out of an LZ4 frame and give it the mozLz40 header."""
    flags = frame[4]
    # magic(4) + FLG + BD + optional content size(8) + header checksum(1)
    pos = 4 + 2 + (8 if flags & 0x08 else 0) + 1
    (block_size,) = struct.unpack_from("<I", frame, pos)
    if block_size & 0x80000000:
        raise SystemExit("lz4 stored the block uncompressed; use a larger sample")
    block = frame[pos + 4 : pos + 4 + block_size]
    if struct.unpack_from("<I", frame, pos + 4 + block_size)[0] != 0:
        raise SystemExit("lz4 wrote more than one block")
    return b"mozLz40\x00" + struct.pack("<I", size) + block


def main() -> None:
    expected: dict = {}
    write_server(expected)
    write_laptop(expected)
    write_profile(expected)
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

"""Hypothesis fuzzing: every parser survives mutated and random input quickly."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.extractors.tor.conftest import DATA
from triage.extractors.tor.client_auth import parse_auth_private
from triage.extractors.tor.mozlz4 import LZ4Error, lz4_block_decompress, read_mozlz4
from triage.extractors.tor.onion import scan_onion_addresses
from triage.extractors.tor.onion_service import ServiceFiles, analyse_service
from triage.extractors.tor.places import read_onion_places
from triage.extractors.tor.prefetch import parse_prefetch, parse_uncompressed
from triage.extractors.tor.prefs import parse_prefs
from triage.extractors.tor.state import parse_state
from triage.extractors.tor.torrc import parse_torrc

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = {
    "torrc": (DATA / "server/etc/tor/torrc").read_bytes(),
    "state": (DATA / "server/var/lib/tor/state").read_bytes(),
    "session": (DATA / "profile/sessionstore.jsonlz4").read_bytes(),
    "places": (DATA / "profile/places.sqlite").read_bytes(),
    "tor_pf": (DATA / "laptop/Windows/Prefetch/TOR.EXE-1A2B3C4D.pf").read_bytes(),
    "ff_pf": (DATA / "laptop/Windows/Prefetch/FIREFOX.EXE-5E6F7081.pf").read_bytes(),
    "auth": (DATA / "laptop/Users/bob/AppData/Roaming/tor/onion-auth/market.auth_private").read_bytes(),
}
V3_DIR = DATA / "server/var/lib/tor/market_v3"


def mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """The seed with a few bytes overwritten, a slice cut out, or truncated."""
    edits = st.lists(st.tuples(st.integers(0, max(len(seed) - 1, 0)), st.integers(0, 255)),
                     max_size=8)

    def apply(args):
        changes, cut, keep = args
        data = bytearray(seed)
        for position, value in changes:
            data[position] = value
        start, length = cut
        del data[start : start + length]
        return bytes(data[:keep])

    return st.tuples(edits, st.tuples(st.integers(0, len(seed)), st.integers(0, 64)),
                     st.integers(0, len(seed))).map(apply)


@FUZZ
@given(mutated(SEEDS["torrc"]))
def test_fuzz_torrc(data):
    parse_torrc(data).attributes()


@FUZZ
@given(mutated(SEEDS["state"]))
def test_fuzz_state(data):
    parse_state(data).attributes()


@FUZZ
@given(mutated(SEEDS["session"]))
def test_fuzz_mozlz4(data):
    try:
        read_mozlz4(data)
    except LZ4Error:
        pass


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_lz4_random(data):
    try:
        out = lz4_block_decompress(data, max_output=1 << 20)
    except LZ4Error:
        return
    assert len(out) <= 1 << 20


@settings(max_examples=60, deadline=None)
@given(mutated(SEEDS["places"]))
def test_fuzz_places(data):
    read_onion_places(data)


@FUZZ
@given(st.sampled_from(["tor_pf", "ff_pf"]).flatmap(lambda key: mutated(SEEDS[key])))
def test_fuzz_prefetch(data):
    parse_prefetch(data).attributes()
    parse_uncompressed(data).attributes()


@FUZZ
@given(mutated(SEEDS["auth"]))
def test_fuzz_auth_private(data):
    parse_auth_private(data)


@FUZZ
@given(st.binary(max_size=3000))
def test_fuzz_prefs_and_scanner(data):
    parse_prefs(b'user_pref("a.b", ' + data + b");")
    scan_onion_addresses(data)


@FUZZ
@given(mutated((V3_DIR / "hs_ed25519_public_key").read_bytes()),
       mutated((V3_DIR / "hs_ed25519_secret_key").read_bytes()),
       mutated((V3_DIR / "hostname").read_bytes()),
       st.binary(max_size=300))
def test_fuzz_onion_service(public, secret, hostname, rsa):
    analyse_service(ServiceFiles(hostname=hostname, public_key=public, secret_key=secret,
                                 rsa_private_key=b"-----BEGIN RSA PRIVATE KEY-----\n" + rsa))


def test_seed_paths_exist():
    assert all(isinstance(v, bytes) and v for v in SEEDS.values())
    assert Path(V3_DIR).is_dir()

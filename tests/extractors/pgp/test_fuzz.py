"""Mutated keyrings, keyboxes, agent key files and armor: warnings, never exceptions or hangs."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.extractor_harness import LocalFolderContext
from tests.extractors.pgp.oracle import DATA
from triage.extractors.interface import DetectorWarning, FileView
from triage.extractors.pgp.agentkey import parse_agent_key
from triage.extractors.pgp.extractor import PgpExtractor
from triage.extractors.pgp.findings import binary_findings, scan_armored
from triage.extractors.pgp.keybox import parse_keybox
from triage.extractors.pgp.openpgp import parse_openpgp

SEEDS = [
    (DATA / "home1/gnupg-classic/pubring.gpg").read_bytes(),
    (DATA / "home1/gnupg-classic/secring.gpg").read_bytes(),
    (DATA / "home2/.gnupg/pubring.kbx").read_bytes(),
    (DATA / "order.txt.gpg").read_bytes(),
    next((DATA / "home2/.gnupg/private-keys-v1.d").iterdir()).read_bytes(),
    (DATA / "alice-secret.asc").read_bytes(),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "huge"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[pos:]
        elif action == "insert":
            data[pos:pos] = draw(st.binary(max_size=16))
        elif action == "huge":
            # A new-format header claiming a 4 GiB body, or a partial-length chain.
            data[pos:pos] = draw(st.sampled_from([b"\xc6\xff\xff\xff\xff\xff", b"\xcb\xef\x00",
                                                  b"\x99\xff\xff", b"\xff\xff\xff\xff\x02"]))
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_parsers_survive_mutations(data: bytes) -> None:
    started = time.monotonic()
    parse_openpgp(data)
    parse_keybox(data)
    parse_agent_key(data)
    binary_findings(data)
    list(scan_armored(data))
    assert time.monotonic() - started < 5  # a hang guard, not a speed check


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_extract_hook_survives_mutations(tmp_path_factory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("fz")
    ctx = LocalFolderContext(root)
    entry = FileView(path="/x/pubring.gpg", name="pubring.gpg", size=len(data))
    findings = list(PgpExtractor().extract(entry, data, ctx))
    for finding in findings:
        # A block that gave nothing is a warning the engine records, not an artefact.
        assert isinstance(finding, DetectorWarning) or finding.type.startswith("pgp.")


def test_truncated_keyring_warns_and_keeps_first_key() -> None:
    data = SEEDS[0]
    content = parse_openpgp(data[: len(data) - 100])
    assert content.warnings
    assert content.keys and content.keys[0].primary.fingerprint

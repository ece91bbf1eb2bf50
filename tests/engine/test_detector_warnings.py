"""A byte detector that stops at its hit cap says so: the engine records a warning naming
the file (or the free-space window), where the surplus hits used to vanish silently."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import triage.extractors.crypto.text_scan as text_scan
import triage.extractors.tor.extractor as tor_extractor
from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.extractors.crypto.base58 import b58check_encode
from triage.extractors.tor.onion import v3_address_from_pubkey


def _addresses(count: int) -> list[str]:
    """P2PKH addresses of made-up key hashes (valid checksums, no published vector)."""
    return [b58check_encode(b"\x00" + hashlib.sha256(b"k%d" % n).digest()[:20])
            for n in range(count)]


def _onions(count: int) -> list[str]:
    return [v3_address_from_pubkey(hashlib.sha256(b"o%d" % n).digest()) for n in range(count)]


def test_hit_caps_become_warnings_of_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(text_scan, "MAX_HITS", 5)
    monkeypatch.setattr(tor_extractor, "MAX_HITS_PER_BUFFER", 4)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    lines = [f"pay {a} now" for a in _addresses(8)] + [f"visit http://{o}.onion/ ok" for o in _onions(6)]
    (evidence / "notes.txt").write_text("\n".join(lines) + "\n")
    (evidence / "few.txt").write_text(f"pay {_addresses(1)[0]}\n")
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path, name="caps").close()
    IngestEngine(case_path, IngestOptions(jobs=1)).run([str(evidence)])
    with CaseDatabase.open(case_path) as case:
        counts = case.artefact_counts_by_type()
        warnings = [(w["path"], w["message"]) for w in case.iter_warnings()]
    assert counts["crypto.address"] == 5 + 1  # the cap is per file: few.txt has its own
    assert counts["tor.onion_address"] == 4
    assert ("/notes.txt", "crypto: more than 5 distinct addresses, keys and seed phrases in"
            " these bytes; only the first were reported") in warnings
    assert ("/notes.txt", "tor: more than 4 onion address candidates in these bytes; only the"
            " first were reported") in warnings
    assert not any(path == "/few.txt" for path, _ in warnings)
    assert "warning" not in counts


@pytest.mark.parametrize("cap", [1, 3])
def test_scan_text_reports_the_cap_after_its_findings(monkeypatch, cap: int) -> None:
    monkeypatch.setattr(text_scan, "MAX_HITS", cap)
    data = " ".join(_addresses(cap + 2)).encode()
    findings = text_scan.scan_text(data)
    assert [f.type for f in findings] == ["crypto.address"] * cap + ["warning"]

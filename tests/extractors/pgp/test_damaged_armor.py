"""An armored block that yields nothing (garbled base64, a cut key) is warned about, where
it used to leave neither an artefact nor a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.extractors.interface import DetectorWarning
from triage.extractors.pgp.findings import scan_armored

CAROL = Path(__file__).parents[2] / "data" / "pgp" / "carol.asc"


def _damaged(how: str) -> bytes:
    lines = CAROL.read_bytes().splitlines(keepends=True)
    body = [i for i, line in enumerate(lines) if len(line.strip()) == 64]
    if how == "short line":  # one base64 character lost: the radix-64 decoding fails
        lines[body[1]] = lines[body[1]][:10] + lines[body[1]][11:]
    else:  # "cut": only the first line of the key is left, inside its first packet
        for index in reversed(body[1:]):
            del lines[index]
    return b"".join(lines)


@pytest.mark.parametrize("how", ["short line", "cut"])
def test_damaged_armored_key_gives_a_warning(how: str, tmp_path: Path) -> None:
    data = _damaged(how)
    found = list(scan_armored(data))
    assert [type(f) for f in found] == [DetectorWarning]
    assert found[0].message.startswith("armored public key block at byte 0 gave nothing: ")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "vendor.asc").write_bytes(data)
    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path, name="armor").close()
    IngestEngine(case_path, IngestOptions(jobs=1)).run([str(evidence)])
    with CaseDatabase.open(case_path) as case:
        warnings = [(w["path"], w["message"]) for w in case.iter_warnings()]
        assert case.artefact_counts_by_type().get("pgp.key", 0) == 0
    assert any(path == "/vendor.asc" and "gave nothing" in message for path, message in warnings)


def test_intact_key_gives_no_warning() -> None:
    found = list(scan_armored(CAROL.read_bytes()))
    assert [f.type for f in found] == ["pgp.key"]


def test_a_line_pasted_into_the_armor_costs_nothing_after_it() -> None:
    """The PGP helper's finding: decoding stopped at the first line that is not radix-64,
    so the keys after it in the block were lost with only a "truncated" warning."""
    lines = CAROL.read_bytes().splitlines(keepends=True)
    body = [i for i, line in enumerate(lines) if len(line.strip()) == 64]
    lines.insert(body[2], b"(key pasted from the vendor's page, 2019-06-01)\n")
    found = list(scan_armored(b"".join(lines)))
    keys = [f for f in found if getattr(f, "type", None) == "pgp.key"]
    intact = [f for f in scan_armored(CAROL.read_bytes()) if f.type == "pgp.key"]
    assert [k.attributes["fingerprint"] for k in keys] == [
        k.attributes["fingerprint"] for k in intact]
    assert keys[0].attributes["crc_ok"] is True
    assert any("not radix-64 skipped" in w for w in keys[0].attributes.get("warnings", []))


def test_empty_armor_headers_cannot_hide_a_key_and_a_cap_is_said(monkeypatch) -> None:
    """The PGP helper's finding: 10,000 header lines with nothing after them used up the
    block cap, and the key after them was dropped without a word."""
    from triage.extractors.pgp import armor

    junk = b"-----BEGIN PGP MESSAGE-----\n" * 10_001
    found = list(scan_armored(junk + CAROL.read_bytes()))
    assert [f.type for f in found if f.type == "pgp.key"] == ["pgp.key"]
    monkeypatch.setattr(armor, "MAX_BLOCKS", 1)
    found = list(scan_armored(CAROL.read_bytes() * 2))
    assert [f.type for f in found if f.type == "pgp.key"] == ["pgp.key"]
    assert any(isinstance(f, DetectorWarning) and "were not read" in f.message for f in found)

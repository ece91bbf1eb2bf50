"""Binary key exports under names the extractor does not list (``backup.dat``, a bare
packet file) are wanted by their content, in both profiles; random data is not."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from tests.extractors.pgp.oracle import CORPUS, DATA, show_keys
from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.extractors.interface import FileView
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.extractor import PgpExtractor
from triage.extractors.pgp.sniff import KEY_CTBS, key_packet_at

PACKETS = CORPUS / "PGPy" / "tests" / "testdata" / "packets"


def _sniffed(head: bytes) -> bool:
    view = FileView(path="/x.dat", name="x.dat", size=len(head), kind="file")
    return PgpExtractor().wants_by_content(view, head, "application/octet-stream")


def _dearmored(path: Path) -> bytes:
    return next(find_armored(path.read_bytes())).data


def test_random_heads_are_not_taken_for_keys() -> None:
    """The false-positive measurement: none of 10,000 random 4 KiB heads, of 10,000 that
    start with a key packet's header byte, nor of 10,000 with a whole v4 key header."""
    rng = random.Random(20240607)
    ctbs = sorted(KEY_CTBS)
    assert not any(_sniffed(rng.randbytes(4096)) for _ in range(10_000))
    assert not any(_sniffed(bytes([rng.choice(ctbs)]) + rng.randbytes(4095))
                   for _ in range(10_000))
    for _ in range(10_000):
        length = rng.randrange(40, 256)
        assert not _sniffed(bytes([0x98, length, 4]) + rng.randbytes(4093))


def test_no_test_data_file_is_taken_for_a_key_but_the_keyrings() -> None:
    root = DATA.parents[0]
    hits = set()
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if key_packet_at(handle.read(4096)) is not None:
                    hits.add(path.relative_to(root).as_posix())
    assert hits == {"pgp/home1/gnupg-classic/pubring.gpg", "pgp/home1/gnupg-classic/secring.gpg",
                    "pgp/latin1-uids.gpg"}


def _ingest(evidence: Path, case_path: Path, profile: str) -> dict[str, list[str]]:
    CaseDatabase.create(case_path, name="sniff").close()
    IngestEngine(case_path, IngestOptions(jobs=1, profile=profile, extractors=["pgp"])).run(
        [str(evidence)])
    found: dict[str, list[str]] = {}
    with CaseDatabase.open(case_path) as case:
        for artefact in case.iter_artefacts(types=["pgp.key"]):
            found.setdefault(artefact["path"], []).append(artefact["attributes"]["fingerprint"])
    return found


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_key_exports_under_unlisted_names(tmp_path: Path, profile: str) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "backup.dat").write_bytes(_dearmored(DATA / "alice-secret.asc"))
    (evidence / "alice.bin").write_bytes(_dearmored(DATA / "carol.asc"))
    (evidence / "noise.bin").write_bytes(random.Random(1).randbytes(8192))
    (evidence / "notes").write_bytes(b"\x99" + random.Random(2).randbytes(500))
    found = _ingest(evidence, tmp_path / f"{profile}.triage", profile)
    alice = show_keys(DATA / "alice-secret.asc", tmp_path / "g1").primaries
    carol = show_keys(DATA / "carol.asc", tmp_path / "g2").primaries
    assert found == {"/backup.dat": alice, "/alice.bin": carol}


def test_bare_key_packet_files(tmp_path: Path) -> None:
    if not PACKETS.is_dir():
        pytest.skip("PGPy corpus absent")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    names = sorted(p.name for p in PACKETS.glob("0[56].v4.*"))
    assert len(names) >= 10
    for name in names:
        shutil.copyfile(PACKETS / name, evidence / name)
    found = _ingest(evidence, tmp_path / "quick.triage", "quick")
    assert set(found) == {f"/{name}" for name in names}
    for name in names:
        if name.startswith("06."):
            assert found[f"/{name}"] == show_keys(PACKETS / name, tmp_path / f"g-{name}").primaries

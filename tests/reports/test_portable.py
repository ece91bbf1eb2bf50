"""Portable case: a new case with only the selection, copies of its files, verified hashes."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reports.case_builder import EXAMINER, HOSTILE_SCRIPT, TRAVERSAL_NAME, build_case
from tests.reports.scanned import IMAGES
from triage.casedb import CaseDatabase
from triage.reports import export
from triage.reports.evidence_files import EvidenceFiles
from triage.reports.naming import safe_component
from triage.reports.portable import copy_name


def _hashes(folder: Path) -> list[dict[str, str]]:
    with open(folder / "hashes.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_tagged_subset_is_copied_with_ids_tags_and_notes(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        export(case, "portable", tmp_path / "portable", tagged_only=True, examiner="Dana")
        tagged = sorted(case.tagged_artefact_ids())
    with CaseDatabase.open(tmp_path / "portable" / "case.triage") as portable:
        assert sorted(a["id"] for a in portable.iter_artefacts()) == tagged
        key_id = built.artefact_ids[f"pgp.key|/Users/alice/{HOSTILE_SCRIPT}key.asc"]
        assert [t["name"] for t in portable.tags_for(artefact_id=key_id)] == ["Evidence"]
        assert HOSTILE_SCRIPT in portable.notes_for(artefact_id=key_id)[0]["text"]
        paths = {f["path"] for f in portable.iter_files()}
        assert f"/Users/alice/{TRAVERSAL_NAME}" in paths  # a tagged file
        assert {"/Users", "/Users/alice", "/Users/alice/Pictures"} <= paths  # browsable tree
        assert "/home/pipe|and\nnewline.txt" not in paths
        assert len(portable.list_evidence()) == 1 and len(portable.list_volumes()) == 2
        assert EXAMINER in portable.examiners()
        actions = [e["action"] for e in portable.iter_audit()]
        assert actions[-2:] == ["portable.create", "portable.files"]
        # the evidence is unreachable: every file is listed with the reason and warned about
        rows = _hashes(tmp_path / "portable")
        assert len(rows) == 3 and all(r["status"].startswith("evidence not readable") for r in rows)
        messages = [w["message"] for w in portable.iter_warnings()]
        assert sum("not copied" in m for m in messages) == 3
    assert list((tmp_path / "portable" / "files").iterdir()) == []


def test_a_note_on_a_file_without_artefacts_or_tags_goes_into_the_portable_case(
        tmp_path: Path) -> None:
    built = build_case(tmp_path)
    path = "/home/pipe|and\nnewline.txt"
    with CaseDatabase.open(built.path) as case:
        file_id = next(f["id"] for f in case.iter_files() if f["path"] == path)
        assert not case.tags_for(file_id=file_id)
        case.add_note("seen on the screen at the search", "Dana", file_id=file_id)
        export(case, "portable", tmp_path / "everything", examiner="Dana")
        export(case, "portable", tmp_path / "tagged", tagged_only=True, examiner="Dana")
    with CaseDatabase.open(tmp_path / "everything" / "case.triage") as portable:
        copied = next(f for f in portable.iter_files() if f["path"] == path)
        assert [n["text"] for n in portable.notes_for(file_id=copied["id"])] == [
            "seen on the screen at the search"]
    with CaseDatabase.open(tmp_path / "tagged" / "case.triage") as portable:
        assert path not in {f["path"] for f in portable.iter_files()}  # tagged only


class _FakeEntry:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def iter_chunks(self, chunk_size: int = 1 << 20):
        yield self.data[:3]
        yield self.data[3:]


def test_copies_never_escape_the_files_folder(tmp_path: Path, monkeypatch) -> None:
    built = build_case(tmp_path)

    def fake_open(self: EvidenceFiles, file: dict) -> tuple[_FakeEntry, None]:
        return _FakeEntry(b"x" * (file["size"] or 0)), None

    monkeypatch.setattr(EvidenceFiles, "open_file", fake_open)
    with CaseDatabase.open(built.path) as case:
        export(case, "portable", tmp_path / "portable")
    files = tmp_path / "portable" / "files"
    written = sorted(p.name for p in files.iterdir())
    traversal_id = built.file_ids[f"/Users/alice/{TRAVERSAL_NAME}"]
    assert f"{traversal_id:08d}_passwd" in written
    assert all(p.parent == files and p.is_file() for p in files.iterdir())
    assert not (tmp_path / "etc").exists()
    rows = {int(r["file_id"]): r for r in _hashes(tmp_path / "portable")}
    traversal = rows[traversal_id]
    assert traversal["md5_copied"] == hashlib.md5(b"x" * 33).hexdigest()
    assert traversal["status"].startswith("MISMATCH")  # the case says 555…5
    others = [r for i, r in rows.items() if i != traversal_id]
    assert others and all(r["status"].startswith("copied; the case has no hash") for r in others)


def test_copy_name_of_hostile_names() -> None:
    assert copy_name({"id": 7, "name": TRAVERSAL_NAME}) == "00000007_etc_passwd"
    assert copy_name({"id": 8, "name": ".."}) == "00000008_file"
    assert copy_name({"id": 9, "name": "CON.txt"}) == "00000009__CON.txt"
    assert copy_name({"id": 10, "name": "café ünï.jpg"}) == "00000010_cafe_uni.jpg"
    assert copy_name({"id": 11, "name": "L" * 240 + ".txt"}) == "00000011_" + "L" * 76 + ".txt"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_safe_component_is_one_harmless_name(text: str) -> None:
    name = safe_component(text)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name not in (".", "..")
    assert len(name) <= 81
    base = Path("/tmp/portable-files")
    assert (base / name).resolve().parent == base.resolve()


@pytest.mark.skipif(shutil.which("icat") is None, reason="sleuthkit icat not installed")
def test_end_to_end_portable_case_without_the_image(tmp_path: Path) -> None:
    image = tmp_path / "evidence" / "ext4.raw"
    image.parent.mkdir()
    shutil.copyfile(IMAGES / "ext4.raw", image)
    case_path = tmp_path / "scanned.triage"
    CaseDatabase.create(case_path).close()
    engine = pytest.importorskip("triage.engine")
    engine.IngestEngine(case_path, engine.IngestOptions()).run([str(image)])
    with CaseDatabase.open(case_path) as case:
        wanted = {f["path"]: f for f in case.iter_files()
                  if f["path"] in ("/etc/hosts", "/home/bob/deleted_history.txt")}
        assert len(wanted) == 2
        for file in wanted.values():
            case.tag("Evidence", "Dana", file_id=file["id"])
        export(case, "portable", tmp_path / "portable", tagged_only=True, examiner="Dana")
    expected = {
        path: subprocess.run(["icat", str(image), file["inode"]], check=True,
                             capture_output=True).stdout
        for path, file in wanted.items()
    }
    image.unlink()  # the portable case must not need the image any more
    rows = {r["path"]: r for r in _hashes(tmp_path / "portable")}
    assert set(rows) == set(expected)
    for path, content in expected.items():
        row = rows[path]
        assert row["status"] == "verified", row
        copy = (tmp_path / "portable" / row["copied_as"]).read_bytes()
        assert copy == content
        assert row["sha256_copied"] == hashlib.sha256(content).hexdigest()
    with CaseDatabase.open(tmp_path / "portable" / "case.triage") as portable:
        assert {f["path"] for f in portable.iter_files() if f["kind"] == "file"} == set(expected)
        assert [t["name"] for f in portable.iter_files() if f["kind"] == "file"
                for t in portable.tags_for(file_id=f["id"])] == ["Evidence", "Evidence"]

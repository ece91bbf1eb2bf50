"""JSON-lines export: exact schema, filters, hostile strings survive round-trips."""

from __future__ import annotations

import json
from pathlib import Path

from tests.reports.case_builder import HOSTILE_CDATA, HOSTILE_SCRIPT, build_case
from triage.casedb import CaseDatabase
from triage.reports import export

REQUIRED = ["type", "source", "attributes", "extractor", "extractor_version"]
SOURCE = {"evidence", "volume", "path", "inode", "deleted", "unallocated", "offset"}


def _records(case_path: Path, out: Path, **filters: object) -> list[dict]:
    with CaseDatabase.open(case_path) as case:
        export(case, "jsonl", out, **filters)
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    return [json.loads(line) for line in lines[:-1]]


def test_every_artefact_is_one_line_with_the_exact_schema(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    every = _records(built.path, tmp_path / "a.jsonl")
    records = [r for r in every if r["type"] != "file"]
    assert len(records) == len(built.artefact_ids)
    assert [r["type"] for r in every[len(records):]] == ["file"]  # the tagged file, last
    for record in every:
        assert list(record)[:5] == REQUIRED
        assert set(record) <= {*REQUIRED, "id", "file_id", "tags", "tag_details", "notes"}
        assert set(record["source"]) == SOURCE
        assert isinstance(record["source"]["deleted"], bool)
        assert isinstance(record["source"]["unallocated"], bool)
        assert isinstance(record["attributes"], dict)
    key = next(r for r in records if r["type"] == "pgp.key")
    assert key["attributes"]["user_ids"][1] == HOSTILE_CDATA
    assert key["source"]["evidence"].endswith(f"laptop{HOSTILE_SCRIPT}.E01")
    assert key["tags"] == ["Evidence"] and HOSTILE_SCRIPT in key["notes"][0]["text"]
    unallocated = next(r for r in records if r["source"]["unallocated"])
    assert unallocated["source"]["offset"] == 123456789 and unallocated["source"]["path"] is None


def test_filters(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    tagged = _records(built.path, tmp_path / "t.jsonl", tagged_only=True)
    assert sorted(r["type"] for r in tagged) == ["file", "media.exif", "pgp.key"]
    addresses = _records(built.path, tmp_path / "c.jsonl", categories=["Addresses"])
    assert len(addresses) == 3 and {r["type"] for r in addresses} == {"crypto.address"}
    both = _records(built.path, tmp_path / "b.jsonl", tagged_only=True, categories=["Photos"])
    assert [r["source"]["path"] for r in both] == ["/Users/alice/Pictures/liberty.jpg"]


def test_unicode_line_separators_in_evidence_do_not_split_lines(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    hostile = "a\u2028b\u2029c\x85d"
    with CaseDatabase.open(built.path) as case:
        case.add_note(hostile, "Dana", artefact_id=next(iter(built.artefact_ids.values())))
        export(case, "jsonl", tmp_path / "a.jsonl")
    text = (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()  # splits on U+2028, U+2029 and U+0085 as well as \n
    assert len(lines) == len(built.artefact_ids) + 1  # and the tagged file
    notes = [note["text"] for line in lines for note in json.loads(line)["notes"]]
    assert hostile in notes


def test_every_tag_and_note_of_artefacts_and_files_is_exported(tmp_path: Path) -> None:
    built = build_case(tmp_path)
    photo = built.file_ids["/Users/alice/Pictures/liberty.jpg"]
    with CaseDatabase.open(built.path) as case:
        case.tag("Seen", "Dana", file_id=photo, comment=f"tag comment {HOSTILE_SCRIPT}")
        case.add_note("file note", "Dana", file_id=photo)
        untagged = built.file_ids["/home/pipe|and\nnewline.txt"]
        case.add_note("note on an untagged file", "Eve", file_id=untagged)
    records = _records(built.path, tmp_path / "a.jsonl")
    key = next(r for r in records if r["type"] == "pgp.key")
    [detail] = key["tag_details"]
    assert detail["name"] == "Evidence" and detail["comment"] == f"comment {HOSTILE_SCRIPT}"
    assert detail["examiner"] and detail["created"]
    files = {r["file_id"]: r for r in records if r["type"] == "file"}
    assert set(files) == {photo, untagged, built.file_ids["/Users/alice/../../etc/passwd"]}
    assert files[photo]["tags"] == ["Seen"] and files[photo]["id"] is None
    assert files[photo]["tag_details"][0]["comment"] == f"tag comment {HOSTILE_SCRIPT}"
    assert files[photo]["tag_details"][0]["examiner"] == "Dana"
    assert [n["text"] for n in files[photo]["notes"]] == ["file note"]
    assert files[photo]["source"]["path"] == "/Users/alice/Pictures/liberty.jpg"
    assert files[untagged]["tags"] == [] and files[untagged]["notes"][0]["examiner"] == "Eve"
    # Tagged-only keeps the tagged files (as the HTML report's tagged items do), not the
    # file that only has a note; a category filter leaves files out.
    tagged = _records(built.path, tmp_path / "t.jsonl", tagged_only=True)
    assert {r["file_id"] for r in tagged if r["type"] == "file"} == set(files) - {untagged}
    photos = _records(built.path, tmp_path / "p.jsonl", categories=["Photos"])
    assert all(r["type"] == "media.exif" for r in photos)


def test_numbers_json_has_no_word_for_are_written_as_text(tmp_path: Path) -> None:
    """The reports helper's finding: a NaN in a damaged or edited case's attributes made
    a line no strict JSON reader takes."""
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        artefact_id = next(iter(built.artefact_ids.values()))
        with case.conn:
            case.conn.execute(
                "UPDATE artefacts SET attributes = ? WHERE id = ?",
                ('{"altitude": NaN, "values": [Infinity, -Infinity, 1.5]}', artefact_id))
        export(case, "jsonl", tmp_path / "a.jsonl")

    def refuse(name: str) -> None:
        raise ValueError(name)

    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line, parse_constant=refuse) for line in lines]
    edited = next(r for r in records if r.get("id") == artefact_id)
    assert edited["attributes"] == {"altitude": "NaN", "values": ["Infinity", "-Infinity", 1.5]}

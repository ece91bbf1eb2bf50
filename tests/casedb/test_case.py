"""The case database: creation, refusal of foreign files, idempotent batches, review data."""

from __future__ import annotations

import json
import sqlite3

import pytest

from triage.casedb import SCHEMA_VERSION, CaseDatabase, CaseError, file_record
from triage.casedb.path_text import stored_path


def _file(evidence_id: int, path: str, **extra: object) -> dict[str, object]:
    parent, _, name = path.rpartition("/")
    row = {"evidence_id": evidence_id, "volume_idx": 0, "path": path, "parent": parent or "/",
           "name": name, "kind": "file", "size": 3, "identity": f"0|1|{path}"}
    row.update(extra)
    return row


def _artefact(evidence_id: int, identity: str, **attributes: object) -> dict[str, object]:
    return {"type": "pgp.key", "category": "PGP keys", "evidence_id": evidence_id,
            "volume_idx": 0, "file_identity": "0|1|/a.asc", "path": "/a.asc",
            "attributes": attributes, "extractor": "pgp", "extractor_version": "1",
            "identity": identity}


@pytest.fixture()
def case(tmp_path):
    db = CaseDatabase.create(tmp_path / "case.triage", name="Op Test", number="42", examiner="ann")
    yield db
    db.close()


def test_create_records_case_info_and_examiner(case):
    info = case.info()
    assert info["name"] == "Op Test" and info["number"] == "42"
    assert info["schema_version"] == SCHEMA_VERSION
    assert case.examiners() == ["ann"]
    assert [a["action"] for a in case.iter_audit()] == ["audit.chain_started", "case.create"]


def test_refuses_existing_path(tmp_path):
    (tmp_path / "x.triage").write_text("hello")
    with pytest.raises(CaseError, match="exists already"):
        CaseDatabase.create(tmp_path / "x.triage")


@pytest.mark.parametrize("content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 84])
def test_open_refuses_non_case_files(tmp_path, content):
    path = tmp_path / "bad.triage"
    path.write_bytes(content)
    with pytest.raises(CaseError) as error:
        CaseDatabase.open(path)
    assert "\n" not in str(error.value)


def test_open_refuses_other_sqlite_databases(tmp_path):
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(CaseError, match="another program"):
        CaseDatabase.open(path)


def test_open_refuses_newer_schema(case):
    case.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    case.close()
    with pytest.raises(CaseError, match="newer triage"):
        CaseDatabase.open(case.path)


def test_a_file_record_is_stored_as_its_row_dict_would_be(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    case.write_batch(files=[_file(evidence_id, "/a.asc", md5="aa", deleted=True)])
    case.write_batch(files=[file_record(_file(evidence_id, "/b.asc", md5="aa", deleted=True))])
    a, b = sorted(case.iter_files(), key=lambda f: f["path"])
    different = {k for k in a if a[k] != b[k]}
    assert different == {"id", "path", "name", "identity"}
    assert (b["deleted"], b["allocated"], b["md5"]) == (True, True, "aa")


def test_batches_are_idempotent_and_keep_known_hashes(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    assert case.add_evidence("/img.E01", "ewf", 100) == evidence_id
    case.write_batch(files=[_file(evidence_id, "/a.asc", md5="aa")],
                     artefacts=[_artefact(evidence_id, "k1", fingerprint="F1")])
    case.write_batch(files=[_file(evidence_id, "/a.asc")],
                     artefacts=[_artefact(evidence_id, "k1", fingerprint="F1")])
    files = list(case.iter_files())
    assert len(files) == 1 and files[0]["md5"] == "aa"
    artefacts = list(case.iter_artefacts())
    assert len(artefacts) == 1 and artefacts[0]["file_id"] == files[0]["id"]
    assert artefacts[0]["attributes"] == {"fingerprint": "F1"}


def _fts_rows(case):
    return case.conn.execute(
        "SELECT rowid, summary FROM artefacts_fts('pgp') ORDER BY rowid").fetchall()


def test_filter_index_holds_each_new_artefact_once(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    batch = [_artefact(evidence_id, f"k{i}", fingerprint=f"FP{i}") for i in range(3)]
    case.write_batch(files=[_file(evidence_id, "/a.asc")], artefacts=batch)
    case.write_batch(artefacts=batch + [_artefact(evidence_id, "k9", fingerprint="FP9")])
    stored = case.conn.execute("SELECT id, summary FROM artefacts ORDER BY id").fetchall()
    assert len(stored) == 4
    assert [tuple(r) for r in _fts_rows(case)] == [tuple(r) for r in stored]
    # The index agrees with its content table (FTS5's own consistency check).
    case.conn.execute("INSERT INTO artefacts_fts (artefacts_fts) VALUES ('integrity-check')")


def test_a_version_1_case_migrates_and_indexes_once(tmp_path):
    from triage.casedb.schema import MIGRATIONS

    path = tmp_path / "old.triage"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = " + str(CaseDatabase.open.__globals__["APPLICATION_ID"]))
    conn.executescript("BEGIN;" + MIGRATIONS[0] + "COMMIT;")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    case = CaseDatabase.open(path)
    try:
        assert case.info()["schema_version"] == SCHEMA_VERSION
        evidence_id = case.add_evidence("/img.E01", "ewf", 100)
        case.write_batch(files=[_file(evidence_id, "/a.asc")],
                         artefacts=[_artefact(evidence_id, "k1", fingerprint="FP1")])
        assert len(_fts_rows(case)) == 1
        case.conn.execute("INSERT INTO artefacts_fts (artefacts_fts) VALUES ('integrity-check')")
    finally:
        case.close()


def test_failed_batch_writes_nothing(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    bad = _artefact(evidence_id, "k2")
    del bad["extractor"]
    with pytest.raises(KeyError):
        case.write_batch(files=[_file(evidence_id, "/b")], artefacts=[bad])
    assert case.count_files() == 0


def test_paging_filter_and_attribute_sort(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    case.write_batch(files=[_file(evidence_id, "/a.asc")], artefacts=[
        _artefact(evidence_id, f"k{i}", fingerprint=f"FP{i:03d}", bits=4096 - i) for i in range(50)])
    assert case.count_artefacts(types=["pgp.key"]) == 50
    assert case.count_artefacts(filter_text="fp01") == 10
    assert case.count_artefacts(filter_text="100%") == 0
    page = case.page_artefacts(sort_key="bits", offset=0, limit=5)
    assert [a["attributes"]["bits"] for a in page] == [4047, 4048, 4049, 4050, 4051]
    with pytest.raises(ValueError):
        case.page_artefacts(sort_key="bits; DROP TABLE files")


def test_tags_and_notes_are_audited_and_the_log_is_append_only(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    case.write_batch(files=[_file(evidence_id, "/a.asc")], artefacts=[_artefact(evidence_id, "k1")])
    artefact_id = next(case.iter_artefacts())["id"]
    assert case.tag("Evidence", "ann", artefact_id=artefact_id, comment="vendor key")
    assert not case.tag("Evidence", "ann", artefact_id=artefact_id)
    case.add_note("matches the market profile", "bob", artefact_id=artefact_id)
    assert case.count_artefacts(tagged_only=True) == 1
    assert [t["name"] for t in case.tags_for(artefact_id=artefact_id)] == ["Evidence"]
    assert case.untag("Evidence", "ann", artefact_id=artefact_id)
    actions = [(a["action"], a["examiner"]) for a in case.iter_audit()]
    assert ("tag.add", "ann") in actions and ("note.add", "bob") in actions
    assert ("tag.remove", "ann") in actions
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        case.conn.execute("UPDATE audit_log SET examiner = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        case.conn.execute("DELETE FROM audit_log")


def test_the_audit_log_cannot_be_overwritten_by_replace(case, tmp_path):
    """INSERT OR REPLACE deletes the old row without the delete trigger firing."""
    first = next(case.iter_audit())
    for statement in ("INSERT OR REPLACE INTO audit_log (id, ts, examiner, action, details)"
                      " VALUES (?, 'x', 'mallory', 'case.create', '{}')",
                      "REPLACE INTO audit_log (id, ts, action) VALUES (?, 'x', 'y')"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            case.conn.execute(statement, (first["id"],))
    assert next(case.iter_audit()) == first
    case.audit("still.appends", "ann", {})
    assert [a["action"] for a in case.iter_audit()][-1] == "still.appends"
    # A case made before the trigger existed gains it when opened writable.
    old = tmp_path / "old.triage"
    CaseDatabase.create(old).close()
    conn = sqlite3.connect(old)
    conn.execute("DROP TRIGGER audit_log_no_replace")
    conn.commit()
    conn.close()
    CaseDatabase.open(old, readonly=True).close()
    reopened = CaseDatabase.open(old)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            reopened.conn.execute("INSERT OR REPLACE INTO audit_log (id, ts, action)"
                                  " VALUES (1, 'x', 'y')")
    finally:
        reopened.close()


def test_reader_sees_committed_batches_while_writer_is_open(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    reader = CaseDatabase.open(case.path, readonly=True)
    try:
        case.write_batch(files=[_file(evidence_id, "/a.asc")])
        assert reader.count_files() == 1
    finally:
        reader.close()


@pytest.mark.parametrize("text", ["fp00", "FP00", "p0", "1%", "_0", "\\"])
def test_filter_agrees_with_a_plain_substring_search(case, text):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    case.write_batch(files=[_file(evidence_id, "/a.asc")], artefacts=[
        _artefact(evidence_id, f"k{i}", fingerprint=f"FP{i:03d}", note=f"{i}%_\\x") for i in range(30)])
    expected = {a["id"] for a in case.iter_artefacts()
                if text.lower() in " ".join([a["path"], a["type"], *map(str, a["attributes"].values())]).lower()}
    got = {a["id"] for a in case.page_artefacts(filter_text=text, limit=1000)}
    assert got == expected and case.count_artefacts(filter_text=text) == len(expected)


def test_coordinates_are_indexed_and_validated(case):
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    rows = [_artefact(evidence_id, "p1", gps_latitude=52.5, gps_longitude=13.4),
            _artefact(evidence_id, "p2", gps_latitude=95.0, gps_longitude=13.4),
            _artefact(evidence_id, "p3", gps_latitude="52.5", gps_longitude=13.4),
            _artefact(evidence_id, "p4", make="Canon")]
    case.write_batch(files=[_file(evidence_id, "/a.asc")], artefacts=rows)
    located = list(case.artefacts_with_coordinates())
    assert [a["identity"] for a in located] == ["p1"]


def test_artefact_written_before_its_file_is_linked_afterwards(case):
    # A folder's artefact can arrive before another worker has written the folder's files.
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    artefact = {**_artefact(evidence_id, "agent"), "file_identity": None,
                "file_path": "/keys/k1.key", "path": "/keys/k1.key"}
    case.write_batch(artefacts=[artefact])
    stored = next(case.iter_artefacts())
    assert stored["file_id"] is None and stored["inode"] is None
    case.write_batch(files=[_file(evidence_id, "/keys/k1.key", inode="115", deleted=1)])
    case.link_artefacts_by_path([artefact])
    stored = next(case.iter_artefacts())
    file = next(case.iter_files())
    assert (stored["file_id"], stored["inode"], stored["deleted"]) == (file["id"], "115", 1)


def test_names_that_are_not_utf8_are_refused_or_stored_escaped(tmp_path, case):
    # Command-line arguments and paths keep undecodable bytes as lone surrogates.
    bad = b"ev\xff".decode("utf-8", "surrogateescape")
    # An evidence path is what it is: it is stored with the byte written \xNN.
    evidence_id = case.add_evidence(str(tmp_path / bad), "raw", 1, [str(tmp_path / bad)])
    stored = case.evidence_by_id(evidence_id)
    assert stored["path"] == f"{tmp_path}/ev\\xff" and stored["segments"] == [stored["path"]]
    with pytest.raises(CaseError, match=r"examiner name bob\\xff is not valid UTF-8"):
        case.add_examiner(b"bob\xff".decode("utf-8", "surrogateescape"))
    with pytest.raises(CaseError, match="case name"):
        CaseDatabase.create(tmp_path / "named.triage", name=bad)
    assert not (tmp_path / "named.triage").exists()
    # A case file whose own name is not UTF-8 is made, its name shown with U+FFFD.
    created = CaseDatabase.create(tmp_path / f"{bad}.triage")
    try:
        assert created.info()["name"] == "ev\ufffd"
    finally:
        created.close()


def test_a_run_whose_process_is_gone_reads_as_interrupted(case):
    import os
    import socket

    from triage.casedb.run_process import this_process

    live = case.begin_run("quick", [], None, [])  # this process: still running
    dead = case.begin_run("quick", [], None, [])
    gone = {**this_process(), "pid": 2**22 + 12345}  # above Linux's pid_max: never a process
    case.conn.execute("UPDATE runs SET stats = ? WHERE id = ?",
                      (f'{{"process": {json.dumps(gone)}}}', dead))
    case.conn.commit()
    statuses = {run["id"]: run["status"] for run in case.list_runs()}
    assert statuses[live] == "running" and statuses[dead] == "interrupted"
    # A second scan of the same case marks only the dead run.
    assert case.mark_interrupted_runs() == 1
    stored = dict(case.conn.execute("SELECT id, status FROM runs").fetchall())
    assert stored[live] == "running" and stored[dead] == "interrupted"
    case.finish_run(live, "completed", {"files": 0}, None)
    (finished,) = [run for run in case.list_runs() if run["id"] == live]
    assert finished["stats"]["process"]["host"] == socket.gethostname()
    assert finished["stats"]["process"]["pid"] == os.getpid()


def test_a_quick_rescan_keeps_the_full_runs_file_types(case):
    """Found by an audit: a quick rescan replaced libmagic's types with its signature
    guesses ('report.docx' became application/zip), leaving rows that mixed two scans."""
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    full = case.begin_run("full", [], None, [evidence_id])
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    case.write_batch(files=[_file(evidence_id, "/r.docx", run_id=full, mime=docx,
                                  mime_description=None, extension_mismatch=0, md5="aa")])
    quick = case.begin_run("quick", [], None, [evidence_id])
    case.write_batch(files=[_file(evidence_id, "/r.docx", run_id=quick, mime="application/zip",
                                  mime_description=None, extension_mismatch=1)])
    (row,) = case.iter_files()
    assert (row["mime"], row["extension_mismatch"], row["md5"]) == (docx, 0, "aa")
    assert row["run_id"] == quick
    again = case.begin_run("quick", [], None, [evidence_id])  # and a second quick rescan
    case.write_batch(files=[_file(evidence_id, "/r.docx", run_id=again, mime="application/zip",
                                  mime_description=None, extension_mismatch=1)])
    (row,) = case.iter_files()
    assert (row["mime"], row["extension_mismatch"]) == (docx, 0)
    # A full rescan does replace a quick run's types.
    later = case.begin_run("full", [], None, [evidence_id])
    case.write_batch(files=[_file(evidence_id, "/r.docx", run_id=later, mime="text/x-test",
                                  mime_description="test", extension_mismatch=1)])
    (row,) = case.iter_files()
    assert (row["mime"], row["mime_description"]) == ("text/x-test", "test")


def test_text_a_utf8_case_cannot_hold_is_stored_escaped_and_attributes_stay_json(case):
    """A lone surrogate (hostile JSON's "\\ud800") failed the whole batch, and a name that
    is not UTF-8 inside attributes was stored as JSON with a "\\x" escape (invalid)."""
    evidence_id = case.add_evidence("/img.E01", "ewf", 100)
    case.write_batch(files=[_file(evidence_id, "/a.asc")], artefacts=[{
        **_artefact(evidence_id, "k\ud800", label="a\ud800b", path="caf\udce9.raw",
                    nested=[{"k\udce9": "x"}]),
        "context": "ctx \udfff", "path": "/dir\ud800/a.asc"}])
    (row,) = case.conn.execute("SELECT attributes, context, path, identity FROM artefacts")
    attributes = json.loads(row[0])
    assert attributes == {"label": "a\\ud800b", "path": "caf\\xe9.raw",
                          "nested": [{"k\\xe9": "x"}]}
    assert row[1:] == ("ctx \\udfff", "/dir\\ud800/a.asc", "k\\ud800")
    (found,) = case.iter_artefacts()
    assert found["attributes"] == attributes
    assert stored_path("caf\udce9") == "caf\\xe9" and stored_path("plain") == "plain"


def test_the_audit_log_guard_lets_new_rows_in_and_comes_back_when_dropped(tmp_path):
    """Self-audit: an id SQLite assigns reads as -1 in a BEFORE INSERT trigger, so one
    explicit row with id -1 made every later insert fail; and only the newest trigger was
    restored on open."""
    import time

    path = tmp_path / "c.triage"
    CaseDatabase.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO audit_log (id, ts, action) VALUES (-1, 'x', 'planted')")
    conn.commit()
    with CaseDatabase.open(path) as case:
        case.audit("still.appends", "ann", {})
        assert [a["action"] for a in case.iter_audit()][-1] == "still.appends"
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.commit()
    with CaseDatabase.open(path) as case:
        for statement in ("DELETE FROM audit_log", "UPDATE audit_log SET action = 'x'"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                case.conn.execute(statement)
    # A case missing a trigger, opened while another program holds the write lock,
    # opens at once (the trigger waits for a later open) instead of after 30 s as damaged.
    conn.execute("DROP TRIGGER audit_log_no_replace")
    conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    opened = CaseDatabase.open(path)
    assert time.monotonic() - started < 5
    opened.close(busy_wait=0)
    conn.rollback()
    conn.close()

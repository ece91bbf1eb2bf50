"""BatchWriter: batches, and artefacts linked to files written after them."""

from __future__ import annotations

from triage.casedb import CaseDatabase, file_record
from triage.engine.batch_writer import BatchWriter


def test_finish_links_an_artefact_that_came_before_its_file(tmp_path):
    case = CaseDatabase.create(tmp_path / "case.triage")
    try:
        evidence_id = case.add_evidence("/img.E01", "ewf", 100)
        writer = BatchWriter(case)
        writer.add(None, [{
            "type": "pgp.agent_key", "category": "PGP keys", "evidence_id": evidence_id,
            "volume_idx": 0, "file_path": "/keys/k1.key", "path": "/keys/k1.key",
            "attributes": {"keygrip": "AB"}, "extractor": "pgp", "extractor_version": "1",
            "identity": "agent-AB",
        }])
        writer.flush()
        writer.add({"evidence_id": evidence_id, "volume_idx": 0, "path": "/keys/k1.key",
                    "parent": "/keys", "name": "k1.key", "kind": "file", "size": 3,
                    "inode": "115", "identity": "0|115||/keys/k1.key"}, [])
        writer.finish()
        artefact = next(case.iter_artefacts())
        file = next(case.iter_files())
        assert (artefact["file_id"], artefact["inode"]) == (file["id"], "115")
        assert writer.named_by_path == []
    finally:
        case.close()


def test_records_from_a_worker_batch_are_counted_and_written(tmp_path):
    case = CaseDatabase.create(tmp_path / "case.triage")
    try:
        evidence_id = case.add_evidence("/img.E01", "ewf", 100)
        rows = [{"evidence_id": evidence_id, "volume_idx": 0, "path": f"/f{i}", "parent": "/",
                 "name": f"f{i}", "kind": "file", "size": i, "deleted": i % 2,
                 "identity": f"0|{i}||/f{i}"} for i in range(5)]
        writer = BatchWriter(case)
        writer.add_records([(file_record(row), []) for row in rows])
        writer.finish()
        assert (writer.file_count, writer.deleted_count) == (5, 2)
        stored = sorted(case.iter_files(), key=lambda f: f["size"])
        assert [(f["path"], f["deleted"]) for f in stored] == [
            (row["path"], bool(row["deleted"])) for row in rows]
    finally:
        case.close()


def test_damaged_media_is_recorded_once_per_byte(tmp_path):
    """Found by an audit: one worker reported a damaged range in two pieces (libewf merged
    them later), another the merged whole; all three were recorded."""
    from triage.engine.batch_writer import media_warning
    from triage.evidence.ewf_checksum import MediaDamage

    case_path = tmp_path / "case.triage"
    CaseDatabase.create(case_path).close()
    with CaseDatabase.open(case_path) as case:
        writer = BatchWriter(case)
        for offset, length, found in ((2392064, 32768, "worker 0"), (2424832, 32768, "worker 0"),
                                      (2392064, 65536 + 32768, "worker 1")):
            writer.warn(media_warning(None, None, None, None, MediaDamage(offset, length), found))
        writer.flush()
        messages = [w["message"] for w in case.iter_warnings()]
    assert messages == [
        "EWF chunk checksum failed at media bytes 2392064-2424831 (sectors 4672-4735); libewf"
        " read it as zeros; worker 0",
        "EWF chunk checksum failed at media bytes 2424832-2457599 (sectors 4736-4799); libewf"
        " read it as zeros; worker 0",
        "EWF chunk checksum failed at media bytes 2457600-2490367 (sectors 4800-4863); libewf"
        " read it as zeros; worker 1",
    ]
    assert writer.warning_count == 3

"""The audit log's hash chain: every change to the log's past shows, and reports can be
checked against the head they printed."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from triage.casedb import SCHEMA_VERSION, CaseDatabase
from triage.casedb.audit_chain import GENESIS
from triage.casedb.schema import APPLICATION_ID, MIGRATIONS


def _independent_digests(path) -> list[tuple[int, str]]:
    """The chain as the module documents it, recomputed here from the stored rows."""
    conn = sqlite3.connect(path)
    previous = hashlib.sha256(b"triage audit log").hexdigest()
    out = []
    for row in conn.execute("SELECT id, ts, examiner, action, details FROM audit_log ORDER BY id"):
        canonical = json.dumps(list(row), ensure_ascii=True, separators=(",", ":"))
        previous = hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()
        out.append((row[0], previous))
    conn.close()
    return out


def _tamper(path, *statements: str) -> None:
    """Another program: drops the guards and edits the log."""
    conn = sqlite3.connect(path)
    for trigger in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace",
                    "audit_chain_no_update", "audit_chain_no_delete", "audit_chain_no_replace"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _pre_chain_case(path, actions=("case.create", "tag.add", "export.csv")):
    """A case as a triage from before the chain wrote it: the schema, the guards of the
    time, a few audit entries, no chain table."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for migration in MIGRATIONS:
        conn.executescript("BEGIN;" + migration + "COMMIT;")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("INSERT INTO case_info (id, name, created, tool_version)"
                 " VALUES (1, 'old', '2026-01-01T00:00:00Z', '0.1.0')")
    conn.executemany("INSERT INTO audit_log (ts, examiner, action, details) VALUES (?, ?, ?, ?)",
                     [("2026-01-01T00:00:00.000000Z", "ann", action, "{}") for action in actions])
    conn.commit()
    conn.close()


@pytest.fixture
def case_path(tmp_path):
    path = tmp_path / "case.triage"
    with CaseDatabase.create(path, examiner="ann") as case:
        evidence_id = case.add_evidence("/img.E01", "ewf", 100)
        case.write_batch(files=[{"evidence_id": evidence_id, "volume_idx": 0, "path": "/a",
                                 "parent": "/", "name": "a", "kind": "file", "size": 1,
                                 "identity": "0|1||/a"}])
        file_id = next(case.iter_files())["id"]
        case.tag("Evidence", "ann", file_id=file_id, comment="the vendor's key")
        case.add_note("seen on the market", "bob", file_id=file_id)
        case.audit("export.csv", "ann", {"path": "/out/a.csv"})
    return path


def test_every_entry_is_chained_as_documented(case_path):
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
        stored = list(case.conn.execute("SELECT audit_id, digest FROM audit_chain ORDER BY audit_id"))
    expected = _independent_digests(case_path)
    assert [tuple(row) for row in stored] == expected
    assert status.intact and status.entries == len(expected) >= 4
    assert (status.head_id, status.head_digest) == expected[-1]
    assert GENESIS == hashlib.sha256(b"triage audit log").hexdigest()


@pytest.mark.parametrize("statement, said", [
    ("UPDATE audit_log SET examiner = 'mallory' WHERE action = 'tag.add'", "differs"),
    ("UPDATE audit_log SET details = '{}' WHERE action = 'note.add'", "differs"),
    ("DELETE FROM audit_log WHERE action = 'tag.add'", "removed"),
    ("INSERT INTO audit_log (id, ts, action, details) VALUES (-5, 'x', 'planted', '{}')",
     "not chained"),
])
def test_a_changed_removed_or_slipped_in_entry_breaks_the_chain(case_path, statement, said):
    _tamper(case_path, statement)
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
    assert not status.intact
    assert len(status.problems) == 1 and said in status.problems[0][1]
    assert "BROKEN" in status.summary()


def test_a_rewritten_log_with_recomputed_digests_fails_against_a_printed_head(case_path):
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
    printed = (status.head_id, status.head_digest)  # as a report printed it
    _tamper(case_path, "UPDATE audit_log SET examiner = 'mallory' WHERE action = 'tag.add'",
            "DELETE FROM audit_chain")
    conn = sqlite3.connect(case_path)
    conn.executemany("INSERT INTO audit_chain (audit_id, digest) VALUES (?, ?)",
                     _independent_digests(case_path))
    conn.commit()
    conn.close()
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, verdict = case.audit_chain_status(head=printed)
        assert status.intact  # the forger recomputed the chain ...
        assert verdict is not None and "rewritten" in verdict  # ... but not the printed head
        assert case.audit_chain_status(head=(status.head_id, status.head_digest))[1] is None


def test_entries_written_without_the_chain_are_chained_by_the_next_writable_open_which_says_so(
        case_path):
    # An earlier triage (or another program) appends entries and knows nothing of the chain.
    _tamper(case_path, "INSERT INTO audit_log (ts, action, details) VALUES ('t', 'old.a', '{}')",
            "INSERT INTO audit_log (ts, action, details) VALUES ('t', 'old.b', '{}')")
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
        assert not status.intact and "not chained" in status.problems[0][1]
        last_id = max(entry["id"] for entry in case.iter_audit())
    with CaseDatabase.open(case_path) as case:
        status, _ = case.audit_chain_status()
        assert status.intact
        note = list(case.iter_audit())[-1]
    assert note["action"] == "audit.chain_extended"
    assert (note["details"]["first"], note["details"]["last"]) == (last_id - 1, last_id)


def test_a_case_from_before_the_chain_opens_read_only_and_is_chained_when_opened_writable(
        tmp_path):
    path = tmp_path / "old.triage"
    _pre_chain_case(path)
    with CaseDatabase.open(path, readonly=True) as case:
        status, verdict = case.audit_chain_status(head=(1, "ab"))
        assert not status.present and "not chained yet" in status.summary()
        assert verdict == "the case has no hash chain yet"
    with CaseDatabase.open(path) as case:
        status, _ = case.audit_chain_status()
        started = list(case.iter_audit())[-1]
        case.audit("still.appends", "ann", {})
        assert case.audit_chain_status()[0].intact
    assert status.intact and status.entries == 4
    assert started["action"] == "audit.chain_started"
    assert started["details"]["chained_entries"] == 3


def test_a_removed_chain_table_is_reported_and_its_restart_stays_in_the_log(case_path):
    """Self-audit: dropping the chain's table (and editing the log) read as a case made
    by an earlier triage, and the next writable open chained the edited log as intact."""
    _tamper(case_path, "DROP TABLE audit_chain",
            "UPDATE audit_log SET examiner = 'mallory' WHERE action = 'tag.add'")
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
    assert not status.intact and "table was removed" in status.summary()
    with CaseDatabase.open(case_path) as case:
        status, _ = case.audit_chain_status()
        restarted = list(case.iter_audit())[-1]
    assert restarted["action"] == "audit.chain_restarted"
    assert not status.intact and "started again" in status.summary()
    # A head printed after the restart can still be checked later: the restart, which is
    # reported for ever, does not count against it.
    with CaseDatabase.open(case_path) as case:
        case.audit("export.html", "ann", {})
        status, _ = case.audit_chain_status()
        printed = (status.head_id, status.head_digest)
        case.audit("later", "ann", {})
        assert case.audit_chain_status(head=printed)[1] is None


def test_a_removed_entry_shows_as_a_gap_without_the_chain_table_too(case_path):
    """Self-audit: with the chain's table dropped, a read-only check said "not chained
    yet" though an entry was missing."""
    _tamper(case_path, "DROP TABLE audit_chain", "DELETE FROM audit_log WHERE action = 'note.add'")
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
    assert any("missing from the log" in text for _, text in status.problems)


def test_a_removal_before_a_printed_head_is_caught_behind_many_later_problems(case_path):
    """Self-audit: only the first 20 problems found were kept and removals are found
    last, so 21 numbered gaps after the head hid a removal before it."""
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
        (removed,) = case.conn.execute(
            "SELECT id FROM audit_log WHERE action = 'tag.add'").fetchone()
    printed = (status.head_id, status.head_digest)
    statements = [f"DELETE FROM audit_log WHERE id = {removed}"] + [
        f"INSERT INTO audit_log (id, ts, action, details) VALUES ({1000 + 10 * n}, 't', 'x', '{{}}')"
        for n in range(25)]
    _tamper(case_path, *statements)
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, verdict = case.audit_chain_status(head=printed)
    assert verdict is not None and f"entry {removed}" in verdict
    assert status.problems[0][0] == removed  # the lowest numbers are the ones listed


def test_a_gap_is_judged_from_the_removed_entries_in_it_not_its_numbers():
    """Self-audit: every gap's numbers were listed (up to 10,000 each): 200,000 entries
    numbered far apart took 88 s to check. The first hole is found by a look-up among
    the removed chained entries, whatever the gap's size."""
    from triage.casedb.audit_chain import _first_hole

    assert _first_hole(5, 10**15, []) == 5
    assert _first_hole(5, 10**15, [5, 6, 7, 9]) == 8
    assert _first_hole(5, 8, [5, 6, 7]) is None
    assert _first_hole(5, 6, [1, 2, 5, 10**14]) is None


def test_many_numbered_gaps_are_reported_and_counted(tmp_path):
    path = tmp_path / "gaps.triage"
    CaseDatabase.create(path).close()
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO audit_log (id, ts, action, details) VALUES (?, 't', 'x', '{}')",
                     [(100 + 10_000 * n,) for n in range(20_000)])
    conn.commit()
    conn.close()
    with CaseDatabase.open(path, readonly=True) as case:
        status, _ = case.audit_chain_status()
    assert not status.intact and len(status.problems) == 20
    # Each gap once, and once the entries not chained; counted beyond the list.
    assert status.more_problems == 20_000 + 1 - 20


def test_a_removed_entry_shows_as_a_gap_even_after_the_chain_is_restarted(case_path):
    _tamper(case_path, "DROP TABLE audit_chain", "DELETE FROM audit_log WHERE action = 'note.add'")
    with CaseDatabase.open(case_path) as case:
        status, _ = case.audit_chain_status()
    assert any("missing from the log" in text for _, text in status.problems)


def test_entries_that_are_not_utf8_are_chained_and_checked_not_fatal(case_path):
    """Self-audit: one entry another program stored as bytes that are not UTF-8 made the
    case refuse to open writable ("damaged case file") and triage info fail."""
    _tamper(case_path, "INSERT INTO audit_log (ts, action, details)"
                       " VALUES ('t', 'odd', CAST(x'7bff7d' AS TEXT))")
    with CaseDatabase.open(case_path) as case:  # chains it, noting it came from elsewhere
        status, _ = case.audit_chain_status()
        assert status.intact
        from triage.casedb import ui_queries

        shown = [entry for entry in ui_queries.page_audit(case) if entry["action"] == "odd"]
        assert shown[0]["details"] == "{\ufffd}"  # the GUI's page, not a "damaged case"
        with pytest.raises(Exception, match="not valid JSON"):  # the report: one line
            list(case.iter_audit())
    _tamper(case_path, "UPDATE audit_log SET details = CAST(x'7bfe7d' AS TEXT)"
                       " WHERE action = 'odd'")
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
    assert not status.intact and "differs" in status.summary()
    _tamper(case_path, "UPDATE audit_chain SET digest = CAST(x'c3a9ff' AS TEXT)"
                       " WHERE audit_id = 1")
    with CaseDatabase.open(case_path, readonly=True) as case:
        assert not case.audit_chain_status()[0].intact


def test_a_printed_head_still_matches_when_later_entries_are_not_chained(case_path):
    """Self-audit: an entry an earlier triage appended after the report made the head
    check fail, though nothing up to the head had changed."""
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, _ = case.audit_chain_status()
    printed = (status.head_id, status.head_digest)
    _tamper(case_path, "INSERT INTO audit_log (ts, action, details) VALUES ('t', 'later', '{}')")
    with CaseDatabase.open(case_path, readonly=True) as case:
        status, verdict = case.audit_chain_status(head=printed)
    assert not status.intact and verdict is None


def test_the_check_reads_one_snapshot_while_another_program_writes(case_path):
    """Self-audit: the log and the chain were read in two snapshots, so a check made
    while another program tagged said BROKEN ("entries ... not chained")."""
    import threading

    stop = threading.Event()

    def keep_writing() -> None:
        with CaseDatabase.open(case_path) as writer:
            file_id = next(writer.iter_files())["id"]
            while not stop.is_set():
                writer.tag_many("Notable", "ann", [("file", file_id)])
                writer.untag_many("Notable", "ann", [("file", file_id)])

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        with CaseDatabase.open(case_path, readonly=True) as case:
            verdicts = [case.audit_chain_status()[0].intact for _ in range(40)]
    finally:
        stop.set()
        thread.join()
    assert all(verdicts)


def test_the_chain_itself_is_append_only(case_path):
    with CaseDatabase.open(case_path) as case:
        for statement in ("UPDATE audit_chain SET digest = 'x'", "DELETE FROM audit_chain"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                case.conn.execute(statement)
        # An insert over a stored digest leaves it as it is (no error: see the next test).
        case.conn.execute("INSERT OR REPLACE INTO audit_chain (audit_id, digest) VALUES (1, 'x')")
        assert case.audit_chain_status()[0].intact


def test_a_digest_planted_for_a_future_entry_blocks_no_write_and_shows(case_path):
    """Self-audit: a chain row planted for the next entry number made every audited
    write of the session fail ("append-only")."""
    with CaseDatabase.open(case_path) as case:
        (last,) = case.conn.execute("SELECT max(id) FROM audit_log").fetchone()
        planted = sqlite3.connect(case_path)
        planted.execute("INSERT INTO audit_chain (audit_id, digest) VALUES (?, ?)",
                        (last + 1, "0" * 64))
        planted.commit()
        planted.close()
        case.audit("still.writes", "ann", {})
        case.audit("and.again", "ann", {})
        status, _ = case.audit_chain_status()
    assert [text for _, text in status.problems] == [
        f"entry {last + 1} differs from what was chained (changed since)"]


def test_the_chain_stays_whole_across_rollbacks_and_two_writers(case_path):
    """Entries are chained from the last digest this connection wrote when nothing can
    sit between; a rolled-back transaction, or another connection's entries, must send
    it back to reading the chain."""
    first, second = CaseDatabase.open(case_path), CaseDatabase.open(case_path)
    try:
        file_id = next(first.iter_files())["id"]
        first.tag_many("Notable", "ann", [("file", file_id)])
        with pytest.raises(RuntimeError):
            with first.conn:
                first._audit_in_transaction("doomed", "ann", {})
                raise RuntimeError("rolled back")
        second.audit("other.program", "bob", {})
        first.audit("after.rollback", "ann", {})
        for index in range(30):
            (first if index % 3 else second).audit(f"turn.{index}", "ann", {})
        first.untag_many("Notable", "ann", [("file", file_id)])
        status, _ = first.audit_chain_status()
    finally:
        first.close()
        second.close()
    assert status.intact, status.summary()
    with CaseDatabase.open(case_path, readonly=True) as case:
        actions = [a["action"] for a in case.iter_audit()]
    assert "doomed" not in actions and actions[-1] == "tag.remove"

"""Review data: tag names, tags, notes and the append-only audit log.

Every tag, untag and note is also written to the audit log with the examiner's name, in
the same transaction, so the log and the review data never disagree.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from triage.casedb.audit_chain import (
    CHAIN_EXTENDED,
    CHAIN_RESTARTED,
    CHAIN_STARTED,
    GENESIS,
    ChainStatus,
    check_head,
    entry_digest,
    verify,
)
from triage.casedb.errors import CaseError, require_utf8, stored_json


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _owner(kind: str, item_id: int) -> tuple[int | None, int | None]:
    """(artefact_id, file_id) of a review item named ``(kind, id)``."""
    if kind == "artefact":
        return int(item_id), None
    if kind == "file":
        return None, int(item_id)
    raise ValueError(f"review items are artefacts or files, not {kind!r}")


#: The audit columns as the chain and the views read them: text as its stored bytes, so
#: that text another program stored that is not UTF-8 is chained (and checked) and shown
#: rather than failing the read (see :func:`_decoded` and :func:`shown_audit_entry`).
AUDIT_COLUMNS_AS_STORED = ("id, CAST(ts AS BLOB), CAST(examiner AS BLOB), CAST(action AS BLOB),"
                           " CAST(details AS BLOB)")


def _text(value: Any) -> Any:
    """A text column read as its bytes, decoded as SQLite would for UTF-8, with bytes that
    are not UTF-8 kept as lone surrogates (``surrogateescape``)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def _decoded(row: Sequence[Any]) -> dict[str, Any]:
    """An audit entry read with :attr:`ReviewMixin._AUDIT_COLUMNS`, as the chain hashes it."""
    return {"id": row[0], "ts": _text(row[1]), "examiner": _text(row[2]),
            "action": _text(row[3]), "details": _text(row[4])}


def shown_audit_entry(row: Sequence[Any]) -> dict[str, Any]:
    """An audit entry read with :attr:`ReviewMixin._AUDIT_COLUMNS`, for people: bytes
    that are not UTF-8 as U+FFFD (details still JSON text)."""
    def shown(value: Any) -> Any:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else value

    return {"id": row[0], "ts": shown(row[1]), "examiner": shown(row[2]),
            "action": shown(row[3]), "details": shown(row[4])}


class ReviewMixin:
    """Tags, notes and audit log (mixed into :class:`CaseDatabase`)."""

    conn: sqlite3.Connection

    # -- audit -----------------------------------------------------------------------
    def audit(self, action: str, examiner: str | None, details: dict[str, Any] | None = None) -> None:
        """Append one entry to the audit log (its own transaction)."""
        with self.conn:
            self._audit_in_transaction(action, examiner, details)

    def _audit_in_transaction(
        self, action: str, examiner: str | None, details: dict[str, Any] | None,
        note_unchained: bool = True,
    ) -> None:
        if examiner is not None:
            require_utf8(examiner, "examiner name")
        values = (_now(), examiner, action, json.dumps(details or {}, sort_keys=True, default=str))
        cursor = self.conn.execute(
            "INSERT INTO audit_log (ts, examiner, action, details) VALUES (?, ?, ?, ?)", values)
        entry_id = cursor.lastrowid
        tail = getattr(self, "_chain_tail", None)
        if tail is not None and entry_id == tail[0] + 1 and self._chained_digest(tail[0]) == tail[1]:
            # The entry right after the last one this connection chained (still there:
            # not rolled back): nothing can sit between them, so it is chained from the
            # values just written (text, stored as given) without reading the log back;
            # a tagging of thousands of items writes as many entries.
            digest = entry_digest(tail[1], dict(zip(("ts", "examiner", "action", "details"),
                                                    values, strict=True), id=entry_id))
            self.conn.execute("INSERT INTO audit_chain (audit_id, digest) VALUES (?, ?)",
                              (entry_id, digest))
            self._chain_tail = (entry_id, digest)
            return
        try:
            self._chain_audit_log(entry_id, note_unchained)
        except sqlite3.OperationalError as exc:
            # A case made before the chain, opened while another program held the write
            # lock, has no chain table yet: the next writable open chains this entry.
            if "no such table: audit_chain" not in str(exc):
                raise

    _AUDIT_COLUMNS = AUDIT_COLUMNS_AS_STORED

    def _chained_digest(self, entry_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT CAST(digest AS BLOB) FROM audit_chain WHERE audit_id = ?",
            (entry_id,)).fetchone()
        return None if row is None else _text(row[0])

    def _chain_audit_log(self, own_id: int | None, note_unchained: bool = True) -> None:
        """Chain every audit entry after the last chained one (within the caller's write
        transaction). Entries other than ``own_id``, the one this connection has just
        written, were written without the chain (by another program, or by a triage
        from before it): unless ``note_unchained`` is False, one more entry names them,
        chained as well, so that chaining them is itself in the log."""
        last = self.conn.execute(
            "SELECT audit_id, CAST(digest AS BLOB) FROM audit_chain"
            " ORDER BY audit_id DESC LIMIT 1").fetchone()
        after, previous = (int(last[0]), _text(last[1])) if last else (0, GENESIS)
        rows = [_decoded(row) for row in self.conn.execute(
            f"SELECT {self._AUDIT_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id", (after,))]
        digests = []
        for entry in rows:
            previous = entry_digest(previous, entry)
            digests.append((entry["id"], previous))
        self.conn.executemany("INSERT INTO audit_chain (audit_id, digest) VALUES (?, ?)", digests)
        self._chain_tail = digests[-1] if digests else None
        foreign = [entry["id"] for entry in rows if entry["id"] != own_id]
        if foreign and note_unchained:
            self._audit_in_transaction(CHAIN_EXTENDED, None, {
                "chained_entries": len(foreign), "first": foreign[0], "last": foreign[-1],
                "why": "entries written without the chain (by another program or an earlier"
                       " triage)",
            })

    def _start_audit_chain(self) -> None:
        """Chain the log of a case that has no chain table (just created by ``_ensure``,
        in its write transaction), after an entry saying so: the chain starts (a new
        case, or one made before the chain), or starts again (the log shows it had one:
        another program removed it)."""
        (entries,) = self.conn.execute("SELECT count(*) FROM audit_log").fetchone()
        had_chain = self.conn.execute(
            "SELECT 1 FROM audit_log WHERE CAST(action AS BLOB) IN (?, ?, ?) LIMIT 1",
            tuple(a.encode() for a in (CHAIN_STARTED, CHAIN_EXTENDED, CHAIN_RESTARTED)),
        ).fetchone() is not None
        if had_chain:
            action, why = CHAIN_RESTARTED, ("the chain's table was missing: removed by another"
                                            " program; the entries before this one are not"
                                            " protected")
        else:
            action, why = CHAIN_STARTED, ("a new case" if not entries else
                                          "entries written before this case had a hash chain")
        self._audit_in_transaction(action, None, {"chained_entries": int(entries), "why": why},
                                   note_unchained=False)

    def _audit_log_unchained(self) -> bool:
        """True when the audit log has entries the chain does not cover (or no chain)."""
        try:
            (last_chained,) = self.conn.execute(
                "SELECT coalesce(max(audit_id), 0) FROM audit_chain").fetchone()
        except sqlite3.OperationalError:
            return True
        (last_entry,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()
        return int(last_entry) > int(last_chained)

    def audit_chain_status(self, head: tuple[int, str] | None = None
                           ) -> tuple[ChainStatus, str | None]:
        """Check the audit log's hash chain (:mod:`triage.casedb.audit_chain`).

        Returns the status and, when ``head`` (an entry id and the digest a report
        printed for it) is given, None if the case still agrees with it up to that
        entry, else why not. The log and the chain are read in one transaction, so a
        program writing to the case meanwhile cannot make them disagree.
        """
        started_here = not self.conn.in_transaction
        if started_here:
            self.conn.execute("BEGIN")
        try:
            return self._check_audit_chain(head)
        except (TypeError, ValueError) as exc:
            # A redefined audit table whose entry has no number, or a text one.
            raise CaseError(f"damaged case file: the audit log cannot be checked ({exc})"
                            ) from None
        finally:
            if started_here:
                self.conn.execute("COMMIT")

    def _check_audit_chain(self, head: tuple[int, str] | None) -> tuple[ChainStatus, str | None]:
        tables = {name for (name,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "audit_chain" not in tables:
            # Without a chain, only the numbering tells: a number skipped is an entry removed.
            status = verify(((_decoded(row), None) for row in self.conn.execute(
                f"SELECT {self._AUDIT_COLUMNS} FROM audit_log ORDER BY id")), {}, present=False)
            if self.conn.execute(
                    "SELECT 1 FROM audit_log WHERE CAST(action AS BLOB) IN (?, ?, ?) LIMIT 1",
                    tuple(a.encode() for a in (CHAIN_STARTED, CHAIN_EXTENDED, CHAIN_RESTARTED)),
            ).fetchone():
                status.problem(0, "the chain's table was removed (the log shows the case had"
                                  " a chain)")
            return status, (check_head(status, *head, None) if head else None)
        rows = ((_decoded(row[:5]), None if row[5] is None else _text(row[5]))
                for row in self.conn.execute(
                    f"SELECT {self._AUDIT_COLUMNS}, CAST(c.digest AS BLOB) FROM audit_log"
                    " LEFT JOIN audit_chain c ON c.audit_id = audit_log.id ORDER BY id"))
        orphans = {int(audit_id): _text(digest) for audit_id, digest in self.conn.execute(
            "SELECT audit_id, CAST(digest AS BLOB) FROM audit_chain"
            " WHERE audit_id NOT IN (SELECT id FROM audit_log)")}
        status = verify(rows, orphans)
        if head is None:
            return status, None
        stored = orphans.get(head[0]) if head[0] in orphans else self._chained_digest(head[0])
        return status, check_head(status, head[0], head[1], stored)

    def iter_audit(self) -> Iterator[dict[str, Any]]:
        """Stream the audit log, oldest first (text that is not UTF-8, which only another
        program can have stored, with U+FFFD for its undecodable bytes)."""
        for row in self.conn.execute(f"SELECT {self._AUDIT_COLUMNS} FROM audit_log ORDER BY id"):
            item = shown_audit_entry(row)
            item["details"] = stored_json(item["details"], f"audit entry {item['id']} details")
            yield item

    # -- tag names -------------------------------------------------------------------
    def tag_names(self) -> list[str]:
        """Return the tag names, defaults first."""
        return [r[0] for r in self.conn.execute("SELECT name FROM tag_names ORDER BY id")]

    def add_tag_name(self, name: str, examiner: str | None, description: str | None = None) -> int:
        """Create a custom tag name (once) and return its id."""
        name = name.strip()
        if not name:
            raise ValueError("a tag name cannot be empty")
        with self.conn:
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO tag_names (name, description) VALUES (?, ?)", (name, description)
            )
            if cursor.rowcount:
                self._audit_in_transaction("tag_name.add", examiner, {"name": name})
        return self.conn.execute("SELECT id FROM tag_names WHERE name = ?", (name,)).fetchone()[0]

    # -- tags ------------------------------------------------------------------------
    def tag(
        self,
        tag_name: str,
        examiner: str,
        artefact_id: int | None = None,
        file_id: int | None = None,
        comment: str | None = None,
    ) -> bool:
        """Tag an artefact or a file; return False when it already carried that tag."""
        if (artefact_id is None) == (file_id is None):
            raise ValueError("tag exactly one of an artefact or a file")
        tag_id = self.add_tag_name(tag_name, examiner)
        with self.conn:
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO tags (tag_name_id, artefact_id, file_id, examiner, comment,"
                " created) VALUES (?, ?, ?, ?, ?, ?)",
                (tag_id, artefact_id, file_id, examiner, comment, _now()),
            )
            added = cursor.rowcount == 1
            if added:
                self._audit_in_transaction(
                    "tag.add", examiner,
                    {"tag": tag_name, "artefact_id": artefact_id, "file_id": file_id, "comment": comment},
                )
        return added

    def _begin_write(self) -> None:
        """Take the write lock now, at the start of a batch's transaction (inside ``with
        self.conn``): waiting for another writer happens before anything is written, and
        the batch is then written whole or, on failure, not at all."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")

    def tag_many(
        self, tag_name: str, examiner: str, items: Sequence[tuple[str, int]],
        comment: str | None = None, note_comment_if_tagged: bool = False,
    ) -> list[tuple[str, int]]:
        """Tag every ``(kind, id)`` of ``items`` (kind 'artefact' or 'file') in one
        transaction, each tag recorded in the audit log; return the items that already
        carried the tag (their tag and its earlier comment left as they were).

        With ``note_comment_if_tagged``, a ``comment`` for an item already tagged is kept
        as a note on it ("Comment on the tag NAME: ...") in the same transaction, rather
        than dropped.
        """
        name = tag_name.strip()
        if not name:
            raise ValueError("a tag name cannot be empty")
        already: list[tuple[str, int]] = []
        with self.conn:
            self._begin_write()
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO tag_names (name, description) VALUES (?, NULL)", (name,))
            if cursor.rowcount:
                self._audit_in_transaction("tag_name.add", examiner, {"name": name})
            tag_id = self.conn.execute(
                "SELECT id FROM tag_names WHERE name = ?", (name,)).fetchone()[0]
            now = _now()
            for kind, item_id in items:
                artefact_id, file_id = _owner(kind, item_id)
                cursor = self.conn.execute(
                    "INSERT OR IGNORE INTO tags (tag_name_id, artefact_id, file_id, examiner,"
                    " comment, created) VALUES (?, ?, ?, ?, ?, ?)",
                    (tag_id, artefact_id, file_id, examiner, comment, now),
                )
                if cursor.rowcount == 1:
                    self._audit_in_transaction(
                        "tag.add", examiner, {"tag": name, "artefact_id": artefact_id,
                                              "file_id": file_id, "comment": comment})
                else:
                    already.append((kind, item_id))
                    if comment and note_comment_if_tagged:
                        text = f"Comment on the tag {name}: {comment}"
                        self.conn.execute(
                            "INSERT INTO notes (artefact_id, file_id, examiner, text, created)"
                            " VALUES (?, ?, ?, ?, ?)", (artefact_id, file_id, examiner, text, now))
                        self._audit_in_transaction(
                            "note.add", examiner,
                            {"artefact_id": artefact_id, "file_id": file_id, "text": text})
        return already

    def untag_many(self, tag_name: str, examiner: str, items: Sequence[tuple[str, int]]) -> int:
        """Remove ``tag_name`` from every ``(kind, id)`` of ``items`` in one transaction,
        each removal recorded in the audit log; return how many carried it."""
        removed = 0
        with self.conn:
            self._begin_write()
            for kind, item_id in items:
                artefact_id, file_id = _owner(kind, item_id)
                cursor = self.conn.execute(
                    "DELETE FROM tags WHERE tag_name_id = (SELECT id FROM tag_names WHERE name = ?)"
                    " AND artefact_id IS ? AND file_id IS ?",
                    (tag_name, artefact_id, file_id),
                )
                if cursor.rowcount > 0:
                    removed += 1
                    self._audit_in_transaction(
                        "tag.remove", examiner,
                        {"tag": tag_name, "artefact_id": artefact_id, "file_id": file_id})
        return removed

    def add_note_many(self, text: str, examiner: str, items: Sequence[tuple[str, int]]) -> int:
        """Attach the note ``text`` to every ``(kind, id)`` of ``items`` in one transaction
        (each note recorded in the audit log); return how many notes were added."""
        if not text.strip():
            raise ValueError("a note cannot be empty")
        now = _now()
        with self.conn:
            self._begin_write()
            for kind, item_id in items:
                artefact_id, file_id = _owner(kind, item_id)
                self.conn.execute(
                    "INSERT INTO notes (artefact_id, file_id, examiner, text, created)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (artefact_id, file_id, examiner, text, now),
                )
                self._audit_in_transaction(
                    "note.add", examiner,
                    {"artefact_id": artefact_id, "file_id": file_id, "text": text})
        return len(items)

    def untag(
        self, tag_name: str, examiner: str, artefact_id: int | None = None, file_id: int | None = None
    ) -> bool:
        """Remove a tag from an artefact or file; return False when it was not there."""
        with self.conn:
            cursor = self.conn.execute(
                "DELETE FROM tags WHERE tag_name_id = (SELECT id FROM tag_names WHERE name = ?)"
                " AND artefact_id IS ? AND file_id IS ?",
                (tag_name, artefact_id, file_id),
            )
            removed = cursor.rowcount > 0
            if removed:
                self._audit_in_transaction(
                    "tag.remove", examiner,
                    {"tag": tag_name, "artefact_id": artefact_id, "file_id": file_id},
                )
        return removed

    def tags_for(self, artefact_id: int | None = None, file_id: int | None = None) -> list[dict[str, Any]]:
        """Return the tags on one artefact or file (name, examiner, comment, created)."""
        rows = self.conn.execute(
            "SELECT n.name, t.examiner, t.comment, t.created FROM tags t"
            " JOIN tag_names n ON n.id = t.tag_name_id"
            " WHERE t.artefact_id IS ? AND t.file_id IS ? ORDER BY t.id",
            (artefact_id, file_id),
        )
        return [dict(r) for r in rows]

    def tagged_artefact_ids(self) -> list[int]:
        """Return the ids of every tagged artefact."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT artefact_id FROM tags WHERE artefact_id IS NOT NULL ORDER BY artefact_id")]

    def noted_untagged_artefact_ids(self) -> list[int]:
        """Return the ids of artefacts that carry a note and no tag."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT artefact_id FROM notes WHERE artefact_id IS NOT NULL"
            " AND artefact_id NOT IN (SELECT artefact_id FROM tags"
            " WHERE artefact_id IS NOT NULL) ORDER BY artefact_id")]

    def tagged_file_ids(self) -> list[int]:
        """Return the ids of every tagged file."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT file_id FROM tags WHERE file_id IS NOT NULL ORDER BY file_id")]

    def tag_counts(self) -> dict[str, int]:
        """Return ``{tag name: number of tagged items}``."""
        return {name: artefacts + files for name, (artefacts, files) in self.tag_counts_by_kind().items()}

    def tag_counts_by_kind(self) -> dict[str, tuple[int, int]]:
        """Return ``{tag name: (tagged artefacts, tagged files)}``."""
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(
            "SELECT n.name, count(t.artefact_id), count(t.file_id) FROM tag_names n"
            " LEFT JOIN tags t ON t.tag_name_id = n.id GROUP BY n.id ORDER BY n.id")}

    # -- notes -----------------------------------------------------------------------
    def add_note(
        self, text: str, examiner: str, artefact_id: int | None = None, file_id: int | None = None
    ) -> int:
        """Attach a note to an artefact or a file and return its id."""
        if (artefact_id is None) == (file_id is None):
            raise ValueError("a note belongs to exactly one of an artefact or a file")
        if not text.strip():
            raise ValueError("a note cannot be empty")
        with self.conn:
            cursor = self.conn.execute(
                "INSERT INTO notes (artefact_id, file_id, examiner, text, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (artefact_id, file_id, examiner, text, _now()),
            )
            self._audit_in_transaction(
                "note.add", examiner, {"artefact_id": artefact_id, "file_id": file_id, "text": text}
            )
        return int(cursor.lastrowid)

    def notes_for(self, artefact_id: int | None = None, file_id: int | None = None) -> list[dict[str, Any]]:
        """Return the notes on one artefact or file, oldest first."""
        rows = self.conn.execute(
            "SELECT id, examiner, text, created FROM notes WHERE artefact_id IS ? AND file_id IS ?"
            " ORDER BY id",
            (artefact_id, file_id),
        )
        return [dict(r) for r in rows]

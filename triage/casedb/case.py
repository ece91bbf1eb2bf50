"""The case database: one SQLite file per case, the only place in triage with SQL.

:class:`CaseDatabase` opens or creates a case, migrates older schemas, refuses files
that are not cases or come from a newer triage, and offers the write path the engine
uses (evidence, volumes, runs, batches of files, artefacts and warnings, each batch
atomic) and the read path the CLI, reports and UI use (streamed iterators and paged
queries). Tags, notes and the append-only audit log live in :mod:`triage.casedb.review`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from triage import __version__
from triage.casedb.errors import (
    CaseBusy,
    CaseCheckCancelled,
    CaseError,
    is_busy,
    require_utf8,
    stored_json,
)
from triage.casedb.ordered_ids import OrderedIds
from triage.casedb.path_text import stored_path, stored_text
from triage.casedb.queries import ArtefactQueries, FileQueries
from triage.casedb.review import ReviewMixin
from triage.casedb.run_process import process_alive, this_process
from triage.casedb.schema import (
    APPLICATION_ID,
    ENSURED_TABLES,
    ENSURED_TRIGGER_TABLES,
    ENSURED_TRIGGERS,
    MIGRATIONS,
    SCHEMA_VERSION,
)

#: SQL name of :func:`fold_text` on every case connection.
FOLD_FUNCTION = "triage_fold"


def fold_text(value: object) -> object:
    """Unicode case folding for SQL filters (SQLite's LIKE folds ASCII letters only)."""
    return value.casefold() if isinstance(value, str) else value


#: How long a connection waits for another one's write lock (seconds), unless told otherwise
#: (:meth:`CaseDatabase.busy_wait`).
BUSY_TIMEOUT = 30

#: Pages (4 KiB each) the write-ahead log may hold before a checkpoint, in deferred_sync.
DEFERRED_CHECKPOINT_PAGES = 8192


def utc_now() -> str:
    """Return the current time as ISO 8601 UTC with a 'Z' suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Values may quote an evidence path that is not UTF-8, or hold a lone surrogate
        # from hostile JSON: each string is stored as stored_path writes it (escaping the
        # JSON text itself gave invalid JSON, "\x" not being a JSON escape).
        return json.dumps(_stored_strings(json.loads(text)), ensure_ascii=False,
                          sort_keys=True)
    return text


def _stored_strings(value: Any) -> Any:
    if isinstance(value, str):
        return stored_path(value)
    if isinstance(value, dict):
        return {stored_path(key): _stored_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stored_strings(item) for item in value]
    return value


#: Seconds an open waits for another program's write lock to add missing triggers.
ENSURE_WAIT_S = 0.5


class CaseDatabase(ArtefactQueries, FileQueries, ReviewMixin):
    """An open case file.

    Use :meth:`create`, :meth:`open` or :meth:`open_or_create`; close with :meth:`close`
    or use it as a context manager. One writer and any number of readers may have the
    same case open at once (WAL mode); each thread needs its own ``CaseDatabase``.
    """

    FILE_COLUMNS = (
        "evidence_id", "volume_idx", "path", "parent", "name", "extension", "inode", "stream",
        "meta_type", "kind", "size", "deleted", "allocated", "mtime", "atime", "ctime",
        "crtime", "mode", "uid", "gid", "md5", "sha1", "sha256", "mime", "mime_description",
        "extension_mismatch", "run_id", "identity",
    )
    # On a rescan, values already known are kept unless the new run computed them.
    _FILE_UPSERT_KEEP = ("md5", "sha1", "sha256", "mime", "mime_description", "extension_mismatch")

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly
        #: Whether a file row being written may already be stored (then rows are upserted).
        self._files_seen_before = False
        #: Sorted ids behind deep pages of the file and artefact tables.
        self._ordered_file_ids = OrderedIds()
        self._ordered_artefact_ids = OrderedIds()

    @functools.cached_property
    def db(self) -> Any:
        """An ``sqlite_utils.Database`` over the same connection, for ad hoc inspection.

        Imported on first use: sqlite-utils costs a tenth of a second to import, paid
        before any scan's workers can start.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- opening ---------------------------------------------------------------------
    @staticmethod
    def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
        # Quoted: '?', '#' and '%' in a file name would otherwise end or escape the path.
        uri = f"file:{quote(os.fsencode(path.as_posix()), safe='/')}?mode={'ro' if readonly else 'rwc'}"
        if readonly and not os.access(path.parent, os.W_OK):
            # Read-only media: SQLite cannot make the WAL index file there, and nothing
            # can be writing to the case either, so read it as an unchanging file.
            uri += "&immutable=1"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.create_function(FOLD_FUNCTION, 1, fold_text, deterministic=True)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")
        except sqlite3.Error as exc:
            raise CaseError(f"{path}: cannot open the case file ({exc})") from None
        return conn

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        name: str | None = None,
        number: str | None = None,
        examiner: str | None = None,
        description: str | None = None,
    ) -> CaseDatabase:
        """Create a new case file at ``path`` (which must not exist)."""
        path = Path(path)
        if path.exists():
            raise CaseError(f"{path}: a file of that name exists already")
        if not path.parent.is_dir():
            raise CaseError(f"{path.parent}: the folder for the case does not exist")
        for value, what in ((name, "case name"), (number, "case number"),
                            (examiner, "examiner name"), (description, "case description")):
            if value is not None:
                require_utf8(value, what)
        # A file name with bytes that are not UTF-8 still names the case, shown with U+FFFD.
        name = name or path.stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        # Built under a temporary name and moved into place whole: an interrupted creation
        # (Ctrl-C, a full disk) leaves no half-made case that later scans would refuse.
        building = path.with_name(
            f".{path.name[:40]}.creating-{os.getpid()}-{secrets.token_hex(4)}")
        placed = False
        try:
            cls._build(building, path, name, number, examiner, description)
            _move_into_place(building, path)
            placed = True
            return cls.open(path)
        except BaseException:
            for made in (building, *([path] if placed else [])):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{made}{suffix}").unlink(missing_ok=True)
            raise

    @classmethod
    def _build(cls, path: Path, final: Path, name: str, number: str | None,
               examiner: str | None, description: str | None) -> None:
        """Write a complete new case at ``path`` (to become ``final``) and close it."""
        conn = cls._connect(path, readonly=False)
        case = cls(path, conn)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            with case.deferred_sync():
                case._migrate(0)
                with conn:
                    conn.execute(
                        "INSERT INTO case_info (id, name, number, description, created,"
                        " tool_version) VALUES (1, ?, ?, ?, ?, ?)",
                        (name, number, description, utc_now(), __version__),
                    )
                if examiner:
                    case.add_examiner(examiner)
            case.audit("case.create", examiner, {"name": name, "number": number})
            # Everything into the main file, which alone is moved into place: a
            # checkpoint that cannot finish (a full disk) must fail the creation.
            busy, logged, copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            wal = Path(f"{path}-wal")
            if busy or logged != copied or (wal.exists() and wal.stat().st_size):
                raise sqlite3.OperationalError("the write-ahead log could not be written back")
        except (sqlite3.Error, OSError) as exc:
            raise CaseError(f"{final}: cannot create the case ({exc})") from None
        finally:
            case.close()

    @classmethod
    def open(cls, path: str | os.PathLike, readonly: bool = False, check_whole: bool = False,
             cancelled: Callable[[], bool] | None = None) -> CaseDatabase:
        """Open an existing case, migrating an older schema (unless ``readonly``).

        With ``check_whole`` (before a scan writes into it), every page of the file is
        checked first (``PRAGMA quick_check``, about 1 s for a million files): opening
        otherwise reads only the pages it needs, so damage elsewhere would show only when
        a view reached it, after more was written. A damaged case raises CaseError before
        anything is written to it; ``cancelled`` returning True stops the check
        (CaseCheckCancelled).
        """
        if not os.fspath(path):
            raise CaseError("no case file named (the name is empty)")
        path = Path(path)
        if path.is_dir():
            raise CaseError(f"{path}: a folder, not a case file")
        if not path.is_file():
            raise CaseError(f"{path}: no such case file")
        # The file is never opened here but through SQLite: closing any other descriptor
        # of it drops every POSIX lock this process holds on it, those of a connection
        # already open included (the GUI's, while an export opens the case again), and
        # another process could then take the log files away from under that connection.
        if path.stat().st_size == 0:
            raise CaseError(f"{path}: not a triage case file (empty)")
        if not readonly and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            # SQLite also writes its log files next to the case.
            raise CaseError(f"{path}: the case file or its folder is read-only; scans, tags"
                            " and exports write to the case (copy it to a writable place)")
        conn = cls._connect(path, readonly)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            conn.close()
            if "not a database" in str(exc):
                raise CaseError(
                    f"{path}: not a triage case file (not an SQLite database)") from None
            raise CaseError(f"{path}: not a readable triage case file ({exc})") from None
        if app_id != APPLICATION_ID:
            conn.close()
            if app_id == 0 and path.stat().st_size < 512:
                # Shorter than SQLite's smallest page: a cut-short file, not a database
                # of another program (SQLite reads a header it cannot find as zeros).
                raise CaseError(f"{path}: damaged case file (truncated to"
                                f" {path.stat().st_size} bytes)")
            raise CaseError(f"{path}: not a triage case file (an SQLite database of another program)")
        if version > SCHEMA_VERSION:
            conn.close()
            raise CaseError(
                f"{path}: written by a newer triage (case schema {version}, this version reads up to "
                f"{SCHEMA_VERSION}); update triage to open it"
            )
        if version < 1:
            conn.close()
            raise CaseError(f"{path}: damaged case file (schema version {version})")
        if check_whole:
            try:
                _check_every_page(conn, path, cancelled)
            except BaseException:
                conn.close()
                raise
        case = cls(path, conn, readonly)
        if version < SCHEMA_VERSION:
            if readonly:
                conn.close()
                raise CaseError(f"{path}: case schema {version} needs migrating; open it writable once")
            try:
                case._migrate(version)
            except sqlite3.Error as exc:
                conn.close()
                raise CaseError(f"{path}: the case could not be migrated ({exc});"
                                " it may be damaged") from None
        try:
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                case._ensure()
            # The tables every view reads first: a damaged file fails here, in one line.
            conn.execute("SELECT count(*) FROM artefact_types").fetchone()
            conn.execute("SELECT id FROM case_info").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            raise CaseError(f"{path}: damaged case file ({exc})") from None
        return case

    @classmethod
    def open_or_create(
        cls, path: str | os.PathLike, name: str | None = None, examiner: str | None = None
    ) -> CaseDatabase:
        """Open the case at ``path`` if it exists, else create it."""
        path = Path(path)
        if path.exists():
            case = cls.open(path)
            if examiner:
                case.add_examiner(examiner)
            return case
        return cls.create(path, name=name, examiner=examiner)

    def _migrate(self, from_version: int) -> None:
        for version in range(from_version, SCHEMA_VERSION):
            with self.conn:
                self.conn.executescript("BEGIN;" + MIGRATIONS[version] + "COMMIT;")
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
        self._ensure()

    def _ensure(self) -> None:
        """Give the case the tables and triggers ``schema.ENSURED_TABLES`` and
        ``schema.ENSURED_TRIGGERS`` list, as they are there (a case made before one, or one
        whose trigger another program dropped or changed), and chain the audit entries
        written without the hash chain (:meth:`_chain_audit_log`). Writes nothing when all
        is in place; when another program holds the write lock, leaves it to a later open
        rather than waiting."""
        absent, missing = self._missing_schema_objects()
        if not absent and not missing and not self._audit_log_unchained():
            return
        try:
            with self.busy_wait(ENSURE_WAIT_S):
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    # Again under the write lock: another program may have done it since.
                    absent, missing = self._missing_schema_objects()
                    for _, sql in absent:
                        self.conn.execute(sql)
                    for name, sql in missing:
                        self.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
                        self.conn.execute(sql)
                    if "audit_chain" in dict(absent):
                        self._start_audit_chain()
                    else:
                        self._chain_audit_log(None)
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
        except CaseBusy:
            pass
        except (TypeError, ValueError) as exc:
            # A redefined audit table whose entry has no number, or a text one.
            raise CaseError(f"{self.path}: damaged case file (audit log: {exc})") from None

    def _missing_schema_objects(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The ENSURED_TABLES absent and the ENSURED_TRIGGERS missing or changed."""
        tables = {name for (name,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        absent = [(name, sql) for name, sql in ENSURED_TABLES.items() if name not in tables]
        marks = ", ".join("?" * len(ENSURED_TRIGGER_TABLES))
        present = dict(self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            f" AND tbl_name IN ({marks})", ENSURED_TRIGGER_TABLES))
        missing = [(name, sql) for name, sql in ENSURED_TRIGGERS.items()
                   if present.get(name) != sql]
        return absent, missing

    def data_version(self) -> int:
        """A number that changes when another connection (another program) commits to
        the case; this connection's own writes leave it as it is."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self, busy_wait: float | None = None) -> None:
        """Close the connection (checkpointing the WAL when writable).

        The checkpoint waits for another connection writing to the case up to
        :data:`BUSY_TIMEOUT`, or ``busy_wait`` seconds when given (a window that must not
        freeze); one that cannot finish is left to a later close.
        """
        try:
            if not self.readonly:
                if busy_wait is not None:
                    self.conn.execute(f"PRAGMA busy_timeout = {max(0, int(busy_wait * 1000))}")
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        self.conn.close()

    @contextlib.contextmanager
    def deferred_sync(self) -> Iterator[None]:
        """Commit without waiting for the disk until the block ends.

        Inside the block a commit is not synced on its own (write-ahead log with
        ``synchronous = NORMAL``): a power cut may lose the block's last commits but never
        leaves the case inconsistent. The first commit after the block, or closing the
        case, syncs everything before it. A scan commits a batch every half second and a
        sync each costs milliseconds on a USB stick, so the engine writes its batches
        inside such a block and records the run's end after it.
        """
        self.conn.execute("PRAGMA synchronous = NORMAL")
        # A checkpoint syncs too: let the log grow to 32 MiB (instead of 4) before one.
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {DEFERRED_CHECKPOINT_PAGES}")
        try:
            yield
        finally:
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA wal_autocheckpoint = 1000")

    @contextlib.contextmanager
    def busy_wait(self, seconds: float) -> Iterator[None]:
        """Wait at most ``seconds`` (instead of :data:`BUSY_TIMEOUT`) for another
        connection's write lock inside the block, and raise :class:`CaseBusy` (one line,
        nothing written by the failed statement's transaction) when it is not released in
        time. For writes made while someone waits on them (the GUI's tags and notes)."""
        self.conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")
        try:
            yield
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise CaseBusy(f"{self.path}: the case is busy (another program is writing to"
                               " it); try again") from None
            raise
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")

    def __enter__(self) -> CaseDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- case and examiners ----------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Return the case's name, number, description, creation time and schema version."""
        row = self.conn.execute("SELECT * FROM case_info WHERE id = 1").fetchone()
        info = dict(row) if row else {}
        info["schema_version"] = SCHEMA_VERSION
        info["path"] = str(self.path)
        return info

    def add_examiner(self, name: str) -> int:
        """Record an examiner (once) and return its id."""
        require_utf8(name, "examiner name")
        with self.conn:
            self.conn.execute(
                "INSERT OR IGNORE INTO examiners (name, created) VALUES (?, ?)", (name, utc_now())
            )
        return self.conn.execute("SELECT id FROM examiners WHERE name = ?", (name,)).fetchone()[0]

    def examiners(self) -> list[str]:
        """Return the examiners' names in the order they joined the case."""
        return [r[0] for r in self.conn.execute("SELECT name FROM examiners ORDER BY id")]

    # -- evidence and volumes --------------------------------------------------------
    def add_evidence(
        self,
        path: str,
        format: str,
        size: int | None,
        segments: Sequence[str] = (),
        media_info: dict[str, Any] | None = None,
        stored_hashes: dict[str, str] | None = None,
        examiner: str | None = None,
    ) -> int:
        """Record an evidence item (once per path) and return its id.

        Paths that are not UTF-8 are stored as :func:`stored_path` writes them.
        """
        path = stored_path(path)
        segments = [stored_path(segment) for segment in segments]
        existing = self.conn.execute(
            "SELECT id, format, size FROM evidence WHERE path = ?", (path,)).fetchone()
        if existing:
            if (existing[1], existing[2]) != (format, size):
                # Another image at a recorded path (replaced, or a name that reads like
                # another's \xNN escape): merging the two would mix their files.
                raise CaseError(
                    f"{path}: the case holds other evidence under this path ({existing[1]},"
                    f" {existing[2]} bytes; this is {format}, {size} bytes); scan it into"
                    " another case, or give it another name")
            return existing[0]
        with self.conn:
            cursor = self.conn.execute(
                "INSERT INTO evidence (path, name, format, size, segments, media_info, stored_hashes,"
                " added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    path, Path(path).name, format, size, _json(list(segments)),
                    _json(media_info or {}), _json(stored_hashes or {}), utc_now(),
                ),
            )
        evidence_id = int(cursor.lastrowid)
        self.audit("evidence.add", examiner, {"evidence_id": evidence_id, "path": path, "format": format})
        return evidence_id

    def set_evidence_hashes(
        self, evidence_id: int, hashes: dict[str, str], verification: str | None
    ) -> None:
        """Store the computed image hashes and the verification result."""
        with self.conn:
            self.conn.execute(
                "UPDATE evidence SET md5 = ?, sha1 = ?, sha256 = ?, verification = ? WHERE id = ?",
                (hashes.get("md5"), hashes.get("sha1"), hashes.get("sha256"), verification, evidence_id),
            )

    def list_evidence(self) -> list[dict[str, Any]]:
        """Return every evidence item with its decoded segments, media info and stored hashes."""
        rows = []
        for row in self.conn.execute("SELECT * FROM evidence ORDER BY id"):
            item = dict(row)
            for key in ("segments", "media_info", "stored_hashes"):
                item[key] = stored_json(item[key], f"evidence {item['id']} {key}")
            rows.append(item)
        return rows

    def evidence_by_id(self, evidence_id: int) -> dict[str, Any] | None:
        """Return one evidence item or None."""
        return next((e for e in self.list_evidence() if e["id"] == evidence_id), None)

    def upsert_volume(self, evidence_id: int, volume: dict[str, Any]) -> None:
        """Record a volume (index, start, length, kind, description, scheme, fs_type, ...)."""
        with self.conn:
            self.conn.execute(
                "INSERT INTO volumes (evidence_id, idx, start, length, kind, description, scheme,"
                " fs_type, block_size, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (evidence_id, idx) DO UPDATE SET start = excluded.start,"
                " length = excluded.length, kind = excluded.kind, description = excluded.description,"
                " scheme = excluded.scheme, fs_type = excluded.fs_type,"
                " block_size = excluded.block_size, status = excluded.status",
                (
                    evidence_id, volume["index"], volume["start"], volume["length"], volume["kind"],
                    volume.get("description"), volume.get("scheme"), volume.get("fs_type"),
                    volume.get("block_size"),
                    None if volume.get("status") is None else stored_path(volume["status"]),
                ),
            )

    def list_volumes(self, evidence_id: int | None = None) -> list[dict[str, Any]]:
        """Return the volumes (of one evidence item, or all) in index order.

        That is disk order, save partitions The Sleuth Kit missed, which come last (see
        :meth:`triage.evidence.Evidence.volumes`).
        """
        if evidence_id is None:
            cursor = self.conn.execute("SELECT * FROM volumes ORDER BY evidence_id, idx")
        else:
            cursor = self.conn.execute(
                "SELECT * FROM volumes WHERE evidence_id = ? ORDER BY idx", (evidence_id,)
            )
        return [dict(r) for r in cursor]

    # -- runs ------------------------------------------------------------------------
    def begin_run(
        self,
        profile: str,
        extractors: Sequence[str],
        examiner: str | None,
        evidence_ids: Sequence[int],
        jobs: int = 1,
    ) -> int:
        """Record the start of an ingest run and return its id."""
        with self.conn:
            cursor = self.conn.execute(
                "INSERT INTO runs (started, status, profile, examiner, tool_version, extractors,"
                " evidence_ids, jobs, stats) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                (utc_now(), profile, examiner, __version__, _json(list(extractors)),
                 _json(list(evidence_ids)), jobs, _json({"process": this_process()})),
            )
        run_id = int(cursor.lastrowid)
        self.audit("run.start", examiner, {"run_id": run_id, "profile": profile,
                                           "evidence_ids": list(evidence_ids)})
        return run_id

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any], examiner: str | None) -> None:
        """Record the end of a run ('completed', 'cancelled' or 'failed') with its statistics."""
        row = self.conn.execute("SELECT stats FROM runs WHERE id = ?", (run_id,)).fetchone()
        try:
            process = json.loads(row[0]).get("process") if row else None
        except (TypeError, ValueError, AttributeError):
            process = None
        if process is not None:
            stats = {**stats, "process": process}  # which machine ran it, for the record
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
                (utc_now(), status, _json(stats), run_id),
            )
        self.audit("run.finish", examiner, {"run_id": run_id, "status": status})

    def list_runs(self) -> list[dict[str, Any]]:
        """Return every run, oldest first."""
        rows = []
        for row in self.conn.execute("SELECT * FROM runs ORDER BY id"):
            item = dict(row)
            for key in ("extractors", "evidence_ids", "stats"):
                item[key] = stored_json(item[key], f"run {item['id']} {key}")
            if item["status"] == "running" and _run_process_alive(item) is False:
                item["status"] = "interrupted"  # its process is gone (killed, power cut)
            rows.append(item)
        return rows

    def runs_recorded_running(self) -> list[dict[str, Any]]:
        """Return the runs whose recorded status is still 'running' (id, started, and
        ``alive``: True when their process runs here, False when it is gone, None when
        that cannot be known), oldest first. Their findings may be incomplete."""
        rows = []
        for run_id, started, stats in self.conn.execute(
                "SELECT id, started, stats FROM runs WHERE status = 'running' ORDER BY id"):
            try:
                item = {"stats": json.loads(stats)}
            except (TypeError, ValueError):
                item = {"stats": {}}
            rows.append({"id": run_id, "started": started, "alive": _run_process_alive(item)})
        return rows

    def mark_interrupted_runs(self) -> int:
        """Mark runs left 'running' by a process that is gone as 'interrupted'; a run whose
        process still runs here (another scan of this case) is left alone. Return how many."""
        running = self.conn.execute(
            "SELECT id, stats FROM runs WHERE status = 'running'").fetchall()
        dead = []
        for run_id, stats in running:
            try:
                item = {"stats": json.loads(stats)}
            except (TypeError, ValueError):
                item = {"stats": {}}
            if not _run_process_alive(item):
                dead.append((run_id,))
        with self.conn:
            self.conn.executemany(
                "UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'", dead)
        return len(dead)

    # -- the write path --------------------------------------------------------------
    def register_artefact_types(self, types: Iterable[Any]) -> None:
        """Record the artefact types (name, label, category, attributes, columns)."""
        rows = [
            (
                t.name, t.label, t.category,
                _json([{"name": a.name, "value_type": a.value_type, "label": a.display_label()}
                       for a in t.attributes]),
                _json(list(t.columns)),
            )
            for t in types
        ]
        with self.conn:
            self.conn.executemany(
                "INSERT INTO artefact_types (name, label, category, attributes, columns)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET label = excluded.label,"
                " category = excluded.category, attributes = excluded.attributes,"
                " columns = excluded.columns",
                rows,
            )

    def write_batch(
        self,
        files: Sequence[dict[str, Any] | tuple[Any, ...]] = (),
        artefacts: Sequence[dict[str, Any]] = (),
        warnings: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Write files, then artefacts, then warnings, in one transaction.

        A file is a row dict or its :func:`file_record` (values in ``FILE_COLUMNS`` order).

        Files and artefacts are keyed by ``(evidence_id, identity)``, so writing the same
        batch twice (a resumed or repeated scan) adds no rows. An artefact may name its
        file by ``file_identity`` instead of ``file_id``.
        """
        columns = self.FILE_COLUMNS
        updates = ", ".join(_file_update(c, c in self._FILE_UPSERT_KEEP)
                            for c in columns if c not in ("evidence_id", "identity"))
        insert_sql = (
            f"INSERT INTO files ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )
        upsert_sql = f"{insert_sql} ON CONFLICT (evidence_id, identity) DO UPDATE SET {updates}"
        file_rows = [f if isinstance(f, tuple) else _file_row(f, columns) for f in files]
        if file_rows and not self._files_seen_before:
            # A plain insert costs half an upsert; the first batch that meets a row already
            # stored (a rescan) is rolled back and written again, and every later one upserts.
            try:
                self._write_rows(insert_sql, file_rows, artefacts, warnings)
                return
            except sqlite3.IntegrityError:
                self._files_seen_before = True
            except sqlite3.Error as exc:
                raise CaseError(f"{self.path}: writing to the case failed ({exc})") from None
        try:
            self._write_rows(upsert_sql, file_rows, artefacts, warnings)
        except sqlite3.Error as exc:
            raise CaseError(f"{self.path}: writing to the case failed ({exc})") from None

    def _write_rows(self, file_sql: str, file_rows: list[tuple[Any, ...]],
                    artefacts: Sequence[dict[str, Any]],
                    warnings: Sequence[dict[str, Any]]) -> None:
        """Write one batch in one transaction (rolled back whole when anything fails)."""
        with self.conn:
            if file_rows:
                self.conn.executemany(file_sql, file_rows)
            if artefacts:
                self._insert_artefacts(artefacts)
            if warnings:
                now = utc_now()
                self.conn.executemany(
                    "INSERT INTO warnings (run_id, evidence_id, volume_idx, path, source, message,"
                    " created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(w.get("run_id"), w.get("evidence_id"), w.get("volume_idx"), w.get("path"),
                      # Messages may quote an evidence path that is not UTF-8.
                      w.get("source", "engine"), stored_path(w["message"]), now)
                     for w in warnings],
                )

    def _insert_artefacts(self, artefacts: Sequence[dict[str, Any]]) -> None:
        rows = []
        for a in artefacts:
            file_id = a.get("file_id")
            if file_id is None and a.get("file_identity") is not None:
                found = self.conn.execute(
                    "SELECT id FROM files WHERE evidence_id = ? AND identity = ?",
                    (a["evidence_id"], a["file_identity"]),
                ).fetchone()
                file_id = found[0] if found else None
            elif file_id is None and a.get("file_path"):
                found = self._file_by_path(a["evidence_id"], a.get("volume_idx"), a["file_path"])
                if found:
                    # A folder-level artefact takes the provenance of the folder it describes.
                    file_id = found[0]
                    a = {**a, "inode": a.get("inode") or found[1],
                         "deleted": bool(a.get("deleted")) or bool(found[2])}
            attributes = a["attributes"]
            latitude, longitude = _coordinates(attributes)
            # Text from evidence may hold lone surrogates (hostile JSON's "\ud800"),
            # which UTF-8 cannot store: one such value must not fail the whole batch.
            rows.append((
                a["type"], a["category"], a["evidence_id"], a.get("volume_idx"), file_id,
                stored_text(a.get("path")), a.get("inode"), int(bool(a.get("deleted"))),
                int(bool(a.get("unallocated"))), a.get("offset"), stored_text(a.get("context")),
                _json(attributes), stored_path(summary_text(a)), a["extractor"],
                a["extractor_version"], a.get("run_id"), stored_path(a["identity"]), latitude,
                longitude,
            ))
        # Rows get ids above the largest one (no AUTOINCREMENT, rows are never renumbered):
        # the new ones, and only those (INSERT OR IGNORE skips rows stored before), are
        # indexed for the filter box in one statement.
        last_id = self.conn.execute("SELECT coalesce(max(id), 0) FROM artefacts").fetchone()[0]
        self.conn.executemany(
            "INSERT OR IGNORE INTO artefacts (type, category, evidence_id, volume_idx, file_id, path,"
            " inode, deleted, unallocated, offset, context, attributes, summary, extractor,"
            " extractor_version, run_id, identity, latitude, longitude)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.conn.execute(
            "INSERT INTO artefacts_fts (rowid, summary) SELECT id, summary FROM artefacts"
            " WHERE id > ?",
            (last_id,),
        )

    def _file_by_path(self, evidence_id: int, volume_idx: int | None,
                      file_path: str) -> tuple[int, str | None, int] | None:
        """(id, inode, deleted) of the file at ``file_path`` (the allocated one first)."""
        parent, _, name = file_path.rpartition("/")
        return self.conn.execute(
            "SELECT id, inode, deleted FROM files WHERE evidence_id = ? AND volume_idx IS ?"
            " AND parent = ? AND name = ? ORDER BY deleted, id LIMIT 1",
            (evidence_id, volume_idx, parent or "/", name),
        ).fetchone()

    def link_artefacts_by_path(self, artefacts: Sequence[dict[str, Any]]) -> None:
        """Give artefacts that name their file by ``file_path`` the provenance they lacked.

        An artefact about a folder's content can reach the case before the rows of the
        files it names (another worker lists that folder); once every file is written,
        this links it to its file, as if the file had been there first.
        """
        try:
            with self.conn:
                for a in artefacts:
                    stored = self.conn.execute(
                        "SELECT id FROM artefacts WHERE evidence_id = ? AND identity = ?"
                        " AND file_id IS NULL", (a["evidence_id"], a["identity"]),
                    ).fetchone()
                    if stored is None:
                        continue
                    found = self._file_by_path(a["evidence_id"], a.get("volume_idx"), a["file_path"])
                    if found:
                        self.conn.execute(
                            "UPDATE artefacts SET file_id = ?, inode = coalesce(inode, ?),"
                            " deleted = max(deleted, ?) WHERE id = ?",
                            (found[0], found[1], int(bool(found[2])), stored[0]),
                        )
        except sqlite3.Error as exc:
            raise CaseError(f"{self.path}: writing to the case failed ({exc})") from None

    # -- warnings --------------------------------------------------------------------
    def iter_warnings(self, run_id: int | None = None) -> Iterator[dict[str, Any]]:
        """Stream the recorded warnings (of one run, or all)."""
        if run_id is None:
            cursor = self.conn.execute("SELECT * FROM warnings ORDER BY id")
        else:
            cursor = self.conn.execute("SELECT * FROM warnings WHERE run_id = ? ORDER BY id", (run_id,))
        for row in cursor:
            yield dict(row)

    def count_warnings(self, run_id: int | None = None) -> int:
        """Count warnings (of one run, or all)."""
        if run_id is None:
            return self.conn.execute("SELECT count(*) FROM warnings").fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM warnings WHERE run_id = ?", (run_id,)
        ).fetchone()[0]


_FILE_DEFAULTS = {"deleted": 0, "allocated": 1}


def _coordinates(attributes: Any) -> tuple[float | None, float | None]:
    """Return (latitude, longitude) when an artefact carries a valid position."""
    if not isinstance(attributes, dict):
        return None, None
    latitude, longitude = attributes.get("gps_latitude"), attributes.get("gps_longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None, None
    if isinstance(latitude, bool) or isinstance(longitude, bool):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return float(latitude), float(longitude)


#: A quick run types by signatures: a type already stored (libmagic's, from a full run,
#: or the same guess) is kept; a full run's types replace what is there.
_QUICK_OVER_TYPED = ("files.mime IS NOT NULL"
                     " AND (SELECT profile FROM runs WHERE id = excluded.run_id) = 'quick'")
_TYPE_COLUMNS = ("mime", "mime_description", "extension_mismatch")


def _file_update(column: str, keep_known: bool) -> str:
    """The SET clause of one column when a file row is written again (a rescan)."""
    if column in _TYPE_COLUMNS:
        return (f"{column} = CASE WHEN {_QUICK_OVER_TYPED} THEN files.{column}"
                f" ELSE coalesce(excluded.{column}, files.{column}) END")
    if keep_known:
        return f"{column} = coalesce(excluded.{column}, files.{column})"
    return f"{column} = excluded.{column}"


def _run_process_alive(run: dict[str, Any]) -> bool | None:
    stats = run.get("stats")
    return process_alive(stats.get("process") if isinstance(stats, dict) else None)


def _move_into_place(built: Path, path: Path) -> None:
    """Give the finished case ``built`` its name ``path``, never replacing a file there."""
    try:
        os.link(built, path)
    except FileExistsError:
        raise CaseError(f"{path}: a file of that name appeared meanwhile") from None
    except OSError:
        # File systems without hard links (FAT, exFAT): rename after a last check.
        if path.exists():
            raise CaseError(f"{path}: a file of that name appeared meanwhile") from None
        os.rename(built, path)
        return
    built.unlink()


def file_record(file: dict[str, Any]) -> tuple[Any, ...]:
    """Return a file row's values in :attr:`CaseDatabase.FILE_COLUMNS` order.

    Worker processes send files to the writer as these tuples: smaller to pickle than
    dicts, and written as they are.
    """
    return _file_row(file, CaseDatabase.FILE_COLUMNS)


#: Where a file record holds its ``deleted`` flag.
FILE_RECORD_DELETED = CaseDatabase.FILE_COLUMNS.index("deleted")


def _file_row(file: dict[str, Any], columns: Sequence[str]) -> tuple[Any, ...]:
    values = list(map(file.get, columns))
    for index, column in _file_flag_positions(tuple(columns)):
        value = file.get(column)
        values[index] = _FILE_DEFAULTS[column] if value is None else int(value)
    return tuple(values)


@functools.cache
def _file_flag_positions(columns: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((index, c) for index, c in enumerate(columns) if c in _FILE_DEFAULTS)


def summary_text(artefact: dict[str, Any]) -> str:
    """Return the case-folded text the filter box searches: path plus attribute values."""
    parts: list[str] = [artefact.get("path") or "", artefact.get("type") or ""]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif value is not None:
            parts.append(str(value))

    walk(artefact.get("attributes"))
    return " ".join(parts).casefold()[:4000]


#: SQLite steps between two looks at ``cancelled`` (and chances for Ctrl-C) while a case
#: is checked: about a millisecond.
CHECK_STEPS = 10_000


def _check_every_page(conn: sqlite3.Connection, path: Path,
                      cancelled: Callable[[], bool] | None) -> None:
    """Raise CaseError when SQLite finds the case file damaged anywhere (every page and
    record, without matching indexes to tables)."""
    conn.set_progress_handler((lambda: 1 if cancelled() else 0) if cancelled else (lambda: 0),
                              CHECK_STEPS)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.OperationalError as exc:
        # "interrupted": cancelled, or a signal (Ctrl-C) raised inside the handler, which
        # SQLite turns into an interrupt.
        if "interrupt" in str(exc):
            raise CaseCheckCancelled(f"{path}: the case check was cancelled") from None
        raise CaseError(f"{path}: damaged case file ({exc})") from None
    except sqlite3.Error as exc:
        raise CaseError(f"{path}: damaged case file ({exc})") from None
    finally:
        conn.set_progress_handler(None, 0)
    if problems != ["ok"]:
        lines = [line for problem in problems for line in problem.splitlines()
                 if line.strip() and not line.startswith("***")]
        raise CaseError(f"{path}: damaged case file ({'; '.join(lines[:3])});"
                        " nothing was written to it")

"""The case database schema and its migrations.

A case is one SQLite file in WAL mode. ``PRAGMA application_id`` marks it as a triage
case and ``PRAGMA user_version`` holds the schema version; each migration brings a case
from version N-1 to N inside one transaction.
"""

from __future__ import annotations

#: 'TRIA' as a big-endian 32-bit integer: lets us tell a case from any other SQLite file.
APPLICATION_ID = 0x54524941

SCHEMA_V1 = """
CREATE TABLE case_info (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    number TEXT,
    description TEXT,
    created TEXT NOT NULL,
    tool_version TEXT NOT NULL
);
CREATE TABLE examiners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    size INTEGER,
    segments TEXT NOT NULL DEFAULT '[]',
    media_info TEXT NOT NULL DEFAULT '{}',
    stored_hashes TEXT NOT NULL DEFAULT '{}',
    md5 TEXT,
    sha1 TEXT,
    sha256 TEXT,
    verification TEXT,
    added TEXT NOT NULL
);
CREATE TABLE volumes (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    length INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT,
    scheme TEXT,
    fs_type TEXT,
    block_size INTEGER,
    status TEXT,
    UNIQUE (evidence_id, idx)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    profile TEXT,
    examiner TEXT,
    tool_version TEXT,
    extractors TEXT NOT NULL DEFAULT '[]',
    evidence_ids TEXT NOT NULL DEFAULT '[]',
    jobs INTEGER,
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    volume_idx INTEGER,
    path TEXT NOT NULL,
    parent TEXT NOT NULL,
    name TEXT NOT NULL,
    extension TEXT,
    inode TEXT,
    stream TEXT,
    meta_type TEXT,
    kind TEXT NOT NULL,
    size INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0,
    allocated INTEGER NOT NULL DEFAULT 1,
    mtime REAL,
    atime REAL,
    ctime REAL,
    crtime REAL,
    mode INTEGER,
    uid INTEGER,
    gid INTEGER,
    md5 TEXT,
    sha1 TEXT,
    sha256 TEXT,
    mime TEXT,
    mime_description TEXT,
    extension_mismatch INTEGER,
    run_id INTEGER REFERENCES runs(id),
    identity TEXT NOT NULL,
    UNIQUE (evidence_id, identity)
);
CREATE INDEX files_location ON files (evidence_id, volume_idx, parent, name);
CREATE INDEX files_deleted ON files (deleted);
CREATE INDEX files_evidence ON files (evidence_id);
CREATE INDEX files_name ON files (name);
CREATE TABLE artefact_types (
    name TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    category TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '[]',
    columns TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE artefacts (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    category TEXT NOT NULL,
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    volume_idx INTEGER,
    file_id INTEGER REFERENCES files(id),
    path TEXT,
    inode TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    unallocated INTEGER NOT NULL DEFAULT 0,
    offset INTEGER,
    context TEXT,
    attributes TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    extractor TEXT NOT NULL,
    extractor_version TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    identity TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    UNIQUE (evidence_id, identity)
);
CREATE INDEX artefacts_type ON artefacts (type);
CREATE INDEX artefacts_evidence ON artefacts (evidence_id);
CREATE INDEX artefacts_unallocated ON artefacts (id) WHERE unallocated = 1;
CREATE INDEX artefacts_coordinates ON artefacts (id) WHERE latitude IS NOT NULL;
-- Trigram indexes answer the filter box's LIKE '%text%' without scanning every row.
CREATE VIRTUAL TABLE artefacts_fts USING fts5(
    summary, content='artefacts', content_rowid='id', tokenize='trigram');
CREATE TRIGGER artefacts_fts_insert AFTER INSERT ON artefacts BEGIN
    INSERT INTO artefacts_fts (rowid, summary) VALUES (new.id, new.summary);
END;
CREATE TRIGGER artefacts_fts_delete AFTER DELETE ON artefacts BEGIN
    INSERT INTO artefacts_fts (artefacts_fts, rowid, summary) VALUES ('delete', old.id, old.summary);
END;
CREATE TRIGGER artefacts_fts_update AFTER UPDATE OF summary ON artefacts BEGIN
    INSERT INTO artefacts_fts (artefacts_fts, rowid, summary) VALUES ('delete', old.id, old.summary);
    INSERT INTO artefacts_fts (rowid, summary) VALUES (new.id, new.summary);
END;
CREATE INDEX artefacts_category ON artefacts (category);
CREATE INDEX artefacts_file ON artefacts (file_id);
CREATE TABLE tag_names (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT
);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    tag_name_id INTEGER NOT NULL REFERENCES tag_names(id),
    artefact_id INTEGER REFERENCES artefacts(id),
    file_id INTEGER REFERENCES files(id),
    examiner TEXT NOT NULL,
    comment TEXT,
    created TEXT NOT NULL,
    CHECK ((artefact_id IS NULL) != (file_id IS NULL))
);
CREATE UNIQUE INDEX tags_unique_artefact ON tags (tag_name_id, artefact_id) WHERE artefact_id IS NOT NULL;
CREATE UNIQUE INDEX tags_unique_file ON tags (tag_name_id, file_id) WHERE file_id IS NOT NULL;
CREATE INDEX tags_artefact ON tags (artefact_id);
CREATE INDEX tags_file ON tags (file_id);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    artefact_id INTEGER REFERENCES artefacts(id),
    file_id INTEGER REFERENCES files(id),
    examiner TEXT NOT NULL,
    text TEXT NOT NULL,
    created TEXT NOT NULL,
    CHECK ((artefact_id IS NULL) != (file_id IS NULL))
);
CREATE INDEX notes_artefact ON notes (artefact_id);
CREATE INDEX notes_file ON notes (file_id);
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    evidence_id INTEGER REFERENCES evidence(id),
    volume_idx INTEGER,
    path TEXT,
    source TEXT NOT NULL,
    message TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    examiner TEXT,
    action TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
INSERT INTO tag_names (name, description) VALUES
    ('Evidence', 'Relevant to the case'),
    ('Notable', 'Worth a closer look'),
    ('Follow up', 'Needs further work'),
    ('Ignore', 'Reviewed, not relevant');
"""

# Version 2: new artefacts are indexed for the filter box by one INSERT ... SELECT per
# batch (CaseDatabase._insert_artefacts) instead of a trigger per row, three times
# cheaper. Deletions and summary updates keep their triggers.
SCHEMA_V2 = """
DROP TRIGGER artefacts_fts_insert;
"""

#: Each entry brings the schema from version ``index`` to ``index + 1``.
MIGRATIONS: list[str] = [SCHEMA_V1, SCHEMA_V2]

SCHEMA_VERSION = len(MIGRATIONS)

# Statements every writable open runs (each idempotent), so cases made before them gain
# them, and a case whose protections were dropped by another program gets them back,
# without a schema version that read-only opens of old cases would then refuse.
#
# INSERT OR REPLACE over an existing id deletes the old row without firing the delete
# trigger (recursive triggers are off): an insert may only add a new row. An id SQLite
# assigns itself reads as -1 in a BEFORE INSERT trigger, so only explicit positive ids
# (every id triage writes is one SQLite assigned, from 1 up) are checked.
#: Tables every writable open creates when missing (see ENSURED_TRIGGERS for why not a
#: schema version). ``audit_chain`` holds the audit log's hash chain
#: (:mod:`triage.casedb.audit_chain`): one digest per entry.
ENSURED_TABLES: dict[str, str] = {
    "audit_chain":
        "CREATE TABLE audit_chain (audit_id INTEGER PRIMARY KEY, digest TEXT NOT NULL)",
}

ENSURED_TRIGGERS: dict[str, str] = {
    "audit_log_no_update":
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "audit_log_no_delete":
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "audit_log_no_replace":
        "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log"
        " WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "audit_chain_no_update":
        "CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "audit_chain_no_delete":
        "CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    # A digest already there is kept, silently: a row planted for an entry number not
    # yet used must not make every later audited write fail (it shows as that entry
    # "differs" instead).
    "audit_chain_no_replace":
        "CREATE TRIGGER audit_chain_no_replace BEFORE INSERT ON audit_chain"
        " WHEN EXISTS (SELECT 1 FROM audit_chain WHERE audit_id = NEW.audit_id)"
        " BEGIN SELECT RAISE(IGNORE); END",
}
#: The tables whose triggers ENSURED_TRIGGERS names.
ENSURED_TRIGGER_TABLES = ("audit_log", "audit_chain")

-- Performance (issue 8): on PostgreSQL, writes run side by side instead of one at a
-- time (see ../postgres/0012_concurrent_writes.sql, whose tables this keeps equivalent).
-- SQLite's writes still take turns, so its events are linked into the audit chain by
-- the writing transaction and this table stays empty; a backup restored from PostgreSQL
-- may bring rows, which are sealed the same way (storage/src/repo/audit.rs, `seal`).
CREATE TABLE audit_pending (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    person_id INTEGER REFERENCES persons (id),
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id INTEGER,
    org_id INTEGER REFERENCES organisations (id),
    ip TEXT NOT NULL,
    details TEXT NOT NULL
);

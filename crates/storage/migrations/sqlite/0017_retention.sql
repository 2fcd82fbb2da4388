-- Retention (docs/privacy.md): each organisation's periods, versioned – a change adds a
-- version, the newest applies – and the marks of what was purged. A purged application
-- keeps its row (meetings, protocols and the audit trail refer to it) without its
-- content; a purged document keeps its row (its views refer to it) without its bytes
-- (see ../postgres/0017_retention.sql).
CREATE TABLE retention_policies (
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    version INTEGER NOT NULL,
    drafts_days INTEGER NOT NULL,
    withdrawn_days INTEGER NOT NULL,
    incomplete_days INTEGER NOT NULL,
    identity_days INTEGER NOT NULL,
    set_at TEXT NOT NULL,
    set_by INTEGER NOT NULL REFERENCES persons (id),
    PRIMARY KEY (org_id, version)
);
ALTER TABLE applications ADD COLUMN purged_at TEXT;
ALTER TABLE documents ADD COLUMN purged_at TEXT;

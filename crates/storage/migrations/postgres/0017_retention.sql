-- Retention (docs/privacy.md): each organisation's periods, versioned – a change adds a
-- version, the newest applies – and the marks of what was purged. A purged application
-- keeps its row (meetings, protocols and the audit trail refer to it) without its
-- content; a purged document keeps its row (its views refer to it) without its bytes
-- (see ../sqlite/0017_retention.sql).
CREATE TABLE retention_policies (
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    version BIGINT NOT NULL,
    drafts_days BIGINT NOT NULL,
    withdrawn_days BIGINT NOT NULL,
    incomplete_days BIGINT NOT NULL,
    identity_days BIGINT NOT NULL,
    set_at TIMESTAMPTZ NOT NULL,
    set_by BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (org_id, version)
);
ALTER TABLE applications ADD COLUMN purged_at TIMESTAMPTZ;
ALTER TABLE documents ADD COLUMN purged_at TIMESTAMPTZ;

-- Personal data of audit events apart from the rest, so that they can be redacted and
-- the chain still verifies (storage/src/repo/audit/personal.rs). `personal` holds the
-- details' personal members, `personal_digest` the salted digest of them and of `ip`
-- that the event's hash covers; a redacted event keeps only the digest. `format` says
-- which hash an event has: 1 for events recorded before (the client address and the
-- whole details under the hash), 2 after. The head's `format` says whether the one-time
-- upgrade of format-1 events has run (storage/src/repo/audit/upgrade.rs, run by
-- `Db::migrate` right after this). Keep equivalent to ../sqlite/0016_audit_personal.sql.
ALTER TABLE audit_events ADD COLUMN personal TEXT;
ALTER TABLE audit_events ADD COLUMN personal_salt TEXT;
ALTER TABLE audit_events ADD COLUMN personal_digest TEXT;
ALTER TABLE audit_events ADD COLUMN format BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_pending ADD COLUMN personal TEXT;
ALTER TABLE audit_pending ADD COLUMN personal_salt TEXT;
ALTER TABLE audit_pending ADD COLUMN personal_digest TEXT;
ALTER TABLE audit_head ADD COLUMN format BIGINT NOT NULL DEFAULT 1;

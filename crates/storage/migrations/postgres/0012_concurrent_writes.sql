-- Performance (issue 8): on PostgreSQL, writes run side by side instead of one at a
-- time. Keep the tables equivalent to ../sqlite/0012_concurrent_writes.sql.

-- Events waiting to be linked into the audit chain. A write records its events here, in
-- its own transaction, so that writes no longer take turns on the chain's head row; the
-- sealer (storage/src/repo/audit.rs, `seal`) moves the committed ones into
-- `audit_events`, computing each link, right after they commit and before anyone reads,
-- verifies or backs up the trail. SQLite, whose writes already take turns, links events
-- in the writing transaction and leaves this table empty (a backup restored from
-- PostgreSQL may bring rows, which are sealed the same way).
CREATE TABLE audit_pending (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    person_id BIGINT REFERENCES persons (id),
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT,
    org_id BIGINT REFERENCES organisations (id),
    ip TEXT NOT NULL,
    details TEXT NOT NULL
);

-- A certificate is marked `reused` when another has the same reuse key (0010). Two
-- applications inserting the same key at once would each count only their own row; so
-- the count waits for the key's transaction advisory lock (namespace 3, see
-- storage/src/db.rs): whoever counts last sees both rows and marks them.
CREATE OR REPLACE FUNCTION tanu_certificates_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(3, hashtext(NEW.reuse_key));
    UPDATE applications SET provider_bin = NEW.provider_bin,
        provider_name = NEW.provider_name WHERE id = NEW.application_id;
    UPDATE certificates SET reused = TRUE
    WHERE reuse_key = NEW.reuse_key AND NOT reused
      AND (SELECT COUNT(*) FROM certificates WHERE reuse_key = NEW.reuse_key) > 1;
    RETURN NULL;
END $$;

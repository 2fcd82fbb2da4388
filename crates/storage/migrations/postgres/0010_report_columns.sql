-- Reports at national scale (issue 7). Measured with a million applications
-- (crates/tanu/examples/national.rs), the organisation report of the largest
-- organisation (48,000 applications) spent most of its time joining each application
-- to its certificate and agenda items. What the reports group and count by is therefore
-- kept on the application itself, by triggers (so it holds whichever code writes, a
-- restore included), and every report reads one covering index of `applications`.
-- Keep equivalent to ../sqlite/0010_report_columns.sql.

ALTER TABLE applications ADD COLUMN provider_bin TEXT;
ALTER TABLE applications ADD COLUMN provider_name TEXT;
ALTER TABLE applications ADD COLUMN decided_at TIMESTAMPTZ;
ALTER TABLE applications ADD COLUMN not_adopted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE certificates ADD COLUMN reused BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE applications a SET provider_bin = c.provider_bin, provider_name = c.provider_name
FROM certificates c WHERE c.application_id = a.id;
UPDATE applications a SET decided_at = d.decided_at
FROM (SELECT application_id, MAX(decided_at) AS decided_at FROM agenda_items
      WHERE status = 'decided' GROUP BY application_id) d
WHERE d.application_id = a.id;
UPDATE applications a SET not_adopted = n.n
FROM (SELECT application_id, COUNT(*) AS n FROM agenda_items WHERE status = 'not-adopted' GROUP BY application_id) n
WHERE n.application_id = a.id;
UPDATE certificates SET reused = TRUE
WHERE reuse_key IN (SELECT reuse_key FROM certificates GROUP BY reuse_key HAVING COUNT(*) > 1);

CREATE FUNCTION tanu_certificates_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE applications SET provider_bin = NEW.provider_bin,
        provider_name = NEW.provider_name WHERE id = NEW.application_id;
    UPDATE certificates SET reused = TRUE
    WHERE reuse_key = NEW.reuse_key AND NOT reused
      AND (SELECT COUNT(*) FROM certificates WHERE reuse_key = NEW.reuse_key) > 1;
    RETURN NULL;
END $$;
CREATE TRIGGER certificates_report_insert AFTER INSERT ON certificates
    FOR EACH ROW EXECUTE FUNCTION tanu_certificates_report();
CREATE TRIGGER certificates_report_update AFTER UPDATE OF provider_bin, provider_name, reuse_key ON certificates
    FOR EACH ROW EXECUTE FUNCTION tanu_certificates_report();

-- Recounted rather than incremented, so that a trigger firing again for the same rows
-- (a restore inserts applications with their counts, then their agenda items) gives the
-- same result.
CREATE FUNCTION tanu_agenda_items_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('decided', 'not-adopted') THEN
        UPDATE applications SET
            decided_at = CASE WHEN NEW.status = 'decided' THEN NEW.decided_at ELSE decided_at END,
            not_adopted = (SELECT COUNT(*) FROM agenda_items i
                           WHERE i.application_id = NEW.application_id AND i.status = 'not-adopted')
        WHERE id = NEW.application_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER agenda_items_report_insert AFTER INSERT ON agenda_items
    FOR EACH ROW EXECUTE FUNCTION tanu_agenda_items_report();
CREATE TRIGGER agenda_items_report_update AFTER UPDATE OF status, decided_at ON agenda_items
    FOR EACH ROW EXECUTE FUNCTION tanu_agenda_items_report();

DROP INDEX applications_org_report;
DROP INDEX applications_national_report;
CREATE INDEX applications_org_report ON applications
    (org_id, submitted_at, status, programme_id, decided_at, not_adopted, provider_bin, provider_name);
CREATE INDEX applications_national_report ON applications
    (submitted_at, status, programme_id, decided_at, not_adopted, provider_bin, provider_name);
CREATE INDEX certificates_reused ON certificates (reused, reuse_key, application_id);

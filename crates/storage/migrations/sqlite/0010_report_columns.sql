-- Reports at national scale (issue 7). Measured with a million applications
-- (crates/tanu/examples/national.rs), the organisation report of the largest
-- organisation (48,000 applications) spent most of its 860 ms joining each application
-- to its certificate and agenda items. What the reports group and count by is therefore
-- kept on the application itself, by triggers (so it holds whichever code writes, a
-- restore included), and every report reads one covering index of `applications`.
-- Keep equivalent to ../postgres/0010_report_columns.sql.

-- The provider of the confirming certificate (BIN when given, and name as entered); the
-- day of the decision (rule 13); how many votes adopted nothing (rule 14).
ALTER TABLE applications ADD COLUMN provider_bin TEXT;
ALTER TABLE applications ADD COLUMN provider_name TEXT;
ALTER TABLE applications ADD COLUMN decided_at TEXT;
ALTER TABLE applications ADD COLUMN not_adopted INTEGER NOT NULL DEFAULT 0;
-- A certificate whose key another certificate also has (used by more than one
-- application); it stays set. The report still checks the other application.
ALTER TABLE certificates ADD COLUMN reused BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE applications SET
    provider_bin = (SELECT c.provider_bin FROM certificates c WHERE c.application_id = applications.id),
    provider_name = (SELECT c.provider_name FROM certificates c WHERE c.application_id = applications.id),
    decided_at = (SELECT MAX(i.decided_at) FROM agenda_items i WHERE i.application_id = applications.id AND i.status = 'decided'),
    not_adopted = (SELECT COUNT(*) FROM agenda_items i WHERE i.application_id = applications.id AND i.status = 'not-adopted');
UPDATE certificates SET reused = TRUE
WHERE reuse_key IN (SELECT reuse_key FROM certificates GROUP BY reuse_key HAVING COUNT(*) > 1);

CREATE TRIGGER certificates_report_insert AFTER INSERT ON certificates BEGIN
    UPDATE applications SET provider_bin = NEW.provider_bin,
        provider_name = NEW.provider_name WHERE id = NEW.application_id;
    UPDATE certificates SET reused = TRUE
    WHERE reuse_key = NEW.reuse_key AND NOT reused
      AND (SELECT COUNT(*) FROM certificates WHERE reuse_key = NEW.reuse_key) > 1;
END;
CREATE TRIGGER certificates_report_update AFTER UPDATE OF provider_bin, provider_name, reuse_key ON certificates BEGIN
    UPDATE applications SET provider_bin = NEW.provider_bin,
        provider_name = NEW.provider_name WHERE id = NEW.application_id;
    UPDATE certificates SET reused = TRUE
    WHERE reuse_key = NEW.reuse_key AND NOT reused
      AND (SELECT COUNT(*) FROM certificates WHERE reuse_key = NEW.reuse_key) > 1;
END;
-- Recounted rather than incremented, so that a trigger firing again for the same rows
-- (a restore inserts applications with their counts, then their agenda items) gives the
-- same result.
CREATE TRIGGER agenda_items_report_insert AFTER INSERT ON agenda_items
WHEN NEW.status IN ('decided', 'not-adopted') BEGIN
    UPDATE applications SET
        decided_at = CASE WHEN NEW.status = 'decided' THEN NEW.decided_at ELSE decided_at END,
        not_adopted = (SELECT COUNT(*) FROM agenda_items i WHERE i.application_id = NEW.application_id AND i.status = 'not-adopted')
    WHERE id = NEW.application_id;
END;
CREATE TRIGGER agenda_items_report_update AFTER UPDATE OF status, decided_at ON agenda_items
WHEN NEW.status IN ('decided', 'not-adopted') BEGIN
    UPDATE applications SET
        decided_at = CASE WHEN NEW.status = 'decided' THEN NEW.decided_at ELSE decided_at END,
        not_adopted = (SELECT COUNT(*) FROM agenda_items i WHERE i.application_id = NEW.application_id AND i.status = 'not-adopted')
    WHERE id = NEW.application_id;
END;

-- Every figure of a report from these index entries alone; they replace the report
-- indexes of 0007 (same leading columns).
DROP INDEX applications_org_report;
DROP INDEX applications_national_report;
CREATE INDEX applications_org_report ON applications
    (org_id, submitted_at, status, programme_id, decided_at, not_adopted, provider_bin, provider_name);
CREATE INDEX applications_national_report ON applications
    (submitted_at, status, programme_id, decided_at, not_adopted, provider_bin, provider_name);
-- The certificates used more than once are few: the reuse figure starts from them.
CREATE INDEX certificates_reused ON certificates (reused, reuse_key, application_id);

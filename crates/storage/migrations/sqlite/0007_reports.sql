-- Reports (issue 7): indexes only, so that the organisation and national reports read
-- index entries instead of rows, and stay fast with a million applications (measured by
-- crates/tanu/examples/report_bench.rs). Keep equivalent to ../postgres/0007_reports.sql.

-- One organisation's submissions in a date range: status, month and programme counts
-- straight from the index.
CREATE INDEX applications_org_report ON applications (org_id, submitted_at, status, programme_id);
-- The same over every organisation (national report).
CREATE INDEX applications_national_report ON applications (submitted_at, status, programme_id);
-- Outcomes and days to decision of an application without reading the agenda item;
-- it starts with the column of agenda_items_application, which it replaces.
CREATE INDEX agenda_items_outcome ON agenda_items (application_id, status, adopted, decided_at);
DROP INDEX agenda_items_application;
-- Certificates used by another application: the probe reads the index alone; it
-- replaces certificates_reuse (same first column).
CREATE INDEX certificates_reuse_application ON certificates (reuse_key, application_id);
DROP INDEX certificates_reuse;

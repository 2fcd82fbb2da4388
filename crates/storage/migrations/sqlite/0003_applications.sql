-- Applications (rules 3, 5, 10, 11): the organisation's catalogue of programmes, the
-- candidates' applications with their documents and confirming certificate, the
-- completeness checks, and the history. Keep equivalent to ../postgres/0003_applications.sql.

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    code TEXT NOT NULL,
    title_kk TEXT NOT NULL,
    title_ru TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, code)
);

-- Disciplines or modules of a programme, with credits and the outcomes they teach.
CREATE TABLE programme_units (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id),
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    title_kk TEXT NOT NULL,
    title_ru TEXT NOT NULL,
    credits INTEGER NOT NULL,
    outcomes TEXT NOT NULL,
    UNIQUE (programme_id, code)
);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    candidate_id INTEGER NOT NULL REFERENCES persons (id),
    status TEXT NOT NULL,
    number TEXT,
    statement TEXT NOT NULL,
    programme_id INTEGER REFERENCES programmes (id),
    rule_set_id INTEGER REFERENCES rule_sets (id),
    consent_at TEXT,
    search TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES persons (id),
    submitted_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX applications_queue ON applications (org_id, status, submitted_at);
CREATE INDEX applications_candidate ON applications (candidate_id);

CREATE TABLE application_units (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    unit_id INTEGER NOT NULL REFERENCES programme_units (id),
    PRIMARY KEY (application_id, unit_id)
);

-- Numbers per organisation and year: 2026-0001, 2026-0002, …
CREATE TABLE application_counters (
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE certificates (
    application_id INTEGER PRIMARY KEY REFERENCES applications (id),
    kind TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    provider_bin TEXT,
    programme_title TEXT NOT NULL,
    hours INTEGER,
    credits INTEGER,
    study_from TEXT NOT NULL,
    study_to TEXT NOT NULL,
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    reuse_key TEXT NOT NULL
);
CREATE INDEX certificates_reuse ON certificates (reuse_key);

-- Uploaded files; a replaced file stays, marked with when it was replaced.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    object_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES persons (id),
    replaced_at TEXT
);
CREATE INDEX documents_application ON documents (application_id, kind);

CREATE TABLE completeness_checks (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    checked_at TEXT NOT NULL,
    checked_by INTEGER NOT NULL REFERENCES persons (id),
    complete BOOLEAN NOT NULL,
    items TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX completeness_checks_application ON completeness_checks (application_id);

CREATE TABLE application_events (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, at);

-- Every view or download of an identity document: who and when.
CREATE TABLE document_views (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    at TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX document_views_document ON document_views (document_id);

-- Protocols (rule 9): the minutes of a held meeting, their approval by the presiding
-- officer and the secretary, addenda, and every document issued with a verification
-- code (final protocols and extracts). Keep equivalent to ../postgres/0005_protocols.sql.

CREATE TABLE protocols (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    -- `protocol`, or `addendum` correcting the final protocol `amends_id`.
    kind TEXT NOT NULL,
    amends_id INTEGER REFERENCES protocols (id),
    -- `draft`, `signing` (sent for approval, text frozen) or `final`.
    status TEXT NOT NULL,
    opening_text TEXT NOT NULL,
    closing_text TEXT NOT NULL,
    addendum_text TEXT NOT NULL,
    -- What the document says, per language, frozen when sent for approval.
    snapshot TEXT,
    -- Who must approve: the presiding officer (`chair` or `deputy`) and the secretary.
    presiding_role TEXT,
    presiding_name TEXT,
    presiding_person_id INTEGER REFERENCES persons (id),
    secretary_name TEXT,
    secretary_person_id INTEGER REFERENCES persons (id),
    -- The number, per commission and year, once final.
    year INTEGER,
    seq INTEGER,
    created_by INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    sent_at TEXT,
    finalised_at TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (commission_id, year, seq)
);
CREATE UNIQUE INDEX protocols_one_per_meeting ON protocols (meeting_id) WHERE kind = 'protocol';
CREATE INDEX protocols_amends ON protocols (amends_id);

CREATE TABLE protocol_approvals (
    protocol_id INTEGER NOT NULL REFERENCES protocols (id),
    -- `presiding` or `secretary`.
    role TEXT NOT NULL,
    -- Who approved: the signer, or an organisation admin recording a paper signature of
    -- a signer without an account.
    person_id INTEGER NOT NULL REFERENCES persons (id),
    on_paper BOOLEAN NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (protocol_id, role)
);

CREATE TABLE protocol_events (
    id INTEGER PRIMARY KEY,
    protocol_id INTEGER NOT NULL REFERENCES protocols (id),
    at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX protocol_events_protocol ON protocol_events (protocol_id, at);

-- A document handed out: its bytes are in the object store under object_key; its
-- SHA-256 and the installation's Ed25519 signature over it let anyone check a copy.
CREATE TABLE issued_documents (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    -- `protocol` or `extract`.
    kind TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    protocol_id INTEGER NOT NULL REFERENCES protocols (id),
    application_id INTEGER REFERENCES applications (id),
    lang TEXT NOT NULL,
    object_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    -- What the public verification page may show (no personal data beyond initials).
    summary TEXT NOT NULL,
    issued_by INTEGER REFERENCES persons (id),
    issued_at TEXT NOT NULL
);
CREATE INDEX issued_documents_sha256 ON issued_documents (sha256);
CREATE UNIQUE INDEX issued_documents_protocol_lang ON issued_documents (protocol_id, lang)
    WHERE application_id IS NULL;
CREATE UNIQUE INDEX issued_documents_extract_lang ON issued_documents (protocol_id, application_id, lang)
    WHERE application_id IS NOT NULL;

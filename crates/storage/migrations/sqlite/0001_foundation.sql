-- Foundation: people, organisations and their staff, sessions, API tokens, rule sets.
-- Keep equivalent to ../postgres/0001_foundation.sql (the schema test compares them).

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    iin TEXT UNIQUE,
    foreign_document TEXT,
    password_hash TEXT,
    locale TEXT NOT NULL,
    is_operator BOOLEAN NOT NULL DEFAULT FALSE,
    is_candidate BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    bin TEXT NOT NULL UNIQUE,
    name_kk TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT,
    address TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES persons (id)
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    position TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, person_id)
);
CREATE INDEX staff_person ON staff (person_id);

CREATE TABLE staff_roles (
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (staff_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    created_by INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE rule_sets (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    params TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES persons (id)
);

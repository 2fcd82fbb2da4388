-- Foundation: people, organisations and their staff, sessions, API tokens, rule sets.
-- Keep equivalent to ../postgres/0001_foundation.sql (the schema test compares them).

CREATE TABLE persons (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    iin TEXT UNIQUE,
    foreign_document TEXT,
    password_hash TEXT,
    locale TEXT NOT NULL,
    is_operator BOOLEAN NOT NULL DEFAULT FALSE,
    is_candidate BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE organisations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    bin TEXT NOT NULL UNIQUE,
    name_kk TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT,
    address TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by BIGINT REFERENCES persons (id)
);

CREATE TABLE staff (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    position TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, person_id)
);
CREATE INDEX staff_person ON staff (person_id);

CREATE TABLE staff_roles (
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (staff_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

CREATE TABLE login_failures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    created_by BIGINT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

CREATE TABLE rule_sets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    effective_from DATE NOT NULL,
    effective_to DATE,
    params TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by BIGINT REFERENCES persons (id)
);

-- Accounts that can be trusted with identity documents (see ../sqlite/0014_accounts.sql
-- for what each change is for).

ALTER TABLE persons ADD COLUMN email_verified_at TIMESTAMPTZ;
UPDATE persons SET email_verified_at = created_at WHERE password_hash IS NOT NULL;
ALTER TABLE persons DROP CONSTRAINT persons_iin_key;
CREATE INDEX persons_iin ON persons (iin);

CREATE TABLE walk_ins (
    person_id BIGINT PRIMARY KEY REFERENCES persons (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    iin TEXT,
    contact_email TEXT,
    claim_code_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    claimed_by BIGINT REFERENCES persons (id),
    claimed_at TIMESTAMPTZ
);
CREATE INDEX walk_ins_org ON walk_ins (org_id);

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    purpose TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX account_tokens_person ON account_tokens (person_id, purpose);

CREATE TABLE rate_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (kind, key, at);

CREATE TABLE known_devices (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX known_devices_person ON known_devices (person_id);

ALTER TABLE staff ADD COLUMN accepted_at TIMESTAMPTZ;
ALTER TABLE staff ADD COLUMN invited_name TEXT;
ALTER TABLE staff ADD COLUMN invited_email TEXT;
UPDATE staff SET accepted_at = created_at;

ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;

ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE api_tokens SET expires_at = now() + interval '90 days';

ALTER TABLE notifications ADD COLUMN in_inbox BOOLEAN NOT NULL DEFAULT TRUE;

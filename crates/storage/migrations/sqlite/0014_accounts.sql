-- no-transaction
-- Accounts that can be trusted with identity documents (see ../postgres/0014_accounts.sql).
--
-- * An account's e-mail is verified by a link before others may link anything to it.
--   Accounts that exist already keep working: they count as verified from their creation.
-- * An IIN typed at registration is what the person says, not proof (the identity scan is
--   checked at the completeness check), so it no longer has to be unique: nobody can keep
--   the holder of an IIN from registering by taking it first.
-- * A walk-in is the organisation's own record of the candidate until claimed with a code.
-- * Staff posts grant nothing until the person accepts them.
--
-- SQLite cannot drop a column's UNIQUE constraint, so `persons` is rebuilt the way the
-- SQLite manual prescribes: foreign keys off (outside a transaction), new table, copy,
-- drop, rename, check, foreign keys on.

PRAGMA foreign_keys = OFF;

BEGIN;

CREATE TABLE persons_new (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    iin TEXT,
    foreign_document TEXT,
    password_hash TEXT,
    locale TEXT NOT NULL,
    is_operator BOOLEAN NOT NULL DEFAULT FALSE,
    is_candidate BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    email_verified_at TEXT
);
INSERT INTO persons_new (id, email, full_name, search_name, iin, foreign_document, password_hash,
    locale, is_operator, is_candidate, created_at, email_verified_at)
SELECT id, email, full_name, search_name, iin, foreign_document, password_hash,
    locale, is_operator, is_candidate, created_at,
    CASE WHEN password_hash IS NOT NULL THEN created_at END
FROM persons;
DROP TABLE persons;
ALTER TABLE persons_new RENAME TO persons;
CREATE INDEX persons_iin ON persons (iin);

-- The organisation's record of a walk-in candidate: the person row it made (no login, no
-- IIN of an account) with the IIN and e-mail as the desk typed them, and the one-time
-- code with which the candidate attaches the case to their own verified account.
CREATE TABLE walk_ins (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    iin TEXT,
    contact_email TEXT,
    claim_code_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    claimed_by INTEGER REFERENCES persons (id),
    claimed_at TEXT
);
CREATE INDEX walk_ins_org ON walk_ins (org_id);

-- Single-use secrets sent by e-mail: `verify-email` and `reset-password`.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX account_tokens_person ON account_tokens (person_id, purpose);

-- Counted attempts of anonymous actions (registration, password reset) per address.
CREATE TABLE rate_events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (kind, key, at);

-- Browsers in which a person has signed in: their attempts are not held back by other
-- people's failures on the same account or address.
CREATE TABLE known_devices (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX known_devices_person ON known_devices (person_id);

-- A post counts once accepted; the name and e-mail the admin typed show until then.
ALTER TABLE staff ADD COLUMN accepted_at TEXT;
ALTER TABLE staff ADD COLUMN invited_name TEXT;
ALTER TABLE staff ADD COLUMN invited_email TEXT;
UPDATE staff SET accepted_at = created_at;

-- Sessions carry where they were started, for the list of one's sessions.
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;

-- API tokens expire and may be read-only. Tokens made before keep working for the
-- default lifetime from now.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days');

-- E-mail-only messages (links with secrets) are sent but never listed in the inbox.
ALTER TABLE notifications ADD COLUMN in_inbox BOOLEAN NOT NULL DEFAULT TRUE;

PRAGMA foreign_key_check;

COMMIT;

PRAGMA foreign_keys = ON;

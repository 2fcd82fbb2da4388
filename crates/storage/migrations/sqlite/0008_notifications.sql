-- Notifications: the in-app inbox and the e-mail outbox in one row, written in the
-- transaction of the change that causes it; a worker sends the e-mail with retries.
-- Keep equivalent to ../postgres/0008_notifications.sql.

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    org_id INTEGER REFERENCES organisations (id),
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    -- An iCalendar attachment (meeting scheduled), when there is one.
    ics TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT,
    -- E-mail: `pending`, `sent`, `failed` (gave up), or `none` (no address).
    email_to TEXT,
    email_status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX notifications_person ON notifications (person_id, id);
CREATE INDEX notifications_unread ON notifications (person_id, read_at);
CREATE INDEX notifications_due ON notifications (email_status, next_attempt_at);

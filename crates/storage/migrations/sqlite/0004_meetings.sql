-- Meetings (rules 8, 12–14): attendance, agenda, interviews, recusals, votes and
-- decisions, with the meeting's history. Keep equivalent to ../postgres/0004_meetings.sql.

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    starts_at TEXT NOT NULL,
    place TEXT NOT NULL,
    status TEXT NOT NULL,
    presiding_member_id INTEGER REFERENCES commission_members (id),
    presiding_as_deputy BOOLEAN,
    opened_at TEXT,
    closed_at TEXT,
    created_by INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX meetings_commission ON meetings (commission_id, starts_at);

CREATE TABLE meeting_attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    member_id INTEGER NOT NULL REFERENCES commission_members (id),
    present BOOLEAN NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    candidate_present BOOLEAN,
    interview_notes TEXT NOT NULL,
    taking_part INTEGER,
    taking_part_ids TEXT,
    presiding_member_id INTEGER REFERENCES commission_members (id),
    recognise INTEGER,
    refuse INTEGER,
    abstain INTEGER,
    adopted TEXT,
    decision_reasons TEXT,
    vote_opened_at TEXT,
    vote_closed_at TEXT,
    decided_at TEXT,
    UNIQUE (meeting_id, application_id)
);
CREATE INDEX agenda_items_application ON agenda_items (application_id);

CREATE TABLE item_recusals (
    item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    member_id INTEGER NOT NULL REFERENCES commission_members (id),
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (item_id, member_id)
);

-- Rule 12: the level found for each learning outcome the candidate claims.
CREATE TABLE item_assessments (
    item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    position INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    level TEXT NOT NULL,
    comment TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE item_votes (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    member_id INTEGER NOT NULL REFERENCES commission_members (id),
    choice TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES persons (id),
    cast_at TEXT NOT NULL,
    UNIQUE (item_id, member_id)
);

-- Rule 13: what is recognised against which discipline or module.
CREATE TABLE recognitions (
    item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    unit_id INTEGER NOT NULL REFERENCES programme_units (id),
    credits INTEGER NOT NULL,
    outcomes TEXT NOT NULL,
    PRIMARY KEY (item_id, unit_id)
);

CREATE TABLE meeting_events (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX meeting_events_meeting ON meeting_events (meeting_id, at);

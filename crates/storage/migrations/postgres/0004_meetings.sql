-- Meetings (rules 8, 12–14): attendance, agenda, interviews, recusals, votes and
-- decisions, with the meeting's history. Keep equivalent to ../sqlite/0004_meetings.sql.

CREATE TABLE meetings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    starts_at TIMESTAMPTZ NOT NULL,
    place TEXT NOT NULL,
    status TEXT NOT NULL,
    presiding_member_id BIGINT REFERENCES commission_members (id),
    presiding_as_deputy BOOLEAN,
    opened_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    created_by BIGINT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX meetings_commission ON meetings (commission_id, starts_at);

CREATE TABLE meeting_attendance (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    member_id BIGINT NOT NULL REFERENCES commission_members (id),
    present BOOLEAN NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE agenda_items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    position BIGINT NOT NULL,
    status TEXT NOT NULL,
    candidate_present BOOLEAN,
    interview_notes TEXT NOT NULL,
    taking_part BIGINT,
    taking_part_ids TEXT,
    presiding_member_id BIGINT REFERENCES commission_members (id),
    recognise BIGINT,
    refuse BIGINT,
    abstain BIGINT,
    adopted TEXT,
    decision_reasons TEXT,
    vote_opened_at TIMESTAMPTZ,
    vote_closed_at TIMESTAMPTZ,
    decided_at TIMESTAMPTZ,
    UNIQUE (meeting_id, application_id)
);
CREATE INDEX agenda_items_application ON agenda_items (application_id);

CREATE TABLE item_recusals (
    item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    member_id BIGINT NOT NULL REFERENCES commission_members (id),
    reason TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, member_id)
);

-- Rule 12: the level found for each learning outcome the candidate claims.
CREATE TABLE item_assessments (
    item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    position BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    level TEXT NOT NULL,
    comment TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE item_votes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    member_id BIGINT NOT NULL REFERENCES commission_members (id),
    choice TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES persons (id),
    cast_at TIMESTAMPTZ NOT NULL,
    UNIQUE (item_id, member_id)
);

-- Rule 13: what is recognised against which discipline or module.
CREATE TABLE recognitions (
    item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    unit_id BIGINT NOT NULL REFERENCES programme_units (id),
    credits BIGINT NOT NULL,
    outcomes TEXT NOT NULL,
    PRIMARY KEY (item_id, unit_id)
);

CREATE TABLE meeting_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    at TIMESTAMPTZ NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX meeting_events_meeting ON meeting_events (meeting_id, at);

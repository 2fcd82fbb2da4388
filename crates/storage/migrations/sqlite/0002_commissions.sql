-- Commissions (rules 6–8): composition, offices, secretary and elections, kept as dated
-- history. Keep equivalent to ../postgres/0002_commissions.sql.

CREATE TABLE commissions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    term_from TEXT NOT NULL,
    term_to TEXT NOT NULL,
    rule_set_id INTEGER NOT NULL REFERENCES rule_sets (id),
    version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES persons (id)
);
CREATE INDEX commissions_org ON commissions (org_id);

-- A membership from joined_at until left_at. Staff members point to their post;
-- external members (teachers of other organisations) carry their details only. Name,
-- position and home organisation are kept as they were on appointment.
CREATE TABLE commission_members (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    staff_id INTEGER REFERENCES staff (id),
    person_id INTEGER REFERENCES persons (id),
    full_name TEXT NOT NULL,
    position TEXT NOT NULL,
    home_organisation TEXT NOT NULL,
    is_teacher BOOLEAN NOT NULL,
    joined_at TEXT NOT NULL,
    joined_by INTEGER NOT NULL REFERENCES persons (id),
    left_at TEXT,
    left_by INTEGER REFERENCES persons (id)
);
CREATE INDEX commission_members_commission ON commission_members (commission_id, left_at);

CREATE TABLE commission_secretaries (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    full_name TEXT NOT NULL,
    from_at TEXT NOT NULL,
    assigned_by INTEGER NOT NULL REFERENCES persons (id),
    to_at TEXT
);
CREATE INDEX commission_secretaries_commission ON commission_secretaries (commission_id, to_at);

CREATE TABLE elections (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    office TEXT NOT NULL,
    round INTEGER NOT NULL,
    opened_at TEXT NOT NULL,
    opened_by INTEGER NOT NULL REFERENCES persons (id),
    closed_at TEXT,
    closed_by INTEGER REFERENCES persons (id),
    member_count INTEGER,
    taking_part INTEGER,
    base INTEGER,
    elected_member_id INTEGER REFERENCES commission_members (id),
    UNIQUE (commission_id, office, round)
);

CREATE TABLE ballots (
    id INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections (id),
    voter_member_id INTEGER NOT NULL REFERENCES commission_members (id),
    candidate_member_id INTEGER REFERENCES commission_members (id),
    recorded_by INTEGER NOT NULL REFERENCES persons (id),
    cast_at TEXT NOT NULL,
    UNIQUE (election_id, voter_member_id)
);

CREATE TABLE commission_offices (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    office TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES commission_members (id),
    election_id INTEGER NOT NULL REFERENCES elections (id),
    from_at TEXT NOT NULL,
    to_at TEXT
);
CREATE INDEX commission_offices_commission ON commission_offices (commission_id, to_at);

-- What happened to a commission, by whom and when: the history its page shows.
CREATE TABLE commission_events (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX commission_events_commission ON commission_events (commission_id, at);

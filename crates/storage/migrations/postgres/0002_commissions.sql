-- Commissions (rules 6–8): composition, offices, secretary and elections, kept as dated
-- history. Keep equivalent to ../sqlite/0002_commissions.sql.

CREATE TABLE commissions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    term_from DATE NOT NULL,
    term_to DATE NOT NULL,
    rule_set_id BIGINT NOT NULL REFERENCES rule_sets (id),
    version BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    created_by BIGINT NOT NULL REFERENCES persons (id)
);
CREATE INDEX commissions_org ON commissions (org_id);

-- A membership from joined_at until left_at. Staff members point to their post;
-- external members (teachers of other organisations) carry their details only. Name,
-- position and home organisation are kept as they were on appointment.
CREATE TABLE commission_members (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    staff_id BIGINT REFERENCES staff (id),
    person_id BIGINT REFERENCES persons (id),
    full_name TEXT NOT NULL,
    position TEXT NOT NULL,
    home_organisation TEXT NOT NULL,
    is_teacher BOOLEAN NOT NULL,
    joined_at TIMESTAMPTZ NOT NULL,
    joined_by BIGINT NOT NULL REFERENCES persons (id),
    left_at TIMESTAMPTZ,
    left_by BIGINT REFERENCES persons (id)
);
CREATE INDEX commission_members_commission ON commission_members (commission_id, left_at);

CREATE TABLE commission_secretaries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    full_name TEXT NOT NULL,
    from_at TIMESTAMPTZ NOT NULL,
    assigned_by BIGINT NOT NULL REFERENCES persons (id),
    to_at TIMESTAMPTZ
);
CREATE INDEX commission_secretaries_commission ON commission_secretaries (commission_id, to_at);

CREATE TABLE elections (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    office TEXT NOT NULL,
    round BIGINT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    opened_by BIGINT NOT NULL REFERENCES persons (id),
    closed_at TIMESTAMPTZ,
    closed_by BIGINT REFERENCES persons (id),
    member_count BIGINT,
    taking_part BIGINT,
    base BIGINT,
    elected_member_id BIGINT REFERENCES commission_members (id),
    UNIQUE (commission_id, office, round)
);

CREATE TABLE ballots (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES elections (id),
    voter_member_id BIGINT NOT NULL REFERENCES commission_members (id),
    candidate_member_id BIGINT REFERENCES commission_members (id),
    recorded_by BIGINT NOT NULL REFERENCES persons (id),
    cast_at TIMESTAMPTZ NOT NULL,
    UNIQUE (election_id, voter_member_id)
);

CREATE TABLE commission_offices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    office TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES commission_members (id),
    election_id BIGINT NOT NULL REFERENCES elections (id),
    from_at TIMESTAMPTZ NOT NULL,
    to_at TIMESTAMPTZ
);
CREATE INDEX commission_offices_commission ON commission_offices (commission_id, to_at);

-- What happened to a commission, by whom and when: the history its page shows.
CREATE TABLE commission_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    at TIMESTAMPTZ NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX commission_events_commission ON commission_events (commission_id, at);

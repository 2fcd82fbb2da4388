-- Who saw a candidate's full IIN (or foreign document number), once per person,
-- application and Kazakhstan day: the first opening of the day is recorded in the audit
-- trail, the later ones are not (see ../postgres/0015_identity_views.sql).
CREATE TABLE identity_views (
    person_id INTEGER NOT NULL REFERENCES persons (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    day TEXT NOT NULL,
    PRIMARY KEY (person_id, application_id, day)
);

-- What the organisation owes the candidate next, and by when (rule-set policy): the
-- completeness check (rule 11, working days from the latest submission) or the decision
-- (calendar days from the complete check). Set when the application enters the state
-- that starts the period, cleared when nothing is owed (see ../sqlite/0013_deadlines.sql).
-- Applications changed before this migration have none until their next change.
ALTER TABLE applications ADD COLUMN due_kind TEXT;
ALTER TABLE applications ADD COLUMN due_on DATE;

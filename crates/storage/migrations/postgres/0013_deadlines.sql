-- What the organisation owes the candidate next, and by when (rule-set policy): the
-- completeness check (rule 11, working days from the latest submission) or the decision
-- (calendar days from the complete check). Set when the application enters the state
-- that starts the period, cleared when nothing is owed (see ../sqlite/0013_deadlines.sql).
ALTER TABLE applications ADD COLUMN due_kind TEXT;
ALTER TABLE applications ADD COLUMN due_on DATE;

-- Cases already complete, scheduled or without an adopted decision owe a decision: due
-- the rule set's decision_days (30 when the set does not say) after the Kazakhstan day
-- (UTC+5) of their latest complete check. Those waiting for the completeness check
-- show no date: their check moves them on.
UPDATE applications a SET
    due_kind = 'decision',
    due_on = (
        SELECT ((c.checked_at AT TIME ZONE 'UTC') + INTERVAL '5 hours')::date
            + COALESCE((r.params::json ->> 'decision_days')::integer, 30)
        FROM completeness_checks c, rule_sets r
        WHERE c.application_id = a.id AND c.complete AND r.id = a.rule_set_id
        ORDER BY c.checked_at DESC, c.id DESC
        LIMIT 1
    )
WHERE a.status IN ('complete', 'scheduled', 'not-adopted') AND a.rule_set_id IS NOT NULL;
UPDATE applications SET due_kind = NULL WHERE due_on IS NULL;

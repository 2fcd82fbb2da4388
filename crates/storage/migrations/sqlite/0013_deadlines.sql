-- What the organisation owes the candidate next, and by when (rule-set policy): the
-- completeness check (rule 11, working days from the latest submission) or the decision
-- (calendar days from the complete check). Set when the application enters the state
-- that starts the period, cleared when nothing is owed (see ../postgres/0013_deadlines.sql).
ALTER TABLE applications ADD COLUMN due_kind TEXT;
ALTER TABLE applications ADD COLUMN due_on TEXT;

-- Cases already complete, scheduled or without an adopted decision owe a decision: due
-- the rule set's decision_days (30 when the set does not say) after the Kazakhstan day
-- (UTC+5) of their latest complete check. Those waiting for the completeness check
-- show no date: their check moves them on.
UPDATE applications SET
    due_kind = 'decision',
    due_on = (
        SELECT date(c.checked_at, '+5 hours',
            '+' || COALESCE(CAST(json_extract(r.params, '$.decision_days') AS INTEGER), 30) || ' days')
        FROM completeness_checks c, rule_sets r
        WHERE c.application_id = applications.id AND c.complete AND r.id = applications.rule_set_id
        ORDER BY c.checked_at DESC, c.id DESC
        LIMIT 1
    )
WHERE status IN ('complete', 'scheduled', 'not-adopted') AND rule_set_id IS NOT NULL;
UPDATE applications SET due_kind = NULL WHERE due_on IS NULL;

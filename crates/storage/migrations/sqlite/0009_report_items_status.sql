-- Reports (issue 7), after measuring: votes without result (rule 14) are few, so they
-- are found by status instead of by reading every agenda item (organisation and
-- national report, by programme and by provider). 0007 is left as it was applied.
-- Keep equivalent to ../postgres/0009_report_items_status.sql.
CREATE INDEX agenda_items_status ON agenda_items (status, application_id);

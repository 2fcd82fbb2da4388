-- Dates that cannot lie (issue 22): a scheduled meeting can be cancelled, with its
-- reason, and a meeting takes its protocol's number when it opens, so that numbers follow
-- the order in which meetings were held (see ../sqlite/0018_meeting_dates.sql).
ALTER TABLE meetings ADD COLUMN cancel_reason TEXT;
ALTER TABLE meetings ADD COLUMN protocol_year BIGINT;
ALTER TABLE meetings ADD COLUMN protocol_seq BIGINT;

-- Performance (issue 8): since 0010 the reports read the result columns kept on each
-- application, so the index of 0009 serves no query and only costs every agenda-item
-- write. 0009 is left as it was applied.
-- Keep equivalent to ../postgres/0011_drop_items_status.sql.
DROP INDEX agenda_items_status;

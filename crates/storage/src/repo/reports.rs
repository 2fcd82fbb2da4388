//! Aggregates for the organisation and national reports: counts grouped in the
//! database, never rows fetched one by one. Every figure is about the applications
//! *submitted* in a date range (drafts are the candidates' own and never counted),
//! of one organisation or of all.
//!
//! Calendar arithmetic differs between the engines, so the month and day-count
//! expressions come in two spellings, chosen by the connection; everything else is the
//! common subset. Days and months are those of Kazakhstan (UTC+5), like every date the
//! UI shows. The indexes these queries use are in migrations `0007_reports.sql` and
//! `0009_report_items_status.sql`.

use time::{Date, OffsetDateTime};

use super::fetch;
use crate::{Conn, StorageError};

/// Which applications a report covers.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportFilter {
    /// One organisation, or every organisation (national report).
    pub org_id: Option<i64>,
    /// Submitted on or after this day (Kazakhstan time).
    pub from: Option<Date>,
    /// Submitted on or before this day (Kazakhstan time).
    pub to: Option<Date>,
}

/// Counts for one group (a programme or a provider).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupCounts {
    /// Programme code, or provider BIN; `None` when not given.
    pub code: Option<String>,
    /// Programme title in Kazakh, or the provider's name.
    pub name_kk: Option<String>,
    /// Programme title in Russian, or the provider's name.
    pub name_ru: Option<String>,
    /// Applications submitted.
    pub applications: i64,
    /// Applications recognised (rule 13).
    pub recognised: i64,
    /// Applications refused (rule 13).
    pub refused: i64,
    /// Votes that adopted nothing (rule 14).
    pub not_adopted: i64,
}

/// Status counts and the breakdown by programme, from one pass over the applications.
#[derive(Debug, Clone, Default)]
pub struct StatusesAndProgrammes {
    /// Applications by status code.
    pub statuses: Vec<(String, i64)>,
    /// Applications, recognitions, refusals and votes without result by programme.
    pub programmes: Vec<GroupCounts>,
}

/// Certificates used by more than one application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Applications in scope whose certificate another submitted application also uses
    /// (at any organisation).
    pub applications: i64,
    /// Distinct certificates among them.
    pub certificates: i64,
}

/// Earliest and latest instants stored when a bound is open: the same statement text
/// serves every filter, and the range stays a plain index range.
const EARLIEST: OffsetDateTime = time::macros::datetime!(1900-01-01 0:00:00.000001 UTC);
const LATEST: OffsetDateTime = time::macros::datetime!(9999-01-01 0:00:00.000001 UTC);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

fn dialect(conn: &Conn<'_>) -> Dialect {
    match conn {
        Conn::Sqlite(_) => Dialect::Sqlite,
        Conn::Postgres(_) => Dialect::Postgres,
    }
}

/// Calendar days (Kazakhstan time) from the submission to the decision.
fn days_expr(d: Dialect) -> &'static str {
    match d {
        Dialect::Sqlite => {
            "CAST(julianday(date(i.decided_at, '+5 hours')) - julianday(date(a.submitted_at, '+5 hours')) AS INTEGER)"
        }
        Dialect::Postgres => {
            "CAST(CAST((i.decided_at AT TIME ZONE 'UTC') + INTERVAL '5 hours' AS DATE) \
             - CAST((a.submitted_at AT TIME ZONE 'UTC') + INTERVAL '5 hours' AS DATE) AS BIGINT)"
        }
    }
}

/// The condition on `applications a`: `$1`/`$2` the submission range, `$3` the
/// organisation when there is one. Two texts rather than `$3 IS NULL OR …`, so that
/// each can use its index.
fn scope(f: &ReportFilter) -> &'static str {
    if f.org_id.is_some() {
        "a.org_id = $3 AND a.submitted_at >= $1 AND a.submitted_at < $2"
    } else {
        "a.submitted_at >= $1 AND a.submitted_at < $2"
    }
}

/// The submission range as instants: from the first instant of `from` to the first
/// instant of the day after `to`.
fn range(f: &ReportFilter) -> (OffsetDateTime, OffsetDateTime) {
    let from = f.from.map_or(EARLIEST, crate::day_start);
    let to =
        f.to.and_then(|d| d.next_day())
            .map_or(LATEST, crate::day_start);
    (from, to)
}

/// Runs `$sql` (with the scope already written in) with the filter's binds.
macro_rules! scoped {
    ($conn:expr, $f:expr, $method:ident, $ty:ty, $sql:expr) => {{
        let (from, to) = range($f);
        let sql = sqlx::AssertSqlSafe($sql);
        match $f.org_id {
            Some(org) => fetch!($conn, $method, $ty, sql, from, to, org),
            None => fetch!($conn, $method, $ty, sql, from, to),
        }
    }};
}

/// Submissions by month (`YYYY-MM`, Kazakhstan time), in order; months without any are
/// absent.
pub async fn by_month(
    conn: Conn<'_>,
    f: &ReportFilter,
) -> Result<Vec<(String, i64)>, StorageError> {
    let sql = match dialect(&conn) {
        Dialect::Sqlite => format!(
            "SELECT strftime('%Y-%m', a.submitted_at, '+5 hours') AS month, COUNT(*) FROM applications a \
             WHERE {} GROUP BY 1 ORDER BY 1",
            scope(f)
        ),
        // Truncating is cheaper than formatting every row; each month is formatted once.
        Dialect::Postgres => format!(
            "SELECT to_char(m.month, 'YYYY-MM'), m.n FROM (SELECT date_trunc('month', (a.submitted_at AT TIME ZONE 'UTC') \
             + INTERVAL '5 hours') AS month, COUNT(*) AS n FROM applications a WHERE {} GROUP BY 1) m ORDER BY m.month",
            scope(f)
        ),
    };
    Ok(scoped!(conn, f, fetch_all, (String, i64), sql)?)
}

/// Decisions as a histogram: `(days from submission to decision, how many)`, in order.
/// Only recognitions and refusals have a decision day.
pub async fn days_to_decision(
    conn: Conn<'_>,
    f: &ReportFilter,
) -> Result<Vec<(i64, i64)>, StorageError> {
    let sql = format!(
        "SELECT {} AS days, COUNT(*) FROM agenda_items i JOIN applications a ON a.id = i.application_id \
         WHERE i.status = 'decided' AND {} GROUP BY 1 ORDER BY 1",
        days_expr(dialect(&conn)),
        scope(f)
    );
    Ok(scoped!(conn, f, fetch_all, (i64, i64), sql)?)
}

/// A group's code and names, and a count.
type Labelled = (Option<String>, Option<String>, Option<String>, i64);

/// Adds the votes without result of each group to the groups (by code, else by name).
fn add_not_adopted(rows: &mut Vec<GroupCounts>, not_adopted: Vec<Labelled>) {
    for (code, name_kk, name_ru, n) in not_adopted {
        let same = |r: &&mut GroupCounts| {
            if code.is_some() {
                r.code == code
            } else {
                r.code.is_none() && r.name_kk == name_kk
            }
        };
        match rows.iter_mut().find(same) {
            Some(r) => r.not_adopted += n,
            // Cannot happen (the application is counted too); kept rather than lost.
            None => rows.push(GroupCounts {
                code,
                name_kk,
                name_ru,
                not_adopted: n,
                ..GroupCounts::default()
            }),
        }
    }
}

/// Applications by status, and by programme code (one organisation's programmes have
/// distinct codes; nationally the same code at several organisations is one group);
/// applications without a programme make the group without a code. Recognised and
/// refused are the applications in those statuses (each has exactly one decision, rule
/// 13); votes without result (rule 14) come from the agenda items.
pub async fn by_status_and_programme(
    mut conn: Conn<'_>,
    f: &ReportFilter,
) -> Result<StatusesAndProgrammes, StorageError> {
    // Grouped by programme id first, so that programmes are joined once per group.
    let sql = format!(
        "SELECT g.status, p.code, MIN(p.title_kk), MIN(p.title_ru), CAST(SUM(g.n) AS BIGINT) FROM \
         (SELECT a.status, a.programme_id, COUNT(*) AS n FROM applications a WHERE {} GROUP BY a.status, a.programme_id) g \
         LEFT JOIN programmes p ON p.id = g.programme_id GROUP BY g.status, p.code",
        scope(f)
    );
    type Row = (String, Option<String>, Option<String>, Option<String>, i64);
    let rows: Vec<Row> = scoped!(conn.reborrow(), f, fetch_all, Row, sql)?;
    let mut out = StatusesAndProgrammes::default();
    for (status, code, name_kk, name_ru, n) in rows {
        match out.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, total)) => *total += n,
            None => out.statuses.push((status.clone(), n)),
        }
        let at = match out.programmes.iter().position(|g| g.code == code) {
            Some(at) => at,
            None => {
                out.programmes.push(GroupCounts {
                    code,
                    name_kk,
                    name_ru,
                    ..GroupCounts::default()
                });
                out.programmes.len() - 1
            }
        };
        if let Some(g) = out.programmes.get_mut(at) {
            g.applications += n;
            match status.as_str() {
                "recognised" => g.recognised += n,
                "refused" => g.refused += n,
                _ => {}
            }
        }
    }
    let sql = format!(
        "SELECT p.code, MIN(p.title_kk), MIN(p.title_ru), COUNT(*) FROM agenda_items i \
         JOIN applications a ON a.id = i.application_id LEFT JOIN programmes p ON p.id = a.programme_id \
         WHERE i.status = 'not-adopted' AND {} GROUP BY p.code",
        scope(f)
    );
    let not_adopted: Vec<Labelled> = scoped!(conn, f, fetch_all, Labelled, sql)?;
    add_not_adopted(&mut out.programmes, not_adopted);
    Ok(out)
}

/// Applications, recognitions, refusals and votes without result by the non-formal
/// provider of the confirming certificate: by BIN when one was given, else by the name
/// as entered. Applications without certificate details make the group without code
/// and name.
pub async fn by_provider(
    mut conn: Conn<'_>,
    f: &ReportFilter,
) -> Result<Vec<GroupCounts>, StorageError> {
    let sql = format!(
        "SELECT MIN(c.provider_bin), MIN(c.provider_name), MIN(c.provider_name), COUNT(*), \
         SUM(CASE WHEN a.status = 'recognised' THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = 'refused' THEN 1 ELSE 0 END) \
         FROM applications a LEFT JOIN certificates c ON c.application_id = a.id \
         WHERE {} GROUP BY COALESCE(c.provider_bin, c.provider_name)",
        scope(f)
    );
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = scoped!(conn.reborrow(), f, fetch_all, Row, sql)?;
    let mut out: Vec<GroupCounts> = rows
        .into_iter()
        .map(
            |(code, name_kk, name_ru, applications, recognised, refused)| GroupCounts {
                code,
                name_kk,
                name_ru,
                applications,
                recognised,
                refused,
                not_adopted: 0,
            },
        )
        .collect();
    let sql = format!(
        "SELECT MIN(c.provider_bin), MIN(c.provider_name), MIN(c.provider_name), COUNT(*) \
         FROM agenda_items i JOIN applications a ON a.id = i.application_id \
         LEFT JOIN certificates c ON c.application_id = a.id \
         WHERE i.status = 'not-adopted' AND {} GROUP BY COALESCE(c.provider_bin, c.provider_name)",
        scope(f)
    );
    let not_adopted: Vec<Labelled> = scoped!(conn, f, fetch_all, Labelled, sql)?;
    add_not_adopted(&mut out, not_adopted);
    Ok(out)
}

/// Applications in scope whose certificate (same provider and number, see
/// `reuse_key`) another submitted application also uses, at any organisation.
pub async fn reused_certificates(conn: Conn<'_>, f: &ReportFilter) -> Result<Reuse, StorageError> {
    let other = "EXISTS (SELECT 1 FROM certificates o JOIN applications b ON b.id = o.application_id \
         WHERE o.reuse_key = c.reuse_key AND o.application_id <> c.application_id AND b.submitted_at IS NOT NULL)";
    let sql = if f.org_id.is_some() {
        // One organisation: a probe of the key index per application.
        format!(
            "SELECT COUNT(*), COUNT(DISTINCT c.reuse_key) FROM applications a \
             JOIN certificates c ON c.application_id = a.id WHERE {} AND {other}",
            scope(f)
        )
    } else {
        // Every organisation: the keys used more than once, found by reading the key
        // index in order, are few; only their applications are joined. An application
        // in range is reused when its key has two or more submitted applications.
        format!(
            "SELECT CAST(COALESCE(SUM(s.n), 0) AS BIGINT), COUNT(CASE WHEN s.n > 0 THEN 1 END) FROM \
             (SELECT c.reuse_key, SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS n \
              FROM certificates c JOIN applications a ON a.id = c.application_id \
              WHERE a.submitted_at IS NOT NULL AND c.reuse_key IN \
              (SELECT reuse_key FROM certificates GROUP BY reuse_key HAVING COUNT(*) > 1) \
              GROUP BY c.reuse_key HAVING COUNT(*) > 1) s",
            scope(f)
        )
    };
    let (applications, certificates) = scoped!(conn, f, fetch_one, (i64, i64), sql)?;
    Ok(Reuse {
        applications,
        certificates,
    })
}

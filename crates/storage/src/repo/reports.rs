//! Aggregates for the organisation and national reports: counts grouped in the
//! database, never rows fetched one by one. Every figure is about the applications
//! *submitted* in a date range (drafts are the candidates' own and never counted),
//! of one organisation or of all.
//!
//! Calendar arithmetic differs between the engines, so the month and day-count
//! expressions come in two spellings, chosen by the connection; everything else is the
//! common subset. Days and months are those of Kazakhstan (UTC+5), like every date the
//! UI shows. What the reports group and count by – the provider, the decision day, the
//! votes without result, whether a certificate is used more than once – is kept on the
//! application (and the certificate) by triggers (migration `0010_report_columns.sql`),
//! so every figure comes from one covering index of `applications` and nothing is
//! joined per application.

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

/// Kazakhstan's offset (`tanu_domain::dates::KAZAKHSTAN`) as SQL shifts a UTC time by:
/// SQLite's modifier (`'+N hours'`), PostgreSQL's interval (`INTERVAL 'N hours'`).
fn local_shift(d: Dialect) -> String {
    let hours = tanu_domain::dates::KAZAKHSTAN.whole_hours();
    match d {
        Dialect::Sqlite => format!("'{hours:+} hours'"),
        Dialect::Postgres => format!("INTERVAL '{hours} hours'"),
    }
}

/// Calendar days (Kazakhstan time) from the submission to the decision.
fn days_expr(d: Dialect) -> String {
    let shift = local_shift(d);
    match d {
        Dialect::Sqlite => format!(
            "CAST(julianday(date(a.decided_at, {shift})) - julianday(date(a.submitted_at, {shift})) AS INTEGER)"
        ),
        Dialect::Postgres => format!(
            "CAST(CAST((a.decided_at AT TIME ZONE 'UTC') + {shift} AS DATE) \
             - CAST((a.submitted_at AT TIME ZONE 'UTC') + {shift} AS DATE) AS BIGINT)"
        ),
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
            "SELECT strftime('%Y-%m', a.submitted_at, {}) AS month, COUNT(*) FROM applications a \
             WHERE {} GROUP BY 1 ORDER BY 1",
            local_shift(Dialect::Sqlite),
            scope(f)
        ),
        // Truncating is cheaper than formatting every row; each month is formatted once.
        Dialect::Postgres => format!(
            "SELECT to_char(m.month, 'YYYY-MM'), m.n FROM (SELECT date_trunc('month', (a.submitted_at AT TIME ZONE 'UTC') \
             + {}) AS month, COUNT(*) AS n FROM applications a WHERE {} GROUP BY 1) m ORDER BY m.month",
            local_shift(Dialect::Postgres),
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
        "SELECT {} AS days, COUNT(*) FROM applications a \
         WHERE a.decided_at IS NOT NULL AND {} GROUP BY 1 ORDER BY 1",
        days_expr(dialect(&conn)),
        scope(f)
    );
    Ok(scoped!(conn, f, fetch_all, (i64, i64), sql)?)
}

/// Applications by status, and by programme code (one organisation's programmes have
/// distinct codes; nationally the same code at several organisations is one group);
/// applications without a programme make the group without a code. Recognised and
/// refused are the applications in those statuses (each has exactly one decision, rule
/// 13); votes without result (rule 14) come from the agenda items.
pub async fn by_status_and_programme(
    conn: Conn<'_>,
    f: &ReportFilter,
) -> Result<StatusesAndProgrammes, StorageError> {
    // Grouped by programme id first, so that programmes are joined once per group.
    let sql = format!(
        "SELECT g.status, p.code, MIN(p.title_kk), MIN(p.title_ru), CAST(SUM(g.n) AS BIGINT), \
         CAST(SUM(g.na) AS BIGINT) FROM \
         (SELECT a.status, a.programme_id, COUNT(*) AS n, SUM(a.not_adopted) AS na FROM applications a \
          WHERE {} GROUP BY a.status, a.programme_id) g \
         LEFT JOIN programmes p ON p.id = g.programme_id GROUP BY g.status, p.code",
        scope(f)
    );
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
    );
    let rows: Vec<Row> = scoped!(conn, f, fetch_all, Row, sql)?;
    let mut out = StatusesAndProgrammes::default();
    for (status, code, name_kk, name_ru, n, not_adopted) in rows {
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
            g.not_adopted += not_adopted;
            match status.as_str() {
                "recognised" => g.recognised += n,
                "refused" => g.refused += n,
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Applications, recognitions, refusals and votes without result by the non-formal
/// provider of the confirming certificate: by BIN when one was given, else by the name
/// as entered. Applications without certificate details make the group without code
/// and name.
pub async fn by_provider(
    conn: Conn<'_>,
    f: &ReportFilter,
) -> Result<Vec<GroupCounts>, StorageError> {
    let sql = format!(
        "SELECT MIN(a.provider_bin), MIN(a.provider_name), MIN(a.provider_name), COUNT(*), \
         SUM(CASE WHEN a.status = 'recognised' THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = 'refused' THEN 1 ELSE 0 END), \
         CAST(SUM(a.not_adopted) AS BIGINT) \
         FROM applications a WHERE {} GROUP BY COALESCE(a.provider_bin, a.provider_name)",
        scope(f)
    );
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = scoped!(conn, f, fetch_all, Row, sql)?;
    Ok(rows
        .into_iter()
        .map(
            |(code, name_kk, name_ru, applications, recognised, refused, not_adopted)| {
                GroupCounts {
                    code,
                    name_kk,
                    name_ru,
                    applications,
                    recognised,
                    refused,
                    not_adopted,
                }
            },
        )
        .collect())
}

/// Applications in scope whose certificate (same provider and number, see
/// `reuse_key`) another submitted application also uses, at any organisation.
pub async fn reused_certificates(conn: Conn<'_>, f: &ReportFilter) -> Result<Reuse, StorageError> {
    // The certificates marked as used more than once are few, so they come first
    // (`CROSS JOIN` keeps that order on SQLite, whose planner would otherwise start from
    // the organisation's applications); each is counted when its application is in
    // scope and another submitted application has the same key.
    let sql = format!(
        "SELECT COUNT(*), COUNT(DISTINCT c.reuse_key) FROM certificates c CROSS JOIN applications a \
         WHERE a.id = c.application_id AND c.reused = TRUE AND {} AND EXISTS (SELECT 1 FROM certificates o JOIN applications b ON b.id = o.application_id \
         WHERE o.reuse_key = c.reuse_key AND o.application_id <> c.application_id AND b.submitted_at IS NOT NULL)",
        scope(f)
    );
    let (applications, certificates) = scoped!(conn, f, fetch_one, (i64, i64), sql)?;
    Ok(Reuse {
        applications,
        certificates,
    })
}

#[cfg(test)]
mod tests {
    use super::{Dialect, local_shift};

    /// The SQL shift is the domain's offset, written as each database wants it.
    #[test]
    fn kazakhstan_in_sql() {
        assert_eq!(local_shift(Dialect::Sqlite), "'+5 hours'");
        assert_eq!(local_shift(Dialect::Postgres), "INTERVAL '5 hours'");
    }
}

//! Reports for an organisation (its admins and auditors, the operator) and for the
//! whole country (the operator): applications by status and by month, the outcomes of
//! the votes, days from submission to decision, the same counts by programme and by
//! non-formal provider, and certificates used more than once.
//!
//! What the figures mean (the page and the CSV say the same):
//! - **In scope**: applications *submitted* (first submission) within the date range,
//!   both days included, in Kazakhstan time (UTC+5). Drafts are never counted. Every
//!   other figure is about these applications – a cohort view: a decision taken in
//!   March on an application submitted in January counts in a January-only report.
//! - **Months**: calendar months of the first submission in Kazakhstan time; months
//!   between the first and the last with no submission are shown as zero.
//! - **Outcomes**: recognised and refused are the applications whose decision (rule 13)
//!   is that – their status, each has exactly one decision; not adopted counts the votes
//!   that adopted nothing (rule 14), so an application voted on twice without result
//!   counts twice. By programme and by provider the same.
//! - **Days to decision**: calendar days in Kazakhstan time from the first submission to
//!   the recorded decision (recognised or refused). Median and 90th percentile by the
//!   nearest-rank method on the whole numbers of days: the smallest number of days
//!   within which at least half (nine tenths) of the decisions were taken.
//! - **Reused certificates**: applications whose confirming certificate (same provider
//!   and number) another submitted application also uses, at any organisation.
//!
//! Only counts leave the database (grouped there); percentiles come from a histogram of
//! day counts. This module never reads a name or a document.

use serde::{Deserialize, Serialize};
use tanu_domain::DomainError;
use tanu_domain::application::Status;
use tanu_domain::dates::parse_date;
use tanu_storage::repo::reports::{self as repo, GroupCounts, ReportFilter};
use time::{Date, OffsetDateTime};

use crate::access::Need;
use crate::csv_export::CsvWriter;
use crate::{Actor, AppError, Ctx};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// How many programmes or providers are listed before the rest are summed up as
/// "others".
pub const TOP: usize = 10;

/// The filter of a report, as typed into the form or the query string.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Submitted on or after this day (`YYYY-MM-DD`, Kazakhstan time).
    #[serde(default)]
    pub from: Option<String>,
    /// Submitted on or before this day (`YYYY-MM-DD`, Kazakhstan time).
    #[serde(default)]
    pub to: Option<String>,
}

impl ReportQuery {
    fn parse(&self) -> Result<(Option<Date>, Option<Date>), AppError> {
        let day = |s: &Option<String>, field| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| parse_date(s, field))
                .transpose()
        };
        let (from, to) = (day(&self.from, "from")?, day(&self.to, "to")?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(DomainError::DateRangeInverted { field: "to" }.into());
        }
        Ok((from, to))
    }
}

/// Applications in one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    /// Status code (`submitted`, `incomplete`, … `withdrawn`).
    pub status: String,
    /// Applications now in that status.
    pub applications: i64,
}

/// Submissions in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`, Kazakhstan time.
    pub month: String,
    /// Applications first submitted that month.
    pub applications: i64,
}

/// What the votes came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Outcomes {
    /// Decisions to recognise (rule 13).
    pub recognised: i64,
    /// Decisions to refuse (rule 13).
    pub refused: i64,
    /// Votes that adopted nothing (rule 14); the application went back on an agenda.
    pub not_adopted: i64,
}

/// How long decisions took.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DaysToDecision {
    /// Decisions measured (recognised and refused).
    pub decisions: i64,
    /// Median days from submission to decision (nearest rank); none without decisions.
    pub median: Option<i64>,
    /// 90th percentile of the days (nearest rank).
    pub p90: Option<i64>,
    /// Fewest days.
    pub min: Option<i64>,
    /// Most days.
    pub max: Option<i64>,
}

/// What a row of a breakdown stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GroupKind {
    /// One programme or provider.
    One,
    /// Applications that name none.
    Unspecified,
    /// Every programme or provider after the first [`TOP`], summed.
    Others,
}

/// One row of the breakdown by programme or by provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GroupRow {
    /// What the row stands for.
    pub kind: GroupKind,
    /// Programme code, or the provider's BIN when given.
    pub code: Option<String>,
    /// Programme title in Kazakh, or the provider's name.
    pub name_kk: Option<String>,
    /// Programme title in Russian, or the provider's name.
    pub name_ru: Option<String>,
    /// How many programmes or providers the row sums (1 but for `others`).
    pub groups: i64,
    /// Applications submitted.
    pub applications: i64,
    /// Decisions to recognise.
    pub recognised: i64,
    /// Decisions to refuse.
    pub refused: i64,
    /// Votes that adopted nothing.
    pub not_adopted: i64,
}

/// Certificates used by more than one application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reused {
    /// Applications in scope whose certificate another submitted application also uses.
    pub applications: i64,
    /// Distinct certificates among them.
    pub certificates: i64,
}

/// An organisation's or the national report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The organisation; none for the national report.
    pub org_id: Option<i64>,
    /// First day of submissions counted, if limited.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    /// Last day of submissions counted, if limited.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
    /// When the figures were taken.
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// Applications submitted in the range.
    pub applications: i64,
    /// By current status, in the order of the procedure (every status but draft).
    pub by_status: Vec<StatusCount>,
    /// By month of first submission, every month from the first to the last.
    pub by_month: Vec<MonthCount>,
    /// Decisions and votes without result.
    pub outcomes: Outcomes,
    /// Days from submission to decision.
    pub days_to_decision: DaysToDecision,
    /// By programme: the largest [`TOP`], then others, then none given.
    pub by_programme: Vec<GroupRow>,
    /// By non-formal provider: the largest [`TOP`], then others, then none given.
    pub by_provider: Vec<GroupRow>,
    /// Certificates used by more than one application.
    pub reused: Reused,
}

/// The report of one organisation: its admins and auditors, and the operator.
pub async fn organisation(
    ctx: &Ctx,
    actor: &Actor,
    org_id: i64,
    q: &ReportQuery,
    now: OffsetDateTime,
) -> Result<Report, AppError> {
    let scope = actor.scope(org_id, Need::ReadReports)?;
    let (from, to) = q.parse()?;
    build(
        ctx,
        ReportFilter {
            org_id: Some(scope.org_id()),
            from,
            to,
        },
        now,
    )
    .await
}

/// The national report, over every organisation: the platform operator only.
pub async fn national(
    ctx: &Ctx,
    actor: &Actor,
    q: &ReportQuery,
    now: OffsetDateTime,
) -> Result<Report, AppError> {
    actor.require_operator()?;
    let (from, to) = q.parse()?;
    build(
        ctx,
        ReportFilter {
            org_id: None,
            from,
            to,
        },
        now,
    )
    .await
}

/// Runs one repository query on a connection of its own.
macro_rules! on_own_conn {
    ($db:expr, $query:path, $f:expr) => {
        async {
            let mut conn = $db.acquire().await?;
            Ok::<_, AppError>($query(conn.conn(), $f).await?)
        }
    };
}

async fn build(ctx: &Ctx, f: ReportFilter, now: OffsetDateTime) -> Result<Report, AppError> {
    // The five queries are independent: each on its own connection, at the same time.
    let (counts, months, days, providers, reuse) = tokio::try_join!(
        on_own_conn!(ctx.db, repo::by_status_and_programme, &f),
        on_own_conn!(ctx.db, repo::by_month, &f),
        on_own_conn!(ctx.db, repo::days_to_decision, &f),
        on_own_conn!(ctx.db, repo::by_provider, &f),
        on_own_conn!(ctx.db, repo::reused_certificates, &f),
    )?;
    let status = |code: &str| -> i64 {
        counts
            .statuses
            .iter()
            .filter(|(s, _)| s == code)
            .map(|(_, n)| n)
            .sum()
    };
    let outcomes = Outcomes {
        recognised: status(Status::Recognised.as_str()),
        refused: status(Status::Refused.as_str()),
        not_adopted: counts.programmes.iter().map(|g| g.not_adopted).sum(),
    };
    let by_status: Vec<StatusCount> = Status::ALL
        .iter()
        .filter(|s| **s != Status::Draft)
        .map(|s| StatusCount {
            status: s.as_str().to_owned(),
            applications: status(s.as_str()),
        })
        .collect();
    Ok(Report {
        org_id: f.org_id,
        from: f.from,
        to: f.to,
        generated_at: now,
        applications: counts.statuses.iter().map(|(_, n)| n).sum(),
        by_status,
        by_month: fill_months(&months),
        outcomes,
        days_to_decision: DaysToDecision {
            decisions: days.iter().map(|(_, n)| n).sum(),
            median: percentile(&days, 50),
            p90: percentile(&days, 90),
            min: days.first().map(|(d, _)| *d),
            max: days.last().map(|(d, _)| *d),
        },
        by_programme: top(counts.programmes, TOP),
        by_provider: top(providers, TOP),
        reused: Reused {
            applications: reuse.applications,
            certificates: reuse.certificates,
        },
    })
}

/// The nearest-rank `p`th percentile of a histogram `(value, count)` sorted by value:
/// the smallest value with at least ⌈p/100 · n⌉ observations at or below it.
pub fn percentile(histogram: &[(i64, i64)], p: u8) -> Option<i64> {
    let n: i128 = histogram.iter().map(|(_, c)| i128::from(*c)).sum();
    if n <= 0 {
        return None;
    }
    let rank = ((i128::from(p) * n + 99) / 100).max(1);
    let mut seen = 0i128;
    for (value, count) in histogram {
        seen += i128::from(*count);
        if seen >= rank {
            return Some(*value);
        }
    }
    histogram.last().map(|(v, _)| *v)
}

/// Every month from the first to the last of `months` (`YYYY-MM`, sorted), with zero
/// for those absent.
fn fill_months(months: &[(String, i64)]) -> Vec<MonthCount> {
    let parse = |m: &str| -> Option<(i32, u8)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let (Some(first), Some(last)) = (
        months.first().and_then(|(m, _)| parse(m)),
        months.last().and_then(|(m, _)| parse(m)),
    ) else {
        return months
            .iter()
            .map(|(m, n)| MonthCount {
                month: m.clone(),
                applications: *n,
            })
            .collect();
    };
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last && out.len() < 12 * 300 {
        let month = format!("{y:04}-{m:02}");
        let applications = months
            .iter()
            .filter(|(k, _)| *k == month)
            .map(|(_, n)| n)
            .sum();
        out.push(MonthCount {
            month,
            applications,
        });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// The largest `n` groups by applications (ties by code and name), then the rest
/// summed as "others", then the applications that name none.
fn top(groups: Vec<GroupCounts>, n: usize) -> Vec<GroupRow> {
    let row = |kind, g: GroupCounts, groups| GroupRow {
        kind,
        code: g.code,
        name_kk: g.name_kk,
        name_ru: g.name_ru,
        groups,
        applications: g.applications,
        recognised: g.recognised,
        refused: g.refused,
        not_adopted: g.not_adopted,
    };
    let (mut named, unnamed): (Vec<GroupCounts>, Vec<GroupCounts>) = groups
        .into_iter()
        .partition(|g| g.code.is_some() || g.name_kk.is_some());
    named.sort_by(|a, b| {
        b.applications
            .cmp(&a.applications)
            .then_with(|| (b.recognised + b.refused).cmp(&(a.recognised + a.refused)))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.name_kk.cmp(&b.name_kk))
    });
    let rest = if named.len() > n {
        named.split_off(n)
    } else {
        Vec::new()
    };
    let mut out: Vec<GroupRow> = named
        .into_iter()
        .map(|g| row(GroupKind::One, g, 1))
        .collect();
    if !rest.is_empty() {
        let count = i64::try_from(rest.len()).unwrap_or(i64::MAX);
        let sum = rest
            .into_iter()
            .fold(GroupCounts::default(), |s, g| GroupCounts {
                applications: s.applications + g.applications,
                recognised: s.recognised + g.recognised,
                refused: s.refused + g.refused,
                not_adopted: s.not_adopted + g.not_adopted,
                ..s
            });
        out.push(row(GroupKind::Others, sum, count));
    }
    let none = unnamed.into_iter().fold(None::<GroupCounts>, |s, g| {
        let s = s.unwrap_or_default();
        Some(GroupCounts {
            applications: s.applications + g.applications,
            recognised: s.recognised + g.recognised,
            refused: s.refused + g.refused,
            not_adopted: s.not_adopted + g.not_adopted,
            ..s
        })
    });
    if let Some(g) = none {
        out.push(row(GroupKind::Unspecified, g, 0));
    }
    out
}

fn opt_date(d: Option<Date>) -> String {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
        .unwrap_or_default()
}

fn opt_num(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The rows of a breakdown; `both_names` for programmes (titles in Kazakh and Russian),
/// a single name for providers.
fn group_rows(rows: &[GroupRow], both_names: bool) -> Vec<Vec<String>> {
    rows.iter()
        .map(|g| {
            let mut row = vec![
                match g.kind {
                    GroupKind::One => "one",
                    GroupKind::Unspecified => "unspecified",
                    GroupKind::Others => "others",
                }
                .to_owned(),
                g.code.clone().unwrap_or_default(),
                g.name_kk.clone().unwrap_or_default(),
            ];
            if both_names {
                row.push(g.name_ru.clone().unwrap_or_default());
            }
            row.extend(
                [
                    g.groups,
                    g.applications,
                    g.recognised,
                    g.refused,
                    g.not_adopted,
                ]
                .map(|n| n.to_string()),
            );
            row
        })
        .collect()
}

/// One CSV section: a header row, then the rows.
struct Section<'a> {
    header: &'a [&'a str],
    rows: Vec<Vec<String>>,
}

fn section<'a>(header: &'a [&'a str], rows: Vec<Vec<String>>) -> Section<'a> {
    Section { header, rows }
}

/// The report as CSV (the one writer of exports, [`crate::csv_export`]): sections separated
/// by an empty line, each with its own header row whose first cell names the section.
/// Codes, not translations, so that the file reads the same in any language; numbers
/// without grouping.
pub fn to_csv(r: &Report) -> Result<String, AppError> {
    let n = |v: i64| v.to_string();
    let generated = r
        .generated_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let sections = [
        section(
            &[
                "report",
                "organisation",
                "from",
                "to",
                "generated_at",
                "applications",
            ],
            vec![vec![
                if r.org_id.is_some() {
                    "organisation"
                } else {
                    "national"
                }
                .to_owned(),
                r.org_id.map(|o| o.to_string()).unwrap_or_default(),
                opt_date(r.from),
                opt_date(r.to),
                generated,
                n(r.applications),
            ]],
        ),
        section(
            &["status", "applications"],
            r.by_status
                .iter()
                .map(|s| vec![s.status.clone(), n(s.applications)])
                .collect::<Vec<_>>(),
        ),
        section(
            &["month", "applications"],
            r.by_month
                .iter()
                .map(|m| vec![m.month.clone(), n(m.applications)])
                .collect::<Vec<_>>(),
        ),
        section(
            &["outcome", "count"],
            vec![
                vec!["recognised".to_owned(), n(r.outcomes.recognised)],
                vec!["refused".to_owned(), n(r.outcomes.refused)],
                vec!["not-adopted".to_owned(), n(r.outcomes.not_adopted)],
            ],
        ),
        section(
            &["days_to_decision", "value"],
            vec![
                vec!["decisions".to_owned(), n(r.days_to_decision.decisions)],
                vec!["median".to_owned(), opt_num(r.days_to_decision.median)],
                vec!["p90".to_owned(), opt_num(r.days_to_decision.p90)],
                vec!["min".to_owned(), opt_num(r.days_to_decision.min)],
                vec!["max".to_owned(), opt_num(r.days_to_decision.max)],
            ],
        ),
        section(
            &[
                "programme",
                "code",
                "title_kk",
                "title_ru",
                "programmes",
                "applications",
                "recognised",
                "refused",
                "not_adopted",
            ],
            group_rows(&r.by_programme, true),
        ),
        section(
            &[
                "provider",
                "bin",
                "name",
                "providers",
                "applications",
                "recognised",
                "refused",
                "not_adopted",
            ],
            group_rows(&r.by_provider, false),
        ),
        section(
            &["reused_certificates", "count"],
            vec![
                vec!["applications".to_owned(), n(r.reused.applications)],
                vec!["certificates".to_owned(), n(r.reused.certificates)],
            ],
        ),
    ];
    let mut w = CsvWriter::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            w.blank_line()?;
        }
        w.row(s.header)?;
        for row in &s.rows {
            w.row(row)?;
        }
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        // 1, 2, 2, 3, 10 → median 2 (3rd of 5), p90 10 (5th of 5).
        let h = [(1, 1), (2, 2), (3, 1), (10, 1)];
        assert_eq!(percentile(&h, 50), Some(2));
        assert_eq!(percentile(&h, 90), Some(10));
        // Even count: the lower middle (2nd of 4).
        assert_eq!(percentile(&[(5, 2), (9, 2)], 50), Some(5));
        assert_eq!(percentile(&[(5, 1)], 90), Some(5));
        assert_eq!(percentile(&[], 50), None);
        // Ten values 0..=9: p90 is the 9th.
        let tens: Vec<(i64, i64)> = (0..10).map(|d| (d, 1)).collect();
        assert_eq!(percentile(&tens, 90), Some(8));
    }

    #[test]
    fn months_without_submissions_are_zero() {
        let m = fill_months(&[("2025-11".into(), 2), ("2026-02".into(), 1)]);
        let got: Vec<(&str, i64)> = m
            .iter()
            .map(|m| (m.month.as_str(), m.applications))
            .collect();
        assert_eq!(
            got,
            [
                ("2025-11", 2),
                ("2025-12", 0),
                ("2026-01", 0),
                ("2026-02", 1)
            ]
        );
        assert!(fill_months(&[]).is_empty());
    }

    fn g(code: Option<&str>, applications: i64, recognised: i64) -> GroupCounts {
        GroupCounts {
            code: code.map(str::to_owned),
            name_kk: code.map(str::to_owned),
            name_ru: code.map(str::to_owned),
            applications,
            recognised,
            ..GroupCounts::default()
        }
    }

    #[test]
    fn top_groups_then_others_then_unspecified() {
        let rows = top(
            vec![
                g(None, 4, 0),
                g(Some("A"), 1, 1),
                g(Some("B"), 5, 2),
                g(Some("C"), 3, 0),
                g(Some("D"), 1, 0),
            ],
            2,
        );
        let got: Vec<(GroupKind, Option<&str>, i64, i64, i64)> = rows
            .iter()
            .map(|r| {
                (
                    r.kind,
                    r.code.as_deref(),
                    r.groups,
                    r.applications,
                    r.recognised,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (GroupKind::One, Some("B"), 1, 5, 2),
                (GroupKind::One, Some("C"), 1, 3, 0),
                (GroupKind::Others, None, 2, 2, 1),
                (GroupKind::Unspecified, None, 0, 4, 0),
            ]
        );
    }

    #[test]
    fn inverted_range_is_refused() {
        let q = ReportQuery {
            from: Some("2026-03-01".into()),
            to: Some("2026-02-01".into()),
        };
        assert!(matches!(
            q.parse(),
            Err(AppError::Domain(DomainError::DateRangeInverted { .. }))
        ));
        let q = ReportQuery {
            from: Some(" ".into()),
            to: None,
        };
        assert!(matches!(q.parse(), Ok((None, None))));
    }
}

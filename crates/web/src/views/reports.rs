//! Report pages: an organisation's report (its admins and auditors, the operator) and
//! the national report (the operator), each with a date filter, tables, server-drawn
//! charts and a CSV download. The figures and who may see them are the service's
//! business (`tanu_app::reports`); this module only lays them out.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use tanu_app::access::Need;
use tanu_app::organisations;
use tanu_app::reports::{self, GroupKind, GroupRow, Report, ReportQuery};
use tanu_domain::Locale;

use super::layout::{FormState, Page};
use super::{csv_response, form_error, page_with_status};
use crate::charts::{self, Bar};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/reports", get(org_page))
        .route("/orgs/{org}/reports.csv", get(org_csv))
        .route("/reports", get(national_page))
        .route("/reports.csv", get(national_csv))
}

/// An integer with its digits grouped as the locale writes them: `1 234 567` (with
/// no-break spaces) in Kazakh and Russian, `1,234,567` in English.
pub(crate) fn grouped(n: i64, locale: Locale) -> String {
    let sep = match locale {
        Locale::Kk | Locale::Ru => '\u{a0}',
        Locale::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    page: Page,
    /// The organisation and its name; none for the national report.
    org: Option<(i64, String)>,
    report: Option<Report>,
    q: ReportQuery,
    form: FormState,
    csv_href: String,
    charts: Charts,
}

#[derive(Default)]
struct Charts {
    status: String,
    months: String,
    outcomes: String,
}

impl ReportPage {
    fn title(&self) -> String {
        match &self.org {
            Some((_, name)) => format!("{} · {name}", self.page.t("reports-title-org")),
            None => self.page.t("reports-national-title"),
        }
    }

    fn n(&self, v: &i64) -> String {
        grouped(*v, self.page.i18n.locale)
    }

    fn days(&self, v: &Option<i64>) -> String {
        v.map_or_else(
            || "—".to_owned(),
            |d| format!("{} {}", self.n(&d), self.page.t("reports-days-unit")),
        )
    }

    fn v<'a>(&self, s: &'a Option<String>) -> &'a str {
        s.as_deref().unwrap_or_default()
    }

    fn status_label(&self, code: &str) -> String {
        self.page.t(&format!("status-{code}"))
    }

    fn scope_line(&self, r: &Report) -> String {
        if r.from.is_none() && r.to.is_none() {
            return self.page.t("reports-scope-all");
        }
        let day = |d: &Option<time::Date>| d.map_or_else(|| "…".to_owned(), |d| self.page.date(&d));
        self.page.t1(
            "reports-scope",
            "range",
            &format!("{} – {}", day(&r.from), day(&r.to)),
        )
    }

    fn generated(&self, r: &Report) -> String {
        self.page.t1(
            "reports-generated",
            "at",
            &self.page.datetime(&r.generated_at),
        )
    }

    /// The name of a programme or provider row in the page's language.
    fn group_name(&self, g: &GroupRow, unspecified: &str) -> String {
        match g.kind {
            GroupKind::Others => self.page.t1("reports-others", "count", &self.n(&g.groups)),
            GroupKind::Unspecified => self.page.t(unspecified),
            GroupKind::One => {
                let name = if self.page.i18n.locale == Locale::Kk {
                    g.name_kk.as_deref()
                } else {
                    g.name_ru.as_deref()
                };
                match (g.code.as_deref(), name) {
                    (Some(c), Some(n)) if c != n => format!("{c} · {n}"),
                    (_, Some(n)) => n.to_owned(),
                    (Some(c), None) => c.to_owned(),
                    (None, None) => String::new(),
                }
            }
        }
    }
}

fn draw(page: &Page, r: &Report) -> Charts {
    let locale = page.i18n.locale;
    let status: Vec<Bar> = r
        .by_status
        .iter()
        .map(|s| {
            let tone = match s.status.as_str() {
                "recognised" => "ok",
                "refused" => "danger",
                "withdrawn" | "not-adopted" => "muted",
                _ => "",
            };
            Bar::new(
                page.t(&format!("status-{}", s.status)),
                s.applications,
                grouped(s.applications, locale),
            )
            .tone(tone)
        })
        .collect();
    let months: Vec<Bar> = r
        .by_month
        .iter()
        .map(|m| Bar::new(&m.month, m.applications, grouped(m.applications, locale)))
        .collect();
    let o = r.outcomes;
    let outcomes = [
        ("status-recognised", o.recognised, "ok"),
        ("status-refused", o.refused, "danger"),
        ("status-not-adopted", o.not_adopted, "muted"),
    ]
    .into_iter()
    .map(|(key, v, tone)| Bar::new(page.t(key), v, grouped(v, locale)).tone(tone))
    .collect::<Vec<_>>();
    Charts {
        status: charts::bars("chart-status", &page.t("reports-by-status"), &status),
        months: charts::columns("chart-months", &page.t("reports-by-month"), &months),
        outcomes: charts::bars("chart-outcomes", &page.t("reports-outcomes"), &outcomes),
    }
}

/// The query string again, for the CSV link of the same figures.
fn csv_href(base: &str, q: &ReportQuery) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("from", &q.from), ("to", &q.to)] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    let qs = s.finish();
    if qs.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{qs}")
    }
}

/// Renders the page; a filter the service refuses (a malformed or inverted date) is
/// shown in the form instead of the figures.
fn render(
    rctx: &RequestCtx,
    org: Option<(i64, String)>,
    result: Result<Report, WebError>,
    q: ReportQuery,
    csv_base: &str,
) -> Result<Response, WebError> {
    let page = Page::from_ctx(rctx);
    let (report, form, status) = match result {
        Ok(r) => (Some(r), FormState::new(), StatusCode::OK),
        Err(e) => {
            let e = form_error(e)?;
            let status = e.status();
            (None, FormState::new().fail(&e, &page.i18n), status)
        }
    };
    let charts = report.as_ref().map(|r| draw(&page, r)).unwrap_or_default();
    page_with_status(
        status,
        &ReportPage {
            csv_href: csv_href(csv_base, &q),
            page,
            org,
            report,
            q,
            form,
            charts,
        },
    )
}

async fn org_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(org, Need::ReadReports)?;
    let name = organisations::get(&state.ctx, &scope)
        .await?
        .names()
        .in_locale(rctx.locale)
        .to_owned();
    let result = reports::organisation(&state.ctx, actor, org, &q, rctx.now)
        .await
        .map_err(WebError::from);
    render(
        &rctx,
        Some((org, name)),
        result,
        q,
        &format!("/orgs/{org}/reports.csv"),
    )
}

async fn national_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    actor.require_operator()?;
    let result = reports::national(&state.ctx, actor, &q, rctx.now)
        .await
        .map_err(WebError::from);
    render(&rctx, None, result, q, "/reports.csv")
}

/// `tanu-report-<scope>-<day>.csv`.
pub(crate) fn csv_name(scope: &str, r: &Report) -> String {
    // The day in Kazakhstan, like every date the pages show.
    let d = tanu_domain::dates::local_today(r.generated_at);
    format!(
        "tanu-report-{scope}-{:04}-{:02}-{:02}.csv",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

async fn org_csv(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let r = reports::organisation(&state.ctx, rctx.actor()?, org, &q, rctx.now).await?;
    Ok(csv_response(
        reports::to_csv(&r)?,
        &csv_name(&org.to_string(), &r),
    ))
}

async fn national_csv(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let r = reports::national(&state.ctx, rctx.actor()?, &q, rctx.now).await?;
    Ok(csv_response(
        reports::to_csv(&r)?,
        &csv_name("national", &r),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_per_locale() {
        assert_eq!(grouped(0, Locale::En), "0");
        assert_eq!(grouped(999, Locale::Ru), "999");
        assert_eq!(grouped(1000, Locale::En), "1,000");
        assert_eq!(grouped(1_234_567, Locale::Kk), "1\u{a0}234\u{a0}567");
        assert_eq!(grouped(-12_345, Locale::En), "-12,345");
    }

    #[test]
    fn the_csv_link_keeps_the_filter() {
        let q = ReportQuery {
            from: Some("2026-01-01".into()),
            to: Some(" ".into()),
        };
        assert_eq!(csv_href("/reports.csv", &q), "/reports.csv?from=2026-01-01");
        assert_eq!(
            csv_href("/reports.csv", &ReportQuery::default()),
            "/reports.csv"
        );
    }
}

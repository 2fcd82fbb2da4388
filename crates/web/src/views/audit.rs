//! The audit trail for auditors and admins (one organisation) and the operator (all),
//! with filters, paging and CSV export.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use tanu_app::access::Need;
use tanu_app::audit::{self, AuditEvent, AuditQuery};

use super::layout::Page;
use super::{csv_response, html};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/audit", get(org_page))
        .route("/orgs/{org}/audit.csv", get(org_csv))
        .route("/audit", get(national_page))
        .route("/audit.csv", get(national_csv))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    /// `/orgs/{org}/audit` or `/audit`.
    base: String,
    q: AuditQuery,
    events: Vec<AuditEvent>,
    /// Query string for the CSV link and the next page.
    query: String,
}

impl AuditPage {
    fn opt(&self, v: &Option<i64>) -> String {
        v.map_or_else(String::new, |v| v.to_string())
    }

    fn text<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    fn details(&self, e: &AuditEvent) -> String {
        let s = e.details.to_string();
        if s.chars().count() > 300 {
            format!("{}…", s.chars().take(300).collect::<String>())
        } else {
            s
        }
    }

    fn next_page(&self) -> Option<String> {
        (self.events.len() == usize::try_from(audit::PAGE).unwrap_or(usize::MAX))
            .then(|| self.events.last().map(|e| e.seq))
            .flatten()
            .map(|seq| {
                let sep = if self.query.is_empty() { "" } else { "&" };
                format!("{}?{}{sep}before={seq}", self.base, self.query)
            })
    }
}

fn query_string(q: &AuditQuery) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            s.append_pair(k, &v);
        }
    };
    put("person", q.person.map(|v| v.to_string()));
    put("application", q.application.map(|v| v.to_string()));
    put("commission", q.commission.map(|v| v.to_string()));
    put("meeting", q.meeting.map(|v| v.to_string()));
    put("action", q.action.clone());
    put("from", q.from.clone());
    put("to", q.to.clone());
    s.finish()
}

async fn org_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    let events = audit::for_org(&state.ctx, &scope, &q, audit::PAGE).await?;
    html(&AuditPage {
        page: Page::from_ctx(&rctx),
        base: format!("/orgs/{org}/audit"),
        query: query_string(&q),
        q,
        events,
    })
}

async fn national_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let events = audit::national(&state.ctx, rctx.actor()?, &q, audit::PAGE).await?;
    html(&AuditPage {
        page: Page::from_ctx(&rctx),
        base: "/audit".to_owned(),
        query: query_string(&q),
        q,
        events,
    })
}

async fn org_csv(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    let events = audit::for_org(&state.ctx, &scope, &q, audit::EXPORT_MAX).await?;
    Ok(csv_response(
        audit::to_csv(&events)?,
        &format!("audit-{org}.csv"),
    ))
}

async fn national_csv(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let events = audit::national(&state.ctx, rctx.actor()?, &q, audit::EXPORT_MAX).await?;
    Ok(csv_response(audit::to_csv(&events)?, "audit.csv"))
}

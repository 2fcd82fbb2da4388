//! An organisation's retention policy (docs/privacy.md): its staff read the periods in
//! force, the stated defaults and every earlier version; its admin sets a new version.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::retention::{self, PolicyView};
use tanu_domain::retention::RetentionPolicy;

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/orgs/{id}/retention", get(show).post(set))
}

/// The four periods, in the order the page lists them.
const FIELDS: [&str; 4] = [
    "drafts_days",
    "withdrawn_days",
    "incomplete_days",
    "identity_days",
];

fn days(p: &RetentionPolicy) -> [i64; 4] {
    [
        p.drafts_days,
        p.withdrawn_days,
        p.incomplete_days,
        p.identity_days,
    ]
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    page: Page,
    view: PolicyView,
    /// Field, current days, default days.
    rows: Vec<(&'static str, i64, i64)>,
    form: FormState,
}

impl RetentionPage {
    fn version_days(&self, p: &RetentionPolicy) -> [i64; 4] {
        days(p)
    }
}

fn form_of(p: &RetentionPolicy) -> FormState {
    FIELDS
        .iter()
        .zip(days(p))
        .fold(FormState::new(), |f, (name, d)| f.with(name, d.to_string()))
}

fn retention_page(rctx: &RequestCtx, view: PolicyView, form: FormState) -> RetentionPage {
    let rows = FIELDS
        .iter()
        .zip(days(&view.current.policy))
        .zip(days(&view.defaults))
        .map(|((name, current), default)| (*name, current, default))
        .collect();
    RetentionPage {
        page: Page::from_ctx(rctx),
        view,
        rows,
        form,
    }
}

async fn show(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ReadOrg)?;
    let view = retention::policy(&state.ctx, &scope).await?;
    let form = form_of(&view.current.policy);
    html(&retention_page(&rctx, view, form))
}

#[derive(Debug, Deserialize)]
struct PolicyForm {
    #[serde(default)]
    drafts_days: String,
    #[serde(default)]
    withdrawn_days: String,
    #[serde(default)]
    incomplete_days: String,
    #[serde(default)]
    identity_days: String,
}

impl PolicyForm {
    fn values(&self) -> [&str; 4] {
        [
            &self.drafts_days,
            &self.withdrawn_days,
            &self.incomplete_days,
            &self.identity_days,
        ]
    }

    /// The periods typed; a field that is not a whole number reads as 0, which the
    /// policy's own check refuses with that field named.
    fn policy(&self) -> RetentionPolicy {
        let [drafts_days, withdrawn_days, incomplete_days, identity_days] =
            self.values().map(|v| v.trim().parse().unwrap_or(0));
        RetentionPolicy {
            drafts_days,
            withdrawn_days,
            incomplete_days,
            identity_days,
        }
    }

    fn state(&self) -> FormState {
        FIELDS
            .iter()
            .zip(self.values())
            .fold(FormState::new(), |f, (name, v)| f.with(name, v))
    }
}

async fn set(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    Form(f): Form<PolicyForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ReadOrg)?;
    match retention::set_policy(&state.ctx, &scope, &f.policy(), rctx.now).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/retention")).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let view = retention::policy(&state.ctx, &scope).await?;
            let form = f.state().fail(&e, &rctx.i18n());
            page_with_status(e.status(), &retention_page(&rctx, view, form))
        }
    }
}

//! Rule sets: everyone logged in can read them; the operator sets their dates.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use tanu_app::rule_sets::{self, RuleSetUpdate, StoredRuleSet};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/rule-sets", get(list))
        .route("/rule-sets/{id}", get(show).post(update))
}

#[derive(Template)]
#[template(path = "rule_sets.html")]
struct ListPage {
    page: Page,
    sets: Vec<(StoredRuleSet, String)>,
    in_force: Option<String>,
}

async fn list(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    rctx.actor()?;
    let sets = rule_sets::list(&state.ctx).await?;
    let today = tanu_domain::dates::local_today(rctx.now);
    let in_force = rule_sets::in_force_on(&state.ctx, today)
        .await?
        .map(|s| s.set.code);
    let page = Page::from_ctx(&rctx);
    let sets = sets
        .into_iter()
        .map(|s| {
            let t = title(&page, &s);
            (s, t)
        })
        .collect();
    html(&ListPage {
        page,
        sets,
        in_force,
    })
}

#[derive(Template)]
#[template(path = "rule_set.html")]
struct ShowPage {
    page: Page,
    set: StoredRuleSet,
    title: String,
    params: Vec<(String, String)>,
    form: FormState,
}

/// The code of a serialised enum value (`"more-than-half"`).
fn code_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The parameters as translated label/value pairs.
fn params(page: &Page, p: &tanu_domain::RuleSetParams) -> Vec<(String, String)> {
    let yes_no = |b: bool| page.t(if b { "yes" } else { "no" });
    vec![
        (
            page.t("param-quorum"),
            page.t(&format!("quorum-{}", code_of(&p.quorum))),
        ),
        (
            page.t("param-election-base"),
            page.t(&format!(
                "majority-base-{}",
                code_of(&p.election_majority_base)
            )),
        ),
        (
            page.t("param-all-members-teachers"),
            yes_no(p.all_members_teachers),
        ),
        (page.t("param-min-teachers"), p.min_teachers.to_string()),
        (
            page.t("param-completeness-check-days"),
            p.completeness_check_days.to_string(),
        ),
        (page.t("param-decision-days"), p.decision_days.to_string()),
        (
            page.t("param-appeal-days"),
            p.appeal_days
                .map_or_else(|| page.t("param-no-appeals"), |d| d.to_string()),
        ),
    ]
}

/// The set's title in the page's language, when there is a translation for its code.
fn title(page: &Page, set: &StoredRuleSet) -> String {
    let key = format!("ruleset-title-{}", set.set.code);
    if page.i18n.has(&key) {
        page.t(&key)
    } else {
        set.set.title.clone()
    }
}

fn show_page(rctx: &RequestCtx, set: StoredRuleSet, form: FormState) -> ShowPage {
    let page = Page::from_ctx(rctx);
    let params = params(&page, &set.set.params);
    let title = title(&page, &set);
    ShowPage {
        page,
        set,
        title,
        params,
        form,
    }
}

fn dates(set: &StoredRuleSet) -> FormState {
    FormState::new()
        .with("effective_from", set.set.effective_from.to_string())
        .with(
            "effective_to",
            set.set
                .effective_to
                .map(|d| d.to_string())
                .unwrap_or_default(),
        )
}

async fn show(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    rctx.actor()?;
    let set = rule_sets::get(&state.ctx, id).await?;
    let form = dates(&set);
    html(&show_page(&rctx, set, form))
}

#[derive(Debug, Deserialize)]
struct DatesForm {
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    effective_to: String,
}

async fn update(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    Form(f): Form<DatesForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let input = RuleSetUpdate {
        effective_from: f.effective_from.clone(),
        effective_to: Some(f.effective_to.clone()),
        params: None,
    };
    match rule_sets::update(&state.ctx, actor, id, &input, rctx.now).await {
        Ok(_) => Ok(Redirect::to(&format!("/rule-sets/{id}")).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let set = rule_sets::get(&state.ctx, id).await?;
            let form = FormState::new()
                .with("effective_from", f.effective_from)
                .with("effective_to", f.effective_to)
                .fail(&e, &rctx.i18n());
            page_with_status(e.status(), &show_page(&rctx, set, form))
        }
    }
}

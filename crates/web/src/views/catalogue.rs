//! The organisation's catalogue of programmes and units (rule 13 recognises units of
//! it): the list, a row added or changed by hand, and a CSV import.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::catalogue::{self, CatalogueRow, Programme};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/programmes", get(catalogue_page).post(add_row))
        .route("/orgs/{org}/programmes/import", post(import))
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    page: Page,
    org_id: i64,
    programmes: Vec<Programme>,
    can_manage: bool,
    form: FormState,
    header: &'static str,
    imported: Option<usize>,
}

async fn catalogue_view(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    form: FormState,
    imported: Option<usize>,
) -> Result<CataloguePage, WebError> {
    let actor = rctx.actor()?;
    actor.scope(org, Need::ReadOrg)?;
    Ok(CataloguePage {
        page: Page::from_ctx(rctx),
        org_id: org,
        programmes: catalogue::list(&state.ctx, org).await?,
        can_manage: actor.scope(org, Need::ManageStaff).is_ok(),
        form,
        header: catalogue::CSV_HEADER,
        imported,
    })
}

async fn catalogue_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Response, WebError> {
    html(&catalogue_view(&state, &rctx, org, FormState::new(), None).await?)
}

#[derive(Debug, Deserialize)]
struct RowForm {
    #[serde(default)]
    programme_code: String,
    #[serde(default)]
    programme_title_kk: String,
    #[serde(default)]
    programme_title_ru: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    unit_kind: String,
    #[serde(default)]
    unit_title_kk: String,
    #[serde(default)]
    unit_title_ru: String,
    #[serde(default)]
    credits: String,
    #[serde(default)]
    outcomes: String,
}

async fn add_row(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Form(f): Form<RowForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageStaff)?;
    let row = CatalogueRow {
        programme_code: f.programme_code.clone(),
        programme_title_kk: f.programme_title_kk.clone(),
        programme_title_ru: f.programme_title_ru.clone(),
        unit_code: f.unit_code.clone(),
        unit_kind: f.unit_kind.clone(),
        unit_title_kk: f.unit_title_kk.clone(),
        unit_title_ru: f.unit_title_ru.clone(),
        credits: f.credits.trim().parse().unwrap_or(-1),
        outcomes: f.outcomes.lines().collect::<Vec<_>>().join(";"),
    };
    match catalogue::save(&state.ctx, &scope, &row, rctx.now).await {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{org}/programmes")).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new()
                .with("programme_code", f.programme_code)
                .with("programme_title_kk", f.programme_title_kk)
                .with("programme_title_ru", f.programme_title_ru)
                .with("unit_code", f.unit_code)
                .with("unit_title_kk", f.unit_title_kk)
                .with("unit_title_ru", f.unit_title_ru)
                .with("credits", f.credits)
                .with("outcomes", f.outcomes)
                .fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &catalogue_view(&state, &rctx, org, form, None).await?,
            )
        }
    }
}

#[derive(Debug, Deserialize)]
struct ImportForm {
    #[serde(default)]
    csv: String,
}

async fn import(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Form(f): Form<ImportForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageStaff)?;
    match catalogue::import_csv(&state.ctx, &scope, &f.csv, rctx.now).await {
        Ok(done) => page_with_status(
            StatusCode::OK,
            &catalogue_view(&state, &rctx, org, FormState::new(), Some(done.rows)).await?,
        ),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new().with("csv", f.csv).fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &catalogue_view(&state, &rctx, org, form, None).await?,
            )
        }
    }
}

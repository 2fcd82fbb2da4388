//! Applications (rules 3, 5, 10, 11) and the catalogue over the API. Document uploads
//! and downloads are in `crate::uploads` (they have their own body limit).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tanu_app::access::Need;
use tanu_app::applications::{
    self, ApplicationInput, ApplicationLine, ApplicationView, CheckInput, QueueQuery, WalkIn,
    WalkInRegistered,
};
use tanu_app::catalogue::{self, CatalogueRow, Imported, Programme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiQuery};
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(programmes, add_catalogue_row))
        .routes(routes!(import_catalogue))
        .routes(routes!(mine, create))
        .routes(routes!(get_one, update, delete_draft))
        .routes(routes!(submit))
        .routes(routes!(withdraw))
        .routes(routes!(withdraw_consent))
        .routes(routes!(check))
        .routes(routes!(queue, register_walk_in))
}

/// An organisation's programmes with their disciplines or modules (anyone logged in).
#[utoipa::path(get, path = "/organisations/{org}/programmes", tag = "applications",
    params(("org" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<Programme>), (status = 401, body = Problem)))]
async fn programmes(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Json<Vec<Programme>>, WebError> {
    rctx.actor()?;
    Ok(Json(catalogue::list(&state.ctx, org).await?))
}

/// Adds or updates one catalogue row (organisation admin).
#[utoipa::path(post, path = "/organisations/{org}/programmes", tag = "applications",
    params(("org" = i64, Path, description = "Organisation id")), request_body = CatalogueRow,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_catalogue_row(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    ApiJson(body): ApiJson<CatalogueRow>,
) -> Result<StatusCode, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageStaff)?;
    catalogue::save(&state.ctx, &scope, &body, rctx.now).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports the catalogue from CSV (`text/csv`, UTF-8, header
/// `programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes`;
/// outcomes separated by `;`). All rows or none.
#[utoipa::path(post, path = "/organisations/{org}/programmes/import", tag = "applications",
    params(("org" = i64, Path, description = "Organisation id")), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Imported), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import_catalogue(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    body: Bytes,
) -> Result<Json<Imported>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageStaff)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| WebError::MalformedBody("the CSV is not UTF-8".to_owned()))?;
    Ok(Json(
        catalogue::import_csv(&state.ctx, &scope, text, rctx.now).await?,
    ))
}

/// The caller's own applications.
#[utoipa::path(get, path = "/applications", tag = "applications", responses((status = 200, body = Vec<ApplicationLine>), (status = 401, body = Problem)))]
async fn mine(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<Json<Vec<ApplicationLine>>, WebError> {
    Ok(Json(applications::mine(&state.ctx, rctx.actor()?).await?))
}

/// Starts an application (a draft) to an organisation.
#[utoipa::path(post, path = "/applications", tag = "applications", request_body = ApplicationInput,
    responses((status = 201, body = ApplicationView), (status = 422, description = "Invalid, or refused by rules 3, 4, 5", body = Problem)))]
async fn create(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<ApplicationInput>,
) -> Result<(StatusCode, Json<ApplicationView>), WebError> {
    Ok((
        StatusCode::CREATED,
        Json(applications::create(&state.ctx, rctx.actor()?, &body, rctx.now).await?),
    ))
}

/// One application: its details, documents, checks and history.
#[utoipa::path(get, path = "/applications/{id}", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Json<ApplicationView>, WebError> {
    Ok(Json(
        applications::get(&state.ctx, rctx.actor()?, id, rctx.now).await?,
    ))
}

/// Changes a draft or an incomplete application.
#[utoipa::path(put, path = "/applications/{id}", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    request_body = ApplicationInput,
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ApplicationInput>,
) -> Result<Json<ApplicationView>, WebError> {
    Ok(Json(
        applications::update(&state.ctx, rctx.actor()?, id, &body, rctx.now).await?,
    ))
}

/// Submits (or resubmits after an incomplete check). Rule 10: the three documents must be
/// there. Submitting twice changes nothing.
#[utoipa::path(post, path = "/applications/{id}/submit", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationView), (status = 422, body = Problem)))]
async fn submit(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Json<ApplicationView>, WebError> {
    Ok(Json(
        applications::submit(&state.ctx, rctx.actor()?, id, rctx.now).await?,
    ))
}

/// Withdraws the application (the candidate).
#[utoipa::path(post, path = "/applications/{id}/withdraw", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Json<ApplicationView>, WebError> {
    Ok(Json(
        applications::withdraw(&state.ctx, rctx.actor()?, id, rctx.now).await?,
    ))
}

/// Deletes the candidate's draft: its statement and files go at once (docs/privacy.md).
#[utoipa::path(delete, path = "/applications/{id}", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn delete_draft(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    applications::delete_draft(&state.ctx, rctx.actor()?, id, rctx.now).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The candidate withdraws their consent for an undecided application: it is withdrawn
/// and its statement and files are purged at once (docs/privacy.md). Repeating it
/// changes nothing.
#[utoipa::path(post, path = "/applications/{id}/withdraw-consent", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn withdraw_consent(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    applications::withdraw_consent(&state.ctx, rctx.actor()?, id, rctx.now).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The completeness check (rule 11), by a secretary of the organisation.
#[utoipa::path(post, path = "/applications/{id}/check", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    request_body = CheckInput,
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn check(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CheckInput>,
) -> Result<Json<ApplicationView>, WebError> {
    Ok(Json(
        applications::check(&state.ctx, rctx.actor()?, id, &body, rctx.now).await?,
    ))
}

/// The organisation's intake queue, with filters and search by name or number.
#[utoipa::path(get, path = "/organisations/{org}/applications", tag = "applications",
    params(("org" = i64, Path, description = "Organisation id"), QueueQuery),
    responses((status = 200, body = Vec<ApplicationLine>), (status = 404, body = Problem)))]
async fn queue(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<ApplicationLine>>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        applications::queue(&state.ctx, &scope, &q, rctx.now).await?,
    ))
}

/// Registers an application on behalf of a walk-in candidate (secretary).
#[utoipa::path(post, path = "/organisations/{org}/applications", tag = "applications",
    params(("org" = i64, Path, description = "Organisation id")), request_body = WalkIn,
    responses((status = 201, body = WalkInRegistered), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn register_walk_in(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    ApiJson(body): ApiJson<WalkIn>,
) -> Result<(StatusCode, Json<WalkInRegistered>), WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(org, Need::ReadOrg)?;
    Ok((
        StatusCode::CREATED,
        Json(applications::register_walk_in(&state.ctx, actor, &scope, &body, rctx.now).await?),
    ))
}

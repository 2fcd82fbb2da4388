//! Organisations (rule 4) and their staff over the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tanu_app::access::Need;
use tanu_app::organisations::{self, OrgInput, Organisation};
use tanu_app::retention::{self, PolicyView};
use tanu_app::staff::{self, NewStaff, StaffAdded, StaffMember, StaffUpdate};
use tanu_domain::retention::RetentionPolicy;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, register))
        .routes(routes!(get_one, update))
        .routes(routes!(list_staff, add_staff))
        .routes(routes!(get_staff, update_staff))
        .routes(routes!(get_retention, set_retention))
}

/// The organisation's retention policy: the one in force (the stated defaults until its
/// admin sets one), its earlier versions and the defaults.
#[utoipa::path(get, path = "/organisations/{id}/retention", tag = "organisations", params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = PolicyView), (status = 404, body = Problem)))]
async fn get_retention(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Json<PolicyView>, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ReadOrg)?;
    Ok(Json(retention::policy(&state.ctx, &scope).await?))
}

/// Sets a new version of the organisation's retention policy (its admin); each period is
/// a number of days from 1 to 3650.
#[utoipa::path(put, path = "/organisations/{id}/retention", tag = "organisations", params(("id" = i64, Path, description = "Organisation id")),
    request_body = RetentionPolicy,
    responses((status = 200, body = PolicyView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_retention(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RetentionPolicy>,
) -> Result<Json<PolicyView>, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ReadOrg)?;
    Ok(Json(
        retention::set_policy(&state.ctx, &scope, &body, rctx.now).await?,
    ))
}

/// Organisations the caller may see: all for the operator, otherwise their own.
#[utoipa::path(get, path = "/organisations", tag = "organisations",
    responses((status = 200, body = Vec<Organisation>), (status = 401, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<Json<Vec<Organisation>>, WebError> {
    Ok(Json(
        organisations::list_visible(&state.ctx, rctx.actor()?).await?,
    ))
}

/// Registers an educational organisation (operator). Rule 4: only technical and
/// vocational, post-secondary, higher and postgraduate organisations.
#[utoipa::path(post, path = "/organisations", tag = "organisations", request_body = OrgInput,
    responses((status = 201, body = Organisation), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 422, description = "Invalid input, or refused by rule 4", body = Problem)))]
async fn register(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<OrgInput>,
) -> Result<(StatusCode, Json<Organisation>), WebError> {
    let org = organisations::register(&state.ctx, rctx.actor()?, &body, rctx.now).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// One organisation.
#[utoipa::path(get, path = "/organisations/{id}", tag = "organisations", params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Organisation), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Json<Organisation>, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ReadOrg)?;
    Ok(Json(organisations::get(&state.ctx, &scope).await?))
}

/// Changes an organisation's registration details (operator).
#[utoipa::path(put, path = "/organisations/{id}", tag = "organisations", params(("id" = i64, Path, description = "Organisation id")),
    request_body = OrgInput,
    responses((status = 200, body = Organisation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OrgInput>,
) -> Result<Json<Organisation>, WebError> {
    Ok(Json(
        organisations::update(&state.ctx, rctx.actor()?, id, &body, rctx.now).await?,
    ))
}

/// The staff of an organisation (admins, secretaries, auditors, operator).
#[utoipa::path(get, path = "/organisations/{id}/staff", tag = "organisations", params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<StaffMember>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_staff(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Json<Vec<StaffMember>>, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ReadStaff)?;
    Ok(Json(staff::list(&state.ctx, &scope).await?))
}

/// Adds a person to the staff (organisation admin or operator). A person new to Tanu
/// gets an invitation secret for `/invite/{token}`.
#[utoipa::path(post, path = "/organisations/{id}/staff", tag = "organisations", params(("id" = i64, Path, description = "Organisation id")),
    request_body = NewStaff,
    responses((status = 201, body = StaffAdded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_staff(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewStaff>,
) -> Result<(StatusCode, Json<StaffAdded>), WebError> {
    let scope = rctx.actor()?.scope(id, Need::ManageStaff)?;
    Ok((
        StatusCode::CREATED,
        Json(staff::add(&state.ctx, &scope, &body, rctx.now).await?),
    ))
}

/// One staff post.
#[utoipa::path(get, path = "/organisations/{id}/staff/{staff_id}", tag = "organisations",
    params(("id" = i64, Path, description = "Organisation id"), ("staff_id" = i64, Path, description = "Staff post id")),
    responses((status = 200, body = StaffMember), (status = 404, body = Problem)))]
async fn get_staff(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((id, staff_id)): Path<(i64, i64)>,
) -> Result<Json<StaffMember>, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ReadStaff)?;
    Ok(Json(staff::get(&state.ctx, &scope, staff_id).await?))
}

/// Changes position, roles and the active flag of a staff post.
#[utoipa::path(put, path = "/organisations/{id}/staff/{staff_id}", tag = "organisations",
    params(("id" = i64, Path, description = "Organisation id"), ("staff_id" = i64, Path, description = "Staff post id")),
    request_body = StaffUpdate,
    responses((status = 200, body = StaffMember), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_staff(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((id, staff_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<StaffUpdate>,
) -> Result<Json<StaffMember>, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ManageStaff)?;
    Ok(Json(
        staff::update(&state.ctx, &scope, staff_id, &body, rctx.now).await?,
    ))
}

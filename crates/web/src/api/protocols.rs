//! Protocols (rule 9), extracts and the public verification of issued documents over
//! the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::protocols::{self, ProtocolRef, ProtocolView, PublicKey, TextsInput, Verdict};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiQuery};
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::pdf::pdf_response;
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(finals))
        .routes(routes!(get_one, update))
        .routes(routes!(send))
        .routes(routes!(reopen))
        .routes(routes!(approve))
        .routes(routes!(paper_approval))
        .routes(routes!(addendum))
        .routes(routes!(pdf))
        .routes(routes!(extract))
        .routes(routes!(verify_code))
        .routes(routes!(signing_key))
}

/// `?lang=` of a document (Kazakh by default).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LangQuery {
    /// `kk` (default), `ru` or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

impl LangQuery {
    pub(crate) fn lang(&self) -> &str {
        self.lang.as_deref().unwrap_or("kk")
    }
}

/// Starts the protocol of a closed meeting (or returns the one already started).
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/protocol", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id")),
    responses((status = 201, body = ProtocolView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "The meeting is not closed (rule 9)", body = Problem)))]
async fn start(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<(StatusCode, Json<ProtocolView>), WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok((
        StatusCode::CREATED,
        Json(protocols::start(&state.ctx, &scope, id, rctx.now).await?),
    ))
}

/// Final protocols and addenda of an organisation, newest first.
#[utoipa::path(get, path = "/organisations/{org}/protocols", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<ProtocolRef>), (status = 404, body = Problem)))]
async fn finals(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Json<Vec<ProtocolRef>>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(protocols::finals(&state.ctx, &scope).await?))
}

/// A protocol: status, number, free text, signers and approvals, issued documents, addenda, history.
#[utoipa::path(get, path = "/organisations/{org}/protocols/{id}", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Protocol id")),
    responses((status = 200, body = ProtocolView), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Json<ProtocolView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(protocols::get(&state.ctx, &scope, id).await?))
}

/// Replaces the free text of a draft (rule 9: free form). Refused once sent or final.
#[utoipa::path(put, path = "/organisations/{org}/protocols/{id}", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Protocol id")),
    request_body = TextsInput,
    responses((status = 200, body = ProtocolView),
        (status = 204, description = "Saved; with `Prefer: return=minimal` no body"),
        (status = 403, body = Problem),
        (status = 409, description = "Awaiting approval or final (rule 9)", body = Problem)))]
async fn update(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<TextsInput>,
) -> Result<axum::response::Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    if super::prefers_minimal(&headers) {
        protocols::save_texts(&state.ctx, &scope, id, &body, rctx.now).await?;
        return Ok(super::minimal());
    }
    Ok(Json(protocols::update(&state.ctx, &scope, id, &body, rctx.now).await?).into_response())
}

/// Sends a draft for approval by the presiding officer and the secretary; its content is frozen.
#[utoipa::path(post, path = "/organisations/{org}/protocols/{id}/send", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Protocol id")),
    responses((status = 200, body = ProtocolView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn send(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Json<ProtocolView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        protocols::send(&state.ctx, &scope, id, rctx.now).await?,
    ))
}

/// Returns a protocol awaiting approval to draft; approvals given are dropped.
#[utoipa::path(post, path = "/organisations/{org}/protocols/{id}/return", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Protocol id")),
    responses((status = 200, body = ProtocolView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn reopen(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Json<ProtocolView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        protocols::reopen(&state.ctx, &scope, id, rctx.now).await?,
    ))
}

/// The caller approves as presiding officer and/or secretary; with both approvals the
/// protocol is final, numbered and issued.
#[utoipa::path(post, path = "/organisations/{org}/protocols/{id}/approve", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Protocol id")),
    responses((status = 200, body = ProtocolView), (status = 403, description = "Not a signer (rule 9)", body = Problem), (status = 409, body = Problem)))]
async fn approve(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Json<ProtocolView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        protocols::approve(&state.ctx, &scope, id, rctx.now).await?,
    ))
}

/// Whose paper signature an admin records.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct PaperInput {
    /// `presiding` or `secretary`.
    role: String,
}

/// The organisation's admin records the paper signature of a signer who has no account.
#[utoipa::path(post, path = "/organisations/{org}/protocols/{id}/paper-approval", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Protocol id")),
    request_body = PaperInput,
    responses((status = 200, body = ProtocolView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn paper_approval(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<PaperInput>,
) -> Result<Json<ProtocolView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        protocols::record_paper_approval(&state.ctx, &scope, id, &body.role, rctx.now).await?,
    ))
}

/// What an addendum corrects.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct AddendumInput {
    /// The correction.
    addendum_text: String,
}

/// Starts an addendum protocol correcting a final protocol (the original stays as it is).
#[utoipa::path(post, path = "/organisations/{org}/protocols/{id}/addenda", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Final protocol id")),
    request_body = AddendumInput,
    responses((status = 201, body = ProtocolView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn addendum(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<AddendumInput>,
) -> Result<(StatusCode, Json<ProtocolView>), WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok((
        StatusCode::CREATED,
        Json(protocols::add_addendum(&state.ctx, &scope, id, &body.addendum_text, rctx.now).await?),
    ))
}

/// The protocol as PDF: a preview marked as draft until final, then the issued document
/// with its verification code (header `X-Tanu-Verification-Code`).
#[utoipa::path(get, path = "/organisations/{org}/protocols/{id}/pdf", tag = "protocols",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Protocol id"), LangQuery),
    responses((status = 200, content_type = "application/pdf", description = "The PDF"), (status = 404, body = Problem)))]
async fn pdf(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(pdf_response(
        protocols::pdf(&state.ctx, &scope, id, q.lang(), rctx.now).await?,
    ))
}

/// The extract of the decision on an application (выписка), once its protocol is final;
/// for the candidate and the organisation's staff.
#[utoipa::path(get, path = "/applications/{id}/extract", tag = "protocols",
    params(("id" = i64, Path, description = "Application id"), LangQuery),
    responses((status = 200, content_type = "application/pdf", description = "The PDF"), (status = 404, body = Problem),
        (status = 409, description = "No decision in a final protocol yet (rule 9)", body = Problem)))]
async fn extract(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    Ok(pdf_response(
        protocols::extract(&state.ctx, actor, id, q.lang(), rctx.now).await?,
    ))
}

/// Public: what is registered under a verification code (no file compared).
#[utoipa::path(get, path = "/verify/{code}", tag = "verification", security(()),
    params(("code" = String, Path, description = "Verification code, e.g. 7KQ2M-XW4PD")),
    responses((status = 200, body = Verdict)))]
async fn verify_code(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Verdict>, WebError> {
    Ok(Json(
        protocols::verify(&state.ctx, Some(&code), None).await?,
    ))
}

/// Public: the installation's Ed25519 key that signs every issued document (also at
/// `/.well-known/tanu-signing-key`).
#[utoipa::path(get, path = "/signing-key", tag = "verification", security(()),
    responses((status = 200, body = PublicKey)))]
async fn signing_key(State(state): State<AppState>) -> Json<PublicKey> {
    Json(protocols::public_key(&state.ctx))
}

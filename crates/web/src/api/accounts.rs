//! Accounts over the API: tokens, the caller, candidate registration, invitations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tanu_app::accounts::{self, InvitationView, Registration};
use tanu_app::tokens::{self, CreateToken, NewToken, TokenInfo};
use tanu_domain::{DomainError, Locale};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token_with_password))
        .routes(routes!(me))
        .routes(routes!(set_locale))
        .routes(routes!(register))
        .routes(routes!(get_invitation, accept_invitation))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Login for scripts.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct TokenLogin {
    /// E-mail.
    email: String,
    /// Password.
    password: String,
    /// Label for the token.
    name: String,
}

/// Creates an API token with e-mail and password (throttled like the login form).
#[utoipa::path(post, path = "/auth/token", tag = "accounts", security(()),
    request_body = TokenLogin,
    responses((status = 201, body = NewToken), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn token_with_password(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<TokenLogin>,
) -> Result<(StatusCode, Json<NewToken>), WebError> {
    let t = tokens::create_with_password(
        &state.ctx,
        &body.email,
        &body.password,
        &body.name,
        &rctx.ip,
        tanu_storage::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// The caller.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Me {
    /// Person id.
    id: i64,
    /// E-mail.
    email: String,
    /// Full name.
    full_name: String,
    /// Language.
    locale: String,
    /// Platform operator.
    is_operator: bool,
    /// Candidate.
    is_candidate: bool,
    /// Roles per organisation.
    roles: Vec<MeRole>,
}

/// A role in an organisation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct MeRole {
    /// Organisation id.
    organisation_id: i64,
    /// Role code.
    role: String,
}

/// Who the caller is and which roles they hold.
#[utoipa::path(get, path = "/me", tag = "accounts", responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(rctx: RequestCtx) -> Result<Json<Me>, WebError> {
    let a = rctx.actor()?;
    Ok(Json(Me {
        id: a.person_id,
        email: a.email.clone(),
        full_name: a.full_name.clone(),
        locale: a.locale.as_str().to_owned(),
        is_operator: a.is_operator,
        is_candidate: a.is_candidate,
        roles: a
            .roles
            .iter()
            .map(|(o, r)| MeRole {
                organisation_id: *o,
                role: r.as_str().to_owned(),
            })
            .collect(),
    }))
}

/// A language choice.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct LocaleChoice {
    /// `kk`, `ru` or `en`.
    locale: String,
}

/// Sets the caller's language (used for pages and notifications).
#[utoipa::path(put, path = "/me/locale", tag = "accounts", request_body = LocaleChoice,
    responses((status = 204), (status = 422, body = Problem)))]
async fn set_locale(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<LocaleChoice>,
) -> Result<StatusCode, WebError> {
    let locale = Locale::parse(&body.locale)
        .filter(|l| l.as_str() == body.locale.trim())
        .ok_or_else(|| DomainError::UnknownValue {
            field: "locale",
            value: body.locale.chars().take(16).collect(),
        })?;
    accounts::set_locale(&state.ctx, rctx.actor()?, locale).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new person's id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Created {
    /// Id.
    id: i64,
}

/// Registers a candidate (no authentication).
#[utoipa::path(post, path = "/candidates", tag = "accounts", security(()), request_body = Registration,
    responses((status = 201, body = Created), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Registration>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = accounts::register_candidate(&state.ctx, &body, tanu_storage::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Shows an invitation before it is accepted.
#[utoipa::path(get, path = "/invitations/{token}", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The invitation secret")),
    responses((status = 200, body = InvitationView), (status = 410, body = Problem)))]
async fn get_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<InvitationView>, WebError> {
    Ok(Json(
        accounts::invitation(&state.ctx, &token, tanu_storage::now()).await?,
    ))
}

/// A password to set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewPassword {
    /// At least 10 characters.
    password: String,
}

/// Accepts an invitation by setting a password.
#[utoipa::path(post, path = "/invitations/{token}", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The invitation secret")), request_body = NewPassword,
    responses((status = 204), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, WebError> {
    accounts::accept_invitation(&state.ctx, &token, &body.password, tanu_storage::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's API tokens (never the secrets).
#[utoipa::path(get, path = "/tokens", tag = "accounts", responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = Problem)))]
async fn list_tokens(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<Json<Vec<TokenInfo>>, WebError> {
    Ok(Json(tokens::list(&state.ctx, rctx.actor()?).await?))
}

/// Creates an API token; the secret is in this response only.
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = CreateToken,
    responses((status = 201, body = NewToken), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<NewToken>), WebError> {
    let t = tokens::create(&state.ctx, rctx.actor()?, &body, tanu_storage::now()).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    tokens::revoke(&state.ctx, rctx.actor()?, id, tanu_storage::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

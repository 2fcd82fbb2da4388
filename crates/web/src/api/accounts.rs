//! Accounts over the API: tokens, the caller, candidate registration, invitations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tanu_app::accounts::{self, InvitationView, Registration, SessionInfo};
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
        .routes(routes!(verify_email))
        .routes(routes!(resend_verification))
        .routes(routes!(request_password_reset))
        .routes(routes!(reset_password))
        .routes(routes!(change_password))
        .routes(routes!(my_sessions))
        .routes(routes!(my_data))
        .routes(routes!(delete_account))
        .routes(routes!(sign_out_elsewhere))
        .routes(routes!(claim))
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
    /// Days it works (1 to 366); the installation's default (90) when absent.
    #[serde(default)]
    days: Option<i64>,
    /// Only reads (GET) are allowed with it.
    #[serde(default)]
    read_only: bool,
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
        &CreateToken {
            name: body.name,
            days: body.days,
            read_only: body.read_only,
        },
        &rctx.ip,
        rctx.now,
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
    /// Whether the e-mail is verified (needed to submit an application or claim one).
    email_verified: bool,
    /// Calling with a read-only token.
    read_only: bool,
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
        email_verified: a.email_verified,
        read_only: a.read_only,
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

/// What registration answers, whether or not the e-mail had an account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Registered {
    /// Always `check-email`: a link to verify the address (or, if it already has an
    /// account, a note saying so) was sent to it.
    status: &'static str,
}

/// Registers a candidate (no authentication). The answer is the same whether or not the
/// e-mail already has an account; the e-mail sent tells which. Limited per client
/// address and hour (429).
#[utoipa::path(post, path = "/candidates", tag = "accounts", security(()), request_body = Registration,
    responses((status = 202, body = Registered), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<Registration>,
) -> Result<(StatusCode, Json<Registered>), WebError> {
    accounts::register_candidate(&state.ctx, &body, &rctx.ip, rctx.now).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Registered {
            status: "check-email",
        }),
    ))
}

/// The secret of a link sent by e-mail.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct LinkToken {
    /// The secret from the link.
    token: String,
}

/// Verifies an e-mail address with the secret of the link sent to it.
#[utoipa::path(post, path = "/auth/verify-email", tag = "accounts", security(()), request_body = LinkToken,
    responses((status = 204), (status = 410, body = Problem)))]
async fn verify_email(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<LinkToken>,
) -> Result<StatusCode, WebError> {
    accounts::verify_email(&state.ctx, &body.token, rctx.now).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends the caller a new verification link (at most three an hour).
#[utoipa::path(post, path = "/me/verify-email", tag = "accounts",
    responses((status = 202), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn resend_verification(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<StatusCode, WebError> {
    accounts::resend_verification(&state.ctx, rctx.actor()?, rctx.now).await?;
    Ok(StatusCode::ACCEPTED)
}

/// An e-mail address.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ResetRequest {
    /// The account's e-mail.
    email: String,
}

/// Asks for a password reset link by e-mail (no authentication). The answer is the same
/// whether or not the e-mail has an account; limited per address and per e-mail.
#[utoipa::path(post, path = "/auth/password-reset", tag = "accounts", security(()), request_body = ResetRequest,
    responses((status = 202), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn request_password_reset(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<StatusCode, WebError> {
    accounts::request_password_reset(&state.ctx, &body.email, &rctx.ip, rctx.now).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with the secret of a reset link: single use, one hour; every
/// session, API token and remembered browser of the account ends.
#[utoipa::path(post, path = "/auth/password-reset/{token}", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The reset link's secret")), request_body = NewPassword,
    responses((status = 204), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn reset_password(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, WebError> {
    accounts::reset_password(
        &state.ctx,
        &token,
        body.password.as_deref().unwrap_or_default(),
        rctx.now,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct PasswordChange {
    /// The current password.
    current_password: String,
    /// The new one, at least 10 characters.
    new_password: String,
}

/// Changes the caller's password, given the current one; their browser sessions end.
#[utoipa::path(put, path = "/me/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, WebError> {
    accounts::change_password(
        &state.ctx,
        rctx.actor()?,
        &body.current_password,
        &body.new_password,
        None,
        &rctx.ip,
        rctx.now,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's live browser sessions.
#[utoipa::path(get, path = "/me/sessions", tag = "accounts",
    responses((status = 200, body = Vec<SessionInfo>), (status = 401, body = Problem)))]
async fn my_sessions(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<Json<Vec<SessionInfo>>, WebError> {
    Ok(Json(
        accounts::sessions_of(&state.ctx, rctx.actor()?, None, rctx.now).await?,
    ))
}

/// Everything Tanu holds about the caller: a ZIP archive of `data.json` (the account,
/// applications with their documents, checks and decisions, notices, sessions, tokens and
/// the audit events of the caller's own actions) and the uploaded files. At most three
/// an hour.
#[utoipa::path(get, path = "/me/data", tag = "accounts",
    responses((status = 200, description = "The archive", content_type = "application/zip"),
        (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn my_data(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<axum::response::Response, WebError> {
    let export = tanu_app::own_data::export(&state.ctx, rctx.actor()?, None, rctx.now).await?;
    Ok(crate::views::archive_response(&state, export))
}

/// Deleting one's account, confirmed with the password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct AccountDeletion {
    /// The current password.
    password: String,
}

/// Deletes the caller's account (docs/privacy.md): undecided applications are purged,
/// decided ones keep only what their protocol carries, the e-mail, name, IIN and
/// password go, every session and token ends, and the audit trail's personal data about
/// the caller are redacted. Refused while the caller holds a post or has an application
/// on a meeting's agenda.
#[utoipa::path(post, path = "/me/delete", tag = "accounts", request_body = AccountDeletion,
    responses((status = 204), (status = 401, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn delete_account(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<AccountDeletion>,
) -> Result<StatusCode, WebError> {
    tanu_app::erasure::delete_own_account(
        &state.ctx,
        rctx.actor()?,
        &body.password,
        &rctx.ip,
        rctx.now,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many sessions ended.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Ended {
    /// Sessions ended.
    ended: u64,
}

/// Ends every browser session of the caller (over the API there is no session of this
/// request to keep).
#[utoipa::path(post, path = "/me/sessions/sign-out-elsewhere", tag = "accounts",
    responses((status = 200, body = Ended), (status = 401, body = Problem)))]
async fn sign_out_elsewhere(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<Json<Ended>, WebError> {
    let ended = accounts::sign_out_elsewhere(&state.ctx, rctx.actor()?, None, rctx.now).await?;
    Ok(Json(Ended { ended }))
}

/// A walk-in's claim code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ClaimCode {
    /// The code from the receipt or the e-mail, e.g. `7K3Q-M2XD-9TRB`.
    code: String,
}

/// The applications a claim attached.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Claimed {
    /// Their ids.
    applications: Vec<i64>,
}

/// Attaches a walk-in case to the caller's verified account with its claim code.
#[utoipa::path(post, path = "/claims", tag = "accounts", request_body = ClaimCode,
    responses((status = 200, body = Claimed), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn claim(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<ClaimCode>,
) -> Result<Json<Claimed>, WebError> {
    let applications =
        tanu_app::applications::claim_walk_in(&state.ctx, rctx.actor()?, &body.code, rctx.now)
            .await?;
    Ok(Json(Claimed { applications }))
}

/// Shows an invitation before it is accepted.
#[utoipa::path(get, path = "/invitations/{token}", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The invitation secret")),
    responses((status = 200, body = InvitationView), (status = 410, body = Problem)))]
async fn get_invitation(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(token): Path<String>,
) -> Result<Json<InvitationView>, WebError> {
    Ok(Json(
        accounts::invitation(&state.ctx, &token, rctx.now).await?,
    ))
}

/// A password to set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewPassword {
    /// At least 10 characters.
    #[serde(default)]
    password: Option<String>,
}

/// Accepts an invitation to a staff post. For an account whose e-mail nobody has proved
/// yet (`sets_password` in the invitation), `password` sets its password; otherwise the
/// caller must be signed in as the invited account (403 `invitation-sign-in`).
#[utoipa::path(post, path = "/invitations/{token}", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The invitation secret")), request_body = NewPassword,
    responses((status = 204), (status = 403, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn accept_invitation(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, WebError> {
    accounts::accept_invitation(
        &state.ctx,
        &token,
        body.password.as_deref(),
        rctx.actor.as_ref(),
        rctx.now,
    )
    .await?;
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
    let t = tokens::create(&state.ctx, rctx.actor()?, &body, rctx.now).await?;
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
    tokens::revoke(&state.ctx, rctx.actor()?, id, rctx.now).await?;
    Ok(StatusCode::NO_CONTENT)
}

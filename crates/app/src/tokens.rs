//! API bearer tokens for integrations: the secret is shown once and stored hashed.

use serde::{Deserialize, Serialize};
use tanu_domain::person::required_text;
use tanu_storage::repo::{persons, tokens};
use time::OffsetDateTime;

use crate::secrets::{random_token, token_hash};
use crate::{Actor, AppError, Ctx};

/// Prefix that makes a Tanu token recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "tanu_";

/// A token as its owner sees it later (no secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    /// Token id.
    pub id: i64,
    /// Label given at creation.
    pub name: String,
    /// First characters of the secret, to recognise it.
    pub prefix: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last used.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// Revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// It may only read (GET); any change is refused.
    pub read_only: bool,
}

/// A new token: the only time the secret is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    /// Token id.
    pub id: i64,
    /// The secret; send as `Authorization: Bearer <token>`. Not shown again.
    pub token: String,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// It may only read.
    pub read_only: bool,
}

/// Request to create a token.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CreateToken {
    /// A label, e.g. the name of the integration.
    pub name: String,
    /// Days it works (1 to 366); the installation's default (90) when absent.
    #[serde(default)]
    pub days: Option<i64>,
    /// Only reads (GET) are allowed with it.
    #[serde(default)]
    pub read_only: bool,
}

/// Creates a token for the actor.
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    input: &CreateToken,
    now: OffsetDateTime,
) -> Result<NewToken, AppError> {
    if actor.read_only {
        return Err(read_only_refusal());
    }
    create_for(ctx, actor.person_id, input, now).await
}

/// What a read-only token gets for a change (403 `token-read-only`).
pub fn read_only_refusal() -> AppError {
    AppError::Refused(crate::error::Refusal::TokenReadOnly)
}

pub(crate) async fn create_for(
    ctx: &Ctx,
    person_id: i64,
    input: &CreateToken,
    now: OffsetDateTime,
) -> Result<NewToken, AppError> {
    let name = required_text(&input.name, "name", 100)?;
    let days = input.days.unwrap_or(ctx.policy.token_days);
    if !(1..=366).contains(&days) {
        return Err(tanu_domain::DomainError::UnknownValue {
            field: "days",
            value: days.to_string(),
        }
        .into());
    }
    let expires_at = now + time::Duration::days(days);
    let token = format!("{TOKEN_PREFIX}{}", random_token()?);
    let prefix: String = token.chars().take(12).collect();
    let mut tx = ctx.db.begin().await?;
    let hash = token_hash(&token);
    let new = tokens::NewToken {
        name: &name,
        token_hash: &hash,
        prefix: &prefix,
        expires_at,
        read_only: input.read_only,
    };
    let id = tokens::insert(tx.conn(), person_id, &new, now).await?;
    // A token opens the account as its password does: who made one, when, and for how
    // long is part of the trail (never the token, only its public prefix).
    crate::audit::record(
        tx.conn(),
        person_id,
        None,
        "token-created",
        "token",
        Some(id),
        serde_json::json!({ "name": name, "prefix": prefix, "read_only": input.read_only,
            "expires_at": expires_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default() }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken {
        id,
        token,
        expires_at,
        read_only: input.read_only,
    })
}

/// Logs in with e-mail and password and creates a token in one call (for scripts).
pub async fn create_with_password(
    ctx: &Ctx,
    email: &str,
    password: &str,
    input: &CreateToken,
    ip: &str,
    now: OffsetDateTime,
) -> Result<NewToken, AppError> {
    let person = crate::accounts::login(ctx, email, password, ip, None, now).await?;
    create_for(ctx, person, input, now).await
}

/// The actor's tokens.
pub async fn list(ctx: &Ctx, actor: &Actor) -> Result<Vec<TokenInfo>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    Ok(tokens::list(conn.conn(), actor.person_id)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
            read_only: t.read_only,
        })
        .collect())
}

/// Revokes one of the actor's tokens.
pub async fn revoke(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    if tokens::revoke(tx.conn(), actor.person_id, id, now).await? {
        crate::audit::record(
            tx.conn(),
            actor.person_id,
            None,
            "token-revoked",
            "token",
            Some(id),
            serde_json::json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Who a bearer token belongs to, if it is live: the person and their roles, read with
/// two statements on one connection (every API request starts here).
pub async fn authenticate(
    ctx: &Ctx,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<Actor>, AppError> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let hash = token_hash(token);
    let (actor, last_used) = {
        let mut conn = ctx.db.acquire().await?;
        let Some((person, last_used, read_only)) =
            persons::by_live_token(conn.conn(), &hash, now).await?
        else {
            return Ok(None);
        };
        let mut actor = crate::accounts::actor_of(conn.conn(), person).await?;
        actor.read_only = read_only;
        (actor, last_used)
    };
    // When a token was last used is kept to the minute, not per request: every request
    // writing it made each read a durable write.
    if last_used.is_none_or(|t| now - t >= TOUCH_EVERY) {
        let mut tx = ctx.db.begin().await?;
        tokens::touch(tx.conn(), &hash, now).await?;
        tx.commit().await?;
    }
    Ok(Some(actor))
}

/// How stale a token's "last used" may get.
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

//! API bearer tokens: shown once, stored as SHA-256, revocable.

use time::OffsetDateTime;

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// A token as listed to its owner (never the secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    /// Key.
    pub id: i64,
    /// Owner's label.
    pub name: String,
    /// First characters, to recognise it.
    pub prefix: String,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last used.
    pub last_used_at: Option<OffsetDateTime>,
    /// Revoked.
    pub revoked_at: Option<OffsetDateTime>,
    /// When it stops working.
    pub expires_at: Option<OffsetDateTime>,
    /// Whether it may only read.
    pub read_only: bool,
}

/// A new API token: only its hash and public prefix are kept.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// The name its owner gave it.
    pub name: &'a str,
    /// SHA-256 of the token.
    pub token_hash: &'a str,
    /// Its first characters, shown to tell tokens apart.
    pub prefix: &'a str,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// Whether it may only read.
    pub read_only: bool,
}

/// Stores a new token; returns its id.
pub async fn insert(
    conn: Conn<'_>,
    person_id: i64,
    t: &NewToken<'_>,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO api_tokens (person_id, name, token_hash, prefix, created_at, expires_at, read_only) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        person_id,
        t.name,
        t.token_hash,
        t.prefix,
        now,
        t.expires_at,
        t.read_only
    )?)
}

/// A person's tokens, newest first.
pub async fn list(conn: Conn<'_>, person_id: i64) -> Result<Vec<TokenRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        TokenRow,
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at, expires_at, read_only FROM api_tokens \
         WHERE person_id = $1 ORDER BY id DESC",
        person_id
    )?)
}

/// Revokes one of a person's tokens; `false` when they have no such live token.
pub async fn revoke(
    conn: Conn<'_>,
    person_id: i64,
    id: i64,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    let n = execute!(
        conn,
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND person_id = $3 AND revoked_at IS NULL",
        now,
        id,
        person_id
    )?;
    Ok(n == 1)
}

/// Records that a token was used.
pub async fn touch(
    conn: Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2",
        now,
        token_hash
    )?;
    Ok(())
}

/// Revokes every live token of a person (password reset); returns how many.
pub async fn revoke_all(
    conn: Conn<'_>,
    person_id: i64,
    now: OffsetDateTime,
) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE api_tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL",
        now,
        person_id
    )?)
}

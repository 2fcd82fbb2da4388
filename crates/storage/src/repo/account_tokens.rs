//! Single-use secrets sent by e-mail – an e-mail address's verification link, a password
//! reset link – stored as their SHA-256 with a purpose and an expiry.

use time::OffsetDateTime;

use super::{execute, scalar};
use crate::{Conn, StorageError};

/// Stores a new secret's hash.
pub async fn insert(
    conn: Conn<'_>,
    token_hash: &str,
    person_id: i64,
    purpose: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO account_tokens (token_hash, person_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
        token_hash,
        person_id,
        purpose,
        now,
        expires_at
    )?;
    Ok(())
}

/// Uses a live secret of the purpose: marks it used and returns its person, or `None`
/// when it is unknown, used, expired or for another purpose. One statement, so two
/// requests with the same secret cannot both use it.
pub async fn take(
    conn: Conn<'_>,
    token_hash: &str,
    purpose: &str,
    now: OffsetDateTime,
) -> Result<Option<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1 RETURNING person_id",
        now,
        token_hash,
        purpose
    )?)
}

/// The person of a live secret, without using it (to show the page it opens).
pub async fn peek(
    conn: Conn<'_>,
    token_hash: &str,
    purpose: &str,
    now: OffsetDateTime,
) -> Result<Option<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "SELECT person_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3",
        token_hash,
        purpose,
        now
    )?)
}

/// Makes every live secret of a person for a purpose unusable (a newer one was sent,
/// or the password changed).
pub async fn revoke_all(
    conn: Conn<'_>,
    person_id: i64,
    purpose: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE account_tokens SET used_at = $1 WHERE person_id = $2 AND purpose = $3 AND used_at IS NULL",
        now,
        person_id,
        purpose
    )?;
    Ok(())
}

/// Removes secrets expired before `before`.
pub async fn purge(conn: Conn<'_>, before: OffsetDateTime) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "DELETE FROM account_tokens WHERE expires_at < $1",
        before
    )?)
}

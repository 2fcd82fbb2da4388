//! Invitations: a one-time link with which new staff set their password.

use time::OffsetDateTime;

use super::{execute, fetch};
use crate::{Conn, StorageError};

/// A live invitation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    /// Invited person.
    pub person_id: i64,
    /// Inviting organisation.
    pub org_id: i64,
    /// Expires.
    pub expires_at: OffsetDateTime,
    /// When used, if it was.
    pub used_at: Option<OffsetDateTime>,
}

/// Stores an invitation.
pub async fn insert(
    conn: Conn<'_>,
    token_hash: &str,
    person_id: i64,
    org_id: i64,
    by: i64,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO invitations (token_hash, person_id, org_id, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        token_hash,
        person_id,
        org_id,
        by,
        now,
        expires_at
    )?;
    Ok(())
}

/// Looks an invitation up.
pub async fn get(conn: Conn<'_>, token_hash: &str) -> Result<Option<InvitationRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_optional,
        InvitationRow,
        "SELECT person_id, org_id, expires_at, used_at FROM invitations WHERE token_hash = $1",
        token_hash
    )?)
}

/// Marks it used; `false` when it was already used (a second click races the first).
pub async fn mark_used(
    conn: Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    let n = execute!(
        conn,
        "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        now,
        token_hash
    )?;
    Ok(n == 1)
}

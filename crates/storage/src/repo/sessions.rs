//! Browser sessions: the cookie holds a random token, the table only its SHA-256.

use time::OffsetDateTime;

use super::{execute, fetch};
use crate::{Conn, StorageError};

/// A session as its owner sees it in the list of their sessions.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// SHA-256 of the cookie's token (identifies the session; the token is not stored).
    pub token_hash: String,
    /// Started.
    pub created_at: OffsetDateTime,
    /// Ends.
    pub expires_at: OffsetDateTime,
    /// Client address at the start.
    pub ip: Option<String>,
    /// Browser at the start.
    pub user_agent: Option<String>,
}

/// Records a new session.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: Conn<'_>,
    token_hash: &str,
    person_id: i64,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO sessions (token_hash, person_id, created_at, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        token_hash,
        person_id,
        now,
        expires_at,
        ip,
        user_agent
    )?;
    Ok(())
}

/// A person's live sessions, newest first.
pub async fn list(
    conn: Conn<'_>,
    person_id: i64,
    now: OffsetDateTime,
) -> Result<Vec<SessionRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        SessionRow,
        "SELECT token_hash, created_at, expires_at, ip, user_agent FROM sessions \
         WHERE person_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        person_id,
        now
    )?)
}

/// Ends every session of a person but one; returns how many ended.
pub async fn delete_others(
    conn: Conn<'_>,
    person_id: i64,
    keep_hash: &str,
) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2",
        person_id,
        keep_hash
    )?)
}

/// Ends a session.
pub async fn delete(conn: Conn<'_>, token_hash: &str) -> Result<(), StorageError> {
    execute!(
        conn,
        "DELETE FROM sessions WHERE token_hash = $1",
        token_hash
    )?;
    Ok(())
}

/// Ends every session of a person (after a password change).
pub async fn delete_for_person(conn: Conn<'_>, person_id: i64) -> Result<(), StorageError> {
    execute!(conn, "DELETE FROM sessions WHERE person_id = $1", person_id)?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(conn: Conn<'_>, now: OffsetDateTime) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "DELETE FROM sessions WHERE expires_at <= $1",
        now
    )?)
}

//! Browser sessions: the cookie holds a random token, the table only its SHA-256.

use time::OffsetDateTime;

use super::execute;
use crate::{Conn, StorageError};

/// Records a new session.
pub async fn insert(
    conn: Conn<'_>,
    token_hash: &str,
    person_id: i64,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        token_hash,
        person_id,
        now,
        expires_at
    )?;
    Ok(())
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

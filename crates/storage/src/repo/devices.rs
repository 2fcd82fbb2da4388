//! Browsers in which a person has signed in (the cookie holds a random token, the table
//! its SHA-256): their sign-in attempts are not held back by failures from elsewhere.

use time::OffsetDateTime;

use super::{execute, scalar};
use crate::{Conn, StorageError};

/// Remembers a browser for a person.
pub async fn insert(
    conn: Conn<'_>,
    token_hash: &str,
    person_id: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO known_devices (token_hash, person_id, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (token_hash) DO UPDATE SET last_seen_at = $3",
        token_hash,
        person_id,
        now
    )?;
    Ok(())
}

/// The person a browser token was given to, if any.
pub async fn person_of(conn: Conn<'_>, token_hash: &str) -> Result<Option<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "SELECT person_id FROM known_devices WHERE token_hash = $1",
        token_hash
    )?)
}

/// Forgets every browser of a person (password reset: whoever had it must prove again).
pub async fn delete_for_person(conn: Conn<'_>, person_id: i64) -> Result<(), StorageError> {
    execute!(
        conn,
        "DELETE FROM known_devices WHERE person_id = $1",
        person_id
    )?;
    Ok(())
}

/// Forgets one browser.
pub async fn delete(conn: Conn<'_>, token_hash: &str) -> Result<(), StorageError> {
    execute!(
        conn,
        "DELETE FROM known_devices WHERE token_hash = $1",
        token_hash
    )?;
    Ok(())
}

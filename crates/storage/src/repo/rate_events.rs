//! Anonymous actions counted per client address (registrations, password-reset
//! requests), to throttle floods and sweeps. Kept in the database so that a restart does
//! not reset the count and several processes share it.

use time::OffsetDateTime;

use super::{execute, scalar};
use crate::{Conn, StorageError};

/// Makes attempts of this kind for this key take turns until the caller's transaction
/// ends (PostgreSQL; SQLite's writes take turns already), so that a count read after it
/// stays true until the attempt is recorded.
pub async fn take_turn(conn: Conn<'_>, kind: &str, key: &str) -> Result<(), StorageError> {
    if let Conn::Postgres(c) = conn {
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind(crate::db::LOCK_RATE)
            .bind(format!("{kind}:{key}"))
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Records one attempt.
pub async fn record(
    conn: Conn<'_>,
    kind: &str,
    key: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO rate_events (kind, key, at) VALUES ($1, $2, $3)",
        kind,
        key,
        now
    )?;
    Ok(())
}

/// Attempts of this kind for this key since `since`.
pub async fn count_since(
    conn: Conn<'_>,
    kind: &str,
    key: &str,
    since: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM rate_events WHERE kind = $1 AND key = $2 AND at > $3",
        kind,
        key,
        since
    )?)
}

/// Removes attempts older than `before`.
pub async fn purge(conn: Conn<'_>, before: OffsetDateTime) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "DELETE FROM rate_events WHERE at < $1",
        before
    )?)
}

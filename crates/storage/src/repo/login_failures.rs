//! Failed logins, counted to throttle guessing. Kept in the database so a restart does
//! not reset the count.

use time::OffsetDateTime;

use super::{execute, fetch};
use crate::{Conn, StorageError};

/// Records one failure.
pub async fn record(
    conn: Conn<'_>,
    email: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, $3)",
        email,
        ip,
        now
    )?;
    Ok(())
}

/// Makes attempts for this e-mail, and from this address, take turns until the caller's
/// transaction ends, so that a count read after it stays true until the attempt is
/// recorded. SQLite's writes already take turns; on PostgreSQL these are transaction
/// advisory locks, the e-mail's always before the address's (no two attempts wait for
/// each other in a circle).
pub async fn take_turn(conn: Conn<'_>, email: &str, ip: &str) -> Result<(), StorageError> {
    if let Conn::Postgres(c) = conn {
        sqlx::query(
            "SELECT pg_advisory_xact_lock($1, hashtext($2)), pg_advisory_xact_lock($3, hashtext($4))",
        )
        .bind(crate::db::LOCK_LOGIN_EMAIL)
        .bind(email)
        .bind(crate::db::LOCK_LOGIN_ADDRESS)
        .bind(ip)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Failures for this e-mail, and from this address, since `since`: each count with the
/// time of the latest.
#[allow(clippy::type_complexity)]
pub async fn count_since(
    mut conn: Conn<'_>,
    email: &str,
    ip: &str,
    since: OffsetDateTime,
) -> Result<((i64, Option<OffsetDateTime>), (i64, Option<OffsetDateTime>)), StorageError> {
    let by_email = fetch!(
        conn.reborrow(),
        fetch_one,
        (i64, Option<OffsetDateTime>),
        "SELECT COUNT(*), MAX(at) FROM login_failures WHERE email = $1 AND at > $2",
        email,
        since
    )?;
    let by_ip = fetch!(
        conn,
        fetch_one,
        (i64, Option<OffsetDateTime>),
        "SELECT COUNT(*), MAX(at) FROM login_failures WHERE ip = $1 AND at > $2",
        ip,
        since
    )?;
    Ok((by_email, by_ip))
}

/// Forgets the failures of an e-mail after a successful login.
pub async fn clear(conn: Conn<'_>, email: &str) -> Result<(), StorageError> {
    execute!(conn, "DELETE FROM login_failures WHERE email = $1", email)?;
    Ok(())
}

/// Removes records older than `before`.
pub async fn purge(conn: Conn<'_>, before: OffsetDateTime) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "DELETE FROM login_failures WHERE at <= $1",
        before
    )?)
}

//! Rule sets as stored: the shipped sets are seeded, the operator edits dates.

use time::{Date, OffsetDateTime};

use super::{execute, fetch};
use crate::{Conn, StorageError};

/// A rule set as stored; `params` is JSON.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleSetRow {
    /// Key.
    pub id: i64,
    /// Stable code.
    pub code: String,
    /// Version.
    pub version: i64,
    /// Title.
    pub title: String,
    /// First day.
    pub effective_from: Date,
    /// Last day.
    pub effective_to: Option<Date>,
    /// Parameters as JSON text.
    pub params: String,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str = "id, code, version, title, effective_from, effective_to, params, updated_at";

/// A rule set as shipped with Tanu.
#[derive(Debug, Clone)]
pub struct NewRuleSet<'a> {
    /// Its stable code.
    pub code: &'a str,
    /// Its version.
    pub version: i64,
    /// Its title.
    pub title: &'a str,
    /// First day in force.
    pub effective_from: Date,
    /// Last day in force, when known.
    pub effective_to: Option<Date>,
    /// Its parameters, JSON.
    pub params: &'a str,
}

/// Inserts a set unless one with its code exists.
pub async fn insert_if_missing(
    conn: Conn<'_>,
    set: &NewRuleSet<'_>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO rule_sets (code, version, title, effective_from, effective_to, params, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
        set.code,
        set.version,
        set.title,
        set.effective_from,
        set.effective_to,
        set.params,
        now
    )?;
    Ok(())
}

/// Every set, oldest first.
pub async fn list(conn: Conn<'_>) -> Result<Vec<RuleSetRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM rule_sets ORDER BY effective_from, id");
    Ok(fetch!(
        conn,
        fetch_all,
        RuleSetRow,
        sqlx::AssertSqlSafe(sql)
    )?)
}

/// One set, held until the caller's transaction ends (a no-op update takes the row):
/// a change read from it cannot be overwritten by another made meanwhile.
pub async fn lock_get(conn: Conn<'_>, id: i64) -> Result<Option<RuleSetRow>, StorageError> {
    let sql = format!("UPDATE rule_sets SET version = version WHERE id = $1 RETURNING {COLUMNS}");
    Ok(fetch!(
        conn,
        fetch_optional,
        RuleSetRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// One set.
pub async fn get(conn: Conn<'_>, id: i64) -> Result<Option<RuleSetRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM rule_sets WHERE id = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        RuleSetRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// Changes the dates and parameters, bumping the version.
pub async fn update(
    conn: Conn<'_>,
    id: i64,
    from: Date,
    to: Option<Date>,
    params: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    let n = execute!(
        conn,
        "UPDATE rule_sets SET effective_from = $1, effective_to = $2, params = $3, \
         version = version + 1, updated_at = $4, updated_by = $5 WHERE id = $6",
        from,
        to,
        params,
        now,
        by,
        id
    )?;
    Ok(n == 1)
}

//! The organisation's catalogue: programmes and their disciplines or modules, with
//! credits and learning outcomes. Scoped by organisation.

use time::OffsetDateTime;

use super::{fetch, scalar};
use crate::{Conn, StorageError};

/// Takes an organisation's catalogue for a change, until the transaction ends. On
/// PostgreSQL its writers take turns on an advisory lock: an import upserts many
/// programmes and units, and two imports that met the same codes in different orders
/// would each wait for a row the other holds. SQLite's writes take turns anyway.
pub async fn lock_catalogue(conn: Conn<'_>, org_id: i64) -> Result<(), StorageError> {
    crate::db::advisory_lock(conn, crate::db::LOCK_CATALOGUE, org_id).await
}

/// A programme.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgrammeRow {
    /// Key.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Code, e.g. `6B06101`.
    pub code: String,
    /// Title in Kazakh.
    pub title_kk: String,
    /// Title in Russian.
    pub title_ru: String,
    /// Offered to candidates.
    pub active: bool,
}

/// A discipline or module.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    /// Key.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Code.
    pub code: String,
    /// `discipline` or `module`.
    pub kind: String,
    /// Title in Kazakh.
    pub title_kk: String,
    /// Title in Russian.
    pub title_ru: String,
    /// Credits.
    pub credits: i64,
    /// Learning outcomes, JSON array of strings.
    pub outcomes: String,
}

/// Inserts or updates a programme by its code; returns its id.
pub async fn upsert(
    conn: Conn<'_>,
    org_id: i64,
    code: &str,
    title_kk: &str,
    title_ru: &str,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO programmes (org_id, code, title_kk, title_ru, active, created_at) VALUES ($1, $2, $3, $4, TRUE, $5) \
         ON CONFLICT (org_id, code) DO UPDATE SET title_kk = excluded.title_kk, title_ru = excluded.title_ru, active = TRUE \
         RETURNING id",
        org_id,
        code,
        title_kk,
        title_ru,
        now
    )?)
}

/// A unit of a programme as imported or saved from the catalogue.
#[derive(Debug, Clone)]
pub struct NewUnit<'a> {
    /// The unit's code within its programme.
    pub code: &'a str,
    /// Module or discipline.
    pub kind: &'a str,
    /// Title in Kazakh.
    pub title_kk: &'a str,
    /// Title in Russian.
    pub title_ru: &'a str,
    /// Credits.
    pub credits: i64,
    /// Its learning outcomes, a JSON array.
    pub outcomes: &'a str,
}

/// Inserts or updates a unit of a programme by its code.
pub async fn upsert_unit(
    conn: Conn<'_>,
    programme_id: i64,
    u: &NewUnit<'_>,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO programme_units (programme_id, code, kind, title_kk, title_ru, credits, outcomes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (programme_id, code) DO UPDATE SET kind = excluded.kind, \
         title_kk = excluded.title_kk, title_ru = excluded.title_ru, credits = excluded.credits, outcomes = excluded.outcomes \
         RETURNING id",
        programme_id,
        u.code,
        u.kind,
        u.title_kk,
        u.title_ru,
        u.credits,
        u.outcomes
    )?)
}

/// The organisation's programmes, by code.
pub async fn list(conn: Conn<'_>, org_id: i64) -> Result<Vec<ProgrammeRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        ProgrammeRow,
        "SELECT id, org_id, code, title_kk, title_ru, active FROM programmes WHERE org_id = $1 ORDER BY code",
        org_id
    )?)
}

/// One programme of an organisation.
pub async fn get(
    conn: Conn<'_>,
    org_id: i64,
    id: i64,
) -> Result<Option<ProgrammeRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_optional,
        ProgrammeRow,
        "SELECT id, org_id, code, title_kk, title_ru, active FROM programmes WHERE org_id = $1 AND id = $2",
        org_id,
        id
    )?)
}

/// The units of the organisation's programmes.
pub async fn units(conn: Conn<'_>, org_id: i64) -> Result<Vec<UnitRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        UnitRow,
        "SELECT u.id, u.programme_id, u.code, u.kind, u.title_kk, u.title_ru, u.credits, u.outcomes \
         FROM programme_units u JOIN programmes p ON p.id = u.programme_id WHERE p.org_id = $1 ORDER BY u.programme_id, u.code",
        org_id
    )?)
}

//! Educational organisations registered by the operator.

use time::OffsetDateTime;

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// An organisation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    /// Key.
    pub id: i64,
    /// Kind code (see `tanu_domain::OrgKind`).
    pub kind: String,
    /// BIN, twelve digits.
    pub bin: String,
    /// Kazakh name.
    pub name_kk: String,
    /// Russian name.
    pub name_ru: String,
    /// English name.
    pub name_en: Option<String>,
    /// Postal address.
    pub address: String,
    /// When registered.
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, kind, bin, name_kk, name_ru, name_en, address, created_at";

/// What an organisation is registered or updated with.
#[derive(Debug, Clone)]
pub struct OrgFields<'a> {
    /// Kind code.
    pub kind: &'a str,
    /// BIN.
    pub bin: &'a str,
    /// Kazakh name.
    pub name_kk: &'a str,
    /// Russian name.
    pub name_ru: &'a str,
    /// English name.
    pub name_en: Option<&'a str>,
    /// Address.
    pub address: &'a str,
}

/// Registers an organisation; returns its id.
pub async fn insert(
    conn: Conn<'_>,
    o: &OrgFields<'_>,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO organisations (kind, bin, name_kk, name_ru, name_en, address, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        o.kind,
        o.bin,
        o.name_kk,
        o.name_ru,
        o.name_en,
        o.address,
        now,
        by
    )?)
}

/// Updates the registration details.
pub async fn update(conn: Conn<'_>, id: i64, o: &OrgFields<'_>) -> Result<bool, StorageError> {
    let n = execute!(
        conn,
        "UPDATE organisations SET kind = $1, bin = $2, name_kk = $3, name_ru = $4, name_en = $5, \
         address = $6 WHERE id = $7",
        o.kind,
        o.bin,
        o.name_kk,
        o.name_ru,
        o.name_en,
        o.address,
        id
    )?;
    Ok(n == 1)
}

/// One organisation.
pub async fn get(conn: Conn<'_>, id: i64) -> Result<Option<OrgRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM organisations WHERE id = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        OrgRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// Every organisation, by Russian name (the operator's list).
pub async fn list_all(conn: Conn<'_>) -> Result<Vec<OrgRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM organisations ORDER BY name_ru, id");
    Ok(fetch!(conn, fetch_all, OrgRow, sqlx::AssertSqlSafe(sql))?)
}

/// The organisations where a person holds an active staff post.
pub async fn list_for_person(conn: Conn<'_>, person_id: i64) -> Result<Vec<OrgRow>, StorageError> {
    let sql = format!(
        "SELECT {} FROM organisations o JOIN staff s ON s.org_id = o.id \
         WHERE s.person_id = $1 AND s.active = TRUE ORDER BY o.name_ru, o.id",
        COLUMNS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(fetch!(
        conn,
        fetch_all,
        OrgRow,
        sqlx::AssertSqlSafe(sql),
        person_id
    )?)
}

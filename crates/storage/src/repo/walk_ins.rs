//! An organisation's own records of walk-in candidates: the person row made for the
//! case (it cannot sign in), the IIN and e-mail as the desk typed them, and the one-time
//! code with which the candidate attaches the case to their own account.

use time::OffsetDateTime;

use super::{execute, fetch};
use crate::{Conn, StorageError};

/// A walk-in record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WalkInRow {
    /// The person row made for the case.
    pub person_id: i64,
    /// The organisation whose record it is.
    pub org_id: i64,
    /// IIN as typed at the desk.
    pub iin: Option<String>,
    /// Where notices go until the case is claimed.
    pub contact_email: Option<String>,
    /// Who registered it.
    pub created_by: i64,
    /// When.
    pub created_at: OffsetDateTime,
    /// The account that claimed it.
    pub claimed_by: Option<i64>,
    /// When it was claimed.
    pub claimed_at: Option<OffsetDateTime>,
}

const COLUMNS: &str =
    "person_id, org_id, iin, contact_email, created_by, created_at, claimed_by, claimed_at";

/// What a new record holds.
#[derive(Debug, Clone)]
pub struct NewWalkIn<'a> {
    /// The person row made for the case.
    pub person_id: i64,
    /// Organisation.
    pub org_id: i64,
    /// IIN as typed.
    pub iin: Option<&'a str>,
    /// E-mail for notices.
    pub contact_email: Option<&'a str>,
    /// SHA-256 of the claim code.
    pub claim_code_hash: &'a str,
    /// Who registered it.
    pub created_by: i64,
}

/// Stores a record.
pub async fn insert(
    conn: Conn<'_>,
    w: &NewWalkIn<'_>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO walk_ins (person_id, org_id, iin, contact_email, claim_code_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        w.person_id,
        w.org_id,
        w.iin,
        w.contact_email,
        w.claim_code_hash,
        w.created_by,
        now
    )?;
    Ok(())
}

/// The record of a person row, if it is one.
pub async fn of_person(conn: Conn<'_>, person_id: i64) -> Result<Option<WalkInRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM walk_ins WHERE person_id = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        WalkInRow,
        sqlx::AssertSqlSafe(sql),
        person_id
    )?)
}

/// The unclaimed record a claim code opens, held until the transaction ends.
pub async fn unclaimed_by_code(
    mut conn: Conn<'_>,
    claim_code_hash: &str,
) -> Result<Option<WalkInRow>, StorageError> {
    // Take the row first (a no-op update): two claims of one code take turns.
    execute!(
        conn.reborrow(),
        "UPDATE walk_ins SET claim_code_hash = claim_code_hash WHERE claim_code_hash = $1 AND claimed_by IS NULL",
        claim_code_hash
    )?;
    let sql =
        format!("SELECT {COLUMNS} FROM walk_ins WHERE claim_code_hash = $1 AND claimed_by IS NULL");
    Ok(fetch!(
        conn,
        fetch_optional,
        WalkInRow,
        sqlx::AssertSqlSafe(sql),
        claim_code_hash
    )?)
}

/// Marks a record claimed by an account and moves its applications to that account.
pub async fn claim(
    mut conn: Conn<'_>,
    person_id: i64,
    account_id: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "UPDATE walk_ins SET claimed_by = $1, claimed_at = $2 WHERE person_id = $3",
        account_id,
        now,
        person_id
    )?;
    execute!(
        conn,
        "UPDATE applications SET candidate_id = $1 WHERE candidate_id = $2",
        account_id,
        person_id
    )?;
    Ok(())
}

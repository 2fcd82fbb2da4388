//! People: everyone who logs in – operators, staff and candidates.

use time::OffsetDateTime;

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// A person as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    /// Key.
    pub id: i64,
    /// Lower-cased e-mail, the login.
    pub email: String,
    /// Full name as written.
    pub full_name: String,
    /// IIN, when given.
    pub iin: Option<String>,
    /// Foreign identity document number, for those without an IIN.
    pub foreign_document: Option<String>,
    /// Argon2id PHC string; `None` until an invitation is accepted.
    pub password_hash: Option<String>,
    /// Preferred language code.
    pub locale: String,
    /// Platform operator.
    pub is_operator: bool,
    /// Registered as a candidate.
    pub is_candidate: bool,
    /// When created.
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, email, full_name, iin, foreign_document, password_hash, locale, \
                       is_operator, is_candidate, created_at";

/// What a new person is created with.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    /// Lower-cased e-mail.
    pub email: &'a str,
    /// Full name.
    pub full_name: &'a str,
    /// IIN, when known.
    pub iin: Option<&'a str>,
    /// Foreign document number, when no IIN.
    pub foreign_document: Option<&'a str>,
    /// Password hash, when set now.
    pub password_hash: Option<&'a str>,
    /// Language code.
    pub locale: &'a str,
    /// Platform operator.
    pub is_operator: bool,
    /// Candidate.
    pub is_candidate: bool,
}

/// Inserts a person and returns the new id.
pub async fn insert(
    conn: Conn<'_>,
    p: &NewPerson<'_>,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    let search = p.full_name.to_lowercase();
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO persons (email, full_name, search_name, iin, foreign_document, password_hash, \
         locale, is_operator, is_candidate, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        p.email,
        p.full_name,
        &search,
        p.iin,
        p.foreign_document,
        p.password_hash,
        p.locale,
        p.is_operator,
        p.is_candidate,
        now
    )?)
}

/// Holds a person's row until the caller's transaction ends: another transaction that
/// holds it too waits (a no-op update, the lock both databases share).
pub async fn lock(conn: Conn<'_>, id: i64) -> Result<bool, StorageError> {
    Ok(execute!(conn, "UPDATE persons SET locale = locale WHERE id = $1", id)? == 1)
}

/// Finds a person by e-mail (already lower-cased).
pub async fn by_email(conn: Conn<'_>, email: &str) -> Result<Option<PersonRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM persons WHERE email = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        PersonRow,
        sqlx::AssertSqlSafe(sql),
        email
    )?)
}

/// Finds a person by id.
pub async fn by_id(conn: Conn<'_>, id: i64) -> Result<Option<PersonRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM persons WHERE id = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        PersonRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// A person with the roles they hold, read in one statement (access control does this
/// on every request).
#[derive(Debug, Clone)]
pub struct PersonWithRoles {
    /// The person.
    pub person: PersonRow,
    /// Their active roles, sorted `(org_id, role)` pairs (`staff::roles_of_person`).
    pub roles: Vec<(i64, String)>,
    /// When the API token was last used (token lookups only).
    pub token_last_used_at: Option<OffsetDateTime>,
}

/// One row of [`by_live_token_with_roles`] and [`by_live_session_with_roles`]: the
/// person (and the token's last use) repeated with each role, or once with none.
#[derive(sqlx::FromRow)]
struct PersonRoleRow {
    #[sqlx(flatten)]
    person: PersonRow,
    token_last_used_at: Option<OffsetDateTime>,
    held_org_id: Option<i64>,
    held_role: Option<String>,
}

fn with_roles(rows: Vec<PersonRoleRow>) -> Option<PersonWithRoles> {
    let roles = rows
        .iter()
        .filter_map(|r| Some((r.held_org_id?, r.held_role.clone()?)))
        .collect();
    let first = rows.into_iter().next()?;
    Some(PersonWithRoles {
        person: first.person,
        roles,
        token_last_used_at: first.token_last_used_at,
    })
}

/// The person of a live API token with their roles, in one statement.
pub async fn by_live_token_with_roles(
    conn: Conn<'_>,
    token_hash: &str,
) -> Result<Option<PersonWithRoles>, StorageError> {
    let sql = format!(
        "WITH who AS (SELECT {COLUMNS}, t.last_used_at AS token_last_used_at FROM persons \
         JOIN (SELECT person_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL) t \
         ON t.person_id = persons.id), held AS ({}) \
         SELECT who.*, held.org_id AS held_org_id, held.role AS held_role FROM who LEFT JOIN held ON TRUE \
         ORDER BY held_org_id, held_role",
        super::staff::roles_of!("(SELECT id FROM who)")
    );
    let rows: Vec<PersonRoleRow> = fetch!(
        conn,
        fetch_all,
        PersonRoleRow,
        sqlx::AssertSqlSafe(sql),
        token_hash
    )?;
    Ok(with_roles(rows))
}

/// The person of a live session with their roles, in one statement.
pub async fn by_live_session_with_roles(
    conn: Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<PersonWithRoles>, StorageError> {
    let sql = format!(
        "WITH who AS (SELECT {COLUMNS}, CAST(NULL AS TIMESTAMPTZ) AS token_last_used_at FROM persons WHERE id = \
         (SELECT person_id FROM sessions WHERE token_hash = $1 AND expires_at > $2)), held AS ({}) \
         SELECT who.*, held.org_id AS held_org_id, held.role AS held_role FROM who LEFT JOIN held ON TRUE \
         ORDER BY held_org_id, held_role",
        super::staff::roles_of!("(SELECT id FROM who)")
    );
    let rows: Vec<PersonRoleRow> = fetch!(
        conn,
        fetch_all,
        PersonRoleRow,
        sqlx::AssertSqlSafe(sql),
        token_hash,
        now
    )?;
    Ok(with_roles(rows))
}

/// Finds a person by IIN.
pub async fn by_iin(conn: Conn<'_>, iin: &str) -> Result<Option<PersonRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM persons WHERE iin = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        PersonRow,
        sqlx::AssertSqlSafe(sql),
        iin
    )?)
}

/// Sets the password hash.
pub async fn set_password(conn: Conn<'_>, id: i64, hash: &str) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE persons SET password_hash = $1 WHERE id = $2",
        hash,
        id
    )?;
    Ok(())
}

/// Sets the preferred language.
pub async fn set_locale(conn: Conn<'_>, id: i64, locale: &str) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE persons SET locale = $1 WHERE id = $2",
        locale,
        id
    )?;
    Ok(())
}

/// Makes a person a platform operator.
pub async fn make_operator(conn: Conn<'_>, id: i64) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE persons SET is_operator = TRUE WHERE id = $1",
        id
    )?;
    Ok(())
}

/// Marks a person as a candidate.
pub async fn make_candidate(conn: Conn<'_>, id: i64) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE persons SET is_candidate = TRUE WHERE id = $1",
        id
    )?;
    Ok(())
}

/// How many people there are (to tell an empty installation).
pub async fn count(conn: Conn<'_>) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM persons"
    )?)
}

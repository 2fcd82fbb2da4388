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
    /// When the person proved the e-mail is theirs (a link sent to it).
    pub email_verified_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, email, full_name, iin, foreign_document, password_hash, locale, \
                       is_operator, is_candidate, created_at, email_verified_at";

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

/// The person a live (not revoked, not expired) API token belongs to, with the token's
/// last use and whether it is read-only: what every API request needs first, in one
/// statement.
pub async fn by_live_token(
    conn: Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<(PersonRow, Option<OffsetDateTime>, bool)>, StorageError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        person: PersonRow,
        last_used_at: Option<OffsetDateTime>,
        read_only: bool,
    }
    let sql = format!(
        "SELECT {COLUMNS}, t.last_used_at, t.read_only FROM persons JOIN (SELECT person_id, last_used_at, read_only \
         FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)) t \
         ON t.person_id = persons.id"
    );
    let row: Option<Row> = fetch!(
        conn,
        fetch_optional,
        Row,
        sqlx::AssertSqlSafe(sql),
        token_hash,
        now
    )?;
    Ok(row.map(|r| (r.person, r.last_used_at, r.read_only)))
}

/// The person of a live session, in one statement.
pub async fn by_live_session(
    conn: Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<PersonRow>, StorageError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM persons WHERE id = \
         (SELECT person_id FROM sessions WHERE token_hash = $1 AND expires_at > $2)"
    );
    Ok(fetch!(
        conn,
        fetch_optional,
        PersonRow,
        sqlx::AssertSqlSafe(sql),
        token_hash,
        now
    )?)
}

/// Records that the person proved the e-mail is theirs (kept from the first time).
pub async fn mark_verified(
    conn: Conn<'_>,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE persons SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2",
        now,
        id
    )?;
    Ok(())
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

/// Erases a person's identity from their account (an erasure request): the e-mail
/// becomes a placeholder no one can receive, the name a placeholder, the IIN, foreign
/// document number and password go; their sessions, tokens, links, remembered
/// browsers and notices are deleted, a walk-in record keeps no IIN or address, and the
/// throttles forget the e-mail. Notices to others that name the person (a secretary
/// told of a new application) keep their text with the name, e-mail and IIN blanked.
pub async fn erase(mut conn: Conn<'_>, p: &PersonRow) -> Result<(), StorageError> {
    let (id, email) = (p.id, p.email.as_str());
    let mentions = [
        Some(p.full_name.as_str()),
        Some(email),
        p.iin.as_deref(),
        p.foreign_document.as_deref(),
    ];
    for m in mentions
        .into_iter()
        .flatten()
        .filter(|m| m.chars().count() >= 3)
    {
        execute!(
            conn.reborrow(),
            "UPDATE notifications SET subject = REPLACE(subject, $1, '—'), body = REPLACE(body, $1, '—'), \
             email_to = CASE WHEN email_to = $1 THEN NULL ELSE email_to END \
             WHERE subject LIKE '%' || $1 || '%' OR body LIKE '%' || $1 || '%' OR email_to = $1",
            m
        )?;
    }
    execute!(
        conn.reborrow(),
        "DELETE FROM rate_events WHERE LOWER(key) = LOWER($1)",
        email
    )?;
    execute!(
        conn.reborrow(),
        "DELETE FROM login_failures WHERE LOWER(email) = LOWER($1)",
        email
    )?;
    let placeholder = format!("erased-{id}@erased.invalid");
    execute!(
        conn.reborrow(),
        "UPDATE persons SET email = $1, full_name = 'Erased', search_name = 'erased', iin = NULL, \
         foreign_document = NULL, password_hash = NULL, email_verified_at = NULL WHERE id = $2",
        placeholder,
        id
    )?;
    for table in [
        "sessions",
        "api_tokens",
        "account_tokens",
        "known_devices",
        "notifications",
    ] {
        let sql = format!("DELETE FROM {table} WHERE person_id = $1");
        execute!(conn.reborrow(), sqlx::AssertSqlSafe(sql), id)?;
    }
    execute!(
        conn.reborrow(),
        "UPDATE walk_ins SET iin = NULL, contact_email = NULL WHERE person_id = $1",
        id
    )?;
    // The queue finds the person's applications by number only.
    execute!(
        conn,
        "UPDATE applications SET search = LOWER(COALESCE(number, '')) WHERE candidate_id = $1",
        id
    )?;
    Ok(())
}

/// Whether the person holds a post in any organisation or sits on a commission.
pub async fn holds_a_post(conn: Conn<'_>, id: i64) -> Result<bool, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT (SELECT COUNT(*) FROM staff WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM commission_members WHERE person_id = $1)",
        id
    )? > 0)
}

//! Staff of an organisation: who works there, in which position, with which roles.
//! Every query is scoped by the organisation's id, so a staff id from another
//! organisation finds nothing.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// A staff post joined with the person who holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    /// Key of the post.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// The person.
    pub person_id: i64,
    /// Their full name.
    pub full_name: String,
    /// Their e-mail.
    pub email: String,
    /// Their IIN.
    pub iin: Option<String>,
    /// Position code.
    pub position: String,
    /// Whether the post is active.
    pub active: bool,
    /// Whether the person has set a password.
    pub has_password: bool,
    /// Whether the person accepted the post (it grants nothing until then).
    pub accepted: bool,
    /// Roles, filled by a second query.
    #[sqlx(skip)]
    pub roles: Vec<String>,
}

/// Until the person accepts the post, the organisation sees the name and e-mail its admin
/// typed, never what the account holds (its name, e-mail spelling or IIN).
const SELECT: &str = "SELECT s.id, s.org_id, s.person_id, \
                      CASE WHEN s.accepted_at IS NULL THEN COALESCE(s.invited_name, p.full_name) ELSE p.full_name END AS full_name, \
                      CASE WHEN s.accepted_at IS NULL THEN COALESCE(s.invited_email, p.email) ELSE p.email END AS email, \
                      CASE WHEN s.accepted_at IS NULL THEN NULL ELSE p.iin END AS iin, s.position, \
                      s.active, (p.password_hash IS NOT NULL) AS has_password, (s.accepted_at IS NOT NULL) AS accepted \
                      FROM staff s JOIN persons p ON p.id = s.person_id";

/// Creates a staff post awaiting the person's acceptance, with the name and e-mail the
/// admin typed; returns its id.
pub async fn insert(
    conn: Conn<'_>,
    org_id: i64,
    person_id: i64,
    position: &str,
    invited: (&str, &str),
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO staff (org_id, person_id, position, active, created_at, updated_at, invited_name, invited_email) \
         VALUES ($1, $2, $3, TRUE, $4, $4, $5, $6) RETURNING id",
        org_id,
        person_id,
        position,
        now,
        invited.0,
        invited.1
    )?)
}

/// Marks a person's post in an organisation accepted; `false` when there is none.
pub async fn accept(
    conn: Conn<'_>,
    org_id: i64,
    person_id: i64,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE staff SET accepted_at = COALESCE(accepted_at, $1) WHERE org_id = $2 AND person_id = $3",
        now,
        org_id,
        person_id
    )? == 1)
}

/// Replaces the roles of a post.
pub async fn set_roles(
    mut conn: Conn<'_>,
    staff_id: i64,
    roles: &[&str],
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "DELETE FROM staff_roles WHERE staff_id = $1",
        staff_id
    )?;
    for role in roles {
        execute!(
            conn.reborrow(),
            "INSERT INTO staff_roles (staff_id, role) VALUES ($1, $2)",
            staff_id,
            *role
        )?;
    }
    Ok(())
}

/// Updates position and active flag; `false` when no such post in that organisation.
pub async fn update(
    conn: Conn<'_>,
    org_id: i64,
    staff_id: i64,
    position: &str,
    active: bool,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    let n = execute!(
        conn,
        "UPDATE staff SET position = $1, active = $2, updated_at = $3 WHERE id = $4 AND org_id = $5",
        position,
        active,
        now,
        staff_id,
        org_id
    )?;
    Ok(n == 1)
}

/// One post of an organisation, with its roles.
pub async fn get(
    mut conn: Conn<'_>,
    org_id: i64,
    staff_id: i64,
) -> Result<Option<StaffRow>, StorageError> {
    let sql = format!("{SELECT} WHERE s.org_id = $1 AND s.id = $2");
    let row = fetch!(
        conn.reborrow(),
        fetch_optional,
        StaffRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        staff_id
    )?;
    let Some(mut row) = row else { return Ok(None) };
    row.roles = scalar!(
        conn,
        fetch_all,
        String,
        "SELECT role FROM staff_roles WHERE staff_id = $1 ORDER BY role",
        staff_id
    )?;
    Ok(Some(row))
}

/// The post a person holds in an organisation, if any.
pub async fn find(
    conn: Conn<'_>,
    org_id: i64,
    person_id: i64,
) -> Result<Option<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "SELECT id FROM staff WHERE org_id = $1 AND person_id = $2",
        org_id,
        person_id
    )?)
}

/// Every post of an organisation, by name, with roles.
pub async fn list(mut conn: Conn<'_>, org_id: i64) -> Result<Vec<StaffRow>, StorageError> {
    // Sorted by the name shown: an unaccepted post's place in the list must not tell
    // anything of the account's own name.
    let sql = format!(
        "{SELECT} WHERE s.org_id = $1 ORDER BY CASE WHEN s.accepted_at IS NULL \
         THEN LOWER(COALESCE(s.invited_name, p.full_name)) ELSE p.search_name END, s.id"
    );
    let mut rows = fetch!(
        conn.reborrow(),
        fetch_all,
        StaffRow,
        sqlx::AssertSqlSafe(sql),
        org_id
    )?;
    let pairs: Vec<(i64, String)> = fetch!(
        conn,
        fetch_all,
        (i64, String),
        "SELECT r.staff_id, r.role FROM staff_roles r JOIN staff s ON s.id = r.staff_id \
         WHERE s.org_id = $1 ORDER BY r.role",
        org_id
    )?;
    let mut by_staff: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (id, role) in pairs {
        by_staff.entry(id).or_default().push(role);
    }
    for row in &mut rows {
        row.roles = by_staff.remove(&row.id).unwrap_or_default();
    }
    Ok(rows)
}

/// A person's active roles in every organisation, sorted `(org_id, role)` pairs: those of
/// their staff records, and those that follow from current offices (a current commission
/// member is a `member` of its organisation, a current commission secretary a
/// `secretary`). Access control reads this on each request, so it is one statement.
pub async fn roles_of_person(
    conn: Conn<'_>,
    person_id: i64,
) -> Result<Vec<(i64, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, String),
        "SELECT s.org_id, r.role FROM staff s JOIN staff_roles r ON r.staff_id = s.id \
         WHERE s.person_id = $1 AND s.active = TRUE AND s.accepted_at IS NOT NULL \
         UNION SELECT c.org_id, 'member' FROM commission_members m JOIN commissions c ON c.id = m.commission_id \
         JOIN staff s ON s.id = m.staff_id \
         WHERE m.person_id = $1 AND m.left_at IS NULL AND s.active = TRUE AND s.accepted_at IS NOT NULL \
         UNION SELECT c.org_id, 'secretary' FROM commission_secretaries x JOIN commissions c ON c.id = x.commission_id \
         JOIN staff s ON s.id = x.staff_id \
         WHERE x.person_id = $1 AND x.to_at IS NULL AND s.active = TRUE AND s.accepted_at IS NOT NULL \
         ORDER BY 1, 2",
        person_id
    )?)
}

/// The organisations where a person holds a post (active or not).
pub async fn orgs_of_person(conn: Conn<'_>, person_id: i64) -> Result<Vec<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_all,
        i64,
        "SELECT org_id FROM staff WHERE person_id = $1",
        person_id
    )?)
}

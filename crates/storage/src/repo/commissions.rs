//! Commissions and everything dated that belongs to them: memberships, the secretary,
//! offices, elections with their ballots, and the commission's event history. Every
//! lookup of a commission is scoped by its organisation.

use time::{Date, OffsetDateTime};

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// A commission as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommissionRow {
    /// Key.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Name.
    pub name: String,
    /// First day of the term.
    pub term_from: Date,
    /// Last day of the term.
    pub term_to: Date,
    /// Rule set it works under.
    pub rule_set_id: i64,
    /// Formed.
    pub created_at: OffsetDateTime,
}

const COMMISSION: &str =
    "SELECT id, org_id, name, term_from, term_to, rule_set_id, created_at FROM commissions";

/// A commission's name, term and rule set, as created or changed.
#[derive(Debug, Clone)]
pub struct NewCommission<'a> {
    /// The commission's name.
    pub name: &'a str,
    /// First day of its term.
    pub term_from: Date,
    /// Last day of its term.
    pub term_to: Date,
    /// The rule set it works under.
    pub rule_set_id: i64,
}

/// Forms a commission; returns its id.
pub async fn insert(
    conn: Conn<'_>,
    org_id: i64,
    c: &NewCommission<'_>,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO commissions (org_id, name, term_from, term_to, rule_set_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        org_id,
        c.name,
        c.term_from,
        c.term_to,
        c.rule_set_id,
        now,
        by
    )?)
}

/// Changes name, term and rule set.
pub async fn update(
    conn: Conn<'_>,
    org_id: i64,
    id: i64,
    c: &NewCommission<'_>,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE commissions SET name = $1, term_from = $2, term_to = $3, rule_set_id = $4 \
         WHERE id = $5 AND org_id = $6",
        c.name,
        c.term_from,
        c.term_to,
        c.rule_set_id,
        id,
        org_id
    )? == 1)
}

/// Takes the commission's write lock for the rest of the transaction (PostgreSQL locks
/// the row; SQLite takes its database write lock), so that two changes of the same
/// commission cannot both pass their checks. `false` when there is no such commission.
pub async fn lock(conn: Conn<'_>, org_id: i64, id: i64) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE commissions SET version = version + 1 WHERE id = $1 AND org_id = $2",
        id,
        org_id
    )? == 1)
}

/// One commission of an organisation.
pub async fn get(
    conn: Conn<'_>,
    org_id: i64,
    id: i64,
) -> Result<Option<CommissionRow>, StorageError> {
    let sql = format!("{COMMISSION} WHERE org_id = $1 AND id = $2");
    Ok(fetch!(
        conn,
        fetch_optional,
        CommissionRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        id
    )?)
}

/// The organisation's commissions, latest term first.
pub async fn list(conn: Conn<'_>, org_id: i64) -> Result<Vec<CommissionRow>, StorageError> {
    let sql = format!("{COMMISSION} WHERE org_id = $1 ORDER BY term_to DESC, id DESC");
    Ok(fetch!(
        conn,
        fetch_all,
        CommissionRow,
        sqlx::AssertSqlSafe(sql),
        org_id
    )?)
}

/// A membership.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    /// Key of the membership.
    pub id: i64,
    /// Staff post, for members from the organisation's staff.
    pub staff_id: Option<i64>,
    /// Person with an account, when there is one.
    pub person_id: Option<i64>,
    /// Name as on appointment.
    pub full_name: String,
    /// Position as on appointment.
    pub position: String,
    /// Home organisation.
    pub home_organisation: String,
    /// Teacher (rule 7).
    pub is_teacher: bool,
    /// Appointed.
    pub joined_at: OffsetDateTime,
    /// Left, if they did.
    pub left_at: Option<OffsetDateTime>,
}

const MEMBER: &str = "SELECT id, staff_id, person_id, full_name, position, home_organisation, is_teacher, \
                      joined_at, left_at FROM commission_members";

/// A new membership.
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    /// Staff post.
    pub staff_id: Option<i64>,
    /// Person.
    pub person_id: Option<i64>,
    /// Name.
    pub full_name: &'a str,
    /// Position.
    pub position: &'a str,
    /// Home organisation.
    pub home_organisation: &'a str,
    /// Teacher.
    pub is_teacher: bool,
}

/// Appoints a member; returns the membership id.
pub async fn insert_member(
    conn: Conn<'_>,
    commission_id: i64,
    m: &NewMember<'_>,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO commission_members (commission_id, staff_id, person_id, full_name, position, \
         home_organisation, is_teacher, joined_at, joined_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        commission_id,
        m.staff_id,
        m.person_id,
        m.full_name,
        m.position,
        m.home_organisation,
        m.is_teacher,
        now,
        by
    )?)
}

/// Ends a current membership; `false` when it is not current.
pub async fn end_member(
    conn: Conn<'_>,
    commission_id: i64,
    member_id: i64,
    by: i64,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE commission_members SET left_at = $1, left_by = $2 \
         WHERE id = $3 AND commission_id = $4 AND left_at IS NULL",
        now,
        by,
        member_id,
        commission_id
    )? == 1)
}

/// Members current at `at` (all current ones when `at` is now).
pub async fn members_at(
    conn: Conn<'_>,
    commission_id: i64,
    at: OffsetDateTime,
) -> Result<Vec<MemberRow>, StorageError> {
    let sql = format!(
        "{MEMBER} WHERE commission_id = $1 AND joined_at <= $2 AND (left_at IS NULL OR left_at > $2) \
         ORDER BY full_name, id"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        MemberRow,
        sqlx::AssertSqlSafe(sql),
        commission_id,
        at
    )?)
}

/// The members now, by the rows themselves (not by a time): what checks under the
/// commission's lock must read.
pub async fn current_members(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Vec<MemberRow>, StorageError> {
    let sql =
        format!("{MEMBER} WHERE commission_id = $1 AND left_at IS NULL ORDER BY full_name, id");
    Ok(fetch!(
        conn,
        fetch_all,
        MemberRow,
        sqlx::AssertSqlSafe(sql),
        commission_id
    )?)
}

/// The time of the commission's latest recorded change.
pub async fn last_change(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Option<OffsetDateTime>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        OffsetDateTime,
        "SELECT at FROM commission_events WHERE commission_id = $1 ORDER BY at DESC, id DESC LIMIT 1",
        commission_id
    )?)
}

/// Every membership ever, current and past.
pub async fn all_members(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Vec<MemberRow>, StorageError> {
    let sql = format!("{MEMBER} WHERE commission_id = $1 ORDER BY joined_at, id");
    Ok(fetch!(
        conn,
        fetch_all,
        MemberRow,
        sqlx::AssertSqlSafe(sql),
        commission_id
    )?)
}

/// A secretary's assignment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecretaryRow {
    /// Key.
    pub id: i64,
    /// Staff post.
    pub staff_id: i64,
    /// Person.
    pub person_id: i64,
    /// Name as on assignment.
    pub full_name: String,
    /// From.
    pub from_at: OffsetDateTime,
    /// Until.
    pub to_at: Option<OffsetDateTime>,
}

/// The secretary at `at`.
pub async fn secretary_at(
    conn: Conn<'_>,
    commission_id: i64,
    at: OffsetDateTime,
) -> Result<Option<SecretaryRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_optional,
        SecretaryRow,
        "SELECT id, staff_id, person_id, full_name, from_at, to_at FROM commission_secretaries \
         WHERE commission_id = $1 AND from_at <= $2 AND (to_at IS NULL OR to_at > $2)",
        commission_id,
        at
    )?)
}

/// The current secretary, by the rows themselves.
pub async fn current_secretary(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Option<SecretaryRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_optional,
        SecretaryRow,
        "SELECT id, staff_id, person_id, full_name, from_at, to_at FROM commission_secretaries \
         WHERE commission_id = $1 AND to_at IS NULL",
        commission_id
    )?)
}

/// Every assignment ever.
pub async fn all_secretaries(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Vec<SecretaryRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        SecretaryRow,
        "SELECT id, staff_id, person_id, full_name, from_at, to_at FROM commission_secretaries \
         WHERE commission_id = $1 ORDER BY from_at, id",
        commission_id
    )?)
}

/// Ends the current secretary's assignment.
pub async fn end_secretary(
    conn: Conn<'_>,
    commission_id: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE commission_secretaries SET to_at = $1 WHERE commission_id = $2 AND to_at IS NULL",
        now,
        commission_id
    )?;
    Ok(())
}

/// Assigns a secretary.
pub async fn insert_secretary(
    conn: Conn<'_>,
    commission_id: i64,
    staff_id: i64,
    person_id: i64,
    full_name: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO commission_secretaries (commission_id, staff_id, person_id, full_name, from_at, assigned_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        commission_id,
        staff_id,
        person_id,
        full_name,
        now,
        by
    )?;
    Ok(())
}

/// An office held.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeRow {
    /// Office code.
    pub office: String,
    /// Member holding it.
    pub member_id: i64,
    /// Election that filled it.
    pub election_id: i64,
    /// From.
    pub from_at: OffsetDateTime,
    /// Until.
    pub to_at: Option<OffsetDateTime>,
}

/// Offices held at `at`.
pub async fn offices_at(
    conn: Conn<'_>,
    commission_id: i64,
    at: OffsetDateTime,
) -> Result<Vec<OfficeRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        OfficeRow,
        "SELECT office, member_id, election_id, from_at, to_at FROM commission_offices \
         WHERE commission_id = $1 AND from_at <= $2 AND (to_at IS NULL OR to_at > $2) ORDER BY office",
        commission_id,
        at
    )?)
}

/// Offices held now, by the rows themselves.
pub async fn current_offices(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Vec<OfficeRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        OfficeRow,
        "SELECT office, member_id, election_id, from_at, to_at FROM commission_offices \
         WHERE commission_id = $1 AND to_at IS NULL ORDER BY office",
        commission_id
    )?)
}

/// Whether any round of the commission is open.
pub async fn any_open_election(conn: Conn<'_>, commission_id: i64) -> Result<bool, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "SELECT id FROM elections WHERE commission_id = $1 AND closed_at IS NULL LIMIT 1",
        commission_id
    )?
    .is_some())
}

/// Every office ever held.
pub async fn all_offices(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Vec<OfficeRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        OfficeRow,
        "SELECT office, member_id, election_id, from_at, to_at FROM commission_offices \
         WHERE commission_id = $1 ORDER BY from_at, office",
        commission_id
    )?)
}

/// Vacates an office (a new holder, or the holder left).
pub async fn end_office(
    conn: Conn<'_>,
    commission_id: i64,
    office: &str,
    now: OffsetDateTime,
) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE commission_offices SET to_at = $1 WHERE commission_id = $2 AND office = $3 AND to_at IS NULL",
        now,
        commission_id,
        office
    )?)
}

/// Vacates the offices a member holds; returns the codes of those vacated.
pub async fn end_offices_of_member(
    conn: Conn<'_>,
    commission_id: i64,
    member_id: i64,
    now: OffsetDateTime,
) -> Result<Vec<String>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_all,
        String,
        "UPDATE commission_offices SET to_at = $1 WHERE commission_id = $2 AND member_id = $3 AND to_at IS NULL \
         RETURNING office",
        now,
        commission_id,
        member_id
    )?)
}

/// Records who holds an office from now.
pub async fn insert_office(
    conn: Conn<'_>,
    commission_id: i64,
    office: &str,
    member_id: i64,
    election_id: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO commission_offices (commission_id, office, member_id, election_id, from_at) VALUES ($1, $2, $3, $4, $5)",
        commission_id,
        office,
        member_id,
        election_id,
        now
    )?;
    Ok(())
}

/// An election round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ElectionRow {
    /// Key.
    pub id: i64,
    /// Commission.
    pub commission_id: i64,
    /// Office code.
    pub office: String,
    /// Round number for this office.
    pub round: i64,
    /// Opened.
    pub opened_at: OffsetDateTime,
    /// Closed.
    pub closed_at: Option<OffsetDateTime>,
    /// Members at closing.
    pub member_count: Option<i64>,
    /// Ballots at closing.
    pub taking_part: Option<i64>,
    /// Majority base at closing.
    pub base: Option<i64>,
    /// Elected member.
    pub elected_member_id: Option<i64>,
}

const ELECTION: &str = "SELECT id, commission_id, office, round, opened_at, closed_at, member_count, taking_part, \
                        base, elected_member_id FROM elections";

/// Opens a round; returns its id.
pub async fn insert_election(
    mut conn: Conn<'_>,
    commission_id: i64,
    office: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    let round = scalar!(
        conn.reborrow(),
        fetch_one,
        i64,
        "SELECT COALESCE(MAX(round), 0) + 1 FROM elections WHERE commission_id = $1 AND office = $2",
        commission_id,
        office
    )?;
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO elections (commission_id, office, round, opened_at, opened_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        commission_id,
        office,
        round,
        now,
        by
    )?)
}

/// The open round for an office, if any.
pub async fn open_election(
    conn: Conn<'_>,
    commission_id: i64,
    office: &str,
) -> Result<Option<ElectionRow>, StorageError> {
    let sql = format!("{ELECTION} WHERE commission_id = $1 AND office = $2 AND closed_at IS NULL");
    Ok(fetch!(
        conn,
        fetch_optional,
        ElectionRow,
        sqlx::AssertSqlSafe(sql),
        commission_id,
        office
    )?)
}

/// One round of a commission.
pub async fn get_election(
    conn: Conn<'_>,
    commission_id: i64,
    id: i64,
) -> Result<Option<ElectionRow>, StorageError> {
    let sql = format!("{ELECTION} WHERE commission_id = $1 AND id = $2");
    Ok(fetch!(
        conn,
        fetch_optional,
        ElectionRow,
        sqlx::AssertSqlSafe(sql),
        commission_id,
        id
    )?)
}

/// Every round of a commission, newest first.
pub async fn list_elections(
    conn: Conn<'_>,
    commission_id: i64,
) -> Result<Vec<ElectionRow>, StorageError> {
    let sql = format!("{ELECTION} WHERE commission_id = $1 ORDER BY opened_at DESC, id DESC");
    Ok(fetch!(
        conn,
        fetch_all,
        ElectionRow,
        sqlx::AssertSqlSafe(sql),
        commission_id
    )?)
}

/// Closes a round with its result; `false` when it was already closed.
#[allow(clippy::too_many_arguments)]
pub async fn close_election(
    conn: Conn<'_>,
    id: i64,
    by: i64,
    now: OffsetDateTime,
    member_count: i64,
    taking_part: i64,
    base: i64,
    elected: Option<i64>,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE elections SET closed_at = $1, closed_by = $2, member_count = $3, taking_part = $4, base = $5, \
         elected_member_id = $6 WHERE id = $7 AND closed_at IS NULL",
        now,
        by,
        member_count,
        taking_part,
        base,
        elected,
        id
    )? == 1)
}

/// A ballot.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BallotRow {
    /// Voter (membership id).
    pub voter_member_id: i64,
    /// Voted for (membership id); `None`: abstained.
    pub candidate_member_id: Option<i64>,
    /// Who recorded it: the voter's own account, or the secretary.
    pub recorded_by: i64,
    /// When.
    pub cast_at: OffsetDateTime,
}

/// The ballots of a round in the order cast.
pub async fn ballots(conn: Conn<'_>, election_id: i64) -> Result<Vec<BallotRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        BallotRow,
        "SELECT voter_member_id, candidate_member_id, recorded_by, cast_at FROM ballots WHERE election_id = $1 ORDER BY id",
        election_id
    )?)
}

/// Records a ballot; the unique key refuses a second one from the same voter.
pub async fn insert_ballot(
    conn: Conn<'_>,
    election_id: i64,
    voter: i64,
    candidate: Option<i64>,
    by: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO ballots (election_id, voter_member_id, candidate_member_id, recorded_by, cast_at) \
         VALUES ($1, $2, $3, $4, $5)",
        election_id,
        voter,
        candidate,
        by,
        now
    )?;
    Ok(())
}

/// An entry of a commission's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// When.
    pub at: OffsetDateTime,
    /// Who did it.
    pub person_id: i64,
    /// Their name now.
    pub person_name: String,
    /// Kind code.
    pub kind: String,
    /// Details as JSON.
    pub details: String,
}

/// Records what happened.
pub async fn insert_event(
    mut conn: Conn<'_>,
    commission_id: i64,
    person_id: i64,
    kind: &str,
    details: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "INSERT INTO commission_events (commission_id, at, person_id, kind, details) VALUES ($1, $2, $3, $4, $5)",
        commission_id,
        now,
        person_id,
        kind,
        details
    )?;
    super::audit::append_about(
        conn,
        "commissions",
        "commission",
        commission_id,
        person_id,
        kind,
        details,
        now,
    )
    .await
}

/// The history, oldest first.
pub async fn events(conn: Conn<'_>, commission_id: i64) -> Result<Vec<EventRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        EventRow,
        "SELECT e.at, e.person_id, p.full_name AS person_name, e.kind, e.details FROM commission_events e \
         JOIN persons p ON p.id = e.person_id WHERE e.commission_id = $1 ORDER BY e.at, e.id",
        commission_id
    )?)
}

//! Meetings of commissions and what happens at them: attendance, the agenda, recusals,
//! interviews, votes and decisions. Lookups of a meeting are scoped by organisation;
//! items by their meeting.

use tanu_domain::meeting::{ItemStatus, MeetingStatus};
use time::OffsetDateTime;

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// A meeting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingRow {
    /// Key.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Commission.
    pub commission_id: i64,
    /// When it starts.
    pub starts_at: OffsetDateTime,
    /// Place or video link.
    pub place: String,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: MeetingStatus,
    /// Who presides (membership id), once open.
    pub presiding_member_id: Option<i64>,
    /// Whether the deputy presides.
    pub presiding_as_deputy: Option<bool>,
    /// Opened.
    pub opened_at: Option<OffsetDateTime>,
    /// Closed.
    pub closed_at: Option<OffsetDateTime>,
    /// Why it was cancelled, when it was.
    pub cancel_reason: Option<String>,
    /// The year of its protocol's number, taken when it opened.
    pub protocol_year: Option<i64>,
    /// Its protocol's number in that year, taken when it opened.
    pub protocol_seq: Option<i64>,
}

macro_rules! meeting_columns {
    () => {
        "id, org_id, commission_id, starts_at, place, status, presiding_member_id, \
         presiding_as_deputy, opened_at, closed_at, cancel_reason, protocol_year, protocol_seq"
    };
}
const MEETING: &str = concat!("SELECT ", meeting_columns!(), " FROM meetings");

/// Schedules a meeting; returns its id.
pub async fn insert(
    conn: Conn<'_>,
    org_id: i64,
    commission_id: i64,
    starts_at: OffsetDateTime,
    place: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO meetings (org_id, commission_id, starts_at, place, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'scheduled', $5, $6) RETURNING id",
        org_id,
        commission_id,
        starts_at,
        place,
        by,
        now
    )?)
}

/// Takes the meeting's write lock for the transaction; `false` when there is none.
pub async fn lock(conn: Conn<'_>, org_id: i64, id: i64) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE meetings SET version = version + 1 WHERE id = $1 AND org_id = $2",
        id,
        org_id
    )? == 1)
}

/// Takes a meeting of an organisation for a change, as [`lock`] does, and reads it in
/// the same statement.
pub async fn lock_get(
    conn: Conn<'_>,
    org_id: i64,
    id: i64,
) -> Result<Option<MeetingRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_optional,
        MeetingRow,
        concat!(
            "UPDATE meetings SET version = version + 1 WHERE org_id = $1 AND id = $2 RETURNING ",
            meeting_columns!()
        ),
        org_id,
        id
    )?)
}

/// One meeting of an organisation.
pub async fn get(conn: Conn<'_>, org_id: i64, id: i64) -> Result<Option<MeetingRow>, StorageError> {
    let sql = format!("{MEETING} WHERE org_id = $1 AND id = $2");
    Ok(fetch!(
        conn,
        fetch_optional,
        MeetingRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        id
    )?)
}

/// The meetings of a commission, latest first.
pub async fn for_commission(
    conn: Conn<'_>,
    org_id: i64,
    commission_id: i64,
) -> Result<Vec<MeetingRow>, StorageError> {
    let sql = format!(
        "{MEETING} WHERE org_id = $1 AND commission_id = $2 ORDER BY starts_at DESC, id DESC"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        MeetingRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        commission_id
    )?)
}

/// An application's place on a meeting's agenda.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgendaEntry {
    /// Meeting.
    pub meeting_id: i64,
    /// Start.
    pub starts_at: OffsetDateTime,
    /// Place.
    pub place: String,
    /// Meeting status.
    #[sqlx(try_from = "String")]
    pub meeting_status: MeetingStatus,
    /// Item.
    pub item_id: i64,
    /// Item status.
    #[sqlx(try_from = "String")]
    pub item_status: ItemStatus,
    /// Reasons, when refused.
    pub decision_reasons: Option<String>,
}

/// The meetings an application is on, oldest first.
pub async fn for_application(
    conn: Conn<'_>,
    application_id: i64,
) -> Result<Vec<AgendaEntry>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        AgendaEntry,
        "SELECT m.id AS meeting_id, m.starts_at, m.place, m.status AS meeting_status, i.id AS item_id, \
         i.status AS item_status, i.decision_reasons FROM meetings m JOIN agenda_items i ON i.meeting_id = m.id \
         WHERE i.application_id = $1 ORDER BY m.starts_at, m.id",
        application_id
    )?)
}

/// A candidate's scheduled application and the meeting still to come whose agenda it
/// waits on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    /// Application.
    pub application_id: i64,
    /// Its place on the agenda.
    #[sqlx(flatten)]
    pub entry: AgendaEntry,
}

/// Where a candidate's scheduled applications wait (meeting not closed, item pending or
/// being voted on), earliest meeting first; one statement for all their applications.
pub async fn invitations(
    conn: Conn<'_>,
    candidate_id: i64,
) -> Result<Vec<Invitation>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        Invitation,
        "SELECT i.application_id, m.id AS meeting_id, m.starts_at, m.place, m.status AS meeting_status, \
         i.id AS item_id, i.status AS item_status, i.decision_reasons \
         FROM meetings m JOIN agenda_items i ON i.meeting_id = m.id JOIN applications a ON a.id = i.application_id \
         WHERE a.candidate_id = $1 AND a.status = 'scheduled' AND m.status IN ('scheduled', 'open') \
         AND i.status IN ('pending', 'voting') ORDER BY m.starts_at, m.id",
        candidate_id
    )?)
}

/// Opens the meeting with its presiding officer, and gives it its protocol's number.
pub async fn set_open(
    conn: Conn<'_>,
    id: i64,
    status: MeetingStatus,
    presiding: i64,
    as_deputy: bool,
    (year, seq): (i64, i64),
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE meetings SET status = $5, presiding_member_id = $1, presiding_as_deputy = $2, opened_at = $3, \
         protocol_year = $6, protocol_seq = $7 WHERE id = $4",
        presiding,
        as_deputy,
        now,
        id,
        status.as_str(),
        year,
        seq
    )?;
    Ok(())
}

/// Cancels a meeting that never opened.
pub async fn set_cancelled(
    conn: Conn<'_>,
    id: i64,
    status: MeetingStatus,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE meetings SET status = $3, cancel_reason = $4, closed_at = $1 WHERE id = $2",
        now,
        id,
        status.as_str(),
        reason
    )?;
    Ok(())
}

/// Moves a meeting that has not opened to another start and place.
pub async fn set_start(
    conn: Conn<'_>,
    id: i64,
    starts_at: OffsetDateTime,
    place: &str,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE meetings SET starts_at = $2, place = $3 WHERE id = $1",
        id,
        starts_at,
        place
    )?;
    Ok(())
}

/// Closes the meeting.
pub async fn set_closed(
    conn: Conn<'_>,
    id: i64,
    status: MeetingStatus,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE meetings SET status = $3, closed_at = $1 WHERE id = $2",
        now,
        id,
        status.as_str()
    )?;
    Ok(())
}

/// Records whether a member is present.
pub async fn set_attendance(
    conn: Conn<'_>,
    id: i64,
    member: i64,
    present: bool,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO meeting_attendance (meeting_id, member_id, present, recorded_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (meeting_id, member_id) DO UPDATE SET present = excluded.present, recorded_at = excluded.recorded_at",
        id,
        member,
        present,
        now
    )?;
    Ok(())
}

/// Attendance as recorded: (member, present).
pub async fn attendance(conn: Conn<'_>, id: i64) -> Result<Vec<(i64, bool)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, bool),
        "SELECT member_id, present FROM meeting_attendance WHERE meeting_id = $1",
        id
    )?)
}

/// An agenda item with its application's number and candidate.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    /// Key.
    pub id: i64,
    /// Meeting.
    pub meeting_id: i64,
    /// Application.
    pub application_id: i64,
    /// Its number.
    pub number: Option<String>,
    /// Candidate.
    pub candidate_name: String,
    /// Order on the agenda.
    pub position: i64,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    /// Whether the candidate came.
    pub candidate_present: Option<bool>,
    /// Interview notes (rule 12).
    pub interview_notes: String,
    /// Who takes part in the vote, fixed when it opened (JSON array of membership ids).
    pub taking_part_ids: Option<String>,
    /// Members taking part at the close of the vote.
    pub taking_part: Option<i64>,
    /// Votes to recognise.
    pub recognise: Option<i64>,
    /// Votes to refuse.
    pub refuse: Option<i64>,
    /// Abstentions.
    pub abstain: Option<i64>,
    /// What was adopted.
    pub adopted: Option<String>,
    /// Reasons of a refusal.
    pub decision_reasons: Option<String>,
    /// Decided.
    pub decided_at: Option<OffsetDateTime>,
}

const ITEM: &str = "SELECT i.id, i.meeting_id, i.application_id, a.number, p.full_name AS candidate_name, i.position, \
                    i.status, i.candidate_present, i.interview_notes, i.taking_part_ids, i.taking_part, i.recognise, i.refuse, i.abstain, \
                    i.adopted, i.decision_reasons, i.decided_at FROM agenda_items i \
                    JOIN applications a ON a.id = i.application_id JOIN persons p ON p.id = a.candidate_id";

/// Puts an application on the agenda; returns the item id.
pub async fn insert_item(
    conn: Conn<'_>,
    meeting: i64,
    application: i64,
    position: i64,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO agenda_items (meeting_id, application_id, position, status, interview_notes) \
         VALUES ($1, $2, $3, 'pending', '') RETURNING id",
        meeting,
        application,
        position
    )?)
}

/// The agenda.
pub async fn items(conn: Conn<'_>, meeting: i64) -> Result<Vec<ItemRow>, StorageError> {
    let sql = format!("{ITEM} WHERE i.meeting_id = $1 ORDER BY i.position, i.id");
    Ok(fetch!(
        conn,
        fetch_all,
        ItemRow,
        sqlx::AssertSqlSafe(sql),
        meeting
    )?)
}

/// One item of a meeting.
pub async fn item(
    conn: Conn<'_>,
    meeting: i64,
    item: i64,
) -> Result<Option<ItemRow>, StorageError> {
    let sql = format!("{ITEM} WHERE i.meeting_id = $1 AND i.id = $2");
    Ok(fetch!(
        conn,
        fetch_optional,
        ItemRow,
        sqlx::AssertSqlSafe(sql),
        meeting,
        item
    )?)
}

/// Records whether the candidate came, and the item's status.
pub async fn set_candidate_present(
    conn: Conn<'_>,
    item: i64,
    present: bool,
    status: ItemStatus,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE agenda_items SET candidate_present = $1, status = $2 WHERE id = $3",
        present,
        status.as_str(),
        item
    )?;
    Ok(())
}

/// Sets an item's status.
pub async fn set_item_status(
    conn: Conn<'_>,
    item: i64,
    status: ItemStatus,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE agenda_items SET status = $1 WHERE id = $2",
        status.as_str(),
        item
    )?;
    Ok(())
}

/// Saves the interview: notes and the assessment per learning outcome.
pub async fn set_interview(
    mut conn: Conn<'_>,
    item: i64,
    notes: &str,
    assessments: &[(String, String, String)],
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "UPDATE agenda_items SET interview_notes = $1 WHERE id = $2",
        notes,
        item
    )?;
    execute!(
        conn.reborrow(),
        "DELETE FROM item_assessments WHERE item_id = $1",
        item
    )?;
    for (i, (outcome, level, comment)) in assessments.iter().enumerate() {
        execute!(
            conn.reborrow(),
            "INSERT INTO item_assessments (item_id, position, outcome, level, comment) VALUES ($1, $2, $3, $4, $5)",
            item,
            i64::try_from(i).unwrap_or(i64::MAX),
            outcome,
            level,
            comment
        )?;
    }
    Ok(())
}

/// The assessments: (outcome, level, comment).
pub async fn assessments(
    conn: Conn<'_>,
    item: i64,
) -> Result<Vec<(String, String, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (String, String, String),
        "SELECT outcome, level, comment FROM item_assessments WHERE item_id = $1 ORDER BY position",
        item
    )?)
}

/// Records a declared conflict of interest; `false` when the member had declared one.
pub async fn insert_recusal(
    conn: Conn<'_>,
    item: i64,
    member: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "INSERT INTO item_recusals (item_id, member_id, reason, at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (item_id, member_id) DO NOTHING",
        item,
        member,
        reason,
        now
    )? == 1)
}

/// Recusals: (member, reason).
pub async fn recusals(conn: Conn<'_>, item: i64) -> Result<Vec<(i64, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, String),
        "SELECT member_id, reason FROM item_recusals WHERE item_id = $1 ORDER BY at",
        item
    )?)
}

/// Opens the vote on an item, fixing who takes part (JSON array of membership ids) and
/// who presides.
pub async fn open_vote(
    conn: Conn<'_>,
    item: i64,
    status: ItemStatus,
    taking_part_ids: &str,
    presiding: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE agenda_items SET status = $5, vote_opened_at = $1, taking_part_ids = $2, presiding_member_id = $3 \
         WHERE id = $4",
        now,
        taking_part_ids,
        presiding,
        item,
        status.as_str()
    )?;
    Ok(())
}

impl ItemRow {
    /// Who takes part in the vote, fixed when it opened; none before.
    pub fn taking_part_members(&self) -> Vec<i64> {
        self.taking_part_ids
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default()
    }
}

/// Whether any item of the meeting is being voted on.
pub async fn any_voting(conn: Conn<'_>, meeting: i64) -> Result<bool, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "SELECT id FROM agenda_items WHERE meeting_id = $1 AND status = 'voting' LIMIT 1",
        meeting
    )?
    .is_some())
}

/// Whether a meeting of the commission is in progress.
pub async fn any_open(conn: Conn<'_>, commission_id: i64) -> Result<bool, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "SELECT id FROM meetings WHERE commission_id = $1 AND status = 'open' LIMIT 1",
        commission_id
    )?
    .is_some())
}

/// Where an application stands on an agenda that is still live.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveItem {
    /// The meeting.
    pub meeting_id: i64,
    /// The meeting's organisation.
    pub org_id: i64,
    /// The agenda item.
    pub item_id: i64,
    /// The item's status: pending, voting or adopted.
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
}

/// The pending, voting or adopted item of an application on a meeting that is not
/// closed, if any.
pub async fn live_item_of(
    conn: Conn<'_>,
    application_id: i64,
) -> Result<Option<LiveItem>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_optional,
        LiveItem,
        "SELECT m.id AS meeting_id, m.org_id, i.id AS item_id, i.status FROM agenda_items i \
         JOIN meetings m ON m.id = i.meeting_id \
         WHERE i.application_id = $1 AND m.status IN ('scheduled', 'open') AND i.status IN ('pending', 'voting', 'adopted') LIMIT 1",
        application_id
    )?)
}

/// A vote as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoteRow {
    /// Member.
    pub member_id: i64,
    /// `recognise`, `refuse` or `abstain`.
    pub choice: String,
    /// Who recorded it.
    pub recorded_by: i64,
    /// When.
    pub cast_at: OffsetDateTime,
}

/// Records a vote; the unique key refuses a second one from the same member.
pub async fn insert_vote(
    conn: Conn<'_>,
    item: i64,
    member: i64,
    choice: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO item_votes (item_id, member_id, choice, recorded_by, cast_at) VALUES ($1, $2, $3, $4, $5)",
        item,
        member,
        choice,
        by,
        now
    )?;
    Ok(())
}

/// The votes of an item in the order cast.
pub async fn votes(conn: Conn<'_>, item: i64) -> Result<Vec<VoteRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        VoteRow,
        "SELECT member_id, choice, recorded_by, cast_at FROM item_votes WHERE item_id = $1 ORDER BY id",
        item
    )?)
}

/// The count of a closed vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Members taking part in the vote (the base of rule 14).
    pub taking_part: i64,
    /// Votes to recognise.
    pub recognise: i64,
    /// Votes to refuse.
    pub refuse: i64,
    /// Abstentions.
    pub abstain: i64,
}

/// Closes the vote with its count and result.
pub async fn close_vote(
    conn: Conn<'_>,
    item: i64,
    tally: &Tally,
    adopted: Option<&str>,
    status: ItemStatus,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE agenda_items SET taking_part = $1, recognise = $2, refuse = $3, abstain = $4, adopted = $5, status = $6, \
         vote_closed_at = $7 WHERE id = $8",
        tally.taking_part,
        tally.recognise,
        tally.refuse,
        tally.abstain,
        adopted,
        status.as_str(),
        now,
        item
    )?;
    Ok(())
}

/// Records the decision (reasons when refused).
pub async fn decide(
    conn: Conn<'_>,
    item: i64,
    status: ItemStatus,
    reasons: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE agenda_items SET status = $4, decision_reasons = $1, decided_at = $2 WHERE id = $3",
        reasons,
        now,
        item,
        status.as_str()
    )?;
    Ok(())
}

/// Records what is recognised against one unit.
pub async fn insert_recognition(
    conn: Conn<'_>,
    item: i64,
    unit: i64,
    credits: i64,
    outcomes: &str,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO recognitions (item_id, unit_id, credits, outcomes) VALUES ($1, $2, $3, $4)",
        item,
        unit,
        credits,
        outcomes
    )?;
    Ok(())
}

/// What was recognised: (unit, credits, outcomes JSON).
pub async fn recognitions(
    conn: Conn<'_>,
    item: i64,
) -> Result<Vec<(i64, i64, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, i64, String),
        "SELECT unit_id, credits, outcomes FROM recognitions WHERE item_id = $1 ORDER BY unit_id",
        item
    )?)
}

/// Records what happened.
pub async fn insert_event(
    mut conn: Conn<'_>,
    meeting: i64,
    person: i64,
    kind: &str,
    details: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "INSERT INTO meeting_events (meeting_id, at, person_id, kind, details) VALUES ($1, $2, $3, $4, $5)",
        meeting,
        now,
        person,
        kind,
        details
    )?;
    super::audit::append_about(
        conn, "meetings", "meeting", meeting, person, kind, details, now,
    )
    .await
}

/// The history: (when, who, kind, details).
pub async fn events(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<(OffsetDateTime, String, String, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (OffsetDateTime, String, String, String),
        "SELECT e.at, p.full_name, e.kind, e.details FROM meeting_events e JOIN persons p ON p.id = e.person_id \
         WHERE e.meeting_id = $1 ORDER BY e.at, e.id",
        meeting
    )?)
}

// ---------------------------------------------------------------------------------------
// Everything on a meeting's agenda at once: one statement per kind of row instead of one
// per item, for the meeting view and the protocol (a 10-item meeting was ~100 statements).

/// A row that belongs to one agenda item or one application, with its key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Keyed<T> {
    /// The agenda item or application the row belongs to.
    pub key: i64,
    /// The row.
    #[sqlx(flatten)]
    pub row: T,
}

/// The votes on every item of a meeting, keyed by item, in the order cast.
pub async fn votes_in(conn: Conn<'_>, meeting: i64) -> Result<Vec<Keyed<VoteRow>>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        Keyed<VoteRow>,
        "SELECT v.item_id AS key, v.member_id, v.choice, v.recorded_by, v.cast_at FROM item_votes v \
         JOIN agenda_items i ON i.id = v.item_id WHERE i.meeting_id = $1 ORDER BY v.id",
        meeting
    )?)
}

/// A vote with its member's name and account, for the meeting view.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedVoteRow {
    /// Member.
    pub member_id: i64,
    /// The member's name as on the membership.
    pub full_name: String,
    /// The member's account, if they have one.
    pub person_id: Option<i64>,
    /// `recognise`, `refuse` or `abstain`.
    pub choice: String,
    /// Who recorded it.
    pub recorded_by: i64,
}

/// [`votes_in`] with each voter's name and account (past members' too), in one
/// statement instead of a second read of every membership.
pub async fn named_votes_in(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<Keyed<NamedVoteRow>>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        Keyed<NamedVoteRow>,
        "SELECT v.item_id AS key, v.member_id, m.full_name, m.person_id, v.choice, v.recorded_by \
         FROM item_votes v JOIN agenda_items i ON i.id = v.item_id \
         JOIN commission_members m ON m.id = v.member_id WHERE i.meeting_id = $1 ORDER BY v.id",
        meeting
    )?)
}

/// Declared conflicts of interest on every item of a meeting: `(item, member, reason)`.
pub async fn recusals_in(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<(i64, i64, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, i64, String),
        "SELECT r.item_id, r.member_id, r.reason FROM item_recusals r JOIN agenda_items i ON i.id = r.item_id \
         WHERE i.meeting_id = $1 ORDER BY r.at, r.member_id",
        meeting
    )?)
}

/// Assessments of every item of a meeting: `(item, outcome, level, comment)`.
pub async fn assessments_in(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<(i64, String, String, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, String, String, String),
        "SELECT s.item_id, s.outcome, s.level, s.comment FROM item_assessments s \
         JOIN agenda_items i ON i.id = s.item_id WHERE i.meeting_id = $1 ORDER BY s.item_id, s.position",
        meeting
    )?)
}

/// Units recognised on every item of a meeting: `(item, unit, credits, outcomes JSON)`.
pub async fn recognitions_in(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<(i64, i64, i64, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, i64, i64, String),
        "SELECT r.item_id, r.unit_id, r.credits, r.outcomes FROM recognitions r \
         JOIN agenda_items i ON i.id = r.item_id WHERE i.meeting_id = $1 ORDER BY r.item_id, r.unit_id",
        meeting
    )?)
}

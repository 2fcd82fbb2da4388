//! Meetings (rules 8, 12–14): scheduling an agenda of complete applications, attendance,
//! the presiding officer and quorum, recusals, the interview, the vote and the decision.
//! Each change takes the meeting's lock, asks the domain, and records an event.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tanu_domain::application::Status;
use tanu_domain::commission::{CommissionFacts, MemberFacts, Office, Term};
use tanu_domain::dates::local_today;
use tanu_domain::meeting::{self, Choice, ItemStatus, MeetingStatus, Outcome};
use tanu_domain::person::required_text;
use tanu_domain::{Action, DomainError, RuleSetParams};
use tanu_storage::repo::applications as apps_repo;
use tanu_storage::repo::commissions as com_repo;
use tanu_storage::repo::meetings::{self as repo, ItemRow, MeetingRow};
use tanu_storage::repo::programmes;
use tanu_storage::{Conn, StorageError, Tx};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::access::{self, CommissionAccess, CommissionNeed};
use crate::commissions::Reason;
use crate::rule_sets::params_of;
use crate::{AppError, Ctx, OrgScope};

mod rescheduling;
mod scheduling;
mod sitting;
mod voting;

pub use rescheduling::*;
pub use scheduling::*;
pub use sitting::*;
pub use voting::*;

/// What the secretary schedules.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ScheduleInput {
    /// Local date and time, `YYYY-MM-DDTHH:MM` (Kazakhstan time).
    pub starts_at: String,
    /// Place, or a video link.
    pub place: String,
    /// Applications to put on the agenda (each must be complete).
    pub application_ids: Vec<i64>,
}

/// Attendance of one member.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Presence {
    /// Membership id.
    pub member_id: i64,
    /// Present or not.
    pub present: bool,
}

/// A member at a meeting.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attendee {
    /// Membership id.
    pub member_id: i64,
    /// Name.
    pub full_name: String,
    /// `chair`, `deputy` or none.
    pub office: Option<String>,
    /// Recorded attendance; `None` until recorded.
    pub present: Option<bool>,
}

/// The level of knowledge, abilities and skills found for one claimed outcome (rule 12).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assessment {
    /// The learning outcome claimed.
    pub outcome: String,
    /// `not-shown`, `partly` or `fully`.
    pub level: String,
    /// Comment.
    #[serde(default)]
    pub comment: String,
}

/// The interview record (rule 12).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct InterviewInput {
    /// Questions and notes.
    pub notes: String,
    /// One per claimed learning outcome.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
}

/// A declared conflict of interest.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecusalInput {
    /// The member (the secretary records for a member; a member declares for themself
    /// when absent).
    #[serde(default)]
    pub member_id: Option<i64>,
    /// Why.
    pub reason: String,
}

/// One vote recorded by name (a show of hands).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecordedVote {
    /// Membership id.
    pub member_id: i64,
    /// `recognise`, `refuse` or `abstain`.
    #[schema(value_type = String)]
    pub choice: Choice,
}

/// The caller's own vote.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct VoteInput {
    /// `recognise`, `refuse` or `abstain`.
    #[schema(value_type = String)]
    pub choice: Choice,
}

/// What is recognised against one discipline or module (rule 13).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecognisedUnit {
    /// Unit id (of the organisation's catalogue).
    pub unit_id: i64,
    /// Credits recognised (full or partial).
    pub credits: u32,
    /// Learning outcomes recognised against it.
    #[serde(default)]
    pub outcomes: Vec<String>,
}

/// The decision after an adopted vote (rule 13).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// When recognised: what, against which units, how many credits.
    #[serde(default)]
    pub recognised: Vec<RecognisedUnit>,
    /// When refused: the reasons (required).
    #[serde(default)]
    pub reasons: Option<String>,
}

/// A vote as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VoteView {
    /// Membership id.
    pub member_id: i64,
    /// Name.
    pub full_name: String,
    /// Choice.
    pub choice: String,
    /// Recorded by someone else (a show of hands).
    pub recorded: bool,
}

/// A vote's result and how it was computed (rule 14).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TallyView {
    /// Members taking part in the item (present, not recused).
    pub taking_part: usize,
    /// Votes to recognise.
    pub recognise: usize,
    /// Votes to refuse.
    pub refuse: usize,
    /// Abstentions.
    pub abstain: usize,
    /// Members taking part who did not vote (count against).
    pub missing: usize,
    /// Votes needed: more than half of those taking part.
    pub needed: usize,
    /// `recognise`, `refuse`, or null: nothing adopted.
    pub adopted: Option<String>,
}

impl From<Outcome> for TallyView {
    fn from(o: Outcome) -> Self {
        Self {
            taking_part: o.taking_part,
            recognise: o.recognise,
            refuse: o.refuse,
            abstain: o.abstain,
            missing: o.missing,
            needed: o.needed,
            adopted: o.adopted.map(|c| c.as_str().to_owned()),
        }
    }
}

/// An agenda item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// Id.
    pub id: i64,
    /// Application.
    pub application_id: i64,
    /// Its number.
    pub number: Option<String>,
    /// Candidate.
    pub candidate_name: String,
    /// Where it stands.
    pub status: ItemStatus,
    /// Whether the caller may vote on it now (rule 14).
    pub can_vote: bool,
    /// The members who may still vote on it now (rule 14): taking part, not yet voted.
    pub may_vote: Vec<i64>,
    /// Whether the candidate came.
    pub candidate_present: Option<bool>,
    /// The learning outcomes the candidate claims (from the confirming document).
    pub claimed_outcomes: Vec<String>,
    /// Interview notes.
    pub interview_notes: String,
    /// Assessments.
    pub assessments: Vec<Assessment>,
    /// Recusals: member and reason.
    pub recusals: Vec<(i64, String)>,
    /// Votes so far.
    pub votes: Vec<VoteView>,
    /// The live or final tally.
    pub tally: TallyView,
    /// Reasons of a refusal.
    pub decision_reasons: Option<String>,
    /// What was recognised.
    pub recognised: Vec<RecognisedUnit>,
}

/// A meeting with everything the meeting page needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Commission.
    pub commission_id: i64,
    /// Commission's name.
    pub commission_name: String,
    /// Start.
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// Place or link.
    pub place: String,
    /// Where it stands.
    pub status: MeetingStatus,
    /// When it was actually opened.
    #[serde(with = "time::serde::rfc3339::option")]
    pub opened_at: Option<OffsetDateTime>,
    /// When it was actually closed (or cancelled).
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// Why it was cancelled, when it was.
    pub cancel_reason: Option<String>,
    /// Presiding officer (membership id), once open.
    pub presiding_member_id: Option<i64>,
    /// Whether the deputy presides (rule 8).
    pub presiding_as_deputy: Option<bool>,
    /// Members and attendance.
    pub attendees: Vec<Attendee>,
    /// Members present.
    pub present: usize,
    /// Whether the quorum is met.
    pub quorum_met: bool,
    /// Why the meeting cannot open (rule 8, quorum), if it cannot.
    pub cannot_open: Vec<Reason>,
    /// The agenda.
    pub items: Vec<ItemView>,
    /// Whether the caller runs the meeting (admin, secretary, chair or deputy).
    pub can_run: bool,
    /// The caller's membership id, when a member.
    pub my_member_id: Option<i64>,
    /// Who did what, when: attendance, opening, declarations, votes, decisions.
    pub events: Vec<MeetingEvent>,
}

/// An entry of the meeting's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingEvent {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub person: String,
    /// What.
    pub kind: String,
    /// Details.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Rows grouped by the item or application they belong to, each group in the order read.
pub(crate) fn grouped<T>(rows: impl IntoIterator<Item = (i64, T)>) -> HashMap<i64, Vec<T>> {
    let mut out: HashMap<i64, Vec<T>> = HashMap::new();
    for (key, row) in rows {
        out.entry(key).or_default().push(row);
    }
    out
}

fn event(v: serde_json::Value) -> String {
    v.to_string()
}

/// Whether the actor may schedule meetings of the commission (those who run it: its
/// secretary, chair and deputy, the organisation's admins, the operator): the
/// scheduling form is shown to them only.
pub async fn may_schedule(ctx: &Ctx, scope: &OrgScope, commission_id: i64) -> Result<(), AppError> {
    let mut conn = ctx.db.acquire().await?;
    require(conn.conn(), scope, commission_id, CommissionNeed::Run).await
}

/// The caller may do `need` in the commission, as it stands now.
async fn require(
    conn: Conn<'_>,
    scope: &OrgScope,
    commission_id: i64,
    need: CommissionNeed,
) -> Result<(), AppError> {
    access::of_commission(conn, scope, commission_id)
        .await?
        .require(need)
}

/// Closes the meeting that was held (a meeting that never opened is cancelled instead,
/// [`cancel`]). Items not voted on are moved back (their applications can be scheduled
/// again); an item whose adopted vote lacks its decision must be decided first.
pub async fn close(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    let closed = m.status.close()?;
    let items = repo::items(tx.conn(), id).await?;
    // Items not reached are moved; one being voted on or adopted keeps the meeting open.
    let mut moved = Vec::new();
    for it in &items {
        if let Some(next) = it.status.at_close()? {
            moved.push((it, next));
        }
    }
    // The applications not reached go back to waiting: all locked first, in ascending
    // order, as a schedule locks them (two changes never wait for each other in a circle).
    let mut not_reached: Vec<i64> = moved.iter().map(|(it, _)| it.application_id).collect();
    not_reached.sort_unstable();
    for app_id in not_reached {
        if !apps_repo::lock(tx.conn(), app_id, now).await? {
            return Err(AppError::NotFound);
        }
    }
    for (it, next) in moved {
        repo::set_item_status(tx.conn(), it.id, next).await?;
        let app = apps_repo::get(tx.conn(), it.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Ok(next) = Status::parse(&app.status)?.unschedule() {
            apps_repo::set_status(tx.conn(), app.id, next.as_str(), now).await?;
            apps_repo::insert_event(
                tx.conn(),
                app.id,
                scope.person_id(),
                "moved",
                &event(serde_json::json!({ "meeting_id": id, "reason": "not-reached" })),
                now,
            )
            .await?;
        }
    }
    repo::set_closed(tx.conn(), id, closed, now).await?;
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "closed",
        &event(serde_json::json!({})),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// The meetings of a commission.
pub async fn list(
    ctx: &Ctx,
    scope: &OrgScope,
    commission_id: i64,
) -> Result<Vec<MeetingRowView>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    // Another organisation's commission (or none) is not found, rather than empty.
    if tanu_storage::repo::commissions::get(conn.conn(), scope.org_id(), commission_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    Ok(
        repo::for_commission(conn.conn(), scope.org_id(), commission_id)
            .await?
            .into_iter()
            .map(|m| MeetingRowView {
                id: m.id,
                starts_at: m.starts_at,
                place: m.place,
                status: m.status,
            })
            .collect(),
    )
}

/// A meeting in lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingRowView {
    /// Id.
    pub id: i64,
    /// Start.
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// Place.
    pub place: String,
    /// Where it stands.
    pub status: MeetingStatus,
}

/// The meeting page's data.
pub async fn get(ctx: &Ctx, scope: &OrgScope, id: i64) -> Result<MeetingView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let m = repo::get(conn.conn(), scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let roster = roster(conn.conn(), &m).await?;
    let f = roster.facts();
    let attendees = roster
        .members
        .iter()
        .map(|x| Attendee {
            member_id: x.id,
            full_name: x.full_name.clone(),
            office: roster
                .offices
                .iter()
                .find(|o| o.member_id == x.id)
                .map(|o| o.office.clone()),
            present: roster
                .attendance
                .iter()
                .find(|(id, _)| *id == x.id)
                .map(|(_, p)| *p),
        })
        .collect();
    let mut cannot_open = Vec::new();
    if let Err(e) = &f.presiding {
        cannot_open.push(Reason::from(e));
    }
    if let Err(e) = &f.quorum {
        cannot_open.push(Reason::from(e));
    }
    // The agenda, then what hangs off its items, read for the whole meeting at once.
    let agenda = repo::items(conn.conn(), id).await?;
    let mut recusals_of = grouped(
        repo::recusals_in(conn.conn(), id)
            .await?
            .into_iter()
            .map(|(item, member, reason)| (item, (member, reason))),
    );
    let mut votes_of = grouped(
        repo::named_votes_in(conn.conn(), id)
            .await?
            .into_iter()
            .map(|v| (v.key, v.row)),
    );
    let mut assessments_of = grouped(
        repo::assessments_in(conn.conn(), id)
            .await?
            .into_iter()
            .map(|(item, outcome, level, comment)| {
                (
                    item,
                    Assessment {
                        outcome,
                        level,
                        comment,
                    },
                )
            }),
    );
    let mut recognised_of = grouped(
        repo::recognitions_in(conn.conn(), id)
            .await?
            .into_iter()
            .map(|(item, unit_id, credits, outcomes)| {
                (
                    item,
                    RecognisedUnit {
                        unit_id,
                        credits: u32::try_from(credits).unwrap_or(0),
                        outcomes: serde_json::from_str(&outcomes).unwrap_or_default(),
                    },
                )
            }),
    );
    let claimed_of: HashMap<i64, Vec<String>> = apps_repo::certificates_on_agenda(conn.conn(), id)
        .await?
        .into_iter()
        .map(|c| {
            let claimed = serde_json::from_str::<Vec<String>>(&c.row.outcomes).unwrap_or_default();
            (c.key, claimed)
        })
        .collect();
    let my_member_id = roster.access(scope).member();
    let mut items = Vec::new();
    for it in agenda {
        let recusals = recusals_of.remove(&it.id).unwrap_or_default();
        let recused: Vec<i64> = recusals.iter().map(|(m, _)| *m).collect();
        let taking_part = meeting::taking_part(&f.present, &recused);
        let votes = votes_of.remove(&it.id).unwrap_or_default();
        let choices: Vec<Choice> = votes
            .iter()
            .filter(|v| taking_part.contains(&v.member_id))
            .filter_map(|v| Choice::parse(&v.choice).ok())
            .collect();
        // A closed vote shows what was counted then; an open one the live count.
        let tally = match (it.taking_part, it.recognise, it.refuse, it.abstain) {
            (Some(t), Some(r), Some(f), Some(a)) => {
                let u = |n: i64| usize::try_from(n).unwrap_or(0);
                let adopted = it.adopted.as_deref().and_then(|c| Choice::parse(c).ok());
                meeting::rule_14_recorded(u(t), u(r), u(f), u(a), adopted).into()
            }
            _ => meeting::outcome(&choices, taking_part.len()).into(),
        };
        let claimed = claimed_of
            .get(&it.application_id)
            .cloned()
            .unwrap_or_default();
        // Rule 14: who may still vote while the vote is open.
        let may_vote: Vec<i64> = if it.status.is_voting() {
            let already: Vec<i64> = votes.iter().map(|v| v.member_id).collect();
            taking_part
                .iter()
                .copied()
                .filter(|m| meeting::rule_14_may_vote(*m, &taking_part, &recused, &already))
                .collect()
        } else {
            Vec::new()
        };
        items.push(ItemView {
            id: it.id,
            application_id: it.application_id,
            number: it.number.clone(),
            candidate_name: it.candidate_name.clone(),
            status: it.status,
            can_vote: my_member_id.is_some_and(|me| may_vote.contains(&me)),
            may_vote,
            candidate_present: it.candidate_present,
            claimed_outcomes: claimed,
            interview_notes: it.interview_notes.clone(),
            assessments: assessments_of.remove(&it.id).unwrap_or_default(),
            recusals,
            votes: votes
                .iter()
                .map(|v| VoteView {
                    member_id: v.member_id,
                    full_name: v.full_name.clone(),
                    choice: v.choice.clone(),
                    recorded: v.person_id != Some(v.recorded_by),
                })
                .collect(),
            tally,
            decision_reasons: it.decision_reasons.clone(),
            recognised: recognised_of.remove(&it.id).unwrap_or_default(),
        });
    }
    Ok(MeetingView {
        id: m.id,
        org_id: m.org_id,
        commission_id: m.commission_id,
        commission_name: roster.commission.name.clone(),
        starts_at: m.starts_at,
        place: m.place.clone(),
        status: m.status,
        opened_at: m.opened_at,
        closed_at: m.closed_at,
        cancel_reason: m.cancel_reason.clone(),
        presiding_member_id: m.presiding_member_id,
        presiding_as_deputy: m.presiding_as_deputy,
        attendees,
        present: f.present.len(),
        quorum_met: f.quorum.is_ok(),
        cannot_open,
        items,
        can_run: roster.access(scope).allows(CommissionNeed::Run),
        my_member_id,
        events: repo::events(conn.conn(), id)
            .await?
            .into_iter()
            .map(|(at, person, kind, details)| MeetingEvent {
                at,
                person,
                kind,
                details: serde_json::from_str(&details).unwrap_or_default(),
            })
            .collect(),
    })
}

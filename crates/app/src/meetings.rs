//! Meetings (rules 8, 12–14): scheduling an agenda of complete applications, attendance,
//! the presiding officer and quorum, recusals, the interview, the vote and the decision.
//! Each change takes the meeting's lock, asks the domain, and records an event.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tanu_domain::application::Status;
use tanu_domain::commission::{CommissionFacts, MemberFacts, Office, Term};
use tanu_domain::dates::local_today;
use tanu_domain::meeting::{self, Choice, Outcome};
use tanu_domain::person::required_text;
use tanu_domain::{Action, DomainError, RuleSetParams};
use tanu_storage::repo::applications as apps_repo;
use tanu_storage::repo::commissions as com_repo;
use tanu_storage::repo::meetings::{self as repo, ItemRow, MeetingRow};
use tanu_storage::repo::programmes;
use tanu_storage::{Conn, StorageError, Tx};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::commissions::Reason;
use crate::rule_sets::params_of;
use crate::{AppError, Ctx, OrgScope};

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
            adopted: o.adopted.map(|c| choice_code(c).to_owned()),
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
    /// `pending`, `voting`, `adopted`, `decided`, `not-adopted` or `moved`.
    pub status: String,
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
    /// `scheduled`, `open`, `closed`.
    pub status: String,
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

fn choice_code(c: Choice) -> &'static str {
    match c {
        Choice::Recognise => "recognise",
        Choice::Refuse => "refuse",
        Choice::Abstain => "abstain",
    }
}

fn parse_choice(s: &str) -> Option<Choice> {
    match s {
        "recognise" => Some(Choice::Recognise),
        "refuse" => Some(Choice::Refuse),
        "abstain" => Some(Choice::Abstain),
        _ => None,
    }
}

fn event(v: serde_json::Value) -> String {
    v.to_string()
}

fn status_refusal(from: &str, action: Action) -> AppError {
    DomainError::StatusTransition {
        from: from.to_owned(),
        action,
    }
    .into()
}

/// Whether the caller runs meetings of the commission: the organisation's admin, the
/// commission's secretary, or its chair or deputy.
async fn runs(mut conn: Conn<'_>, scope: &OrgScope, commission_id: i64) -> Result<bool, AppError> {
    if scope.is_admin() {
        return Ok(true);
    }
    if com_repo::current_secretary(conn.reborrow(), commission_id)
        .await?
        .is_some_and(|s| s.person_id == scope.person_id())
    {
        return Ok(true);
    }
    let members = com_repo::current_members(conn.reborrow(), commission_id).await?;
    let offices = com_repo::current_offices(conn, commission_id).await?;
    Ok(chairs(scope, &members, &offices))
}

/// Whether the caller holds one of the commission's offices (chair or deputy).
fn chairs(
    scope: &OrgScope,
    members: &[com_repo::MemberRow],
    offices: &[com_repo::OfficeRow],
) -> bool {
    offices.iter().any(|o| {
        members
            .iter()
            .any(|m| m.id == o.member_id && m.person_id == Some(scope.person_id()))
    })
}

/// Whether the actor may schedule meetings of the commission (those who run it: its
/// secretary, chair and deputy, the organisation's admins, the operator): the
/// scheduling form is shown to them only.
pub async fn may_schedule(ctx: &Ctx, scope: &OrgScope, commission_id: i64) -> Result<(), AppError> {
    let mut conn = ctx.db.acquire().await?;
    require_runner(conn.conn(), scope, commission_id).await
}

async fn require_runner(
    conn: Conn<'_>,
    scope: &OrgScope,
    commission_id: i64,
) -> Result<(), AppError> {
    if runs(conn, scope, commission_id).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Parses `YYYY-MM-DDTHH:MM` as Kazakhstan time.
fn parse_start(s: &str) -> Result<OffsetDateTime, DomainError> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(s.trim(), &format)
        .ok()
        .filter(|t| (1900..=2100).contains(&t.year()))
        .map(|t| tanu_storage::fixed_width(t.assume_offset(tanu_domain::dates::KAZAKHSTAN)))
        .ok_or_else(|| DomainError::UnknownValue {
            field: "starts_at",
            value: s.chars().take(32).collect(),
        })
}

/// Schedules a meeting of a commission that can act, with an agenda of complete
/// applications of the organisation.
pub async fn schedule(
    ctx: &Ctx,
    scope: &OrgScope,
    commission_id: i64,
    input: &ScheduleInput,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let starts_at = parse_start(&input.starts_at)?;
    let place = required_text(&input.place, "place", 500)?;
    if input.application_ids.is_empty() {
        return Err(DomainError::UnknownValue {
            field: "application_ids",
            value: "none".into(),
        }
        .into());
    }
    let mut tx = ctx.db.begin().await?;
    if !com_repo::lock(tx.conn(), scope.org_id(), commission_id).await? {
        return Err(AppError::NotFound);
    }
    require_runner(tx.conn(), scope, commission_id).await?;
    let commission = com_repo::get(tx.conn(), scope.org_id(), commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let params = params_of(tx.conn(), commission.rule_set_id).await?;
    let members = com_repo::current_members(tx.conn(), commission_id).await?;
    let facts: Vec<MemberFacts> = members
        .iter()
        .map(|m| MemberFacts {
            id: m.id,
            is_teacher: m.is_teacher,
        })
        .collect();
    let offices = com_repo::current_offices(tx.conn(), commission_id).await?;
    let has_secretary = com_repo::current_secretary(tx.conn(), commission_id)
        .await?
        .is_some();
    let reasons = tanu_domain::commission::readiness(
        &CommissionFacts {
            term: Term {
                from: commission.term_from,
                to: commission.term_to,
            },
            members: &facts,
            has_chair: offices.iter().any(|o| o.office == Office::Chair.as_str()),
            has_secretary,
            params: &params,
        },
        local_today(now),
    );
    if let Some(first) = reasons.into_iter().next() {
        return Err(first.into());
    }
    let id = repo::insert(
        tx.conn(),
        scope.org_id(),
        commission_id,
        starts_at,
        &place,
        scope.person_id(),
        now,
    )
    .await?;
    // Each application once, in the order given (its place on the agenda).
    let mut ids: Vec<i64> = Vec::with_capacity(input.application_ids.len());
    for app_id in &input.application_ids {
        if !ids.contains(app_id) {
            ids.push(*app_id);
        }
    }
    let unknown = |app_id: i64| DomainError::UnknownValue {
        field: "application_ids",
        value: app_id.to_string(),
    };
    // Lock first, then read: a withdrawal or another schedule cannot slip between. All
    // are locked before any is read, in ascending order, so that two schedules naming
    // the same applications in different orders never wait for each other in a circle.
    let mut ascending = ids.clone();
    ascending.sort_unstable();
    for app_id in ascending {
        if !apps_repo::lock(tx.conn(), app_id, now).await? {
            return Err(unknown(app_id).into());
        }
    }
    for (position, app_id) in ids.iter().enumerate() {
        let unknown = || unknown(*app_id);
        let app = apps_repo::get(tx.conn(), *app_id)
            .await?
            .filter(|a| a.org_id == scope.org_id())
            .ok_or_else(unknown)?;
        let next = Status::parse(&app.status)?.schedule()?;
        apps_repo::set_status(tx.conn(), app.id, next.as_str(), now).await?;
        repo::insert_item(
            tx.conn(),
            id,
            app.id,
            i64::try_from(position).unwrap_or(0) + 1,
        )
        .await?;
        let details = event(
            serde_json::json!({ "meeting_id": id, "starts_at": starts_at.to_string(), "place": place }),
        );
        apps_repo::insert_event(
            tx.conn(),
            app.id,
            scope.person_id(),
            "scheduled",
            &details,
            now,
        )
        .await?;
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "scheduled",
        &event(serde_json::json!({ "agenda": ids })),
        now,
    )
    .await?;
    tell_scheduled(&mut tx, scope, id, &commission.name, starts_at, &place, now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Candidates on the agenda, the members with accounts and the secretary are told, with
/// a calendar file; candidates see only their own application in the agenda line.
async fn tell_scheduled(
    tx: &mut Tx,
    scope: &OrgScope,
    id: i64,
    commission: &str,
    starts_at: OffsetDateTime,
    place: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    use crate::notify::{Kind, ics, tell};
    let items = repo::items(tx.conn(), id).await?;
    let when = tanu_domain::dates::fmt_datetime(starts_at);
    let calendar = ics(&format!("meeting-{id}"), starts_at, commission, place, now);
    let numbers: Vec<String> = items.iter().filter_map(|i| i.number.clone()).collect();
    for it in &items {
        let app = apps_repo::get(tx.conn(), it.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let own = it.number.clone().unwrap_or_default();
        tell(
            tx.conn(),
            app.candidate_id,
            Some(scope.org_id()),
            Kind::MeetingScheduled,
            &|_| {
                vec![
                    ("when", when.clone()),
                    ("commission", commission.to_owned()),
                    ("place", place.to_owned()),
                    ("agenda", own.clone()),
                ]
            },
            &format!("/applications/{}", app.id),
            Some(&calendar),
            now,
        )
        .await?;
    }
    let m = repo::get(tx.conn(), scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut staff: Vec<i64> = com_repo::current_members(tx.conn(), m.commission_id)
        .await?
        .into_iter()
        .filter_map(|x| x.person_id)
        .collect();
    if let Some(s) = com_repo::current_secretary(tx.conn(), m.commission_id).await? {
        staff.push(s.person_id);
    }
    staff.sort_unstable();
    staff.dedup();
    for person in staff {
        tell(
            tx.conn(),
            person,
            Some(scope.org_id()),
            Kind::MeetingScheduled,
            &|_| {
                vec![
                    ("when", when.clone()),
                    ("commission", commission.to_owned()),
                    ("place", place.to_owned()),
                    ("agenda", numbers.join(", ")),
                ]
            },
            &format!("/orgs/{}/meetings/{id}", scope.org_id()),
            Some(&calendar),
            now,
        )
        .await?;
    }
    Ok(())
}

/// The candidate is told the commission's decision on their application.
async fn tell_decision(
    tx: &mut Tx,
    scope: &OrgScope,
    app: &apps_repo::ApplicationRow,
    result: &'static str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let number = app.number.clone().unwrap_or_default();
    crate::notify::tell(
        tx.conn(),
        app.candidate_id,
        Some(scope.org_id()),
        crate::notify::Kind::Decision,
        &|lang| {
            vec![
                ("number", number.clone()),
                ("result", crate::notify::result_word(result, lang)),
            ]
        },
        &format!("/applications/{}", app.id),
        None,
        now,
    )
    .await
}

async fn locked(ctx: &Ctx, scope: &OrgScope, id: i64) -> Result<(Tx, MeetingRow), AppError> {
    let mut tx = ctx.db.begin().await?;
    let m = repo::lock_get(tx.conn(), scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((tx, m))
}

/// Records attendance (admin, secretary, chair or deputy), before or during the meeting –
/// but not while a vote is open, since who takes part in it is fixed.
pub async fn set_attendance(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &[Presence],
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require_runner(tx.conn(), scope, m.commission_id).await?;
    if m.status == "closed" {
        return Err(status_refusal(&m.status, Action::Change));
    }
    if repo::any_voting(tx.conn(), id).await? {
        return Err(status_refusal("voting", Action::Change));
    }
    let members = com_repo::current_members(tx.conn(), m.commission_id).await?;
    for p in input {
        if !members.iter().any(|x| x.id == p.member_id) {
            return Err(DomainError::UnknownValue {
                field: "member_id",
                value: p.member_id.to_string(),
            }
            .into());
        }
        repo::set_attendance(tx.conn(), id, p.member_id, p.present, now).await?;
    }
    let details: Vec<serde_json::Value> = input
        .iter()
        .map(|p| serde_json::json!({ "member_id": p.member_id, "present": p.present }))
        .collect();
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "attendance",
        &event(serde_json::json!(details)),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

struct Facts {
    present: Vec<i64>,
    member_count: usize,
    presiding: Result<meeting::Presiding, DomainError>,
    quorum: Result<(), DomainError>,
}

/// What a meeting's rules are checked against, read once: its commission, the current
/// members and offices, the attendance, the rule set's parameters and the current
/// secretary. Read before the other checks of an action, so that a commission or rule
/// set that is missing (which the foreign keys rule out) is found first.
struct Roster {
    commission: com_repo::CommissionRow,
    members: Vec<com_repo::MemberRow>,
    offices: Vec<com_repo::OfficeRow>,
    attendance: Vec<(i64, bool)>,
    params: RuleSetParams,
    /// The current secretary's account.
    secretary: Option<i64>,
}

async fn roster(mut conn: Conn<'_>, m: &MeetingRow) -> Result<Roster, AppError> {
    let commission = com_repo::get(conn.reborrow(), m.org_id, m.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = com_repo::current_members(conn.reborrow(), m.commission_id).await?;
    let offices = com_repo::current_offices(conn.reborrow(), m.commission_id).await?;
    let attendance = repo::attendance(conn.reborrow(), m.id).await?;
    let params = params_of(conn.reborrow(), commission.rule_set_id).await?;
    let secretary = com_repo::current_secretary(conn, m.commission_id)
        .await?
        .map(|s| s.person_id);
    Ok(Roster {
        commission,
        members,
        offices,
        attendance,
        params,
        secretary,
    })
}

impl Roster {
    /// Who is present, who presides (rule 8) and whether there is quorum.
    fn facts(&self) -> Facts {
        let present: Vec<i64> = self
            .attendance
            .iter()
            .filter(|(id, p)| *p && self.members.iter().any(|x| x.id == *id))
            .map(|(id, _)| *id)
            .collect();
        let office = |o: Office| {
            self.offices
                .iter()
                .find(|x| x.office == o.as_str())
                .map(|x| x.member_id)
        };
        Facts {
            presiding: meeting::presiding(office(Office::Chair), office(Office::Deputy), &present),
            quorum: meeting::check_quorum(self.params.quorum, present.len(), self.members.len()),
            member_count: self.members.len(),
            present,
        }
    }

    /// Whether the caller runs the meetings: the organisation's admin, the secretary,
    /// or the chair or deputy.
    fn run_by(&self, scope: &OrgScope) -> bool {
        scope.is_admin()
            || self.secretary == Some(scope.person_id())
            || chairs(scope, &self.members, &self.offices)
    }

    /// The caller runs the meetings, or the refusal.
    fn require_runner(&self, scope: &OrgScope) -> Result<(), AppError> {
        if self.run_by(scope) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Rules 6–8: the commission can act today; the first reason it cannot is the refusal.
    fn can_act(&self, now: OffsetDateTime) -> Result<(), AppError> {
        let members: Vec<MemberFacts> = self
            .members
            .iter()
            .map(|m| MemberFacts {
                id: m.id,
                is_teacher: m.is_teacher,
            })
            .collect();
        let reasons = tanu_domain::commission::readiness(
            &CommissionFacts {
                term: Term {
                    from: self.commission.term_from,
                    to: self.commission.term_to,
                },
                members: &members,
                has_chair: self
                    .offices
                    .iter()
                    .any(|o| o.office == Office::Chair.as_str()),
                has_secretary: self.secretary.is_some(),
                params: &self.params,
            },
            local_today(now),
        );
        match reasons.into_iter().next() {
            Some(first) => Err(first.into()),
            None => Ok(()),
        }
    }
}

/// Opens the meeting: the commission can still act (rules 6–8), the chair presides or the
/// deputy when the chair is absent (rule 8); with neither, or without quorum, it cannot open.
pub async fn open(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    // Membership changes take the commission's lock and refuse while a meeting is open:
    // holding it too makes the roster read here the one the meeting opens with (rules
    // 6–8), even when a change is being made at the same moment.
    if !com_repo::lock(tx.conn(), scope.org_id(), m.commission_id).await? {
        return Err(AppError::NotFound);
    }
    let roster = roster(tx.conn(), &m).await?;
    roster.require_runner(scope)?;
    if m.status != "scheduled" {
        return Err(status_refusal(&m.status, Action::Open));
    }
    roster.can_act(now)?;
    let f = roster.facts();
    let presiding = f.presiding?;
    f.quorum?;
    repo::set_open(tx.conn(), id, presiding.member, presiding.as_deputy, now).await?;
    let details = serde_json::json!({ "presiding_member_id": presiding.member, "as_deputy": presiding.as_deputy, "present": f.present.len(), "members": f.member_count });
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "opened",
        &event(details),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

async fn item_of(conn: Conn<'_>, m: &MeetingRow, item: i64) -> Result<ItemRow, AppError> {
    repo::item(conn, m.id, item)
        .await?
        .ok_or(AppError::NotFound)
}

fn require_open(m: &MeetingRow, action: Action) -> Result<(), AppError> {
    if m.status == "open" {
        Ok(())
    } else {
        Err(status_refusal(&m.status, action))
    }
}

/// Records whether the candidate came. One who did not cannot be decided on at this
/// meeting (rule 12): the item is moved and the application can be scheduled again.
pub async fn candidate_presence(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    present: bool,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require_runner(tx.conn(), scope, m.commission_id).await?;
    require_open(&m, Action::Record)?;
    let it = item_of(tx.conn(), &m, item).await?;
    if it.status != "pending" {
        return Err(status_refusal(&it.status, Action::Record));
    }
    if present {
        repo::set_candidate_present(tx.conn(), item, true, "pending").await?;
    } else {
        repo::set_candidate_present(tx.conn(), item, false, "moved").await?;
        if !apps_repo::lock(tx.conn(), it.application_id, now).await? {
            return Err(AppError::NotFound);
        }
        let app = apps_repo::get(tx.conn(), it.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let next = Status::parse(&app.status)?.unschedule()?;
        apps_repo::set_status(tx.conn(), app.id, next.as_str(), now).await?;
        apps_repo::insert_event(
            tx.conn(),
            app.id,
            scope.person_id(),
            "moved",
            &event(serde_json::json!({ "meeting_id": id, "reason": "candidate-absent" })),
            now,
        )
        .await?;
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "candidate-presence",
        &event(serde_json::json!({ "item_id": item, "present": present })),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// A member declares a conflict of interest in an item and takes no part in it.
pub async fn recuse(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    input: &RecusalInput,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let reason = required_text(&input.reason, "reason", 1000)?;
    let (mut tx, m) = locked(ctx, scope, id).await?;
    // Recording another member's recusal is for those who run the meeting: refused as
    // such whatever the meeting's state (docs/authorization.csv).
    if input.member_id.is_some() {
        require_runner(tx.conn(), scope, m.commission_id).await?;
    }
    if m.status == "closed" {
        return Err(status_refusal(&m.status, Action::Change));
    }
    let it = item_of(tx.conn(), &m, item).await?;
    if it.status != "pending" {
        return Err(status_refusal(&it.status, Action::Recuse));
    }
    let members = com_repo::current_members(tx.conn(), m.commission_id).await?;
    let member = match input.member_id {
        Some(member) => member,
        None => members
            .iter()
            .find(|x| x.person_id == Some(scope.person_id()))
            .map(|x| x.id)
            .ok_or(AppError::Domain(DomainError::Rule14NotTakingPart))?,
    };
    if !members.iter().any(|x| x.id == member) {
        return Err(DomainError::UnknownValue {
            field: "member_id",
            value: member.to_string(),
        }
        .into());
    }
    if !repo::insert_recusal(tx.conn(), item, member, &reason, now).await? {
        // Declared already: the first declaration stands.
        drop(tx);
        return get(ctx, scope, id).await;
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "recusal",
        &event(serde_json::json!({ "item_id": item, "member_id": member, "reason": reason })),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Records the interview (rule 12): notes and the level found per claimed outcome.
pub async fn interview(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    input: &InterviewInput,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let notes = required_text(&input.notes, "notes", 20_000)?;
    let mut rows = Vec::new();
    for a in &input.assessments {
        let level = match a.level.trim() {
            l @ ("not-shown" | "partly" | "fully") => l.to_owned(),
            other => {
                return Err(DomainError::UnknownValue {
                    field: "level",
                    value: other.chars().take(20).collect(),
                }
                .into());
            }
        };
        rows.push((
            required_text(&a.outcome, "outcome", 1000)?,
            level,
            a.comment
                .trim()
                .chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .take(2000)
                .collect::<String>(),
        ));
    }
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require_runner(tx.conn(), scope, m.commission_id).await?;
    require_open(&m, Action::Record)?;
    let it = item_of(tx.conn(), &m, item).await?;
    if it.candidate_present != Some(true) {
        return Err(DomainError::Rule12CandidateAbsent.into());
    }
    if it.status != "pending" {
        return Err(status_refusal(&it.status, Action::Record));
    }
    repo::set_interview(tx.conn(), item, &notes, &rows).await?;
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "interview",
        &event(serde_json::json!({ "item_id": item, "assessments": rows.len() })),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Opens the vote on an item: the commission can act, the meeting is open with quorum and
/// someone to preside (rule 8), the candidate came and was interviewed (rule 12). Who
/// takes part – present, not recused – is fixed now.
pub async fn open_vote(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    let roster = roster(tx.conn(), &m).await?;
    roster.require_runner(scope)?;
    require_open(&m, Action::Vote)?;
    let it = item_of(tx.conn(), &m, item).await?;
    if it.candidate_present != Some(true) {
        return Err(DomainError::Rule12CandidateAbsent.into());
    }
    if it.status != "pending" {
        return Err(status_refusal(&it.status, Action::Vote));
    }
    if it.interview_notes.trim().is_empty() {
        return Err(DomainError::Rule12InterviewRequired.into());
    }
    roster.can_act(now)?;
    let f = roster.facts();
    let presiding = f.presiding?;
    f.quorum?;
    let recused: Vec<i64> = repo::recusals(tx.conn(), item)
        .await?
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    let taking_part = meeting::taking_part(&f.present, &recused);
    let ids = serde_json::to_string(&taking_part).map_err(AppError::other)?;
    repo::open_vote(tx.conn(), item, &ids, presiding.member, now).await?;
    let details = serde_json::json!({ "item_id": item, "taking_part": taking_part, "presiding_member_id": presiding.member });
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "vote-opened",
        &event(details),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

async fn record_votes(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    votes: &[(i64, Choice)],
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    let it = item_of(tx.conn(), &m, item).await?;
    // Who takes part was fixed when the vote opened; recusals are not possible since.
    let taking_part = it.taking_part_members();
    let mut already: Vec<i64> = repo::votes(tx.conn(), item)
        .await?
        .iter()
        .map(|v| v.member_id)
        .collect();
    let recused: Vec<i64> = repo::recusals(tx.conn(), item)
        .await?
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    for (member, choice) in votes {
        meeting::check_vote(
            it.status == "voting" && m.status == "open",
            *member,
            &taking_part,
            &recused,
            &already,
        )?;
        repo::insert_vote(
            tx.conn(),
            item,
            *member,
            choice_code(*choice),
            scope.person_id(),
            now,
        )
        .await
        .map_err(|e| {
            if matches!(e, StorageError::Unique(_)) {
                AppError::Domain(DomainError::Rule14AlreadyVoted)
            } else {
                e.into()
            }
        })?;
        already.push(*member);
    }
    let details: Vec<serde_json::Value> = votes
        .iter()
        .map(|(m, c)| serde_json::json!({ "member_id": m, "choice": choice_code(*c) }))
        .collect();
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "votes",
        &event(serde_json::json!({ "item_id": item, "votes": details })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A member present votes from their own account (rule 14).
pub async fn vote(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    input: &VoteInput,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    cast_vote(ctx, scope, id, item, input, now).await?;
    get(ctx, scope, id).await
}

/// [`vote`] without reading the meeting back.
pub async fn cast_vote(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    input: &VoteInput,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let member = {
        let mut conn = ctx.db.acquire().await?;
        let m = repo::get(conn.conn(), scope.org_id(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let members = com_repo::current_members(conn.conn(), m.commission_id).await?;
        members
            .iter()
            .find(|x| x.person_id == Some(scope.person_id()))
            .map(|x| x.id)
            .ok_or(AppError::Domain(DomainError::Rule14NotTakingPart))?
    };
    record_votes(ctx, scope, id, item, &[(member, input.choice)], now).await
}

/// The secretary (or the organisation's admin) records a show of hands by name (rule 14).
pub async fn record(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    input: &[RecordedVote],
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    {
        let mut conn = ctx.db.acquire().await?;
        let m = repo::get(conn.conn(), scope.org_id(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let secretary = com_repo::current_secretary(conn.conn(), m.commission_id).await?;
        if !scope.is_admin() && secretary.is_none_or(|s| s.person_id != scope.person_id()) {
            return Err(AppError::Forbidden);
        }
    }
    let votes: Vec<(i64, Choice)> = input.iter().map(|v| (v.member_id, v.choice)).collect();
    record_votes(ctx, scope, id, item, &votes, now).await?;
    get(ctx, scope, id).await
}

/// Closes the vote (rule 14): adopted only with more than half of the votes of all
/// members taking part; otherwise nothing is adopted and the application goes back to
/// a later agenda.
pub async fn close_vote(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require_runner(tx.conn(), scope, m.commission_id).await?;
    let it = item_of(tx.conn(), &m, item).await?;
    if it.status != "voting" {
        return Err(DomainError::Rule14VoteClosed.into());
    }
    let taking_part = it.taking_part_members();
    let choices: Vec<Choice> = repo::votes(tx.conn(), item)
        .await?
        .iter()
        .filter(|v| taking_part.contains(&v.member_id))
        .filter_map(|v| parse_choice(&v.choice))
        .collect();
    let o = meeting::outcome(&choices, taking_part.len());
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let status = if o.adopted.is_some() {
        "adopted"
    } else {
        "not-adopted"
    };
    repo::close_vote(
        tx.conn(),
        item,
        as_i64(o.taking_part),
        as_i64(o.recognise),
        as_i64(o.refuse),
        as_i64(o.abstain),
        o.adopted.map(choice_code),
        status,
        now,
    )
    .await?;
    if o.adopted.is_none() {
        if !apps_repo::lock(tx.conn(), it.application_id, now).await? {
            return Err(AppError::NotFound);
        }
        let app = apps_repo::get(tx.conn(), it.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let next = Status::parse(&app.status)?.decide(None)?;
        apps_repo::set_status(tx.conn(), app.id, next.as_str(), now).await?;
        apps_repo::insert_event(
            tx.conn(),
            app.id,
            scope.person_id(),
            "not-adopted",
            &event(serde_json::json!({ "meeting_id": id })),
            now,
        )
        .await?;
        tell_decision(&mut tx, scope, &app, "not-adopted", now).await?;
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "vote-closed",
        &event(serde_json::json!({ "item_id": item, "tally": TallyView::from(o) })),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Records the decision the vote adopted (rule 13): what is recognised, with credits, or
/// the reasons for refusing.
pub async fn decide(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    item: i64,
    input: &DecisionInput,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require_runner(tx.conn(), scope, m.commission_id).await?;
    let it = item_of(tx.conn(), &m, item).await?;
    if it.status != "adopted" {
        return Err(status_refusal(&it.status, Action::Decide));
    }
    if !apps_repo::lock(tx.conn(), it.application_id, now).await? {
        return Err(AppError::NotFound);
    }
    let app = apps_repo::get(tx.conn(), it.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let recognise = it.adopted.as_deref() == Some("recognise");
    if recognise {
        let units = programmes::units(tx.conn(), app.org_id).await?;
        let mut seen = Vec::new();
        for r in &input.recognised {
            if seen.contains(&r.unit_id) {
                return Err(DomainError::UnknownValue {
                    field: "unit_id",
                    value: format!("{} (twice)", r.unit_id),
                }
                .into());
            }
            seen.push(r.unit_id);
        }
        let mut pairs = Vec::new();
        for r in &input.recognised {
            let unit =
                units
                    .iter()
                    .find(|u| u.id == r.unit_id)
                    .ok_or(DomainError::UnknownValue {
                        field: "unit_id",
                        value: r.unit_id.to_string(),
                    })?;
            pairs.push((r.credits, u32::try_from(unit.credits).unwrap_or(0)));
        }
        meeting::check_recognition(&pairs)?;
        for r in &input.recognised {
            let outcomes = serde_json::to_string(&r.outcomes).map_err(AppError::other)?;
            repo::insert_recognition(tx.conn(), item, r.unit_id, i64::from(r.credits), &outcomes)
                .await?;
        }
        repo::decide(tx.conn(), item, None, now).await?;
    } else {
        let reasons = input.reasons.clone().unwrap_or_default();
        meeting::check_refusal(&reasons)?;
        repo::decide(tx.conn(), item, Some(reasons.trim()), now).await?;
    }
    let next = Status::parse(&app.status)?.decide(Some(recognise))?;
    apps_repo::set_status(tx.conn(), app.id, next.as_str(), now).await?;
    let kind = if recognise { "recognised" } else { "refused" };
    apps_repo::insert_event(
        tx.conn(),
        app.id,
        scope.person_id(),
        kind,
        &event(serde_json::json!({ "meeting_id": id })),
        now,
    )
    .await?;
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "decided",
        &event(serde_json::json!({ "item_id": item, "decision": kind })),
        now,
    )
    .await?;
    tell_decision(&mut tx, scope, &app, kind, now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Closes the meeting – or cancels one that never opened. Items not voted on are moved
/// back (their applications can be scheduled again); an item whose adopted vote lacks
/// its decision must be decided first.
pub async fn close(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require_runner(tx.conn(), scope, m.commission_id).await?;
    if m.status == "closed" {
        return Err(status_refusal(&m.status, Action::Close));
    }
    let items = repo::items(tx.conn(), id).await?;
    if let Some(it) = items
        .iter()
        .find(|it| matches!(it.status.as_str(), "adopted" | "voting"))
    {
        return Err(status_refusal(&it.status, Action::Close));
    }
    // The applications not reached go back to waiting: all locked first, in ascending
    // order, as a schedule locks them (two changes never wait for each other in a circle).
    let mut not_reached: Vec<i64> = items
        .iter()
        .filter(|it| it.status == "pending")
        .map(|it| it.application_id)
        .collect();
    not_reached.sort_unstable();
    for app_id in not_reached {
        if !apps_repo::lock(tx.conn(), app_id, now).await? {
            return Err(AppError::NotFound);
        }
    }
    for it in items.iter().filter(|it| it.status == "pending") {
        repo::set_item_status(tx.conn(), it.id, "moved").await?;
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
    repo::set_closed(tx.conn(), id, now).await?;
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
    /// Status.
    pub status: String,
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
    let mut items = Vec::new();
    for it in agenda {
        let recusals = recusals_of.remove(&it.id).unwrap_or_default();
        let recused: Vec<i64> = recusals.iter().map(|(m, _)| *m).collect();
        let taking_part = meeting::taking_part(&f.present, &recused);
        let votes = votes_of.remove(&it.id).unwrap_or_default();
        let choices: Vec<Choice> = votes
            .iter()
            .filter(|v| taking_part.contains(&v.member_id))
            .filter_map(|v| parse_choice(&v.choice))
            .collect();
        // A closed vote shows what was counted then; an open one the live count.
        let tally = match (it.taking_part, it.recognise, it.refuse, it.abstain) {
            (Some(t), Some(r), Some(f), Some(a)) => {
                let t = usize::try_from(t).unwrap_or(0);
                let (r, f, a) = (
                    usize::try_from(r).unwrap_or(0),
                    usize::try_from(f).unwrap_or(0),
                    usize::try_from(a).unwrap_or(0),
                );
                TallyView {
                    taking_part: t,
                    recognise: r,
                    refuse: f,
                    abstain: a,
                    missing: t.saturating_sub(r + f + a),
                    needed: t / 2 + 1,
                    adopted: it.adopted.clone(),
                }
            }
            _ => meeting::outcome(&choices, taking_part.len()).into(),
        };
        let claimed = claimed_of
            .get(&it.application_id)
            .cloned()
            .unwrap_or_default();
        items.push(ItemView {
            id: it.id,
            application_id: it.application_id,
            number: it.number.clone(),
            candidate_name: it.candidate_name.clone(),
            status: it.status.clone(),
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
        status: m.status.clone(),
        presiding_member_id: m.presiding_member_id,
        presiding_as_deputy: m.presiding_as_deputy,
        attendees,
        present: f.present.len(),
        quorum_met: f.quorum.is_ok(),
        cannot_open,
        items,
        can_run: roster.run_by(scope),
        my_member_id: roster
            .members
            .iter()
            .find(|x| x.person_id == Some(scope.person_id()))
            .map(|x| x.id),
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

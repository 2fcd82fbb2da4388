//! Commissions (rules 6–8): forming one, changing its composition atomically, the
//! secretary, and electing the chair and the deputy. Every change runs in one
//! transaction that first takes the commission's lock, asks the domain, and records
//! the change as dated history with an event saying who did it.

use serde::{Deserialize, Serialize};
use tanu_domain::commission::{
    self, Ballot, CommissionFacts, MemberFacts, Office, RoundFacts, Term,
};
use tanu_domain::dates::{local_today, parse_date};
use tanu_domain::person::name_text;
use tanu_domain::{DomainError, FullName, OrgKind, Position};
use tanu_storage::repo::commissions::{
    self as repo, CommissionRow, ElectionRow, MemberRow, NewMember,
};
use tanu_storage::repo::{organisations, rule_sets, staff};
use tanu_storage::{Conn, StorageError, Tx};
use time::{Date, OffsetDateTime};

use crate::access::{self, CommissionNeed};
use crate::rule_sets::params_of;
use crate::{AppError, Ctx, OrgScope};

mod elections;

pub use elections::*;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A commission in lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Commission {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Name.
    pub name: String,
    /// First day of the term.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub term_from: Date,
    /// Last day of the term.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub term_to: Date,
    /// Rule set it works under.
    pub rule_set_id: i64,
    /// Code of that rule set.
    pub rule_set_code: String,
}

/// A member of a commission.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    /// Membership id (what ballots and offices refer to).
    pub id: i64,
    /// Staff post, for members from the organisation's staff.
    pub staff_id: Option<i64>,
    /// Whether the member is external (a teacher of another organisation, say).
    pub external: bool,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: String,
    /// Home organisation.
    pub home_organisation: String,
    /// Teacher (rule 7).
    pub is_teacher: bool,
    /// Appointed.
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Left, if they did.
    #[serde(with = "time::serde::rfc3339::option")]
    pub left_at: Option<OffsetDateTime>,
}

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Self {
        Self {
            id: r.id,
            staff_id: r.staff_id,
            external: r.staff_id.is_none(),
            full_name: r.full_name,
            position: r.position,
            home_organisation: r.home_organisation,
            is_teacher: r.is_teacher,
            joined_at: r.joined_at,
            left_at: r.left_at,
        }
    }
}

/// A secretary's assignment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Secretary {
    /// Staff post.
    pub staff_id: i64,
    /// Person.
    pub person_id: i64,
    /// Full name.
    pub full_name: String,
    /// From.
    #[serde(with = "time::serde::rfc3339")]
    pub from_at: OffsetDateTime,
    /// Until.
    #[serde(with = "time::serde::rfc3339::option")]
    pub to_at: Option<OffsetDateTime>,
}

/// An office held by a member.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficeHeld {
    /// `chair` or `deputy`.
    pub office: String,
    /// Membership id.
    pub member_id: i64,
    /// Name.
    pub full_name: String,
    /// The election round that filled it.
    pub election_id: i64,
    /// From.
    #[serde(with = "time::serde::rfc3339")]
    pub from_at: OffsetDateTime,
    /// Until.
    #[serde(with = "time::serde::rfc3339::option")]
    pub to_at: Option<OffsetDateTime>,
}

/// Why a commission cannot act.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// Stable code, e.g. `rule-8-no-chair`.
    pub code: String,
    /// The rule it cites.
    pub rule: Option<u8>,
    /// Named values for the message.
    pub args: std::collections::BTreeMap<String, String>,
}

impl From<&DomainError> for Reason {
    fn from(e: &DomainError) -> Self {
        Self {
            code: e.code().to_owned(),
            rule: e.rule(),
            args: e
                .args()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }
    }
}

/// A round in lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ElectionSummary {
    /// Id.
    pub id: i64,
    /// `chair` or `deputy`.
    pub office: String,
    /// Round number for this office.
    pub round: i64,
    /// Still open.
    pub open: bool,
    /// Elected member, once closed.
    pub elected_member_id: Option<i64>,
    /// Opened.
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
}

impl From<&ElectionRow> for ElectionSummary {
    fn from(e: &ElectionRow) -> Self {
        Self {
            id: e.id,
            office: e.office.clone(),
            round: e.round,
            open: e.closed_at.is_none(),
            elected_member_id: e.elected_member_id,
            opened_at: e.opened_at,
        }
    }
}

/// A commission with its current composition and whether it can act.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommissionView {
    /// The commission.
    pub commission: Commission,
    /// Current members.
    pub members: Vec<Member>,
    /// Current chair.
    pub chair: Option<OfficeHeld>,
    /// Current deputy chair.
    pub deputy: Option<OfficeHeld>,
    /// Current secretary.
    pub secretary: Option<Secretary>,
    /// Whether it can act today.
    pub ready: bool,
    /// Why not, each citing its rule.
    pub reasons: Vec<Reason>,
    /// Election rounds, newest first.
    pub elections: Vec<ElectionSummary>,
    /// Whether the caller keeps the commission's records – schedules its meetings from
    /// its page, runs its elections (the organisation's admin or the secretary).
    pub can_prepare: bool,
}

/// An entry of the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEvent {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub person_id: i64,
    /// Their name.
    pub person_name: String,
    /// What: `formed`, `updated`, `membership-changed`, `secretary-assigned`,
    /// `election-opened`, `election-closed`, `office-vacated`.
    pub kind: String,
    /// Details.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// The full dated history of a commission.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommissionHistory {
    /// Every membership, current and past.
    pub members: Vec<Member>,
    /// Every secretary assignment.
    pub secretaries: Vec<Secretary>,
    /// Every office held.
    pub offices: Vec<OfficeHeld>,
    /// Who did what, when.
    pub events: Vec<HistoryEvent>,
}

/// Name, term and rule set of a commission.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CommissionInput {
    /// Name, e.g. "Commission of the Faculty of Engineering".
    pub name: String,
    /// First day of the term (YYYY-MM-DD).
    pub term_from: String,
    /// Last day of the term (YYYY-MM-DD).
    pub term_to: String,
    /// Rule set; absent: the one in force on the first day of the term.
    #[serde(default)]
    pub rule_set_id: Option<i64>,
}

/// An external member: not on the organisation's staff (rule 7 lets teachers of other
/// organisations sit).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExternalMember {
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: String,
    /// Home organisation.
    pub home_organisation: String,
    /// Whether they are a teacher.
    #[serde(default)]
    pub is_teacher: bool,
}

/// One atomic change of membership: all of it happens or none (rule 7 judges the
/// composition it leaves).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MembershipChange {
    /// Staff posts to appoint.
    #[serde(default)]
    pub add_staff: Vec<i64>,
    /// External members to appoint.
    #[serde(default)]
    pub add_external: Vec<ExternalMember>,
    /// Membership ids to end.
    #[serde(default)]
    pub remove: Vec<i64>,
}

/// The staff post to assign as secretary.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SecretaryInput {
    /// Staff post id (a specialist who is not a member).
    pub staff_id: i64,
}

/// The office to elect.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct OpenElection {
    /// `chair` or `deputy`.
    pub office: String,
}

/// The caller's own ballot.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct BallotInput {
    /// Membership id voted for; null to abstain.
    #[serde(default)]
    pub candidate_member_id: Option<i64>,
}

/// One ballot of a show of hands, recorded by name.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecordedBallot {
    /// Membership id of the voter.
    pub voter_member_id: i64,
    /// Membership id voted for; null for an abstention.
    #[serde(default)]
    pub candidate_member_id: Option<i64>,
}

/// A show of hands recorded by the secretary.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecordedBallots {
    /// The ballots, by name.
    pub ballots: Vec<RecordedBallot>,
}

/// A ballot as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BallotView {
    /// Voter's membership id.
    pub voter_member_id: i64,
    /// Voter's name.
    pub voter_name: String,
    /// Voted for (membership id); null: abstained.
    pub candidate_member_id: Option<i64>,
    /// Name voted for.
    pub candidate_name: Option<String>,
    /// Recorded by the secretary (a show of hands) rather than the voter.
    pub recorded_by_secretary: bool,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub cast_at: OffsetDateTime,
}

/// Votes for one candidate.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountView {
    /// Membership id.
    pub member_id: i64,
    /// Name.
    pub full_name: String,
    /// Votes.
    pub votes: i64,
}

/// The result of a closed round and how it was computed (rule 8).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultView {
    /// Votes per candidate, most first.
    pub counts: Vec<CountView>,
    /// Members of the commission at closing.
    pub member_count: i64,
    /// Members who took part (ballots, abstentions included).
    pub taking_part: i64,
    /// The number the majority is counted over.
    pub base: i64,
    /// Votes needed: more than half of the base.
    pub needed: i64,
    /// Elected member, if one had the majority; otherwise nobody was elected.
    pub elected_member_id: Option<i64>,
    /// Their name.
    pub elected_name: Option<String>,
}

/// A round with its ballots and, once closed, its result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ElectionView {
    /// The round.
    pub election: ElectionSummary,
    /// Current members (who may vote and be elected).
    pub members: Vec<Member>,
    /// Who holds the other office (cannot be elected to this one).
    pub other_office_holder: Option<i64>,
    /// Ballots so far.
    pub ballots: Vec<BallotView>,
    /// The result, once closed.
    pub result: Option<ResultView>,
    /// The caller's membership id, when they are a member (and may vote).
    pub my_member_id: Option<i64>,
    /// Whether the caller runs the round (the organisation's admin or the secretary).
    pub can_prepare: bool,
}

fn event_json(v: serde_json::Value) -> String {
    v.to_string()
}

/// A post that can hold an office or a seat: active, and accepted by its person.
fn usable(post: &staff::StaffRow, field: &'static str) -> Result<(), AppError> {
    if post.active && post.accepted {
        return Ok(());
    }
    let why = if post.active {
        "post not accepted yet"
    } else {
        "inactive"
    };
    Err(DomainError::UnknownValue {
        field,
        value: format!("{} ({why})", post.full_name),
    }
    .into())
}

async fn commission_of(
    conn: Conn<'_>,
    scope: &OrgScope,
    id: i64,
) -> Result<CommissionRow, AppError> {
    repo::get(conn, scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn to_commission(conn: Conn<'_>, row: CommissionRow) -> Result<Commission, AppError> {
    let code = rule_sets::get(conn, row.rule_set_id)
        .await?
        .map(|r| r.code)
        .unwrap_or_default();
    Ok(Commission {
        id: row.id,
        org_id: row.org_id,
        name: row.name,
        term_from: row.term_from,
        term_to: row.term_to,
        rule_set_id: row.rule_set_id,
        rule_set_code: code,
    })
}

/// Starts a transaction holding the commission's lock, and the time to stamp its
/// changes with: never before the commission's last recorded change, so that a request
/// that waited for the lock does not date its change before the one it waited for.
/// Checks under the lock read the current rows (`left_at IS NULL`), not "as of now".
async fn locked(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<(Tx, OffsetDateTime), AppError> {
    let mut tx = ctx.db.begin().await?;
    if !repo::lock(tx.conn(), scope.org_id(), id).await? {
        return Err(AppError::NotFound);
    }
    let last = repo::last_change(tx.conn(), id).await?;
    let now = match last {
        Some(last) if last >= now => {
            tanu_storage::fixed_width(last + time::Duration::microseconds(1))
        }
        _ => now,
    };
    Ok((tx, now))
}

struct ParsedInput {
    name: String,
    term: Term,
}

fn parse_input(input: &CommissionInput) -> Result<ParsedInput, AppError> {
    let name = name_text(&input.name, "name", 300)?;
    let from = parse_date(&input.term_from, "term_from")?;
    let to = parse_date(&input.term_to, "term_to")?;
    Ok(ParsedInput {
        name,
        term: Term::new(from, to)?,
    })
}

async fn rule_set_for(conn: Conn<'_>, chosen: Option<i64>, day: Date) -> Result<i64, AppError> {
    if let Some(id) = chosen {
        return rule_sets::get(conn, id)
            .await?
            .map(|r| r.id)
            .ok_or(AppError::Domain(DomainError::UnknownValue {
                field: "rule_set_id",
                value: id.to_string(),
            }));
    }
    crate::rule_sets::in_force_id(conn, day)
        .await?
        .ok_or(AppError::Domain(DomainError::UnknownValue {
            field: "rule_set_id",
            value: format!("none in force on {day}"),
        }))
}

/// Rule 6: forms a commission of the organisation (its admin).
pub async fn form(
    ctx: &Ctx,
    scope: &OrgScope,
    input: &CommissionInput,
    now: OffsetDateTime,
) -> Result<Commission, AppError> {
    let p = parse_input(input)?;
    let mut tx = ctx.db.begin().await?;
    let org = organisations::get(tx.conn(), scope.org_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let kind: OrgKind = org.kind.parse()?;
    commission::may_form_commission(kind)?;
    let rule_set_id = rule_set_for(tx.conn(), input.rule_set_id, p.term.from).await?;
    let new = repo::NewCommission {
        name: &p.name,
        term_from: p.term.from,
        term_to: p.term.to,
        rule_set_id,
    };
    let id = repo::insert(tx.conn(), scope.org_id(), &new, scope.person_id(), now).await?;
    let details = serde_json::json!({ "name": p.name, "term_from": p.term.from.to_string(), "term_to": p.term.to.to_string(), "rule_set_id": rule_set_id });
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "formed",
        &event_json(details),
        now,
    )
    .await?;
    let row = commission_of(tx.conn(), scope, id).await?;
    let c = to_commission(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes name, term and rule set.
pub async fn update(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &CommissionInput,
    now: OffsetDateTime,
) -> Result<Commission, AppError> {
    let p = parse_input(input)?;
    let (mut tx, now) = locked(ctx, scope, id, now).await?;
    let rule_set_id = rule_set_for(tx.conn(), input.rule_set_id, p.term.from).await?;
    let changed = repo::NewCommission {
        name: &p.name,
        term_from: p.term.from,
        term_to: p.term.to,
        rule_set_id,
    };
    repo::update(tx.conn(), scope.org_id(), id, &changed).await?;
    let details = serde_json::json!({ "name": p.name, "term_from": p.term.from.to_string(), "term_to": p.term.to.to_string(), "rule_set_id": rule_set_id });
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "updated",
        &event_json(details),
        now,
    )
    .await?;
    let row = commission_of(tx.conn(), scope, id).await?;
    let c = to_commission(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(c)
}

/// The organisation's commissions.
pub async fn list(ctx: &Ctx, scope: &OrgScope) -> Result<Vec<Commission>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let rows = repo::list(conn.conn(), scope.org_id()).await?;
    // The rule sets once, not one query per commission.
    let sets = rule_sets::list(conn.conn()).await?;
    Ok(rows
        .into_iter()
        .map(|row| Commission {
            rule_set_code: sets
                .iter()
                .find(|s| s.id == row.rule_set_id)
                .map(|s| s.code.clone())
                .unwrap_or_default(),
            id: row.id,
            org_id: row.org_id,
            name: row.name,
            term_from: row.term_from,
            term_to: row.term_to,
            rule_set_id: row.rule_set_id,
        })
        .collect())
}

fn office_held(o: &repo::OfficeRow, members: &[MemberRow]) -> OfficeHeld {
    OfficeHeld {
        office: o.office.clone(),
        member_id: o.member_id,
        full_name: members
            .iter()
            .find(|m| m.id == o.member_id)
            .map(|m| m.full_name.clone())
            .unwrap_or_default(),
        election_id: o.election_id,
        from_at: o.from_at,
        to_at: o.to_at,
    }
}

/// A commission as it stands at `now`, with the reasons it cannot act, if any.
pub async fn get(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<CommissionView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let row = commission_of(conn.conn(), scope, id).await?;
    let params = params_of(conn.conn(), row.rule_set_id).await?;
    let members = repo::members_at(conn.conn(), id, now).await?;
    let offices = repo::offices_at(conn.conn(), id, now).await?;
    let secretary = repo::secretary_at(conn.conn(), id, now).await?;
    let elections = repo::list_elections(conn.conn(), id).await?;
    let facts: Vec<MemberFacts> = members
        .iter()
        .map(|m| MemberFacts {
            id: m.id,
            is_teacher: m.is_teacher,
        })
        .collect();
    let chair = offices
        .iter()
        .find(|o| o.office == Office::Chair.as_str())
        .map(|o| office_held(o, &members));
    let deputy = offices
        .iter()
        .find(|o| o.office == Office::Deputy.as_str())
        .map(|o| office_held(o, &members));
    let term = Term {
        from: row.term_from,
        to: row.term_to,
    };
    let reasons: Vec<Reason> = commission::readiness(
        &CommissionFacts {
            term,
            members: &facts,
            has_chair: chair.is_some(),
            has_secretary: secretary.is_some(),
            params: &params,
        },
        local_today(now),
    )
    .iter()
    .map(Reason::from)
    .collect();
    let can_prepare = access::for_commission(
        scope,
        secretary.as_ref().map(|s| s.person_id),
        &members,
        &offices,
    )
    .allows(CommissionNeed::Prepare);
    Ok(CommissionView {
        commission: to_commission(conn.conn(), row).await?,
        members: members.into_iter().map(Member::from).collect(),
        chair,
        deputy,
        secretary: secretary.map(|s| Secretary {
            staff_id: s.staff_id,
            person_id: s.person_id,
            full_name: s.full_name,
            from_at: s.from_at,
            to_at: s.to_at,
        }),
        ready: reasons.is_empty(),
        reasons,
        elections: elections.iter().map(ElectionSummary::from).collect(),
        can_prepare,
    })
}

/// The full dated history.
pub async fn history(ctx: &Ctx, scope: &OrgScope, id: i64) -> Result<CommissionHistory, AppError> {
    let mut conn = ctx.db.acquire().await?;
    commission_of(conn.conn(), scope, id).await?;
    let members = repo::all_members(conn.conn(), id).await?;
    let offices = repo::all_offices(conn.conn(), id)
        .await?
        .iter()
        .map(|o| office_held(o, &members))
        .collect();
    let secretaries = repo::all_secretaries(conn.conn(), id)
        .await?
        .into_iter()
        .map(|s| Secretary {
            staff_id: s.staff_id,
            person_id: s.person_id,
            full_name: s.full_name,
            from_at: s.from_at,
            to_at: s.to_at,
        })
        .collect();
    let events = repo::events(conn.conn(), id)
        .await?
        .into_iter()
        .map(|e| HistoryEvent {
            at: e.at,
            person_id: e.person_id,
            person_name: e.person_name,
            kind: e.kind,
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(CommissionHistory {
        members: members.into_iter().map(Member::from).collect(),
        secretaries,
        offices,
        events,
    })
}

/// Rule 7 (and rule 8 for the secretary): one atomic change of membership.
pub async fn change_membership(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    change: &MembershipChange,
    now: OffsetDateTime,
) -> Result<CommissionView, AppError> {
    // Found first: another organisation's commission is not found, whatever the body.
    let (mut tx, now) = locked(ctx, scope, id, now).await?;
    let row = commission_of(tx.conn(), scope, id).await?;
    if change.add_staff.is_empty() && change.add_external.is_empty() && change.remove.is_empty() {
        return Err(DomainError::UnknownValue {
            field: "members",
            value: "no change".to_owned(),
        }
        .into());
    }
    let params = params_of(tx.conn(), row.rule_set_id).await?;
    if repo::any_open_election(tx.conn(), id).await?
        || tanu_storage::repo::meetings::any_open(tx.conn(), id).await?
    {
        return Err(DomainError::Rule8MembershipFrozen.into());
    }
    let current = repo::current_members(tx.conn(), id).await?;
    let secretary = repo::current_secretary(tx.conn(), id).await?;
    let org = organisations::get(tx.conn(), scope.org_id())
        .await?
        .ok_or(AppError::NotFound)?;

    for r in &change.remove {
        if !current.iter().any(|m| m.id == *r) {
            return Err(DomainError::UnknownValue {
                field: "remove",
                value: r.to_string(),
            }
            .into());
        }
    }
    let mut added: Vec<(NewMemberOwned, MemberFacts)> = Vec::new();
    for (i, staff_id) in change.add_staff.iter().enumerate() {
        let post = staff::get(tx.conn(), scope.org_id(), *staff_id)
            .await?
            .ok_or(DomainError::UnknownValue {
                field: "add_staff",
                value: staff_id.to_string(),
            })?;
        usable(&post, "add_staff")?;
        let already = current
            .iter()
            .any(|m| m.staff_id == Some(*staff_id) && !change.remove.contains(&m.id))
            || change.add_staff[..i].contains(staff_id);
        if already {
            return Err(DomainError::UnknownValue {
                field: "add_staff",
                value: format!("{} (already a member)", post.full_name),
            }
            .into());
        }
        commission::check_new_member(secretary.as_ref().is_some_and(|s| s.staff_id == *staff_id))?;
        let position: Position = post.position.parse()?;
        added.push((
            NewMemberOwned {
                staff_id: Some(post.id),
                person_id: Some(post.person_id),
                full_name: post.full_name.clone(),
                position: position.as_str().to_owned(),
                home_organisation: org.name_kk.clone(),
                is_teacher: position == Position::Teacher,
            },
            MemberFacts {
                id: -1,
                is_teacher: position == Position::Teacher,
            },
        ));
    }
    for ext in &change.add_external {
        let name = FullName::parse(&ext.full_name)?;
        let position = name_text(&ext.position, "position", 200)?;
        let home = name_text(&ext.home_organisation, "home_organisation", 300)?;
        added.push((
            NewMemberOwned {
                staff_id: None,
                person_id: None,
                full_name: name.as_str().to_owned(),
                position,
                home_organisation: home,
                is_teacher: ext.is_teacher,
            },
            MemberFacts {
                id: -1,
                is_teacher: ext.is_teacher,
            },
        ));
    }
    let after: Vec<MemberFacts> = current
        .iter()
        .filter(|m| !change.remove.contains(&m.id))
        .map(|m| MemberFacts {
            id: m.id,
            is_teacher: m.is_teacher,
        })
        .chain(added.iter().map(|(_, f)| *f))
        .collect();
    commission::check_composition(&after, &params)?;

    let mut removed_names = Vec::new();
    for r in &change.remove {
        if !repo::end_member(tx.conn(), id, *r, scope.person_id(), now).await? {
            return Err(DomainError::UnknownValue {
                field: "remove",
                value: r.to_string(),
            }
            .into());
        }
        let name = current
            .iter()
            .find(|m| m.id == *r)
            .map(|m| m.full_name.clone())
            .unwrap_or_default();
        for office in repo::end_offices_of_member(tx.conn(), id, *r, now).await? {
            let details =
                serde_json::json!({ "office": office, "member_id": r, "full_name": name });
            repo::insert_event(
                tx.conn(),
                id,
                scope.person_id(),
                "office-vacated",
                &event_json(details),
                now,
            )
            .await?;
        }
        removed_names.push(serde_json::json!({ "member_id": r, "full_name": name }));
    }
    let mut added_names = Vec::new();
    for (m, _) in &added {
        let new = NewMember {
            staff_id: m.staff_id,
            person_id: m.person_id,
            full_name: &m.full_name,
            position: &m.position,
            home_organisation: &m.home_organisation,
            is_teacher: m.is_teacher,
        };
        let member_id = repo::insert_member(tx.conn(), id, &new, scope.person_id(), now).await?;

        added_names.push(serde_json::json!({ "member_id": member_id, "full_name": m.full_name, "external": m.staff_id.is_none() }));
    }
    let details =
        serde_json::json!({ "added": added_names, "removed": removed_names, "count": after.len() });
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "membership-changed",
        &event_json(details),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, id, now).await
}

struct NewMemberOwned {
    staff_id: Option<i64>,
    person_id: Option<i64>,
    full_name: String,
    position: String,
    home_organisation: String,
    is_teacher: bool,
}

/// Rule 8: assigns the secretary – a specialist of the organisation who is not a member.
pub async fn assign_secretary(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &SecretaryInput,
    now: OffsetDateTime,
) -> Result<CommissionView, AppError> {
    let (mut tx, now) = locked(ctx, scope, id, now).await?;
    let post = staff::get(tx.conn(), scope.org_id(), input.staff_id)
        .await?
        .ok_or(DomainError::UnknownValue {
            field: "secretary",
            value: input.staff_id.to_string(),
        })?;
    usable(&post, "secretary")?;
    let members = repo::current_members(tx.conn(), id).await?;
    let is_member = members
        .iter()
        .any(|m| m.staff_id == Some(post.id) || m.person_id == Some(post.person_id));
    commission::check_secretary(post.position.parse()?, is_member)?;
    let current = repo::current_secretary(tx.conn(), id).await?;
    if current.as_ref().is_none_or(|s| s.staff_id != post.id) {
        repo::end_secretary(tx.conn(), id, now).await?;
        repo::insert_secretary(
            tx.conn(),
            id,
            post.id,
            post.person_id,
            &post.full_name,
            scope.person_id(),
            now,
        )
        .await?;

        let details = serde_json::json!({ "staff_id": post.id, "full_name": post.full_name });
        repo::insert_event(
            tx.conn(),
            id,
            scope.person_id(),
            "secretary-assigned",
            &event_json(details),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    get(ctx, scope, id, now).await
}

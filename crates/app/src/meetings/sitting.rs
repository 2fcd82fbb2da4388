//! A meeting as it sits: attendance and quorum, opening, the candidate's presence and
//! interview (rule 12), conflicts of interest.

use super::*;

pub(super) async fn locked(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
) -> Result<(Tx, MeetingRow), AppError> {
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
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    m.status.check_changeable()?;
    if repo::any_voting(tx.conn(), id).await? {
        return Err(DomainError::StatusTransition {
            from: ItemStatus::Voting.as_str().to_owned(),
            action: Action::Change,
        }
        .into());
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

pub(super) struct Facts {
    pub(super) present: Vec<i64>,
    pub(super) member_count: usize,
    pub(super) presiding: Result<meeting::Presiding, DomainError>,
    pub(super) quorum: Result<(), DomainError>,
}

/// What a meeting's rules are checked against, read once: its commission, the current
/// members and offices, the attendance, the rule set's parameters and the current
/// secretary. Read before the other checks of an action, so that a commission or rule
/// set that is missing (which the foreign keys rule out) is found first.
pub(super) struct Roster {
    pub(super) commission: com_repo::CommissionRow,
    pub(super) members: Vec<com_repo::MemberRow>,
    pub(super) offices: Vec<com_repo::OfficeRow>,
    pub(super) attendance: Vec<(i64, bool)>,
    pub(super) params: RuleSetParams,
    /// The current secretary's account.
    pub(super) secretary: Option<i64>,
}

pub(super) async fn roster(mut conn: Conn<'_>, m: &MeetingRow) -> Result<Roster, AppError> {
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
    pub(super) fn facts(&self) -> Facts {
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

    /// The caller's standing in the commission.
    pub(super) fn access(&self, scope: &OrgScope) -> CommissionAccess {
        access::for_commission(scope, self.secretary, &self.members, &self.offices)
    }

    /// Rules 6–8: the commission can act today; the first reason it cannot is the refusal.
    pub(super) fn can_act(&self, now: OffsetDateTime) -> Result<(), AppError> {
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

/// Opens the meeting, on its day or later (rule 12): the commission can still act (rules
/// 6–8), the chair presides or the deputy when the chair is absent (rule 8); with
/// neither, or without quorum, it cannot open. It takes its protocol's number now.
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
    roster.access(scope).require(CommissionNeed::Run)?;
    let next = m.status.open()?;
    meeting::rule_12_may_open(m.starts_at, now)?;
    roster.can_act(now)?;
    let f = roster.facts();
    let presiding = f.presiding?;
    f.quorum?;
    // The protocol's number is taken now, under the commission's lock: numbers follow
    // the order in which meetings were held, in the year they were held.
    let year = i64::from(local_today(now).year());
    let seq = tanu_storage::repo::protocols::next_seq(tx.conn(), m.commission_id, year).await?;
    repo::set_open(
        tx.conn(),
        id,
        next,
        presiding.member,
        presiding.as_deputy,
        (year, seq),
        now,
    )
    .await?;
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

pub(super) async fn item_of(
    conn: Conn<'_>,
    m: &MeetingRow,
    item: i64,
) -> Result<ItemRow, AppError> {
    repo::item(conn, m.id, item)
        .await?
        .ok_or(AppError::NotFound)
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
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    m.status.check_open(Action::Record)?;
    let it = item_of(tx.conn(), &m, item).await?;
    let next = it.status.candidate_came(present)?;
    repo::set_candidate_present(tx.conn(), item, present, next).await?;
    if !present {
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
    let access = access::of_commission(tx.conn(), scope, m.commission_id).await?;
    if input.member_id.is_some() {
        access.require(CommissionNeed::Run)?;
    }
    m.status.check_changeable()?;
    let it = item_of(tx.conn(), &m, item).await?;
    it.status.check_pending(Action::Recuse)?;
    let members = com_repo::current_members(tx.conn(), m.commission_id).await?;
    let member = match input.member_id {
        Some(member) => member,
        None => access
            .member()
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
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    m.status.check_open(Action::Record)?;
    let it = item_of(tx.conn(), &m, item).await?;
    meeting::rule_12_candidate_present(it.candidate_present)?;
    it.status.check_pending(Action::Record)?;
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

//! Votes on an item (rule 14): opening, casting or recording, closing, and the decision
//! that follows (rule 13).

use super::*;

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
    roster.access(scope).require(CommissionNeed::Run)?;
    m.status.check_open(Action::Vote)?;
    let it = item_of(tx.conn(), &m, item).await?;
    meeting::rule_12_candidate_present(it.candidate_present)?;
    let next = it.status.open_vote()?;
    meeting::rule_12_may_decide(it.candidate_present, &it.interview_notes)?;
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
    repo::open_vote(tx.conn(), item, next, &ids, presiding.member, now).await?;
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

pub(super) async fn record_votes(
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
            it.status.is_voting() && m.status == MeetingStatus::Open,
            *member,
            &taking_part,
            &recused,
            &already,
        )?;
        repo::insert_vote(
            tx.conn(),
            item,
            *member,
            choice.as_str(),
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
        .map(|(m, c)| serde_json::json!({ "member_id": m, "choice": c.as_str() }))
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
        access::of_commission(conn.conn(), scope, m.commission_id)
            .await?
            .member()
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
        require(conn.conn(), scope, m.commission_id, CommissionNeed::Prepare).await?;
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
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    let it = item_of(tx.conn(), &m, item).await?;
    it.status.close_vote(false)?;
    let taking_part = it.taking_part_members();
    let choices: Vec<Choice> = repo::votes(tx.conn(), item)
        .await?
        .iter()
        .filter(|v| taking_part.contains(&v.member_id))
        .filter_map(|v| Choice::parse(&v.choice).ok())
        .collect();
    let o = meeting::outcome(&choices, taking_part.len());
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let status = it.status.close_vote(o.adopted.is_some())?;
    let tally = repo::Tally {
        taking_part: as_i64(o.taking_part),
        recognise: as_i64(o.recognise),
        refuse: as_i64(o.refuse),
        abstain: as_i64(o.abstain),
    };
    repo::close_vote(
        tx.conn(),
        item,
        &tally,
        o.adopted.map(Choice::as_str),
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
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    let it = item_of(tx.conn(), &m, item).await?;
    let decided = it.status.decide()?;
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
        repo::decide(tx.conn(), item, decided, None, now).await?;
    } else {
        let reasons = input.reasons.clone().unwrap_or_default();
        meeting::check_refusal(&reasons)?;
        repo::decide(tx.conn(), item, decided, Some(reasons.trim()), now).await?;
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

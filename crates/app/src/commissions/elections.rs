//! Electing the chair and the deputy (rule 8): rounds, ballots cast or recorded, and the
//! result of a round.

use super::*;

/// Who may run elections of a commission: the organisation's admin or the commission's
/// current secretary (who records, but never votes).
pub(super) async fn require_runner(
    conn: Conn<'_>,
    scope: &OrgScope,
    id: i64,
) -> Result<(), AppError> {
    access::of_commission(conn, scope, id)
        .await?
        .require(CommissionNeed::Prepare)
}

/// Rule 8: opens a round to elect the chair or the deputy.
pub async fn open_election(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &OpenElection,
    now: OffsetDateTime,
) -> Result<ElectionView, AppError> {
    let office = Office::parse(&input.office)?;
    let (mut tx, now) = locked(ctx, scope, id, now).await?;
    require_runner(tx.conn(), scope, id).await?;
    if repo::open_election(tx.conn(), id, office.as_str())
        .await?
        .is_some()
    {
        return Err(DomainError::Rule8RoundAlreadyOpen.into());
    }
    let election =
        repo::insert_election(tx.conn(), id, office.as_str(), scope.person_id(), now).await?;
    let round = repo::get_election(tx.conn(), id, election)
        .await?
        .map(|e| e.round)
        .unwrap_or(1);
    let details =
        serde_json::json!({ "election_id": election, "office": office.as_str(), "round": round });
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "election-opened",
        &event_json(details),
        now,
    )
    .await?;
    tx.commit().await?;
    election_view(ctx, scope, id, election).await
}

pub(super) struct RoundState {
    pub(super) election: ElectionRow,
    pub(super) members: Vec<MemberRow>,
    pub(super) cast: Vec<Ballot>,
    pub(super) other_holder: Option<i64>,
}

pub(super) async fn round_state(
    mut conn: Conn<'_>,
    commission_id: i64,
    election_id: i64,
) -> Result<RoundState, AppError> {
    let election = repo::get_election(conn.reborrow(), commission_id, election_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let office = Office::parse(&election.office)?;
    let members = repo::current_members(conn.reborrow(), commission_id).await?;
    let cast = repo::ballots(conn.reborrow(), election_id)
        .await?
        .iter()
        .map(|b| Ballot {
            voter: b.voter_member_id,
            candidate: b.candidate_member_id,
        })
        .collect();
    let other_holder = repo::current_offices(conn, commission_id)
        .await?
        .iter()
        .find(|o| o.office == office.other().as_str())
        .map(|o| o.member_id);
    Ok(RoundState {
        election,
        members,
        cast,
        other_holder,
    })
}

pub(super) async fn record(
    mut tx: Tx,
    scope: &OrgScope,
    id: i64,
    election_id: i64,
    ballots: &[Ballot],
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let state = round_state(tx.conn(), id, election_id).await?;
    let member_ids: Vec<i64> = state.members.iter().map(|m| m.id).collect();
    let round = RoundFacts {
        open: state.election.closed_at.is_none(),
        members: &member_ids,
        cast: &state.cast,
        other_office_holder: state.other_holder,
    };
    commission::check_ballots(&round, ballots)?;
    for b in ballots {
        repo::insert_ballot(
            tx.conn(),
            election_id,
            b.voter,
            b.candidate,
            scope.person_id(),
            now,
        )
        .await
        .map_err(|e| {
            if matches!(e, StorageError::Unique(_)) {
                AppError::Domain(DomainError::Rule8AlreadyVoted)
            } else {
                e.into()
            }
        })?;
    }
    let details: Vec<serde_json::Value> = ballots
        .iter()
        .map(|b| serde_json::json!({ "voter_member_id": b.voter, "candidate_member_id": b.candidate }))
        .collect();
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "ballots",
        &serde_json::json!({ "election_id": election_id, "office": state.election.office, "round": state.election.round, "ballots": details })
            .to_string(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rule 8: a member casts their own ballot from their account.
pub async fn cast_ballot(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    election_id: i64,
    input: &BallotInput,
    now: OffsetDateTime,
) -> Result<ElectionView, AppError> {
    let (mut tx, now) = locked(ctx, scope, id, now).await?;
    let members = repo::current_members(tx.conn(), id).await?;
    let me = members
        .iter()
        .find(|m| m.person_id == Some(scope.person_id()))
        .ok_or(AppError::Domain(DomainError::Rule8VoterNotMember))?;
    let ballot = Ballot {
        voter: me.id,
        candidate: input.candidate_member_id,
    };
    record(tx, scope, id, election_id, &[ballot], now).await?;
    election_view(ctx, scope, id, election_id).await
}

/// Rule 8: the secretary records a show of hands, by name.
pub async fn record_ballots(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    election_id: i64,
    input: &RecordedBallots,
    now: OffsetDateTime,
) -> Result<ElectionView, AppError> {
    let (mut tx, now) = locked(ctx, scope, id, now).await?;
    require_runner(tx.conn(), scope, id).await?;
    let ballots: Vec<Ballot> = input
        .ballots
        .iter()
        .map(|b| Ballot {
            voter: b.voter_member_id,
            candidate: b.candidate_member_id,
        })
        .collect();
    record(tx, scope, id, election_id, &ballots, now).await?;
    election_view(ctx, scope, id, election_id).await
}

/// Rule 8: closes a round. The candidate with more than half of the votes of the base
/// takes the office (its previous holder's term ends); otherwise nobody is elected and
/// a new round can be opened. The round cannot change afterwards.
pub async fn close_election(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    election_id: i64,
    now: OffsetDateTime,
) -> Result<ElectionView, AppError> {
    let (mut tx, now) = locked(ctx, scope, id, now).await?;
    require_runner(tx.conn(), scope, id).await?;
    let row = commission_of(tx.conn(), scope, id).await?;
    let params = params_of(tx.conn(), row.rule_set_id).await?;
    let state = round_state(tx.conn(), id, election_id).await?;
    if state.election.closed_at.is_some() {
        return Err(DomainError::Rule8RoundClosed.into());
    }
    let office = Office::parse(&state.election.office)?;
    // Count only ballots of current members for current members (the membership is
    // frozen while a round is open, so this guards against the unexpected only).
    let member_ids: Vec<i64> = state.members.iter().map(|m| m.id).collect();
    let counted: Vec<Ballot> = state
        .cast
        .iter()
        .filter(|b| {
            member_ids.contains(&b.voter) && b.candidate.is_none_or(|c| member_ids.contains(&c))
        })
        .copied()
        .collect();
    let t = commission::rule_8_close_round(
        &counted,
        state.members.len(),
        params.election_majority_base,
        state.other_holder,
    );
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    if !repo::close_election(
        tx.conn(),
        election_id,
        scope.person_id(),
        now,
        as_i64(state.members.len()),
        as_i64(t.taking_part),
        as_i64(t.base),
        t.elected,
    )
    .await?
    {
        return Err(DomainError::Rule8RoundClosed.into());
    }
    let elected_name = t
        .elected
        .and_then(|e| state.members.iter().find(|m| m.id == e))
        .map(|m| m.full_name.clone());
    if let Some(member) = t.elected {
        repo::end_office(tx.conn(), id, office.as_str(), now).await?;
        repo::insert_office(tx.conn(), id, office.as_str(), member, election_id, now).await?;
    }
    let details = serde_json::json!({
        "election_id": election_id, "office": office.as_str(), "round": state.election.round,
        "elected_member_id": t.elected, "elected_name": elected_name,
        "taking_part": t.taking_part, "base": t.base, "needed": t.needed,
    });
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "election-closed",
        &event_json(details),
        now,
    )
    .await?;
    tx.commit().await?;
    election_view(ctx, scope, id, election_id).await
}

/// A round with its ballots and result.
pub async fn election_view(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    election_id: i64,
) -> Result<ElectionView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    commission_of(conn.conn(), scope, id).await?;
    let state = round_state(conn.conn(), id, election_id).await?;
    let everyone = repo::all_members(conn.conn(), id).await?;
    let name = |mid: i64| {
        everyone
            .iter()
            .find(|m| m.id == mid)
            .map(|m| m.full_name.clone())
            .unwrap_or_default()
    };
    let ballots = repo::ballots(conn.conn(), election_id)
        .await?
        .into_iter()
        .map(|b| {
            let voter_person = everyone
                .iter()
                .find(|m| m.id == b.voter_member_id)
                .and_then(|m| m.person_id);
            BallotView {
                voter_member_id: b.voter_member_id,
                voter_name: name(b.voter_member_id),
                candidate_member_id: b.candidate_member_id,
                candidate_name: b.candidate_member_id.map(name),
                recorded_by_secretary: voter_person != Some(b.recorded_by),
                cast_at: b.cast_at,
            }
        })
        .collect();
    let e = &state.election;
    let result = match (e.closed_at, e.base) {
        (Some(_), Some(base)) => {
            let t = commission::tally(
                &state.cast,
                0,
                tanu_domain::rule_set::MajorityBase::MembersTakingPart,
            );
            Some(ResultView {
                counts: t
                    .counts
                    .iter()
                    .map(|c| CountView {
                        member_id: c.member,
                        full_name: name(c.member),
                        votes: i64::try_from(c.votes).unwrap_or(0),
                    })
                    .collect(),
                member_count: e.member_count.unwrap_or(0),
                taking_part: e.taking_part.unwrap_or(0),
                base,
                needed: i64::try_from(commission::rule_8_needed(
                    usize::try_from(base).unwrap_or(0),
                ))
                .unwrap_or(i64::MAX),
                elected_member_id: e.elected_member_id,
                elected_name: e.elected_member_id.map(name),
            })
        }
        _ => None,
    };
    let access = access::of_commission(conn.conn(), scope, id).await?;
    Ok(ElectionView {
        election: ElectionSummary::from(e),
        members: state.members.into_iter().map(Member::from).collect(),
        other_office_holder: state.other_holder,
        ballots,
        result,
        my_member_id: access.member(),
        can_prepare: access.allows(CommissionNeed::Prepare),
    })
}

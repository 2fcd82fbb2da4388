//! Scheduling a meeting (rule 11: only complete applications reach an agenda) and
//! telling those it concerns.

use super::*;

/// Parses `YYYY-MM-DDTHH:MM` as Kazakhstan time.
pub(super) fn parse_start(s: &str) -> Result<OffsetDateTime, DomainError> {
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
    meeting::rule_12_not_in_past(starts_at, now)?;
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
    require(tx.conn(), scope, commission_id, CommissionNeed::Run).await?;
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
pub(super) async fn tell_scheduled(
    tx: &mut Tx,
    scope: &OrgScope,
    id: i64,
    commission: &str,
    starts_at: OffsetDateTime,
    place: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let items = repo::items(tx.conn(), id).await?;
    let calendar = crate::notify::ics(&format!("meeting-{id}"), starts_at, commission, place, now);
    let args = [
        ("when", tanu_domain::dates::fmt_datetime(starts_at)),
        ("commission", commission.to_owned()),
        ("place", place.to_owned()),
    ];
    let told = Told {
        kind: crate::notify::Kind::MeetingScheduled,
        args: &args,
        calendar: Some(&calendar),
    };
    tell_agenda(tx, scope, id, &items, &told, now).await
}

/// What those concerned by a meeting are told: the kind of notice, its arguments
/// (besides `agenda`) and a calendar file.
pub(super) struct Told<'a> {
    pub(super) kind: crate::notify::Kind,
    pub(super) args: &'a [(&'static str, String)],
    pub(super) calendar: Option<&'a str>,
}

/// Tells the candidates of `items` (each with their own application as `agenda`), and
/// the commission's members with accounts and its secretary (the whole agenda).
pub(super) async fn tell_agenda(
    tx: &mut Tx,
    scope: &OrgScope,
    id: i64,
    items: &[ItemRow],
    told: &Told<'_>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    use crate::notify::tell;
    let with_agenda = |agenda: String| {
        let mut args = told.args.to_vec();
        args.push(("agenda", agenda));
        args
    };
    let numbers: Vec<String> = items.iter().filter_map(|i| i.number.clone()).collect();
    for it in items {
        let app = apps_repo::get(tx.conn(), it.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let args = with_agenda(it.number.clone().unwrap_or_default());
        tell(
            tx.conn(),
            app.candidate_id,
            Some(scope.org_id()),
            told.kind,
            &|_| args.clone(),
            &format!("/applications/{}", app.id),
            told.calendar,
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
    let args = with_agenda(numbers.join(", "));
    for person in staff {
        tell(
            tx.conn(),
            person,
            Some(scope.org_id()),
            told.kind,
            &|_| args.clone(),
            &format!("/orgs/{}/meetings/{id}", scope.org_id()),
            told.calendar,
            now,
        )
        .await?;
    }
    Ok(())
}

/// The candidate is told the commission's decision on their application.
pub(super) async fn tell_decision(
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

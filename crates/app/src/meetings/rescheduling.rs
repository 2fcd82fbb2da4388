//! A scheduled meeting cancelled (with its reason) or moved to another time or place,
//! before it opens. Either way those it concerns are told; a cancelled meeting's agenda
//! goes back to the queue.

use super::scheduling::{Told, tell_agenda};
use super::*;

/// Why a scheduled meeting is cancelled.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CancelInput {
    /// The reason, told to the candidates and the members (required).
    pub reason: String,
}

/// A scheduled meeting's new start and place.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MoveInput {
    /// Local date and time, `YYYY-MM-DDTHH:MM` (Kazakhstan time); not in the past.
    pub starts_at: String,
    /// Place, or a video link.
    pub place: String,
}

/// Cancels a meeting that has not opened. Its waiting items are moved and their
/// applications return to where scheduling found them (complete, or not adopted);
/// the candidates, the members with accounts and the secretary are told why.
pub async fn cancel(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &CancelInput,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    if input.reason.trim().is_empty() {
        return Err(DomainError::Rule9CancelReasonRequired.into());
    }
    let reason = required_text(&input.reason, "reason", 1000)?;
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    let cancelled = m.status.cancel()?;
    let items = repo::items(tx.conn(), id).await?;
    let mut waiting = Vec::new();
    for it in items {
        if let Some(next) = it.status.at_close()? {
            waiting.push((it, next));
        }
    }
    // All applications locked first, in ascending order, as a schedule locks them.
    let mut ids: Vec<i64> = waiting.iter().map(|(it, _)| it.application_id).collect();
    ids.sort_unstable();
    for app_id in ids {
        if !apps_repo::lock(tx.conn(), app_id, now).await? {
            return Err(AppError::NotFound);
        }
    }
    for (it, next) in &waiting {
        repo::set_item_status(tx.conn(), it.id, *next).await?;
        let app = apps_repo::get(tx.conn(), it.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let earlier_not_adopted = repo::for_application(tx.conn(), app.id)
            .await?
            .iter()
            .any(|e| e.meeting_id != id && e.item_status == ItemStatus::NotAdopted);
        let back = Status::parse(&app.status)?.unschedule_to(earlier_not_adopted)?;
        apps_repo::set_status(tx.conn(), app.id, back.as_str(), now).await?;
        apps_repo::insert_event(
            tx.conn(),
            app.id,
            scope.person_id(),
            "moved",
            &event(serde_json::json!({
                "meeting_id": id,
                "reason": "meeting-cancelled",
                "cancel_reason": reason,
                "status": back.as_str(),
            })),
            now,
        )
        .await?;
    }
    repo::set_cancelled(tx.conn(), id, cancelled, &reason, now).await?;
    let agenda: Vec<i64> = waiting.iter().map(|(it, _)| it.application_id).collect();
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "cancelled",
        &event(serde_json::json!({ "reason": reason, "returned": agenda })),
        now,
    )
    .await?;
    let commission = com_repo::get(tx.conn(), scope.org_id(), m.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let args = [
        ("when", tanu_domain::dates::fmt_datetime(m.starts_at)),
        ("commission", commission.name),
        ("reason", reason),
    ];
    let items: Vec<ItemRow> = waiting.into_iter().map(|(it, _)| it).collect();
    let told = Told {
        kind: crate::notify::Kind::MeetingCancelled,
        args: &args,
        calendar: None,
    };
    tell_agenda(&mut tx, scope, id, &items, &told, now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Moves a meeting that has not opened to a new start (not in the past, rule 12) and
/// place; the candidates waiting on its agenda, the members with accounts and the
/// secretary are told, with a new calendar file.
pub async fn reschedule(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &MoveInput,
    now: OffsetDateTime,
) -> Result<MeetingView, AppError> {
    let starts_at = parse_start(&input.starts_at)?;
    meeting::rule_12_not_in_past(starts_at, now)?;
    let place = required_text(&input.place, "place", 500)?;
    let (mut tx, m) = locked(ctx, scope, id).await?;
    require(tx.conn(), scope, m.commission_id, CommissionNeed::Run).await?;
    m.status.check_movable()?;
    if starts_at == m.starts_at && place == m.place {
        drop(tx);
        return get(ctx, scope, id).await;
    }
    repo::set_start(tx.conn(), id, starts_at, &place).await?;
    let waiting: Vec<ItemRow> = repo::items(tx.conn(), id)
        .await?
        .into_iter()
        .filter(|it| it.status == ItemStatus::Pending)
        .collect();
    let details = serde_json::json!({
        "meeting_id": id,
        "starts_at": starts_at.to_string(),
        "place": place,
        "was": m.starts_at.to_string(),
    });
    for it in &waiting {
        apps_repo::insert_event(
            tx.conn(),
            it.application_id,
            scope.person_id(),
            "scheduled",
            &event(details.clone()),
            now,
        )
        .await?;
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "moved",
        &event(serde_json::json!({
            "from": m.starts_at.to_string(),
            "to": starts_at.to_string(),
            "from_place": m.place,
            "place": place,
        })),
        now,
    )
    .await?;
    let commission = com_repo::get(tx.conn(), scope.org_id(), m.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let calendar = crate::notify::ics(
        &format!("meeting-{id}"),
        starts_at,
        &commission.name,
        &place,
        now,
    );
    let args = [
        ("when", tanu_domain::dates::fmt_datetime(starts_at)),
        ("was", tanu_domain::dates::fmt_datetime(m.starts_at)),
        ("commission", commission.name),
        ("place", place),
    ];
    let told = Told {
        kind: crate::notify::Kind::MeetingMoved,
        args: &args,
        calendar: Some(&calendar),
    };
    tell_agenda(&mut tx, scope, id, &waiting, &told, now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

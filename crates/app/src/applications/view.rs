//! One application as its reader may see it: need-to-know for identities (issue 24),
//! masked IINs, and the record of who saw a full one.

use super::*;

/// The application as the actor may see it. Staff who see the candidate's full
/// identity (see [`need_to_know`]) are recorded in the trail, the first time each day.
pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<ApplicationView, AppError> {
    let view = view_of(ctx, actor, id).await?;
    if !view.is_candidate && !view.identity_restricted && view.candidate_identity.is_some() {
        let day = local_today(now).to_string();
        // A page opened again the same day is a read only: the write (SQLite's single
        // writer) is for the first sight of the day.
        let mut conn = ctx.db.acquire().await?;
        if repo::identity_viewed(conn.conn(), id, actor.person_id, &day).await? {
            return Ok(view);
        }
        drop(conn);
        let mut tx = ctx.db.begin().await?;
        if repo::note_identity_view(tx.conn(), id, actor.person_id, &day).await? {
            crate::audit::record(
                tx.conn(),
                actor.person_id,
                Some(view.org_id),
                "identity-viewed",
                "application",
                Some(id),
                serde_json::json!({ "day": day }),
                now,
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(view)
}

/// Whether the caller needs the candidate's full identity and identity scan (issue 24):
/// the candidate, the organisation's secretaries and admins (and the operator), and the
/// members of a commission while the application is on an agenda of theirs, undecided.
/// Other staff and auditors see that they exist – the identity masked – not their content.
pub(super) async fn need_to_know(
    conn: Conn<'_>,
    actor: &Actor,
    app: &ApplicationRow,
    party: Party,
) -> Result<bool, AppError> {
    Ok(match party {
        Party::Candidate | Party::Staff { may_check: true } => true,
        Party::Staff { may_check: false } => {
            repo::on_members_agenda(conn, app.id, actor.person_id).await?
        }
    })
}

/// An identity shown to those who need not know it: its last four characters.
pub(super) fn masked(identity: &str) -> String {
    let n = identity.chars().count();
    identity
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// The refusal of an identity scan to staff who need not see it (403 `need-to-know`).
pub(super) fn need_to_know_refusal() -> AppError {
    AppError::Refused(Refusal::NeedToKnow)
}

pub(super) async fn view_of(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
) -> Result<ApplicationView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let (app, party) = load(conn.conn(), actor, id).await?;
    let knows = need_to_know(conn.conn(), actor, &app, party).await?;
    let org = organisations::get(conn.conn(), app.org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let certificate_row = repo::certificate(conn.conn(), id).await?;
    let reused_elsewhere = match (&certificate_row, party) {
        (Some(c), Party::Staff { .. }) => repo::reused_by(conn.conn(), id, &c.reuse_key)
            .await?
            .into_iter()
            .map(|(_, org_id, number)| Reuse {
                org_id,
                number,
                same_organisation: org_id == app.org_id,
            })
            .collect(),
        _ => Vec::new(),
    };
    let certificate = certificate_row.map(|c| CertificateFields {
        kind: c.kind,
        provider_name: c.provider_name,
        provider_bin: c.provider_bin,
        programme_title: c.programme_title,
        hours: c.hours.and_then(|h| u32::try_from(h).ok()),
        credits: c.credits.and_then(|h| u32::try_from(h).ok()),
        study_from: c.study_from.to_string(),
        study_to: c.study_to.to_string(),
        number: c.number,
        issued_on: c.issued_on.to_string(),
        outcomes: serde_json::from_str(&c.outcomes).unwrap_or_default(),
    });
    let documents = repo::documents(conn.conn(), id)
        .await?
        .into_iter()
        .map(|d| Document {
            id: d.id,
            kind: d.kind,
            size: d.size,
            content_type: d.content_type,
            sha256: d.sha256,
            original_name: d.original_name,
            uploaded_at: d.uploaded_at,
        })
        .collect();
    let checks = repo::checks(conn.conn(), id)
        .await?
        .into_iter()
        .map(|c| Check {
            checked_at: c.checked_at,
            checked_by: c.checked_by_name,
            complete: c.complete,
            items: serde_json::from_str(&c.items).unwrap_or_default(),
            reason: c.reason,
        })
        .collect();
    let events = repo::events(conn.conn(), id)
        .await?
        .into_iter()
        .map(|e| Event {
            at: e.at,
            person: e.person_name,
            kind: e.kind,
            details: serde_json::from_str(&e.details).unwrap_or_default(),
        })
        .collect();
    let views = repo::views(conn.conn(), id)
        .await?
        .into_iter()
        .map(|(kind, person, at)| View { kind, person, at })
        .collect();
    let status = status_of(&app)?;
    let agenda = tanu_storage::repo::meetings::for_application(conn.conn(), id).await?;
    let decided = agenda
        .iter()
        .rev()
        .find(|a| a.item_status == ItemStatus::Decided)
        .cloned();
    let mut recognised = Vec::new();
    if let Some(d) = &decided {
        let units = programmes::units(conn.conn(), app.org_id).await?;
        for (unit_id, credits, _) in
            tanu_storage::repo::meetings::recognitions(conn.conn(), d.item_id).await?
        {
            if let Some(u) = units.iter().find(|u| u.id == unit_id) {
                recognised.push(RecognitionView {
                    unit_id,
                    code: u.code.clone(),
                    title_kk: u.title_kk.clone(),
                    title_ru: u.title_ru.clone(),
                    credits,
                });
            }
        }
    }
    let meetings = agenda
        .iter()
        .map(|a| AgendaView {
            meeting_id: a.meeting_id,
            starts_at: a.starts_at,
            place: a.place.clone(),
            item_status: a.item_status,
        })
        .collect();
    Ok(ApplicationView {
        meetings,
        recognised,
        refusal_reasons: decided.and_then(|d| d.decision_reasons),
        id: app.id,
        org_id: app.org_id,
        org_name_kk: org.name_kk,
        org_name_ru: org.name_ru,
        number: app.number.clone(),
        status: app.status.clone(),
        candidate_id: app.candidate_id,
        candidate_name: app.candidate_name.clone(),
        candidate_identity: match party {
            Party::Candidate => None,
            _ if knows => app.candidate_identity.clone(),
            _ => app.candidate_identity.as_deref().map(masked),
        },
        identity_restricted: !knows,
        statement: app.statement.clone(),
        programme_id: app.programme_id,
        unit_ids: repo::units(conn.conn(), id).await?,
        rule_set_id: app.rule_set_id,
        consent_at: app.consent_at,
        submitted_at: app.submitted_at,
        certificate,
        documents,
        checks,
        events,
        reused_elsewhere,
        views,
        editable: may_edit(&app, party).is_ok(),
        checkable: party == (Party::Staff { may_check: true }) && status == Status::Submitted,
        is_candidate: party == Party::Candidate,
        due: due_of(&app),
        purged_at: app.purged_at,
    })
}

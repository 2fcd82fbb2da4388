//! Preparing and approving a protocol: start, texts, sending, approvals, finalising and
//! addenda.

use super::*;

/// Starts the protocol of a held meeting (or returns the one already started).
pub async fn start(
    ctx: &Ctx,
    scope: &OrgScope,
    meeting_id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let mut tx = ctx.db.begin().await?;
    if !meetings_repo::lock(tx.conn(), scope.org_id(), meeting_id).await? {
        return Err(AppError::NotFound);
    }
    let m = meetings_repo::get(tx.conn(), scope.org_id(), meeting_id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_preparer(tx.conn(), scope, m.commission_id).await?;
    if m.status != MeetingStatus::Closed {
        return Err(DomainError::Rule9MeetingNotHeld.into());
    }
    if let Some(p) = repo::of_meeting(tx.conn(), meeting_id)
        .await?
        .into_iter()
        .find(|p| p.kind == ProtocolKind::Protocol)
    {
        drop(tx);
        return get(ctx, scope, p.id).await;
    }
    let new = repo::NewProtocol {
        org_id: m.org_id,
        commission_id: m.commission_id,
        meeting_id: m.id,
        kind: ProtocolKind::Protocol,
        amends_id: None,
        addendum_text: "",
    };
    let id = repo::insert(tx.conn(), &new, scope.person_id(), now).await?;
    repo::insert_event(tx.conn(), id, scope.person_id(), "started", "{}", now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Replaces the free text of a draft.
pub async fn update(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &TextsInput,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    save_texts(ctx, scope, id, input, now).await?;
    get(ctx, scope, id).await
}

/// Replaces the free text of a draft, without reading the protocol back.
pub async fn save_texts(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &TextsInput,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    require_preparer(tx.conn(), scope, p.commission_id).await?;
    p.status.check_editable()?;
    let opening = rules::free_text(&input.opening_text, "opening_text")?;
    let closing = rules::free_text(&input.closing_text, "closing_text")?;
    let addendum = if p.kind == ProtocolKind::Addendum {
        rules::addendum_text(input.addendum_text.as_deref().unwrap_or(&p.addendum_text))?
    } else {
        String::new()
    };
    repo::set_texts(tx.conn(), id, &opening, &closing, &addendum).await?;
    repo::note_edit(tx.conn(), id, scope.person_id(), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a draft for approval: its content is frozen and its signers named.
pub async fn send(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    require_preparer(tx.conn(), scope, p.commission_id).await?;
    p.status.send()?;
    let m = meeting_of(tx.conn(), scope, &p).await?;
    if p.kind == ProtocolKind::Protocol {
        check_record(tx.conn(), &m).await?;
    }
    let g = gather(tx.conn(), &m, &p).await?;
    if g.doc.presiding.is_empty() {
        return Err(DomainError::Rule8NoPresidingOfficer.into());
    }
    if g.doc.secretary.is_empty() {
        return Err(DomainError::Rule8NoSecretary.into());
    }
    let snapshot = Snapshot {
        names: g.names,
        doc: g.doc,
    };
    let text = serde_json::to_string(&snapshot).map_err(AppError::other)?;
    repo::set_signing(
        tx.conn(),
        id,
        &text,
        &Signers {
            presiding_role: &snapshot.doc.signatures[0].role,
            presiding_name: &snapshot.doc.presiding,
            presiding_person_id: g.presiding_person_id,
            secretary_name: &snapshot.doc.secretary,
            secretary_person_id: g.secretary_person_id,
        },
        now,
    )
    .await?;
    repo::insert_event(tx.conn(), id, scope.person_id(), "sent", "{}", now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Takes a protocol awaiting approval back to draft (approvals given are dropped). The
/// preparer or either signer may.
pub async fn reopen(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    let signer = [p.presiding_person_id, p.secretary_person_id].contains(&Some(scope.person_id()));
    if !signer && !may_prepare(tx.conn(), scope, p.commission_id).await? {
        return Err(AppError::Forbidden);
    }
    p.status.reopen()?;
    repo::set_draft(tx.conn(), id).await?;
    repo::insert_event(tx.conn(), id, scope.person_id(), "returned", "{}", now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// The caller approves in every signer role they hold; with both approvals the protocol
/// becomes final.
pub async fn approve(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    p.status.check_approvable()?;
    let approvals = repo::approvals(tx.conn(), id).await?;
    let roles = rules::roles_to_approve(
        scope.person_id(),
        p.presiding_person_id,
        p.secretary_person_id,
        &approved_roles(&approvals),
    )?;
    for r in &roles {
        repo::approve(tx.conn(), id, r.as_str(), scope.person_id(), false, now).await?;
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "approved",
        &event(
            serde_json::json!({ "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() }),
        ),
        now,
    )
    .await?;
    let became_final = finalise_if_approved(&mut tx, scope, &p, now).await?;
    tx.commit().await?;
    if became_final {
        issue_at_once(ctx, scope, id, now).await;
    }
    get(ctx, scope, id).await
}

/// The organisation's admin records the paper signature of a signer who has no account.
pub async fn record_paper_approval(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    role: &str,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden);
    }
    let role = SignerRole::parse(role)?;
    let (mut tx, p) = locked(ctx, scope, id).await?;
    p.status.check_approvable()?;
    let account = match role {
        SignerRole::Presiding => p.presiding_person_id,
        SignerRole::Secretary => p.secretary_person_id,
    };
    if account.is_some() {
        return Err(DomainError::Rule9SignerHasAccount.into());
    }
    if !repo::approve(tx.conn(), id, role.as_str(), scope.person_id(), true, now).await? {
        return Err(DomainError::Rule9AlreadyApproved.into());
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "paper-approval",
        &event(serde_json::json!({ "role": role.as_str() })),
        now,
    )
    .await?;
    let became_final = finalise_if_approved(&mut tx, scope, &p, now).await?;
    tx.commit().await?;
    if became_final {
        issue_at_once(ctx, scope, id, now).await;
    }
    get(ctx, scope, id).await
}

/// With both approvals, and a record that adds up (rule 9): number the protocol and
/// freeze its final content. A meeting's protocol takes the number its meeting took
/// when it opened (numbers follow the order meetings were held in); an addendum, and a
/// meeting opened before meetings took numbers, the next one of the year the meeting
/// was held in, under the commission's lock.
pub(super) async fn finalise_if_approved(
    tx: &mut tanu_storage::Tx,
    scope: &OrgScope,
    p: &ProtocolRow,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let approvals = repo::approvals(tx.conn(), p.id).await?;
    if !rules::is_approved(&approved_roles(&approvals)) {
        return Ok(false);
    }
    let mut snapshot = snapshot_of(p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
    if !com_repo::lock(tx.conn(), scope.org_id(), p.commission_id).await? {
        return Err(AppError::NotFound);
    }
    let m = meeting_of(tx.conn(), scope, p).await?;
    let (year, seq) = match (p.kind, m.protocol_year, m.protocol_seq) {
        (ProtocolKind::Protocol, Some(year), Some(seq)) => (year, seq),
        _ => {
            let year = i64::from(kz(m.opened_at.unwrap_or(m.starts_at)).year());
            (
                year,
                repo::next_seq(tx.conn(), p.commission_id, year).await?,
            )
        }
    };
    if p.kind == ProtocolKind::Protocol {
        check_record(tx.conn(), &m).await?;
    }
    snapshot.doc.number = Some(rules::number(seq, year));
    snapshot.doc.draft = false;
    snapshot.doc.generated_at = fmt_datetime(now);
    with_approvals(&mut snapshot.doc, &approvals);
    let text = serde_json::to_string(&snapshot).map_err(AppError::other)?;
    repo::set_final(tx.conn(), p.id, year, seq, &text, now).await?;
    repo::insert_event(
        tx.conn(),
        p.id,
        scope.person_id(),
        "final",
        &event(serde_json::json!({ "number": rules::number(seq, year) })),
        now,
    )
    .await?;
    // Told: the members of the meeting with accounts, the secretary, and the candidates
    // whose applications it decided.
    let number = rules::number(seq, year);
    let commission = snapshot.doc.commission.clone();
    let at = m.opened_at.unwrap_or(m.starts_at);
    let mut staff: Vec<i64> = com_repo::members_at(tx.conn(), p.commission_id, at)
        .await?
        .into_iter()
        .filter_map(|x| x.person_id)
        .collect();
    staff.extend(p.secretary_person_id);
    staff.sort_unstable();
    staff.dedup();
    let link = format!("/orgs/{}/protocols/{}", p.org_id, p.id);
    for person in staff {
        crate::notify::tell(
            tx.conn(),
            person,
            Some(p.org_id),
            crate::notify::Kind::ProtocolFinal,
            &|_| {
                vec![
                    ("protocol", number.clone()),
                    ("commission", commission.clone()),
                ]
            },
            &link,
            None,
            now,
        )
        .await?;
    }
    if p.kind == ProtocolKind::Protocol {
        for it in meetings_repo::items(tx.conn(), p.meeting_id).await? {
            if it.status != ItemStatus::Decided {
                continue;
            }
            let Some(app) = apps_repo::get(tx.conn(), it.application_id).await? else {
                continue;
            };
            crate::notify::tell(
                tx.conn(),
                app.candidate_id,
                Some(p.org_id),
                crate::notify::Kind::ProtocolFinal,
                &|_| {
                    vec![
                        ("protocol", number.clone()),
                        ("commission", commission.clone()),
                    ]
                },
                &format!("/applications/{}", app.id),
                None,
                now,
            )
            .await?;
        }
    }
    Ok(true)
}

/// Issues the final protocol in Kazakh and Russian right away. A failure here loses
/// nothing: the document is issued on its first download instead.
pub(super) async fn issue_at_once(ctx: &Ctx, scope: &OrgScope, id: i64, now: OffsetDateTime) {
    for lang in ISSUED_AT_ONCE {
        if let Err(e) =
            issue_protocol(ctx, scope.org_id(), id, lang, Some(scope.person_id()), now).await
        {
            tracing::warn!(protocol = id, lang, error = %e, "issuing the final protocol failed; will retry on download");
        }
    }
}

/// Starts an addendum correcting a final protocol.
pub async fn add_addendum(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    text: &str,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    require_preparer(tx.conn(), scope, p.commission_id).await?;
    if p.status != ProtocolStatus::Final {
        return Err(DomainError::Rule9ProtocolNotFinal.into());
    }
    let text = rules::addendum_text(text)?;
    // An addendum always refers to the protocol itself, even when made from an addendum.
    let target = p.amends_id.unwrap_or(p.id);
    let addendum = repo::NewProtocol {
        org_id: p.org_id,
        commission_id: p.commission_id,
        meeting_id: p.meeting_id,
        kind: ProtocolKind::Addendum,
        amends_id: Some(target),
        addendum_text: &text,
    };
    let new = repo::insert(tx.conn(), &addendum, scope.person_id(), now).await?;
    repo::insert_event(
        tx.conn(),
        new,
        scope.person_id(),
        "started",
        &event(serde_json::json!({ "amends": target })),
        now,
    )
    .await?;
    repo::insert_event(
        tx.conn(),
        target,
        scope.person_id(),
        "addendum-started",
        &event(serde_json::json!({ "addendum": new })),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, new).await
}

//! Erasure (docs/privacy.md): the operator, having verified a person's request, erases
//! what Tanu holds about them, and a person deletes their own account the same way. A
//! candidate also deletes a draft, and withdraws consent for an undecided application
//! (withdrawn and purged at once). Undecided applications are purged (their
//! statements and files); a decided one keeps its decision and loses its files – the
//! final protocol and the extract carry what the decision needs. The account keeps no
//! e-mail, name, IIN or password, its sessions and notices go, and the audit trail's
//! personal data about the person are redacted (the chain still verifies).

use serde::Serialize;
use tanu_domain::application::Status;
use tanu_storage::repo::applications as apps_repo;
use tanu_storage::repo::audit::{self as audit_repo, Subject};
use tanu_storage::repo::{persons, retention};
use time::OffsetDateTime;

use crate::{Actor, AppError, Ctx, Refusal};

/// What an erasure did.
#[derive(Debug, Clone, Serialize)]
pub struct Erased {
    /// The account.
    pub person_id: i64,
    /// Undecided applications purged.
    pub applications_purged: usize,
    /// Decided applications kept (their decisions stay).
    pub decided_kept: usize,
    /// Files deleted from the store.
    pub files: usize,
    /// Audit events whose personal data were redacted.
    pub events_redacted: usize,
}

/// Erases the person with this e-mail, on a request the operator has verified (run by
/// `tanu admin erase-person`).
pub async fn erase_person(ctx: &Ctx, email: &str, now: OffsetDateTime) -> Result<Erased, AppError> {
    let email = email.trim().to_lowercase();
    let person = {
        let mut conn = ctx.db.acquire().await?;
        persons::by_email(conn.conn(), &email)
            .await?
            .ok_or(AppError::NotFound)?
    };
    erase(ctx, person, None, now).await
}

/// The signed-in person deletes their own account, confirming it with their password.
/// What a decided case needs stays, minimised as on an erasure request; an operator's
/// account, or one holding a post, is refused (the post ends first).
pub async fn delete_own_account(
    ctx: &Ctx,
    actor: &Actor,
    password: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<Erased, AppError> {
    crate::accounts::confirm_password(ctx, actor, password, ip, now).await?;
    if actor.is_operator {
        return Err(AppError::Refused(Refusal::ErasureHoldsPost));
    }
    let person = {
        let mut conn = ctx.db.acquire().await?;
        persons::by_id(conn.conn(), actor.person_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    erase(ctx, person, Some(actor.person_id), now).await
}

/// Erases `person`: by the operator (`by` is `None`) or by the person themself.
async fn erase(
    ctx: &Ctx,
    person: persons::PersonRow,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<Erased, AppError> {
    let mut conn = ctx.db.acquire().await?;
    if persons::holds_a_post(conn.conn(), person.id).await? {
        return Err(AppError::Refused(Refusal::ErasureHoldsPost));
    }
    let applications = apps_repo::for_candidate_all(conn.conn(), person.id).await?;
    let mut files = Vec::new();
    let mut undecided = Vec::new();
    let mut decided = 0;
    for a in &applications {
        let status = Status::parse(&a.status)?;
        if status == Status::Scheduled {
            return Err(AppError::Refused(Refusal::ErasureOnAgenda));
        }
        if status.is_decided() {
            decided += 1;
        } else {
            undecided.push(a.id);
        }
        files.extend(retention::documents_kept(conn.conn(), a.id).await?);
    }
    drop(conn);
    // The bytes first: a failure afterwards leaves rows whose files are gone, never
    // files no row points to.
    for d in &files {
        ctx.objects.delete(&d.object_key).await?;
    }
    let mut tx = ctx.db.begin().await?;
    for id in &undecided {
        apps_repo::withdraw_for_erasure(tx.conn(), *id, now).await?;
        retention::purge_application(tx.conn(), *id, now).await?;
        apps_repo::scrub_events(tx.conn(), *id).await?;
    }
    for d in &files {
        retention::purge_document(tx.conn(), d.id, now).await?;
    }
    persons::erase(tx.conn(), &person).await?;
    let subject = Subject {
        person_id: Some(person.id),
        emails: vec![person.email.clone()],
        iins: person
            .iin
            .iter()
            .chain(person.foreign_document.iter())
            .cloned()
            .collect(),
        names: vec![person.full_name.clone()],
    };
    let redaction = audit_repo::redact_person(tx.conn(), &subject, by, now).await?;
    let details = serde_json::json!({
        "applications_purged": undecided.len(),
        "decided_kept": decided,
        "files": files.len(),
    });
    audit_repo::append(
        tx.conn(),
        &audit_repo::NewEvent {
            person_id: None,
            role: Some(if by.is_some() { "self" } else { "operator" }),
            action: if by.is_some() {
                "account-deleted"
            } else {
                "person-erased"
            },
            object_type: "person",
            object_id: Some(person.id),
            org_id: None,
            details: &details.to_string(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Erased {
        person_id: person.id,
        applications_purged: undecided.len(),
        decided_kept: decided,
        files: files.len(),
        events_redacted: redaction.events.len(),
    })
}

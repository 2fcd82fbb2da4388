//! What a candidate takes back (docs/privacy.md): a draft deleted, and consent withdrawn
//! for an undecided application – withdrawn, if it is not already, and purged at once
//! (its statement and files). A decided application keeps what its decision needs; the
//! account's deletion minimises it (`erasure`).

use tanu_domain::retention::Purge;

use super::*;
use crate::retention::{By, purge_application_in};

/// Locks the application and checks that the caller is its candidate.
async fn locked_own(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<(Tx, ApplicationRow), AppError> {
    let mut tx = ctx.db.begin().await?;
    if !repo::lock(tx.conn(), id, now).await? {
        return Err(AppError::NotFound);
    }
    let (app, party) = load(tx.conn(), actor, id).await?;
    if party != Party::Candidate {
        return Err(AppError::Forbidden);
    }
    Ok((tx, app))
}

/// The candidate deletes their draft: its statement and files go at once and it leaves
/// their list (as a draft the retention policy deletes).
pub async fn delete_draft(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (mut tx, app) = locked_own(ctx, actor, id, now).await?;
    status_of(&app)?.delete()?;
    let by = By::Candidate {
        person_id: actor.person_id,
        what: Purge::Draft,
    };
    purge_application_in(ctx, &mut tx, app.org_id, id, by, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The candidate withdraws their consent to the processing of an undecided application:
/// it is withdrawn (taken off an agenda while it waits there, as a withdrawal is) and its
/// statement and files are purged at once. Asking again changes nothing.
pub async fn withdraw_consent(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let status = {
        let (_, app) = locked_own(ctx, actor, id, now).await?;
        status_of(&app)?
    };
    if status != Status::Withdrawn {
        withdraw(ctx, actor, id, now).await?;
    }
    let (mut tx, app) = locked_own(ctx, actor, id, now).await?;
    // Between the two, nothing but a withdrawal leads away from "withdrawn".
    if status_of(&app)? != Status::Withdrawn {
        return Err(AppError::busy(
            "the application changed while consent was withdrawn",
        ));
    }
    let by = By::Candidate {
        person_id: actor.person_id,
        what: Purge::Withdrawn,
    };
    if purge_application_in(ctx, &mut tx, app.org_id, id, by, now)
        .await?
        .is_some()
    {
        repo::insert_event(
            tx.conn(),
            id,
            actor.person_id,
            "consent-withdrawn",
            &event(serde_json::json!({})),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

//! The one-time move of personal data out of the events recorded before they were kept
//! apart (format 1: the client address and the whole details under the hash).
//!
//! A format-1 hash covers the personal data themselves, so no such event could be
//! redacted and still verify. [`upgrade`] therefore re-derives the chain: it walks the
//! format-1 events in order, checks each one's old hash and link exactly as `verify`
//! did, splits its details ([`super::split`]), gives its personal part a salt and digest,
//! and links it again under the format-2 hash. It stops at the first event that does not
//! verify: from there on the events stay in format 1, so that `tanu audit verify` still
//! names that break rather than a re-derived chain hiding it. The head takes the new last
//! hash only when it matched the old one. The upgrade is recorded as an event,
//! `audit-upgraded`, with the number of events re-derived and the old head's hash, so
//! that a copy of the old head kept elsewhere can be matched to this moment.
//!
//! It runs in one transaction holding the chain's head (so two processes starting at
//! once do it once), from [`crate::Db::migrate`], right after the migration that adds
//! the columns; until it has run, nothing is linked onto the chain.

use super::personal::protect;
use super::{FORMAT, Linked, NewEvent, STORED, Stored, hash_of_v1, insert_linked, link_now, split};
use crate::repo::{execute, fetch};
use crate::{Conn, Db, StorageError};

/// The action of the event that records the upgrade.
pub const UPGRADED: &str = "audit-upgraded";

/// What [`upgrade`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// Events re-derived in the new format.
    pub events: i64,
    /// The first event left in format 1 because it did not verify, if any.
    pub stopped_at: Option<i64>,
}

/// Brings a format-1 chain to [`FORMAT`] (see the module's documentation); `None` when
/// there was nothing to do. Costs one read once done.
pub async fn upgrade(db: &Db) -> Result<Option<Upgrade>, StorageError> {
    let format: i64 = {
        let mut conn = db.acquire().await?;
        crate::repo::scalar!(
            conn.conn(),
            fetch_one,
            i64,
            "SELECT format FROM audit_head WHERE id = 1"
        )?
    };
    if format >= FORMAT {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let done = upgrade_in(tx.conn(), crate::now()).await?;
    tx.commit().await?;
    if let Some(u) = &done {
        tracing::info!(
            events = u.events,
            stopped_at = u.stopped_at,
            "audit trail upgraded: personal data kept apart"
        );
    }
    Ok(done)
}

/// [`upgrade`] in the caller's transaction.
pub(crate) async fn upgrade_in(
    mut conn: Conn<'_>,
    now: time::OffsetDateTime,
) -> Result<Option<Upgrade>, StorageError> {
    const PAGE: i64 = 1000;
    let (head_seq, head_hash, format): (i64, String, i64) = fetch!(
        conn.reborrow(),
        fetch_one,
        (i64, String, i64),
        "UPDATE audit_head SET format = format WHERE id = 1 RETURNING seq, hash, format"
    )?;
    if format >= FORMAT {
        return Ok(None);
    }
    let mut old_prev = "0".repeat(64);
    let mut new_prev = old_prev.clone();
    let mut last = 0_i64;
    let mut events = 0_i64;
    let mut stopped_at = None;
    let sql = format!("SELECT {STORED} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2");
    'walk: loop {
        let page: Vec<Stored> = fetch!(
            conn.reborrow(),
            fetch_all,
            Stored,
            sqlx::AssertSqlSafe(sql.clone()),
            last,
            PAGE
        )?;
        let done = page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        for e in page {
            let intact = e.format == 1
                && e.personal_digest.is_none()
                && e.seq == last + 1
                && e.seq <= head_seq
                && e.prev_hash == old_prev
                && e.hash
                    == hash_of_v1(
                        e.seq,
                        e.at,
                        e.person_id,
                        &e.role,
                        &e.action,
                        &e.object_type,
                        e.object_id,
                        e.org_id,
                        &e.ip,
                        &e.details,
                        &e.prev_hash,
                    );
            if !intact {
                stopped_at = Some(e.seq);
                break 'walk;
            }
            let (details, personal) = split(&e.details);
            let linked = Linked {
                seq: e.seq,
                at: e.at,
                person_id: e.person_id,
                role: e.role,
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                org_id: e.org_id,
                protected: protect(&e.ip, personal)?,
                ip: e.ip,
                details,
                prev_hash: new_prev,
            };
            let hash = linked.hash();
            execute!(
                conn.reborrow(),
                "DELETE FROM audit_events WHERE seq = $1",
                e.seq
            )?;
            insert_linked(conn.reborrow(), std::slice::from_ref(&linked)).await?;
            old_prev = e.hash;
            new_prev = hash;
            last = e.seq;
            events += 1;
        }
        if done {
            break;
        }
    }
    // The head follows only a chain that ended where it said.
    if stopped_at.is_none() && last == head_seq && old_prev == head_hash {
        execute!(
            conn.reborrow(),
            "UPDATE audit_head SET hash = $1 WHERE id = 1",
            &new_prev
        )?;
    }
    execute!(
        conn.reborrow(),
        "UPDATE audit_head SET format = $1 WHERE id = 1",
        FORMAT
    )?;
    if events == 0 && stopped_at.is_none() {
        return Ok(None);
    }
    let details = serde_json::json!({
        "from_format": 1,
        "events": events,
        "stopped_at": stopped_at,
        "previous_head": head_hash,
    })
    .to_string();
    let event = NewEvent {
        person_id: None,
        role: Some("operator"),
        action: UPGRADED,
        object_type: "audit",
        object_id: None,
        org_id: None,
        details: &details,
    };
    link_now(
        conn,
        &event,
        "operator",
        None,
        String::new(),
        details.clone(),
        super::Protected::default(),
        now,
    )
    .await?;
    Ok(Some(Upgrade { events, stopped_at }))
}

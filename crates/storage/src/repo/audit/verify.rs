//! Walking the chain: every event's hash, its link to the one before, its personal part
//! against its digest, and every redaction against the event that recorded it.

use std::collections::BTreeSet;

use super::personal::{self, State};
use super::{REDACTED, STORED, Stored, hash_of, hash_of_v1, seal_before_reading};
use crate::repo::fetch;
use crate::{Db, StorageError};

/// The first break found in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event's content no longer matches its hash.
    Altered {
        /// Sequence number.
        seq: i64,
    },
    /// Events before this one are missing.
    Removed {
        /// The first missing sequence number.
        seq: i64,
    },
    /// This event does not follow the one before it.
    Inserted {
        /// Sequence number.
        seq: i64,
    },
    /// This event's personal data were removed, but no redaction records it.
    Stripped {
        /// Sequence number.
        seq: i64,
    },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Altered { seq } => write!(
                f,
                "event #{seq} was altered: its content does not match its hash"
            ),
            Self::Removed { seq } => write!(f, "event #{seq} was removed: the chain skips it"),
            Self::Inserted { seq } => write!(
                f,
                "event #{seq} was inserted: it does not follow the event before it"
            ),
            Self::Stripped { seq } => write!(
                f,
                "event #{seq} lost its personal data outside a recorded redaction"
            ),
        }
    }
}

/// What verification found.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Events checked.
    pub events: i64,
    /// Of those, events whose personal data were redacted (each by a recorded redaction).
    pub redacted: i64,
    /// The head's hash.
    pub head: String,
    /// The first break, if any.
    pub broken: Option<Break>,
}

/// Seals what waits (see [`super::seal`]), then walks the whole chain in pages, in one
/// snapshot (so that writes going on meanwhile are not mistaken for insertions), and
/// reports the first break. A redacted event verifies through the digest it keeps, and
/// must be listed by a later `audit-redacted` event ([`super::redact_person`]); any
/// other missing personal data is a break.
pub async fn verify(db: &Db) -> Result<Verification, StorageError> {
    const PAGE: i64 = 5000;
    seal_before_reading(db).await;
    let mut conn = db.snapshot().await?;
    let (head_seq, head_hash): (i64, String) = fetch!(
        conn.conn(),
        fetch_one,
        (i64, String),
        "SELECT seq, hash FROM audit_head WHERE id = 1"
    )?;
    let mut prev_seq = 0_i64;
    let mut prev_hash = "0".repeat(64);
    let mut count = 0_i64;
    let mut redacted = 0_i64;
    // Redacted events not (yet) listed by a redaction event.
    let mut unlisted: BTreeSet<i64> = BTreeSet::new();
    let sql = format!("SELECT {STORED} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2");
    let broken = 'walk: loop {
        let page: Vec<Stored> = fetch!(
            conn.conn(),
            fetch_all,
            Stored,
            sqlx::AssertSqlSafe(sql.clone()),
            prev_seq,
            PAGE
        )?;
        let done = page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        for e in page {
            let (expected, state) = expected_hash(&e);
            let broken = if state == State::Altered || expected != e.hash {
                Some(Break::Altered { seq: e.seq })
            } else if e.prev_hash != prev_hash {
                if e.seq > prev_seq + 1 {
                    Some(Break::Removed { seq: prev_seq + 1 })
                } else {
                    Some(Break::Inserted { seq: e.seq })
                }
            } else if e.seq != prev_seq + 1 || e.seq > head_seq {
                Some(Break::Inserted { seq: e.seq })
            } else {
                None
            };
            if broken.is_some() {
                break 'walk broken;
            }
            if state == State::Redacted {
                redacted += 1;
                unlisted.insert(e.seq);
            }
            if e.action == REDACTED {
                for seq in listed(&e.details) {
                    if seq < e.seq {
                        unlisted.remove(&seq);
                    }
                }
            }
            prev_seq = e.seq;
            prev_hash = e.hash;
            count += 1;
        }
        if done {
            break if prev_seq < head_seq || prev_hash != head_hash {
                Some(Break::Removed { seq: prev_seq + 1 })
            } else {
                unlisted.first().map(|&seq| Break::Stripped { seq })
            };
        }
    };
    Ok(Verification {
        events: count,
        redacted,
        head: head_hash,
        broken,
    })
}

/// The hash an event should have, and the state of its personal part.
fn expected_hash(e: &Stored) -> (String, State) {
    match e.format {
        1 => {
            // Format 1 had no personal part apart.
            let state =
                if e.personal.is_none() && e.personal_salt.is_none() && e.personal_digest.is_none()
                {
                    State::None
                } else {
                    State::Altered
                };
            let hash = hash_of_v1(
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
            (hash, state)
        }
        super::FORMAT => {
            let hash = hash_of(
                e.seq,
                e.at,
                e.person_id,
                &e.role,
                &e.action,
                &e.object_type,
                e.object_id,
                e.org_id,
                &e.details,
                e.personal_digest.as_deref(),
                &e.prev_hash,
            );
            (hash, personal::check(&e.ip, &e.protected()))
        }
        _ => (String::new(), State::Altered),
    }
}

/// The events a redaction event lists (its details' `events`).
fn listed(details: &str) -> Vec<i64> {
    serde_json::from_str::<serde_json::Value>(details)
        .ok()
        .and_then(|v| {
            v.get("events")
                .and_then(|e| e.as_array())
                .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        })
        .unwrap_or_default()
}

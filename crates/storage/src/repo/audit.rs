//! The audit trail: an append-only list of events chained by SHA-256, recorded in the
//! transaction of the change it records.
//!
//! Each event's hash covers its own fields and the previous event's hash; `audit_head`
//! keeps the last sequence number and hash. [`verify`] walks the chain and names the
//! first event that was altered, removed or inserted.
//!
//! How an event joins the chain depends on how the backend takes writes:
//! - **SQLite** has one writer at a time, so the writing transaction links its events at
//!   once, updating the head.
//! - **PostgreSQL** runs writes side by side. Linking there would make every write wait
//!   for the head row, from its first event to its commit. So a write records its events
//!   in `audit_pending`, in its own transaction (nothing is recorded unless the change
//!   commits, and nothing changes unless its events are recorded), and [`seal`] links
//!   what has committed, in batches, in one transaction of its own. A server runs
//!   [`run_sealer`], which seals right after each commit; everything that reads the trail
//!   seals first, so that an event is in the trail as soon as its change is visible.
//!
//! Where the request came from (the client address) is carried in a task-local set by
//! the web layer around each request ([`ORIGIN`]); commands run without one.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{execute, fetch};
use crate::{Conn, Db, StorageError};

tokio::task_local! {
    /// The client address of the request being served.
    pub static ORIGIN: String;
}

fn origin() -> String {
    ORIGIN.try_with(Clone::clone).unwrap_or_default()
}

/// What is recorded of one event.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// Who (none: anonymous, e.g. a failed login for an unknown address).
    pub person_id: Option<i64>,
    /// In which role; derived from the person's posts in `org_id` when `None`.
    pub role: Option<&'a str>,
    /// What, e.g. `vote-recorded`.
    pub action: &'a str,
    /// On what kind of object, e.g. `meeting`.
    pub object_type: &'a str,
    /// Which one.
    pub object_id: Option<i64>,
    /// The organisation it belongs to.
    pub org_id: Option<i64>,
    /// Details, JSON (before/after where it matters).
    pub details: &'a str,
}

/// An event's hash: SHA-256 (hex) of the fields it covers, in order, one per line, ending
/// with the previous event's hash. Public so that bulk loaders (the national-scale
/// generator) can write chains that [`verify`] accepts.
#[allow(clippy::too_many_arguments)]
pub fn hash_of(
    seq: i64,
    at: OffsetDateTime,
    person_id: Option<i64>,
    role: &str,
    action: &str,
    object_type: &str,
    object_id: Option<i64>,
    org_id: Option<i64>,
    ip: &str,
    details: &str,
    prev_hash: &str,
) -> String {
    let opt = |v: Option<i64>| v.map_or_else(String::new, |v| v.to_string());
    let micros = at.unix_timestamp_nanos() / 1000;
    let text = format!(
        "tanu-audit-v1\n{seq}\n{micros}\n{}\n{role}\n{action}\n{object_type}\n{}\n{}\n{ip}\n{details}\n{prev_hash}",
        opt(person_id),
        opt(object_id),
        opt(org_id)
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Where an event's organisation comes from.
enum OrgOf<'a> {
    /// Known to the caller (or none).
    Known(Option<i64>),
    /// The `org_id` of a row of a table (none when the row is gone).
    Row(&'a str, i64),
}

/// The event's organisation and the role its person acts in there: their posts in that
/// organisation, joined; else `operator`, `candidate` or `person`. One statement, since
/// it runs in every write's turn.
async fn role_and_org(
    conn: Conn<'_>,
    person: i64,
    org: OrgOf<'_>,
) -> Result<(String, Option<i64>), StorageError> {
    let (org_sql, org_arg) = match org {
        OrgOf::Known(org) => ("$2".to_owned(), org),
        OrgOf::Row(table, id) => (
            format!("(SELECT org_id FROM {table} WHERE id = $2)"),
            Some(id),
        ),
    };
    // One row per post in the organisation; one row with no role when there is none.
    let sql = format!(
        "SELECT o.org_id, r.role, p.is_operator, p.is_candidate FROM persons p \
         LEFT JOIN (SELECT {org_sql} AS org_id) o ON 1 = 1 \
         LEFT JOIN staff s ON s.person_id = p.id AND s.org_id = o.org_id AND s.active \
         LEFT JOIN staff_roles r ON r.staff_id = s.id \
         WHERE p.id = $1 ORDER BY r.role"
    );
    let rows: Vec<(Option<i64>, Option<String>, bool, bool)> = fetch!(
        conn,
        fetch_all,
        (Option<i64>, Option<String>, bool, bool),
        sqlx::AssertSqlSafe(sql),
        person,
        org_arg
    )?;
    let Some(&(org_id, _, operator, candidate)) = rows.first() else {
        return Err(sqlx::Error::RowNotFound.into());
    };
    let roles: Vec<&str> = rows.iter().filter_map(|r| r.1.as_deref()).collect();
    let role = if !roles.is_empty() {
        roles.join(",")
    } else if operator {
        "operator".to_owned()
    } else if candidate {
        "candidate".to_owned()
    } else {
        "person".to_owned()
    };
    Ok((role, org_id))
}

/// Appends an event to the chain, in the caller's transaction.
pub async fn append(
    mut conn: Conn<'_>,
    e: &NewEvent<'_>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let (role, org_id) = match (e.role, e.person_id) {
        (Some(role), _) => (role.to_owned(), e.org_id),
        (None, None) => ("anonymous".to_owned(), e.org_id),
        (None, Some(person)) => {
            role_and_org(conn.reborrow(), person, OrgOf::Known(e.org_id)).await?
        }
    };
    chain(conn, e, &role, org_id, now).await
}

/// Appends an event about a row of `table` (which has an `org_id` column), finding its
/// organisation.
#[allow(clippy::too_many_arguments)]
pub async fn append_about(
    mut conn: Conn<'_>,
    table: &'static str,
    object_type: &str,
    object_id: i64,
    person_id: i64,
    action: &str,
    details: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let (role, org_id) =
        role_and_org(conn.reborrow(), person_id, OrgOf::Row(table, object_id)).await?;
    let e = NewEvent {
        person_id: Some(person_id),
        role: None,
        action,
        object_type,
        object_id: Some(object_id),
        org_id,
        details,
    };
    chain(conn, &e, &role, org_id, now).await
}

/// Records the event: linked to the chain's head at once on SQLite, waiting for [`seal`]
/// on PostgreSQL (see the module's documentation).
async fn chain(
    mut conn: Conn<'_>,
    e: &NewEvent<'_>,
    role: &str,
    org_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let ip = origin();
    if let Conn::Postgres(_) = conn {
        execute!(
            conn,
            "INSERT INTO audit_pending (at, person_id, role, action, object_type, object_id, org_id, ip, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            now,
            e.person_id,
            role,
            e.action,
            e.object_type,
            e.object_id,
            org_id,
            &ip,
            e.details
        )?;
        return Ok(());
    }
    let (seq, prev): (i64, String) = fetch!(
        conn.reborrow(),
        fetch_one,
        (i64, String),
        "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"
    )?;
    let hash = hash_of(
        seq,
        now,
        e.person_id,
        role,
        e.action,
        e.object_type,
        e.object_id,
        org_id,
        &ip,
        e.details,
        &prev,
    );
    execute!(
        conn.reborrow(),
        "INSERT INTO audit_events (seq, at, person_id, role, action, object_type, object_id, org_id, ip, details, \
         prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        seq,
        now,
        e.person_id,
        role,
        e.action,
        e.object_type,
        e.object_id,
        org_id,
        &ip,
        e.details,
        &prev,
        &hash
    )?;
    execute!(conn, "UPDATE audit_head SET hash = $1 WHERE id = 1", &hash)?;
    Ok(())
}

/// An event recorded by a committed write, waiting to be linked.
#[derive(Debug, sqlx::FromRow)]
struct Pending {
    id: i64,
    at: OffsetDateTime,
    person_id: Option<i64>,
    role: String,
    action: String,
    object_type: String,
    object_id: Option<i64>,
    org_id: Option<i64>,
    ip: String,
    details: String,
}

/// Events linked per sealing transaction.
const SEAL_BATCH: i64 = 500;
/// Events per `INSERT` statement (12 values each, under both drivers' parameter limits).
const SEAL_ROWS_PER_INSERT: usize = 100;

/// Links every committed event waiting in `audit_pending` into the chain, oldest first,
/// and returns how many. Each batch is one transaction holding the head row, so two
/// sealers (two server processes, or a server and `tanu audit verify`) take turns and
/// never link the same event twice. Costs one read when nothing waits.
pub async fn seal(db: &Db) -> Result<u64, StorageError> {
    let mut sealed = 0;
    loop {
        let waiting: bool = {
            let mut conn = db.acquire().await?;
            super::scalar!(
                conn.conn(),
                fetch_one,
                bool,
                "SELECT EXISTS (SELECT 1 FROM audit_pending)"
            )?
        };
        if !waiting {
            return Ok(sealed);
        }
        let mut tx = db.begin().await?;
        let n = seal_batch(tx.conn()).await?;
        tx.commit().await?;
        sealed += n;
        if n < SEAL_BATCH.unsigned_abs() {
            return Ok(sealed);
        }
    }
}

/// [`seal`] before reading the trail, verifying or backing it up. A failure is logged and
/// not passed on: the trail can still be read, and a row forged into `audit_events` past
/// the head – which makes every seal fail – is then named by [`verify`]. Events still
/// waiting stay in `audit_pending` (and in a backup).
pub async fn seal_before_reading(db: &Db) {
    if let Err(e) = seal(db).await {
        tracing::warn!(error = %e, "sealing the audit trail before reading it: the latest events may not be in it yet");
    }
}

/// One batch of [`seal`], in the caller's transaction.
async fn seal_batch(mut conn: Conn<'_>) -> Result<u64, StorageError> {
    // Taking the head row first makes sealers take turns (and, on SQLite, the writer
    // already holds the write lock).
    let (mut seq, mut prev): (i64, String) = fetch!(
        conn.reborrow(),
        fetch_one,
        (i64, String),
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash"
    )?;
    let mut batch: Vec<Pending> = fetch!(
        conn.reborrow(),
        fetch_all,
        Pending,
        "DELETE FROM audit_pending WHERE id IN (SELECT id FROM audit_pending ORDER BY id LIMIT $1) \
         RETURNING id, at, person_id, role, action, object_type, object_id, org_id, ip, details",
        SEAL_BATCH
    )?;
    if batch.is_empty() {
        return Ok(0);
    }
    batch.sort_by_key(|p| p.id);
    let mut linked = Vec::with_capacity(batch.len());
    for p in batch {
        seq += 1;
        let hash = hash_of(
            seq,
            p.at,
            p.person_id,
            &p.role,
            &p.action,
            &p.object_type,
            p.object_id,
            p.org_id,
            &p.ip,
            &p.details,
            &prev,
        );
        let link = std::mem::replace(&mut prev, hash.clone());
        linked.push((seq, p, link, hash));
    }
    for rows in linked.chunks(SEAL_ROWS_PER_INSERT) {
        crate::on_conn!(conn.reborrow(), c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO audit_events (seq, at, person_id, role, action, object_type, object_id, org_id, ip, \
                 details, prev_hash, hash) ",
            );
            q.push_values(rows, |mut b, (seq, p, link, hash)| {
                b.push_bind(*seq)
                    .push_bind(p.at)
                    .push_bind(p.person_id)
                    .push_bind(&p.role)
                    .push_bind(&p.action)
                    .push_bind(&p.object_type)
                    .push_bind(p.object_id)
                    .push_bind(p.org_id)
                    .push_bind(&p.ip)
                    .push_bind(&p.details)
                    .push_bind(link)
                    .push_bind(hash);
            });
            q.build().execute(&mut *c).await.map(drop)?
        });
    }
    execute!(
        conn,
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        seq,
        &prev
    )?;
    Ok(u64::try_from(linked.len()).unwrap_or(u64::MAX))
}

/// Seals events as writes commit, for as long as the server runs; a sealer of another
/// process, or events left by a crash, are caught within a second.
pub async fn run_sealer(db: Db) {
    loop {
        if let Err(e) = seal(&db).await {
            tracing::warn!(error = %e, "sealing the audit trail");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        db.committed(std::time::Duration::from_secs(1)).await;
    }
}

/// A stored event.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct EventRow {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub person_id: Option<i64>,
    /// Their name (joined for display; not part of the hash).
    #[sqlx(default)]
    pub person_name: Option<String>,
    /// In which role.
    pub role: String,
    /// What.
    pub action: String,
    /// On what.
    pub object_type: String,
    /// Which.
    pub object_id: Option<i64>,
    /// Organisation.
    pub org_id: Option<i64>,
    /// From where.
    pub ip: String,
    /// Details (JSON).
    pub details: String,
    /// Previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// Filters of the trail.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// One organisation (none: all – the operator's view).
    pub org_id: Option<i64>,
    /// One person.
    pub person_id: Option<i64>,
    /// One kind of object.
    pub object_type: Option<String>,
    /// One object.
    pub object_id: Option<i64>,
    /// One action.
    pub action: Option<String>,
    /// From (inclusive).
    pub from: Option<OffsetDateTime>,
    /// Until (exclusive).
    pub to: Option<OffsetDateTime>,
    /// Events before this sequence number (paging backwards).
    pub before: Option<i64>,
}

/// Events matching the filter, newest first, at most `limit`.
pub async fn list(conn: Conn<'_>, f: &Filter, limit: i64) -> Result<Vec<EventRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        EventRow,
        "SELECT e.seq, e.at, e.person_id, p.full_name AS person_name, e.role, e.action, e.object_type, e.object_id, \
         e.org_id, e.ip, e.details, e.prev_hash, e.hash FROM audit_events e LEFT JOIN persons p ON p.id = e.person_id \
         WHERE ($1 IS NULL OR e.org_id = $1) AND ($2 IS NULL OR e.person_id = $2) \
         AND ($3 IS NULL OR e.object_type = $3) AND ($4 IS NULL OR e.object_id = $4) \
         AND ($5 IS NULL OR e.action = $5) AND ($6 IS NULL OR e.at >= $6) AND ($7 IS NULL OR e.at < $7) \
         AND ($8 IS NULL OR e.seq < $8) ORDER BY e.seq DESC LIMIT $9",
        f.org_id,
        f.person_id,
        f.object_type.as_deref(),
        f.object_id,
        f.action.as_deref(),
        f.from,
        f.to,
        f.before,
        limit
    )?)
}

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
        }
    }
}

/// What verification found.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Events checked.
    pub events: i64,
    /// The head's hash.
    pub head: String,
    /// The first break, if any.
    pub broken: Option<Break>,
}

/// Seals what waits (see [`seal`]), then walks the whole chain in pages, in one snapshot
/// (so that writes going on meanwhile are not mistaken for insertions), and reports the
/// first break.
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
    loop {
        let page: Vec<EventRow> = fetch!(
            conn.conn(),
            fetch_all,
            EventRow,
            "SELECT seq, at, person_id, NULL AS person_name, role, action, object_type, object_id, org_id, ip, \
             details, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
            prev_seq,
            PAGE
        )?;
        let done = page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        for e in page {
            let expected = hash_of(
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
            let broken = if expected != e.hash {
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
                return Ok(Verification {
                    events: count,
                    head: head_hash,
                    broken,
                });
            }
            prev_seq = e.seq;
            prev_hash = e.hash;
            count += 1;
        }
        if done {
            break;
        }
    }
    let broken = if prev_seq < head_seq || prev_hash != head_hash {
        Some(Break::Removed { seq: prev_seq + 1 })
    } else {
        None
    };
    Ok(Verification {
        events: count,
        head: head_hash,
        broken,
    })
}

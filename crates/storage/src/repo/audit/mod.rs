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
//!
//! Personal data – the client address and the details' members that name a person –
//! are kept apart from the rest of an event ([`personal`]): the hash covers a salted
//! digest of them, so [`redact_person`] can delete them and the chain still verifies.
//! Events recorded before that split (format 1) are re-derived once by [`upgrade`].

mod personal;
mod redact;
mod upgrade;
mod verify;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{execute, fetch};
use crate::{Conn, Db, StorageError};

pub use personal::{PERSONAL_KEYS, Protected, digest_of, merge, protect, split};
pub use redact::{REDACTED, Redaction, Subject, redact_person};
pub use upgrade::{UPGRADED, Upgrade, upgrade};
pub use verify::{Break, Verification, verify};

/// The format of the events this build writes: personal data apart, under a digest
/// ([`hash_of`]). Format 1 hashed them with the rest ([`hash_of_v1`]).
pub const FORMAT: i64 = 2;

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

/// An event's hash: SHA-256 (hex) of the fields it covers, in order, one per line – the
/// personal part only as its digest ([`personal`]) – ending with the previous event's
/// hash. Public so that bulk loaders (the national-scale generator) can write chains
/// that [`verify`] accepts.
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
    details: &str,
    personal_digest: Option<&str>,
    prev_hash: &str,
) -> String {
    let opt = |v: Option<i64>| v.map_or_else(String::new, |v| v.to_string());
    let micros = at.unix_timestamp_nanos() / 1000;
    let text = format!(
        "tanu-audit-v2\n{seq}\n{micros}\n{}\n{role}\n{action}\n{object_type}\n{}\n{}\n{details}\n{}\n{prev_hash}",
        opt(person_id),
        opt(object_id),
        opt(org_id),
        personal_digest.unwrap_or("")
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The hash of a format-1 event (recorded before personal data were kept apart): the
/// client address and the whole details in the clear. Verifies the events that
/// [`upgrade`] left in that format (from a break on).
#[allow(clippy::too_many_arguments)]
pub fn hash_of_v1(
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
/// on PostgreSQL (see the module's documentation). Its personal members leave the
/// details here, with a salt and digest of their own.
async fn chain(
    conn: Conn<'_>,
    e: &NewEvent<'_>,
    role: &str,
    org_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let ip = origin();
    let (details, personal) = split(e.details);
    let p = protect(&ip, personal)?;
    if let Conn::Postgres(_) = conn {
        execute!(
            conn,
            "INSERT INTO audit_pending (at, person_id, role, action, object_type, object_id, org_id, ip, details, \
             personal, personal_salt, personal_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            now,
            e.person_id,
            role,
            e.action,
            e.object_type,
            e.object_id,
            org_id,
            &ip,
            &details,
            p.personal.as_deref(),
            p.salt.as_deref(),
            p.digest.as_deref()
        )?;
        return Ok(());
    }
    link_now(conn, e, role, org_id, ip, details, p, now).await
}

/// Links an event at the chain's head in the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn link_now(
    mut conn: Conn<'_>,
    e: &NewEvent<'_>,
    role: &str,
    org_id: Option<i64>,
    ip: String,
    details: String,
    protected: Protected,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let (seq, prev, format): (i64, String, i64) = fetch!(
        conn.reborrow(),
        fetch_one,
        (i64, String, i64),
        "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash, format"
    )?;
    awaits_upgrade(format)?;
    let event = Linked {
        seq,
        at: now,
        person_id: e.person_id,
        role: role.to_owned(),
        action: e.action.to_owned(),
        object_type: e.object_type.to_owned(),
        object_id: e.object_id,
        org_id,
        ip,
        details,
        protected,
        prev_hash: prev,
    };
    insert_linked(conn.reborrow(), std::slice::from_ref(&event)).await?;
    execute!(
        conn,
        "UPDATE audit_head SET hash = $1 WHERE id = 1",
        event.hash()
    )?;
    Ok(())
}

/// Refuses to link events onto a chain that [`upgrade`] has not brought to [`FORMAT`]
/// yet: they would be re-derived with it.
fn awaits_upgrade(format: i64) -> Result<(), StorageError> {
    if format < FORMAT {
        return Err(StorageError::Config(
            "the audit trail is in an older format: `tanu migrate` upgrades it".to_owned(),
        ));
    }
    Ok(())
}

/// An event with its place in the chain, ready to be stored.
#[derive(Debug, Clone)]
struct Linked {
    seq: i64,
    at: OffsetDateTime,
    person_id: Option<i64>,
    role: String,
    action: String,
    object_type: String,
    object_id: Option<i64>,
    org_id: Option<i64>,
    ip: String,
    details: String,
    protected: Protected,
    prev_hash: String,
}

impl Linked {
    fn hash(&self) -> String {
        hash_of(
            self.seq,
            self.at,
            self.person_id,
            &self.role,
            &self.action,
            &self.object_type,
            self.object_id,
            self.org_id,
            &self.details,
            self.protected.digest.as_deref(),
            &self.prev_hash,
        )
    }
}

/// Events per `INSERT` statement (16 values each, under both drivers' parameter limits).
const ROWS_PER_INSERT: usize = 100;

/// Stores linked events (format [`FORMAT`]).
async fn insert_linked(mut conn: Conn<'_>, events: &[Linked]) -> Result<(), StorageError> {
    for rows in events.chunks(ROWS_PER_INSERT) {
        crate::on_conn!(conn.reborrow(), c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO audit_events (seq, at, person_id, role, action, object_type, object_id, org_id, ip, \
                 details, personal, personal_salt, personal_digest, format, prev_hash, hash) ",
            );
            q.push_values(rows, |mut b, e| {
                b.push_bind(e.seq)
                    .push_bind(e.at)
                    .push_bind(e.person_id)
                    .push_bind(&e.role)
                    .push_bind(&e.action)
                    .push_bind(&e.object_type)
                    .push_bind(e.object_id)
                    .push_bind(e.org_id)
                    .push_bind(&e.ip)
                    .push_bind(&e.details)
                    .push_bind(&e.protected.personal)
                    .push_bind(&e.protected.salt)
                    .push_bind(&e.protected.digest)
                    .push_bind(FORMAT)
                    .push_bind(&e.prev_hash)
                    .push_bind(e.hash());
            });
            q.build().execute(&mut *c).await.map(drop)?
        });
    }
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
    personal: Option<String>,
    personal_salt: Option<String>,
    personal_digest: Option<String>,
}

/// Events linked per sealing transaction.
const SEAL_BATCH: i64 = 500;
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
    let (mut seq, mut prev, format): (i64, String, i64) = fetch!(
        conn.reborrow(),
        fetch_one,
        (i64, String, i64),
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash, format"
    )?;
    awaits_upgrade(format)?;
    let mut batch: Vec<Pending> = fetch!(
        conn.reborrow(),
        fetch_all,
        Pending,
        "DELETE FROM audit_pending WHERE id IN (SELECT id FROM audit_pending ORDER BY id LIMIT $1) \
         RETURNING id, at, person_id, role, action, object_type, object_id, org_id, ip, details, personal, \
         personal_salt, personal_digest",
        SEAL_BATCH
    )?;
    if batch.is_empty() {
        return Ok(0);
    }
    batch.sort_by_key(|p| p.id);
    let mut linked = Vec::with_capacity(batch.len());
    for p in batch {
        seq += 1;
        // A row recorded before personal data were kept apart (format 1, e.g. restored
        // from an older backup) is split now.
        let (details, protected) = if p.personal_digest.is_none() {
            let (details, personal) = split(&p.details);
            (details, protect(&p.ip, personal)?)
        } else {
            let protected = Protected {
                personal: p.personal,
                salt: p.personal_salt,
                digest: p.personal_digest,
            };
            (p.details, protected)
        };
        let event = Linked {
            seq,
            at: p.at,
            person_id: p.person_id,
            role: p.role,
            action: p.action,
            object_type: p.object_type,
            object_id: p.object_id,
            org_id: p.org_id,
            ip: p.ip,
            details,
            protected,
            prev_hash: std::mem::take(&mut prev),
        };
        prev = event.hash();
        linked.push(event);
    }
    insert_linked(conn.reborrow(), &linked).await?;
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

/// An event as shown: its personal members back in the details, unless redacted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRow {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub person_id: Option<i64>,
    /// Their name (joined for display; not part of the hash).
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
    /// From where (empty when unknown or redacted).
    pub ip: String,
    /// Details (JSON), with the personal members unless redacted.
    pub details: String,
    /// Whether the personal data were redacted ([`redact_person`]).
    pub redacted: bool,
    /// Previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// An event as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Stored {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub person_id: Option<i64>,
    #[sqlx(default)]
    pub person_name: Option<String>,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub org_id: Option<i64>,
    pub ip: String,
    pub details: String,
    pub personal: Option<String>,
    pub personal_salt: Option<String>,
    pub personal_digest: Option<String>,
    pub format: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// The columns of [`Stored`], for `SELECT`s over `audit_events`.
pub(crate) const STORED: &str = "seq, at, person_id, role, action, object_type, object_id, org_id, ip, details, \
     personal, personal_salt, personal_digest, format, prev_hash, hash";

impl Stored {
    pub(crate) fn protected(&self) -> Protected {
        Protected {
            personal: self.personal.clone(),
            salt: self.personal_salt.clone(),
            digest: self.personal_digest.clone(),
        }
    }
}

impl From<Stored> for EventRow {
    fn from(e: Stored) -> Self {
        let redacted = e.personal_digest.is_some() && e.personal_salt.is_none();
        Self {
            details: merge(&e.details, e.personal.as_deref()),
            seq: e.seq,
            at: e.at,
            person_id: e.person_id,
            person_name: e.person_name,
            role: e.role,
            action: e.action,
            object_type: e.object_type,
            object_id: e.object_id,
            org_id: e.org_id,
            ip: e.ip,
            redacted,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
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
    let rows: Vec<Stored> = fetch!(
        conn,
        fetch_all,
        Stored,
        "SELECT e.seq, e.at, e.person_id, p.full_name AS person_name, e.role, e.action, e.object_type, e.object_id, \
         e.org_id, e.ip, e.details, e.personal, e.personal_salt, e.personal_digest, e.format, e.prev_hash, e.hash \
         FROM audit_events e LEFT JOIN persons p ON p.id = e.person_id \
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
    )?;
    Ok(rows.into_iter().map(EventRow::from).collect())
}

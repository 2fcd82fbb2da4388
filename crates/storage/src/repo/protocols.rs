//! Protocols of meetings (rule 9), their approvals and addenda, and the documents issued
//! with a verification code. Lookups of a protocol are scoped by organisation; issued
//! documents are found by code or hash (the public verification page).

use tanu_domain::protocol::{IssuedKind, ProtocolKind, ProtocolStatus};
use time::OffsetDateTime;

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// A protocol or an addendum.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProtocolRow {
    /// Key.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Commission.
    pub commission_id: i64,
    /// Meeting.
    pub meeting_id: i64,
    /// A protocol or an addendum.
    #[sqlx(try_from = "String")]
    pub kind: ProtocolKind,
    /// The final protocol an addendum corrects.
    pub amends_id: Option<i64>,
    /// Where it is in its life.
    #[sqlx(try_from = "String")]
    pub status: ProtocolStatus,
    /// Free text before the agenda.
    pub opening_text: String,
    /// Free text after the items.
    pub closing_text: String,
    /// The correction an addendum makes.
    pub addendum_text: String,
    /// Frozen content (JSON), once sent for approval.
    pub snapshot: Option<String>,
    /// `chair` or `deputy`.
    pub presiding_role: Option<String>,
    /// Presiding officer's name.
    pub presiding_name: Option<String>,
    /// Presiding officer's account, when they have one.
    pub presiding_person_id: Option<i64>,
    /// Secretary's name.
    pub secretary_name: Option<String>,
    /// Secretary's account.
    pub secretary_person_id: Option<i64>,
    /// Year of the number.
    pub year: Option<i64>,
    /// Sequence within commission and year.
    pub seq: Option<i64>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Sent for approval.
    pub sent_at: Option<OffsetDateTime>,
    /// Made final.
    pub finalised_at: Option<OffsetDateTime>,
}

macro_rules! protocol_columns {
    () => {
        "id, org_id, commission_id, meeting_id, kind, amends_id, status, opening_text, \
         closing_text, addendum_text, snapshot, presiding_role, presiding_name, presiding_person_id, \
         secretary_name, secretary_person_id, year, seq, created_at, sent_at, finalised_at"
    };
}
const PROTOCOL: &str = concat!("SELECT ", protocol_columns!(), " FROM protocols");

/// A new protocol of a meeting, or an addendum to one.
#[derive(Debug, Clone)]
pub struct NewProtocol<'a> {
    /// The organisation.
    pub org_id: i64,
    /// The commission whose meeting it records.
    pub commission_id: i64,
    /// The meeting it records.
    pub meeting_id: i64,
    /// Protocol or addendum.
    pub kind: ProtocolKind,
    /// The protocol an addendum amends.
    pub amends_id: Option<i64>,
    /// An addendum's text; empty for a protocol.
    pub addendum_text: &'a str,
}

/// Starts a draft; returns its id.
pub async fn insert(
    conn: Conn<'_>,
    p: &NewProtocol<'_>,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO protocols (org_id, commission_id, meeting_id, kind, amends_id, status, opening_text, \
         closing_text, addendum_text, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', '', '', $6, $7, $8) RETURNING id",
        p.org_id,
        p.commission_id,
        p.meeting_id,
        p.kind.as_str(),
        p.amends_id,
        p.addendum_text,
        by,
        now
    )?)
}

/// Takes the protocol's write lock for the transaction; `false` when there is none.
pub async fn lock(conn: Conn<'_>, org_id: i64, id: i64) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE protocols SET version = version + 1 WHERE id = $1 AND org_id = $2",
        id,
        org_id
    )? == 1)
}

/// Takes a protocol of an organisation for a change, as [`lock`] does, and reads it in
/// the same statement; on PostgreSQL after queueing in arrival order with the protocol's
/// other writers.
pub async fn lock_get(
    mut conn: Conn<'_>,
    org_id: i64,
    id: i64,
) -> Result<Option<ProtocolRow>, StorageError> {
    // Saves of one protocol queue first on its advisory lock, which PostgreSQL grants in
    // arrival order; waiting on the row itself, they raced for it at each commit and the
    // unlucky waited long (docs/performance.md, "Writers of one protocol queue in arrival order").
    crate::db::advisory_lock(conn.reborrow(), crate::db::LOCK_PROTOCOL, id).await?;
    Ok(fetch!(
        conn,
        fetch_optional,
        ProtocolRow,
        concat!(
            "UPDATE protocols SET version = version + 1 WHERE org_id = $1 AND id = $2 RETURNING ",
            protocol_columns!()
        ),
        org_id,
        id
    )?)
}

/// One protocol of an organisation.
pub async fn get(
    conn: Conn<'_>,
    org_id: i64,
    id: i64,
) -> Result<Option<ProtocolRow>, StorageError> {
    let sql = format!("{PROTOCOL} WHERE org_id = $1 AND id = $2");
    Ok(fetch!(
        conn,
        fetch_optional,
        ProtocolRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        id
    )?)
}

/// The protocol of a meeting and its addenda, oldest first.
pub async fn of_meeting(conn: Conn<'_>, meeting_id: i64) -> Result<Vec<ProtocolRow>, StorageError> {
    let sql = format!("{PROTOCOL} WHERE meeting_id = $1 ORDER BY id");
    Ok(fetch!(
        conn,
        fetch_all,
        ProtocolRow,
        sqlx::AssertSqlSafe(sql),
        meeting_id
    )?)
}

/// Final protocols and addenda of an organisation, newest first.
pub async fn finals(
    conn: Conn<'_>,
    org_id: i64,
    limit: i64,
) -> Result<Vec<ProtocolRow>, StorageError> {
    let sql = format!(
        "{PROTOCOL} WHERE org_id = $1 AND status = 'final' ORDER BY finalised_at DESC, id DESC LIMIT $2"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        ProtocolRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        limit
    )?)
}

/// Replaces the free texts of a draft.
pub async fn set_texts(
    conn: Conn<'_>,
    id: i64,
    opening: &str,
    closing: &str,
    addendum: &str,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE protocols SET opening_text = $2, closing_text = $3, addendum_text = $4 WHERE id = $1",
        id,
        opening,
        closing,
        addendum
    )?;
    Ok(())
}

/// Who signs a protocol sent for approval.
#[derive(Debug, Clone)]
pub struct Signers<'a> {
    /// `chair` or `deputy`.
    pub presiding_role: &'a str,
    /// Name.
    pub presiding_name: &'a str,
    /// Account.
    pub presiding_person_id: Option<i64>,
    /// Name.
    pub secretary_name: &'a str,
    /// Account.
    pub secretary_person_id: Option<i64>,
}

/// Freezes the content and names the signers.
pub async fn set_signing(
    conn: Conn<'_>,
    id: i64,
    snapshot: &str,
    s: &Signers<'_>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE protocols SET status = 'signing', snapshot = $2, presiding_role = $3, presiding_name = $4, \
         presiding_person_id = $5, secretary_name = $6, secretary_person_id = $7, sent_at = $8 WHERE id = $1",
        id,
        snapshot,
        s.presiding_role,
        s.presiding_name,
        s.presiding_person_id,
        s.secretary_name,
        s.secretary_person_id,
        now
    )?;
    Ok(())
}

/// Back to a draft: the frozen content and the approvals are dropped.
pub async fn set_draft(mut conn: Conn<'_>, id: i64) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "DELETE FROM protocol_approvals WHERE protocol_id = $1",
        id
    )?;
    execute!(
        conn,
        "UPDATE protocols SET status = 'draft', snapshot = NULL, sent_at = NULL WHERE id = $1",
        id
    )?;
    Ok(())
}

/// An approval.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApprovalRow {
    /// `presiding` or `secretary`.
    pub role: String,
    /// Who approved (or recorded a paper signature).
    pub person_id: i64,
    /// Their name.
    pub full_name: String,
    /// Recorded from a paper signature.
    pub on_paper: bool,
    /// When.
    pub at: OffsetDateTime,
}

/// Records an approval; `false` when that role has already approved.
pub async fn approve(
    conn: Conn<'_>,
    id: i64,
    role: &str,
    person: i64,
    on_paper: bool,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "INSERT INTO protocol_approvals (protocol_id, role, person_id, on_paper, at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (protocol_id, role) DO NOTHING",
        id,
        role,
        person,
        on_paper,
        now
    )? == 1)
}

/// The approvals of a protocol.
pub async fn approvals(conn: Conn<'_>, id: i64) -> Result<Vec<ApprovalRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        ApprovalRow,
        "SELECT a.role, a.person_id, p.full_name, a.on_paper, a.at FROM protocol_approvals a \
         JOIN persons p ON p.id = a.person_id WHERE a.protocol_id = $1 ORDER BY a.at",
        id
    )?)
}

/// The next number of a commission's protocols in a year: past those given to final
/// protocols and addenda and those its meetings took when they opened.
pub async fn next_seq(conn: Conn<'_>, commission_id: i64, year: i64) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM ( \
         SELECT seq FROM protocols WHERE commission_id = $1 AND year = $2 \
         UNION ALL SELECT protocol_seq AS seq FROM meetings WHERE commission_id = $1 AND protocol_year = $2) n",
        commission_id,
        year
    )?)
}

/// Makes a protocol final with its number and its final content.
pub async fn set_final(
    conn: Conn<'_>,
    id: i64,
    year: i64,
    seq: i64,
    snapshot: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE protocols SET status = 'final', year = $2, seq = $3, snapshot = $4, finalised_at = $5 \
         WHERE id = $1 AND status = 'signing'",
        id,
        year,
        seq,
        snapshot,
        now
    )?;
    Ok(())
}

/// Records what happened to a protocol.
pub async fn insert_event(
    mut conn: Conn<'_>,
    protocol: i64,
    person: i64,
    kind: &str,
    details: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "INSERT INTO protocol_events (protocol_id, at, person_id, kind, details) VALUES ($1, $2, $3, $4, $5)",
        protocol,
        now,
        person,
        kind,
        details
    )?;
    audit(conn, protocol, person, kind, details, now).await
}

/// The audit event of something that happened to a protocol.
async fn audit(
    conn: Conn<'_>,
    protocol: i64,
    person: i64,
    kind: &str,
    details: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    super::audit::append_about(
        conn,
        "protocols",
        "protocol",
        protocol,
        person,
        kind,
        details,
        now,
    )
    .await
}

/// The history entry of an edit of a draft's text.
const EDITED: &str = "edited";

/// Records an edit of a draft's text. A run of edits by one person is one entry of the
/// protocol's history, moved to the latest edit's time (a secretary saving every few
/// seconds would otherwise bury the history); the audit trail keeps every edit.
pub async fn note_edit(
    mut conn: Conn<'_>,
    protocol: i64,
    person: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let last: Option<(i64, i64, String)> = fetch!(
        conn.reborrow(),
        fetch_optional,
        (i64, i64, String),
        "SELECT id, person_id, kind FROM protocol_events WHERE protocol_id = $1 ORDER BY at DESC, id DESC LIMIT 1",
        protocol
    )?;
    match last {
        Some((id, by, kind)) if by == person && kind == EDITED => {
            execute!(
                conn.reborrow(),
                // A save that waited for its turn may carry an earlier time than the
                // one before it: the entry never moves back.
                "UPDATE protocol_events SET at = CASE WHEN at < $1 THEN $1 ELSE at END WHERE id = $2",
                now,
                id
            )?;
            audit(conn, protocol, person, EDITED, "{}", now).await
        }
        _ => insert_event(conn, protocol, person, EDITED, "{}", now).await,
    }
}

/// A protocol's history: when, who, what, details (JSON).
pub async fn events(
    conn: Conn<'_>,
    protocol: i64,
) -> Result<Vec<(OffsetDateTime, String, String, String)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (OffsetDateTime, String, String, String),
        "SELECT e.at, p.full_name, e.kind, e.details FROM protocol_events e JOIN persons p ON p.id = e.person_id \
         WHERE e.protocol_id = $1 ORDER BY e.at, e.id",
        protocol
    )?)
}

/// A document issued with a verification code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssuedRow {
    /// Key.
    pub id: i64,
    /// Verification code.
    pub code: String,
    /// A protocol or an extract.
    #[sqlx(try_from = "String")]
    pub kind: IssuedKind,
    /// Organisation.
    pub org_id: i64,
    /// Protocol (or addendum).
    pub protocol_id: i64,
    /// The application, for an extract.
    pub application_id: Option<i64>,
    /// Language.
    pub lang: String,
    /// Where the bytes are.
    pub object_key: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Which key signed.
    pub key_id: String,
    /// Ed25519 signature, base64.
    pub signature: String,
    /// Public summary (JSON).
    pub summary: String,
    /// When.
    pub issued_at: OffsetDateTime,
}

const ISSUED: &str = "SELECT id, code, kind, org_id, protocol_id, application_id, lang, object_key, sha256, size, \
    key_id, signature, summary, issued_at FROM issued_documents";

/// What is recorded of a new issued document.
#[derive(Debug, Clone)]
pub struct NewIssued<'a> {
    /// Verification code.
    pub code: &'a str,
    /// A protocol or an extract.
    pub kind: IssuedKind,
    /// Organisation.
    pub org_id: i64,
    /// Protocol.
    pub protocol_id: i64,
    /// Application, for an extract.
    pub application_id: Option<i64>,
    /// Language.
    pub lang: &'a str,
    /// Object key.
    pub object_key: &'a str,
    /// SHA-256, hex.
    pub sha256: &'a str,
    /// Size.
    pub size: i64,
    /// Key id.
    pub key_id: &'a str,
    /// Signature, base64.
    pub signature: &'a str,
    /// Public summary (JSON).
    pub summary: &'a str,
    /// Who caused the issue.
    pub issued_by: Option<i64>,
}

/// Records an issued document; `None` when the same document (protocol, application,
/// language) was issued meanwhile.
pub async fn insert_issued(
    conn: Conn<'_>,
    d: &NewIssued<'_>,
    now: OffsetDateTime,
) -> Result<Option<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_optional,
        i64,
        "INSERT INTO issued_documents (code, kind, org_id, protocol_id, application_id, lang, object_key, sha256, \
         size, key_id, signature, summary, issued_by, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING RETURNING id",
        d.code,
        d.kind.as_str(),
        d.org_id,
        d.protocol_id,
        d.application_id,
        d.lang,
        d.object_key,
        d.sha256,
        d.size,
        d.key_id,
        d.signature,
        d.summary,
        d.issued_by,
        now
    )?)
}

/// The document issued for a protocol (and application, for an extract) in a language.
pub async fn issued_for(
    conn: Conn<'_>,
    protocol_id: i64,
    application_id: Option<i64>,
    lang: &str,
) -> Result<Option<IssuedRow>, StorageError> {
    let sql = format!(
        "{ISSUED} WHERE protocol_id = $1 AND lang = $3 AND \
         ((application_id IS NULL AND $2 IS NULL) OR application_id = $2)"
    );
    Ok(fetch!(
        conn,
        fetch_optional,
        IssuedRow,
        sqlx::AssertSqlSafe(sql),
        protocol_id,
        application_id,
        lang
    )?)
}

/// Documents issued for a protocol (itself and extracts).
pub async fn issued_of_protocol(
    conn: Conn<'_>,
    protocol_id: i64,
) -> Result<Vec<IssuedRow>, StorageError> {
    let sql = format!("{ISSUED} WHERE protocol_id = $1 ORDER BY id");
    Ok(fetch!(
        conn,
        fetch_all,
        IssuedRow,
        sqlx::AssertSqlSafe(sql),
        protocol_id
    )?)
}

/// A document by its verification code.
pub async fn issued_by_code(conn: Conn<'_>, code: &str) -> Result<Option<IssuedRow>, StorageError> {
    let sql = format!("{ISSUED} WHERE code = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        IssuedRow,
        sqlx::AssertSqlSafe(sql),
        code
    )?)
}

/// A document by the SHA-256 of its bytes.
pub async fn issued_by_sha256(
    conn: Conn<'_>,
    sha256: &str,
) -> Result<Option<IssuedRow>, StorageError> {
    let sql = format!("{ISSUED} WHERE sha256 = $1 ORDER BY id LIMIT 1");
    Ok(fetch!(
        conn,
        fetch_optional,
        IssuedRow,
        sqlx::AssertSqlSafe(sql),
        sha256
    )?)
}

//! Applications and what belongs to them: the confirming certificate, documents,
//! completeness checks, events and views of identity documents.

use time::{Date, OffsetDateTime};

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// An application as stored, with the candidate's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    /// Key.
    pub id: i64,
    /// Organisation applied to.
    pub org_id: i64,
    /// Candidate.
    pub candidate_id: i64,
    /// Candidate's name.
    pub candidate_name: String,
    /// Candidate's IIN or foreign document.
    pub candidate_identity: Option<String>,
    /// Status code.
    pub status: String,
    /// Number, once submitted.
    pub number: Option<String>,
    /// The free-form statement.
    pub statement: String,
    /// Programme aimed at.
    pub programme_id: Option<i64>,
    /// Rule set, pinned at first submission.
    pub rule_set_id: Option<i64>,
    /// Consent to processing personal data.
    pub consent_at: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Who created it (the candidate, or staff for a walk-in).
    pub created_by: i64,
    /// First submitted.
    pub submitted_at: Option<OffsetDateTime>,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// What the organisation owes next: `check` or `decision`.
    pub due_kind: Option<String>,
    /// The last day for it.
    pub due_on: Option<Date>,
    /// When the retention policy purged its content and files.
    pub purged_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT a.id, a.org_id, a.candidate_id, p.full_name AS candidate_name, \
    COALESCE(p.iin, w.iin, p.foreign_document) AS candidate_identity, a.status, a.number, a.statement, a.programme_id, \
    a.rule_set_id, a.consent_at, a.created_at, a.created_by, a.submitted_at, a.updated_at, \
    a.due_kind, a.due_on, a.purged_at FROM applications a JOIN persons p ON p.id = a.candidate_id \
    LEFT JOIN walk_ins w ON w.person_id = a.candidate_id";

/// What a new application (a draft) is created with.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    /// The receiving organisation.
    pub org_id: i64,
    /// The candidate's person id.
    pub candidate_id: i64,
    /// The candidate's statement.
    pub statement: &'a str,
    /// The programme asked for, when chosen.
    pub programme_id: Option<i64>,
    /// When the candidate consented to the processing of their data.
    pub consent_at: Option<OffsetDateTime>,
    /// The queue's search text.
    pub search: &'a str,
}

/// Creates a draft; returns its id.
pub async fn insert(
    conn: Conn<'_>,
    new: &NewApplication<'_>,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO applications (org_id, candidate_id, status, statement, programme_id, consent_at, search, created_at, \
         created_by, updated_at) VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $7) RETURNING id",
        new.org_id,
        new.candidate_id,
        new.statement,
        new.programme_id,
        new.consent_at,
        new.search,
        now,
        by
    )?)
}

/// Changes the candidate's part of a draft.
pub async fn update_draft(
    conn: Conn<'_>,
    id: i64,
    statement: &str,
    programme_id: Option<i64>,
    consent_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE applications SET statement = $1, programme_id = $2, consent_at = COALESCE(consent_at, $3), updated_at = $4 \
         WHERE id = $5",
        statement,
        programme_id,
        consent_at,
        now,
        id
    )?;
    Ok(())
}

/// Takes the application's write lock for the transaction; `false` when it is gone.
pub async fn lock(conn: Conn<'_>, id: i64, now: OffsetDateTime) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE applications SET updated_at = $1 WHERE id = $2",
        now,
        id
    )? == 1)
}

/// One application.
pub async fn get(conn: Conn<'_>, id: i64) -> Result<Option<ApplicationRow>, StorageError> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    Ok(fetch!(
        conn,
        fetch_optional,
        ApplicationRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// A candidate's applications, newest first.
pub async fn for_candidate(
    conn: Conn<'_>,
    candidate_id: i64,
) -> Result<Vec<ApplicationRow>, StorageError> {
    // A draft the retention policy deleted is gone for its candidate too.
    let sql = format!(
        "{SELECT} WHERE a.candidate_id = $1 AND NOT (a.status = 'draft' AND a.purged_at IS NOT NULL) \
         ORDER BY a.created_at DESC, a.id DESC"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        ApplicationRow,
        sqlx::AssertSqlSafe(sql),
        candidate_id
    )?)
}

/// Filters of the secretary's queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Status code.
    pub status: Option<String>,
    /// Programme.
    pub programme_id: Option<i64>,
    /// Submitted on or after.
    pub from: Option<Date>,
    /// Submitted before the day after.
    pub to: Option<Date>,
    /// Lower-cased text found in the name or number.
    pub search: Option<String>,
    /// Only those whose deadline is before this day (overdue on it).
    pub due_before: Option<Date>,
}

/// The organisation's submitted applications (drafts are the candidates' own), oldest
/// submission first, at most 500.
pub async fn queue(
    conn: Conn<'_>,
    org_id: i64,
    f: &QueueFilter,
) -> Result<Vec<ApplicationRow>, StorageError> {
    let from = f.from.map(crate::day_start);
    let to = f.to.and_then(|d| d.next_day()).map(crate::day_start);
    // LIKE patterns: the caller's text is literal (\, % and _ escaped alike on both).
    let search = f.search.as_ref().map(|s| {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    // Drafts are the candidates' own, except those staff registered for walk-ins.
    let sql = format!(
        "{SELECT} WHERE a.org_id = $1 AND (a.submitted_at IS NOT NULL OR a.created_by <> a.candidate_id) \
         AND ($2 IS NULL OR a.status = $2) AND ($3 IS NULL OR a.programme_id = $3) \
         AND ($4 IS NULL OR a.submitted_at >= $4) AND ($5 IS NULL OR a.submitted_at < $5) \
         AND ($6 IS NULL OR a.search LIKE $6 ESCAPE '\\') AND ($7 IS NULL OR a.due_on < $7) \
         ORDER BY a.submitted_at, a.id LIMIT 500"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        ApplicationRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        f.status.as_deref(),
        f.programme_id,
        from,
        to,
        search,
        f.due_before
    )?)
}

/// Sets the status.
pub async fn set_status(
    conn: Conn<'_>,
    id: i64,
    status: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        // In a state where the organisation owes nothing, there is no deadline.
        "UPDATE applications SET status = $1, updated_at = $2, \
         due_kind = CASE WHEN $1 IN ('submitted', 'complete', 'scheduled', 'not-adopted') THEN due_kind END, \
         due_on = CASE WHEN $1 IN ('submitted', 'complete', 'scheduled', 'not-adopted') THEN due_on END \
         WHERE id = $3",
        status,
        now,
        id
    )?;
    Ok(())
}

/// Sets what the organisation owes next and the last day for it (`check` or `decision`).
pub async fn set_due(conn: Conn<'_>, id: i64, kind: &str, on: Date) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE applications SET due_kind = $1, due_on = $2 WHERE id = $3",
        kind,
        on,
        id
    )?;
    Ok(())
}

/// The next number of the organisation's year (starting at 1).
pub async fn next_seq(conn: Conn<'_>, org_id: i64, year: i64) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO application_counters (org_id, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (org_id, year) DO UPDATE SET last = application_counters.last + 1 RETURNING last",
        org_id,
        year
    )?)
}

/// Records the first submission: number, rule set, time, and the search text.
pub async fn set_submitted(
    conn: Conn<'_>,
    id: i64,
    number: &str,
    rule_set_id: i64,
    search: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE applications SET number = $1, rule_set_id = $2, submitted_at = $3, search = $4 WHERE id = $5",
        number,
        rule_set_id,
        now,
        search,
        id
    )?;
    Ok(())
}

/// Replaces the units aimed at.
pub async fn set_units(mut conn: Conn<'_>, id: i64, units: &[i64]) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "DELETE FROM application_units WHERE application_id = $1",
        id
    )?;
    for u in units {
        execute!(
            conn.reborrow(),
            "INSERT INTO application_units (application_id, unit_id) VALUES ($1, $2)",
            id,
            *u
        )?;
    }
    Ok(())
}

/// The units aimed at.
pub async fn units(conn: Conn<'_>, id: i64) -> Result<Vec<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_all,
        i64,
        "SELECT unit_id FROM application_units WHERE application_id = $1 ORDER BY unit_id",
        id
    )?)
}

/// The confirming certificate as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CertificateRow {
    /// `certificate` or `attestation`.
    pub kind: String,
    /// Provider.
    pub provider_name: String,
    /// Provider BIN.
    pub provider_bin: Option<String>,
    /// Programme studied.
    pub programme_title: String,
    /// Hours.
    pub hours: Option<i64>,
    /// Credits.
    pub credits: Option<i64>,
    /// Study from.
    pub study_from: Date,
    /// Study to.
    pub study_to: Date,
    /// Number.
    pub number: String,
    /// Issued on.
    pub issued_on: Date,
    /// Outcomes, JSON array.
    pub outcomes: String,
    /// Provider and number, normalised.
    pub reuse_key: String,
}

/// Saves the certificate of an application (replacing an earlier one).
pub async fn put_certificate(
    mut conn: Conn<'_>,
    id: i64,
    c: &CertificateRow,
) -> Result<(), StorageError> {
    if let Conn::Postgres(pg) = conn.reborrow() {
        // The reuse count of the report trigger waits for this key's lock (migration
        // 0012); taken before the old row goes, so that an application saving the same
        // key meanwhile never waits for this row while holding the key.
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind(crate::db::LOCK_CERTIFICATE_KEY)
            .bind(&c.reuse_key)
            .execute(&mut *pg)
            .await?;
    }
    execute!(
        conn.reborrow(),
        "DELETE FROM certificates WHERE application_id = $1",
        id
    )?;
    execute!(
        conn,
        "INSERT INTO certificates (application_id, kind, provider_name, provider_bin, programme_title, hours, credits, \
         study_from, study_to, number, issued_on, outcomes, reuse_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        id,
        &c.kind,
        &c.provider_name,
        c.provider_bin.as_deref(),
        &c.programme_title,
        c.hours,
        c.credits,
        c.study_from,
        c.study_to,
        &c.number,
        c.issued_on,
        &c.outcomes,
        &c.reuse_key
    )?;
    Ok(())
}

/// The certificate of an application.
pub async fn certificate(conn: Conn<'_>, id: i64) -> Result<Option<CertificateRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_optional,
        CertificateRow,
        "SELECT kind, provider_name, provider_bin, programme_title, hours, credits, study_from, study_to, number, \
         issued_on, outcomes, reuse_key FROM certificates WHERE application_id = $1",
        id
    )?)
}

/// Other non-draft applications, at any organisation, that use the same certificate:
/// `(application id, organisation id, number)`.
pub async fn reused_by(
    conn: Conn<'_>,
    id: i64,
    reuse_key: &str,
) -> Result<Vec<(i64, i64, Option<String>)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (i64, i64, Option<String>),
        "SELECT a.id, a.org_id, a.number FROM certificates c JOIN applications a ON a.id = c.application_id \
         WHERE c.reuse_key = $1 AND a.id <> $2 AND a.submitted_at IS NOT NULL ORDER BY a.id",
        reuse_key,
        id
    )?)
}

/// An uploaded document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    /// Key.
    pub id: i64,
    /// Application.
    pub application_id: i64,
    /// Rule 10 kind.
    pub kind: String,
    /// Where the bytes are.
    pub object_key: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Media type recognised from the content.
    pub content_type: String,
    /// The name it was uploaded under.
    pub original_name: String,
    /// When.
    pub uploaded_at: OffsetDateTime,
    /// By whom.
    pub uploaded_by: i64,
    /// When a later upload of its kind replaced it.
    pub replaced_at: Option<OffsetDateTime>,
}

const DOCUMENT: &str = "SELECT id, application_id, kind, object_key, sha256, size, content_type, original_name, \
                        uploaded_at, uploaded_by, replaced_at FROM documents";

/// A stored file registered as one of an application's documents.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// The document's kind (`identity`, `confirming`, …).
    pub kind: &'a str,
    /// Where the bytes are in the object store.
    pub object_key: &'a str,
    /// SHA-256 of the bytes, hex.
    pub sha256: &'a str,
    /// Size in bytes.
    pub size: i64,
    /// The type the bytes were recognised as.
    pub content_type: &'a str,
    /// The file name as uploaded.
    pub original_name: &'a str,
}

/// Records a stored file as the current document of its kind, marking the previous one replaced.
pub async fn insert_document(
    mut conn: Conn<'_>,
    id: i64,
    doc: &NewDocument<'_>,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    execute!(
        conn.reborrow(),
        "UPDATE documents SET replaced_at = $1 WHERE application_id = $2 AND kind = $3 AND replaced_at IS NULL",
        now,
        id,
        doc.kind
    )?;
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO documents (application_id, kind, object_key, sha256, size, content_type, original_name, uploaded_at, \
         uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        id,
        doc.kind,
        doc.object_key,
        doc.sha256,
        doc.size,
        doc.content_type,
        doc.original_name,
        now,
        by
    )?)
}

/// Every document an application has had and still keeps, replaced ones included,
/// oldest first.
pub async fn documents_ever(conn: Conn<'_>, id: i64) -> Result<Vec<DocumentRow>, StorageError> {
    let sql = format!(
        "{DOCUMENT} WHERE application_id = $1 AND purged_at IS NULL ORDER BY uploaded_at, id"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        DocumentRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// The current documents of an application.
pub async fn documents(conn: Conn<'_>, id: i64) -> Result<Vec<DocumentRow>, StorageError> {
    let sql = format!(
        "{DOCUMENT} WHERE application_id = $1 AND replaced_at IS NULL AND purged_at IS NULL ORDER BY kind"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        DocumentRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// One document of an application (current or replaced).
pub async fn document(
    conn: Conn<'_>,
    id: i64,
    document_id: i64,
) -> Result<Option<DocumentRow>, StorageError> {
    let sql = format!("{DOCUMENT} WHERE application_id = $1 AND id = $2 AND purged_at IS NULL");
    Ok(fetch!(
        conn,
        fetch_optional,
        DocumentRow,
        sqlx::AssertSqlSafe(sql),
        id,
        document_id
    )?)
}

/// A completeness check as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckRow {
    /// When.
    pub checked_at: OffsetDateTime,
    /// Who (name).
    pub checked_by_name: String,
    /// Result.
    pub complete: bool,
    /// Checklist, JSON.
    pub items: String,
    /// Why incomplete.
    pub reason: Option<String>,
}

/// Records a check.
pub async fn insert_check(
    conn: Conn<'_>,
    id: i64,
    by: i64,
    complete: bool,
    items: &str,
    reason: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "INSERT INTO completeness_checks (application_id, checked_at, checked_by, complete, items, reason) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        now,
        by,
        complete,
        items,
        reason
    )?;
    Ok(())
}

/// The checks of an application, oldest first.
pub async fn checks(conn: Conn<'_>, id: i64) -> Result<Vec<CheckRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        CheckRow,
        "SELECT c.checked_at, p.full_name AS checked_by_name, c.complete, c.items, c.reason FROM completeness_checks c \
         JOIN persons p ON p.id = c.checked_by WHERE c.application_id = $1 ORDER BY c.checked_at, c.id",
        id
    )?)
}

/// An entry of the application's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// When.
    pub at: OffsetDateTime,
    /// Who (name).
    pub person_name: String,
    /// Kind.
    pub kind: String,
    /// Details, JSON.
    pub details: String,
}

/// Records what happened.
pub async fn insert_event(
    mut conn: Conn<'_>,
    id: i64,
    person_id: i64,
    kind: &str,
    details: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "INSERT INTO application_events (application_id, at, person_id, kind, details) VALUES ($1, $2, $3, $4, $5)",
        id,
        now,
        person_id,
        kind,
        details
    )?;
    super::audit::append_about(
        conn,
        "applications",
        "application",
        id,
        person_id,
        kind,
        details,
        now,
    )
    .await
}

/// The history, oldest first.
pub async fn events(conn: Conn<'_>, id: i64) -> Result<Vec<EventRow>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        EventRow,
        "SELECT e.at, p.full_name AS person_name, e.kind, e.details FROM application_events e \
         JOIN persons p ON p.id = e.person_id WHERE e.application_id = $1 ORDER BY e.at, e.id",
        id
    )?)
}

/// Records a view of a document.
pub async fn insert_view(
    mut conn: Conn<'_>,
    document_id: i64,
    person_id: i64,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn.reborrow(),
        "INSERT INTO document_views (document_id, person_id, at, ip) VALUES ($1, $2, $3, $4)",
        document_id,
        person_id,
        now,
        ip
    )?;
    let (application_id, kind, org_id): (i64, String, i64) = fetch!(
        conn.reborrow(),
        fetch_one,
        (i64, String, i64),
        "SELECT d.application_id, d.kind, a.org_id FROM documents d JOIN applications a ON a.id = d.application_id \
         WHERE d.id = $1",
        document_id
    )?;
    let details = serde_json::json!({ "application_id": application_id, "kind": kind }).to_string();
    super::audit::append(
        conn,
        &super::audit::NewEvent {
            person_id: Some(person_id),
            role: None,
            action: "document-viewed",
            object_type: "document",
            object_id: Some(document_id),
            org_id: Some(org_id),
            details: &details,
        },
        now,
    )
    .await
}

/// Holds the person's row until the transaction ends, so that checks of their quotas
/// and the writes they allow happen one request at a time.
pub async fn lock_person(conn: Conn<'_>, person_id: i64) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE persons SET full_name = full_name WHERE id = $1",
        person_id
    )?;
    Ok(())
}

/// The candidate's drafts at one organisation.
pub async fn open_drafts(
    conn: Conn<'_>,
    candidate_id: i64,
    org_id: i64,
) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM applications WHERE candidate_id = $1 AND org_id = $2 AND status = 'draft' \
         AND purged_at IS NULL",
        candidate_id,
        org_id
    )?)
}

/// Bytes of every file the candidate uploaded (replaced ones included: they are kept).
pub async fn bytes_uploaded_by(conn: Conn<'_>, person_id: i64) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM documents WHERE uploaded_by = $1 AND purged_at IS NULL",
        person_id
    )?)
}

/// Whether the person sits, as a member still in office, on the commission of a meeting
/// not yet closed whose agenda holds the application while it is scheduled: the members
/// who need the candidate's identity to examine the case (issue 24, need-to-know).
pub async fn on_members_agenda(
    conn: Conn<'_>,
    application_id: i64,
    person_id: i64,
) -> Result<bool, StorageError> {
    let n: i64 = scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM agenda_items ai \
         JOIN applications a ON a.id = ai.application_id \
         JOIN meetings m ON m.id = ai.meeting_id \
         JOIN commission_members cm ON cm.commission_id = m.commission_id \
         LEFT JOIN staff s ON s.id = cm.staff_id \
         WHERE ai.application_id = $1 AND (cm.person_id = $2 OR s.person_id = $2) \
         AND cm.left_at IS NULL AND a.status = 'scheduled' AND m.status IN ('scheduled', 'open')",
        application_id,
        person_id
    )?;
    Ok(n > 0)
}

/// Whether the person's sight of the candidate's full identity on `day` is recorded.
pub async fn identity_viewed(
    conn: Conn<'_>,
    application_id: i64,
    person_id: i64,
    day: &str,
) -> Result<bool, StorageError> {
    let n: i64 = scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM identity_views WHERE person_id = $1 AND application_id = $2 AND day = $3",
        person_id,
        application_id,
        day
    )?;
    Ok(n > 0)
}

/// Records that the person saw the candidate's full identity on `day` (Kazakhstan
/// date); true the first time that day, when the caller records it in the trail.
pub async fn note_identity_view(
    conn: Conn<'_>,
    application_id: i64,
    person_id: i64,
    day: &str,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "INSERT INTO identity_views (person_id, application_id, day) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
        person_id,
        application_id,
        day
    )? == 1)
}

/// Who viewed the application's documents: (document kind, person name, when).
pub async fn views(
    conn: Conn<'_>,
    id: i64,
) -> Result<Vec<(String, String, OffsetDateTime)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (String, String, OffsetDateTime),
        "SELECT d.kind, p.full_name, v.at FROM document_views v JOIN documents d ON d.id = v.document_id \
         JOIN persons p ON p.id = v.person_id WHERE d.application_id = $1 ORDER BY v.at, v.id",
        id
    )?)
}

// ---------------------------------------------------------------------------------------
// The applications on a meeting's agenda and what belongs to them, one statement per kind
// (for the protocol and the meeting view), keyed by application.

const ON_AGENDA: &str = "(SELECT application_id FROM agenda_items WHERE meeting_id = $1)";

/// The applications on a meeting's agenda.
pub async fn on_agenda(conn: Conn<'_>, meeting: i64) -> Result<Vec<ApplicationRow>, StorageError> {
    let sql = format!("{SELECT} WHERE a.id IN {ON_AGENDA}");
    Ok(fetch!(
        conn,
        fetch_all,
        ApplicationRow,
        sqlx::AssertSqlSafe(sql),
        meeting
    )?)
}

/// The certificates of the applications on a meeting's agenda.
pub async fn certificates_on_agenda(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<super::meetings::Keyed<CertificateRow>>, StorageError> {
    let sql = format!(
        "SELECT application_id AS key, kind, provider_name, provider_bin, programme_title, hours, credits, \
         study_from, study_to, number, issued_on, outcomes, reuse_key FROM certificates \
         WHERE application_id IN {ON_AGENDA}"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        super::meetings::Keyed<CertificateRow>,
        sqlx::AssertSqlSafe(sql),
        meeting
    )?)
}

/// The current documents of the applications on a meeting's agenda, by kind.
pub async fn documents_on_agenda(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<DocumentRow>, StorageError> {
    let sql = format!(
        "{DOCUMENT} WHERE application_id IN {ON_AGENDA} AND replaced_at IS NULL ORDER BY application_id, kind"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        DocumentRow,
        sqlx::AssertSqlSafe(sql),
        meeting
    )?)
}

/// The completeness checks of the applications on a meeting's agenda, oldest first.
pub async fn checks_on_agenda(
    conn: Conn<'_>,
    meeting: i64,
) -> Result<Vec<super::meetings::Keyed<CheckRow>>, StorageError> {
    let sql = format!(
        "SELECT c.application_id AS key, c.checked_at, p.full_name AS checked_by_name, c.complete, c.items, c.reason \
         FROM completeness_checks c JOIN persons p ON p.id = c.checked_by \
         WHERE c.application_id IN {ON_AGENDA} ORDER BY c.checked_at, c.id"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        super::meetings::Keyed<CheckRow>,
        sqlx::AssertSqlSafe(sql),
        meeting
    )?)
}

/// The ids of a person's applications, ascending.
pub async fn ids_of_candidate(conn: Conn<'_>, candidate_id: i64) -> Result<Vec<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_all,
        i64,
        "SELECT id FROM applications WHERE candidate_id = $1 ORDER BY id",
        candidate_id
    )?)
}

/// Every application of the candidate, purged drafts included, oldest first.
pub async fn for_candidate_all(
    conn: Conn<'_>,
    candidate_id: i64,
) -> Result<Vec<ApplicationRow>, StorageError> {
    let sql = format!("{SELECT} WHERE a.candidate_id = $1 ORDER BY a.id");
    Ok(fetch!(
        conn,
        fetch_all,
        ApplicationRow,
        sqlx::AssertSqlSafe(sql),
        candidate_id
    )?)
}

/// Withdraws an application being filed or checked (an erasure ends it); a draft, a
/// decided or a withdrawn one stays as it is.
pub async fn withdraw_for_erasure(
    conn: Conn<'_>,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE applications SET status = 'withdrawn', updated_at = $1 \
         WHERE id = $2 AND status IN ('submitted', 'complete', 'incomplete')",
        now,
        id
    )?;
    Ok(())
}

/// Empties the details of an application's own history (what was typed, checked or
/// uploaded), keeping who did what when: for an application purged on erasure.
pub async fn scrub_events(conn: Conn<'_>, id: i64) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE application_events SET details = '{}' WHERE application_id = $1",
        id
    )?;
    Ok(())
}

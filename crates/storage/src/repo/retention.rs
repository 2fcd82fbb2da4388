//! Retention as stored: each organisation's policy versions, what a policy finds due, and
//! the marks of what was purged (`applications.purged_at`, `documents.purged_at`).

use time::OffsetDateTime;

use super::applications::DocumentRow;
use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// One version of an organisation's policy.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    /// The organisation.
    pub org_id: i64,
    /// Its version, from 1.
    pub version: i64,
    /// Days a draft may stay untouched.
    pub drafts_days: i64,
    /// Days a withdrawn application is kept.
    pub withdrawn_days: i64,
    /// Days an application left incomplete is kept.
    pub incomplete_days: i64,
    /// Days an identity scan is kept after the decision.
    pub identity_days: i64,
    /// When it was set.
    pub set_at: OffsetDateTime,
    /// By whom.
    pub set_by: i64,
}

/// The periods of a new version.
#[derive(Debug, Clone, Copy)]
pub struct NewPolicy {
    /// Days a draft may stay untouched.
    pub drafts_days: i64,
    /// Days a withdrawn application is kept.
    pub withdrawn_days: i64,
    /// Days an application left incomplete is kept.
    pub incomplete_days: i64,
    /// Days an identity scan is kept after the decision.
    pub identity_days: i64,
}

const POLICY: &str = "SELECT org_id, version, drafts_days, withdrawn_days, incomplete_days, identity_days, \
                      set_at, set_by FROM retention_policies";

/// Every version of the organisation's policy, newest first.
pub async fn versions(conn: Conn<'_>, org_id: i64) -> Result<Vec<PolicyRow>, StorageError> {
    let sql = format!("{POLICY} WHERE org_id = $1 ORDER BY version DESC");
    Ok(fetch!(
        conn,
        fetch_all,
        PolicyRow,
        sqlx::AssertSqlSafe(sql),
        org_id
    )?)
}

/// Adds a version after the newest (numbered in turn under a lock); returns its number.
pub async fn insert(
    mut conn: Conn<'_>,
    org_id: i64,
    p: &NewPolicy,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    crate::db::advisory_lock(conn.reborrow(), crate::db::LOCK_RETENTION, org_id).await?;
    let newest = versions(conn.reborrow(), org_id)
        .await?
        .first()
        .map_or(0, |v| v.version);
    let version = newest + 1;
    execute!(
        conn,
        "INSERT INTO retention_policies (org_id, version, drafts_days, withdrawn_days, incomplete_days, \
         identity_days, set_at, set_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        org_id,
        version,
        p.drafts_days,
        p.withdrawn_days,
        p.incomplete_days,
        p.identity_days,
        now,
        by
    )?;
    Ok(version)
}

/// Applications of the organisation in `status`, not purged, last changed before `before`.
pub async fn applications_due(
    conn: Conn<'_>,
    org_id: i64,
    status: &str,
    before: OffsetDateTime,
) -> Result<Vec<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_all,
        i64,
        "SELECT id FROM applications WHERE org_id = $1 AND status = $2 AND purged_at IS NULL \
         AND updated_at < $3 ORDER BY id",
        org_id,
        status,
        before
    )?)
}

const DOCUMENT: &str = "SELECT d.id, d.application_id, d.kind, d.object_key, d.sha256, d.size, d.content_type, \
                        d.original_name, d.uploaded_at, d.uploaded_by, d.replaced_at FROM documents d \
                        JOIN applications a ON a.id = d.application_id";

/// Identity scans, not purged, of the organisation's applications decided before `before`.
pub async fn identity_scans_due(
    conn: Conn<'_>,
    org_id: i64,
    before: OffsetDateTime,
) -> Result<Vec<DocumentRow>, StorageError> {
    let sql = format!(
        "{DOCUMENT} WHERE a.org_id = $1 AND a.status IN ('recognised', 'refused') AND a.decided_at < $2 \
         AND d.kind = 'identity' AND d.purged_at IS NULL ORDER BY d.id"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        DocumentRow,
        sqlx::AssertSqlSafe(sql),
        org_id,
        before
    )?)
}

/// Documents of the organisation's applications that a later upload replaced, not purged.
pub async fn replaced_documents(
    conn: Conn<'_>,
    org_id: i64,
) -> Result<Vec<DocumentRow>, StorageError> {
    let sql = format!(
        "{DOCUMENT} WHERE a.org_id = $1 AND d.replaced_at IS NOT NULL AND d.purged_at IS NULL ORDER BY d.id"
    );
    Ok(fetch!(
        conn,
        fetch_all,
        DocumentRow,
        sqlx::AssertSqlSafe(sql),
        org_id
    )?)
}

/// The application's documents not purged yet.
pub async fn documents_kept(conn: Conn<'_>, id: i64) -> Result<Vec<DocumentRow>, StorageError> {
    let sql =
        format!("{DOCUMENT} WHERE d.application_id = $1 AND d.purged_at IS NULL ORDER BY d.id");
    Ok(fetch!(
        conn,
        fetch_all,
        DocumentRow,
        sqlx::AssertSqlSafe(sql),
        id
    )?)
}

/// Marks the application purged and drops its free text (the statement, the search
/// text that holds the candidate's name); `false` when it was purged already.
pub async fn purge_application(
    conn: Conn<'_>,
    id: i64,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE applications SET purged_at = $1, statement = '', search = '' WHERE id = $2 AND purged_at IS NULL",
        now,
        id
    )? == 1)
}

/// Marks a document purged (its bytes are deleted from the store) and drops the name
/// it was uploaded under; `false` when it was purged already.
pub async fn purge_document(
    conn: Conn<'_>,
    id: i64,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE documents SET purged_at = $1, original_name = '' WHERE id = $2 AND purged_at IS NULL",
        now,
        id
    )? == 1)
}

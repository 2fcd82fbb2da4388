//! Retention: each organisation's policy (versioned; the stated defaults until its admin
//! sets one) and the run that applies it – by a daily job inside `serve` and by
//! `tanu retention run [--dry-run]`. Every purge is an audit event in the transaction
//! that marks it.
//!
//! A file's bytes are deleted from the store before its row is marked purged: a run
//! that dies between the two leaves a row whose file is gone (the next run marks it),
//! never a file no row points to.

use serde::{Deserialize, Serialize};
use tanu_domain::retention::{Purge, RetentionPolicy};
use tanu_storage::Tx;
use tanu_storage::repo::applications::DocumentRow;
use tanu_storage::repo::audit::{self as audit_repo, NewEvent};
use tanu_storage::repo::retention::{self as repo, NewPolicy, PolicyRow};
use tanu_storage::repo::{organisations, persons};
use time::OffsetDateTime;

use crate::{AppError, Ctx, OrgScope};

/// One version of a policy, as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyVersion {
    /// Its number (0: the stated defaults, never set).
    pub version: i64,
    /// The periods.
    pub policy: RetentionPolicy,
    /// When it was set.
    #[serde(with = "time::serde::rfc3339::option")]
    pub set_at: Option<OffsetDateTime>,
    /// Who set it.
    pub set_by: Option<String>,
}

/// An organisation's policy: the one in force and the earlier versions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    /// The organisation.
    pub org_id: i64,
    /// In force now.
    pub current: PolicyVersion,
    /// Every version set, newest first (empty while the defaults apply).
    pub versions: Vec<PolicyVersion>,
    /// The stated defaults.
    pub defaults: RetentionPolicy,
    /// Whether the caller may change it (the organisation's admin).
    pub can_change: bool,
}

fn periods(r: &PolicyRow) -> RetentionPolicy {
    RetentionPolicy {
        drafts_days: r.drafts_days,
        withdrawn_days: r.withdrawn_days,
        incomplete_days: r.incomplete_days,
        identity_days: r.identity_days,
    }
}

/// The organisation's policy (its staff read it).
pub async fn policy(ctx: &Ctx, scope: &OrgScope) -> Result<PolicyView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let rows = repo::versions(conn.conn(), scope.org_id()).await?;
    let mut versions = Vec::new();
    for r in &rows {
        let by = persons::by_id(conn.conn(), r.set_by).await?;
        versions.push(PolicyVersion {
            version: r.version,
            policy: periods(r),
            set_at: Some(r.set_at),
            set_by: by.map(|p| p.full_name),
        });
    }
    let current = versions.first().cloned().unwrap_or(PolicyVersion {
        version: 0,
        policy: RetentionPolicy::default(),
        set_at: None,
        set_by: None,
    });
    Ok(PolicyView {
        org_id: scope.org_id(),
        current,
        versions,
        defaults: RetentionPolicy::default(),
        can_change: scope.is_admin(),
    })
}

/// Sets a new version of the organisation's policy (its admin).
pub async fn set_policy(
    ctx: &Ctx,
    scope: &OrgScope,
    input: &RetentionPolicy,
    now: OffsetDateTime,
) -> Result<PolicyView, AppError> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden);
    }
    input.check()?;
    let mut tx = ctx.db.begin().await?;
    let version = repo::insert(
        tx.conn(),
        scope.org_id(),
        &NewPolicy {
            drafts_days: input.drafts_days,
            withdrawn_days: input.withdrawn_days,
            incomplete_days: input.incomplete_days,
            identity_days: input.identity_days,
        },
        scope.person_id(),
        now,
    )
    .await?;
    crate::audit::record(
        tx.conn(),
        scope.person_id(),
        Some(scope.org_id()),
        "retention-policy-set",
        "organisation",
        Some(scope.org_id()),
        serde_json::json!({ "version": version, "policy": input }),
        now,
    )
    .await?;
    tx.commit().await?;
    policy(ctx, scope).await
}

/// One thing a run purged (or, dry, would purge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purged {
    /// The organisation.
    pub org_id: i64,
    /// Why.
    pub what: Purge,
    /// The application.
    pub application_id: i64,
    /// The document, when one file was purged.
    pub document_id: Option<i64>,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    /// Everything purged, by organisation and kind.
    pub purged: Vec<Purged>,
    /// Files deleted from the store.
    pub files: usize,
}

impl RunReport {
    /// How many of `what`.
    pub fn count(&self, what: Purge) -> usize {
        self.purged.iter().filter(|p| p.what == what).count()
    }
}

/// Applies every organisation's policy at `now`; `dry_run` only reports.
pub async fn run(ctx: &Ctx, now: OffsetDateTime, dry_run: bool) -> Result<RunReport, AppError> {
    let mut report = RunReport::default();
    let orgs = {
        let mut conn = ctx.db.acquire().await?;
        organisations::list_all(conn.conn()).await?
    };
    for org in orgs {
        let mut conn = ctx.db.acquire().await?;
        let newest = repo::versions(conn.conn(), org.id).await?;
        let version = newest.first().map_or(0, |v| v.version);
        let p = newest
            .first()
            .map_or_else(RetentionPolicy::default, periods);
        let mut applications = Vec::new();
        for (what, status) in [
            (Purge::Draft, "draft"),
            (Purge::Withdrawn, "withdrawn"),
            (Purge::Abandoned, "incomplete"),
        ] {
            for id in
                repo::applications_due(conn.conn(), org.id, status, p.cutoff(what, now)).await?
            {
                applications.push((what, id));
            }
        }
        let mut documents: Vec<(Purge, DocumentRow)> = Vec::new();
        for d in repo::identity_scans_due(conn.conn(), org.id, p.cutoff(Purge::IdentityScan, now))
            .await?
        {
            documents.push((Purge::IdentityScan, d));
        }
        for d in repo::replaced_documents(conn.conn(), org.id).await? {
            documents.push((Purge::Replaced, d));
        }
        drop(conn);
        // A file of an application purged whole goes with it, and is listed once.
        documents.retain(|(_, d)| !applications.iter().any(|(_, id)| *id == d.application_id));
        for (what, id) in applications {
            if dry_run {
                report.purged.push(Purged {
                    org_id: org.id,
                    what,
                    application_id: id,
                    document_id: None,
                });
            } else if let Some(files) =
                purge_application(ctx, org.id, id, By::Policy { what, version }, now).await?
            {
                report.files += files;
                report.purged.push(Purged {
                    org_id: org.id,
                    what,
                    application_id: id,
                    document_id: None,
                });
            }
        }
        for (what, d) in documents {
            let done = dry_run || purge_document(ctx, org.id, &d, what, version, now).await?;
            if done {
                report.files += usize::from(!dry_run);
                report.purged.push(Purged {
                    org_id: org.id,
                    what,
                    application_id: d.application_id,
                    document_id: Some(d.id),
                });
            }
        }
    }
    Ok(report)
}

/// Who purges, as the audit event names them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum By {
    /// The organisation's policy, in force at this version.
    Policy { what: Purge, version: i64 },
    /// The candidate: a draft deleted, or consent withdrawn.
    Candidate { person_id: i64, what: Purge },
}

impl By {
    fn person_id(self) -> Option<i64> {
        match self {
            By::Policy { .. } => None,
            By::Candidate { person_id, .. } => Some(person_id),
        }
    }

    fn role(self) -> &'static str {
        match self {
            By::Policy { .. } => "retention",
            By::Candidate { .. } => "candidate",
        }
    }

    /// The event's details: why, and under which policy version.
    fn details(self, mut more: serde_json::Value) -> serde_json::Value {
        let (what, version) = match self {
            By::Policy { what, version } => (what, Some(version)),
            By::Candidate { what, .. } => (what, None),
        };
        more["reason"] = serde_json::json!(what);
        if let Some(v) = version {
            more["policy_version"] = serde_json::json!(v);
        }
        more
    }
}

async fn purge_event(
    conn: tanu_storage::Conn<'_>,
    org_id: i64,
    by: By,
    action: &str,
    object_id: i64,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    audit_repo::append(
        conn,
        &NewEvent {
            person_id: by.person_id(),
            role: Some(by.role()),
            action,
            object_type: "application",
            object_id: Some(object_id),
            org_id: Some(org_id),
            details: &by.details(details).to_string(),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Purges an application's content and files; `None` when another run got there first.
pub(crate) async fn purge_application(
    ctx: &Ctx,
    org_id: i64,
    id: i64,
    by: By,
    now: OffsetDateTime,
) -> Result<Option<usize>, AppError> {
    let mut tx = ctx.db.begin().await?;
    let purged = purge_application_in(ctx, &mut tx, org_id, id, by, now).await?;
    tx.commit().await?;
    Ok(purged)
}

/// Purges an application's content and files inside `tx` (which the caller commits);
/// `None` when it was purged already. The bytes go before the rows are marked: a failure
/// in between rolls the rows back, leaving rows whose files are gone (the next run marks
/// them), never files no row points to.
pub(crate) async fn purge_application_in(
    ctx: &Ctx,
    tx: &mut Tx,
    org_id: i64,
    id: i64,
    by: By,
    now: OffsetDateTime,
) -> Result<Option<usize>, AppError> {
    let files = repo::documents_kept(tx.conn(), id).await?;
    for d in &files {
        ctx.objects.delete(&d.object_key).await?;
    }
    if !repo::purge_application(tx.conn(), id, now).await? {
        return Ok(None);
    }
    for d in &files {
        repo::purge_document(tx.conn(), d.id, now).await?;
    }
    purge_event(
        tx.conn(),
        org_id,
        by,
        "application-purged",
        id,
        serde_json::json!({ "documents": files.len() }),
        now,
    )
    .await?;
    Ok(Some(files.len()))
}

/// Purges one document's file; `false` when another run got there first.
async fn purge_document(
    ctx: &Ctx,
    org_id: i64,
    d: &DocumentRow,
    what: Purge,
    version: i64,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    ctx.objects.delete(&d.object_key).await?;
    let mut tx = ctx.db.begin().await?;
    if !repo::purge_document(tx.conn(), d.id, now).await? {
        return Ok(false);
    }
    purge_event(
        tx.conn(),
        org_id,
        By::Policy { what, version },
        "document-purged",
        d.application_id,
        serde_json::json!({ "document_id": d.id, "kind": d.kind }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Runs the retention policies once a day for as long as the server runs (first an hour
/// after start, so that a restart loop does not run it again and again).
pub async fn run_daily(ctx: Ctx, clock: impl Fn() -> OffsetDateTime + Send + 'static) {
    let mut every = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(3600),
        std::time::Duration::from_secs(24 * 3600),
    );
    loop {
        every.tick().await;
        match run(&ctx, clock(), false).await {
            Ok(r) if !r.purged.is_empty() => {
                tracing::info!(
                    purged = r.purged.len(),
                    files = r.files,
                    "retention applied"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "applying retention failed"),
        }
    }
}

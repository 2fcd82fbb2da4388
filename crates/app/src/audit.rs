//! The audit trail as the services see it: recording an event in the transaction of the
//! change it records, and reading the trail for auditors, admins and candidates.

use serde::Serialize;
use tanu_storage::Conn;
use tanu_storage::repo::audit::{self as repo, Filter, NewEvent};
use time::OffsetDateTime;

use crate::csv_export::CsvWriter;
use crate::{Actor, AppError, Ctx, OrgScope};

/// Records an event (role derived from the person's posts in the organisation).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    conn: Conn<'_>,
    person_id: i64,
    org_id: Option<i64>,
    action: &str,
    object_type: &str,
    object_id: Option<i64>,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    repo::append(
        conn,
        &NewEvent {
            person_id: Some(person_id),
            role: None,
            action,
            object_type,
            object_id,
            org_id,
            details: &details.to_string(),
        },
        now,
    )
    .await?;
    Ok(())
}

/// An event of the trail as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who (id).
    pub person_id: Option<i64>,
    /// Who (name).
    pub person_name: Option<String>,
    /// In which role.
    pub role: String,
    /// What.
    pub action: String,
    /// On what kind of object.
    pub object_type: String,
    /// Which object.
    pub object_id: Option<i64>,
    /// Organisation.
    pub org_id: Option<i64>,
    /// Client address (empty when unknown or redacted).
    pub ip: String,
    /// Details.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Whether the event's personal data (client address, e-mails, names, IINs) were
    /// redacted; its hash still verifies.
    pub redacted: bool,
    /// This event's hash (SHA-256, chained).
    pub hash: String,
}

impl From<repo::EventRow> for AuditEvent {
    fn from(e: repo::EventRow) -> Self {
        Self {
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
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
            redacted: e.redacted,
            hash: e.hash,
        }
    }
}

/// Filters of the trail, as given by a person.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Person id.
    #[serde(default)]
    pub person: Option<i64>,
    /// Application id.
    #[serde(default)]
    pub application: Option<i64>,
    /// Commission id.
    #[serde(default)]
    pub commission: Option<i64>,
    /// Meeting id.
    #[serde(default)]
    pub meeting: Option<i64>,
    /// Action, e.g. `login-failed`, `vote-recorded`.
    #[serde(default)]
    pub action: Option<String>,
    /// From date, `YYYY-MM-DD` (Kazakhstan time).
    #[serde(default)]
    pub from: Option<String>,
    /// Until date inclusive, `YYYY-MM-DD`.
    #[serde(default)]
    pub to: Option<String>,
    /// Events before this sequence number (next page).
    #[serde(default)]
    pub before: Option<i64>,
}

/// Page size of the trail.
pub const PAGE: i64 = 200;
/// Most rows in one CSV export.
pub const EXPORT_MAX: i64 = 100_000;

fn filter(q: &AuditQuery, org_id: Option<i64>) -> Result<Filter, AppError> {
    let day = |s: &Option<String>, field| -> Result<Option<time::Date>, AppError> {
        s.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| tanu_domain::dates::parse_date(s.trim(), field).map_err(AppError::from))
            .transpose()
    };
    let (object_type, object_id) = match (q.application, q.commission, q.meeting) {
        (Some(a), _, _) => (Some("application".to_owned()), Some(a)),
        (None, Some(c), _) => (Some("commission".to_owned()), Some(c)),
        (None, None, Some(m)) => (Some("meeting".to_owned()), Some(m)),
        _ => (None, None),
    };
    Ok(Filter {
        org_id,
        person_id: q.person,
        object_type,
        object_id,
        // Actions are codes: control characters match nothing (and PostgreSQL refuses NUL).
        action: q
            .action
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .map(|a| a.replace(char::is_control, "")),
        from: day(&q.from, "from")?.map(tanu_storage::day_start),
        to: day(&q.to, "to")?
            .and_then(|d| d.next_day())
            .map(tanu_storage::day_start),
        before: q.before,
    })
}

/// The organisation's trail (its admins and auditors), newest first.
pub async fn for_org(
    ctx: &Ctx,
    scope: &OrgScope,
    q: &AuditQuery,
    limit: i64,
) -> Result<Vec<AuditEvent>, AppError> {
    if !scope.reads_audit() {
        return Err(AppError::Forbidden);
    }
    // Events of writes that committed are in the trail before it is read.
    repo::seal_before_reading(&ctx.db).await;
    let mut conn = ctx.db.acquire().await?;
    Ok(
        repo::list(conn.conn(), &filter(q, Some(scope.org_id()))?, limit)
            .await?
            .into_iter()
            .map(AuditEvent::from)
            .collect(),
    )
}

/// The whole platform's trail (the operator), newest first.
pub async fn national(
    ctx: &Ctx,
    actor: &Actor,
    q: &AuditQuery,
    limit: i64,
) -> Result<Vec<AuditEvent>, AppError> {
    actor.require_operator()?;
    repo::seal_before_reading(&ctx.db).await;
    let mut conn = ctx.db.acquire().await?;
    Ok(repo::list(conn.conn(), &filter(q, None)?, limit)
        .await?
        .into_iter()
        .map(AuditEvent::from)
        .collect())
}

/// The trail as CSV (the one writer of exports, [`crate::csv_export`]).
pub fn to_csv(events: &[AuditEvent]) -> Result<String, AppError> {
    let mut w = CsvWriter::new();
    w.row([
        "seq",
        "at",
        "person_id",
        "person",
        "role",
        "action",
        "object_type",
        "object_id",
        "org_id",
        "ip",
        "details",
        "hash",
    ])?;
    for e in events {
        let opt = |v: Option<i64>| v.map_or_else(String::new, |v| v.to_string());
        w.row([
            e.seq.to_string(),
            e.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            opt(e.person_id),
            e.person_name.clone().unwrap_or_default(),
            e.role.clone(),
            e.action.clone(),
            e.object_type.clone(),
            opt(e.object_id),
            opt(e.org_id),
            e.ip.clone(),
            e.details.to_string(),
            e.hash.clone(),
        ])?;
    }
    w.finish()
}

/// Result of walking the chain.
pub async fn verify(ctx: &Ctx) -> Result<repo::Verification, AppError> {
    Ok(repo::verify(&ctx.db).await?)
}

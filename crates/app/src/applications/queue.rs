//! Lists of applications: the candidate's own, and the organisation's queue.

use super::*;

/// A line of a list of applications.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationLine {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Number.
    pub number: Option<String>,
    /// Status code.
    pub status: String,
    /// Candidate's name.
    pub candidate_name: String,
    /// Programme.
    pub programme_id: Option<i64>,
    /// Submitted.
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// What the organisation owes next, and by when.
    pub due: Option<Due>,
}

pub(super) fn line(a: ApplicationRow) -> ApplicationLine {
    ApplicationLine {
        due: due_of(&a),
        id: a.id,
        org_id: a.org_id,
        number: a.number,
        status: a.status,
        candidate_name: a.candidate_name,
        programme_id: a.programme_id,
        submitted_at: a.submitted_at,
    }
}

/// The caller's own applications.
pub async fn mine(ctx: &Ctx, actor: &Actor) -> Result<Vec<ApplicationLine>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    Ok(repo::for_candidate(conn.conn(), actor.person_id)
        .await?
        .into_iter()
        .map(line)
        .collect())
}

/// One of the caller's own applications with what they need to follow it (the
/// candidate's start page): the organisation's names and, while it is scheduled, the
/// meeting they are invited to for the interview (rule 12).
#[derive(Debug, Clone)]
pub struct OwnCase {
    /// The application.
    pub line: ApplicationLine,
    /// The organisation it was filed with.
    pub org: OrgNames,
    /// The meeting still to come whose agenda it is on.
    pub meeting: Option<AgendaView>,
}

/// The caller's own applications, newest first, each with its organisation and, while
/// scheduled, the meeting it waits for: two statements, plus one for each organisation
/// the candidate applied to.
pub async fn mine_followed(ctx: &Ctx, actor: &Actor) -> Result<Vec<OwnCase>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let rows = repo::for_candidate(conn.conn(), actor.person_id).await?;
    // Earliest meeting first: where one application waits on two, the later one stays.
    let meetings: HashMap<i64, AgendaView> =
        tanu_storage::repo::meetings::invitations(conn.conn(), actor.person_id)
            .await?
            .into_iter()
            .map(|i| {
                (
                    i.application_id,
                    AgendaView {
                        meeting_id: i.entry.meeting_id,
                        starts_at: i.entry.starts_at,
                        place: i.entry.place,
                        item_status: i.entry.item_status,
                    },
                )
            })
            .collect();
    let mut names: HashMap<i64, OrgNames> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let org = match names.get(&row.org_id) {
            Some(n) => n.clone(),
            None => {
                let o = organisations::get(conn.conn(), row.org_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let n = OrgNames {
                    kk: o.name_kk,
                    ru: o.name_ru,
                    en: o.name_en,
                };
                names.insert(row.org_id, n.clone());
                n
            }
        };
        out.push(OwnCase {
            meeting: meetings.get(&row.id).cloned(),
            line: line(row),
            org,
        });
    }
    Ok(out)
}

/// Filters of the intake queue.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Status code.
    pub status: Option<String>,
    /// Programme id.
    pub programme_id: Option<i64>,
    /// Submitted on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Submitted on or before (YYYY-MM-DD).
    pub to: Option<String>,
    /// Name or number, any case (Cyrillic too).
    pub q: Option<String>,
    /// `true`: only those whose deadline has passed (Kazakhstan's day).
    pub overdue: Option<bool>,
}

/// The organisation's intake queue (staff who may see applications).
pub async fn queue(
    ctx: &Ctx,
    scope: &OrgScope,
    q: &QueueQuery,
    now: OffsetDateTime,
) -> Result<Vec<ApplicationLine>, AppError> {
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let filter = QueueFilter {
        status: blank(&q.status)
            .map(|s| Status::parse(&s).map(|s| s.as_str().to_owned()))
            .transpose()?,
        programme_id: q.programme_id,
        from: blank(&q.from).map(|d| parse_date(&d, "from")).transpose()?,
        to: blank(&q.to).map(|d| parse_date(&d, "to")).transpose()?,
        // Control characters match nothing (and PostgreSQL refuses a NUL byte).
        search: blank(&q.q).map(|s| s.replace(char::is_control, "").to_lowercase()),
        due_before: (q.overdue == Some(true)).then(|| local_today(now)),
    };
    let mut conn = ctx.db.acquire().await?;
    Ok(repo::queue(conn.conn(), scope.org_id(), &filter)
        .await?
        .into_iter()
        .map(line)
        .collect())
}

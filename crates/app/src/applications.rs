//! Applications (rules 3, 5, 10, 11): the candidate's draft, its confirming document and
//! files, submission with a number and a pinned rule set, the secretary's completeness
//! check, withdrawal, and who may see what.
//!
//! Files are streamed to the object store while their type (by content), size and
//! SHA-256 are worked out; only a fully stored, accepted file is recorded, and a refused
//! or broken upload is aborted so nothing half-written remains.

use std::collections::HashMap;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tanu_domain::application::{
    self as domain, Certificate, CertificateInput, CheckItem, DocumentKind, FileType, Status,
};
use tanu_domain::dates::{after_days, after_working_days, local_today, parse_date};
use tanu_domain::person::optional_text;
use tanu_domain::{DomainError, Email, FullName, Iin, Locale, OrgNames, Role};
use tanu_storage::repo::applications::{self as repo, ApplicationRow, CertificateRow, QueueFilter};
use tanu_storage::repo::{organisations, persons, programmes, walk_ins};
use tanu_storage::{Conn, StorageError, Tx};
use time::{Date, OffsetDateTime};

use crate::{Actor, AppError, Ctx, OrgScope, Refusal, notify};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// What the caller is to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Party {
    /// The candidate.
    Candidate,
    /// Staff of the organisation who may read it; `may_check` for secretaries and admins.
    Staff { may_check: bool },
}

/// Who may see an application: the candidate, and the organisation's admins,
/// secretaries, commission members and auditors (and the operator). Drafts are the
/// candidate's own until submitted, except those staff registered for a walk-in.
fn party(actor: &Actor, app: &ApplicationRow) -> Result<Party, AppError> {
    if app.candidate_id == actor.person_id {
        return Ok(Party::Candidate);
    }
    let roles: Vec<Role> = actor.roles_in(app.org_id).collect();
    let staff = actor.is_operator || !roles.is_empty();
    // Staff see an application once it has been submitted (even if later withdrawn),
    // or one they registered for a walk-in; a candidate's unsubmitted draft stays theirs.
    let visible = app.submitted_at.is_some() || app.created_by != app.candidate_id;
    if staff && visible {
        let may_check = actor.is_operator
            || roles
                .iter()
                .any(|r| matches!(r, Role::OrgAdmin | Role::Secretary));
        Ok(Party::Staff { may_check })
    } else {
        Err(AppError::NotFound)
    }
}

async fn load(conn: Conn<'_>, actor: &Actor, id: i64) -> Result<(ApplicationRow, Party), AppError> {
    let app = repo::get(conn, id).await?.ok_or(AppError::NotFound)?;
    let party = party(actor, &app)?;
    Ok((app, party))
}

/// Whether the actor may read the application (its candidate, or the organisation's
/// staff who read applications).
pub(crate) fn may_read(actor: &Actor, app: &ApplicationRow) -> Result<(), AppError> {
    party(actor, app).map(|_| ())
}

fn status_of(app: &ApplicationRow) -> Result<Status, AppError> {
    Status::parse(&app.status).map_err(AppError::from)
}

/// May the caller change the application's content now? The candidate while it is a
/// draft or incomplete; the secretary likewise for an application they registered.
fn may_edit(app: &ApplicationRow, party: Party) -> Result<(), AppError> {
    let status = status_of(app)?;
    let allowed = match party {
        Party::Candidate => true,
        Party::Staff { may_check } => may_check && app.created_by != app.candidate_id,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if status.editable() {
        Ok(())
    } else {
        Err(DomainError::StatusTransition {
            from: status.as_str().to_owned(),
            action: tanu_domain::Action::Edit,
        }
        .into())
    }
}

/// The details of the confirming document as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CertificateFields {
    /// `certificate` or `attestation` (rule 5).
    pub kind: String,
    /// The organisation that issued it (rule 3).
    pub provider_name: String,
    /// Its BIN, when Kazakh.
    #[serde(default)]
    pub provider_bin: Option<String>,
    /// Programme studied.
    pub programme_title: String,
    /// Volume in hours.
    #[serde(default)]
    pub hours: Option<u32>,
    /// Volume in credits.
    #[serde(default)]
    pub credits: Option<u32>,
    /// First day of study (YYYY-MM-DD).
    pub study_from: String,
    /// Last day of study (YYYY-MM-DD).
    pub study_to: String,
    /// The document's number.
    pub number: String,
    /// Date of issue (YYYY-MM-DD).
    pub issued_on: String,
    /// The learning outcomes it lists.
    #[serde(default)]
    pub outcomes: Vec<String>,
}

impl CertificateFields {
    fn parse(&self, today: Date) -> Result<Certificate, DomainError> {
        Certificate::parse(
            &CertificateInput {
                kind: &self.kind,
                provider_name: &self.provider_name,
                provider_bin: self.provider_bin.as_deref(),
                programme_title: &self.programme_title,
                hours: self.hours,
                credits: self.credits,
                study_from: parse_date(&self.study_from, "study_from")?,
                study_to: parse_date(&self.study_to, "study_to")?,
                number: &self.number,
                issued_on: parse_date(&self.issued_on, "issued_on")?,
                outcomes: self.outcomes.iter().map(String::as_str).collect(),
            },
            today,
        )
    }
}

/// The candidate's part of an application.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ApplicationInput {
    /// The organisation applied to (creating only).
    #[serde(default)]
    pub org_id: i64,
    /// The statement of the learning outcomes obtained (rule 10), free form.
    #[serde(default)]
    pub statement: String,
    /// Programme aimed at.
    #[serde(default)]
    pub programme_id: Option<i64>,
    /// Disciplines or modules of that programme to be recognised against.
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// Consent to the processing of personal data (its time is recorded).
    #[serde(default)]
    pub consent: bool,
    /// The confirming document, when known.
    #[serde(default)]
    pub certificate: Option<CertificateFields>,
}

/// A stored document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Document {
    /// Id.
    pub id: i64,
    /// `statement`, `identity` or `confirming` (rule 10).
    pub kind: String,
    /// Size in bytes.
    pub size: i64,
    /// Media type recognised from the content.
    pub content_type: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Name it was uploaded under.
    pub original_name: String,
    /// Uploaded.
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

/// A completeness check (rule 11).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Check {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    /// By whom.
    pub checked_by: String,
    /// Complete or not.
    pub complete: bool,
    /// The checklist.
    #[schema(value_type = Object)]
    pub items: Vec<CheckItem>,
    /// Why incomplete.
    pub reason: Option<String>,
}

/// An entry of the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub person: String,
    /// What: `created`, `updated`, `document-uploaded`, `submitted`, `checked`, `withdrawn`.
    pub kind: String,
    /// Details.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Another application that uses the same certificate (shown to staff only).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reuse {
    /// The other application's organisation.
    pub org_id: i64,
    /// Its number.
    pub number: Option<String>,
    /// Whether it is at this organisation (then its id is usable).
    pub same_organisation: bool,
}

/// A view of a document: who, when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct View {
    /// Document kind.
    pub kind: String,
    /// Who viewed it.
    pub person: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// What the organisation owes the candidate next, and the last day for it (rule-set
/// policy): the completeness check in working days from the latest submission (rule
/// 11), or the decision in days from the complete check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Due {
    /// `check` or `decision`.
    pub kind: String,
    /// The last day (Kazakhstan time).
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
}

impl Due {
    /// Whether the last day has passed.
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        self.on < local_today(now)
    }
}

fn due_of(row: &ApplicationRow) -> Option<Due> {
    match (&row.due_kind, row.due_on) {
        (Some(kind), Some(on)) => Some(Due {
            kind: kind.clone(),
            on,
        }),
        _ => None,
    }
}

/// A meeting an application is on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgendaView {
    /// Meeting id.
    pub meeting_id: i64,
    /// Start.
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// Place or link.
    pub place: String,
    /// `pending`, `voting`, `adopted`, `decided`, `not-adopted` or `moved`.
    pub item_status: String,
}

/// A unit recognised (rule 13).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecognitionView {
    /// Unit id.
    pub unit_id: i64,
    /// Code.
    pub code: String,
    /// Title in Kazakh.
    pub title_kk: String,
    /// Title in Russian.
    pub title_ru: String,
    /// Credits recognised.
    pub credits: i64,
}

/// An application as the candidate or staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Organisation's name (Kazakh).
    pub org_name_kk: String,
    /// Organisation's name (Russian).
    pub org_name_ru: String,
    /// Number, once submitted (e.g. `2026-0042`).
    pub number: Option<String>,
    /// Status code.
    pub status: String,
    /// Candidate.
    pub candidate_id: i64,
    /// Candidate's name.
    pub candidate_name: String,
    /// Candidate's IIN or foreign document (staff only; masked to its last four
    /// characters for staff who need not know it).
    pub candidate_identity: Option<String>,
    /// Whether the caller sees the identity masked and may not open the identity scan
    /// (staff outside the need-to-know of issue 24).
    pub identity_restricted: bool,
    /// The statement.
    pub statement: String,
    /// Programme aimed at.
    pub programme_id: Option<i64>,
    /// Units aimed at.
    pub unit_ids: Vec<i64>,
    /// Rule set pinned at submission.
    pub rule_set_id: Option<i64>,
    /// Consent recorded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub consent_at: Option<OffsetDateTime>,
    /// First submitted.
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// The confirming document's details.
    pub certificate: Option<CertificateFields>,
    /// Current documents.
    pub documents: Vec<Document>,
    /// Checks, oldest first.
    pub checks: Vec<Check>,
    /// History.
    pub events: Vec<Event>,
    /// Other applications using the same certificate (staff only).
    pub reused_elsewhere: Vec<Reuse>,
    /// Who viewed the documents.
    pub views: Vec<View>,
    /// The meetings it was put before.
    pub meetings: Vec<AgendaView>,
    /// What was recognised, once decided (rule 13).
    pub recognised: Vec<RecognitionView>,
    /// Why recognition was refused, once decided (rule 13).
    pub refusal_reasons: Option<String>,
    /// Whether the caller may change it now.
    pub editable: bool,
    /// Whether the caller may run the completeness check now.
    pub checkable: bool,
    /// Whether the caller is the candidate.
    pub is_candidate: bool,
    /// What the organisation owes next, and by when.
    pub due: Option<Due>,
}

fn search_text(name: &str, number: Option<&str>) -> String {
    format!("{} {}", name.to_lowercase(), number.unwrap_or_default())
}

fn event(v: serde_json::Value) -> String {
    v.to_string()
}

async fn check_programme(
    conn: Conn<'_>,
    org_id: i64,
    programme: Option<i64>,
    units: &[i64],
) -> Result<(), AppError> {
    let Some(p) = programme else {
        return if units.is_empty() {
            Ok(())
        } else {
            Err(DomainError::UnknownValue {
                field: "unit_ids",
                value: "no programme chosen".into(),
            }
            .into())
        };
    };
    let mut conn = conn;
    programmes::get(conn.reborrow(), org_id, p)
        .await?
        .filter(|p| p.active)
        .ok_or(DomainError::UnknownValue {
            field: "programme_id",
            value: p.to_string(),
        })?;
    let known: Vec<i64> = programmes::units(conn, org_id)
        .await?
        .iter()
        .filter(|u| u.programme_id == p)
        .map(|u| u.id)
        .collect();
    if let Some(bad) = units.iter().find(|u| !known.contains(u)) {
        return Err(DomainError::UnknownValue {
            field: "unit_ids",
            value: bad.to_string(),
        }
        .into());
    }
    Ok(())
}

fn certificate_row(c: &Certificate) -> Result<CertificateRow, AppError> {
    Ok(CertificateRow {
        kind: c.kind.as_str().to_owned(),
        provider_name: c.provider_name.clone(),
        provider_bin: c.provider_bin.map(|b| b.to_string()),
        programme_title: c.programme_title.clone(),
        hours: c.hours.map(i64::from),
        credits: c.credits.map(i64::from),
        study_from: c.study_from,
        study_to: c.study_to,
        number: c.number.clone(),
        issued_on: c.issued_on,
        outcomes: serde_json::to_string(&c.outcomes).map_err(AppError::other)?,
        reuse_key: c.reuse_key(),
    })
}

async fn save_content(
    tx: &mut Tx,
    app_id: i64,
    org_id: i64,
    input: &ApplicationInput,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let statement = input.statement.trim();
    if statement.chars().count() > 20_000 || tanu_domain::person::has_stray_control(statement) {
        return Err(DomainError::TextLength {
            field: "statement",
            max: 20_000,
        }
        .into());
    }
    let mut units = input.unit_ids.clone();
    units.sort_unstable();
    units.dedup();
    check_programme(tx.conn(), org_id, input.programme_id, &units).await?;
    let certificate = input
        .certificate
        .as_ref()
        .map(|c| c.parse(local_today(now)))
        .transpose()?;
    repo::update_draft(
        tx.conn(),
        app_id,
        statement,
        input.programme_id,
        input.consent.then_some(now),
        now,
    )
    .await?;
    repo::set_units(tx.conn(), app_id, &units).await?;
    if let Some(c) = certificate {
        repo::put_certificate(tx.conn(), app_id, &certificate_row(&c)?).await?;
    }
    Ok(())
}

/// A candidate starts an application to an organisation (a draft).
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    input: &ApplicationInput,
    now: OffsetDateTime,
) -> Result<ApplicationView, AppError> {
    let mut tx = ctx.db.begin().await?;
    repo::lock_person(tx.conn(), actor.person_id).await?;
    let drafts = repo::open_drafts(tx.conn(), actor.person_id, input.org_id).await?;
    if drafts >= ctx.policy.drafts_per_organisation {
        return Err(AppError::Refused(Refusal::DraftsLimit));
    }
    let id = create_in(
        &mut tx,
        actor,
        actor.person_id,
        &actor.full_name,
        input,
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, actor, id, now).await
}

/// Creates a draft inside a transaction (not committed); returns its id.
async fn create_in(
    tx: &mut Tx,
    actor: &Actor,
    candidate_id: i64,
    candidate_name: &str,
    input: &ApplicationInput,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let org =
        organisations::get(tx.conn(), input.org_id)
            .await?
            .ok_or(DomainError::UnknownValue {
                field: "org_id",
                value: input.org_id.to_string(),
            })?;
    // Rule 4: only an eligible organisation receives applications.
    org.kind
        .parse::<tanu_domain::OrgKind>()?
        .require_eligible()?;
    let id = repo::insert(
        tx.conn(),
        org.id,
        candidate_id,
        "",
        None,
        None,
        &search_text(candidate_name, None),
        actor.person_id,
        now,
    )
    .await?;
    save_content(tx, id, org.id, input, now).await?;
    repo::insert_event(
        tx.conn(),
        id,
        actor.person_id,
        "created",
        &event(serde_json::json!({})),
        now,
    )
    .await?;
    Ok(id)
}

/// Changes a draft (or an incomplete application before resubmitting).
pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &ApplicationInput,
    now: OffsetDateTime,
) -> Result<ApplicationView, AppError> {
    let mut tx = ctx.db.begin().await?;
    if !repo::lock(tx.conn(), id, now).await? {
        return Err(AppError::NotFound);
    }
    let (app, party) = load(tx.conn(), actor, id).await?;
    may_edit(&app, party)?;
    save_content(&mut tx, id, app.org_id, input, now).await?;
    repo::insert_event(
        tx.conn(),
        id,
        actor.person_id,
        "updated",
        &event(serde_json::json!({})),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, actor, id, now).await
}

/// Rule 10 then submission. Every document must be there (a typed statement counts as
/// the statement), with the confirming document's details and the consent. The first
/// submission gives the number and pins the rule set in force that day. Submitting an
/// application that is already submitted changes nothing (idempotent).
pub async fn submit(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<ApplicationView, AppError> {
    let mut tx = ctx.db.begin().await?;
    if !repo::lock(tx.conn(), id, now).await? {
        return Err(AppError::NotFound);
    }
    let (app, party) = load(tx.conn(), actor, id).await?;
    let status = status_of(&app)?;
    if status == Status::Submitted {
        drop(tx);
        return get(ctx, actor, id, now).await;
    }
    may_edit(&app, party)?;
    // A candidate submits only from an account whose e-mail is proved theirs: the
    // organisation's notices and the decision go there.
    if party == Party::Candidate && !actor.email_verified {
        return Err(AppError::email_unverified());
    }
    if app.consent_at.is_none() {
        return Err(DomainError::ConsentRequired.into());
    }
    let mut present: Vec<DocumentKind> = repo::documents(tx.conn(), id)
        .await?
        .iter()
        .filter_map(|d| DocumentKind::parse(&d.kind).ok())
        .collect();
    if !app.statement.trim().is_empty() {
        present.push(DocumentKind::Statement);
    }
    domain::check_documents_attached(&present)?;
    if repo::certificate(tx.conn(), id).await?.is_none() {
        return Err(DomainError::ConfirmingDetailsRequired.into());
    }
    let next = status.submit()?;
    let mut pinned = app.rule_set_id;
    if app.number.is_none() {
        let today = local_today(now);
        let seq = repo::next_seq(tx.conn(), app.org_id, i64::from(today.year())).await?;
        let number = domain::application_number(today.year(), seq);
        let rule_set = crate::rule_sets::in_force_id(tx.conn(), today)
            .await?
            .ok_or(DomainError::UnknownValue {
                field: "rule_set_id",
                value: format!("none in force on {today}"),
            })?;
        repo::set_submitted(
            tx.conn(),
            id,
            &number,
            rule_set,
            &search_text(&app.candidate_name, Some(&number)),
            now,
        )
        .await?;
        pinned = Some(rule_set);
    }
    repo::set_status(tx.conn(), id, next.as_str(), now).await?;
    // The completeness check is due within the rule set's working days (rule 11),
    // counted from this submission.
    if let Some(rule_set) = pinned {
        let days = crate::rule_sets::params_of(tx.conn(), rule_set)
            .await?
            .completeness_check_days;
        let due = after_working_days(local_today(now), days);
        repo::set_due(tx.conn(), id, "check", due).await?;
    }
    let kind = if status == Status::Incomplete {
        "resubmitted"
    } else {
        "submitted"
    };
    repo::insert_event(
        tx.conn(),
        id,
        actor.person_id,
        kind,
        &event(serde_json::json!({})),
        now,
    )
    .await?;
    tell_submitted(&mut tx, id, now).await?;
    tx.commit().await?;
    get(ctx, actor, id, now).await
}

/// The candidate is told the application was received; the organisation's secretaries
/// and admins that there is a new one to check.
async fn tell_submitted(
    tx: &mut tanu_storage::Tx,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    use crate::notify::{Kind, tell};
    let app = repo::get(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let org = tanu_storage::repo::organisations::get(tx.conn(), app.org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let number = app.number.clone().unwrap_or_default();
    let org_name = |lang: Locale| {
        if lang == Locale::Kk {
            org.name_kk.clone()
        } else {
            org.name_ru.clone()
        }
    };
    tell(
        tx.conn(),
        app.candidate_id,
        Some(app.org_id),
        Kind::Received,
        &|lang| vec![("number", number.clone()), ("org", org_name(lang))],
        &format!("/applications/{id}"),
        None,
        now,
    )
    .await?;
    for person in
        tanu_storage::repo::notifications::secretaries_and_admins(tx.conn(), app.org_id).await?
    {
        tell(
            tx.conn(),
            person,
            Some(app.org_id),
            Kind::NewSubmission,
            &|_| {
                vec![
                    ("number", number.clone()),
                    ("candidate", app.candidate_name.clone()),
                ]
            },
            &format!("/applications/{id}"),
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Takes an application for a change that may touch its agenda item: the meeting it is
/// on first, then the application – the order of every meeting action (scheduling, a
/// vote, closing), so that two writers never wait for each other in a circle. If the
/// application was put on an agenda meanwhile, it starts again.
async fn locked_with_meeting(
    ctx: &Ctx,
    id: i64,
    now: OffsetDateTime,
) -> Result<(Tx, Option<tanu_storage::repo::meetings::LiveItem>), AppError> {
    use tanu_storage::repo::meetings as meetings_repo;
    for _ in 0..5 {
        let mut tx = ctx.db.begin().await?;
        let seen = meetings_repo::live_item_of(tx.conn(), id).await?;
        if let Some(l) = &seen {
            meetings_repo::lock(tx.conn(), l.org_id, l.meeting_id).await?;
        }
        if !repo::lock(tx.conn(), id, now).await? {
            return Err(AppError::NotFound);
        }
        let live = meetings_repo::live_item_of(tx.conn(), id).await?;
        if live.as_ref().map(|l| l.meeting_id) == seen.as_ref().map(|l| l.meeting_id) {
            return Ok((tx, live));
        }
    }
    Err(AppError::busy(
        "the application kept moving between agendas",
    ))
}

/// The candidate withdraws the application.
pub async fn withdraw(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<ApplicationView, AppError> {
    let (mut tx, live) = locked_with_meeting(ctx, id, now).await?;
    let (app, party) = load(tx.conn(), actor, id).await?;
    if party != Party::Candidate {
        return Err(AppError::Forbidden);
    }
    let next = status_of(&app)?.withdraw()?;
    // On a meeting's agenda: the item is taken off while it waits; once its vote has
    // opened the commission's decision stands in the way.
    if let Some(live) = live {
        if live.status != "pending" {
            return Err(DomainError::StatusTransition {
                from: live.status,
                action: tanu_domain::Action::Withdraw,
            }
            .into());
        }
        tanu_storage::repo::meetings::set_item_status(tx.conn(), live.item_id, "withdrawn").await?;
        let details = event(serde_json::json!({ "item_id": live.item_id, "application_id": id }));
        tanu_storage::repo::meetings::insert_event(
            tx.conn(),
            live.meeting_id,
            actor.person_id,
            "withdrawn",
            &details,
            now,
        )
        .await?;
    }
    repo::set_status(tx.conn(), id, next.as_str(), now).await?;
    repo::insert_event(
        tx.conn(),
        id,
        actor.person_id,
        "withdrawn",
        &event(serde_json::json!({})),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, actor, id, now).await
}

/// The secretary's checklist (rule 11).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CheckInput {
    /// One line per document of rule 10.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<CheckItem>,
    /// Why it is incomplete (required then).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Rule 11: the completeness check of a submitted application, by a secretary (or an
/// admin) of the organisation. The result and the checklist are kept in the history.
pub async fn check(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &CheckInput,
    now: OffsetDateTime,
) -> Result<ApplicationView, AppError> {
    let reason = optional_text(input.reason.as_deref(), "reason", 2000)?;
    let (complete, failing) = domain::completeness(&input.items, reason.as_deref())?;
    let mut tx = ctx.db.begin().await?;
    if !repo::lock(tx.conn(), id, now).await? {
        return Err(AppError::NotFound);
    }
    let (app, party) = load(tx.conn(), actor, id).await?;
    if party != (Party::Staff { may_check: true }) {
        return Err(AppError::Forbidden);
    }
    let next = status_of(&app)?.check(complete)?;
    let items = serde_json::to_string(&input.items).map_err(AppError::other)?;
    repo::insert_check(
        tx.conn(),
        id,
        actor.person_id,
        complete,
        &items,
        reason.as_deref(),
        now,
    )
    .await?;
    repo::set_status(tx.conn(), id, next.as_str(), now).await?;
    // Complete: the decision is due within the rule set's days from today.
    if let (true, Some(rule_set)) = (complete, app.rule_set_id) {
        let days = crate::rule_sets::params_of(tx.conn(), rule_set)
            .await?
            .decision_days;
        repo::set_due(
            tx.conn(),
            id,
            "decision",
            after_days(local_today(now), days),
        )
        .await?;
    }
    // The notice names the documents in words; the event keeps their codes.
    let failing_documents = failing.clone();
    let failing: Vec<&str> = failing.iter().map(|k| k.as_str()).collect();
    repo::insert_event(
        tx.conn(),
        id,
        actor.person_id,
        "checked",
        &event(serde_json::json!({ "complete": complete, "failing": failing, "reason": reason })),
        now,
    )
    .await?;
    let number = app.number.clone().unwrap_or_default();
    let why = reason.clone().unwrap_or_default();
    crate::notify::tell(
        tx.conn(),
        app.candidate_id,
        Some(app.org_id),
        if complete {
            crate::notify::Kind::Complete
        } else {
            crate::notify::Kind::Incomplete
        },
        &|lang| {
            vec![
                ("number", number.clone()),
                (
                    "missing",
                    crate::notify::document_names(&failing_documents, lang),
                ),
                ("reason", why.clone()),
            ]
        },
        &format!("/applications/{id}"),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, actor, id, now).await
}

/// A stored (or half-stored) upload that is cleaned up unless it is kept: dropped –
/// a refusal, an error, or the request cancelled when the client goes away – it aborts
/// the upload or deletes the object in a task of its own, so nothing stays behind.
struct Pending {
    objects: tanu_storage::Objects,
    key: String,
    writer: Option<tanu_storage::objects::ObjectWriter>,
    keep: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        let (objects, key, writer) = (self.objects.clone(), self.key.clone(), self.writer.take());
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                match writer {
                    Some(w) => w.abort().await,
                    None => {
                        let _ = objects.delete(&key).await;
                    }
                }
            });
        }
    }
}

/// Streams an upload into the store, refusing what is not PDF, JPEG or PNG by content,
/// empty, over `max_bytes`, or cut short. Returns the pending object with its type, size
/// and SHA-256; the caller keeps it once recorded.
async fn store_stream<S, E>(
    ctx: &Ctx,
    key: &str,
    mut stream: S,
    max_bytes: u64,
) -> Result<(Pending, FileType, i64, String), AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut pending = Pending {
        objects: ctx.objects.clone(),
        key: key.to_owned(),
        writer: Some(ctx.objects.writer(key).await?),
        keep: false,
    };
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut head: Vec<u8> = Vec::new();
    let mut kind: Option<FileType> = None;
    // The format's end marker, searched across chunk boundaries; a file may carry data
    // after it (phone photos append a video to the JPEG), so "seen anywhere" counts.
    let mut carry: Vec<u8> = Vec::new();
    let mut ended = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| DomainError::FileTruncated)?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(DomainError::FileTooLarge {
                max_mb: max_bytes / (1024 * 1024),
            }
            .into());
        }
        if kind.is_none() {
            let want = 16usize.saturating_sub(head.len());
            head.extend_from_slice(&chunk[..chunk.len().min(want)]);
            if head.len() >= 8 {
                kind = Some(FileType::sniff(&head).ok_or(DomainError::FileTypeNotAccepted)?);
            }
        }
        if let Some(k) = kind {
            carry.extend_from_slice(&chunk[..chunk.len().min(8)]);
            ended = ended || k.looks_complete(&carry) || k.looks_complete(&chunk);
            carry.clear();
            carry.extend_from_slice(&chunk[chunk.len().saturating_sub(8)..]);
        }
        hasher.update(&chunk);
        if let Some(w) = pending.writer.as_mut() {
            w.write(chunk).await?;
        }
    }
    if size == 0 {
        return Err(DomainError::FileEmpty.into());
    }
    let kind = match kind {
        Some(k) => k,
        None => FileType::sniff(&head).ok_or(DomainError::FileTypeNotAccepted)?,
    };
    if !(ended || kind.looks_complete(&head)) {
        return Err(DomainError::FileTruncated.into());
    }
    if let Some(w) = pending.writer.take() {
        w.finish().await?;
    }
    Ok((
        pending,
        kind,
        i64::try_from(size).unwrap_or(i64::MAX),
        hex::encode(hasher.finalize()),
    ))
}

/// Uploads one of the three documents of rule 10, replacing the previous one of its
/// kind (which stays in the store and the history).
#[allow(clippy::too_many_arguments)]
pub async fn upload<S, E>(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    kind: &str,
    original_name: &str,
    stream: S,
    max_bytes: u64,
    now: OffsetDateTime,
) -> Result<Document, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let kind = DocumentKind::parse(kind)?;
    {
        let mut conn = ctx.db.acquire().await?;
        let (app, party) = load(conn.conn(), actor, id).await?;
        may_edit(&app, party)?;
    }
    let key = format!(
        "applications/{id}/{}-{}",
        kind.as_str(),
        crate::secrets::random_token()?
    );
    let (mut pending, file_type, size, sha) = store_stream(ctx, &key, stream, max_bytes).await?;
    let name: String = original_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = ctx.db.begin().await?;
    if !repo::lock(tx.conn(), id, now).await? {
        return Err(AppError::NotFound);
    }
    let (app, party) = load(tx.conn(), actor, id).await?;
    may_edit(&app, party)?;
    if party == Party::Candidate {
        // A quota per person: registration is free, storage is not.
        repo::lock_person(tx.conn(), actor.person_id).await?;
        let stored = repo::bytes_uploaded_by(tx.conn(), actor.person_id).await?;
        if stored.saturating_add(size) > ctx.policy.upload_quota_bytes {
            return Err(AppError::Refused(Refusal::UploadQuota));
        }
    }
    let doc_id = repo::insert_document(
        tx.conn(),
        id,
        kind.as_str(),
        &key,
        &sha,
        size,
        file_type.mime(),
        &name,
        actor.person_id,
        now,
    )
    .await?;
    let details = serde_json::json!({ "kind": kind.as_str(), "size": size, "sha256": sha, "type": file_type.mime() });
    repo::insert_event(
        tx.conn(),
        id,
        actor.person_id,
        "document-uploaded",
        &event(details),
        now,
    )
    .await?;
    // From here the file is kept: a commit that fails is cleaned up below, and one
    // interrupted mid-way leaves at worst an unreferenced object – never a record
    // without its file. (Anything failing above dropped `pending`, which deleted it.)
    pending.keep = true;
    if let Err(e) = tx.commit().await {
        let _ = ctx.objects.delete(&key).await;
        return Err(e.into());
    }
    Ok(Document {
        id: doc_id,
        kind: kind.as_str().to_owned(),
        size,
        content_type: file_type.mime().to_owned(),
        sha256: sha,
        original_name: name,
        uploaded_at: now,
    })
}

/// A document's bytes for download, recording who viewed it (every view of an identity
/// document is part of the audit trail).
pub async fn download(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    document_id: i64,
    ip: &str,
    now: OffsetDateTime,
) -> Result<
    (
        Document,
        u64,
        futures::stream::BoxStream<'static, Result<Bytes, StorageError>>,
    ),
    AppError,
> {
    let mut conn = ctx.db.acquire().await?;
    let (app, party) = load(conn.conn(), actor, id).await?;
    let d = repo::document(conn.conn(), id, document_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if d.kind == DocumentKind::Identity.as_str()
        && !need_to_know(conn.conn(), actor, &app, party).await?
    {
        return Err(need_to_know_refusal());
    }
    let (size, stream) = ctx
        .objects
        .stream(&d.object_key)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    // The view and its audit event are one write: both or neither.
    let mut tx = ctx.db.begin().await?;
    repo::insert_view(tx.conn(), d.id, actor.person_id, ip, now).await?;
    tx.commit().await?;
    let stream = stream.map(|r| r.map_err(StorageError::from)).boxed();
    Ok((
        Document {
            id: d.id,
            kind: d.kind,
            size: d.size,
            content_type: d.content_type,
            sha256: d.sha256,
            original_name: d.original_name,
            uploaded_at: d.uploaded_at,
        },
        size,
        stream,
    ))
}

/// One application with everything the caller may see.
/// The application as the actor may see it. Staff who see the candidate's full
/// identity (see [`need_to_know`]) are recorded in the trail, the first time each day.
pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<ApplicationView, AppError> {
    let view = view_of(ctx, actor, id).await?;
    if !view.is_candidate && !view.identity_restricted && view.candidate_identity.is_some() {
        let day = local_today(now).to_string();
        // A page opened again the same day is a read only: the write (SQLite's single
        // writer) is for the first sight of the day.
        let mut conn = ctx.db.acquire().await?;
        if repo::identity_viewed(conn.conn(), id, actor.person_id, &day).await? {
            return Ok(view);
        }
        drop(conn);
        let mut tx = ctx.db.begin().await?;
        if repo::note_identity_view(tx.conn(), id, actor.person_id, &day).await? {
            crate::audit::record(
                tx.conn(),
                actor.person_id,
                Some(view.org_id),
                "identity-viewed",
                "application",
                Some(id),
                serde_json::json!({ "day": day }),
                now,
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(view)
}

/// Whether the caller needs the candidate's full identity and identity scan (issue 24):
/// the candidate, the organisation's secretaries and admins (and the operator), and the
/// members of a commission while the application is on an agenda of theirs, undecided.
/// Other staff and auditors see that they exist – the identity masked – not their content.
async fn need_to_know(
    conn: Conn<'_>,
    actor: &Actor,
    app: &ApplicationRow,
    party: Party,
) -> Result<bool, AppError> {
    Ok(match party {
        Party::Candidate | Party::Staff { may_check: true } => true,
        Party::Staff { may_check: false } => {
            repo::on_members_agenda(conn, app.id, actor.person_id).await?
        }
    })
}

/// An identity shown to those who need not know it: its last four characters.
fn masked(identity: &str) -> String {
    let n = identity.chars().count();
    identity
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// The refusal of an identity scan to staff who need not see it (403 `need-to-know`).
fn need_to_know_refusal() -> AppError {
    AppError::Refused(Refusal::NeedToKnow)
}

async fn view_of(ctx: &Ctx, actor: &Actor, id: i64) -> Result<ApplicationView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let (app, party) = load(conn.conn(), actor, id).await?;
    let knows = need_to_know(conn.conn(), actor, &app, party).await?;
    let org = organisations::get(conn.conn(), app.org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let certificate_row = repo::certificate(conn.conn(), id).await?;
    let reused_elsewhere = match (&certificate_row, party) {
        (Some(c), Party::Staff { .. }) => repo::reused_by(conn.conn(), id, &c.reuse_key)
            .await?
            .into_iter()
            .map(|(_, org_id, number)| Reuse {
                org_id,
                number,
                same_organisation: org_id == app.org_id,
            })
            .collect(),
        _ => Vec::new(),
    };
    let certificate = certificate_row.map(|c| CertificateFields {
        kind: c.kind,
        provider_name: c.provider_name,
        provider_bin: c.provider_bin,
        programme_title: c.programme_title,
        hours: c.hours.and_then(|h| u32::try_from(h).ok()),
        credits: c.credits.and_then(|h| u32::try_from(h).ok()),
        study_from: c.study_from.to_string(),
        study_to: c.study_to.to_string(),
        number: c.number,
        issued_on: c.issued_on.to_string(),
        outcomes: serde_json::from_str(&c.outcomes).unwrap_or_default(),
    });
    let documents = repo::documents(conn.conn(), id)
        .await?
        .into_iter()
        .map(|d| Document {
            id: d.id,
            kind: d.kind,
            size: d.size,
            content_type: d.content_type,
            sha256: d.sha256,
            original_name: d.original_name,
            uploaded_at: d.uploaded_at,
        })
        .collect();
    let checks = repo::checks(conn.conn(), id)
        .await?
        .into_iter()
        .map(|c| Check {
            checked_at: c.checked_at,
            checked_by: c.checked_by_name,
            complete: c.complete,
            items: serde_json::from_str(&c.items).unwrap_or_default(),
            reason: c.reason,
        })
        .collect();
    let events = repo::events(conn.conn(), id)
        .await?
        .into_iter()
        .map(|e| Event {
            at: e.at,
            person: e.person_name,
            kind: e.kind,
            details: serde_json::from_str(&e.details).unwrap_or_default(),
        })
        .collect();
    let views = repo::views(conn.conn(), id)
        .await?
        .into_iter()
        .map(|(kind, person, at)| View { kind, person, at })
        .collect();
    let status = status_of(&app)?;
    let agenda = tanu_storage::repo::meetings::for_application(conn.conn(), id).await?;
    let decided = agenda
        .iter()
        .rev()
        .find(|a| a.item_status == "decided")
        .cloned();
    let mut recognised = Vec::new();
    if let Some(d) = &decided {
        let units = programmes::units(conn.conn(), app.org_id).await?;
        for (unit_id, credits, _) in
            tanu_storage::repo::meetings::recognitions(conn.conn(), d.item_id).await?
        {
            if let Some(u) = units.iter().find(|u| u.id == unit_id) {
                recognised.push(RecognitionView {
                    unit_id,
                    code: u.code.clone(),
                    title_kk: u.title_kk.clone(),
                    title_ru: u.title_ru.clone(),
                    credits,
                });
            }
        }
    }
    let meetings = agenda
        .iter()
        .map(|a| AgendaView {
            meeting_id: a.meeting_id,
            starts_at: a.starts_at,
            place: a.place.clone(),
            item_status: a.item_status.clone(),
        })
        .collect();
    Ok(ApplicationView {
        meetings,
        recognised,
        refusal_reasons: decided.and_then(|d| d.decision_reasons),
        id: app.id,
        org_id: app.org_id,
        org_name_kk: org.name_kk,
        org_name_ru: org.name_ru,
        number: app.number.clone(),
        status: app.status.clone(),
        candidate_id: app.candidate_id,
        candidate_name: app.candidate_name.clone(),
        candidate_identity: match party {
            Party::Candidate => None,
            _ if knows => app.candidate_identity.clone(),
            _ => app.candidate_identity.as_deref().map(masked),
        },
        identity_restricted: !knows,
        statement: app.statement.clone(),
        programme_id: app.programme_id,
        unit_ids: repo::units(conn.conn(), id).await?,
        rule_set_id: app.rule_set_id,
        consent_at: app.consent_at,
        submitted_at: app.submitted_at,
        certificate,
        documents,
        checks,
        events,
        reused_elsewhere,
        views,
        editable: may_edit(&app, party).is_ok(),
        checkable: party == (Party::Staff { may_check: true }) && status == Status::Submitted,
        is_candidate: party == Party::Candidate,
        due: due_of(&app),
    })
}

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

fn line(a: ApplicationRow) -> ApplicationLine {
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

/// A walk-in candidate registered by the secretary.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct WalkIn {
    /// Full name.
    pub full_name: String,
    /// E-mail, when they have one: notices and the claim code go there until the
    /// candidate claims the case (it is never matched to an account).
    #[serde(default)]
    pub email: Option<String>,
    /// IIN.
    #[serde(default)]
    pub iin: Option<String>,
    /// Foreign document number, without an IIN.
    #[serde(default)]
    pub foreign_document: Option<String>,
    /// Language of the notices: `kk`, `ru` or `en` (default `kk`).
    #[serde(default)]
    pub locale: Option<String>,
    /// The application itself.
    #[serde(flatten)]
    pub application: ApplicationInput,
}

/// A walk-in's application with the code that lets the candidate claim it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WalkInRegistered {
    /// The application.
    #[serde(flatten)]
    pub application: ApplicationView,
    /// The one-time code (printed on the receipt, and e-mailed when an e-mail was
    /// given) with which the candidate attaches the case to their own verified
    /// account. Shown once; only its hash is kept.
    pub claim_code: String,
}

/// The secretary registers an application on behalf of a walk-in candidate; the scans
/// are then uploaded by staff. The case belongs to the organisation's own record of the
/// candidate – name, IIN and e-mail as typed at the desk – and is never attached to an
/// existing account, whoever holds that IIN or e-mail: the candidate claims it with the
/// code. The record and the application are created together or not at all.
/// Whether the actor registers walk-ins in the organisation: its admins and
/// secretaries, and the operator (the form is shown to them only).
pub fn may_register_walk_ins(actor: &Actor, scope: &OrgScope) -> Result<(), AppError> {
    if actor.is_operator
        || actor
            .roles_in(scope.org_id())
            .any(|r| matches!(r, Role::OrgAdmin | Role::Secretary))
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn register_walk_in(
    ctx: &Ctx,
    actor: &Actor,
    scope: &OrgScope,
    input: &WalkIn,
    now: OffsetDateTime,
) -> Result<WalkInRegistered, AppError> {
    may_register_walk_ins(actor, scope)?;
    let name = FullName::parse(&input.full_name)?;
    let iin = optional_text(input.iin.as_deref(), "iin", 32)?
        .map(|s| Iin::parse(&s))
        .transpose()?;
    let foreign = optional_text(input.foreign_document.as_deref(), "foreign_document", 64)?;
    if iin.is_none() && foreign.is_none() {
        return Err(DomainError::IdentityRequired.into());
    }
    let email = optional_text(input.email.as_deref(), "email", 254)?
        .map(|e| Email::parse(&e))
        .transpose()?;
    let locale = match optional_text(input.locale.as_deref(), "locale", 8)? {
        Some(l) => Locale::parse(&l).ok_or(DomainError::UnknownValue {
            field: "locale",
            value: l.chars().take(8).collect(),
        })?,
        None => Locale::default(),
    };
    let iin_text = iin.map(|i| i.as_string());
    let code = crate::secrets::claim_code()?;
    let mut tx = ctx.db.begin().await?;
    let placeholder = format!(
        "walk-in-{}@tanu.invalid",
        crate::secrets::random_token()?
            .to_lowercase()
            .replace(['-', '_'], "")
    );
    let new = persons::NewPerson {
        email: &placeholder,
        full_name: name.as_str(),
        iin: None,
        foreign_document: if iin_text.is_some() {
            None
        } else {
            foreign.as_deref()
        },
        password_hash: None,
        locale: locale.as_str(),
        is_operator: false,
        is_candidate: true,
    };
    let record = persons::insert(tx.conn(), &new, now).await?;
    walk_ins::insert(
        tx.conn(),
        &walk_ins::NewWalkIn {
            person_id: record,
            org_id: scope.org_id(),
            iin: iin_text.as_deref(),
            contact_email: email.as_ref().map(Email::as_str),
            claim_code_hash: &crate::secrets::token_hash(&code),
            created_by: actor.person_id,
        },
        now,
    )
    .await?;
    let application = ApplicationInput {
        org_id: scope.org_id(),
        ..input.application.clone()
    };
    let id = create_in(&mut tx, actor, record, name.as_str(), &application, now).await?;
    if email.is_some() {
        let app = repo::get(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let org = organisations::get(tx.conn(), scope.org_id()).await?;
        let number = app.number.unwrap_or_else(|| format!("#{id}"));
        notify::tell(
            tx.conn(),
            record,
            Some(scope.org_id()),
            notify::Kind::WalkInClaim,
            &|lang| {
                let org_name = org.as_ref().map_or(String::new(), |o| {
                    if lang == Locale::Ru {
                        o.name_ru.clone()
                    } else {
                        o.name_kk.clone()
                    }
                });
                vec![
                    ("org", org_name),
                    ("number", number.clone()),
                    ("code", code.clone()),
                ]
            },
            "/claim",
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(WalkInRegistered {
        application: get(ctx, actor, id, now).await?,
        claim_code: code,
    })
}

/// A candidate attaches a walk-in case to their own account with its claim code. The
/// account's e-mail must be verified, and when the record and the account both carry
/// an IIN (or a foreign document number) they must be the same. The claim is recorded
/// in each application's history and in the audit trail of the organisation.
pub async fn claim_walk_in(
    ctx: &Ctx,
    actor: &Actor,
    code: &str,
    now: OffsetDateTime,
) -> Result<Vec<i64>, AppError> {
    if !actor.email_verified {
        return Err(AppError::email_unverified());
    }
    // 60 random bits are not guessed online; ten tries an hour per account make sure.
    crate::accounts::throttle(
        ctx,
        "claim",
        &actor.person_id.to_string(),
        10,
        time::Duration::hours(1),
        now,
    )
    .await?;
    let code = crate::secrets::normalise_claim_code(code);
    let refused = || AppError::Refused(Refusal::ClaimCodeInvalid);
    if code.is_empty() {
        return Err(refused());
    }
    let mut tx = ctx.db.begin().await?;
    let record = walk_ins::unclaimed_by_code(tx.conn(), &crate::secrets::token_hash(&code))
        .await?
        .ok_or_else(refused)?;
    let account = persons::by_id(tx.conn(), actor.person_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let record_person = persons::by_id(tx.conn(), record.person_id)
        .await?
        .ok_or_else(refused)?;
    let differs = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if x.trim().to_uppercase() != y.trim().to_uppercase());
    if differs(&record.iin, &account.iin)
        || differs(&record_person.foreign_document, &account.foreign_document)
        || (record.iin.is_some() && account.iin.is_none() && account.foreign_document.is_some())
    {
        return Err(AppError::Refused(Refusal::ClaimIdentityMismatch));
    }
    let ids: Vec<i64> = repo::ids_of_candidate(tx.conn(), record.person_id).await?;
    walk_ins::claim(tx.conn(), record.person_id, actor.person_id, now).await?;
    persons::make_candidate(tx.conn(), actor.person_id).await?;
    for id in &ids {
        repo::insert_event(
            tx.conn(),
            *id,
            actor.person_id,
            "claimed",
            &event(serde_json::json!({})),
            now,
        )
        .await?;
    }
    crate::audit::record(
        tx.conn(),
        actor.person_id,
        Some(record.org_id),
        "walk-in-claimed",
        "person",
        Some(record.person_id),
        serde_json::json!({ "applications": ids }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ids)
}

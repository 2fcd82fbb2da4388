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
use tanu_domain::meeting::ItemStatus;
use tanu_domain::person::optional_text;
use tanu_domain::{DomainError, Email, FullName, Iin, Locale, OrgNames, Role};
use tanu_storage::repo::applications::{self as repo, ApplicationRow, CertificateRow, QueueFilter};
use tanu_storage::repo::{organisations, persons, programmes, walk_ins};
use tanu_storage::{Conn, StorageError, Tx};
use time::{Date, OffsetDateTime};

use crate::{Actor, AppError, Ctx, OrgScope, Refusal, notify};

mod consent;
mod files;
mod queue;
mod view;
mod walk_in;

pub use consent::*;
pub use files::*;
pub use queue::*;
pub use view::*;
pub use walk_in::*;

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
    // A draft the retention policy deleted is gone.
    if app.purged_at.is_some() && app.status == Status::Draft.as_str() {
        return Err(AppError::NotFound);
    }
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
    /// Where the item stands.
    pub item_status: ItemStatus,
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
    /// When its statement and files were purged (retention, or the candidate's
    /// withdrawal of consent); the record of what happened stays.
    #[serde(with = "time::serde::rfc3339::option")]
    pub purged_at: Option<OffsetDateTime>,
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
    let search = search_text(candidate_name, None);
    let draft = repo::NewApplication {
        org_id: org.id,
        candidate_id,
        statement: "",
        programme_id: None,
        consent_at: None,
        search: &search,
    };
    let id = repo::insert(tx.conn(), &draft, actor.person_id, now).await?;
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
        let item = live.status.withdraw()?;
        tanu_storage::repo::meetings::set_item_status(tx.conn(), live.item_id, item).await?;
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

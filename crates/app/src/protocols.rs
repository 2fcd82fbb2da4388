//! Protocols (rule 9): the minutes of a held meeting generated from its record, free
//! text added by the secretary, approval by the presiding officer and the secretary,
//! the final numbered document, addenda, extracts for candidates, and the public check
//! of any issued document by its code or its bytes.
//!
//! What a protocol says is gathered from the meeting into the PDF crate's model. While
//! a draft, it is gathered anew for each preview; sent for approval, it is frozen in the
//! protocol's row (`snapshot`), so the signers approve exactly what will be issued. A
//! final protocol's documents are rendered once per language, stored with their SHA-256
//! and the installation's signature, and served from the store ever after.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tanu_domain::DomainError;
use tanu_domain::protocol::{self as rules, ProtocolStatus, SignerRole};
use tanu_domain::rule_set::Quorum;
use tanu_pdf::model;
use tanu_storage::repo::applications as apps_repo;
use tanu_storage::repo::commissions as com_repo;
use tanu_storage::repo::meetings::{self as meetings_repo, MeetingRow};
use tanu_storage::repo::protocols::{self as repo, IssuedRow, NewIssued, ProtocolRow, Signers};
use tanu_storage::repo::{organisations, programmes, rule_sets};
use tanu_storage::{Conn, StorageError};
use time::OffsetDateTime;

use crate::meetings::grouped;
use crate::signing::Signer;
use crate::{Actor, AppError, Ctx, OrgScope};

/// What issuing documents needs: the typesetter, the signing key and the address the
/// verification links point to.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// The warm typesetting engine.
    pub pdf: Arc<tanu_pdf::Renderer>,
    /// The installation's key.
    pub signer: Arc<Signer>,
    /// Public base URL, e.g. `https://tanu.example.kz` (no trailing slash).
    pub public_url: String,
}

/// The languages documents are written in.
pub const LANGS: [&str; 3] = ["kk", "ru", "en"];

/// Languages a final protocol is issued in at once; English is issued on request.
const ISSUED_AT_ONCE: [&str; 2] = ["kk", "ru"];

use tanu_domain::dates::{fmt_date, fmt_datetime, fmt_time, local_time as kz};

fn event(v: serde_json::Value) -> String {
    v.to_string()
}

fn corrupt(column: &'static str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(StorageError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

fn check_lang(lang: &str) -> Result<&'static str, AppError> {
    LANGS.iter().find(|l| **l == lang).copied().ok_or_else(|| {
        DomainError::UnknownValue {
            field: "lang",
            value: lang.to_owned(),
        }
        .into()
    })
}

/// The organisation's names, by language.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrgNames {
    /// Kazakh.
    pub kk: String,
    /// Russian.
    pub ru: String,
    /// English, when given.
    pub en: Option<String>,
}

impl OrgNames {
    fn get(&self, lang: &str) -> &str {
        match lang {
            "ru" => &self.ru,
            "en" => self.en.as_deref().unwrap_or(&self.ru),
            _ => &self.kk,
        }
    }
}

/// The frozen content of a protocol: the document (in no language yet) and the names of
/// the organisation in each language.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    names: OrgNames,
    doc: model::Protocol,
}

impl Snapshot {
    fn in_lang(&self, lang: &str) -> model::Protocol {
        let mut d = self.doc.clone();
        d.lang = lang.to_owned();
        d.organisation = self.names.get(lang).to_owned();
        d
    }
}

/// One who approves, as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignerView {
    /// `presiding` or `secretary`.
    pub role: String,
    /// For the presiding officer: `chair` or `deputy`.
    pub office: Option<String>,
    /// Name.
    pub name: String,
    /// Whether they have an account (otherwise an admin records their paper signature).
    pub has_account: bool,
    /// When approved.
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    /// Recorded from a paper signature.
    pub on_paper: bool,
}

/// A document issued with a verification code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedView {
    /// Verification code.
    pub code: String,
    /// `protocol` or `extract`.
    pub kind: String,
    /// Language.
    pub lang: String,
    /// The application, for an extract.
    pub application_id: Option<i64>,
    /// SHA-256 of the PDF, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// When issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
}

impl From<&IssuedRow> for IssuedView {
    fn from(r: &IssuedRow) -> Self {
        Self {
            code: r.code.clone(),
            kind: r.kind.clone(),
            lang: r.lang.clone(),
            application_id: r.application_id,
            sha256: r.sha256.clone(),
            size: r.size,
            issued_at: r.issued_at,
        }
    }
}

/// A protocol or addendum in lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProtocolRef {
    /// Id.
    pub id: i64,
    /// `protocol` or `addendum`.
    pub kind: String,
    /// `draft`, `signing` or `final`.
    pub status: String,
    /// `7/2026` once final.
    pub number: Option<String>,
    /// Meeting.
    pub meeting_id: i64,
    /// When the meeting started.
    #[serde(with = "time::serde::rfc3339")]
    pub meeting_starts_at: OffsetDateTime,
    /// Made final.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finalised_at: Option<OffsetDateTime>,
}

/// A protocol with what its page needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProtocolView {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Meeting.
    pub meeting_id: i64,
    /// Commission.
    pub commission_id: i64,
    /// Commission's name.
    pub commission_name: String,
    /// When the meeting started.
    #[serde(with = "time::serde::rfc3339")]
    pub meeting_starts_at: OffsetDateTime,
    /// `protocol` or `addendum`.
    pub kind: String,
    /// For an addendum: the protocol it corrects.
    pub amends: Option<ProtocolRef>,
    /// `draft`, `signing` or `final`.
    pub status: String,
    /// `7/2026` once final.
    pub number: Option<String>,
    /// Free text before the agenda.
    pub opening_text: String,
    /// Free text after the items.
    pub closing_text: String,
    /// What an addendum corrects.
    pub addendum_text: String,
    /// Who approves (named once sent; foreseen while a draft).
    pub signers: Vec<SignerView>,
    /// Whether the caller prepares it (secretary or admin).
    pub can_prepare: bool,
    /// Whether the caller is a signer who has yet to approve.
    pub can_approve: bool,
    /// Whether the caller may record a paper signature (admin, signer without account).
    pub can_record_paper: bool,
    /// Documents issued.
    pub documents: Vec<IssuedView>,
    /// Addenda to this protocol.
    pub addenda: Vec<ProtocolRef>,
    /// History.
    pub events: Vec<crate::meetings::MeetingEvent>,
}

/// The free text the secretary adds (rule 9: free form).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TextsInput {
    /// Before the agenda.
    #[serde(default)]
    pub opening_text: String,
    /// After the items.
    #[serde(default)]
    pub closing_text: String,
    /// For an addendum: what it corrects.
    #[serde(default)]
    pub addendum_text: Option<String>,
}

/// A PDF to send.
#[derive(Debug, Clone)]
pub struct Pdf {
    /// Suggested file name.
    pub file_name: String,
    /// The bytes.
    pub bytes: bytes::Bytes,
    /// Verification code, for an issued document.
    pub code: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Access

/// The organisation's admin or the commission's current secretary prepares protocols.
async fn may_prepare(
    conn: Conn<'_>,
    scope: &OrgScope,
    commission_id: i64,
) -> Result<bool, AppError> {
    if scope.is_admin() {
        return Ok(true);
    }
    Ok(com_repo::current_secretary(conn, commission_id)
        .await?
        .is_some_and(|s| s.person_id == scope.person_id()))
}

async fn require_preparer(
    conn: Conn<'_>,
    scope: &OrgScope,
    commission_id: i64,
) -> Result<(), AppError> {
    if may_prepare(conn, scope, commission_id).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn locked(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
) -> Result<(tanu_storage::Tx, ProtocolRow), AppError> {
    let mut tx = ctx.db.begin().await?;
    let p = repo::lock_get(tx.conn(), scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((tx, p))
}

fn status(p: &ProtocolRow) -> Result<ProtocolStatus, AppError> {
    ProtocolStatus::parse(&p.status).map_err(AppError::from)
}

fn approved_roles(approvals: &[repo::ApprovalRow]) -> Vec<SignerRole> {
    approvals
        .iter()
        .filter_map(|a| SignerRole::parse(&a.role).ok())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Gathering the content from the meeting's record

struct Gathered {
    names: OrgNames,
    doc: model::Protocol,
    presiding_person_id: Option<i64>,
    secretary_person_id: Option<i64>,
}

/// Who signs a meeting's protocol: the member who presided (as chair or deputy, rule 8)
/// and the commission's secretary on the meeting's date (the current one if none was
/// recorded then).
struct Signatories {
    presiding_role: &'static str,
    presiding_name: String,
    presiding_person_id: Option<i64>,
    secretary_name: String,
    secretary_person_id: Option<i64>,
}

/// The signatories of a meeting's protocol; `everyone` is the commission's members, past
/// and present (`com_repo::all_members`), which the caller has read anyway.
async fn signatories(
    mut conn: Conn<'_>,
    m: &MeetingRow,
    everyone: &[com_repo::MemberRow],
) -> Result<Signatories, AppError> {
    let presiding = m
        .presiding_member_id
        .and_then(|id| everyone.iter().find(|x| x.id == id));
    let at = m.opened_at.unwrap_or(m.starts_at);
    let secretary = match com_repo::secretary_at(conn.reborrow(), m.commission_id, at).await? {
        Some(s) => Some(s),
        None => com_repo::current_secretary(conn.reborrow(), m.commission_id).await?,
    };
    Ok(Signatories {
        presiding_role: if m.presiding_as_deputy == Some(true) {
            "deputy"
        } else {
            "chair"
        },
        presiding_name: presiding.map(|x| x.full_name.clone()).unwrap_or_default(),
        presiding_person_id: presiding.and_then(|x| x.person_id),
        secretary_name: secretary
            .as_ref()
            .map(|s| s.full_name.clone())
            .unwrap_or_default(),
        secretary_person_id: secretary.map(|s| s.person_id),
    })
}

fn choice_of(v: &str) -> String {
    match v {
        "recognise" | "refuse" | "abstain" => v.to_owned(),
        _ => "none".to_owned(),
    }
}

fn result_of(item_status: &str, adopted: Option<&str>) -> String {
    match (item_status, adopted) {
        ("decided", Some("recognise")) => "recognised",
        ("decided", Some("refuse")) => "refused",
        ("not-adopted", _) => "not-adopted",
        ("moved", _) => "moved",
        _ => "pending",
    }
    .to_owned()
}

/// Collects what the protocol of meeting `m` says, as of now.
async fn gather(mut conn: Conn<'_>, m: &MeetingRow, p: &ProtocolRow) -> Result<Gathered, AppError> {
    let org = organisations::get(conn.reborrow(), m.org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let commission = com_repo::get(conn.reborrow(), m.org_id, m.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rule_set = rule_sets::get(conn.reborrow(), commission.rule_set_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let params: tanu_domain::RuleSetParams =
        serde_json::from_str(&rule_set.params).map_err(|e| corrupt("rule_sets.params", e))?;
    // The composition on the meeting's date: as it was when the meeting opened.
    let at = m.opened_at.unwrap_or(m.starts_at);
    let members = com_repo::members_at(conn.reborrow(), m.commission_id, at).await?;
    let offices = com_repo::offices_at(conn.reborrow(), m.commission_id, at).await?;
    let attendance = meetings_repo::attendance(conn.reborrow(), m.id).await?;
    let everyone = com_repo::all_members(conn.reborrow(), m.commission_id).await?;
    let member_name = |id: i64| {
        everyone
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.full_name.clone())
            .unwrap_or_default()
    };
    let present_ids: Vec<i64> = attendance
        .iter()
        .filter(|(_, p)| *p)
        .map(|(id, _)| *id)
        .collect();
    let doc_members: Vec<model::Member> = members
        .iter()
        .map(|x| model::Member {
            name: x.full_name.clone(),
            position: if x.home_organisation.is_empty() {
                x.position.clone()
            } else {
                format!("{}, {}", x.position, x.home_organisation)
            },
            office: offices
                .iter()
                .find(|o| o.member_id == x.id)
                .map(|o| o.office.clone()),
            teacher: x.is_teacher,
            present: present_ids.contains(&x.id),
        })
        .collect();
    let present = doc_members.iter().filter(|x| x.present).count();
    let quorum: Quorum = params.quorum;
    let quorum_min = quorum.minimum(u32::try_from(members.len()).unwrap_or(u32::MAX));
    let signers = signatories(conn.reborrow(), m, &everyone).await?;

    let units = programmes::units(conn.reborrow(), m.org_id).await?;
    let progs = programmes::list(conn.reborrow(), m.org_id).await?;
    // The agenda, then what belongs to its items, read for the whole meeting at once.
    let agenda = meetings_repo::items(conn.reborrow(), m.id).await?;
    let apps: HashMap<i64, apps_repo::ApplicationRow> = apps_repo::on_agenda(conn.reborrow(), m.id)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let documents_of = grouped(
        apps_repo::documents_on_agenda(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|d| (d.application_id, d)),
    );
    let checks_of = grouped(
        apps_repo::checks_on_agenda(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|c| (c.key, c.row)),
    );
    let certificates: HashMap<i64, apps_repo::CertificateRow> =
        apps_repo::certificates_on_agenda(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|c| (c.key, c.row))
            .collect();
    let mut recusals_of = grouped(
        meetings_repo::recusals_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|(item, member, reason)| (item, (member, reason))),
    );
    let mut votes_of = grouped(
        meetings_repo::votes_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|v| (v.key, v.row)),
    );
    let mut recognitions_of = grouped(
        meetings_repo::recognitions_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|(item, unit, credits, outcomes)| (item, (unit, credits, outcomes))),
    );
    let mut assessments_of = grouped(
        meetings_repo::assessments_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|(item, outcome, level, comment)| {
                (
                    item,
                    model::Assessment {
                        outcome,
                        level,
                        comment,
                    },
                )
            }),
    );
    let mut items = Vec::new();
    for (n, it) in agenda.into_iter().enumerate() {
        let app = apps.get(&it.application_id).ok_or(AppError::NotFound)?;
        let no_documents = Vec::new();
        let documents = documents_of.get(&app.id).unwrap_or(&no_documents);
        let mut docs: Vec<model::Document> = documents
            .iter()
            .map(|d| model::Document {
                kind: d.kind.clone(),
                file_name: d.original_name.clone(),
            })
            .collect();
        if !docs.iter().any(|d| d.kind == "statement") && !app.statement.trim().is_empty() {
            docs.insert(
                0,
                model::Document {
                    kind: "statement".to_owned(),
                    file_name: String::new(),
                },
            );
        }
        let checked = checks_of
            .get(&app.id)
            .into_iter()
            .flatten()
            .filter(|c| c.complete)
            .max_by_key(|c| c.checked_at)
            .map(|c| {
                format!(
                    "{}, {}",
                    fmt_date(kz(c.checked_at).date()),
                    c.checked_by_name
                )
            })
            .unwrap_or_default();
        let cert = certificates.get(&app.id).cloned();
        let claimed: Vec<String> = cert
            .as_ref()
            .map(|c| serde_json::from_str(&c.outcomes).unwrap_or_default())
            .unwrap_or_default();
        let recusals = recusals_of.remove(&it.id).unwrap_or_default();
        let votes = votes_of.remove(&it.id).unwrap_or_default();
        let taking_part = it.taking_part_members();
        let mut vote_lines: Vec<model::Vote> = Vec::new();
        for id in &taking_part {
            vote_lines.push(model::Vote {
                name: member_name(*id),
                choice: votes
                    .iter()
                    .find(|v| v.member_id == *id)
                    .map_or_else(|| "none".to_owned(), |v| choice_of(&v.choice)),
            });
        }
        let tally = match (it.taking_part, it.recognise, it.refuse, it.abstain) {
            (Some(t), Some(r), Some(f), Some(a)) => {
                let u = |v: i64| usize::try_from(v).unwrap_or(0);
                Some(model::Tally {
                    taking_part: u(t),
                    recognise: u(r),
                    refuse: u(f),
                    abstain: u(a),
                    missing: u(t).saturating_sub(u(r) + u(f) + u(a)),
                    needed: u(t) / 2 + 1,
                    adopted: it.adopted.clone(),
                })
            }
            _ => None,
        };
        let mut recognised = Vec::new();
        for (unit_id, credits, outcomes) in recognitions_of.remove(&it.id).unwrap_or_default() {
            let unit = units.iter().find(|u| u.id == unit_id);
            let programme = unit.and_then(|u| progs.iter().find(|p| p.id == u.programme_id));
            recognised.push(model::RecognisedUnit {
                programme: programme
                    .map(|p| format!("{} {}", p.code, p.title_kk))
                    .unwrap_or_default(),
                code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                title: unit
                    .map(|u| {
                        if u.title_ru.is_empty() || u.title_ru == u.title_kk {
                            u.title_kk.clone()
                        } else {
                            format!("{} / {}", u.title_kk, u.title_ru)
                        }
                    })
                    .unwrap_or_default(),
                credits: u32::try_from(credits).unwrap_or(0),
                of_credits: unit.map_or(0, |u| u32::try_from(u.credits).unwrap_or(0)),
                outcomes: serde_json::from_str(&outcomes).unwrap_or_default(),
            });
        }
        let credits_total = recognised.iter().map(|u| u.credits).sum();
        items.push(model::Item {
            position: n + 1,
            application_number: app.number.clone().unwrap_or_default(),
            candidate: app.candidate_name.clone(),
            candidate_present: it.candidate_present,
            statement: app.statement.clone(),
            documents: docs,
            checked,
            certificate: cert.map(|c| model::Certificate {
                kind: c.kind,
                provider: c.provider_name,
                provider_bin: c.provider_bin,
                programme: c.programme_title,
                hours: c.hours.and_then(|h| u32::try_from(h).ok()),
                number: c.number,
                issued_on: fmt_date(c.issued_on),
            }),
            claimed_outcomes: claimed,
            interview_notes: it.interview_notes.clone(),
            assessments: assessments_of.remove(&it.id).unwrap_or_default(),
            recusals: recusals
                .iter()
                .map(|(id, reason)| model::Recusal {
                    name: member_name(*id),
                    reason: reason.clone(),
                })
                .collect(),
            votes: vote_lines,
            tally,
            result: result_of(&it.status, it.adopted.as_deref()),
            reasons: it.decision_reasons.clone(),
            recognised,
            credits_total,
        });
    }

    let amends = match p.amends_id {
        Some(id) => repo::get(conn.reborrow(), m.org_id, id).await?,
        None => None,
    };
    let starts = kz(m.starts_at);
    let names = OrgNames {
        kk: org.name_kk.clone(),
        ru: org.name_ru.clone(),
        en: org.name_en.clone(),
    };
    let doc = model::Protocol {
        lang: "kk".to_owned(),
        number: None,
        draft: true,
        addendum_to: amends.as_ref().map(|a| {
            format!(
                "№ {}, {}",
                match (a.seq, a.year) {
                    (Some(s), Some(y)) => rules::number(s, y),
                    _ => String::new(),
                },
                fmt_date(starts.date())
            )
        }),
        addendum_text: p.addendum_text.clone(),
        organisation: org.name_kk.clone(),
        organisation_bin: org.bin.clone(),
        commission: commission.name.clone(),
        commission_term: format!(
            "{} – {}",
            fmt_date(commission.term_from),
            fmt_date(commission.term_to)
        ),
        date: fmt_date(starts.date()),
        time: fmt_time(m.starts_at),
        place: m.place.clone(),
        rule_set: format!("{} — {}", rule_set.code, rule_set.title),
        members: doc_members,
        present,
        quorum: usize::try_from(quorum_min).unwrap_or(usize::MAX),
        quorum_met: quorum.is_met(
            u32::try_from(present).unwrap_or(u32::MAX),
            u32::try_from(members.len()).unwrap_or(u32::MAX),
        ),
        presiding: signers.presiding_name.clone(),
        presiding_as_deputy: m.presiding_as_deputy == Some(true),
        secretary: signers.secretary_name.clone(),
        opening_text: p.opening_text.clone(),
        closing_text: p.closing_text.clone(),
        items: if p.kind == "addendum" {
            Vec::new()
        } else {
            items
        },
        signatures: vec![
            model::Signature {
                role: signers.presiding_role.to_owned(),
                name: signers.presiding_name,
                approved_at: None,
            },
            model::Signature {
                role: "secretary".to_owned(),
                name: signers.secretary_name,
                approved_at: None,
            },
        ],
        verification: None,
        generated_at: String::new(),
    };
    Ok(Gathered {
        names,
        doc,
        presiding_person_id: signers.presiding_person_id,
        secretary_person_id: signers.secretary_person_id,
    })
}

fn snapshot_of(p: &ProtocolRow) -> Result<Option<Snapshot>, AppError> {
    p.snapshot
        .as_deref()
        .map(|s| serde_json::from_str(s).map_err(|e| corrupt("protocols.snapshot", e)))
        .transpose()
}

fn with_approvals(doc: &mut model::Protocol, approvals: &[repo::ApprovalRow]) {
    for sig in &mut doc.signatures {
        let role = if sig.role == "secretary" {
            "secretary"
        } else {
            "presiding"
        };
        sig.approved_at = approvals
            .iter()
            .find(|a| a.role == role)
            .map(|a| fmt_datetime(a.at));
    }
}

// ---------------------------------------------------------------------------------------
// Reading

async fn meeting_of(
    conn: Conn<'_>,
    scope: &OrgScope,
    p: &ProtocolRow,
) -> Result<MeetingRow, AppError> {
    meetings_repo::get(conn, scope.org_id(), p.meeting_id)
        .await?
        .ok_or(AppError::NotFound)
}

fn reference(p: &ProtocolRow, m: &MeetingRow) -> ProtocolRef {
    ProtocolRef {
        id: p.id,
        kind: p.kind.clone(),
        status: p.status.clone(),
        number: match (p.seq, p.year) {
            (Some(s), Some(y)) => Some(rules::number(s, y)),
            _ => None,
        },
        meeting_id: p.meeting_id,
        meeting_starts_at: m.starts_at,
        finalised_at: p.finalised_at,
    }
}

/// A protocol with its signers, documents, addenda and history.
pub async fn get(ctx: &Ctx, scope: &OrgScope, id: i64) -> Result<ProtocolView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let p = repo::get(conn.conn(), scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = meeting_of(conn.conn(), scope, &p).await?;
    let commission = com_repo::get(conn.conn(), scope.org_id(), p.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let approvals = repo::approvals(conn.conn(), id).await?;
    let st = status(&p)?;
    // Signers: named on the row once sent; foreseen from the meeting while a draft.
    let (presiding_role, presiding_name, presiding_person, secretary_name, secretary_person) =
        if st == ProtocolStatus::Draft {
            let everyone = com_repo::all_members(conn.conn(), m.commission_id).await?;
            let s = signatories(conn.conn(), &m, &everyone).await?;
            (
                s.presiding_role.to_owned(),
                s.presiding_name,
                s.presiding_person_id,
                s.secretary_name,
                s.secretary_person_id,
            )
        } else {
            (
                p.presiding_role.clone().unwrap_or_default(),
                p.presiding_name.clone().unwrap_or_default(),
                p.presiding_person_id,
                p.secretary_name.clone().unwrap_or_default(),
                p.secretary_person_id,
            )
        };
    let approval = |role: &str| approvals.iter().find(|a| a.role == role);
    let signers = vec![
        SignerView {
            role: "presiding".to_owned(),
            office: Some(presiding_role),
            name: presiding_name,
            has_account: presiding_person.is_some(),
            approved_at: approval("presiding").map(|a| a.at),
            on_paper: approval("presiding").is_some_and(|a| a.on_paper),
        },
        SignerView {
            role: "secretary".to_owned(),
            office: None,
            name: secretary_name,
            has_account: secretary_person.is_some(),
            approved_at: approval("secretary").map(|a| a.at),
            on_paper: approval("secretary").is_some_and(|a| a.on_paper),
        },
    ];
    let can_approve = st == ProtocolStatus::Signing
        && rules::roles_to_approve(
            scope.person_id(),
            presiding_person,
            secretary_person,
            &approved_roles(&approvals),
        )
        .is_ok();
    let can_record_paper = st == ProtocolStatus::Signing
        && scope.is_admin()
        && signers
            .iter()
            .any(|s| !s.has_account && s.approved_at.is_none());
    let amends = match p.amends_id {
        Some(a) => repo::get(conn.conn(), scope.org_id(), a)
            .await?
            .map(|a| reference(&a, &m)),
        None => None,
    };
    let addenda = repo::of_meeting(conn.conn(), p.meeting_id)
        .await?
        .iter()
        .filter(|a| a.amends_id == Some(p.id))
        .map(|a| reference(a, &m))
        .collect();
    let documents = repo::issued_of_protocol(conn.conn(), id)
        .await?
        .iter()
        .map(IssuedView::from)
        .collect();
    let events = repo::events(conn.conn(), id)
        .await?
        .into_iter()
        .map(
            |(at, person, kind, details)| crate::meetings::MeetingEvent {
                at,
                person,
                kind,
                details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
            },
        )
        .collect();
    Ok(ProtocolView {
        id: p.id,
        org_id: p.org_id,
        meeting_id: p.meeting_id,
        commission_id: p.commission_id,
        commission_name: commission.name,
        meeting_starts_at: m.starts_at,
        kind: p.kind.clone(),
        amends,
        status: p.status.clone(),
        number: reference(&p, &m).number,
        opening_text: p.opening_text.clone(),
        closing_text: p.closing_text.clone(),
        addendum_text: p.addendum_text.clone(),
        signers,
        can_prepare: may_prepare(conn.conn(), scope, p.commission_id).await?,
        can_approve,
        can_record_paper,
        documents,
        addenda,
        events,
    })
}

/// The protocol of a meeting (not its addenda), when one has been started.
pub async fn of_meeting(
    ctx: &Ctx,
    scope: &OrgScope,
    meeting_id: i64,
) -> Result<Option<ProtocolRef>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let m = meetings_repo::get(conn.conn(), scope.org_id(), meeting_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(repo::of_meeting(conn.conn(), meeting_id)
        .await?
        .iter()
        .find(|p| p.kind == "protocol")
        .map(|p| reference(p, &m)))
}

/// Final protocols and addenda of the organisation, newest first.
pub async fn finals(ctx: &Ctx, scope: &OrgScope) -> Result<Vec<ProtocolRef>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    // A protocol and its addenda share their meeting: read each meeting once.
    let mut meetings: std::collections::HashMap<i64, MeetingRow> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for p in repo::finals(conn.conn(), scope.org_id(), 500).await? {
        if let std::collections::hash_map::Entry::Vacant(e) = meetings.entry(p.meeting_id) {
            e.insert(meeting_of(conn.conn(), scope, &p).await?);
        }
        if let Some(m) = meetings.get(&p.meeting_id) {
            out.push(reference(&p, m));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Preparing and approving

/// Starts the protocol of a held meeting (or returns the one already started).
pub async fn start(
    ctx: &Ctx,
    scope: &OrgScope,
    meeting_id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let mut tx = ctx.db.begin().await?;
    if !meetings_repo::lock(tx.conn(), scope.org_id(), meeting_id).await? {
        return Err(AppError::NotFound);
    }
    let m = meetings_repo::get(tx.conn(), scope.org_id(), meeting_id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_preparer(tx.conn(), scope, m.commission_id).await?;
    if m.status != "closed" {
        return Err(DomainError::Rule9MeetingNotHeld.into());
    }
    if let Some(p) = repo::of_meeting(tx.conn(), meeting_id)
        .await?
        .into_iter()
        .find(|p| p.kind == "protocol")
    {
        drop(tx);
        return get(ctx, scope, p.id).await;
    }
    let id = repo::insert(
        tx.conn(),
        m.org_id,
        m.commission_id,
        m.id,
        "protocol",
        None,
        "",
        scope.person_id(),
        now,
    )
    .await?;
    repo::insert_event(tx.conn(), id, scope.person_id(), "started", "{}", now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Replaces the free text of a draft.
pub async fn update(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &TextsInput,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    save_texts(ctx, scope, id, input, now).await?;
    get(ctx, scope, id).await
}

/// Replaces the free text of a draft, without reading the protocol back.
pub async fn save_texts(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    input: &TextsInput,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    require_preparer(tx.conn(), scope, p.commission_id).await?;
    status(&p)?.check_editable()?;
    let opening = rules::free_text(&input.opening_text, "opening_text")?;
    let closing = rules::free_text(&input.closing_text, "closing_text")?;
    let addendum = if p.kind == "addendum" {
        rules::addendum_text(input.addendum_text.as_deref().unwrap_or(&p.addendum_text))?
    } else {
        String::new()
    };
    repo::set_texts(tx.conn(), id, &opening, &closing, &addendum).await?;
    repo::note_edit(tx.conn(), id, scope.person_id(), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a draft for approval: its content is frozen and its signers named.
pub async fn send(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    require_preparer(tx.conn(), scope, p.commission_id).await?;
    status(&p)?.send()?;
    let m = meeting_of(tx.conn(), scope, &p).await?;
    let g = gather(tx.conn(), &m, &p).await?;
    if g.doc.presiding.is_empty() {
        return Err(DomainError::Rule8NoPresidingOfficer.into());
    }
    if g.doc.secretary.is_empty() {
        return Err(DomainError::Rule8NoSecretary.into());
    }
    let snapshot = Snapshot {
        names: g.names,
        doc: g.doc,
    };
    let text = serde_json::to_string(&snapshot).map_err(AppError::other)?;
    repo::set_signing(
        tx.conn(),
        id,
        &text,
        &Signers {
            presiding_role: &snapshot.doc.signatures[0].role,
            presiding_name: &snapshot.doc.presiding,
            presiding_person_id: g.presiding_person_id,
            secretary_name: &snapshot.doc.secretary,
            secretary_person_id: g.secretary_person_id,
        },
        now,
    )
    .await?;
    repo::insert_event(tx.conn(), id, scope.person_id(), "sent", "{}", now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// Takes a protocol awaiting approval back to draft (approvals given are dropped). The
/// preparer or either signer may.
pub async fn reopen(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    let signer = [p.presiding_person_id, p.secretary_person_id].contains(&Some(scope.person_id()));
    if !signer && !may_prepare(tx.conn(), scope, p.commission_id).await? {
        return Err(AppError::Forbidden);
    }
    status(&p)?.reopen()?;
    repo::set_draft(tx.conn(), id).await?;
    repo::insert_event(tx.conn(), id, scope.person_id(), "returned", "{}", now).await?;
    tx.commit().await?;
    get(ctx, scope, id).await
}

/// The caller approves in every signer role they hold; with both approvals the protocol
/// becomes final.
pub async fn approve(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    status(&p)?.check_approvable()?;
    let approvals = repo::approvals(tx.conn(), id).await?;
    let roles = rules::roles_to_approve(
        scope.person_id(),
        p.presiding_person_id,
        p.secretary_person_id,
        &approved_roles(&approvals),
    )?;
    for r in &roles {
        repo::approve(tx.conn(), id, r.as_str(), scope.person_id(), false, now).await?;
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "approved",
        &event(
            serde_json::json!({ "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() }),
        ),
        now,
    )
    .await?;
    let became_final = finalise_if_approved(&mut tx, scope, &p, now).await?;
    tx.commit().await?;
    if became_final {
        issue_at_once(ctx, scope, id, now).await;
    }
    get(ctx, scope, id).await
}

/// The organisation's admin records the paper signature of a signer who has no account.
pub async fn record_paper_approval(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    role: &str,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden);
    }
    let role = SignerRole::parse(role)?;
    let (mut tx, p) = locked(ctx, scope, id).await?;
    status(&p)?.check_approvable()?;
    let account = match role {
        SignerRole::Presiding => p.presiding_person_id,
        SignerRole::Secretary => p.secretary_person_id,
    };
    if account.is_some() {
        return Err(DomainError::Rule9SignerHasAccount.into());
    }
    if !repo::approve(tx.conn(), id, role.as_str(), scope.person_id(), true, now).await? {
        return Err(DomainError::Rule9AlreadyApproved.into());
    }
    repo::insert_event(
        tx.conn(),
        id,
        scope.person_id(),
        "paper-approval",
        &event(serde_json::json!({ "role": role.as_str() })),
        now,
    )
    .await?;
    let became_final = finalise_if_approved(&mut tx, scope, &p, now).await?;
    tx.commit().await?;
    if became_final {
        issue_at_once(ctx, scope, id, now).await;
    }
    get(ctx, scope, id).await
}

/// With both approvals: number the protocol (per commission and year of the meeting,
/// under the commission's lock) and freeze its final content.
async fn finalise_if_approved(
    tx: &mut tanu_storage::Tx,
    scope: &OrgScope,
    p: &ProtocolRow,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let approvals = repo::approvals(tx.conn(), p.id).await?;
    if !rules::is_approved(&approved_roles(&approvals)) {
        return Ok(false);
    }
    let mut snapshot = snapshot_of(p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
    if !com_repo::lock(tx.conn(), scope.org_id(), p.commission_id).await? {
        return Err(AppError::NotFound);
    }
    let m = meeting_of(tx.conn(), scope, p).await?;
    let year = i64::from(kz(m.starts_at).year());
    let seq = repo::next_seq(tx.conn(), p.commission_id, year).await?;
    snapshot.doc.number = Some(rules::number(seq, year));
    snapshot.doc.draft = false;
    snapshot.doc.generated_at = fmt_datetime(now);
    with_approvals(&mut snapshot.doc, &approvals);
    let text = serde_json::to_string(&snapshot).map_err(AppError::other)?;
    repo::set_final(tx.conn(), p.id, year, seq, &text, now).await?;
    repo::insert_event(
        tx.conn(),
        p.id,
        scope.person_id(),
        "final",
        &event(serde_json::json!({ "number": rules::number(seq, year) })),
        now,
    )
    .await?;
    // Told: the members of the meeting with accounts, the secretary, and the candidates
    // whose applications it decided.
    let number = rules::number(seq, year);
    let commission = snapshot.doc.commission.clone();
    let at = m.opened_at.unwrap_or(m.starts_at);
    let mut staff: Vec<i64> = com_repo::members_at(tx.conn(), p.commission_id, at)
        .await?
        .into_iter()
        .filter_map(|x| x.person_id)
        .collect();
    staff.extend(p.secretary_person_id);
    staff.sort_unstable();
    staff.dedup();
    let link = format!("/orgs/{}/protocols/{}", p.org_id, p.id);
    for person in staff {
        crate::notify::tell(
            tx.conn(),
            person,
            Some(p.org_id),
            crate::notify::Kind::ProtocolFinal,
            &|_| {
                vec![
                    ("protocol", number.clone()),
                    ("commission", commission.clone()),
                ]
            },
            &link,
            None,
            now,
        )
        .await?;
    }
    if p.kind == "protocol" {
        for it in meetings_repo::items(tx.conn(), p.meeting_id).await? {
            if it.status != "decided" {
                continue;
            }
            let Some(app) = apps_repo::get(tx.conn(), it.application_id).await? else {
                continue;
            };
            crate::notify::tell(
                tx.conn(),
                app.candidate_id,
                Some(p.org_id),
                crate::notify::Kind::ProtocolFinal,
                &|_| {
                    vec![
                        ("protocol", number.clone()),
                        ("commission", commission.clone()),
                    ]
                },
                &format!("/applications/{}", app.id),
                None,
                now,
            )
            .await?;
        }
    }
    Ok(true)
}

/// Issues the final protocol in Kazakh and Russian right away. A failure here loses
/// nothing: the document is issued on its first download instead.
async fn issue_at_once(ctx: &Ctx, scope: &OrgScope, id: i64, now: OffsetDateTime) {
    for lang in ISSUED_AT_ONCE {
        if let Err(e) =
            issue_protocol(ctx, scope.org_id(), id, lang, Some(scope.person_id()), now).await
        {
            tracing::warn!(protocol = id, lang, error = %e, "issuing the final protocol failed; will retry on download");
        }
    }
}

/// Starts an addendum correcting a final protocol.
pub async fn add_addendum(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    text: &str,
    now: OffsetDateTime,
) -> Result<ProtocolView, AppError> {
    let (mut tx, p) = locked(ctx, scope, id).await?;
    require_preparer(tx.conn(), scope, p.commission_id).await?;
    if status(&p)? != ProtocolStatus::Final {
        return Err(DomainError::Rule9ProtocolNotFinal.into());
    }
    let text = rules::addendum_text(text)?;
    // An addendum always refers to the protocol itself, even when made from an addendum.
    let target = p.amends_id.unwrap_or(p.id);
    let new = repo::insert(
        tx.conn(),
        p.org_id,
        p.commission_id,
        p.meeting_id,
        "addendum",
        Some(target),
        &text,
        scope.person_id(),
        now,
    )
    .await?;
    repo::insert_event(
        tx.conn(),
        new,
        scope.person_id(),
        "started",
        &event(serde_json::json!({ "amends": target })),
        now,
    )
    .await?;
    repo::insert_event(
        tx.conn(),
        target,
        scope.person_id(),
        "addendum-started",
        &event(serde_json::json!({ "addendum": new })),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, scope, new).await
}

// ---------------------------------------------------------------------------------------
// Documents

fn file_name(prefix: &str, number: Option<&str>, lang: &str) -> String {
    let n = number.unwrap_or("draft").replace('/', "-");
    format!("{prefix}-{n}-{lang}.pdf")
}

async fn render_protocol(ctx: &Ctx, doc: model::Protocol) -> Result<Vec<u8>, AppError> {
    let pdf = ctx.issuer.pdf.clone();
    crate::cpu::in_turn(move || pdf.protocol(&doc))
        .await?
        .map_err(AppError::other)
}

async fn render_extract(ctx: &Ctx, doc: model::Extract) -> Result<Vec<u8>, AppError> {
    let pdf = ctx.issuer.pdf.clone();
    crate::cpu::in_turn(move || pdf.extract(&doc))
        .await?
        .map_err(AppError::other)
}

fn new_code() -> Result<String, AppError> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(AppError::other)?;
    Ok(rules::verification_code(random))
}

/// What the public verification page may show of a document.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicSummary {
    /// `protocol` or `extract`.
    pub kind: String,
    /// Whether the protocol is an addendum.
    pub addendum: bool,
    /// Organisation's names.
    pub organisation: OrgNames,
    /// Organisation's BIN.
    pub organisation_bin: String,
    /// Commission.
    pub commission: String,
    /// Meeting date, `DD.MM.YYYY`.
    pub meeting_date: String,
    /// Protocol number.
    pub number: String,
    /// Decisions: application number, candidate's initials, result, credits.
    pub decisions: Vec<PublicDecision>,
}

/// One decision as the public may see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicDecision {
    /// Application number.
    pub application_number: String,
    /// Candidate's initials only.
    pub candidate_initials: String,
    /// `recognised`, `refused`, `not-adopted`, `moved` or `pending`.
    pub result: String,
    /// Credits recognised.
    pub credits_total: u32,
}

fn public_decision(i: &model::Item) -> PublicDecision {
    PublicDecision {
        application_number: i.application_number.clone(),
        candidate_initials: rules::initials(&i.candidate),
        result: i.result.clone(),
        credits_total: i.credits_total,
    }
}

/// Renders, stores, signs and records one document, unless it already exists.
#[allow(clippy::too_many_arguments)]
async fn issue(
    ctx: &Ctx,
    p: &ProtocolRow,
    snapshot: &Snapshot,
    application_id: Option<i64>,
    lang: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<IssuedRow, AppError> {
    {
        let mut conn = ctx.db.acquire().await?;
        if let Some(row) = repo::issued_for(conn.conn(), p.id, application_id, lang).await? {
            return Ok(row);
        }
    }
    let code = new_code()?;
    let verification = model::Verification {
        code: code.clone(),
        url: format!("{}/verify/{}", ctx.issuer.public_url, code),
    };
    let doc = snapshot.in_lang(lang);
    let number = doc.number.clone().unwrap_or_default();
    let (bytes, kind, decisions) = match application_id {
        None => {
            let mut doc = doc;
            doc.verification = Some(verification);
            let decisions = doc.items.iter().map(public_decision).collect();
            (render_protocol(ctx, doc).await?, "protocol", decisions)
        }
        Some(app_id) => {
            let mut conn = ctx.db.acquire().await?;
            let app = apps_repo::get(conn.conn(), app_id)
                .await?
                .ok_or(AppError::NotFound)?;
            drop(conn);
            let item = doc
                .items
                .iter()
                .find(|i| {
                    Some(&i.application_number) == app.number.as_ref() && i.result != "pending"
                })
                .cloned()
                .ok_or(DomainError::Rule9NoDecision)?;
            let decisions = vec![public_decision(&item)];
            let extract = model::Extract {
                lang: doc.lang.clone(),
                organisation: doc.organisation.clone(),
                organisation_bin: doc.organisation_bin.clone(),
                commission: doc.commission.clone(),
                protocol_number: format!("№ {number}"),
                date: doc.date.clone(),
                rule_set: doc.rule_set.clone(),
                item,
                signatures: doc.signatures.clone(),
                verification,
                generated_at: doc.generated_at.clone(),
            };
            (render_extract(ctx, extract).await?, "extract", decisions)
        }
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let signature = ctx.issuer.signer.sign(&code, &sha256);
    let summary = PublicSummary {
        kind: kind.to_owned(),
        addendum: p.kind == "addendum",
        organisation: snapshot.names.clone(),
        organisation_bin: snapshot.doc.organisation_bin.clone(),
        commission: snapshot.doc.commission.clone(),
        meeting_date: snapshot.doc.date.clone(),
        number,
        decisions,
    };
    let summary = serde_json::to_string(&summary).map_err(AppError::other)?;
    let key = format!("issued/{}/{}.pdf", p.org_id, code);
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    ctx.objects.put(&key, bytes::Bytes::from(bytes)).await?;
    let mut tx = ctx.db.begin().await?;
    let inserted = repo::insert_issued(
        tx.conn(),
        &NewIssued {
            code: &code,
            kind,
            org_id: p.org_id,
            protocol_id: p.id,
            application_id,
            lang,
            object_key: &key,
            sha256: &sha256,
            size,
            key_id: ctx.issuer.signer.key_id(),
            signature: &signature,
            summary: &summary,
            issued_by: by,
        },
        now,
    )
    .await?;
    if let Some(by) = by.filter(|_| inserted.is_some()) {
        repo::insert_event(
            tx.conn(),
            p.id,
            by,
            "issued",
            &event(serde_json::json!({ "code": code, "kind": kind, "lang": lang, "sha256": sha256, "application_id": application_id })),
            now,
        )
        .await?;
    }
    let row = repo::issued_for(tx.conn(), p.id, application_id, lang)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    if inserted.is_none() {
        // Another request issued the same document meanwhile; theirs stands.
        let _ = ctx.objects.delete(&key).await;
    }
    Ok(row)
}

async fn issue_protocol(
    ctx: &Ctx,
    org_id: i64,
    id: i64,
    lang: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<IssuedRow, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let p = repo::get(conn.conn(), org_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if status(&p)? != ProtocolStatus::Final {
        return Err(DomainError::Rule9ProtocolNotFinal.into());
    }
    let snapshot = snapshot_of(&p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
    issue(ctx, &p, &snapshot, None, lang, by, now).await
}

async fn read_issued(
    ctx: &Ctx,
    row: &IssuedRow,
    prefix: &str,
    number: Option<&str>,
) -> Result<Pdf, AppError> {
    let bytes = ctx
        .objects
        .get(&row.object_key)
        .await?
        .ok_or_else(|| corrupt("issued_documents.object_key", "file missing from the store"))?;
    Ok(Pdf {
        file_name: file_name(prefix, number, &row.lang),
        bytes,
        code: Some(row.code.clone()),
    })
}

/// The protocol as PDF in a language: a preview while not final (marked as a draft),
/// the issued document once final.
pub async fn pdf(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    lang: &str,
    now: OffsetDateTime,
) -> Result<Pdf, AppError> {
    let lang = check_lang(lang)?;
    let mut conn = ctx.db.acquire().await?;
    let p = repo::get(conn.conn(), scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let prefix = if p.kind == "addendum" {
        "addendum"
    } else {
        "protocol"
    };
    match status(&p)? {
        ProtocolStatus::Final => {
            drop(conn);
            let row =
                issue_protocol(ctx, scope.org_id(), id, lang, Some(scope.person_id()), now).await?;
            let number = p.seq.zip(p.year).map(|(s, y)| rules::number(s, y));
            read_issued(ctx, &row, prefix, number.as_deref()).await
        }
        ProtocolStatus::Signing => {
            let approvals = repo::approvals(conn.conn(), id).await?;
            drop(conn);
            let snapshot =
                snapshot_of(&p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
            let mut doc = snapshot.in_lang(lang);
            with_approvals(&mut doc, &approvals);
            doc.generated_at = fmt_datetime(now);
            Ok(Pdf {
                file_name: file_name(prefix, None, lang),
                bytes: render_protocol(ctx, doc).await?.into(),
                code: None,
            })
        }
        ProtocolStatus::Draft => {
            let m = meeting_of(conn.conn(), scope, &p).await?;
            let g = gather(conn.conn(), &m, &p).await?;
            drop(conn);
            let mut doc = Snapshot {
                names: g.names,
                doc: g.doc,
            }
            .in_lang(lang);
            doc.generated_at = fmt_datetime(now);
            Ok(Pdf {
                file_name: file_name(prefix, None, lang),
                bytes: render_protocol(ctx, doc).await?.into(),
                code: None,
            })
        }
    }
}

/// The extract of the decision on an application (выписка), for the candidate or the
/// organisation's staff, once the protocol recording it is final.
pub async fn extract(
    ctx: &Ctx,
    actor: &Actor,
    application_id: i64,
    lang: &str,
    now: OffsetDateTime,
) -> Result<Pdf, AppError> {
    let lang = check_lang(lang)?;
    let mut conn = ctx.db.acquire().await?;
    let app = apps_repo::get(conn.conn(), application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::applications::may_read(actor, &app)?;
    let decided = meetings_repo::for_application(conn.conn(), application_id)
        .await?
        .into_iter()
        .rev()
        .find(|e| e.item_status == "decided")
        .ok_or(DomainError::Rule9NoDecision)?;
    let p = repo::of_meeting(conn.conn(), decided.meeting_id)
        .await?
        .into_iter()
        .find(|p| p.kind == "protocol")
        .ok_or(DomainError::Rule9ProtocolNotFinal)?;
    drop(conn);
    if status(&p)? != ProtocolStatus::Final {
        return Err(DomainError::Rule9ProtocolNotFinal.into());
    }
    let snapshot = snapshot_of(&p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
    let row = issue(
        ctx,
        &p,
        &snapshot,
        Some(application_id),
        lang,
        Some(actor.person_id),
        now,
    )
    .await?;
    let name = app
        .number
        .clone()
        .unwrap_or_else(|| application_id.to_string());
    read_issued(ctx, &row, "extract", Some(&name)).await
}

// ---------------------------------------------------------------------------------------
// Public verification

/// What the public learns of a registered document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicDocument {
    /// Verification code.
    pub code: String,
    /// Language of the document.
    pub lang: String,
    /// SHA-256 of the genuine PDF, hex.
    pub sha256: String,
    /// Size of the genuine PDF.
    pub size: i64,
    /// When issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Id of the key that signed it.
    pub key_id: String,
    /// Ed25519 signature (base64) over the statement `tanu-document-v1`, code, SHA-256.
    pub signature: String,
    /// The signed statement, exactly.
    pub signed_statement: String,
    /// What may be shown.
    pub summary: PublicSummary,
}

fn public(row: &IssuedRow) -> Result<PublicDocument, AppError> {
    Ok(PublicDocument {
        code: row.code.clone(),
        lang: row.lang.clone(),
        sha256: row.sha256.clone(),
        size: row.size,
        issued_at: row.issued_at,
        key_id: row.key_id.clone(),
        signature: row.signature.clone(),
        signed_statement: crate::signing::statement(&row.code, &row.sha256),
        summary: serde_json::from_str(&row.summary)
            .map_err(|e| corrupt("issued_documents.summary", e))?,
    })
}

/// The verdict on a document presented for checking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verdict {
    /// `genuine`: registered and unchanged; `altered`: the code is known but the file
    /// differs; `unknown`: no document has this code or these bytes; `code-only`: the
    /// code is known, no file was given to compare.
    pub verdict: String,
    /// The registered document, when one was found.
    pub document: Option<PublicDocument>,
    /// SHA-256 of the file presented, hex.
    pub presented_sha256: Option<String>,
}

/// A file presented for checking, as far as verification needs it: its SHA-256 and
/// size, counted while it streamed in (the file itself is never held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Number of bytes.
    pub size: u64,
}

/// Hashes a file presented for checking as it arrives, refusing one over `max_bytes`
/// (`file-too-large`) or cut short (`file-truncated`). Only a chunk at a time is held.
pub async fn presented<S, E>(mut stream: S, max_bytes: u64) -> Result<Presented, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| DomainError::FileTruncated)?;
        size = size.saturating_add(chunk.len() as u64);
        if size > max_bytes {
            return Err(DomainError::FileTooLarge {
                max_mb: max_bytes / (1024 * 1024),
            }
            .into());
        }
        hasher.update(&chunk);
    }
    Ok(Presented {
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

/// Checks a code and/or a presented file (see [`presented`]) against the register.
pub async fn verify(
    ctx: &Ctx,
    code: Option<&str>,
    file: Option<&Presented>,
) -> Result<Verdict, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let presented = file.map(|f| f.sha256.clone());
    let by_code = match code.filter(|c| !c.trim().is_empty()) {
        Some(c) => match rules::normalise_code(c) {
            Some(c) => repo::issued_by_code(conn.conn(), &c).await?,
            None => None,
        },
        None => None,
    };
    let code_given = code.is_some_and(|c| !c.trim().is_empty());
    let verdict = match (code_given, &by_code, &presented) {
        (true, Some(row), Some(sha)) => {
            if &row.sha256 == sha {
                ("genuine", Some(row.clone()))
            } else {
                ("altered", Some(row.clone()))
            }
        }
        (true, Some(row), None) => ("code-only", Some(row.clone())),
        (true, None, _) => ("unknown", None),
        (false, _, Some(sha)) => match repo::issued_by_sha256(conn.conn(), sha).await? {
            Some(row) => ("genuine", Some(row)),
            None => ("unknown", None),
        },
        (false, _, None) => ("unknown", None),
    };
    Ok(Verdict {
        verdict: verdict.0.to_owned(),
        document: verdict.1.as_ref().map(public).transpose()?,
        presented_sha256: presented,
    })
}

/// The installation's public key, as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    /// `Ed25519`.
    pub algorithm: String,
    /// Key id: first 16 hex digits of the SHA-256 of the raw key.
    pub key_id: String,
    /// Raw 32-byte key, base64.
    pub public_key: String,
    /// SubjectPublicKeyInfo PEM, for `openssl pkeyutl -verify -rawin`.
    pub pem: String,
    /// What is signed for each document.
    pub statement_format: String,
}

/// The public key.
pub fn public_key(ctx: &Ctx) -> PublicKey {
    let s = &ctx.issuer.signer;
    PublicKey {
        algorithm: "Ed25519".to_owned(),
        key_id: s.key_id().to_owned(),
        public_key: s.public_key_base64(),
        pem: s.public_key_pem(),
        statement_format: "tanu-document-v1\\ncode: {code}\\nsha256: {sha256 hex}\\n".to_owned(),
    }
}

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
use tanu_domain::application::DocumentKind;
use tanu_domain::meeting::{self, Choice, ItemStatus, MeetingStatus};
use tanu_domain::protocol::{self as rules, IssuedKind, ProtocolKind, ProtocolStatus, SignerRole};
use tanu_domain::rule_set::Quorum;
use tanu_pdf::model;
use tanu_storage::repo::applications as apps_repo;
use tanu_storage::repo::commissions as com_repo;
use tanu_storage::repo::meetings::{self as meetings_repo, MeetingRow};
use tanu_storage::repo::protocols::{self as repo, IssuedRow, NewIssued, ProtocolRow, Signers};
use tanu_storage::repo::{organisations, programmes, rule_sets};
use tanu_storage::{Conn, StorageError};
use time::OffsetDateTime;

use crate::access::{self, CommissionNeed};
use crate::meetings::grouped;
use crate::signing::Signer;
use crate::{Actor, AppError, Ctx, OrgScope};

mod documents;
mod gather;
mod record;
mod verify;
mod workflow;

pub use documents::*;
use gather::*;
use record::*;
pub use verify::*;
pub use workflow::*;

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
    /// A protocol or an extract.
    pub kind: IssuedKind,
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
            kind: r.kind,
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
    /// A protocol or an addendum.
    pub kind: ProtocolKind,
    /// Where it is in its life.
    pub status: ProtocolStatus,
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
    /// A protocol or an addendum.
    pub kind: ProtocolKind,
    /// For an addendum: the protocol it corrects.
    pub amends: Option<ProtocolRef>,
    /// Where it is in its life.
    pub status: ProtocolStatus,
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
    Ok(access::of_commission(conn, scope, commission_id)
        .await?
        .allows(CommissionNeed::Prepare))
}

async fn require_preparer(
    conn: Conn<'_>,
    scope: &OrgScope,
    commission_id: i64,
) -> Result<(), AppError> {
    access::of_commission(conn, scope, commission_id)
        .await?
        .require(CommissionNeed::Prepare)
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

fn approved_roles(approvals: &[repo::ApprovalRow]) -> Vec<SignerRole> {
    approvals
        .iter()
        .filter_map(|a| SignerRole::parse(&a.role).ok())
        .collect()
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
        kind: p.kind,
        status: p.status,
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
    let st = p.status;
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
        kind: p.kind,
        amends,
        status: p.status,
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
        .find(|p| p.kind == ProtocolKind::Protocol)
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

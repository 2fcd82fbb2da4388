//! Educational organisations: registered by the operator (rule 4), seen by their staff.

use serde::{Deserialize, Serialize};
use tanu_domain::person::required_text;
use tanu_domain::{Bin, OrgKind, OrgNames};
use tanu_storage::StorageError;
use tanu_storage::repo::organisations::{self, OrgFields, OrgRow};
use time::OffsetDateTime;

use crate::access::Need;
use crate::{Actor, AppError, Ctx, OrgScope, Refusal};

/// An organisation as the UI and API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organisation {
    /// Id.
    pub id: i64,
    /// Kind (rule 4): `technical-vocational`, `post-secondary`, `higher`, `postgraduate`.
    #[schema(value_type = String)]
    pub kind: OrgKind,
    /// BIN.
    #[schema(value_type = String, example = "940140000385")]
    pub bin: Bin,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: Option<String>,
    /// Address.
    pub address: String,
    /// Registered.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Organisation {
    /// The names as a domain value.
    pub fn names(&self) -> OrgNames {
        OrgNames {
            kk: self.name_kk.clone(),
            ru: self.name_ru.clone(),
            en: self.name_en.clone(),
        }
    }
}

impl TryFrom<OrgRow> for Organisation {
    type Error = StorageError;
    fn try_from(r: OrgRow) -> Result<Self, Self::Error> {
        let corrupt = |column, reason: String| StorageError::Corrupt { column, reason };
        Ok(Self {
            id: r.id,
            kind: r.kind.parse().map_err(|e: tanu_domain::DomainError| {
                corrupt("organisations.kind", e.to_string())
            })?,
            bin: Bin::parse(&r.bin).map_err(|e| corrupt("organisations.bin", e.to_string()))?,
            name_kk: r.name_kk,
            name_ru: r.name_ru,
            name_en: r.name_en,
            address: r.address,
            created_at: r.created_at,
        })
    }
}

/// Registration details, as typed into the form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OrgInput {
    /// Kind; only `technical-vocational`, `post-secondary`, `higher` and `postgraduate`
    /// are accepted (rule 4).
    pub kind: String,
    /// BIN: 12 digits with a valid check digit.
    pub bin: String,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English (optional).
    #[serde(default)]
    pub name_en: Option<String>,
    /// Postal address.
    pub address: String,
}

struct ParsedOrg {
    kind: OrgKind,
    bin: Bin,
    names: OrgNames,
    address: String,
}

impl OrgInput {
    /// Rule 4: only eligible kinds; BIN by its check digit; names and address bounded.
    fn parse(&self) -> Result<ParsedOrg, AppError> {
        let kind: OrgKind = self.kind.trim().parse()?;
        Ok(ParsedOrg {
            kind: kind.require_eligible()?,
            bin: Bin::parse(&self.bin)?,
            names: OrgNames::parse(&self.name_kk, &self.name_ru, self.name_en.as_deref())?,
            address: required_text(&self.address, "address", 500)?,
        })
    }
}

fn fields<'a>(p: &'a ParsedOrg, bin: &'a str) -> OrgFields<'a> {
    OrgFields {
        kind: p.kind.as_str(),
        bin,
        name_kk: &p.names.kk,
        name_ru: &p.names.ru,
        name_en: p.names.en.as_deref(),
        address: &p.address,
    }
}

/// Registers an organisation (the operator only).
pub async fn register(
    ctx: &Ctx,
    actor: &Actor,
    input: &OrgInput,
    now: OffsetDateTime,
) -> Result<Organisation, AppError> {
    actor.require_operator()?;
    let p = input.parse()?;
    let bin = p.bin.as_string();
    let f = fields(&p, &bin);
    let mut tx = ctx.db.begin().await?;
    let id = organisations::insert(tx.conn(), &f, actor.person_id, now)
        .await
        .map_err(|e| AppError::taken_or(e, "organisations", "bin", Refusal::BinTaken))?;
    let row = organisations::get(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::audit::record(
        tx.conn(),
        actor.person_id,
        Some(id),
        "organisation-registered",
        "organisation",
        Some(id),
        serde_json::json!({ "bin": bin, "kind": input.kind, "name_kk": input.name_kk, "name_ru": input.name_ru }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(row.try_into()?)
}

/// Changes the registration details (the operator only).
pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    org_id: i64,
    input: &OrgInput,
    now: OffsetDateTime,
) -> Result<Organisation, AppError> {
    let scope = actor.scope(org_id, Need::EditRegistration)?;
    let p = input.parse()?;
    let bin = p.bin.as_string();
    let f = fields(&p, &bin);
    let mut tx = ctx.db.begin().await?;
    let before = organisations::get(tx.conn(), scope.org_id()).await?;
    let found = organisations::update(tx.conn(), scope.org_id(), &f)
        .await
        .map_err(|e| AppError::taken_or(e, "organisations", "bin", Refusal::BinTaken))?;
    if !found {
        return Err(AppError::NotFound);
    }
    let row = organisations::get(tx.conn(), scope.org_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let snap = |r: &organisations::OrgRow| serde_json::json!({ "bin": r.bin, "kind": r.kind, "name_kk": r.name_kk, "name_ru": r.name_ru, "name_en": r.name_en, "address": r.address });
    crate::audit::record(
        tx.conn(),
        actor.person_id,
        Some(scope.org_id()),
        "organisation-updated",
        "organisation",
        Some(scope.org_id()),
        serde_json::json!({ "before": before.as_ref().map(snap), "after": snap(&row) }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(row.try_into()?)
}

/// One organisation, for someone who may see it.
pub async fn get(ctx: &Ctx, scope: &OrgScope) -> Result<Organisation, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let row = organisations::get(conn.conn(), scope.org_id())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(row.try_into()?)
}

/// The organisations the actor may see: all for the operator, otherwise those where
/// they hold an active post.
pub async fn list_visible(ctx: &Ctx, actor: &Actor) -> Result<Vec<Organisation>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let rows = if actor.is_operator {
        organisations::list_all(conn.conn()).await?
    } else {
        organisations::list_for_person(conn.conn(), actor.person_id).await?
    };
    rows.into_iter()
        .map(|r| r.try_into().map_err(AppError::from))
        .collect()
}

/// The organisations a candidate may apply to: every registered one (rule 4 is checked
/// when an organisation is registered, and again when an application is made).
pub async fn eligible(ctx: &Ctx) -> Result<Vec<Organisation>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let rows = organisations::list_all(conn.conn()).await?;
    rows.into_iter()
        .map(|r| r.try_into().map_err(AppError::from))
        .filter(|o: &Result<Organisation, AppError>| {
            o.as_ref().map_or(true, |o| o.kind.may_recognise())
        })
        .collect()
}

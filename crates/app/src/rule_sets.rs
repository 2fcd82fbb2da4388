//! Rule sets: seeded from the domain's shipped sets; the operator sets effective dates
//! and parameters.

use serde::{Deserialize, Serialize};
use tanu_domain::dates::parse_date;
use tanu_domain::{RuleSet, RuleSetParams};
use tanu_storage::StorageError;
use tanu_storage::repo::rule_sets::{self, RuleSetRow};
use time::{Date, OffsetDateTime};

use crate::{Actor, AppError, Ctx};

/// A stored rule set with its id.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredRuleSet {
    /// Id.
    pub id: i64,
    /// The set.
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub set: RuleSet,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

fn from_row(r: RuleSetRow) -> Result<StoredRuleSet, AppError> {
    let params: RuleSetParams = serde_json::from_str(&r.params).map_err(|e| {
        AppError::Internal(StorageError::Corrupt {
            column: "rule_sets.params",
            reason: e.to_string(),
        })
    })?;
    Ok(StoredRuleSet {
        id: r.id,
        set: RuleSet {
            code: r.code,
            version: u32::try_from(r.version).unwrap_or(u32::MAX),
            title: r.title,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            params,
        },
        updated_at: r.updated_at,
    })
}

/// Inserts the shipped sets that are not yet in the database (run at start-up).
pub async fn seed(ctx: &Ctx, now: OffsetDateTime) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    for set in RuleSet::shipped() {
        let params = serde_json::to_string(&set.params).map_err(AppError::other)?;
        let new = rule_sets::NewRuleSet {
            code: &set.code,
            version: i64::from(set.version),
            title: &set.title,
            effective_from: set.effective_from,
            effective_to: set.effective_to,
            params: &params,
        };
        rule_sets::insert_if_missing(tx.conn(), &new, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every rule set.
pub async fn list(ctx: &Ctx) -> Result<Vec<StoredRuleSet>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    rule_sets::list(conn.conn())
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// One rule set.
pub async fn get(ctx: &Ctx, id: i64) -> Result<StoredRuleSet, AppError> {
    let mut conn = ctx.db.acquire().await?;
    from_row(
        rule_sets::get(conn.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?,
    )
}

/// The set in force on a day.
pub async fn in_force_on(ctx: &Ctx, day: Date) -> Result<Option<StoredRuleSet>, AppError> {
    let all = list(ctx).await?;
    Ok(in_force_among(&all, day).cloned())
}

/// The operator's change to a rule set.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RuleSetUpdate {
    /// First day (YYYY-MM-DD).
    pub effective_from: String,
    /// Last day (YYYY-MM-DD); empty or absent for open-ended.
    #[serde(default)]
    pub effective_to: Option<String>,
    /// New parameters; absent keeps the current ones.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub params: Option<RuleSetParams>,
}

/// Changes dates and parameters of a rule set (the operator only); bumps its version.
pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &RuleSetUpdate,
    now: OffsetDateTime,
) -> Result<StoredRuleSet, AppError> {
    actor.require_operator()?;
    let from = parse_date(&input.effective_from, "effective_from")?;
    let to = input
        .effective_to
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_date(s, "effective_to"))
        .transpose()?;
    RuleSet::validate_range(from, to)?;
    // Read inside the change, holding the row: parameters kept from it ("absent keeps
    // the current ones") are the ones in force when it commits.
    let mut tx = ctx.db.begin().await?;
    let current = from_row(
        rule_sets::lock_get(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?,
    )?;
    // New parameters must be policy Tanu carries out; kept ones only need to be valid.
    let params = match &input.params {
        Some(p) => {
            p.validate_new()?;
            p.clone()
        }
        None => current.set.params.clone(),
    };
    params.validate()?;
    let json = serde_json::to_string(&params).map_err(AppError::other)?;
    if !rule_sets::update(tx.conn(), id, from, to, &json, actor.person_id, now).await? {
        return Err(AppError::NotFound);
    }
    crate::audit::record(
        tx.conn(),
        actor.person_id,
        None,
        "rule-set-updated",
        "rule-set",
        Some(id),
        serde_json::json!({
            "before": { "effective_from": current.set.effective_from.to_string(), "effective_to": current.set.effective_to.map(|d| d.to_string()), "params": current.set.params },
            "after": { "effective_from": from.to_string(), "effective_to": to.map(|d| d.to_string()), "params": params },
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// The id of the set in force on a day, inside a transaction.
pub async fn in_force_id(conn: tanu_storage::Conn<'_>, day: Date) -> Result<Option<i64>, AppError> {
    let all: Vec<StoredRuleSet> = rule_sets::list(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    Ok(in_force_among(&all, day).map(|s| s.id))
}

/// The domain's choice among stored sets (`RuleSet::in_force_on`), with the stored id.
fn in_force_among(all: &[StoredRuleSet], day: Date) -> Option<&StoredRuleSet> {
    let sets: Vec<RuleSet> = all.iter().map(|s| s.set.clone()).collect();
    let code = RuleSet::in_force_on(&sets, day).map(|s| s.code.clone())?;
    all.iter().find(|s| s.set.code == code)
}

/// The parameters of a stored rule set, inside a transaction.
pub(crate) async fn params_of(
    conn: tanu_storage::Conn<'_>,
    rule_set_id: i64,
) -> Result<RuleSetParams, AppError> {
    let row = rule_sets::get(conn, rule_set_id)
        .await?
        .ok_or(AppError::NotFound)?;
    serde_json::from_str(&row.params).map_err(|e| {
        AppError::Internal(StorageError::Corrupt {
            column: "rule_sets.params",
            reason: e.to_string(),
        })
    })
}

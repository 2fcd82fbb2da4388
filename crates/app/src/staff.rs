//! Staff of an organisation: the admin adds people, sets their position and roles, and
//! deactivates them. A person new to Tanu gets an invitation link to set a password.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tanu_domain::person::optional_text;
use tanu_domain::{Email, FullName, Iin, Locale, Position, Role};
use tanu_storage::repo::staff::StaffRow;
use tanu_storage::repo::{persons, staff};
use time::OffsetDateTime;

use crate::{AppError, Ctx, OrgScope, Refusal};

/// A staff member as the UI and API show them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffMember {
    /// Id of the post.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Person, once they accepted the post (until then nothing about their account
    /// is shown, not even whether one existed before).
    pub person_id: Option<i64>,
    /// Full name.
    pub full_name: String,
    /// E-mail.
    pub email: String,
    /// IIN, when recorded.
    pub iin: Option<String>,
    /// `teacher`, `specialist` or `other`.
    #[schema(value_type = String)]
    pub position: Position,
    /// Roles: `org-admin`, `secretary`, `member`, `auditor`.
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    /// Whether the post is active.
    pub active: bool,
    /// Whether the person has set a password.
    pub has_password: bool,
    /// Whether the person accepted the post; until then it grants nothing, and the name
    /// and e-mail shown are those the admin typed.
    pub accepted: bool,
}

impl TryFrom<StaffRow> for StaffMember {
    type Error = AppError;
    fn try_from(r: StaffRow) -> Result<Self, Self::Error> {
        let corrupt = |column, e: tanu_domain::DomainError| {
            AppError::Internal(tanu_storage::StorageError::Corrupt {
                column,
                reason: e.to_string(),
            })
        };
        Ok(Self {
            id: r.id,
            org_id: r.org_id,
            person_id: r.accepted.then_some(r.person_id),
            full_name: r.full_name,
            email: r.email,
            iin: r.iin,
            position: r
                .position
                .parse()
                .map_err(|e| corrupt("staff.position", e))?,
            roles: r
                .roles
                .iter()
                .map(|s| s.parse().map_err(|e| corrupt("staff_roles.role", e)))
                .collect::<Result<_, _>>()?,
            active: r.active,
            has_password: r.has_password,
            accepted: r.accepted,
        })
    }
}

/// A person to add to the staff.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewStaff {
    /// Full name.
    pub full_name: String,
    /// E-mail; the invitation to accept the post is sent there.
    pub email: String,
    /// IIN (optional; validated by its check digit).
    #[serde(default)]
    pub iin: Option<String>,
    /// `teacher`, `specialist` or `other`.
    pub position: String,
    /// Roles: any of `org-admin`, `secretary`, `member`, `auditor`.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Changes to a staff post.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StaffUpdate {
    /// `teacher`, `specialist` or `other`.
    pub position: String,
    /// Roles (replace the current ones).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Active or not.
    pub active: bool,
}

/// The result of adding someone: the post, awaiting acceptance. The invitation link goes
/// to the person's e-mail, never into this answer; nor does anything about an account
/// that may already have that e-mail.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffAdded {
    /// The new post.
    pub staff: StaffMember,
}

fn parse_roles(roles: &[String]) -> Result<Vec<Role>, AppError> {
    let set: BTreeSet<Role> = roles
        .iter()
        .map(|r| r.trim().parse::<Role>())
        .collect::<Result<_, _>>()?;
    Ok(set.into_iter().collect())
}

/// Adds a person to the organisation's staff.
pub async fn add(
    ctx: &Ctx,
    scope: &OrgScope,
    input: &NewStaff,
    now: OffsetDateTime,
) -> Result<StaffAdded, AppError> {
    let name = FullName::parse(&input.full_name)?;
    let email = Email::parse(&input.email)?;
    let iin = optional_text(input.iin.as_deref(), "iin", 32)?
        .map(|s| Iin::parse(&s))
        .transpose()?;
    let position: Position = input.position.trim().parse()?;
    let roles = parse_roles(&input.roles)?;
    let role_codes: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let iin_text = iin.map(|i| i.as_string());

    let mut tx = ctx.db.begin().await?;
    // Nothing about an account that may have this e-mail is read into the answer or
    // checked against the input: the admin learns only what they typed. The post grants
    // nothing until the person accepts it through the link sent to that e-mail.
    let person_id = match persons::by_email(tx.conn(), email.as_str()).await? {
        Some(p) => p.id,
        None => {
            let new = persons::NewPerson {
                email: email.as_str(),
                full_name: name.as_str(),
                iin: iin_text.as_deref(),
                foreign_document: None,
                password_hash: None,
                locale: Locale::default().as_str(),
                is_operator: false,
                is_candidate: false,
            };
            // Not found above: a clash now means the person was added by another
            // request meanwhile, and sent again this one finds them.
            persons::insert(tx.conn(), &new, now).await.map_err(|e| {
                if e.is_unique_on("persons", "email") {
                    AppError::busy("the person was added meanwhile")
                } else {
                    AppError::from(e)
                }
            })?
        }
    };
    let staff_id = staff::insert(
        tx.conn(),
        scope.org_id(),
        person_id,
        position.as_str(),
        (name.as_str(), email.as_str()),
        now,
    )
    .await
    .map_err(|e| AppError::taken_or(e, "staff", "org_id", Refusal::StaffExists))?;
    staff::set_roles(tx.conn(), staff_id, &role_codes).await?;
    crate::accounts::invite(tx.conn(), person_id, scope.org_id(), scope.person_id(), now).await?;
    let row = staff::get(tx.conn(), scope.org_id(), staff_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::audit::record(
        tx.conn(),
        scope.person_id(),
        Some(scope.org_id()),
        "staff-added",
        "staff",
        Some(staff_id),
        serde_json::json!({ "position": row.position, "roles": row.roles }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(StaffAdded {
        staff: row.try_into()?,
    })
}

/// Changes position, roles and the active flag of a post.
pub async fn update(
    ctx: &Ctx,
    scope: &OrgScope,
    staff_id: i64,
    input: &StaffUpdate,
    now: OffsetDateTime,
) -> Result<StaffMember, AppError> {
    let position: Position = input.position.trim().parse()?;
    let roles = parse_roles(&input.roles)?;
    let role_codes: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let mut tx = ctx.db.begin().await?;
    let before = staff::get(tx.conn(), scope.org_id(), staff_id).await?;
    if !staff::update(
        tx.conn(),
        scope.org_id(),
        staff_id,
        position.as_str(),
        input.active,
        now,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    staff::set_roles(tx.conn(), staff_id, &role_codes).await?;
    let row = staff::get(tx.conn(), scope.org_id(), staff_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let snap = |r: &staff::StaffRow| serde_json::json!({ "position": r.position, "roles": r.roles, "active": r.active });
    crate::audit::record(
        tx.conn(),
        scope.person_id(),
        Some(scope.org_id()),
        "staff-updated",
        "staff",
        Some(staff_id),
        serde_json::json!({ "before": before.as_ref().map(snap), "after": snap(&row) }),
        now,
    )
    .await?;
    tx.commit().await?;
    row.try_into()
}

/// The staff of the organisation.
pub async fn list(ctx: &Ctx, scope: &OrgScope) -> Result<Vec<StaffMember>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    staff::list(conn.conn(), scope.org_id())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// One staff post.
pub async fn get(ctx: &Ctx, scope: &OrgScope, staff_id: i64) -> Result<StaffMember, AppError> {
    let mut conn = ctx.db.acquire().await?;
    staff::get(conn.conn(), scope.org_id(), staff_id)
        .await?
        .ok_or(AppError::NotFound)?
        .try_into()
}

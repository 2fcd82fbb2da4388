//! Staff of an organisation: the admin adds people, sets their position and roles, and
//! deactivates them. A person new to Tanu gets an invitation link to set a password.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tanu_domain::person::optional_text;
use tanu_domain::{Email, FullName, Iin, Locale, Position, Role};
use tanu_storage::repo::staff::StaffRow;
use tanu_storage::repo::{persons, staff};
use time::OffsetDateTime;

use crate::{AppError, Ctx, OrgScope};

/// A staff member as the UI and API show them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffMember {
    /// Id of the post.
    pub id: i64,
    /// Organisation.
    pub org_id: i64,
    /// Person.
    pub person_id: i64,
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
            person_id: r.person_id,
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
        })
    }
}

/// A person to add to the staff.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewStaff {
    /// Full name.
    pub full_name: String,
    /// E-mail; an existing Tanu account with this e-mail is linked.
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

/// The result of adding someone.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffAdded {
    /// The new post.
    pub staff: StaffMember,
    /// When the person is new to Tanu: the invitation secret for the link
    /// `/invite/{token}` with which they set a password. Shown once.
    pub invitation_token: Option<String>,
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
    let mut existing = persons::by_email(tx.conn(), email.as_str()).await?;
    if let Some(p) = &existing {
        // Held to the end, so that whether the account may be invited (below) stays
        // true: another organisation adding the same person at the same moment waits,
        // then finds this post.
        persons::lock(tx.conn(), p.id).await?;
        existing = persons::by_email(tx.conn(), email.as_str()).await?;
    }
    if let Some(iin) = &iin_text {
        let holder = persons::by_iin(tx.conn(), iin).await?;
        if holder.is_some_and(|h| existing.as_ref().is_none_or(|e| e.id != h.id)) {
            return Err(AppError::Taken {
                code: "iin-taken",
                field: "iin",
            });
        }
    }
    // An invitation sets the password of the account it names, so it is only issued
    // for an account this organisation alone stands behind: one created now, or a
    // pending one with no post elsewhere and no candidacy. Otherwise the admin of one
    // organisation could take over an account that another is waiting to activate.
    let (person_id, needs_invitation) = match existing {
        Some(p) => {
            let elsewhere = staff::orgs_of_person(tx.conn(), p.id)
                .await?
                .iter()
                .any(|o| *o != scope.org_id());
            (
                p.id,
                p.password_hash.is_none() && !elsewhere && !p.is_candidate && !p.is_operator,
            )
        }
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
            // Neither was found above: a clash now means the person was added by
            // another request meanwhile, and sent again this one finds them.
            let id = persons::insert(tx.conn(), &new, now).await.map_err(|e| {
                if e.is_unique_on("persons", "iin") || e.is_unique_on("persons", "email") {
                    AppError::Busy("the person was added meanwhile")
                } else {
                    AppError::Internal(e)
                }
            })?;
            (id, true)
        }
    };
    let staff_id = staff::insert(tx.conn(), scope.org_id(), person_id, position.as_str(), now)
        .await
        .map_err(|e| AppError::taken_or(e, "staff", "org_id", "staff-exists"))?;
    staff::set_roles(tx.conn(), staff_id, &role_codes).await?;
    let invitation_token = if needs_invitation {
        Some(
            crate::accounts::invite(tx.conn(), person_id, scope.org_id(), scope.person_id(), now)
                .await?,
        )
    } else {
        None
    };
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
        serde_json::json!({ "person_id": row.person_id, "position": row.position, "roles": row.roles }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(StaffAdded {
        staff: row.try_into()?,
        invitation_token,
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

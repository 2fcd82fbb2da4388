//! Walk-in candidates registered at the desk by the secretary, and their claim codes.

use super::*;

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

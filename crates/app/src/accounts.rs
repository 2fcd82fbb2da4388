//! Accounts: operators, candidates, logins, sessions, invitations, language.

use serde::{Deserialize, Serialize};
use tanu_domain::person::optional_text;
use tanu_domain::{DomainError, Email, FullName, Iin, Locale, Password, Role};
use tanu_storage::repo::{invitations, login_failures, organisations, persons, sessions, staff};
use time::{Duration, OffsetDateTime};

use crate::secrets::{hash_password_in_turn, random_token, token_hash, verify_password_in_turn};
use crate::{Actor, AppError, Ctx};

/// Failed logins within [`THROTTLE_WINDOW`] after which an e-mail is locked out.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed logins within the window after which an address is locked out.
pub const MAX_FAILURES_PER_IP: i64 = 50;
/// How far back failures count.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// How long a session lasts without logging in again.
pub const SESSION_TTL: Duration = Duration::hours(12);
/// How long an invitation link stays valid.
pub const INVITATION_TTL: Duration = Duration::days(14);

/// Creates the platform operator, or makes an existing person one and sets their
/// password. Used by `tanu admin create-operator`.
pub async fn create_operator(
    ctx: &Ctx,
    email: &str,
    full_name: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let email = Email::parse(email)?;
    let name = FullName::parse(full_name)?;
    let hash = hash_password_in_turn(Password::parse(password)?.expose().to_owned()).await?;
    let mut tx = ctx.db.begin().await?;
    let id = match persons::by_email(tx.conn(), email.as_str()).await? {
        Some(p) => {
            persons::set_password(tx.conn(), p.id, &hash).await?;
            p.id
        }
        None => {
            let new = persons::NewPerson {
                email: email.as_str(),
                full_name: name.as_str(),
                iin: None,
                foreign_document: None,
                password_hash: Some(&hash),
                locale: Locale::default().as_str(),
                is_operator: true,
                is_candidate: false,
            };
            persons::insert(tx.conn(), &new, now).await?
        }
    };
    persons::make_operator(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(id)
}

/// A candidate's self-registration.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Registration {
    /// Full name as in the identity document.
    pub full_name: String,
    /// E-mail, the login.
    pub email: String,
    /// Password, at least 10 characters.
    pub password: String,
    /// IIN (12 digits, check digit verified). Required unless `foreign_document` is given.
    #[serde(default)]
    pub iin: Option<String>,
    /// Foreign identity document number, for those without an IIN.
    #[serde(default)]
    pub foreign_document: Option<String>,
    /// Preferred language: `kk`, `ru` or `en`.
    #[serde(default)]
    pub locale: Option<String>,
}

/// Registers a candidate; returns the person id.
pub async fn register_candidate(
    ctx: &Ctx,
    input: &Registration,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let name = FullName::parse(&input.full_name)?;
    let email = Email::parse(&input.email)?;
    let password = Password::parse(&input.password)?;
    let iin = optional_text(input.iin.as_deref(), "iin", 32)?
        .map(|s| Iin::parse(&s))
        .transpose()?;
    let foreign = optional_text(input.foreign_document.as_deref(), "foreign_document", 64)?;
    if iin.is_none() && foreign.is_none() {
        return Err(DomainError::IdentityRequired.into());
    }
    let locale = input
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or_default();
    let hash = hash_password_in_turn(password.expose().to_owned()).await?;
    let iin_text = iin.map(|i| i.as_string());
    let new = persons::NewPerson {
        email: email.as_str(),
        full_name: name.as_str(),
        iin: iin_text.as_deref(),
        foreign_document: if iin_text.is_some() {
            None
        } else {
            foreign.as_deref()
        },
        password_hash: Some(&hash),
        locale: locale.as_str(),
        is_operator: false,
        is_candidate: true,
    };
    let mut tx = ctx.db.begin().await?;
    let id = persons::insert(tx.conn(), &new, now).await.map_err(|e| {
        if e.is_unique_on("persons", "iin") {
            AppError::Taken {
                code: "iin-taken",
                field: "iin",
            }
        } else {
            AppError::taken_or(e, "persons", "email", "email-taken")
        }
    })?;
    tx.commit().await?;
    Ok(id)
}

/// Checks e-mail and password, throttling repeated failures per e-mail and per address.
/// Returns the person id.
pub async fn login(
    ctx: &Ctx,
    email: &str,
    password: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let email = email.trim().to_lowercase();
    // No account's e-mail holds a control character (and PostgreSQL refuses a NUL byte).
    if email.chars().any(char::is_control) {
        return Err(AppError::BadCredentials);
    }
    let since = now - THROTTLE_WINDOW;
    let over_limit = |(by_email, by_ip): (i64, i64)| {
        (by_email >= MAX_FAILURES_PER_EMAIL || by_ip >= MAX_FAILURES_PER_IP).then(|| {
            AppError::Throttled {
                retry_after_secs: u64::try_from(THROTTLE_WINDOW.whole_seconds()).unwrap_or(900),
            }
        })
    };
    // A caller already over the limit is refused with a read, without taking a turn on
    // the writer (a flood of guesses must not slow everyone's writes).
    {
        let mut conn = ctx.db.acquire().await?;
        if let Some(e) =
            over_limit(login_failures::count_since(conn.conn(), &email, ip, since).await?)
        {
            return Err(e);
        }
    }
    // The attempt is counted as a failure before the password is checked, in the same
    // write transaction as the count: parallel attempts for the same e-mail or from the
    // same address take turns, so a burst of guesses gets no more tries than guesses
    // made one after another. A success clears the count below; an attempt in flight
    // counts towards the address's limit.
    let mut tx = ctx.db.begin().await?;
    login_failures::take_turn(tx.conn(), &email, ip).await?;
    if let Some(e) = over_limit(login_failures::count_since(tx.conn(), &email, ip, since).await?) {
        return Err(e);
    }
    login_failures::record(tx.conn(), &email, ip, now).await?;
    tx.commit().await?;
    let person = {
        let mut conn = ctx.db.acquire().await?;
        persons::by_email(conn.conn(), &email).await?
    };
    let hash = person.as_ref().and_then(|p| p.password_hash.clone());
    let has_password = hash.is_some();
    let ok = verify_password_in_turn(password.to_owned(), hash).await;
    // The outcome goes to the audit trail; a success clears the throttle's count in the
    // same transaction (a failure was counted above).
    let mut tx = ctx.db.begin().await?;
    let details = serde_json::json!({ "email": email }).to_string();
    let result = match &person {
        Some(p) if ok && has_password => {
            login_failures::clear(tx.conn(), &email).await?;
            Ok(p.id)
        }
        _ => Err(AppError::BadCredentials),
    };
    tanu_storage::repo::audit::append(
        tx.conn(),
        &tanu_storage::repo::audit::NewEvent {
            person_id: person.as_ref().map(|p| p.id),
            role: Some(if result.is_ok() { "self" } else { "anonymous" }),
            action: if result.is_ok() {
                "login"
            } else {
                "login-failed"
            },
            object_type: "account",
            object_id: person.as_ref().map(|p| p.id),
            org_id: None,
            details: &details,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    result
}

/// Starts a browser session; returns the secret for the cookie.
pub async fn start_session(
    ctx: &Ctx,
    person_id: i64,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    let token = random_token()?;
    let mut tx = ctx.db.begin().await?;
    sessions::insert(
        tx.conn(),
        &token_hash(&token),
        person_id,
        now,
        now + SESSION_TTL,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Who a live session cookie belongs to: the person and their roles, read with two
/// statements on one connection (every signed-in page starts here).
pub async fn session_actor(
    ctx: &Ctx,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<Actor>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let Some(p) = persons::by_live_session(conn.conn(), &token_hash(token), now).await? else {
        return Ok(None);
    };
    Ok(Some(actor_of(conn.conn(), p).await?))
}

/// Ends a session.
pub async fn end_session(ctx: &Ctx, token: &str) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    sessions::delete(tx.conn(), &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes expired sessions and old login failures (run periodically).
pub async fn purge_expired(ctx: &Ctx, now: OffsetDateTime) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    sessions::purge_expired(tx.conn(), now).await?;
    login_failures::purge(tx.conn(), now - THROTTLE_WINDOW).await?;
    tx.commit().await?;
    Ok(())
}

/// Loads who a person is and what roles they hold; `None` when the person is gone.
pub async fn load_actor(ctx: &Ctx, person_id: i64) -> Result<Option<Actor>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let Some(p) = persons::by_id(conn.conn(), person_id).await? else {
        return Ok(None);
    };
    Ok(Some(actor_of(conn.conn(), p).await?))
}

/// Who a person is, with the roles they hold (read on the caller's connection).
pub(crate) async fn actor_of(
    conn: tanu_storage::Conn<'_>,
    p: persons::PersonRow,
) -> Result<Actor, AppError> {
    let roles = staff::roles_of_person(conn, p.id)
        .await?
        .into_iter()
        .filter_map(|(org, role)| role.parse::<Role>().ok().map(|r| (org, r)))
        .collect();
    Ok(Actor {
        person_id: p.id,
        email: p.email,
        full_name: p.full_name,
        locale: Locale::parse(&p.locale).unwrap_or_default(),
        is_operator: p.is_operator,
        is_candidate: p.is_candidate,
        roles,
    })
}

/// Remembers the actor's language.
pub async fn set_locale(ctx: &Ctx, actor: &Actor, locale: Locale) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    persons::set_locale(tx.conn(), actor.person_id, locale.as_str()).await?;
    tx.commit().await?;
    Ok(())
}

/// What an invitation link shows before it is accepted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    /// Invited person's e-mail.
    pub email: String,
    /// Invited person's name.
    pub full_name: String,
    /// Inviting organisation (Kazakh name).
    pub organisation_kk: String,
    /// Inviting organisation (Russian name).
    pub organisation_ru: String,
}

/// Looks up a live invitation.
pub async fn invitation(
    ctx: &Ctx,
    token: &str,
    now: OffsetDateTime,
) -> Result<InvitationView, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let inv = invitations::get(conn.conn(), &token_hash(token))
        .await?
        .filter(|i| i.used_at.is_none() && i.expires_at > now)
        .ok_or(AppError::InvitationInvalid)?;
    let person = persons::by_id(conn.conn(), inv.person_id)
        .await?
        .ok_or(AppError::InvitationInvalid)?;
    let org = organisations::get(conn.conn(), inv.org_id)
        .await?
        .ok_or(AppError::InvitationInvalid)?;
    Ok(InvitationView {
        email: person.email,
        full_name: person.full_name,
        organisation_kk: org.name_kk,
        organisation_ru: org.name_ru,
    })
}

/// Accepts an invitation by setting the password; returns the person id.
pub async fn accept_invitation(
    ctx: &Ctx,
    token: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let password = Password::parse(password)?;
    let hash = hash_password_in_turn(password.expose().to_owned()).await?;
    let key = token_hash(token);
    let mut tx = ctx.db.begin().await?;
    let inv = invitations::get(tx.conn(), &key)
        .await?
        .filter(|i| i.used_at.is_none() && i.expires_at > now)
        .ok_or(AppError::InvitationInvalid)?;
    if !invitations::mark_used(tx.conn(), &key, now).await? {
        return Err(AppError::InvitationInvalid);
    }
    persons::set_password(tx.conn(), inv.person_id, &hash).await?;
    sessions::delete_for_person(tx.conn(), inv.person_id).await?;
    tx.commit().await?;
    Ok(inv.person_id)
}

/// Creates an invitation for a person to set their password; returns the secret.
pub(crate) async fn invite(
    conn: tanu_storage::Conn<'_>,
    person_id: i64,
    org_id: i64,
    by: i64,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    let token = random_token()?;
    invitations::insert(
        conn,
        &token_hash(&token),
        person_id,
        org_id,
        by,
        now,
        now + INVITATION_TTL,
    )
    .await?;
    Ok(token)
}

//! Accounts: operators, candidates, logins, sessions, invitations, language.

use serde::{Deserialize, Serialize};
use tanu_domain::person::optional_text;
use tanu_domain::{DomainError, Email, FullName, Iin, Locale, Password, Role};
use tanu_storage::repo::{
    account_tokens, audit, devices, invitations, login_failures, organisations, persons,
    rate_events, sessions, staff, tokens,
};
use time::{Duration, OffsetDateTime};

use crate::secrets::{hash_password_in_turn, random_token, token_hash, verify_password_in_turn};
use crate::{Actor, AppError, Ctx, Refusal, notify};

/// How far back failures count, and the longest wait they cause.
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
    persons::mark_verified(tx.conn(), id, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets up an account from the console (`tanu demo`): sets its password, counts its
/// e-mail as verified and accepts its pending staff posts – whoever runs the command
/// stands for the people it creates. Never reachable over HTTP.
pub async fn set_up_from_console(
    ctx: &Ctx,
    email: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let email = Email::parse(email)?;
    let hash = hash_password_in_turn(Password::parse(password)?.expose().to_owned()).await?;
    let mut tx = ctx.db.begin().await?;
    let person = persons::by_email(tx.conn(), email.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    persons::set_password(tx.conn(), person.id, &hash).await?;
    persons::mark_verified(tx.conn(), person.id, now).await?;
    for org in staff::orgs_of_person(tx.conn(), person.id).await? {
        staff::accept(tx.conn(), org, person.id, now).await?;
    }
    tx.commit().await?;
    Ok(person.id)
}

/// A candidate's self-registration.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Registration {
    /// Full name as in the identity document.
    pub full_name: String,
    /// E-mail, the login; a link sent to it proves it is theirs.
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

/// Registers a candidate. The answer is the same whether or not the e-mail already has
/// an account, so that registration cannot be used to find out who is registered: a new
/// account gets a link that verifies the address, an existing one an e-mail saying that
/// it exists. Registrations from one address are limited per hour; both outcomes are in
/// the audit trail.
pub async fn register_candidate(
    ctx: &Ctx,
    input: &Registration,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
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
    throttle(
        ctx,
        "register",
        ip,
        ctx.policy.registrations_per_hour,
        Duration::hours(1),
        now,
    )
    .await?;
    // Whatever exists: so that nobody floods a mailbox with "you already have an
    // account" from many addresses.
    throttle(
        ctx,
        "register-email",
        email.as_str(),
        3,
        Duration::hours(1),
        now,
    )
    .await?;
    // Hashed whether or not the account exists: both answers take the same time.
    let hash = hash_password_in_turn(password.expose().to_owned()).await?;
    let iin_text = iin.map(|i| i.as_string());
    let mut tx = ctx.db.begin().await?;
    if let Some(existing) = persons::by_email(tx.conn(), email.as_str()).await? {
        notify::tell(
            tx.conn(),
            existing.id,
            None,
            notify::Kind::AccountExists,
            &|_| Vec::new(),
            "/password-reset",
            None,
            now,
        )
        .await?;
        audit_anonymous(tx.conn(), Some(existing.id), "registration-repeated", now).await?;
        tx.commit().await?;
        return Ok(());
    }
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
    let id = persons::insert(tx.conn(), &new, now).await.map_err(|e| {
        if e.is_unique_on("persons", "email") {
            // Registered by a parallel request meanwhile; sent again, it is answered as
            // an existing account.
            AppError::busy("the account was registered meanwhile")
        } else {
            AppError::from(e)
        }
    })?;
    send_verification(tx.conn(), id, now).await?;
    audit_anonymous(tx.conn(), Some(id), "registered", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Counts an action under a key (a client address, an e-mail, an account) and refuses
/// it past `limit` within `window` (429 with the time to wait).
pub(crate) async fn throttle(
    ctx: &Ctx,
    kind: &str,
    key: &str,
    limit: i64,
    window: Duration,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    rate_events::take_turn(tx.conn(), kind, key).await?;
    if rate_events::count_since(tx.conn(), kind, key, now - window).await? >= limit {
        return Err(AppError::Throttled {
            retry_after_secs: u64::try_from(window.whole_seconds()).unwrap_or(3600),
        });
    }
    rate_events::record(tx.conn(), kind, key, now).await?;
    tx.commit().await?;
    Ok(())
}

/// An event of an account done without signing in (registration, reset).
async fn audit_anonymous(
    conn: tanu_storage::Conn<'_>,
    person_id: Option<i64>,
    action: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &audit::NewEvent {
            person_id,
            role: Some("anonymous"),
            action,
            object_type: "account",
            object_id: person_id,
            org_id: None,
            details: "{}",
        },
        now,
    )
    .await?;
    Ok(())
}

/// An event a person did to their own account.
async fn audit_own(
    conn: tanu_storage::Conn<'_>,
    person_id: i64,
    action: &str,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    crate::audit::record(
        conn,
        person_id,
        None,
        action,
        "account",
        Some(person_id),
        details,
        now,
    )
    .await
}

/// How long an e-mail verification link works.
pub const VERIFY_TTL: Duration = Duration::hours(48);
/// How long a password reset link works.
pub const RESET_TTL: Duration = Duration::hours(1);
/// Purpose of an e-mail verification secret.
const VERIFY: &str = "verify-email";
/// Purpose of a password reset secret.
const RESET: &str = "reset-password";

/// E-mails a person a fresh single-use link for a purpose (earlier ones of the same
/// purpose stop working); the link is `{path}/{secret}` and only the secret's hash is
/// kept.
#[allow(clippy::too_many_arguments)]
async fn send_link(
    mut conn: tanu_storage::Conn<'_>,
    person_id: i64,
    purpose: &str,
    ttl: Duration,
    kind: notify::Kind,
    path: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    account_tokens::revoke_all(conn.reborrow(), person_id, purpose, now).await?;
    let token = random_token()?;
    account_tokens::insert(
        conn.reborrow(),
        &token_hash(&token),
        person_id,
        purpose,
        now,
        now + ttl,
    )
    .await?;
    notify::tell(
        conn,
        person_id,
        None,
        kind,
        &|_| Vec::new(),
        &format!("{path}/{token}"),
        None,
        now,
    )
    .await
}

/// Sends a fresh verification link.
async fn send_verification(
    conn: tanu_storage::Conn<'_>,
    person_id: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    send_link(
        conn,
        person_id,
        VERIFY,
        VERIFY_TTL,
        notify::Kind::VerifyEmail,
        "/verify-email",
        now,
    )
    .await
}

/// Sends the signed-in person a new verification link (at most three an hour).
pub async fn resend_verification(
    ctx: &Ctx,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if actor.email_verified {
        return Ok(());
    }
    throttle(
        ctx,
        "verify-resend",
        &actor.person_id.to_string(),
        3,
        Duration::hours(1),
        now,
    )
    .await?;
    let mut tx = ctx.db.begin().await?;
    send_verification(tx.conn(), actor.person_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Verifies an e-mail address with the link's secret; returns the person id.
pub async fn verify_email(ctx: &Ctx, token: &str, now: OffsetDateTime) -> Result<i64, AppError> {
    let mut tx = ctx.db.begin().await?;
    let person = account_tokens::take(tx.conn(), &token_hash(token), VERIFY, now)
        .await?
        .ok_or_else(AppError::link_invalid)?;
    persons::mark_verified(tx.conn(), person, now).await?;
    audit_own(
        tx.conn(),
        person,
        "email-verified",
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// Asks for a password reset link. The answer is the same whether or not the e-mail has
/// an account; requests are limited per address and per e-mail.
pub async fn request_password_reset(
    ctx: &Ctx,
    email: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    throttle(ctx, "reset", ip, 10, Duration::hours(1), now).await?;
    throttle(
        ctx,
        "reset-email",
        email.as_str(),
        3,
        Duration::hours(1),
        now,
    )
    .await?;
    let mut tx = ctx.db.begin().await?;
    let Some(person) = persons::by_email(tx.conn(), email.as_str()).await? else {
        return Ok(());
    };
    send_link(
        tx.conn(),
        person.id,
        RESET,
        RESET_TTL,
        notify::Kind::PasswordReset,
        "/password-reset",
        now,
    )
    .await?;
    audit_anonymous(tx.conn(), Some(person.id), "password-reset-requested", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a password reset link is live (to show its form).
pub async fn reset_link_live(ctx: &Ctx, token: &str, now: OffsetDateTime) -> Result<(), AppError> {
    let mut conn = ctx.db.acquire().await?;
    account_tokens::peek(conn.conn(), &token_hash(token), RESET, now)
        .await?
        .map(|_| ())
        .ok_or_else(AppError::link_invalid)
}

/// Sets a new password with a reset link: single use; every session, API token and
/// remembered browser of the account ends. Reading the link also proves the e-mail.
pub async fn reset_password(
    ctx: &Ctx,
    token: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let password = Password::parse(password)?;
    let hash = hash_password_in_turn(password.expose().to_owned()).await?;
    let mut tx = ctx.db.begin().await?;
    let person = account_tokens::take(tx.conn(), &token_hash(token), RESET, now)
        .await?
        .ok_or_else(AppError::link_invalid)?;
    persons::set_password(tx.conn(), person, &hash).await?;
    persons::mark_verified(tx.conn(), person, now).await?;
    sessions::delete_for_person(tx.conn(), person).await?;
    tokens::revoke_all(tx.conn(), person, now).await?;
    devices::delete_for_person(tx.conn(), person).await?;
    account_tokens::revoke_all(tx.conn(), person, RESET, now).await?;
    audit_own(
        tx.conn(),
        person,
        "password-reset",
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// Checks the caller's current password before an action that needs it (a password
/// change, deleting the account). Wrong guesses are counted and held back like failed
/// sign-ins, so that these forms are not a way to guess.
pub async fn confirm_password(
    ctx: &Ctx,
    actor: &Actor,
    current: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let stored = {
        let mut conn = ctx.db.acquire().await?;
        let counts =
            login_failures::count_since(conn.conn(), &actor.email, ip, now - THROTTLE_WINDOW)
                .await?;
        if let Some(e) = held_back(counts, now) {
            return Err(e);
        }
        persons::by_id(conn.conn(), actor.person_id)
            .await?
            .and_then(|p| p.password_hash)
    };
    if !verify_password_in_turn(current.to_owned(), stored).await {
        let mut tx = ctx.db.begin().await?;
        login_failures::record(tx.conn(), &actor.email, ip, now).await?;
        tx.commit().await?;
        return Err(AppError::Refused(Refusal::CurrentPasswordWrong));
    }
    Ok(())
}

/// Changes the signed-in person's password, given the current one. Their other sessions
/// end; the one given (the browser that asked) stays.
pub async fn change_password(
    ctx: &Ctx,
    actor: &Actor,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let new = Password::parse(new)?;
    confirm_password(ctx, actor, current, ip, now).await?;
    let hash = hash_password_in_turn(new.expose().to_owned()).await?;
    let mut tx = ctx.db.begin().await?;
    persons::set_password(tx.conn(), actor.person_id, &hash).await?;
    sessions::delete_others(
        tx.conn(),
        actor.person_id,
        &keep_session.map(token_hash).unwrap_or_default(),
    )
    .await?;
    account_tokens::revoke_all(tx.conn(), actor.person_id, RESET, now).await?;
    audit_own(
        tx.conn(),
        actor.person_id,
        "password-changed",
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Failures on one account (from browsers it does not know) after which each further
/// attempt waits, the wait doubling with each failure.
pub const FREE_FAILURES_PER_EMAIL: i64 = 5;
/// Failures from one address (browsers that do not know the account) after which each
/// further attempt waits likewise.
pub const FREE_FAILURES_PER_IP: i64 = 50;
/// The first wait; it doubles with each further failure, up to [`THROTTLE_WINDOW`].
pub const FIRST_DELAY: Duration = Duration::seconds(30);

/// How long to wait after the last of `failures` before the next attempt, past `free`.
fn delay(failures: i64, free: i64) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = u32::try_from((failures - free).min(16)).unwrap_or(16);
    (FIRST_DELAY * 2i32.pow(doublings)).min(THROTTLE_WINDOW)
}

/// Failures counted for an e-mail and an address, each with the time of the latest.
type Counts = ((i64, Option<OffsetDateTime>), (i64, Option<OffsetDateTime>));

/// The refusal of an attempt that comes before the wait its failures ask for has passed.
fn held_back(
    ((by_email, last_email), (by_ip, last_ip)): Counts,
    now: OffsetDateTime,
) -> Option<AppError> {
    let after = |last: Option<OffsetDateTime>, d: Duration| {
        last.filter(|_| d > Duration::ZERO).map(|t| t + d)
    };
    let until = [
        after(last_email, delay(by_email, FREE_FAILURES_PER_EMAIL)),
        after(last_ip, delay(by_ip, FREE_FAILURES_PER_IP)),
    ]
    .into_iter()
    .flatten()
    .max()?;
    (until > now).then(|| AppError::Throttled {
        retry_after_secs: u64::try_from((until - now).whole_seconds().max(1)).unwrap_or(900),
    })
}

/// Checks e-mail and password; returns the person id.
///
/// Guessing is slowed, not turned against the account's owner: past
/// [`FREE_FAILURES_PER_EMAIL`] failures on the account (or [`FREE_FAILURES_PER_IP`]
/// from the address) within [`THROTTLE_WINDOW`], the next attempt waits a delay that
/// doubles with each failure. A browser in which the account signed in before (its
/// `device` token) is exempt: a correct password there is never refused because of
/// other people's failures; one wrong password there makes it a stranger again.
pub async fn login(
    ctx: &Ctx,
    email: &str,
    password: &str,
    ip: &str,
    device: Option<&str>,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let email = email.trim().to_lowercase();
    // No account's e-mail holds a control character (and PostgreSQL refuses a NUL byte).
    if email.chars().any(char::is_control) {
        return Err(AppError::BadCredentials);
    }
    // Only a caller with a browser token needs the account before the throttle: the
    // others are refused with one read while they must wait.
    let known_device = match device {
        Some(d) => {
            let mut conn = ctx.db.acquire().await?;
            let owner = devices::person_of(conn.conn(), &token_hash(d)).await?;
            let person = persons::by_email(conn.conn(), &email).await?;
            owner.is_some() && owner == person.map(|p| p.id)
        }
        None => false,
    };
    let since = now - THROTTLE_WINDOW;
    let wait = |counts| held_back(counts, now);
    if !known_device {
        // A caller who must wait is refused with a read, without taking a turn on the
        // writer (a flood of guesses must not slow everyone's writes).
        let mut conn = ctx.db.acquire().await?;
        if let Some(e) = wait(login_failures::count_since(conn.conn(), &email, ip, since).await?) {
            return Err(e);
        }
    }
    // The attempt is counted as a failure before the password is checked, in the same
    // write transaction as the count: parallel attempts for the same e-mail or from the
    // same address take turns, so a burst of guesses gets no more tries than guesses
    // made one after another. A success clears the count below.
    let mut tx = ctx.db.begin().await?;
    login_failures::take_turn(tx.conn(), &email, ip).await?;
    if !known_device
        && let Some(e) = wait(login_failures::count_since(tx.conn(), &email, ip, since).await?)
    {
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
        _ => {
            // A wrong password from a remembered browser makes it a stranger again: a
            // shared computer the owner once used gives nobody free guesses.
            if let (true, Some(d)) = (known_device, device) {
                devices::delete(tx.conn(), &token_hash(d)).await?;
            }
            Err(AppError::BadCredentials)
        }
    };
    audit::append(
        tx.conn(),
        &audit::NewEvent {
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

/// Remembers the browser a person just signed in with; returns the token for its cookie.
pub async fn remember_device(
    ctx: &Ctx,
    person_id: i64,
    existing: Option<&str>,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    let token = match existing {
        Some(t) if !t.is_empty() && t.len() <= 100 => t.to_owned(),
        _ => random_token()?,
    };
    let mut tx = ctx.db.begin().await?;
    let hash = token_hash(&token);
    // A browser that knew another account starts afresh for this one.
    let token = match devices::person_of(tx.conn(), &hash).await? {
        Some(p) if p != person_id => random_token()?,
        _ => token,
    };
    devices::insert(tx.conn(), &token_hash(&token), person_id, now).await?;
    tx.commit().await?;
    Ok(token)
}

/// Starts a browser session; returns the secret for the cookie.
pub async fn start_session(
    ctx: &Ctx,
    person_id: i64,
    ip: &str,
    user_agent: Option<&str>,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    let token = random_token()?;
    let user_agent: Option<String> =
        user_agent.map(|u| u.chars().filter(|c| !c.is_control()).take(200).collect());
    let mut tx = ctx.db.begin().await?;
    sessions::insert(
        tx.conn(),
        &token_hash(&token),
        person_id,
        now,
        now + SESSION_TTL,
        Some(ip),
        user_agent.as_deref(),
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

/// One of the caller's sessions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// Started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Ends.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Client address when it started.
    pub ip: Option<String>,
    /// Browser when it started.
    pub user_agent: Option<String>,
    /// The session this request comes from.
    pub current: bool,
}

/// The caller's live sessions; `current` marks the one of the given cookie.
pub async fn sessions_of(
    ctx: &Ctx,
    actor: &Actor,
    current: Option<&str>,
    now: OffsetDateTime,
) -> Result<Vec<SessionInfo>, AppError> {
    let here = current.map(token_hash);
    let mut conn = ctx.db.acquire().await?;
    Ok(sessions::list(conn.conn(), actor.person_id, now)
        .await?
        .into_iter()
        .map(|s| SessionInfo {
            current: here.as_deref() == Some(s.token_hash.as_str()),
            created_at: s.created_at,
            expires_at: s.expires_at,
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect())
}

/// Ends every session of the caller but the one given; returns how many ended.
pub async fn sign_out_elsewhere(
    ctx: &Ctx,
    actor: &Actor,
    keep: Option<&str>,
    now: OffsetDateTime,
) -> Result<u64, AppError> {
    let mut tx = ctx.db.begin().await?;
    let n = sessions::delete_others(
        tx.conn(),
        actor.person_id,
        &keep.map(token_hash).unwrap_or_default(),
    )
    .await?;
    audit_own(
        tx.conn(),
        actor.person_id,
        "signed-out-elsewhere",
        serde_json::json!({ "sessions": n }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Removes expired sessions and old login failures (run periodically).
pub async fn purge_expired(ctx: &Ctx, now: OffsetDateTime) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    sessions::purge_expired(tx.conn(), now).await?;
    login_failures::purge(tx.conn(), now - THROTTLE_WINDOW).await?;
    rate_events::purge(tx.conn(), now - Duration::days(1)).await?;
    account_tokens::purge(tx.conn(), now - Duration::days(1)).await?;
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
        email_verified: p.email_verified_at.is_some(),
        read_only: false,
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
    /// The e-mail the invitation was sent to.
    pub email: String,
    /// Inviting organisation (Kazakh name).
    pub organisation_kk: String,
    /// Inviting organisation (Russian name).
    pub organisation_ru: String,
    /// Whether accepting sets the account's password (an account whose e-mail nobody has
    /// proved yet); otherwise the person accepts while signed in to it.
    pub sets_password: bool,
}

/// Accepting sets the password of an account nobody has proved the e-mail of (the link,
/// read from that mailbox, is the proof); a proved account accepts while signed in.
fn sets_password(p: &persons::PersonRow) -> bool {
    p.password_hash.is_none() || p.email_verified_at.is_none()
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
        sets_password: sets_password(&person),
        email: person.email,
        organisation_kk: org.name_kk,
        organisation_ru: org.name_ru,
    })
}

/// Accepts an invitation to a staff post; returns the person id. For an account whose
/// e-mail nobody proved yet, `password` sets its password (every session, token and
/// remembered browser of the account ends: whoever made it had not shown the mailbox
/// was theirs); an account with a proved e-mail accepts while signed in to it.
pub async fn accept_invitation(
    ctx: &Ctx,
    token: &str,
    password: Option<&str>,
    actor: Option<&Actor>,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let key = token_hash(token);
    let (inv, person) = {
        let mut conn = ctx.db.acquire().await?;
        let inv = invitations::get(conn.conn(), &key)
            .await?
            .filter(|i| i.used_at.is_none() && i.expires_at > now)
            .ok_or(AppError::InvitationInvalid)?;
        let person = persons::by_id(conn.conn(), inv.person_id)
            .await?
            .ok_or(AppError::InvitationInvalid)?;
        (inv, person)
    };
    let new_hash = if sets_password(&person) {
        let password = Password::parse(password.unwrap_or_default())?;
        Some(hash_password_in_turn(password.expose().to_owned()).await?)
    } else if actor.is_some_and(|a| a.person_id == person.id) {
        None
    } else {
        return Err(AppError::Refused(Refusal::InvitationSignIn));
    };
    let mut tx = ctx.db.begin().await?;
    if !invitations::mark_used(tx.conn(), &key, now).await? {
        return Err(AppError::InvitationInvalid);
    }
    if let Some(hash) = &new_hash {
        persons::set_password(tx.conn(), inv.person_id, hash).await?;
        persons::mark_verified(tx.conn(), inv.person_id, now).await?;
        sessions::delete_for_person(tx.conn(), inv.person_id).await?;
        tokens::revoke_all(tx.conn(), inv.person_id, now).await?;
        devices::delete_for_person(tx.conn(), inv.person_id).await?;
    }
    staff::accept(tx.conn(), inv.org_id, inv.person_id, now).await?;
    crate::audit::record(
        tx.conn(),
        inv.person_id,
        Some(inv.org_id),
        "staff-accepted",
        "account",
        Some(inv.person_id),
        serde_json::json!({ "password_set": new_hash.is_some() }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(inv.person_id)
}

/// Invites a person to a staff post: the link goes to their e-mail only (never to the
/// admin, who could otherwise accept for them).
pub(crate) async fn invite(
    mut conn: tanu_storage::Conn<'_>,
    person_id: i64,
    org_id: i64,
    by: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let token = random_token()?;
    invitations::insert(
        conn.reborrow(),
        &token_hash(&token),
        person_id,
        org_id,
        by,
        now,
        now + INVITATION_TTL,
    )
    .await?;
    let org = organisations::get(conn.reborrow(), org_id).await?;
    notify::tell(
        conn,
        person_id,
        Some(org_id),
        notify::Kind::StaffInvitation,
        &|lang| {
            let name = org.as_ref().map_or(String::new(), |o| {
                if lang == Locale::Ru {
                    o.name_ru.clone()
                } else {
                    o.name_kk.clone()
                }
            });
            vec![("org", name)]
        },
        &format!("/invite/{token}"),
        None,
        now,
    )
    .await
}

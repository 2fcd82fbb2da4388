//! Logging in and out, candidate registration, invitations, and the language switch.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use tanu_app::accounts::{self, Registration};
use tanu_domain::Locale;

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status, safe_next};
use crate::context::{self, RequestCtx};
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/register", get(register_page).post(register))
        .route("/invite/{token}", get(invite_page).post(invite_accept))
        .route("/lang/{code}", get(switch_language).post(save_language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    form: FormState,
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(rctx: RequestCtx, Query(q): Query<NextQuery>) -> Result<Response, WebError> {
    let form = FormState::new().with("next", safe_next(q.next.as_deref()));
    html(&LoginPage {
        page: Page::from_ctx(&rctx),
        form,
    })
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn with_session(state: &AppState, token: String, to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let secure = state.settings.secure_cookies;
    if let Some(v) = context::set_cookie_header(&context::session_cookie(token, secure)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    // A new CSRF token with each login, so one seen before (say, in a URL) is worth
    // nothing afterwards.
    if let Some(v) = context::fresh_csrf_cookie(secure)
        .as_ref()
        .and_then(context::set_cookie_header)
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The cookie that remembers a browser in which the account signed in: its sign-in
/// attempts are not held back by other people's failures (`accounts::login`).
const DEVICE_COOKIE: &str = "tanu_device";

/// Starts a session for a person who proved who they are in this browser, and
/// remembers the browser.
async fn sign_in(
    state: &AppState,
    rctx: &RequestCtx,
    headers: &axum::http::HeaderMap,
    jar: &axum_extra::extract::cookie::CookieJar,
    person: i64,
    to: &str,
) -> Result<Response, WebError> {
    let now = rctx.now;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let token = accounts::start_session(&state.ctx, person, &rctx.ip, user_agent, now).await?;
    let device = jar.get(DEVICE_COOKIE).map(|c| c.value().to_owned());
    let device = accounts::remember_device(&state.ctx, person, device.as_deref(), now).await?;
    let mut r = with_session(state, token, to);
    let c = axum_extra::extract::cookie::Cookie::build((DEVICE_COOKIE, device))
        .path("/login")
        .http_only(true)
        .secure(state.settings.secure_cookies)
        .same_site(axum_extra::extract::cookie::SameSite::Strict)
        .max_age(time::Duration::days(365))
        .build();
    if let Some(v) = context::set_cookie_header(&c) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

async fn login(
    State(state): State<AppState>,
    rctx: RequestCtx,
    headers: axum::http::HeaderMap,
    jar: axum_extra::extract::cookie::CookieJar,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let now = rctx.now;
    let next = safe_next(f.next.as_deref());
    let device = jar.get(DEVICE_COOKIE).map(|c| c.value().to_owned());
    match accounts::login(
        &state.ctx,
        &f.email,
        &f.password,
        &rctx.ip,
        device.as_deref(),
        now,
    )
    .await
    {
        Ok(person) => sign_in(&state, &rctx, &headers, &jar, person, &next).await,
        Err(e) => {
            let e = form_error(e.into())?;
            let status = e.status();
            let form = FormState::new()
                .with("email", f.email)
                .with("next", next)
                .fail(&e, &rctx.i18n());
            page_with_status(
                status,
                &LoginPage {
                    page: Page::from_ctx(&rctx),
                    form,
                },
            )
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    jar: axum_extra::extract::cookie::CookieJar,
) -> Result<Response, WebError> {
    if let Some(c) = jar.get(context::SESSION_COOKIE) {
        accounts::end_session(&state.ctx, c.value()).await?;
    }
    let mut r = Redirect::to("/").into_response();
    let secure = state.settings.secure_cookies;
    if let Some(v) = context::set_cookie_header(&context::clear_session_cookie(secure)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    // A new pre-session token too: nothing of the session's forms works afterwards.
    if let Some(v) = context::fresh_csrf_cookie(secure)
        .as_ref()
        .and_then(context::set_cookie_header)
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    page: Page,
    form: FormState,
}

async fn register_page(rctx: RequestCtx) -> Result<Response, WebError> {
    html(&RegisterPage {
        page: Page::from_ctx(&rctx),
        form: FormState::new(),
    })
}

#[derive(Debug, Deserialize)]
struct RegisterForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    iin: String,
    #[serde(default)]
    foreign_document: String,
}

async fn register(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Form(f): Form<RegisterForm>,
) -> Result<Response, WebError> {
    let now = rctx.now;
    let input = Registration {
        full_name: f.full_name.clone(),
        email: f.email.clone(),
        password: f.password,
        iin: Some(f.iin.clone()),
        foreign_document: Some(f.foreign_document.clone()),
        locale: Some(rctx.locale.as_str().to_owned()),
    };
    match accounts::register_candidate(&state.ctx, &input, &rctx.ip, now).await {
        // The same answer whether or not the e-mail had an account (the e-mail tells).
        Ok(()) => html(
            &super::account::Notice::new(&rctx, "register-sent-title")
                .say_owned(
                    rctx.i18n()
                        .t_args("register-sent", &[("email", f.email.trim().to_lowercase())]),
                )
                .say_key("register-sent-next"),
        ),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new()
                .with("full_name", f.full_name)
                .with("email", f.email)
                .with("iin", f.iin)
                .with("foreign_document", f.foreign_document)
                .fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &RegisterPage {
                    page: Page::from_ctx(&rctx),
                    form,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    page: Page,
    form: FormState,
    invitation: accounts::InvitationView,
    organisation: String,
}

fn invite_view(
    rctx: &RequestCtx,
    invitation: accounts::InvitationView,
    form: FormState,
) -> InvitePage {
    let organisation = match rctx.locale {
        Locale::Kk => invitation.organisation_kk.clone(),
        _ => invitation.organisation_ru.clone(),
    };
    InvitePage {
        page: Page::from_ctx(rctx),
        form,
        invitation,
        organisation,
    }
}

async fn invite_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let invitation = accounts::invitation(&state.ctx, &token, rctx.now).await?;
    html(&invite_view(&rctx, invitation, FormState::new()))
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn invite_accept(
    State(state): State<AppState>,
    rctx: RequestCtx,
    headers: axum::http::HeaderMap,
    jar: axum_extra::extract::cookie::CookieJar,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let now = rctx.now;
    let invitation = accounts::invitation(&state.ctx, &token, now).await?;
    let password = invitation.sets_password.then_some(f.password.as_str());
    match accounts::accept_invitation(&state.ctx, &token, password, rctx.actor.as_ref(), now).await
    {
        Ok(person) if invitation.sets_password => {
            sign_in(&state, &rctx, &headers, &jar, person, "/").await
        }
        Ok(_) => Ok(Redirect::to("/").into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new().fail(&e, &rctx.i18n());
            page_with_status(e.status(), &invite_view(&rctx, invitation, form))
        }
    }
}

/// The language cookie and a redirect to `next`.
fn to_language(state: &AppState, locale: Locale, next: Option<&str>) -> Response {
    let mut r = Redirect::to(&safe_next(next)).into_response();
    if let Some(v) =
        context::set_cookie_header(&context::lang_cookie(locale, state.settings.secure_cookies))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `GET /lang/{code}`: the language of these pages, by cookie only. A GET changes
/// nothing stored (a link or an image on another site could make one); signed-in people
/// get forms that POST instead.
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let locale = Locale::parse(&code).ok_or(WebError::Status(StatusCode::NOT_FOUND))?;
    Ok(to_language(&state, locale, q.next.as_deref()))
}

#[derive(Debug, Deserialize)]
struct LanguageForm {
    next: Option<String>,
}

/// `POST /lang/{code}` (with the CSRF token): also the signed-in account's language,
/// which its e-mails use.
async fn save_language(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(code): Path<String>,
    Form(f): Form<LanguageForm>,
) -> Result<Response, WebError> {
    let locale = Locale::parse(&code).ok_or(WebError::Status(StatusCode::NOT_FOUND))?;
    if let Some(actor) = &rctx.actor {
        accounts::set_locale(&state.ctx, actor, locale).await?;
    }
    Ok(to_language(&state, locale, f.next.as_deref()))
}

//! The request context: who is calling, in which language, with which CSRF token, at
//! what time – worked out once per request by [`crate::middleware`] – and the cookies
//! that carry it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum_extra::extract::cookie::{Cookie, SameSite};
use tanu_app::{Actor, AppError};
use tanu_domain::Locale;

use crate::error::WebError;
use crate::i18n::I18n;

/// Session cookie name.
pub const SESSION_COOKIE: &str = "tanu_session";
/// The pre-session CSRF cookie: the token of visitors who are not signed in (double
/// submit: forms send the same value back). Renewed at login and at logout.
pub const CSRF_COOKIE: &str = "tanu_csrf";
/// Language cookie name.
pub const LANG_COOKIE: &str = "tanu_lang";
/// Largest form body accepted (urlencoded).
pub const FORM_LIMIT: usize = 256 * 1024;

/// Who is calling and how; available to every handler.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    /// The authenticated person, if any.
    pub actor: Option<Actor>,
    /// Authenticated by a bearer token (no cookies, no CSRF).
    pub via_bearer: bool,
    /// The language of the response.
    pub locale: Locale,
    /// The CSRF token to embed in forms: derived from the session when signed in
    /// ([`crate::csrf::session_csrf`]), else the pre-session cookie's.
    pub csrf: String,
    /// Path and query, for "back here after login" links.
    pub path: String,
    /// Client address.
    pub ip: String,
    /// Request id (`x-request-id`).
    pub request_id: Option<String>,
    /// Unread notifications of the person (pages only).
    pub unread: i64,
    /// The time of the request, read once from the state's clock: every service the
    /// request calls and every page it renders take this one value.
    pub now: time::OffsetDateTime,
}

impl RequestCtx {
    /// Translator for this request.
    pub fn i18n(&self) -> I18n {
        I18n::new(self.locale)
    }

    /// The actor, or `Unauthenticated`.
    pub fn actor(&self) -> Result<&Actor, WebError> {
        self.actor
            .as_ref()
            .ok_or(WebError::App(AppError::Unauthenticated))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or(WebError::Status(StatusCode::INTERNAL_SERVER_ERROR))
    }
}

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

pub(crate) fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    http_only: bool,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// Builds a `Set-Cookie` header value.
pub fn set_cookie_header(c: &Cookie<'_>) -> Option<HeaderValue> {
    HeaderValue::from_str(&c.encoded().to_string()).ok()
}

/// The session cookie for a new login.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    let mut c = cookie(SESSION_COOKIE, token, secure, true);
    c.set_max_age(time::Duration::hours(12));
    c
}

/// A cookie that removes the session.
pub fn clear_session_cookie(secure: bool) -> Cookie<'static> {
    let mut c = cookie(SESSION_COOKIE, String::new(), secure, true);
    c.set_max_age(time::Duration::ZERO);
    c
}

/// A new pre-session CSRF cookie (at login and at logout), so that a value seen or
/// planted before is worth nothing afterwards.
pub fn fresh_csrf_cookie(secure: bool) -> Option<Cookie<'static>> {
    tanu_app::secrets::random_token()
        .ok()
        .map(|t| cookie(CSRF_COOKIE, t, secure, true))
}

/// The language cookie.
pub fn lang_cookie(locale: Locale, secure: bool) -> Cookie<'static> {
    let mut c = cookie(LANG_COOKIE, locale.as_str().to_owned(), secure, true);
    c.set_max_age(time::Duration::days(365));
    c
}

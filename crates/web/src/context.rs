//! The request context: who is calling, in which language, with which CSRF token –
//! worked out once per request by one middleware, which also turns errors into
//! problem documents or error pages on the way out.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use tanu_app::{Actor, AppError, accounts, tokens};
use tanu_domain::Locale;

use crate::error::{ErrorMarker, Problem, WebError};
use crate::i18n::I18n;
use crate::state::AppState;

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
    /// ([`session_csrf`]), else the pre-session cookie's.
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

fn client_ip(req: &Request, trust_forwarded: bool) -> String {
    if trust_forwarded {
        let fwd = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        // The right-most entry is the one our own proxy appended; the others are
        // whatever the client claimed.
        if let Some(last) = fwd.and_then(|v| v.rsplit(',').next()) {
            return last.trim().to_owned();
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

async fn resolve_actor(
    state: &AppState,
    headers: &HeaderMap,
    jar: &CookieJar,
    now: time::OffsetDateTime,
) -> Result<(Option<Actor>, bool), WebError> {
    if let Some(token) = bearer(headers) {
        let Some(actor) = tokens::authenticate(&state.ctx, token, now).await? else {
            return Err(WebError::App(AppError::Unauthenticated));
        };
        return Ok((Some(actor), true));
    }
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Some(actor) = accounts::session_actor(&state.ctx, cookie.value(), now).await?
    {
        return Ok((Some(actor), false));
    }
    Ok((None, false))
}

/// The CSRF token of a signed-in session: a SHA-256 of the session's secret (the cookie
/// value, 256 random bits) under a label of its own. Only the holder of the session can
/// know it, so a value planted beside a forged cookie is refused; it dies with the
/// session; and it gives nothing back of the secret or of its stored hash (a plain
/// SHA-256 of the token, without the label). No attacker-chosen input goes in, so the
/// keyed hash needs no HMAC construction.
pub fn session_csrf(session_token: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"tanu-csrf-v1\0");
    h.update(session_token.as_bytes());
    hex::encode(h.finalize())
}

/// Whether the URL's query carries a `csrf` parameter.
fn token_in_url(req: &Request) -> bool {
    req.uri()
        .query()
        .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "csrf"))
}

/// Most of a multipart body read to find its first field: the token comes first, in a
/// few hundred bytes; past this, the form is not one of ours.
const MULTIPART_PREFIX_MAX: usize = 64 * 1024;

/// The CSRF token of a multipart form: its first field, which must be `csrf` (the pages
/// put the hidden field before the file). Returns the request with its body whole again
/// (the bytes read, then the rest, still unread), so that the upload streams on.
async fn multipart_token(req: Request, boundary: String) -> (Request, Option<String>) {
    let (parts, body) = req.into_parts();
    let mut rest = body.into_data_stream();
    let mut seen: Vec<bytes::Bytes> = Vec::new();
    let token = {
        let mut read = 0usize;
        let tee = futures::StreamExt::map(&mut rest, |chunk| {
            let chunk = chunk?;
            if read > MULTIPART_PREFIX_MAX {
                return Err(axum::Error::new("no csrf field at the start of the form"));
            }
            read = read.saturating_add(chunk.len());
            seen.push(chunk.clone());
            Ok(chunk)
        });
        let limits =
            multer::Constraints::new().size_limit(multer::SizeLimit::new().for_field("csrf", 256));
        let mut form = multer::Multipart::with_constraints(tee, boundary, limits);
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("csrf") => field.text().await.ok(),
            _ => None,
        }
    };
    let body = futures::StreamExt::chain(
        futures::stream::iter(seen.into_iter().map(Ok::<_, axum::Error>)),
        rest,
    );
    (Request::from_parts(parts, Body::from_stream(body)), token)
}

/// Checks the CSRF token of a state-changing request made with cookies: in the
/// `X-CSRF-Token` header, or the form's `csrf` field (the first field of a multipart
/// form); never in the URL, where it would land in histories and proxy logs.
/// Returns the request, its body restored when it had to be read.
async fn check_csrf(req: Request, expected: Option<&str>) -> Result<Request, WebError> {
    let Some(expected) = expected else {
        return Err(WebError::Csrf);
    };
    if token_in_url(&req) {
        return Err(WebError::Csrf);
    }
    if let Some(sent) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_time_eq(sent, expected) {
            Ok(req)
        } else {
            Err(WebError::Csrf)
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("multipart/") {
        let boundary = multer::parse_boundary(&content_type).map_err(|_| WebError::Csrf)?;
        let (req, sent) = multipart_token(req, boundary).await;
        return match sent {
            Some(sent) if constant_time_eq(&sent, expected) => Ok(req),
            _ => Err(WebError::Csrf),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(WebError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| WebError::BodyTooLarge)?;
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    match sent {
        Some(sent) if constant_time_eq(&sent, expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(WebError::Csrf),
    }
}

fn cookie(name: &'static str, value: String, secure: bool, http_only: bool) -> Cookie<'static> {
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

/// Works out the request context, enforces CSRF, and finishes errors.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let api = is_api(req.uri().path());
    let jar = CookieJar::from_headers(req.headers());
    let accept_language = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate);
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let csrf_cookie = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32);
    // The pre-session token: the cookie's, or a new one the response sets.
    let pre_session = match &csrf_cookie {
        Some(c) => c.clone(),
        None => tanu_app::secrets::random_token().unwrap_or_default(),
    };
    let ip = client_ip(&req, state.settings.trust_forwarded_for);
    let stalled = req.extensions().get::<crate::body::Stalled>().cloned();

    let mut rctx = RequestCtx {
        actor: None,
        via_bearer: false,
        // Until the actor is known (and for errors before that).
        locale: if api {
            accept_language
        } else {
            jar.get(LANG_COOKIE)
                .and_then(|c| Locale::parse(c.value()))
                .or(accept_language)
        }
        .unwrap_or_default(),
        csrf: pre_session.clone(),
        path,
        ip,
        request_id,
        unread: 0,
        now: state.settings.clock.now(),
    };

    // Boxed, so that its state (the database calls) is freed before the handler runs
    // instead of being carried by every request in flight, e.g. uploads waiting for
    // their turn.
    let outcome = Box::pin(async {
        let (actor, via_bearer) = resolve_actor(&state, req.headers(), &jar, rctx.now).await?;
        // Pages: the chosen language (cookie), then the browser's, then the account's.
        // The API: the caller's Accept-Language, then the account's.
        let chosen = jar.get(LANG_COOKIE).and_then(|c| Locale::parse(c.value()));
        let saved = actor.as_ref().map(|a| a.locale);
        let locale = if api {
            accept_language.or(saved)
        } else {
            chosen.or(accept_language).or(saved)
        };
        rctx.locale = locale.unwrap_or_default();
        if let (Some(a), false) = (&actor, api) {
            rctx.unread = tanu_app::notify::unread(&state.ctx, a.person_id)
                .await
                .unwrap_or(0);
        }
        // Signed in by the session cookie, the token is the session's; otherwise the
        // pre-session cookie's.
        let expected = match (&actor, via_bearer, jar.get(SESSION_COOKIE)) {
            (Some(_), false, Some(session)) => Some(session_csrf(session.value())),
            _ => csrf_cookie.clone(),
        };
        if let Some(t) = &expected {
            rctx.csrf.clone_from(t);
        }
        rctx.actor = actor;
        rctx.via_bearer = via_bearer;
        let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let has_session = jar.get(SESSION_COOKIE).is_some();
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.starts_with("application/x-www-form-urlencoded") || v.starts_with("multipart/")
            });
        // A read-only token reads; any change is refused before a handler runs.
        if unsafe_method && rctx.actor.as_ref().is_some_and(|a| a.read_only) {
            return Err(WebError::App(tanu_app::tokens::read_only_refusal()));
        }
        let req = if unsafe_method && !via_bearer && (has_session || is_form || !api) {
            check_csrf(req, expected.as_deref()).await?
        } else {
            req
        };
        Ok::<_, WebError>(req)
    })
    .await;

    let mut response = match outcome {
        Ok(mut req) => {
            req.extensions_mut().insert(rctx.clone());
            // The audit trail records the client address of whatever this request changes.
            tanu_storage::repo::audit::ORIGIN
                .scope(rctx.ip.clone(), next.run(req))
                .await
        }
        Err(e) => e.into_response(),
    };
    // A body cut off for arriving too slowly: whatever the reader made of it (a form
    // that does not parse, a truncated file), the answer is a timeout.
    if stalled.is_some_and(|s| s.happened()) {
        response = WebError::Status(StatusCode::REQUEST_TIMEOUT).into_response();
    }
    // The rest of a timed-out body is not worth reading: the connection ends here.
    if response.status() == StatusCode::REQUEST_TIMEOUT {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let renewed = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| {
            v.as_bytes()
                .strip_prefix(CSRF_COOKIE.as_bytes())
                .is_some_and(|rest| rest.starts_with(b"="))
        });
    if csrf_cookie.is_none() && !renewed {
        let c = cookie(
            CSRF_COOKIE,
            pre_session,
            state.settings.secure_cookies,
            true,
        );
        if let Some(v) = set_cookie_header(&c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    finish_errors(response, &rctx, api)
}

/// Turns an error response into a problem document (API) or an error page (UI).
fn finish_errors(response: Response, rctx: &RequestCtx, api: bool) -> Response {
    let status = response.status();
    let marker = response.extensions().get::<ErrorMarker>().cloned();
    if marker.is_none() && !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    // A problem document, or a page a handler rendered itself (a form shown again with
    // its errors), is already finished.
    if is_problem || (marker.is_none() && is_page) {
        return response;
    }
    let err = marker.map_or_else(|| std::sync::Arc::new(WebError::Status(status)), |m| m.0);
    let (mut parts, _) = response.into_parts();
    let i18n = rctx.i18n();
    if api {
        let problem = Problem::new(
            &err,
            &i18n,
            rctx.path.split('?').next().unwrap_or_default(),
            rctx.request_id.clone(),
        );
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(body));
    }
    if matches!(&*err, WebError::App(AppError::Unauthenticated)) {
        // Back here after login – without a CSRF token the URL may carry.
        let path = match rctx.path.split_once('?') {
            Some((p, q)) => {
                let kept: Vec<String> = q
                    .split('&')
                    .filter(|kv| !kv.starts_with("csrf="))
                    .map(str::to_owned)
                    .collect();
                if kept.is_empty() {
                    p.to_owned()
                } else {
                    format!("{p}?{}", kept.join("&"))
                }
            }
            None => rctx.path.clone(),
        };
        let next = url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>();
        let mut r = Redirect::to(&format!("/login?next={next}")).into_response();
        for v in parts.headers.get_all(header::SET_COOKIE) {
            r.headers_mut().append(header::SET_COOKIE, v.clone());
        }
        return r;
    }
    let page = crate::views::layout::Page::from_ctx(rctx);
    let body = crate::views::errors::render(&page, &err);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

//! The one middleware every request passes: it works out the request context (who,
//! which language, which CSRF token, the time), enforces CSRF, and on the way out turns
//! errors into problem documents or error pages.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use tanu_app::{Actor, AppError, accounts, tokens};
use tanu_domain::Locale;

use crate::context::{
    CSRF_COOKIE, LANG_COOKIE, RequestCtx, SESSION_COOKIE, bearer, cookie, set_cookie_header,
};
use crate::csrf::{check_csrf, session_csrf};
use crate::error::WebError;
use crate::state::AppState;

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
    crate::views::errors::finish(response, &rctx, api)
}

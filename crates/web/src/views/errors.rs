//! Errors on the way out: a problem document for the API, the error page (or the way to
//! the login form) for the UI.

use askama::Template;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use tanu_app::AppError;

use super::layout::Page;
use crate::context::RequestCtx;
use crate::error::{ErrorMarker, Problem, WebError};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: &'a Page,
    status: u16,
    message: String,
    code: &'static str,
}

/// Renders the error page for `err`.
pub fn render(page: &Page, err: &WebError) -> String {
    let t = ErrorPage {
        page,
        status: err.status().as_u16(),
        message: err.message(&page.i18n),
        code: err.code(),
    };
    t.render()
        .unwrap_or_else(|_| format!("{} {}", t.status, t.code))
}

/// Turns an error response into a problem document (API) or an error page (UI).
pub(crate) fn finish(response: Response, rctx: &RequestCtx, api: bool) -> Response {
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
    let page = Page::from_ctx(rctx);
    let body = render(&page, &err);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

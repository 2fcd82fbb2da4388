//! Server-rendered pages: one module per area, each owning its routes. Handlers
//! authorise (through the services' scopes), call a service and render a template.

pub mod errors;
pub mod layout;

mod account;

pub(crate) mod applications;
mod audit;
mod auth;
mod catalogue;
mod check;
mod commissions;
mod home;
mod inbox;
mod meetings;
mod orgs;
pub(crate) mod protocols;
mod reports;
mod retention;
mod rule_sets;
mod tokens;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::WebError;
use crate::state::AppState;

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(account::router())
        .merge(home::router())
        .merge(inbox::router())
        .merge(audit::router())
        .merge(auth::router())
        .merge(applications::router())
        .merge(catalogue::router())
        .merge(check::router())
        .merge(commissions::router())
        .merge(meetings::router())
        .merge(orgs::router())
        .merge(protocols::router())
        .merge(reports::router())
        .merge(retention::router())
        .merge(rule_sets::router())
        .merge(tokens::router())
}

/// Renders a template as a 200 page.
pub(crate) fn html<T: Template>(t: &T) -> Result<Response, WebError> {
    page_with_status(StatusCode::OK, t)
}

/// Renders a template with a status (a form shown again with its errors).
pub(crate) fn page_with_status<T: Template>(
    status: StatusCode,
    t: &T,
) -> Result<Response, WebError> {
    let body = t.render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        WebError::Status(StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    Ok((status, Html(body)).into_response())
}

/// A CSV export (written by `tanu_app::csv_export`) as an attachment named `name`.
pub(crate) fn csv_response(body: String, name: &str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// A person's data archive (`tanu_app::own_data`), sent as it is written.
pub(crate) fn archive_response(state: &AppState, export: tanu_app::own_data::Export) -> Response {
    let name = export.file_name.clone();
    let stream = tanu_app::own_data::archive(state.ctx.objects.clone(), export);
    let mut r = axum::body::Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

/// A local path to return to after a form, never another site: it starts with one `/`
/// and holds no backslash or control character (browsers drop tabs and newlines, so
/// `/\t/evil` would become `//evil`).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.chars().any(|c| c == '\\' || c.is_control())
                && n.len() <= 2000 =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Splits a service result into "show the form again with this error" and the rest.
/// Refusals a person can fix are shown in the form; failures propagate.
pub(crate) fn form_error(e: WebError) -> Result<WebError, WebError> {
    match e.status() {
        s if s.is_client_error() && s != StatusCode::NOT_FOUND && s != StatusCode::FORBIDDEN => {
            Ok(e)
        }
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/orgs/1")), "/orgs/1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n")), "/");
    }
}

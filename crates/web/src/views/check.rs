//! Inline checks while a form is being filled in: htmx sends the value of an IIN, BIN
//! or e-mail field when it changes and swaps in the message this returns, so a typo is
//! pointed out before the form is sent. The same domain parsers decide as on submit.

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use tanu_domain::{Bin, DomainError, Email, Iin};

use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/check/{field}", get(check))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn check(
    rctx: RequestCtx,
    Path(field): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // Only these fields, so that nothing the caller sent reaches the markup unescaped.
    let field: &'static str = match field.as_str() {
        "bin" => "bin",
        "iin" => "iin",
        "email" => "email",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let value = q.get(field).map(String::as_str).unwrap_or_default().trim();
    let result: Result<(), DomainError> = match field {
        _ if value.is_empty() => Ok(()),
        "bin" => Bin::parse(value).map(drop),
        "iin" => Iin::parse(value).map(drop),
        _ => Email::parse(value).map(drop),
    };
    let id = format!("{field}-check");
    let body = match result {
        Ok(()) => format!("<p class=\"hint\" id=\"{id}\" aria-live=\"polite\"></p>"),
        Err(e) => format!(
            "<p class=\"field-error\" id=\"{id}\" aria-live=\"polite\">{}</p>",
            escape(&WebError::from(e).message(&rctx.i18n()))
        ),
    };
    Html(body).into_response()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<b a=\"x\">&"), "&lt;b a=&quot;x&quot;&gt;&amp;");
    }
}

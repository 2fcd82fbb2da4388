//! Errors of the HTTP layer, and how they reach people.
//!
//! A handler returns [`WebError`]; its response carries only a status and the error
//! itself as an extension. The `finish_errors` middleware, which knows the request's
//! language and whether it came to the API, turns that into RFC 9457 problem details
//! for the API or a translated error page for the UI. Internal causes are logged with
//! their chain and never shown.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tanu_app::AppError;

use crate::i18n::I18n;

/// Anything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A service refused or failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// A form or state-changing request without a valid CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// A body that does not parse.
    #[error("malformed body: {0}")]
    MalformedBody(String),
    /// Query parameters that do not parse (the detail names the parameter).
    #[error("malformed query: {0}")]
    MalformedQuery(String),
    /// A body over the size limit.
    #[error("body too large")]
    BodyTooLarge,
    /// A body of a type this endpoint does not take.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A 4xx produced by the router itself (unknown path, wrong method, bad path id).
    #[error("{0}")]
    Status(StatusCode),
}

impl From<tanu_domain::DomainError> for WebError {
    fn from(e: tanu_domain::DomainError) -> Self {
        Self::App(e.into())
    }
}

impl WebError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::App(e) => match e {
                // A file over the limit is too large content, however it was found.
                AppError::Domain(tanu_domain::DomainError::FileTooLarge { .. }) => {
                    StatusCode::PAYLOAD_TOO_LARGE
                }
                AppError::Domain(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::NotFound => StatusCode::NOT_FOUND,
                AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
                AppError::Forbidden => StatusCode::FORBIDDEN,
                AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::InvitationInvalid => StatusCode::GONE,
                AppError::Refused(r) => {
                    StatusCode::from_u16(r.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
                }
                AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Internal(_) | AppError::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::MalformedBody(_) | Self::MalformedQuery(_) => StatusCode::BAD_REQUEST,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Status(s) => *s,
        }
    }

    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::App(e) => e.code(),
            Self::Csrf => "csrf",
            Self::MalformedBody(_) => "malformed-body",
            Self::MalformedQuery(_) => "malformed-query",
            Self::BodyTooLarge => "body-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::Status(s) => match *s {
                StatusCode::NOT_FOUND => "not-found",
                StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
                StatusCode::PAYLOAD_TOO_LARGE => "body-too-large",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
                StatusCode::UNAUTHORIZED => "unauthenticated",
                StatusCode::FORBIDDEN => "forbidden",
                StatusCode::REQUEST_TIMEOUT => "timeout",
                s if s.is_server_error() => "internal",
                _ => "bad-request",
            },
        }
    }

    /// Every code a refusal of the HTTP layer's own carries (the services' come from
    /// [`AppError::own_codes`], the domain's from `DomainError::CATALOGUE`).
    pub fn own_codes() -> impl Iterator<Item = &'static str> {
        [
            "csrf",
            "malformed-body",
            "malformed-query",
            "body-too-large",
            "unsupported-media-type",
            "not-found",
            "method-not-allowed",
            "unauthenticated",
            "forbidden",
            "timeout",
            "internal",
            "bad-request",
        ]
        .into_iter()
    }

    /// Every code a response can carry, each with a message in every locale (a test).
    pub fn all_codes() -> impl Iterator<Item = &'static str> {
        tanu_domain::DomainError::CATALOGUE
            .iter()
            .map(|(code, _)| *code)
            .chain(AppError::own_codes())
            .chain(Self::own_codes())
    }

    /// The rule cited, if any.
    pub fn rule(&self) -> Option<u8> {
        match self {
            Self::App(e) => e.rule(),
            _ => None,
        }
    }

    /// The input field concerned, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::App(e) => e.field(),
            _ => None,
        }
    }

    /// The message in the reader's language.
    pub fn message(&self, i18n: &I18n) -> String {
        match self {
            Self::App(AppError::Domain(e)) => refusal_message(i18n, e),
            Self::App(e) => message(i18n, e.code(), e.args()),
            Self::MalformedBody(detail) | Self::MalformedQuery(detail) => message(
                i18n,
                self.code(),
                vec![("detail", detail.chars().take(300).collect())],
            ),
            _ => message(i18n, self.code(), Vec::<(&str, String)>::new()),
        }
    }

    /// Logs internal failures with their cause chain.
    pub fn log(&self) {
        if self.status().is_server_error() {
            let mut chain = self.to_string();
            let mut source = std::error::Error::source(self);
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
    }
}

/// A domain refusal in the reader's language; a refusal that wraps another (a CSV row's)
/// gives the wrapped one's message as its `reason`.
pub fn refusal_message(i18n: &I18n, e: &tanu_domain::DomainError) -> String {
    let mut args = e.args();
    if let Some(cause) = e.cause() {
        for (name, value) in &mut args {
            if *name == "reason" {
                *value = refusal_message(i18n, cause);
            }
        }
    }
    message(i18n, e.code(), args)
}

/// The message of the refusal `code` with its named values. Values that are codes –
/// field names, organisation kinds, statuses, actions, rule-set problems, documents –
/// are shown by their translated labels.
pub fn message<K: AsRef<str>>(i18n: &I18n, code: &str, mut args: Vec<(K, String)>) -> String {
    for (name, value) in &mut args {
        let label = |prefix: &str, code: &str| {
            let key = format!("{prefix}-{}", code.trim());
            if i18n.has(&key) {
                i18n.t(&key)
            } else {
                code.trim().to_owned()
            }
        };
        *value = match name.as_ref() {
            "field" => label("field", value),
            "kind" => label("kind", value),
            "from" => label("status", value),
            "action" => label("action", value),
            "problem" => label("param-problem", value),
            "missing" => value
                .split(',')
                .map(|c| label("doc", c))
                .collect::<Vec<_>>()
                .join(", "),
            _ => continue,
        };
    }
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_ref(), v.clone())).collect();
    i18n.t_args(&format!("err-{code}"), &args)
}

/// The error as carried from a handler to `finish_errors`.
#[derive(Debug, Clone)]
pub struct ErrorMarker(pub Arc<WebError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = self.status().into_response();
        if let Self::App(AppError::Throttled { retry_after_secs }) = &self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if let Self::App(AppError::Busy { .. }) = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
            .extensions_mut()
            .insert(ErrorMarker(Arc::new(self)));
        response
    }
}

/// RFC 9457 problem details, with Tanu's extensions `code`, `rule` and `field`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:tanu:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary (the HTTP reason).
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What was wrong, in the caller's language (`Accept-Language`).
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// Stable machine code, e.g. `rule-4-organisation-not-eligible`.
    pub code: String,
    /// The item of the Rules that refused it, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<u8>,
    /// The input field concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request id, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// The problem document for an error.
    pub fn new(err: &WebError, i18n: &I18n, instance: &str, request_id: Option<String>) -> Self {
        let status = err.status();
        Self {
            kind: format!("urn:tanu:problem:{}", err.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: err.message(i18n),
            instance: instance.to_owned(),
            code: err.code().to_owned(),
            rule: err.rule(),
            field: err.field().map(str::to_owned),
            request_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::WebError;

    /// Each kind of error has its code among [`WebError::own_codes`] (a new variant fails
    /// to compile here until it is listed).
    #[test]
    fn own_codes_cover_every_variant() {
        let mut samples = vec![
            WebError::Csrf,
            WebError::MalformedBody(String::new()),
            WebError::MalformedQuery(String::new()),
            WebError::BodyTooLarge,
            WebError::UnsupportedMediaType,
        ];
        for status in 400..=599 {
            if let Ok(s) = StatusCode::from_u16(status) {
                samples.push(WebError::Status(s));
            }
        }
        let codes: Vec<&str> = WebError::own_codes().collect();
        for e in &samples {
            match e {
                WebError::App(_) => {}
                WebError::Csrf
                | WebError::MalformedBody(_)
                | WebError::MalformedQuery(_)
                | WebError::BodyTooLarge
                | WebError::UnsupportedMediaType
                | WebError::Status(_) => assert!(codes.contains(&e.code()), "{}", e.code()),
            }
        }
    }
}

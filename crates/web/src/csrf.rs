//! CSRF protection of requests made with cookies: the session's token, and the check of
//! a state-changing request's token in its header or its form.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;

use crate::context::FORM_LIMIT;
use crate::error::WebError;

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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
pub(crate) async fn check_csrf(req: Request, expected: Option<&str>) -> Result<Request, WebError> {
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

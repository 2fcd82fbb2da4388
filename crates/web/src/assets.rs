//! Static assets, embedded in the binary: the stylesheet, htmx and the icon. No CDN.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

const STYLE: &str = include_str!("../assets/style.css");
const HTMX: &str = include_str!("../assets/vendor/htmx-2.0.11.min.js");
const FAVICON: &str = include_str!("../assets/favicon.svg");

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(asset))
}

async fn asset(Path(name): Path<String>) -> Response {
    let (body, mime) = match name.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

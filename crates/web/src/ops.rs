//! Operations endpoints: liveness, readiness, Prometheus metrics, and the request
//! metrics middleware.
//!
//! Anyone may ask whether the server is alive and ready, and learns nothing else (not
//! where its data lives). The metrics (every route's counters) are for the operator's
//! scraper only: they need the configured bearer token, and without one there are none.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;

use crate::error::{Problem, WebError};
use crate::i18n::I18n;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The app with `/metrics` in front of it when a token is configured (else none: the
/// path answers 404 like any unknown one). In front, because the context middleware
/// would take the scraper's bearer token for an API token and refuse it.
pub(crate) fn with_metrics(app: Router, state: AppState) -> Router {
    if state.settings.metrics_token.is_none() {
        return app;
    }
    Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(state)
        .fallback_service(app)
}

/// The process-wide Prometheus recorder (installed once; tests start many apps).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            handle
        })
        .clone()
}

async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Ready or not, and no more: where the files are kept is the operator's business.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.ctx.db.ping().await {
        Ok(()) => Json(json!({ "status": "ready" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

/// The Prometheus text, for a caller with the configured token; 401 otherwise.
async fn metrics_text(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sent = crate::context::bearer(&headers);
    let allowed = match (&state.settings.metrics_token, sent) {
        (Some(token), Some(sent)) => token.matches(sent),
        _ => false,
    };
    if !allowed {
        let locale = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(tanu_domain::Locale::negotiate)
            .unwrap_or_default();
        let problem = Problem::new(
            &WebError::App(tanu_app::AppError::Unauthenticated),
            &I18n::new(locale),
            "/metrics",
            None,
        );
        return (
            StatusCode::UNAUTHORIZED,
            [
                (header::CONTENT_TYPE, "application/problem+json"),
                (header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""),
            ],
            serde_json::to_vec(&problem).unwrap_or_default(),
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// Counts requests and records their latency by route and status.
pub(crate) async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("tanu_http_requests_total", &labels).increment(1);
    metrics::histogram!("tanu_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

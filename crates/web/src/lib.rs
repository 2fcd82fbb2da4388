//! HTTP for Tanu: server-rendered pages (askama + htmx), the JSON API with its OpenAPI
//! document, sessions and CSRF, translations, and operations endpoints.
//!
//! Handlers are thin: they take the [`context::RequestCtx`], obtain an access scope,
//! call a service of `tanu_app`, and render a template or JSON. No SQL and no rule
//! checks live here.

pub mod api;
pub mod context;
mod csrf;
pub mod error;
pub mod i18n;
pub mod state;
pub mod views;

mod assets;
mod body;
mod charts;
mod middleware;
mod ops;
mod pdf;
mod uploads;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use ops::metrics_handle;
pub use state::{AppState, Clock, ConnectionLimits, MetricsToken, WebSettings};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
                   object-src 'none'";

/// What the verification form adds to its file: the code field and the multipart
/// boundaries and headers.
const VERIFY_ENVELOPE: usize = 64 * 1024;

/// The whole application as a router.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let secure = state.settings.secure_cookies;
    let (api, _) = api::router();
    // Bodies are refused from their Content-Length, before they are read: JSON and forms
    // up to 1 MiB, document uploads and files to verify up to their limits (plus the
    // multipart envelope); their handlers also count the bytes themselves.
    let small = Router::new()
        .merge(views::router())
        .merge(api)
        .merge(assets::router())
        .merge(ops::router())
        .layer(RequestBodyLimitLayer::new(api::JSON_LIMIT))
        .layer(DefaultBodyLimit::max(api::JSON_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ));
    let upload_limit = usize::try_from(state.settings.max_upload_bytes).unwrap_or(usize::MAX);
    let upload_largest = upload_limit.saturating_add(1024 * 1024);
    let limits = &state.settings.connections;
    // A 20 MB scan over a slow mobile link takes minutes, not seconds: these routes give
    // a request time for its announced size (`body::Deadline`).
    let large = uploads::router()
        .layer(RequestBodyLimitLayer::new(upload_largest))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            body::Deadline::new(limits, upload_largest as u64, upload_limit as u64),
            body::deadline,
        ));
    // The public verification: a protocol PDF is small, so its own, smaller limit (plus
    // the page form's envelope), apart from the upload limit.
    let verify_limit = usize::try_from(state.settings.max_verify_bytes).unwrap_or(usize::MAX);
    let verify_largest = verify_limit.saturating_add(VERIFY_ENVELOPE);
    let verify = uploads::verify_router()
        .layer(RequestBodyLimitLayer::new(verify_largest))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            body::Deadline::new(limits, verify_largest as u64, verify_limit as u64),
            body::deadline,
        ));
    let router = Router::new()
        .merge(small)
        .merge(large)
        .merge(verify)
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("handler panicked");
            axum::response::IntoResponse::into_response(error::WebError::Status(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            ))
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::middleware,
        ))
        // Outside the context middleware, which may read a form's body for its CSRF token.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            body::watch,
        ))
        .layer(axum::middleware::from_fn(ops::track))
        .with_state(state.clone());
    let mut router = ops::with_metrics(router, state)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    if secure {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Builds the state from the services' context.
pub fn state(ctx: tanu_app::Ctx, settings: WebSettings) -> AppState {
    AppState {
        ctx,
        settings: Arc::new(settings),
        metrics: metrics_handle(),
    }
}

/// The most of a request the server holds per connection before the handler asks for
/// it: the request head must fit, and it bounds how much of a body is read ahead of a
/// handler that is not reading yet (an upload waiting for its turn). hyper's default is
/// ~400 KiB per connection.
const MAX_CONNECTION_BUFFER: usize = 16 * 1024;

/// Serves until `shutdown` resolves, then finishes the requests in flight.
///
/// This is `axum::serve` with the connection settings it does not expose: a small
/// per-connection buffer, a time limit for request heads and a limit on connections
/// held at once ([`ConnectionLimits`], from the state's settings).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let purge_ctx = state.ctx.clone();
    let clock = state.settings.clock.clone();
    let purge = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = tanu_app::accounts::purge_expired(&purge_ctx, clock.now()).await {
                tracing::warn!(error = %e, "purging expired sessions failed");
            }
        }
    });
    let mut limits = state.settings.connections.clone();
    // A limit of none would never accept anyone.
    limits.max = limits.max.max(1);
    let router = app(state);
    // HTTP/1.1 only: its head timer runs from the moment a client connects, so a
    // connection that sends nothing is closed too (the version-sniffing server of
    // hyper-util reads its first bytes without a limit). HTTP/2 is for the reverse proxy
    // in front to speak to browsers.
    let builder = |keep_alive: bool, head_within: Duration| {
        let mut b = hyper::server::conn::http1::Builder::new();
        b.keep_alive(keep_alive)
            .max_buf_size(MAX_CONNECTION_BUFFER)
            .timer(TokioTimer::new())
            .header_read_timeout(head_within);
        b
    };
    let relaxed = builder(true, limits.head_within);
    let busy = builder(false, limits.busy_head_within);
    let places = Arc::new(tokio::sync::Semaphore::new(limits.max));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A place first: past the limit, clients wait in the kernel's accept queue.
        let place = tokio::select! {
            p = places.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_closed) => break, // never closed; were it, stop accepting
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then go on accepting.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req.map(axum::body::Body::new)
            },
        );
        let open = limits.max - places.available_permits();
        let builder = if open > limits.keep_alive_below {
            &busy
        } else {
            &relaxed
        };
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(place);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    purge.abort();
    Ok(())
}

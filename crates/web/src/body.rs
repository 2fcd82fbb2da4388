//! Request bodies that arrive too slowly. hyper times only request heads; a client that
//! sends a head and then its body a byte at a time, or not at all, would otherwise hold
//! its connection (and an upload or verification turn) as long as the route allows.
//!
//! Every body is read through [`Watched`]: it ends with an error when nothing arrives
//! for `ConnectionLimits::body_idle` while the server waits for it, or when, past
//! `body_floor`, it has averaged less than `body_rate`. The request is marked
//! ([`Stalled`]) so that the context middleware answers 408 `timeout` and closes the
//! connection, whatever the handler made of the error. The routes that take large
//! bodies also get a deadline scaled to the body's size ([`deadline`]) instead of a
//! flat one. This module decides nothing about content or size limits.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::error::WebError;
use crate::state::{AppState, ConnectionLimits};

/// Marks a request whose body was cut off for arriving too slowly (a request extension).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stalled(Arc<AtomicBool>);

impl Stalled {
    /// Whether the body was cut off.
    pub(crate) fn happened(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The error a cut-off body ends with.
#[derive(Debug, thiserror::Error)]
#[error("the request body stopped arriving or arrived too slowly")]
pub(crate) struct BodyTooSlow;

/// Wraps the request's body in [`Watched`] and marks the request with [`Stalled`].
pub(crate) async fn watch(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // A request without a body (most GETs) has nothing to watch.
    if req.body().size_hint().exact() == Some(0) {
        return next.run(req).await;
    }
    let stalled = Stalled::default();
    req.extensions_mut().insert(stalled.clone());
    let limits = &state.settings.connections;
    let req = req.map(|inner| Body::new(Watched::new(inner, limits, stalled)));
    next.run(req).await
}

/// A request body that ends with [`BodyTooSlow`] when it stalls or trickles.
///
/// Its clocks run only while the server is waiting for the client: from the first time
/// the body is read (not while an upload waits for its turn), and the idle limit from
/// each time the reader finds nothing ready (not while the handler is busy with a chunk).
pub(crate) struct Watched {
    inner: Body,
    idle: Duration,
    floor: Duration,
    rate: u64,
    received: u64,
    started: Option<Instant>,
    waiting: bool,
    timer: Option<Pin<Box<Sleep>>>,
    stalled: Stalled,
}

impl Watched {
    fn new(inner: Body, limits: &ConnectionLimits, stalled: Stalled) -> Self {
        Self {
            inner,
            idle: limits.body_idle,
            floor: limits.body_floor,
            rate: limits.body_rate.max(1),
            received: 0,
            started: None,
            waiting: false,
            timer: None,
            stalled,
        }
    }

    /// When waiting that began `now` must end: at the idle limit, or when the bytes
    /// received so far fall below the average rate.
    fn wait_until(&self, now: Instant, started: Instant) -> Instant {
        let earned = Duration::from_millis(self.received.saturating_mul(1000) / self.rate);
        (now + self.idle).min(started + self.floor + earned)
    }
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        let now = Instant::now();
        let started = *this.started.get_or_insert(now);
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received = this.received.saturating_add(data.len() as u64);
                }
                this.waiting = false;
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if !this.waiting {
                    this.waiting = true;
                    let until = this.wait_until(now, started);
                    match this.timer.as_mut() {
                        Some(timer) => timer.as_mut().reset(until),
                        None => this.timer = Some(Box::pin(tokio::time::sleep_until(until))),
                    }
                }
                match this.timer.as_mut().map(|t| t.as_mut().poll(cx)) {
                    Some(Poll::Ready(())) => {
                        this.stalled.0.store(true, Ordering::Relaxed);
                        Poll::Ready(Some(Err(Box::new(BodyTooSlow))))
                    }
                    _ => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The time a route that takes large bodies gives a request (its turn, its body, its
/// work): `floor` plus the announced size, or the route's largest when none is announced,
/// at `rate`; so at most `floor` plus the largest body at `rate`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    floor: Duration,
    rate: u64,
    largest: u64,
    file_limit: u64,
}

impl Deadline {
    /// The deadline of a route whose bodies are at most `largest` bytes, carrying a file
    /// of at most `file_limit` bytes.
    pub(crate) fn new(limits: &ConnectionLimits, largest: u64, file_limit: u64) -> Self {
        Self {
            floor: limits.body_floor,
            rate: limits.body_rate.max(1),
            largest,
            file_limit,
        }
    }

    fn for_size(self, announced: Option<u64>) -> Duration {
        let size = announced.unwrap_or(self.largest).min(self.largest);
        self.floor + Duration::from_millis(size.saturating_mul(1000) / self.rate)
    }
}

/// Answers 408 `timeout` to a request that outlasts its [`Deadline`], and 413
/// `file-too-large` to one that announces more than the route takes – the answer a file
/// over the limit gets when its size is found while it streams, so that a client sees
/// one code whether or not it announced the size.
pub(crate) async fn deadline(State(d): State<Deadline>, req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > d.largest) {
        return WebError::from(tanu_domain::DomainError::FileTooLarge {
            max_mb: d.file_limit / (1024 * 1024),
        })
        .into_response();
    }
    match tokio::time::timeout(d.for_size(announced), next.run(req)).await {
        Ok(response) => response,
        Err(_elapsed) => WebError::Status(StatusCode::REQUEST_TIMEOUT).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_scale_with_the_announced_size_up_to_the_largest() {
        let limits = ConnectionLimits::default();
        let d = Deadline::new(&limits, 21 * 1024 * 1024, 20 * 1024 * 1024);
        assert_eq!(d.for_size(Some(0)), Duration::from_secs(120));
        // A 2 MiB scan at 16 KiB/s: two minutes more.
        assert_eq!(
            d.for_size(Some(2 * 1024 * 1024)),
            Duration::from_secs(120 + 128)
        );
        // Without a length, or announcing more than the route takes: the largest.
        assert_eq!(d.for_size(None), Duration::from_secs(120 + 1344));
        assert_eq!(d.for_size(Some(u64::MAX)), d.for_size(None));
    }
}

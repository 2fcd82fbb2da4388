//! Shared state of the HTTP app.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use tanu_app::Ctx;
use time::OffsetDateTime;

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` and send HSTS: on when served over https.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Largest document upload, in bytes.
    pub max_upload_bytes: u64,
    /// Largest file taken by the public verification (`POST /verify`,
    /// `POST /api/v1/verify`), in bytes. Only a PDF that Tanu issued can be genuine, byte
    /// for byte, and those are small: the protocol of a meeting on three applications is
    /// about 220 KB, mostly its embedded fonts. 10 MiB leaves room for any document Tanu
    /// issues while bounding what an anonymous caller makes the server read, whatever
    /// the upload limit.
    pub max_verify_bytes: u64,
    /// How many client connections are held, and how long they may idle.
    pub connections: ConnectionLimits,
    /// The bearer token `/metrics` asks for; without one, there is no `/metrics`.
    pub metrics_token: Option<MetricsToken>,
    /// Where "now" comes from.
    pub clock: Clock,
}

/// Where the web layer reads the time: the middleware reads it once per request into
/// [`RequestCtx::now`](crate::context::RequestCtx::now), and every handler passes that
/// one value to the services. The system clock, unless a time is set by hand – which
/// tests do, to stand at a moment such as 01:30 in Kazakhstan.
#[derive(Debug, Clone)]
pub struct Clock {
    /// The set time in Unix microseconds; [`SYSTEM`] for the system clock.
    fixed: Arc<AtomicI64>,
}

/// The value of [`Clock::fixed`] that means the system clock.
const SYSTEM: i64 = i64::MIN;

impl Default for Clock {
    fn default() -> Self {
        Self {
            fixed: Arc::new(AtomicI64::new(SYSTEM)),
        }
    }
}

impl Clock {
    /// The current time, at the precision the databases keep ([`tanu_storage::now`]).
    pub fn now(&self) -> OffsetDateTime {
        match self.fixed.load(Ordering::Relaxed) {
            SYSTEM => tanu_storage::now(),
            micros => OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
                .map_or_else(|_| tanu_storage::now(), tanu_storage::fixed_width),
        }
    }

    /// Stands the clock (and every clone of it) at `t`; `None` lets it run again.
    pub fn set(&self, t: Option<OffsetDateTime>) {
        let micros = t.map_or(SYSTEM, |t| {
            i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(SYSTEM)
        });
        self.fixed.store(micros, Ordering::Relaxed);
    }
}

/// The bearer token of `/metrics`. Never shown: `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// The token; `None` when it is empty (unset).
    pub fn new(token: &str) -> Option<Self> {
        let token = token.trim();
        (!token.is_empty()).then(|| Self(token.to_owned()))
    }

    /// Whether `sent` is the token, in time that does not depend on where they differ.
    pub(crate) fn matches(&self, sent: &str) -> bool {
        use sha2::{Digest, Sha256};
        // Comparing digests: equal lengths, and nothing learnt from timing about the
        // token's length either.
        let (a, b) = (
            Sha256::digest(self.0.as_bytes()),
            Sha256::digest(sent.as_bytes()),
        );
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken([redacted])")
    }
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_forwarded_for: false,
            max_upload_bytes: 20 * 1024 * 1024,
            max_verify_bytes: 10 * 1024 * 1024,
            connections: ConnectionLimits::default(),
            metrics_token: None,
            clock: Clock::default(),
        }
    }
}

/// Limits on client connections (`crate::serve`).
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// The most connections held at once; more wait in the kernel's accept queue until
    /// one ends. Each costs memory (its task and buffers: ~40 KB while its upload waits
    /// for a turn), so this bounds what a burst of clients or a flood of idle
    /// connections can take. nginx's default per worker is the same 512.
    pub max: usize,
    /// Past this many open connections, new ones are served without keep-alive and get
    /// `busy_head_within` to send their request head, so that each frees its place after
    /// one request instead of idling in it while others queue.
    pub keep_alive_below: usize,
    /// How long a client may take to send a request head (slow-header attacks), from
    /// the moment it connects. hyper counts an idle keep-alive connection as waiting for
    /// a head, so this is the idle limit too: longer than a reverse proxy's usual
    /// upstream keep-alive (nginx: 60 s), so that the proxy, not Tanu, closes an idle
    /// connection and never reuses one that Tanu is closing.
    pub head_within: Duration,
    /// The same for a connection accepted past `keep_alive_below`.
    pub busy_head_within: Duration,
    /// How long a request body may send nothing while the server waits for it (a body
    /// that stalls). The request is then answered 408 and its connection closed.
    pub body_idle: Duration,
    /// Time any request body has before it must keep up `body_rate` on average, and the
    /// least time a document upload or a file to verify is given.
    pub body_floor: Duration,
    /// The slowest a body may arrive on average after `body_floor`, in bytes per
    /// second: a slow mobile link (16 KiB/s, about 128 kbit/s) still delivers the
    /// largest upload; one byte every few seconds is cut off after `body_floor`.
    pub body_rate: u64,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max: 512,
            keep_alive_below: 256,
            head_within: Duration::from_secs(75),
            busy_head_within: Duration::from_secs(10),
            body_idle: Duration::from_secs(30),
            body_floor: Duration::from_secs(120),
            body_rate: 16 * 1024,
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Services' context: database and file store.
    pub ctx: Ctx,
    /// HTTP settings.
    pub settings: Arc<WebSettings>,
    /// Prometheus exposition.
    pub metrics: PrometheusHandle,
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn a_clock_stands_where_it_is_set_in_every_clone() {
        let clock = Clock::default();
        let seen_by_requests = clock.clone();
        let t = time::macros::datetime!(2026-12-31 20:30:00.000001 UTC);
        clock.set(Some(t));
        assert_eq!(seen_by_requests.now(), t);
        clock.set(None);
        assert_ne!(seen_by_requests.now(), t, "running again");
    }
}

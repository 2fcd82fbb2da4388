//! Shared state of the HTTP app.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use tanu_app::Ctx;

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` and send HSTS: on when served over https.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Largest document upload, in bytes.
    pub max_upload_bytes: u64,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_forwarded_for: false,
            max_upload_bytes: 20 * 1024 * 1024,
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

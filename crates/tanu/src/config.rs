//! Typed configuration: defaults, then a TOML file (`tanu.toml` or `--config`), then
//! `TANU_*` environment variables (and `DATABASE_URL`), then command-line flags.
//! Secrets are wrapped so that they never reach a log line.

use std::fmt;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Where uploaded files go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// `<data_dir>/files`.
    #[default]
    Local,
    /// An S3-compatible service (`s3_*` settings).
    S3,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Everything that can be configured.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder for the SQLite database, files and keys.
    pub data_dir: PathBuf,
    /// Address to listen on.
    pub listen: String,
    /// `postgres://…` to run on PostgreSQL; unset for embedded SQLite.
    #[serde(serialize_with = "ser_secret_opt")]
    pub database_url: Option<SecretString>,
    /// `local` or `s3`.
    pub storage: StorageKind,
    /// S3 endpoint URL.
    pub s3_endpoint: Option<String>,
    /// S3 bucket.
    pub s3_bucket: Option<String>,
    /// S3 region.
    pub s3_region: String,
    /// S3 access key id.
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key.
    #[serde(serialize_with = "ser_secret_opt")]
    pub s3_secret_access_key: Option<SecretString>,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `tanu=debug,info` (`RUST_LOG` wins when set).
    pub log_level: String,
    /// Mark cookies Secure and send HSTS (set when served over https).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (only behind your own proxy).
    pub trust_forwarded_for: bool,
    /// Largest document upload in megabytes.
    pub max_upload_mb: u64,
    /// Candidate registrations accepted from one client address per hour.
    pub registrations_per_hour: i64,
    /// Days an API token works unless its creator asks for fewer.
    pub token_days: i64,
    /// Drafts one candidate may keep open at one organisation.
    pub drafts_per_organisation: i64,
    /// Megabytes one person may upload in all.
    pub upload_quota_mb: i64,
    /// The address people reach Tanu at, e.g. `https://tanu.college.kz`; printed in the
    /// verification links of documents. Default: `http://` + `listen`.
    pub public_url: Option<String>,
    /// File of the Ed25519 key that signs issued documents. Default:
    /// `<data_dir>/keys/signing.key` (created on first use).
    pub signing_key: Option<PathBuf>,
    /// SMTP server for e-mail, e.g. `smtp://user:pass@mail.example.kz:587?tls=required`;
    /// unset: messages are written as `.eml` files under `<data_dir>/mail`.
    #[serde(serialize_with = "ser_secret_opt")]
    pub smtp_url: Option<SecretString>,
    /// Sender of e-mail.
    pub mail_from: String,
    /// Bearer token a Prometheus scraper sends for `/metrics`; unset: no `/metrics`.
    #[serde(serialize_with = "ser_secret_opt")]
    pub metrics_token: Option<SecretString>,
}

impl Config {
    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Where the signing key lives.
    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("signing.key"))
    }
}

fn ser_secret_opt<S: serde::Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(secret) => s.serialize_some(secret.expose_secret()),
        None => s.serialize_none(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            listen: "127.0.0.1:8080".to_owned(),
            database_url: None,
            storage: StorageKind::Local,
            s3_endpoint: None,
            s3_bucket: None,
            s3_region: "us-east-1".to_owned(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
            secure_cookies: false,
            trust_forwarded_for: false,
            max_upload_mb: 20,
            registrations_per_hour: 20,
            token_days: 90,
            drafts_per_organisation: 3,
            upload_quota_mb: 200,
            public_url: None,
            signing_key: None,
            smtp_url: None,
            mail_from: "Tanu <noreply@tanu.localhost>".to_owned(),
            metrics_token: None,
        }
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("[redacted]"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "[unparseable URL]".to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_ref()
                    .map(|u| redact_url(u.expose_secret())),
            )
            .field("storage", &self.storage)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_bucket", &self.s3_bucket)
            .field("s3_region", &self.s3_region)
            .field("s3_access_key_id", &self.s3_access_key_id)
            .field(
                "s3_secret_access_key",
                &self.s3_secret_access_key.as_ref().map(|_| "[redacted]"),
            )
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("registrations_per_hour", &self.registrations_per_hour)
            .field("token_days", &self.token_days)
            .field("drafts_per_organisation", &self.drafts_per_organisation)
            .field("upload_quota_mb", &self.upload_quota_mb)
            .field("public_url", &self.public_url)
            .field("signing_key", &self.signing_key)
            .field(
                "smtp_url",
                &self
                    .smtp_url
                    .as_ref()
                    .map(|u| redact_url(u.expose_secret())),
            )
            .field("mail_from", &self.mail_from)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// One documented setting, for `tanu config`.
#[derive(Debug)]
pub struct Setting {
    /// Key in `tanu.toml`.
    pub key: &'static str,
    /// Environment variable.
    pub env: &'static str,
    /// What it does.
    pub help: &'static str,
}

/// Every setting, documented.
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "data_dir",
        env: "TANU_DATA_DIR",
        help: "folder for the SQLite database and local files (default ./data); flag --data-dir",
    },
    Setting {
        key: "listen",
        env: "TANU_LISTEN",
        help: "address to listen on (default 127.0.0.1:8080); flag --listen",
    },
    Setting {
        key: "database_url",
        env: "DATABASE_URL or TANU_DATABASE_URL",
        help: "postgres://user:pass@host/db to use PostgreSQL; unset for embedded SQLite; flag --database-url",
    },
    Setting {
        key: "storage",
        env: "TANU_STORAGE",
        help: "local (default) or s3",
    },
    Setting {
        key: "s3_endpoint",
        env: "TANU_S3_ENDPOINT",
        help: "S3-compatible endpoint URL",
    },
    Setting {
        key: "s3_bucket",
        env: "TANU_S3_BUCKET",
        help: "bucket name",
    },
    Setting {
        key: "s3_region",
        env: "TANU_S3_REGION",
        help: "region (default us-east-1)",
    },
    Setting {
        key: "s3_access_key_id",
        env: "TANU_S3_ACCESS_KEY_ID",
        help: "access key id",
    },
    Setting {
        key: "s3_secret_access_key",
        env: "TANU_S3_SECRET_ACCESS_KEY",
        help: "secret access key (never logged)",
    },
    Setting {
        key: "log_format",
        env: "TANU_LOG_FORMAT",
        help: "text (default) or json",
    },
    Setting {
        key: "log_level",
        env: "TANU_LOG_LEVEL",
        help: "log filter, e.g. info (RUST_LOG wins when set)",
    },
    Setting {
        key: "secure_cookies",
        env: "TANU_SECURE_COOKIES",
        help: "true when served over https: Secure cookies and HSTS",
    },
    Setting {
        key: "trust_forwarded_for",
        env: "TANU_TRUST_FORWARDED_FOR",
        help: "true behind your own reverse proxy: client address from X-Forwarded-For",
    },
    Setting {
        key: "max_upload_mb",
        env: "TANU_MAX_UPLOAD_MB",
        help: "largest document upload in megabytes (default 20)",
    },
    Setting {
        key: "registrations_per_hour",
        env: "TANU_REGISTRATIONS_PER_HOUR",
        help: "candidate registrations accepted from one client address per hour (default 20)",
    },
    Setting {
        key: "token_days",
        env: "TANU_TOKEN_DAYS",
        help: "days an API token works unless its creator asks for fewer (default 90)",
    },
    Setting {
        key: "drafts_per_organisation",
        env: "TANU_DRAFTS_PER_ORGANISATION",
        help: "drafts one candidate may keep open at one organisation (default 3)",
    },
    Setting {
        key: "upload_quota_mb",
        env: "TANU_UPLOAD_QUOTA_MB",
        help: "megabytes one person may upload in all, replaced files included (default 200)",
    },
    Setting {
        key: "public_url",
        env: "TANU_PUBLIC_URL",
        help: "address people reach Tanu at, printed in document verification links (default http://<listen>)",
    },
    Setting {
        key: "signing_key",
        env: "TANU_SIGNING_KEY",
        help: "file of the Ed25519 key signing issued documents (default <data_dir>/keys/signing.key, created on first use)",
    },
    Setting {
        key: "smtp_url",
        env: "TANU_SMTP_URL",
        help: "smtp://user:pass@host:587?tls=required to send e-mail; unset: .eml files in <data_dir>/mail (never logged)",
    },
    Setting {
        key: "mail_from",
        env: "TANU_MAIL_FROM",
        help: "sender of e-mail (default Tanu <noreply@tanu.localhost>)",
    },
    Setting {
        key: "metrics_token",
        env: "TANU_METRICS_TOKEN",
        help: "bearer token for /metrics (Prometheus: authorization credentials); unset: /metrics answers 404 (never logged)",
    },
];

/// The keys the environment may set (other `TANU_*` variables, e.g. of the tests, are
/// not settings).
const KEYS: &[&str] = &[
    "data_dir",
    "listen",
    "database_url",
    "storage",
    "s3_endpoint",
    "s3_bucket",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "log_format",
    "log_level",
    "secure_cookies",
    "trust_forwarded_for",
    "max_upload_mb",
    "registrations_per_hour",
    "token_days",
    "drafts_per_organisation",
    "upload_quota_mb",
    "public_url",
    "signing_key",
    "smtp_url",
    "mail_from",
    "metrics_token",
];

/// Flags that override the other sources.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// `--database-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    /// Loads defaults < file < environment < flags. `file` is `--config`; without it
    /// `tanu.toml` in the working directory is read when present.
    pub fn load(file: Option<&std::path::Path>, overrides: &Overrides) -> Result<Self, String> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(format!("config file {} does not exist", path.display()));
            }
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None if std::path::Path::new("tanu.toml").exists() => {
                fig = fig.merge(Toml::file_exact("tanu.toml"))
            }
            None => {}
        }
        fig = fig
            .merge(Env::prefixed("TANU_").only(KEYS))
            .merge(Env::raw().only(&["database_url"]))
            .merge(Serialized::defaults(overrides));
        let mut config: Config = fig.extract().map_err(|e| e.to_string())?;
        if config
            .database_url
            .as_ref()
            .is_some_and(|u| u.expose_secret().trim().is_empty())
        {
            config.database_url = None;
        }
        Ok(config)
    }

    /// The effective configuration as TOML, secrets redacted.
    pub fn redacted_toml(&self) -> String {
        let mut lines = vec![
            format!("data_dir = {:?}", self.data_dir.display().to_string()),
            format!("listen = {:?}", self.listen),
        ];
        match &self.database_url {
            Some(u) => lines.push(format!(
                "database_url = {:?}",
                redact_url(u.expose_secret())
            )),
            None => lines.push(format!(
                "# database_url unset: SQLite at {}",
                self.data_dir.join("tanu.db").display()
            )),
        }
        lines.push(format!(
            "storage = {:?}",
            format!("{:?}", self.storage).to_lowercase()
        ));
        for (k, v) in [
            ("s3_endpoint", &self.s3_endpoint),
            ("s3_bucket", &self.s3_bucket),
            ("s3_access_key_id", &self.s3_access_key_id),
        ] {
            if let Some(v) = v {
                lines.push(format!("{k} = {v:?}"));
            }
        }
        lines.push(format!("s3_region = {:?}", self.s3_region));
        if self.s3_secret_access_key.is_some() {
            lines.push("s3_secret_access_key = \"[redacted]\"".to_owned());
        }
        lines.push(format!(
            "log_format = {:?}",
            format!("{:?}", self.log_format).to_lowercase()
        ));
        lines.push(format!("log_level = {:?}", self.log_level));
        lines.push(format!("secure_cookies = {}", self.secure_cookies));
        lines.push(format!(
            "trust_forwarded_for = {}",
            self.trust_forwarded_for
        ));
        lines.push(format!("max_upload_mb = {}", self.max_upload_mb));
        lines.push(format!(
            "registrations_per_hour = {}",
            self.registrations_per_hour
        ));
        lines.push(format!("token_days = {}", self.token_days));
        lines.push(format!(
            "drafts_per_organisation = {}",
            self.drafts_per_organisation
        ));
        lines.push(format!("upload_quota_mb = {}", self.upload_quota_mb));
        lines.push(format!("public_url = {:?}", self.public_url()));
        lines.push(format!(
            "signing_key = {:?}",
            self.signing_key_path().display().to_string()
        ));
        match &self.smtp_url {
            Some(u) => lines.push(format!("smtp_url = {:?}", redact_url(u.expose_secret()))),
            None => lines.push(format!(
                "# smtp_url unset: e-mail written as .eml files in {}",
                self.data_dir.join("mail").display()
            )),
        }
        lines.push(format!("mail_from = {:?}", self.mail_from));
        match &self.metrics_token {
            Some(_) => lines.push("metrics_token = \"[redacted]\"".to_owned()),
            None => lines.push("# metrics_token unset: /metrics answers 404".to_owned()),
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let config = Config {
            database_url: Some(SecretString::from("postgres://tanu:hunter2@db/tanu")),
            s3_secret_access_key: Some(SecretString::from("very-secret")),
            metrics_token: Some(SecretString::from("scrape-me-not")),
            ..Config::default()
        };
        let shown = format!("{config:?}\n{}", config.redacted_toml());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains("scrape-me-not"), "{shown}");
        assert!(
            shown.contains("postgres://tanu:%5Bredacted%5D@db/tanu")
                || shown.contains("[redacted]")
        );
    }

    #[test]
    fn flags_win_over_defaults() {
        let o = Overrides {
            listen: Some("127.0.0.1:9999".into()),
            ..Overrides::default()
        };
        let c = Config::load(None, &o);
        assert_eq!(c.map(|c| c.listen).ok().as_deref(), Some("127.0.0.1:9999"));
    }
}

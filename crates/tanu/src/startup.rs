//! Opening what the configuration names: the database (migrated, shipped rule sets
//! seeded), the file store, and logging.

use anyhow::Context;
use secrecy::ExposeSecret;
use tanu_app::Ctx;
use tanu_storage::{Db, Objects, ObjectsConfig};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat, StorageKind};

/// Sets up logging as configured; `RUST_LOG` wins over `log_level`.
pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The file-store configuration.
pub fn objects_config(config: &Config) -> anyhow::Result<ObjectsConfig> {
    Ok(match config.storage {
        StorageKind::Local => ObjectsConfig::Local(config.data_dir.join("files")),
        StorageKind::S3 => {
            let need = |v: &Option<String>, name: &str| {
                v.clone().with_context(|| {
                    format!(
                        "storage = \"s3\" needs {name} (TANU_{})",
                        name.to_uppercase()
                    )
                })
            };
            ObjectsConfig::S3 {
                endpoint: need(&config.s3_endpoint, "s3_endpoint")?,
                bucket: need(&config.s3_bucket, "s3_bucket")?,
                region: config.s3_region.clone(),
                access_key_id: need(&config.s3_access_key_id, "s3_access_key_id")?,
                secret_access_key: config
                    .s3_secret_access_key
                    .as_ref()
                    .map(|s| s.expose_secret().to_owned())
                    .context(
                        "storage = \"s3\" needs s3_secret_access_key (TANU_S3_SECRET_ACCESS_KEY)",
                    )?,
            }
        }
    })
}

/// Opens the database the configuration names, without migrating.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    match &config.database_url {
        Some(url) => Db::open_url(url.expose_secret()).await.with_context(|| {
            format!(
                "cannot open {}",
                crate::config::redact_url(url.expose_secret())
            )
        }),
        None => {
            let path = config.data_dir.join("tanu.db");
            Db::open_sqlite(&path)
                .await
                .with_context(|| format!("cannot open SQLite database {}", path.display()))
        }
    }
}

/// Opens database and files, applies migrations and seeds the shipped rule sets.
pub async fn open(config: &Config) -> anyhow::Result<Ctx> {
    let db = open_db(config).await?;
    db.migrate().await.context("migrations failed")?;
    let objects = Objects::open(&objects_config(config)?).context("cannot open the file store")?;
    let signer = tanu_app::signing::Signer::load_or_create(&config.signing_key_path())
        .context("cannot load the signing key")?;
    let pdf = tanu_pdf::Renderer::new().context("cannot start the typesetter")?;
    let ctx = Ctx {
        db,
        objects,
        issuer: tanu_app::protocols::Issuer {
            pdf: std::sync::Arc::new(pdf),
            signer: std::sync::Arc::new(signer),
            public_url: config.public_url(),
        },
        policy: tanu_app::Policy {
            registrations_per_hour: config.registrations_per_hour,
            token_days: config.token_days,
            drafts_per_organisation: config.drafts_per_organisation,
            upload_quota_bytes: config.upload_quota_mb.saturating_mul(1024 * 1024),
        },
    };
    tanu_app::rule_sets::seed(&ctx, tanu_storage::now())
        .await
        .context("seeding rule sets failed")?;
    Ok(ctx)
}

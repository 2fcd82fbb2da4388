//! The command line: `tanu serve | migrate | admin create-operator | demo | config | openapi |
//! audit verify | backup | restore`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides, SETTINGS};
use crate::startup;

/// Tanu: recognition of learning outcomes obtained through non-formal education.
#[derive(Debug, Parser)]
#[command(name = "tanu", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (default: ./tanu.toml when present). Env: TANU_CONFIG.
    #[arg(long, global = true, env = "TANU_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database and files. Env: TANU_DATA_DIR.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); unset for SQLite. Env: DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the web server (applies migrations first).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080). Env: TANU_LISTEN.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Applies database migrations and exits.
    Migrate,
    /// Administrative tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Fills an empty database with a sample college and university.
    Demo,
    /// Shows the effective configuration (secrets redacted) and every setting.
    Config,
    /// Prints the OpenAPI document of the API.
    Openapi,
    /// Retention of personal data (docs/privacy.md).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Writes a consistent backup of the database and the files while Tanu runs.
    Backup {
        /// Folder to create; an existing folder gets a new `tanu-backup-<time>` inside.
        #[arg(long)]
        to: PathBuf,
        /// Encrypts every file of the backup to this age public key (`age1…` or
        /// `age1pq1…`); repeat for more keys, any one of which restores. Env:
        /// TANU_BACKUP_RECIPIENT (comma-separated).
        #[arg(
            long = "recipient",
            value_name = "AGE_PUBLIC_KEY",
            env = "TANU_BACKUP_RECIPIENT",
            value_delimiter = ','
        )]
        recipients: Vec<String>,
    },
    /// Restores a backup into a new, empty database and file store.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: PathBuf,
        /// The age identity file (`AGE-SECRET-KEY-…`) of a key an encrypted backup was
        /// made for.
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// Applies every organisation's retention policy now (as `serve` does daily) and
    /// lists what it purged.
    Run {
        /// Only list what would be purged.
        #[arg(long)]
        dry_run: bool,
        /// Apply the policies as of this moment instead of now (RFC 3339, e.g.
        /// 2027-12-07T10:00:00Z): to see what a policy will let go of, or to test one.
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walks the hash chain and reports the first event that was altered, removed or
    /// inserted, or emptied of its personal data outside a recorded redaction; counts
    /// the redacted events; exits with status 1 when the chain is broken.
    Verify,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Erases a person on their verified request: undecided applications purged,
    /// decided ones keep the decision without files, the account keeps no e-mail, name,
    /// IIN or password, and the audit trail's personal data about them are redacted.
    ErasePerson {
        /// The person's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Creates the platform operator (or makes an existing account one).
    CreateOperator {
        /// E-mail (the login).
        #[arg(long)]
        email: String,
        /// Password, at least 10 characters. Env: TANU_OPERATOR_PASSWORD.
        #[arg(long, env = "TANU_OPERATOR_PASSWORD", hide_env_values = true)]
        password: String,
        /// Full name.
        #[arg(long, default_value = "Platform operator")]
        name: String,
    },
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tanu: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(execute(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tanu: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)]
async fn execute(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        listen,
        database_url: cli.database_url.clone(),
    };
    let config = Config::load(cli.config.as_deref(), &overrides)
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    match cli.command {
        Command::Config => {
            println!("# Effective configuration (defaults < tanu.toml < environment < flags)\n");
            println!("{}\n", config.redacted_toml());
            println!("# Settings");
            for s in SETTINGS {
                println!("{:<22} {:<36} {}", s.key, s.env, s.help);
            }
            Ok(())
        }
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&tanu_web::api::openapi())?
            );
            Ok(())
        }
        Command::Migrate => {
            startup::init_logging(&config);
            let db = startup::open_db(&config).await?;
            db.migrate().await.context("migrations failed")?;
            println!("migrations applied ({:?})", db.backend());
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::ErasePerson { email },
        } => {
            startup::init_logging(&config);
            let ctx = startup::open(&config).await?;
            let e = tanu_app::erasure::erase_person(&ctx, &email, tanu_storage::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))?;
            println!(
                "erased person {}: {} undecided applications purged, {} decided kept without files, {} files deleted, {} audit events redacted",
                e.person_id, e.applications_purged, e.decided_kept, e.files, e.events_redacted
            );
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::CreateOperator {
                    email,
                    password,
                    name,
                },
        } => {
            startup::init_logging(&config);
            let ctx = startup::open(&config).await?;
            tanu_app::accounts::create_operator(
                &ctx,
                &email,
                &name,
                &password,
                tanu_storage::now(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{} ({})", e, e.code()))?;
            println!("operator {email} can now log in");
            Ok(())
        }
        Command::Demo => {
            startup::init_logging(&config);
            let ctx = startup::open(&config).await?;
            let summary = crate::demo::fill(&ctx, tanu_storage::now()).await?;
            println!("{summary}");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = startup::open_db(&config).await?;
            db.migrate().await.context("migrations failed")?;
            let v = tanu_storage::repo::audit::verify(&db).await?;
            match v.broken {
                None => {
                    println!(
                        "audit trail intact: {} events ({} redacted), head {}",
                        v.events, v.redacted, v.head
                    );
                    Ok(())
                }
                Some(b) => {
                    anyhow::bail!(
                        "audit trail broken: {b} ({} events before it verified)",
                        v.events
                    )
                }
            }
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run, at },
        } => retention(&config, dry_run, at.as_deref()).await,
        Command::Backup { to, recipients } => backup(&config, &to, &recipients).await,
        Command::Restore { from, identity } => restore(&config, &from, identity.as_deref()).await,
        Command::Serve { .. } => serve(config).await,
    }
}

/// `tanu retention run`: one line per purge, then the totals.
#[allow(clippy::print_stdout)]
async fn retention(config: &Config, dry_run: bool, at: Option<&str>) -> anyhow::Result<()> {
    let now = match at {
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map(tanu_storage::fixed_width)
            .with_context(|| format!("--at {t}: not an RFC 3339 time"))?,
        None => tanu_storage::now(),
    };
    startup::init_logging(config);
    let ctx = startup::open(config).await?;
    let report = tanu_app::retention::run(&ctx, now, dry_run).await?;
    let verb = if dry_run { "would purge" } else { "purged" };
    for p in &report.purged {
        match p.document_id {
            Some(d) => println!(
                "{verb} organisation {} application {} document {d}: {}",
                p.org_id, p.application_id, p.what
            ),
            None => println!(
                "{verb} organisation {} application {}: {}",
                p.org_id, p.application_id, p.what
            ),
        }
    }
    let counts: Vec<String> = tanu_domain::retention::Purge::ALL
        .iter()
        .map(|w| format!("{w} {}", report.count(*w)))
        .collect();
    println!(
        "retention {} at {now}: {}; {} files deleted",
        if dry_run { "dry run" } else { "applied" },
        counts.join(", "),
        report.files
    );
    Ok(())
}

/// `tanu backup`: the database as it is, without migrating it; encrypted when given
/// recipients.
#[allow(clippy::print_stdout)]
async fn backup(
    config: &Config,
    to: &std::path::Path,
    recipients: &[String],
) -> anyhow::Result<()> {
    startup::init_logging(config);
    let keys = if recipients.is_empty() {
        None
    } else {
        Some(tanu_storage::backup::Recipients::parse(recipients).context("backup refused")?)
    };
    let db = startup::open_db(config).await?;
    let objects = tanu_storage::Objects::open(&startup::objects_config(config)?)
        .context("cannot open the file store")?;
    let started = std::time::Instant::now();
    let summary =
        tanu_storage::backup::backup(&db, &objects, to, tanu_storage::now(), keys.as_ref())
            .await
            .context("backup failed")?;
    println!(
        "backup written to {}{}: {summary} in {:.2} s",
        summary.path.display(),
        if keys.is_some() { " (encrypted)" } else { "" },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `tanu restore`: then checks the audit trail of what was restored.
#[allow(clippy::print_stdout)]
async fn restore(
    config: &Config,
    from: &std::path::Path,
    identity: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    startup::init_logging(config);
    let identities = identity
        .map(tanu_storage::backup::Identities::from_file)
        .transpose()
        .context("restore refused")?;
    let db = startup::open_db(config).await?;
    let objects = tanu_storage::Objects::open(&startup::objects_config(config)?)
        .context("cannot open the file store")?;
    let started = std::time::Instant::now();
    let summary = tanu_storage::backup::restore(&db, &objects, from, identities.as_ref())
        .await
        .context("restore failed")?;
    let audit = tanu_storage::repo::audit::verify(&db).await?;
    println!(
        "restored {}: {summary} in {:.2} s",
        from.display(),
        started.elapsed().as_secs_f64()
    );
    match audit.broken {
        None => {
            println!(
                "audit trail intact: {} events ({} redacted)",
                audit.events, audit.redacted
            );
            Ok(())
        }
        Some(b) => anyhow::bail!("restored, but the audit trail is broken: {b}"),
    }
}

/// Listens on the first address `addr` resolves to that can be bound. The accept queue
/// is 4,096 deep (the kernel may cap it: `net.core.somaxconn`) rather than the 128 that
/// tokio's `TcpListener::bind` asks for: connections past the server's limit wait there
/// for a place (`tanu_web::ConnectionLimits`).
async fn listen(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
    fn on(a: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
        let socket = if a.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        // As tokio does: a restarted server may bind while old connections linger.
        #[cfg(not(windows))]
        socket.set_reuseaddr(true)?;
        socket.bind(a)?;
        socket.listen(4096)
    }
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        match on(a) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            "no address to listen on",
        )
    }))
}

#[allow(clippy::print_stdout)]
async fn serve(config: Config) -> anyhow::Result<()> {
    startup::init_logging(&config);
    tracing::info!(config = ?config, "starting");
    let ctx = startup::open(&config).await?;
    let listener = listen(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let db_desc = match ctx.db.backend() {
        tanu_storage::Backend::Sqlite => {
            format!("SQLite at {}", config.data_dir.join("tanu.db").display())
        }
        tanu_storage::Backend::Postgres => "PostgreSQL".to_owned(),
    };
    println!(
        "Tanu is listening on http://{addr}/  (database: {db_desc}; files: {})",
        ctx.objects.describe()
    );
    let mailer = tanu_app::notify::Mailer::new(
        config
            .smtp_url
            .as_ref()
            .map(secrecy::ExposeSecret::expose_secret),
        &config.mail_from,
        config.data_dir.join("mail"),
    )
    .map_err(|e| anyhow::anyhow!("e-mail: {e}"))?;
    println!("E-mail: {}", mailer.describe());
    let worker = tokio::spawn(tanu_app::notify::run_worker(ctx.clone(), mailer));
    let db = ctx.db.clone();
    let sealer = tokio::spawn(tanu_storage::repo::audit::run_sealer(db.clone()));
    let retention = tokio::spawn(tanu_app::retention::run_daily(
        ctx.clone(),
        tanu_storage::now,
    ));
    let state = tanu_web::state(
        ctx,
        tanu_web::WebSettings {
            secure_cookies: config.secure_cookies,
            trust_forwarded_for: config.trust_forwarded_for,
            max_upload_bytes: config.max_upload_mb.saturating_mul(1024 * 1024),
            metrics_token: config
                .metrics_token
                .as_ref()
                .and_then(|t| tanu_web::MetricsToken::new(secrecy::ExposeSecret::expose_secret(t))),
            ..tanu_web::WebSettings::default()
        },
    );
    tanu_web::serve(listener, state, shutdown_signal()).await?;
    worker.abort();
    sealer.abort();
    retention.abort();
    if let Err(e) = tanu_storage::repo::audit::seal(&db).await {
        tracing::warn!(error = %e, "sealing the audit trail at shutdown; the next start seals it");
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

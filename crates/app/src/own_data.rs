//! A person's copy of what Tanu holds about them: one ZIP archive with `data.json` – the
//! account, every application with its documents, checks, meetings and decisions, the
//! notices, sessions, API tokens and the audit events of their own actions – and the
//! files they (or a secretary at the desk) uploaded, replaced ones included while they
//! are kept.
//!
//! The archive is written as it is sent: a thread of its own builds it file by file
//! into a bounded channel, so memory holds one document at a time whatever the total.

use std::io::Write;

use bytes::Bytes;
use futures::Stream;
use serde::Serialize;
use tanu_domain::application::FileType;
use tanu_storage::Objects;
use tanu_storage::repo::applications as apps_repo;
use tanu_storage::repo::audit::{self as audit_repo, EventRow, Filter};
use tanu_storage::repo::persons;
use time::OffsetDateTime;

use crate::accounts::SessionInfo;
use crate::applications::{self, ApplicationView};
use crate::notify::{self, Notification};
use crate::tokens::{self, TokenInfo};
use crate::{Actor, AppError, Ctx};

/// Archives a person may ask for in an hour: each one reads all their files.
pub const EXPORTS_PER_HOUR: usize = 3;

/// The audit events of one's own actions put in the archive, newest first, at most.
const OWN_EVENTS: i64 = 10_000;

/// The account as the archive shows it (never the password's hash).
#[derive(Debug, Serialize)]
pub struct AccountData {
    /// E-mail, the login.
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// IIN, when given.
    pub iin: Option<String>,
    /// Foreign identity document number, when given instead.
    pub foreign_document: Option<String>,
    /// Preferred language.
    pub locale: String,
    /// Registered as a candidate.
    pub is_candidate: bool,
    /// When the account was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the e-mail was proved.
    #[serde(with = "time::serde::rfc3339::option")]
    pub email_verified_at: Option<OffsetDateTime>,
}

/// A stored file of an application, as the archive lists it.
#[derive(Debug, Serialize)]
pub struct FileData {
    /// Its path inside the archive.
    pub path: String,
    /// Document kind (rule 10).
    pub kind: String,
    /// The name it was uploaded under.
    pub original_name: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// When it was uploaded.
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
    /// Whether a later upload of the same kind replaced it.
    pub replaced: bool,
}

/// One application with its files.
#[derive(Debug, Serialize)]
pub struct ApplicationData {
    /// The application as its candidate sees it.
    pub application: ApplicationView,
    /// Every file it has had that is still stored.
    pub files: Vec<FileData>,
}

/// Everything in `data.json`.
#[derive(Debug, Serialize)]
pub struct OwnData {
    /// When the archive was made.
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    /// The account.
    pub account: AccountData,
    /// Applications, oldest first.
    pub applications: Vec<ApplicationData>,
    /// Notices sent to the person.
    pub notices: Vec<Notification>,
    /// Signed-in browsers and devices.
    pub sessions: Vec<SessionInfo>,
    /// API tokens (names and prefixes only; a token itself is never kept).
    pub api_tokens: Vec<TokenInfo>,
    /// The audit trail's events of the person's own actions, newest first.
    pub own_actions: Vec<EventRow>,
}

/// An archive ready to be written: the data and where each file's bytes are.
#[derive(Debug)]
pub struct Export {
    /// The archive's file name.
    pub file_name: String,
    /// `data.json`.
    pub data: Vec<u8>,
    /// (path in the archive, object key) of each file.
    pub files: Vec<(String, String)>,
}

/// Gathers what Tanu holds about the caller and records that they took a copy. At most
/// [`EXPORTS_PER_HOUR`] an hour (429 with the seconds to wait).
pub async fn export(
    ctx: &Ctx,
    actor: &Actor,
    session: Option<&str>,
    now: OffsetDateTime,
) -> Result<Export, AppError> {
    crate::accounts::throttle(
        ctx,
        "data-export",
        &actor.person_id.to_string(),
        i64::try_from(EXPORTS_PER_HOUR).unwrap_or(i64::MAX),
        time::Duration::HOUR,
        now,
    )
    .await?;
    // The person's own latest actions are in the archive too (PostgreSQL links them
    // after their commit).
    audit_repo::seal_before_reading(&ctx.db).await;
    let mut conn = ctx.db.acquire().await?;
    let person = persons::by_id(conn.conn(), actor.person_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let rows = apps_repo::for_candidate(conn.conn(), actor.person_id).await?;
    let mut ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    ids.sort_unstable();
    let mut stored = Vec::new();
    for id in &ids {
        stored.push(apps_repo::documents_ever(conn.conn(), *id).await?);
    }
    let own_actions = audit_repo::list(
        conn.conn(),
        &Filter {
            person_id: Some(actor.person_id),
            ..Filter::default()
        },
        OWN_EVENTS,
    )
    .await?;
    drop(conn);

    let mut applications = Vec::new();
    let mut files = Vec::new();
    for (id, docs) in ids.iter().zip(stored) {
        let application = applications::get(ctx, actor, *id, now).await?;
        let mut listed = Vec::new();
        for d in docs {
            let ext = FileType::parse(&d.content_type).map_or("bin", |t| t.extension());
            let path = format!("applications/{id}/{}-{}.{ext}", d.kind, d.id);
            files.push((path.clone(), d.object_key.clone()));
            listed.push(FileData {
                path,
                kind: d.kind,
                original_name: d.original_name,
                size: d.size,
                sha256: d.sha256,
                uploaded_at: d.uploaded_at,
                replaced: d.replaced_at.is_some(),
            });
        }
        applications.push(ApplicationData {
            application,
            files: listed,
        });
    }
    let data = OwnData {
        exported_at: now,
        account: AccountData {
            email: person.email,
            full_name: person.full_name,
            iin: person.iin,
            foreign_document: person.foreign_document,
            locale: person.locale,
            is_candidate: person.is_candidate,
            created_at: person.created_at,
            email_verified_at: person.email_verified_at,
        },
        applications,
        notices: notify::inbox(ctx, actor).await?,
        sessions: crate::accounts::sessions_of(ctx, actor, session, now).await?,
        api_tokens: tokens::list(ctx, actor).await?,
        own_actions,
    };
    let json = serde_json::to_vec_pretty(&data).map_err(AppError::other)?;

    let mut tx = ctx.db.begin().await?;
    crate::audit::record(
        tx.conn(),
        actor.person_id,
        None,
        "data-exported",
        "person",
        Some(actor.person_id),
        serde_json::json!({ "applications": ids.len(), "files": files.len() }),
        now,
    )
    .await?;
    tx.commit().await?;

    let day = now.date();
    Ok(Export {
        file_name: format!("tanu-my-data-{day}.zip"),
        data: json,
        files,
    })
}

/// Sends the archive's bytes through a channel as the writer thread makes them.
struct Chunks(tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>);

impl Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The ZIP archive of `export`, made as it is read. A file missing from the store ends
/// the stream with an error (the client sees a broken download, never a short archive
/// that looks complete).
pub fn archive(
    objects: Objects,
    export: Export,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let (send, receive) = tokio::sync::mpsc::channel(8);
    let runtime = tokio::runtime::Handle::current();
    let failed = send.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = write_archive(&runtime, &objects, export, Chunks(send)) {
            tracing::warn!(error = %e, "writing a personal data archive");
            let _ = failed.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    tokio_stream_of(receive)
}

fn tokio_stream_of(
    mut receive: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures::stream::poll_fn(move |cx| receive.poll_recv(cx))
}

fn write_archive(
    runtime: &tokio::runtime::Handle,
    objects: &Objects,
    export: Export,
    out: Chunks,
) -> Result<(), anyhow::Error> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new_stream(out);
    let text = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    // Scans and PDFs are compressed already.
    let stored = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    zip.start_file("data.json", text)?;
    zip.write_all(&export.data)?;
    for (path, key) in &export.files {
        let bytes = runtime
            .block_on(objects.get(key))?
            .ok_or_else(|| anyhow::anyhow!("stored file {key} is missing"))?;
        zip.start_file(path.as_str(), stored)?;
        zip.write_all(&bytes)?;
    }
    zip.finish()?;
    Ok(())
}

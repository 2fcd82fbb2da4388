//! Notifications: what people are told, in their language, written in the transaction of
//! the change that causes it (a transactional outbox), and the worker that e-mails them.
//!
//! The e-mail worker claims one due row at a time (a lease, so two workers never send
//! the same row), sends it, and marks it sent; a failure is retried with exponential
//! backoff (30 s doubling, at most 1 h) and given up after [`MAX_ATTEMPTS`]. Without SMTP
//! configured, messages are written as `.eml` files instead. Each message carries a
//! Message-ID derived from its row, so a receiver can drop the rare duplicate that a crash
//! between the SMTP server's acceptance and our "sent" mark would cause.

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use tanu_domain::Locale;
use tanu_domain::application::DocumentKind;
use tanu_i18n::I18n;
use tanu_storage::Conn;
use tanu_storage::repo::notifications::{self as repo, NewNotification, NotificationRow};
use tanu_storage::repo::{persons, walk_ins};
use time::OffsetDateTime;

use crate::{Actor, AppError, Ctx};

/// Attempts before an e-mail is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The candidate's application was submitted.
    Received,
    /// A secretary: a new application was submitted.
    NewSubmission,
    /// The candidate: the completeness check found something missing (rule 11).
    Incomplete,
    /// The candidate: the application is complete (rule 11).
    Complete,
    /// Candidates and members: a meeting was scheduled.
    MeetingScheduled,
    /// Candidates and members: a scheduled meeting was cancelled, with the reason.
    MeetingCancelled,
    /// Candidates and members: a scheduled meeting was moved (a new calendar file).
    MeetingMoved,
    /// The candidate: the commission decided (rules 13–14).
    Decision,
    /// Members, secretary and candidates: the protocol is final (rule 9).
    ProtocolFinal,
    /// A new account: the link that proves the e-mail is theirs (e-mail only).
    VerifyEmail,
    /// Someone registered again with an e-mail that has an account (e-mail only).
    AccountExists,
    /// The link that sets a new password (e-mail only).
    PasswordReset,
    /// An organisation offers a staff post; the link accepts it (e-mail only).
    StaffInvitation,
    /// A walk-in's claim code, sent to the e-mail given at the desk (e-mail only).
    WalkInClaim,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 14] = [
        Self::Received,
        Self::NewSubmission,
        Self::Incomplete,
        Self::Complete,
        Self::MeetingScheduled,
        Self::MeetingCancelled,
        Self::MeetingMoved,
        Self::Decision,
        Self::ProtocolFinal,
        Self::VerifyEmail,
        Self::AccountExists,
        Self::PasswordReset,
        Self::StaffInvitation,
        Self::WalkInClaim,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "application-received",
            Self::NewSubmission => "application-submitted",
            Self::Incomplete => "application-incomplete",
            Self::Complete => "application-complete",
            Self::MeetingScheduled => "meeting-scheduled",
            Self::MeetingCancelled => "meeting-cancelled",
            Self::MeetingMoved => "meeting-moved",
            Self::Decision => "decision-taken",
            Self::ProtocolFinal => "protocol-final",
            Self::VerifyEmail => "verify-email",
            Self::AccountExists => "account-exists",
            Self::PasswordReset => "password-reset",
            Self::StaffInvitation => "staff-invitation",
            Self::WalkInClaim => "walk-in-claim",
        }
    }

    /// Whether the message carries a secret (a link or a code that acts for its reader):
    /// then it is e-mailed only, never listed in the inbox of the account it concerns –
    /// whoever signs in there has not shown that they read that mailbox.
    fn email_only(self) -> bool {
        matches!(
            self,
            Self::VerifyEmail
                | Self::AccountExists
                | Self::PasswordReset
                | Self::StaffInvitation
                | Self::WalkInClaim
        )
    }

    /// The Fluent key of the subject (`notices.ftl` in `tanu-i18n`).
    fn subject_key(self) -> String {
        format!("notice-{}-subject", self.as_str())
    }

    /// The Fluent key of the text.
    fn body_key(self) -> String {
        format!("notice-{}-body", self.as_str())
    }

    /// Subject and text in a language, the arguments filled in. An argument left empty
    /// (an incomplete check's reason, say) leaves no double space behind.
    fn texts(self, locale: Locale, args: &[(&str, String)]) -> (String, String) {
        let i18n = I18n::new(locale);
        let tidy = |s: String| {
            s.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        (
            tidy(i18n.t_args(&self.subject_key(), args)),
            tidy(i18n.t_args(&self.body_key(), args)),
        )
    }
}

/// Words for a result (`recognised`, `refused`, anything else: no decision) in a language.
pub fn result_word(result: &str, locale: Locale) -> String {
    let key = match result {
        "recognised" => "notice-result-recognised",
        "refused" => "notice-result-refused",
        _ => "notice-result-none",
    };
    I18n::new(locale).t(key)
}

/// The names of documents in a language, for a notice: "Copy of the identity document;
/// …" rather than their codes. Semicolons, because the Russian names hold commas.
pub fn document_names(kinds: &[DocumentKind], locale: Locale) -> String {
    let i18n = I18n::new(locale);
    kinds
        .iter()
        .map(|k| i18n.t(&format!("doc-{}", k.as_str())))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Tells a person something, in their language, in the caller's transaction. Arguments
/// whose value depends on the language are given as a function of the language.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn tell(
    mut conn: Conn<'_>,
    person_id: i64,
    org_id: Option<i64>,
    kind: Kind,
    args: &(dyn Fn(Locale) -> Vec<(&'static str, String)> + Sync),
    link: &str,
    ics: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let Some(person) = persons::by_id(conn.reborrow(), person_id).await? else {
        return Ok(());
    };
    let locale = Locale::parse(&person.locale).unwrap_or_default();
    let (subject, body) = kind.texts(locale, &args(locale));
    // An organisation's walk-in record has no mailbox of its own: its notices go to the
    // address given at the desk, until the candidate claims the case.
    let record_email = match walk_ins::of_person(conn.reborrow(), person_id).await? {
        Some(w) => Some(w.contact_email),
        None => None,
    };
    let email = match &record_email {
        Some(contact) => contact.as_deref(),
        // Placeholder addresses (`….invalid`) are not mailboxes.
        None => Some(person.email.as_str()).filter(|e| e.contains('@') && !e.ends_with(".invalid")),
    };
    repo::insert(
        conn,
        &NewNotification {
            person_id,
            org_id,
            kind: kind.as_str(),
            lang: locale.as_str(),
            subject: &subject,
            body: &body,
            link,
            ics,
            email_to: email,
            in_inbox: !kind.email_only(),
        },
        now,
    )
    .await?;
    Ok(())
}

/// A calendar file for one event (times in UTC).
pub fn ics(
    uid: &str,
    start: OffsetDateTime,
    summary: &str,
    location: &str,
    now: OffsetDateTime,
) -> String {
    let f = |t: OffsetDateTime| {
        let t = t.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace(';', "\\;")
            .replace(',', "\\,")
            .replace('\n', "\\n")
    };
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tanu//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:{uid}@tanu\r\n\
         DTSTAMP:{}\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{}\r\nLOCATION:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        f(now),
        f(start),
        f(start + time::Duration::hours(2)),
        esc(summary),
        esc(location)
    )
}

// ---------------------------------------------------------------------------------------
// Inbox

/// A notification in the inbox.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// Where to look.
    pub link: String,
    /// Written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Read.
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
    /// E-mail: `pending`, `sent`, `failed` or `none`.
    pub email_status: String,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            subject: r.subject,
            body: r.body,
            link: r.link,
            created_at: r.created_at,
            read_at: r.read_at,
            email_status: r.email_status,
        }
    }
}

/// The caller's inbox, newest first.
pub async fn inbox(ctx: &Ctx, actor: &Actor) -> Result<Vec<Notification>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    Ok(repo::for_person(conn.conn(), actor.person_id, 200)
        .await?
        .into_iter()
        .map(Notification::from)
        .collect())
}

/// How many of the caller's notifications are unread.
pub async fn unread(ctx: &Ctx, person_id: i64) -> Result<i64, AppError> {
    let mut conn = ctx.db.acquire().await?;
    Ok(repo::unread(conn.conn(), person_id).await?)
}

/// Marks one notification (or all) read.
pub async fn mark_read(
    ctx: &Ctx,
    actor: &Actor,
    id: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    // Someone else's, unknown or already read: nothing to say either way.
    repo::mark_read(tx.conn(), actor.person_id, id, now).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// E-mail

/// How e-mail leaves.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server.
    Smtp {
        /// The transport.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Sender.
        from: Mailbox,
    },
    /// `.eml` files in a folder (no SMTP configured).
    Files {
        /// The folder.
        dir: PathBuf,
        /// Sender.
        from: Mailbox,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
            Self::Files { dir, .. } => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

impl Mailer {
    /// From configuration: an `smtp://` or `smtps://` URL (lettre's syntax, e.g.
    /// `smtp://user:pass@mail.example.kz:587?tls=required`), else files under `dir`.
    pub fn new(smtp_url: Option<&str>, from: &str, dir: PathBuf) -> Result<Self, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("mail_from {from:?}: {e}"))?;
        match smtp_url {
            Some(url) => Ok(Self::Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("smtp_url: {e}"))?
                    .build(),
                from,
            }),
            None => Ok(Self::Files { dir, from }),
        }
    }

    /// Where mail goes, for the start-up line.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { .. } => "SMTP".to_owned(),
            Self::Files { dir, .. } => format!(".eml files in {}", dir.display()),
        }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Self::Smtp { from, .. } | Self::Files { from, .. } => from,
        }
    }

    async fn send(&self, n: &NotificationRow, public_url: &str) -> Result<(), String> {
        let to: Mailbox = n
            .email_to
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e| format!("address: {e}"))?;
        let text = format!("{}\n\n{}{}\n", n.body, public_url, n.link);
        let body = match &n.ics {
            Some(ics) => MultiPart::mixed()
                .singlepart(SinglePart::plain(text))
                .singlepart(
                    Attachment::new("meeting.ics".to_owned()).body(
                        ics.clone(),
                        ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                            .map_err(|e| e.to_string())?,
                    ),
                ),
            None => MultiPart::mixed().singlepart(SinglePart::plain(text)),
        };
        let message = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(n.subject.clone())
            .message_id(Some(format!(
                "<notification-{}.{}@tanu>",
                n.id,
                n.created_at.unix_timestamp()
            )))
            .multipart(body)
            .map_err(|e| e.to_string())?;
        match self {
            Self::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Self::Files { dir, .. } => {
                let dir = dir.clone();
                let id = n.id;
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                    std::fs::create_dir_all(&dir)?;
                    let tmp = dir.join(format!(".{id}.eml.tmp"));
                    std::fs::write(&tmp, bytes)?;
                    std::fs::rename(tmp, dir.join(format!("{id}.eml")))
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())
            }
        }
    }
}

fn backoff(attempts: i64) -> time::Duration {
    let secs = 30_i64.saturating_mul(1_i64 << attempts.clamp(1, 12).saturating_sub(1));
    time::Duration::seconds(secs.min(3600))
}

/// Sends every e-mail due now; returns how many were sent.
pub async fn deliver_due(
    ctx: &Ctx,
    mailer: &Mailer,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let mut sent = 0;
    loop {
        let claimed = {
            let mut tx = ctx.db.begin().await?;
            let n = repo::claim(tx.conn(), now, time::Duration::minutes(5)).await?;
            tx.commit().await?;
            n
        };
        let Some(n) = claimed else {
            return Ok(sent);
        };
        let result = mailer.send(&n, &ctx.issuer.public_url).await;
        let mut tx = ctx.db.begin().await?;
        match result {
            Ok(()) => {
                repo::sent(tx.conn(), n.id, now).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(notification = n.id, attempt = n.attempts, error = %e, "e-mail not sent");
                repo::failed(
                    tx.conn(),
                    n.id,
                    &e.chars().take(500).collect::<String>(),
                    now + backoff(n.attempts),
                    n.attempts >= MAX_ATTEMPTS,
                )
                .await?;
            }
        }
        tx.commit().await?;
    }
}

/// Runs the worker until the future is dropped: every few seconds, sends what is due.
pub async fn run_worker(ctx: Ctx, mailer: Mailer) {
    loop {
        if let Err(e) = deliver_due(&ctx, &mailer, tanu_storage::now()).await {
            tracing::warn!(error = %e, "e-mail worker");
        }
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every notice has its subject and text in each language's own file, and the
    /// decision's words too; nothing falls back to another language or shows a key.
    #[test]
    fn every_notice_key_exists_in_every_language() {
        for locale in Locale::ALL {
            let i18n = I18n::new(locale);
            for kind in Kind::ALL {
                for key in [kind.subject_key(), kind.body_key()] {
                    assert!(i18n.has(&key), "{locale}: {key}");
                }
            }
            for key in [
                "notice-result-recognised",
                "notice-result-refused",
                "notice-result-none",
            ] {
                assert!(i18n.has(key), "{locale}: {key}");
            }
            for kind in DocumentKind::ALL {
                assert!(
                    i18n.has(&format!("doc-{}", kind.as_str())),
                    "{locale}: {kind:?}"
                );
            }
        }
    }

    #[test]
    fn texts_are_filled_without_gaps() {
        let a = [
            ("number", "2026-0001".to_owned()),
            (
                "missing",
                document_names(&[DocumentKind::Identity], Locale::Kk),
            ),
            ("reason", String::new()),
        ];
        let (s, b) = Kind::Incomplete.texts(Locale::Kk, &a);
        assert_eq!(s, "2026-0001 өтінішіңіз толық емес");
        assert!(
            b.contains("Жеке басын куәландыратын құжаттың көшірмесі"),
            "{b}"
        );
        assert!(
            !b.contains('{') && !b.contains("  ") && !b.contains("identity"),
            "{b}"
        );
        assert_eq!(result_word("refused", Locale::Ru), "в признании отказано");
    }

    #[test]
    fn backoff_grows_to_an_hour() {
        assert_eq!(backoff(1), time::Duration::seconds(30));
        assert_eq!(backoff(2), time::Duration::seconds(60));
        assert_eq!(backoff(20), time::Duration::seconds(3600));
    }

    #[test]
    fn calendar_escapes_text() {
        let t = time::macros::datetime!(2026-12-01 05:00 UTC);
        let c = ics("m-1", t, "Комиссия; 1", "Ауд. 301, 3-қабат", t);
        assert!(c.contains("DTSTART:20261201T050000Z"));
        assert!(c.contains("SUMMARY:Комиссия\\; 1"));
        assert!(c.contains("LOCATION:Ауд. 301\\, 3-қабат"));
    }
}

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
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "application-received",
            Self::NewSubmission => "application-submitted",
            Self::Incomplete => "application-incomplete",
            Self::Complete => "application-complete",
            Self::MeetingScheduled => "meeting-scheduled",
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

    /// Subject and text in a language, with `{name}` placeholders.
    fn texts(self, lang: &str) -> (&'static str, &'static str) {
        match (self, lang) {
            (Self::Received, "kk") => (
                "{number} өтінішіңіз қабылданды",
                "{org} ұйымына берген {number} өтінішіңіз қабылданды. Хатшы құжаттардың толықтығын тексереді (Ережелердің 11-тармағы).",
            ),
            (Self::Received, "ru") => (
                "Ваше заявление {number} принято",
                "Ваше заявление {number} в {org} принято. Секретарь проверит комплектность документов (пункт 11 Правил).",
            ),
            (Self::Received, _) => (
                "Your application {number} was received",
                "Your application {number} to {org} was received. The secretary will check that the documents are complete (rule 11).",
            ),
            (Self::NewSubmission, "kk") => (
                "Жаңа өтініш {number}",
                "{candidate} {number} өтінішін берді. Құжаттардың толықтығын тексеріңіз (11-тармақ).",
            ),
            (Self::NewSubmission, "ru") => (
                "Новое заявление {number}",
                "{candidate} подал(а) заявление {number}. Проверьте комплектность документов (пункт 11).",
            ),
            (Self::NewSubmission, _) => (
                "New application {number}",
                "{candidate} submitted application {number}. Please check that its documents are complete (rule 11).",
            ),
            (Self::Incomplete, "kk") => (
                "{number} өтінішіңіз толық емес",
                "Құжаттар толық емес немесе оқылмайды (11-тармақ): {missing}. {reason} Түзетіп, өтінішті қайта жіберіңіз.",
            ),
            (Self::Incomplete, "ru") => (
                "Заявление {number} неполное",
                "Документы неполные или нечитаемые (пункт 11): {missing}. {reason} Исправьте и отправьте заявление снова.",
            ),
            (Self::Incomplete, _) => (
                "Your application {number} is incomplete",
                "Documents are missing or illegible (rule 11): {missing}. {reason} Please correct them and submit again.",
            ),
            (Self::Complete, "kk") => (
                "{number} өтінішіңіз толық",
                "Құжаттарыңыз толық (11-тармақ). Өтініш комиссия отырысына қойылады; отырыс күні туралы хабарлаймыз.",
            ),
            (Self::Complete, "ru") => (
                "Заявление {number} комплектно",
                "Ваши документы комплектны (пункт 11). Заявление будет рассмотрено на заседании комиссии; о дате мы сообщим.",
            ),
            (Self::Complete, _) => (
                "Your application {number} is complete",
                "Your documents are complete (rule 11). The application goes to a meeting of the commission; we will tell you the date.",
            ),
            (Self::MeetingScheduled, "kk") => (
                "Комиссия отырысы: {when}",
                "{commission} отырысы {when} өтеді, орны: {place}. Күн тәртібінде: {agenda}. Күнтізбе файлы тіркелген.",
            ),
            (Self::MeetingScheduled, "ru") => (
                "Заседание комиссии: {when}",
                "Заседание «{commission}» состоится {when}, место: {place}. В повестке: {agenda}. Файл календаря приложен.",
            ),
            (Self::MeetingScheduled, _) => (
                "Commission meeting: {when}",
                "The meeting of {commission} takes place on {when} at {place}. On the agenda: {agenda}. A calendar file is attached.",
            ),
            (Self::Decision, "kk") => (
                "{number} өтініш бойынша шешім",
                "Комиссия {number} өтінішіңіз бойынша шешім қабылдады: {result}. Шешім хаттамамен ресімделеді (9-тармақ); хаттама түпкілікті болғанда үзіндіні жүктей аласыз.",
            ),
            (Self::Decision, "ru") => (
                "Решение по заявлению {number}",
                "Комиссия приняла решение по вашему заявлению {number}: {result}. Решение оформляется протоколом (пункт 9); когда он станет окончательным, вы сможете скачать выписку.",
            ),
            (Self::Decision, _) => (
                "Decision on application {number}",
                "The commission has decided on your application {number}: {result}. The decision is formalised in a protocol (rule 9); once it is final you can download the extract.",
            ),
            (Self::ProtocolFinal, "kk") => (
                "Хаттама № {protocol} түпкілікті",
                "{commission} отырысының хаттамасы № {protocol} бекітілді және түпкілікті. Оны Tanu-да жүктеп алуға және тексеруге болады.",
            ),
            (Self::ProtocolFinal, "ru") => (
                "Протокол № {protocol} окончательный",
                "Протокол № {protocol} заседания «{commission}» утверждён и окончательный. Его можно скачать и проверить в Tanu.",
            ),
            (Self::ProtocolFinal, _) => (
                "Protocol No. {protocol} is final",
                "Protocol No. {protocol} of the meeting of {commission} is approved and final. You can download and verify it in Tanu.",
            ),
            (Self::VerifyEmail, "kk") => (
                "Tanu: электрондық поштаңызды растаңыз",
                "Tanu-да тіркелгіңіз ашылды. Электрондық пошта Сіздікі екенін растау үшін төмендегі сілтемені ашыңыз (48 сағат жарамды). Тіркелмеген болсаңыз, бұл хатты елемеңіз.",
            ),
            (Self::VerifyEmail, "ru") => (
                "Tanu: подтвердите адрес электронной почты",
                "Для вас создана учётная запись в Tanu. Чтобы подтвердить, что этот адрес ваш, откройте ссылку ниже (действует 48 часов). Если вы не регистрировались, не обращайте внимания на это письмо.",
            ),
            (Self::VerifyEmail, _) => (
                "Tanu: confirm your e-mail address",
                "An account was created for you in Tanu. To confirm that this address is yours, open the link below (valid for 48 hours). If you did not register, ignore this message.",
            ),
            (Self::AccountExists, "kk") => (
                "Tanu: Сізде тіркелгі бар",
                "Біреу осы электрондық поштамен Tanu-да қайта тіркелуге тырысты. Сізде тіркелгі бар: кіріңіз, ал құпиясөзді ұмытсаңыз, төмендегі бетте жаңасын сұраңыз. Бұл Сіз болмасаңыз, хатты елемеңіз.",
            ),
            (Self::AccountExists, "ru") => (
                "Tanu: у вас уже есть учётная запись",
                "Кто-то попытался снова зарегистрироваться в Tanu с этим адресом. У вас уже есть учётная запись: войдите, а если забыли пароль, запросите новый на странице ниже. Если это были не вы, не обращайте внимания на письмо.",
            ),
            (Self::AccountExists, _) => (
                "Tanu: you already have an account",
                "Someone tried to register in Tanu again with this address. You already have an account: sign in, or if you forgot the password, ask for a new one on the page below. If this was not you, ignore this message.",
            ),
            (Self::PasswordReset, "kk") => (
                "Tanu: құпиясөзді қалпына келтіру",
                "Жаңа құпиясөз орнату үшін төмендегі сілтемені ашыңыз (бір сағат жарамды, бір рет қолданылады). Барлық сеанстар мен API токендері жабылады. Сұрамаған болсаңыз, хатты елемеңіз.",
            ),
            (Self::PasswordReset, "ru") => (
                "Tanu: восстановление пароля",
                "Чтобы задать новый пароль, откройте ссылку ниже (действует один час, один раз). Все сеансы и API-токены будут закрыты. Если вы не запрашивали, не обращайте внимания на письмо.",
            ),
            (Self::PasswordReset, _) => (
                "Tanu: reset your password",
                "To set a new password, open the link below (valid for one hour, once). All your sessions and API tokens will be ended. If you did not ask for this, ignore this message.",
            ),
            (Self::StaffInvitation, "kk") => (
                "Tanu: {org} Сізді қызметкер ретінде шақырады",
                "{org} Сізді Tanu-да қызметкер ретінде қосты. Қабылдау үшін төмендегі сілтемені ашыңыз (14 күн жарамды). Қабылданбаған қызмет ешқандай рұқсат бермейді.",
            ),
            (Self::StaffInvitation, "ru") => (
                "Tanu: {org} приглашает вас в сотрудники",
                "{org} добавила вас в сотрудники в Tanu. Чтобы принять приглашение, откройте ссылку ниже (действует 14 дней). Пока вы не приняли его, должность не даёт никаких прав.",
            ),
            (Self::StaffInvitation, _) => (
                "Tanu: {org} invites you to its staff",
                "{org} added you to its staff in Tanu. To accept, open the link below (valid for 14 days). Until you accept, the post grants nothing.",
            ),
            (Self::WalkInClaim, "kk") => (
                "Tanu: {number} өтінішіңіздің коды",
                "{org} Сіздің атыңыздан {number} өтінішін тіркеді. Оны өз Tanu тіркелгіңізге қосу үшін кіріп, «Өтінішті қосу» бетінде кодты енгізіңіз: {code}. Кодты ешкімге бермеңіз.",
            ),
            (Self::WalkInClaim, "ru") => (
                "Tanu: код вашего заявления {number}",
                "{org} зарегистрировала заявление {number} от вашего имени. Чтобы привязать его к своей учётной записи Tanu, войдите и введите на странице «Привязать заявление» код: {code}. Никому не сообщайте код.",
            ),
            (Self::WalkInClaim, _) => (
                "Tanu: the code of your application {number}",
                "{org} registered application {number} on your behalf. To attach it to your own Tanu account, sign in and enter this code on the \"Claim an application\" page: {code}. Do not share the code.",
            ),
        }
    }
}

fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out.replace("  ", " ").trim().to_owned()
}

/// Words for a result in a language.
pub fn result_word(result: &str, lang: &str) -> &'static str {
    match (result, lang) {
        ("recognised", "kk") => "оқу нәтижелері танылды",
        ("recognised", "ru") => "результаты обучения признаны",
        ("recognised", _) => "learning outcomes recognised",
        ("refused", "kk") => "тану туралы бас тартылды",
        ("refused", "ru") => "в признании отказано",
        ("refused", _) => "recognition refused",
        (_, "kk") => "шешім қабылданбады; өтініш келесі отырысқа қойылады",
        (_, "ru") => "решение не принято; заявление будет рассмотрено на следующем заседании",
        _ => "no decision adopted; the application returns to a later meeting",
    }
}

/// Tells a person something, in their language, in the caller's transaction. Arguments
/// whose value depends on the language are given as a function of the language.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn tell(
    mut conn: Conn<'_>,
    person_id: i64,
    org_id: Option<i64>,
    kind: Kind,
    args: &(dyn Fn(&str) -> Vec<(&'static str, String)> + Sync),
    link: &str,
    ics: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let Some(person) = persons::by_id(conn.reborrow(), person_id).await? else {
        return Ok(());
    };
    let lang = match person.locale.as_str() {
        "ru" => "ru",
        "en" => "en",
        _ => "kk",
    };
    let (subject, body) = kind.texts(lang);
    let a = args(lang);
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
            lang,
            subject: &fill(subject, &a),
            body: &fill(body, &a),
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
                repo::sent(tx.conn(), n.id, tanu_storage::now()).await?;
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

    #[test]
    fn texts_fill_and_backoff_grows_to_an_hour() {
        let (s, b) = Kind::Incomplete.texts("kk");
        let a = [
            ("number", "2026-0001".to_owned()),
            ("missing", "identity".to_owned()),
            ("reason", String::new()),
        ];
        assert_eq!(fill(s, &a), "2026-0001 өтінішіңіз толық емес");
        assert!(fill(b, &a).contains("identity"));
        assert!(!fill(b, &a).contains('{'));
        assert_eq!(backoff(1), time::Duration::seconds(30));
        assert_eq!(backoff(2), time::Duration::seconds(60));
        assert_eq!(backoff(20), time::Duration::seconds(3600));
        for kind in [
            Kind::Received,
            Kind::NewSubmission,
            Kind::Incomplete,
            Kind::Complete,
            Kind::MeetingScheduled,
            Kind::Decision,
            Kind::ProtocolFinal,
        ] {
            for lang in ["kk", "ru", "en"] {
                let (s, b) = kind.texts(lang);
                assert!(!s.is_empty() && !b.is_empty());
            }
        }
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

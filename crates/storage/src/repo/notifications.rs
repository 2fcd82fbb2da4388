//! Notifications: the inbox and the e-mail outbox (one row each), and the worker's claim
//! of the next e-mail due.

use time::OffsetDateTime;

use super::{execute, fetch, scalar};
use crate::{Conn, StorageError};

/// A notification to write.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    /// Recipient.
    pub person_id: i64,
    /// Organisation concerned.
    pub org_id: Option<i64>,
    /// Kind, e.g. `application-received`.
    pub kind: &'a str,
    /// Language it is written in.
    pub lang: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Text.
    pub body: &'a str,
    /// Where to look in Tanu (a path).
    pub link: &'a str,
    /// iCalendar attachment.
    pub ics: Option<&'a str>,
    /// Address to e-mail, if any.
    pub email_to: Option<&'a str>,
    /// Listed in the recipient's inbox (not for e-mails that carry a secret link).
    pub in_inbox: bool,
}

/// Writes a notification (and queues its e-mail when there is an address).
pub async fn insert(
    conn: Conn<'_>,
    n: &NewNotification<'_>,
    now: OffsetDateTime,
) -> Result<i64, StorageError> {
    let status = if n.email_to.is_some() {
        "pending"
    } else {
        "none"
    };
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "INSERT INTO notifications (person_id, org_id, kind, lang, subject, body, link, ics, created_at, email_to, \
         email_status, next_attempt_at, in_inbox) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $12) RETURNING id",
        n.person_id,
        n.org_id,
        n.kind,
        n.lang,
        n.subject,
        n.body,
        n.link,
        n.ics,
        now,
        n.email_to,
        status,
        n.in_inbox
    )?)
}

/// A notification as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    /// Key.
    pub id: i64,
    /// Recipient.
    pub person_id: i64,
    /// Kind.
    pub kind: String,
    /// Language.
    pub lang: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// Link.
    pub link: String,
    /// Calendar attachment.
    pub ics: Option<String>,
    /// Written.
    pub created_at: OffsetDateTime,
    /// Read.
    pub read_at: Option<OffsetDateTime>,
    /// E-mail address.
    pub email_to: Option<String>,
    /// E-mail status.
    pub email_status: String,
    /// Attempts so far.
    pub attempts: i64,
}

const ROW: &str = "SELECT id, person_id, kind, lang, subject, body, link, ics, created_at, read_at, email_to, \
                   email_status, attempts FROM notifications";

/// A person's notifications, newest first.
pub async fn for_person(
    conn: Conn<'_>,
    person_id: i64,
    limit: i64,
) -> Result<Vec<NotificationRow>, StorageError> {
    let sql = format!("{ROW} WHERE person_id = $1 AND in_inbox ORDER BY id DESC LIMIT $2");
    Ok(fetch!(
        conn,
        fetch_all,
        NotificationRow,
        sqlx::AssertSqlSafe(sql),
        person_id,
        limit
    )?)
}

/// How many are unread.
pub async fn unread(conn: Conn<'_>, person_id: i64) -> Result<i64, StorageError> {
    Ok(scalar!(
        conn,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND in_inbox AND read_at IS NULL",
        person_id
    )?)
}

/// Marks one (or, with `id` none, all) of a person's notifications read.
pub async fn mark_read(
    conn: Conn<'_>,
    person_id: i64,
    id: Option<i64>,
    now: OffsetDateTime,
) -> Result<u64, StorageError> {
    Ok(execute!(
        conn,
        "UPDATE notifications SET read_at = $3 WHERE person_id = $1 AND in_inbox AND read_at IS NULL AND ($2 IS NULL OR id = $2)",
        person_id,
        id,
        now
    )?)
}

/// Claims the next e-mail due: locks it for `lease` so that no other worker takes it,
/// and counts the attempt. `None` when nothing is due.
pub async fn claim(
    conn: Conn<'_>,
    now: OffsetDateTime,
    lease: time::Duration,
) -> Result<Option<NotificationRow>, StorageError> {
    let sql = "UPDATE notifications SET locked_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM notifications WHERE email_status = 'pending' AND next_attempt_at <= $1 \
                     AND (locked_until IS NULL OR locked_until < $1) ORDER BY id LIMIT 1) \
         AND (locked_until IS NULL OR locked_until < $1) \
         RETURNING id, person_id, kind, lang, subject, body, link, ics, created_at, read_at, email_to, email_status, attempts";
    Ok(fetch!(
        conn,
        fetch_optional,
        NotificationRow,
        sql,
        now,
        now + lease
    )?)
}

/// Records a successful send.
pub async fn sent(conn: Conn<'_>, id: i64, now: OffsetDateTime) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE notifications SET email_status = 'sent', sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1",
        id,
        now
    )?;
    Ok(())
}

/// Records a failed attempt: retried at `next`, or given up when `give_up`.
pub async fn failed(
    conn: Conn<'_>,
    id: i64,
    error: &str,
    next: OffsetDateTime,
    give_up: bool,
) -> Result<(), StorageError> {
    execute!(
        conn,
        "UPDATE notifications SET email_status = $4, next_attempt_at = $3, locked_until = NULL, last_error = $2 \
         WHERE id = $1",
        id,
        error,
        next,
        if give_up { "failed" } else { "pending" }
    )?;
    Ok(())
}

/// E-mails by status (for tests and the operator): `(status, count)`.
pub async fn email_counts(conn: Conn<'_>) -> Result<Vec<(String, i64)>, StorageError> {
    Ok(fetch!(
        conn,
        fetch_all,
        (String, i64),
        "SELECT email_status, COUNT(*) FROM notifications GROUP BY email_status ORDER BY email_status"
    )?)
}

/// The active secretaries and admins of an organisation (people told of new submissions).
pub async fn secretaries_and_admins(conn: Conn<'_>, org_id: i64) -> Result<Vec<i64>, StorageError> {
    Ok(scalar!(
        conn,
        fetch_all,
        i64,
        "SELECT DISTINCT s.person_id FROM staff s JOIN staff_roles r ON r.staff_id = s.id \
         WHERE s.org_id = $1 AND s.active AND r.role IN ('secretary', 'org-admin') ORDER BY s.person_id",
        org_id
    )?)
}

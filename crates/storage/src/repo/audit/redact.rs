//! Redaction: deleting a person's personal data from the trail while it still verifies.
//!
//! Each event about the person keeps its hash and the digest of its personal part, and
//! loses the part itself, its salt and its client address. The redaction is an event of
//! its own, `audit-redacted`, listing the events it emptied (sequence numbers only, no
//! personal data, no client address); [`super::verify`] counts them as redacted and
//! calls any event emptied without such a record a break.

use super::{NewEvent, ORIGIN, SEAL_BATCH, append, seal_batch};
use crate::repo::execute;
use crate::{Conn, StorageError};

/// The action of the event that records a redaction.
pub const REDACTED: &str = "audit-redacted";

/// Whom to redact: the events done by or to an account, and any event whose personal
/// members mention one of the texts (as recorded: an e-mail as typed, in any ASCII
/// case; an IIN or a name as written).
#[derive(Debug, Clone, Default)]
pub struct Subject {
    /// The account: events it did (its own sign-ins, uploads, views) and events about it
    /// (`account` or `person` objects with this id).
    pub person_id: Option<i64>,
    /// E-mail addresses the person used or that were typed for them.
    pub emails: Vec<String>,
    /// IINs or foreign document numbers.
    pub iins: Vec<String>,
    /// Full names.
    pub names: Vec<String>,
}

/// What a redaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// The events emptied, in chain order.
    pub events: Vec<i64>,
}

/// Redacts every event about `subject` in the caller's transaction, and records the
/// redaction as an event by `by` (the operator, or the person themselves; `None` for a
/// command). Events still waiting to be linked are linked first, so that they are
/// redacted too; a write that commits after this one records new events, which a later
/// redaction covers. Events left in format 1 by [`super::upgrade`] (from a break on)
/// cannot be redacted without breaking their hash and are left alone.
pub async fn redact_person(
    mut conn: Conn<'_>,
    subject: &Subject,
    by: Option<i64>,
    now: time::OffsetDateTime,
) -> Result<Redaction, StorageError> {
    while seal_batch(conn.reborrow()).await? >= SEAL_BATCH.unsigned_abs() {}
    let mut conditions = Vec::new();
    let mut needles = Vec::new();
    if let Some(id) = subject.person_id {
        conditions.push(format!(
            "person_id = {id} OR (object_type IN ('account', 'person') AND object_id = {id})"
        ));
    }
    for email in &subject.emails {
        // As recorded, and in any ASCII case (an address is typed as the person likes).
        needles.push(like(email));
        conditions.push(format!("personal LIKE ${} ESCAPE '\\'", needles.len()));
        needles.push(like(&email.to_ascii_lowercase()));
        conditions.push(format!(
            "lower(personal) LIKE ${} ESCAPE '\\'",
            needles.len()
        ));
    }
    for text in subject.iins.iter().chain(&subject.names) {
        needles.push(like(text));
        conditions.push(format!("personal LIKE ${} ESCAPE '\\'", needles.len()));
    }
    let mut events = Vec::new();
    if !conditions.is_empty() {
        let sql = format!(
            "SELECT seq FROM audit_events WHERE format = {} AND personal_salt IS NOT NULL AND action <> '{REDACTED}' \
             AND ({}) ORDER BY seq",
            super::FORMAT,
            conditions
                .iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" OR ")
        );
        events = crate::on_conn!(conn.reborrow(), c => {
            let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
            for n in &needles {
                q = q.bind(n);
            }
            q.fetch_all(&mut *c).await
        })?;
    }
    for seq in &events {
        execute!(
            conn.reborrow(),
            "UPDATE audit_events SET ip = '', personal = NULL, personal_salt = NULL WHERE seq = $1",
            seq
        )?;
    }
    let details = serde_json::json!({ "events": events, "count": events.len() }).to_string();
    let event = NewEvent {
        person_id: by,
        role: by.is_none().then_some("operator"),
        action: REDACTED,
        object_type: "person",
        object_id: subject.person_id,
        org_id: None,
        details: &details,
    };
    // The record of a redaction carries no client address: it may be the person's own.
    ORIGIN
        .scope(String::new(), append(conn, &event, now))
        .await?;
    Ok(Redaction { events })
}

/// A `LIKE` pattern that finds `text` inside stored JSON: escaped as JSON writes it,
/// then `\`, `%` and `_` escaped for `LIKE`.
fn like(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_default();
    let inner = json
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&json);
    let mut pattern = String::with_capacity(inner.len() + 2);
    pattern.push('%');
    for ch in inner.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn patterns_find_the_text_as_json_writes_it() {
        assert_eq!(super::like("a_b%c@x.kz"), "%a\\_b\\%c@x.kz%");
        assert_eq!(super::like("Ә \"Q\""), "%Ә \\\\\"Q\\\\\"%");
    }
}

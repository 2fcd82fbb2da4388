//! The personal part of an audit event, kept apart so that it can be redacted while the
//! chain still verifies.
//!
//! An event's personal part is its client address (`ip`) and every member of its
//! details whose key is one of [`PERSONAL_KEYS`], at any depth (the `full_name` of each
//! member a commission gained, the `email` a login was tried with). [`split`] moves those
//! members out of the details into a parallel JSON value (`personal`), which [`merge`]
//! puts back for display. The chain's hash covers the remaining details and a digest of
//! the personal part, salted with 32 random bytes of its own: without the salt, a
//! digest of an IIN (twelve digits, one a check digit) or of a short e-mail could be
//! found by trying every value. Redaction deletes the personal part and the salt and
//! keeps the digest, so the event's hash still verifies and nothing redacted can be
//! guessed back.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::StorageError;

/// Keys of details members that are personal data wherever they occur. Writers of
/// events put a person's identifying details under one of these keys; free texts
/// (reasons, notes) describe the procedure and stay in the details.
pub const PERSONAL_KEYS: [&str; 5] = ["email", "full_name", "iin", "document_number", "phone"];

/// The personal part of one event as stored: none of the three when the event has no
/// personal data; only `digest` once it was redacted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Protected {
    /// The personal members of the details (JSON, parallel to the details), if any.
    pub personal: Option<String>,
    /// 32 random bytes, hex.
    pub salt: Option<String>,
    /// [`digest_of`] the salt, the client address and `personal`.
    pub digest: Option<String>,
}

/// Splits `details` (JSON) into what stays in the details and the personal members
/// ([`PERSONAL_KEYS`], at any depth), in a value of the same shape: objects keep the
/// keys that lead to personal members, arrays keep their length with `null` for items
/// without any. Details that are not JSON stay as they are.
pub fn split(details: &str) -> (String, Option<String>) {
    let Ok(mut value) = serde_json::from_str::<Value>(details) else {
        return (details.to_owned(), None);
    };
    match take_personal(&mut value) {
        Some(personal) => (value.to_string(), Some(personal.to_string())),
        None => (details.to_owned(), None),
    }
}

/// Removes the personal members of `v` and returns them, shaped as `v` is.
fn take_personal(v: &mut Value) -> Option<Value> {
    match v {
        Value::Object(map) => {
            let mut personal = Map::new();
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if PERSONAL_KEYS.contains(&key.as_str()) {
                    if let Some(value) = map.remove(&key) {
                        personal.insert(key, value);
                    }
                } else if let Some(inner) = map.get_mut(&key).and_then(take_personal) {
                    personal.insert(key, inner);
                }
            }
            (!personal.is_empty()).then_some(Value::Object(personal))
        }
        Value::Array(items) => {
            let parts: Vec<Value> = items
                .iter_mut()
                .map(|item| take_personal(item).unwrap_or(Value::Null))
                .collect();
            parts
                .iter()
                .any(|p| !p.is_null())
                .then_some(Value::Array(parts))
        }
        _ => None,
    }
}

/// The details as recorded: `details` with the personal members put back, when they are
/// still there.
pub fn merge(details: &str, personal: Option<&str>) -> String {
    let Some(personal) = personal else {
        return details.to_owned();
    };
    match (
        serde_json::from_str::<Value>(details),
        serde_json::from_str::<Value>(personal),
    ) {
        (Ok(mut d), Ok(p)) => {
            put_back(&mut d, p);
            d.to_string()
        }
        _ => details.to_owned(),
    }
}

fn put_back(into: &mut Value, personal: Value) {
    match (into, personal) {
        (Value::Object(map), Value::Object(p)) => {
            for (key, value) in p {
                match map.get_mut(&key) {
                    Some(existing) => put_back(existing, value),
                    None => {
                        map.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(items), Value::Array(p)) => {
            for (item, value) in items.iter_mut().zip(p) {
                if !value.is_null() {
                    put_back(item, value);
                }
            }
        }
        _ => {}
    }
}

/// The digest the chain covers: SHA-256 (hex) of a label, the salt, the client address
/// (as a JSON string, so it cannot run into the next line) and the personal members.
pub fn digest_of(salt: &str, ip: &str, personal: Option<&str>) -> String {
    let ip = serde_json::to_string(ip).unwrap_or_default();
    let text = format!(
        "tanu-audit-personal-v1\n{salt}\n{ip}\n{}",
        personal.unwrap_or("")
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The stored personal part of an event with this client address and these personal
/// members: a fresh salt and its digest, or nothing when there is nothing personal.
pub fn protect(ip: &str, personal: Option<String>) -> Result<Protected, StorageError> {
    if ip.is_empty() && personal.is_none() {
        return Ok(Protected::default());
    }
    let mut salt = [0_u8; 32];
    getrandom::fill(&mut salt).map_err(|e| StorageError::Random(e.to_string()))?;
    let salt = hex::encode(salt);
    let digest = digest_of(&salt, ip, personal.as_deref());
    Ok(Protected {
        personal,
        salt: Some(salt),
        digest: Some(digest),
    })
}

/// What the stored personal part of an event says, checked against its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Nothing personal was recorded.
    None,
    /// Recorded and matching its digest.
    Intact,
    /// Redacted: only the digest is left.
    Redacted,
    /// Anything else: personal data without a salt or digest, or not matching it.
    Altered,
}

/// Checks an event's stored personal part.
pub fn check(ip: &str, p: &Protected) -> State {
    match (&p.digest, &p.salt) {
        (None, None) if ip.is_empty() && p.personal.is_none() => State::None,
        (Some(_), None) if ip.is_empty() && p.personal.is_none() => State::Redacted,
        (Some(digest), Some(salt)) if *digest == digest_of(salt, ip, p.personal.as_deref()) => {
            State::Intact
        }
        _ => State::Altered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_members_are_split_at_any_depth_and_merge_back() {
        let details = r#"{"added":[{"member_id":3,"full_name":"Әсел Нұрова","external":false},{"member_id":4,"external":true}],"count":5,"email":"A@b.kz"}"#;
        let (kept, personal) = split(details);
        assert!(!kept.contains("Әсел") && !kept.contains("A@b.kz"), "{kept}");
        assert!(
            kept.contains("member_id") && kept.contains("count"),
            "{kept}"
        );
        let personal = personal.unwrap_or_default();
        assert!(personal.contains("Әсел") && personal.contains("A@b.kz"));
        let back: Value = serde_json::from_str(&merge(&kept, Some(&personal))).unwrap_or_default();
        let original: Value = serde_json::from_str(details).unwrap_or_default();
        assert_eq!(back, original);
    }

    #[test]
    fn details_without_personal_members_are_kept_as_written() {
        assert_eq!(
            split(r#"{"kind":"identity"}"#),
            (r#"{"kind":"identity"}"#.to_owned(), None)
        );
        assert_eq!(split("not json"), ("not json".to_owned(), None));
        assert_eq!(merge("{}", None), "{}");
    }

    #[test]
    fn the_digest_is_salted_and_checked() {
        let a =
            protect("10.0.0.1", Some(r#"{"iin":"900101300123"}"#.to_owned())).unwrap_or_default();
        let b =
            protect("10.0.0.1", Some(r#"{"iin":"900101300123"}"#.to_owned())).unwrap_or_default();
        assert_ne!(a.digest, b.digest, "each event has its own salt");
        assert_eq!(check("10.0.0.1", &a), State::Intact);
        assert_eq!(check("10.0.0.2", &a), State::Altered);
        let redacted = Protected {
            personal: None,
            salt: None,
            digest: a.digest.clone(),
        };
        assert_eq!(check("", &redacted), State::Redacted);
        assert_eq!(check("10.0.0.1", &redacted), State::Altered);
        assert_eq!(
            check("", &protect("", None).unwrap_or_default()),
            State::None
        );
        assert_eq!(check("10.0.0.1", &Protected::default()), State::Altered);
    }
}

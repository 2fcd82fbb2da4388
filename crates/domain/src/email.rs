//! E-mail addresses, parsed once at the edge and kept lower-cased.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A syntactically plausible e-mail address, lower-cased, at most 254 characters.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an address. Deliberately lenient (one `@`, a dotted domain, no spaces):
    /// the only real check of an address is a message that arrives.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim().to_lowercase();
        let (local, domain) = s.split_once('@').ok_or(DomainError::EmailInvalid)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !domain.contains("..")
            && s.len() <= 254
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if ok {
            Ok(Self(s))
        } else {
            Err(DomainError::EmailInvalid)
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_folds_case() {
        assert_eq!(
            Email::parse(" Aigerim.N@Mail.KZ ").map(|e| e.to_string()),
            Ok("aigerim.n@mail.kz".to_owned())
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in [
            "",
            "a",
            "a@b",
            "@mail.kz",
            "a b@mail.kz",
            "a@@mail.kz",
            "a@mail..kz",
            "a@.kz",
        ] {
            assert_eq!(Email::parse(bad), Err(DomainError::EmailInvalid), "{bad}");
        }
    }
}

//! Kazakh identification numbers: the IIN of a person and the BIN of an organisation.
//!
//! Both are twelve digits whose last is a check digit computed in two passes (see
//! `shared/spec/identifiers.md`). The birth-date and sex digits of an IIN are hints only:
//! since 2013 they need not match the person, so they never make a number invalid.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Field};

const FIRST_PASS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_PASS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The check digit of the first eleven digits, or `None` when both passes give 10 and
/// no valid number with these digits exists.
pub fn check_digit(first_eleven: &[u8; 11]) -> Option<u8> {
    let pass = |weights: &[u32; 11]| -> u32 {
        first_eleven
            .iter()
            .zip(weights)
            .map(|(d, w)| u32::from(*d) * w)
            .sum::<u32>()
            % 11
    };
    [FIRST_PASS, SECOND_PASS]
        .iter()
        .map(pass)
        .find(|r| *r != 10)
        .and_then(|r| u8::try_from(r).ok())
}

/// Parses twelve digits (spaces and hyphens are tolerated as people type them) and
/// checks the check digit.
fn parse_twelve(input: &str, field: Field) -> Result<[u8; 12], DomainError> {
    let digits: Vec<u8> = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .map(|c| c.to_digit(10).and_then(|d| u8::try_from(d).ok()).ok_or(()))
        .collect::<Result<_, _>>()
        .map_err(|()| DomainError::IdNumberFormat { field })?;
    let all: [u8; 12] = digits
        .try_into()
        .map_err(|_| DomainError::IdNumberFormat { field })?;
    let mut first = [0u8; 11];
    first.copy_from_slice(&all[..11]);
    match check_digit(&first) {
        None => Err(DomainError::IdNumberNeverIssued { field }),
        Some(d) if d == all[11] => Ok(all),
        Some(_) => Err(DomainError::IdNumberCheckDigit { field }),
    }
}

fn digits_to_string(d: &[u8; 12]) -> String {
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

macro_rules! id_number {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 12]);

        impl $name {
            /// Parses and validates by the check digit.
            pub fn parse(input: &str) -> Result<Self, DomainError> {
                parse_twelve(input, $field).map(Self)
            }

            /// The twelve digits as text.
            pub fn as_string(&self) -> String {
                digits_to_string(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.as_string())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_string())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.as_string())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_number!(
    /// Individual identification number (ЖСН / ИИН) of a person.
    Iin,
    "iin"
);
id_number!(
    /// Business identification number (БСН / БИН) of an organisation.
    Bin,
    "bin"
);

impl Iin {
    /// The birth date the number suggests, if its digits form one. A hint only: never a
    /// reason to refuse the number (identifiers.md).
    pub fn birth_date_hint(&self) -> Option<time::Date> {
        let century = match self.0[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return None,
        };
        let n = |i: usize| i32::from(self.0[i]);
        let year = century + n(0) * 10 + n(1);
        let month = time::Month::try_from(self.0[2] * 10 + self.0[3]).ok()?;
        let day = self.0[4] * 10 + self.0[5];
        time::Date::from_calendar_date(year, month, day).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iin_vectors_from_the_spec() {
        for valid in [
            "850715400357",
            "951231400012",
            "000101501238",
            "900201300122",
            "880315300511",
            "061211600012",
        ] {
            assert!(Iin::parse(valid).is_ok(), "{valid} should be valid");
        }
        assert_eq!(
            Iin::parse("850715400358"),
            Err(DomainError::IdNumberCheckDigit { field: "iin" })
        );
        for x in 0..10 {
            assert_eq!(
                Iin::parse(&format!("88031530050{x}")),
                Err(DomainError::IdNumberNeverIssued { field: "iin" })
            );
        }
    }

    #[test]
    fn bin_vectors_from_the_spec() {
        assert!(Bin::parse("940140000385").is_ok());
        assert!(Bin::parse("990140004654").is_ok());
        assert_eq!(
            Bin::parse("990140004655"),
            Err(DomainError::IdNumberCheckDigit { field: "bin" })
        );
    }

    #[test]
    fn format_errors() {
        for bad in [
            "",
            "12345",
            "1234567890123",
            "85071540035x",
            "８５０７１５４００３５７",
        ] {
            assert_eq!(
                Iin::parse(bad),
                Err(DomainError::IdNumberFormat { field: "iin" }),
                "{bad}"
            );
        }
        assert_eq!(
            Iin::parse("850715 400357").map(|i| i.to_string()),
            Ok("850715400357".to_owned())
        );
    }

    #[test]
    fn birth_date_is_a_hint_only() {
        let iin = Iin::parse("850715400357").ok();
        assert_eq!(
            iin.and_then(|i| i.birth_date_hint()),
            time::Date::from_calendar_date(1985, time::Month::July, 15).ok()
        );
        // Digits that form no date (month 13) and no sex still make a valid number.
        let first = [9, 9, 1, 3, 4, 5, 0, 1, 2, 3, 4];
        let Some(check) = check_digit(&first) else {
            panic!("these digits have a check digit")
        };
        let text: String = first
            .iter()
            .chain([check].iter())
            .map(|d| char::from(b'0' + d))
            .collect();
        let odd = Iin::parse(&text);
        assert!(odd.is_ok());
        assert_eq!(odd.ok().and_then(|i| i.birth_date_hint()), None);
    }

    #[test]
    fn serde_round_trip_validates() {
        let ok: Result<Bin, _> = serde_json::from_str("\"940140000385\"");
        assert!(ok.is_ok());
        let bad: Result<Bin, _> = serde_json::from_str("\"940140000386\"");
        assert!(bad.is_err());
    }
}

//! People: names, passwords, staff positions and the roles they hold in an organisation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::{DomainError, Field};

/// Trims `input` and requires 1..=`max` characters.
pub(crate) fn bounded_text(input: &str, field: Field, max: usize) -> Result<String, DomainError> {
    let s = input.trim();
    if s.is_empty() || s.chars().count() > max || s.chars().any(|c| c.is_control() && c != '\n') {
        Err(DomainError::TextLength { field, max })
    } else {
        Ok(s.to_owned())
    }
}

/// Refuses a Unicode format character (general category Cf): the bidirectional
/// controls (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the zero-width characters
/// (U+200B–U+200D, U+2060, U+FEFF), the soft hyphen (U+00AD) and the rest. They are
/// invisible, yet reorder or split what is shown: `Ali\u{202E}ahs` shows as `Alishah`
/// reversed, and two names that look the same differ.
pub fn refuse_invisible(s: &str, field: Field) -> Result<(), DomainError> {
    match s
        .chars()
        .find(|c| c.general_category() == GeneralCategory::Format)
    {
        Some(c) => Err(DomainError::InvisibleCharacter {
            field,
            character: format!("U+{:04X}", u32::from(c)),
        }),
        None => Ok(()),
    }
}

/// A name or a title (of a person, an organisation, a programme, a commission): trimmed,
/// 1..=`max` characters, nothing invisible. Lists, protocols and extracts show these;
/// free text (notes, reasons) goes through [`required_text`].
pub fn name_text(input: &str, field: Field, max: usize) -> Result<String, DomainError> {
    let s = bounded_text(input, field, max)?;
    refuse_invisible(&s, field)?;
    Ok(s)
}

/// Whether multi-line free text holds a control character other than a line break or a
/// tab: such a character (a NUL byte above all, which PostgreSQL refuses) is not text.
pub fn has_stray_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Optional free text: blank becomes `None`, otherwise bounded like [`bounded_text`].
pub fn optional_text(
    input: Option<&str>,
    field: Field,
    max: usize,
) -> Result<Option<String>, DomainError> {
    input
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| bounded_text(s, field, max))
        .transpose()
}

/// Required free text, trimmed and bounded.
pub fn required_text(input: &str, field: Field, max: usize) -> Result<String, DomainError> {
    bounded_text(input, field, max)
}

/// A person's full name as they write it (Kazakh, Russian or Latin letters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FullName(String);

impl FullName {
    /// Longest accepted.
    pub const MAX: usize = 200;

    /// Trims and bounds the name; refuses invisible characters ([`name_text`]).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        name_text(input, "full_name", Self::MAX).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Initials with the surname, "Нұрланова А. Б." style, for public pages.
    pub fn initials(&self) -> String {
        let mut words = self.0.split_whitespace();
        let surname = words.next().unwrap_or_default();
        let rest: Vec<String> = words
            .filter_map(|w| w.chars().next())
            .map(|c| format!("{c}."))
            .collect();
        if rest.is_empty() {
            surname.to_owned()
        } else {
            format!("{surname} {}", rest.join(" "))
        }
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the policy; never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Shortest accepted.
    pub const MIN: usize = 10;
    /// Longest accepted (bounds the hashing work an attacker can ask for).
    pub const MAX: usize = 256;

    /// Checks the length policy. Length is what makes a password strong; no other rules.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let n = input.chars().count();
        if (Self::MIN..=Self::MAX).contains(&n) {
            Ok(Self(input.to_owned()))
        } else {
            Err(DomainError::PasswordPolicy {
                min: Self::MIN,
                max: Self::MAX,
            })
        }
    }

    /// The secret itself, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored and used in the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    DomainError::UnknownValue { field: $field, value: s.chars().take(64).collect() }
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum!(
    /// A staff member's position; teachers matter to rule 7.
    Position, "position" {
        /// Teaches at the organisation (rule 7 counts teachers).
        Teacher = "teacher",
        /// A specialist; secretaries are specialists (rule 8).
        Specialist = "specialist",
        /// Anyone else on the staff.
        Other = "other",
    }
);

code_enum!(
    /// What a staff member may do within one organisation.
    Role, "role" {
        /// Manages staff and forms commissions.
        OrgAdmin = "org-admin",
        /// Runs intake, completeness checks, meetings and protocols.
        Secretary = "secretary",
        /// May be appointed to a commission.
        Member = "member",
        /// Reads everything of the organisation, changes nothing.
        Auditor = "auditor",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough pass").is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("0123456789")),
            "Ok(Password(***))"
        );
    }

    #[test]
    fn initials() {
        let n = FullName::parse("Нұрланова Айгерім Бекқызы").ok();
        assert_eq!(n.map(|n| n.initials()), Some("Нұрланова А. Б.".to_owned()));
    }

    #[test]
    fn names_refuse_bidi_controls_and_zero_width_characters() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{200E}', '\u{200F}', '\u{2066}', '\u{2069}', '\u{200B}',
            '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{061C}',
        ] {
            assert_eq!(
                FullName::parse(&format!("Нұрланова{c} Айгерім")),
                Err(DomainError::InvisibleCharacter {
                    field: "full_name",
                    character: format!("U+{:04X}", u32::from(c)),
                }),
                "{c:?}"
            );
        }
    }

    #[test]
    fn names_keep_kazakh_letters_apostrophes_hyphens_and_spaces() {
        for name in [
            "Әлия Ғалымқызы Қасенова",
            "Іңкәр Һәкімқызы Сәрсенова",
            "O'Brien Anna-Maria",
            "Пётр Ёлкин",
        ] {
            assert_eq!(FullName::parse(name).map(|n| n.0), Ok(name.to_owned()));
        }
    }

    #[test]
    fn the_refusal_of_an_invisible_character_names_the_field_and_the_character() {
        let e = name_text("Колледж\u{200B}", "name_kk", 300).err();
        assert_eq!(
            e.as_ref().map(DomainError::code),
            Some("invisible-character")
        );
        assert_eq!(e.as_ref().and_then(DomainError::field), Some("name_kk"));
        assert_eq!(
            e.map(|e| e.args()),
            Some(vec![
                ("field", "name_kk".to_owned()),
                ("character", "U+200B".to_owned())
            ])
        );
    }

    #[test]
    fn free_text_keeps_format_characters() {
        assert!(required_text("see\u{00AD}ing", "notes", 100).is_ok());
    }

    #[test]
    fn roles_parse() {
        assert_eq!("org-admin".parse::<Role>(), Ok(Role::OrgAdmin));
        assert!("root".parse::<Role>().is_err());
        assert_eq!("teacher".parse::<Position>(), Ok(Position::Teacher));
    }
}

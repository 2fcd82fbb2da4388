//! The Rules as pure code.
//!
//! This crate owns every rule of the act that Tanu enforces and the types that make
//! wrong states unrepresentable (`Iin`, `Bin`, `Email`, `OrgKind`, …). It does no I/O,
//! no async and never reads the clock: callers pass the facts and `today`, and get back
//! a value or a typed [`DomainError`] that names the rule it enforces.

/// The stable code of a state or kind: `ALL`, `as_str`, `parse`, `Display`, and
/// `TryFrom<String>`, with which storage reads the column. The codes are the wire values
/// too: the type derives serde with `kebab-case`, and a test checks that both agree.
macro_rules! coded {
    ($ty:ident, $field:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order of the procedure.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// Stable code: stored, and the API's wire value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// Parses a code.
            pub fn parse(s: &str) -> Result<Self, $crate::DomainError> {
                match s.trim() {
                    $($code => Ok(Self::$variant),)+
                    other => Err($crate::DomainError::UnknownValue {
                        field: $field,
                        value: other.chars().take(32).collect(),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::DomainError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
    };
}

pub mod application;
pub mod commission;
pub mod dates;
pub mod email;
pub mod error;
pub mod ids;
pub mod locale;
pub mod meeting;
pub mod organisation;
pub mod person;
pub mod protocol;
pub mod retention;
pub mod rule_set;

pub use email::Email;
pub use error::{Action, DomainError, Field, ParamProblem};
pub use ids::{Bin, Iin};
pub use locale::Locale;
pub use organisation::{OrgKind, OrgNames};
pub use person::{FullName, Password, Position, Role};
pub use rule_set::{RuleSet, RuleSetParams};

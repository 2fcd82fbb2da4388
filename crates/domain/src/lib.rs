//! The Rules as pure code.
//!
//! This crate owns every rule of the act that Tanu enforces and the types that make
//! wrong states unrepresentable (`Iin`, `Bin`, `Email`, `OrgKind`, …). It does no I/O,
//! no async and never reads the clock: callers pass the facts and `today`, and get back
//! a value or a typed [`DomainError`] that names the rule it enforces.

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
pub mod rule_set;

pub use email::Email;
pub use error::{Action, DomainError, Field, ParamProblem};
pub use ids::{Bin, Iin};
pub use locale::Locale;
pub use organisation::{OrgKind, OrgNames};
pub use person::{FullName, Password, Position, Role};
pub use rule_set::{RuleSet, RuleSetParams};

//! Typed refusals. Each has a stable machine code (used by the API and as the key of the
//! translated message in the UI) and, where the act forbids the thing, the rule number.

use std::fmt;

/// The input field a refusal is about, so the UI can put the message beside it.
pub type Field = &'static str;

/// Why the domain refused a value or an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// An identity number (IIN or BIN) is not twelve digits.
    #[error("{field}: must be exactly 12 digits")]
    IdNumberFormat {
        /// Which field held it.
        field: Field,
    },
    /// The twelfth digit does not match the check digit of the first eleven.
    #[error("{field}: the check digit is wrong")]
    IdNumberCheckDigit {
        /// Which field held it.
        field: Field,
    },
    /// No valid number exists with these first eleven digits (both passes give 10).
    #[error("{field}: no valid number begins with these eleven digits")]
    IdNumberNeverIssued {
        /// Which field held it.
        field: Field,
    },
    /// An e-mail address that cannot be one.
    #[error("not a valid e-mail address")]
    EmailInvalid,
    /// A required text was empty or too long.
    #[error("{field}: must be 1 to {max} characters")]
    TextLength {
        /// Which field.
        field: Field,
        /// The longest accepted.
        max: usize,
    },
    /// A password outside the policy.
    #[error("password must be {min} to {max} characters")]
    PasswordPolicy {
        /// Shortest accepted.
        min: usize,
        /// Longest accepted.
        max: usize,
    },
    /// Rule 4: only organisations of technical and vocational, post-secondary, higher or
    /// postgraduate education recognise learning outcomes.
    #[error("rule 4: an organisation of kind {kind} cannot recognise learning outcomes")]
    OrganisationNotEligible {
        /// The kind that was given.
        kind: String,
    },
    /// A value that is not one of the allowed ones.
    #[error("{field}: unknown value {value:?}")]
    UnknownValue {
        /// Which field.
        field: Field,
        /// What was given.
        value: String,
    },
    /// A date range whose end is before its start.
    #[error("{field}: the end date is before the start date")]
    DateRangeInverted {
        /// Which field.
        field: Field,
    },
    /// A person must be identified by an IIN or, for foreigners, a document number.
    #[error("give an IIN or, without one, a foreign identity document number")]
    IdentityRequired,
    /// A rule-set parameter out of its range.
    #[error("{field}: {reason}")]
    RuleSetParameter {
        /// Which parameter.
        field: Field,
        /// What is wrong with it.
        reason: String,
    },
}

impl DomainError {
    /// Stable machine code; never change one that has shipped.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IdNumberFormat { .. } => "id-number-format",
            Self::IdNumberCheckDigit { .. } => "id-number-check-digit",
            Self::IdNumberNeverIssued { .. } => "id-number-never-issued",
            Self::EmailInvalid => "email-invalid",
            Self::TextLength { .. } => "text-length",
            Self::PasswordPolicy { .. } => "password-policy",
            Self::OrganisationNotEligible { .. } => "rule-4-organisation-not-eligible",
            Self::UnknownValue { .. } => "unknown-value",
            Self::DateRangeInverted { .. } => "date-range-inverted",
            Self::RuleSetParameter { .. } => "rule-set-parameter",
            Self::IdentityRequired => "identity-required",
        }
    }

    /// The item of the Rules that forbids it, when one does.
    pub fn rule(&self) -> Option<u8> {
        match self {
            Self::OrganisationNotEligible { .. } => Some(4),
            _ => None,
        }
    }

    /// The input field concerned, when there is one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::IdNumberFormat { field }
            | Self::IdNumberCheckDigit { field }
            | Self::IdNumberNeverIssued { field }
            | Self::TextLength { field, .. }
            | Self::UnknownValue { field, .. }
            | Self::DateRangeInverted { field }
            | Self::RuleSetParameter { field, .. } => Some(field),
            Self::EmailInvalid => Some("email"),
            Self::IdentityRequired => Some("iin"),
            Self::PasswordPolicy { .. } => Some("password"),
            Self::OrganisationNotEligible { .. } => Some("kind"),
        }
    }

    /// Named values for the translated message (Fluent variables).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::TextLength { field, max } => {
                vec![("field", (*field).to_owned()), ("max", max.to_string())]
            }
            Self::PasswordPolicy { min, max } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            Self::OrganisationNotEligible { kind } => vec![("kind", kind.clone())],
            Self::UnknownValue { field, value } => {
                vec![("field", (*field).to_owned()), ("value", value.clone())]
            }
            Self::RuleSetParameter { field, reason } => {
                vec![("field", (*field).to_owned()), ("reason", reason.clone())]
            }
            Self::IdNumberFormat { field }
            | Self::IdNumberCheckDigit { field }
            | Self::IdNumberNeverIssued { field }
            | Self::DateRangeInverted { field } => vec![("field", (*field).to_owned())],
            Self::EmailInvalid | Self::IdentityRequired => Vec::new(),
        }
    }
}

/// Shows a rule number the way errors cite it: "rule 7".
#[derive(Debug, Clone, Copy)]
pub struct RuleRef(pub u8);

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}", self.0)
    }
}

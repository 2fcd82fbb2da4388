//! The one error type of the services. The web layer maps it to a status, a problem
//! document for the API and a translated message for the UI.

use tanu_domain::DomainError;
use tanu_storage::StorageError;

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The domain refused the input or the action (may cite a rule).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Nothing there – or nothing this actor may see, which looks the same.
    #[error("not found")]
    NotFound,
    /// Not logged in.
    #[error("authentication required")]
    Unauthenticated,
    /// Logged in, but the role does not allow it.
    #[error("forbidden")]
    Forbidden,
    /// E-mail and password did not match.
    #[error("wrong e-mail or password")]
    BadCredentials,
    /// Too many failed logins; try again later.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// The value must be unique and is already taken.
    #[error("{field} is already in use")]
    Taken {
        /// Stable code, e.g. `email-taken`.
        code: &'static str,
        /// Input field.
        field: &'static str,
    },
    /// A refusal about the caller's account or a link of theirs, with its HTTP status,
    /// stable code and the input field concerned (e.g. `email-unverified`,
    /// `link-invalid`, `current-password-wrong`).
    #[error("{code}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Stable code.
        code: &'static str,
        /// Input field.
        field: Option<&'static str>,
    },
    /// An invitation link that is unknown, used or expired.
    #[error("invitation is not valid")]
    InvitationInvalid,
    /// Another change to the same records got there first, and this one was not made;
    /// sent again, it will be (see also [`StorageError::Contention`]).
    #[error("busy: {0}")]
    Busy(&'static str),
    /// An internal failure; logged, never shown.
    #[error("internal error: {0}")]
    Internal(#[from] StorageError),
    /// An internal failure of another kind; logged, never shown.
    #[error("internal error: {0}")]
    Other(String),
}

impl AppError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Domain(e) => e.code(),
            Self::NotFound => "not-found",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::BadCredentials => "bad-credentials",
            Self::Throttled { .. } => "too-many-attempts",
            Self::Taken { code, .. } => code,
            Self::InvitationInvalid => "invitation-invalid",
            Self::Refused { code, .. } => code,
            Self::Busy(_) | Self::Internal(StorageError::Contention(_)) => "busy",
            Self::Internal(_) | Self::Other(_) => "internal",
        }
    }

    /// The rule the refusal cites, if any.
    pub fn rule(&self) -> Option<u8> {
        match self {
            Self::Domain(e) => e.rule(),
            _ => None,
        }
    }

    /// The input field concerned, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Domain(e) => e.field(),
            Self::Taken { field, .. } => Some(field),
            Self::Refused { field, .. } => *field,
            Self::BadCredentials => Some("password"),
            _ => None,
        }
    }

    /// Named values for the translated message.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Domain(e) => e.args(),
            Self::Throttled { retry_after_secs } => {
                vec![("minutes", retry_after_secs.div_ceil(60).to_string())]
            }
            _ => Vec::new(),
        }
    }

    /// Maps a unique violation on `table.column` to [`AppError::Taken`].
    pub(crate) fn taken_or(
        e: StorageError,
        table: &str,
        column: &'static str,
        code: &'static str,
    ) -> Self {
        if e.is_unique_on(table, column) {
            Self::Taken {
                code,
                field: column,
            }
        } else {
            Self::Internal(e)
        }
    }
}

impl AppError {
    /// The e-mail of the account is not verified yet (403).
    pub fn email_unverified() -> Self {
        Self::Refused {
            status: 403,
            code: "email-unverified",
            field: None,
        }
    }

    /// A link from an e-mail that is unknown, used or expired (410).
    pub fn link_invalid() -> Self {
        Self::Refused {
            status: 410,
            code: "link-invalid",
            field: None,
        }
    }
}

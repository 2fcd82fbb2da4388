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
    /// A refusal of the services' own (see [`Refusal`]).
    #[error("{}", .0.code())]
    Refused(Refusal),
    /// An invitation link that is unknown, used or expired.
    #[error("invitation is not valid")]
    InvitationInvalid,
    /// Another change to the same records got there first, and this one was not made;
    /// sent again, it will be. The database's own contention (a deadlock, a
    /// serialization failure, SQLite busy) arrives here too: `From<StorageError>` maps
    /// [`StorageError::Contention`] to this variant, so "busy" has one spelling.
    #[error("busy: {reason}")]
    Busy {
        /// What got in the way (for the log).
        reason: &'static str,
        /// The database's refusal, when it was one.
        #[source]
        source: Option<StorageError>,
    },
    /// An internal failure of the storage layer; logged, never shown.
    #[error("internal error: {0}")]
    Internal(StorageError),
    /// An internal failure of another kind, with its cause; logged, never shown.
    #[error("internal error")]
    Other(#[source] anyhow::Error),
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Contention(_) => Self::Busy {
                reason: "the database is busy",
                source: Some(e),
            },
            e => Self::Internal(e),
        }
    }
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
            Self::InvitationInvalid => "invitation-invalid",
            Self::Refused(r) => r.code(),
            Self::Busy { .. } => "busy",
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
            Self::Refused(r) => r.field(),
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

    /// Every code an error of the services' own (not the domain's) carries.
    pub fn own_codes() -> impl Iterator<Item = &'static str> {
        [
            "not-found",
            "unauthenticated",
            "forbidden",
            "bad-credentials",
            "too-many-attempts",
            "invitation-invalid",
            "busy",
            "internal",
        ]
        .into_iter()
        .chain(Refusal::ALL.iter().map(|r| r.code()))
    }

    /// Maps a unique violation on `table.column` to `taken`.
    pub(crate) fn taken_or(e: StorageError, table: &str, column: &str, taken: Refusal) -> Self {
        if e.is_unique_on(table, column) {
            Self::Refused(taken)
        } else {
            e.into()
        }
    }

    /// Another change got there first (503, sent again it is made).
    pub(crate) fn busy(reason: &'static str) -> Self {
        Self::Busy {
            reason,
            source: None,
        }
    }

    /// An internal failure, its cause kept for the log.
    pub(crate) fn other(e: impl Into<anyhow::Error>) -> Self {
        Self::Other(e.into())
    }
}

/// Lists the services' own refusals once: each with its code, HTTP status and the input
/// field concerned.
macro_rules! refusals {
    ($( $(#[$doc:meta])* $Variant:ident = ($code:literal, $status:literal, $field:expr) ),* $(,)?) => {
        /// A refusal about the caller's account, a link of theirs or a value already
        /// taken, with its stable code, HTTP status and input field.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Refusal {
            $( $(#[$doc])* $Variant ),*
        }

        impl Refusal {
            /// Every refusal.
            pub const ALL: &'static [Refusal] = &[$(Self::$Variant),*];

            /// Stable code.
            pub fn code(self) -> &'static str {
                match self { $( Self::$Variant => $code ),* }
            }

            /// HTTP status.
            pub fn status(self) -> u16 {
                match self { $( Self::$Variant => $status ),* }
            }

            /// The input field concerned.
            pub fn field(self) -> Option<&'static str> {
                match self { $( Self::$Variant => $field ),* }
            }
        }
    };
}

refusals! {
    /// The e-mail of the account is not verified yet.
    EmailUnverified = ("email-unverified", 403, None),
    /// A link from an e-mail that is unknown, used or expired.
    LinkInvalid = ("link-invalid", 410, None),
    /// The current password given to change it is wrong.
    CurrentPasswordWrong = ("current-password-wrong", 422, Some("current_password")),
    /// An invitation is accepted signed in as the person it invites.
    InvitationSignIn = ("invitation-sign-in", 403, None),
    /// A walk-in's claim code that is unknown or used.
    ClaimCodeInvalid = ("claim-code-invalid", 422, Some("code")),
    /// A claim code of a record whose identity is not the account's.
    ClaimIdentityMismatch = ("claim-identity-mismatch", 422, Some("code")),
    /// A read-only API token asked for a change.
    TokenReadOnly = ("token-read-only", 403, None),
    /// An organisation with this BIN exists.
    BinTaken = ("bin-taken", 409, Some("bin")),
    /// The person already holds a post in the organisation.
    StaffExists = ("staff-exists", 409, Some("org_id")),
    /// An identity scan asked for by staff who need not see it (issue 24).
    NeedToKnow = ("need-to-know", 403, None),
    /// The candidate already keeps as many drafts open at the organisation as allowed.
    DraftsLimit = ("drafts-limit", 422, Some("org_id")),
    /// The person's uploads would pass their quota.
    UploadQuota = ("upload-quota", 422, Some("file")),
    /// An erasure asked for a person who holds a post: the post ends first.
    ErasureHoldsPost = ("erasure-holds-post", 409, None),
    /// An erasure asked while an application of the person is on an agenda.
    ErasureOnAgenda = ("erasure-on-agenda", 409, None),
}

impl AppError {
    /// The e-mail of the account is not verified yet (403).
    pub fn email_unverified() -> Self {
        Self::Refused(Refusal::EmailUnverified)
    }

    /// A link from an e-mail that is unknown, used or expired (410).
    pub fn link_invalid() -> Self {
        Self::Refused(Refusal::LinkInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::{AppError, Refusal};

    /// Each kind of error has its code among [`AppError::own_codes`] (a new variant
    /// fails to compile here until it is listed).
    #[test]
    fn own_codes_cover_every_variant() {
        let samples = [
            AppError::NotFound,
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::BadCredentials,
            AppError::Throttled {
                retry_after_secs: 1,
            },
            AppError::InvitationInvalid,
            AppError::busy("test"),
            AppError::other(anyhow::anyhow!("test")),
            AppError::Refused(Refusal::TokenReadOnly),
        ];
        let codes: Vec<&str> = AppError::own_codes().collect();
        for e in &samples {
            match e {
                AppError::Domain(_)
                | AppError::NotFound
                | AppError::Unauthenticated
                | AppError::Forbidden
                | AppError::BadCredentials
                | AppError::Throttled { .. }
                | AppError::Refused(_)
                | AppError::InvitationInvalid
                | AppError::Busy { .. }
                | AppError::Internal(_)
                | AppError::Other(_) => assert!(codes.contains(&e.code()), "{}", e.code()),
            }
        }
    }
}

//! How long an organisation keeps personal data that no decision needs (the Law of the
//! Republic of Kazakhstan "On personal data and their protection": kept no longer than
//! its purpose asks). A policy is a handful of periods in days; what each one lets go is
//! decided here, and the services purge it.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::DomainError;

/// The longest period a policy may set, in days (ten years).
pub const MAX_DAYS: i64 = 3650;

/// An organisation's retention periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionPolicy {
    /// A draft nobody touched for this long is deleted (its content and files).
    pub drafts_days: i64,
    /// A withdrawn application is purged this long after its withdrawal.
    pub withdrawn_days: i64,
    /// An application found incomplete and left so this long is purged (abandoned).
    pub incomplete_days: i64,
    /// A decided application's identity scan is purged this long after the decision;
    /// the protocol, the extract and the decision stay.
    pub identity_days: i64,
}

impl Default for RetentionPolicy {
    /// The stated defaults: drafts 90 days, withdrawn 30, abandoned incomplete 180, and
    /// identity scans a year after the decision (time for questions and corrections).
    fn default() -> Self {
        Self {
            drafts_days: 90,
            withdrawn_days: 30,
            incomplete_days: 180,
            identity_days: 365,
        }
    }
}

/// What a policy lets go of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Purge {
    /// A draft untouched for its period: deleted.
    Draft,
    /// A withdrawn application: its content and files.
    Withdrawn,
    /// An application left incomplete: its content and files.
    Abandoned,
    /// The identity scan of a decided application.
    IdentityScan,
    /// A document a later upload of its kind replaced.
    Replaced,
}

coded!(Purge, "purge", {
    Draft => "draft",
    Withdrawn => "withdrawn",
    Abandoned => "abandoned",
    IdentityScan => "identity-scan",
    Replaced => "replaced",
});

impl RetentionPolicy {
    /// Checks every period is a number of days from 1 to [`MAX_DAYS`].
    pub fn check(&self) -> Result<(), DomainError> {
        for (field, days) in [
            ("drafts_days", self.drafts_days),
            ("withdrawn_days", self.withdrawn_days),
            ("incomplete_days", self.incomplete_days),
            ("identity_days", self.identity_days),
        ] {
            if !(1..=MAX_DAYS).contains(&days) {
                return Err(DomainError::RetentionPeriod { field });
            }
        }
        Ok(())
    }

    /// The period of `what` (a replaced document has none: it goes when replaced).
    pub fn days(&self, what: Purge) -> i64 {
        match what {
            Purge::Draft => self.drafts_days,
            Purge::Withdrawn => self.withdrawn_days,
            Purge::Abandoned => self.incomplete_days,
            Purge::IdentityScan => self.identity_days,
            Purge::Replaced => 0,
        }
    }

    /// What happened before this moment is due for `what` at `now`.
    pub fn cutoff(&self, what: Purge, now: OffsetDateTime) -> OffsetDateTime {
        now - Duration::days(self.days(what))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_days_from_one_to_ten_years() {
        assert!(RetentionPolicy::default().check().is_ok());
        let p = RetentionPolicy {
            drafts_days: 0,
            ..RetentionPolicy::default()
        };
        assert_eq!(
            p.check(),
            Err(DomainError::RetentionPeriod {
                field: "drafts_days"
            })
        );
        let p = RetentionPolicy {
            identity_days: MAX_DAYS + 1,
            ..RetentionPolicy::default()
        };
        assert!(p.check().is_err());
    }

    #[test]
    fn cutoffs_count_back_from_now() {
        let now = time::macros::datetime!(2027-12-07 10:00 UTC);
        let p = RetentionPolicy::default();
        assert_eq!(
            p.cutoff(Purge::Draft, now),
            time::macros::datetime!(2027-09-08 10:00 UTC)
        );
        assert_eq!(p.cutoff(Purge::Replaced, now), now);
        for what in Purge::ALL {
            assert_eq!(Purge::parse(what.as_str()).unwrap(), *what);
        }
    }
}

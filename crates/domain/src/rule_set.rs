//! Rule sets: the act's rules as a named, versioned set with an effective date range,
//! and the parameters for what the act leaves open (quorum, teachers, deadlines).
//!
//! An application is judged under the set in force on the day it was filed; a protocol
//! names the set it applied. Policy points are parameters here, never constants
//! scattered in code.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::error::{DomainError, ParamProblem};

/// Who counts towards a majority or a quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MajorityBase {
    /// The members taking part (present and not excused), as rules 8 and 14 read.
    #[default]
    MembersTakingPart,
    /// Every member of the commission.
    AllMembers,
}

/// How many members must be present for a meeting to decide. The act is silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Quorum {
    /// More than half of the members (default).
    #[default]
    MoreThanHalf,
    /// At least two thirds of the members.
    TwoThirds,
    /// Every member.
    All,
}

impl Quorum {
    /// Whether `present` of `members` make a quorum.
    pub fn is_met(self, present: u32, members: u32) -> bool {
        match self {
            Self::MoreThanHalf => present * 2 > members,
            Self::TwoThirds => present * 3 >= members * 2,
            Self::All => present >= members,
        }
    }

    /// The fewest members present that make a quorum of `members`.
    pub fn minimum(self, members: u32) -> u32 {
        (0..=members)
            .find(|p| self.is_met(*p, members))
            .unwrap_or(members)
    }
}

/// The parameters of a rule set: what the act leaves to policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSetParams {
    /// Quorum for a meeting to decide (the act is silent).
    pub quorum: Quorum,
    /// Rule 8: the base for "majority vote" in chair and deputy elections.
    pub election_majority_base: MajorityBase,
    /// Rule 7: whether every member must be a teacher (the act only says teachers are
    /// among the members).
    pub all_members_teachers: bool,
    /// Rule 7: the fewest teachers among the members.
    pub min_teachers: u32,
    /// Rule 11: working days the secretary has for the completeness check.
    pub completeness_check_days: u32,
    /// Days from a complete check to the decision.
    pub decision_days: u32,
    /// Days a candidate has to appeal a decision; `None` when appeals are not offered,
    /// the only value accepted until Tanu handles appeals.
    pub appeal_days: Option<u32>,
}

impl Default for RuleSetParams {
    fn default() -> Self {
        Self {
            quorum: Quorum::MoreThanHalf,
            election_majority_base: MajorityBase::MembersTakingPart,
            all_members_teachers: false,
            min_teachers: 1,
            completeness_check_days: 5,
            decision_days: 30,
            appeal_days: None,
        }
    }
}

impl RuleSetParams {
    /// Checks that the parameters make sense together.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |field, problem| Err(DomainError::RuleSetParameter { field, problem });
        if self.min_teachers == 0 {
            return bad("min_teachers", ParamProblem::NoTeachers);
        }
        if !(1..=365).contains(&self.completeness_check_days) {
            return bad("completeness_check_days", ParamProblem::OutOfRange);
        }
        if !(1..=365).contains(&self.decision_days) {
            return bad("decision_days", ParamProblem::OutOfRange);
        }
        if self.appeal_days.is_some_and(|d| !(1..=365).contains(&d)) {
            return bad("appeal_days", ParamProblem::OutOfRange);
        }
        Ok(())
    }

    /// Checks parameters an operator sets now: valid, and only policy Tanu carries out.
    /// The procedure's appeal is optional policy that Tanu does not run yet, so a new
    /// appeal window, which nothing would honour, is refused rather than kept
    /// (docs/decisions.md). Parameters stored earlier are only [`Self::validate`]d.
    pub fn validate_new(&self) -> Result<(), DomainError> {
        self.validate()?;
        if self.appeal_days.is_some() {
            return Err(DomainError::RuleSetParameter {
                field: "appeal_days",
                problem: ParamProblem::AppealsNotHandled,
            });
        }
        Ok(())
    }
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A named, versioned set of rules with the dates it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Stable code, e.g. `kz-508-2023-07`.
    pub code: String,
    /// Version of this set's parameters; bumped by each change.
    pub version: u32,
    /// Human title (the act it implements).
    pub title: String,
    /// First day the set applies.
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    /// Last day the set applies; `None` while open-ended.
    #[serde(with = "iso_date::option")]
    pub effective_to: Option<Date>,
    /// The policy parameters.
    pub params: RuleSetParams,
}

impl RuleSet {
    /// Whether the set applies on `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day <= to)
    }

    /// Checks an effective range: the end, if any, not before the start.
    pub fn validate_range(from: Date, to: Option<Date>) -> Result<(), DomainError> {
        match to {
            Some(to) if to < from => Err(DomainError::DateRangeInverted {
                field: "effective_to",
            }),
            _ => Ok(()),
        }
    }

    /// The set in force on `day`: among those covering it, the one that took effect
    /// last (a later amendment supersedes an earlier text).
    pub fn in_force_on(sets: &[RuleSet], day: Date) -> Option<&RuleSet> {
        sets.iter()
            .filter(|s| s.covers(day))
            .max_by_key(|s| (s.effective_from, s.version))
    }

    /// The sets Tanu ships: order No. 508 of 28 September 2018 as first made, and as
    /// amended by order No. 212 of 17 July 2023 (the default). The dates are the dates of
    /// the orders; the operator sets the exact dates of entry into force and of repeal.
    pub fn shipped() -> Vec<RuleSet> {
        let date = |y, m, d| Date::from_calendar_date(y, m, d).unwrap_or(Date::MIN);
        vec![
            RuleSet {
                code: "kz-508-2018".to_owned(),
                version: 1,
                title: "Order No. 508 of 28.09.2018 (as first made)".to_owned(),
                effective_from: date(2018, Month::October, 23),
                effective_to: Some(date(2023, Month::July, 16)),
                params: RuleSetParams::default(),
            },
            RuleSet {
                code: Self::DEFAULT_CODE.to_owned(),
                version: 1,
                title: "Order No. 508 of 28.09.2018 as amended by order No. 212 of 17.07.2023"
                    .to_owned(),
                effective_from: date(2023, Month::July, 17),
                effective_to: None,
                params: RuleSetParams::default(),
            },
        ]
    }

    /// The code of the default set.
    pub const DEFAULT_CODE: &'static str = "kz-508-2023-07";
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_set_in_force_on_a_day() {
        let sets = RuleSet::shipped();
        let code = |d| RuleSet::in_force_on(&sets, d).map(|s| s.code.as_str());
        assert_eq!(code(date!(2020 - 01 - 01)), Some("kz-508-2018"));
        assert_eq!(code(date!(2023 - 07 - 16)), Some("kz-508-2018"));
        assert_eq!(code(date!(2023 - 07 - 17)), Some("kz-508-2023-07"));
        assert_eq!(code(date!(2026 - 11 - 25)), Some("kz-508-2023-07"));
        assert_eq!(code(date!(2017 - 01 - 01)), None);
    }

    #[test]
    fn shipped_parameters_are_valid() {
        for set in RuleSet::shipped() {
            assert_eq!(set.params.validate(), Ok(()));
            assert_eq!(
                RuleSet::validate_range(set.effective_from, set.effective_to),
                Ok(())
            );
        }
    }

    #[test]
    fn rule_7_needs_a_teacher() {
        let params = RuleSetParams {
            min_teachers: 0,
            ..RuleSetParams::default()
        };
        assert!(params.validate().is_err());
    }

    #[test]
    fn an_appeal_window_is_refused_until_appeals_are_handled() {
        let params = RuleSetParams {
            appeal_days: Some(10),
            ..RuleSetParams::default()
        };
        // Stored earlier, it still reads; set now, it is refused.
        assert_eq!(params.validate(), Ok(()));
        assert!(
            matches!(
                params.validate_new(),
                Err(DomainError::RuleSetParameter {
                    field: "appeal_days",
                    ..
                })
            ),
            "{:?}",
            params.validate_new()
        );
        assert_eq!(RuleSetParams::default().validate_new(), Ok(()));
    }

    #[test]
    fn inverted_range_is_refused() {
        assert!(
            RuleSet::validate_range(date!(2024 - 01 - 02), Some(date!(2024 - 01 - 01))).is_err()
        );
    }

    #[test]
    fn quorum() {
        assert!(Quorum::MoreThanHalf.is_met(3, 5));
        assert!(!Quorum::MoreThanHalf.is_met(2, 5));
        assert!(Quorum::TwoThirds.is_met(4, 6));
        assert!(!Quorum::TwoThirds.is_met(3, 5));
        assert!(Quorum::All.is_met(5, 5));
    }

    #[test]
    fn quorum_minimum_is_the_first_count_that_meets_it() {
        assert_eq!(Quorum::MoreThanHalf.minimum(5), 3);
        assert_eq!(Quorum::MoreThanHalf.minimum(7), 4);
        assert_eq!(Quorum::TwoThirds.minimum(7), 5);
        assert_eq!(Quorum::TwoThirds.minimum(9), 6);
        assert_eq!(Quorum::All.minimum(5), 5);
    }

    #[test]
    fn params_parse_with_defaults_and_refuse_unknown_keys() {
        let p: Result<RuleSetParams, _> = serde_json::from_str(r#"{"quorum":"two-thirds"}"#);
        assert_eq!(p.map(|p| p.quorum).ok(), Some(Quorum::TwoThirds));
        let bad: Result<RuleSetParams, _> = serde_json::from_str(r#"{"quorom":"all"}"#);
        assert!(bad.is_err());
    }
}

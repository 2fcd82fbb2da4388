//! The commission (rules 6–8): who may form one, its composition, its offices, its
//! secretary, its elections, and whether it can act.
//!
//! The functions here take the facts (members, ballots, dates, the rule set's
//! parameters) and return a decision or a refusal citing its rule. Storage and
//! services gather the facts and record the outcome; they never decide.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::DomainError;
use crate::organisation::OrgKind;
use crate::person::Position;
use crate::rule_set::{MajorityBase, RuleSetParams};

/// Rule 6: an educational organisation forms the commission – only one that may
/// recognise learning outcomes (rule 4).
pub fn may_form_commission(kind: OrgKind) -> Result<(), DomainError> {
    if kind.may_recognise() {
        Ok(())
    } else {
        Err(DomainError::Rule6NotEligible {
            kind: kind.as_str().to_owned(),
        })
    }
}

/// A commission's term: the days it may act, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

impl Term {
    /// A term whose end is not before its start.
    pub fn new(from: Date, to: Date) -> Result<Self, DomainError> {
        if to < from {
            Err(DomainError::DateRangeInverted { field: "term_to" })
        } else {
            Ok(Self { from, to })
        }
    }

    /// Whether the term covers `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }
}

/// What the composition rules need to know of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberFacts {
    /// Member id (of the membership, not the person).
    pub id: i64,
    /// Whether the member is a teacher (rule 7).
    pub is_teacher: bool,
}

/// Rule 7: the composition a change would leave. The number of members must be odd,
/// teachers must be among them (at least the rule set's minimum), and when the rule
/// set says so, every member must be a teacher.
pub fn check_composition(after: &[MemberFacts], params: &RuleSetParams) -> Result<(), DomainError> {
    let count = after.len();
    if count.is_multiple_of(2) {
        return Err(DomainError::Rule7EvenMembership { count });
    }
    if params.all_members_teachers && after.iter().any(|m| !m.is_teacher) {
        return Err(DomainError::Rule7AllMembersTeachers);
    }
    let teachers = after.iter().filter(|m| m.is_teacher).count();
    let min = usize::try_from(params.min_teachers).unwrap_or(usize::MAX);
    if teachers < min {
        return Err(DomainError::Rule7TeachersRequired {
            min: params.min_teachers,
        });
    }
    Ok(())
}

/// Rule 8: the secretary is a specialist of the organisation who is not a member.
pub fn check_secretary(position: Position, is_member: bool) -> Result<(), DomainError> {
    if is_member {
        return Err(DomainError::Rule8SecretaryIsMember);
    }
    if position != Position::Specialist {
        return Err(DomainError::Rule8SecretaryNotSpecialist);
    }
    Ok(())
}

/// Rule 8: the secretary cannot be made a member.
pub fn check_new_member(is_secretary: bool) -> Result<(), DomainError> {
    if is_secretary {
        Err(DomainError::Rule8MemberIsSecretary)
    } else {
        Ok(())
    }
}

/// An office of the commission filled by election (rule 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Office {
    /// The chair, who directs the commission's work.
    Chair,
    /// The deputy chair, who acts when the chair is absent.
    Deputy,
}

impl Office {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chair => "chair",
            Self::Deputy => "deputy",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "chair" => Ok(Self::Chair),
            "deputy" => Ok(Self::Deputy),
            other => Err(DomainError::UnknownValue {
                field: "office",
                value: other.chars().take(32).collect(),
            }),
        }
    }

    /// The other office.
    pub fn other(self) -> Self {
        match self {
            Self::Chair => Self::Deputy,
            Self::Deputy => Self::Chair,
        }
    }
}

/// One ballot of an election round: the voter and whom they voted for (`None`:
/// abstained – they take part, and count in the base, but name nobody).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    /// Member who voted.
    pub voter: i64,
    /// Member voted for.
    pub candidate: Option<i64>,
}

/// The facts a ballot is judged against.
#[derive(Debug, Clone)]
pub struct RoundFacts<'a> {
    /// Whether the round is still open.
    pub open: bool,
    /// Current members' ids.
    pub members: &'a [i64],
    /// Ballots already cast in this round.
    pub cast: &'a [Ballot],
    /// Who holds the other office now (the same person cannot hold both).
    pub other_office_holder: Option<i64>,
}

/// Rule 8: only members vote, once per round, for a member, while the round is open;
/// a member holding the other office cannot be elected to this one.
pub fn check_ballot(round: &RoundFacts<'_>, ballot: Ballot) -> Result<(), DomainError> {
    if !round.open {
        return Err(DomainError::Rule8RoundClosed);
    }
    if !round.members.contains(&ballot.voter) {
        return Err(DomainError::Rule8VoterNotMember);
    }
    if round.cast.iter().any(|b| b.voter == ballot.voter) {
        return Err(DomainError::Rule8AlreadyVoted);
    }
    if let Some(candidate) = ballot.candidate {
        if !round.members.contains(&candidate) {
            return Err(DomainError::Rule8CandidateNotMember);
        }
        if round.other_office_holder == Some(candidate) {
            return Err(DomainError::Rule8BothOffices);
        }
    }
    Ok(())
}

/// Rule 8: checks a batch (a show of hands recorded by the secretary) as if cast one
/// after another.
pub fn check_ballots(round: &RoundFacts<'_>, ballots: &[Ballot]) -> Result<(), DomainError> {
    let mut cast: Vec<Ballot> = round.cast.to_vec();
    for b in ballots {
        check_ballot(
            &RoundFacts {
                cast: &cast,
                ..round.clone()
            },
            *b,
        )?;
        cast.push(*b);
    }
    Ok(())
}

/// How a candidate fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Member id.
    pub member: i64,
    /// Votes received.
    pub votes: usize,
}

/// The result of a closed round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Votes per candidate, most first.
    pub counts: Vec<Count>,
    /// Members taking part (ballots cast, abstentions included).
    pub taking_part: usize,
    /// Abstentions.
    pub abstained: usize,
    /// The number the majority is counted over (rule-set parameter).
    pub base: usize,
    /// Votes needed: more than half of the base.
    pub needed: usize,
    /// The member elected, if one had the majority.
    pub elected: Option<i64>,
}

/// Rule 8: a candidate is elected only with more than half of the votes of the base –
/// the members taking part by default, or all members when the rule set says so. A tie
/// or a short majority elects nobody.
pub fn tally(ballots: &[Ballot], member_count: usize, base: MajorityBase) -> Tally {
    let mut counts: Vec<Count> = Vec::new();
    for candidate in ballots.iter().filter_map(|b| b.candidate) {
        match counts.iter_mut().find(|c| c.member == candidate) {
            Some(c) => c.votes += 1,
            None => counts.push(Count {
                member: candidate,
                votes: 1,
            }),
        }
    }
    counts.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.member.cmp(&b.member)));
    let taking_part = ballots.len();
    let base = match base {
        MajorityBase::MembersTakingPart => taking_part,
        MajorityBase::AllMembers => member_count,
    };
    let needed = rule_8_needed(base);
    let elected = counts
        .first()
        .filter(|c| base > 0 && c.votes * 2 > base)
        .map(|c| c.member);
    Tally {
        abstained: ballots.iter().filter(|b| b.candidate.is_none()).count(),
        counts,
        taking_part,
        base,
        needed,
        elected,
    }
}

/// Rule 8: the votes a candidate needs – more than half of the base.
pub fn rule_8_needed(base: usize) -> usize {
    base / 2 + 1
}

/// Rule 8: the result of a closed round ([`tally`]), where nobody holds both offices: a
/// winner who has meanwhile taken the other office (its round closed first) is not
/// elected to this one.
pub fn rule_8_close_round(
    ballots: &[Ballot],
    member_count: usize,
    base: MajorityBase,
    other_office_holder: Option<i64>,
) -> Tally {
    let mut t = tally(ballots, member_count, base);
    if t.elected.is_some() && t.elected == other_office_holder {
        t.elected = None;
    }
    t
}

/// What readiness is judged on.
#[derive(Debug, Clone)]
pub struct CommissionFacts<'a> {
    /// The term.
    pub term: Term,
    /// Current members.
    pub members: &'a [MemberFacts],
    /// Whether a chair holds office.
    pub has_chair: bool,
    /// Whether a secretary is assigned.
    pub has_secretary: bool,
    /// The rule set's parameters.
    pub params: &'a RuleSetParams,
}

/// Whether the commission can act on `today`; every reason it cannot, each citing its
/// rule. Empty means ready.
pub fn readiness(facts: &CommissionFacts<'_>, today: Date) -> Vec<DomainError> {
    let mut reasons = Vec::new();
    if !facts.term.covers(today) {
        reasons.push(DomainError::Rule6TermNotCurrent);
    }
    if let Err(e) = check_composition(facts.members, facts.params) {
        reasons.push(e);
    }
    if !facts.has_chair {
        reasons.push(DomainError::Rule8NoChair);
    }
    if !facts.has_secretary {
        reasons.push(DomainError::Rule8NoSecretary);
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn members(teachers: &[bool]) -> Vec<MemberFacts> {
        teachers
            .iter()
            .enumerate()
            .map(|(i, t)| MemberFacts {
                id: i as i64 + 1,
                is_teacher: *t,
            })
            .collect()
    }

    #[test]
    fn rule_6_only_eligible_organisations_form_commissions() {
        assert!(may_form_commission(OrgKind::Higher).is_ok());
        let e = may_form_commission(OrgKind::GeneralSecondary).err();
        assert_eq!(e.as_ref().and_then(DomainError::rule), Some(6));
    }

    #[test]
    fn rule_7_membership_is_odd() {
        let p = RuleSetParams::default();
        assert!(check_composition(&members(&[true]), &p).is_ok());
        assert!(check_composition(&members(&[true, false, false]), &p).is_ok());
        assert_eq!(
            check_composition(&members(&[true, false]), &p),
            Err(DomainError::Rule7EvenMembership { count: 2 })
        );
        assert_eq!(
            check_composition(&[], &p),
            Err(DomainError::Rule7EvenMembership { count: 0 })
        );
        assert_eq!(
            check_composition(&members(&[true; 4]), &p).map_err(|e| e.code()),
            Err("rule-7-even-membership")
        );
    }

    #[test]
    fn rule_7_teachers_are_among_the_members() {
        let p = RuleSetParams::default();
        assert_eq!(
            check_composition(&members(&[false; 3]), &p),
            Err(DomainError::Rule7TeachersRequired { min: 1 })
        );
        let all = RuleSetParams {
            all_members_teachers: true,
            ..RuleSetParams::default()
        };
        assert_eq!(
            check_composition(&members(&[true, true, false]), &all),
            Err(DomainError::Rule7AllMembersTeachers)
        );
        assert!(check_composition(&members(&[true; 3]), &all).is_ok());
        let two = RuleSetParams {
            min_teachers: 2,
            ..RuleSetParams::default()
        };
        assert!(check_composition(&members(&[true, false, false]), &two).is_err());
    }

    #[test]
    fn rule_8_secretary_is_a_specialist_and_not_a_member() {
        assert!(check_secretary(Position::Specialist, false).is_ok());
        assert_eq!(
            check_secretary(Position::Specialist, true),
            Err(DomainError::Rule8SecretaryIsMember)
        );
        assert_eq!(
            check_secretary(Position::Teacher, false),
            Err(DomainError::Rule8SecretaryNotSpecialist)
        );
        assert_eq!(
            check_new_member(true),
            Err(DomainError::Rule8MemberIsSecretary)
        );
    }

    #[test]
    fn rule_8_ballots() {
        let ms = [1, 2, 3];
        let cast = [Ballot {
            voter: 1,
            candidate: Some(2),
        }];
        let round = RoundFacts {
            open: true,
            members: &ms,
            cast: &cast,
            other_office_holder: Some(3),
        };
        assert!(
            check_ballot(
                &round,
                Ballot {
                    voter: 2,
                    candidate: Some(2)
                }
            )
            .is_ok()
        );
        assert!(
            check_ballot(
                &round,
                Ballot {
                    voter: 2,
                    candidate: None
                }
            )
            .is_ok()
        );
        assert_eq!(
            check_ballot(
                &round,
                Ballot {
                    voter: 1,
                    candidate: Some(2)
                }
            ),
            Err(DomainError::Rule8AlreadyVoted)
        );
        assert_eq!(
            check_ballot(
                &round,
                Ballot {
                    voter: 9,
                    candidate: Some(2)
                }
            ),
            Err(DomainError::Rule8VoterNotMember)
        );
        assert_eq!(
            check_ballot(
                &round,
                Ballot {
                    voter: 2,
                    candidate: Some(9)
                }
            ),
            Err(DomainError::Rule8CandidateNotMember)
        );
        assert_eq!(
            check_ballot(
                &round,
                Ballot {
                    voter: 2,
                    candidate: Some(3)
                }
            ),
            Err(DomainError::Rule8BothOffices)
        );
        let closed = RoundFacts {
            open: false,
            ..round.clone()
        };
        assert_eq!(
            check_ballot(
                &closed,
                Ballot {
                    voter: 2,
                    candidate: Some(2)
                }
            ),
            Err(DomainError::Rule8RoundClosed)
        );
        let twice = [
            Ballot {
                voter: 2,
                candidate: Some(1),
            },
            Ballot {
                voter: 2,
                candidate: Some(1),
            },
        ];
        assert_eq!(
            check_ballots(&round, &twice),
            Err(DomainError::Rule8AlreadyVoted)
        );
    }

    #[test]
    fn rule_8_more_than_half_of_those_taking_part_elects() {
        let b = |voter, candidate| Ballot { voter, candidate };
        let t = tally(
            &[b(1, Some(1)), b(2, Some(1)), b(3, Some(2))],
            5,
            MajorityBase::MembersTakingPart,
        );
        assert_eq!(t.elected, Some(1));
        assert_eq!((t.base, t.needed), (3, 2));
        // A tie elects nobody.
        let t = tally(
            &[b(1, Some(1)), b(2, Some(2))],
            3,
            MajorityBase::MembersTakingPart,
        );
        assert_eq!(t.elected, None);
        // A short majority: 2 of 4 taking part (one abstains) is not more than half.
        let t = tally(
            &[b(1, Some(1)), b(2, Some(1)), b(3, Some(2)), b(4, None)],
            5,
            MajorityBase::MembersTakingPart,
        );
        assert_eq!(t.elected, None);
        assert_eq!(t.abstained, 1);
        // Over all members, 2 of 5 is short even when only 3 voted.
        let t = tally(
            &[b(1, Some(1)), b(2, Some(1)), b(3, Some(2))],
            5,
            MajorityBase::AllMembers,
        );
        assert_eq!(t.elected, None);
        assert_eq!(tally(&[], 5, MajorityBase::MembersTakingPart).elected, None);
    }

    #[test]
    fn rule_8_nobody_holds_both_offices_when_a_round_closes() {
        let b = |voter, candidate| Ballot { voter, candidate };
        let cast = [b(1, Some(1)), b(2, Some(1)), b(3, Some(2))];
        let close = |other| rule_8_close_round(&cast, 3, MajorityBase::MembersTakingPart, other);
        assert_eq!(close(None).elected, Some(1));
        assert_eq!(close(Some(2)).elected, Some(1));
        // Member 1 took the other office while this round was open: nobody is elected,
        // and the count stays as cast.
        let t = close(Some(1));
        assert_eq!(t.elected, None);
        assert_eq!((t.counts[0].votes, t.needed), (2, 2));
        assert_eq!(rule_8_needed(4), 3);
        assert_eq!(rule_8_needed(5), 3);
    }

    #[test]
    fn readiness_lists_every_missing_thing_with_its_rule() {
        let p = RuleSetParams::default();
        let term = Term {
            from: date!(2026 - 01 - 01),
            to: date!(2026 - 12 - 31),
        };
        let ms = members(&[true, false, false]);
        let ready = CommissionFacts {
            term,
            members: &ms,
            has_chair: true,
            has_secretary: true,
            params: &p,
        };
        assert!(readiness(&ready, date!(2026 - 11 - 25)).is_empty());
        let even = members(&[true, false]);
        let not = CommissionFacts {
            term,
            members: &even,
            has_chair: false,
            has_secretary: false,
            params: &p,
        };
        let reasons: Vec<Option<u8>> = readiness(&not, date!(2027 - 01 - 01))
            .iter()
            .map(DomainError::rule)
            .collect();
        assert_eq!(reasons, vec![Some(6), Some(7), Some(8), Some(8)]);
        assert!(Term::new(date!(2026 - 02 - 01), date!(2026 - 01 - 01)).is_err());
    }
}

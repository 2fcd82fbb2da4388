//! Meetings (rules 8, 12–14): who presides, whether the meeting can decide, who takes
//! part in an item, and whether a vote adopted a decision.
//!
//! Pure functions of the facts; the exhaustive tests below enumerate every attendance
//! and vote combination of small commissions.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::rule_set::Quorum;

/// Who presides a meeting and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Presiding {
    /// Membership id of the presiding officer.
    pub member: i64,
    /// Whether the deputy presides because the chair is absent (rule 8).
    pub as_deputy: bool,
}

/// Rule 8: the chair presides; in the chair's absence the deputy chair. With neither
/// present the meeting cannot open.
pub fn presiding(
    chair: Option<i64>,
    deputy: Option<i64>,
    present: &[i64],
) -> Result<Presiding, DomainError> {
    match (
        chair.filter(|c| present.contains(c)),
        deputy.filter(|d| present.contains(d)),
    ) {
        (Some(member), _) => Ok(Presiding {
            member,
            as_deputy: false,
        }),
        (None, Some(member)) => Ok(Presiding {
            member,
            as_deputy: true,
        }),
        (None, None) => Err(DomainError::Rule8NoPresidingOfficer),
    }
}

/// Whether the members present make the quorum the rule set asks for (the act is silent;
/// default: more than half of the members).
pub fn check_quorum(quorum: Quorum, present: usize, members: usize) -> Result<(), DomainError> {
    let p = u32::try_from(present).unwrap_or(u32::MAX);
    let m = u32::try_from(members).unwrap_or(u32::MAX);
    if quorum.is_met(p, m) {
        Ok(())
    } else {
        Err(DomainError::NoQuorum { present, members })
    }
}

/// A member's vote on an agenda item (rule 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Choice {
    /// Recognise the learning outcomes.
    Recognise,
    /// Refuse recognition.
    Refuse,
    /// Neither (counts against both, rule 14).
    Abstain,
}

/// The members taking part in an item: those present, less those who declared a
/// conflict of interest.
pub fn taking_part(present: &[i64], recused: &[i64]) -> Vec<i64> {
    present
        .iter()
        .copied()
        .filter(|m| !recused.contains(m))
        .collect()
}

/// Rule 14: only members taking part vote, once each, while the vote is open.
pub fn check_vote(
    open: bool,
    voter: i64,
    present: &[i64],
    recused: &[i64],
    already: &[i64],
) -> Result<(), DomainError> {
    if !open {
        return Err(DomainError::Rule14VoteClosed);
    }
    if recused.contains(&voter) {
        return Err(DomainError::Rule14Recused);
    }
    if !present.contains(&voter) {
        return Err(DomainError::Rule14NotTakingPart);
    }
    if already.contains(&voter) {
        return Err(DomainError::Rule14AlreadyVoted);
    }
    Ok(())
}

/// The result of a vote and how it was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Members taking part in the item.
    pub taking_part: usize,
    /// Votes to recognise.
    pub recognise: usize,
    /// Votes to refuse.
    pub refuse: usize,
    /// Abstentions.
    pub abstain: usize,
    /// Members taking part who did not vote.
    pub missing: usize,
    /// Votes needed: more than half of those taking part.
    pub needed: usize,
    /// What was adopted, if anything.
    pub adopted: Option<Choice>,
}

/// Rule 14: a decision is adopted only when one option has more than half of the votes
/// of all members taking part; abstentions and missing votes count against, and a tie
/// or a short majority adopts nothing.
pub fn outcome(votes: &[Choice], taking_part: usize) -> Outcome {
    let count = |c: Choice| votes.iter().filter(|v| **v == c).count();
    let (recognise, refuse, abstain) = (
        count(Choice::Recognise),
        count(Choice::Refuse),
        count(Choice::Abstain),
    );
    let adopted = if taking_part == 0 {
        None
    } else if recognise * 2 > taking_part {
        Some(Choice::Recognise)
    } else if refuse * 2 > taking_part {
        Some(Choice::Refuse)
    } else {
        None
    };
    Outcome {
        taking_part,
        recognise,
        refuse,
        abstain,
        missing: taking_part.saturating_sub(votes.len()),
        needed: taking_part / 2 + 1,
        adopted,
    }
}

/// Rule 13: a refusal states its reasons (free text of the protocol).
pub fn check_refusal(reasons: &str) -> Result<(), DomainError> {
    if reasons.trim().is_empty() {
        Err(DomainError::Rule13ReasonsRequired)
    } else {
        crate::protocol::free_text(reasons, "reasons").map(|_| ())
    }
}

/// Rule 13: a recognition says what is recognised: at least one discipline or module,
/// with credits from 1 up to the unit's own.
pub fn check_recognition(items: &[(u32, u32)]) -> Result<(), DomainError> {
    if items.is_empty() {
        return Err(DomainError::Rule13NothingRecognised);
    }
    if items
        .iter()
        .any(|(credits, max)| *credits == 0 || credits > max)
    {
        return Err(DomainError::Rule13CreditsOutOfRange);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_8_the_chair_presides_or_else_the_deputy() {
        assert_eq!(
            presiding(Some(1), Some(2), &[1, 2, 3]),
            Ok(Presiding {
                member: 1,
                as_deputy: false
            })
        );
        assert_eq!(
            presiding(Some(1), Some(2), &[2, 3]),
            Ok(Presiding {
                member: 2,
                as_deputy: true
            })
        );
        assert_eq!(
            presiding(Some(1), Some(2), &[3, 4, 5]),
            Err(DomainError::Rule8NoPresidingOfficer)
        );
        assert_eq!(
            presiding(None, None, &[3]),
            Err(DomainError::Rule8NoPresidingOfficer)
        );
    }

    #[test]
    fn quorum_more_than_half_by_default() {
        assert!(check_quorum(Quorum::MoreThanHalf, 3, 5).is_ok());
        assert_eq!(
            check_quorum(Quorum::MoreThanHalf, 2, 5),
            Err(DomainError::NoQuorum {
                present: 2,
                members: 5
            })
        );
    }

    #[test]
    fn rule_14_votes() {
        let present = [1, 2, 3, 4];
        assert!(check_vote(true, 1, &present, &[4], &[]).is_ok());
        assert_eq!(
            check_vote(true, 4, &present, &[4], &[]),
            Err(DomainError::Rule14Recused)
        );
        assert_eq!(
            check_vote(true, 9, &present, &[], &[]),
            Err(DomainError::Rule14NotTakingPart)
        );
        assert_eq!(
            check_vote(true, 1, &present, &[], &[1]),
            Err(DomainError::Rule14AlreadyVoted)
        );
        assert_eq!(
            check_vote(false, 1, &present, &[], &[]),
            Err(DomainError::Rule14VoteClosed)
        );
    }

    #[test]
    fn rule_14_examples_from_the_issue() {
        use Choice::*;
        // A 2–2 tie with four present adopts nothing.
        assert_eq!(
            outcome(&[Recognise, Recognise, Refuse, Refuse], 4).adopted,
            None
        );
        // 2 recognise + 1 abstain with three present: adopted.
        assert_eq!(
            outcome(&[Recognise, Recognise, Abstain], 3).adopted,
            Some(Recognise)
        );
        // 2 of 5 taking part is short, whatever the others did.
        assert_eq!(outcome(&[Recognise, Recognise], 5).adopted, None);
        assert_eq!(outcome(&[Recognise, Recognise], 5).missing, 3);
    }

    /// Every combination of votes (each member recognises, refuses, abstains or does not
    /// vote) for 1 to 7 members taking part.
    #[test]
    fn rule_14_exhaustively_adopted_means_a_strict_majority_of_those_taking_part() {
        for n in 1..=7usize {
            for code in 0..4usize.pow(u32::try_from(n).unwrap_or(0)) {
                let mut c = code;
                let mut votes = Vec::new();
                for _ in 0..n {
                    match c % 4 {
                        0 => votes.push(Choice::Recognise),
                        1 => votes.push(Choice::Refuse),
                        2 => votes.push(Choice::Abstain),
                        _ => {}
                    }
                    c /= 4;
                }
                let o = outcome(&votes, n);
                let r = votes.iter().filter(|v| **v == Choice::Recognise).count();
                let f = votes.iter().filter(|v| **v == Choice::Refuse).count();
                match o.adopted {
                    Some(Choice::Recognise) => assert!(r * 2 > n),
                    Some(Choice::Refuse) => assert!(f * 2 > n),
                    Some(Choice::Abstain) => panic!("abstaining is never adopted"),
                    None => assert!(r * 2 <= n && f * 2 <= n),
                }
                if r == f {
                    assert_eq!(o.adopted, None, "a tie never adopts: {votes:?}");
                }
                assert_eq!(o.recognise + o.refuse + o.abstain + o.missing, n);
            }
        }
    }

    /// Recusals never count: for every attendance and recusal pattern of up to six
    /// members, those taking part are exactly the present, non-recused ones.
    #[test]
    fn recusals_never_count() {
        let members: Vec<i64> = (1..=6).collect();
        for present_mask in 0u32..64 {
            for recused_mask in 0u32..64 {
                let pick = |mask: u32| {
                    members
                        .iter()
                        .copied()
                        .filter(|m| mask & (1 << (m - 1)) != 0)
                        .collect::<Vec<_>>()
                };
                let (present, recused) = (pick(present_mask), pick(recused_mask));
                let t = taking_part(&present, &recused);
                assert!(
                    t.iter()
                        .all(|m| present.contains(m) && !recused.contains(m))
                );
                assert_eq!(
                    t.len(),
                    present.iter().filter(|m| !recused.contains(m)).count()
                );
                for r in &recused {
                    assert!(check_vote(true, *r, &present, &recused, &[]).is_err());
                }
            }
        }
    }

    #[test]
    fn rule_13_decisions() {
        assert_eq!(check_refusal("  "), Err(DomainError::Rule13ReasonsRequired));
        assert!(check_refusal("The outcomes do not match the discipline").is_ok());
        assert_eq!(
            check_recognition(&[]),
            Err(DomainError::Rule13NothingRecognised)
        );
        assert!(check_recognition(&[(3, 5)]).is_ok());
        assert_eq!(
            check_recognition(&[(6, 5)]),
            Err(DomainError::Rule13CreditsOutOfRange)
        );
    }
}

//! Meetings (rules 8, 12–14): who presides, whether the meeting can decide, who takes
//! part in an item, and whether a vote adopted a decision.
//!
//! Pure functions of the facts; the exhaustive tests below enumerate every attendance
//! and vote combination of small commissions.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::dates;
use crate::error::{Action, DomainError};
use crate::rule_set::Quorum;

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum MeetingStatus {
    /// Scheduled; attendance may be recorded before it opens.
    Scheduled,
    /// Opened with a presiding officer and quorum (rule 8); items are heard and voted on.
    Open,
    /// Held and closed; its protocol can be prepared (rule 9).
    Closed,
    /// Cancelled before it opened, with a reason; its agenda went back to the queue.
    Cancelled,
}

coded!(MeetingStatus, "status", {
    Scheduled => "scheduled",
    Open => "open",
    Closed => "closed",
    Cancelled => "cancelled",
});

impl MeetingStatus {
    fn refuse(self, action: Action) -> DomainError {
        DomainError::StatusTransition {
            from: self.as_str().to_owned(),
            action,
        }
    }

    /// Opening a scheduled meeting.
    pub fn open(self) -> Result<Self, DomainError> {
        match self {
            Self::Scheduled => Ok(Self::Open),
            other => Err(other.refuse(Action::Open)),
        }
    }

    /// Closing a meeting that was held (opened); one that never opened is cancelled.
    pub fn close(self) -> Result<Self, DomainError> {
        match self {
            Self::Open => Ok(Self::Closed),
            other => Err(other.refuse(Action::Close)),
        }
    }

    /// Cancelling a meeting that has not opened.
    pub fn cancel(self) -> Result<Self, DomainError> {
        match self {
            Self::Scheduled => Ok(Self::Cancelled),
            other => Err(other.refuse(Action::Cancel)),
        }
    }

    /// Moving a meeting that has not opened to another time or place.
    pub fn check_movable(self) -> Result<(), DomainError> {
        match self {
            Self::Scheduled => Ok(()),
            other => Err(other.refuse(Action::Reschedule)),
        }
    }

    /// Whether the meeting is still to be held or being held (not closed or cancelled).
    pub fn is_live(self) -> bool {
        matches!(self, Self::Scheduled | Self::Open)
    }

    /// Attendance and declarations change until the meeting closes.
    pub fn check_changeable(self) -> Result<(), DomainError> {
        match self {
            Self::Scheduled | Self::Open => Ok(()),
            other => Err(other.refuse(Action::Change)),
        }
    }

    /// What happens to an item (`action`) happens while the meeting is open.
    pub fn check_open(self, action: Action) -> Result<(), DomainError> {
        match self {
            Self::Open => Ok(()),
            other => Err(other.refuse(action)),
        }
    }
}

/// Where an item of a meeting's agenda stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    /// Waiting to be heard: the candidate's presence, recusals, the interview (rule 12).
    Pending,
    /// The vote is open (rule 14).
    Voting,
    /// The vote adopted a decision; its content is still to be recorded (rule 13).
    Adopted,
    /// The decision is recorded (rule 13).
    Decided,
    /// The vote adopted nothing (rule 14).
    NotAdopted,
    /// Not heard at this meeting (the candidate did not come, or the meeting closed
    /// before the item); the application can be scheduled again.
    Moved,
    /// The candidate withdrew the application while the item waited.
    Withdrawn,
}

coded!(ItemStatus, "status", {
    Pending => "pending",
    Voting => "voting",
    Adopted => "adopted",
    Decided => "decided",
    NotAdopted => "not-adopted",
    Moved => "moved",
    Withdrawn => "withdrawn",
});

impl ItemStatus {
    fn refuse(self, action: Action) -> DomainError {
        DomainError::StatusTransition {
            from: self.as_str().to_owned(),
            action,
        }
    }

    /// What happens before the vote (`action`: the interview, a recusal) happens while
    /// the item waits.
    pub fn check_pending(self, action: Action) -> Result<(), DomainError> {
        match self {
            Self::Pending => Ok(()),
            other => Err(other.refuse(action)),
        }
    }

    /// Whether the candidate came: one who did not is not heard at this meeting (rule 12).
    pub fn candidate_came(self, present: bool) -> Result<Self, DomainError> {
        match self {
            Self::Pending if present => Ok(Self::Pending),
            Self::Pending => Ok(Self::Moved),
            other => Err(other.refuse(Action::Record)),
        }
    }

    /// Opening the vote (rule 14).
    pub fn open_vote(self) -> Result<Self, DomainError> {
        match self {
            Self::Pending => Ok(Self::Voting),
            other => Err(other.refuse(Action::Vote)),
        }
    }

    /// Whether votes are taken now.
    pub fn is_voting(self) -> bool {
        self == Self::Voting
    }

    /// Closing the vote (rule 14): adopted or not.
    pub fn close_vote(self, adopted: bool) -> Result<Self, DomainError> {
        match self {
            Self::Voting if adopted => Ok(Self::Adopted),
            Self::Voting => Ok(Self::NotAdopted),
            _ => Err(DomainError::Rule14VoteClosed),
        }
    }

    /// Recording the decision the vote adopted (rule 13).
    pub fn decide(self) -> Result<Self, DomainError> {
        match self {
            Self::Adopted => Ok(Self::Decided),
            other => Err(other.refuse(Action::Decide)),
        }
    }

    /// The candidate withdraws the application: possible while the item waits.
    pub fn withdraw(self) -> Result<Self, DomainError> {
        match self {
            Self::Pending => Ok(Self::Withdrawn),
            other => Err(other.refuse(Action::Withdraw)),
        }
    }

    /// At the meeting's close: an item still waiting is moved to a later agenda
    /// (`Some(Moved)`); one being voted on, or adopted without its decision, keeps the
    /// meeting open; the rest stay as they are (`None`).
    pub fn at_close(self) -> Result<Option<Self>, DomainError> {
        match self {
            Self::Pending => Ok(Some(Self::Moved)),
            Self::Voting | Self::Adopted => Err(self.refuse(Action::Close)),
            Self::Decided | Self::NotAdopted | Self::Moved | Self::Withdrawn => Ok(None),
        }
    }
}

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

/// Rule 12: the commission interviews the candidate at the meeting, so a meeting is set
/// for a moment still to come – judged to the minute, the precision it is scheduled in
/// (a start in the current minute is not in the past).
pub fn rule_12_not_in_past(
    starts_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), DomainError> {
    let this_minute = now
        .replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(now);
    if starts_at >= this_minute {
        Ok(())
    } else {
        Err(DomainError::Rule12MeetingInPast {
            earliest: dates::fmt_datetime(this_minute),
        })
    }
}

/// Rule 12: a meeting opens on its day in Kazakhstan or later, never before – the
/// candidates were invited for that day.
pub fn rule_12_may_open(starts_at: OffsetDateTime, now: OffsetDateTime) -> Result<(), DomainError> {
    let day = dates::local_today(starts_at);
    if dates::local_today(now) >= day {
        Ok(())
    } else {
        Err(DomainError::Rule12MeetingDayNotCome {
            day: dates::fmt_date(day),
        })
    }
}

/// Rule 12: the candidate came to the meeting; one who did not is neither interviewed
/// nor decided on there.
pub fn rule_12_candidate_present(present: Option<bool>) -> Result<(), DomainError> {
    if present == Some(true) {
        Ok(())
    } else {
        Err(DomainError::Rule12CandidateAbsent)
    }
}

/// Rule 12: the commission decides only on a candidate it has heard – present, and
/// interviewed (the interview is recorded).
pub fn rule_12_may_decide(present: Option<bool>, interview_notes: &str) -> Result<(), DomainError> {
    rule_12_candidate_present(present)?;
    if interview_notes.trim().is_empty() {
        Err(DomainError::Rule12InterviewRequired)
    } else {
        Ok(())
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

coded!(Choice, "choice", {
    Recognise => "recognise",
    Refuse => "refuse",
    Abstain => "abstain",
});

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

/// Rule 14: whether `voter` may still vote on an open item – taking part, not recused,
/// not voted yet.
pub fn rule_14_may_vote(voter: i64, taking_part: &[i64], recused: &[i64], already: &[i64]) -> bool {
    check_vote(true, voter, taking_part, recused, already).is_ok()
}

/// Rule 14: the votes needed – more than half of the members taking part.
pub fn rule_14_needed(taking_part: usize) -> usize {
    taking_part / 2 + 1
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
        needed: rule_14_needed(taking_part),
        adopted,
    }
}

/// Rule 14: a closed vote as it was counted and recorded, with what follows from the
/// count (the votes missing, the votes needed).
pub fn rule_14_recorded(
    taking_part: usize,
    recognise: usize,
    refuse: usize,
    abstain: usize,
    adopted: Option<Choice>,
) -> Outcome {
    Outcome {
        taking_part,
        recognise,
        refuse,
        abstain,
        missing: taking_part.saturating_sub(recognise + refuse + abstain),
        needed: rule_14_needed(taking_part),
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
    fn meeting_states() {
        use MeetingStatus::*;
        assert_eq!(Scheduled.open(), Ok(Open));
        assert!(Open.open().is_err());
        assert!(
            Scheduled.close().is_err(),
            "a meeting never opened is cancelled"
        );
        assert_eq!(Open.close(), Ok(Closed));
        assert_eq!(Scheduled.cancel(), Ok(Cancelled));
        for s in [Open, Closed, Cancelled] {
            assert!(s.cancel().is_err(), "{s:?}");
            assert!(s.check_movable().is_err(), "{s:?}");
        }
        assert!(Cancelled.open().is_err());
        assert!(Cancelled.check_changeable().is_err());
        assert_eq!(
            Closed.close(),
            Err(DomainError::StatusTransition {
                from: "closed".into(),
                action: Action::Close
            })
        );
        assert!(Open.check_changeable().is_ok());
        assert!(Closed.check_changeable().is_err());
        assert!(Open.check_open(Action::Vote).is_ok());
        assert!(Scheduled.check_open(Action::Vote).is_err());
    }

    #[test]
    fn item_states() {
        use ItemStatus::*;
        assert_eq!(Pending.candidate_came(true), Ok(Pending));
        assert_eq!(Pending.candidate_came(false), Ok(Moved));
        assert!(Voting.candidate_came(true).is_err());
        assert_eq!(Pending.open_vote(), Ok(Voting));
        assert!(Moved.open_vote().is_err());
        assert_eq!(Voting.close_vote(true), Ok(Adopted));
        assert_eq!(Voting.close_vote(false), Ok(NotAdopted));
        assert_eq!(Pending.close_vote(true), Err(DomainError::Rule14VoteClosed));
        assert_eq!(Adopted.decide(), Ok(Decided));
        assert!(NotAdopted.decide().is_err());
        assert_eq!(Pending.withdraw(), Ok(Withdrawn));
        assert!(Voting.withdraw().is_err());
        assert_eq!(Pending.at_close(), Ok(Some(Moved)));
        assert!(Voting.at_close().is_err());
        assert!(Adopted.at_close().is_err());
        assert_eq!(Decided.at_close(), Ok(None));
    }

    /// The stored code, the parsed value and the API's wire value agree.
    #[test]
    fn codes_are_the_wire_values() {
        for s in MeetingStatus::ALL {
            assert_eq!(MeetingStatus::parse(s.as_str()), Ok(*s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.as_str()))
            );
        }
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::try_from(s.as_str().to_owned()), Ok(*s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.as_str()))
            );
        }
        assert!(ItemStatus::parse("held").is_err());
    }

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
    fn rule_12_only_a_candidate_heard_is_decided_on() {
        assert_eq!(rule_12_candidate_present(Some(true)), Ok(()));
        for absent in [None, Some(false)] {
            assert_eq!(
                rule_12_candidate_present(absent),
                Err(DomainError::Rule12CandidateAbsent)
            );
            assert_eq!(
                rule_12_may_decide(absent, "Asked about the modules"),
                Err(DomainError::Rule12CandidateAbsent)
            );
        }
        assert_eq!(
            rule_12_may_decide(Some(true), " \n "),
            Err(DomainError::Rule12InterviewRequired)
        );
        assert_eq!(
            rule_12_may_decide(Some(true), "Asked about the modules"),
            Ok(())
        );
    }

    #[test]
    fn rule_14_who_may_still_vote() {
        let taking_part = [1, 2, 3];
        assert!(rule_14_may_vote(1, &taking_part, &[], &[]));
        assert!(!rule_14_may_vote(1, &taking_part, &[], &[1]));
        assert!(!rule_14_may_vote(2, &taking_part, &[2], &[]));
        assert!(!rule_14_may_vote(4, &taking_part, &[], &[]));
    }

    /// A recorded count implies the same missing and needed votes as counting the
    /// ballots themselves.
    #[test]
    fn rule_14_recorded_counts_agree_with_the_outcome() {
        use Choice::*;
        for n in 0..=7usize {
            for r in 0..=n {
                for f in 0..=(n - r) {
                    for a in 0..=(n - r - f) {
                        let mut votes = vec![Recognise; r];
                        votes.extend(vec![Refuse; f]);
                        votes.extend(vec![Abstain; a]);
                        let o = outcome(&votes, n);
                        assert_eq!(rule_14_recorded(n, r, f, a, o.adopted), o);
                    }
                }
            }
        }
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

    #[test]
    fn rule_12_a_meeting_is_set_ahead_and_opens_on_its_day() {
        use time::macros::datetime;
        // 10:30:40 on 08.12.2026 in Kazakhstan.
        let now = datetime!(2026-12-08 05:30:40 UTC);
        assert!(
            rule_12_not_in_past(datetime!(2026-12-08 10:30 +5), now).is_ok(),
            "this minute"
        );
        assert!(rule_12_not_in_past(datetime!(2027-01-10 09:00 +5), now).is_ok());
        assert_eq!(
            rule_12_not_in_past(datetime!(2026-11-01 10:00 +5), now),
            Err(DomainError::Rule12MeetingInPast {
                earliest: "08.12.2026 10:30".into()
            })
        );
        assert!(rule_12_not_in_past(datetime!(2026-12-08 10:29 +5), now).is_err());
        // Opening: on the day (any hour), or later; never the day before.
        assert!(rule_12_may_open(datetime!(2026-12-08 16:00 +5), now).is_ok());
        assert!(rule_12_may_open(datetime!(2026-12-01 10:00 +5), now).is_ok());
        assert_eq!(
            rule_12_may_open(datetime!(2026-12-09 00:00 +5), now),
            Err(DomainError::Rule12MeetingDayNotCome {
                day: "09.12.2026".into()
            })
        );
        // The day is Kazakhstan's: 20:00 UTC on the 8th is already the 9th there.
        assert!(
            rule_12_may_open(
                datetime!(2026-12-09 09:00 +5),
                datetime!(2026-12-08 20:00 UTC)
            )
            .is_ok()
        );
    }
}

//! The protocol of a meeting (rule 9): its life from draft to final, who approves it,
//! its number, and the verification codes of issued documents.
//!
//! A draft is generated from the meeting's record and the secretary adds free text. Sent
//! for approval, its content is frozen; the presiding officer and the secretary approve
//! it, and with both approvals it is final: numbered per commission and year and never
//! changed again. A mistake is corrected by an addendum protocol that refers to it.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A meeting's protocol, or an addendum correcting a final one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ProtocolKind {
    /// The protocol of a meeting (one per meeting): its record and the decisions.
    Protocol,
    /// A correction of a final protocol: only its text.
    Addendum,
}

coded!(ProtocolKind, "kind", {
    Protocol => "protocol",
    Addendum => "addendum",
});

/// Where a protocol is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ProtocolStatus {
    /// Being prepared; the free text can change.
    Draft,
    /// Sent for approval; the content is frozen.
    Signing,
    /// Approved by both signers; immutable.
    Final,
}

coded!(ProtocolStatus, "status", {
    Draft => "draft",
    Signing => "signing",
    Final => "final",
});

/// What an issued document with a verification code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum IssuedKind {
    /// A protocol (or addendum) in one language.
    Protocol,
    /// The extract of one application's decision.
    Extract,
}

coded!(IssuedKind, "kind", {
    Protocol => "protocol",
    Extract => "extract",
});

impl ProtocolStatus {
    /// Whether the free text may change.
    pub fn check_editable(self) -> Result<(), DomainError> {
        match self {
            Self::Draft => Ok(()),
            Self::Signing => Err(DomainError::Rule9ProtocolInSigning),
            Self::Final => Err(DomainError::Rule9ProtocolFinal),
        }
    }

    /// Draft → sent for approval.
    pub fn send(self) -> Result<Self, DomainError> {
        self.check_editable().map(|()| Self::Signing)
    }

    /// Sent for approval → back to draft (the approvals are dropped).
    pub fn reopen(self) -> Result<Self, DomainError> {
        match self {
            Self::Signing => Ok(Self::Draft),
            Self::Draft => Err(DomainError::Rule9ProtocolNotSent),
            Self::Final => Err(DomainError::Rule9ProtocolFinal),
        }
    }

    /// Whether an approval can be given now.
    pub fn check_approvable(self) -> Result<(), DomainError> {
        match self {
            Self::Signing => Ok(()),
            Self::Draft => Err(DomainError::Rule9ProtocolNotSent),
            Self::Final => Err(DomainError::Rule9ProtocolFinal),
        }
    }
}

/// Who approves a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerRole {
    /// The presiding officer of the meeting: the chair, or the deputy when the chair was
    /// absent (rule 8).
    Presiding,
    /// The commission's secretary.
    Secretary,
}

coded!(SignerRole, "role", {
    Presiding => "presiding",
    Secretary => "secretary",
});

/// The roles in which `person` approves, given the signers' accounts and the approvals
/// already given. Refused when the person signs nothing, or has approved every role
/// they hold.
pub fn roles_to_approve(
    person: i64,
    presiding: Option<i64>,
    secretary: Option<i64>,
    approved: &[SignerRole],
) -> Result<Vec<SignerRole>, DomainError> {
    let holds: Vec<SignerRole> = [
        (SignerRole::Presiding, presiding),
        (SignerRole::Secretary, secretary),
    ]
    .into_iter()
    .filter(|(_, p)| *p == Some(person))
    .map(|(r, _)| r)
    .collect();
    if holds.is_empty() {
        return Err(DomainError::Rule9NotSigner);
    }
    let open: Vec<SignerRole> = holds
        .into_iter()
        .filter(|r| !approved.contains(r))
        .collect();
    if open.is_empty() {
        return Err(DomainError::Rule9AlreadyApproved);
    }
    Ok(open)
}

/// Whether both signers have approved.
pub fn is_approved(approved: &[SignerRole]) -> bool {
    approved.contains(&SignerRole::Presiding) && approved.contains(&SignerRole::Secretary)
}

/// The text an addendum must carry.
pub fn addendum_text(text: &str) -> Result<String, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DomainError::Rule9AddendumTextRequired);
    }
    free_text(t, "addendum_text")
}

/// Free text of a protocol: at most 20,000 characters, no control characters but line
/// breaks and tabs.
pub fn free_text(text: &str, field: crate::Field) -> Result<String, DomainError> {
    const MAX: usize = 20_000;
    let t = text.trim();
    if t.chars().count() > MAX || crate::person::has_stray_control(t) {
        return Err(DomainError::TextLength { field, max: MAX });
    }
    Ok(t.to_owned())
}

/// The number of a final protocol: sequence within the commission and year, `7/2026`.
pub fn number(seq: i64, year: i64) -> String {
    format!("{seq}/{year}")
}

/// Alphabet of verification codes: Crockford's base 32 (no I, L, O, U), so a code read
/// aloud or retyped from paper is hard to get wrong.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A verification code from ten random bytes: ten characters (50 bits) in two groups,
/// e.g. `7KQ2M-XW4PD`.
pub fn verification_code(random: [u8; 10]) -> String {
    let chars: Vec<char> = random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    let (a, b) = chars.split_at(5);
    format!(
        "{}-{}",
        a.iter().collect::<String>(),
        b.iter().collect::<String>()
    )
}

/// A code as typed by a person, in canonical form: case, spaces and dashes ignored, and
/// the letters people confuse with digits read as those digits. `None` when it cannot
/// be a code.
pub fn normalise_code(input: &str) -> Option<String> {
    let mut out = Vec::with_capacity(10);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\t' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        out.push(c);
    }
    if out.len() != 10 {
        return None;
    }
    let (a, b) = out.split_at(5);
    Some(format!(
        "{}-{}",
        a.iter().collect::<String>(),
        b.iter().collect::<String>()
    ))
}

/// Initials of a full name, for what the public may see: `Сейітова Әлия Нұрланқызы` →
/// `С. Ә. Н.`
pub fn initials(full_name: &str) -> String {
    full_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a protocol's record says about its meeting, as ids of commission memberships.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The commission's members on the meeting's date (when it opened).
    pub composition: Vec<i64>,
    /// The members marked present (leaving out those removed before the meeting opened).
    pub present: Vec<i64>,
    /// Who presided.
    pub presiding: Option<i64>,
    /// The quorum the rule set asks.
    pub quorum: crate::rule_set::Quorum,
    /// Per agenda item, in order: who took part in its vote (fixed when it opened),
    /// who declared a conflict of interest, and who voted.
    pub items: Vec<ItemRecord>,
}

/// One agenda item's vote on the record.
#[derive(Debug, Clone, Default)]
pub struct ItemRecord {
    /// Fixed when the vote opened; empty when no vote was held.
    pub taking_part: Vec<i64>,
    /// Members who declared a conflict of interest.
    pub recused: Vec<i64>,
    /// Members whose vote is recorded.
    pub voters: Vec<i64>,
}

/// Rule 9: a protocol becomes final only when its record adds up – the composition on the
/// meeting's date is odd and not empty (rule 7), everyone marked present was a member
/// then, the presiding officer was among them (rule 8), they made the quorum, and every
/// vote counted came from a member taking part in that item – a member then, not
/// recused (rule 14). The first thing that does not add up is the refusal.
pub fn rule_9_record_adds_up(r: &Record) -> Result<(), DomainError> {
    let members = r.composition.len();
    if members == 0 || members.is_multiple_of(2) {
        return Err(DomainError::Rule9RecordComposition { members });
    }
    let outside = r
        .present
        .iter()
        .filter(|p| !r.composition.contains(p))
        .count();
    if outside > 0 {
        return Err(DomainError::Rule9RecordAttendance { outside });
    }
    if !r.presiding.is_some_and(|p| r.present.contains(&p)) {
        return Err(DomainError::Rule9RecordPresiding);
    }
    let present = r.present.len();
    if !r.quorum.is_met(
        u32::try_from(present).unwrap_or(u32::MAX),
        u32::try_from(members).unwrap_or(u32::MAX),
    ) {
        return Err(DomainError::Rule9RecordQuorum { present, members });
    }
    for (n, it) in r.items.iter().enumerate() {
        // Who took part was fixed when the vote opened, from those present then;
        // attendance may change between items, the composition may not.
        let may_take_part = |m: &i64| r.composition.contains(m) && !it.recused.contains(m);
        let sound = it.taking_part.iter().all(may_take_part)
            && it.voters.iter().all(|v| it.taking_part.contains(v));
        if !sound {
            return Err(DomainError::Rule9RecordVotes { item: n + 1 });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn life_of_a_protocol() {
        use ProtocolStatus::*;
        assert_eq!(Draft.send().unwrap(), Signing);
        assert_eq!(Signing.reopen().unwrap(), Draft);
        assert_eq!(Signing.send(), Err(DomainError::Rule9ProtocolInSigning));
        assert_eq!(Final.send(), Err(DomainError::Rule9ProtocolFinal));
        assert_eq!(Final.reopen(), Err(DomainError::Rule9ProtocolFinal));
        assert_eq!(Draft.reopen(), Err(DomainError::Rule9ProtocolNotSent));
        assert_eq!(Final.check_editable(), Err(DomainError::Rule9ProtocolFinal));
        assert!(Signing.check_approvable().is_ok());
        assert_eq!(
            Draft.check_approvable(),
            Err(DomainError::Rule9ProtocolNotSent)
        );
        assert_eq!(
            Final.check_approvable(),
            Err(DomainError::Rule9ProtocolFinal)
        );
        for s in ProtocolStatus::ALL {
            assert_eq!(ProtocolStatus::parse(s.as_str()).unwrap(), *s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in ProtocolKind::ALL {
            assert_eq!(ProtocolKind::try_from(k.to_string()).unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for k in IssuedKind::ALL {
            assert_eq!(IssuedKind::try_from(k.to_string()).unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!(ProtocolStatus::parse("approved").is_err());
    }

    #[test]
    fn only_the_two_signers_approve_and_each_once() {
        use SignerRole::*;
        assert_eq!(
            roles_to_approve(1, Some(1), Some(2), &[]).unwrap(),
            vec![Presiding]
        );
        assert_eq!(
            roles_to_approve(2, Some(1), Some(2), &[Presiding]).unwrap(),
            vec![Secretary]
        );
        assert_eq!(
            roles_to_approve(3, Some(1), Some(2), &[]),
            Err(DomainError::Rule9NotSigner)
        );
        assert_eq!(
            roles_to_approve(1, Some(1), Some(2), &[Presiding]),
            Err(DomainError::Rule9AlreadyApproved)
        );
        // A signer without an account is never matched.
        assert_eq!(
            roles_to_approve(1, None, Some(2), &[]),
            Err(DomainError::Rule9NotSigner)
        );
        assert!(!is_approved(&[Presiding]));
        assert!(is_approved(&[Secretary, Presiding]));
    }

    #[test]
    fn codes_are_canonical_and_forgiving() {
        let c = verification_code([0, 1, 2, 3, 31, 32, 255, 10, 17, 22]);
        assert_eq!(c, "0123Z-0ZAHP");
        assert_eq!(
            normalise_code("0123z 0zahp").as_deref(),
            Some("0123Z-0ZAHP")
        );
        assert_eq!(
            normalise_code("O123Z-OZAHP").as_deref(),
            Some("0123Z-0ZAHP")
        );
        assert_eq!(normalise_code("il23z0zahp").as_deref(), Some("1123Z-0ZAHP"));
        assert_eq!(normalise_code("0123Z-0ZAH"), None);
        assert_eq!(normalise_code("0123Z-0ZAHPP"), None);
        assert_eq!(normalise_code("0123U-0ZAHP"), None);
        assert_eq!(normalise_code("0123Ә-0ZAHP"), None);
        assert_eq!(normalise_code(""), None);
    }

    #[test]
    fn initials_keep_kazakh_letters() {
        assert_eq!(initials("Сейітова Әлия Нұрланқызы"), "С. Ә. Н.");
        assert_eq!(initials("  өмірзақ   ұлан "), "Ө. Ұ.");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn numbers_and_texts() {
        assert_eq!(number(7, 2026), "7/2026");
        assert_eq!(
            addendum_text("  "),
            Err(DomainError::Rule9AddendumTextRequired)
        );
        assert_eq!(addendum_text(" Түзету ").unwrap(), "Түзету");
        assert!(free_text(&"ә".repeat(20_001), "opening_text").is_err());
        assert_eq!(
            free_text(&"ә".repeat(20_000), "opening_text")
                .unwrap()
                .chars()
                .count(),
            20_000
        );
    }

    #[test]
    fn rule_9_a_record_that_does_not_add_up_is_named() {
        use crate::rule_set::Quorum;
        let good = Record {
            composition: vec![1, 2, 3, 4, 5],
            present: vec![1, 2, 3, 4],
            presiding: Some(1),
            quorum: Quorum::MoreThanHalf,
            items: vec![
                ItemRecord {
                    taking_part: vec![1, 2, 3],
                    recused: vec![4],
                    voters: vec![1, 2],
                },
                ItemRecord::default(),
            ],
        };
        assert_eq!(rule_9_record_adds_up(&good), Ok(()));
        let code = |f: &dyn Fn(&mut Record)| {
            let mut r = good.clone();
            f(&mut r);
            rule_9_record_adds_up(&r).err().map(|e| e.code())
        };
        // The demo's old protocol: nobody a member on the meeting's date.
        assert_eq!(
            code(&|r| r.composition.clear()),
            Some("rule-9-record-composition")
        );
        assert_eq!(
            code(&|r| r.composition.push(6)),
            Some("rule-9-record-composition")
        );
        assert_eq!(
            code(&|r| r.present.push(9)),
            Some("rule-9-record-attendance")
        );
        assert_eq!(
            code(&|r| r.presiding = Some(5)),
            Some("rule-9-record-presiding")
        );
        assert_eq!(
            code(&|r| r.presiding = None),
            Some("rule-9-record-presiding")
        );
        assert_eq!(
            code(&|r| r.present = vec![1, 2]),
            Some("rule-9-record-quorum")
        );
        assert_eq!(
            code(&|r| r.items[0].voters.push(4)),
            Some("rule-9-record-votes"),
            "a recused member's vote"
        );
        assert_eq!(
            code(&|r| r.items[0].taking_part.push(4)),
            Some("rule-9-record-votes"),
            "a recused member counted in the base"
        );
        assert_eq!(
            code(&|r| r.items[1].voters.push(5)),
            Some("rule-9-record-votes"),
            "an absent member's vote"
        );
    }
}

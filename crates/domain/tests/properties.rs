//! Hostile input, as properties (issue 8): the identity-number parsers, the upload type
//! check and the rule-14 majority hold for any input proptest can think of, not only for
//! the examples beside the code. Each property states what the code truly guarantees,
//! checked against a model written here from `shared/spec/identifiers.md` and the act.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use tanu_domain::application::FileType;
use tanu_domain::meeting::{Choice, outcome};
use tanu_domain::{Bin, DomainError, Iin};

// ---------------------------------------------------------------------------------------
// IIN / BIN

/// The spec's check digit, written again independently of `ids.rs`: `(check digit, pass)`
/// with pass 1 or 2, or `None` when both passes give 10.
fn model_check(d: &[u8]) -> Option<(u8, u8)> {
    let sum = |w: &[u32; 11]| -> u32 {
        d.iter()
            .take(11)
            .zip(w)
            .map(|(x, w)| u32::from(*x) * w)
            .sum::<u32>()
            % 11
    };
    let first = sum(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    if first != 10 {
        return Some((u8::try_from(first).unwrap(), 1));
    }
    let second = sum(&[3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
    (second != 10).then(|| (u8::try_from(second).unwrap(), 2))
}

fn text(d: &[u8]) -> String {
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

/// Twelve digits that form a valid number (any first eleven that have a check digit).
fn valid_number() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..10, 11).prop_filter_map("no check digit exists", |mut d| {
        let (check, _) = model_check(&d)?;
        d.push(check);
        Some(d)
    })
}

proptest! {
    /// Any twelve ASCII digits parse, or are refused with a typed check-digit error –
    /// never a format error, never a panic – exactly as the spec's algorithm says.
    #[test]
    fn any_twelve_digits_parse_or_give_the_typed_error(s in "[0-9]{12}") {
        let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        let expected = match model_check(&d) {
            None => Err(DomainError::IdNumberNeverIssued { field: "iin" }),
            Some((check, _)) if check == d[11] => Ok(s.clone()),
            Some(_) => Err(DomainError::IdNumberCheckDigit { field: "iin" }),
        };
        prop_assert_eq!(Iin::parse(&s).map(|i| i.to_string()), expected.clone());
        let as_bin = expected.map_err(|e| match e {
            DomainError::IdNumberNeverIssued { .. } => DomainError::IdNumberNeverIssued { field: "bin" },
            _ => DomainError::IdNumberCheckDigit { field: "bin" },
        });
        prop_assert_eq!(Bin::parse(&s).map(|b| b.to_string()), as_bin);
    }

    /// A valid number survives every way it travels: as text, with the separators people
    /// type, and through JSON.
    #[test]
    fn a_valid_number_round_trips(d in valid_number(), sep in prop::sample::select(vec![" ", "-", "\u{a0}", " - "])) {
        let s = text(&d);
        let iin = Iin::parse(&s).unwrap();
        prop_assert_eq!(iin.to_string(), s.clone());
        prop_assert_eq!(Iin::parse(&iin.to_string()), Ok(iin));
        let typed = format!("{}{sep}{}{sep}{}", &s[..6], &s[6..9], &s[9..]);
        prop_assert_eq!(Iin::parse(&typed), Ok(iin));
        let json = serde_json::to_string(&iin).unwrap();
        prop_assert_eq!(serde_json::from_str::<Iin>(&json).unwrap(), iin);
        let bin = Bin::parse(&s).unwrap();
        prop_assert_eq!(serde_json::from_str::<Bin>(&serde_json::to_string(&bin).unwrap()).unwrap(), bin);
    }

    /// What the check digit guarantees when one digit of a valid number is changed.
    ///
    /// The weights are taken mod 11, so the weight 11 is 0: the first pass cannot see
    /// digit 11, and the second pass cannot see digit 9. Hence, exactly:
    /// - a changed check digit (12th) is always refused;
    /// - a changed digit 11 of a number checked by the first pass is always accepted
    ///   (the algorithm's blind spot, not Tanu's);
    /// - any other change that keeps the number in the same pass is always refused;
    /// - a change that moves the number to the other pass (or to none) may go either way.
    #[test]
    fn changing_one_digit_is_refused_as_far_as_the_algorithm_can_tell(
        d in valid_number(),
        at in 0usize..12,
        shift in 1u8..10,
    ) {
        let (_, pass) = model_check(&d).unwrap();
        let mut changed = d.clone();
        changed[at] = (d[at] + shift) % 10;
        let result = Iin::parse(&text(&changed));
        let changed_pass = model_check(&changed).map(|(_, p)| p);
        if at == 11 {
            prop_assert_eq!(result, Err(DomainError::IdNumberCheckDigit { field: "iin" }));
        } else if at == 10 && pass == 1 {
            prop_assert!(result.is_ok(), "digit 11 has weight 11 = 0 in the first pass");
        } else if changed_pass == Some(pass) {
            prop_assert_eq!(result, Err(DomainError::IdNumberCheckDigit { field: "iin" }));
        } else {
            let typed = matches!(
                result,
                Ok(_)
                    | Err(DomainError::IdNumberCheckDigit { .. })
                    | Err(DomainError::IdNumberNeverIssued { .. })
            );
            prop_assert!(typed, "{:?}", result);
        }
    }

    /// Arbitrary Unicode never panics; a number is accepted only when, less spaces,
    /// hyphens and no-break spaces, it is exactly twelve ASCII digits.
    #[test]
    fn arbitrary_unicode_never_panics(s in any::<String>()) {
        let kept: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')).collect();
        let twelve_ascii_digits = kept.len() == 12 && kept.bytes().all(|b| b.is_ascii_digit());
        match Iin::parse(&s) {
            Ok(iin) => prop_assert_eq!(iin.to_string(), kept),
            Err(DomainError::IdNumberFormat { field: "iin" }) => prop_assert!(!twelve_ascii_digits),
            Err(DomainError::IdNumberCheckDigit { .. } | DomainError::IdNumberNeverIssued { .. }) => {
                prop_assert!(twelve_ascii_digits)
            }
            Err(e) => prop_assert!(false, "unexpected error {:?}", e),
        }
        let _ = Bin::parse(&s);
        let _ = serde_json::from_str::<Iin>(&serde_json::Value::String(s).to_string());
    }

    /// Digits with hostile neighbours: other scripts' digits, full-width digits and
    /// control characters between ASCII digits are format errors, not numbers.
    #[test]
    fn lookalike_digits_are_not_digits(
        d in valid_number(),
        at in 0usize..12,
        intruder in prop::sample::select(vec!['٣', '３', '߃', '\u{200b}', '\0', '\n', '\u{2212}', '+', '.']),
    ) {
        let mut s: Vec<char> = text(&d).chars().collect();
        s.insert(at, intruder);
        let s: String = s.into_iter().collect();
        prop_assert_eq!(Iin::parse(&s), Err(DomainError::IdNumberFormat { field: "iin" }));
    }
}

// ---------------------------------------------------------------------------------------
// Upload type check

const PDF: &[u8] = b"%PDF-";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

proptest! {
    /// Any bytes at all: the sniffer and the end check never panic, and a file is
    /// recognised only by one of the three signatures at its very start.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let expected = if bytes.starts_with(PDF) {
            Some(FileType::Pdf)
        } else if bytes.starts_with(JPEG) {
            Some(FileType::Jpeg)
        } else if bytes.starts_with(PNG) {
            Some(FileType::Png)
        } else {
            None
        };
        prop_assert_eq!(FileType::sniff(&bytes), expected);
        prop_assert_eq!(FileType::Pdf.looks_complete(&bytes), contains(&bytes, b"%%EOF"));
        prop_assert_eq!(FileType::Jpeg.looks_complete(&bytes), contains(&bytes, &[0xFF, 0xD9]));
        prop_assert_eq!(FileType::Png.looks_complete(&bytes), contains(&bytes, b"IEND"));
    }

    /// The known magic numbers are recognised whatever follows them, and a file that
    /// ends as its type should is complete.
    #[test]
    fn known_magic_numbers_are_recognised(
        kind in prop::sample::select(vec![FileType::Pdf, FileType::Jpeg, FileType::Png]),
        body in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let (magic, end): (&[u8], &[u8]) = match kind {
            FileType::Pdf => (PDF, b"\n%%EOF\n"),
            FileType::Jpeg => (JPEG, &[0xFF, 0xD9]),
            FileType::Png => (PNG, &[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]),
        };
        let file = [magic, &body, end].concat();
        prop_assert_eq!(FileType::sniff(&file), Some(kind));
        prop_assert!(kind.looks_complete(&file));
        prop_assert_eq!(FileType::parse(kind.mime()), Some(kind));
    }

    /// A truncated signature, or one that does not start the file, is not recognised.
    #[test]
    fn a_signature_elsewhere_is_not_recognised(
        magic in prop::sample::select(vec![PDF, JPEG, PNG]),
        cut in 0usize..8,
        prefix in prop::collection::vec(any::<u8>(), 1..16),
    ) {
        let cut = cut.min(magic.len() - 1);
        let truncated = &magic[..cut];
        prop_assert_eq!(FileType::sniff(truncated), None);
        let shifted = [&prefix[..], magic].concat();
        let starts_with_some = [PDF, JPEG, PNG].iter().any(|m| shifted.starts_with(m));
        prop_assert_eq!(FileType::sniff(&shifted).is_some(), starts_with_some);
    }
}

// ---------------------------------------------------------------------------------------
// Rule 14: the majority

fn choice() -> impl Strategy<Value = Choice> {
    prop::sample::select(vec![Choice::Recognise, Choice::Refuse, Choice::Abstain])
}

/// Members taking part, and the votes of at most that many of them.
fn vote() -> impl Strategy<Value = (usize, Vec<Choice>)> {
    (0usize..40).prop_flat_map(|n| (Just(n), prop::collection::vec(choice(), 0..=n)))
}

fn count(votes: &[Choice], c: Choice) -> usize {
    votes.iter().filter(|v| **v == c).count()
}

proptest! {
    /// Adopted only with more than half of those taking part; never abstention; never
    /// both options; the counts add up to the members taking part.
    #[test]
    fn rule_14_adopted_only_by_more_than_half_of_those_taking_part((n, votes) in vote()) {
        let o = outcome(&votes, n);
        let (r, f) = (count(&votes, Choice::Recognise), count(&votes, Choice::Refuse));
        prop_assert!(!(r * 2 > n && f * 2 > n), "two strict majorities of {}", n);
        let expected = if r * 2 > n {
            Some(Choice::Recognise)
        } else if f * 2 > n {
            Some(Choice::Refuse)
        } else {
            None
        };
        prop_assert_eq!(o.adopted, expected);
        prop_assert_eq!(o.needed, n / 2 + 1);
        if n > 0 {
            prop_assert_eq!(o.adopted == Some(Choice::Recognise), r >= o.needed);
            prop_assert_eq!(o.adopted == Some(Choice::Refuse), f >= o.needed);
        }
        prop_assert_eq!(o.recognise + o.refuse + o.abstain + o.missing, n);
        prop_assert_eq!(o.taking_part, n);
    }

    /// Monotonic: one more vote for an option (a member who had not voted, abstained or
    /// voted the other way) never takes away its adoption; and the same votes among more
    /// members taking part never adopt what fewer did not.
    #[test]
    fn rule_14_monotonic_in_votes_for(
        (n, votes) in vote(),
        pick in any::<prop::sample::Index>(),
        wanted in prop::sample::select(vec![Choice::Recognise, Choice::Refuse]),
    ) {
        let before = outcome(&votes, n).adopted;
        let mut more = votes.clone();
        let others: Vec<usize> = (0..votes.len()).filter(|i| votes[*i] != wanted).collect();
        if more.len() < n {
            more.push(wanted);
        } else if !others.is_empty() {
            more[others[pick.index(others.len())]] = wanted;
        } else {
            return Ok(());
        }
        let after = outcome(&more, n).adopted;
        if before == Some(wanted) {
            prop_assert_eq!(after, Some(wanted));
        }
        let other = if wanted == Choice::Recognise { Choice::Refuse } else { Choice::Recognise };
        if before != Some(other) {
            prop_assert_ne!(after, Some(other), "a vote for {:?} adopted {:?}", wanted, other);
        }
        if outcome(&votes, n + 1).adopted == Some(wanted) {
            prop_assert_eq!(before, Some(wanted));
        }
    }

    /// Whatever a caller passes – more votes than members, nobody taking part – the
    /// function answers and never panics.
    #[test]
    fn rule_14_never_panics(votes in prop::collection::vec(choice(), 0..64), n in 0usize..64) {
        let o = outcome(&votes, n);
        prop_assert!(o.adopted != Some(Choice::Abstain));
        if n == 0 {
            prop_assert_eq!(o.adopted, None);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Free text

proptest! {
    /// Whatever the text, what the validators accept holds no control character but line
    /// breaks and tabs: a NUL byte never reaches a database (PostgreSQL refuses it).
    #[test]
    fn accepted_free_text_holds_no_stray_control_character(s in any::<String>()) {
        let stray = |t: &str| t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
        if let Ok(t) = tanu_domain::protocol::free_text(&s, "opening_text") {
            prop_assert!(!stray(&t));
        }
        if tanu_domain::meeting::check_refusal(&s).is_ok() {
            prop_assert!(!stray(&s));
        }
        if let Ok(t) = tanu_domain::person::required_text(&s, "name", 10_000) {
            prop_assert!(!t.contains('\0'));
        }
        prop_assert_eq!(tanu_domain::person::has_stray_control(&s), stray(&s));
    }
}

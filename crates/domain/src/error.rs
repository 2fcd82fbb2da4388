//! Typed refusals. Each has a stable machine code (used by the API and as the key of the
//! translated message in the UI) and, where the act forbids the thing, the rule number.
//!
//! The refusals are listed once, in [`DomainError`]: each variant's `#[refusal(..)]`
//! gives its code – `rule N "slug"` makes the code `rule-N-slug` and the rule number N,
//! so the two cannot disagree – and, after a comma, the input field it concerns
//! (`field "email"`, or `field *field` for the variant's own `field`). Every named
//! value of a variant is an argument of the translated message, under its own name.
//! [`DomainError::code`], [`DomainError::rule`], [`DomainError::field`],
//! [`DomainError::args`] and the list [`DomainError::CATALOGUE`] are derived from it.

use std::fmt;

/// The input field a refusal is about, so the UI can put the message beside it.
pub type Field = &'static str;

/// Defines the error enum and derives its catalogue (see the module's documentation).
macro_rules! catalogue {
    (
        $(#[$enum_attr:meta])*
        pub enum $Enum:ident {
            $(
                #[refusal($($spec:tt)*)]
                $(#[$attr:meta])*
                $Variant:ident $({
                    $( $(#[$fattr:meta])* $f:ident : $t:ty ),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$enum_attr])*
        pub enum $Enum {
            $(
                $(#[$attr])*
                $Variant $({ $( $(#[$fattr])* $f : $t ),* })?,
            )*
        }

        impl $Enum {
            /// Every refusal's code and rule, in the order they are defined.
            pub const CATALOGUE: &'static [(&'static str, Option<u8>)] = &[
                $( (catalogue!(@code $($spec)*), catalogue!(@rule $($spec)*)) ),*
            ];

            /// Stable machine code; never change one that has shipped.
            pub fn code(&self) -> &'static str {
                match self {
                    $( Self::$Variant $({ $($f: _),* })? => catalogue!(@code $($spec)*), )*
                }
            }

            /// The item of the Rules that forbids it, when one does.
            pub fn rule(&self) -> Option<u8> {
                match self {
                    $( Self::$Variant $({ $($f: _),* })? => catalogue!(@rule $($spec)*), )*
                }
            }

            /// The input field concerned, when there is one.
            #[allow(unused_variables)]
            pub fn field(&self) -> Option<Field> {
                match self {
                    $( Self::$Variant $({ $($f),* })? => catalogue!(@field $($spec)*), )*
                }
            }

            /// Named values for the translated message (Fluent variables): every named
            /// value of the variant, under its name.
            pub fn args(&self) -> Vec<(&'static str, String)> {
                match self {
                    $( Self::$Variant $({ $($f),* })? => vec![$($( (stringify!($f), $f.to_string()) ),*)?], )*
                }
            }
        }
    };
    (@code rule $n:literal $slug:literal $(, $($rest:tt)*)?) => { concat!("rule-", $n, "-", $slug) };
    (@code $code:literal $(, $($rest:tt)*)?) => { $code };
    (@rule rule $n:literal $($rest:tt)*) => { Some($n) };
    (@rule $($rest:tt)*) => { None };
    (@field $(rule $n:literal)? $code:literal, field $e:expr) => { Some($e) };
    (@field $(rule $n:literal)? $code:literal) => { None };
}

/// Defines a closed list of codes that a refusal names and the UI translates.
macro_rules! codes {
    ($(#[$attr:meta])* pub enum $Enum:ident { $( $(#[$vattr:meta])* $Variant:ident = $code:literal ),* $(,)? }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $Enum {
            $( $(#[$vattr])* $Variant ),*
        }

        impl $Enum {
            /// Every value.
            pub const ALL: &'static [$Enum] = &[$(Self::$Variant),*];

            /// Stable code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$Variant => $code ),*
                }
            }
        }

        impl fmt::Display for $Enum {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// What was refused because of the status of an application, a meeting or an item
    /// (translated as `action-{code}`).
    pub enum Action {
        /// Submit an application.
        Submit = "submit",
        /// Check an application's completeness.
        Check = "check",
        /// Put an application on an agenda.
        Schedule = "schedule",
        /// Take an application off an agenda.
        Unschedule = "unschedule",
        /// Record a decision.
        Decide = "decide",
        /// Withdraw an application.
        Withdraw = "withdraw",
        /// Edit an application.
        Edit = "edit",
        /// Change a meeting or its agenda.
        Change = "change",
        /// Open a meeting.
        Open = "open",
        /// Cancel a meeting.
        Cancel = "cancel",
        /// Move a meeting to another time or place.
        Reschedule = "reschedule",
        /// Record attendance or an interview.
        Record = "record",
        /// Declare a conflict of interest.
        Recuse = "recuse",
        /// Vote.
        Vote = "vote",
        /// Close a meeting.
        Close = "close",
        /// Delete a draft.
        Delete = "delete",
    }
}

codes! {
    /// What is wrong with a rule-set parameter (translated as `param-problem-{code}`).
    pub enum ParamProblem {
        /// A number of days outside 1 to 365.
        OutOfRange = "out-of-range",
        /// Rule 7: teachers are among the members, so at least one.
        NoTeachers = "no-teachers",
        /// An appeal window, which Tanu does not carry out yet.
        AppealsNotHandled = "appeals-not-handled",
    }
}

catalogue! {
/// Why the domain refused a value or an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[refusal("id-number-format", field *field)]
    /// An identity number (IIN or BIN) is not twelve digits.
    #[error("{field}: must be exactly 12 digits")]
    IdNumberFormat {
        /// Which field held it.
        field: Field,
    },
    #[refusal("id-number-check-digit", field *field)]
    /// The twelfth digit does not match the check digit of the first eleven.
    #[error("{field}: the check digit is wrong")]
    IdNumberCheckDigit {
        /// Which field held it.
        field: Field,
    },
    #[refusal("id-number-never-issued", field *field)]
    /// No valid number exists with these first eleven digits (both passes give 10).
    #[error("{field}: no valid number begins with these eleven digits")]
    IdNumberNeverIssued {
        /// Which field held it.
        field: Field,
    },
    #[refusal("email-invalid", field "email")]
    /// An e-mail address that cannot be one.
    #[error("not a valid e-mail address")]
    EmailInvalid,
    #[refusal("text-length", field *field)]
    /// A required text was empty or too long.
    #[error("{field}: must be 1 to {max} characters")]
    TextLength {
        /// Which field.
        field: Field,
        /// The longest accepted.
        max: usize,
    },
    #[refusal("invisible-character", field *field)]
    /// A name or title holding an invisible (format, Cf) character: a bidirectional
    /// control, a zero-width character, a soft hyphen.
    #[error("{field}: holds an invisible character ({character}) that would disguise the text")]
    InvisibleCharacter {
        /// Which field.
        field: Field,
        /// The character as `U+XXXX`.
        character: String,
    },
    #[refusal("password-policy", field "password")]
    /// A password outside the policy.
    #[error("password must be {min} to {max} characters")]
    PasswordPolicy {
        /// Shortest accepted.
        min: usize,
        /// Longest accepted.
        max: usize,
    },
    #[refusal(rule 4 "organisation-not-eligible", field "kind")]
    /// Rule 4: only organisations of technical and vocational, post-secondary, higher or
    /// postgraduate education recognise learning outcomes.
    #[error("rule 4: an organisation of kind {kind} cannot recognise learning outcomes")]
    OrganisationNotEligible {
        /// The kind that was given.
        kind: String,
    },
    #[refusal("unknown-value", field *field)]
    /// A value that is not one of the allowed ones.
    #[error("{field}: unknown value {value:?}")]
    UnknownValue {
        /// Which field.
        field: Field,
        /// What was given.
        value: String,
    },
    #[refusal("date-range-inverted", field *field)]
    /// A date range whose end is before its start.
    #[error("{field}: the end date is before the start date")]
    DateRangeInverted {
        /// Which field.
        field: Field,
    },
    #[refusal(rule 6 "organisation-not-eligible")]
    /// Rule 6: only an organisation that recognises learning outcomes forms commissions.
    #[error("rule 6: an organisation of kind {kind} cannot form a commission")]
    Rule6NotEligible {
        /// The organisation's kind.
        kind: String,
    },
    #[refusal(rule 6 "term-not-current", field "term_to")]
    /// Rule 6: the commission acts within its term.
    #[error("rule 6: the commission's term does not cover today")]
    Rule6TermNotCurrent,
    #[refusal(rule 7 "even-membership")]
    /// Rule 7: the number of members must be odd.
    #[error("rule 7: a commission must have an odd number of members; this would leave {count}")]
    Rule7EvenMembership {
        /// How many members the change would leave.
        count: usize,
    },
    #[refusal(rule 7 "teachers-required")]
    /// Rule 7: teachers are among the members.
    #[error("rule 7: at least {min} of the members must be teachers")]
    Rule7TeachersRequired {
        /// The rule set's minimum.
        min: u32,
    },
    #[refusal(rule 7 "all-members-teachers")]
    /// Rule 7 as the rule set reads it: every member a teacher.
    #[error("rule 7: under this rule set every member must be a teacher")]
    Rule7AllMembersTeachers,
    #[refusal(rule 8 "secretary-is-member", field "secretary")]
    /// Rule 8: the secretary is not a member.
    #[error("rule 8: a member of the commission cannot be its secretary")]
    Rule8SecretaryIsMember,
    #[refusal(rule 8 "member-is-secretary", field "members")]
    /// Rule 8: the secretary cannot become a member.
    #[error("rule 8: the commission's secretary cannot be made a member")]
    Rule8MemberIsSecretary,
    #[refusal(rule 8 "secretary-not-specialist", field "secretary")]
    /// Rule 8: the secretary is a specialist of the organisation.
    #[error("rule 8: the secretary must be a specialist of the organisation")]
    Rule8SecretaryNotSpecialist,
    #[refusal(rule 8 "no-chair")]
    /// Rule 8: there is no chair.
    #[error("rule 8: no chair has been elected")]
    Rule8NoChair,
    #[refusal(rule 8 "no-secretary")]
    /// Rule 8: there is no secretary.
    #[error("rule 8: no secretary has been assigned")]
    Rule8NoSecretary,
    #[refusal(rule 8 "voter-not-member", field "voter")]
    /// Rule 8: only members vote.
    #[error("rule 8: only members of the commission vote")]
    Rule8VoterNotMember,
    #[refusal(rule 8 "candidate-not-member", field "candidate")]
    /// Rule 8: the chair and deputy are elected from among the members.
    #[error("rule 8: only a member of the commission can be elected")]
    Rule8CandidateNotMember,
    #[refusal(rule 8 "already-voted", field "voter")]
    /// Rule 8: one ballot per member per round.
    #[error("rule 8: this member has already voted in this round")]
    Rule8AlreadyVoted,
    #[refusal(rule 8 "round-closed")]
    /// Rule 8: a closed round is immutable.
    #[error("rule 8: this round is closed")]
    Rule8RoundClosed,
    #[refusal(rule 8 "both-offices", field "candidate")]
    /// Rule 8: one person cannot be both chair and deputy.
    #[error("rule 8: the same member cannot be both chair and deputy chair")]
    Rule8BothOffices,
    #[refusal(rule 8 "membership-frozen")]
    /// Rule 8: the electorate of an open round is fixed.
    #[error("rule 8: the membership cannot change while an election round is open")]
    Rule8MembershipFrozen,
    #[refusal(rule 8 "round-already-open")]
    /// Rule 8: one open round per office at a time.
    #[error("rule 8: a round for this office is already open")]
    Rule8RoundAlreadyOpen,
    #[refusal(rule 3 "provider-required", field "provider_name")]
    /// Rule 3: the confirming document names the organisation that issued it.
    #[error("rule 3: name the organisation that issued the document")]
    Rule3ProviderRequired,
    #[refusal(rule 5 "not-confirming-document", field "certificate_kind")]
    /// Rule 5: only a certificate or an attestation confirms learning outcomes.
    #[error("rule 5: a document of kind {kind:?} does not confirm learning outcomes")]
    Rule5NotConfirmingDocument {
        /// What was given.
        kind: String,
    },
    #[refusal(rule 10 "documents-missing", field "documents")]
    /// Rule 10: the application needs all three documents.
    #[error("rule 10: documents missing: {missing}")]
    Rule10DocumentsMissing {
        /// Codes of the missing documents.
        missing: String,
    },
    #[refusal(rule 10 "confirming-details-required", field "provider_name")]
    /// Rule 10: the confirming document's details are needed to submit.
    #[error("rule 10: give the details of the document confirming the learning outcomes")]
    ConfirmingDetailsRequired,
    #[refusal(rule 11 "reason-required", field "reason")]
    /// Rule 11: an incomplete result needs a reason.
    #[error("rule 11: say why the application is incomplete")]
    Rule11ReasonRequired,
    #[refusal(rule 11 "not-complete")]
    /// Rule 11: only an application the check found complete goes on an agenda.
    #[error("rule 11: only an application whose check found its documents complete goes on an agenda")]
    Rule11NotComplete,
    #[refusal(rule 11 "checklist-incomplete", field "items")]
    /// Rule 11: the checklist covers each of the three documents.
    #[error("rule 11: the checklist must cover each of the three documents")]
    Rule11ChecklistIncomplete,
    #[refusal("volume-required", field "hours")]
    /// The volume of study is needed in hours or credits.
    #[error("give the volume of study in hours or credits")]
    VolumeRequired,
    #[refusal("issue-date-implausible", field "issued_on")]
    /// The date of issue is before study began or in the future.
    #[error("the date of issue is before the study began or in the future")]
    IssueDateImplausible,
    #[refusal("outcomes-required", field "outcomes")]
    /// At least one learning outcome.
    #[error("list at least one learning outcome the document confirms")]
    OutcomesRequired,
    #[refusal("status-transition")]
    /// An action the status of an application or a meeting does not allow.
    #[error("not possible while the status is {from}: {action}")]
    StatusTransition {
        /// The current status.
        from: String,
        /// The action refused.
        action: Action,
    },
    #[refusal("file-type-not-accepted", field "file")]
    /// A file whose content is not PDF, JPEG or PNG.
    #[error("only PDF, JPEG and PNG files are accepted")]
    FileTypeNotAccepted,
    #[refusal("file-empty", field "file")]
    /// An empty file.
    #[error("the file is empty")]
    FileEmpty,
    #[refusal("file-too-large", field "file")]
    /// A file over the size limit.
    #[error("the file is larger than {max_mb} MB")]
    FileTooLarge {
        /// The limit in megabytes.
        max_mb: u64,
    },
    #[refusal("file-truncated", field "file")]
    /// A file that ends before its format says it should.
    #[error("the file is incomplete (the upload was cut off?)")]
    FileTruncated,
    #[refusal("consent-required", field "consent")]
    /// Consent to the processing of personal data is needed.
    #[error("consent to the processing of personal data is needed")]
    ConsentRequired,
    #[refusal(rule 8 "no-presiding-officer")]
    /// Rule 8: neither the chair nor the deputy is present.
    #[error("rule 8: neither the chair nor the deputy chair is present; the meeting cannot open")]
    Rule8NoPresidingOfficer,
    #[refusal("no-quorum")]
    /// Not enough members present to decide.
    #[error("no quorum: {present} of {members} members present")]
    NoQuorum {
        /// Present.
        present: usize,
        /// Members.
        members: usize,
    },
    #[refusal(rule 14 "vote-closed")]
    /// Rule 14: the vote is closed.
    #[error("rule 14: the vote is closed")]
    Rule14VoteClosed,
    #[refusal(rule 14 "recused")]
    /// Rule 14: a recused member takes no part.
    #[error("rule 14: a member who declared a conflict of interest takes no part in this item")]
    Rule14Recused,
    #[refusal(rule 14 "not-taking-part")]
    /// Rule 14: only members present vote.
    #[error("rule 14: only members present at the meeting vote")]
    Rule14NotTakingPart,
    #[refusal(rule 14 "already-voted")]
    /// Rule 14: one vote each.
    #[error("rule 14: this member has already voted on this item")]
    Rule14AlreadyVoted,
    #[refusal(rule 12 "interview-required")]
    /// Rule 12: the interview comes before the vote.
    #[error("rule 12: record the interview before the vote")]
    Rule12InterviewRequired,
    #[refusal(rule 12 "candidate-absent")]
    /// Rule 12: a candidate who did not come cannot be decided on.
    #[error(
        "rule 12: the candidate did not come to the interview; the item is moved to a later meeting"
    )]
    Rule12CandidateAbsent,
    #[refusal(rule 13 "reasons-required", field "reasons")]
    /// Rule 13: a refusal gives reasons.
    #[error("rule 13: give the reasons for refusing recognition")]
    Rule13ReasonsRequired,
    #[refusal(rule 13 "nothing-recognised", field "recognised")]
    /// Rule 13: a recognition says what is recognised.
    #[error("rule 13: say which disciplines or modules are recognised")]
    Rule13NothingRecognised,
    #[refusal(rule 13 "credits-out-of-range", field "recognised")]
    /// Credits recognised out of range.
    #[error("rule 13: recognised credits must be from 1 to the unit's credits")]
    Rule13CreditsOutOfRange,
    #[refusal(rule 9 "meeting-not-held")]
    /// Rule 9: a protocol records a meeting that was held (closed).
    #[error("rule 9: the protocol is drawn up once the meeting is closed")]
    Rule9MeetingNotHeld,
    #[refusal(rule 9 "protocol-final")]
    /// Rule 9: a final protocol is immutable; an addendum corrects it.
    #[error("rule 9: the protocol is final and cannot be changed; correct it with an addendum")]
    Rule9ProtocolFinal,
    #[refusal(rule 9 "protocol-in-signing")]
    /// The protocol awaits approval; its text is frozen.
    #[error("rule 9: the protocol awaits approval; return it to draft to change it")]
    Rule9ProtocolInSigning,
    #[refusal(rule 9 "protocol-not-sent")]
    /// Approval of a protocol that was not sent for it.
    #[error("rule 9: the protocol has not been sent for approval")]
    Rule9ProtocolNotSent,
    #[refusal(rule 9 "not-signer")]
    /// Only the presiding officer and the secretary approve the protocol.
    #[error(
        "rule 9: only the presiding officer and the secretary of the meeting approve its protocol"
    )]
    Rule9NotSigner,
    #[refusal(rule 9 "already-approved")]
    /// One approval per signer.
    #[error("rule 9: you have already approved this protocol")]
    Rule9AlreadyApproved,
    #[refusal(rule 9 "protocol-not-final")]
    /// Addenda and extracts need a final protocol.
    #[error("rule 9: the protocol is not final yet")]
    Rule9ProtocolNotFinal,
    #[refusal(rule 9 "addendum-text-required", field "addendum_text")]
    /// An addendum says what it corrects.
    #[error("rule 9: say what the addendum corrects")]
    Rule9AddendumTextRequired,
    #[refusal(rule 9 "no-decision")]
    /// An extract needs a decision recorded in a final protocol.
    #[error("rule 9: there is no decision on this application in a final protocol")]
    Rule9NoDecision,
    #[refusal(rule 9 "signer-has-account")]
    /// A paper signature is recorded only for a signer without an account.
    #[error("rule 9: this signer has an account and approves the protocol themself")]
    Rule9SignerHasAccount,
    #[refusal(rule 12 "meeting-in-past", field "starts_at")]
    /// Rule 12: the candidate is interviewed at the meeting, so it is set for a moment
    /// still to come.
    #[error("rule 12: a meeting cannot be scheduled in the past (earliest: {earliest})")]
    Rule12MeetingInPast {
        /// The earliest start accepted now, `DD.MM.YYYY HH:MM` (Kazakhstan time).
        earliest: String,
    },
    #[refusal(rule 12 "meeting-day-not-come")]
    /// Rule 12: a meeting opens on its day (Kazakhstan), not before: the candidates were
    /// invited for that day.
    #[error("rule 12: the meeting is set for {day}; it cannot open before that day")]
    Rule12MeetingDayNotCome {
        /// The meeting's day, `DD.MM.YYYY`.
        day: String,
    },
    #[refusal(rule 9 "cancel-reason-required", field "reason")]
    /// A cancelled meeting says why; the candidates and members are told.
    #[error("rule 9: give the reason the meeting is cancelled")]
    Rule9CancelReasonRequired,
    #[refusal(rule 9 "record-composition")]
    /// Rule 9 (with rule 7): the protocol's composition – the members on the meeting's
    /// date – is empty or even.
    #[error("rule 9: the record does not add up: the commission had {members} members on the meeting's date (rule 7: an odd number, at least one)")]
    Rule9RecordComposition {
        /// Members on the meeting's date.
        members: usize,
    },
    #[refusal(rule 9 "record-attendance")]
    /// Rule 9: a member marked present who was not a member on the meeting's date.
    #[error("rule 9: the record does not add up: {outside} of those marked present were not members on the meeting's date")]
    Rule9RecordAttendance {
        /// Marked present but not members then.
        outside: usize,
    },
    #[refusal(rule 9 "record-presiding")]
    /// Rule 9 (with rule 8): the presiding officer was not a member present.
    #[error("rule 9: the record does not add up: the presiding officer is not among the members present")]
    Rule9RecordPresiding,
    #[refusal(rule 9 "record-quorum")]
    /// Rule 9: the members present on the record do not make the quorum.
    #[error("rule 9: the record does not add up: {present} of {members} members present is no quorum")]
    Rule9RecordQuorum {
        /// Present.
        present: usize,
        /// Members on the meeting's date.
        members: usize,
    },
    #[refusal(rule 9 "record-votes")]
    /// Rule 9 (with rule 14): a vote counted on an item from a member not taking part in
    /// it (absent, recused, or not a member on the meeting's date).
    #[error("rule 9: the record does not add up: item {item} counts votes of members not taking part (rule 14)")]
    Rule9RecordVotes {
        /// The item's place on the agenda.
        item: usize,
    },
    #[refusal("csv-row", field "csv")]
    /// A row of an imported CSV file that cannot be taken.
    #[error("line {line}: {reason}")]
    CsvRow {
        /// Line number (the header is line 1).
        line: usize,
        /// What is wrong with it.
        reason: Box<DomainError>,
    },
    #[refusal("csv-value")]
    /// A value of a CSV row that does not read as its column's type.
    #[error("column {column} holds a value that cannot be read")]
    CsvValue {
        /// The column's name in the header.
        column: String,
    },
    #[refusal("csv-shape")]
    /// A CSV row whose columns are not those of the header.
    #[error("the row does not have the columns of the header")]
    CsvShape,
    #[refusal("csv-no-rows")]
    /// A CSV file without a row under its header.
    #[error("no rows; the header is {header}")]
    CsvNoRows {
        /// The header expected.
        header: &'static str,
    },
    #[refusal("identity-required", field "iin")]
    /// A person must be identified by an IIN or, for foreigners, a document number.
    #[error("give an IIN or, without one, a foreign identity document number")]
    IdentityRequired,
    #[refusal("retention-period", field *field)]
    /// A retention period outside 1 to 3650 days.
    #[error("{field}: a number of days from 1 to 3650")]
    RetentionPeriod {
        /// Which period.
        field: Field,
    },
    #[refusal("rule-set-parameter", field *field)]
    /// A rule-set parameter out of its range.
    #[error("{field}: {problem}")]
    RuleSetParameter {
        /// Which parameter.
        field: Field,
        /// What is wrong with it.
        problem: ParamProblem,
    },
}
}

impl DomainError {
    /// The refusal a wrapping refusal carries, e.g. the cause of a CSV row's.
    pub fn cause(&self) -> Option<&DomainError> {
        match self {
            Self::CsvRow { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::DomainError;

    #[test]
    fn a_code_names_its_rule_exactly_when_the_refusal_cites_one() {
        for (code, rule) in DomainError::CATALOGUE {
            let named = code
                .strip_prefix("rule-")
                .and_then(|rest| rest.split_once('-'))
                .and_then(|(n, _)| n.parse::<u8>().ok());
            assert_eq!(named, *rule, "{code}");
        }
        let e = DomainError::NoQuorum {
            present: 1,
            members: 5,
        };
        assert_eq!((e.code(), e.rule()), ("no-quorum", None));
        assert_eq!(
            DomainError::Rule12CandidateAbsent.code(),
            "rule-12-candidate-absent"
        );
        assert_eq!(DomainError::Rule12CandidateAbsent.rule(), Some(12));
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = HashSet::new();
        for (code, _) in DomainError::CATALOGUE {
            assert!(seen.insert(code), "{code} twice");
        }
    }

    #[test]
    fn every_named_value_is_an_argument() {
        let e = DomainError::NoQuorum {
            present: 2,
            members: 5,
        };
        assert_eq!(
            e.args(),
            vec![("present", "2".to_owned()), ("members", "5".to_owned())]
        );
        assert_eq!(
            DomainError::TextLength {
                field: "name",
                max: 200
            }
            .field(),
            Some("name")
        );
        assert_eq!(DomainError::EmailInvalid.field(), Some("email"));
        assert_eq!(DomainError::Rule8NoChair.field(), None);
    }
}

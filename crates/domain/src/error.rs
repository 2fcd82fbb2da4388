//! Typed refusals. Each has a stable machine code (used by the API and as the key of the
//! translated message in the UI) and, where the act forbids the thing, the rule number.

/// The input field a refusal is about, so the UI can put the message beside it.
pub type Field = &'static str;

/// Why the domain refused a value or an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// An identity number (IIN or BIN) is not twelve digits.
    #[error("{field}: must be exactly 12 digits")]
    IdNumberFormat {
        /// Which field held it.
        field: Field,
    },
    /// The twelfth digit does not match the check digit of the first eleven.
    #[error("{field}: the check digit is wrong")]
    IdNumberCheckDigit {
        /// Which field held it.
        field: Field,
    },
    /// No valid number exists with these first eleven digits (both passes give 10).
    #[error("{field}: no valid number begins with these eleven digits")]
    IdNumberNeverIssued {
        /// Which field held it.
        field: Field,
    },
    /// An e-mail address that cannot be one.
    #[error("not a valid e-mail address")]
    EmailInvalid,
    /// A required text was empty or too long.
    #[error("{field}: must be 1 to {max} characters")]
    TextLength {
        /// Which field.
        field: Field,
        /// The longest accepted.
        max: usize,
    },
    /// A name or title holding an invisible (format, Cf) character: a bidirectional
    /// control, a zero-width character, a soft hyphen.
    #[error("{field}: holds an invisible character ({character}) that would disguise the text")]
    InvisibleCharacter {
        /// Which field.
        field: Field,
        /// The character as `U+XXXX`.
        character: String,
    },
    /// A password outside the policy.
    #[error("password must be {min} to {max} characters")]
    PasswordPolicy {
        /// Shortest accepted.
        min: usize,
        /// Longest accepted.
        max: usize,
    },
    /// Rule 4: only organisations of technical and vocational, post-secondary, higher or
    /// postgraduate education recognise learning outcomes.
    #[error("rule 4: an organisation of kind {kind} cannot recognise learning outcomes")]
    OrganisationNotEligible {
        /// The kind that was given.
        kind: String,
    },
    /// A value that is not one of the allowed ones.
    #[error("{field}: unknown value {value:?}")]
    UnknownValue {
        /// Which field.
        field: Field,
        /// What was given.
        value: String,
    },
    /// A date range whose end is before its start.
    #[error("{field}: the end date is before the start date")]
    DateRangeInverted {
        /// Which field.
        field: Field,
    },
    /// Rule 6: only an organisation that recognises learning outcomes forms commissions.
    #[error("rule 6: an organisation of kind {kind} cannot form a commission")]
    Rule6NotEligible {
        /// The organisation's kind.
        kind: String,
    },
    /// Rule 6: the commission acts within its term.
    #[error("rule 6: the commission's term does not cover today")]
    Rule6TermNotCurrent,
    /// Rule 7: the number of members must be odd.
    #[error("rule 7: a commission must have an odd number of members; this would leave {count}")]
    Rule7EvenMembership {
        /// How many members the change would leave.
        count: usize,
    },
    /// Rule 7: teachers are among the members.
    #[error("rule 7: at least {min} of the members must be teachers")]
    Rule7TeachersRequired {
        /// The rule set's minimum.
        min: u32,
    },
    /// Rule 7 as the rule set reads it: every member a teacher.
    #[error("rule 7: under this rule set every member must be a teacher")]
    Rule7AllMembersTeachers,
    /// Rule 8: the secretary is not a member.
    #[error("rule 8: a member of the commission cannot be its secretary")]
    Rule8SecretaryIsMember,
    /// Rule 8: the secretary cannot become a member.
    #[error("rule 8: the commission's secretary cannot be made a member")]
    Rule8MemberIsSecretary,
    /// Rule 8: the secretary is a specialist of the organisation.
    #[error("rule 8: the secretary must be a specialist of the organisation")]
    Rule8SecretaryNotSpecialist,
    /// Rule 8: there is no chair.
    #[error("rule 8: no chair has been elected")]
    Rule8NoChair,
    /// Rule 8: there is no secretary.
    #[error("rule 8: no secretary has been assigned")]
    Rule8NoSecretary,
    /// Rule 8: only members vote.
    #[error("rule 8: only members of the commission vote")]
    Rule8VoterNotMember,
    /// Rule 8: the chair and deputy are elected from among the members.
    #[error("rule 8: only a member of the commission can be elected")]
    Rule8CandidateNotMember,
    /// Rule 8: one ballot per member per round.
    #[error("rule 8: this member has already voted in this round")]
    Rule8AlreadyVoted,
    /// Rule 8: a closed round is immutable.
    #[error("rule 8: this round is closed")]
    Rule8RoundClosed,
    /// Rule 8: one person cannot be both chair and deputy.
    #[error("rule 8: the same member cannot be both chair and deputy chair")]
    Rule8BothOffices,
    /// Rule 8: the electorate of an open round is fixed.
    #[error("rule 8: the membership cannot change while an election round is open")]
    Rule8MembershipFrozen,
    /// Rule 8: one open round per office at a time.
    #[error("rule 8: a round for this office is already open")]
    Rule8RoundAlreadyOpen,
    /// Rule 3: the confirming document names the organisation that issued it.
    #[error("rule 3: name the organisation that issued the document")]
    Rule3ProviderRequired,
    /// Rule 5: only a certificate or an attestation confirms learning outcomes.
    #[error("rule 5: a document of kind {kind:?} does not confirm learning outcomes")]
    Rule5NotConfirmingDocument {
        /// What was given.
        kind: String,
    },
    /// Rule 10: the application needs all three documents.
    #[error("rule 10: documents missing: {missing}")]
    Rule10DocumentsMissing {
        /// Codes of the missing documents.
        missing: String,
    },
    /// Rule 10: the confirming document's details are needed to submit.
    #[error("rule 10: give the details of the document confirming the learning outcomes")]
    ConfirmingDetailsRequired,
    /// Rule 11: an incomplete result needs a reason.
    #[error("rule 11: say why the application is incomplete")]
    Rule11ReasonRequired,
    /// Rule 11: the checklist covers each of the three documents.
    #[error("rule 11: the checklist must cover each of the three documents")]
    Rule11ChecklistIncomplete,
    /// The volume of study is needed in hours or credits.
    #[error("give the volume of study in hours or credits")]
    VolumeRequired,
    /// The date of issue is before study began or in the future.
    #[error("the date of issue is before the study began or in the future")]
    IssueDateImplausible,
    /// At least one learning outcome.
    #[error("list at least one learning outcome the document confirms")]
    OutcomesRequired,
    /// An action the status of an application or a meeting does not allow.
    #[error("not possible while the status is {from}: {action}")]
    StatusTransition {
        /// The current status.
        from: String,
        /// The action refused.
        action: &'static str,
    },
    /// A file whose content is not PDF, JPEG or PNG.
    #[error("only PDF, JPEG and PNG files are accepted")]
    FileTypeNotAccepted,
    /// An empty file.
    #[error("the file is empty")]
    FileEmpty,
    /// A file over the size limit.
    #[error("the file is larger than {max_mb} MB")]
    FileTooLarge {
        /// The limit in megabytes.
        max_mb: u64,
    },
    /// A file that ends before its format says it should.
    #[error("the file is incomplete (the upload was cut off?)")]
    FileTruncated,
    /// Consent to the processing of personal data is needed.
    #[error("consent to the processing of personal data is needed")]
    ConsentRequired,
    /// Rule 8: neither the chair nor the deputy is present.
    #[error("rule 8: neither the chair nor the deputy chair is present; the meeting cannot open")]
    Rule8NoPresidingOfficer,
    /// Not enough members present to decide.
    #[error("no quorum: {present} of {members} members present")]
    NoQuorum {
        /// Present.
        present: usize,
        /// Members.
        members: usize,
    },
    /// Rule 14: the vote is closed.
    #[error("rule 14: the vote is closed")]
    Rule14VoteClosed,
    /// Rule 14: a recused member takes no part.
    #[error("rule 14: a member who declared a conflict of interest takes no part in this item")]
    Rule14Recused,
    /// Rule 14: only members present vote.
    #[error("rule 14: only members present at the meeting vote")]
    Rule14NotTakingPart,
    /// Rule 14: one vote each.
    #[error("rule 14: this member has already voted on this item")]
    Rule14AlreadyVoted,
    /// Rule 12: the interview comes before the vote.
    #[error("rule 12: record the interview before the vote")]
    Rule12InterviewRequired,
    /// Rule 12: a candidate who did not come cannot be decided on.
    #[error(
        "rule 12: the candidate did not come to the interview; the item is moved to a later meeting"
    )]
    Rule12CandidateAbsent,
    /// Rule 13: a refusal gives reasons.
    #[error("rule 13: give the reasons for refusing recognition")]
    Rule13ReasonsRequired,
    /// Rule 13: a recognition says what is recognised.
    #[error("rule 13: say which disciplines or modules are recognised")]
    Rule13NothingRecognised,
    /// Credits recognised out of range.
    #[error("rule 13: recognised credits must be from 1 to the unit's credits")]
    Rule13CreditsOutOfRange,
    /// Rule 9: a protocol records a meeting that was held (closed).
    #[error("rule 9: the protocol is drawn up once the meeting is closed")]
    Rule9MeetingNotHeld,
    /// Rule 9: a final protocol is immutable; an addendum corrects it.
    #[error("rule 9: the protocol is final and cannot be changed; correct it with an addendum")]
    Rule9ProtocolFinal,
    /// The protocol awaits approval; its text is frozen.
    #[error("rule 9: the protocol awaits approval; return it to draft to change it")]
    Rule9ProtocolInSigning,
    /// Approval of a protocol that was not sent for it.
    #[error("rule 9: the protocol has not been sent for approval")]
    Rule9ProtocolNotSent,
    /// Only the presiding officer and the secretary approve the protocol.
    #[error(
        "rule 9: only the presiding officer and the secretary of the meeting approve its protocol"
    )]
    Rule9NotSigner,
    /// One approval per signer.
    #[error("rule 9: you have already approved this protocol")]
    Rule9AlreadyApproved,
    /// Addenda and extracts need a final protocol.
    #[error("rule 9: the protocol is not final yet")]
    Rule9ProtocolNotFinal,
    /// An addendum says what it corrects.
    #[error("rule 9: say what the addendum corrects")]
    Rule9AddendumTextRequired,
    /// An extract needs a decision recorded in a final protocol.
    #[error("rule 9: there is no decision on this application in a final protocol")]
    Rule9NoDecision,
    /// A paper signature is recorded only for a signer without an account.
    #[error("rule 9: this signer has an account and approves the protocol themself")]
    Rule9SignerHasAccount,
    /// A row of an imported CSV file that cannot be taken.
    #[error("line {line}: {reason}")]
    CsvRow {
        /// Line number (the header is line 1).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A person must be identified by an IIN or, for foreigners, a document number.
    #[error("give an IIN or, without one, a foreign identity document number")]
    IdentityRequired,
    /// A rule-set parameter out of its range.
    #[error("{field}: {reason}")]
    RuleSetParameter {
        /// Which parameter.
        field: Field,
        /// What is wrong with it.
        reason: String,
    },
}

impl DomainError {
    /// Stable machine code; never change one that has shipped.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IdNumberFormat { .. } => "id-number-format",
            Self::IdNumberCheckDigit { .. } => "id-number-check-digit",
            Self::IdNumberNeverIssued { .. } => "id-number-never-issued",
            Self::EmailInvalid => "email-invalid",
            Self::TextLength { .. } => "text-length",
            Self::InvisibleCharacter { .. } => "invisible-character",
            Self::PasswordPolicy { .. } => "password-policy",
            Self::OrganisationNotEligible { .. } => "rule-4-organisation-not-eligible",
            Self::UnknownValue { .. } => "unknown-value",
            Self::DateRangeInverted { .. } => "date-range-inverted",
            Self::RuleSetParameter { .. } => "rule-set-parameter",
            Self::IdentityRequired => "identity-required",
            Self::Rule6NotEligible { .. } => "rule-6-organisation-not-eligible",
            Self::Rule6TermNotCurrent => "rule-6-term-not-current",
            Self::Rule7EvenMembership { .. } => "rule-7-even-membership",
            Self::Rule7TeachersRequired { .. } => "rule-7-teachers-required",
            Self::Rule7AllMembersTeachers => "rule-7-all-members-teachers",
            Self::Rule8SecretaryIsMember => "rule-8-secretary-is-member",
            Self::Rule8MemberIsSecretary => "rule-8-member-is-secretary",
            Self::Rule8SecretaryNotSpecialist => "rule-8-secretary-not-specialist",
            Self::Rule8NoChair => "rule-8-no-chair",
            Self::Rule8NoSecretary => "rule-8-no-secretary",
            Self::Rule8VoterNotMember => "rule-8-voter-not-member",
            Self::Rule8CandidateNotMember => "rule-8-candidate-not-member",
            Self::Rule8AlreadyVoted => "rule-8-already-voted",
            Self::Rule8RoundClosed => "rule-8-round-closed",
            Self::Rule8BothOffices => "rule-8-both-offices",
            Self::Rule8RoundAlreadyOpen => "rule-8-round-already-open",
            Self::Rule8MembershipFrozen => "rule-8-membership-frozen",
            Self::Rule3ProviderRequired => "rule-3-provider-required",
            Self::Rule5NotConfirmingDocument { .. } => "rule-5-not-confirming-document",
            Self::Rule10DocumentsMissing { .. } => "rule-10-documents-missing",
            Self::ConfirmingDetailsRequired => "rule-10-confirming-details-required",
            Self::Rule11ReasonRequired => "rule-11-reason-required",
            Self::Rule11ChecklistIncomplete => "rule-11-checklist-incomplete",
            Self::VolumeRequired => "volume-required",
            Self::IssueDateImplausible => "issue-date-implausible",
            Self::OutcomesRequired => "outcomes-required",
            Self::StatusTransition { .. } => "status-transition",
            Self::FileTypeNotAccepted => "file-type-not-accepted",
            Self::FileEmpty => "file-empty",
            Self::FileTooLarge { .. } => "file-too-large",
            Self::FileTruncated => "file-truncated",
            Self::ConsentRequired => "consent-required",
            Self::CsvRow { .. } => "csv-row",
            Self::Rule9MeetingNotHeld => "rule-9-meeting-not-held",
            Self::Rule9ProtocolFinal => "rule-9-protocol-final",
            Self::Rule9ProtocolInSigning => "rule-9-protocol-in-signing",
            Self::Rule9ProtocolNotSent => "rule-9-protocol-not-sent",
            Self::Rule9NotSigner => "rule-9-not-signer",
            Self::Rule9AlreadyApproved => "rule-9-already-approved",
            Self::Rule9ProtocolNotFinal => "rule-9-protocol-not-final",
            Self::Rule9AddendumTextRequired => "rule-9-addendum-text-required",
            Self::Rule9NoDecision => "rule-9-no-decision",
            Self::Rule9SignerHasAccount => "rule-9-signer-has-account",
            Self::Rule8NoPresidingOfficer => "rule-8-no-presiding-officer",
            Self::Rule12InterviewRequired => "rule-12-interview-required",
            Self::Rule12CandidateAbsent => "rule-12-candidate-absent",
            Self::NoQuorum { .. } => "no-quorum",
            Self::Rule14VoteClosed => "rule-14-vote-closed",
            Self::Rule14Recused => "rule-14-recused",
            Self::Rule14NotTakingPart => "rule-14-not-taking-part",
            Self::Rule14AlreadyVoted => "rule-14-already-voted",
            Self::Rule13ReasonsRequired => "rule-13-reasons-required",
            Self::Rule13NothingRecognised => "rule-13-nothing-recognised",
            Self::Rule13CreditsOutOfRange => "rule-13-credits-out-of-range",
        }
    }

    /// The item of the Rules that forbids it, when one does.
    pub fn rule(&self) -> Option<u8> {
        match self {
            Self::OrganisationNotEligible { .. } => Some(4),
            Self::Rule6NotEligible { .. } | Self::Rule6TermNotCurrent => Some(6),
            Self::Rule7EvenMembership { .. }
            | Self::Rule7TeachersRequired { .. }
            | Self::Rule7AllMembersTeachers => Some(7),
            Self::Rule8SecretaryIsMember
            | Self::Rule8MemberIsSecretary
            | Self::Rule8SecretaryNotSpecialist
            | Self::Rule8NoChair
            | Self::Rule8NoSecretary
            | Self::Rule8VoterNotMember
            | Self::Rule8CandidateNotMember
            | Self::Rule8AlreadyVoted
            | Self::Rule8RoundClosed
            | Self::Rule8BothOffices
            | Self::Rule8RoundAlreadyOpen
            | Self::Rule8MembershipFrozen => Some(8),
            Self::Rule3ProviderRequired => Some(3),
            Self::Rule5NotConfirmingDocument { .. } => Some(5),
            Self::Rule10DocumentsMissing { .. } | Self::ConfirmingDetailsRequired => Some(10),
            Self::Rule11ReasonRequired | Self::Rule11ChecklistIncomplete => Some(11),
            Self::Rule8NoPresidingOfficer => Some(8),
            Self::Rule12InterviewRequired | Self::Rule12CandidateAbsent => Some(12),
            Self::Rule9MeetingNotHeld
            | Self::Rule9ProtocolFinal
            | Self::Rule9ProtocolInSigning
            | Self::Rule9ProtocolNotSent
            | Self::Rule9NotSigner
            | Self::Rule9AlreadyApproved
            | Self::Rule9ProtocolNotFinal
            | Self::Rule9AddendumTextRequired
            | Self::Rule9NoDecision
            | Self::Rule9SignerHasAccount => Some(9),
            Self::Rule13ReasonsRequired
            | Self::Rule13NothingRecognised
            | Self::Rule13CreditsOutOfRange => Some(13),
            Self::Rule14VoteClosed
            | Self::Rule14Recused
            | Self::Rule14NotTakingPart
            | Self::Rule14AlreadyVoted => Some(14),
            _ => None,
        }
    }

    /// The input field concerned, when there is one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::IdNumberFormat { field }
            | Self::IdNumberCheckDigit { field }
            | Self::IdNumberNeverIssued { field }
            | Self::TextLength { field, .. }
            | Self::InvisibleCharacter { field, .. }
            | Self::UnknownValue { field, .. }
            | Self::DateRangeInverted { field }
            | Self::RuleSetParameter { field, .. } => Some(field),
            Self::EmailInvalid => Some("email"),
            Self::IdentityRequired => Some("iin"),
            Self::PasswordPolicy { .. } => Some("password"),
            Self::OrganisationNotEligible { .. } => Some("kind"),
            Self::Rule6TermNotCurrent => Some("term_to"),
            Self::Rule8SecretaryIsMember | Self::Rule8SecretaryNotSpecialist => Some("secretary"),
            Self::Rule8MemberIsSecretary => Some("members"),
            Self::Rule8CandidateNotMember | Self::Rule8BothOffices => Some("candidate"),
            Self::Rule8VoterNotMember | Self::Rule8AlreadyVoted => Some("voter"),
            Self::Rule6NotEligible { .. }
            | Self::Rule7EvenMembership { .. }
            | Self::Rule7TeachersRequired { .. }
            | Self::Rule7AllMembersTeachers
            | Self::Rule8NoChair
            | Self::Rule8NoSecretary
            | Self::Rule8RoundClosed
            | Self::Rule8RoundAlreadyOpen
            | Self::Rule8MembershipFrozen => None,
            Self::Rule3ProviderRequired => Some("provider_name"),
            Self::Rule5NotConfirmingDocument { .. } => Some("certificate_kind"),
            Self::Rule10DocumentsMissing { .. } => Some("documents"),
            Self::ConfirmingDetailsRequired => Some("provider_name"),
            Self::Rule11ReasonRequired => Some("reason"),
            Self::Rule11ChecklistIncomplete => Some("items"),
            Self::VolumeRequired => Some("hours"),
            Self::IssueDateImplausible => Some("issued_on"),
            Self::OutcomesRequired => Some("outcomes"),
            Self::StatusTransition { .. } => None,
            Self::FileTypeNotAccepted
            | Self::FileEmpty
            | Self::FileTooLarge { .. }
            | Self::FileTruncated => Some("file"),
            Self::ConsentRequired => Some("consent"),
            Self::CsvRow { .. } => Some("csv"),
            Self::Rule9AddendumTextRequired => Some("addendum_text"),
            Self::Rule9MeetingNotHeld
            | Self::Rule9ProtocolFinal
            | Self::Rule9ProtocolInSigning
            | Self::Rule9ProtocolNotSent
            | Self::Rule9NotSigner
            | Self::Rule9AlreadyApproved
            | Self::Rule9ProtocolNotFinal
            | Self::Rule9NoDecision
            | Self::Rule9SignerHasAccount => None,
            Self::Rule13ReasonsRequired => Some("reasons"),
            Self::Rule13NothingRecognised | Self::Rule13CreditsOutOfRange => Some("recognised"),
            Self::Rule8NoPresidingOfficer
            | Self::Rule12InterviewRequired
            | Self::Rule12CandidateAbsent
            | Self::NoQuorum { .. }
            | Self::Rule14VoteClosed
            | Self::Rule14Recused
            | Self::Rule14NotTakingPart
            | Self::Rule14AlreadyVoted => None,
        }
    }

    /// Named values for the translated message (Fluent variables).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::TextLength { field, max } => {
                vec![("field", (*field).to_owned()), ("max", max.to_string())]
            }
            Self::InvisibleCharacter { field, character } => {
                vec![
                    ("field", (*field).to_owned()),
                    ("character", character.clone()),
                ]
            }
            Self::PasswordPolicy { min, max } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            Self::OrganisationNotEligible { kind } => vec![("kind", kind.clone())],
            Self::UnknownValue { field, value } => {
                vec![("field", (*field).to_owned()), ("value", value.clone())]
            }
            Self::RuleSetParameter { field, reason } => {
                vec![("field", (*field).to_owned()), ("reason", reason.clone())]
            }
            Self::IdNumberFormat { field }
            | Self::IdNumberCheckDigit { field }
            | Self::IdNumberNeverIssued { field }
            | Self::DateRangeInverted { field } => vec![("field", (*field).to_owned())],
            Self::Rule6NotEligible { kind } => vec![("kind", kind.clone())],
            Self::Rule7EvenMembership { count } => vec![("count", count.to_string())],
            Self::Rule7TeachersRequired { min } => vec![("min", min.to_string())],
            Self::Rule5NotConfirmingDocument { kind } => vec![("kind", kind.clone())],
            Self::Rule10DocumentsMissing { missing } => vec![("missing", missing.clone())],
            Self::StatusTransition { from, action } => {
                vec![("status", from.clone()), ("action", (*action).to_owned())]
            }
            Self::FileTooLarge { max_mb } => vec![("max", max_mb.to_string())],
            Self::CsvRow { line, reason } => {
                vec![("line", line.to_string()), ("reason", reason.clone())]
            }
            _ => Vec::new(),
        }
    }
}

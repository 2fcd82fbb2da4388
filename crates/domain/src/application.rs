//! Applications (rules 3, 5, 10, 11): the states of one application and their
//! transitions, the documents of rule 10, the confirming document of rules 3 and 5,
//! uploaded files recognised by their content, and the completeness check of rule 11.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{Action, DomainError};
use crate::ids::Bin;
use crate::person::{name_text, optional_text, refuse_invisible, required_text};

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Being prepared by the candidate; nobody else sees it.
    Draft,
    /// Submitted; waiting for the completeness check (rule 11).
    Submitted,
    /// The check found documents missing or unusable; the candidate may resubmit.
    Incomplete,
    /// The check found the three documents of rule 10 present and usable.
    Complete,
    /// On the agenda of a meeting.
    Scheduled,
    /// Learning outcomes recognised (rule 13).
    Recognised,
    /// Recognition refused (rule 13).
    Refused,
    /// The vote adopted nothing (rule 14); back to a later agenda.
    NotAdopted,
    /// Withdrawn by the candidate.
    Withdrawn,
}

impl Status {
    /// Every status, in the order of the procedure.
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::Submitted,
        Status::Incomplete,
        Status::Complete,
        Status::Scheduled,
        Status::Recognised,
        Status::Refused,
        Status::NotAdopted,
        Status::Withdrawn,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Incomplete => "incomplete",
            Self::Complete => "complete",
            Self::Scheduled => "scheduled",
            Self::Recognised => "recognised",
            Self::Refused => "refused",
            Self::NotAdopted => "not-adopted",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| DomainError::UnknownValue {
                field: "status",
                value: s.chars().take(32).collect(),
            })
    }

    fn refuse(self, action: Action) -> DomainError {
        DomainError::StatusTransition {
            from: self.as_str().to_owned(),
            action,
        }
    }

    /// Whether the commission decided (rule 13): recognised or refused.
    pub fn is_decided(self) -> bool {
        matches!(self, Self::Recognised | Self::Refused)
    }

    /// Whether the candidate may still change the application (its documents and details).
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Incomplete)
    }

    /// Submitting a draft, or resubmitting after an incomplete check.
    pub fn submit(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft | Self::Incomplete => Ok(Self::Submitted),
            other => Err(other.refuse(Action::Submit)),
        }
    }

    /// Rule 11: the check of a submitted application.
    pub fn check(self, complete: bool) -> Result<Self, DomainError> {
        match self {
            Self::Submitted if complete => Ok(Self::Complete),
            Self::Submitted => Ok(Self::Incomplete),
            other => Err(other.refuse(Action::Check)),
        }
    }

    /// Put on a meeting's agenda: a complete application, or one on which an earlier
    /// vote adopted nothing (rule 14).
    pub fn schedule(self) -> Result<Self, DomainError> {
        match self {
            Self::Complete | Self::NotAdopted => Ok(Self::Scheduled),
            // Rule 11: the check comes first, and must have found the documents.
            Self::Submitted | Self::Incomplete => Err(DomainError::Rule11NotComplete),
            other => Err(other.refuse(Action::Schedule)),
        }
    }

    /// Taken off the agenda without a vote (the candidate did not come, or the meeting
    /// closed before the item): it can be scheduled again.
    pub fn unschedule(self) -> Result<Self, DomainError> {
        match self {
            Self::Scheduled => Ok(Self::Complete),
            other => Err(other.refuse(Action::Unschedule)),
        }
    }

    /// Taken off the agenda of a meeting cancelled before it opened: back to where
    /// scheduling found it – *not adopted* when an earlier vote on it adopted nothing,
    /// otherwise *complete*.
    pub fn unschedule_to(self, earlier_not_adopted: bool) -> Result<Self, DomainError> {
        match self.unschedule()? {
            Self::Complete if earlier_not_adopted => Ok(Self::NotAdopted),
            back => Ok(back),
        }
    }

    /// Rules 13–14: the result of the vote on a scheduled application.
    pub fn decide(self, adopted: Option<bool>) -> Result<Self, DomainError> {
        match (self, adopted) {
            (Self::Scheduled, Some(true)) => Ok(Self::Recognised),
            (Self::Scheduled, Some(false)) => Ok(Self::Refused),
            (Self::Scheduled, None) => Ok(Self::NotAdopted),
            (other, _) => Err(other.refuse(Action::Decide)),
        }
    }

    /// The candidate withdraws while no decision has been taken.
    pub fn withdraw(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft
            | Self::Submitted
            | Self::Incomplete
            | Self::Complete
            | Self::Scheduled
            | Self::NotAdopted => Ok(Self::Withdrawn),
            other => Err(other.refuse(Action::Withdraw)),
        }
    }

    /// Deleting the application: its candidate, while it is a draft (nobody else has
    /// seen it).
    pub fn delete(self) -> Result<(), DomainError> {
        match self {
            Self::Draft => Ok(()),
            other => Err(other.refuse(Action::Delete)),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The three documents of rule 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// The application in free form (typed, or a signed scan).
    Statement,
    /// A copy of the identity document.
    Identity,
    /// The document confirming the learning outcomes (rule 5).
    Confirming,
}

impl DocumentKind {
    /// All three, in the order of rule 10.
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::Statement,
        DocumentKind::Identity,
        DocumentKind::Confirming,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Statement => "statement",
            Self::Identity => "identity",
            Self::Confirming => "confirming",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| DomainError::UnknownValue {
                field: "kind",
                value: s.chars().take(32).collect(),
            })
    }
}

/// Rule 10: every one of the three documents must be there. A typed statement counts as
/// the statement document.
pub fn check_documents_attached(present: &[DocumentKind]) -> Result<(), DomainError> {
    let missing: Vec<&'static str> = DocumentKind::ALL
        .iter()
        .filter(|k| !present.contains(k))
        .map(|k| k.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Rule10DocumentsMissing {
            missing: missing.join(", "),
        })
    }
}

/// Rule 5: what kind of document confirms the learning outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfirmingKind {
    /// A certificate of completion of study (сертификат).
    Certificate,
    /// A completion attestation (куәлік / свидетельство).
    Attestation,
}

impl ConfirmingKind {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::Attestation => "attestation",
        }
    }

    /// Rule 5: only a certificate or an attestation confirms learning outcomes; anything
    /// else (a diploma, a reference letter, a transcript…) is refused.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "certificate" => Ok(Self::Certificate),
            "attestation" => Ok(Self::Attestation),
            other => Err(DomainError::Rule5NotConfirmingDocument {
                kind: other.chars().take(40).collect(),
            }),
        }
    }
}

/// The details of the confirming document (rules 3 and 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Certificate or attestation.
    pub kind: ConfirmingKind,
    /// The non-formal education provider that issued it (rule 3).
    pub provider_name: String,
    /// Its BIN, when Kazakh.
    pub provider_bin: Option<Bin>,
    /// Title of the programme studied.
    pub programme_title: String,
    /// Volume in academic hours.
    pub hours: Option<u32>,
    /// Volume in credits.
    pub credits: Option<u32>,
    /// First day of study.
    pub study_from: Date,
    /// Last day of study.
    pub study_to: Date,
    /// The document's number.
    pub number: String,
    /// Date of issue.
    pub issued_on: Date,
    /// The learning outcomes it lists.
    pub outcomes: Vec<String>,
}

/// The details as entered, before they are checked.
#[derive(Debug, Clone)]
pub struct CertificateInput<'a> {
    /// Kind code.
    pub kind: &'a str,
    /// Provider name.
    pub provider_name: &'a str,
    /// Provider BIN (empty when not Kazakh).
    pub provider_bin: Option<&'a str>,
    /// Programme title.
    pub programme_title: &'a str,
    /// Hours.
    pub hours: Option<u32>,
    /// Credits.
    pub credits: Option<u32>,
    /// Study from.
    pub study_from: Date,
    /// Study to.
    pub study_to: Date,
    /// Number.
    pub number: &'a str,
    /// Issued on.
    pub issued_on: Date,
    /// Outcomes, one per entry (blank ones are dropped).
    pub outcomes: Vec<&'a str>,
}

impl Certificate {
    /// Checks the details: rule 5 for the kind, rule 3 for the provider, a volume in
    /// hours or credits, consistent dates (issued after study began, not after `today`),
    /// and at least one learning outcome.
    pub fn parse(input: &CertificateInput<'_>, today: Date) -> Result<Self, DomainError> {
        let kind = ConfirmingKind::parse(input.kind)?;
        let provider_name = required_text(input.provider_name, "provider_name", 300)
            .map_err(|_| DomainError::Rule3ProviderRequired)?;
        refuse_invisible(&provider_name, "provider_name")?;
        let provider_bin = optional_text(input.provider_bin, "provider_bin", 20)?
            .map(|s| Bin::parse(&s).map_err(|e| rename_field(e, "provider_bin")))
            .transpose()?;
        let programme_title = name_text(input.programme_title, "programme_title", 300)?;
        if input.hours.unwrap_or(0) == 0 && input.credits.unwrap_or(0) == 0 {
            return Err(DomainError::VolumeRequired);
        }
        if input.study_to < input.study_from {
            return Err(DomainError::DateRangeInverted { field: "study_to" });
        }
        if input.issued_on < input.study_from || input.issued_on > today {
            return Err(DomainError::IssueDateImplausible);
        }
        let number = required_text(input.number, "number", 100)?;
        let outcomes: Vec<String> = input
            .outcomes
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(|o| required_text(o, "outcomes", 1000))
            .collect::<Result<_, _>>()?;
        if outcomes.is_empty() {
            return Err(DomainError::OutcomesRequired);
        }
        Ok(Self {
            kind,
            provider_name,
            provider_bin,
            programme_title,
            hours: input.hours.filter(|h| *h > 0),
            credits: input.credits.filter(|c| *c > 0),
            study_from: input.study_from,
            study_to: input.study_to,
            number,
            issued_on: input.issued_on,
            outcomes,
        })
    }

    /// The key that identifies the same physical document across applications: the
    /// provider (BIN when known, else the name folded to lower case) and the number.
    pub fn reuse_key(&self) -> String {
        let provider = self
            .provider_bin
            .map_or_else(|| fold(&self.provider_name), |b| b.to_string());
        format!("{provider}|{}", fold(&self.number))
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn rename_field(e: DomainError, field: &'static str) -> DomainError {
    match e {
        DomainError::IdNumberFormat { .. } => DomainError::IdNumberFormat { field },
        DomainError::IdNumberCheckDigit { .. } => DomainError::IdNumberCheckDigit { field },
        DomainError::IdNumberNeverIssued { .. } => DomainError::IdNumberNeverIssued { field },
        other => other,
    }
}

/// A file type Tanu accepts for documents, recognised by content, never by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    /// PDF.
    Pdf,
    /// JPEG image.
    Jpeg,
    /// PNG image.
    Png,
}

impl FileType {
    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The usual extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// Recognises the type from the first bytes of the file.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else {
            None
        }
    }

    /// Parses the stored code.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "application/pdf" | "pdf" => Some(Self::Pdf),
            "image/jpeg" | "jpeg" => Some(Self::Jpeg),
            "image/png" | "png" => Some(Self::Png),
            _ => None,
        }
    }

    /// Whether a complete file of this type ends as it should (a truncated upload does
    /// not): PDF with `%%EOF` near the end, JPEG with its end marker, PNG with `IEND`.
    pub fn looks_complete(self, tail: &[u8]) -> bool {
        match self {
            Self::Pdf => tail.windows(5).any(|w| w == b"%%EOF"),
            Self::Jpeg => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
            Self::Png => tail.windows(4).any(|w| w == b"IEND"),
        }
    }
}

/// One line of the completeness checklist (rule 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    /// Which document.
    pub kind: DocumentKind,
    /// It is there.
    pub present: bool,
    /// It can be read.
    pub legible: bool,
    /// It belongs to the candidate (name, identity number).
    pub matches_candidate: bool,
}

impl CheckItem {
    /// Whether this document passes.
    pub fn passes(&self) -> bool {
        self.present && self.legible && self.matches_candidate
    }
}

/// Rule 11: the check covers each of the three documents of rule 10; the application is
/// complete only when all three pass. An incomplete result must say why.
pub fn completeness(
    items: &[CheckItem],
    reason: Option<&str>,
) -> Result<(bool, Vec<DocumentKind>), DomainError> {
    for kind in DocumentKind::ALL {
        if items.iter().filter(|i| i.kind == kind).count() != 1 {
            return Err(DomainError::Rule11ChecklistIncomplete);
        }
    }
    let failing: Vec<DocumentKind> = items
        .iter()
        .filter(|i| !i.passes())
        .map(|i| i.kind)
        .collect();
    if !failing.is_empty() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(DomainError::Rule11ReasonRequired);
    }
    Ok((failing.is_empty(), failing))
}

/// The number an application gets when first submitted: year and a sequence within the
/// organisation and year, e.g. `2026-0042`.
pub fn application_number(year: i32, seq: i64) -> String {
    format!("{year}-{seq:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn transitions() {
        assert_eq!(Status::Draft.submit(), Ok(Status::Submitted));
        // A cancelled meeting returns its agenda to where scheduling found it.
        assert_eq!(Status::Scheduled.unschedule_to(false), Ok(Status::Complete));
        assert_eq!(
            Status::Scheduled.unschedule_to(true),
            Ok(Status::NotAdopted)
        );
        assert!(Status::Complete.unschedule_to(false).is_err());
        assert_eq!(Status::Incomplete.submit(), Ok(Status::Submitted));
        assert!(Status::Submitted.submit().is_err());
        assert_eq!(Status::Submitted.check(true), Ok(Status::Complete));
        assert_eq!(Status::Submitted.check(false), Ok(Status::Incomplete));
        assert!(Status::Draft.check(true).is_err());
        assert!(Status::Complete.check(true).is_err());
        assert_eq!(Status::Complete.withdraw(), Ok(Status::Withdrawn));
        assert!(Status::Recognised.withdraw().is_err());
        assert!(Status::Withdrawn.withdraw().is_err());
        assert_eq!(Status::Complete.schedule(), Ok(Status::Scheduled));
        assert_eq!(Status::NotAdopted.schedule(), Ok(Status::Scheduled));
        assert_eq!(
            Status::Submitted.schedule(),
            Err(DomainError::Rule11NotComplete)
        );
        assert_eq!(
            Status::Incomplete.schedule(),
            Err(DomainError::Rule11NotComplete)
        );
        assert_eq!(Status::Scheduled.unschedule(), Ok(Status::Complete));
        assert_eq!(Status::Scheduled.decide(Some(true)), Ok(Status::Recognised));
        assert_eq!(Status::Scheduled.decide(None), Ok(Status::NotAdopted));
        assert!(Status::Complete.decide(Some(true)).is_err());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Ok(s));
        }
    }

    #[test]
    fn rule_10_three_documents() {
        assert!(check_documents_attached(&DocumentKind::ALL).is_ok());
        let e = check_documents_attached(&[DocumentKind::Statement]);
        assert_eq!(e.as_ref().err().and_then(DomainError::rule), Some(10));
        assert_eq!(
            e,
            Err(DomainError::Rule10DocumentsMissing {
                missing: "identity, confirming".into()
            })
        );
    }

    #[test]
    fn rule_5_only_certificates_and_attestations_confirm() {
        assert_eq!(
            ConfirmingKind::parse("certificate"),
            Ok(ConfirmingKind::Certificate)
        );
        assert_eq!(
            ConfirmingKind::parse("attestation"),
            Ok(ConfirmingKind::Attestation)
        );
        let e = ConfirmingKind::parse("diploma");
        assert_eq!(e.as_ref().err().and_then(DomainError::rule), Some(5));
    }

    fn input() -> CertificateInput<'static> {
        CertificateInput {
            kind: "certificate",
            provider_name: "IT Academy",
            provider_bin: Some("940140000385"),
            programme_title: "Python",
            hours: Some(72),
            credits: None,
            study_from: date!(2026 - 01 - 10),
            study_to: date!(2026 - 03 - 20),
            number: "IT-2026-0017",
            issued_on: date!(2026 - 03 - 25),
            outcomes: vec!["writes programs", " ", "tests them"],
        }
    }

    #[test]
    fn certificate_details() {
        let today = date!(2026 - 11 - 25);
        let c = Certificate::parse(&input(), today);
        assert_eq!(c.as_ref().map(|c| c.outcomes.len()), Ok(2));
        assert_eq!(
            c.map(|c| c.reuse_key()),
            Ok("940140000385|it-2026-0017".to_owned())
        );
        let e = Certificate::parse(
            &CertificateInput {
                provider_name: " ",
                ..input()
            },
            today,
        );
        assert_eq!(e.err().and_then(|e| e.rule()), Some(3));
        let e = Certificate::parse(
            &CertificateInput {
                provider_bin: Some("940140000386"),
                ..input()
            },
            today,
        );
        assert_eq!(
            e.err(),
            Some(DomainError::IdNumberCheckDigit {
                field: "provider_bin"
            })
        );
        let e = Certificate::parse(
            &CertificateInput {
                hours: Some(0),
                ..input()
            },
            today,
        );
        assert_eq!(e.err(), Some(DomainError::VolumeRequired));
        let e = Certificate::parse(
            &CertificateInput {
                issued_on: date!(2027 - 01 - 01),
                ..input()
            },
            today,
        );
        assert_eq!(e.err(), Some(DomainError::IssueDateImplausible));
        let e = Certificate::parse(
            &CertificateInput {
                outcomes: vec![""],
                ..input()
            },
            today,
        );
        assert_eq!(e.err(), Some(DomainError::OutcomesRequired));
        let e = Certificate::parse(
            &CertificateInput {
                kind: "diploma",
                ..input()
            },
            today,
        );
        assert_eq!(
            e.err().map(|e| e.code()),
            Some("rule-5-not-confirming-document")
        );
    }

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(
            FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(FileType::Png)
        );
        assert_eq!(FileType::sniff(b"MZ\x90\x00 executable"), None);
        assert_eq!(FileType::sniff(b""), None);
        assert!(FileType::Pdf.looks_complete(b"...\n%%EOF\n"));
        assert!(!FileType::Pdf.looks_complete(b"...stream data cut"));
    }

    #[test]
    fn rule_11_checklist() {
        let item = |kind, ok| CheckItem {
            kind,
            present: ok,
            legible: ok,
            matches_candidate: ok,
        };
        let all_ok: Vec<CheckItem> = DocumentKind::ALL.iter().map(|k| item(*k, true)).collect();
        assert_eq!(completeness(&all_ok, None), Ok((true, vec![])));
        let mut one_bad = all_ok.clone();
        one_bad[1].legible = false;
        assert_eq!(
            completeness(&one_bad, None),
            Err(DomainError::Rule11ReasonRequired)
        );
        assert_eq!(
            completeness(&one_bad, Some("blurred scan")),
            Ok((false, vec![DocumentKind::Identity]))
        );
        assert_eq!(
            completeness(&all_ok[..2], None),
            Err(DomainError::Rule11ChecklistIncomplete)
        );
        assert_eq!(application_number(2026, 42), "2026-0042");
    }
}

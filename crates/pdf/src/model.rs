//! What a protocol and an extract say, as plain data. The services fill these from the
//! recorded meeting; the templates (`templates/*.typ`) lay them out. Words that depend on
//! the language (offices, choices, levels, headings) are chosen by the template from the
//! codes given here, so the whole wording of the document lives in one readable place.
//! Dates and times arrive already formatted for the document's language.

use serde::{Deserialize, Serialize};

/// The language a document is written in: `kk`, `ru` or `en`.
pub type Lang = String;

/// How a finished document can be checked: printed at the foot of every page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verification {
    /// Short code, e.g. `TQ7K-29XM`.
    pub code: String,
    /// The public page that checks it, e.g. `https://tanu.example.kz/verify/TQ7K-29XM`.
    pub url: String,
}

/// A member of the commission on the meeting's date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    /// Full name.
    pub name: String,
    /// Position and home organisation, as recorded.
    pub position: String,
    /// `chair`, `deputy` or none.
    pub office: Option<String>,
    /// Whether the member is a teacher (rule 7).
    pub teacher: bool,
    /// Whether present at the meeting.
    pub present: bool,
}

/// A document of rule 10 and how the completeness check found it (rule 11).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// `statement`, `identity` or `confirming`.
    pub kind: String,
    /// The file's name as uploaded (or "typed statement").
    pub file_name: String,
}

/// The confirming document (rule 3, 5).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Certificate {
    /// `certificate` or `attestation`.
    pub kind: String,
    /// The non-formal education provider.
    pub provider: String,
    /// Provider's BIN when Kazakh.
    pub provider_bin: Option<String>,
    /// Title of the course.
    pub programme: String,
    /// Volume, e.g. "72 hours" is given as hours 72.
    pub hours: Option<u32>,
    /// Number of the document.
    pub number: String,
    /// Issue date, formatted.
    pub issued_on: String,
}

/// The assessment of one claimed learning outcome (rule 12).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assessment {
    /// The outcome.
    pub outcome: String,
    /// `not-shown`, `partly` or `fully`.
    pub level: String,
    /// Comment.
    pub comment: String,
}

/// A conflict of interest declared for an item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recusal {
    /// Member.
    pub name: String,
    /// Reason.
    pub reason: String,
}

/// One vote by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vote {
    /// Member.
    pub name: String,
    /// `recognise`, `refuse`, `abstain`, or `none` (taking part, did not vote).
    pub choice: String,
}

/// The count of a vote (rule 14).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tally {
    /// Members taking part (present, not recused).
    pub taking_part: usize,
    /// For recognition.
    pub recognise: usize,
    /// For refusal.
    pub refuse: usize,
    /// Abstained.
    pub abstain: usize,
    /// Taking part but did not vote (counts against).
    pub missing: usize,
    /// More than half of those taking part.
    pub needed: usize,
    /// `recognise`, `refuse`, or none: nothing adopted.
    pub adopted: Option<String>,
}

/// One discipline or module against which outcomes are recognised (rule 13).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecognisedUnit {
    /// Programme code and title.
    pub programme: String,
    /// Unit code.
    pub code: String,
    /// Unit title.
    pub title: String,
    /// Credits recognised.
    pub credits: u32,
    /// Of the unit's credits.
    pub of_credits: u32,
    /// Outcomes recognised against it.
    pub outcomes: Vec<String>,
}

/// An agenda item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    /// Position on the agenda, from 1.
    pub position: usize,
    /// Application number, e.g. `2026-0007`.
    pub application_number: String,
    /// Candidate's full name.
    pub candidate: String,
    /// Whether the candidate came to the interview.
    pub candidate_present: Option<bool>,
    /// The candidate's statement (free form, may be long).
    pub statement: String,
    /// Documents submitted (rule 10).
    pub documents: Vec<Document>,
    /// When the completeness check found them complete (rule 11), formatted, and by whom.
    pub checked: String,
    /// The confirming document.
    pub certificate: Option<Certificate>,
    /// Outcomes the candidate claims.
    pub claimed_outcomes: Vec<String>,
    /// Interview summary (rule 12).
    pub interview_notes: String,
    /// Assessment per claimed outcome.
    pub assessments: Vec<Assessment>,
    /// Conflicts of interest.
    pub recusals: Vec<Recusal>,
    /// Votes by name.
    pub votes: Vec<Vote>,
    /// The tally, when a vote was held.
    pub tally: Option<Tally>,
    /// `recognised`, `refused`, `not-adopted` (back on the agenda), `moved` (candidate
    /// absent, item moved) or `pending` (not reached).
    pub result: String,
    /// Reasons of a refusal.
    pub reasons: Option<String>,
    /// What was recognised.
    pub recognised: Vec<RecognisedUnit>,
    /// Total credits recognised.
    pub credits_total: u32,
}

/// A signature line: who approves, and when they did so in the system.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signature {
    /// `chair`, `deputy` (presiding in the chair's absence) or `secretary`.
    pub role: String,
    /// Name.
    pub name: String,
    /// When approved in the system, formatted; none while awaiting.
    pub approved_at: Option<String>,
}

/// The protocol of a meeting (rule 9).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Protocol {
    /// Language.
    pub lang: Lang,
    /// `№ 7/2026` once final; none for a draft.
    pub number: Option<String>,
    /// A draft carries a watermark and no verification.
    pub draft: bool,
    /// For an addendum: the protocol corrected, e.g. "№ 6/2026, 12.11.2026".
    pub addendum_to: Option<String>,
    /// The correction an addendum makes.
    pub addendum_text: String,
    /// Organisation's name in the document's language.
    pub organisation: String,
    /// Organisation's BIN.
    pub organisation_bin: String,
    /// Commission's name.
    pub commission: String,
    /// Commission's term, formatted ("01.09.2026 – 31.08.2027").
    pub commission_term: String,
    /// The date the meeting was opened, formatted.
    pub date: String,
    /// The time it was opened, `HH:MM`.
    pub time: String,
    /// The time it was closed, `HH:MM` (with its date when another day); empty in
    /// protocols frozen before it was recorded.
    #[serde(default)]
    pub time_closed: String,
    /// Place or link.
    pub place: String,
    /// Rule set applied: code and name.
    pub rule_set: String,
    /// Composition on the date.
    pub members: Vec<Member>,
    /// Members present.
    pub present: usize,
    /// Quorum required (members).
    pub quorum: usize,
    /// Whether the quorum was met.
    pub quorum_met: bool,
    /// Presiding officer's name.
    pub presiding: String,
    /// Whether the deputy presided because the chair was absent (rule 8).
    pub presiding_as_deputy: bool,
    /// Secretary's name.
    pub secretary: String,
    /// Free text before the agenda (rule 9 leaves the form free).
    pub opening_text: String,
    /// Free text after the items.
    pub closing_text: String,
    /// The agenda.
    pub items: Vec<Item>,
    /// Signature lines.
    pub signatures: Vec<Signature>,
    /// How to verify, for a final protocol.
    pub verification: Option<Verification>,
    /// When the document was produced, formatted.
    pub generated_at: String,
}

/// An extract of the decision on one application (выписка).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extract {
    /// Language.
    pub lang: Lang,
    /// Organisation.
    pub organisation: String,
    /// Organisation's BIN.
    pub organisation_bin: String,
    /// Commission.
    pub commission: String,
    /// Protocol number, e.g. `№ 7/2026`.
    pub protocol_number: String,
    /// Meeting date, formatted.
    pub date: String,
    /// Rule set applied.
    pub rule_set: String,
    /// The item (candidate, result, tally, units).
    pub item: Item,
    /// Signature lines as on the protocol.
    pub signatures: Vec<Signature>,
    /// How to verify.
    pub verification: Verification,
    /// When produced, formatted.
    pub generated_at: String,
}

//! Educational organisations and who among them may recognise learning outcomes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::person::name_text;

/// The level of education an organisation provides. Only some kinds recognise
/// learning outcomes (rule 4); the others exist so that a refusal can name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// Technical and vocational education (колледж).
    TechnicalVocational,
    /// Post-secondary education.
    PostSecondary,
    /// Higher education (университет, институт, академия).
    Higher,
    /// Postgraduate education.
    Postgraduate,
    /// General secondary education (school): not a recognising organisation.
    GeneralSecondary,
    /// Pre-school education: not a recognising organisation.
    Preschool,
    /// Additional or non-formal education provider: it issues the certificates, it does
    /// not recognise them.
    AdditionalEducation,
}

impl OrgKind {
    /// Every kind, the eligible ones first.
    pub const ALL: [OrgKind; 7] = [
        OrgKind::TechnicalVocational,
        OrgKind::PostSecondary,
        OrgKind::Higher,
        OrgKind::Postgraduate,
        OrgKind::GeneralSecondary,
        OrgKind::Preschool,
        OrgKind::AdditionalEducation,
    ];

    /// The stable code stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TechnicalVocational => "technical-vocational",
            Self::PostSecondary => "post-secondary",
            Self::Higher => "higher",
            Self::Postgraduate => "postgraduate",
            Self::GeneralSecondary => "general-secondary",
            Self::Preschool => "preschool",
            Self::AdditionalEducation => "additional-education",
        }
    }

    /// Rule 4: organisations of technical and vocational, post-secondary, higher and
    /// (or) postgraduate education recognise learning outcomes.
    pub fn may_recognise(self) -> bool {
        matches!(
            self,
            Self::TechnicalVocational | Self::PostSecondary | Self::Higher | Self::Postgraduate
        )
    }

    /// Rule 4: refuses a kind that cannot be a recognising organisation.
    pub fn require_eligible(self) -> Result<Self, DomainError> {
        if self.may_recognise() {
            Ok(self)
        } else {
            Err(DomainError::OrganisationNotEligible {
                kind: self.as_str().to_owned(),
            })
        }
    }
}

impl FromStr for OrgKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                field: "kind",
                value: s.chars().take(64).collect(),
            })
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An organisation's official names: Kazakh and Russian required, English optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgNames {
    /// Name in Kazakh.
    pub kk: String,
    /// Name in Russian.
    pub ru: String,
    /// Name in English, when the organisation has one.
    pub en: Option<String>,
}

impl OrgNames {
    /// Longest accepted name.
    pub const MAX: usize = 300;

    /// Trims and checks lengths; refuses invisible characters.
    pub fn parse(kk: &str, ru: &str, en: Option<&str>) -> Result<Self, DomainError> {
        Ok(Self {
            kk: name_text(kk, "name_kk", Self::MAX)?,
            ru: name_text(ru, "name_ru", Self::MAX)?,
            en: en
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| name_text(s, "name_en", Self::MAX))
                .transpose()?,
        })
    }

    /// The name to show in a locale: English falls back to Russian.
    pub fn in_locale(&self, locale: crate::Locale) -> &str {
        match locale {
            crate::Locale::Kk => &self.kk,
            crate::Locale::Ru => &self.ru,
            crate::Locale::En => self.en.as_deref().unwrap_or(&self.ru),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_4_only_vocational_post_secondary_higher_postgraduate_recognise() {
        for kind in OrgKind::ALL {
            let eligible = kind.require_eligible().is_ok();
            assert_eq!(
                eligible,
                matches!(
                    kind,
                    OrgKind::TechnicalVocational
                        | OrgKind::PostSecondary
                        | OrgKind::Higher
                        | OrgKind::Postgraduate
                ),
                "{kind}"
            );
        }
        let refusal = OrgKind::GeneralSecondary.require_eligible();
        assert_eq!(refusal.as_ref().err().and_then(DomainError::rule), Some(4));
        assert_eq!(
            refusal.err().map(|e| e.code()),
            Some("rule-4-organisation-not-eligible")
        );
    }

    #[test]
    fn kinds_round_trip() {
        for kind in OrgKind::ALL {
            assert_eq!(kind.as_str().parse::<OrgKind>(), Ok(kind));
        }
        assert!("university".parse::<OrgKind>().is_err());
    }

    #[test]
    fn organisation_names_refuse_invisible_characters() {
        for (kk, ru, en, field) in [
            ("Колледж\u{202E}", "Колледж", None, "name_kk"),
            ("Колледж", "\u{200B}Колледж", None, "name_ru"),
            ("Колледж", "Колледж", Some("College\u{FEFF}"), "name_en"),
        ] {
            assert_eq!(
                OrgNames::parse(kk, ru, en)
                    .err()
                    .map(|e| (e.code(), e.field())),
                Some(("invisible-character", Some(field)))
            );
        }
    }

    #[test]
    fn names_need_kazakh_and_russian() {
        assert!(OrgNames::parse("Колледж", "Колледж", None).is_ok());
        assert!(OrgNames::parse("  ", "Колледж", None).is_err());
        assert_eq!(
            OrgNames::parse("А", "Б", Some("  ")).map(|n| n.en),
            Ok(None)
        );
    }
}

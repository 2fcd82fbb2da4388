//! The three languages Tanu speaks, and choosing one from what a browser asks for.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A user-interface and document language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Kazakh, the default.
    #[default]
    Kk,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl Locale {
    /// Every locale, the default first.
    pub const ALL: [Locale; 3] = [Locale::Kk, Locale::Ru, Locale::En];

    /// The BCP 47 tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kk => "kk",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::Kk => "Қазақша",
            Self::Ru => "Русский",
            Self::En => "English",
        }
    }

    /// Parses a tag such as `ru`, `ru-RU` or `kk_KZ`; unknown languages give `None`.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "kk" | "kz" => Some(Self::Kk),
            "ru" => Some(Self::Ru),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks the best locale from an `Accept-Language` header by its q-values;
    /// `None` when nothing in it is spoken here.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(Self, u16)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), |q| {
                    q.trim()
                        .parse::<f32>()
                        .ok()
                        .map(|v| (v.clamp(0.0, 1.0) * 1000.0) as u16)
                });
            let (Some(locale), Some(q)) = (Self::parse(tag), q) else {
                continue;
            };
            if q > 0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((locale, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(
            Locale::negotiate("ru-RU,ru;q=0.9,en;q=0.8"),
            Some(Locale::Ru)
        );
        assert_eq!(Locale::negotiate("en;q=0.5, kk-KZ;q=0.9"), Some(Locale::Kk));
        assert_eq!(Locale::negotiate("de-DE,fr;q=0.9"), None);
        assert_eq!(Locale::negotiate("ru;q=0, en"), Some(Locale::En));
        assert_eq!(Locale::negotiate(""), None);
        assert_eq!(Locale::negotiate("ru;q=abc"), None);
    }
}

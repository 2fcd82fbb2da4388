//! Tanu's words: the Fluent files per locale (`locales/{kk,ru,en}/*.ftl`: `main` for the
//! pages, `reports` for the reports, `notices` for the e-mail and inbox notices), embedded
//! in the binary, and the translator that reads them. A test fails when a key is missing
//! in any locale. Both the services (notices, in the recipient's language) and the web
//! layer (pages, errors) use it, so it depends on nothing but the domain's `Locale`.
//! Dates and numbers are formatted in Rust, not by Fluent.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use tanu_domain::Locale;
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "kk",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn langid(locale: Locale) -> LanguageIdentifier {
    match locale {
        Locale::Kk => unic_langid::langid!("kk"),
        Locale::Ru => unic_langid::langid!("ru"),
        Locale::En => unic_langid::langid!("en"),
    }
}

/// The message ids defined in one locale's files.
fn own_keys(locale: Locale) -> &'static HashSet<String> {
    static KEYS: OnceLock<[HashSet<String>; 3]> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        [
            concat!(
                include_str!("../locales/kk/main.ftl"),
                "\n",
                include_str!("../locales/kk/reports.ftl"),
                "\n",
                include_str!("../locales/kk/notices.ftl")
            ),
            concat!(
                include_str!("../locales/ru/main.ftl"),
                "\n",
                include_str!("../locales/ru/reports.ftl"),
                "\n",
                include_str!("../locales/ru/notices.ftl")
            ),
            concat!(
                include_str!("../locales/en/main.ftl"),
                "\n",
                include_str!("../locales/en/reports.ftl"),
                "\n",
                include_str!("../locales/en/notices.ftl")
            ),
        ]
        .map(|text| message_ids(text).collect())
    });
    match locale {
        Locale::Kk => &keys[0],
        Locale::Ru => &keys[1],
        Locale::En => &keys[2],
    }
}

/// The ids of the messages of a Fluent file (one message per line, as ours are).
fn message_ids(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
}

/// Translator for one locale.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    /// The locale in use.
    pub locale: Locale,
}

impl I18n {
    /// Translator for `locale`.
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }

    /// The message `key`; the key itself when missing (a test prevents that).
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&langid(self.locale), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message `key` with named arguments.
    pub fn t_args(&self, key: &str, args: &[(&str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(&langid(self.locale), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    /// Whether a key exists in this locale's own files (no fallback to Kazakh).
    pub fn has(&self, key: &str) -> bool {
        own_keys(self.locale).contains(key)
    }

    /// A date as the locale writes it: 25.11.2026 for kk and ru, 25 Nov 2026 for en.
    pub fn date(&self, d: time::Date) -> String {
        match self.locale {
            Locale::Kk | Locale::Ru => {
                format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
            }
            Locale::En => {
                let m = &format!("{:?}", d.month())[..3];
                format!("{} {m} {}", d.day(), d.year())
            }
        }
    }

    /// A timestamp in the locale's style, in Kazakhstan time.
    pub fn datetime(&self, t: time::OffsetDateTime) -> String {
        let local = tanu_domain::dates::local_time(t);
        format!(
            "{} {:02}:{:02}",
            self.date(local.date()),
            local.hour(),
            local.minute()
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The Fluent files of every locale (the loader reads every `.ftl` of the folder).
    const FILES: [&str; 3] = ["main", "reports", "notices"];

    fn keys(locale: &str) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for file in FILES {
            let path = format!("{}/locales/{locale}/{file}.ftl", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(!text.is_empty(), "{path} is missing or empty");
            ids.extend(message_ids(&text));
        }
        ids
    }

    #[test]
    fn every_key_is_translated_in_every_locale() {
        let all: BTreeSet<String> = ["kk", "ru", "en"].iter().flat_map(|l| keys(l)).collect();
        for locale in Locale::ALL {
            let own = keys(locale.as_str());
            let missing: Vec<&String> = all.iter().filter(|k| !own.contains(*k)).collect();
            assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        }
    }

    /// The folder holds exactly the files the tests and `has` read: a file added to the
    /// loader's folder but not to [`FILES`] would escape the missing-key test.
    #[test]
    fn every_file_is_checked() {
        for locale in Locale::ALL {
            let dir = format!("{}/locales/{}", env!("CARGO_MANIFEST_DIR"), locale.as_str());
            let mut found: Vec<String> = std::fs::read_dir(&dir)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            let mut expected: Vec<String> = FILES.iter().map(|f| format!("{f}.ftl")).collect();
            expected.sort();
            assert_eq!(found, expected, "{dir}");
        }
    }

    /// Every message parses and formats with the variables it names (a message Fluent
    /// could not parse is silently absent from the bundle).
    #[test]
    fn every_message_formats() {
        for (locale, file) in Locale::ALL
            .iter()
            .flat_map(|l| FILES.iter().map(move |f| (*l, *f)))
        {
            let path = format!(
                "{}/locales/{}/{file}.ftl",
                env!("CARGO_MANIFEST_DIR"),
                locale.as_str()
            );
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for line in text
                .lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            {
                let Some((key, value)) = line.split_once(" = ") else {
                    panic!("{locale}: not a message: {line}")
                };
                let args: HashMap<String, FluentValue<'_>> = value
                    .split("{ $")
                    .skip(1)
                    .filter_map(|rest| {
                        rest.split_once(' ')
                            .map(|(name, _)| (name.to_owned(), FluentValue::from("1")))
                    })
                    .collect();
                let formatted =
                    LOCALES.lookup_single_language(&langid(locale), key.trim(), Some(&args));
                assert!(
                    formatted.is_ok(),
                    "{locale}: {key} does not format: {formatted:?}"
                );
            }
        }
    }

    #[test]
    fn dates_per_locale() {
        let d = time::macros::date!(2026 - 11 - 05);
        assert_eq!(I18n::new(Locale::Kk).date(d), "05.11.2026");
        assert_eq!(I18n::new(Locale::En).date(d), "5 Nov 2026");
    }
}

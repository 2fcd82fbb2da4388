//! Translations: the translator and the Fluent files live in `tanu-i18n`, shared with the
//! services' notices. What is checked here is what only the web layer knows: that every
//! code a response can carry has its message.

pub use tanu_i18n::I18n;

#[cfg(test)]
mod tests {
    use tanu_domain::Locale;

    use super::*;

    /// Every code a response can carry has its message, and every code a message
    /// shows as a label (actions, rule-set problems) has its label – in every locale's
    /// own file. The codes come from their definitions, not from a copy.
    #[test]
    fn every_error_code_has_a_message() {
        let keys: Vec<String> = crate::error::WebError::all_codes()
            .map(|c| format!("err-{c}"))
            .chain(
                tanu_domain::Action::ALL
                    .iter()
                    .map(|a| format!("action-{a}")),
            )
            .chain(
                tanu_domain::ParamProblem::ALL
                    .iter()
                    .map(|p| format!("param-problem-{p}")),
            )
            .collect();
        for locale in Locale::ALL {
            for key in &keys {
                assert!(I18n::new(locale).has(key), "{locale}: {key}");
            }
        }
    }
}

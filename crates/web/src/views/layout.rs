//! What every page shares: the request's translator, the actor, the CSRF token, the
//! language switcher; and the state of a form being filled in.

use std::collections::HashMap;

use tanu_app::Actor;
use tanu_domain::Locale;

use crate::context::RequestCtx;
use crate::error::WebError;
use crate::i18n::I18n;

/// A link of the language switcher.
#[derive(Debug, Clone)]
pub struct LangLink {
    /// Language code.
    pub code: &'static str,
    /// Native name.
    pub name: &'static str,
    /// Where the link goes.
    pub href: String,
    /// Whether it is the current language.
    pub current: bool,
}

/// The shared context of a page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Translator.
    pub i18n: I18n,
    /// Logged-in person.
    pub actor: Option<Actor>,
    /// CSRF token for forms.
    pub csrf: String,
    /// Current path and query.
    pub path: String,
    /// Unread notifications.
    pub unread: i64,
    /// The time of the request.
    pub now: time::OffsetDateTime,
}

impl Page {
    /// From the request context.
    pub fn from_ctx(rctx: &RequestCtx) -> Self {
        Self {
            i18n: rctx.i18n(),
            actor: rctx.actor.clone(),
            csrf: rctx.csrf.clone(),
            path: rctx.path.clone(),
            unread: rctx.unread,
            now: rctx.now,
        }
    }

    /// Translated message.
    pub fn t(&self, key: &str) -> String {
        self.i18n.t(key)
    }

    /// Translated message with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.i18n.t_args(key, &[(name, value.to_owned())])
    }

    /// Why something cannot be done (a refusal listed on a page), translated.
    pub fn reason(&self, r: &tanu_app::commissions::Reason) -> String {
        crate::error::message(
            &self.i18n,
            &r.code,
            r.args
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect(),
        )
    }

    /// An organisation's name in the page's language.
    pub fn org_name<'a>(&self, names: &'a tanu_domain::OrgNames) -> &'a str {
        names.in_locale(self.i18n.locale)
    }

    /// Whether a deadline's last day has passed (Kazakhstan time).
    pub fn overdue(&self, due: &tanu_app::applications::Due) -> bool {
        due.overdue(self.now)
    }

    /// The page language code.
    pub fn lang(&self) -> &'static str {
        self.i18n.locale.as_str()
    }

    /// The language switcher's links, each returning to this page.
    pub fn lang_links(&self) -> Vec<LangLink> {
        let next: String = url::form_urlencoded::byte_serialize(self.path.as_bytes()).collect();
        Locale::ALL
            .iter()
            .map(|l| LangLink {
                code: l.as_str(),
                name: l.native_name(),
                href: format!("/lang/{}?next={next}", l.as_str()),
                current: *l == self.i18n.locale,
            })
            .collect()
    }

    /// Whether the actor is the platform operator.
    pub fn is_operator(&self) -> bool {
        self.actor.as_ref().is_some_and(|a| a.is_operator)
    }

    /// Whether the actor is a registered candidate.
    pub fn is_candidate(&self) -> bool {
        self.actor.as_ref().is_some_and(|a| a.is_candidate)
    }

    /// Whether someone is logged in.
    pub fn logged_in(&self) -> bool {
        self.actor.is_some()
    }

    /// The actor's name.
    pub fn actor_name(&self) -> String {
        self.actor
            .as_ref()
            .map(|a| a.full_name.clone())
            .unwrap_or_default()
    }

    /// A date in the page's locale.
    pub fn date(&self, d: &time::Date) -> String {
        self.i18n.date(*d)
    }

    /// A timestamp in the page's locale.
    pub fn datetime(&self, t: &time::OffsetDateTime) -> String {
        self.i18n.datetime(*t)
    }

    /// An optional timestamp; a dash when absent.
    pub fn maybe_datetime(&self, t: &Option<time::OffsetDateTime>) -> String {
        t.map_or_else(|| "—".to_owned(), |t| self.i18n.datetime(t))
    }
}

/// Values typed into a form and the errors to show beside them.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    /// The error summary shown above the form.
    pub summary: Option<String>,
    /// The stable code of the refusal (as in the API's problem documents), for
    /// support and for scripts reading the page.
    pub code: Option<&'static str>,
}

impl FormState {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a value.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }

    /// The value of a field (empty when none).
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// Whether a checkbox-like value is set.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.v(name), "on" | "true" | "1")
    }

    /// The error of a field.
    pub fn e(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// Whether the field has an error, as the `aria-invalid` value.
    pub fn invalid(&self, name: &str) -> &'static str {
        if self.errors.contains_key(name) {
            "true"
        } else {
            "false"
        }
    }

    /// Records an error: beside its field when it has one, and in the summary.
    pub fn fail(mut self, err: &WebError, i18n: &I18n) -> Self {
        let message = err.message(i18n);
        if let Some(field) = err.field() {
            self.errors.insert(field.to_owned(), message.clone());
        }
        self.summary = Some(message);
        self.code = Some(err.code());
        self
    }
}

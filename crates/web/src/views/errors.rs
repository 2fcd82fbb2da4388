//! The error page.

use askama::Template;

use super::layout::Page;
use crate::error::WebError;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: &'a Page,
    status: u16,
    message: String,
    code: &'static str,
}

/// Renders the error page for `err`.
pub fn render(page: &Page, err: &WebError) -> String {
    let t = ErrorPage {
        page,
        status: err.status().as_u16(),
        message: err.message(&page.i18n),
        code: err.code(),
    };
    t.render()
        .unwrap_or_else(|_| format!("{} {}", t.status, t.code))
}

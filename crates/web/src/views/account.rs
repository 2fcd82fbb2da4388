//! The person's own account: e-mail verification, password change and reset, sessions,
//! and claiming a walk-in case with its code.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use tanu_app::{accounts, applications};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::{self, RequestCtx};
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/verify-email", post(resend_verification))
        .route("/account/data", post(my_data))
        .route("/account/delete", post(delete_account))
        .route("/account/deleted", get(deleted_page))
        .route(
            "/account/sessions/sign-out-elsewhere",
            post(sign_out_elsewhere),
        )
        .route("/verify-email/{token}", get(verify_page).post(verify))
        .route(
            "/password-reset",
            get(reset_request_page).post(reset_request),
        )
        .route("/password-reset/{token}", get(reset_page).post(reset))
        .route("/claim", get(claim_page).post(claim))
}

/// One input of a simple form.
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    pub(crate) kind: &'static str,
    pub(crate) autocomplete: &'static str,
}

/// A page with a title, a few paragraphs, optionally a code to show, a one-button form
/// and links: the shape of every step of these flows.
#[derive(Template)]
#[template(path = "notice.html")]
pub(crate) struct Notice {
    pub(crate) page: Page,
    pub(crate) title: String,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) code: Option<String>,
    pub(crate) form: FormState,
    pub(crate) fields: Vec<Field>,
    pub(crate) button: String,
    pub(crate) links: Vec<(String, String)>,
}

impl Notice {
    pub(crate) fn new(rctx: &RequestCtx, title: &str) -> Self {
        let page = Page::from_ctx(rctx);
        Self {
            title: page.t(title),
            page,
            paragraphs: Vec::new(),
            code: None,
            form: FormState::new(),
            fields: Vec::new(),
            button: String::new(),
            links: Vec::new(),
        }
    }

    fn say(self, key: &str) -> Self {
        self.say_key(key)
    }

    pub(crate) fn say_key(mut self, key: &str) -> Self {
        self.paragraphs.push(self.page.t(key));
        self
    }

    pub(crate) fn say_owned(mut self, text: String) -> Self {
        self.paragraphs.push(text);
        self
    }

    fn field(mut self, name: &'static str, kind: &'static str, autocomplete: &'static str) -> Self {
        self.fields.push(Field {
            name,
            label: self.page.t(&format!("field-{name}")),
            kind,
            autocomplete,
        });
        self
    }

    fn button(mut self, key: &str) -> Self {
        self.button = self.page.t(key);
        self
    }

    fn link(mut self, href: &str, key: &str) -> Self {
        self.links.push((href.to_owned(), self.page.t(key)));
        self
    }

    fn with_form(mut self, form: FormState) -> Self {
        self.form = form;
        self
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    verified: bool,
    done: Option<String>,
    form: FormState,
    /// Started, address, browser, this one.
    sessions: Vec<(String, String, String, bool)>,
    /// Why deleting the account was refused (the message and its stable code), shown
    /// beside its form.
    delete_error: Option<(String, &'static str)>,
}

async fn account_view(
    state: &AppState,
    rctx: &RequestCtx,
    jar: &CookieJar,
    done: Option<&str>,
    form: FormState,
) -> Result<AccountPage, WebError> {
    let actor = rctx.actor()?;
    let page = Page::from_ctx(rctx);
    let current = jar
        .get(context::SESSION_COOKIE)
        .map(|c| c.value().to_owned());
    let sessions = accounts::sessions_of(&state.ctx, actor, current.as_deref(), rctx.now)
        .await?
        .into_iter()
        .map(|s| {
            (
                page.datetime(&s.created_at),
                s.ip.unwrap_or_default(),
                s.user_agent.unwrap_or_default(),
                s.current,
            )
        })
        .collect();
    Ok(AccountPage {
        verified: actor.email_verified,
        done: done.map(|k| page.t(k)),
        page,
        form,
        sessions,
        delete_error: None,
    })
}

async fn account_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    jar: CookieJar,
) -> Result<Response, WebError> {
    html(&account_view(&state, &rctx, &jar, None, FormState::new()).await?)
}

#[derive(Debug, Deserialize)]
struct ChangePasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    rctx: RequestCtx,
    jar: CookieJar,
    Form(f): Form<ChangePasswordForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let current = jar
        .get(context::SESSION_COOKIE)
        .map(|c| c.value().to_owned());
    match accounts::change_password(
        &state.ctx,
        actor,
        &f.current_password,
        &f.new_password,
        current.as_deref(),
        &rctx.ip,
        rctx.now,
    )
    .await
    {
        Ok(()) => html(
            &account_view(
                &state,
                &rctx,
                &jar,
                Some("account-password-changed"),
                FormState::new(),
            )
            .await?,
        ),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new().fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &account_view(&state, &rctx, &jar, None, form).await?,
            )
        }
    }
}

async fn resend_verification(
    State(state): State<AppState>,
    rctx: RequestCtx,
    jar: CookieJar,
) -> Result<Response, WebError> {
    accounts::resend_verification(&state.ctx, rctx.actor()?, rctx.now).await?;
    html(
        &account_view(
            &state,
            &rctx,
            &jar,
            Some("account-verification-sent"),
            FormState::new(),
        )
        .await?,
    )
}

/// The person's copy of their data (a form's POST, so that no prefetch or link preview
/// takes one of the hour's three).
async fn my_data(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    let export = tanu_app::own_data::export(&state.ctx, rctx.actor()?, None, rctx.now).await?;
    Ok(super::archive_response(&state, export))
}

#[derive(Debug, Deserialize)]
struct DeleteAccountForm {
    #[serde(default)]
    password: String,
}

/// The person deletes their account (docs/privacy.md); their sessions end with it, so
/// the browser's cookie is cleared and a page that needs no account says what happened.
async fn delete_account(
    State(state): State<AppState>,
    rctx: RequestCtx,
    jar: CookieJar,
    Form(f): Form<DeleteAccountForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    match tanu_app::erasure::delete_own_account(&state.ctx, actor, &f.password, &rctx.ip, rctx.now)
        .await
    {
        Ok(_) => {
            let mut r = Redirect::to("/account/deleted").into_response();
            let secure = state.settings.secure_cookies;
            if let Some(v) = context::set_cookie_header(&context::clear_session_cookie(secure)) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        Err(e) => {
            let e = form_error(e.into())?;
            let mut page = account_view(&state, &rctx, &jar, None, FormState::new()).await?;
            page.delete_error = Some((e.message(&rctx.i18n()), e.code()));
            page_with_status(e.status(), &page)
        }
    }
}

async fn deleted_page(rctx: RequestCtx) -> Result<Response, WebError> {
    html(
        &Notice::new(&rctx, "account-deleted-title")
            .say("account-deleted-intro")
            .link("/", "nav-home"),
    )
}

async fn sign_out_elsewhere(
    State(state): State<AppState>,
    rctx: RequestCtx,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let current = jar
        .get(context::SESSION_COOKIE)
        .map(|c| c.value().to_owned());
    accounts::sign_out_elsewhere(&state.ctx, rctx.actor()?, current.as_deref(), rctx.now).await?;
    html(
        &account_view(
            &state,
            &rctx,
            &jar,
            Some("account-signed-out-elsewhere"),
            FormState::new(),
        )
        .await?,
    )
}

/// The link from the e-mail shows a button: confirming is a POST, so that a mail
/// scanner that opens links does not use it up.
async fn verify_page(rctx: RequestCtx, Path(_token): Path<String>) -> Result<Response, WebError> {
    html(
        &Notice::new(&rctx, "email-verify-title")
            .say("email-verify-intro")
            .button("email-verify-submit"),
    )
}

async fn verify(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    accounts::verify_email(&state.ctx, &token, rctx.now).await?;
    let next = if rctx.actor.is_some() { "/" } else { "/login" };
    html(
        &Notice::new(&rctx, "email-verify-title")
            .say("email-verify-done")
            .link(next, "email-verify-continue"),
    )
}

async fn reset_request_page(rctx: RequestCtx) -> Result<Response, WebError> {
    html(
        &Notice::new(&rctx, "reset-title")
            .say("reset-intro")
            .field("email", "email", "email")
            .button("reset-send"),
    )
}

#[derive(Debug, Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn reset_request(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Form(f): Form<EmailForm>,
) -> Result<Response, WebError> {
    match accounts::request_password_reset(&state.ctx, &f.email, &rctx.ip, rctx.now).await {
        Ok(()) => html(
            &Notice::new(&rctx, "reset-title")
                .say("reset-sent")
                .link("/login", "nav-login"),
        ),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new()
                .with("email", f.email)
                .fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &Notice::new(&rctx, "reset-title")
                    .say("reset-intro")
                    .field("email", "email", "email")
                    .button("reset-send")
                    .with_form(form),
            )
        }
    }
}

fn reset_form(rctx: &RequestCtx) -> Notice {
    Notice::new(rctx, "reset-title")
        .say("reset-choose")
        .field("password", "password", "new-password")
        .button("reset-submit")
}

async fn reset_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    accounts::reset_link_live(&state.ctx, &token, rctx.now).await?;
    html(&reset_form(&rctx))
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    match accounts::reset_password(&state.ctx, &token, &f.password, rctx.now).await {
        Ok(_) => {
            // Every session ended, this browser's too.
            let mut r = Redirect::to("/login").into_response();
            if let Some(v) = context::set_cookie_header(&context::clear_session_cookie(
                state.settings.secure_cookies,
            )) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new().fail(&e, &rctx.i18n());
            page_with_status(e.status(), &reset_form(&rctx).with_form(form))
        }
    }
}

fn claim_form(rctx: &RequestCtx) -> Notice {
    Notice::new(rctx, "claim-title")
        .say("claim-intro")
        .field("code", "text", "off")
        .button("claim-submit")
}

async fn claim_page(rctx: RequestCtx) -> Result<Response, WebError> {
    rctx.actor()?;
    html(&claim_form(&rctx))
}

#[derive(Debug, Deserialize)]
struct ClaimForm {
    #[serde(default)]
    code: String,
}

async fn claim(
    State(state): State<AppState>,
    rctx: RequestCtx,
    _headers: HeaderMap,
    Form(f): Form<ClaimForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    match applications::claim_walk_in(&state.ctx, actor, &f.code, rctx.now).await {
        Ok(ids) => {
            let to = ids.first().map_or_else(
                || "/applications".to_owned(),
                |id| format!("/applications/{id}"),
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new().with("code", f.code).fail(&e, &rctx.i18n());
            page_with_status(e.status(), &claim_form(&rctx).with_form(form))
        }
    }
}

//! Protocol pages (rule 9): the secretary prepares the protocol of a held meeting and
//! sends it for approval; the presiding officer and the secretary approve it; then it is
//! final, with its issued documents, addenda and history. Also the candidate's extract
//! and the public verification page of issued documents.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::protocols::{self, ProtocolRef, ProtocolView, TextsInput, Verdict};
use tanu_app::{AppError, OrgScope};
use tanu_domain::protocol::{IssuedKind, ProtocolKind, ProtocolStatus};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::pdf::pdf_response;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/meetings/{id}/protocol", post(start))
        .route("/orgs/{org}/protocols", get(list))
        .route("/orgs/{org}/protocols/{id}", get(show))
        .route("/orgs/{org}/protocols/{id}/pdf", get(pdf))
        .route("/orgs/{org}/protocols/{id}/{action}", post(action))
        .route("/applications/{id}/extract", get(extract))
        .route("/verify", get(verify_page))
        .route("/verify/{code}", get(verify_code))
        .route("/.well-known/tanu-signing-key", get(signing_key))
        .route("/.well-known/tanu-signing-key.pem", get(signing_key_pem))
}

fn scope(rctx: &RequestCtx, org: i64) -> Result<OrgScope, WebError> {
    Ok(rctx.actor()?.scope(org, Need::ReadOrg)?)
}

/// `?lang=`.
#[derive(Debug, Deserialize)]
struct LangQuery {
    #[serde(default)]
    lang: Option<String>,
}

impl LangQuery {
    fn or(&self, rctx: &RequestCtx) -> String {
        self.lang
            .clone()
            .unwrap_or_else(|| rctx.locale.as_str().to_owned())
    }
}

#[derive(Template)]
#[template(path = "protocol.html")]
struct ProtocolPage {
    page: Page,
    org_id: i64,
    view: ProtocolView,
    form: FormState,
}

impl ProtocolPage {
    fn title(&self) -> String {
        let base = if self.view.kind == ProtocolKind::Addendum {
            self.page.t("addendum-title")
        } else {
            self.page.t("protocol-title")
        };
        match &self.view.number {
            Some(n) => format!("{base} № {n}"),
            None => base,
        }
    }

    fn status_label(&self) -> String {
        self.page
            .t(&format!("protocol-status-{}", self.view.status))
    }

    fn text_value<'a>(&'a self, name: &str, stored: &'a str) -> &'a str {
        match self.form.v(name) {
            "" => stored,
            v => v,
        }
    }

    fn short(&self, sha: &str) -> String {
        sha.chars().take(16).collect()
    }
}

async fn protocol_page(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    id: i64,
    form: FormState,
) -> Result<ProtocolPage, WebError> {
    let scope = scope(rctx, org)?;
    Ok(ProtocolPage {
        page: Page::from_ctx(rctx),
        org_id: org,
        view: protocols::get(&state.ctx, &scope, id).await?,
        form,
    })
}

async fn show(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    html(&protocol_page(&state, &rctx, org, id, FormState::new()).await?)
}

async fn start(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let p = protocols::start(&state.ctx, &scope, id, rctx.now).await?;
    Ok(Redirect::to(&format!("/orgs/{org}/protocols/{}", p.id)).into_response())
}

type Fields = Vec<(String, String)>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

async fn action(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, action)): Path<(i64, i64, String)>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let ctx = &state.ctx;
    let result = match action.as_str() {
        "texts" => {
            let input = TextsInput {
                opening_text: field(&f, "opening_text").to_owned(),
                closing_text: field(&f, "closing_text").to_owned(),
                addendum_text: f
                    .iter()
                    .find(|(k, _)| k == "addendum_text")
                    .map(|(_, v)| v.clone()),
            };
            protocols::update(ctx, &scope, id, &input, rctx.now).await
        }
        "send" => protocols::send(ctx, &scope, id, rctx.now).await,
        "return" => protocols::reopen(ctx, &scope, id, rctx.now).await,
        "approve" => protocols::approve(ctx, &scope, id, rctx.now).await,
        "paper" => {
            protocols::record_paper_approval(ctx, &scope, id, field(&f, "role"), rctx.now).await
        }
        "addendum" => {
            protocols::add_addendum(ctx, &scope, id, field(&f, "addendum_text"), rctx.now).await
        }
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(v) => Ok(Redirect::to(&format!("/orgs/{org}/protocols/{}", v.id)).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let mut form = FormState::new().fail(&e, &rctx.i18n());
            for (k, v) in &f {
                if k != "csrf" {
                    form = form.with(k, v.clone());
                }
            }
            page_with_status(
                e.status(),
                &protocol_page(&state, &rctx, org, id, form).await?,
            )
        }
    }
}

async fn pdf(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    Ok(pdf_response(
        protocols::pdf(&state.ctx, &scope, id, &q.or(&rctx), rctx.now).await?,
    ))
}

async fn extract(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    Query(q): Query<LangQuery>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    Ok(pdf_response(
        protocols::extract(&state.ctx, actor, id, &q.or(&rctx), rctx.now).await?,
    ))
}

#[derive(Template)]
#[template(path = "protocols.html")]
struct ListPage {
    page: Page,
    org_id: i64,
    protocols: Vec<ProtocolRef>,
}

async fn list(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    html(&ListPage {
        page: Page::from_ctx(&rctx),
        org_id: org,
        protocols: protocols::finals(&state.ctx, &scope).await?,
    })
}

// ---------------------------------------------------------------------------------------
// Public verification

#[derive(Template)]
#[template(path = "verify.html")]
pub(crate) struct VerifyPage {
    page: Page,
    code: String,
    verdict: Option<Verdict>,
}

impl VerifyPage {
    fn verdict_label(&self) -> String {
        self.verdict
            .as_ref()
            .map(|v| self.page.t(&format!("verify-verdict-{}", v.verdict)))
            .unwrap_or_default()
    }

    fn verdict_text(&self) -> String {
        self.verdict
            .as_ref()
            .map(|v| self.page.t(&format!("verify-explain-{}", v.verdict)))
            .unwrap_or_default()
    }

    fn organisation(&self) -> String {
        self.verdict
            .as_ref()
            .and_then(|v| v.document.as_ref())
            .map(|d| {
                let n = &d.summary.organisation;
                match self.page.lang() {
                    "ru" => n.ru.clone(),
                    "en" => n.en.clone().unwrap_or_else(|| n.ru.clone()),
                    _ => n.kk.clone(),
                }
            })
            .unwrap_or_default()
    }

    fn result_label(&self, result: &str) -> String {
        self.page.t(&format!("verify-result-{result}"))
    }

    fn kind_label(&self) -> String {
        self.verdict
            .as_ref()
            .and_then(|v| v.document.as_ref())
            .map(|d| {
                if d.summary.kind == IssuedKind::Extract {
                    self.page.t("verify-kind-extract")
                } else if d.summary.addendum {
                    self.page.t("addendum-title")
                } else {
                    self.page.t("protocol-title")
                }
            })
            .unwrap_or_default()
    }

    pub(crate) fn new(rctx: &RequestCtx, code: String, verdict: Option<Verdict>) -> Self {
        Self {
            page: Page::from_ctx(rctx),
            code,
            verdict,
        }
    }
}

async fn verify_page(rctx: RequestCtx) -> Result<Response, WebError> {
    html(&VerifyPage::new(&rctx, String::new(), None))
}

async fn verify_code(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let verdict = protocols::verify(&state.ctx, Some(&code), None).await?;
    html(&VerifyPage::new(&rctx, code, Some(verdict)))
}

async fn signing_key(State(state): State<AppState>) -> Json<protocols::PublicKey> {
    Json(protocols::public_key(&state.ctx))
}

async fn signing_key_pem(State(state): State<AppState>) -> Response {
    let mut r = protocols::public_key(&state.ctx).pem.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-pem-file"),
    );
    r
}

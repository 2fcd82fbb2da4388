//! Application pages: the candidate's list, new application, the application itself
//! (details, documents, submit, withdraw, history), the secretary's queue, walk-in
//! registration and the completeness check.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::applications::{
    self, ApplicationInput, ApplicationLine, ApplicationView, CertificateFields, CheckInput,
    OwnCase, QueueQuery, WalkIn,
};
use tanu_app::catalogue::{self, Programme};
use tanu_app::organisations::{self, Organisation};
use tanu_domain::application::{CheckItem, DocumentKind, Status};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/applications", get(mine))
        .route("/applications/new", get(new_page).post(create))
        .route("/applications/{id}", get(show).post(update))
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/withdraw", post(withdraw))
        .route("/applications/{id}/delete", post(delete_draft))
        .route(
            "/applications/{id}/withdraw-consent",
            post(withdraw_consent),
        )
        .route("/applications/{id}/check", post(check))
        .route("/orgs/{org}/applications", get(queue))
        .route(
            "/orgs/{org}/applications/new",
            get(walk_in_page).post(walk_in),
        )
}

/// The application form's fields, shared by the candidate's and the secretary's forms.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApplicationForm {
    #[serde(default)]
    org_id: Option<i64>,
    #[serde(default)]
    statement: String,
    #[serde(default)]
    programme_id: String,
    #[serde(default)]
    unit_ids: Vec<i64>,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    cert_kind: String,
    #[serde(default)]
    provider_name: String,
    #[serde(default)]
    provider_bin: String,
    #[serde(default)]
    programme_title: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    credits: String,
    #[serde(default)]
    study_from: String,
    #[serde(default)]
    study_to: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    outcomes: String,
    // Walk-in only.
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    iin: String,
    #[serde(default)]
    foreign_document: String,
}

fn number(s: &str, field: &'static str) -> Result<Option<u32>, WebError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        tanu_domain::DomainError::UnknownValue {
            field,
            value: s.chars().take(20).collect(),
        }
        .into()
    })
}

impl ApplicationForm {
    fn input(&self) -> Result<ApplicationInput, WebError> {
        let any_certificate = [
            &self.provider_name,
            &self.programme_title,
            &self.number,
            &self.issued_on,
        ]
        .iter()
        .any(|s| !s.trim().is_empty());
        let certificate = if any_certificate {
            Some(CertificateFields {
                kind: self.cert_kind.clone(),
                provider_name: self.provider_name.clone(),
                provider_bin: Some(self.provider_bin.clone()),
                programme_title: self.programme_title.clone(),
                hours: number(&self.hours, "hours")?,
                credits: number(&self.credits, "credits")?,
                study_from: self.study_from.clone(),
                study_to: self.study_to.clone(),
                number: self.number.clone(),
                issued_on: self.issued_on.clone(),
                outcomes: self.outcomes.lines().map(str::to_owned).collect(),
            })
        } else {
            None
        };
        Ok(ApplicationInput {
            org_id: self.org_id.unwrap_or_default(),
            statement: self.statement.clone(),
            programme_id: self.programme_id.trim().parse().ok(),
            unit_ids: self.unit_ids.clone(),
            consent: self.consent.is_some(),
            certificate,
        })
    }

    fn state(&self) -> FormState {
        FormState::new()
            .with("statement", self.statement.clone())
            .with("programme_id", self.programme_id.clone())
            .with("consent", if self.consent.is_some() { "on" } else { "" })
            .with("cert_kind", self.cert_kind.clone())
            .with("provider_name", self.provider_name.clone())
            .with("provider_bin", self.provider_bin.clone())
            .with("programme_title", self.programme_title.clone())
            .with("hours", self.hours.clone())
            .with("credits", self.credits.clone())
            .with("study_from", self.study_from.clone())
            .with("study_to", self.study_to.clone())
            .with("number", self.number.clone())
            .with("issued_on", self.issued_on.clone())
            .with("outcomes", self.outcomes.clone())
            .with("full_name", self.full_name.clone())
            .with("email", self.email.clone())
            .with("iin", self.iin.clone())
            .with("foreign_document", self.foreign_document.clone())
    }
}

fn view_state(v: &ApplicationView) -> FormState {
    let mut f = FormState::new()
        .with("statement", v.statement.clone())
        .with(
            "programme_id",
            v.programme_id.map(|p| p.to_string()).unwrap_or_default(),
        )
        .with("consent", if v.consent_at.is_some() { "on" } else { "" });
    if let Some(c) = &v.certificate {
        f = f
            .with("cert_kind", c.kind.clone())
            .with("provider_name", c.provider_name.clone())
            .with("provider_bin", c.provider_bin.clone().unwrap_or_default())
            .with("programme_title", c.programme_title.clone())
            .with("hours", c.hours.map(|h| h.to_string()).unwrap_or_default())
            .with(
                "credits",
                c.credits.map(|h| h.to_string()).unwrap_or_default(),
            )
            .with("study_from", c.study_from.clone())
            .with("study_to", c.study_to.clone())
            .with("number", c.number.clone())
            .with("issued_on", c.issued_on.clone())
            .with("outcomes", c.outcomes.join("\n"));
    }
    f
}

#[derive(Template)]
#[template(path = "applications.html")]
struct MinePage {
    page: Page,
    cases: Vec<OwnCase>,
}

async fn mine(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    let cases = applications::mine_followed(&state.ctx, rctx.actor()?).await?;
    html(&MinePage {
        page: Page::from_ctx(&rctx),
        cases,
    })
}

#[derive(Template)]
#[template(path = "application_new.html")]
struct NewPage {
    page: Page,
    orgs: Vec<Organisation>,
    org: Option<Organisation>,
    programmes: Vec<Programme>,
    form: FormState,
    unit_ids: Vec<i64>,
    walk_in: bool,
}

impl NewPage {
    fn org_name(&self, o: &Organisation) -> String {
        o.names().in_locale(self.page.i18n.locale).to_owned()
    }
    fn is_unit(&self, id: &i64) -> bool {
        self.unit_ids.contains(id)
    }
}

#[derive(Debug, Deserialize)]
struct OrgQuery {
    org_id: Option<i64>,
}

async fn all_orgs(state: &AppState) -> Result<Vec<Organisation>, WebError> {
    Ok(organisations::eligible(&state.ctx).await?)
}

async fn new_form(
    state: &AppState,
    rctx: &RequestCtx,
    org_id: Option<i64>,
    form: FormState,
    unit_ids: Vec<i64>,
    walk_in: bool,
) -> Result<NewPage, WebError> {
    let orgs = all_orgs(state).await?;
    let org = org_id.and_then(|id| orgs.iter().find(|o| o.id == id).cloned());
    let programmes = match &org {
        Some(o) => catalogue::list(&state.ctx, o.id).await?,
        None => Vec::new(),
    };
    Ok(NewPage {
        page: Page::from_ctx(rctx),
        orgs,
        org,
        programmes,
        form,
        unit_ids,
        walk_in,
    })
}

async fn new_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Query(q): Query<OrgQuery>,
) -> Result<Response, WebError> {
    rctx.actor()?;
    html(
        &new_form(
            &state,
            &rctx,
            q.org_id,
            FormState::new().with("cert_kind", "certificate"),
            Vec::new(),
            false,
        )
        .await?,
    )
}

async fn create(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Form(f): Form<ApplicationForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let result = match f.input() {
        Ok(input) => applications::create(&state.ctx, actor, &input, rctx.now)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => Ok(Redirect::to(&format!("/applications/{}", v.id)).into_response()),
        Err(e) => {
            let e = form_error(e)?;
            let form = f.state().fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &new_form(&state, &rctx, f.org_id, form, f.unit_ids.clone(), false).await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "application.html")]
struct ShowPage {
    page: Page,
    max_upload: u64,
    view: ApplicationView,
    programmes: Vec<Programme>,
    form: FormState,
    kinds: Vec<&'static str>,
}

impl ShowPage {
    fn document(&self, kind: &str) -> Option<&tanu_app::applications::Document> {
        self.view.documents.iter().find(|d| d.kind == kind)
    }
    fn is_unit(&self, id: &i64) -> bool {
        self.view.unit_ids.contains(id)
    }
    fn status_label(&self) -> String {
        self.page.t(&format!("status-{}", self.view.status))
    }
    fn org_name(&self) -> &str {
        match self.page.i18n.locale {
            tanu_domain::Locale::Kk => &self.view.org_name_kk,
            _ => &self.view.org_name_ru,
        }
    }
    /// Whether the commission decided (rule 13): the extract can be issued.
    fn decided(&self) -> bool {
        Status::parse(&self.view.status).is_ok_and(Status::is_decided)
    }
    fn can_withdraw(&self) -> bool {
        self.view.is_candidate
            && Status::parse(&self.view.status).is_ok_and(|s| s.withdraw().is_ok())
    }
    /// A draft its candidate may delete.
    fn can_delete(&self) -> bool {
        self.view.is_candidate && self.view.status == Status::Draft.as_str()
    }
    /// An undecided application (submitted, or withdrawn and not yet purged) whose
    /// candidate may withdraw consent.
    fn can_withdraw_consent(&self) -> bool {
        self.view.is_candidate
            && self.view.purged_at.is_none()
            && Status::parse(&self.view.status).is_ok_and(|s| {
                s != Status::Draft && (s == Status::Withdrawn || s.withdraw().is_ok())
            })
    }
    fn event_label(&self, kind: &str) -> String {
        self.page.t(&format!("app-event-{kind}"))
    }
    fn kind_label(&self, kind: &str) -> String {
        self.page.t(&format!("doc-{kind}"))
    }
    fn size(&self, bytes: &i64) -> String {
        let b = *bytes as f64;
        if b < 1024.0 * 1024.0 {
            format!("{:.0} KB", (b / 1024.0).ceil())
        } else {
            format!("{:.1} MB", b / (1024.0 * 1024.0))
        }
    }
    fn file_hint(&self) -> String {
        self.page.t1(
            "apps-file-hint",
            "max",
            &(self.max_upload / (1024 * 1024)).to_string(),
        )
    }
    fn item_line(&self, item: &CheckItem) -> String {
        let mark = |b: bool| if b { "✓" } else { "✗" };
        format!(
            "{}: {} {} · {} {} · {} {}",
            self.kind_label(item.kind.as_str()),
            self.page.t("check-present"),
            mark(item.present),
            self.page.t("check-legible"),
            mark(item.legible),
            self.page.t("check-matches"),
            mark(item.matches_candidate)
        )
    }
}

async fn show_page(
    state: &AppState,
    rctx: &RequestCtx,
    id: i64,
    form: Option<FormState>,
) -> Result<ShowPage, WebError> {
    let view = applications::get(&state.ctx, rctx.actor()?, id, rctx.now).await?;
    let programmes = catalogue::list(&state.ctx, view.org_id).await?;
    let form = match form {
        Some(f) => f,
        None => view_state(&view),
    };
    Ok(ShowPage {
        page: Page::from_ctx(rctx),
        max_upload: state.settings.max_upload_bytes,
        view,
        programmes,
        form,
        kinds: DocumentKind::ALL.iter().map(|k| k.as_str()).collect(),
    })
}

/// The application page again, with an error at the top (used by the upload handler).
pub(crate) async fn show_with_error(
    state: &AppState,
    rctx: &RequestCtx,
    id: i64,
    e: WebError,
) -> Result<Response, WebError> {
    let e = form_error(e)?;
    let view = applications::get(&state.ctx, rctx.actor()?, id, rctx.now).await?;
    let form = view_state(&view).fail(&e, &rctx.i18n());
    page_with_status(e.status(), &show_page(state, rctx, id, Some(form)).await?)
}

async fn show(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    html(&show_page(&state, &rctx, id, None).await?)
}

async fn update(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    Form(f): Form<ApplicationForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let result = match f.input() {
        Ok(input) => applications::update(&state.ctx, actor, id, &input, rctx.now)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => {
            let e = form_error(e)?;
            let form = f.state().fail(&e, &rctx.i18n());
            page_with_status(e.status(), &show_page(&state, &rctx, id, Some(form)).await?)
        }
    }
}

async fn after(
    state: &AppState,
    rctx: &RequestCtx,
    id: i64,
    result: Result<ApplicationView, tanu_app::AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => show_with_error(state, rctx, id, e.into()).await,
    }
}

async fn submit(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let result = applications::submit(&state.ctx, rctx.actor()?, id, rctx.now).await;
    after(&state, &rctx, id, result).await
}

async fn withdraw(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let result = applications::withdraw(&state.ctx, rctx.actor()?, id, rctx.now).await;
    after(&state, &rctx, id, result).await
}

/// The candidate deletes their draft; their list of applications follows.
async fn delete_draft(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match applications::delete_draft(&state.ctx, rctx.actor()?, id, rctx.now).await {
        Ok(()) => Ok(Redirect::to("/applications").into_response()),
        Err(e) => show_with_error(&state, &rctx, id, e.into()).await,
    }
}

async fn withdraw_consent(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match applications::withdraw_consent(&state.ctx, rctx.actor()?, id, rctx.now).await {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => show_with_error(&state, &rctx, id, e.into()).await,
    }
}

#[derive(Debug, Deserialize)]
struct CheckForm {
    #[serde(default)]
    present: Vec<String>,
    #[serde(default)]
    legible: Vec<String>,
    #[serde(default)]
    matches: Vec<String>,
    #[serde(default)]
    reason: String,
}

async fn check(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    Form(f): Form<CheckForm>,
) -> Result<Response, WebError> {
    let items = DocumentKind::ALL
        .iter()
        .map(|k| {
            let has = |list: &[String]| list.iter().any(|v| v == k.as_str());
            CheckItem {
                kind: *k,
                present: has(&f.present),
                legible: has(&f.legible),
                matches_candidate: has(&f.matches),
            }
        })
        .collect();
    let input = CheckInput {
        items,
        reason: Some(f.reason),
    };
    let result = applications::check(&state.ctx, rctx.actor()?, id, &input, rctx.now).await;
    after(&state, &rctx, id, result).await
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    page: Page,
    org_id: i64,
    org_name: String,
    lines: Vec<ApplicationLine>,
    programmes: Vec<Programme>,
    q: QueueQuery,
    statuses: Vec<&'static str>,
}

impl QueuePage {
    fn programme_title(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.programmes.iter().find(|p| p.id == id))
            .map(|p| {
                if self.page.i18n.locale == tanu_domain::Locale::Kk {
                    p.title_kk.clone()
                } else {
                    p.title_ru.clone()
                }
            })
            .unwrap_or_default()
    }
    fn is_programme(&self, id: &i64) -> bool {
        self.q.programme_id == Some(*id)
    }
    fn v<'a>(&self, s: &'a Option<String>) -> &'a str {
        s.as_deref().unwrap_or_default()
    }
}

async fn queue(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(org, Need::ReadOrg)?;
    let org_name = organisations::get(&state.ctx, &scope)
        .await?
        .names()
        .in_locale(rctx.locale)
        .to_owned();
    let lines = applications::queue(&state.ctx, &scope, &q, rctx.now).await?;
    html(&QueuePage {
        page: Page::from_ctx(&rctx),
        org_id: org,
        org_name,
        lines,
        programmes: catalogue::list(&state.ctx, org).await?,
        q,
        statuses: Status::ALL
            .iter()
            .filter(|s| **s != Status::Draft)
            .map(|s| s.as_str())
            .collect(),
    })
}

async fn walk_in_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    applications::may_register_walk_ins(actor, &actor.scope(org, Need::ReadOrg)?)?;
    html(
        &new_form(
            &state,
            &rctx,
            Some(org),
            FormState::new().with("cert_kind", "certificate"),
            Vec::new(),
            true,
        )
        .await?,
    )
}

async fn walk_in(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Form(f): Form<ApplicationForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(org, Need::ReadOrg)?;
    let result = match f.input() {
        Ok(application) => {
            let input = WalkIn {
                full_name: f.full_name.clone(),
                email: Some(f.email.clone()),
                iin: Some(f.iin.clone()),
                foreign_document: Some(f.foreign_document.clone()),
                locale: Some(rctx.locale.as_str().to_owned()),
                application,
            };
            applications::register_walk_in(&state.ctx, actor, &scope, &input, rctx.now)
                .await
                .map_err(WebError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        // The receipt: the claim code is shown this once, to print or read out.
        Ok(v) => {
            let mut notice = super::account::Notice::new(&rctx, "walk-in-receipt-title")
                .say_owned(
                    rctx.i18n().t_args(
                        "walk-in-receipt",
                        &[(
                            "number",
                            v.application
                                .number
                                .clone()
                                .unwrap_or_else(|| format!("#{}", v.application.id)),
                        )],
                    ),
                )
                .say_key("walk-in-receipt-claim");
            notice.code = Some(v.claim_code);
            notice.links.push((
                format!("/applications/{}", v.application.id),
                rctx.i18n().t("walk-in-receipt-open"),
            ));
            page_with_status(StatusCode::CREATED, &notice)
        }
        Err(e) => {
            let e = form_error(e)?;
            let form = f.state().fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &new_form(&state, &rctx, Some(org), form, f.unit_ids.clone(), true).await?,
            )
        }
    }
}

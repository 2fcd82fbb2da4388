//! Organisations and their staff: the operator registers organisations (rule 4); an
//! organisation's admin manages its staff.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::organisations::{self, OrgInput, Organisation};
use tanu_app::staff::{self, NewStaff, StaffMember, StaffUpdate};
use tanu_domain::{OrgKind, Position, Role};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list))
        .route("/orgs/new", get(new_page).post(create))
        .route("/orgs/{id}", get(show))
        .route("/orgs/{id}/edit", get(edit_page).post(edit))
        .route("/orgs/{id}/staff/new", get(new_staff_page).post(add_staff))
        .route(
            "/orgs/{id}/staff/{staff_id}",
            get(staff_page).post(update_staff),
        )
}

/// A choice in a select or a checkbox list.
pub(crate) struct Choice {
    pub(crate) value: &'static str,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

fn kind_choices(page: &Page, current: &str) -> Vec<Choice> {
    OrgKind::ALL
        .iter()
        .filter(|k| k.may_recognise())
        .map(|k| Choice {
            value: k.as_str(),
            label: page.t(&format!("kind-{}", k.as_str())),
            selected: k.as_str() == current,
        })
        .collect()
}

fn position_choices(page: &Page, current: &str) -> Vec<Choice> {
    Position::ALL
        .iter()
        .map(|p| Choice {
            value: p.as_str(),
            label: page.t(&format!("position-{}", p.as_str())),
            selected: p.as_str() == current,
        })
        .collect()
}

fn role_choices(page: &Page, current: &[String]) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: page.t(&format!("role-{}", r.as_str())),
            selected: current.iter().any(|c| c == r.as_str()),
        })
        .collect()
}

struct OrgLine {
    id: i64,
    name: String,
    kind: String,
    bin: String,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct ListPage {
    page: Page,
    orgs: Vec<OrgLine>,
}

async fn list(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let page = Page::from_ctx(&rctx);
    let orgs = organisations::list_visible(&state.ctx, actor)
        .await?
        .into_iter()
        .map(|o| OrgLine {
            id: o.id,
            name: o.names().in_locale(rctx.locale).to_owned(),
            kind: page.t(&format!("kind-{}", o.kind.as_str())),
            bin: o.bin.to_string(),
        })
        .collect();
    html(&ListPage { page, orgs })
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    page: Page,
    form: FormState,
    kinds: Vec<Choice>,
    action: String,
    editing: bool,
}

fn org_form(rctx: &RequestCtx, form: FormState, action: String, editing: bool) -> OrgFormPage {
    let page = Page::from_ctx(rctx);
    let kinds = kind_choices(&page, form.v("kind"));
    OrgFormPage {
        page,
        form,
        kinds,
        action,
        editing,
    }
}

async fn new_page(rctx: RequestCtx) -> Result<Response, WebError> {
    rctx.actor()?.require_operator()?;
    html(&org_form(
        &rctx,
        FormState::new(),
        "/orgs/new".into(),
        false,
    ))
}

#[derive(Debug, Deserialize)]
struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    bin: String,
    #[serde(default)]
    name_kk: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    address: String,
}

impl OrgForm {
    fn input(&self) -> OrgInput {
        OrgInput {
            kind: self.kind.clone(),
            bin: self.bin.clone(),
            name_kk: self.name_kk.clone(),
            name_ru: self.name_ru.clone(),
            name_en: Some(self.name_en.clone()),
            address: self.address.clone(),
        }
    }

    fn state(&self) -> FormState {
        FormState::new()
            .with("kind", self.kind.clone())
            .with("bin", self.bin.clone())
            .with("name_kk", self.name_kk.clone())
            .with("name_ru", self.name_ru.clone())
            .with("name_en", self.name_en.clone())
            .with("address", self.address.clone())
    }
}

async fn create(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    match organisations::register(&state.ctx, actor, &f.input(), rctx.now).await {
        Ok(org) => Ok(Redirect::to(&format!("/orgs/{}", org.id)).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = f.state().fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &org_form(&rctx, form, "/orgs/new".into(), false),
            )
        }
    }
}

fn org_state(o: &Organisation) -> FormState {
    FormState::new()
        .with("kind", o.kind.as_str())
        .with("bin", o.bin.to_string())
        .with("name_kk", o.name_kk.clone())
        .with("name_ru", o.name_ru.clone())
        .with("name_en", o.name_en.clone().unwrap_or_default())
        .with("address", o.address.clone())
}

async fn edit_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(id, Need::EditRegistration)?;
    let org = organisations::get(&state.ctx, &scope).await?;
    html(&org_form(
        &rctx,
        org_state(&org),
        format!("/orgs/{id}/edit"),
        true,
    ))
}

async fn edit(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    match organisations::update(&state.ctx, actor, id, &f.input(), rctx.now).await {
        Ok(org) => Ok(Redirect::to(&format!("/orgs/{}", org.id)).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = f.state().fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &org_form(&rctx, form, format!("/orgs/{id}/edit"), true),
            )
        }
    }
}

struct StaffLine {
    id: i64,
    full_name: String,
    email: String,
    position: String,
    roles: String,
    active: bool,
    invited: bool,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    page: Page,
    org: Organisation,
    name: String,
    kind: String,
    staff: Option<Vec<StaffLine>>,
    can_manage_staff: bool,
    can_edit: bool,
    can_read_reports: bool,
}

async fn show(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(id, Need::ReadOrg)?;
    let org = organisations::get(&state.ctx, &scope).await?;
    let page = Page::from_ctx(&rctx);
    let staff = match actor.scope(id, Need::ReadStaff) {
        Ok(scope) => Some(
            staff::list(&state.ctx, &scope)
                .await?
                .into_iter()
                .map(|s| StaffLine {
                    id: s.id,
                    position: page.t(&format!("position-{}", s.position.as_str())),
                    roles: s
                        .roles
                        .iter()
                        .map(|r| page.t(&format!("role-{}", r.as_str())))
                        .collect::<Vec<_>>()
                        .join(", "),
                    full_name: s.full_name,
                    email: s.email,
                    active: s.active,
                    invited: !s.has_password,
                })
                .collect(),
        ),
        Err(_) => None,
    };
    let name = org.names().in_locale(rctx.locale).to_owned();
    let kind = page.t(&format!("kind-{}", org.kind.as_str()));
    html(&OrgPage {
        can_manage_staff: actor.scope(id, Need::ManageStaff).is_ok(),
        can_edit: actor.scope(id, Need::EditRegistration).is_ok(),
        can_read_reports: actor.scope(id, Need::ReadReports).is_ok(),
        page,
        org,
        name,
        kind,
        staff,
    })
}

#[derive(Template)]
#[template(path = "staff_form.html")]
struct StaffFormPage {
    page: Page,
    form: FormState,
    org_id: i64,
    org_name: String,
    positions: Vec<Choice>,
    roles: Vec<Choice>,
    member: Option<StaffMember>,
    invitation_link: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StaffForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    iin: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    active: Option<String>,
}

impl StaffForm {
    fn state(&self) -> FormState {
        FormState::new()
            .with("full_name", self.full_name.clone())
            .with("email", self.email.clone())
            .with("iin", self.iin.clone())
            .with("position", self.position.clone())
            .with("active", self.active.clone().unwrap_or_default())
    }
}

async fn staff_form(
    state: &AppState,
    rctx: &RequestCtx,
    org_id: i64,
    form: FormState,
    roles: &[String],
    member: Option<StaffMember>,
    invitation_link: Option<String>,
) -> Result<StaffFormPage, WebError> {
    let scope = rctx.actor()?.scope(org_id, Need::ManageStaff)?;
    let org = organisations::get(&state.ctx, &scope).await?;
    let page = Page::from_ctx(rctx);
    Ok(StaffFormPage {
        positions: position_choices(&page, form.v("position")),
        roles: role_choices(&page, roles),
        org_name: org.names().in_locale(rctx.locale).to_owned(),
        page,
        form,
        org_id,
        member,
        invitation_link,
    })
}

async fn new_staff_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let form = FormState::new().with("position", "teacher");
    html(&staff_form(&state, &rctx, id, form, &[], None, None).await?)
}

async fn add_staff(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    Form(f): Form<StaffForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ManageStaff)?;
    let input = NewStaff {
        full_name: f.full_name.clone(),
        email: f.email.clone(),
        iin: Some(f.iin.clone()),
        position: f.position.clone(),
        roles: f.roles.clone(),
    };
    match staff::add(&state.ctx, &scope, &input, rctx.now).await {
        Ok(added) => {
            let member = added.staff;
            // The invitation went to the person's e-mail; the admin never holds it.
            let link: Option<String> = None;
            let form = FormState::new()
                .with("position", member.position.as_str())
                .with("active", "on");
            let roles: Vec<String> = member.roles.iter().map(|r| r.as_str().to_owned()).collect();
            let t = staff_form(&state, &rctx, id, form, &roles, Some(member), link).await?;
            page_with_status(StatusCode::CREATED, &t)
        }
        Err(e) => {
            let e = form_error(e.into())?;
            let form = f.state().fail(&e, &rctx.i18n());
            let t = staff_form(&state, &rctx, id, form, &f.roles, None, None).await?;
            page_with_status(e.status(), &t)
        }
    }
}

async fn staff_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((id, staff_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ManageStaff)?;
    let member = staff::get(&state.ctx, &scope, staff_id).await?;
    let form = FormState::new()
        .with("position", member.position.as_str())
        .with("active", if member.active { "on" } else { "" });
    let roles: Vec<String> = member.roles.iter().map(|r| r.as_str().to_owned()).collect();
    html(&staff_form(&state, &rctx, id, form, &roles, Some(member), None).await?)
}

async fn update_staff(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((id, staff_id)): Path<(i64, i64)>,
    Form(f): Form<StaffForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(id, Need::ManageStaff)?;
    let input = StaffUpdate {
        position: f.position.clone(),
        roles: f.roles.clone(),
        active: f.active.is_some(),
    };
    match staff::update(&state.ctx, &scope, staff_id, &input, rctx.now).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}")).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let member = staff::get(&state.ctx, &scope, staff_id).await?;
            let form = f.state().fail(&e, &rctx.i18n());
            let t = staff_form(&state, &rctx, id, form, &f.roles, Some(member), None).await?;
            page_with_status(e.status(), &t)
        }
    }
}

//! Commission pages (rules 6–8): list, forming, composition with readiness, membership
//! changes, the secretary, history, and election rounds.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::commissions::{
    self, BallotInput, Commission, CommissionHistory, CommissionInput, CommissionView,
    ElectionView, ExternalMember, MembershipChange, OpenElection, RecordedBallot, RecordedBallots,
    SecretaryInput,
};
use tanu_app::staff::{self, StaffMember};
use tanu_app::{OrgScope, organisations, rule_sets};
use tanu_domain::Position;

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/commissions", get(list))
        .route("/orgs/{org}/commissions/new", get(new_page).post(create))
        .route("/orgs/{org}/commissions/{id}", get(show))
        .route(
            "/orgs/{org}/commissions/{id}/membership",
            post(change_membership),
        )
        .route(
            "/orgs/{org}/commissions/{id}/secretary",
            post(assign_secretary),
        )
        .route("/orgs/{org}/commissions/{id}/history", get(history))
        .route(
            "/orgs/{org}/commissions/{id}/elections",
            post(open_election),
        )
        .route(
            "/orgs/{org}/commissions/{id}/elections/{election}",
            get(election),
        )
        .route(
            "/orgs/{org}/commissions/{id}/elections/{election}/ballot",
            post(cast_ballot),
        )
        .route(
            "/orgs/{org}/commissions/{id}/elections/{election}/ballots",
            post(record_ballots),
        )
        .route(
            "/orgs/{org}/commissions/{id}/elections/{election}/close",
            post(close_election),
        )
}

async fn org_name(
    state: &AppState,
    scope: &OrgScope,
    rctx: &RequestCtx,
) -> Result<String, WebError> {
    Ok(organisations::get(&state.ctx, scope)
        .await?
        .names()
        .in_locale(rctx.locale)
        .to_owned())
}

#[derive(Template)]
#[template(path = "commissions.html")]
struct ListPage {
    page: Page,
    org_id: i64,
    org_name: String,
    commissions: Vec<Commission>,
    can_manage: bool,
}

async fn list(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(org, Need::ReadOrg)?;
    html(&ListPage {
        page: Page::from_ctx(&rctx),
        org_id: org,
        org_name: org_name(&state, &scope, &rctx).await?,
        commissions: commissions::list(&state.ctx, &scope).await?,
        can_manage: actor.scope(org, Need::ManageCommissions).is_ok(),
    })
}

/// A rule set to choose.
struct SetChoice {
    id: i64,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "commission_form.html")]
struct FormPage {
    page: Page,
    org_id: i64,
    form: FormState,
    sets: Vec<SetChoice>,
}

async fn form_page(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    form: FormState,
) -> Result<FormPage, WebError> {
    let page = Page::from_ctx(rctx);
    let chosen = form.v("rule_set_id").to_owned();
    let sets = rule_sets::list(&state.ctx)
        .await?
        .into_iter()
        .map(|s| SetChoice {
            id: s.id,
            selected: chosen == s.id.to_string(),
            label: s.set.code,
        })
        .collect();
    Ok(FormPage {
        page,
        org_id: org,
        form,
        sets,
    })
}

async fn new_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Response, WebError> {
    rctx.actor()?.scope(org, Need::ManageCommissions)?;
    let today = tanu_domain::dates::local_today(rctx.now);
    let form = FormState::new().with("term_from", today.to_string()).with(
        "term_to",
        today
            .replace_year(today.year() + 1)
            .unwrap_or(today)
            .to_string(),
    );
    html(&form_page(&state, &rctx, org, form).await?)
}

#[derive(Debug, Deserialize)]
struct CommissionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    term_from: String,
    #[serde(default)]
    term_to: String,
    #[serde(default)]
    rule_set_id: String,
}

async fn create(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    Form(f): Form<CommissionForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageCommissions)?;
    let input = CommissionInput {
        name: f.name.clone(),
        term_from: f.term_from.clone(),
        term_to: f.term_to.clone(),
        rule_set_id: f.rule_set_id.parse().ok(),
    };
    match commissions::form(&state.ctx, &scope, &input, rctx.now).await {
        Ok(c) => Ok(Redirect::to(&format!("/orgs/{org}/commissions/{}", c.id)).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new()
                .with("name", f.name)
                .with("term_from", f.term_from)
                .with("term_to", f.term_to)
                .with("rule_set_id", f.rule_set_id)
                .fail(&e, &rctx.i18n());
            page_with_status(e.status(), &form_page(&state, &rctx, org, form).await?)
        }
    }
}

/// A translated reason the commission cannot act.
struct ReasonLine {
    message: String,
}

#[derive(Template)]
#[template(path = "commission.html")]
struct ShowPage {
    page: Page,
    org_id: i64,
    org_name: String,
    view: CommissionView,
    reasons: Vec<ReasonLine>,
    can_manage: bool,
    can_run: bool,
    candidates_to_add: Vec<StaffMember>,
    specialists: Vec<StaffMember>,
    meetings: Vec<tanu_app::meetings::MeetingRowView>,
    form: FormState,
}

impl ShowPage {
    fn office_of(&self, member_id: &i64) -> String {
        let mut offices = Vec::new();
        if self
            .view
            .chair
            .as_ref()
            .is_some_and(|c| c.member_id == *member_id)
        {
            offices.push(self.page.t("office-chair"));
        }
        if self
            .view
            .deputy
            .as_ref()
            .is_some_and(|c| c.member_id == *member_id)
        {
            offices.push(self.page.t("office-deputy"));
        }
        offices.join(", ")
    }

    fn position_label(&self, code: &str) -> String {
        let key = format!("position-{code}");
        if self.page.i18n.has(&key) {
            self.page.t(&key)
        } else {
            code.to_owned()
        }
    }
}

async fn show_page(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    id: i64,
    form: FormState,
) -> Result<ShowPage, WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(org, Need::ReadOrg)?;
    let view = commissions::get(&state.ctx, &scope, id, rctx.now).await?;
    let page = Page::from_ctx(rctx);
    let reasons = view
        .reasons
        .iter()
        .map(|r| ReasonLine {
            message: page.reason(r),
        })
        .collect();
    let manage = actor.scope(org, Need::ManageCommissions).ok();
    let (candidates_to_add, specialists) = match &manage {
        Some(scope) => {
            let all: Vec<StaffMember> = staff::list(&state.ctx, scope)
                .await?
                .into_iter()
                .filter(|s| s.active)
                .collect();
            let members: Vec<i64> = view.members.iter().filter_map(|m| m.staff_id).collect();
            let secretary = view.secretary.as_ref().map(|s| s.staff_id);
            let to_add = all
                .iter()
                .filter(|s| !members.contains(&s.id) && Some(s.id) != secretary)
                .cloned()
                .collect();
            let specs = all
                .into_iter()
                .filter(|s| s.position == Position::Specialist && !members.contains(&s.id))
                .collect();
            (to_add, specs)
        }
        None => (Vec::new(), Vec::new()),
    };
    let meetings = tanu_app::meetings::list(&state.ctx, &scope, id).await?;
    Ok(ShowPage {
        meetings,
        org_name: org_name(state, &scope, rctx).await?,
        can_run: view.can_prepare,
        can_manage: manage.is_some(),
        page,
        org_id: org,
        view,
        reasons,
        candidates_to_add,
        specialists,
        form,
    })
}

async fn show(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    html(&show_page(&state, &rctx, org, id, FormState::new()).await?)
}

#[derive(Debug, Deserialize)]
struct MembershipForm {
    #[serde(default)]
    add_staff: Vec<i64>,
    #[serde(default)]
    remove: Vec<i64>,
    #[serde(default)]
    ext_full_name: String,
    #[serde(default)]
    ext_position: String,
    #[serde(default)]
    ext_home_organisation: String,
    #[serde(default)]
    ext_is_teacher: Option<String>,
}

async fn change_membership(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    Form(f): Form<MembershipForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageCommissions)?;
    let mut change = MembershipChange {
        add_staff: f.add_staff.clone(),
        add_external: Vec::new(),
        remove: f.remove.clone(),
    };
    if !f.ext_full_name.trim().is_empty() {
        change.add_external.push(ExternalMember {
            full_name: f.ext_full_name.clone(),
            position: f.ext_position.clone(),
            home_organisation: f.ext_home_organisation.clone(),
            is_teacher: f.ext_is_teacher.is_some(),
        });
    }
    after(
        &state,
        &rctx,
        org,
        id,
        commissions::change_membership(&state.ctx, &scope, id, &change, rctx.now)
            .await
            .map(drop),
        "#members",
        |form| {
            form.with("ext_full_name", f.ext_full_name.clone())
                .with("ext_position", f.ext_position.clone())
                .with("ext_home_organisation", f.ext_home_organisation.clone())
        },
    )
    .await
}

/// Redirects back to the commission after a change, or shows it again with the error.
async fn after(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    id: i64,
    result: Result<(), tanu_app::AppError>,
    anchor: &str,
    keep: impl FnOnce(FormState) -> FormState,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/orgs/{org}/commissions/{id}{anchor}")).into_response())
        }
        Err(e) => {
            let e = form_error(e.into())?;
            let form = keep(FormState::new()).fail(&e, &rctx.i18n());
            page_with_status(e.status(), &show_page(state, rctx, org, id, form).await?)
        }
    }
}

#[derive(Debug, Deserialize)]
struct SecretaryForm {
    #[serde(default)]
    staff_id: i64,
}

async fn assign_secretary(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    Form(f): Form<SecretaryForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageCommissions)?;
    let result = commissions::assign_secretary(
        &state.ctx,
        &scope,
        id,
        &SecretaryInput {
            staff_id: f.staff_id,
        },
        rctx.now,
    )
    .await
    .map(drop);
    after(&state, &rctx, org, id, result, "#secretary", |f| f).await
}

#[derive(Template)]
#[template(path = "commission_history.html")]
struct HistoryPage {
    page: Page,
    org_id: i64,
    commission: Commission,
    history: CommissionHistory,
}

impl HistoryPage {
    fn describe(&self, kind: &str, details: &serde_json::Value) -> String {
        let s = |k: &str| {
            details
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let names = |k: &str| {
            details
                .get(k)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.get("full_name").and_then(|n| n.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        let office = |k: &str| self.page.t(&format!("office-{}", s(k)));
        match kind {
            "formed" | "updated" => {
                format!("{} ({} – {})", s("name"), s("term_from"), s("term_to"))
            }
            "membership-changed" => {
                let mut parts = Vec::new();
                let added = names("added");
                if !added.is_empty() {
                    parts.push(format!("+ {added}"));
                }
                let removed = names("removed");
                if !removed.is_empty() {
                    parts.push(format!("− {removed}"));
                }
                parts.push(
                    self.page.t1(
                        "history-count",
                        "count",
                        &details
                            .get("count")
                            .map(|c| c.to_string())
                            .unwrap_or_default(),
                    ),
                );
                parts.join("; ")
            }
            "secretary-assigned" => s("full_name"),
            "election-opened" => format!(
                "{}, {}",
                office("office"),
                self.page.t1(
                    "election-round",
                    "round",
                    &details
                        .get("round")
                        .map(|r| r.to_string())
                        .unwrap_or_default()
                )
            ),
            "election-closed" => {
                let who = details
                    .get("elected_name")
                    .and_then(|v| v.as_str())
                    .map_or_else(|| self.page.t("election-nobody"), str::to_owned);
                format!("{}: {who}", office("office"))
            }
            "office-vacated" => format!("{}: {}", office("office"), s("full_name")),
            _ => details.to_string(),
        }
    }
}

async fn history(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    let view = commissions::get(&state.ctx, &scope, id, rctx.now).await?;
    let history = commissions::history(&state.ctx, &scope, id).await?;
    html(&HistoryPage {
        page: Page::from_ctx(&rctx),
        org_id: org,
        commission: view.commission,
        history,
    })
}

#[derive(Debug, Deserialize)]
struct OfficeForm {
    #[serde(default)]
    office: String,
}

async fn open_election(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    Form(f): Form<OfficeForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    match commissions::open_election(
        &state.ctx,
        &scope,
        id,
        &OpenElection { office: f.office },
        rctx.now,
    )
    .await
    {
        Ok(e) => Ok(Redirect::to(&format!(
            "/orgs/{org}/commissions/{id}/elections/{}",
            e.election.id
        ))
        .into_response()),
        Err(e) => after(&state, &rctx, org, id, Err(e), "", |f| f).await,
    }
}

#[derive(Template)]
#[template(path = "election.html")]
struct ElectionPage {
    page: Page,
    org_id: i64,
    commission: Commission,
    view: ElectionView,
    can_run: bool,
    voted: Vec<i64>,
    form: FormState,
}

impl ElectionPage {
    fn office_label(&self) -> String {
        self.page
            .t(&format!("office-{}", self.view.election.office))
    }

    fn heading(&self) -> String {
        self.page
            .t(&format!("elections-of-{}", self.view.election.office))
    }

    /// Rule 8: the holder of the other office cannot be elected to this one.
    fn holds_other(&self, member: &i64) -> bool {
        self.view.other_office_holder == Some(*member)
    }
}

async fn election_page(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    id: i64,
    election: i64,
    form: FormState,
) -> Result<ElectionPage, WebError> {
    let actor = rctx.actor()?;
    let scope = actor.scope(org, Need::ReadOrg)?;
    let c = commissions::get(&state.ctx, &scope, id, rctx.now).await?;
    let view = commissions::election_view(&state.ctx, &scope, id, election).await?;
    let can_run = view.can_prepare;
    let voted = view.ballots.iter().map(|b| b.voter_member_id).collect();
    Ok(ElectionPage {
        page: Page::from_ctx(rctx),
        org_id: org,
        commission: c.commission,
        view,
        can_run,
        voted,
        form,
    })
}

async fn election(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, e)): Path<(i64, i64, i64)>,
) -> Result<Response, WebError> {
    html(&election_page(&state, &rctx, org, id, e, FormState::new()).await?)
}

async fn after_vote(
    state: &AppState,
    rctx: &RequestCtx,
    (org, id, e): (i64, i64, i64),
    result: Result<ElectionView, tanu_app::AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/orgs/{org}/commissions/{id}/elections/{e}")).into_response(),
        ),
        Err(err) => {
            let err = form_error(err.into())?;
            let form = FormState::new().fail(&err, &rctx.i18n());
            page_with_status(
                err.status(),
                &election_page(state, rctx, org, id, e, form).await?,
            )
        }
    }
}

#[derive(Debug, Deserialize)]
struct BallotForm {
    #[serde(default)]
    candidate: String,
}

/// A ballot's choice from a form: a member id, or `abstain`; anything else is refused.
fn candidate(value: &str) -> Result<Option<i64>, WebError> {
    match value {
        "abstain" => Ok(None),
        v => v.parse().map(Some).map_err(|_| {
            tanu_domain::DomainError::UnknownValue {
                field: "candidate",
                value: v.chars().take(20).collect(),
            }
            .into()
        }),
    }
}

async fn cast_ballot(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(ids): Path<(i64, i64, i64)>,
    Form(f): Form<BallotForm>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(ids.0, Need::ReadOrg)?;
    let input = BallotInput {
        candidate_member_id: candidate(&f.candidate)?,
    };
    let result = commissions::cast_ballot(&state.ctx, &scope, ids.1, ids.2, &input, rctx.now).await;
    after_vote(&state, &rctx, ids, result).await
}

async fn record_ballots(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(ids): Path<(i64, i64, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(ids.0, Need::ReadOrg)?;
    let mut ballots: Vec<RecordedBallot> = Vec::new();
    for (k, v) in &f {
        let Some(voter) = k.strip_prefix("vote_") else {
            continue;
        };
        let voter = voter
            .parse()
            .map_err(|_| tanu_domain::DomainError::UnknownValue {
                field: "voter",
                value: voter.chars().take(20).collect(),
            })?;
        if !v.is_empty() {
            ballots.push(RecordedBallot {
                voter_member_id: voter,
                candidate_member_id: candidate(v)?,
            });
        }
    }
    ballots.sort_by_key(|b| b.voter_member_id);
    let result = commissions::record_ballots(
        &state.ctx,
        &scope,
        ids.1,
        ids.2,
        &RecordedBallots { ballots },
        rctx.now,
    )
    .await;
    after_vote(&state, &rctx, ids, result).await
}

async fn close_election(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(ids): Path<(i64, i64, i64)>,
) -> Result<Response, WebError> {
    let scope = rctx.actor()?.scope(ids.0, Need::ReadOrg)?;
    let result = commissions::close_election(&state.ctx, &scope, ids.1, ids.2, rctx.now).await;
    after_vote(&state, &rctx, ids, result).await
}

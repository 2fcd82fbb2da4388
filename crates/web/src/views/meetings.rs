//! Meeting pages (rules 8, 12–14): scheduling, and the meeting page used during the
//! meeting on a tablet – attendance, agenda, interview, votes with a live tally, and
//! decisions. Also the meeting as an `.ics` calendar file.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use tanu_app::access::Need;
use tanu_app::applications::{self, ApplicationLine, QueueQuery};
use tanu_app::catalogue::{self, Programme};
use tanu_app::meetings::{
    self, Assessment, DecisionInput, InterviewInput, ItemView, MeetingView, Presence,
    RecognisedUnit, RecordedVote, RecusalInput, ScheduleInput, VoteInput,
};
use tanu_app::{AppError, OrgScope};
use tanu_domain::meeting::{Choice, ItemStatus, MeetingStatus};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/orgs/{org}/commissions/{commission}/meetings/new",
            get(new_page).post(schedule),
        )
        .route("/orgs/{org}/meetings/{id}", get(show))
        .route("/orgs/{org}/meetings/{id}/calendar.ics", get(ics))
        .route(
            "/applications/{application}/meetings/{meeting}/calendar.ics",
            get(candidate_ics),
        )
        .route("/orgs/{org}/meetings/{id}/attendance", post(attendance))
        .route("/orgs/{org}/meetings/{id}/open", post(open))
        .route("/orgs/{org}/meetings/{id}/close", post(close))
        .route("/orgs/{org}/meetings/{id}/cancel", post(cancel))
        .route("/orgs/{org}/meetings/{id}/move", post(move_meeting))
        .route(
            "/orgs/{org}/meetings/{id}/items/{item}/{action}",
            post(item_action),
        )
}

type Fields = Vec<(String, String)>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn all<'a>(f: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    f.iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn scope(rctx: &RequestCtx, org: i64) -> Result<OrgScope, WebError> {
    Ok(rctx.actor()?.scope(org, Need::ReadOrg)?)
}

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct NewPage {
    page: Page,
    org_id: i64,
    commission_id: i64,
    ready: Vec<ApplicationLine>,
    form: FormState,
}

async fn new_form(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    commission: i64,
    form: FormState,
) -> Result<NewPage, WebError> {
    let scope = scope(rctx, org)?;
    meetings::may_schedule(&state.ctx, &scope, commission).await?;
    let mut ready = applications::queue(
        &state.ctx,
        &scope,
        &QueueQuery {
            status: Some("complete".into()),
            ..QueueQuery::default()
        },
        rctx.now,
    )
    .await?;
    ready.extend(
        applications::queue(
            &state.ctx,
            &scope,
            &QueueQuery {
                status: Some("not-adopted".into()),
                ..QueueQuery::default()
            },
            rctx.now,
        )
        .await?,
    );
    Ok(NewPage {
        page: Page::from_ctx(rctx),
        org_id: org,
        commission_id: commission,
        ready,
        form,
    })
}

async fn new_page(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, commission)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    html(&new_form(&state, &rctx, org, commission, FormState::new()).await?)
}

async fn schedule(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, commission)): Path<(i64, i64)>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let input = ScheduleInput {
        starts_at: field(&f, "starts_at").to_owned(),
        place: field(&f, "place").to_owned(),
        application_ids: all(&f, "application_ids")
            .filter_map(|v| v.parse().ok())
            .collect(),
    };
    match meetings::schedule(&state.ctx, &scope, commission, &input, rctx.now).await {
        Ok(m) => Ok(Redirect::to(&format!("/orgs/{org}/meetings/{}", m.id)).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new()
                .with("starts_at", input.starts_at)
                .with("place", input.place)
                .fail(&e, &rctx.i18n());
            page_with_status(
                e.status(),
                &new_form(&state, &rctx, org, commission, form).await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    page: Page,
    org_id: i64,
    view: MeetingView,
    protocol: Option<tanu_app::protocols::ProtocolRef>,
    units: Vec<(i64, String, i64)>,
    form: FormState,
}

impl MeetingPage {
    fn name_of(&self, member: &i64) -> String {
        self.view
            .attendees
            .iter()
            .find(|a| a.member_id == *member)
            .map(|a| a.full_name.clone())
            .unwrap_or_default()
    }
    fn presiding(&self) -> String {
        match (self.view.presiding_member_id, self.view.presiding_as_deputy) {
            (Some(m), Some(true)) => format!(
                "{} ({})",
                self.name_of(&m),
                self.page.t("meeting-as-deputy")
            ),
            (Some(m), _) => self.name_of(&m),
            _ => "—".to_owned(),
        }
    }
    fn explanation(&self, item: &ItemView) -> String {
        let t = &item.tally;
        let result = match t.adopted.as_deref() {
            Some("recognise") => self.page.t("tally-adopted-recognise"),
            Some("refuse") => self.page.t("tally-adopted-refuse"),
            _ => self.page.t("tally-not-adopted"),
        };
        self.page.i18n.t_args(
            "tally-explanation",
            &[
                ("recognise", t.recognise.to_string()),
                ("refuse", t.refuse.to_string()),
                ("abstain", t.abstain.to_string()),
                ("missing", t.missing.to_string()),
                ("taking_part", t.taking_part.to_string()),
                ("needed", t.needed.to_string()),
                ("result", result),
            ],
        )
    }
    /// The start as the move form's `datetime-local` field takes it (Kazakhstan time).
    fn start_input(&self) -> String {
        let t = tanu_domain::dates::local_time(self.view.starts_at);
        format!("{}T{:02}:{:02}", t.date(), t.hour(), t.minute())
    }
    fn status_label(&self) -> String {
        self.page.t(&format!("meeting-status-{}", self.view.status))
    }
    fn item_status(&self, status: &ItemStatus) -> String {
        self.page.t(&format!("item-{status}"))
    }
    fn level(&self, item: &ItemView, outcome: &str) -> String {
        item.assessments
            .iter()
            .find(|a| a.outcome == outcome)
            .map(|a| a.level.clone())
            .unwrap_or_default()
    }
    fn unit_label(&self, unit: &i64) -> String {
        self.units
            .iter()
            .find(|(id, _, _)| id == unit)
            .map(|(_, l, _)| l.clone())
            .unwrap_or_default()
    }
}

async fn meeting_page(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    id: i64,
    form: FormState,
) -> Result<MeetingPage, WebError> {
    let scope = scope(rctx, org)?;
    let view = meetings::get(&state.ctx, &scope, id).await?;
    let programmes: Vec<Programme> = catalogue::list(&state.ctx, org).await?;
    let units = programmes
        .iter()
        .flat_map(|p| {
            p.units.iter().map(move |u| {
                (
                    u.id,
                    format!(
                        "{} · {} · {}",
                        p.code,
                        u.code,
                        if rctx.locale == tanu_domain::Locale::Kk {
                            &u.title_kk
                        } else {
                            &u.title_ru
                        }
                    ),
                    u.credits,
                )
            })
        })
        .collect();
    let protocol = tanu_app::protocols::of_meeting(&state.ctx, &scope, id).await?;
    Ok(MeetingPage {
        page: Page::from_ctx(rctx),
        org_id: org,
        view,
        protocol,
        units,
        form,
    })
}

async fn show(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    html(&meeting_page(&state, &rctx, org, id, FormState::new()).await?)
}

async fn after(
    state: &AppState,
    rctx: &RequestCtx,
    org: i64,
    id: i64,
    anchor: &str,
    result: Result<MeetingView, AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{org}/meetings/{id}{anchor}")).into_response()),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new().fail(&e, &rctx.i18n());
            page_with_status(e.status(), &meeting_page(state, rctx, org, id, form).await?)
        }
    }
}

async fn attendance(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let present: Vec<i64> = all(&f, "present").filter_map(|v| v.parse().ok()).collect();
    let listed: Vec<i64> = all(&f, "member").filter_map(|v| v.parse().ok()).collect();
    let input: Vec<Presence> = listed
        .iter()
        .map(|m| Presence {
            member_id: *m,
            present: present.contains(m),
        })
        .collect();
    let result = meetings::set_attendance(&state.ctx, &scope, id, &input, rctx.now).await;
    after(&state, &rctx, org, id, "#attendance", result).await
}

async fn open(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let result = meetings::open(&state.ctx, &scope, id, rctx.now).await;
    after(&state, &rctx, org, id, "", result).await
}

async fn close(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let result = meetings::close(&state.ctx, &scope, id, rctx.now).await;
    after(&state, &rctx, org, id, "", result).await
}

async fn cancel(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let input = meetings::CancelInput {
        reason: field(&f, "reason").to_owned(),
    };
    let result = meetings::cancel(&state.ctx, &scope, id, &input, rctx.now).await;
    after(&state, &rctx, org, id, "", result).await
}

async fn move_meeting(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let input = meetings::MoveInput {
        starts_at: field(&f, "starts_at").to_owned(),
        place: field(&f, "place").to_owned(),
    };
    let result = meetings::reschedule(&state.ctx, &scope, id, &input, rctx.now).await;
    after(&state, &rctx, org, id, "", result).await
}

fn choice(v: &str) -> Result<Choice, WebError> {
    match v {
        "recognise" => Ok(Choice::Recognise),
        "refuse" => Ok(Choice::Refuse),
        "abstain" => Ok(Choice::Abstain),
        other => Err(tanu_domain::DomainError::UnknownValue {
            field: "choice",
            value: other.chars().take(20).collect(),
        }
        .into()),
    }
}

async fn item_action(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item, action)): Path<(i64, i64, i64, String)>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let (ctx, t) = (&state.ctx, rctx.now);
    let result = match action.as_str() {
        "candidate" => {
            meetings::candidate_presence(ctx, &scope, id, item, field(&f, "present") == "yes", t)
                .await
        }
        "recusal" => {
            let input = RecusalInput {
                member_id: field(&f, "member_id").parse().ok(),
                reason: field(&f, "reason").to_owned(),
            };
            meetings::recuse(ctx, &scope, id, item, &input, t).await
        }
        "interview" => {
            let outcomes: Vec<&str> = all(&f, "outcome").collect();
            let levels: Vec<&str> = all(&f, "level").collect();
            let comments: Vec<&str> = all(&f, "comment").collect();
            let assessments = outcomes
                .iter()
                .enumerate()
                .filter(|(i, _)| levels.get(*i).is_some_and(|l| !l.is_empty()))
                .map(|(i, o)| Assessment {
                    outcome: (*o).to_owned(),
                    level: levels.get(i).copied().unwrap_or_default().to_owned(),
                    comment: comments.get(i).copied().unwrap_or_default().to_owned(),
                })
                .collect();
            meetings::interview(
                ctx,
                &scope,
                id,
                item,
                &InterviewInput {
                    notes: field(&f, "notes").to_owned(),
                    assessments,
                },
                t,
            )
            .await
        }
        "vote-open" => meetings::open_vote(ctx, &scope, id, item, t).await,
        "vote" => {
            meetings::vote(
                ctx,
                &scope,
                id,
                item,
                &VoteInput {
                    choice: choice(field(&f, "choice"))?,
                },
                t,
            )
            .await
        }
        "votes" => {
            let mut votes = Vec::new();
            for (k, v) in &f {
                let Some(member) = k.strip_prefix("vote_").and_then(|m| m.parse().ok()) else {
                    continue;
                };
                if !v.is_empty() {
                    votes.push(RecordedVote {
                        member_id: member,
                        choice: choice(v)?,
                    });
                }
            }
            meetings::record(ctx, &scope, id, item, &votes, t).await
        }
        "vote-close" => meetings::close_vote(ctx, &scope, id, item, t).await,
        "decision" => {
            let credits: HashMap<&str, &str> = f
                .iter()
                .filter_map(|(k, v)| k.strip_prefix("credits_").map(|u| (u, v.as_str())))
                .collect();
            let recognised = all(&f, "unit")
                .filter_map(|u| {
                    let unit_id = u.parse().ok()?;
                    let credits = credits
                        .get(u)
                        .and_then(|c| c.trim().parse().ok())
                        .unwrap_or(0);
                    let outcomes = field(&f, &format!("outcomes_{u}"))
                        .split(';')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect();
                    Some(RecognisedUnit {
                        unit_id,
                        credits,
                        outcomes,
                    })
                })
                .collect();
            let reasons = Some(field(&f, "reasons").to_owned()).filter(|r| !r.trim().is_empty());
            meetings::decide(
                ctx,
                &scope,
                id,
                item,
                &DecisionInput {
                    recognised,
                    reasons,
                },
                t,
            )
            .await
        }
        _ => return Err(WebError::Status(axum::http::StatusCode::NOT_FOUND)),
    };
    after(&state, &rctx, org, id, &format!("#item-{item}"), result).await
}

/// A calendar file for one event, as the meeting's e-mail attaches it.
fn calendar(
    uid: &str,
    starts_at: time::OffsetDateTime,
    summary: &str,
    place: &str,
    now: time::OffsetDateTime,
) -> Response {
    let body = tanu_app::notify::ics(uid, starts_at, summary, place, now);
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"meeting.ics\""),
    );
    r
}

/// The candidate's own meeting as a calendar event (they cannot open the meeting page).
async fn candidate_ics(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((application, meeting)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let view = applications::get(&state.ctx, rctx.actor()?, application, rctx.now).await?;
    let m = view
        .meetings
        .iter()
        .find(|m| m.meeting_id == meeting)
        .ok_or(WebError::App(AppError::NotFound))?;
    let summary = rctx.i18n().t("apps-meetings");
    Ok(calendar(
        &format!("meeting-{meeting}"),
        m.starts_at,
        &summary,
        &m.place,
        rctx.now,
    ))
}

/// The meeting as a calendar event.
async fn ics(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let scope = scope(&rctx, org)?;
    let v = meetings::get(&state.ctx, &scope, id).await?;
    Ok(calendar(
        &format!("meeting-{id}"),
        v.starts_at,
        &v.commission_name,
        &v.place,
        rctx.now,
    ))
}

//! Meetings (rules 8, 12–14) over the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use tanu_app::access::Need;
use tanu_app::meetings::{
    self, CancelInput, DecisionInput, InterviewInput, MeetingRowView, MeetingView, MoveInput,
    Presence, RecordedVote, RecusalInput, ScheduleInput, VoteInput,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, schedule))
        .routes(routes!(get_one))
        .routes(routes!(attendance))
        .routes(routes!(open))
        .routes(routes!(close))
        .routes(routes!(cancel))
        .routes(routes!(move_meeting))
        .routes(routes!(candidate))
        .routes(routes!(recuse))
        .routes(routes!(interview))
        .routes(routes!(open_vote))
        .routes(routes!(vote))
        .routes(routes!(record_votes))
        .routes(routes!(close_vote))
        .routes(routes!(decide))
}

type Meeting = Path<(i64, i64)>;
type Item = Path<(i64, i64, i64)>;

/// The meetings of a commission.
#[utoipa::path(get, path = "/organisations/{org}/commissions/{commission}/meetings", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("commission" = i64, Path, description = "Commission id")),
    responses((status = 200, body = Vec<MeetingRowView>), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, commission)): Meeting,
) -> Result<Json<Vec<MeetingRowView>>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(meetings::list(&state.ctx, &scope, commission).await?))
}

/// Schedules a meeting of a commission that can act, with an agenda of complete applications.
#[utoipa::path(post, path = "/organisations/{org}/commissions/{commission}/meetings", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("commission" = i64, Path, description = "Commission id")),
    request_body = ScheduleInput,
    responses((status = 201, body = MeetingView), (status = 403, body = Problem), (status = 422, description = "Invalid, or the commission cannot act (rules 6-8)", body = Problem)))]
async fn schedule(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, commission)): Meeting,
    ApiJson(body): ApiJson<ScheduleInput>,
) -> Result<(StatusCode, Json<MeetingView>), WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok((
        StatusCode::CREATED,
        Json(meetings::schedule(&state.ctx, &scope, commission, &body, rctx.now).await?),
    ))
}

/// A meeting: attendance, presiding officer, quorum, the agenda with interviews, votes and decisions.
#[utoipa::path(get, path = "/organisations/{org}/meetings/{id}", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, body = MeetingView), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Meeting,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(meetings::get(&state.ctx, &scope, id).await?))
}

/// Records attendance of members.
#[utoipa::path(put, path = "/organisations/{org}/meetings/{id}/attendance", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id")),
    request_body = Vec<Presence>, responses((status = 200, body = MeetingView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn attendance(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Meeting,
    ApiJson(body): ApiJson<Vec<Presence>>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::set_attendance(&state.ctx, &scope, id, &body, rctx.now).await?,
    ))
}

/// Opens the meeting (rule 8: the chair presides, or the deputy; quorum).
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/open", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn open(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Meeting,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::open(&state.ctx, &scope, id, rctx.now).await?,
    ))
}

/// Closes the meeting; items not reached go back to a later agenda.
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/close", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn close(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Meeting,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::close(&state.ctx, &scope, id, rctx.now).await?,
    ))
}

/// Cancels a meeting that has not opened, with its reason: the agenda returns to the
/// queue and the candidates and members are told.
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/cancel", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id")),
    request_body = CancelInput,
    responses((status = 200, body = MeetingView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Meeting,
    ApiJson(body): ApiJson<CancelInput>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::cancel(&state.ctx, &scope, id, &body, rctx.now).await?,
    ))
}

/// Moves a meeting that has not opened to a new start (not in the past, rule 12) and
/// place: the candidates and members are told, with a new calendar file.
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/move", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id")),
    request_body = MoveInput,
    responses((status = 200, body = MeetingView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn move_meeting(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Meeting,
    ApiJson(body): ApiJson<MoveInput>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::reschedule(&state.ctx, &scope, id, &body, rctx.now).await?,
    ))
}

/// Whether the candidate came.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CandidatePresence {
    /// Present or not (rule 12: an absent candidate's item is moved).
    present: bool,
}

/// Records whether the candidate came to the interview.
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/items/{item}/candidate", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    request_body = CandidatePresence, responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn candidate(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
    ApiJson(body): ApiJson<CandidatePresence>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::candidate_presence(&state.ctx, &scope, id, item, body.present, rctx.now).await?,
    ))
}

/// Declares a conflict of interest: the member takes no part in the item.
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/items/{item}/recusal", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    request_body = RecusalInput, responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn recuse(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
    ApiJson(body): ApiJson<RecusalInput>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::recuse(&state.ctx, &scope, id, item, &body, rctx.now).await?,
    ))
}

/// Records the interview (rule 12).
#[utoipa::path(put, path = "/organisations/{org}/meetings/{id}/items/{item}/interview", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    request_body = InterviewInput, responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn interview(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
    ApiJson(body): ApiJson<InterviewInput>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::interview(&state.ctx, &scope, id, item, &body, rctx.now).await?,
    ))
}

/// Opens the vote on an item.
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/items/{item}/vote/open", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn open_vote(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::open_vote(&state.ctx, &scope, id, item, rctx.now).await?,
    ))
}

/// Casts the caller's own vote (rule 14).
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/items/{item}/vote", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    request_body = VoteInput, responses((status = 200, body = MeetingView),
        (status = 204, description = "Recorded; with `Prefer: return=minimal` no body"),
        (status = 422, body = Problem)))]
async fn vote(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<VoteInput>,
) -> Result<axum::response::Response, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    if super::prefers_minimal(&headers) {
        meetings::cast_vote(&state.ctx, &scope, id, item, &body, rctx.now).await?;
        return Ok(super::minimal());
    }
    Ok(Json(meetings::vote(&state.ctx, &scope, id, item, &body, rctx.now).await?).into_response())
}

/// Records votes by name (a show of hands).
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/items/{item}/votes", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    request_body = Vec<RecordedVote>, responses((status = 200, body = MeetingView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn record_votes(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
    ApiJson(body): ApiJson<Vec<RecordedVote>>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::record(&state.ctx, &scope, id, item, &body, rctx.now).await?,
    ))
}

/// Closes the vote and computes the result (rule 14).
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/items/{item}/vote/close", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn close_vote(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::close_vote(&state.ctx, &scope, id, item, rctx.now).await?,
    ))
}

/// Records the decision the vote adopted (rule 13).
#[utoipa::path(post, path = "/organisations/{org}/meetings/{id}/items/{item}/decision", tag = "meetings",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Meeting id"), ("item" = i64, Path, description = "Agenda item id")),
    request_body = DecisionInput, responses((status = 200, body = MeetingView), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, item)): Item,
    ApiJson(body): ApiJson<DecisionInput>,
) -> Result<Json<MeetingView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        meetings::decide(&state.ctx, &scope, id, item, &body, rctx.now).await?,
    ))
}

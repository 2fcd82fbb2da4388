//! Commissions (rules 6–8) over the API: forming, composition, secretary, elections.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tanu_app::access::Need;
use tanu_app::commissions::{
    self, BallotInput, Commission, CommissionHistory, CommissionInput, CommissionView,
    ElectionView, MembershipChange, OpenElection, RecordedBallots, SecretaryInput,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, form))
        .routes(routes!(get_one, update))
        .routes(routes!(history))
        .routes(routes!(change_membership))
        .routes(routes!(assign_secretary))
        .routes(routes!(open_election))
        .routes(routes!(get_election))
        .routes(routes!(cast_ballot))
        .routes(routes!(record_ballots))
        .routes(routes!(close_election))
}

type Ids = Path<(i64, i64)>;
type ElectionIds = Path<(i64, i64, i64)>;

/// The organisation's commissions.
#[utoipa::path(get, path = "/organisations/{org}/commissions", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<Commission>), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
) -> Result<Json<Vec<Commission>>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(commissions::list(&state.ctx, &scope).await?))
}

/// Forms a commission (rule 6; organisation admin).
#[utoipa::path(post, path = "/organisations/{org}/commissions", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id")), request_body = CommissionInput,
    responses((status = 201, body = Commission), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn form(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    ApiJson(body): ApiJson<CommissionInput>,
) -> Result<(StatusCode, Json<Commission>), WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageCommissions)?;
    Ok((
        StatusCode::CREATED,
        Json(commissions::form(&state.ctx, &scope, &body, rctx.now).await?),
    ))
}

/// A commission: current composition, offices, secretary, and whether it can act
/// (`ready`, with `reasons` citing rules 6–8 when not).
#[utoipa::path(get, path = "/organisations/{org}/commissions/{id}", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id")),
    responses((status = 200, body = CommissionView), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Ids,
) -> Result<Json<CommissionView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        commissions::get(&state.ctx, &scope, id, rctx.now).await?,
    ))
}

/// Changes name, term and rule set (organisation admin).
#[utoipa::path(put, path = "/organisations/{org}/commissions/{id}", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id")),
    request_body = CommissionInput,
    responses((status = 200, body = Commission), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Ids,
    ApiJson(body): ApiJson<CommissionInput>,
) -> Result<Json<Commission>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageCommissions)?;
    Ok(Json(
        commissions::update(&state.ctx, &scope, id, &body, rctx.now).await?,
    ))
}

/// The full dated history: every membership, secretary, office, and who did what when.
#[utoipa::path(get, path = "/organisations/{org}/commissions/{id}/history", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id")),
    responses((status = 200, body = CommissionHistory), (status = 404, body = Problem)))]
async fn history(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Ids,
) -> Result<Json<CommissionHistory>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(commissions::history(&state.ctx, &scope, id).await?))
}

/// One atomic change of membership (rule 7: the result must be odd, with teachers;
/// rule 8: the secretary cannot be made a member).
#[utoipa::path(post, path = "/organisations/{org}/commissions/{id}/membership", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id")),
    request_body = MembershipChange,
    responses((status = 200, body = CommissionView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn change_membership(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Ids,
    ApiJson(body): ApiJson<MembershipChange>,
) -> Result<Json<CommissionView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageCommissions)?;
    Ok(Json(
        commissions::change_membership(&state.ctx, &scope, id, &body, rctx.now).await?,
    ))
}

/// Assigns the secretary (rule 8: a specialist of the organisation, not a member).
#[utoipa::path(put, path = "/organisations/{org}/commissions/{id}/secretary", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id")),
    request_body = SecretaryInput,
    responses((status = 200, body = CommissionView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn assign_secretary(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Ids,
    ApiJson(body): ApiJson<SecretaryInput>,
) -> Result<Json<CommissionView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ManageCommissions)?;
    Ok(Json(
        commissions::assign_secretary(&state.ctx, &scope, id, &body, rctx.now).await?,
    ))
}

/// Opens an election round for the chair or the deputy (admin or the commission's secretary).
#[utoipa::path(post, path = "/organisations/{org}/commissions/{id}/elections", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id")),
    request_body = OpenElection,
    responses((status = 201, body = ElectionView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn open_election(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id)): Ids,
    ApiJson(body): ApiJson<OpenElection>,
) -> Result<(StatusCode, Json<ElectionView>), WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok((
        StatusCode::CREATED,
        Json(commissions::open_election(&state.ctx, &scope, id, &body, rctx.now).await?),
    ))
}

/// An election round: ballots and, once closed, the result and how it was computed.
#[utoipa::path(get, path = "/organisations/{org}/commissions/{id}/elections/{election}", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id"), ("election" = i64, Path, description = "Election round id")),
    responses((status = 200, body = ElectionView), (status = 404, body = Problem)))]
async fn get_election(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, election)): ElectionIds,
) -> Result<Json<ElectionView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        commissions::election_view(&state.ctx, &scope, id, election).await?,
    ))
}

/// Casts the caller's own ballot (rule 8: members only, once per round).
#[utoipa::path(post, path = "/organisations/{org}/commissions/{id}/elections/{election}/ballot", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id"), ("election" = i64, Path, description = "Election round id")),
    request_body = BallotInput,
    responses((status = 200, body = ElectionView), (status = 422, body = Problem)))]
async fn cast_ballot(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, election)): ElectionIds,
    ApiJson(body): ApiJson<BallotInput>,
) -> Result<Json<ElectionView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        commissions::cast_ballot(&state.ctx, &scope, id, election, &body, rctx.now).await?,
    ))
}

/// Records a show of hands by name (admin or the commission's secretary).
#[utoipa::path(post, path = "/organisations/{org}/commissions/{id}/elections/{election}/ballots", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id"), ("election" = i64, Path, description = "Election round id")),
    request_body = RecordedBallots,
    responses((status = 200, body = ElectionView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn record_ballots(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, election)): ElectionIds,
    ApiJson(body): ApiJson<RecordedBallots>,
) -> Result<Json<ElectionView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        commissions::record_ballots(&state.ctx, &scope, id, election, &body, rctx.now).await?,
    ))
}

/// Closes a round and computes its result (rule 8: more than half of the base elects).
#[utoipa::path(post, path = "/organisations/{org}/commissions/{id}/elections/{election}/close", tag = "commissions",
    params(("org" = i64, Path, description = "Organisation id"), ("id" = i64, Path, description = "Commission id"), ("election" = i64, Path, description = "Election round id")),
    responses((status = 200, body = ElectionView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn close_election(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((org, id, election)): ElectionIds,
) -> Result<Json<ElectionView>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        commissions::close_election(&state.ctx, &scope, id, election, rctx.now).await?,
    ))
}

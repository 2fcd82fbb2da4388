//! Reports over the API: an organisation's figures and the national figures, the same
//! as the report pages show (see `tanu_app::reports` for what each figure counts).

use axum::Json;
use axum::extract::{Path, State};
use tanu_app::reports::{self, Report, ReportQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiQuery;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(organisation))
        .routes(routes!(national))
}

/// An organisation's report: applications by status and month, outcomes, days to
/// decision, by programme and provider, reused certificates (admins, auditors, operator).
#[utoipa::path(get, path = "/organisations/{org}/reports", tag = "reports",
    params(("org" = i64, Path, description = "Organisation id"), ReportQuery),
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "A malformed or inverted date", body = Problem)))]
async fn organisation(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<Report>, WebError> {
    Ok(Json(
        reports::organisation(&state.ctx, rctx.actor()?, org, &q, rctx.now).await?,
    ))
}

/// The national report over every organisation (platform operator).
#[utoipa::path(get, path = "/reports", tag = "reports",
    params(ReportQuery),
    responses((status = 200, body = Report), (status = 403, body = Problem),
        (status = 422, description = "A malformed or inverted date", body = Problem)))]
async fn national(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<Report>, WebError> {
    Ok(Json(
        reports::national(&state.ctx, rctx.actor()?, &q, rctx.now).await?,
    ))
}

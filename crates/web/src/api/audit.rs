//! The audit trail over the API: an organisation's (admins, auditors) and the whole
//! platform's (operator).

use axum::Json;
use axum::extract::{Path, State};
use tanu_app::access::Need;
use tanu_app::audit::{self, AuditEvent, AuditQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiQuery;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(org_trail))
        .routes(routes!(national_trail))
}

/// The organisation's audit trail, newest first, 200 per page (`before` pages back).
#[utoipa::path(get, path = "/organisations/{org}/audit", tag = "audit",
    params(("org" = i64, Path, description = "Organisation id"), AuditQuery),
    responses((status = 200, body = Vec<AuditEvent>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn org_trail(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(org): Path<i64>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEvent>>, WebError> {
    let scope = rctx.actor()?.scope(org, Need::ReadOrg)?;
    Ok(Json(
        audit::for_org(&state.ctx, &scope, &q, audit::PAGE).await?,
    ))
}

/// The whole platform's audit trail (the operator), newest first, 200 per page.
#[utoipa::path(get, path = "/audit", tag = "audit",
    params(AuditQuery),
    responses((status = 200, body = Vec<AuditEvent>), (status = 403, body = Problem)))]
async fn national_trail(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEvent>>, WebError> {
    Ok(Json(
        audit::national(&state.ctx, rctx.actor()?, &q, audit::PAGE).await?,
    ))
}

//! The caller's notifications over the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tanu_app::notify::{self, Notification};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read))
}

/// The caller's notifications, newest first (at most 200).
#[utoipa::path(get, path = "/notifications", tag = "notifications",
    responses((status = 200, body = Vec<Notification>), (status = 401, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<Json<Vec<Notification>>, WebError> {
    Ok(Json(notify::inbox(&state.ctx, rctx.actor()?).await?))
}

/// Which to mark read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ReadInput {
    /// One notification; none: all.
    #[serde(default)]
    id: Option<i64>,
}

/// Marks one notification, or all, read.
#[utoipa::path(post, path = "/notifications/read", tag = "notifications",
    request_body = ReadInput,
    responses((status = 204, description = "Marked"), (status = 401, body = Problem)))]
async fn read(
    State(state): State<AppState>,
    rctx: RequestCtx,
    ApiJson(body): ApiJson<ReadInput>,
) -> Result<StatusCode, WebError> {
    notify::mark_read(&state.ctx, rctx.actor()?, body.id, rctx.now).await?;
    Ok(StatusCode::NO_CONTENT)
}

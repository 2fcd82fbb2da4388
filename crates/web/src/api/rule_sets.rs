//! Rule sets over the API.

use axum::Json;
use axum::extract::{Path, State};
use tanu_app::rule_sets::{self, RuleSetUpdate, StoredRuleSet};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_one, update))
}

/// Every rule set with its effective dates and parameters.
#[utoipa::path(get, path = "/rule-sets", tag = "rule-sets", responses((status = 200, body = Vec<StoredRuleSet>), (status = 401, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    rctx: RequestCtx,
) -> Result<Json<Vec<StoredRuleSet>>, WebError> {
    rctx.actor()?;
    Ok(Json(rule_sets::list(&state.ctx).await?))
}

/// One rule set.
#[utoipa::path(get, path = "/rule-sets/{id}", tag = "rule-sets", params(("id" = i64, Path, description = "Rule set id")),
    responses((status = 200, body = StoredRuleSet), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Json<StoredRuleSet>, WebError> {
    rctx.actor()?;
    Ok(Json(rule_sets::get(&state.ctx, id).await?))
}

/// Changes a rule set's effective dates and parameters (operator); bumps its version.
#[utoipa::path(put, path = "/rule-sets/{id}", tag = "rule-sets", params(("id" = i64, Path, description = "Rule set id")),
    request_body = RuleSetUpdate,
    responses((status = 200, body = StoredRuleSet), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RuleSetUpdate>,
) -> Result<Json<StoredRuleSet>, WebError> {
    Ok(Json(
        rule_sets::update(&state.ctx, rctx.actor()?, id, &body, rctx.now).await?,
    ))
}

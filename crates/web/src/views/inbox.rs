//! The inbox: what concerns the person, newest first, with the unread ones marked.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tanu_app::notify::{self, Notification};

use super::html;
use super::layout::Page;
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(show))
        .route("/inbox/read", post(read_all))
        .route("/inbox/{id}/open", post(open))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    page: Page,
    items: Vec<Notification>,
}

async fn show(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    let items = notify::inbox(&state.ctx, rctx.actor()?).await?;
    html(&InboxPage {
        page: Page::from_ctx(&rctx),
        items,
    })
}

async fn read_all(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    notify::mark_read(&state.ctx, rctx.actor()?, None, rctx.now).await?;
    Ok(Redirect::to("/inbox").into_response())
}

/// Marks one read and goes where it points.
async fn open(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    // Only one's own notices: another person's id is not found.
    let link = notify::inbox(&state.ctx, actor)
        .await?
        .into_iter()
        .find(|n| n.id == id)
        .map(|n| n.link)
        .ok_or(WebError::Status(axum::http::StatusCode::NOT_FOUND))?;
    notify::mark_read(&state.ctx, actor, Some(id), rctx.now).await?;
    Ok(Redirect::to(&super::safe_next(Some(&link))).into_response())
}

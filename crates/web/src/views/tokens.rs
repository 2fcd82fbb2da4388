//! The API tokens page: create (the secret is shown once), list, revoke.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tanu_app::tokens::{self, CreateToken, TokenInfo};

use super::layout::{FormState, Page};
use super::{form_error, html, page_with_status};
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(list).post(create))
        .route("/account/tokens/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    page: Page,
    tokens: Vec<TokenInfo>,
    created: Option<String>,
    form: FormState,
}

async fn page(
    state: &AppState,
    rctx: &RequestCtx,
    created: Option<String>,
    form: FormState,
) -> Result<TokensPage, WebError> {
    let tokens = tokens::list(&state.ctx, rctx.actor()?).await?;
    Ok(TokensPage {
        page: Page::from_ctx(rctx),
        tokens,
        created,
        form,
    })
}

async fn list(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    html(&page(&state, &rctx, None, FormState::new()).await?)
}

#[derive(Debug, Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    read_only: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Form(f): Form<NameForm>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    match tokens::create(
        &state.ctx,
        actor,
        &CreateToken {
            name: f.name.clone(),
            days: None,
            read_only: f.read_only.is_some(),
        },
        rctx.now,
    )
    .await
    {
        Ok(t) => page_with_status(
            StatusCode::CREATED,
            &page(&state, &rctx, Some(t.token), FormState::new()).await?,
        ),
        Err(e) => {
            let e = form_error(e.into())?;
            let form = FormState::new().with("name", f.name).fail(&e, &rctx.i18n());
            page_with_status(e.status(), &page(&state, &rctx, None, form).await?)
        }
    }
}

async fn revoke(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    tokens::revoke(&state.ctx, rctx.actor()?, id, rctx.now).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}

//! The start page: a short introduction for visitors, and for people who are logged
//! in, their organisations and roles and, for candidates, where their applications stand.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use tanu_app::applications::OwnCase;

use super::html;
use super::layout::Page;
use crate::context::RequestCtx;
use crate::error::WebError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

struct OrgLine {
    id: i64,
    name: String,
    roles: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    orgs: Vec<OrgLine>,
    /// A candidate's own applications, to follow them from the start page.
    cases: Vec<OwnCase>,
}

async fn home(State(state): State<AppState>, rctx: RequestCtx) -> Result<Response, WebError> {
    let page = Page::from_ctx(&rctx);
    let mut orgs = Vec::new();
    if let Some(actor) = &rctx.actor
        && !actor.is_operator
    {
        for o in tanu_app::organisations::list_visible(&state.ctx, actor).await? {
            let roles: Vec<String> = actor
                .roles_in(o.id)
                .map(|r| page.t(&format!("role-{}", r.as_str())))
                .collect();
            orgs.push(OrgLine {
                id: o.id,
                name: o.names().in_locale(rctx.locale).to_owned(),
                roles: roles.join(", "),
            });
        }
    }
    let cases = match &rctx.actor {
        Some(actor) if actor.is_candidate => {
            tanu_app::applications::mine_followed(&state.ctx, actor).await?
        }
        _ => Vec::new(),
    };
    html(&HomePage { page, orgs, cases })
}

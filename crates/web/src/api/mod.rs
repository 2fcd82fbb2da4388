//! The JSON API under `/api/v1`: every operation the UI offers, documented in
//! OpenAPI 3.1 at `/api/v1/openapi.json` and browsable at `/api/v1/docs`. Errors are
//! RFC 9457 problem details with a stable `code` (see [`crate::error::Problem`]).

mod accounts;
mod applications;
mod audit;
mod commissions;
mod docs;
mod meetings;
mod notifications;
mod organisations;
mod protocols;
mod reports;
mod rule_sets;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::WebError;
use crate::state::AppState;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tanu API",
        description = "Recognition of learning outcomes obtained through non-formal education. \
                       Authenticate with `Authorization: Bearer <token>`; create a token on the \
                       API tokens page or with POST /api/v1/auth/token. Errors are RFC 9457 \
                       problem details (`application/problem+json`) with a stable `code` and, \
                       where a rule of the act refused the request, its number in `rule`. \
                       Messages follow `Accept-Language` (kk, ru, en)."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    paths(crate::uploads::api_upload, crate::uploads::api_download, crate::uploads::api_verify),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "accounts", description = "Tokens, candidates, invitations"),
        (name = "organisations", description = "Educational organisations (rule 4) and their staff"),
        (name = "applications", description = "Applications, documents, completeness check (rules 3, 5, 10, 11) and the catalogue"),
        (name = "meetings", description = "Meetings: attendance, interviews, votes and decisions (rules 8, 12-14)"),
        (name = "commissions", description = "Commissions: composition, secretary, elections (rules 6–8)"),
        (name = "protocols", description = "Protocols of meetings, their approval, addenda and extracts (rule 9)"),
        (name = "notifications", description = "The caller's inbox"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "verification", description = "Public checks of issued documents and the signing key"),
        (name = "rule-sets", description = "Versioned rule sets and their parameters"),
        (name = "reports", description = "Figures of an organisation and of the country: status, months, outcomes, days to decision, programmes, providers, reused certificates"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Answers the HTTP layer gives any operation, added to each entry so that the document
/// lists every status an operation answers: 408 `timeout` to a request that outlasts its
/// time; where a token is needed, 401 `unauthenticated` without a valid one and, for a
/// change, 403 to a read-only token; where a body is taken, 400 `malformed-body`, 413
/// `body-too-large` and 415 `unsupported-media-type`.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder};
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        utoipa::openapi::ContentBuilder::new()
                            .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ];
            for (changes, op) in ops
                .into_iter()
                .filter_map(|(changes, op)| op.as_mut().map(|op| (changes, op)))
            {
                let takes_body = op.request_body.is_some();
                // `security(())`: a public operation, open without a token.
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                let answers = &mut op.responses.responses;
                if !public {
                    answers
                        .entry("401".to_owned())
                        .or_insert_with(|| problem("Not signed in: no valid token"));
                    if changes {
                        answers
                            .entry("403".to_owned())
                            .or_insert_with(|| problem("Not allowed (a read-only token)"));
                    }
                }
                if takes_body {
                    for (status, what) in [
                        ("400", "The body is not what the operation takes"),
                        ("413", "The body is over the limit"),
                        ("415", "The body is not of a type the operation takes"),
                    ] {
                        answers
                            .entry(status.to_owned())
                            .or_insert_with(|| problem(what));
                    }
                }
                answers
                    .entry("408".to_owned())
                    .or_insert_with(|| problem("The request outlasted its time"));
            }
        }
    }
}

/// The API router and its OpenAPI document.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            accounts::router()
                .merge(audit::router())
                .merge(organisations::router())
                .merge(commissions::router())
                .merge(applications::router())
                .merge(meetings::router())
                .merge(notifications::router())
                .merge(protocols::router())
                .merge(reports::router())
                .merge(rule_sets::router()),
        )
        .split_for_parts();
    let mut doc = doc;
    CommonAnswers.modify(&mut doc);
    let spec = std::sync::Arc::new(doc.clone());
    let json_spec = spec.clone();
    let router = router
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(json_spec.as_ref().clone()) }),
        )
        .route(
            "/api/v1/docs",
            get(move |rctx| docs::page(rctx, spec.clone())),
        );
    (router, doc)
}

/// The OpenAPI document (for the snapshot test and `tanu openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().1
}

/// Whether the caller asked for no body in the answer (`Prefer: return=minimal`, RFC
/// 7240): a state change then answers `204 No Content` once it is durable, without
/// reading the changed object back – for systems that record many votes or edits and
/// do not need the whole view after each.
pub(crate) fn prefers_minimal(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("return=minimal"))
}

/// `204 No Content` saying that `Prefer: return=minimal` was honoured.
pub(crate) fn minimal() -> axum::response::Response {
    (
        StatusCode::NO_CONTENT,
        [("preference-applied", "return=minimal")],
    )
        .into_response()
}

/// Query parameters whose rejections are problem documents naming the parameter
/// (`malformed-query`), where axum's own `Query` answers a bare 400.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|e| WebError::MalformedQuery(e.body_text()))
    }
}

/// A JSON body whose rejections are problem documents.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(WebError::UnsupportedMediaType),
            Err(JsonRejection::BytesRejection(r))
                if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(WebError::BodyTooLarge)
            }
            Err(e) => Err(WebError::MalformedBody(e.body_text())),
        }
    }
}

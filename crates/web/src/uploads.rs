//! Document uploads and downloads, and the public verification of a presented file, for
//! the API and the pages. Uploads come as `multipart/form-data` with one `file` field and
//! are streamed to the store by the service; a file to verify is hashed as it streams in
//! and never held. Each has its own router with its own body limit (the configured
//! upload size, the verification size) and its own number of bodies read at once.

use axum::Router;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use tanu_app::applications::{self, Document};

use crate::context::RequestCtx;
use crate::error::{Problem, WebError};
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/applications/{id}/documents/{kind}",
            post(api_upload),
        )
        .route(
            "/api/v1/applications/{id}/documents/{kind}/{document}",
            get(api_download),
        )
        .route("/applications/{id}/documents/{kind}", post(page_upload))
        .route(
            "/applications/{id}/documents/{kind}/{document}",
            get(api_download),
        )
}

/// Routes of the public verification of a file (see [`crate::WebSettings::max_verify_bytes`]).
pub(crate) fn verify_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/verify", post(api_verify))
        .route("/verify", post(page_verify))
}

/// Uploads being received at once. The others wait for their turn before a byte of
/// their body is read: the server then buffers a few bodies, not one per connection
/// (hyper reads ahead up to a few hundred KiB of every body that is being polled, and
/// a burst of 1,500 uploads held 900 MB that way).
static RECEIVING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(8);

/// Files being verified at once: fewer than uploads, and apart from them, so that
/// anonymous callers cannot take the turns of candidates uploading their documents.
/// Hashing holds a chunk at a time, so each turn costs little memory; the limit bounds
/// how many bodies hyper reads ahead.
static VERIFYING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// A turn from `turns`: waiting longer than a minute means the server is saturated, so
/// say so (503, try again) rather than hold the connection.
async fn turn(
    turns: &'static tokio::sync::Semaphore,
) -> Result<tokio::sync::SemaphorePermit<'static>, WebError> {
    tokio::time::timeout(std::time::Duration::from_secs(60), turns.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(WebError::Status(StatusCode::SERVICE_UNAVAILABLE))
}

/// Finds the `file` field and streams it into the application's documents.
async fn receive(
    state: &AppState,
    rctx: &RequestCtx,
    id: i64,
    kind: &str,
    mut multipart: Multipart,
) -> Result<Document, WebError> {
    let actor = rctx.actor()?;
    let _turn = turn(&RECEIVING).await?;
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|e| WebError::MalformedBody(e.body_text()))?
            .ok_or_else(|| WebError::MalformedBody("no `file` field in the form".to_owned()))?;
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("document").to_owned();
        let stream = field.map(|chunk| chunk.map_err(|e| e.to_string()));
        let max = state.settings.max_upload_bytes;
        // Boxed: the upload's state (hashing, the store's multipart writer) is allocated
        // when its turn comes, not by every request still waiting for one.
        return Ok(Box::pin(applications::upload(
            &state.ctx,
            actor,
            id,
            kind,
            &name,
            Box::pin(stream),
            max,
            rctx.now,
        ))
        .await?);
    }
}

/// Uploads one of the three documents of rule 10 (`statement`, `identity`,
/// `confirming`) as `multipart/form-data` with a `file` field: PDF, JPEG or PNG, checked
/// by content, at most the configured size (20 MB by default). Replaces the previous
/// document of that kind.
#[utoipa::path(post, path = "/api/v1/applications/{id}/documents/{kind}", tag = "applications",
    params(("id" = i64, Path, description = "Application id"), ("kind" = String, Path, description = "statement, identity or confirming")),
    request_body(content_type = "multipart/form-data", description = "A `file` field"),
    responses((status = 201, body = Document), (status = 400, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_upload(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((id, kind)): Path<(i64, String)>,
    multipart: Multipart,
) -> Result<(StatusCode, axum::Json<Document>), WebError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(receive(&state, &rctx, id, &kind, multipart).await?),
    ))
}

async fn page_upload(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((id, kind)): Path<(i64, String)>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    match receive(&state, &rctx, id, &kind, multipart).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}#documents")).into_response()),
        Err(e) => crate::views::applications::show_with_error(&state, &rctx, id, e).await,
    }
}

/// Downloads a document (the candidate, and the organisation's staff). Every download is
/// recorded: who and when.
#[utoipa::path(get, path = "/api/v1/applications/{id}/documents/{kind}/{document}", tag = "applications",
    params(("id" = i64, Path, description = "Application id"), ("kind" = String, Path, description = "Document kind"), ("document" = i64, Path, description = "Document id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub(crate) async fn api_download(
    State(state): State<AppState>,
    rctx: RequestCtx,
    Path((id, _kind, document)): Path<(i64, String, i64)>,
) -> Result<Response, WebError> {
    let actor = rctx.actor()?;
    let (doc, size, stream) =
        applications::download(&state.ctx, actor, id, document, &rctx.ip, rctx.now).await?;
    let ext = tanu_domain::application::FileType::parse(&doc.content_type)
        .map_or("bin", |t| t.extension());
    let filename = format!("{}-{}.{ext}", doc.kind, doc.id);
    let mut r = Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&doc.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}

/// `?code=` to compare a file with the document registered under that code.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct CodeQuery {
    /// Verification code printed on the document (optional).
    #[serde(default)]
    code: Option<String>,
}

/// Public: checks a PDF sent as the request body (`application/pdf`, at most 10 MiB):
/// `genuine` when it is, byte for byte, a registered document (and the one under `code`,
/// when given); `altered` when the code is known but the file differs; `unknown`
/// otherwise.
#[utoipa::path(post, path = "/api/v1/verify", tag = "verification", security(()),
    params(CodeQuery),
    request_body(content_type = "application/pdf", description = "The PDF to check"),
    responses((status = 200, body = tanu_app::protocols::Verdict), (status = 413, body = Problem),
        (status = 422, body = Problem), (status = 503, body = Problem)))]
pub(crate) async fn api_verify(
    State(state): State<AppState>,
    Query(q): Query<CodeQuery>,
    body: Body,
) -> Result<axum::Json<tanu_app::protocols::Verdict>, WebError> {
    let _turn = turn(&VERIFYING).await?;
    let presented =
        tanu_app::protocols::presented(body.into_data_stream(), state.settings.max_verify_bytes)
            .await?;
    Ok(axum::Json(
        tanu_app::protocols::verify(&state.ctx, q.code.as_deref(), Some(&presented)).await?,
    ))
}

/// The verification page's form: a code and/or a file.
async fn page_verify(
    State(state): State<AppState>,
    rctx: RequestCtx,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let _turn = turn(&VERIFYING).await?;
    let mut code = String::new();
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::MalformedBody(e.body_text()))?
    {
        match field.name() {
            Some("code") => {
                code = field
                    .text()
                    .await
                    .map_err(|e| WebError::MalformedBody(e.body_text()))?
                    .trim()
                    .chars()
                    .take(40)
                    .collect();
            }
            Some("file") => {
                let stream = field.map(|chunk| chunk.map_err(|e| e.to_string()));
                let presented = tanu_app::protocols::presented(
                    Box::pin(stream),
                    state.settings.max_verify_bytes,
                )
                .await?;
                // A form sent without choosing a file has an empty `file` field.
                file = (presented.size > 0).then_some(presented);
            }
            _ => {}
        }
    }
    let verdict = if code.is_empty() && file.is_none() {
        None
    } else {
        Some(tanu_app::protocols::verify(&state.ctx, Some(&code), file.as_ref()).await?)
    };
    crate::views::html(&crate::views::protocols::VerifyPage::new(
        &rctx, code, verdict,
    ))
}

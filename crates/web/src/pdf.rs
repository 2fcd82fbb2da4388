//! Sending a PDF: inline (the browser shows it), with a file name for saving, and the
//! verification code of an issued document in a header.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tanu_app::protocols::Pdf;

/// Header carrying the verification code of an issued document.
pub const CODE_HEADER: &str = "x-tanu-verification-code";

/// The PDF as a response.
pub(crate) fn pdf_response(pdf: Pdf) -> Response {
    let mut r = Body::from(pdf.bytes).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}\"", pdf.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(code) = pdf.code.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(CODE_HEADER, code);
    }
    r
}

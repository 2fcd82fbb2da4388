//! A browsable, server-rendered page of the OpenAPI document (no external scripts:
//! the CSP forbids them and slow connections would not thank us).

use std::sync::Arc;

use askama::Template;
use axum::response::Response;
use serde_json::Value;

use crate::context::RequestCtx;
use crate::error::WebError;
use crate::views::layout::Page;

struct Operation {
    method: String,
    path: String,
    summary: String,
    description: String,
    tag: String,
    public: bool,
    params: Vec<String>,
    body: Option<String>,
    responses: Vec<String>,
}

struct Schema {
    name: String,
    fields: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    page: Page,
    operations: Vec<Operation>,
    schemas: Vec<Schema>,
}

fn ref_name(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!("[{}]", v.get("items").map(ref_name).unwrap_or_default())
        }
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => v
            .get("oneOf")
            .or(v.get("anyOf"))
            .and_then(Value::as_array)
            .map_or_else(
                || "object".to_owned(),
                |alts| alts.iter().map(ref_name).collect::<Vec<_>>().join(" | "),
            ),
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let (summary, description) = (text(op, "summary"), text(op, "description"));
            let params = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            format!(
                                "{} ({}): {}",
                                text(p, "name"),
                                text(p, "in"),
                                text(p, "description")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body = op
                .pointer("/requestBody/content/application~1json/schema")
                .map(ref_name);
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|rs| {
                    rs.iter()
                        .map(|(code, r)| {
                            let schema = r
                                .pointer("/content/application~1json/schema")
                                .map(|s| format!(" {}", ref_name(s)))
                                .unwrap_or_default();
                            format!("{code}{schema}")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let public = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| {
                    s.iter()
                        .any(|x| x.as_object().is_some_and(|o| o.is_empty()))
                });
            let tag = op
                .pointer("/tags/0")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary,
                description,
                tag,
                public,
                params,
                body,
                responses,
            });
        }
    }
    out.sort_by(|a, b| (&a.tag, &a.path).cmp(&(&b.tag, &b.path)));
    out
}

fn schemas(doc: &Value) -> Vec<Schema> {
    let Some(all) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    all.iter()
        .map(|(name, s)| Schema {
            name: name.clone(),
            fields: s
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| {
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), ref_name(v), text(v, "description")))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The docs page.
pub(super) async fn page(
    rctx: RequestCtx,
    spec: Arc<utoipa::openapi::OpenApi>,
) -> Result<Response, WebError> {
    let doc = serde_json::to_value(spec.as_ref()).unwrap_or_default();
    crate::views::html(&DocsPage {
        page: Page::from_ctx(&rctx),
        operations: operations(&doc),
        schemas: schemas(&doc),
    })
}

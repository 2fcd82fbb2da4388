//! The API's contract, checked on every test: each (operation, status) the server
//! answered in this process – read from its own request counter, by matched route – must
//! be listed in the operation's OpenAPI entry. nextest runs each test in a process of
//! its own, so the whole suite walks the contract without a separate list.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(tanu_web::api::openapi()).expect("the document"))
}

/// The value of `name="…"` in a Prometheus label set.
fn label<'a>(labels: &'a str, name: &str) -> Option<&'a str> {
    let start = labels.find(&format!("{name}=\""))? + name.len() + 2;
    let len = labels[start..].find('"')?;
    Some(&labels[start..start + len])
}

/// `METHOD route status` of every answer the document does not list for its operation.
pub fn undocumented() -> Vec<String> {
    let text = tanu_web::metrics_handle().render();
    let mut wrong = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("tanu_http_requests_total{") else {
            continue;
        };
        let Some((labels, _)) = rest.split_once('}') else {
            continue;
        };
        let (Some(method), Some(route), Some(status)) = (
            label(labels, "method"),
            label(labels, "route"),
            label(labels, "status"),
        ) else {
            continue;
        };
        if !route.starts_with("/api/v1/")
            || ["/api/v1/openapi.json", "/api/v1/docs"].contains(&route)
        {
            continue;
        }
        let op = &document()["paths"][route][method.to_lowercase()];
        if op.is_null() {
            // No such operation: the router's 405, not an answer of one.
            continue;
        }
        let listed = op["responses"]
            .as_object()
            .is_some_and(|r| r.contains_key(status) || r.contains_key("default"));
        if !listed {
            wrong.insert(format!("{method} {route} {status}"));
        }
    }
    wrong.into_iter().collect()
}

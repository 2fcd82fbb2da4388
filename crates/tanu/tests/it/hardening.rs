//! Security hardening (issue 20): exports that a spreadsheet cannot run, CSRF tokens
//! bound to the session, the language switch as a POST, names without invisible
//! characters. Every story on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// A name a spreadsheet would run as a formula, were it not neutralised.
const FORMULA: &str = "=HYPERLINK(\"https://evil.example\",\"Open\")";

/// The rows of a CSV export (byte-order mark dropped), parsed as CSV.
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let body = body.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    // A tiny RFC 4180 reader: quoted cells with doubled quotes, CRLF or LF.
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

both!(audit_csv_neutralises_a_name_that_is_a_formula, |app| {
    let r = app
        .client()
        .post(app.url("/api/v1/candidates"))
        .json(&json!({ "full_name": FORMULA, "email": "formula@mail.kz", "password": PASSWORD, "iin": "850715400357" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A login puts the candidate's name into the trail.
    app.token("formula@mail.kz", PASSWORD).await;
    let op = app.operator_token().await;
    let r = app.get(&op, "/audit.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = csv_rows(&r.text().await.unwrap());
    let person = rows[0].iter().position(|h| h == "person").unwrap();
    let names: Vec<&str> = rows[1..].iter().map(|r| r[person].as_str()).collect();
    assert!(names.contains(&format!("'{FORMULA}").as_str()), "{names:?}");
    assert!(!names.contains(&FORMULA), "{names:?}");
});

both!(
    reports_csv_neutralises_a_provider_that_is_a_formula,
    |app| {
        let op = app.operator_token().await;
        let org = app.org(&op, BIN_A, "higher").await;
        let (_, admin) = app.staff(&op, org, "admin@a.kz", &["org-admin"]).await;
        let r = app.client().post(app.url("/api/v1/candidates"))
        .json(&json!({ "full_name": "Серікбай Аружан", "email": "aru@mail.kz", "password": PASSWORD, "iin": "850715400357" }))
        .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let candidate = app.token("aru@mail.kz", PASSWORD).await;
        let cert = json!({ "kind": "certificate", "provider_name": FORMULA, "programme_title": "Python", "hours": 72,
        "study_from": "2026-01-10", "study_to": "2026-03-20", "number": "C-1", "issued_on": "2026-03-25", "outcomes": ["writes programs"] });
        let r = app.post(&candidate, "/api/v1/applications", json!({ "org_id": org, "statement": "Курс бітірдім", "unit_ids": [], "consent": true, "certificate": cert })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        for (kind, name, bytes) in [
            ("identity", "id.png", png()),
            ("confirming", "c.pdf", pdf("c")),
        ] {
            let r = app.upload(&candidate, id, kind, name, bytes).await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        let r = app
            .post(
                &candidate,
                &format!("/api/v1/applications/{id}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);

        let r = app.get(&admin, &format!("/orgs/{org}/reports.csv")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let rows = csv_rows(&r.text().await.unwrap());
        let provider = rows
            .iter()
            .find(|r| r[0] == "one" && r.len() == 8)
            .unwrap_or_else(|| panic!("a provider row in {rows:?}"));
        assert_eq!(provider[2], format!("'{FORMULA}"));
    }
);

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
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.verify_email("formula@mail.kz").await;
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
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        app.verify_email("aru@mail.kz").await;
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

/// A browser whose cookies the test sees and can plant: they are kept by hand.
struct Visitor<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: std::collections::BTreeMap<String, String>,
}

impl<'a> Visitor<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: app.client(),
            cookies: std::collections::BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Keeps what the response sets; a cookie set to expire at once is removed.
    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn csrf_cookie(&self) -> String {
        self.cookies.get("tanu_csrf").cloned().unwrap_or_default()
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> reqwest::Response {
        let r = req
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    async fn page(&mut self, path: &str) -> String {
        let req = self.client.get(self.app.url(path));
        let r = self.send(req).await;
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.text().await.unwrap()
    }

    async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let req = self.client.post(self.app.url(path)).form(form);
        self.send(req).await
    }

    async fn me(&mut self) -> Value {
        let req = self.client.get(self.app.url("/api/v1/me"));
        let r = self.send(req).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn log_in(&mut self, email: &str) {
        let csrf = csrf_of(&self.page("/login").await);
        let r = self
            .post_form(
                "/login",
                &[("csrf", &csrf), ("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {email}");
        assert!(self.cookies.contains_key("tanu_session"));
    }
}

/// Made up by a same-site attacker who can plant a cookie: long enough to pass for one.
const PLANTED: &str = "0123456789abcdef0123456789abcdef01234567";

both!(a_planted_csrf_token_is_refused_when_signed_in, |app| {
    let mut v = Visitor::new(&app);
    v.log_in(OPERATOR_EMAIL).await;
    v.cookies.insert("tanu_csrf".into(), PLANTED.into());
    // As a form field beside the planted cookie.
    let r = v.post_form("/inbox/read", &[("csrf", PLANTED)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("csrf"));
    // As the header of an API call made with the session cookie.
    let req = v
        .client
        .put(app.url("/api/v1/me/locale"))
        .header("x-csrf-token", PLANTED)
        .json(&json!({ "locale": "ru" }));
    let r = v.send(req).await;
    problem(r, StatusCode::FORBIDDEN, "csrf").await;
    assert_eq!(v.me().await["locale"], "kk");
    // The token of the session's own pages works, whatever the cookie says.
    let token = csrf_of(&v.page("/").await);
    assert_ne!(token, PLANTED);
    let r = v.post_form("/inbox/read", &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
});

both!(
    the_csrf_token_changes_at_login_and_is_void_after_logout,
    |app| {
        let mut v = Visitor::new(&app);
        let anonymous = csrf_of(&v.page("/login").await);
        let pre_session = v.csrf_cookie();
        v.log_in(OPERATOR_EMAIL).await;
        assert_ne!(v.csrf_cookie(), pre_session, "renewed at login");
        let signed_in = csrf_of(&v.page("/").await);
        assert_ne!(signed_in, anonymous, "a new token after login");
        let cookie_before = v.csrf_cookie();

        let r = v.post_form("/logout", &[("csrf", &signed_in)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!v.cookies.contains_key("tanu_session"));
        assert_ne!(v.csrf_cookie(), cookie_before, "renewed at logout");
        // Neither the session's token nor the cookie the browser held before is worth
        // anything now.
        for old in [&signed_in, &cookie_before] {
            let r = v
                .post_form(
                    "/login",
                    &[
                        ("csrf", old),
                        ("email", OPERATOR_EMAIL),
                        ("password", PASSWORD),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "old token {old}");
        }
        let fresh = csrf_of(&v.page("/login").await);
        assert_ne!(fresh, signed_in);
        v.log_in(OPERATOR_EMAIL).await;
        let again = csrf_of(&v.page("/").await);
        assert_ne!(again, signed_in, "each session has its own token");
    }
);

/// An organisation, and a candidate signed in by cookie with a draft application there.
async fn candidate_with_draft(app: &TestApp) -> (Visitor<'_>, i64, String) {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let r = app.client().post(app.url("/api/v1/candidates"))
        .json(&json!({ "full_name": "Серікбай Аружан", "email": "aru@mail.kz", "password": PASSWORD, "iin": "850715400357" }))
        .send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.verify_email("aru@mail.kz").await;
    let token = app.token("aru@mail.kz", PASSWORD).await;
    let cert = json!({ "kind": "certificate", "provider_name": "IT Academy", "programme_title": "Python", "hours": 72,
        "study_from": "2026-01-10", "study_to": "2026-03-20", "number": "C-1", "issued_on": "2026-03-25", "outcomes": ["writes programs"] });
    let r = app.post(&token, "/api/v1/applications", json!({ "org_id": org, "statement": "Курс бітірдім", "unit_ids": [], "consent": true, "certificate": cert })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut v = Visitor::new(app);
    v.log_in("aru@mail.kz").await;
    (v, id, token)
}

fn png_part() -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(png()).file_name("id.png")
}

both!(
    upload_forms_carry_the_csrf_token_in_a_field_never_in_the_url,
    |app| {
        let (mut v, id, token) = candidate_with_draft(&app).await;
        let page = v.page(&format!("/applications/{id}")).await;
        assert!(!page.contains("csrf="), "no token in a URL: {page}");
        let csrf = csrf_of(&page);
        // The hidden field comes first in each upload form, before the file.
        let action = format!("action=\"/applications/{id}/documents/identity\"");
        let form = &page[page.find(&action).expect("upload form")..];
        let first_input = &form[form.find("<input").unwrap()..];
        assert!(
            first_input.starts_with(&format!(
                "<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">"
            )),
            "{form}"
        );
        let path = format!("/applications/{id}/documents/identity");

        // The token in the URL, as before: refused, with or without the field.
        let url = app.url(&format!("{path}?csrf={csrf}"));
        let req = v
            .client
            .post(&url)
            .multipart(reqwest::multipart::Form::new().part("file", png_part()));
        assert_eq!(v.send(req).await.status(), StatusCode::FORBIDDEN);
        let req = v.client.post(&url).multipart(
            reqwest::multipart::Form::new()
                .text("csrf", csrf.clone())
                .part("file", png_part()),
        );
        assert_eq!(v.send(req).await.status(), StatusCode::FORBIDDEN);
        // A field after the file is not read.
        let req = v.client.post(app.url(&path)).multipart(
            reqwest::multipart::Form::new()
                .part("file", png_part())
                .text("csrf", csrf.clone()),
        );
        assert_eq!(v.send(req).await.status(), StatusCode::FORBIDDEN);
        // A planted token is refused in the field too.
        let req = v.client.post(app.url(&path)).multipart(
            reqwest::multipart::Form::new()
                .text("csrf", PLANTED)
                .part("file", png_part()),
        );
        assert_eq!(v.send(req).await.status(), StatusCode::FORBIDDEN);
        let api_path = format!("/api/v1/applications/{id}");
        assert_eq!(
            app.get_json(&token, &api_path).await["documents"],
            json!([]),
            "nothing was stored"
        );

        // The field first: stored.
        let req = v.client.post(app.url(&path)).multipart(
            reqwest::multipart::Form::new()
                .text("csrf", csrf.clone())
                .part("file", png_part()),
        );
        let r = v.send(req).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"],
            format!("/applications/{id}#documents")
        );
        // Or the header, as a script would send it.
        let req = v
            .client
            .post(app.url(&format!("/applications/{id}/documents/confirming")))
            .header("x-csrf-token", &csrf)
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(pdf("c")).file_name("c.pdf"),
            ));
        assert_eq!(v.send(req).await.status(), StatusCode::SEE_OTHER);
        let docs = app.get_json(&token, &api_path).await["documents"].clone();
        let kinds: Vec<&str> = docs
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.len(), 2, "{docs}");
        assert!(kinds.contains(&"identity") && kinds.contains(&"confirming"));

        // The public verification form works the same way.
        let page = v.page("/verify").await;
        assert!(!page.contains("csrf="), "{page}");
        let csrf = csrf_of(&page);
        let req = v.client.post(app.url("/verify")).multipart(
            reqwest::multipart::Form::new()
                .text("csrf", csrf)
                .text("code", "AAAAA-BBBBB"),
        );
        assert_eq!(v.send(req).await.status(), StatusCode::OK);
    }
);
both!(
    a_signed_in_get_of_the_language_switch_leaves_the_account_alone,
    |app| {
        let mut v = Visitor::new(&app);
        v.log_in(OPERATOR_EMAIL).await;
        assert_eq!(v.me().await["locale"], "kk");
        let req = v.client.get(app.url("/lang/ru?next=%2Forgs"));
        let r = v.send(req).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/orgs");
        assert_eq!(v.cookies.get("tanu_lang").map(String::as_str), Some("ru"));
        assert_eq!(v.me().await["locale"], "kk", "a GET changes nothing stored");

        // Signed in, the switcher is a form that posts.
        let page = v.page("/orgs").await;
        assert!(page.contains("<html lang=\"ru\">"));
        assert!(
            page.contains("<form method=\"post\" action=\"/lang/en\""),
            "{page}"
        );
        assert!(!page.contains("href=\"/lang/"), "{page}");
        let csrf = csrf_of(&page);
        let r = v.post_form("/lang/en", &[("next", "/orgs")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "not without the token");
        assert_eq!(v.me().await["locale"], "kk");
        let r = v
            .post_form("/lang/en", &[("csrf", &csrf), ("next", "/orgs")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/orgs");
        assert_eq!(v.me().await["locale"], "en");
        assert_eq!(v.cookies.get("tanu_lang").map(String::as_str), Some("en"));
        // Anonymous visitors keep links.
        let page = Visitor::new(&app).page("/login").await;
        assert!(page.contains("href=\"/lang/en?next="), "{page}");
    }
);
both!(names_with_invisible_characters_are_refused, |app| {
    let register = |name: String, email: &'static str, iin: &'static str| {
        let c = app.client();
        let url = app.url("/api/v1/candidates");
        async move {
            c.post(url)
                .json(
                    &json!({ "full_name": name, "email": email, "password": PASSWORD, "iin": iin }),
                )
                .send()
                .await
                .unwrap()
        }
    };
    for spoof in ["\u{202E}", "\u{200B}", "\u{2066}", "\u{FEFF}", "\u{00AD}"] {
        let r = register(
            format!("Серікбай{spoof} Аружан"),
            "aru@mail.kz",
            "850715400357",
        )
        .await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invisible-character").await;
        assert_eq!(p["field"], "full_name", "{p}");
    }
    // Apostrophes, hyphens and the Kazakh letters are names.
    let r = register("O'Brien Әлия-Мария".into(), "aru@mail.kz", "850715400357").await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);

    let op = app.operator_token().await;
    let r = app
        .post(
            &op,
            "/api/v1/organisations",
            json!({ "kind": "higher", "bin": BIN_A, "name_kk": "Колледж", "name_ru": "Колледж\u{200F}", "address": "Астана" }),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invisible-character").await;
    assert_eq!(p["field"], "name_ru");
});

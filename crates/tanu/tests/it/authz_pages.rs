//! The authorisation matrix of the pages (issue 20): every route of the router that is
//! not an operation of the OpenAPI document, called by every kind of caller of
//! `authz.rs` as a browser calls it – signed in through the login form, with the session
//! cookie, and the session's CSRF token on every POST – and checked against the table
//! kept in `docs/authorization-pages.csv`.
//!
//! The routes are read from the web crate's source (`.route("…", get(…).post(…))`), so a
//! new page without a row fails the test, and so does a row without a route. A row may
//! name one value of a path parameter that the handler dispatches on (the `{action}` of
//! a meeting's item or of a protocol).
//!
//! Cells read as in `authz.rs`; for a page, taking effect is a 200 or a redirect that is
//! not to the login form, and the gate's refusal is the login form for an anonymous
//! caller, or a 401, 403 or 404 page.

use reqwest::{Client, StatusCode};

use crate::authz::{
    Answer, CALLERS, Cell, EMAILS, Fixture, Row, every_caller, fixture, footprint, fresh_email,
    fresh_number, operations, read_table, step,
};
use crate::common::*;

const PAGES: &str = include_str!("../../../../docs/authorization-pages.csv");

fn rows() -> Vec<Row> {
    read_table(PAGES, &["method", "path"])
}

/// `(method, path)` of every route the web crate's source declares.
fn routes() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = vec![root];
    let mut found = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                files.push(entry.unwrap().path());
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices(".route(") {
            let rest = &text[at + ".route(".len()..];
            let rest = rest.trim_start();
            let Some(rest) = rest.strip_prefix('"') else {
                panic!("{}: a route whose path is not a literal", path.display());
            };
            let end = rest.find('"').unwrap();
            let route = &rest[..end];
            // The handlers: method functions called at the first level of the
            // arguments (`get(a).post(b)`), up to the parenthesis closing `.route(`.
            let mut depth = 1;
            let mut word = String::new();
            for c in rest[end + 1..].chars() {
                match c {
                    '(' => {
                        if depth == 1
                            && ["get", "post", "put", "delete", "patch"].contains(&word.as_str())
                        {
                            found.push((word.to_uppercase(), route.to_owned()));
                        }
                        depth += 1;
                    }
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                if c.is_ascii_alphanumeric() || c == '_' {
                    word.push(c);
                } else {
                    word.clear();
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Whether a row's path stands for a route: the same segments, where a parameter of the
/// route may be given as a value in the row.
fn stands_for(row: &str, route: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (row.split('/').collect(), route.split('/').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(r, t)| r == t || (t.starts_with('{') && !r.is_empty()))
}

#[test]
fn every_route_of_the_router_has_a_row() {
    let routes = routes();
    assert!(routes.len() > 80, "only {} routes found", routes.len());
    let ops = operations();
    let rows = rows();
    let mut problems = Vec::new();
    for (method, path) in &routes {
        let in_api = ops.iter().any(|(m, p, _, _)| {
            m == method && format!("/api/v1{}", p.trim_start_matches("/api/v1")) == *path
        });
        let in_pages = rows
            .iter()
            .any(|r| &r.method == method && stands_for(&r.path, path));
        if !in_api && !in_pages {
            problems.push(format!(
                "{method} {path} has no row in docs/authorization-pages.csv \
                 (nor an operation in the OpenAPI document)"
            ));
        }
        if in_api && in_pages {
            problems.push(format!(
                "{method} {path} is an API operation and a page row"
            ));
        }
    }
    for r in &rows {
        if !routes
            .iter()
            .any(|(m, p)| *m == r.method && stands_for(&r.path, p))
        {
            problems.push(format!(
                "{} {} is in the table but not in the router",
                r.method, r.path
            ));
        }
        if rows
            .iter()
            .filter(|o| o.method == r.method && o.path == r.path)
            .count()
            > 1
        {
            problems.push(format!("{} {} has two rows", r.method, r.path));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What a page's POST sends.
enum Form {
    Fields(Vec<(&'static str, String)>),
    /// A multipart form with one file (`file`).
    File(Vec<u8>, &'static str),
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn fields(pairs: &[(&'static str, &str)]) -> Form {
    Form::Fields(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}

impl Fixture {
    /// The URL of a page row: the row's path with the fixture's ids.
    fn page_url(&self, path: &str) -> String {
        if path == "/applications/{application}/meetings/{meeting}/calendar.ics" {
            // The candidate's meeting: the one their application was decided at.
            return format!(
                "/applications/{}/meetings/{}/calendar.ics",
                self.application, self.held
            );
        }
        self.fill(path)
    }

    /// A plausible form for a page's POST.
    fn form(&self, caller: usize, path: &str) -> Form {
        let m = &self.members;
        let org = self.org.to_string();
        let application = [
            ("org_id", org.as_str()),
            ("statement", "Курс бітірдім"),
            ("consent", "on"),
        ];
        match path {
            "/login" => fields(&[
                (
                    "email",
                    if caller == 0 {
                        "admin@b.kz"
                    } else {
                        EMAILS[caller]
                    },
                ),
                ("password", PASSWORD),
            ]),
            "/logout"
            | "/inbox/read"
            | "/inbox/{id}/open"
            | "/account/verify-email"
            | "/account/sessions/sign-out-elsewhere"
            | "/account/data"
            | "/account/tokens/{id}/revoke"
            | "/applications/{id}/submit"
            | "/applications/{id}/withdraw"
            | "/applications/{id}/withdraw-consent"
            | "/applications/{id}/delete"
            | "/orgs/{org}/meetings/{id}/open"
            | "/orgs/{org}/meetings/{id}/close"
            | "/orgs/{org}/meetings/{id}/protocol"
            | "/orgs/{org}/commissions/{id}/elections/{election}/close"
            | "/orgs/{org}/protocols/{id}/send"
            | "/orgs/{org}/protocols/{id}/return"
            | "/orgs/{org}/protocols/{id}/approve"
            | "/orgs/{org}/meetings/{id}/items/{item}/vote-open"
            | "/orgs/{org}/meetings/{id}/items/{item}/vote-close"
            | "/verify-email/{token}" => fields(&[]),
            "/lang/{code}" => fields(&[("next", "/")]),
            "/register" => Form::Fields(vec![
                ("full_name", "Үміткер Тестов".to_owned()),
                ("email", fresh_email("page")),
                ("password", PASSWORD.to_owned()),
                ("iin", fresh_number("97")),
            ]),
            "/invite/{token}" | "/password-reset/{token}" => fields(&[("password", PASSWORD)]),
            "/password-reset" => Form::Fields(vec![("email", fresh_email("reset"))]),
            "/account/password" => fields(&[
                ("current_password", "not the password"),
                ("new_password", "another long password"),
            ]),
            "/claim" => fields(&[("code", "AAAA-BBBB-CCCC")]),
            "/account/delete" => fields(&[("password", "not the password"), ("confirm", "yes")]),
            "/orgs/{id}/retention" => fields(&[
                ("drafts_days", "60"),
                ("withdrawn_days", "30"),
                ("incomplete_days", "180"),
                ("identity_days", "365"),
            ]),
            "/account/tokens" => fields(&[("name", "page token")]),
            "/applications/new" | "/applications/{id}" => fields(&application),
            "/orgs/{org}/applications/new" => {
                let mut f = application.map(|(k, v)| (k, v.to_owned())).to_vec();
                f.push(("full_name", "Келуші Тестов".to_owned()));
                f.push(("iin", fresh_number("96")));
                Form::Fields(f)
            }
            "/applications/{id}/check" => {
                let mut f = Vec::new();
                for kind in ["statement", "identity", "confirming"] {
                    for box_ in ["present", "legible", "matches"] {
                        f.push((box_, kind.to_owned()));
                    }
                }
                Form::Fields(f)
            }
            "/applications/{id}/documents/{kind}" => Form::File(png(), "id.png"),
            "/verify" => Form::File(self.pdf.clone(), "protocol.pdf"),
            "/orgs/new" => Form::Fields(vec![
                ("kind", "higher".to_owned()),
                ("bin", fresh_number("13")),
                ("name_kk", "Жаңа колледж".to_owned()),
                ("name_ru", "Новый колледж".to_owned()),
                ("address", "Алматы".to_owned()),
            ]),
            "/orgs/{id}/edit" => fields(&[
                ("kind", "higher"),
                ("bin", BIN_A),
                ("name_kk", "Колледж"),
                ("name_ru", "Колледж"),
                ("address", "Астана"),
            ]),
            "/orgs/{id}/staff/new" => Form::Fields(vec![
                ("full_name", "Жаңа Қызметкер".to_owned()),
                ("email", fresh_email("pagestaff")),
                ("position", "teacher".to_owned()),
            ]),
            "/orgs/{id}/staff/{staff_id}" => fields(&[("position", "teacher"), ("active", "on")]),
            "/orgs/{org}/programmes" => fields(&[
                ("programme_code", "P1"),
                ("programme_title_kk", "Бағдарлама"),
                ("programme_title_ru", "Программа"),
                ("unit_code", "U9"),
                ("unit_kind", "discipline"),
                ("unit_title_kk", "Пән"),
                ("unit_title_ru", "Дисциплина"),
                ("credits", "2"),
                ("outcomes", "reads programs"),
            ]),
            "/orgs/{org}/programmes/import" => fields(&[(
                "csv",
                "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes\n\
                 P1,Бағдарлама,Программа,U8,discipline,Пән,Дисциплина,4,tests programs\n",
            )]),
            "/orgs/{org}/commissions/new" => fields(&[
                ("name", "Екінші комиссия"),
                ("term_from", "2026-01-01"),
                ("term_to", "2030-12-31"),
            ]),
            "/orgs/{org}/commissions/{id}/membership" => fields(&[
                ("ext_full_name", "Сырттан Келген"),
                ("ext_position", "эксперт"),
                ("ext_home_organisation", "ЖШС Тест"),
            ]),
            "/orgs/{org}/commissions/{id}/secretary" => {
                Form::Fields(vec![("staff_id", self.secretary_staff.to_string())])
            }
            "/orgs/{org}/commissions/{id}/elections" => fields(&[("office", "deputy")]),
            "/orgs/{org}/commissions/{id}/elections/{election}/ballot" => {
                Form::Fields(vec![("candidate", m[1].to_string())])
            }
            "/orgs/{org}/commissions/{id}/elections/{election}/ballots" => {
                Form::Fields(vec![(leak(format!("vote_{}", m[3])), m[1].to_string())])
            }
            "/orgs/{org}/meetings/{id}/cancel" => fields(&[("reason", "Төраға ауырып қалды")]),
            "/orgs/{org}/meetings/{id}/move" => {
                fields(&[("starts_at", "2030-01-16T10:00"), ("place", "Ауд. 6")])
            }
            "/orgs/{org}/commissions/{commission}/meetings/new" => Form::Fields(vec![
                ("starts_at", "2030-01-15T10:00".to_owned()),
                ("place", "Ауд. 5".to_owned()),
                ("application_ids", self.application.to_string()),
            ]),
            "/orgs/{org}/meetings/{id}/attendance" => Form::Fields(
                m.iter()
                    .flat_map(|id| [("member", id.to_string()), ("present", id.to_string())])
                    .collect(),
            ),
            "/orgs/{org}/meetings/{id}/items/{item}/candidate" => fields(&[("present", "yes")]),
            "/orgs/{org}/meetings/{id}/items/{item}/recusal" => Form::Fields(vec![
                ("member_id", m[4].to_string()),
                ("reason", "Үміткер – туысы".to_owned()),
            ]),
            "/orgs/{org}/meetings/{id}/items/{item}/interview" => {
                fields(&[("notes", "Сұрақтар қойылды")])
            }
            "/orgs/{org}/meetings/{id}/items/{item}/vote" => fields(&[("choice", "recognise")]),
            "/orgs/{org}/meetings/{id}/items/{item}/votes" => Form::Fields(
                // All taking part (member 4 recused) refuse: a decision is adopted.
                m[..4]
                    .iter()
                    .map(|id| (leak(format!("vote_{id}")), "refuse".to_owned()))
                    .collect(),
            ),
            "/orgs/{org}/meetings/{id}/items/{item}/decision" => {
                fields(&[("reasons", "Нәтижелер бағдарламаға сәйкес емес")])
            }
            "/orgs/{org}/protocols/{id}/texts" => {
                fields(&[("opening_text", "Кіріспе"), ("closing_text", "Қорытынды")])
            }
            "/orgs/{org}/protocols/{id}/paper" => fields(&[("role", "presiding")]),
            "/orgs/{org}/protocols/{id}/addendum" => fields(&[("addendum_text", "Қате түзетілді")]),
            "/rule-sets/{id}" => Form::Fields(vec![
                (
                    "effective_from",
                    self.rule_set["effective_from"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                ),
                (
                    "effective_to",
                    self.rule_set["effective_to"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                ),
            ]),
            _ => panic!("no plausible form for POST {path}: add one to authz_pages.rs"),
        }
    }
}

/// A browser signed in as the caller (anonymous: no session), and its CSRF token.
async fn browser_as(app: &TestApp, caller: usize) -> (Client, String) {
    if caller > 0 {
        return app.signed_in(EMAILS[caller]).await;
    }
    let c = app.browser();
    let login = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (c, csrf_of(&login))
}

/// Pages that may change who the browser is signed in as.
fn changes_the_session(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/logout"
            | "/register"
            | "/invite/{token}"
            | "/password-reset/{token}"
            | "/verify-email/{token}"
            | "/account/password"
    )
}

/// Pages whose POST changes nothing the trail records, by design: preferences and the
/// reading of one's notices, signing out, a verification (a read), a new link to an
/// address already verified, and the fixture's secretary assigned again.
const NO_TRACE: [&str; 7] = [
    "/lang/{code}",
    "/logout",
    "/inbox/read",
    "/inbox/{id}/open",
    "/account/verify-email",
    "/verify",
    "/orgs/{org}/commissions/{id}/secretary",
];

/// The code of a refusal on a page: the error page's `<code>`, or the `data-code` of a
/// form's error summary.
fn page_code(body: &str) -> String {
    for (open, close) in [("data-code=\"", "\""), ("<code>", "</code>")] {
        if let Some(at) = body.find(open) {
            let rest = &body[at + open.len()..];
            return rest[..rest.find(close).unwrap_or(0)].to_owned();
        }
    }
    String::new()
}

/// Checks one page's answer against its cell; `None` when it agrees.
fn judge_page(a: &Answer, cell: &Cell, path: &str, reads: bool, anonymous: bool) -> Option<String> {
    let status = a.status;
    let short: String = a.body.chars().take(160).collect();
    if status.is_server_error() {
        return Some(format!("server error {status}: {short}"));
    }
    let to_login = status == StatusCode::SEE_OTHER && a.location.starts_with("/login");
    let took_effect = status.is_success() || (status.is_redirection() && !to_login);
    let code = page_code(&a.body);
    let refused = (anonymous && to_login)
        || matches!(
            status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        );
    match cell {
        Cell::Allow if !took_effect => Some(format!(
            "expected it to take effect, got {status} {code} {}: {short}",
            a.location
        )),
        Cell::Allow if !reads && !a.changed && !a.counted && !NO_TRACE.contains(&path) => Some(
            format!("answered {status} {} but left no trace", a.location),
        ),
        Cell::Allow => None,
        Cell::Deny if !refused => Some(format!(
            "expected deny, got {status} {code} {}: {short}",
            a.location
        )),
        Cell::Refuse(want, wanted) if status.as_u16() != *want || code != *wanted => Some(format!(
            "expected {want} {wanted}, got {status} {code}: {short}"
        )),
        Cell::Deny | Cell::Refuse(..) if a.changed => {
            Some(format!("refused with {status}, yet the data changed"))
        }
        Cell::Deny | Cell::Refuse(..) => None,
    }
}

/// Every page of the table, called in its order by one caller on a fixture of its own;
/// signing out comes last.
async fn pages_as(app: &TestApp, caller: usize) {
    let mut rows = rows();
    rows.sort_by_key(|r| (r.path == "/logout", step(&r.path)));
    let mut f = fixture(app).await;
    f.notification = scalar(
        &app.ctx.db,
        "SELECT MAX(n.id) FROM notifications n JOIN persons p ON p.id = n.person_id \
         WHERE p.email = 'cand0@mail.kz'",
    )
    .await;
    let (mut browser, mut csrf) = browser_as(app, caller).await;
    let mut failures = Vec::new();
    for row in &rows {
        let url = app.url(&f.page_url(&row.path));
        let before = footprint(app).await;
        let r = if row.method == "GET" {
            browser.get(&url).send().await.unwrap()
        } else {
            let req = browser.post(&url).header("x-csrf-token", &csrf);
            match f.form(caller, &row.path) {
                Form::Fields(pairs) => req.form(&pairs),
                Form::File(bytes, name) => req.multipart(reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                )),
            }
            .send()
            .await
            .unwrap()
        };
        let answer = Answer::read(r, app, before).await;
        if let Some(why) = judge_page(
            &answer,
            &row.cells[caller],
            &row.path,
            row.method == "GET",
            caller == 0,
        ) {
            failures.push(format!("{} {}: {why}", row.method, row.path));
        }
        if row.method == "POST" && changes_the_session(&row.path) {
            (browser, csrf) = browser_as(app, caller).await;
        }
    }
    assert!(
        failures.is_empty(),
        "as {}, {} of {} pages disagree with docs/authorization-pages.csv:\n{}",
        CALLERS[caller],
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

every_caller!(pages, crate::authz_pages::pages_as);

//! The authorisation matrix (issue 8): every operation of the OpenAPI document, called
//! by every kind of caller, checked against the table kept in `docs/authorization.csv`.
//!
//! The table has one row per operation (method and path template as in the document) and
//! one column per caller: anonymous; two candidates, the one who owns the application in
//! the path and another; a commission member holding no office, the secretary, the admin
//! and an auditor of organisation A; the admin of organisation B; the operator. `allow`
//! means the gate lets the caller through: any answer but 401, 403 or 404 (a 422 from a
//! rule or from the state of the record still counts, and no answer may be a 5xx);
//! `deny` means 401, 403 or 404 with a problem document that carries a code.
//!
//! An operation of the document without a row, or a row without an operation, fails the
//! test, so a new endpoint cannot be forgotten. Path parameters are the fixture's real ids;
//! bodies are minimal but plausible, so that the gate, not the parser, answers.

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use crate::protocols::held_meeting;

/// The callers, in the order of the table's columns.
const CALLERS: [&str; 9] = [
    "anonymous",
    "candidate_own",
    "candidate_other",
    "member",
    "secretary",
    "org_admin",
    "auditor",
    "foreign_admin",
    "operator",
];

const TABLE: &str = include_str!("../../../../docs/authorization.csv");

/// One row of the table.
struct Row {
    operation_id: String,
    method: String,
    path: String,
    allow: Vec<bool>,
}

fn table() -> Vec<Row> {
    let mut lines = TABLE.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(header[..3], ["operation_id", "method", "path"]);
    assert_eq!(header[3..3 + CALLERS.len()], CALLERS, "caller columns");
    assert_eq!(header.get(3 + CALLERS.len()), Some(&"note"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            // The note is last and may hold commas.
            let cells: Vec<&str> = line.splitn(4 + CALLERS.len(), ',').collect();
            assert!(cells.len() >= 3 + CALLERS.len(), "short row: {line}");
            let allow = cells[3..3 + CALLERS.len()]
                .iter()
                .map(|c| match *c {
                    "allow" => true,
                    "deny" => false,
                    other => panic!("{other:?} is neither allow nor deny: {line}"),
                })
                .collect();
            Row {
                operation_id: cells[0].to_owned(),
                method: cells[1].to_owned(),
                path: cells[2].to_owned(),
                allow,
            }
        })
        .collect()
}

/// `(method, path, operation id, has a request body)` of every operation in the document.
fn operations() -> Vec<(String, String, String, bool)> {
    let doc = serde_json::to_value(tanu_web::api::openapi()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            ops.push((
                method.to_uppercase(),
                path.clone(),
                op["operationId"].as_str().unwrap_or_default().to_owned(),
                op.get("requestBody").is_some(),
            ));
        }
    }
    ops
}

#[test]
fn every_operation_of_the_openapi_document_has_a_row() {
    let rows = table();
    let ops = operations();
    let mut problems = Vec::new();
    for (method, path, id, _) in &ops {
        match rows.iter().find(|r| &r.method == method && &r.path == path) {
            None => problems.push(format!(
                "{method} {path} ({id}) has no row in docs/authorization.csv"
            )),
            Some(r) if &r.operation_id != id => problems.push(format!(
                "{method} {path}: operation id {id} in the document, {} in the table",
                r.operation_id
            )),
            Some(_) => {}
        }
    }
    for r in &rows {
        if !ops
            .iter()
            .any(|(m, p, _, _)| *m == r.method && *p == r.path)
        {
            problems.push(format!(
                "{} {} is in the table but not in the API",
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

/// The ids of one organisation in every state the operations need, a second
/// organisation, and a token per caller.
struct Fixture {
    org: i64,
    commission: i64,
    election: i64,
    /// An open meeting with one pending item (the first meeting is held and closed).
    meeting: i64,
    item: i64,
    /// Membership ids of the five members; [0] chair, [1] deputy.
    members: Vec<i64>,
    /// The final protocol of the first meeting, and its verification code and PDF.
    protocol: i64,
    code: String,
    pdf: Vec<u8>,
    /// A decided application of `candidate_own`, and one of its documents.
    application: i64,
    document: (String, i64),
    /// A staff post nobody uses, with its unaccepted invitation.
    spare_staff: i64,
    invitation: String,
    secretary_staff: i64,
    rule_set: Value,
    /// A spare API token of the org admin.
    admin_token_id: i64,
    /// The second organisation, whose admin is `foreign_admin`.
    org_b: i64,
    /// Bearer tokens in the order of [`CALLERS`]; `None` for anonymous.
    tokens: Vec<Option<String>>,
}

static SERIAL: AtomicU32 = AtomicU32::new(1);

/// A fresh valid twelve-digit number (IIN or BIN) starting with `prefix`.
fn fresh_number(prefix: &str) -> String {
    loop {
        let n = SERIAL.fetch_add(1, Ordering::SeqCst);
        let first = format!("{prefix}{n:0width$}", width = 11 - prefix.len());
        let digits: Vec<u8> = first.bytes().map(|b| b - b'0').collect();
        let digits: [u8; 11] = digits.try_into().unwrap();
        if let Some(check) = tanu_domain::ids::check_digit(&digits) {
            return format!("{first}{check}");
        }
    }
}

fn fresh_email(what: &str) -> String {
    format!("{what}{}@authz.kz", SERIAL.fetch_add(1, Ordering::SeqCst))
}

async fn ok_json(r: Response, what: &str) -> Value {
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

async fn fixture(app: &TestApp) -> Fixture {
    let (b, held, apps) = held_meeting(app).await;
    let op = app.operator_token().await;
    let admin = app.token("admin@a.kz", PASSWORD).await;
    let org = b.org;

    // The first meeting closes; its protocol is approved by both signers and is final.
    ok_json(
        app.post(&b.secretary, &b.meeting(held, "/close"), json!({}))
            .await,
        "close the held meeting",
    )
    .await;
    let p = ok_json(
        app.post(
            &b.secretary,
            &format!("/api/v1/organisations/{org}/meetings/{held}/protocol"),
            json!({}),
        )
        .await,
        "start the protocol",
    )
    .await;
    let protocol = p["id"].as_i64().unwrap();
    let protocol_url =
        |rest: &str| format!("/api/v1/organisations/{org}/protocols/{protocol}{rest}");
    ok_json(
        app.post(&b.secretary, &protocol_url("/send"), json!({}))
            .await,
        "send",
    )
    .await;
    ok_json(
        app.post(&b.members[1].1, &protocol_url("/approve"), json!({}))
            .await,
        "deputy approves",
    )
    .await;
    let p = ok_json(
        app.post(&b.secretary, &protocol_url("/approve"), json!({}))
            .await,
        "secretary approves",
    )
    .await;
    assert_eq!(p["status"], "final");
    let code = p["documents"][0]["code"].as_str().unwrap().to_owned();
    let r = app.get(&b.secretary, &protocol_url("/pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap().to_vec();

    // A second meeting, open, with the application whose candidate did not come.
    let m = ok_json(
        b.schedule(app, &apps[2..3]).await,
        "schedule a second meeting",
    )
    .await;
    let meeting = m["id"].as_i64().unwrap();
    let item = m["items"][0]["id"].as_i64().unwrap();
    b.attend(app, meeting, &[0, 1, 2, 3, 4]).await;
    ok_json(
        app.post(&b.secretary, &b.meeting(meeting, "/open"), json!({}))
            .await,
        "open the second meeting",
    )
    .await;

    // An election round left open.
    let commission_url = format!("/api/v1/organisations/{org}/commissions/{}", b.commission);
    let e = ok_json(
        app.post(
            &b.secretary,
            &format!("{commission_url}/elections"),
            json!({ "office": "deputy" }),
        )
        .await,
        "open an election round",
    )
    .await;
    let election = e["election"]["id"].as_i64().unwrap();
    let c = ok_json(app.get(&admin, &commission_url).await, "commission").await;
    let secretary_staff = c["secretary"]["staff_id"].as_i64().unwrap();

    // The rest of organisation A, and organisation B.
    let (_, auditor) = app.staff(&op, org, "auditor@a.kz", &["auditor"]).await;
    let org_b = app.org(&op, BIN_B, "higher").await;
    let (_, foreign_admin) = app.staff(&op, org_b, "admin@b.kz", &["org-admin"]).await;
    let spare = ok_json(
        app.post(
            &admin,
            &format!("/api/v1/organisations/{org}/staff"),
            json!({ "full_name": "Бос Орын", "email": "spare@a.kz", "position": "teacher", "roles": [] }),
        )
        .await,
        "spare staff",
    )
    .await;
    let spare_staff = spare["staff"]["id"].as_i64().unwrap();
    let _ = &spare;
    let invitation = app.mail_secret("spare@a.kz", "staff-invitation").await;
    let a = ok_json(
        app.get(
            &b.candidates[0],
            &format!("/api/v1/applications/{}", apps[0]),
        )
        .await,
        "the candidate's application",
    )
    .await;
    let doc = &a["documents"][0];
    let document = (
        doc["kind"].as_str().unwrap().to_owned(),
        doc["id"].as_i64().unwrap(),
    );
    let sets = ok_json(app.get(&op, "/api/v1/rule-sets").await, "rule sets").await;
    let rule_set = sets[0].clone();
    let t = ok_json(
        app.post(&admin, "/api/v1/tokens", json!({ "name": "spare" }))
            .await,
        "spare token",
    )
    .await;

    Fixture {
        org,
        commission: b.commission,
        election,
        meeting,
        item,
        members: b.members.iter().map(|m| m.0).collect(),
        protocol,
        code,
        pdf,
        application: apps[0],
        document,
        spare_staff,
        invitation,
        secretary_staff,
        rule_set,
        admin_token_id: t["id"].as_i64().unwrap(),
        org_b,
        tokens: vec![
            None,
            Some(b.candidates[0].clone()),
            Some(b.candidates[1].clone()),
            Some(b.members[2].1.clone()),
            Some(b.secretary.clone()),
            Some(admin),
            Some(auditor),
            Some(foreign_admin),
            Some(op),
        ],
    }
}

impl Fixture {
    /// The template with each `{parameter}` replaced by the fixture's id for the kind of
    /// thing named by the segment before it.
    fn fill(&self, template: &str) -> String {
        let mut out = Vec::new();
        let mut previous = "";
        for seg in template.split('/') {
            let value = if seg.starts_with('{') && seg.ends_with('}') {
                match (previous, seg) {
                    ("organisations", _) => self.org.to_string(),
                    ("applications", _) => self.application.to_string(),
                    ("documents", "{kind}") => self.document.0.clone(),
                    (_, "{document}") => self.document.1.to_string(),
                    ("commissions", _) => self.commission.to_string(),
                    ("elections", _) => self.election.to_string(),
                    ("meetings", _) => self.meeting.to_string(),
                    ("items", _) => self.item.to_string(),
                    ("protocols", _) => self.protocol.to_string(),
                    ("staff", _) => self.spare_staff.to_string(),
                    ("rule-sets", _) => self.rule_set["id"].to_string(),
                    ("tokens", _) => self.admin_token_id.to_string(),
                    ("invitations", _) => self.invitation.clone(),
                    ("verify", _) => self.code.clone(),
                    ("password-reset", _) => "not-a-live-reset-link".to_owned(),
                    _ => panic!("no fixture value for {seg} after /{previous}/ in {template}"),
                }
            } else {
                seg.to_owned()
            };
            previous = seg;
            out.push(value);
        }
        out.join("/")
    }

    /// A minimal plausible body for an operation that takes one.
    fn body(&self, method: &str, template: &str) -> Body {
        let path = template.trim_start_matches("/api/v1");
        let application = json!({ "org_id": self.org, "statement": "Курс бітірдім", "unit_ids": [], "consent": true });
        let m = &self.members;
        Body::Json(match (method, path) {
            ("POST" | "PUT", "/applications" | "/applications/{id}") => application,
            ("POST", "/applications/{id}/check") => {
                let items: Vec<Value> = ["statement", "identity", "confirming"]
                    .iter()
                    .map(|k| json!({ "kind": k, "present": true, "legible": true, "matches_candidate": true }))
                    .collect();
                json!({ "items": items })
            }
            ("POST", "/applications/{id}/documents/{kind}") => return Body::Upload(png()),
            ("POST", "/auth/token") => {
                json!({ "email": "admin@b.kz", "password": PASSWORD, "name": "authz" })
            }
            ("POST", "/candidates") => json!({ "full_name": "Үміткер Тестов", "email": fresh_email("cand"),
                "password": PASSWORD, "iin": fresh_number("99") }),
            ("POST", "/invitations/{token}") => json!({ "password": PASSWORD }),
            ("POST", "/auth/verify-email") => json!({ "token": "not-a-live-link" }),
            ("POST", "/auth/password-reset") => json!({ "email": fresh_email("reset") }),
            ("POST", "/auth/password-reset/{token}") => json!({ "password": PASSWORD }),
            ("PUT", "/me/password") => {
                json!({ "current_password": "not the password", "new_password": "another long password" })
            }
            ("POST", "/claims") => json!({ "code": "AAAA-BBBB-CCCC" }),
            ("PUT", "/me/locale") => json!({ "locale": "ru" }),
            ("POST", "/notifications/read") => json!({ "id": null }),
            ("POST", "/organisations") => json!({ "kind": "higher", "bin": fresh_number("12"),
                "name_kk": "Жаңа колледж", "name_ru": "Новый колледж", "address": "Алматы" }),
            ("PUT", "/organisations/{id}") => json!({ "kind": "higher", "bin": BIN_A,
                "name_kk": "Колледж", "name_ru": "Колледж", "address": "Астана" }),
            ("POST", "/organisations/{id}/staff") => json!({ "full_name": "Жаңа Қызметкер",
                "email": fresh_email("staff"), "position": "teacher", "roles": [] }),
            ("PUT", "/organisations/{id}/staff/{staff_id}") => {
                json!({ "position": "teacher", "roles": [], "active": true })
            }
            ("POST", "/organisations/{org}/applications") => {
                let mut walk_in = application;
                walk_in["full_name"] = json!("Келуші Тестов");
                walk_in["iin"] = json!(fresh_number("98"));
                walk_in
            }
            ("POST", "/organisations/{org}/commissions") => {
                json!({ "name": "Екінші комиссия", "term_from": "2026-01-01", "term_to": "2030-12-31" })
            }
            ("PUT", "/organisations/{org}/commissions/{id}") => {
                json!({ "name": "Комиссия", "term_from": "2020-01-01", "term_to": "2099-12-31" })
            }
            ("POST", "/organisations/{org}/commissions/{commission}/meetings") => {
                json!({ "starts_at": "2026-12-20T10:00", "place": "Ауд. 5", "application_ids": [self.application] })
            }
            ("POST", "/organisations/{org}/commissions/{id}/elections") => json!({ "office": "deputy" }),
            ("POST", "/organisations/{org}/commissions/{id}/elections/{election}/ballot") => {
                json!({ "candidate_member_id": m[1] })
            }
            ("POST", "/organisations/{org}/commissions/{id}/elections/{election}/ballots") => {
                json!({ "ballots": [{ "voter_member_id": m[3], "candidate_member_id": m[1] }] })
            }
            ("POST", "/organisations/{org}/commissions/{id}/membership") => {
                json!({ "add_staff": [], "add_external": [], "remove": [] })
            }
            ("PUT", "/organisations/{org}/commissions/{id}/secretary") => {
                json!({ "staff_id": self.secretary_staff })
            }
            ("PUT", "/organisations/{org}/meetings/{id}/attendance") => json!(
                m.iter().map(|id| json!({ "member_id": id, "present": true })).collect::<Vec<_>>()
            ),
            ("POST", "/organisations/{org}/meetings/{id}/items/{item}/candidate") => {
                json!({ "present": true })
            }
            ("POST", "/organisations/{org}/meetings/{id}/items/{item}/decision") => {
                json!({ "reasons": "Нәтижелер бағдарламаға сәйкес емес" })
            }
            ("PUT", "/organisations/{org}/meetings/{id}/items/{item}/interview") => {
                json!({ "notes": "Сұрақтар қойылды", "assessments": [] })
            }
            ("POST", "/organisations/{org}/meetings/{id}/items/{item}/recusal") => {
                json!({ "member_id": m[4], "reason": "Үміткер – туысы" })
            }
            ("POST", "/organisations/{org}/meetings/{id}/items/{item}/vote") => {
                json!({ "choice": "recognise" })
            }
            ("POST", "/organisations/{org}/meetings/{id}/items/{item}/votes") => {
                json!([{ "member_id": m[3], "choice": "recognise" }])
            }
            ("POST", "/organisations/{org}/programmes") => json!({ "programme_code": "P1",
                "programme_title_kk": "Бағдарлама", "programme_title_ru": "Программа", "unit_code": "U2",
                "unit_kind": "discipline", "unit_title_kk": "Пән", "unit_title_ru": "Дисциплина",
                "credits": 3, "outcomes": "reads programs" }),
            ("POST", "/organisations/{org}/programmes/import") => return Body::Csv(
                "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes\n\
                 P1,Бағдарлама,Программа,U3,discipline,Пән,Дисциплина,4,tests programs\n".to_owned(),
            ),
            ("PUT", "/organisations/{org}/protocols/{id}") => {
                json!({ "opening_text": "Кіріспе", "closing_text": "Қорытынды" })
            }
            ("POST", "/organisations/{org}/protocols/{id}/addenda") => {
                json!({ "addendum_text": "Қате түзетілді" })
            }
            ("POST", "/organisations/{org}/protocols/{id}/paper-approval") => {
                json!({ "role": "presiding" })
            }
            ("PUT", "/rule-sets/{id}") => json!({ "effective_from": self.rule_set["effective_from"],
                "effective_to": self.rule_set["effective_to"] }),
            ("POST", "/tokens") => json!({ "name": "authz" }),
            ("POST", "/verify") => return Body::Pdf(self.pdf.clone()),
            _ => panic!("no plausible body for {method} {template}: add one to authz.rs"),
        })
    }
}

/// What a request carries.
enum Body {
    None,
    Json(Value),
    Csv(String),
    Pdf(Vec<u8>),
    Upload(Vec<u8>),
}

async fn call(app: &TestApp, method: &str, url: &str, token: Option<&str>, body: Body) -> Response {
    let mut req = app
        .client()
        .request(Method::from_bytes(method.as_bytes()).unwrap(), app.url(url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req = match body {
        Body::None => req,
        Body::Json(v) => req.json(&v),
        Body::Csv(s) => req.header("content-type", "text/csv").body(s),
        Body::Pdf(b) => req.header("content-type", "application/pdf").body(b),
        Body::Upload(b) => req.multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b).file_name("id.png"),
        )),
    };
    req.send().await.unwrap()
}

/// Checks one answer against the table; `None` when it agrees.
async fn judge(r: Response, allow: bool) -> Option<String> {
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = r.text().await.unwrap_or_default();
    let short: String = body.chars().take(160).collect();
    let refused = matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    );
    if status.is_server_error() {
        return Some(format!("server error {status}: {short}"));
    }
    if allow {
        return refused.then(|| format!("expected allow, got {status}: {short}"));
    }
    if !refused {
        return Some(format!("expected deny, got {status}: {short}"));
    }
    let code = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if !ct.starts_with("application/problem+json") || code.is_empty() {
        return Some(format!(
            "denied with {status} but not as a problem with a code ({ct}): {short}"
        ));
    }
    None
}

both!(every_operation_as_every_caller_matches_the_table, |app| {
    let rows = table();
    let ops = operations();
    let f = fixture(&app).await;
    let mut failures = Vec::new();
    let mut calls = 0;
    for row in &rows {
        let Some((_, _, _, has_body)) = ops
            .iter()
            .find(|(m, p, _, _)| *m == row.method && *p == row.path)
        else {
            continue; // reported by every_operation_of_the_openapi_document_has_a_row
        };
        let url = f.fill(&row.path);
        for (i, caller) in CALLERS.iter().enumerate() {
            let body = if *has_body {
                f.body(&row.method, &row.path)
            } else {
                Body::None
            };
            let r = call(&app, &row.method, &url, f.tokens[i].as_deref(), body).await;
            calls += 1;
            if let Some(why) = judge(r, row.allow[i]).await {
                failures.push(format!("{} {} as {caller}: {why}", row.method, row.path));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls disagree with docs/authorization.csv:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(calls, rows.len() * CALLERS.len());
});

both!(another_organisations_ids_find_nothing, |app| {
    // The admin of organisation B calls every operation under their own organisation
    // with the ids of organisation A's records (its applications, commissions, meetings,
    // protocols, staff...) in the rest of the path: nothing is found, nothing changes.
    let rows = table();
    let ops = operations();
    let f = fixture(&app).await;
    let foreign = CALLERS.iter().position(|c| *c == "foreign_admin").unwrap();
    let own = format!("/api/v1/organisations/{}/", f.org);
    let mut failures = Vec::new();
    let mut calls = 0;
    for row in &rows {
        let prefix = "/api/v1/organisations/{org}/";
        let Some(rest) = row
            .path
            .strip_prefix(prefix)
            .or_else(|| row.path.strip_prefix("/api/v1/organisations/{id}/"))
        else {
            continue;
        };
        if !rest.contains('{') {
            continue; // a list or a creation in B's own organisation: theirs to do
        }
        let Some((_, _, _, has_body)) = ops
            .iter()
            .find(|(m, p, _, _)| *m == row.method && *p == row.path)
        else {
            continue;
        };
        let url =
            f.fill(&row.path)
                .replacen(&own, &format!("/api/v1/organisations/{}/", f.org_b), 1);
        let body = if *has_body {
            f.body(&row.method, &row.path)
        } else {
            Body::None
        };
        let r = call(&app, &row.method, &url, f.tokens[foreign].as_deref(), body).await;
        calls += 1;
        if let Some(why) = judge(r, false).await {
            failures.push(format!("{} {url}: {why}", row.method));
        }
    }
    assert!(
        calls > 30,
        "only {calls} operations name a record of an organisation"
    );
    assert!(
        failures.is_empty(),
        "{} of {calls} calls reached another organisation's records:\n{}",
        failures.len(),
        failures.join("\n")
    );
});

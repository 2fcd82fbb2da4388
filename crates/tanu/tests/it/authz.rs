//! The authorisation matrix (issues 8 and 20): every operation of the OpenAPI document,
//! called by every kind of caller, checked against the table kept in
//! `docs/authorization.csv` (the pages have their own table and test, `authz_pages.rs`).
//!
//! The table has one row per operation (method and path template as in the document) and
//! one column per caller: anonymous; two candidates, the one who owns the application in
//! the path and another; a commission member holding no office, the secretary, the admin
//! and an auditor of organisation A; the admin of organisation B; the operator. A cell
//! says what the call does:
//! - `allow`: it takes effect – a 2xx answer, and a change leaves its trace in the data
//!   (an audit event, a notice or a recorded view of a document);
//! - `deny`: the gate refuses – 401, 403 or 404 with a problem document that carries a
//!   code – and nothing changes;
//! - `STATUS:code`: the gate lets the caller through and the Rules or the state of the
//!   record refuse with exactly this answer; nothing changes.
//!
//! Each caller works on a fixture of its own and calls the operations in the table's
//! order, so the state an operation meets is the one the same caller's earlier calls
//! left. No answer may be a 5xx. An operation of the document without a row, or a row
//! without an operation, fails the test, so a new endpoint cannot be forgotten. Path
//! parameters are the fixture's real ids; bodies are minimal but plausible, so that the
//! gate, not the parser, answers.

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// The callers, in the order of the table's columns.
pub(crate) const CALLERS: [&str; 9] = [
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

/// The e-mail each caller signs in with (pages), in the order of [`CALLERS`].
pub(crate) const EMAILS: [&str; 9] = [
    "",
    "cand0@mail.kz",
    "cand1@mail.kz",
    "m2@a.kz",
    "sec@a.kz",
    "admin@a.kz",
    "auditor@a.kz",
    "admin@b.kz",
    OPERATOR_EMAIL,
];

const TABLE: &str = include_str!("../../../../docs/authorization.csv");

/// What one caller gets from one operation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// The operation takes effect: a 2xx answer (a page: 200, or a redirect that is not
    /// to the login form), and a change leaves its trace (an audit event, a notification
    /// or a recorded view).
    Allow,
    /// The gate refuses: 401, 403 or 404 (a page: the login form for anonymous callers),
    /// and nothing changes.
    Deny,
    /// The gate lets the caller through and the Rules or the state of the record refuse,
    /// with this status and code; nothing changes.
    Refuse(u16, String),
}

impl Cell {
    fn parse(cell: &str, line: &str) -> Self {
        match cell {
            "allow" => Self::Allow,
            "deny" => Self::Deny,
            other => match other.split_once(':') {
                Some((status, code)) if status.parse::<u16>().is_ok() && !code.is_empty() => {
                    Self::Refuse(status.parse().unwrap_or_default(), code.to_owned())
                }
                _ => panic!("{other:?} is neither allow, deny nor STATUS:code: {line}"),
            },
        }
    }
}

/// One row of a table.
pub(crate) struct Row {
    pub(crate) operation_id: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) cells: Vec<Cell>,
}

/// Reads a table whose columns are `lead` (naming the operation), one per caller, and a
/// note (last, may hold commas).
pub(crate) fn read_table(text: &str, lead: &[&str]) -> Vec<Row> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let n = lead.len();
    assert_eq!(header[..n], *lead);
    assert_eq!(header[n..n + CALLERS.len()], CALLERS, "caller columns");
    assert_eq!(header.get(n + CALLERS.len()), Some(&"note"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.splitn(n + 1 + CALLERS.len(), ',').collect();
            assert!(cells.len() >= n + CALLERS.len(), "short row: {line}");
            let (method, path) = (cells[n - 2], cells[n - 1]);
            Row {
                operation_id: if n == 3 {
                    cells[0].to_owned()
                } else {
                    String::new()
                },
                method: method.to_owned(),
                path: path.to_owned(),
                cells: cells[n..n + CALLERS.len()]
                    .iter()
                    .map(|c| Cell::parse(c, line))
                    .collect(),
            }
        })
        .collect()
}

fn table() -> Vec<Row> {
    read_table(TABLE, &["operation_id", "method", "path"])
}

/// `(method, path, operation id, has a request body)` of every operation in the document.
pub(crate) fn operations() -> Vec<(String, String, String, bool)> {
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
pub(crate) struct Fixture {
    pub(crate) org: i64,
    pub(crate) commission: i64,
    pub(crate) election: i64,
    /// The first meeting, held and closed, where `application` was decided.
    pub(crate) held: i64,
    /// An open meeting with one pending item (the first meeting is held and closed).
    pub(crate) meeting: i64,
    pub(crate) item: i64,
    /// Membership ids of the five members; [0] chair, [1] deputy.
    pub(crate) members: Vec<i64>,
    /// The final protocol of the first meeting, and its verification code and PDF.
    pub(crate) protocol: i64,
    pub(crate) code: String,
    pub(crate) pdf: Vec<u8>,
    /// A decided application of `candidate_own`, and one of its documents.
    pub(crate) application: i64,
    pub(crate) document: (String, i64),
    /// A staff post nobody uses, with its unaccepted invitation.
    pub(crate) spare_staff: i64,
    pub(crate) invitation: String,
    pub(crate) secretary_staff: i64,
    pub(crate) rule_set: Value,
    /// A spare API token of the org admin.
    pub(crate) admin_token_id: i64,
    /// The second organisation, whose admin is `foreign_admin`.
    pub(crate) org_b: i64,
    /// Bearer tokens in the order of [`CALLERS`]; `None` for anonymous.
    pub(crate) tokens: Vec<Option<String>>,
    /// A notice in `candidate_own`'s inbox (set by the pages' matrix).
    pub(crate) notification: i64,
}

static SERIAL: AtomicU32 = AtomicU32::new(1);

/// A fresh valid twelve-digit number (IIN or BIN) starting with `prefix`.
pub(crate) fn fresh_number(prefix: &str) -> String {
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

pub(crate) fn fresh_email(what: &str) -> String {
    format!("{what}{}@authz.kz", SERIAL.fetch_add(1, Ordering::SeqCst))
}

async fn ok_json(r: Response, what: &str) -> Value {
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

pub(crate) async fn fixture(app: &TestApp) -> Fixture {
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
    // The identity scan: the document that needs the most protection.
    let doc = a["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "identity")
        .unwrap();
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
        held,
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
        notification: 0,
    }
}

impl Fixture {
    /// The template with each `{parameter}` replaced by the fixture's id for the kind of
    /// thing named by the segment before it.
    pub(crate) fn fill(&self, template: &str) -> String {
        let mut out = Vec::new();
        let mut previous = "";
        for seg in template.split('/') {
            let value = if seg.starts_with('{') && seg.ends_with('}') {
                self.value(previous, seg).unwrap_or_else(|| {
                    panic!("no fixture value for {seg} after /{previous}/ in {template}")
                })
            } else {
                seg.to_owned()
            };
            previous = seg;
            out.push(value);
        }
        out.join("/")
    }

    /// The fixture's value for the parameter `seg` that follows the segment `previous`.
    pub(crate) fn value(&self, previous: &str, seg: &str) -> Option<String> {
        Some(match (previous, seg) {
            ("organisations" | "orgs", _) => self.org.to_string(),
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
            ("invitations" | "invite", _) => self.invitation.clone(),
            ("verify", _) => self.code.clone(),
            ("password-reset" | "verify-email", _) => "not-a-live-link".to_owned(),
            ("lang", _) => "ru".to_owned(),
            ("check", _) => "iin".to_owned(),
            ("assets", _) => "style.css".to_owned(),
            ("inbox", _) => self.notification.to_string(),
            _ => return None,
        })
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
            ("POST", "/me/delete") => json!({ "password": "not the password" }),
            ("PUT", "/me/locale") => json!({ "locale": "ru" }),
            ("POST", "/notifications/read") => json!({ "id": null }),
            ("POST", "/organisations") => json!({ "kind": "higher", "bin": fresh_number("12"),
                "name_kk": "Жаңа колледж", "name_ru": "Новый колледж", "address": "Алматы" }),
            ("PUT", "/organisations/{id}") => json!({ "kind": "higher", "bin": BIN_A,
                "name_kk": "Колледж", "name_ru": "Колледж", "address": "Астана" }),
            ("POST", "/organisations/{id}/staff") => json!({ "full_name": "Жаңа Қызметкер",
                "email": fresh_email("staff"), "position": "teacher", "roles": [] }),
            ("PUT", "/organisations/{id}/retention") => json!({ "drafts_days": 60,
                "withdrawn_days": 30, "incomplete_days": 180, "identity_days": 365 }),
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
                json!({ "starts_at": "2030-01-15T10:00", "place": "Ауд. 5", "application_ids": [self.application] })
            }
            ("POST", "/organisations/{org}/meetings/{id}/cancel") => {
                json!({ "reason": "Төраға ауырып қалды" })
            }
            ("POST", "/organisations/{org}/meetings/{id}/move") => {
                json!({ "starts_at": "2030-01-16T10:00", "place": "Ауд. 6" })
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
                // All taking part (member 4 recused) refuse: a decision is adopted.
                json!(m[..4].iter().map(|id| json!({ "member_id": id, "choice": "refuse" })).collect::<Vec<_>>())
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

/// What the data holds that any change leaves behind – audit events (sealed or not),
/// notifications and recorded views of documents – and the requests the throttles
/// counted.
/// A refused request may still be counted (a wrong claim code is, against guessing):
/// that is an attempt, not a change.
pub(crate) async fn footprint(app: &TestApp) -> (i64, i64) {
    let changes = scalar(
        &app.ctx.db,
        "SELECT (SELECT COUNT(*) FROM audit_events) + (SELECT COUNT(*) FROM audit_pending) \
         + (SELECT COUNT(*) FROM notifications) + (SELECT COUNT(*) FROM document_views)",
    )
    .await;
    let attempts = scalar(&app.ctx.db, "SELECT COUNT(*) FROM rate_events").await;
    (changes, attempts)
}

/// An answer as the judge sees it.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) location: String,
    pub(crate) body: String,
    /// Whether the data changed (see [`footprint`]).
    pub(crate) changed: bool,
    /// Whether the request was counted by a throttle.
    pub(crate) counted: bool,
}

impl Answer {
    pub(crate) async fn read(r: Response, app: &TestApp, before: (i64, i64)) -> Self {
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (status, content_type, location) =
            (r.status(), header("content-type"), header("location"));
        let body = r.text().await.unwrap_or_default();
        let after = footprint(app).await;
        Self {
            status,
            content_type,
            location,
            body,
            changed: after.0 != before.0,
            counted: after.1 != before.1,
        }
    }

    fn short(&self) -> String {
        self.body.chars().take(160).collect()
    }

    /// The code of a problem document.
    fn code(&self) -> String {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// Operations that change nothing the trail records, by design: preferences and the
/// reading of one's notices, a verification (a read), a new link to an address already
/// verified, and the fixture's secretary assigned again.
const NO_TRACE: [&str; 5] = [
    "/api/v1/me/locale",
    "/api/v1/notifications/read",
    "/api/v1/verify",
    "/api/v1/me/verify-email",
    "/api/v1/organisations/{org}/commissions/{id}/secretary",
];

/// Checks one API answer against its cell; `None` when it agrees.
fn judge(a: &Answer, cell: &Cell, path: &str, reads: bool) -> Option<String> {
    let status = a.status;
    if status.is_server_error() {
        return Some(format!("server error {status}: {}", a.short()));
    }
    let refused = matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    );
    let problem = a.content_type.starts_with("application/problem+json") && !a.code().is_empty();
    match cell {
        Cell::Allow if !status.is_success() => Some(format!(
            "expected it to take effect, got {status} {}: {}",
            a.code(),
            a.short()
        )),
        Cell::Allow if !reads && !a.changed && !a.counted && !NO_TRACE.contains(&path) => Some(
            format!("answered {status} but left no trace: {}", a.short()),
        ),
        Cell::Allow => None,
        Cell::Deny if !refused => Some(format!(
            "expected deny, got {status} {}: {}",
            a.code(),
            a.short()
        )),
        Cell::Refuse(want, code) if status.as_u16() != *want || a.code() != *code => Some(format!(
            "expected {want} {code}, got {status} {}: {}",
            a.code(),
            a.short()
        )),
        Cell::Deny | Cell::Refuse(..) if !problem => Some(format!(
            "refused with {status} but not as a problem with a code ({}): {}",
            a.content_type,
            a.short()
        )),
        Cell::Deny | Cell::Refuse(..) if a.changed => {
            Some(format!("refused with {status}, yet the data changed"))
        }
        Cell::Deny | Cell::Refuse(..) => None,
    }
}

/// Every operation of the table, called in its order by one caller on a fixture of its
/// own: a caller's earlier calls are the only ones that shaped the state it meets.
async fn api_as(app: &TestApp, caller: usize) {
    let mut rows = table();
    rows.sort_by_key(|r| step(&r.path));
    let ops = operations();
    let f = fixture(app).await;
    let mut failures = Vec::new();
    for row in &rows {
        let Some((_, _, _, has_body)) = ops
            .iter()
            .find(|(m, p, _, _)| *m == row.method && *p == row.path)
        else {
            continue; // reported by every_operation_of_the_openapi_document_has_a_row
        };
        let url = f.fill(&row.path);
        let body = if *has_body {
            f.body(&row.method, &row.path)
        } else {
            Body::None
        };
        let before = footprint(app).await;
        let r = call(app, &row.method, &url, f.tokens[caller].as_deref(), body).await;
        let answer = Answer::read(r, app, before).await;
        if let Some(why) = judge(&answer, &row.cells[caller], &row.path, row.method == "GET") {
            failures.push(format!("{} {}: {why}", row.method, row.path));
        }
    }
    assert!(
        failures.is_empty(),
        "as {}, {} of {} operations disagree with docs/authorization.csv:\n{}",
        CALLERS[caller],
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// The steps of a meeting, in the order a secretary takes them: the table's rows are
/// called in its order except these, which come last and in this order, so that each
/// meets the item in the state the Rules expect (a row ending otherwise stays in place).
const MEETING_STEPS: [&str; 17] = [
    "/items/{item}/candidate",
    "/items/{item}/recusal",
    "/items/{item}/interview",
    "/items/{item}/vote/open",
    "/items/{item}/vote-open",
    "/items/{item}/vote",
    "/items/{item}/votes",
    "/items/{item}/vote/close",
    "/items/{item}/vote-close",
    "/items/{item}/decision",
    "/meetings/{id}/close",
    "/meetings/{id}/protocol",
    "/protocols/{id}/texts",
    "/protocols/{id}/send",
    "/protocols/{id}/return",
    "/protocols/{id}/approve",
    "/protocols/{id}/paper",
];

/// Where a row comes in the order of calls (see [`MEETING_STEPS`]).
pub(crate) fn step(path: &str) -> usize {
    MEETING_STEPS
        .iter()
        .position(|s| path.ends_with(s))
        .map_or(0, |i| i + 1)
}

/// One story per caller and database, so that they run side by side: a module of nine
/// stories, one per caller, each calling `$story(&app, caller)`.
macro_rules! every_caller {
    ($module:ident, $story:path) => {
        mod $module {
            both!(anonymous, |app| {
                $story(&app, 0).await;
            });
            both!(candidate_own, |app| {
                $story(&app, 1).await;
            });
            both!(candidate_other, |app| {
                $story(&app, 2).await;
            });
            both!(member, |app| {
                $story(&app, 3).await;
            });
            both!(secretary, |app| {
                $story(&app, 4).await;
            });
            both!(org_admin, |app| {
                $story(&app, 5).await;
            });
            both!(auditor, |app| {
                $story(&app, 6).await;
            });
            both!(foreign_admin, |app| {
                $story(&app, 7).await;
            });
            both!(operator, |app| {
                $story(&app, 8).await;
            });
        }
    };
}
pub(crate) use every_caller;

every_caller!(api, crate::authz::api_as);

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
        let before = footprint(&app).await;
        let r = call(&app, &row.method, &url, f.tokens[foreign].as_deref(), body).await;
        calls += 1;
        let answer = Answer::read(r, &app, before).await;
        if let Some(why) = judge(&answer, &Cell::Deny, &row.path, row.method == "GET") {
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

both!(another_organisations_ids_in_bodies_change_nothing, |app| {
    // The admin of organisation B, and candidates, name records of organisation A (or
    // another person's) in the bodies of operations they may call: each is refused,
    // and A's records stay as they were.
    let f = fixture(&app).await;
    let foreign = f.tokens[7].clone().unwrap();
    let (own, other) = (f.tokens[1].clone().unwrap(), f.tokens[2].clone().unwrap());
    let admin_a = f.tokens[5].clone().unwrap();
    let b = f.org_b;
    let c = ok_json(
        app.post(
            &foreign,
            &format!("/api/v1/organisations/{b}/commissions"),
            json!({ "name": "B комиссиясы", "term_from": "2026-01-01", "term_to": "2030-12-31" }),
        )
        .await,
        "B's commission",
    )
    .await;
    let commission_b = format!("/api/v1/organisations/{b}/commissions/{}", c["id"]);
    let programmes = ok_json(
        app.get(
            &admin_a,
            &format!("/api/v1/organisations/{}/programmes", f.org),
        )
        .await,
        "A's programmes",
    )
    .await;
    let unit_a = programmes[0]["units"][0]["id"].as_i64().unwrap();
    let commission_a = format!(
        "/api/v1/organisations/{}/commissions/{}",
        f.org, f.commission
    );
    let before_a = ok_json(app.get(&admin_a, &commission_a).await, "A's commission").await;
    let notice = scalar(
        &app.ctx.db,
        "SELECT MAX(n.id) FROM notifications n JOIN persons p ON p.id = n.person_id \
         WHERE p.email = 'cand0@mail.kz' AND n.read_at IS NULL",
    )
    .await;

    let attempts: Vec<(&str, String, String, Value)> = vec![
        (
            "B adds A's secretary to B's commission",
            foreign.clone(),
            format!("{commission_b}/membership"),
            json!({ "add_staff": [f.secretary_staff], "add_external": [], "remove": [] }),
        ),
        (
            "B removes A's chair through B's commission",
            foreign.clone(),
            format!("{commission_b}/membership"),
            json!({ "add_staff": [], "add_external": [], "remove": [f.members[0]] }),
        ),
        (
            "B schedules A's application",
            foreign.clone(),
            format!("{commission_b}/meetings"),
            json!({ "starts_at": "2030-01-15T10:00", "place": "Ауд. 5", "application_ids": [f.application] }),
        ),
        (
            "B registers a walk-in for A's unit",
            foreign.clone(),
            format!("/api/v1/organisations/{b}/applications"),
            json!({ "org_id": b, "statement": "Курс", "unit_ids": [unit_a], "consent": true,
                "full_name": "Келуші Тестов", "iin": fresh_number("95") }),
        ),
        (
            "a candidate applies to B for A's unit",
            own.clone(),
            "/api/v1/applications".to_owned(),
            json!({ "org_id": b, "statement": "Курс", "unit_ids": [unit_a], "consent": true }),
        ),
        (
            "another candidate marks the candidate's notice read",
            other.clone(),
            "/api/v1/notifications/read".to_owned(),
            json!({ "id": notice }),
        ),
    ];
    let mut failures = Vec::new();
    for (what, token, url, body) in attempts {
        let before = footprint(&app).await;
        let r = app.post(&token, &url, body).await;
        let a = Answer::read(r, &app, before).await;
        let refused = a.status.is_client_error();
        if (!refused && what != "another candidate marks the candidate's notice read") || a.changed
        {
            failures.push(format!(
                "{what}: {} {}",
                a.status,
                a.body.chars().take(160).collect::<String>()
            ));
        }
    }
    // The secretary is B's nowhere; A's commission is as it was; the notice is unread.
    let r = app
        .put(
            &foreign,
            &format!("{commission_b}/secretary"),
            json!({ "staff_id": f.secretary_staff }),
        )
        .await;
    if !r.status().is_client_error() {
        failures.push(format!("B made A's secretary its own: {}", r.status()));
    }
    let after_a = ok_json(app.get(&admin_a, &commission_a).await, "A's commission").await;
    assert_eq!(before_a["members"], after_a["members"], "A's members");
    assert_eq!(before_a["secretary"], after_a["secretary"], "A's secretary");
    let unread = scalar(
        &app.ctx.db,
        &format!("SELECT COUNT(*) FROM notifications WHERE id = {notice} AND read_at IS NULL"),
    )
    .await;
    assert_eq!(unread, 1, "another person's notice stays unread");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
});

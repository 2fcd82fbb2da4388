//! Fixtures shared by the stories: a board (an organisation with a commission, its
//! members and complete applications), elections, a held meeting, staff, free ports and
//! check digits.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;

/// The interview notes of the held meeting: every Kazakh letter Russian lacks.
pub const NOTES: &str = "Сұрақтар: ӘҒҚҢӨҰҮҺІ әғқңөұүһі – барлығына жауап берді";
/// The refusal's reasons of the held meeting: characters that markup would take.
pub const REASONS: &str = "Нәтижелер пәнге сәйкес емес; #1 [тест] $5 *бағалау* _деңгей_ <жоқ> @ \\";

/// A start the Rules accept for a meeting scheduled now and opened at once: the next
/// minute in Kazakhstan on the app's clock (rule 12: never in the past; a meeting opens
/// on its day). In the last minute of a Kazakhstan day, the system clock is waited past
/// midnight first, so the meeting's day has come when it opens.
pub async fn soon(app: &TestApp) -> String {
    let kz = |t: time::OffsetDateTime| t.to_offset(tanu_domain::dates::KAZAKHSTAN);
    let mut now = kz(app.clock.now());
    if now.hour() == 23 && now.minute() == 59 && app.clock.now() >= tanu_storage::now() {
        let left = 61 - u64::from(now.second());
        tokio::time::sleep(std::time::Duration::from_secs(left)).await;
        now = kz(app.clock.now());
    }
    local_minute(now + time::Duration::minutes(1))
}

/// A moment as a meeting's start is typed: `YYYY-MM-DDTHH:MM`, Kazakhstan time.
pub fn local_minute(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(tanu_domain::dates::KAZAKHSTAN);
    format!("{}T{:02}:{:02}", t.date(), t.hour(), t.minute())
}

pub struct Board {
    pub org: i64,
    pub commission: i64,
    pub secretary: String,
    /// (membership id, token) of the five members; [0] is the chair, [1] the deputy.
    pub members: Vec<(i64, String)>,
    pub outsider: String,
    pub unit: i64,
    pub candidates: Vec<String>,
}

pub async fn person(
    app: &TestApp,
    op: &str,
    org: i64,
    email: &str,
    position: &str,
    roles: &[&str],
) -> (i64, String) {
    let r = app.post(op, &format!("/api/v1/organisations/{org}/staff"), json!({ "full_name": format!("Person {email}"), "email": email, "position": position, "roles": roles })).await;
    assert!(r.status().is_success());
    let v: Value = r.json().await.unwrap();
    app.accept_invitation(email).await;
    (
        v["staff"]["id"].as_i64().unwrap(),
        app.token(email, PASSWORD).await,
    )
}

/// Candidates' names, between them every letter of the Kazakh alphabet beyond Russian's.
pub const CANDIDATE_NAMES: [&str; 6] = [
    "Әлия Ғалымқызы Қасенова",
    "Өмірзақ Ұланұлы Үсенов",
    "Іңкәр Һәкімқызы Сәрсенова",
    "Данияр Серікұлы Жұмабаев",
    "Анна Петровна Ким",
    "Ержан Нұрланұлы Бекболат",
];

/// The `n`th candidate's application, submitted and not yet checked.
pub async fn submitted_application(app: &TestApp, org: i64, n: usize) -> (i64, String) {
    let email = format!("cand{n}@mail.kz");
    let iins = [
        "850715400357",
        "951231400012",
        "000101501238",
        "900201300122",
        "880315300511",
        "061211600012",
    ];
    let r = app.client().post(app.url("/api/v1/candidates")).json(&json!({ "full_name": CANDIDATE_NAMES[n], "email": email, "password": PASSWORD, "iin": iins[n] })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.verify_email(&email).await;
    let token = app.token(&email, PASSWORD).await;
    let cert = json!({ "kind": "certificate", "provider_name": "IT Academy", "programme_title": "Python", "hours": 72,
        "study_from": "2026-01-10", "study_to": "2026-03-20", "number": format!("C-{n}"), "issued_on": "2026-03-25", "outcomes": ["writes programs", "tests them"] });
    let v: Value = app.post(&token, "/api/v1/applications", json!({ "org_id": org, "statement": "Курс бітірдім", "unit_ids": [], "consent": true, "certificate": cert })).await.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    assert_eq!(
        app.upload(&token, id, "identity", "id.png", png())
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.upload(&token, id, "confirming", "c.pdf", pdf("c"))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.post(
            &token,
            &format!("/api/v1/applications/{id}/submit"),
            json!({})
        )
        .await
        .status(),
        StatusCode::OK
    );
    (id, token)
}

pub async fn complete_application(
    app: &TestApp,
    org: i64,
    secretary: &str,
    n: usize,
) -> (i64, String) {
    let (id, token) = submitted_application(app, org, n).await;
    let items: Vec<Value> = ["statement", "identity", "confirming"]
        .iter()
        .map(|k| json!({ "kind": k, "present": true, "legible": true, "matches_candidate": true }))
        .collect();
    let r = app
        .post(
            secretary,
            &format!("/api/v1/applications/{id}/check"),
            json!({ "items": items }),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "complete");
    (id, token)
}

pub async fn board(app: &TestApp, applications: usize) -> (Board, Vec<i64>) {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let (_, admin) = app.staff(&op, org, "admin@a.kz", &["org-admin"]).await;
    let csv = "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes\nP1,Бағдарлама,Программа,U1,discipline,Пән,Дисциплина,5,writes programs\n";
    app.client()
        .post(app.url(&format!("/api/v1/organisations/{org}/programmes/import")))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let progs: Value = app
        .get(&admin, &format!("/api/v1/organisations/{org}/programmes"))
        .await
        .json()
        .await
        .unwrap();
    let unit = progs[0]["units"][0]["id"].as_i64().unwrap();
    let mut staff = Vec::new();
    for i in 0..5 {
        staff.push(person(app, &op, org, &format!("m{i}@a.kz"), "teacher", &[]).await);
    }
    let (sec_staff, secretary) =
        person(app, &op, org, "sec@a.kz", "specialist", &["secretary"]).await;
    let (_, outsider) = person(app, &op, org, "outsider@a.kz", "teacher", &["member"]).await;
    let c: Value = app
        .post(
            &admin,
            &format!("/api/v1/organisations/{org}/commissions"),
            json!({ "name": "Комиссия", "term_from": "2020-01-01", "term_to": "2099-12-31" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let commission = c["id"].as_i64().unwrap();
    let base = format!("/api/v1/organisations/{org}/commissions/{commission}");
    let v: Value = app
        .post(
            &admin,
            &format!("{base}/membership"),
            json!({ "add_staff": staff.iter().map(|s| s.0).collect::<Vec<_>>() }),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut members: Vec<(i64, String)> = Vec::new();
    for (staff_id, token) in &staff {
        let id = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["staff_id"] == *staff_id)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        members.push((id, token.clone()));
    }
    app.put(
        &admin,
        &format!("{base}/secretary"),
        json!({ "staff_id": sec_staff }),
    )
    .await;
    let mut applications_ids = Vec::new();
    let mut candidates = Vec::new();
    for n in 0..applications {
        let (id, token) = complete_application(app, org, &secretary, n).await;
        applications_ids.push(id);
        candidates.push(token);
    }
    (
        Board {
            org,
            commission,
            secretary,
            members,
            outsider,
            unit,
            candidates,
        },
        applications_ids,
    )
}

pub async fn elect(app: &TestApp, b: &Board) {
    let base = format!(
        "/api/v1/organisations/{}/commissions/{}",
        b.org, b.commission
    );
    for (office, who) in [("chair", 0), ("deputy", 1)] {
        let e = app
            .post(
                &b.secretary,
                &format!("{base}/elections"),
                json!({ "office": office }),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        let ballots: Vec<Value> = b
            .members
            .iter()
            .map(|m| json!({ "voter_member_id": m.0, "candidate_member_id": b.members[who].0 }))
            .collect();
        app.post(
            &b.secretary,
            &format!("{base}/elections/{e}/ballots"),
            json!({ "ballots": ballots }),
        )
        .await;
        app.post(
            &b.secretary,
            &format!("{base}/elections/{e}/close"),
            json!({}),
        )
        .await;
    }
}

impl Board {
    pub fn meeting(&self, id: i64, rest: &str) -> String {
        format!("/api/v1/organisations/{}/meetings/{id}{rest}", self.org)
    }
    pub fn item(&self, id: i64, item: i64, rest: &str) -> String {
        format!(
            "/api/v1/organisations/{}/meetings/{id}/items/{item}{rest}",
            self.org
        )
    }
    /// Schedules a meeting of the applications starting in the next minute ([`soon`]).
    pub async fn schedule(&self, app: &TestApp, apps: &[i64]) -> reqwest::Response {
        let starts_at = soon(app).await;
        self.schedule_at(app, &starts_at, apps).await
    }
    /// Schedules a meeting of the applications at `starts_at` (`YYYY-MM-DDTHH:MM`).
    pub async fn schedule_at(
        &self,
        app: &TestApp,
        starts_at: &str,
        apps: &[i64],
    ) -> reqwest::Response {
        app.post(
            &self.secretary,
            &format!(
                "/api/v1/organisations/{}/commissions/{}/meetings",
                self.org, self.commission
            ),
            json!({ "starts_at": starts_at, "place": "Ауд. 301", "application_ids": apps }),
        )
        .await
    }
    pub async fn attend(&self, app: &TestApp, id: i64, present: &[usize]) {
        let body: Vec<Value> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| json!({ "member_id": m.0, "present": present.contains(&i) }))
            .collect();
        let r = app
            .put(
                &self.secretary,
                &self.meeting(id, "/attendance"),
                json!(body),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    /// Candidate present, interview recorded, vote opened.
    pub async fn ready_to_vote(&self, app: &TestApp, id: i64, item: i64) {
        self.interviewed(app, id, item).await;
        assert_eq!(
            app.post(
                &self.secretary,
                &self.item(id, item, "/vote/open"),
                json!({})
            )
            .await
            .status(),
            StatusCode::OK
        );
    }
    /// Candidate present, interview recorded.
    pub async fn interviewed(&self, app: &TestApp, id: i64, item: i64) {
        assert_eq!(
            app.post(
                &self.secretary,
                &self.item(id, item, "/candidate"),
                json!({ "present": true })
            )
            .await
            .status(),
            StatusCode::OK
        );
        let r = app.put(&self.secretary, &self.item(id, item, "/interview"), json!({ "notes": "Сұрақтар қойылды", "assessments": [{ "outcome": "writes programs", "level": "fully", "comment": "" }] })).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
}

/// A held meeting: chair absent so the deputy presides; item 1 recognised by votes by
/// name with one recusal, item 2 refused, item 3 the candidate did not come.
pub async fn held_meeting(app: &TestApp) -> (Board, i64, Vec<i64>) {
    let (b, apps) = board(app, 3).await;
    elect(app, &b).await;
    let v: Value = b.schedule(app, &apps).await.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    let items: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    b.attend(app, id, &[1, 2, 3, 4]).await;
    let r = app
        .post(&b.secretary, &b.meeting(id, "/open"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Item 1: member 4 recuses; 1, 2 recognise, 3 abstains → 2 of 3, adopted.
    let r = app
        .post(
            &b.secretary,
            &b.item(id, items[0], "/recusal"),
            json!({ "member_id": b.members[4].0, "reason": "Үміткер – туысы" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.post(
        &b.secretary,
        &b.item(id, items[0], "/candidate"),
        json!({ "present": true }),
    )
    .await;
    let r = app.put(&b.secretary, &b.item(id, items[0], "/interview"), json!({ "notes": NOTES, "assessments": [{ "outcome": "writes programs", "level": "fully", "comment": "жақсы" }, { "outcome": "tests them", "level": "partly", "comment": "" }] })).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.post(&b.secretary, &b.item(id, items[0], "/vote/open"), json!({}))
        .await;
    let r = app.post(&b.secretary, &b.item(id, items[0], "/votes"), json!([{ "member_id": b.members[1].0, "choice": "recognise" }, { "member_id": b.members[2].0, "choice": "recognise" }, { "member_id": b.members[3].0, "choice": "abstain" }])).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            &b.secretary,
            &b.item(id, items[0], "/vote/close"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.post(&b.secretary, &b.item(id, items[0], "/decision"), json!({ "recognised": [{ "unit_id": b.unit, "credits": 3, "outcomes": ["writes programs"] }] })).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Item 2: 3 refuse, 1 recognises → refused, with reasons.
    b.ready_to_vote(app, id, items[1]).await;
    app.post(&b.secretary, &b.item(id, items[1], "/votes"), json!([{ "member_id": b.members[1].0, "choice": "refuse" }, { "member_id": b.members[2].0, "choice": "refuse" }, { "member_id": b.members[3].0, "choice": "refuse" }, { "member_id": b.members[4].0, "choice": "recognise" }])).await;
    app.post(
        &b.secretary,
        &b.item(id, items[1], "/vote/close"),
        json!({}),
    )
    .await;
    let r = app
        .post(
            &b.secretary,
            &b.item(id, items[1], "/decision"),
            json!({ "reasons": REASONS }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Item 3: the candidate did not come.
    app.post(
        &b.secretary,
        &b.item(id, items[2], "/candidate"),
        json!({ "present": false }),
    )
    .await;
    (b, id, apps)
}

/// A member of staff with a position and no roles, invitation accepted: (staff id, token).
pub async fn staff_as(
    app: &TestApp,
    op: &str,
    org: i64,
    email: &str,
    position: &str,
) -> (i64, String) {
    let r = app
        .post(op, &format!("/api/v1/organisations/{org}/staff"), json!({ "full_name": format!("Person {email}"), "email": email, "position": position, "roles": [] }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    app.accept_invitation(email).await;
    (
        v["staff"]["id"].as_i64().unwrap(),
        app.token(email, PASSWORD).await,
    )
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// Completes a BIN's check digit so fixtures can be written by their first digits.
pub fn fix_bin(s: &str) -> String {
    let mut d = [0u8; 11];
    for (x, c) in d.iter_mut().zip(s.bytes()) {
        *x = c - b'0';
    }
    let check = tanu_domain::ids::check_digit(&d).expect("digits admit a check digit");
    format!("{}{check}", &s[..11])
}

//! Reports (issue 7) on both databases: every figure of the organisation and national
//! reports equals a hand count of a small fixture; the CSV carries the same numbers;
//! the page draws its charts; only admins, auditors and the operator see them.
//!
//! The fixture starts from a real held meeting (`held_meeting`: one application
//! recognised, one refused, one moved because the candidate did not come), then sets
//! exact submission and decision times and adds applications directly in the database
//! (a second vote without result would otherwise take another whole meeting).
//!
//! Organisation A (times UTC; months and days in Kazakhstan time, UTC+5):
//!
//! | app | status      | submitted        | KZ month | programme | provider (BIN)        | number | items                                   | days |
//! |-----|-------------|------------------|----------|-----------|-----------------------|--------|-----------------------------------------|------|
//! | a0  | recognised  | 2026-01-10 08:00 | 2026-01  | P1        | IT Academy            | C-0    | recognised 2026-01-20 08:00             | 10   |
//! | a1  | refused     | 2026-01-31 20:00 | 2026-02  | P1        | IT Academy            | C-1    | refused 2026-02-02 10:00                | 1    |
//! | a2  | complete    | 2026-02-15 10:00 | 2026-02  | –         | IT Academy            | C-2    | moved (not an outcome)                  |      |
//! | d1  | recognised  | 2026-03-01 10:00 | 2026-03  | P2        | Coursera (BIN)        | N-1    | recognised 2026-03-06 10:00             | 5    |
//! | d2  | not-adopted | 2026-03-05 10:00 | 2026-03  | P2        | Coursera (BIN)        | N-2    | not adopted                             |      |
//! | d3  | refused     | 2026-04-02 10:00 | 2026-04  | P1        | Skillbox              | S-1    | not adopted, then refused 2026-05-17    | 45   |
//! | d4  | submitted   | 2026-04-10 10:00 | 2026-04  | P2        | IT Academy            | C-0    | –  (same certificate as a0)             |      |
//! | d5  | withdrawn   | 2026-06-01 10:00 | 2026-06  | –         | Coursera (BIN)        | N-3    | –                                       |      |
//! | d6  | draft       | –                | –        | P1        | IT Academy            | C-9    | – (never counted)                       |      |
//!
//! a1 is submitted on 31 January UTC, which is 1 February in Kazakhstan: it counts in
//! February, and its decision on 2 February (UTC and Kazakhstan) is 1 day later.
//!
//! Organisation B: e1 recognised (submitted 2026-02-10 10:00, decided 2026-02-13 10:00,
//! 3 days; no programme; Coursera (BIN) N-1 – the same certificate as d1), e2 submitted
//! (2026-03-20, no programme, Skillbox S-9), e3 a draft with a2's certificate (so a2 is
//! not reused: drafts do not count).

use reqwest::StatusCode;
use serde_json::{Value, json};
use tanu_storage::{Db, Pool};
use time::OffsetDateTime;
use time::macros::{date, datetime};

use crate::common::*;

const COURSERA_BIN: &str = "940140000385";

fn at(t: OffsetDateTime) -> OffsetDateTime {
    tanu_storage::fixed_width(t)
}

/// Runs a statement on the test database; returns the `RETURNING id` when asked.
macro_rules! sql {
    ($db:expr, $q:expr $(, $arg:expr)* $(,)?) => {
        match $db.pool() {
            Pool::Sqlite(p) => { sqlx::query($q)$(.bind($arg))*.execute(p).await.unwrap(); }
            Pool::Postgres(p) => { sqlx::query($q)$(.bind($arg))*.execute(p).await.unwrap(); }
        }
    };
}

macro_rules! id {
    ($db:expr, $q:expr $(, $arg:expr)* $(,)?) => {
        match $db.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar::<_, i64>($q)$(.bind($arg))*.fetch_one(p).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar::<_, i64>($q)$(.bind($arg))*.fetch_one(p).await.unwrap(),
        }
    };
}

macro_rules! text {
    ($db:expr, $q:expr $(, $arg:expr)* $(,)?) => {
        match $db.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar::<_, String>($q)$(.bind($arg))*.fetch_one(p).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar::<_, String>($q)$(.bind($arg))*.fetch_one(p).await.unwrap(),
        }
    };
}

/// One application with its certificate, inserted as the services would store it.
struct NewApp<'a> {
    org: i64,
    candidate: i64,
    status: &'a str,
    submitted: Option<OffsetDateTime>,
    programme: Option<i64>,
    provider: &'a str,
    bin: Option<&'a str>,
    number: &'a str,
}

async fn insert(db: &Db, a: NewApp<'_>) -> i64 {
    let now = at(datetime!(2026-06-30 12:00 UTC));
    let id = id!(
        db,
        "INSERT INTO applications (org_id, candidate_id, status, statement, programme_id, search, created_at, created_by, \
         submitted_at, updated_at) VALUES ($1, $2, $3, 'statement', $4, 'search', $5, $2, $6, $5) RETURNING id",
        a.org,
        a.candidate,
        a.status,
        a.programme,
        now,
        a.submitted
    );
    // The key the domain makes: the BIN, else the name in lower case; and the number.
    let key = format!(
        "{}|{}",
        a.bin
            .map_or_else(|| a.provider.to_lowercase(), str::to_owned),
        a.number.to_lowercase()
    );
    sql!(
        db,
        "INSERT INTO certificates (application_id, kind, provider_name, provider_bin, programme_title, hours, credits, \
         study_from, study_to, number, issued_on, outcomes, reuse_key) \
         VALUES ($1, 'certificate', $2, $3, 'Course', 72, NULL, $4, $5, $6, $5, '[]', $7)",
        id,
        a.provider,
        a.bin,
        date!(2025 - 09 - 01),
        date!(2025 - 12 - 01),
        a.number,
        key
    );
    id
}

/// An agenda item: `decided` with `adopted`, or `not-adopted`.
async fn item(
    db: &Db,
    meeting: i64,
    app: i64,
    status: &str,
    adopted: Option<&str>,
    decided: Option<OffsetDateTime>,
) {
    sql!(
        db,
        "INSERT INTO agenda_items (meeting_id, application_id, position, status, interview_notes, adopted, decided_at) \
         VALUES ($1, $2, 99, $3, '', $4, $5)",
        meeting,
        app,
        status,
        adopted,
        decided
    );
}

/// A closed meeting of a commission made directly (organisation B has no board).
async fn bare_meeting(db: &Db, org: i64, by: i64) -> i64 {
    let now = at(datetime!(2026-06-30 12:00 UTC));
    let commission = id!(
        db,
        "INSERT INTO commissions (org_id, name, term_from, term_to, rule_set_id, created_at, created_by) \
         VALUES ($1, 'Комиссия', $2, $3, (SELECT MIN(id) FROM rule_sets), $4, $5) RETURNING id",
        org,
        date!(2026 - 01 - 01),
        date!(2026 - 12 - 31),
        now,
        by
    );
    id!(
        db,
        "INSERT INTO meetings (org_id, commission_id, starts_at, place, status, created_by, created_at) \
         VALUES ($1, $2, $3, 'Ауд. 1', 'closed', $4, $3) RETURNING id",
        org,
        commission,
        now,
        by
    )
}

struct Fixture {
    a: Board,
    org_b: i64,
    admin_a: String,
    admin_b: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let (b, meeting, apps) = held_meeting(app).await;
    app.post(&b.secretary, &b.meeting(meeting, "/close"), json!({}))
        .await;
    let db = &app.ctx.db;
    let (a0, a1, a2) = (apps[0], apps[1], apps[2]);
    // The held meeting left a0 recognised, a1 refused, a2 back to complete.
    let admin_a = app.token("admin@a.kz", PASSWORD).await;
    for (id, status) in [(a0, "recognised"), (a1, "refused"), (a2, "complete")] {
        let v: Value = app
            .get(&b.secretary, &format!("/api/v1/applications/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], status, "{v}");
    }
    let p1 = id!(
        db,
        "SELECT id FROM programmes WHERE org_id = $1 AND code = 'P1'",
        b.org
    );
    let p2 = id!(
        db,
        "INSERT INTO programmes (org_id, code, title_kk, title_ru, active, created_at) \
         VALUES ($1, 'P2', 'Екінші бағдарлама', 'Вторая программа', TRUE, $2) RETURNING id",
        b.org,
        at(datetime!(2026-01-01 0:00 UTC))
    );
    let candidate = id!(
        db,
        "SELECT candidate_id FROM applications WHERE id = $1",
        a0
    );
    let operator = id!(
        db,
        "SELECT id FROM persons WHERE email = $1",
        OPERATOR_EMAIL
    );
    // Exact times for the applications decided at the meeting.
    for (id, programme, submitted, decided) in [
        (
            a0,
            Some(p1),
            datetime!(2026-01-10 08:00 UTC),
            Some(datetime!(2026-01-20 08:00 UTC)),
        ),
        (
            a1,
            Some(p1),
            datetime!(2026-01-31 20:00 UTC),
            Some(datetime!(2026-02-02 10:00 UTC)),
        ),
        (a2, None, datetime!(2026-02-15 10:00 UTC), None),
    ] {
        sql!(
            db,
            "UPDATE applications SET submitted_at = $1, programme_id = $2 WHERE id = $3",
            at(submitted),
            programme,
            id
        );
        if let Some(d) = decided {
            sql!(
                db,
                "UPDATE agenda_items SET decided_at = $1 WHERE application_id = $2 AND status = 'decided'",
                at(d),
                id
            );
        }
    }
    let org_a = b.org;
    let new =
        |status, submitted: Option<OffsetDateTime>, programme, provider, bin, number| NewApp {
            org: org_a,
            candidate,
            status,
            submitted: submitted.map(at),
            programme,
            provider,
            bin,
            number,
        };
    let d1 = insert(
        db,
        new(
            "recognised",
            Some(datetime!(2026-03-01 10:00 UTC)),
            Some(p2),
            "Coursera",
            Some(COURSERA_BIN),
            "N-1",
        ),
    )
    .await;
    let d2 = insert(
        db,
        new(
            "not-adopted",
            Some(datetime!(2026-03-05 10:00 UTC)),
            Some(p2),
            "Coursera",
            Some(COURSERA_BIN),
            "N-2",
        ),
    )
    .await;
    let d3 = insert(
        db,
        new(
            "refused",
            Some(datetime!(2026-04-02 10:00 UTC)),
            Some(p1),
            "Skillbox",
            None,
            "S-1",
        ),
    )
    .await;
    insert(
        db,
        new(
            "submitted",
            Some(datetime!(2026-04-10 10:00 UTC)),
            Some(p2),
            "IT Academy",
            None,
            "C-0",
        ),
    )
    .await;
    insert(
        db,
        new(
            "withdrawn",
            Some(datetime!(2026-06-01 10:00 UTC)),
            None,
            "Coursera",
            Some(COURSERA_BIN),
            "N-3",
        ),
    )
    .await;
    insert(db, new("draft", None, Some(p1), "IT Academy", None, "C-9")).await;
    let second = id!(
        db,
        "INSERT INTO meetings (org_id, commission_id, starts_at, place, status, created_by, created_at) \
         VALUES ($1, $2, $3, 'Ауд. 2', 'closed', $4, $3) RETURNING id",
        org_a,
        b.commission,
        at(datetime!(2026-04-20 05:00 UTC)),
        operator
    );
    item(
        db,
        meeting,
        d1,
        "decided",
        Some("recognise"),
        Some(at(datetime!(2026-03-06 10:00 UTC))),
    )
    .await;
    item(db, meeting, d2, "not-adopted", None, None).await;
    item(db, meeting, d3, "not-adopted", None, None).await;
    item(
        db,
        second,
        d3,
        "decided",
        Some("refuse"),
        Some(at(datetime!(2026-05-17 10:00 UTC))),
    )
    .await;
    // The API made a0's certificate: d4 reuses exactly its key.
    assert_eq!(
        text!(
            db,
            "SELECT reuse_key FROM certificates WHERE application_id = $1",
            a0
        ),
        "it academy|c-0"
    );

    // Organisation B.
    let op = app.operator_token().await;
    let org_b = app.org(&op, BIN_B, "higher").await;
    let (_, admin_b) = app.staff(&op, org_b, "admin@b.kz", &["org-admin"]).await;
    let meeting_b = bare_meeting(db, org_b, operator).await;
    let new_b = |status, submitted: Option<OffsetDateTime>, provider, bin, number| NewApp {
        org: org_b,
        candidate,
        status,
        submitted: submitted.map(at),
        programme: None,
        provider,
        bin,
        number,
    };
    let e1 = insert(
        db,
        new_b(
            "recognised",
            Some(datetime!(2026-02-10 10:00 UTC)),
            "Coursera",
            Some(COURSERA_BIN),
            "N-1",
        ),
    )
    .await;
    insert(
        db,
        new_b(
            "submitted",
            Some(datetime!(2026-03-20 10:00 UTC)),
            "Skillbox",
            None,
            "S-9",
        ),
    )
    .await;
    insert(db, new_b("draft", None, "IT Academy", None, "C-2")).await;
    item(
        db,
        meeting_b,
        e1,
        "decided",
        Some("recognise"),
        Some(at(datetime!(2026-02-13 10:00 UTC))),
    )
    .await;
    Fixture {
        a: b,
        org_b,
        admin_a,
        admin_b,
    }
}

fn statuses(r: &Value) -> Vec<(String, i64)> {
    r["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap().to_owned(),
                s["applications"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect()
}

fn months(r: &Value) -> Vec<(String, i64)> {
    r["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_owned(),
                m["applications"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// `(kind, code, name_ru, applications, recognised, refused, not adopted)` per row.
type GroupRow = (String, Option<String>, Option<String>, i64, i64, i64, i64);

fn groups(r: &Value, key: &str) -> Vec<GroupRow> {
    r[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["kind"].as_str().unwrap().to_owned(),
                g["code"].as_str().map(str::to_owned),
                g["name_ru"].as_str().map(str::to_owned),
                g["applications"].as_i64().unwrap(),
                g["recognised"].as_i64().unwrap(),
                g["refused"].as_i64().unwrap(),
                g["not_adopted"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn g(
    kind: &str,
    code: Option<&str>,
    name: Option<&str>,
    n: [i64; 4],
) -> (String, Option<String>, Option<String>, i64, i64, i64, i64) {
    (
        kind.to_owned(),
        code.map(str::to_owned),
        name.map(str::to_owned),
        n[0],
        n[1],
        n[2],
        n[3],
    )
}

async fn report(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.get(token, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

/// The CSV's sections by their first header cell: the rows under each header.
fn csv_sections(body: &str) -> Vec<(String, Vec<Vec<String>>)> {
    let body = body.strip_prefix('\u{feff}').expect("byte-order mark");
    body.split("\r\n\r\n")
        .map(|section| {
            let mut lines = section
                .lines()
                .filter(|l| !l.is_empty())
                .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>());
            let header = lines.next().unwrap();
            (header[0].clone(), lines.collect())
        })
        .collect()
}

fn csv_pairs(sections: &[(String, Vec<Vec<String>>)], name: &str) -> Vec<(String, i64)> {
    sections
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("section {name}"))
        .1
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap_or(-1)))
        .collect()
}

both!(report_figures_match_a_hand_counted_fixture, |app| {
    let f = fixture(&app).await;
    let org = f.a.org;
    let url = format!("/api/v1/organisations/{org}/reports");
    let r = report(&app, &f.admin_a, &url).await;
    assert_eq!(r["org_id"], org);
    // Eight submitted applications; d6 is a draft.
    assert_eq!(r["applications"], 8);
    assert_eq!(
        statuses(&r),
        pairs(&[
            ("submitted", 1),
            ("incomplete", 0),
            ("complete", 1),
            ("scheduled", 0),
            ("recognised", 2),
            ("refused", 2),
            ("not-adopted", 1),
            ("withdrawn", 1),
        ])
    );
    // a1 (31 January UTC) is February in Kazakhstan; May had none.
    assert_eq!(
        months(&r),
        pairs(&[
            ("2026-01", 1),
            ("2026-02", 2),
            ("2026-03", 2),
            ("2026-04", 2),
            ("2026-05", 0),
            ("2026-06", 1)
        ])
    );
    // Recognised a0, d1; refused a1, d3; votes without result d2, d3 (the moved a2 is no outcome).
    assert_eq!(
        r["outcomes"],
        json!({ "recognised": 2, "refused": 2, "not_adopted": 2 })
    );
    // Days 1 (a1), 5 (d1), 10 (a0), 45 (d3): median the 2nd of 4, p90 the 4th.
    assert_eq!(
        r["days_to_decision"],
        json!({ "decisions": 4, "median": 5, "p90": 45, "min": 1, "max": 45 })
    );
    // P1: a0, a1, d3 (3; recognised 1, refused 2, not adopted 1); P2: d1, d2, d4 (3; 1, 0, 1):
    // equal applications, P1 has more decisions. None: a2, d5.
    assert_eq!(
        groups(&r, "by_programme"),
        [
            g("one", Some("P1"), Some("Программа"), [3, 1, 2, 1]),
            g("one", Some("P2"), Some("Вторая программа"), [3, 1, 0, 1]),
            g("unspecified", None, None, [2, 0, 0, 0]),
        ]
    );
    // IT Academy: a0, a1, a2, d4; Coursera (by BIN): d1, d2, d5; Skillbox: d3.
    assert_eq!(
        groups(&r, "by_provider"),
        [
            g("one", None, Some("IT Academy"), [4, 1, 1, 0]),
            g("one", Some(COURSERA_BIN), Some("Coursera"), [3, 1, 0, 1]),
            g("one", None, Some("Skillbox"), [1, 0, 1, 1]),
        ]
    );
    // a0 and d4 share C-0; d1 shares N-1 with e1 at organisation B; a2's twin is a draft.
    assert_eq!(r["reused"], json!({ "applications": 3, "certificates": 2 }));

    // February and March only: a1 (1 February in Kazakhstan), a2, d1, d2.
    let r = report(
        &app,
        &f.admin_a,
        &format!("{url}?from=2026-02-01&to=2026-03-31"),
    )
    .await;
    assert_eq!(r["from"], "2026-02-01");
    assert_eq!(r["to"], "2026-03-31");
    assert_eq!(r["applications"], 4);
    assert_eq!(months(&r), pairs(&[("2026-02", 2), ("2026-03", 2)]));
    assert_eq!(
        r["outcomes"],
        json!({ "recognised": 1, "refused": 1, "not_adopted": 1 })
    );
    assert_eq!(
        r["days_to_decision"],
        json!({ "decisions": 2, "median": 1, "p90": 5, "min": 1, "max": 5 })
    );
    assert_eq!(r["reused"], json!({ "applications": 1, "certificates": 1 }));
    // Until 31 January (Kazakhstan): a0 only – a1 was already 1 February there.
    let r = report(&app, &f.admin_a, &format!("{url}?to=2026-01-31")).await;
    assert_eq!(r["applications"], 1);
    assert_eq!(months(&r), pairs(&[("2026-01", 1)]));
    // A range that ends before it starts, and a malformed day, are refused.
    problem(
        app.get(&f.admin_a, &format!("{url}?from=2026-03-01&to=2026-02-01"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "date-range-inverted",
    )
    .await;
    problem(
        app.get(&f.admin_a, &format!("{url}?from=01.02.2026")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-value",
    )
    .await;

    // National: A and B. e1 recognised after 3 days; e2 submitted.
    let op = app.operator_token().await;
    let n = report(&app, &op, "/api/v1/reports").await;
    assert_eq!(n["org_id"], Value::Null);
    assert_eq!(n["applications"], 10);
    assert_eq!(
        statuses(&n),
        pairs(&[
            ("submitted", 2),
            ("incomplete", 0),
            ("complete", 1),
            ("scheduled", 0),
            ("recognised", 3),
            ("refused", 2),
            ("not-adopted", 1),
            ("withdrawn", 1),
        ])
    );
    assert_eq!(
        months(&n),
        pairs(&[
            ("2026-01", 1),
            ("2026-02", 3),
            ("2026-03", 3),
            ("2026-04", 2),
            ("2026-05", 0),
            ("2026-06", 1)
        ])
    );
    assert_eq!(
        n["outcomes"],
        json!({ "recognised": 3, "refused": 2, "not_adopted": 2 })
    );
    // Days 1, 3, 5, 10, 45: median the 3rd of 5, p90 the 5th.
    assert_eq!(
        n["days_to_decision"],
        json!({ "decisions": 5, "median": 5, "p90": 45, "min": 1, "max": 45 })
    );
    assert_eq!(
        groups(&n, "by_programme"),
        [
            g("one", Some("P1"), Some("Программа"), [3, 1, 2, 1]),
            g("one", Some("P2"), Some("Вторая программа"), [3, 1, 0, 1]),
            g("unspecified", None, None, [4, 1, 0, 0]),
        ]
    );
    // IT Academy and Coursera both 4 applications and 2 decisions; the one without a
    // BIN sorts first.
    assert_eq!(
        groups(&n, "by_provider"),
        [
            g("one", None, Some("IT Academy"), [4, 1, 1, 0]),
            g("one", Some(COURSERA_BIN), Some("Coursera"), [4, 2, 0, 1]),
            g("one", None, Some("Skillbox"), [2, 0, 1, 1]),
        ]
    );
    assert_eq!(n["reused"], json!({ "applications": 4, "certificates": 2 }));
    // The operator sees organisation A's report too, with the same figures.
    let same = report(&app, &op, &url).await;
    assert_eq!(same["applications"], 8);
    assert_eq!(
        same["by_provider"],
        report(&app, &f.admin_a, &url).await["by_provider"]
    );

    // The CSV carries the same numbers.
    let r = app
        .get(&f.admin_a, &format!("/orgs/{org}/reports.csv"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"tanu-report-{org}-")),
        "{disposition}"
    );
    let body = r.text().await.unwrap();
    let s = csv_sections(&body);
    assert_eq!(
        s.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        [
            "report",
            "status",
            "month",
            "outcome",
            "days_to_decision",
            "programme",
            "provider",
            "reused_certificates"
        ]
    );
    assert_eq!(s[0].1[0][0], "organisation");
    assert_eq!(s[0].1[0][5], "8");
    assert_eq!(
        csv_pairs(&s, "status"),
        statuses(&report(&app, &f.admin_a, &url).await)
    );
    assert_eq!(
        csv_pairs(&s, "month"),
        pairs(&[
            ("2026-01", 1),
            ("2026-02", 2),
            ("2026-03", 2),
            ("2026-04", 2),
            ("2026-05", 0),
            ("2026-06", 1)
        ])
    );
    assert_eq!(
        csv_pairs(&s, "outcome"),
        pairs(&[("recognised", 2), ("refused", 2), ("not-adopted", 2)])
    );
    assert_eq!(
        csv_pairs(&s, "days_to_decision"),
        pairs(&[
            ("decisions", 4),
            ("median", 5),
            ("p90", 45),
            ("min", 1),
            ("max", 45)
        ])
    );
    let programmes = &s.iter().find(|(n, _)| n == "programme").unwrap().1;
    assert_eq!(
        programmes[0],
        [
            "one",
            "P1",
            "Бағдарлама",
            "Программа",
            "1",
            "3",
            "1",
            "2",
            "1"
        ]
    );
    assert_eq!(
        programmes[2],
        ["unspecified", "", "", "", "0", "2", "0", "0", "0"]
    );
    let providers = &s.iter().find(|(n, _)| n == "provider").unwrap().1;
    assert_eq!(
        providers[1],
        ["one", COURSERA_BIN, "Coursera", "1", "3", "1", "0", "1"]
    );
    assert_eq!(
        csv_pairs(&s, "reused_certificates"),
        pairs(&[("applications", 3), ("certificates", 2)])
    );
    // The national CSV, for the operator.
    let r = app.get(&op, "/reports.csv?from=2026-02-01").await;
    assert_eq!(r.status(), StatusCode::OK);
    let s = csv_sections(&r.text().await.unwrap());
    assert_eq!(s[0].1[0][0], "national");
    assert_eq!(s[0].1[0][2], "2026-02-01");
    // Everything but a0.
    assert_eq!(s[0].1[0][5], "9");
    let _ = f.org_b;
});

both!(
    report_pages_draw_charts_and_only_the_right_people_see_reports,
    |app| {
        let f = fixture(&app).await;
        let org = f.a.org;
        let page = |token: String, path: String| {
            let app = &app;
            async move {
                app.client()
                    .get(app.url(&path))
                    .bearer_auth(token)
                    .header("accept-language", "en")
                    .send()
                    .await
                    .unwrap()
            }
        };
        let r = page(f.admin_a.clone(), format!("/orgs/{org}/reports")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("<svg"), "charts are drawn");
        for id in ["chart-status", "chart-months", "chart-outcomes"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        assert!(html.contains("<desc id=\"chart-outcomes-desc\">Recognised: 2; Refused: 2; No decision adopted: 2</desc>"));
        assert!(html.contains("id=\"report-total\">8<"));
        assert!(
            html.contains(
                "<tr data-month=\"2026-05\"><td>2026-05</td><td class=\"num\">0</td></tr>"
            )
        );
        assert!(html.contains("data-figure=\"median\">5 days<"));
        assert!(html.contains("data-figure=\"p90\">45 days<"));
        assert!(html.contains("P2 · Вторая программа") || html.contains("P2 · Екінші бағдарлама"));
        assert!(html.contains(&format!("href=\"/orgs/{org}/reports.csv\"")));
        assert!(!html.contains("style="), "no inline styles (CSP)");
        // The filter keeps its values and goes into the CSV link.
        let html = page(
            f.admin_a.clone(),
            format!("/orgs/{org}/reports?from=2026-02-01&to=2026-03-31"),
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(html.contains("value=\"2026-02-01\""));
        assert!(html.contains(&format!(
            "href=\"/orgs/{org}/reports.csv?from=2026-02-01&#38;to=2026-03-31\""
        )));
        assert!(html.contains("id=\"report-total\">4<"));
        // A wrong filter is shown in the form.
        let r = page(
            f.admin_a.clone(),
            format!("/orgs/{org}/reports?from=2026-03-01&to=2026-02-01"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("id=\"report-error\""));
        // The organisation page links to the report for its admin.
        let html = page(f.admin_a.clone(), format!("/orgs/{org}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"reports-link\""));

        // An auditor of A sees it; A's secretary and members do not; B's admin and a
        // candidate get nothing about A; nobody without an account.
        let op = app.operator_token().await;
        let (_, auditor) = app.staff(&op, org, "auditor@a.kz", &["auditor"]).await;
        let api = format!("/api/v1/organisations/{org}/reports");
        assert_eq!(app.get(&auditor, &api).await.status(), StatusCode::OK);
        assert_eq!(
            page(auditor.clone(), format!("/orgs/{org}/reports"))
                .await
                .status(),
            StatusCode::OK
        );
        problem(
            app.get(&f.a.secretary, &api).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        problem(
            app.get(&f.a.outsider, &api).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let html = page(f.a.secretary.clone(), format!("/orgs/{org}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("id=\"reports-link\""),
            "no link for whom it is closed"
        );
        problem(
            app.get(&f.admin_b, &api).await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        assert_eq!(
            app.get(&f.admin_b, &format!("/orgs/{org}/reports.csv"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let candidate = &f.a.candidates[0];
        problem(
            app.get(candidate, &api).await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        assert_eq!(
            page(candidate.clone(), format!("/orgs/{org}/reports"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let r = app.client().get(app.url(&api)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // B's admin sees B's own report: two applications.
        let r = report(
            &app,
            &f.admin_b,
            &format!("/api/v1/organisations/{}/reports", f.org_b),
        )
        .await;
        assert_eq!(r["applications"], 2);

        // The national report is the operator's alone.
        for token in [&f.admin_a, &auditor, candidate, &f.admin_b] {
            problem(
                app.get(token, "/api/v1/reports").await,
                StatusCode::FORBIDDEN,
                "forbidden",
            )
            .await;
            assert_eq!(
                page(token.clone(), "/reports".into()).await.status(),
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                app.get(token, "/reports.csv").await.status(),
                StatusCode::FORBIDDEN
            );
        }
        let r = page(op.clone(), "/reports".into()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("<svg") && html.contains("id=\"report-total\">10<"));
        assert!(html.contains("href=\"/reports.csv\""));
        let home = page(op.clone(), "/".into()).await.text().await.unwrap();
        assert!(
            home.contains("href=\"/reports\""),
            "the operator's home links the national report"
        );
    }
);

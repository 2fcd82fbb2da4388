//! Dates that cannot lie (issue 22, findings 1 and 2): a meeting is never scheduled in
//! the past nor opened before its day (rule 12); a scheduled meeting is cancelled or
//! moved with everyone told; the protocol carries when the meeting was opened and
//! closed, takes its number in the order meetings were held, and becomes final only
//! when its record adds up (rule 9) – the demo's own protocol included.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tanu_storage::Pool;
use time::OffsetDateTime;

use crate::common::*;

/// Kazakhstan's time on the app's clock.
fn kz_now(app: &TestApp) -> OffsetDateTime {
    app.clock.now().to_offset(tanu_domain::dates::KAZAKHSTAN)
}

/// 10:00 in Kazakhstan, `days` after today there, as a meeting's start is typed.
fn day_at_ten(app: &TestApp, days: i64) -> String {
    let day = kz_now(app).date() + time::Duration::days(days);
    format!("{day}T10:00")
}

/// The same moment, as a time on the app's clock.
fn moment(local: &str) -> OffsetDateTime {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    time::PrimitiveDateTime::parse(local, &format)
        .unwrap()
        .assume_offset(tanu_domain::dates::KAZAKHSTAN)
}

/// A time of the API, to the minute (stored times carry a microsecond of their own).
fn minute_of(v: &Value) -> OffsetDateTime {
    let t = OffsetDateTime::parse(
        v.as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    t.replace_second(0).unwrap().replace_nanosecond(0).unwrap()
}

async fn kinds(app: &TestApp, token: &str) -> Vec<Value> {
    app.get(token, "/api/v1/notifications")
        .await
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn has_kind(notes: &[Value], kind: &str) -> bool {
    notes.iter().any(|n| n["kind"] == kind)
}

/// A protocol of `meeting` sent and approved by the chair (member 0) and the secretary.
async fn finalise(app: &TestApp, b: &Board, meeting: i64) -> Value {
    let p: Value = app
        .post(&b.secretary, &b.meeting(meeting, "/protocol"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let url = |rest: &str| {
        format!(
            "/api/v1/organisations/{}/protocols/{}{rest}",
            b.org, p["id"]
        )
    };
    let r = app.post(&b.secretary, &url("/send"), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    app.post(&b.members[0].1, &url("/approve"), json!({})).await;
    app.post(&b.secretary, &url("/approve"), json!({}))
        .await
        .json()
        .await
        .unwrap()
}

/// Opens a meeting with all five present, marks its candidates absent (nothing to
/// vote on) and closes it.
async fn hold(app: &TestApp, b: &Board, meeting: i64, items: &[i64]) {
    b.attend(app, meeting, &[0, 1, 2, 3, 4]).await;
    let r = app
        .post(&b.secretary, &b.meeting(meeting, "/open"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    for item in items {
        app.post(
            &b.secretary,
            &b.item(meeting, *item, "/candidate"),
            json!({ "present": false }),
        )
        .await;
    }
}

fn items_of(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

both!(
    rule_12_a_meeting_is_neither_backdated_nor_opened_before_its_day,
    |app| {
        let (b, apps) = board(&app, 1).await;
        elect(&app, &b).await;
        // Five weeks back, as in the issue: refused, citing rule 12, on the field.
        let p = problem(
            b.schedule_at(&app, &day_at_ten(&app, -37), &apps).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-12-meeting-in-past",
        )
        .await;
        assert_eq!(p["rule"], 12, "{p}");
        // The minute just gone is the past too.
        let gone = local_minute(app.clock.now() - time::Duration::minutes(2));
        problem(
            b.schedule_at(&app, &gone, &apps).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-12-meeting-in-past",
        )
        .await;
        // Nothing of the refused schedules happened: the application still waits.
        let v: Value = app
            .get(
                &b.candidates[0],
                &format!("/api/v1/applications/{}", apps[0]),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "complete");
        // Set for tomorrow, it cannot open today.
        let v: Value = b
            .schedule_at(&app, &day_at_ten(&app, 1), &apps)
            .await
            .json()
            .await
            .unwrap();
        let id = v["id"].as_i64().unwrap();
        b.attend(&app, id, &[0, 1, 2, 3, 4]).await;
        problem(
            app.post(&b.secretary, &b.meeting(id, "/open"), json!({}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-12-meeting-day-not-come",
        )
        .await;
        // Nor can it be moved into the past.
        problem(
            app.post(
                &b.secretary,
                &b.meeting(id, "/move"),
                json!({ "starts_at": day_at_ten(&app, -1), "place": "Ауд. 301" }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-12-meeting-in-past",
        )
        .await;
        // On its day it opens – at any hour of that day in Kazakhstan.
        app.clock.set(Some(
            moment(&day_at_ten(&app, 1)) - time::Duration::hours(2),
        ));
        let r = app
            .post(&b.secretary, &b.meeting(id, "/open"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        // The UI says the same as the API.
        let (client, csrf) = app.signed_in("sec@a.kz").await;
        let r = client
            .post(app.url(&format!(
                "/orgs/{}/commissions/{}/meetings/new",
                b.org, b.commission
            )))
            .form(&[
                ("csrf", csrf.as_str()),
                ("starts_at", "2020-01-10T10:00"),
                ("place", "Ауд. 1"),
                ("application_ids", &apps[0].to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("rule-12-meeting-in-past"));
    }
);

both!(
    the_protocol_carries_when_the_meeting_was_opened_and_closed,
    |app| {
        let (b, apps) = board(&app, 1).await;
        elect(&app, &b).await;
        let start = day_at_ten(&app, 1);
        let v: Value = b
            .schedule_at(&app, &start, &apps)
            .await
            .json()
            .await
            .unwrap();
        let id = v["id"].as_i64().unwrap();
        // Opened 17 minutes late, closed at 11:42.
        app.clock
            .set(Some(moment(&start) + time::Duration::minutes(17)));
        hold(&app, &b, id, &items_of(&v)).await;
        app.clock
            .set(Some(moment(&start) + time::Duration::minutes(102)));
        let v: Value = app
            .post(&b.secretary, &b.meeting(id, "/close"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "closed");
        let opened = moment(&start) + time::Duration::minutes(17);
        assert_eq!(minute_of(&v["opened_at"]), opened);
        let p: Value = app
            .post(&b.secretary, &b.meeting(id, "/protocol"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        let url = format!(
            "/api/v1/organisations/{}/protocols/{}/pdf?lang=kk",
            b.org, p["id"]
        );
        let r = app.get(&b.secretary, &url).await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = crate::protocols::pdf_text(&r.bytes().await.unwrap());
        let day = tanu_domain::dates::fmt_date(opened.date());
        assert!(text.contains(&day), "{text}");
        assert!(text.contains("10:17"), "opened at 10:17: {text}");
        assert!(text.contains("11:42"), "closed at 11:42: {text}");
        assert!(!text.contains("10:00"), "not the scheduled start: {text}");
    }
);

both!(
    cancelling_a_meeting_returns_its_agenda_and_tells_everyone,
    |app| {
        let (b, apps) = board(&app, 2).await;
        elect(&app, &b).await;
        let v: Value = b
            .schedule_at(&app, &day_at_ten(&app, 3), &apps)
            .await
            .json()
            .await
            .unwrap();
        let id = v["id"].as_i64().unwrap();
        // A reason is required; a member who does not run meetings cannot cancel.
        problem(
            app.post(
                &b.secretary,
                &b.meeting(id, "/cancel"),
                json!({ "reason": "  " }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-9-cancel-reason-required",
        )
        .await;
        let r = app
            .post(
                &b.members[3].1,
                &b.meeting(id, "/cancel"),
                json!({ "reason": "Неге" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let v: Value = app
            .post(
                &b.secretary,
                &b.meeting(id, "/cancel"),
                json!({ "reason": "Төраға ауырып қалды" }),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "cancelled");
        assert_eq!(v["cancel_reason"], "Төраға ауырып қалды");
        assert!(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["status"] == "moved")
        );
        assert!(
            v["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "cancelled")
        );
        // The applications are back in the queue, each with its event.
        for (n, a) in apps.iter().enumerate() {
            let mine: Value = app
                .get(&b.candidates[n], &format!("/api/v1/applications/{a}"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(mine["status"], "complete", "{mine}");
            let notes = kinds(&app, &b.candidates[n]).await;
            let told = notes
                .iter()
                .find(|x| x["kind"] == "meeting-cancelled")
                .unwrap_or_else(|| panic!("{notes:?}"));
            assert!(told.to_string().contains("Төраға ауырып қалды"), "{told}");
        }
        assert!(has_kind(
            &kinds(&app, &b.members[2].1).await,
            "meeting-cancelled"
        ));
        assert!(has_kind(
            &kinds(&app, &b.secretary).await,
            "meeting-cancelled"
        ));
        // A cancelled meeting is neither opened, cancelled again nor given a protocol.
        for (path, code) in [
            ("/open", "status-transition"),
            ("/cancel", "status-transition"),
            ("/protocol", "rule-9-meeting-not-held"),
        ] {
            problem(
                app.post(&b.secretary, &b.meeting(id, path), json!({ "reason": "x" }))
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
            )
            .await;
        }
        // The applications go on another meeting's agenda.
        let r = b.schedule(&app, &apps).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        // The meeting page shows why it was cancelled.
        let (client, _) = app.signed_in("sec@a.kz").await;
        let page = client
            .get(app.url(&format!("/orgs/{}/meetings/{id}", b.org)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Төраға ауырып қалды"), "{page}");
        assert!(!page.contains("id=\"cancel-form\""));
    }
);

both!(moving_a_meeting_tells_everyone_the_new_time, |app| {
    let (b, apps) = board(&app, 1).await;
    elect(&app, &b).await;
    let v: Value = b
        .schedule_at(&app, &day_at_ten(&app, 2), &apps)
        .await
        .json()
        .await
        .unwrap();
    let id = v["id"].as_i64().unwrap();
    let new_start = day_at_ten(&app, 9);
    // Through the meeting page's form, as a secretary would.
    let (client, csrf) = app.signed_in("sec@a.kz").await;
    let page = client
        .get(app.url(&format!("/orgs/{}/meetings/{id}", b.org)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"move-form\"") && page.contains("id=\"cancel-form\""));
    let r = client
        .post(app.url(&format!("/orgs/{}/meetings/{id}/move", b.org)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("starts_at", new_start.as_str()),
            ("place", "Ауд. 415"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let v: Value = app
        .get(&b.secretary, &b.meeting(id, ""))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["place"], "Ауд. 415");
    assert_eq!(minute_of(&v["starts_at"]), moment(&new_start));
    assert!(
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "moved")
    );
    let when = tanu_domain::dates::fmt_datetime(moment(&new_start));
    for token in [&b.candidates[0], &b.members[4].1, &b.secretary] {
        let notes = kinds(&app, token).await;
        let told = notes
            .iter()
            .find(|x| x["kind"] == "meeting-moved")
            .unwrap_or_else(|| panic!("{notes:?}"));
        assert!(told.to_string().contains(&when), "{told}");
    }
    // The candidate's calendar file follows the meeting.
    let ics = app
        .get(
            &b.candidates[0],
            &format!("/applications/{}/meetings/{id}/calendar.ics", apps[0]),
        )
        .await
        .text()
        .await
        .unwrap();
    let utc = moment(&new_start).to_offset(time::UtcOffset::UTC);
    assert!(
        ics.contains(&format!(
            "DTSTART:{:04}{:02}{:02}T{:02}0000Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour()
        )),
        "{ics}"
    );
});

both!(
    protocol_numbers_follow_the_order_meetings_were_held,
    |app| {
        let (b, apps) = board(&app, 2).await;
        elect(&app, &b).await;
        let first: Value = b.schedule(&app, &apps[..1]).await.json().await.unwrap();
        let second: Value = b.schedule(&app, &apps[1..]).await.json().await.unwrap();
        let (first_id, second_id) = (
            first["id"].as_i64().unwrap(),
            second["id"].as_i64().unwrap(),
        );
        // The first meeting is held first, but its protocol is finished last.
        hold(&app, &b, first_id, &items_of(&first)).await;
        hold(&app, &b, second_id, &items_of(&second)).await;
        for id in [first_id, second_id] {
            app.post(&b.secretary, &b.meeting(id, "/close"), json!({}))
                .await;
        }
        let year = kz_now(&app).year();
        let later = finalise(&app, &b, second_id).await;
        assert_eq!(later["status"], "final", "{later}");
        assert_eq!(later["number"], format!("2/{year}"));
        let earlier = finalise(&app, &b, first_id).await;
        assert_eq!(earlier["number"], format!("1/{year}"));
    }
);

both!(
    rule_9_a_protocol_whose_record_does_not_add_up_is_not_final,
    |app| {
        let (b, apps) = board(&app, 1).await;
        elect(&app, &b).await;
        let v: Value = b.schedule(&app, &apps).await.json().await.unwrap();
        let id = v["id"].as_i64().unwrap();
        hold(&app, &b, id, &items_of(&v)).await;
        app.post(&b.secretary, &b.meeting(id, "/close"), json!({}))
            .await;
        let p: Value = app
            .post(&b.secretary, &b.meeting(id, "/protocol"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        let url = |rest: &str| {
            format!(
                "/api/v1/organisations/{}/protocols/{}{rest}",
                b.org, p["id"]
            )
        };
        let r = app.post(&b.secretary, &url("/send"), json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        // The demo's old flaw, made by hand: the memberships stamped after the meeting, so
        // the composition on its date is empty while five were marked present.
        let after = tanu_storage::fixed_width(tanu_storage::now() + time::Duration::days(1));
        let q = "UPDATE commission_members SET joined_at = $1 WHERE commission_id = $2";
        match app.ctx.db.pool() {
            Pool::Sqlite(pool) => {
                sqlx::query(q)
                    .bind(after)
                    .bind(b.commission)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            Pool::Postgres(pool) => {
                sqlx::query(q)
                    .bind(after)
                    .bind(b.commission)
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
        let r = app.post(&b.members[0].1, &url("/approve"), json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = problem(
            app.post(&b.secretary, &url("/approve"), json!({})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-9-record-composition",
        )
        .await;
        assert_eq!(p["rule"], 9, "{p}");
        let v: Value = app.get(&b.secretary, &url("")).await.json().await.unwrap();
        assert_eq!(v["status"], "signing", "nothing became final");
        assert_eq!(v["number"], Value::Null);
        // Sending it again is refused for the same reason.
        app.post(&b.secretary, &url("/return"), json!({})).await;
        problem(
            app.post(&b.secretary, &url("/send"), json!({})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-9-record-composition",
        )
        .await;
    }
);

on_both!(
    the_demo_builds_its_history_in_time_order_and_its_protocol_adds_up,
    |backend| {
        let dir = TempDir::new();
        let (db, _pg) = match backend {
            tanu_storage::Backend::Sqlite => (
                tanu_storage::Db::open_sqlite(&dir.0.join("tanu.db"))
                    .await
                    .unwrap(),
                None,
            ),
            tanu_storage::Backend::Postgres => {
                let Some(pg) = PgDatabase::create().await else {
                    eprintln!("SKIPPED: PostgreSQL not reachable; set TANU_TEST_POSTGRES_URL");
                    return;
                };
                (
                    tanu_storage::Db::open_postgres(&pg.url).await.unwrap(),
                    Some(pg),
                )
            }
        };
        db.migrate().await.unwrap();
        let ctx = tanu_app::Ctx {
            db: db.clone(),
            objects: tanu_storage::Objects::open(&tanu_storage::ObjectsConfig::Memory).unwrap(),
            issuer: tanu_app::protocols::Issuer {
                pdf: renderer(),
                signer: std::sync::Arc::new(tanu_app::signing::Signer::generate().unwrap()),
                public_url: "http://127.0.0.1:8080".to_owned(),
            },
            policy: tanu_app::Policy::default(),
        };
        let now = tanu_storage::now();
        tanu_app::rule_sets::seed(&ctx, now).await.unwrap();
        // Every step goes through the services, which refuse a backdated meeting, a meeting
        // opened before its day and a protocol whose record does not add up.
        tanu::demo::fill(&ctx, now).await.unwrap();
        let (number, snapshot): (Option<String>, String) = {
            let q = "SELECT CAST(seq AS TEXT) || '/' || CAST(year AS TEXT), snapshot FROM protocols WHERE status = 'final'";
            match db.pool() {
                Pool::Sqlite(p) => sqlx::query_as(q).fetch_one(p).await.unwrap(),
                Pool::Postgres(p) => sqlx::query_as(q).fetch_one(p).await.unwrap(),
            }
        };
        let doc: Value = serde_json::from_str(&snapshot).unwrap();
        let doc = &doc["doc"];
        let members = doc["members"].as_array().unwrap();
        assert_eq!(
            members.len(),
            5,
            "the composition on the meeting's date: {doc}"
        );
        assert_eq!(doc["present"], 5);
        assert_eq!(doc["quorum_met"], true);
        assert!(members.iter().all(|m| m["present"] == true));
        assert_eq!(
            number.unwrap(),
            format!(
                "1/{}",
                doc["date"].as_str().unwrap().rsplit('.').next().unwrap()
            )
        );
        // Its meeting was held after it was scheduled, on its day, and before now.
        let q = "SELECT m.starts_at, m.opened_at, m.created_at FROM meetings m JOIN protocols p ON p.meeting_id = m.id WHERE p.status = 'final'";
        let (starts, opened, created): (OffsetDateTime, OffsetDateTime, OffsetDateTime) =
            match db.pool() {
                Pool::Sqlite(p) => sqlx::query_as(q).fetch_one(p).await.unwrap(),
                Pool::Postgres(p) => sqlx::query_as(q).fetch_one(p).await.unwrap(),
            };
        assert!(
            created < starts && starts <= opened && opened < now,
            "{created} {starts} {opened} {now}"
        );
        assert_eq!(
            tanu_domain::dates::local_today(starts),
            tanu_domain::dates::local_today(opened)
        );
        // The later meeting it scheduled is still to come.
        let q = "SELECT starts_at FROM meetings WHERE status = 'scheduled'";
        let later: OffsetDateTime = match db.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
        };
        assert!(later > now);
    }
);

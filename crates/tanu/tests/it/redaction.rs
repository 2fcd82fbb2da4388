//! A trail that survives redaction, on both databases: a person's e-mails, IIN, name and
//! client addresses are deleted from every event about them, the chain still verifies
//! and counts the redacted events, and any other change – to a redacted event or not –
//! is still found. A trail recorded before personal data were kept apart is upgraded
//! and still verifies.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tanu_storage::repo::audit::{self, Break, Subject, redact_person, verify};
use tanu_storage::{Backend, Db, Pool};

use crate::common::*;

const EMAIL: &str = "redact.me@mail.kz";
const IIN: &str = "900101300126";
const NAME: &str = "Әсел Нұрқызы";

/// Every column of the audit tables, as text, one line per row.
async fn audit_text(db: &Db) -> String {
    let columns = tanu_storage::schema::columns(db).await.unwrap();
    let mut out = String::new();
    for table in ["audit_events", "audit_pending"] {
        let cols: Vec<String> = columns
            .iter()
            .filter(|(t, ..)| t == table)
            .map(|(_, c, ..)| format!("COALESCE(CAST({c} AS TEXT), '')"))
            .collect();
        assert!(cols.len() > 10, "{table}: {cols:?}");
        let q = sqlx::AssertSqlSafe(format!("SELECT {} FROM {table}", cols.join(" || '|' || ")));
        let rows: Vec<String> = match db.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar(q).fetch_all(p).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar(q).fetch_all(p).await.unwrap(),
        };
        out.push_str(&rows.join("\n"));
        out.push('\n');
    }
    out
}

/// The sequence number of a linked event with this action about this object.
async fn seq_of(db: &Db, action: &str, extra: &str) -> i64 {
    audit::seal(db).await.unwrap();
    scalar(
        db,
        &format!("SELECT MIN(seq) FROM audit_events WHERE action = '{action}' {extra}"),
    )
    .await
}

both!(
    a_redacted_person_is_gone_and_the_chain_still_verifies,
    |app| {
        let (b, _) = board(&app, 0).await;
        let token = app.candidate(EMAIL, IIN).await;
        let me = scalar(
            &app.ctx.db,
            &format!("SELECT id FROM persons WHERE email = '{EMAIL}'"),
        )
        .await;
        // A failed sign-in, and one recorded with the address as typed, in capitals and
        // before any account had it (as older builds recorded sign-ins).
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": EMAIL, "password": "wrong password", "name": "t" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let _ = token;
        // Events by staff that name the person, and one that names somebody else.
        let secretary = scalar(
            &app.ctx.db,
            "SELECT id FROM persons WHERE email = 'sec@a.kz'",
        )
        .await;
        let typed = json!({ "email": EMAIL.to_uppercase() }).to_string();
        let about = json!({ "full_name": NAME, "iin": IIN, "note": "kept" }).to_string();
        let other = json!({ "full_name": "Басқа Адам", "iin": "850202400123" }).to_string();
        for (who, action, details) in [
            (None, "login-failed", &typed),
            (Some(secretary), "walk-in-registered", &about),
            (Some(secretary), "walk-in-registered", &other),
        ] {
            let mut tx = app.ctx.db.begin().await.unwrap();
            let event = audit::NewEvent {
                person_id: who,
                role: who.is_none().then_some("anonymous"),
                action,
                object_type: "person",
                object_id: None,
                org_id: who.map(|_| b.org),
                details,
            };
            audit::ORIGIN
                .scope(
                    "10.9.8.7".to_owned(),
                    audit::append(tx.conn(), &event, tanu_storage::now()),
                )
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let before = verify(&app.ctx.db).await.unwrap();
        assert_eq!((before.broken, before.redacted), (None, 0));
        let text = audit_text(&app.ctx.db).await;
        for s in [EMAIL, &EMAIL.to_uppercase(), IIN, NAME] {
            assert!(text.contains(s), "{s} is recorded before the redaction");
        }

        // Redacted: every event about the person, recorded as a redaction.
        let subject = Subject {
            person_id: Some(me),
            emails: vec![EMAIL.to_owned()],
            iins: vec![IIN.to_owned()],
            names: vec![NAME.to_owned()],
        };
        let op = scalar(
            &app.ctx.db,
            &format!("SELECT id FROM persons WHERE email = '{OPERATOR_EMAIL}'"),
        )
        .await;
        let mut tx = app.ctx.db.begin().await.unwrap();
        let done = redact_person(tx.conn(), &subject, Some(op), tanu_storage::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Registration, verification, the failed sign-in, the token's sign-in and the
        // token made, and the secretary's event.
        assert!(done.events.len() >= 5, "{:?}", done.events);
        let after = verify(&app.ctx.db).await.unwrap();
        assert_eq!(after.broken, None);
        assert_eq!(after.redacted, i64::try_from(done.events.len()).unwrap());
        assert_eq!(after.events, before.events + 1);

        // Nowhere in the audit tables, in any column; somebody else's details stay.
        let text = audit_text(&app.ctx.db).await;
        for s in [EMAIL, &EMAIL.to_uppercase(), IIN, NAME] {
            assert!(!text.contains(s), "{s} is still in the audit trail");
        }
        assert!(text.contains("Басқа Адам") && text.contains("850202400123"));
        assert!(
            text.contains("\"note\":\"kept\""),
            "non-personal details stay"
        );

        // The trail shows them as redacted, without an address; the redaction is an event.
        let op_token = app.operator_token().await;
        let shown: Value = app
            .get(&op_token, "/api/v1/audit?action=walk-in-registered")
            .await
            .json()
            .await
            .unwrap();
        let shown = shown.as_array().unwrap();
        assert_eq!(shown.len(), 2);
        let mine = shown.iter().find(|e| e["redacted"] == true).unwrap();
        assert_eq!(
            (mine["ip"].as_str(), &mine["details"]),
            (Some(""), &json!({ "note": "kept" }))
        );
        let theirs = shown.iter().find(|e| e["redacted"] == false).unwrap();
        assert_eq!(theirs["details"]["full_name"], "Басқа Адам");
        assert_eq!(theirs["ip"], "10.9.8.7");
        let redactions: Value = app
            .get(&op_token, "/api/v1/audit?action=audit-redacted")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(redactions[0]["details"]["count"], done.events.len());
        assert_eq!(redactions[0]["ip"], "");

        // Another field of a redacted event changed: found, and so is the change undone.
        let seq = done.events[0];
        let action: String = {
            let q = format!("SELECT action FROM audit_events WHERE seq = {seq}");
            let q = sqlx::AssertSqlSafe(q);
            match app.ctx.db.pool() {
                Pool::Sqlite(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
                Pool::Postgres(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
            }
        };
        let set = |what: String| {
            let db = app.ctx.db.clone();
            async move { sql(&db, &what).await }
        };
        set(format!(
            "UPDATE audit_events SET action = 'decided' WHERE seq = {seq}"
        ))
        .await;
        assert_eq!(
            verify(&app.ctx.db).await.unwrap().broken,
            Some(Break::Altered { seq })
        );
        set(format!(
            "UPDATE audit_events SET action = '{action}' WHERE seq = {seq}"
        ))
        .await;
        assert_eq!(verify(&app.ctx.db).await.unwrap().broken, None);
        // Personal data put back into a redacted event: not covered by anything, found.
        set(format!(
            "UPDATE audit_events SET personal = '{{\"email\":\"x@y.kz\"}}' WHERE seq = {seq}"
        ))
        .await;
        assert_eq!(
            verify(&app.ctx.db).await.unwrap().broken,
            Some(Break::Altered { seq })
        );
        set(format!(
            "UPDATE audit_events SET personal = NULL WHERE seq = {seq}"
        ))
        .await;
        // The digest of a redacted event changed: found.
        set(format!(
            "UPDATE audit_events SET personal_digest = '{}' WHERE seq = {seq}",
            "0".repeat(64)
        ))
        .await;
        assert_eq!(
            verify(&app.ctx.db).await.unwrap().broken,
            Some(Break::Altered { seq })
        );

        // A second site for the events that were not redacted, so that one break does not
        // hide the next.
        let app2 = TestApp::spawn(app.backend).await.unwrap();
        drop(app);
        let _ = board(&app2, 0).await;
        let v = verify(&app2.ctx.db).await.unwrap();
        assert_eq!((v.broken, v.redacted), (None, 0));
        let login = seq_of(&app2.ctx.db, "login", "").await;
        // A non-redacted event's personal data changed: found.
        sql(
            &app2.ctx.db,
            &format!("UPDATE audit_events SET ip = '10.0.0.66' WHERE seq = {login}"),
        )
        .await;
        assert_eq!(
            verify(&app2.ctx.db).await.unwrap().broken,
            Some(Break::Altered { seq: login })
        );
        sql(
            &app2.ctx.db,
            &format!("UPDATE audit_events SET ip = '127.0.0.1' WHERE seq = {login}"),
        )
        .await;
        assert_eq!(verify(&app2.ctx.db).await.unwrap().broken, None);
        // Its other fields changed: found.
        sql(
            &app2.ctx.db,
            &format!("UPDATE audit_events SET person_id = NULL WHERE seq = {login}"),
        )
        .await;
        assert_eq!(
            verify(&app2.ctx.db).await.unwrap().broken,
            Some(Break::Altered { seq: login })
        );
        // Emptied as a redaction would, but with no redaction recorded: found.
        let app3 = TestApp::spawn(app2.backend).await.unwrap();
        drop(app2);
        let _ = board(&app3, 0).await;
        let login = seq_of(&app3.ctx.db, "login", "").await;
        sql(
        &app3.ctx.db,
        &format!(
            "UPDATE audit_events SET ip = '', personal = NULL, personal_salt = NULL WHERE seq = {login}"
        ),
    )
    .await;
        assert_eq!(
            verify(&app3.ctx.db).await.unwrap().broken,
            Some(Break::Stripped { seq: login })
        );
    }
);

/// A database of its own, migrated only to `version`.
async fn bare(backend: Backend, version: i64) -> Option<(Db, TempDir, Option<PgDatabase>)> {
    let dir = TempDir::new();
    let (db, pg) = match backend {
        Backend::Sqlite => (Db::open_sqlite(&dir.0.join("old.db")).await.unwrap(), None),
        Backend::Postgres => {
            let pg = PgDatabase::create().await?;
            (Db::open_postgres(&pg.url).await.unwrap(), Some(pg))
        }
    };
    db.migrate_to(version).await.unwrap();
    Some((db, dir, pg))
}

/// Writes format-1 events (as Tanu recorded them before personal data were kept
/// apart), `tamper` applied to the n-th one's details after hashing.
async fn old_events(db: &Db, events: &[(&str, &str)], tamper: Option<usize>) {
    let mut prev = "0".repeat(64);
    let mut seq = 0_i64;
    for (i, (action, details)) in events.iter().enumerate() {
        seq += 1;
        let at = tanu_storage::fixed_width(
            time::macros::datetime!(2026-03-01 09:00 UTC) + time::Duration::minutes(seq),
        );
        let hash = audit::hash_of_v1(
            seq,
            at,
            None,
            "anonymous",
            action,
            "account",
            None,
            None,
            "10.1.2.3",
            details,
            &prev,
        );
        let stored = if tamper == Some(i) { "{}" } else { details };
        let insert = "INSERT INTO audit_events (seq, at, person_id, role, action, object_type, object_id, \
                      org_id, ip, details, prev_hash, hash) VALUES ($1, $2, NULL, 'anonymous', $3, 'account', \
                      NULL, NULL, '10.1.2.3', $4, $5, $6)";
        macro_rules! run {
            ($p:expr) => {
                sqlx::query(insert)
                    .bind(seq)
                    .bind(at)
                    .bind(action)
                    .bind(stored)
                    .bind(&prev)
                    .bind(&hash)
                    .execute($p)
                    .await
                    .unwrap()
            };
        }
        match db.pool() {
            Pool::Sqlite(p) => drop(run!(p)),
            Pool::Postgres(p) => drop(run!(p)),
        }
        prev = hash;
    }
    sql(
        db,
        &format!("UPDATE audit_head SET seq = {seq}, hash = '{prev}' WHERE id = 1"),
    )
    .await;
}

const OLD: [(&str, &str); 3] = [
    ("login-failed", r#"{"email":"Old.Person@Mail.kz"}"#),
    (
        "membership-changed",
        r#"{"added":[{"external":false,"full_name":"Ескі Адам","member_id":1}],"count":1}"#,
    ),
    ("login-failed", r#"{"email":"someone.else@mail.kz"}"#),
];

// Verify passes on a trail recorded before the split: its events are re-derived once,
// checked first, with their personal data moved apart – and can then be redacted.
on_both!(
    a_trail_recorded_before_the_split_is_upgraded_and_verifies,
    |backend| {
        let Some((db, _dir, _pg)) = bare(backend, 15).await else {
            return;
        };
        old_events(&db, &OLD, None).await;
        db.migrate().await.unwrap();
        let v = verify(&db).await.unwrap();
        assert_eq!((v.broken, v.events, v.redacted), (None, 4, 0));
        // The upgrade is an event; the details no longer hold the personal members.
        let upgraded = scalar(
            &db,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'audit-upgraded' AND seq = 4",
        )
        .await;
        assert_eq!(upgraded, 1);
        assert_eq!(
            scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE format = 2").await,
            4
        );
        assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE details LIKE '%Mail.kz%' OR details LIKE '%Ескі%'").await,
        0
    );
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM audit_events WHERE personal LIKE '%Old.Person@Mail.kz%'"
            )
            .await,
            1
        );
        // Migrating again changes nothing.
        db.migrate().await.unwrap();
        assert_eq!(verify(&db).await.unwrap().events, 4);
        // Redacted by the address in another case.
        let mut tx = db.begin().await.unwrap();
        let subject = Subject {
            emails: vec!["old.person@mail.kz".to_owned()],
            names: vec!["Ескі Адам".to_owned()],
            ..Subject::default()
        };
        let done = redact_person(tx.conn(), &subject, None, tanu_storage::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(done.events, vec![1, 2]);
        let v = verify(&db).await.unwrap();
        assert_eq!((v.broken, v.events, v.redacted), (None, 5, 2));
        let text = audit_text(&db).await;
        assert!(
            !text.contains("Old.Person") && !text.contains("Ескі"),
            "{text}"
        );
        assert!(text.contains("someone.else@mail.kz"));
        db.close().await;
    }
);

// A trail already broken before the upgrade: the events before the break are
// re-derived, the rest stay as they were, and verify still names the break.
on_both!(an_upgrade_does_not_hide_an_earlier_break, |backend| {
    let Some((db, _dir, _pg)) = bare(backend, 15).await else {
        return;
    };
    old_events(&db, &OLD, Some(1)).await;
    db.migrate().await.unwrap();
    assert_eq!(
        verify(&db).await.unwrap().broken,
        Some(Break::Altered { seq: 2 })
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE format = 1").await,
        2
    );
    let stopped = scalar(
        &db,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'audit-upgraded' AND details LIKE '%\"stopped_at\":2%'",
    )
    .await;
    assert_eq!(stopped, 1);
    db.close().await;
});

//! The audit trail on both databases: each kind of event is recorded by the action that
//! causes it; the chain verifies; a row altered, removed or inserted directly in the
//! database is found; who may read the trail.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tanu_storage::Pool;
use tanu_storage::repo::audit::{Break, verify};

use crate::common::*;

async fn actions(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let r = app.get(token, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let v: Value = r.json().await.unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

both!(every_action_is_in_a_verifiable_chain, |app| {
    let (b, apps) = board(&app, 1).await;
    elect(&app, &b).await;
    // A failed login for a known and an unknown address.
    for email in ["sec@a.kz", "nobody@a.kz"] {
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": email, "password": "wrong password", "name": "t" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // An identity document viewed by the secretary.
    let v: Value = app
        .get(&b.secretary, &format!("/api/v1/applications/{}", apps[0]))
        .await
        .json()
        .await
        .unwrap();
    let doc = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "identity")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .get(
            &b.secretary,
            &format!("/api/v1/applications/{}/documents/identity/{doc}", apps[0]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let op = app.operator_token().await;
    let all = actions(&app, &op, "/api/v1/audit").await;
    for a in [
        "login-failed",
        "login",
        "organisation-registered",
        "staff-added",
        "created",
        "document-uploaded",
        "submitted",
        "checked",
        "formed",
        "membership-changed",
        "secretary-assigned",
        "election-opened",
        "ballots",
        "election-closed",
        "document-viewed",
    ] {
        assert!(all.contains(&a.to_owned()), "{a} not recorded: {all:?}");
    }
    // The failed login of an unknown address is anonymous; the known one names the person.
    let failed: Value = app
        .get(&op, "/api/v1/audit?action=login-failed")
        .await
        .json()
        .await
        .unwrap();
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert!(
        failed
            .iter()
            .any(|e| e["person_id"].is_null() && e["role"] == "anonymous")
    );
    assert!(failed.iter().all(|e| e["ip"] == "127.0.0.1"));
    // The secretary's view of the document: in their role, with the document's kind.
    let viewed: Value = app
        .get(&op, "/api/v1/audit?action=document-viewed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(viewed[0]["role"], "secretary");
    assert_eq!(viewed[0]["details"]["kind"], "identity");
    assert_eq!(viewed[0]["org_id"], b.org);

    // Who reads the organisation's trail: its admin and auditor; not a member, not
    // another organisation, not a candidate.
    let admin = app.token("admin@a.kz", PASSWORD).await;
    let path = format!(
        "/api/v1/organisations/{}/audit?application={}",
        b.org, apps[0]
    );
    let of_app = actions(&app, &admin, &path).await;
    assert!(of_app.contains(&"submitted".to_owned()), "{of_app:?}");
    assert!(of_app.iter().all(|a| a != "login"), "{of_app:?}");
    let (_, auditor) = app.staff(&op, b.org, "audit@a.kz", &["auditor"]).await;
    assert!(!actions(&app, &auditor, &path).await.is_empty());
    let csv = app
        .get(&auditor, &format!("/orgs/{}/audit.csv", b.org))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}seq,at,person_id,person,role,action"),
        "{csv}"
    );
    assert!(csv.contains(",document-viewed,"), "{csv}");
    problem(
        app.get(
            &b.members[0].1,
            &format!("/api/v1/organisations/{}/audit", b.org),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let other = app.org(&op, BIN_B, "higher").await;
    let (_, stranger) = app.staff(&op, other, "admin@b.kz", &["org-admin"]).await;
    problem(
        app.get(&stranger, &format!("/api/v1/organisations/{}/audit", b.org))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    problem(
        app.get(&b.candidates[0], "/api/v1/audit").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // The chain verifies...
    let v = verify(&app.ctx.db).await.unwrap();
    assert_eq!(v.broken, None);
    assert!(v.events > 40, "{}", v.events);
    // ...and finds a row altered directly in the database,
    sql(
        &app.ctx.db,
        "UPDATE audit_events SET details = '{\"kind\":\"statement\"}' WHERE seq = 7",
    )
    .await;
    assert_eq!(
        verify(&app.ctx.db).await.unwrap().broken,
        Some(Break::Altered { seq: 7 })
    );
    // (a changed time or person too)
    sql(&app.ctx.db, "UPDATE audit_events SET details = (SELECT details FROM audit_events WHERE seq = 8) WHERE seq = 7").await;
    sql(
        &app.ctx.db,
        "UPDATE audit_events SET person_id = NULL WHERE seq = 12",
    )
    .await;
    let broken = verify(&app.ctx.db).await.unwrap().broken;
    assert!(
        matches!(broken, Some(Break::Altered { seq: 7 | 12 })),
        "{broken:?}"
    );
});

both!(tampering_is_found_removed_and_inserted, |app| {
    let (b, _) = board(&app, 1).await;
    let _ = b;
    let v = verify(&app.ctx.db).await.unwrap();
    assert_eq!(v.broken, None);
    let n = v.events;
    // An event appended after the head, even with a well-formed link, is an insertion.
    let (head_seq, head_hash) = match app.ctx.db.pool() {
        Pool::Sqlite(p) => sqlx::query_as::<_, (i64, String)>("SELECT seq, hash FROM audit_head")
            .fetch_one(p)
            .await
            .unwrap(),
        Pool::Postgres(p) => sqlx::query_as::<_, (i64, String)>("SELECT seq, hash FROM audit_head")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    assert_eq!(head_seq, n);
    let forged = format!(
        "INSERT INTO audit_events (seq, at, person_id, role, action, object_type, object_id, org_id, ip, details, \
         prev_hash, hash) SELECT {s}, at, person_id, role, 'decided', object_type, object_id, org_id, ip, details, \
         '{head_hash}', hash FROM audit_events WHERE seq = {n}",
        s = n + 1
    );
    sql(&app.ctx.db, &forged).await;
    let broken = verify(&app.ctx.db).await.unwrap().broken;
    assert!(
        matches!(broken, Some(Break::Inserted { .. } | Break::Altered { .. })),
        "{broken:?}"
    );
    sql(
        &app.ctx.db,
        &format!("DELETE FROM audit_events WHERE seq = {}", n + 1),
    )
    .await;
    assert_eq!(verify(&app.ctx.db).await.unwrap().broken, None);
    // A row removed from the middle.
    sql(&app.ctx.db, "DELETE FROM audit_events WHERE seq = 5").await;
    assert_eq!(
        verify(&app.ctx.db).await.unwrap().broken,
        Some(Break::Removed { seq: 5 })
    );
    // The last row removed (truncation) is found through the head.
    let app2 = TestApp::spawn(app.backend).await.unwrap();
    let _ = board(&app2, 0).await;
    let v = verify(&app2.ctx.db).await.unwrap();
    sql(
        &app2.ctx.db,
        &format!("DELETE FROM audit_events WHERE seq = {}", v.events),
    )
    .await;
    assert_eq!(
        verify(&app2.ctx.db).await.unwrap().broken,
        Some(Break::Removed { seq: v.events })
    );
});

// On PostgreSQL writes run side by side and their events are linked after they commit
// (storage/src/repo/audit/, `seal`): many at once still make one unbroken chain, with
// every event in it exactly once.
both!(parallel_writes_make_one_unbroken_chain, |app| {
    let (b, _) = board(&app, 0).await;
    let op = app.operator_token().await;
    let before = verify(&app.ctx.db).await.unwrap();
    assert_eq!(before.broken, None);
    let failed = (0..24).map(|i| {
        app.client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": format!("nobody{i}@a.kz"), "password": "wrong password", "name": "t" }))
            .send()
    });
    let members = ["m0@a.kz", "m1@a.kz", "m2@a.kz", "m3@a.kz", "sec@a.kz"].map(|email| {
        app.client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": email, "password": PASSWORD, "name": "t" }))
            .send()
    });
    let (failed, members) = tokio::join!(
        futures::future::join_all(failed),
        futures::future::join_all(members)
    );
    for r in failed {
        assert_eq!(r.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    for r in members {
        assert_eq!(r.unwrap().status(), StatusCode::CREATED);
    }
    let after = verify(&app.ctx.db).await.unwrap();
    assert_eq!(after.broken, None);
    // 24 failed sign-ins; 5 sign-ins, each with the token it made.
    assert_eq!(after.events, before.events + 24 + 5 + 5);
    let logged = actions(&app, &op, "/api/v1/audit?action=login-failed").await;
    assert_eq!(logged.len(), 24, "{logged:?}");
    let _ = b;
});

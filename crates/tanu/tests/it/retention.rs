//! Retention (docs/privacy.md): an organisation's policy, versioned, and the run that
//! applies it – with time injected, as a year later – purging exactly what the policy
//! says, every purge in a trail that still verifies.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tanu_domain::retention::Purge;
use time::Duration;

use crate::common::*;

/// A draft of a new candidate with its identity scan uploaded twice (one replaced).
async fn draft_with_replaced_scan(
    app: &TestApp,
    org: i64,
    email: &str,
    iin: &str,
) -> (i64, String) {
    let token = app.candidate(email, iin).await;
    let v: Value = app
        .post(
            &token,
            "/api/v1/applications",
            json!({ "org_id": org, "statement": "Менің жеке өтінішім", "unit_ids": [], "consent": true }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = v["id"].as_i64().unwrap();
    for text in ["first scan", "second scan"] {
        let r = app
            .upload(&token, id, "identity", "id.pdf", pdf(text))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    (id, token)
}

/// Object keys of an application's documents, purged or not, by id.
async fn keys(app: &TestApp, application: i64) -> Vec<(i64, String, bool)> {
    let mut out = Vec::new();
    let n = scalar(
        &app.ctx.db,
        &format!("SELECT COUNT(*) FROM documents WHERE application_id = {application}"),
    )
    .await;
    for i in 0..n {
        let id = scalar(
            &app.ctx.db,
            &format!("SELECT id FROM documents WHERE application_id = {application} ORDER BY id LIMIT 1 OFFSET {i}"),
        )
        .await;
        let purged = scalar(
            &app.ctx.db,
            &format!("SELECT COUNT(*) FROM documents WHERE id = {id} AND purged_at IS NOT NULL"),
        )
        .await
            == 1;
        let key = text(
            &app.ctx.db,
            &format!("SELECT object_key FROM documents WHERE id = {id}"),
        )
        .await;
        out.push((id, key, purged));
    }
    out
}

async fn stored(app: &TestApp, key: &str) -> bool {
    app.ctx.objects.get(key).await.unwrap().is_some()
}

both!(retention_purges_exactly_what_the_policy_says, |app| {
    let (b, _meeting, decided) = held_meeting(&app).await;
    let now = app.clock.now();
    let admin = app.token("admin@a.kz", PASSWORD).await;

    // The policy: the stated defaults until the admin sets one; staff read it.
    let path = format!("/api/v1/organisations/{}/retention", b.org);
    let v = app.get_json(&b.members[0].1, &path).await;
    assert_eq!(v["current"]["version"], 0);
    assert_eq!(v["current"]["policy"]["drafts_days"], 90);
    assert_eq!(v["can_change"], false);
    let r = app
        .put(&admin, &path, json!({ "drafts_days": 0, "withdrawn_days": 30, "incomplete_days": 180, "identity_days": 365 }))
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "retention-period").await;
    assert_eq!(p["field"], "drafts_days");
    let r = app
        .put(&b.members[0].1, &path, json!({ "drafts_days": 10, "withdrawn_days": 30, "incomplete_days": 180, "identity_days": 365 }))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .put(&admin, &path, json!({ "drafts_days": 10, "withdrawn_days": 30, "incomplete_days": 180, "identity_days": 365 }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (
            v["current"]["version"].as_i64(),
            v["versions"].as_array().unwrap().len()
        ),
        (Some(1), 1)
    );

    // Today: only the replaced scan goes, at once.
    let (draft, cand) =
        draft_with_replaced_scan(&app, b.org, "draft@mail.kz", "900201300122").await;
    let before = keys(&app, draft).await;
    let report = tanu_app::retention::run(&app.ctx, now, false)
        .await
        .unwrap();
    assert_eq!(report.count(Purge::Replaced), 1, "{report:?}");
    assert_eq!(report.purged.len(), 1, "{report:?}");
    let after = keys(&app, draft).await;
    assert!(
        after[0].2 && !after[1].2,
        "the first scan is purged: {after:?}"
    );
    assert!(!stored(&app, &before[0].1).await && stored(&app, &before[1].1).await);
    let v = app
        .get_json(&cand, &format!("/api/v1/applications/{draft}"))
        .await;
    assert_eq!(v["documents"].as_array().unwrap().len(), 1, "{v}");

    // A withdrawn application and one left incomplete.
    let (withdrawn, wtoken) = submitted_application(&app, b.org, 4).await;
    let r = app
        .post(
            &wtoken,
            &format!("/api/v1/applications/{withdrawn}/withdraw"),
            json!({}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let (incomplete, _) = submitted_application(&app, b.org, 5).await;
    let items: Vec<Value> = ["statement", "identity", "confirming"]
        .iter()
        .map(|k| json!({ "kind": k, "present": true, "legible": *k != "identity", "matches_candidate": true }))
        .collect();
    let r = app
        .post(
            &b.secretary,
            &format!("/api/v1/applications/{incomplete}/check"),
            json!({ "items": items, "reason": "Копия нечитаема" }),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());

    // A year and a month later: a dry run lists, and changes nothing.
    let later = now + Duration::days(400);
    let events = scalar(
        &app.ctx.db,
        "SELECT (SELECT COUNT(*) FROM audit_events) + (SELECT COUNT(*) FROM audit_pending)",
    )
    .await;
    let dry = tanu_app::retention::run(&app.ctx, later, true)
        .await
        .unwrap();
    let listed: Vec<(Purge, i64)> = dry
        .purged
        .iter()
        .map(|p| (p.what, p.application_id))
        .collect();
    assert!(listed.contains(&(Purge::Draft, draft)), "{listed:?}");
    assert!(
        listed.contains(&(Purge::Withdrawn, withdrawn)),
        "{listed:?}"
    );
    assert!(
        listed.contains(&(Purge::Abandoned, incomplete)),
        "{listed:?}"
    );
    assert!(
        listed.contains(&(Purge::IdentityScan, decided[0])),
        "{listed:?}"
    );
    assert!(
        listed.contains(&(Purge::IdentityScan, decided[1])),
        "{listed:?}"
    );
    assert_eq!(dry.purged.len(), 5, "{listed:?}");
    assert_eq!(
        scalar(
            &app.ctx.db,
            "SELECT (SELECT COUNT(*) FROM audit_events) + (SELECT COUNT(*) FROM audit_pending)"
        )
        .await,
        events,
        "a dry run records nothing"
    );
    assert_eq!(
        scalar(
            &app.ctx.db,
            "SELECT COUNT(*) FROM documents WHERE purged_at IS NOT NULL"
        )
        .await,
        1
    );

    // Applied: the same five, and a second run finds nothing more.
    let decided_keys = keys(&app, decided[0]).await;
    let report = tanu_app::retention::run(&app.ctx, later, false)
        .await
        .unwrap();
    assert_eq!(report.purged, dry.purged);
    assert!(
        tanu_app::retention::run(&app.ctx, later, false)
            .await
            .unwrap()
            .purged
            .is_empty()
    );

    // The draft is gone for its candidate; its text and files are nowhere.
    let r = app
        .get(&cand, &format!("/api/v1/applications/{draft}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let mine = app.get_json(&cand, "/api/v1/applications").await;
    assert!(mine.as_array().unwrap().is_empty(), "{mine}");
    assert_eq!(
        scalar(
            &app.ctx.db,
            "SELECT COUNT(*) FROM applications WHERE statement LIKE '%жеке өтініш%'"
        )
        .await,
        0
    );
    for (_, key, _) in keys(&app, draft)
        .await
        .iter()
        .chain(keys(&app, withdrawn).await.iter())
    {
        assert!(!stored(&app, key).await, "{key}");
    }
    // A decided application keeps its decision and its other documents; its identity
    // scan is gone.
    for (id, key, purged) in keys(&app, decided[0]).await {
        let kind = text(
            &app.ctx.db,
            &format!("SELECT kind FROM documents WHERE id = {id}"),
        )
        .await;
        assert_eq!(purged, kind == "identity", "{kind}");
        assert_eq!(stored(&app, &key).await, kind != "identity", "{kind}");
    }
    assert_eq!(decided_keys.len(), keys(&app, decided[0]).await.len());
    let v = app
        .get_json(
            &b.secretary,
            &format!("/api/v1/applications/{}", decided[0]),
        )
        .await;
    assert_eq!(v["status"], "recognised", "{v}");
    assert!(
        v["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["kind"] != "identity"),
        "{v}"
    );

    // Every purge is in the trail, which verifies.
    let purges = scalar(
        &app.ctx.db,
        "SELECT (SELECT COUNT(*) FROM audit_events WHERE action IN ('application-purged', 'document-purged')) \
         + (SELECT COUNT(*) FROM audit_pending WHERE action IN ('application-purged', 'document-purged'))",
    )
    .await;
    assert_eq!(purges, 6);
    let v = tanu_storage::repo::audit::verify(&app.ctx.db)
        .await
        .unwrap();
    assert!(v.broken.is_none(), "{:?}", v.broken);
});

/// Every (table, column) whose text holds `needle`, read behind the app's back.
async fn where_found(app: &TestApp, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, column, class, _) in tanu_storage::schema::columns(&app.ctx.db).await.unwrap() {
        if class != "text" || table.starts_with('_') {
            continue;
        }
        // SQLite lowers ASCII only: look for the text as given and in lower case.
        let lower = needle.to_lowercase();
        let n = scalar(
            &app.ctx.db,
            &format!(
                "SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE '%{needle}%' \
                 OR LOWER(CAST({column} AS TEXT)) LIKE '%{lower}%'"
            ),
        )
        .await;
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

both!(
    an_erased_candidate_is_nowhere_but_in_the_final_protocol,
    |app| {
        let (b, _meeting, decided) = held_meeting(&app).await;
        let (email, iin, name) = ("cand0@mail.kz", "850715400357", CANDIDATE_NAMES[0]);
        let token = app.token(email, PASSWORD).await;
        // One more application, undecided: a draft with a file.
        let v: Value = app
        .post(&token, "/api/v1/applications", json!({ "org_id": b.org, "statement": "Тағы бір курс", "unit_ids": [], "consent": true }))
        .await
        .json()
        .await
        .unwrap();
        let draft = v["id"].as_i64().unwrap();
        assert_eq!(
            app.upload(&token, draft, "identity", "id.pdf", pdf("scan"))
                .await
                .status(),
            StatusCode::CREATED
        );
        let files: Vec<String> = [keys(&app, decided[0]).await, keys(&app, draft).await]
            .concat()
            .into_iter()
            .map(|k| k.1)
            .collect();
        assert!(!where_found(&app, iin).await.is_empty());

        // Staff are not erased this way.
        let r = tanu_app::erasure::erase_person(&app.ctx, "admin@a.kz", app.clock.now()).await;
        assert_eq!(r.unwrap_err().code(), "erasure-holds-post");

        let e = tanu_app::erasure::erase_person(&app.ctx, email, app.clock.now())
            .await
            .unwrap();
        assert_eq!((e.applications_purged, e.decided_kept), (1, 1), "{e:?}");
        assert!(e.events_redacted > 0);

        // The account is closed: its token no longer works, and it cannot sign in.
        assert_eq!(
            app.get(&token, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
        for f in &files {
            assert!(!stored(&app, f).await, "{f}");
        }
        // The IIN, the e-mail and the name are nowhere, but in what the final protocol and
        // its extracts froze (rule 9: the record of the decision names the candidate).
        let frozen = [
            "protocols.snapshot",
            "protocols.final_snapshot",
            "issued_documents.summary",
        ];
        for needle in [iin, email, name] {
            let left: Vec<String> = where_found(&app, needle)
                .await
                .into_iter()
                .filter(|c| !frozen.contains(&c.as_str()))
                .collect();
            assert!(left.is_empty(), "{needle} is still in {left:?}");
        }
        // The decision stands; the trail verifies and says what it redacted.
        let v = app
            .get_json(
                &b.secretary,
                &format!("/api/v1/applications/{}", decided[0]),
            )
            .await;
        assert_eq!(v["status"], "recognised");
        let verified = tanu_storage::repo::audit::verify(&app.ctx.db)
            .await
            .unwrap();
        assert!(verified.broken.is_none(), "{:?}", verified.broken);
        assert!(verified.redacted > 0, "the redacted events are counted");
    }
);

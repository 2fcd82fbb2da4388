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
        // Nor in a backup taken now, but in the rows of the final protocol and extracts.
        let out = TempDir::new();
        let made = tanu_storage::backup::backup(
            &app.ctx.db,
            &app.ctx.objects,
            &out.0,
            app.clock.now(),
            None,
        )
        .await
        .unwrap();
        let mut seen = Vec::new();
        let mut stack = vec![made.path.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                let text = String::from_utf8_lossy(&bytes);
                let frozen =
                    path.ends_with("protocols.jsonl") || path.ends_with("issued_documents.jsonl");
                for needle in [iin, email, name] {
                    if text.contains(needle) && !frozen {
                        seen.push(format!("{needle} in {}", path.display()));
                    }
                }
            }
        }
        assert!(seen.is_empty(), "{seen:?}");
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

/// DELETE with a bearer token.
async fn delete(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client()
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Audit events of `action` on an application, by the role given.
async fn purges_by(app: &TestApp, id: i64, role: &str) -> i64 {
    scalar(
        &app.ctx.db,
        &format!(
            "SELECT (SELECT COUNT(*) FROM audit_events WHERE action = 'application-purged' \
             AND object_id = {id} AND role = '{role}') + (SELECT COUNT(*) FROM audit_pending \
             WHERE action = 'application-purged' AND object_id = {id} AND role = '{role}')"
        ),
    )
    .await
}

both!(a_candidate_deletes_their_draft_and_its_files, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let (draft, token) = draft_with_replaced_scan(&app, org, "draft@mail.kz", "951231400012").await;
    let files = keys(&app, draft).await;
    assert_eq!(files.len(), 2);
    // Nobody else may delete it.
    let other = app.candidate("other@mail.kz", "000101501238").await;
    assert_eq!(
        delete(&app, &other, &format!("/api/v1/applications/{draft}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = delete(&app, &token, &format!("/api/v1/applications/{draft}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Gone: from the list, the API and the store; the statement is not kept.
    assert_eq!(
        app.get(&token, &format!("/api/v1/applications/{draft}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let mine = app.get_json(&token, "/api/v1/applications").await;
    assert!(mine.as_array().unwrap().is_empty(), "{mine}");
    for (_, key, purged) in keys(&app, draft).await {
        assert!(purged && !stored(&app, &key).await, "{key}");
    }
    assert_eq!(
        text(
            &app.ctx.db,
            &format!("SELECT statement FROM applications WHERE id = {draft}")
        )
        .await,
        ""
    );
    assert_eq!(purges_by(&app, draft, "candidate").await, 1);
    // It no longer counts against the drafts allowed.
    assert_eq!(
        scalar(
            &app.ctx.db,
            &format!(
                "SELECT COUNT(*) FROM applications WHERE id = {draft} AND purged_at IS NOT NULL"
            )
        )
        .await,
        1
    );
});

both!(a_submitted_application_is_not_deleted_as_a_draft, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let (id, token) = submitted_application(&app, org, 1).await;
    let r = delete(&app, &token, &format!("/api/v1/applications/{id}")).await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "status-transition").await;
    assert!(!keys(&app, id).await.iter().any(|k| k.2));
});

both!(withdrawing_consent_withdraws_and_purges_at_once, |app| {
    let (b, apps) = board(&app, 1).await;
    let (id, token) = (apps[0], b.candidates[0].clone());
    let files = keys(&app, id).await;
    assert!(!files.is_empty());
    // Staff cannot do it for the candidate.
    assert_eq!(
        app.post(
            &b.secretary,
            &format!("/api/v1/applications/{id}/withdraw-consent"),
            json!({})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/withdraw-consent"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let v = app
        .get_json(&token, &format!("/api/v1/applications/{id}"))
        .await;
    assert_eq!(v["status"], "withdrawn");
    assert_eq!(v["statement"], "");
    assert!(v["documents"].as_array().unwrap().is_empty(), "{v}");
    assert!(v["purged_at"].is_string(), "{v}");
    for (_, key, _) in &files {
        assert!(!stored(&app, key).await, "{key}");
    }
    // The secretary sees that it was withdrawn, and nothing of its content.
    let v = app
        .get_json(&b.secretary, &format!("/api/v1/applications/{id}"))
        .await;
    assert_eq!(v["status"], "withdrawn");
    assert!(v["documents"].as_array().unwrap().is_empty());
    // Asking again changes nothing.
    let r = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/withdraw-consent"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(purges_by(&app, id, "candidate").await, 1);
    let verified = tanu_storage::repo::audit::verify(&app.ctx.db)
        .await
        .unwrap();
    assert!(verified.broken.is_none(), "{:?}", verified.broken);
});

both!(
    consent_for_a_decided_application_stands_with_its_decision,
    |app| {
        let (_b, _meeting, decided) = held_meeting(&app).await;
        let token = app.token("cand0@mail.kz", PASSWORD).await;
        let r = app
            .post(
                &token,
                &format!("/api/v1/applications/{}/withdraw-consent", decided[0]),
                json!({}),
            )
            .await;
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "status-transition").await;
        assert!(keys(&app, decided[0]).await.iter().all(|k| !k.2));
    }
);

both!(a_candidate_deletes_their_account, |app| {
    let (b, _meeting, decided) = held_meeting(&app).await;
    let (email, iin) = ("cand0@mail.kz", "850715400357");
    let token = app.token(email, PASSWORD).await;
    // The password is asked for, and a wrong one changes nothing.
    let r = app
        .post(
            &token,
            "/api/v1/me/delete",
            json!({ "password": "not it at all" }),
        )
        .await;
    problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "current-password-wrong",
    )
    .await;
    assert_eq!(app.get(&token, "/api/v1/me").await.status(), StatusCode::OK);
    // Staff holding a post are refused.
    let r = app
        .post(
            &b.secretary,
            "/api/v1/me/delete",
            json!({ "password": PASSWORD }),
        )
        .await;
    problem(r, StatusCode::CONFLICT, "erasure-holds-post").await;

    let r = app
        .post(&token, "/api/v1/me/delete", json!({ "password": PASSWORD }))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .client()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({ "email": email, "password": PASSWORD, "name": "again" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let left: Vec<String> = where_found(&app, iin)
        .await
        .into_iter()
        .filter(|c| {
            ![
                "protocols.snapshot",
                "protocols.final_snapshot",
                "issued_documents.summary",
            ]
            .contains(&c.as_str())
        })
        .collect();
    assert!(left.is_empty(), "the IIN is still in {left:?}");
    // The decision stands, and the trail names who deleted the account.
    let v = app
        .get_json(
            &b.secretary,
            &format!("/api/v1/applications/{}", decided[0]),
        )
        .await;
    assert_eq!(v["status"], "recognised");
    assert_eq!(
        scalar(
            &app.ctx.db,
            "SELECT (SELECT COUNT(*) FROM audit_events WHERE action = 'account-deleted' AND role = 'self') \
             + (SELECT COUNT(*) FROM audit_pending WHERE action = 'account-deleted' AND role = 'self')"
        )
        .await,
        1
    );
    let verified = tanu_storage::repo::audit::verify(&app.ctx.db)
        .await
        .unwrap();
    assert!(verified.broken.is_none(), "{:?}", verified.broken);
});

both!(the_retention_policy_is_shown_and_set_in_the_ui, |app| {
    let (b, _) = board(&app, 0).await;
    let path = format!("/orgs/{}/retention", b.org);
    // A member reads it; the stated defaults apply; there is no form to change it.
    let (c, _) = app.signed_in("m2@a.kz").await;
    let page = c.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-field="drafts_days">90<"#), "{html}");
    assert!(!html.contains("retention-form"));

    let (c, csrf) = app.signed_in("admin@a.kz").await;
    let html = c
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("retention-form"));
    // A period out of range is refused beside its field, and what was typed stays.
    let r = c
        .post(app.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("drafts_days", "60"),
            ("withdrawn_days", "0"),
            ("incomplete_days", "180"),
            ("identity_days", "365"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="withdrawn_days" name="withdrawn_days" type="number" min="1" max="3650" required inputmode="numeric" value="0" aria-invalid="true""#), "{html}");
    assert!(html.contains(r#"value="60""#));
    let r = c
        .post(app.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("drafts_days", "60"),
            ("withdrawn_days", "14"),
            ("incomplete_days", "180"),
            ("identity_days", "365"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = c
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-field="drafts_days">60<"#), "{html}");
    assert!(html.contains("retention-versions"));
    let v = app
        .get_json(
            &b.secretary,
            &format!("/api/v1/organisations/{}/retention", b.org),
        )
        .await;
    assert_eq!(v["current"]["version"], 1);
    assert_eq!(v["current"]["policy"]["withdrawn_days"], 14);
});

both!(
    a_candidate_deletes_a_draft_and_the_account_in_the_ui,
    |app| {
        let op = app.operator_token().await;
        let org = app.org(&op, BIN_A, "higher").await;
        let email = "ui-draft@mail.kz";
        let (draft, _) = draft_with_replaced_scan(&app, org, email, "951231400012").await;
        let (c, csrf) = app.signed_in(email).await;
        let html = c
            .get(app.url(&format!("/applications/{draft}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(r#"id="delete-draft""#), "{html}");
        let r = c
            .post(app.url(&format!("/applications/{draft}/delete")))
            .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            c.get(app.url(&format!("/applications/{draft}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        // A wrong password is refused beside the form; the right one deletes the account and
        // signs the browser out.
        let r = c
            .post(app.url("/account/delete"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("password", "wrong password"),
                ("confirm", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("delete-account-error"));
        let r = c
            .post(app.url("/account/delete"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("password", PASSWORD),
                ("confirm", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/account/deleted");
        let r = c.get(app.url("/account")).send().await.unwrap();
        assert_ne!(r.status(), StatusCode::OK, "signed out");
        assert_eq!(
            scalar(
                &app.ctx.db,
                &format!("SELECT COUNT(*) FROM persons WHERE email = '{email}'")
            )
            .await,
            0
        );
    }
);

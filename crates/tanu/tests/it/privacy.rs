//! Personal data on a need-to-know basis (issue 24): who sees a candidate's full IIN and
//! identity scan, and the trail of who saw them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use sha2::Digest;

use crate::common::*;

/// The identity an application shows the caller, whether it is restricted, and the
/// status of downloading its identity scan.
async fn sees(app: &TestApp, token: &str, id: i64) -> (String, bool, StatusCode) {
    let v = app
        .get_json(token, &format!("/api/v1/applications/{id}"))
        .await;
    let doc = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "identity")
        .expect("an identity scan")
        .clone();
    let r = app
        .get(
            token,
            &format!("/api/v1/applications/{id}/documents/identity/{}", doc["id"]),
        )
        .await;
    (
        v["candidate_identity"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        v["identity_restricted"].as_bool().unwrap(),
        r.status(),
    )
}

async fn identity_views(app: &TestApp, email: &str) -> i64 {
    scalar(
        &app.ctx.db,
        &format!(
            "SELECT (SELECT COUNT(*) FROM audit_events e JOIN persons p ON p.id = e.person_id \
             WHERE e.action = 'identity-viewed' AND p.email = '{email}') \
             + (SELECT COUNT(*) FROM audit_pending e JOIN persons p ON p.id = e.person_id \
             WHERE e.action = 'identity-viewed' AND p.email = '{email}')"
        ),
    )
    .await
}

both!(identity_is_seen_by_those_who_need_to_know, |app| {
    let (b, apps) = board(&app, 2).await;
    elect(&app, &b).await;
    let op = app.operator_token().await;
    let (_, auditor) = app.staff(&op, b.org, "auditor@a.kz", &["auditor"]).await;
    let member = &b.members[2].1;

    // The secretary needs it: the full IIN and the scan.
    let (full, restricted, download) = sees(&app, &b.secretary, apps[0]).await;
    assert_eq!((restricted, download), (false, StatusCode::OK));
    assert_eq!(full.len(), 12, "{full}");
    let masked = format!("********{}", &full[8..]);

    // A member before the case is on an agenda, a staff member of no commission and the
    // auditor see that it exists: the IIN masked, the scan refused with a reason.
    for (who, token) in [
        ("member", member),
        ("outsider", &b.outsider),
        ("auditor", &auditor),
    ] {
        let (identity, restricted, download) = sees(&app, token, apps[0]).await;
        assert_eq!(identity, masked, "{who}");
        assert!(restricted, "{who}");
        assert_eq!(download, StatusCode::FORBIDDEN, "{who}");
    }
    let r = app
        .get(&auditor, &format!("/api/v1/applications/{}", apps[0]))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = app
        .get_json(&auditor, &format!("/api/v1/applications/{}", apps[0]))
        .await;
    let doc = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "identity")
        .unwrap()
        .clone();
    let r = app
        .get(
            &auditor,
            &format!(
                "/api/v1/applications/{}/documents/identity/{}",
                apps[0], doc["id"]
            ),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN, "need-to-know").await;
    // The page says so in words, without a link to the scan.
    let (c, _) = app.signed_in("auditor@a.kz").await;
    let page = c
        .get(app.url(&format!("/applications/{}", apps[0])))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&masked), "masked IIN on the page");
    assert!(!page.contains(&full), "no full IIN on the page");
    assert!(
        !page.contains("/documents/identity/"),
        "no link to the scan"
    );

    // On the agenda of the member's commission and undecided: the member needs it for
    // the interview; the other application, not on the agenda, stays masked.
    let m: Value = b.schedule(&app, &apps[..1]).await.json().await.unwrap();
    let meeting = m["id"].as_i64().unwrap();
    let item = m["items"][0]["id"].as_i64().unwrap();
    assert_eq!(identity_views(&app, "m2@a.kz").await, 0);
    let (identity, restricted, download) = sees(&app, member, apps[0]).await;
    assert_eq!(
        (identity.as_str(), restricted, download),
        (full.as_str(), false, StatusCode::OK)
    );
    let (identity, restricted, _) = sees(&app, member, apps[1]).await;
    assert!(restricted && identity.starts_with("********"), "{identity}");
    // Seeing the full IIN is recorded once a day, however often the case is opened.
    let _ = sees(&app, member, apps[0]).await;
    assert_eq!(identity_views(&app, "m2@a.kz").await, 1);
    assert_eq!(
        identity_views(&app, "auditor@a.kz").await,
        0,
        "a masked view is no view"
    );
    // The outsider and the auditor still do not need it.
    assert!(sees(&app, &b.outsider, apps[0]).await.1);
    assert!(sees(&app, &auditor, apps[0]).await.1);

    // Decided: the members' need ends (the protocol carries what the decision needs).
    b.attend(&app, meeting, &[0, 1, 2, 3, 4]).await;
    let r = app
        .post(&b.secretary, &b.meeting(meeting, "/open"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    b.ready_to_vote(&app, meeting, item).await;
    let votes: Vec<Value> = b
        .members
        .iter()
        .map(|(id, _)| json!({ "member_id": id, "choice": "refuse" }))
        .collect();
    let r = app
        .post(&b.secretary, &b.item(meeting, item, "/votes"), json!(votes))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            &b.secretary,
            &b.item(meeting, item, "/vote/close"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            &b.secretary,
            &b.item(meeting, item, "/decision"),
            json!({ "reasons": "Сәйкес емес" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (identity, restricted, download) = sees(&app, member, apps[0]).await;
    assert_eq!(
        (identity, restricted, download),
        (masked, true, StatusCode::FORBIDDEN)
    );
    // The secretary and the candidate keep it.
    assert!(!sees(&app, &b.secretary, apps[0]).await.1);
    let v = app
        .get_json(
            &b.candidates[0],
            &format!("/api/v1/applications/{}", apps[0]),
        )
        .await;
    assert_eq!(v["identity_restricted"], false);
});

/// A PDF of about `bytes` bytes (padded with a comment).
fn pdf_of_size(bytes: usize) -> Vec<u8> {
    let mut f = pdf("padded");
    f.extend(std::iter::repeat_n(b' ', bytes));
    f
}

both!(
    drafts_per_organisation_are_limited_even_in_parallel,
    |app| {
        // Issue 24: registration is free, and drafts had no limit. Three drafts per
        // candidate and organisation by default; ten sent at once still make three.
        let op = app.operator_token().await;
        let a = app.org(&op, BIN_A, "higher").await;
        let b = app.org(&op, BIN_B, "higher").await;
        let cand = app.candidate("drafts@mail.kz", "850715400357").await;
        let draft = |org: i64| json!({ "org_id": org, "statement": "Курс", "unit_ids": [], "consent": true });
        let sends = (0..10).map(|_| app.post(&cand, "/api/v1/applications", draft(a)));
        let answers = futures::future::join_all(sends).await;
        let mut created = 0;
        for r in answers {
            match r.status() {
                StatusCode::CREATED | StatusCode::OK => created += 1,
                _ => {
                    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "drafts-limit").await;
                    assert_eq!(p["field"], "org_id");
                }
            }
        }
        assert_eq!(created, 3);
        // Another organisation has its own count.
        let r = app.post(&cand, "/api/v1/applications", draft(b)).await;
        assert!(r.status().is_success(), "{}", r.status());
    }
);

/// An app whose candidates may upload `quota` bytes, with one candidate's draft: the
/// app, the candidate's token and the draft's id (`None` without PostgreSQL).
async fn draft_under_quota(
    backend: tanu_storage::Backend,
    quota: i64,
) -> Option<(TestApp, String, i64)> {
    let app = TestApp::spawn_with(
        backend,
        tanu_app::Policy {
            registrations_per_hour: 10_000,
            upload_quota_bytes: quota,
            ..tanu_app::Policy::default()
        },
    )
    .await?;
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let cand = app.candidate("quota@mail.kz", "951231400012").await;
    let v: Value = app
        .post(
            &cand,
            "/api/v1/applications",
            json!({ "org_id": org, "statement": "Курс", "unit_ids": [], "consent": true }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = v["id"].as_i64().unwrap();
    Some((app, cand, id))
}

async fn upload_quota_holds(backend: tanu_storage::Backend) {
    let Some((app, cand, id)) = draft_under_quota(backend, 3_000_000).await else {
        return eprintln!("SKIPPED: PostgreSQL not reachable");
    };
    // Replacing a file keeps the old one, so replacements count too.
    for n in 0..2 {
        let r = app
            .upload(&cand, id, "identity", "id.pdf", pdf_of_size(1_400_000))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "upload {n}");
    }
    let r = app
        .upload(&cand, id, "identity", "id.pdf", pdf_of_size(1_400_000))
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "upload-quota").await;
    assert_eq!(p["field"], "file");
    // A small file that fits is still taken.
    let r = app
        .upload(&cand, id, "confirming", "c.pdf", pdf("small"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_quota_holds_sqlite() {
    upload_quota_holds(tanu_storage::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_quota_holds_postgres() {
    upload_quota_holds(tanu_storage::Backend::Postgres).await;
}

on_both!(a_full_quota_refuses_before_the_file_streams, |backend| {
    let file = pdf_of_size(100_000);
    let quota = i64::try_from(file.len()).unwrap();
    let Some((app, cand, id)) = draft_under_quota(backend, quota).await else {
        return eprintln!("SKIPPED: PostgreSQL not reachable");
    };
    // Exactly the quota is still taken.
    let r = app.upload(&cand, id, "identity", "id.pdf", file).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // With nothing left, the next upload is refused for the quota before a byte of it is
    // read: a file of the wrong type gets the same answer, not a complaint of its type.
    let r = app
        .upload(&cand, id, "confirming", "notes.txt", b"plain text".to_vec())
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "upload-quota").await;
    let r = app
        .upload(&cand, id, "confirming", "c.pdf", pdf("small"))
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "upload-quota").await;
});

/// The entries of a ZIP archive, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        out.insert(f.name().unwrap().into_owned(), v);
    }
    out
}

both!(a_person_downloads_everything_tanu_holds_about_them, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let cand = app.candidate("mine@mail.kz", "951231400012").await;
    let other = app.candidate("other@mail.kz", "850715400357").await;
    let mut ids = Vec::new();
    for token in [&cand, &other] {
        let v: Value = app
            .post(
                token,
                "/api/v1/applications",
                json!({ "org_id": org, "statement": "Курс", "unit_ids": [], "consent": true }),
            )
            .await
            .json()
            .await
            .unwrap();
        ids.push(v["id"].as_i64().unwrap());
    }
    // Two identity scans (the first replaced) and one other document.
    for (kind, body) in [
        ("identity", pdf("first scan")),
        ("identity", pdf("second scan")),
        ("statement", pdf("statement")),
    ] {
        let r = app.upload(&cand, ids[0], kind, "scan.pdf", body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = app
        .upload(&other, ids[1], "identity", "x.pdf", pdf("other's scan"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // Signed out: nothing.
    let r = app
        .client()
        .get(app.url("/api/v1/me/data"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = app.get(&cand, "/api/v1/me/data").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("tanu-my-data-")
    );
    let entries = unzip(&r.bytes().await.unwrap());
    let data: Value = serde_json::from_slice(&entries["data.json"]).unwrap();
    assert_eq!(data["account"]["email"], "mine@mail.kz");
    assert_eq!(data["account"]["iin"], "951231400012");
    assert!(data["account"].get("password_hash").is_none());
    let apps = data["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1, "only one's own applications");
    assert_eq!(apps[0]["application"]["id"], ids[0]);
    let files = apps[0]["files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "the replaced scan too: {files:?}");
    assert_eq!(files.iter().filter(|f| f["replaced"] == true).count(), 1);
    for f in files {
        let bytes = &entries[f["path"].as_str().unwrap()];
        assert_eq!(
            hex::encode(sha2::Sha256::digest(bytes)),
            f["sha256"].as_str().unwrap(),
            "{f}"
        );
    }
    assert_eq!(
        entries.len(),
        4,
        "data.json and three files: {:?}",
        entries.keys()
    );
    let everything = String::from_utf8_lossy(&entries["data.json"]).to_string();
    assert!(!everything.contains("850715400357") && !everything.contains("other@mail.kz"));
    assert!(
        !data["own_actions"].as_array().unwrap().is_empty(),
        "the trail of one's own actions"
    );

    // Each copy is in the trail; the fourth within an hour waits.
    for _ in 0..2 {
        assert_eq!(
            app.get(&cand, "/api/v1/me/data").await.status(),
            StatusCode::OK
        );
    }
    let r = app.get(&cand, "/api/v1/me/data").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let copies = scalar(
        &app.ctx.db,
        "SELECT (SELECT COUNT(*) FROM audit_events WHERE action = 'data-exported') \
         + (SELECT COUNT(*) FROM audit_pending WHERE action = 'data-exported')",
    )
    .await;
    assert_eq!(copies, 3);

    // From the account page, with the form's CSRF token.
    let (browser, csrf) = app.signed_in("other@mail.kz").await;
    let r = browser
        .post(app.url("/account/data"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let entries = unzip(&r.bytes().await.unwrap());
    let data: Value = serde_json::from_slice(&entries["data.json"]).unwrap();
    assert_eq!(data["account"]["email"], "other@mail.kz");
    assert_eq!(entries.len(), 2);
});

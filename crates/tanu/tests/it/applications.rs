//! Applications (rules 3, 5, 10, 11) over the API on both databases: the candidate's
//! draft, documents checked by content, submission, the completeness check, the queue,
//! walk-ins, and every refusal.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::*;

const CATALOGUE: &str = "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes
6B06101,Ақпараттық жүйелер,Информационные системы,PY101,discipline,Python тілінде бағдарламалау,Программирование на Python,5,writes programs;tests them
6B06101,Ақпараттық жүйелер,Информационные системы,DB201,module,Деректер қоры,Базы данных,4,designs schemas
";

struct Intake {
    org: i64,
    secretary: String,
    candidate: String,
    unit: i64,
    programme: i64,
}

fn certificate(number: &str) -> Value {
    json!({
        "kind": "certificate", "provider_name": "IT Academy", "provider_bin": "940140000385",
        "programme_title": "Python for data", "hours": 72, "study_from": "2026-01-10", "study_to": "2026-03-20",
        "number": number, "issued_on": "2026-03-25", "outcomes": ["writes programs", "tests them"]
    })
}

async fn intake(app: &TestApp) -> Intake {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let (_, admin) = app.staff(&op, org, "admin@a.kz", &["org-admin"]).await;
    let (_, secretary) = app.staff(&op, org, "secretary@a.kz", &["secretary"]).await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/organisations/{org}/programmes/import")))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(CATALOGUE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["rows"], 2);
    let r = app.client().post(app.url("/api/v1/candidates"))
        .json(&json!({ "full_name": "Серікбай Аружан", "email": "aru@mail.kz", "password": PASSWORD, "iin": "850715400357" }))
        .send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.verify_email("aru@mail.kz").await;
    let candidate = app.token("aru@mail.kz", PASSWORD).await;
    let progs: Value = app
        .get(
            &candidate,
            &format!("/api/v1/organisations/{org}/programmes"),
        )
        .await
        .json()
        .await
        .unwrap();
    let programme = progs[0]["id"].as_i64().unwrap();
    let unit = progs[0]["units"][1]["id"].as_i64().unwrap();
    Intake {
        org,
        secretary,
        candidate,
        unit,
        programme,
    }
}

async fn draft(app: &TestApp, i: &Intake, token: &str, number: &str) -> i64 {
    let r = app.post(token, "/api/v1/applications", json!({
        "org_id": i.org, "statement": "Мен Python курсын бітірдім.", "programme_id": i.programme, "unit_ids": [i.unit],
        "consent": true, "certificate": certificate(number)
    })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "draft");
    assert_eq!(v["number"], Value::Null);
    v["id"].as_i64().unwrap()
}

both!(
    rule_10_and_11_the_candidate_files_and_the_secretary_checks,
    |app| {
        let i = intake(&app).await;
        let id = draft(&app, &i, &i.candidate, "IT-2026-0017").await;
        // Drafts are the candidate's own.
        problem(
            app.get(&i.secretary, &format!("/api/v1/applications/{id}"))
                .await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        // Rule 10: without the identity and confirming documents, no submission.
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/applications/{id}/submit")))
            .bearer_auth(&i.candidate)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        let p = problem(
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-10-documents-missing",
        )
        .await;
        assert_eq!(p["rule"], 10);
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("Copy of the identity document")
                && detail.contains("confirming the learning outcomes"),
            "{p}"
        );

        // Files are taken by content, never by name.
        problem(
            app.upload(
                &i.candidate,
                id,
                "identity",
                "id.pdf",
                b"MZ\x90\x00 this is an executable".to_vec(),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file-type-not-accepted",
        )
        .await;
        problem(
            app.upload(&i.candidate, id, "identity", "id.png", Vec::new())
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file-empty",
        )
        .await;
        let mut cut = pdf("certificate");
        cut.truncate(cut.len() - 8);
        problem(
            app.upload(&i.candidate, id, "confirming", "cert.pdf", cut)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file-truncated",
        )
        .await;
        let mut big = pdf("big");
        big.splice(
            10..10,
            std::iter::repeat_n(b' ', (UPLOAD_LIMIT as usize) + 1024),
        );
        problem(
            app.upload(&i.candidate, id, "confirming", "big.pdf", big)
                .await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "file-too-large",
        )
        .await;
        problem(
            app.upload(&i.candidate, id, "diploma", "d.pdf", pdf("x"))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-value",
        )
        .await;
        let v: Value = app
            .get(&i.candidate, &format!("/api/v1/applications/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["documents"], json!([]), "a refused upload leaves nothing");

        let identity = png();
        let r = app
            .upload(
                &i.candidate,
                id,
                "identity",
                "passport.png",
                identity.clone(),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let d: Value = r.json().await.unwrap();
        assert_eq!(d["content_type"], "image/png");
        assert_eq!(d["sha256"], hex(&identity));
        assert_eq!(d["size"], identity.len());
        let r = app
            .upload(
                &i.candidate,
                id,
                "confirming",
                "certificate.pdf",
                pdf("Certificate IT-2026-0017"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);

        // Submitting gives a number; submitting again changes nothing.
        let v: Value = app
            .post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/submit"),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "submitted");
        let number = v["number"].as_str().unwrap().to_owned();
        assert!(number.ends_with("-0001"), "{number}");
        assert!(v["rule_set_id"].is_number());
        let again: Value = app
            .post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/submit"),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (again["status"].as_str(), again["number"].as_str()),
            (Some("submitted"), Some(number.as_str()))
        );
        // Once submitted the candidate cannot change it.
        problem(
            app.upload(&i.candidate, id, "identity", "other.png", png())
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "status-transition",
        )
        .await;

        // The secretary finds it by name in any case, Cyrillic included, or by number.
        for q in ["серікбай", "СЕРІКБАЙ", number.as_str()] {
            let url = format!(
                "/api/v1/organisations/{}/applications?q={}",
                i.org,
                url_encode(q)
            );
            let list: Value = app.get(&i.secretary, &url).await.json().await.unwrap();
            assert_eq!(list.as_array().map(Vec::len), Some(1), "search {q}");
        }
        let list: Value = app
            .get(
                &i.secretary,
                &format!(
                    "/api/v1/organisations/{}/applications?status=complete",
                    i.org
                ),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list, json!([]));

        // Rule 11: incomplete needs a reason.
        let items = |ok: bool| {
            json!([
        { "kind": "statement", "present": true, "legible": true, "matches_candidate": true },
        { "kind": "identity", "present": true, "legible": ok, "matches_candidate": true },
        { "kind": "confirming", "present": true, "legible": true, "matches_candidate": true }])
        };
        let p = problem(
            app.post(
                &i.secretary,
                &format!("/api/v1/applications/{id}/check"),
                json!({ "items": items(false) }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-11-reason-required",
        )
        .await;
        assert_eq!(p["rule"], 11);
        problem(
            app.post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/check"),
                json!({ "items": items(true) }),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let v: Value = app
            .post(
                &i.secretary,
                &format!("/api/v1/applications/{id}/check"),
                json!({ "items": items(false), "reason": "Паспорт көшірмесі бұлыңғыр" }),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "incomplete");
        // The candidate sends a better scan and resubmits; the number stays.
        assert_eq!(
            app.upload(&i.candidate, id, "identity", "passport-2.png", png())
                .await
                .status(),
            StatusCode::CREATED
        );
        let v: Value = app
            .post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/submit"),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (v["status"].as_str(), v["number"].as_str()),
            (Some("submitted"), Some(number.as_str()))
        );
        let v: Value = app
            .post(
                &i.secretary,
                &format!("/api/v1/applications/{id}/check"),
                json!({ "items": items(true) }),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "complete");
        assert_eq!(
            v["checks"].as_array().map(Vec::len),
            Some(2),
            "each check stays in the history"
        );
        problem(
            app.post(
                &i.secretary,
                &format!("/api/v1/applications/{id}/check"),
                json!({ "items": items(true) }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "status-transition",
        )
        .await;

        // The secretary downloads the identity document; the candidate sees who did.
        let doc = v["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == "identity")
            .unwrap()
            .clone();
        let r = app
            .get(
                &i.secretary,
                &format!("/api/v1/applications/{id}/documents/identity/{}", doc["id"]),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        assert_eq!(r.bytes().await.unwrap().to_vec(), png());
        let mine: Value = app
            .get(&i.candidate, &format!("/api/v1/applications/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine["views"][0]["kind"], "identity");
        assert_eq!(
            mine["candidate_identity"],
            Value::Null,
            "the candidate's own page does not echo the IIN"
        );

        // Nobody else reaches it.
        let r = app.client().post(app.url("/api/v1/candidates")).json(&json!({ "full_name": "Other", "email": "other@mail.kz", "password": PASSWORD, "iin": "951231400012" })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        app.verify_email("other@mail.kz").await;
        let other = app.token("other@mail.kz", PASSWORD).await;
        problem(
            app.get(&other, &format!("/api/v1/applications/{id}")).await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        problem(
            app.get(
                &other,
                &format!("/api/v1/applications/{id}/documents/identity/{}", doc["id"]),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;

        // Withdrawal, once.
        let v: Value = app
            .post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/withdraw"),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "withdrawn");
        problem(
            app.post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/withdraw"),
                json!({}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "status-transition",
        )
        .await;
    }
);

both!(rules_3_and_5_the_confirming_document, |app| {
    let i = intake(&app).await;
    let body = |cert: Value| json!({ "org_id": i.org, "statement": "x", "consent": true, "certificate": cert });
    let mut c = certificate("N-1");
    c["kind"] = json!("diploma");
    let p = problem(
        app.post(&i.candidate, "/api/v1/applications", body(c))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-5-not-confirming-document",
    )
    .await;
    assert_eq!(p["rule"], 5);
    let mut c = certificate("N-1");
    c["provider_name"] = json!(" ");
    let p = problem(
        app.post(&i.candidate, "/api/v1/applications", body(c))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-3-provider-required",
    )
    .await;
    assert_eq!(p["rule"], 3);
    let mut c = certificate("N-1");
    c["provider_bin"] = json!("940140000386");
    let p = problem(
        app.post(&i.candidate, "/api/v1/applications", body(c))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "id-number-check-digit",
    )
    .await;
    assert_eq!(p["field"], "provider_bin");
    let mut c = certificate("N-1");
    c["hours"] = Value::Null;
    problem(
        app.post(&i.candidate, "/api/v1/applications", body(c))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "volume-required",
    )
    .await;
    let mut c = certificate("N-1");
    c["outcomes"] = json!([]);
    problem(
        app.post(&i.candidate, "/api/v1/applications", body(c))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outcomes-required",
    )
    .await;
    let r = app
        .post(
            &i.candidate,
            "/api/v1/applications",
            json!({ "org_id": 99999, "statement": "x" }),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "unknown-value").await;
    let r = app
        .post(
            &i.candidate,
            "/api/v1/applications",
            json!({ "org_id": i.org, "programme_id": i.programme, "unit_ids": [424242] }),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "unknown-value").await;
    // Without consent there is no submission.
    let r = app
        .post(
            &i.candidate,
            "/api/v1/applications",
            json!({ "org_id": i.org, "statement": "x", "certificate": certificate("N-2") }),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    problem(
        app.post(
            &i.candidate,
            &format!("/api/v1/applications/{id}/submit"),
            json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "consent-required",
    )
    .await;
});

both!(
    a_reused_certificate_is_flagged_and_walk_ins_are_registered,
    |app| {
        let i = intake(&app).await;
        let first = draft(&app, &i, &i.candidate, "IT-2026-0017").await;
        for (kind, bytes) in [("identity", png()), ("confirming", pdf("c"))] {
            assert_eq!(
                app.upload(&i.candidate, first, kind, "f", bytes)
                    .await
                    .status(),
                StatusCode::CREATED
            );
        }
        assert_eq!(
            app.post(
                &i.candidate,
                &format!("/api/v1/applications/{first}/submit"),
                json!({})
            )
            .await
            .status(),
            StatusCode::OK
        );

        // A walk-in with the same certificate (number written differently), registered by
        // the secretary, who uploads the scans and submits.
        let r = app.post(&i.secretary, &format!("/api/v1/organisations/{}/applications", i.org), json!({
        "full_name": "Ким Андрей", "iin": "900201300122", "statement": "", "consent": true,
        "certificate": certificate(" it-2026-0017 ")
    })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let walk_in = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        for (kind, bytes) in [
            ("statement", pdf("signed application")),
            ("identity", png()),
            ("confirming", pdf("c")),
        ] {
            assert_eq!(
                app.upload(&i.secretary, walk_in, kind, "scan", bytes)
                    .await
                    .status(),
                StatusCode::CREATED,
                "{kind}"
            );
        }
        let v: Value = app
            .post(
                &i.secretary,
                &format!("/api/v1/applications/{walk_in}/submit"),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            v["number"].as_str().unwrap().ends_with("-0002"),
            "numbers run per organisation and year: {v}"
        );
        assert_eq!(
            v["reused_elsewhere"].as_array().map(Vec::len),
            Some(1),
            "flagged, not refused: {v}"
        );
        assert_eq!(v["reused_elsewhere"][0]["same_organisation"], true);
        // A walk-in without any identification is refused.
        let r = app
            .post(
                &i.secretary,
                &format!("/api/v1/organisations/{}/applications", i.org),
                json!({ "full_name": "Без документа" }),
            )
            .await;
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "identity-required").await;
        // A candidate cannot register walk-ins.
        let r = app
            .post(
                &i.candidate,
                &format!("/api/v1/organisations/{}/applications", i.org),
                json!({ "full_name": "X", "iin": "951231400012" }),
            )
            .await;
        problem(r, StatusCode::NOT_FOUND, "not-found").await;
    }
);

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// An upload cut off mid-stream (the connection drops) leaves no document behind.
both!(an_upload_cut_off_mid_stream_leaves_nothing, |app| {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let i = intake(&app).await;
    let id = draft(&app, &i, &i.candidate, "N-9").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let boundary = "XyZ";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    let announced = head.len() + 500_000 + 64;
    let request = format!(
        "POST /api/v1/applications/{id}/documents/confirming HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {announced}\r\n\r\n{head}%PDF-1.4\n",
        i.candidate
    );
    s.write_all(request.as_bytes()).await.unwrap();
    s.write_all(&vec![b'x'; 100_000]).await.unwrap();
    s.shutdown().await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(
        !text.starts_with("HTTP/1.1 2"),
        "a cut upload is not accepted: {text}"
    );
    let v: Value = app
        .get(&i.candidate, &format!("/api/v1/applications/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["documents"], json!([]));
});

both!(
    review_fixes_withdrawn_drafts_walk_in_conflicts_and_odd_inputs,
    |app| {
        let i = intake(&app).await;
        // A draft withdrawn before submission never reaches staff.
        let id = draft(&app, &i, &i.candidate, "N-7").await;
        assert_eq!(
            app.upload(&i.candidate, id, "identity", "id.png", png())
                .await
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(
            app.post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/withdraw"),
                json!({})
            )
            .await
            .status(),
            StatusCode::OK
        );
        problem(
            app.get(&i.secretary, &format!("/api/v1/applications/{id}"))
                .await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        let list: Value = app
            .get(
                &i.secretary,
                &format!("/api/v1/organisations/{}/applications", i.org),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list, json!([]));
        // Search text is literal on both databases, backslash included.
        for q in ["%5C", "%25", "_", "%5C%5C"] {
            let r = app
                .get(
                    &i.secretary,
                    &format!("/api/v1/organisations/{}/applications?q={q}", i.org),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK, "q={q}");
        }
        // Dates out of any sensible range are refused, not a 500.
        let r = app
            .get(
                &i.secretary,
                &format!(
                    "/api/v1/organisations/{}/applications?from=-9999-01-01",
                    i.org
                ),
            )
            .await;
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "unknown-value").await;
        let mut c = certificate("N-8");
        c["study_from"] = json!("-4800-01-01");
        problem(
            app.post(
                &i.candidate,
                "/api/v1/applications",
                json!({ "org_id": i.org, "certificate": c }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-value",
        )
        .await;
        // The same unit twice is the unit once.
        let r = app.post(&i.candidate, "/api/v1/applications", json!({ "org_id": i.org, "programme_id": i.programme, "unit_ids": [i.unit, i.unit] })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(
            r.json::<Value>().await.unwrap()["unit_ids"],
            json!([i.unit])
        );
        // Submitting without the certificate's details names rule 10.
        let id = app
            .post(
                &i.candidate,
                "/api/v1/applications",
                json!({ "org_id": i.org, "statement": "x", "consent": true }),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        for (kind, bytes) in [("identity", png()), ("confirming", pdf("c"))] {
            assert_eq!(
                app.upload(&i.candidate, id, kind, "f", bytes)
                    .await
                    .status(),
                StatusCode::CREATED
            );
        }
        let p = problem(
            app.post(
                &i.candidate,
                &format!("/api/v1/applications/{id}/submit"),
                json!({}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-10-confirming-details-required",
        )
        .await;
        assert_eq!(p["rule"], 10);
        // A walk-in whose IIN and e-mail name existing people attaches to neither: it is the
        // organisation's own record, claimed later with its code.
        let walk_in = |iin: &str, email: &str| json!({ "full_name": "Тест", "iin": iin, "email": email, "statement": "x" });
        let r = app
            .post(
                &i.secretary,
                &format!("/api/v1/organisations/{}/applications", i.org),
                walk_in("850715400357", "secretary@a.kz"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        assert!(
            v["claim_code"].as_str().is_some_and(|c| c.len() == 14),
            "{v}"
        );
        let mine: Value = app.get_json(&i.secretary, "/api/v1/applications").await;
        assert!(
            mine.as_array().unwrap().iter().all(|x| x["id"] != v["id"]),
            "{mine}"
        );
        let mut diploma = certificate("N-11");
        diploma["kind"] = json!("diploma");
        let r = app
            .post(
                &i.secretary,
                &format!("/api/v1/organisations/{}/applications", i.org),
                json!({ "full_name": "Жаңа Адам", "iin": "951231400012", "certificate": diploma }),
            )
            .await;
        problem(
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-5-not-confirming-document",
        )
        .await;
        let r = app
            .post(
                &i.secretary,
                &format!("/api/v1/organisations/{}/applications", i.org),
                walk_in("951231400012", ""),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "the failed attempt created no person with this IIN"
        );
        // A JPEG with data after its end marker (a phone's motion photo) is accepted.
        let mut jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
            0xFF, 0xD9,
        ];
        jpeg.extend(std::iter::repeat_n(0x42u8, 100_000));
        let id = draft(&app, &i, &i.candidate, "N-10").await;
        let r = app
            .upload(&i.candidate, id, "identity", "motion.jpg", jpeg)
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
);

both!(two_catalogue_imports_at_once_both_land_whole, |app| {
    let i = intake(&app).await;
    let admin = app.token("admin@a.kz", PASSWORD).await;
    // Two imports of the same fifty programmes, in opposite orders, at the same moment.
    // Each is all or none; they take turns, so both land and the later one's titles are
    // on every row. (Without the turns, PostgreSQL found each waiting for a row the other
    // held and cancelled one: a deadlock.)
    let csv = |label: &str, descending: bool| {
        let mut codes: Vec<usize> = (1..=50).collect();
        if descending {
            codes.reverse();
        }
        let mut text = format!("{}\n", tanu_app::catalogue::CSV_HEADER);
        for n in codes {
            text.push_str(&format!(
                "P{n:02},Бағдарлама {label},Программа {label},U{n:02},module,Модуль {label},Модуль {label},3,outcome\n"
            ));
        }
        text
    };
    let import = |body: String| {
        app.client()
            .post(app.url(&format!(
                "/api/v1/organisations/{}/programmes/import",
                i.org
            )))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let (first, second) = tokio::join!(import(csv("A", false)), import(csv("B", true)));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(
        first.status(),
        StatusCode::OK,
        "{}",
        first.text().await.unwrap()
    );
    assert_eq!(
        second.status(),
        StatusCode::OK,
        "{}",
        second.text().await.unwrap()
    );
    let progs = app
        .get_json(
            &admin,
            &format!("/api/v1/organisations/{}/programmes", i.org),
        )
        .await;
    let imported: Vec<&Value> = progs
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"].as_str().unwrap().starts_with('P'))
        .collect();
    assert_eq!(imported.len(), 50);
    let titles: std::collections::BTreeSet<&str> = imported
        .iter()
        .map(|p| p["title_ru"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 1, "rows of both imports mixed: {titles:?}");
    let events = app
        .get_json(&admin, &format!("/api/v1/organisations/{}/audit", i.org))
        .await;
    let imports = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "catalogue-imported")
        .count();
    assert_eq!(imports, 3, "the intake's import and these two");
});

/// The days after `from` up to `to` that are Monday to Friday.
fn weekdays_between(from: time::Date, to: time::Date) -> u32 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.next_day().unwrap();
        if d.weekday().number_from_monday() <= 5 {
            n += 1;
        }
    }
    n
}

both!(deadlines_come_from_the_rule_set, |app| {
    let i = intake(&app).await;
    let id = draft(&app, &i, &i.candidate, "IT-2026-0099").await;
    let path = format!("/api/v1/applications/{id}");
    let v = app.get_json(&i.candidate, &path).await;
    assert_eq!(v["due"], Value::Null, "a draft owes nothing: {v}");
    for (kind, name, body) in [
        ("identity", "id.png", png()),
        ("confirming", "c.pdf", pdf("c")),
    ] {
        assert_eq!(
            app.upload(&i.candidate, id, kind, name, body)
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let submit = |token: String| {
        let (app, path) = (&app, path.clone());
        async move {
            let r = app.post(&token, &format!("{path}/submit"), json!({})).await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    // The server dates a step by the Kazakhstan day of the request; a test that runs
    // across midnight there (19:00 UTC) may see either day.
    let today = || tanu_domain::dates::local_today(time::OffsetDateTime::now_utc());
    let day =
        |v: &Value| tanu_domain::dates::parse_date(v["due"]["on"].as_str().unwrap(), "on").unwrap();
    // Submitted: the completeness check is due within five working days (rule 11, the
    // default rule set's policy), counted from the day after.
    let before = today();
    let v = submit(i.candidate.clone()).await;
    let after = today();
    assert_eq!(v["due"]["kind"], "check", "{v}");
    let due = day(&v);
    assert!(
        weekdays_between(before, due) == 5 || weekdays_between(after, due) == 5,
        "{v}"
    );
    assert!(due.weekday().number_from_monday() <= 5, "{v}");
    // Incomplete: the candidate's turn, nothing owed.
    let items = |ok: bool| -> Vec<Value> {
        ["statement", "identity", "confirming"]
            .iter()
            .map(|k| json!({ "kind": k, "present": true, "legible": ok || *k != "identity", "matches_candidate": true }))
            .collect()
    };
    let r = app
        .post(
            &i.secretary,
            &format!("{path}/check"),
            json!({ "items": items(false), "reason": "Копия нечитаема" }),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "incomplete", "{v}");
    assert_eq!(v["due"], Value::Null, "{v}");
    // Resubmitted: a new check period.
    let v = submit(i.candidate.clone()).await;
    assert_eq!(v["due"]["kind"], "check", "{v}");
    // Complete: the decision is due within thirty days.
    let before = today();
    let r = app
        .post(
            &i.secretary,
            &format!("{path}/check"),
            json!({ "items": items(true) }),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "complete", "{v}");
    assert_eq!(v["due"]["kind"], "decision", "{v}");
    let after = today();
    assert!(
        [before, after]
            .iter()
            .any(|d| (day(&v) - *d).whole_days() == 30),
        "{v}"
    );
    // The secretary's queue and the application page show it; so does the candidate's list.
    let queue = app
        .get(&i.secretary, &format!("/orgs/{}/applications", i.org))
        .await
        .text()
        .await
        .unwrap();
    assert!(queue.contains("<th scope=\"col\">Мерзімі</th>"), "{queue}");
    assert!(
        queue.contains("title=\"Шешім қабылдау мерзімі\""),
        "{queue}"
    );
    let page = app
        .get(&i.secretary, &format!("/applications/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"due\" data-due=\"decision\""), "{page}");
    assert!(!page.contains("badge overdue"), "{page}");
    let mine = app
        .get(&i.candidate, "/applications")
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains("Шешім қабылдау мерзімі: "), "{mine}");
    // Nothing is overdue yet; once the last day has passed (staged in the database), the
    // queue marks it, and its overdue filter finds it and only it.
    let other = draft(&app, &i, &i.candidate, "IT-2026-0100").await;
    app.upload(&i.candidate, other, "identity", "id.png", png())
        .await;
    app.upload(&i.candidate, other, "confirming", "c.pdf", pdf("c"))
        .await;
    let r = app
        .post(
            &i.candidate,
            &format!("/api/v1/applications/{other}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let queue_path = format!("/orgs/{}/applications", i.org);
    let html = |path: String| {
        let (app, token) = (&app, i.secretary.clone());
        async move { app.get(&token, &path).await.text().await.unwrap() }
    };
    let page = html(format!("{queue_path}?overdue=true")).await;
    assert!(!page.contains("<table id=\"queue\">"), "{page}");
    sql(
        &app.ctx.db,
        &format!("UPDATE applications SET due_on = '2026-01-05' WHERE id = {id}"),
    )
    .await;
    let page = html(queue_path.clone()).await;
    assert!(page.contains("badge overdue"), "{page}");
    let page = html(format!("{queue_path}?overdue=true")).await;
    assert!(page.contains(&format!("/applications/{id}\"")), "{page}");
    assert!(
        !page.contains(&format!("/applications/{other}\"")),
        "{page}"
    );
    let v = app
        .get_json(
            &i.secretary,
            &format!("/api/v1/organisations/{}/applications?overdue=true", i.org),
        )
        .await;
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v[0]["id"], id, "{v}");
    // Withdrawn: nothing owed any more.
    let r = app
        .post(&i.candidate, &format!("{path}/withdraw"), json!({}))
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "withdrawn", "{v}");
    assert_eq!(v["due"], Value::Null, "{v}");
});

// The notice of an incomplete check (rule 11) names the failing documents in the
// candidate's language, never by their codes.
both!(
    rule_11_incomplete_notice_names_the_documents_in_words,
    |app| {
        let i = intake(&app).await;
        let id = draft(&app, &i, &i.candidate, "IT-2026-0017").await;
        for (kind, file, bytes) in [
            ("identity", "passport.png", png()),
            (
                "confirming",
                "certificate.pdf",
                pdf("Certificate IT-2026-0017"),
            ),
        ] {
            let r = app.upload(&i.candidate, id, kind, file, bytes).await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        let items = json!([
        { "kind": "statement", "present": true, "legible": true, "matches_candidate": true },
        { "kind": "identity", "present": true, "legible": false, "matches_candidate": true },
        { "kind": "confirming", "present": false, "legible": false, "matches_candidate": false }]);
        let cases = [
            (
                "kk",
                "Жеке басын куәландыратын құжаттың көшірмесі; Оқу нәтижелерін растайтын құжат",
            ),
            (
                "ru",
                "Копия документа, удостоверяющего личность; Документ, подтверждающий результаты обучения",
            ),
        ];
        for (locale, names) in cases {
            let r = app
                .put(
                    &i.candidate,
                    "/api/v1/me/locale",
                    json!({ "locale": locale }),
                )
                .await;
            assert!(r.status().is_success(), "{}", r.status());
            let r = app
                .post(
                    &i.candidate,
                    &format!("/api/v1/applications/{id}/submit"),
                    json!({}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            let v: Value = app
                .post(
                    &i.secretary,
                    &format!("/api/v1/applications/{id}/check"),
                    json!({ "items": items, "reason": "Көшірме бұлыңғыр" }),
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(v["status"], "incomplete", "{v}");
            let inbox: Value = app
                .get(&i.candidate, "/api/v1/notifications")
                .await
                .json()
                .await
                .unwrap();
            let notice = inbox
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["kind"] == "application-incomplete")
                .unwrap();
            let body = notice["body"].as_str().unwrap();
            assert!(body.contains(names), "{locale}: {body}");
            assert!(
                !body.contains("identity") && !body.contains("confirming") && !body.contains('{'),
                "{locale}: {body}"
            );
        }
    }
);

//! Protocols (rule 9): from a held meeting to a final, numbered, signed PDF; addenda,
//! extracts and the public verification – over the API on both databases. The PDFs are
//! read back with poppler's `pdftotext` and `pdftoppm`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::*;

/// Every Kazakh letter that Russian lacks, both cases.
const KAZAKH: &str = "ӘәҒғҚқҢңӨөҰұҮүҺһІі";

pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!(
        "tanu-pdf-{}-{}",
        std::process::id(),
        hex::encode(&Sha256::digest(bytes)[..6])
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) must be installed");
    assert!(out.status.success(), "pdftotext failed");
    // Page-1 raster: count the dark pixels of a grey image (PGM, binary).
    let png = std::process::Command::new("pdftoppm")
        .args(["-gray", "-r", "40", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(dir.join("page"))
        .output()
        .expect("pdftoppm");
    assert!(png.status.success(), "pdftoppm failed");
    let pgm = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(".pgm"))
        .map(|e| std::fs::read(e.path()).unwrap())
        .expect("page image");
    let dark = pgm.iter().skip(20).filter(|b| **b < 128).count();
    assert!(dark > 1000, "page 1 is blank ({dark} dark pixels)");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8(out.stdout).unwrap()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn protocol_url(b: &Board, id: i64, rest: &str) -> String {
    format!("/api/v1/organisations/{}/protocols/{id}{rest}", b.org)
}

async fn pdf_of(app: &TestApp, token: &str, path: &str) -> (Vec<u8>, Option<String>) {
    let r = app.get(token, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let code = r
        .headers()
        .get("x-tanu-verification-code")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.bytes().await.unwrap().to_vec(), code)
}

async fn verify_bytes(app: &TestApp, code: Option<&str>, bytes: Vec<u8>) -> Value {
    let url = match code {
        Some(c) => app.url(&format!("/api/v1/verify?code={c}")),
        None => app.url("/api/v1/verify"),
    };
    let r = app
        .client()
        .post(&url)
        .header("content-type", "application/pdf")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let whole: Value = r.json().await.unwrap();
    // The same file sent in pieces without a length (hashed as it streams in).
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(4099).map(|c| Ok(c.to_vec())).collect();
    let r = app
        .client()
        .post(&url)
        .header("content-type", "application/pdf")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(pieces)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), whole);
    whole
}

both!(rule_9_protocol_from_record_to_final_verifiable_pdf, |app| {
    let (b, meeting, apps) = held_meeting(&app).await;
    let start = format!(
        "/api/v1/organisations/{}/meetings/{meeting}/protocol",
        b.org
    );
    // Not before the meeting is closed.
    problem(
        app.post(&b.secretary, &start, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-9-meeting-not-held",
    )
    .await;
    app.post(&b.secretary, &b.meeting(meeting, "/close"), json!({}))
        .await;
    // A member does not prepare the protocol; the secretary does.
    problem(
        app.post(&b.members[2].1, &start, json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app.post(&b.secretary, &start, json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["status"], "draft");
    assert_eq!(v["signers"][0]["office"], "deputy");
    // Starting again returns the same protocol.
    let again: Value = app
        .post(&b.secretary, &start, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], id);

    let r = app
        .put(
            &b.secretary,
            &protocol_url(&b, id, ""),
            json!({ "opening_text": "Кіріспе", "closing_text": "Қорытынды мәтін" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .put(
            &b.secretary,
            &protocol_url(&b, id, ""),
            json!({ "opening_text": "Кіріспе мәтін", "closing_text": "Қорытынды мәтін" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The answer is the protocol as saved; a run of saves by one person is one entry of
    // its history, and every save is in the audit trail.
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["opening_text"], "Кіріспе мәтін");
    assert_eq!(v["signers"][0]["office"], "deputy");
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["started", "edited"]);
    let edits = "SELECT COUNT(*) FROM audit_events \
                 WHERE object_type = 'protocol' AND object_id = $1 AND action = 'edited'";
    tanu_storage::repo::audit::seal(&app.ctx.db).await.unwrap();
    let edits: i64 = match app.ctx.db.pool() {
        tanu_storage::Pool::Sqlite(p) => sqlx::query_scalar(edits).bind(id).fetch_one(p).await,
        tanu_storage::Pool::Postgres(p) => sqlx::query_scalar(edits).bind(id).fetch_one(p).await,
    }
    .unwrap();
    assert_eq!(edits, 2);
    // Another person's save starts an entry of its own, and the secretary's next one
    // starts another: the history shows who edited, in turn.
    let admin = app.token("admin@a.kz", PASSWORD).await;
    for (who, text) in [(&admin, "Әкімші мәтіні"), (&b.secretary, "Кіріспе мәтін")]
    {
        let r = app
            .put(
                who,
                &protocol_url(&b, id, ""),
                json!({ "opening_text": text, "closing_text": "Қорытынды мәтін" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    // The protocol's history as its API answer shows it: (kind, who, when).
    let history = || async {
        let v = app.get_json(&b.secretary, &protocol_url(&b, id, "")).await;
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let s = |k: &str| e[k].as_str().unwrap().to_owned();
                (s("kind"), s("person"), s("at"))
            })
            .collect::<Vec<_>>()
    };
    let before = history().await;
    let kinds: Vec<&str> = before.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(kinds, ["started", "edited", "edited", "edited"]);
    assert_eq!(before[1].1, before[3].1, "the secretary's entries");
    assert_ne!(before[2].1, before[3].1, "the admin's entry");
    // A save that waited for its turn carries an earlier time than the entry it joins:
    // the entry keeps its later time (it never moves back)...
    let secretary: i64 = {
        let sql =
            "SELECT person_id FROM protocol_events WHERE protocol_id = $1 AND kind = 'started'";
        match app.ctx.db.pool() {
            tanu_storage::Pool::Sqlite(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await,
            tanu_storage::Pool::Postgres(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await,
        }
        .unwrap()
    };
    let edit_at = |at: time::OffsetDateTime| {
        let db = &app.ctx.db;
        async move {
            let mut tx = db.begin().await.unwrap();
            tanu_storage::repo::protocols::note_edit(tx.conn(), id, secretary, at)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    edit_at(tanu_storage::now() - time::Duration::hours(1)).await;
    assert_eq!(
        history().await,
        before,
        "an earlier save moved the entry back"
    );
    // ...and a later save moves it forward, still one entry.
    let later = tanu_storage::now() + time::Duration::hours(1);
    edit_at(later).await;
    let after = history().await;
    assert_eq!(after.len(), 4);
    assert_eq!(
        time::OffsetDateTime::parse(&after[3].2, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp(),
        later.unix_timestamp()
    );
    // The draft preview: every name, the notes, the reasons – and no verification code.
    let (draft, code) = pdf_of(&app, &b.secretary, &protocol_url(&b, id, "/pdf?lang=kk")).await;
    assert!(code.is_none());
    let text = squash(&pdf_text(&draft));
    for name in &CANDIDATE_NAMES[..3] {
        assert!(text.contains(name), "{name} missing from the draft");
    }
    assert!(text.contains("Кіріспе мәтін"));
    // An extract needs a final protocol.
    problem(
        app.get(
            &b.candidates[0],
            &format!("/api/v1/applications/{}/extract", apps[0]),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-9-protocol-not-final",
    )
    .await;
    // Approval needs sending first.
    problem(
        app.post(
            &b.members[1].1,
            &protocol_url(&b, id, "/approve"),
            json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-9-protocol-not-sent",
    )
    .await;
    let v: Value = app
        .post(&b.secretary, &protocol_url(&b, id, "/send"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "signing");
    problem(
        app.put(
            &b.secretary,
            &protocol_url(&b, id, ""),
            json!({ "opening_text": "x" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-9-protocol-in-signing",
    )
    .await;
    // The chair was absent: the deputy presided and signs, the chair does not.
    for who in [&b.members[0].1, &b.members[3].1, &b.outsider] {
        problem(
            app.post(who, &protocol_url(&b, id, "/approve"), json!({}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-9-not-signer",
        )
        .await;
    }
    let v: Value = app
        .post(
            &b.members[1].1,
            &protocol_url(&b, id, "/approve"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "signing");
    problem(
        app.post(
            &b.members[1].1,
            &protocol_url(&b, id, "/approve"),
            json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-9-already-approved",
    )
    .await;
    let v: Value = app
        .post(&b.secretary, &protocol_url(&b, id, "/approve"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "final");
    assert_eq!(v["number"], "1/2026");
    let langs: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["lang"].as_str().unwrap())
        .collect();
    assert_eq!(langs, ["kk", "ru"]);

    // Final: nothing changes it through any API.
    for (method, path, body) in [
        (
            "put",
            protocol_url(&b, id, ""),
            json!({ "opening_text": "x" }),
        ),
        ("post", protocol_url(&b, id, "/send"), json!({})),
        ("post", protocol_url(&b, id, "/return"), json!({})),
        ("post", protocol_url(&b, id, "/approve"), json!({})),
    ] {
        let r = if method == "put" {
            app.put(&b.secretary, &path, body).await
        } else {
            app.post(&b.secretary, &path, body).await
        };
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "rule-9-protocol-final").await;
    }
    // Starting the meeting's protocol again does not make a new one.
    let again: Value = app
        .post(&b.secretary, &start, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], id);
    assert_eq!(again["status"], "final");

    // The issued PDF: the same bytes each time, registered under its code and hash.
    let (kk, code) = pdf_of(&app, &b.secretary, &protocol_url(&b, id, "/pdf?lang=kk")).await;
    let code = code.expect("a final protocol carries its code");
    let (kk2, code2) = pdf_of(&app, &b.members[2].1, &protocol_url(&b, id, "/pdf?lang=kk")).await;
    assert_eq!(kk, kk2);
    assert_eq!(code2.as_deref(), Some(code.as_str()));
    let sha = hex::encode(Sha256::digest(&kk));
    let doc = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["lang"] == "kk")
        .unwrap();
    assert_eq!(doc["sha256"], sha);
    assert_eq!(doc["code"], code);

    // What it says: the record to the letter.
    let text = squash(&pdf_text(&kk));
    for c in KAZAKH.chars() {
        assert!(text.contains(c), "Kazakh letter {c} missing");
    }
    for name in &CANDIDATE_NAMES[..3] {
        assert!(text.contains(name), "{name} missing");
    }
    for needle in [
        "1/2026",
        NOTES,
        REASONS,
        "Үміткер – туысы",
        "Person m1@a.kz",
        "Person sec@a.kz",
        code.as_str(),
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    // Each item's rows stand under its own heading: item 1's notes, recusal and
    // assessment comment, item 2's reasons, and none of them under item 3, whose
    // candidate did not come.
    let heading = |n: usize| format!("{n}-мәселе. №");
    let section = |n: usize| -> &str {
        let start = text
            .find(&heading(n))
            .unwrap_or_else(|| panic!("item {n}'s heading missing from:\n{text}"));
        let end = [heading(n + 1), "Отырыс қорытындысы".to_owned()]
            .iter()
            .filter_map(|next| text[start..].find(next.as_str()))
            .min()
            .expect("the summary follows the items");
        &text[start..start + end]
    };
    let own = [
        vec![NOTES, "Үміткер – туысы", "жақсы"],
        vec![REASONS],
        vec![],
    ];
    for (i, name) in CANDIDATE_NAMES.iter().take(own.len()).enumerate() {
        let s = section(i + 1);
        assert!(s.contains(name), "item {}: {s}", i + 1);
        for (j, others) in own.iter().enumerate() {
            for needle in others {
                assert_eq!(
                    s.contains(needle),
                    i == j,
                    "item {}: {needle:?} {} in:\n{s}",
                    i + 1,
                    if i == j { "missing" } else { "misplaced" }
                );
            }
        }
    }
    let (ru, ru_code) = pdf_of(&app, &b.secretary, &protocol_url(&b, id, "/pdf?lang=ru")).await;
    assert_ne!(ru_code.as_deref(), Some(code.as_str()));
    let ru_text = squash(&pdf_text(&ru));
    assert!(ru_text.contains("ПРОТОКОЛ"), "{ru_text}");
    assert!(ru_text.contains(REASONS));
    // English on request: issued once, then the same.
    let (en, en_code) = pdf_of(&app, &b.secretary, &protocol_url(&b, id, "/pdf?lang=en")).await;
    let (en2, _) = pdf_of(&app, &b.secretary, &protocol_url(&b, id, "/pdf?lang=en")).await;
    assert_eq!(en, en2);
    assert!(en_code.is_some());
    problem(
        app.get(&b.secretary, &protocol_url(&b, id, "/pdf?lang=de"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-value",
    )
    .await;

    // Verification: genuine, altered by one byte, unknown code, the draft.
    let v: Value = app
        .client()
        .get(app.url(&format!("/api/v1/verify/{}", code.to_lowercase())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["verdict"], "code-only");
    assert_eq!(v["document"]["sha256"], sha);
    assert_eq!(v["document"]["summary"]["number"], "1/2026");
    let public = v["document"]["summary"].to_string();
    assert!(
        !public.contains(CANDIDATE_NAMES[0]),
        "full name made public"
    );
    assert!(public.contains("Ә. Ғ. Қ."), "{public}");
    assert_eq!(
        verify_bytes(&app, Some(&code), kk.clone()).await["verdict"],
        "genuine"
    );
    assert_eq!(
        verify_bytes(&app, None, kk.clone()).await["verdict"],
        "genuine"
    );
    let mut altered = kk.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 1;
    assert_eq!(
        verify_bytes(&app, Some(&code), altered.clone()).await["verdict"],
        "altered"
    );
    assert_eq!(
        verify_bytes(&app, None, altered).await["verdict"],
        "unknown"
    );
    assert_eq!(
        verify_bytes(&app, Some("ZZZZZ-ZZZZZ"), kk.clone()).await["verdict"],
        "unknown"
    );
    assert_eq!(verify_bytes(&app, None, draft).await["verdict"], "unknown");
    // Offline: the signature checks against the published key.
    let key: Value = app
        .client()
        .get(app.url("/.well-known/tanu-signing-key"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tanu_app::signing::verify(
        key["pem"].as_str().unwrap(),
        &code,
        &sha,
        v["document"]["signature"].as_str().unwrap()
    ));
    assert!(!tanu_app::signing::verify(
        key["pem"].as_str().unwrap(),
        &code,
        &hex::encode(Sha256::digest(b"other")),
        v["document"]["signature"].as_str().unwrap()
    ));

    // The candidate's extract, in their language, verifiable the same way.
    let path = format!("/api/v1/applications/{}/extract?lang=ru", apps[0]);
    let (extract, ecode) = pdf_of(&app, &b.candidates[0], &path).await;
    let ecode = ecode.unwrap();
    let etext = squash(&pdf_text(&extract));
    assert!(etext.contains(CANDIDATE_NAMES[0]), "{etext}");
    assert!(etext.contains("1/2026"));
    assert!(etext.contains(&ecode));
    assert_eq!(
        verify_bytes(&app, Some(&ecode), extract).await["verdict"],
        "genuine"
    );
    // Someone else's extract is not there for another candidate.
    problem(
        app.get(&b.candidates[1], &path).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    // The absent candidate has no decision to extract.
    problem(
        app.get(
            &b.candidates[2],
            &format!("/api/v1/applications/{}/extract", apps[2]),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-9-no-decision",
    )
    .await;

    // A correction is an addendum; the original stays as it was.
    problem(
        app.post(
            &b.secretary,
            &protocol_url(&b, id, "/addenda"),
            json!({ "addendum_text": "  " }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-9-addendum-text-required",
    )
    .await;
    let r = app
        .post(
            &b.secretary,
            &protocol_url(&b, id, "/addenda"),
            json!({ "addendum_text": "Қасенованың өтініш нөмірі түзетілді" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let add: Value = r.json().await.unwrap();
    let add_id = add["id"].as_i64().unwrap();
    assert_eq!(add["kind"], "addendum");
    assert_eq!(add["amends"]["number"], "1/2026");
    app.post(&b.secretary, &protocol_url(&b, add_id, "/send"), json!({}))
        .await;
    app.post(
        &b.members[1].1,
        &protocol_url(&b, add_id, "/approve"),
        json!({}),
    )
    .await;
    let v: Value = app
        .post(
            &b.secretary,
            &protocol_url(&b, add_id, "/approve"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "final");
    assert_eq!(v["number"], "2/2026");
    let (add_pdf, _) = pdf_of(
        &app,
        &b.secretary,
        &protocol_url(&b, add_id, "/pdf?lang=kk"),
    )
    .await;
    let add_text = squash(&pdf_text(&add_pdf));
    assert!(add_text.contains("Қасенованың өтініш нөмірі түзетілді"));
    assert!(add_text.contains("1/2026"));
    let (kk3, _) = pdf_of(&app, &b.secretary, &protocol_url(&b, id, "/pdf?lang=kk")).await;
    assert_eq!(kk3, kk, "the original changed");
    let original = app.get_json(&b.secretary, &protocol_url(&b, id, "")).await;
    assert_eq!(original["addenda"][0]["number"], "2/2026");
    // Another organisation's staff see nothing of it.
    let op = app.operator_token().await;
    let other = app.org(&op, BIN_B, "higher").await;
    let (_, stranger) = app.staff(&op, other, "admin@b.kz", &["org-admin"]).await;
    assert_eq!(
        app.get(&stranger, &protocol_url(&b, id, "")).await.status(),
        StatusCode::NOT_FOUND
    );
    // The history says who did what.
    let kinds: Vec<&str> = original["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "started",
        "edited",
        "sent",
        "approved",
        "final",
        "issued",
        "addendum-started",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
});

both!(parallel_approvals_finalise_a_protocol_once, |app| {
    let (b, meeting, _) = held_meeting(&app).await;
    app.post(&b.secretary, &b.meeting(meeting, "/close"), json!({}))
        .await;
    let v: Value = app
        .post(
            &b.secretary,
            &format!(
                "/api/v1/organisations/{}/meetings/{meeting}/protocol",
                b.org
            ),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = v["id"].as_i64().unwrap();
    app.post(&b.secretary, &protocol_url(&b, id, "/send"), json!({}))
        .await;
    let url = protocol_url(&b, id, "/approve");
    let a = app.post(&b.members[1].1, &url, json!({}));
    let c = app.post(&b.secretary, &url, json!({}));
    let (a, c) = tokio::join!(a, c);
    assert_eq!(a.status(), StatusCode::OK);
    assert_eq!(c.status(), StatusCode::OK);
    let v: Value = app
        .get(&b.secretary, &protocol_url(&b, id, ""))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "final");
    assert_eq!(v["number"], "1/2026");
    let finals = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "final")
        .count();
    assert_eq!(finals, 1);
});

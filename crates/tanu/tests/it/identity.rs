//! Accounts that can be trusted with identity documents (issue 20): each finding of the
//! attacker's try is reproduced here and must stay refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

const IIN: &str = "850715400357";

fn cert() -> Value {
    json!({ "kind": "certificate", "provider_name": "IT Academy", "programme_title": "Python", "hours": 72,
        "study_from": "2026-01-10", "study_to": "2026-03-20", "number": "C-1", "issued_on": "2026-03-25",
        "outcomes": ["writes programs"] })
}

async fn register(app: &TestApp, email: &str, iin: &str) -> StatusCode {
    app.client()
        .post(app.url("/api/v1/candidates"))
        .json(
            &json!({ "full_name": "Басқа Адам", "email": email, "password": PASSWORD, "iin": iin }),
        )
        .send()
        .await
        .unwrap()
        .status()
}

// Finding 1: an anonymous visitor registers with a future staff member's e-mail; when
// the admin adds staff with it, the visitor's password must open nothing.
both!(
    a_staff_account_cannot_be_taken_over_before_it_exists,
    |app| {
        let op = app.operator_token().await;
        let org = app.org(&op, BIN_A, "higher").await;
        assert_eq!(
            register(&app, "new.secretary@a.kz", IIN).await,
            StatusCode::ACCEPTED
        );
        let squatter = app.token("new.secretary@a.kz", PASSWORD).await;
        let r = app
        .post(&op, &format!("/api/v1/organisations/{org}/staff"), json!({ "full_name": "Жаңа Хатшы", "email": "new.secretary@a.kz", "position": "specialist", "roles": ["secretary"] }))
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let added: Value = r.json().await.unwrap();
        assert_eq!(added["staff"]["accepted"], false);
        assert_eq!(
            added["staff"]["full_name"], "Жаңа Хатшы",
            "what the admin typed"
        );
        assert_eq!(
            added["staff"]["iin"],
            Value::Null,
            "never the account's IIN"
        );
        assert!(added.get("invitation_token").is_none());
        // The post grants the squatter nothing.
        let me = app.get_json(&squatter, "/api/v1/me").await;
        assert_eq!(me["roles"], json!([]));
        problem(
            app.get(
                &squatter,
                &format!("/api/v1/organisations/{org}/applications"),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        // The real owner of the mailbox accepts by setting a password: the squatter's
        // password, sessions and tokens are gone.
        let inv = app
            .mail_secret("new.secretary@a.kz", "staff-invitation")
            .await;
        let shown = app
            .get_json("", &format!("/api/v1/invitations/{inv}"))
            .await;
        assert_eq!(shown["sets_password"], true);
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/invitations/{inv}")))
            .json(&json!({ "password": "the real secretary's" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        problem(
            app.get(&squatter, "/api/v1/me").await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": "new.secretary@a.kz", "password": PASSWORD, "name": "t" }))
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::UNAUTHORIZED, "bad-credentials").await;
        let real = app
            .token("new.secretary@a.kz", "the real secretary's")
            .await;
        let me = app.get_json(&real, "/api/v1/me").await;
        assert_eq!(
            me["roles"],
            json!([{ "organisation_id": org, "role": "secretary" }])
        );
        assert_eq!(me["email_verified"], true);
    }
);

// Findings 2 and 3: a walk-in registered by IIN or e-mail never attaches to the account
// that holds them; the candidate claims it with the receipt's code.
both!(walk_ins_belong_to_the_organisation_until_claimed, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let (_, secretary) = app.staff(&op, org, "secretary@a.kz", &["secretary"]).await;
    // A squatter registers with the real person's IIN, and verifies their own mailbox.
    let squatter = app.candidate("squatter@mail.kz", IIN).await;
    let r = app
        .post(
            &secretary,
            &format!("/api/v1/organisations/{org}/applications"),
            json!({
            "full_name": "Нағыз Адам", "iin": IIN, "email": "real@mail.kz", "locale": "ru",
            "statement": "", "consent": true, "certificate": cert() }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    let code = v["claim_code"].as_str().unwrap().to_owned();
    assert_eq!(
        v["candidate_name"], "Нағыз Адам",
        "the name as typed, not the squatter's"
    );
    assert_eq!(
        app.upload(&secretary, id, "identity", "id.png", png())
            .await
            .status(),
        StatusCode::CREATED
    );
    // The squatter sees nothing of it.
    let mine = app.get_json(&squatter, "/api/v1/applications").await;
    assert_eq!(mine, json!([]), "{mine}");
    problem(
        app.get(&squatter, &format!("/api/v1/applications/{id}"))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    // Notices go to the e-mail given at the desk, in the language chosen there; the
    // code is e-mailed there too, never into an inbox.
    assert_eq!(app.mail_count("real@mail.kz", "walk-in-claim").await, 1);
    // A walk-in by an account's e-mail (the operator's) attaches to no account either.
    let r = app
        .post(&secretary, &format!("/api/v1/organisations/{org}/applications"), json!({
            "full_name": "Біреу", "foreign_document": "N123", "email": OPERATOR_EMAIL, "statement": "x" }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(app.get_json(&op, "/api/v1/applications").await, json!([]));
    // The real person registers with their own IIN (the squatter does not keep them
    // out) and claims the case with the code.
    let real = app.candidate("real@mail.kz", IIN).await;
    let r = app
        .post(
            &squatter,
            "/api/v1/claims",
            json!({ "code": "AAAA-BBBB-CCCC" }),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "claim-code-invalid").await;
    let other = app.candidate("other@mail.kz", "951231400012").await;
    let r = app
        .post(&other, "/api/v1/claims", json!({ "code": code }))
        .await;
    problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "claim-identity-mismatch",
    )
    .await;
    let r = app
        .post(
            &real,
            "/api/v1/claims",
            json!({ "code": code.to_lowercase() }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap()["applications"],
        json!([id])
    );
    let mine = app.get_json(&real, "/api/v1/applications").await;
    assert_eq!(mine[0]["id"], id);
    // Once only.
    let r = app
        .post(&squatter, "/api/v1/claims", json!({ "code": code }))
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "claim-code-invalid").await;
    // Codes are not guessed: ten tries an hour per account.
    for _ in 0..8 {
        let r = app
            .post(
                &squatter,
                "/api/v1/claims",
                json!({ "code": "AAAA-BBBB-CCCC" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app
        .post(
            &squatter,
            "/api/v1/claims",
            json!({ "code": "AAAA-BBBB-CCCC" }),
        )
        .await;
    problem(r, StatusCode::TOO_MANY_REQUESTS, "too-many-attempts").await;
    // The secretary sees the claim in the case's history.
    let seen = app
        .get_json(&secretary, &format!("/api/v1/applications/{id}"))
        .await;
    assert!(seen.to_string().contains("claimed"), "{seen}");
});

// Finding 4: registration answers the same whatever exists, is limited per address, and
// is in the audit trail; an unverified account cannot submit.
both!(registration_says_the_same_whatever_exists, |app| {
    assert_eq!(
        register(&app, "first@mail.kz", IIN).await,
        StatusCode::ACCEPTED
    );
    // The same e-mail, and the same IIN again: the same answer.
    assert_eq!(
        register(&app, "first@mail.kz", "951231400012").await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        register(&app, "second@mail.kz", IIN).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.mail_count("first@mail.kz", "account-exists").await, 1);
    let op = app.operator_token().await;
    let audit = app
        .get_json(&op, "/api/v1/audit?action=registration-repeated")
        .await;
    assert!(
        audit.to_string().contains("registration-repeated"),
        "{audit}"
    );
    // Unverified: a draft is fine, submitting is not.
    let t = app.token("second@mail.kz", PASSWORD).await;
    let org = app.org(&op, BIN_A, "higher").await;
    let v: Value = app
        .post(
            &t,
            "/api/v1/applications",
            json!({ "org_id": org, "statement": "Курс", "consent": true, "certificate": cert() }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = v["id"].as_i64().unwrap();
    problem(
        app.post(&t, &format!("/api/v1/applications/{id}/submit"), json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "email-unverified",
    )
    .await;
    // Past the limit per address: 429 (the test app allows 10,000 an hour; stage them).
    let stage = (0..10_000)
        .map(|_| "('register', '127.0.0.1', '2999-01-01T00:00:00Z')")
        .collect::<Vec<_>>()
        .join(", ");
    let at = match app.backend {
        tanu_storage::Backend::Sqlite => stage,
        tanu_storage::Backend::Postgres => stage.replace("Z')", "Z'::timestamptz)"),
    };
    sql(
        &app.ctx.db,
        &format!("INSERT INTO rate_events (kind, key, at) VALUES {at}"),
    )
    .await;
    assert_eq!(
        register(&app, "third@mail.kz", IIN).await,
        StatusCode::TOO_MANY_REQUESTS
    );
});

// Finding 5: other people's failures never refuse a correct password in a browser that
// signed in before; per-account failures slow down rather than lock out.
both!(sign_in_cannot_be_turned_against_its_owner, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    app.staff(&op, org, "owner@a.kz", &["secretary"]).await;
    // The owner signs in once in their browser.
    let browser = app.browser();
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let login = |c: &reqwest::Client, password: &str, csrf: &str| {
        c.post(app.url("/login"))
            .form(&[
                ("csrf", csrf),
                ("email", "owner@a.kz"),
                ("password", password),
            ])
            .send()
    };
    let r = login(&browser, PASSWORD, &csrf_of(&page)).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // An attacker fails 60 times on the account from the same address.
    for _ in 0..60 {
        sql(&app.ctx.db, "INSERT INTO login_failures (email, ip, at) VALUES ('owner@a.kz', '127.0.0.1', '2999-01-01T00:00:00Z')").await;
    }
    let stranger = app.browser();
    let page = stranger
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = login(&stranger, PASSWORD, &csrf_of(&page)).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "an unknown browser waits"
    );
    // The owner's browser gets in with the right password.
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = login(&browser, PASSWORD, &csrf_of(&page)).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "a known browser is never held back"
    );
});

// Finding 8: passwords change and reset; sessions can be listed and ended; tokens expire
// and may be read-only.
both!(passwords_sessions_and_tokens_are_the_owners, |app| {
    let t = app.candidate("me@mail.kz", IIN).await;
    // Change needs the current password.
    let r = app
        .put(
            &t,
            "/api/v1/me/password",
            json!({ "current_password": "wrong wrong", "new_password": "a new long passphrase" }),
        )
        .await;
    problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "current-password-wrong",
    )
    .await;
    let r = app
        .put(
            &t,
            "/api/v1/me/password",
            json!({ "current_password": PASSWORD, "new_password": "a new long passphrase" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Reset by e-mail: the same answer for an unknown address; single use; ends tokens.
    for email in ["me@mail.kz", "nobody@mail.kz"] {
        let r = app
            .client()
            .post(app.url("/api/v1/auth/password-reset"))
            .json(&json!({ "email": email }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    assert!(
        app.mail_link("nobody@mail.kz", "password-reset")
            .await
            .is_none()
    );
    let secret = app.mail_secret("me@mail.kz", "password-reset").await;
    let reset = |password: &'static str| {
        app.client()
            .post(app.url(&format!("/api/v1/auth/password-reset/{secret}")))
            .json(&json!({ "password": password }))
            .send()
    };
    assert_eq!(
        reset("reset to this one").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    problem(
        reset("and again to this").await.unwrap(),
        StatusCode::GONE,
        "link-invalid",
    )
    .await;
    problem(
        app.get(&t, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    // Tokens: an expiry, and a read-only one that cannot change anything.
    let r = app
        .client()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({ "email": "me@mail.kz", "password": "reset to this one", "name": "ro", "read_only": true, "days": 7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["read_only"], true);
    let ro = v["token"].as_str().unwrap().to_owned();
    assert_eq!(app.get_json(&ro, "/api/v1/me").await["read_only"], true);
    problem(
        app.post(&ro, "/api/v1/tokens", json!({ "name": "x" }))
            .await,
        StatusCode::FORBIDDEN,
        "token-read-only",
    )
    .await;
    let full = app.token("me@mail.kz", "reset to this one").await;
    let tokens = app.get_json(&full, "/api/v1/tokens").await;
    assert!(
        tokens
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["expires_at"].is_string()),
        "{tokens}"
    );
    sql(&app.ctx.db, "UPDATE api_tokens SET expires_at = created_at").await;
    problem(
        app.get(&full, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    // Browser sessions are listed and ended elsewhere.
    let full = app.token("me@mail.kz", "reset to this one").await;
    let a = app.browser();
    let page = a
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = a
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("email", "me@mail.kz"),
            ("password", "reset to this one"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sessions = app.get_json(&full, "/api/v1/me/sessions").await;
    assert_eq!(sessions.as_array().unwrap().len(), 1);
    let ended = app
        .post(&full, "/api/v1/me/sessions/sign-out-elsewhere", json!({}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(ended["ended"], 1);
    let r = a.get(app.url("/account")).send().await.unwrap();
    assert_ne!(r.status(), StatusCode::OK, "the browser's session ended");
    // Guessing the current password waits as sign-in guesses do.
    for _ in 0..6 {
        sql(&app.ctx.db, "INSERT INTO login_failures (email, ip, at) VALUES ('me@mail.kz', '10.0.0.9', '2999-01-01T00:00:00Z')").await;
    }
    let r = app.put(&full, "/api/v1/me/password", json!({ "current_password": "reset to this one", "new_password": "yet another passphrase" })).await;
    problem(r, StatusCode::TOO_MANY_REQUESTS, "too-many-attempts").await;
});

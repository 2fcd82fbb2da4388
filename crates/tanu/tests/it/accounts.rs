//! Accounts: candidates register themselves, logins are throttled, tokens are shown
//! once and revocable, invitations work once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

fn candidate(email: &str, iin: &str) -> Value {
    json!({ "full_name": "Серікбай Аружан", "email": email, "password": PASSWORD, "iin": iin })
}

both!(
    candidates_register_with_a_valid_iin_or_a_foreign_document,
    |app| {
        let c = app.client();
        let r = c
            .post(app.url("/api/v1/candidates"))
            .json(&candidate("aru@mail.kz", "850715400357"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        // IIN valid only by the second pass of the check digit.
        let r = c
            .post(app.url("/api/v1/candidates"))
            .json(&candidate("second@mail.kz", "900201300122"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let r = c
        .post(app.url("/api/v1/candidates"))
        .json(&json!({ "full_name": "John Smith", "email": "john@example.com", "password": PASSWORD, "foreign_document": "P1234567" }))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);

        for (iin, code) in [
            ("850715400358", "id-number-check-digit"),
            ("8507154003", "id-number-format"),
            ("880315300505", "id-number-never-issued"),
        ] {
            let r = c
                .post(app.url("/api/v1/candidates"))
                .json(&candidate("x@mail.kz", iin))
                .send()
                .await
                .unwrap();
            let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, code).await;
            assert_eq!(p["field"], "iin");
        }
        let r = c.post(app.url("/api/v1/candidates")).json(&json!({ "full_name": "Без документа", "email": "n@mail.kz", "password": PASSWORD })).send().await.unwrap();
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "identity-required").await;
        let r = c
            .post(app.url("/api/v1/candidates"))
            .json(&candidate("ARU@mail.kz", "951231400012"))
            .send()
            .await
            .unwrap();
        // Said the same as a new registration; the mailbox's owner is told instead.
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        assert_eq!(app.mail_count("aru@mail.kz", "account-exists").await, 1);
        // An IIN someone typed first does not keep its holder out.
        let r = c
            .post(app.url("/api/v1/candidates"))
            .json(&candidate("other@mail.kz", "850715400357"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        assert!(
            app.mail_link("other@mail.kz", "verify-email")
                .await
                .is_some()
        );
        let r = c.post(app.url("/api/v1/candidates")).json(&json!({ "full_name": "Кыска", "email": "short@mail.kz", "password": "short", "iin": "951231400012" })).send().await.unwrap();
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "password-policy").await;
        let r = c
            .post(app.url("/api/v1/candidates"))
            .json(&candidate("not-an-email", "951231400012"))
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "email-invalid").await;

        // The candidate can log in and sees who they are; the e-mail counts once its link
        // is opened.
        let token = app.token("aru@mail.kz", PASSWORD).await;
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["is_candidate"], true);
        assert_eq!(me["email_verified"], false);
        assert_eq!(me["roles"], json!([]));
        app.verify_email("aru@mail.kz").await;
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["email_verified"], true);
    }
);

both!(wrong_passwords_are_refused_and_throttled, |app| {
    let c = app.client();
    let attempt = |password: &'static str| {
        c.post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": OPERATOR_EMAIL, "password": password, "name": "t" }))
            .send()
    };
    let r = attempt("wrong password!").await.unwrap();
    problem(r, StatusCode::UNAUTHORIZED, "bad-credentials").await;
    // Unknown e-mail looks the same as a wrong password.
    let r = c
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({ "email": "nobody@x.kz", "password": "whatever12", "name": "t" }))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED, "bad-credentials").await;
    for _ in 0..4 {
        let r = attempt("wrong password!").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Five failures: even the right password waits now.
    let r = attempt(PASSWORD).await.unwrap();
    assert!(r.headers().get("retry-after").is_some());
    problem(r, StatusCode::TOO_MANY_REQUESTS, "too-many-attempts").await;
});

both!(
    parallel_guesses_get_no_more_tries_than_sequential_ones,
    |app| {
        // Twelve wrong passwords at once: the throttle counts each attempt before checking
        // it, so at most five are checked and the rest are refused unchecked.
        let c = app.client();
        let attempts =
            (0..12).map(|_| {
                c.post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": OPERATOR_EMAIL, "password": "wrong password!", "name": "t" }))
            .send()
            });
        let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
            .await
            .into_iter()
            .map(|r| r.unwrap().status())
            .collect();
        let checked = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((checked, refused), (5, 7), "{statuses:?}");
        let r = c
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({ "email": OPERATOR_EMAIL, "password": PASSWORD, "name": "t" }))
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::TOO_MANY_REQUESTS, "too-many-attempts").await;
    }
);

both!(tokens_are_shown_once_and_can_be_revoked, |app| {
    let op = app.operator_token().await;
    assert!(op.starts_with("tanu_"));
    let r = app
        .post(&op, "/api/v1/tokens", json!({ "name": "university ERP" }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let erp = created["token"].as_str().unwrap().to_owned();
    let id = created["id"].as_i64().unwrap();
    let list: Value = app.get(&erp, "/api/v1/tokens").await.json().await.unwrap();
    let text = list.to_string();
    assert!(!text.contains(&erp), "secrets are never listed");
    assert!(text.contains("university ERP"));
    let r = app
        .client()
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&op)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&erp, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    problem(
        app.get("tanu_forged", "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let r = app
        .client()
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&op)
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::NOT_FOUND, "not-found").await;
    problem(
        app.client()
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
});

both!(an_invitation_sets_a_password_once, |app| {
    let op = app.operator_token().await;
    let a = app.org(&op, BIN_A, "higher").await;
    let r = app.post(&op, &format!("/api/v1/organisations/{a}/staff"), json!({ "full_name": "Нұрланова Айгерім", "email": "aigerim@a.kz", "position": "specialist", "roles": ["secretary"] })).await;
    let v: Value = r.json().await.unwrap();
    let inv = app.mail_secret("aigerim@a.kz", "staff-invitation").await;
    assert_eq!(v["staff"]["has_password"], false);
    // Not yet able to log in.
    let r = app
        .client()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({ "email": "aigerim@a.kz", "password": PASSWORD, "name": "t" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let shown: Value = app
        .client()
        .get(app.url(&format!("/api/v1/invitations/{inv}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["email"], "aigerim@a.kz");
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/invitations/{inv}")))
        .json(&json!({ "password": "short" }))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "password-policy").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/invitations/{inv}")))
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/invitations/{inv}")))
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::GONE, "invitation-invalid").await;
    let token = app.token("aigerim@a.kz", PASSWORD).await;
    let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(
        me["roles"],
        json!([{ "organisation_id": a, "role": "secretary" }])
    );
    // A person already on Tanu is invited too, and accepts while signed in.
    let b = app.org(&op, BIN_B, "technical-vocational").await;
    let r = app.post(&op, &format!("/api/v1/organisations/{b}/staff"), json!({ "full_name": "Нұрланова Айгерім", "email": "aigerim@a.kz", "position": "teacher", "roles": ["member"] })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let inv = app.mail_secret("aigerim@a.kz", "staff-invitation").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/invitations/{inv}")))
        .json(&json!({ "password": "an attacker's choice" }))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::FORBIDDEN, "invitation-sign-in").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/invitations/{inv}")))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
});

//! The web UI over HTTP: login with CSRF, language negotiation and switching, forms that
//! show their errors, the staff invitation.

use reqwest::{Client, StatusCode};

use crate::common::*;

async fn login(
    app: &TestApp,
    c: &Client,
    email: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    let page = c
        .get(app.url(&format!("/login?next={next}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    c.post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

both!(login_needs_the_csrf_token_and_the_right_password, |app| {
    let c = app.browser();
    // Without the form's token the login is refused.
    let _ = c.get(app.url("/login")).send().await.unwrap();
    let r = c
        .post(app.url("/login"))
        .form(&[("email", OPERATOR_EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("csrf"));
    // A wrong password shows the form again with the message, in Kazakh by default.
    let r = login(&app, &c, OPERATOR_EMAIL, "wrong password", "/orgs").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"form-error\""), "{body}");
    assert!(body.contains("lang=\"kk\""));
    assert!(body.contains(OPERATOR_EMAIL), "the e-mail is kept");
    // The right one logs in and returns where the person was going.
    let r = login(&app, &c, OPERATOR_EMAIL, PASSWORD, "/orgs").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/orgs");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("tanu_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Оператор Тест"));
    // Logging out ends the session.
    let csrf = csrf_of(&home);
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(app.url("/orgs")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2Forgs");
    // Never sent to another site after login.
    let r = login(&app, &c, OPERATOR_EMAIL, PASSWORD, "//evil.example").await;
    assert_eq!(r.headers()["location"], "/");
});

both!(language_is_negotiated_and_switchable_on_every_page, |app| {
    let c = app.browser();
    let body = c
        .get(app.url("/login"))
        .header("accept-language", "ru-RU,ru;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"ru\">"));
    assert!(body.contains("Войти"), "Russian login page");
    let body = c
        .get(app.url("/login"))
        .header("accept-language", "de, en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"en\">"));
    let body = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"kk\">"), "Kazakh is the default");
    for code in ["kk", "ru", "en"] {
        assert!(
            body.contains(&format!("id=\"lang-{code}\"")),
            "switch to {code} on the page"
        );
    }
    let r = c
        .get(app.url("/lang/en?next=%2Flogin"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    // The chosen language beats the browser's.
    let body = c
        .get(app.url("/login"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"en\">"));
    assert_eq!(
        c.get(app.url("/lang/de")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
});

both!(
    the_operator_registers_an_organisation_in_the_ui_and_rule_4_is_cited,
    |app| {
        let c = app.browser();
        let r = login(&app, &c, OPERATOR_EMAIL, PASSWORD, "/orgs/new").await;
        assert_eq!(r.headers()["location"], "/orgs/new");
        let page = c
            .get(app.url("/orgs/new"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        let form = |kind: &'static str, bin: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("kind", kind.into()),
                ("bin", bin.into()),
                ("name_kk", "Алатау университеті".into()),
                ("name_ru", "Университет Алатау".into()),
                ("name_en", "".into()),
                ("address", "Алматы".into()),
            ]
        };
        let r = c
            .post(app.url("/orgs/new"))
            .form(&form("general-secondary", BIN_A))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("Қағидалардың 4-тармағы"),
            "rule 4 cited in Kazakh: {body}"
        );
        assert!(
            body.contains("Алатау университеті"),
            "typed values are kept"
        );
        let r = c
            .post(app.url("/orgs/new"))
            .form(&form("higher", "940140000386"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("aria-invalid=\"true\""));
        let r = c
            .post(app.url("/orgs/new"))
            .form(&form("higher", BIN_A))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let page = c
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Алатау университеті") && page.contains(BIN_A));

        // The operator adds the first admin; the invitation link is shown once and works.
        let org_id = location.trim_start_matches("/orgs/");
        let csrf = csrf_of(&page);
        let r = c
            .post(app.url(&format!("/orgs/{org_id}/staff/new")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("full_name", "Төлеуова Әсел"),
                ("email", "asel@alatau.kz"),
                ("iin", ""),
                ("position", "specialist"),
                ("roles", "org-admin"),
                ("roles", "auditor"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let body = r.text().await.unwrap();
        assert!(!body.contains("/invite/"), "the admin never holds the link");
        let link = app
            .mail_link("asel@alatau.kz", "staff-invitation")
            .await
            .unwrap();
        assert!(link.starts_with("/invite/"));
        let fresh = app.browser();
        let page = fresh
            .get(app.url(&link))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("asel@alatau.kz"));
        let csrf = csrf_of(&page);
        let r = fresh
            .post(app.url(&link))
            .form(&[("csrf", csrf.as_str()), ("password", "short")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = fresh
            .post(app.url(&link))
            .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let home = fresh
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("Төлеуова Әсел") && home.contains("Алатау университеті"),
            "{home}"
        );
        assert_eq!(
            fresh.get(app.url(&link)).send().await.unwrap().status(),
            StatusCode::GONE
        );
    }
);

both!(a_candidate_registers_in_the_ui, |app| {
    let c = app.browser();
    let page = c
        .get(app.url("/register"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let mut form = vec![
        ("csrf", csrf.clone()),
        ("full_name", "Серікбай Аружан".to_owned()),
        ("email", "aru@mail.kz".to_owned()),
        ("iin", "850715400358".to_owned()),
        ("foreign_document", String::new()),
        ("password", PASSWORD.to_owned()),
    ];
    let r = c
        .post(app.url("/register"))
        .header("accept-language", "ru")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("ИИН"),
        "the field is named in Russian: {body}"
    );
    form[3].1 = "850715400357".to_owned();
    let r = c
        .post(app.url("/register"))
        .form(&form)
        .send()
        .await
        .unwrap();
    // Not signed in yet: the page says where the link went.
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("aru@mail.kz"));
    // The link from the e-mail shows a button; pressing it confirms the address.
    let link = app.mail_link("aru@mail.kz", "verify-email").await.unwrap();
    let page = c
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(app.url(&link))
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let again = c
        .post(app.url(&link))
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::GONE, "the link works once");
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf_of(&page)),
            ("email", "aru@mail.kz".to_owned()),
            ("password", PASSWORD.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Серікбай Аружан"));
    let account = c
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("sign-out-elsewhere"), "{account}");
});

both!(fields_are_checked_inline_while_typing, |app| {
    let c = app.browser();
    let r = c
        .get(app.url("/check/bin?bin=940140000386"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("field-error") && body.contains("check digit"),
        "{body}"
    );
    let body = c
        .get(app.url("/check/bin?bin=940140000385"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("field-error"), "{body}");
    let body = c
        .get(app.url("/check/iin?iin=%3Cscript%3E"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("<script>"), "{body}");
    let body = c
        .get(app.url("/check/email?email=a%40b"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("field-error"), "{body}");
    assert_eq!(
        c.get(app.url("/check/password?password=x"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
});

both!(inline_checks_take_only_known_fields, |app| {
    let r = app
        .client()
        .get(app.url("/check/%22%3E%3Cmeta%20http-equiv=refresh%3E?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        !r.text()
            .await
            .unwrap()
            .contains("<meta http-equiv=refresh>")
    );
    let r = app
        .client()
        .get(app.url("/lang/en?next=/%09/evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    let r = app
        .client()
        .get(app.url("/lang/en?next=/%0a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
});

both!(the_admin_keeps_the_catalogue_in_the_ui, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    app.staff(&op, org, "admin@a.kz", &["org-admin"]).await;
    let c = app.browser();
    let r = login(
        &app,
        &c,
        "admin@a.kz",
        PASSWORD,
        &format!("/orgs/{org}/programmes"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = c
        .get(app.url(&format!("/orgs/{org}/programmes")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let bad = "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes\n\
               6B01,Атау,Название,U1,lecture,Атау,Название,5,a;b\n";
    let r = c
        .post(app.url(&format!("/orgs/{org}/programmes/import")))
        .form(&[("csrf", csrf.as_str()), ("csv", bad)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("CSV") && body.contains('2'),
        "the line is named: {body}"
    );
    let good = bad.replace("lecture", "discipline");
    let r = c
        .post(app.url(&format!("/orgs/{org}/programmes/import")))
        .form(&[("csrf", csrf.as_str()), ("csv", good.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("id=\"imported\"") && body.contains("6B01"),
        "{body}"
    );
});

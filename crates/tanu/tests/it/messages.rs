//! Refusals read as sentences in the reader's language: no message key shown as text,
//! no English inside a Kazakh or Russian message, and each cites the rule it enforces.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

const LANGS: [&str; 3] = ["kk", "ru", "en"];

/// The problem document of a request made in `lang`.
async fn problem_in(
    app: &TestApp,
    lang: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Value,
    code: &str,
) -> Value {
    let r = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("accept-language", lang)
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    let detail = p["detail"].as_str().unwrap();
    assert!(!detail.contains("err-"), "{lang}: {detail}");
    p
}

/// The detail in each language, kk, ru, en.
async fn details(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Value,
    code: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for lang in LANGS {
        let p = problem_in(app, lang, token, method.clone(), path, body.clone(), code).await;
        out.push(p["detail"].as_str().unwrap().to_owned());
    }
    out
}

/// Whether a text has a word of Latin letters (none belongs in kk or ru prose here but
/// the product's name).
fn has_latin_word(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() > 2 && w != "Tanu")
}

/// The problem document of a catalogue import in `lang`.
async fn import_in(app: &TestApp, org: i64, admin: &str, lang: &str, body: String) -> Value {
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/organisations/{org}/programmes/import")))
        .bearer_auth(admin)
        .header("content-type", "text/csv")
        .header("accept-language", lang)
        .body(body)
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "csv-row").await
}

both!(meeting_refusals_are_translated, |app| {
    let (b, apps) = board(&app, 1).await;
    elect(&app, &b).await;
    let v: Value = b.schedule(&app, &apps).await.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    let item = v["items"][0]["id"].as_i64().unwrap();

    // Before attendance the meeting page says why it cannot open, in words.
    for (lang, words) in LANGS.iter().zip(["Кворум жоқ", "Нет кворума", "No quorum"])
    {
        let page = app
            .client()
            .get(app.url(&format!("/orgs/{}/meetings/{id}", b.org)))
            .bearer_auth(&b.secretary)
            .header("accept-language", *lang)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("err-"), "{lang}: {page}");
        assert!(page.contains(words), "{lang}: {page}");
    }

    // Scheduled again: the action refused is named in the reader's language.
    let d = details(
        &app,
        &b.secretary,
        Method::POST,
        &format!(
            "/api/v1/organisations/{}/commissions/{}/meetings",
            b.org, b.commission
        ),
        json!({ "starts_at": soon(&app).await, "place": "Ауд. 302", "application_ids": apps }),
        "status-transition",
    )
    .await;
    assert!(d[0].contains("күн тәртібіне қою"), "{}", d[0]);
    assert!(d[1].contains("включение в повестку"), "{}", d[1]);
    assert!(!has_latin_word(&d[0]) && !has_latin_word(&d[1]), "{d:?}");

    b.attend(&app, id, &[0, 1, 2, 3]).await;
    assert_eq!(
        app.post(&b.secretary, &b.meeting(id, "/open"), json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    // Rule 12: no interview of a candidate not known to have come.
    let d = details(
        &app,
        &b.secretary,
        Method::PUT,
        &b.item(id, item, "/interview"),
        json!({ "notes": "Сұхбат", "assessments": [] }),
        "rule-12-candidate-absent",
    )
    .await;
    assert!(d[0].contains("12-тармағы"), "{}", d[0]);
    assert!(d[1].contains("Пункт 12"), "{}", d[1]);
    assert!(d[2].starts_with("Rule 12"), "{}", d[2]);
    // Rule 12: no vote before the interview.
    app.post(
        &b.secretary,
        &b.item(id, item, "/candidate"),
        json!({ "present": true }),
    )
    .await;
    let d = details(
        &app,
        &b.secretary,
        Method::POST,
        &b.item(id, item, "/vote/open"),
        json!({}),
        "rule-12-interview-required",
    )
    .await;
    assert!(d[0].contains("12-тармағы"), "{}", d[0]);
    assert!(d[1].contains("Пункт 12"), "{}", d[1]);
    assert!(d[2].starts_with("Rule 12"), "{}", d[2]);
});

both!(
    an_unchecked_application_stays_off_the_agenda_by_rule_11,
    |app| {
        let (b, _) = board(&app, 0).await;
        elect(&app, &b).await;
        let (unchecked, _) = submitted_application(&app, b.org, 0).await;
        let p = problem(
            b.schedule(&app, &[unchecked]).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-11-not-complete",
        )
        .await;
        assert_eq!(p["rule"], 11);
        let mine: Value = app
            .get(&b.secretary, &format!("/api/v1/applications/{unchecked}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine["status"], "submitted");
    }
);

both!(rule_set_and_csv_refusals_are_translated, |app| {
    let op = app.operator_token().await;
    let sets: Value = app.get_json(&op, "/api/v1/rule-sets").await;
    let id = sets[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/rule-sets/{id}");
    for (params, words) in [
        (json!({ "min_teachers": 0 }), ["педагогтер", "педагоги"]),
        (json!({ "appeal_days": 10 }), ["шағымдану", "обжалования"]),
        (json!({ "decision_days": 400 }), ["365", "365"]),
    ] {
        let d = details(
            &app,
            &op,
            Method::PUT,
            &path,
            json!({ "effective_from": "2023-07-27", "params": params }),
            "rule-set-parameter",
        )
        .await;
        assert!(d[0].contains(words[0]), "{}", d[0]);
        assert!(d[1].contains(words[1]), "{}", d[1]);
        assert!(!has_latin_word(&d[0]) && !has_latin_word(&d[1]), "{d:?}");
    }

    let org = app.org(&op, BIN_A, "higher").await;
    let (_, admin) = app.staff(&op, org, "admin@a.kz", &["org-admin"]).await;
    let header = "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes";
    // A value that does not read, a value the domain refuses, and no rows at all: the
    // reason is the translated message of what is wrong, after the line number.
    let unreadable =
        format!("{header}\nP1,Бағдарлама,Программа,U1,discipline,Пән,Дисциплина,five,x\n");
    let refused = format!("{header}\nP1,Бағдарлама,Программа,U1,lecture,Пән,Дисциплина,5,x\n");
    for (body, kk, ru) in [
        (unreadable, "2-жол", "строка 2"),
        (refused, "2-жол", "строка 2"),
        (format!("{header}\n"), "1-жол", "строка 1"),
    ] {
        let p_kk = import_in(&app, org, &admin, "kk", body.clone()).await;
        let p_ru = import_in(&app, org, &admin, "ru", body).await;
        let (d_kk, d_ru) = (
            p_kk["detail"].as_str().unwrap(),
            p_ru["detail"].as_str().unwrap(),
        );
        assert!(d_kk.contains(kk) && d_ru.contains(ru), "{d_kk} / {d_ru}");
        for d in [d_kk, d_ru] {
            assert!(!d.contains("err-"), "{d}");
            // Only the file's own words (its header, a value in it) may be Latin.
            let mut prose = d
                .replace(header, "")
                .replace("CSV", "")
                .replace("lecture", "");
            for column in header.split(',') {
                prose = prose.replace(column, "");
            }
            assert!(!has_latin_word(&prose), "{d}");
        }
    }
});

//! Rule sets: shipped with the act's versions; the operator sets their dates.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

both!(
    the_july_2023_set_ships_and_the_operator_sets_its_dates,
    |app| {
        let op = app.operator_token().await;
        let sets: Value = app
            .get(&op, "/api/v1/rule-sets")
            .await
            .json()
            .await
            .unwrap();
        let sets = sets.as_array().unwrap().clone();
        assert_eq!(sets.len(), 2);
        let current = sets.iter().find(|s| s["code"] == "kz-508-2023-07").unwrap();
        assert_eq!(current["effective_from"], "2023-07-17");
        assert_eq!(current["params"]["quorum"], "more-than-half");
        assert_eq!(
            current["params"]["election_majority_base"],
            "members-taking-part"
        );
        let id = current["id"].as_i64().unwrap();

        let r = app
            .put(
                &op,
                &format!("/api/v1/rule-sets/{id}"),
                json!({ "effective_from": "2023-07-27", "effective_to": "2030-12-31" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["effective_from"], "2023-07-27");
        assert_eq!(v["effective_to"], "2030-12-31");
        assert_eq!(v["version"], 2);

        let r = app
            .put(
                &op,
                &format!("/api/v1/rule-sets/{id}"),
                json!({ "effective_from": "2024-01-02", "effective_to": "2024-01-01" }),
            )
            .await;
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "date-range-inverted").await;
        let r = app
            .put(
                &op,
                &format!("/api/v1/rule-sets/{id}"),
                json!({ "effective_from": "27.07.2023" }),
            )
            .await;
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "unknown-value").await;
        let r = app
            .put(
                &op,
                &format!("/api/v1/rule-sets/{id}"),
                json!({ "effective_from": "2023-07-27", "params": { "min_teachers": 0 } }),
            )
            .await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "rule-set-parameter").await;
        assert_eq!(p["field"], "min_teachers");
        problem(
            app.put(
                &op,
                "/api/v1/rule-sets/999",
                json!({ "effective_from": "2023-07-27" }),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;

        // The page shows the parameters in the reader's language, not as JSON.
        let page = app
            .client()
            .get(app.url(&format!("/rule-sets/{id}")))
            .bearer_auth(&op)
            .header("accept-language", "ru")
            .send()
            .await
            .unwrap();
        let page = page.text().await.unwrap();
        assert!(
            page.contains("Более половины членов") && page.contains("в редакции приказа № 212"),
            "{page}"
        );

        let a = app.org(&op, BIN_A, "higher").await;
        let (_, admin) = app.staff(&op, a, "admin@a.kz", &["org-admin"]).await;
        assert_eq!(
            app.get(&admin, "/api/v1/rule-sets").await.status(),
            StatusCode::OK
        );
        let r = app
            .put(
                &admin,
                &format!("/api/v1/rule-sets/{id}"),
                json!({ "effective_from": "2023-07-27" }),
            )
            .await;
        problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
);

// At 01:30 on 1 January in Kazakhstan it is still 31 December in UTC: the set in force
// is the one of Kazakhstan's day, the day every term is judged on.
both!(the_set_in_force_is_that_of_the_day_in_kazakhstan, |app| {
    app.clock
        .set(Some(time::macros::datetime!(2026-12-31 10:00 UTC)));
    let op = app.operator_token().await;
    let sets: Value = app
        .get(&op, "/api/v1/rule-sets")
        .await
        .json()
        .await
        .unwrap();
    let id = |code: &str| {
        sets.as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    // The 2018 set until 31 December 2026, the 2023 one from 1 January 2027.
    for (code, range) in [
        (
            "kz-508-2018",
            json!({ "effective_from": "2018-10-23", "effective_to": "2026-12-31" }),
        ),
        ("kz-508-2023-07", json!({ "effective_from": "2027-01-01" })),
    ] {
        let r = app
            .put(&op, &format!("/api/v1/rule-sets/{}", id(code)), range)
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{code}");
    }
    // 23:59 on 31 December in Kazakhstan.
    app.clock
        .set(Some(time::macros::datetime!(2026-12-31 18:59 UTC)));
    assert_eq!(in_force(&app, &op).await, ["kz-508-2018"]);
    // 01:30 on 1 January in Kazakhstan, 20:30 on 31 December in UTC.
    app.clock
        .set(Some(time::macros::datetime!(2026-12-31 20:30 UTC)));
    assert_eq!(in_force(&app, &op).await, ["kz-508-2023-07"]);
});

/// The codes the rule-set list marks as in force.
async fn in_force(app: &TestApp, token: &str) -> Vec<String> {
    let page = app
        .client()
        .get(app.url("/rule-sets"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    page.lines()
        .filter(|l| l.contains("class=\"badge\""))
        .filter_map(|l| l.split("<code>").nth(1)?.split("</code>").next())
        .map(str::to_owned)
        .collect()
}

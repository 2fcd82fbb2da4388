//! Commissions (rules 6–8) over the API, on both databases: composition, secretary,
//! elections, readiness, history, and the wall between organisations.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// An organisation with an admin, five teachers, two specialists and one other
/// employee, and a commission with nobody in it yet.
struct Setup {
    org: i64,
    admin: String,
    commission: i64,
    teachers: Vec<(i64, String)>,
    specialists: Vec<(i64, String)>,
    other: (i64, String),
}

async fn setup(app: &TestApp) -> Setup {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let (_, admin) = app.staff(&op, org, "admin@a.kz", &["org-admin"]).await;
    let mut teachers = Vec::new();
    for i in 0..5 {
        teachers.push(staff_as(app, &op, org, &format!("t{i}@a.kz"), "teacher").await);
    }
    let mut specialists = Vec::new();
    for i in 0..2 {
        specialists.push(staff_as(app, &op, org, &format!("s{i}@a.kz"), "specialist").await);
    }
    let other = staff_as(app, &op, org, "other@a.kz", "other").await;
    let r = app
        .post(&admin, &format!("/api/v1/organisations/{org}/commissions"), json!({ "name": "Инженерлік факультет комиссиясы", "term_from": "2020-01-01", "term_to": "2099-12-31" }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c: Value = r.json().await.unwrap();
    assert_eq!(
        c["rule_set_code"], "kz-508-2018",
        "the set in force on the term's first day"
    );
    Setup {
        org,
        admin,
        commission: c["id"].as_i64().unwrap(),
        teachers,
        specialists,
        other,
    }
}

impl Setup {
    fn path(&self, rest: &str) -> String {
        format!(
            "/api/v1/organisations/{}/commissions/{}{rest}",
            self.org, self.commission
        )
    }

    async fn change(&self, app: &TestApp, body: Value) -> reqwest::Response {
        app.post(&self.admin, &self.path("/membership"), body).await
    }

    /// Appoints the first `n` teachers; returns their membership ids.
    async fn appoint(&self, app: &TestApp, n: usize) -> Vec<i64> {
        let ids: Vec<i64> = self.teachers[..n].iter().map(|t| t.0).collect();
        let r = self.change(app, json!({ "add_staff": ids })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        let mut members: Vec<(i64, i64)> = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["staff_id"].as_i64().unwrap(), m["id"].as_i64().unwrap()))
            .collect();
        members.sort();
        ids.iter()
            .map(|s| members.iter().find(|(staff, _)| staff == s).unwrap().1)
            .collect()
    }

    async fn view(&self, app: &TestApp) -> Value {
        app.get(&self.admin, &self.path(""))
            .await
            .json()
            .await
            .unwrap()
    }
}

both!(rule_7_membership_stays_odd_and_changes_are_atomic, |app| {
    let s = setup(&app).await;
    let t: Vec<i64> = s.teachers.iter().map(|t| t.0).collect();
    // Two members would be even.
    let p = problem(
        s.change(&app, json!({ "add_staff": [t[0], t[1]] })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-7-even-membership",
    )
    .await;
    assert_eq!(p["rule"], 7);
    assert!(p["detail"].as_str().unwrap().contains('2'), "{p}");
    assert_eq!(
        s.view(&app).await["members"],
        json!([]),
        "nothing of a refused change happens"
    );
    let m = s.appoint(&app, 3).await;
    // One more would leave four.
    let p = problem(
        s.change(&app, json!({ "add_staff": [t[3]] })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-7-even-membership",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains('4'), "{p}");
    problem(
        s.change(&app, json!({ "remove": [m[0]] })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-7-even-membership",
    )
    .await;
    // Replacing one by another is one change.
    let r = s
        .change(&app, json!({ "remove": [m[0]], "add_staff": [t[3]] }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Adding two at once, one of them external (a teacher of another organisation).
    let r = s
        .change(&app, json!({ "add_staff": [t[4]], "add_external": [{ "full_name": "Ким Андрей Сергеевич", "position": "доцент", "home_organisation": "Университет Алатау", "is_teacher": true }] }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["members"].as_array().unwrap().len(), 5);
    assert!(
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["external"] == true && m["home_organisation"] == "Университет Алатау")
    );
    // The same person twice, an unknown member, an empty change.
    problem(
        s.change(&app, json!({ "add_staff": [t[4], s.other.0] }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-value",
    )
    .await;
    problem(
        s.change(&app, json!({ "remove": [999999] })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-value",
    )
    .await;
    problem(
        s.change(&app, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-value",
    )
    .await;
    assert_eq!(s.view(&app).await["members"].as_array().unwrap().len(), 5);
});

both!(rule_7_teachers_are_among_the_members, |app| {
    let s = setup(&app).await;
    let r = s.change(&app, json!({ "add_staff": [s.specialists[1].0, s.other.0], "add_external": [{ "full_name": "Сыртқы Мүше", "position": "инженер", "home_organisation": "ЖШС Құрылыс", "is_teacher": false }] })).await;
    let p = problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-7-teachers-required",
    )
    .await;
    assert_eq!(p["rule"], 7);
    let r = s
        .change(
            &app,
            json!({ "add_staff": [s.teachers[0].0, s.other.0, s.specialists[1].0] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
});

both!(
    rule_8_the_secretary_is_a_specialist_who_is_not_a_member,
    |app| {
        let s = setup(&app).await;
        let secretary = s.specialists[0].0;
        let member_specialist = s.specialists[1].0;
        let r = s
            .change(
                &app,
                json!({ "add_staff": [s.teachers[0].0, s.teachers[1].0, member_specialist] }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = problem(
            app.put(
                &s.admin,
                &s.path("/secretary"),
                json!({ "staff_id": member_specialist }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-secretary-is-member",
        )
        .await;
        assert_eq!(p["rule"], 8);
        problem(
            app.put(
                &s.admin,
                &s.path("/secretary"),
                json!({ "staff_id": s.teachers[3].0 }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-secretary-not-specialist",
        )
        .await;
        let r = app
            .put(
                &s.admin,
                &s.path("/secretary"),
                json!({ "staff_id": secretary }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["secretary"]["staff_id"], secretary);
        // The secretary cannot then be made a member.
        let p = problem(
            s.change(&app, json!({ "add_staff": [secretary, s.teachers[2].0] }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-member-is-secretary",
        )
        .await;
        assert_eq!(p["rule"], 8);
    }
);

both!(
    rule_8_the_chair_is_elected_by_more_than_half_of_those_voting,
    |app| {
        let s = setup(&app).await;
        let m = s.appoint(&app, 5).await;
        app.put(
            &s.admin,
            &s.path("/secretary"),
            json!({ "staff_id": s.specialists[0].0 }),
        )
        .await;
        let secretary_token = &s.specialists[0].1;
        let v = s.view(&app).await;
        assert_eq!(v["ready"], false);
        let codes: Vec<&str> = v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["rule-8-no-chair"]);

        // Round 1: a tie elects nobody.
        let r = app
            .post(
                secretary_token,
                &s.path("/elections"),
                json!({ "office": "chair" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let e1 = r.json::<Value>().await.unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        problem(
            app.post(
                secretary_token,
                &s.path("/elections"),
                json!({ "office": "chair" }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-round-already-open",
        )
        .await;
        let r = app.post(secretary_token, &s.path(&format!("/elections/{e1}/ballots")), json!({ "ballots": [
        { "voter_member_id": m[0], "candidate_member_id": m[0] }, { "voter_member_id": m[1], "candidate_member_id": m[1] }] })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .post(
                secretary_token,
                &s.path(&format!("/elections/{e1}/close")),
                json!({}),
            )
            .await;
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["result"]["elected_member_id"],
            Value::Null,
            "a tie elects nobody: {v}"
        );
        assert_eq!(v["result"]["base"], 2);
        // A closed round is immutable.
        problem(
            app.post(
                &s.teachers[2].1,
                &s.path(&format!("/elections/{e1}/ballot")),
                json!({ "candidate_member_id": m[0] }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-round-closed",
        )
        .await;
        problem(
            app.post(
                secretary_token,
                &s.path(&format!("/elections/{e1}/close")),
                json!({}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-round-closed",
        )
        .await;

        // Round 2: a short majority (2 of 5 taking part, one abstaining) elects nobody.
        let e2 = app
            .post(
                secretary_token,
                &s.path("/elections"),
                json!({ "office": "chair" }),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        for (i, c) in [
            (0, Some(m[0])),
            (1, Some(m[0])),
            (2, Some(m[1])),
            (3, Some(m[2])),
            (4, None),
        ] {
            let r = app
                .post(
                    &s.teachers[i].1,
                    &s.path(&format!("/elections/{e2}/ballot")),
                    json!({ "candidate_member_id": c }),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK, "ballot {i}");
        }
        let v: Value = app
            .post(
                secretary_token,
                &s.path(&format!("/elections/{e2}/close")),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["result"]["elected_member_id"], Value::Null, "{v}");
        assert_eq!(
            (
                v["result"]["taking_part"].as_i64(),
                v["result"]["needed"].as_i64()
            ),
            (Some(5), Some(3))
        );

        // Round 3: members vote from their own accounts; refusals on the way.
        let e3 = app
            .post(
                &s.admin,
                &s.path("/elections"),
                json!({ "office": "chair" }),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        let ballot_path = s.path(&format!("/elections/{e3}/ballot"));
        let ballot = |i: usize, c: Value| {
            app.post(
                &s.teachers[i].1,
                &ballot_path,
                json!({ "candidate_member_id": c }),
            )
        };
        assert_eq!(ballot(0, json!(m[2])).await.status(), StatusCode::OK);
        problem(
            ballot(0, json!(m[2])).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-already-voted",
        )
        .await;
        problem(
            ballot(1, json!(424242)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-candidate-not-member",
        )
        .await;
        // The secretary never votes; nor does any non-member.
        problem(
            app.post(
                secretary_token,
                &s.path(&format!("/elections/{e3}/ballot")),
                json!({ "candidate_member_id": m[2] }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-voter-not-member",
        )
        .await;
        problem(
            app.post(
                &s.other.1,
                &s.path(&format!("/elections/{e3}/ballot")),
                json!({ "candidate_member_id": m[2] }),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        // A member cannot close the round; the secretary can.
        problem(
            app.post(
                &s.teachers[1].1,
                &s.path(&format!("/elections/{e3}/close")),
                json!({}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        assert_eq!(ballot(1, json!(m[2])).await.status(), StatusCode::OK);
        assert_eq!(ballot(2, json!(m[1])).await.status(), StatusCode::OK);
        let v: Value = app
            .post(
                secretary_token,
                &s.path(&format!("/elections/{e3}/close")),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            v["result"]["elected_member_id"], m[2],
            "2 of 3 taking part: {v}"
        );
        let view = s.view(&app).await;
        assert_eq!(view["chair"]["member_id"], m[2]);
        assert_eq!(view["ready"], true, "{view}");

        // The deputy: the chair cannot hold both offices.
        let d = app
            .post(
                secretary_token,
                &s.path("/elections"),
                json!({ "office": "deputy" }),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        problem(
            app.post(
                secretary_token,
                &s.path(&format!("/elections/{d}/ballots")),
                json!({ "ballots": [{ "voter_member_id": m[0], "candidate_member_id": m[2] }] }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-both-offices",
        )
        .await;
        let r = app.post(secretary_token, &s.path(&format!("/elections/{d}/ballots")), json!({ "ballots": [
        { "voter_member_id": m[0], "candidate_member_id": m[0] }, { "voter_member_id": m[1], "candidate_member_id": m[0] }, { "voter_member_id": m[2], "candidate_member_id": m[0] }] })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = app
            .post(
                secretary_token,
                &s.path(&format!("/elections/{d}/close")),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["result"]["elected_member_id"], m[0]);
        assert_eq!(v["ballots"][0]["recorded_by_secretary"], true);

        // When the chair leaves, the office is vacant and the commission cannot act.
        let r = s
            .change(&app, json!({ "remove": [m[2]], "add_staff": [s.other.0] }))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["chair"], Value::Null);
        assert_eq!(view["deputy"]["member_id"], m[0]);
        assert_eq!(view["ready"], false);
        assert_eq!(view["reasons"][0]["code"], "rule-8-no-chair");
        assert_eq!(view["reasons"][0]["rule"], 8);

        // History: who did what, when; the chair's term has an end.
        let h: Value = app
            .get(&s.admin, &s.path("/history"))
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = h["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        for k in [
            "formed",
            "membership-changed",
            "secretary-assigned",
            "election-opened",
            "election-closed",
            "office-vacated",
        ] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
        let chair_terms: Vec<&Value> = h["offices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["office"] == "chair")
            .collect();
        assert_eq!(chair_terms.len(), 1);
        assert!(chair_terms[0]["to_at"].is_string());
        assert_eq!(
            h["members"].as_array().unwrap().len(),
            6,
            "the member who left stays in the history"
        );
    }
);

both!(readiness_cites_the_term_and_the_composition, |app| {
    let s = setup(&app).await;
    let r = app
        .put(
            &s.admin,
            &s.path(""),
            json!({ "name": "Өткен комиссия", "term_from": "2019-01-01", "term_to": "2019-12-31" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = s.view(&app).await;
    let reasons: Vec<(String, i64)> = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["rule"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("rule-6-term-not-current".to_owned(), 6),
            ("rule-7-even-membership".to_owned(), 7),
            ("rule-8-no-chair".to_owned(), 8),
            ("rule-8-no-secretary".to_owned(), 8),
        ]
    );
    let r = app
        .put(
            &s.admin,
            &s.path(""),
            json!({ "name": "X", "term_from": "2020-02-01", "term_to": "2020-01-01" }),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "date-range-inverted").await;
});

both!(
    another_organisations_admin_cannot_touch_a_commission,
    |app| {
        let s = setup(&app).await;
        let op = app.operator_token().await;
        let b = app.org(&op, BIN_B, "technical-vocational").await;
        let (_, admin_b) = app.staff(&op, b, "admin@b.kz", &["org-admin"]).await;
        problem(
            app.get(&admin_b, &s.path("")).await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        problem(
            app.post(
                &admin_b,
                &s.path("/membership"),
                json!({ "add_staff": [s.teachers[0].0] }),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not-found",
        )
        .await;
        // Their own organisation's path with this commission's id finds nothing either.
        let r = app
            .get(
                &admin_b,
                &format!("/api/v1/organisations/{b}/commissions/{}", s.commission),
            )
            .await;
        problem(r, StatusCode::NOT_FOUND, "not-found").await;
        // And a member of the organisation cannot change the composition.
        let m = s.appoint(&app, 3).await;
        assert_eq!(m.len(), 3);
        problem(
            app.post(
                &s.teachers[0].1,
                &s.path("/membership"),
                json!({ "remove": [m[0], m[1]] }),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        // A staff member from another organisation cannot be appointed by id.
        let (b_staff, _) = app.staff(&op, b, "teacher@b.kz", &[]).await;
        problem(
            s.change(&app, json!({ "add_staff": [b_staff, s.teachers[3].0] }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-value",
        )
        .await;
    }
);

both!(
    rule_8_nobody_holds_both_offices_even_when_rounds_overlap,
    |app| {
        let s = setup(&app).await;
        let m = s.appoint(&app, 3).await;
        let elections = s.path("/elections");
        let open =
            |office: &'static str| app.post(&s.admin, &elections, json!({ "office": office }));
        let chair = open("chair").await.json::<Value>().await.unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        let deputy = open("deputy").await.json::<Value>().await.unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        // While a round is open the electorate is fixed.
        let r = s
            .change(
                &app,
                json!({ "remove": [m[0]], "add_staff": [s.teachers[3].0] }),
            )
            .await;
        problem(
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-membership-frozen",
        )
        .await;
        for e in [chair, deputy] {
            let ballots: Vec<Value> = m
                .iter()
                .map(|v| json!({ "voter_member_id": v, "candidate_member_id": m[1] }))
                .collect();
            let r = app
                .post(
                    &s.admin,
                    &s.path(&format!("/elections/{e}/ballots")),
                    json!({ "ballots": ballots }),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        let v: Value = app
            .post(
                &s.admin,
                &s.path(&format!("/elections/{deputy}/close")),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["result"]["elected_member_id"], m[1]);
        let v: Value = app
            .post(
                &s.admin,
                &s.path(&format!("/elections/{chair}/close")),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            v["result"]["elected_member_id"],
            Value::Null,
            "the deputy cannot also become chair: {v}"
        );
        let view = s.view(&app).await;
        assert_eq!(view["chair"], Value::Null);
        assert_eq!(view["deputy"]["member_id"], m[1]);
        // With the rounds closed the membership can change again.
        let r = s
            .change(
                &app,
                json!({ "remove": [m[0]], "add_staff": [s.teachers[3].0] }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
);

both!(offices_give_access_only_while_held, |app| {
    let s = setup(&app).await;
    let m = s.appoint(&app, 3).await;
    let t0 = &s.teachers[0].1;
    // A member (with no role of their own) sees the organisation while a member.
    assert_eq!(
        app.get(t0, &format!("/api/v1/organisations/{}", s.org))
            .await
            .status(),
        StatusCode::OK
    );
    app.put(
        &s.admin,
        &s.path("/secretary"),
        json!({ "staff_id": s.specialists[0].0 }),
    )
    .await;
    let sec = &s.specialists[0].1;
    assert_eq!(
        app.get(sec, &format!("/api/v1/organisations/{}/staff", s.org))
            .await
            .status(),
        StatusCode::OK
    );
    // Replaced secretary and removed member lose what the office gave them.
    app.put(
        &s.admin,
        &s.path("/secretary"),
        json!({ "staff_id": s.specialists[1].0 }),
    )
    .await;
    problem(
        app.get(sec, &format!("/api/v1/organisations/{}/staff", s.org))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let r = s
        .change(
            &app,
            json!({ "remove": [m[0]], "add_staff": [s.teachers[3].0] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.get(t0, &format!("/api/v1/organisations/{}", s.org))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
});

both!(
    an_admin_cannot_take_over_an_account_another_organisation_invited,
    |app| {
        let op = app.operator_token().await;
        let a = app.org(&op, BIN_A, "higher").await;
        let b = app.org(&op, BIN_B, "technical-vocational").await;
        let (_, admin_b) = app.staff(&op, b, "admin@b.kz", &["org-admin"]).await;
        let r = app.post(&op, &format!("/api/v1/organisations/{a}/staff"), json!({ "full_name": "Pending Admin", "email": "pending@a.kz", "position": "specialist", "roles": ["org-admin"] })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = app.post(&admin_b, &format!("/api/v1/organisations/{b}/staff"), json!({ "full_name": "Pending Admin", "email": "pending@a.kz", "position": "teacher" })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body = r.text().await.unwrap();
        assert!(
            !body.contains("invitation"),
            "no link that would set another organisation's admin's password: {body}"
        );
    }
);

both!(
    concurrent_ballots_and_changes_neither_double_count_nor_break_rule_7,
    |app| {
        let s = setup(&app).await;
        let m = s.appoint(&app, 5).await;
        let e = app
            .post(
                &s.admin,
                &s.path("/elections"),
                json!({ "office": "chair" }),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["election"]["id"]
            .as_i64()
            .unwrap();
        let path = s.path(&format!("/elections/{e}/ballot"));
        // Each member votes once from their own account, and the first member tries four
        // more times, all at the same moment.
        let mut voters: Vec<&String> = s.teachers.iter().map(|t| &t.1).collect();
        voters.extend(std::iter::repeat_n(&s.teachers[0].1, 4));
        let results = futures::future::join_all(
            voters
                .iter()
                .map(|token| app.post(token, &path, json!({ "candidate_member_id": m[0] }))),
        )
        .await;
        let ok = results
            .iter()
            .filter(|r| r.status() == StatusCode::OK)
            .count();
        let refused = results
            .iter()
            .filter(|r| r.status() == StatusCode::UNPROCESSABLE_ENTITY)
            .count();
        assert_eq!(
            (ok, refused),
            (5, 4),
            "statuses: {:?}",
            results.iter().map(|r| r.status()).collect::<Vec<_>>()
        );
        let v: Value = app
            .get(&s.admin, &s.path(&format!("/elections/{e}")))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            v["ballots"].as_array().map(Vec::len),
            Some(5),
            "no vote lost or counted twice"
        );
        let v: Value = app
            .post(
                &s.admin,
                &s.path(&format!("/elections/{e}/close")),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["result"]["taking_part"], 5);

        // Two changes racing over the same member: one applies, the other is refused
        // (the member it removes is gone), and the composition stays odd.
        let a = s.change(&app, json!({ "remove": [m[3], m[4]] }));
        let b = s.change(&app, json!({ "remove": [m[3], m[2]] }));
        let (a, b) = futures::future::join(a, b).await;
        let statuses = [a.status(), b.status()];
        assert!(
            statuses.contains(&StatusCode::OK)
                && statuses.contains(&StatusCode::UNPROCESSABLE_ENTITY),
            "{statuses:?}"
        );
        assert_eq!(
            s.view(&app).await["members"].as_array().map(Vec::len),
            Some(3)
        );
    }
);

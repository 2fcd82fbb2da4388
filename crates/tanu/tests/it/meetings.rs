//! Meetings (rules 8, 12–14) over the API on both databases.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

both!(rules_8_and_14_a_whole_meeting, |app| {
    let (b, apps) = board(&app, 4).await;
    // Without a chair the commission cannot act, so no meeting (rule 8).
    problem(
        b.schedule(&app, &apps).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-8-no-chair",
    )
    .await;
    elect(&app, &b).await;
    let r = b.schedule(&app, &apps).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    let items: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    // Scheduled applications cannot be scheduled twice.
    problem(
        b.schedule(&app, &apps[..1]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "status-transition",
    )
    .await;
    let mine: Value = app
        .get(
            &b.candidates[0],
            &format!("/api/v1/applications/{}", apps[0]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "scheduled");
    assert_eq!(
        mine["due"]["kind"], "decision",
        "scheduled: still owed: {mine}"
    );

    // Neither chair nor deputy present: cannot open.
    b.attend(&app, id, &[2, 3, 4]).await;
    problem(
        app.post(&b.secretary, &b.meeting(id, "/open"), json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-8-no-presiding-officer",
    )
    .await;
    // The deputy alone with one other: no quorum (2 of 5).
    b.attend(&app, id, &[1, 2]).await;
    problem(
        app.post(&b.secretary, &b.meeting(id, "/open"), json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no-quorum",
    )
    .await;
    // Chair absent, deputy presides with four present.
    b.attend(&app, id, &[1, 2, 3, 4]).await;
    let v: Value = app
        .post(&b.secretary, &b.meeting(id, "/open"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "open");
    assert_eq!(v["presiding_member_id"], b.members[1].0);
    assert_eq!(v["presiding_as_deputy"], true);

    // Item 1: no interview, no vote (rule 12); then a 2–2 tie with four present adopts nothing.
    app.post(
        &b.secretary,
        &b.item(id, items[0], "/candidate"),
        json!({ "present": true }),
    )
    .await;
    problem(
        app.post(&b.secretary, &b.item(id, items[0], "/vote/open"), json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-12-interview-required",
    )
    .await;
    app.put(
        &b.secretary,
        &b.item(id, items[0], "/interview"),
        json!({ "notes": "Сұхбат", "assessments": [] }),
    )
    .await;
    assert_eq!(
        app.post(&b.secretary, &b.item(id, items[0], "/vote/open"), json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    for (i, choice) in [(1, "recognise"), (2, "recognise"), (3, "refuse")] {
        assert_eq!(
            app.post(
                &b.members[i].1,
                &b.item(id, items[0], "/vote"),
                json!({ "choice": choice })
            )
            .await
            .status(),
            StatusCode::OK
        );
    }
    // A system recording many votes may ask for no body (RFC 7240): 204 once durable.
    let minimal = app
        .client()
        .post(app.url(&b.item(id, items[0], "/vote")))
        .bearer_auth(&b.members[4].1)
        .header("prefer", "respond-async, return=minimal")
        .json(&json!({ "choice": "refuse" }))
        .send()
        .await
        .unwrap();
    assert_eq!(minimal.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        minimal
            .headers()
            .get("preference-applied")
            .and_then(|v| v.to_str().ok()),
        Some("return=minimal")
    );
    // Refusals: double vote, absent member, the secretary, a non-member.
    problem(
        app.post(
            &b.members[1].1,
            &b.item(id, items[0], "/vote"),
            json!({ "choice": "refuse" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-14-already-voted",
    )
    .await;
    problem(
        app.post(
            &b.members[0].1,
            &b.item(id, items[0], "/vote"),
            json!({ "choice": "refuse" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-14-not-taking-part",
    )
    .await;
    problem(
        app.post(
            &b.secretary,
            &b.item(id, items[0], "/vote"),
            json!({ "choice": "refuse" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-14-not-taking-part",
    )
    .await;
    problem(
        app.post(
            &b.outsider,
            &b.item(id, items[0], "/vote"),
            json!({ "choice": "refuse" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-14-not-taking-part",
    )
    .await;
    let v: Value = app
        .post(
            &b.secretary,
            &b.item(id, items[0], "/vote/close"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let item = &v["items"][0];
    assert_eq!(item["status"], "not-adopted");
    assert_eq!(
        (
            item["tally"]["recognise"].as_i64(),
            item["tally"]["refuse"].as_i64(),
            item["tally"]["needed"].as_i64()
        ),
        (Some(2), Some(2), Some(3))
    );
    problem(
        app.post(
            &b.members[1].1,
            &b.item(id, items[0], "/vote"),
            json!({ "choice": "refuse" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-14-vote-closed",
    )
    .await;
    let mine: Value = app
        .get(
            &b.candidates[0],
            &format!("/api/v1/applications/{}", apps[0]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "not-adopted", "back to a later agenda");
    // The decision is still owed, by the date set when the check found it complete.
    assert_eq!(mine["due"]["kind"], "decision", "{mine}");

    // Item 2: one member recused, 2 recognise + 1 abstain of three taking part: adopted.
    let r = app
        .post(
            &b.members[4].1,
            &b.item(id, items[1], "/recusal"),
            json!({ "reason": "Кандидат – туысым" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    b.ready_to_vote(&app, id, items[1]).await;
    problem(
        app.post(
            &b.members[4].1,
            &b.item(id, items[1], "/vote"),
            json!({ "choice": "recognise" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-14-recused",
    )
    .await;
    let r = app.post(&b.secretary, &b.item(id, items[1], "/votes"), json!([{ "member_id": b.members[1].0, "choice": "recognise" }, { "member_id": b.members[2].0, "choice": "recognise" }, { "member_id": b.members[3].0, "choice": "abstain" }])).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = app
        .post(
            &b.secretary,
            &b.item(id, items[1], "/vote/close"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["items"][1]["tally"]["taking_part"], 3,
        "the recused member does not count"
    );
    assert_eq!(v["items"][1]["tally"]["adopted"], "recognise");
    // Rule 13: say what is recognised, credits within the unit's.
    problem(
        app.post(
            &b.secretary,
            &b.item(id, items[1], "/decision"),
            json!({ "recognised": [] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-13-nothing-recognised",
    )
    .await;
    problem(
        app.post(
            &b.secretary,
            &b.item(id, items[1], "/decision"),
            json!({ "recognised": [{ "unit_id": b.unit, "credits": 9 }] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-13-credits-out-of-range",
    )
    .await;
    let r = app.post(&b.secretary, &b.item(id, items[1], "/decision"), json!({ "recognised": [{ "unit_id": b.unit, "credits": 3, "outcomes": ["writes programs"] }] })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let mine: Value = app
        .get(
            &b.candidates[1],
            &format!("/api/v1/applications/{}", apps[1]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "recognised");
    assert_eq!(mine["due"], Value::Null, "decided: nothing owed: {mine}");

    // Item 3: refused – reasons required.
    b.ready_to_vote(&app, id, items[2]).await;
    for i in 1..=3 {
        app.post(
            &b.members[i].1,
            &b.item(id, items[2], "/vote"),
            json!({ "choice": "refuse" }),
        )
        .await;
    }
    let v: Value = app
        .post(
            &b.secretary,
            &b.item(id, items[2], "/vote/close"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][2]["tally"]["adopted"], "refuse");
    problem(
        app.post(
            &b.secretary,
            &b.item(id, items[2], "/decision"),
            json!({ "reasons": " " }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-13-reasons-required",
    )
    .await;
    let r = app
        .post(
            &b.secretary,
            &b.item(id, items[2], "/decision"),
            json!({ "reasons": "Нәтижелер пәнге сәйкес емес" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Item 4: the candidate did not come – moved, cannot be decided here.
    let v: Value = app
        .post(
            &b.secretary,
            &b.item(id, items[3], "/candidate"),
            json!({ "present": false }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][3]["status"], "moved");
    problem(
        app.post(&b.secretary, &b.item(id, items[3], "/vote/open"), json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule-12-candidate-absent",
    )
    .await;
    let mine: Value = app
        .get(
            &b.candidates[3],
            &format!("/api/v1/applications/{}", apps[3]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "complete", "it can be scheduled again");

    let v: Value = app
        .post(&b.secretary, &b.meeting(id, "/close"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "closed");
    // Each item shows its own recusals, votes and recognised units (the view reads them
    // for the whole meeting at once).
    let per_item: Vec<(usize, usize, usize)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let n = |k: &str| i[k].as_array().map_or(usize::MAX, Vec::len);
            (n("recusals"), n("votes"), n("recognised"))
        })
        .collect();
    assert_eq!(per_item, [(0, 4, 0), (1, 3, 1), (0, 3, 0), (0, 0, 0)]);
    assert_eq!(v["items"][1]["recognised"][0]["credits"], 3);
    assert_eq!(v["items"][1]["recusals"][0][1], "Кандидат – туысым");
    // Each vote names its member; the secretary's show of hands by name (item 2) is
    // marked as recorded, a member's own vote (item 1) is not.
    let voters = |i: usize| -> Vec<(String, bool)> {
        v["items"][i]["votes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["full_name"].as_str().unwrap_or_default().to_owned(),
                    x["recorded"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let (first, by_hand) = (voters(0), voters(1));
    assert_eq!(first[0], ("Person m1@a.kz".to_owned(), false));
    assert!(first.iter().all(|(_, recorded)| !recorded), "{first:?}");
    assert_eq!(by_hand[0], ("Person m1@a.kz".to_owned(), true));
    assert!(by_hand.iter().all(|(_, recorded)| *recorded), "{by_hand:?}");
    // Who runs it: the secretary, the chair and the deputy; a member only takes part.
    assert_eq!(v["can_run"], true, "the secretary");
    for (i, runs) in [(0, true), (1, true), (2, false)] {
        let seen = app.get_json(&b.members[i].1, &b.meeting(id, "")).await;
        assert_eq!(seen["can_run"], runs, "member {i}");
        assert_eq!(seen["my_member_id"], b.members[i].0, "member {i}");
    }
    // A member cannot run the meeting; another organisation sees nothing.
    problem(
        app.post(&b.members[2].1, &b.meeting(id, "/open"), json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
});

both!(concurrent_votes_on_one_item_are_each_counted_once, |app| {
    let (b, apps) = board(&app, 1).await;
    elect(&app, &b).await;
    let v: Value = b.schedule(&app, &apps).await.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    let item = v["items"][0]["id"].as_i64().unwrap();
    b.attend(&app, id, &[0, 1, 2, 3, 4]).await;
    app.post(&b.secretary, &b.meeting(id, "/open"), json!({}))
        .await;
    b.ready_to_vote(&app, id, item).await;
    let path = b.item(id, item, "/vote");
    let mut tokens: Vec<&String> = b.members.iter().map(|m| &m.1).collect();
    tokens.extend(std::iter::repeat_n(&b.members[0].1, 3));
    let results = futures::future::join_all(
        tokens
            .iter()
            .map(|t| app.post(t, &path, json!({ "choice": "recognise" }))),
    )
    .await;
    let ok = results
        .iter()
        .filter(|r| r.status() == StatusCode::OK)
        .count();
    assert_eq!(
        ok,
        5,
        "{:?}",
        results.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    let v: Value = app
        .post(&b.secretary, &b.item(id, item, "/vote/close"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][0]["tally"]["recognise"], 5);
    assert_eq!(v["items"][0]["tally"]["adopted"], "recognise");
});

both!(only_complete_applications_reach_a_meeting, |app| {
    let (b, apps) = board(&app, 2).await;
    elect(&app, &b).await;
    // The second candidate withdraws: a withdrawn application is not complete, and a
    // schedule naming it is refused as a whole.
    let r = app
        .post(
            &b.candidates[1],
            &format!("/api/v1/applications/{}/withdraw", apps[1]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = problem(
        b.schedule(&app, &[apps[0], apps[1]]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "status-transition",
    )
    .await;
    assert!(p["detail"].is_string());
    // Nothing of the refused schedule happened.
    let v: Value = app
        .get(
            &b.candidates[0],
            &format!("/api/v1/applications/{}", apps[0]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "complete");
    let starts_at = soon(&app).await;
    let v: Value = b
        .schedule_at(&app, &starts_at, &[apps[0]])
        .await
        .json()
        .await
        .unwrap();
    let meeting = v["id"].as_i64().unwrap();
    // The candidate sees the meeting on their page and can put it in their calendar.
    let mine: Value = app
        .get(
            &b.candidates[0],
            &format!("/api/v1/applications/{}", apps[0]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["meetings"][0]["meeting_id"], meeting);
    let r = app
        .get(
            &b.candidates[0],
            &format!("/applications/{}/meetings/{meeting}/calendar.ics", apps[0]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.text().await.unwrap();
    assert!(
        ics.contains("BEGIN:VEVENT")
            && ics.contains(&format!("DTSTART:{}", utc_stamp(&starts_at)))
            && ics.contains("LOCATION:Ауд. 301"),
        "{ics}"
    );
    // Nobody else's calendar.
    let r = app
        .get(
            &b.candidates[1],
            &format!("/applications/{}/meetings/{meeting}/calendar.ics", apps[0]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
});

both!(
    the_electorate_of_a_vote_is_fixed_and_meetings_can_be_cancelled,
    |app| {
        let (b, apps) = board(&app, 3).await;
        elect(&app, &b).await;
        let v: Value = b.schedule(&app, &apps).await.json().await.unwrap();
        let id = v["id"].as_i64().unwrap();
        let items: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        // The third candidate withdraws while waiting: their item is taken off the agenda.
        let r = app
            .post(
                &b.candidates[2],
                &format!("/api/v1/applications/{}/withdraw", apps[2]),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        b.attend(&app, id, &[0, 1, 2, 3, 4]).await;
        app.post(&b.secretary, &b.meeting(id, "/open"), json!({}))
            .await;
        // The composition cannot change during the meeting.
        let base = format!(
            "/api/v1/organisations/{}/commissions/{}",
            b.org, b.commission
        );
        let admin = app.token("admin@a.kz", PASSWORD).await;
        let r = app
            .post(
                &admin,
                &format!("{base}/membership"),
                json!({ "remove": [b.members[3].0, b.members[4].0] }),
            )
            .await;
        problem(
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-8-membership-frozen",
        )
        .await;
        b.ready_to_vote(&app, id, items[0]).await;
        for i in [0, 1] {
            app.post(
                &b.members[i].1,
                &b.item(id, items[0], "/vote"),
                json!({ "choice": "recognise" }),
            )
            .await;
        }
        // Marking members absent while the vote is open would change who takes part: refused.
        let body: Vec<Value> = [2, 3, 4]
            .iter()
            .map(|i| json!({ "member_id": b.members[*i].0, "present": false }))
            .collect();
        problem(
            app.put(&b.secretary, &b.meeting(id, "/attendance"), json!(body))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "status-transition",
        )
        .await;
        // The chair runs the meeting but does not cast votes for others.
        let r = app
            .post(
                &b.members[0].1,
                &b.item(id, items[0], "/votes"),
                json!([{ "member_id": b.members[2].0, "choice": "recognise" }]),
            )
            .await;
        problem(r, StatusCode::FORBIDDEN, "forbidden").await;
        let v: Value = app
            .post(
                &b.secretary,
                &b.item(id, items[0], "/vote/close"),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["items"][0]["tally"]["taking_part"], 5);
        assert_eq!(
            v["items"][0]["tally"]["adopted"],
            Value::Null,
            "2 of 5 is not a majority"
        );
        assert_eq!(v["items"][2]["status"], "withdrawn");
        let v: Value = app
            .post(&b.secretary, &b.meeting(id, "/close"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "closed");
        assert_eq!(v["items"][1]["status"], "moved");

        // A scheduled meeting that never opens is cancelled, not closed; its
        // applications go back.
        let v: Value = b.schedule(&app, &apps[1..2]).await.json().await.unwrap();
        let later = v["id"].as_i64().unwrap();
        problem(
            app.post(&b.secretary, &b.meeting(later, "/close"), json!({}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "status-transition",
        )
        .await;
        let v: Value = app
            .post(
                &b.secretary,
                &b.meeting(later, "/cancel"),
                json!({ "reason": "Төраға ауырып қалды" }),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "cancelled");
        let mine: Value = app
            .get(
                &b.candidates[1],
                &format!("/api/v1/applications/{}", apps[1]),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine["status"], "complete");
    }
);

// On PostgreSQL changes run side by side. Two that conflict, sent at the same moment, end
// one way or the other – whichever comes second sees the first – never both at once.
both!(conflicting_changes_at_the_same_moment_end_one_way, |app| {
    let (b, apps) = board(&app, 1).await;
    elect(&app, &b).await;
    let v: Value = b.schedule(&app, &apps).await.json().await.unwrap();
    let id = v["id"].as_i64().unwrap();
    let item = v["items"][0]["id"].as_i64().unwrap();
    b.attend(&app, id, &[0, 1, 2, 3, 4]).await;
    // Opening the meeting while two members are removed (rule 8: the composition is
    // fixed once the meeting opens). If the removal came first, the meeting opens with
    // the three left; if the opening came first, the removal is refused.
    let admin = app.token("admin@a.kz", PASSWORD).await;
    let membership = format!(
        "/api/v1/organisations/{}/commissions/{}/membership",
        b.org, b.commission
    );
    let open = b.meeting(id, "/open");
    let (opened, removed) = tokio::join!(
        app.post(&b.secretary, &open, json!({})),
        app.post(
            &admin,
            &membership,
            json!({ "remove": [b.members[3].0, b.members[4].0] })
        ),
    );
    let (opened_status, removed_status) = (opened.status(), removed.status());
    let opened: Value = opened.json().await.unwrap();
    if opened_status == StatusCode::OK {
        let with = opened["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "opened")
            .unwrap()["details"]["members"]
            .as_i64()
            .unwrap();
        if removed_status == StatusCode::OK {
            assert_eq!(with, 3, "the removal came first");
        } else {
            problem(
                removed,
                StatusCode::UNPROCESSABLE_ENTITY,
                "rule-8-membership-frozen",
            )
            .await;
            assert_eq!(with, 5, "the opening came first");
        }
    } else {
        assert_eq!(removed_status, StatusCode::OK, "{opened}");
        let r = app.post(&b.secretary, &open, json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    // The candidate withdraws while the secretary opens the vote on their item: either
    // the item leaves the agenda and no vote opens, or the vote opens and the withdrawal
    // is refused (the commission's decision stands in the way).
    b.interviewed(&app, id, item).await;
    let withdraw = format!("/api/v1/applications/{}/withdraw", apps[0]);
    let open_vote = b.item(id, item, "/vote/open");
    let (withdrawn, vote) = tokio::join!(
        app.post(&b.candidates[0], &withdraw, json!({})),
        app.post(&b.secretary, &open_vote, json!({})),
    );
    let (withdrawn_status, vote_status) = (withdrawn.status(), vote.status());
    let meeting = app.get_json(&b.secretary, &b.meeting(id, "")).await;
    let application = app
        .get_json(
            &b.candidates[0],
            &format!("/api/v1/applications/{}", apps[0]),
        )
        .await;
    if withdrawn_status == StatusCode::OK {
        problem(vote, StatusCode::UNPROCESSABLE_ENTITY, "status-transition").await;
        assert_eq!(meeting["items"][0]["status"], "withdrawn");
        assert_eq!(application["status"], "withdrawn");
    } else {
        assert_eq!(vote_status, StatusCode::OK);
        problem(
            withdrawn,
            StatusCode::UNPROCESSABLE_ENTITY,
            "status-transition",
        )
        .await;
        assert_eq!(meeting["items"][0]["status"], "voting");
        assert_ne!(application["status"], "withdrawn");
    }
});

both!(
    candidates_follow_their_applications_from_the_start_page,
    |app| {
        let (b, apps) = board(&app, 2).await;
        elect(&app, &b).await;
        assert_eq!(
            b.schedule(&app, &apps[..1]).await.status(),
            StatusCode::CREATED
        );
        // The scheduled candidate sees, on the start page and in their list, the
        // organisation and the meeting they are invited to for the interview (rule 12).
        for path in ["/", "/applications"] {
            let page = app.get(&b.candidates[0], path).await.text().await.unwrap();
            assert!(page.contains("data-status=\"scheduled\""), "{path}: {page}");
            assert!(page.contains("Колледж"), "{path}: {page}");
            assert!(
                page.contains("Комиссия отырысындағы сұхбат (Қағидалардың 12-тармағы)"),
                "{path}: {page}"
            );
            assert!(page.contains("Ауд. 301"), "{path}: {page}");
            assert!(
                page.contains(&format!("/applications/{}/meetings/", apps[0])),
                "{path}: {page}"
            );
            assert!(
                !page.contains(&format!("/applications/{}\"", apps[1])),
                "only the candidate's own: {page}"
            );
        }
        // The other candidate's complete application waits for an agenda: the next step says
        // so, and no meeting is shown.
        let page = app.get(&b.candidates[1], "/").await.text().await.unwrap();
        assert!(page.contains("data-status=\"complete\""), "{page}");
        assert!(page.contains("Құжаттар толық."), "{page}");
        assert!(!page.contains("Ауд. 301"), "{page}");
        // Once withdrawn, the line says that instead.
        let r = app
            .post(
                &b.candidates[1],
                &format!("/api/v1/applications/{}/withdraw", apps[1]),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let page = app.get(&b.candidates[1], "/").await.text().await.unwrap();
        assert!(page.contains("data-status=\"withdrawn\""), "{page}");
        assert!(
            page.contains("Сіз бұл өтінішті кері қайтарып алдыңыз."),
            "{page}"
        );
        // Staff have no such list.
        let page = app.get(&b.secretary, "/").await.text().await.unwrap();
        assert!(!page.contains("my-applications"), "{page}");
    }
);

/// A start typed as `YYYY-MM-DDTHH:MM` (Kazakhstan time) as calendar files write it, in UTC.
fn utc_stamp(local: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let t = time::PrimitiveDateTime::parse(local, &format)
        .unwrap()
        .assume_offset(tanu_domain::dates::KAZAKHSTAN)
        .to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}00Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

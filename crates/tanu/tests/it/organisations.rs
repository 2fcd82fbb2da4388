//! Organisations (rule 4), BIN validation and the wall between organisations.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

fn org(kind: &str, bin: &str) -> Value {
    json!({ "kind": kind, "bin": bin, "name_kk": "Политехникалық колледж", "name_ru": "Политехнический колледж", "address": "Астана қ." })
}

both!(
    rule_4_only_vocational_post_secondary_higher_postgraduate_organisations_register,
    |app| {
        let op = app.operator_token().await;
        for (i, kind) in [
            "technical-vocational",
            "post-secondary",
            "higher",
            "postgraduate",
        ]
        .iter()
        .enumerate()
        {
            let bin = [
                "940140000385",
                "990140004654",
                "050440001236",
                "000140001234",
            ][i];
            let bin = fix_bin(bin);
            let r = app
                .post(&op, "/api/v1/organisations", org(kind, &bin))
                .await;
            assert_eq!(r.status(), StatusCode::CREATED, "{kind}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["kind"], *kind);
            assert_eq!(v["bin"], bin);
        }
        for kind in ["general-secondary", "preschool", "additional-education"] {
            let r = app
                .post(&op, "/api/v1/organisations", org(kind, "940140000385"))
                .await;
            let p = problem(
                r,
                StatusCode::UNPROCESSABLE_ENTITY,
                "rule-4-organisation-not-eligible",
            )
            .await;
            assert_eq!(p["rule"], 4);
            assert_eq!(p["field"], "kind");
        }
        let r = app
            .post(
                &op,
                "/api/v1/organisations",
                org("university", "940140000385"),
            )
            .await;
        problem(r, StatusCode::UNPROCESSABLE_ENTITY, "unknown-value").await;
    }
);

both!(bin_is_validated_by_its_check_digit, |app| {
    let op = app.operator_token().await;
    for (bin, code) in [
        ("94014000038", "id-number-format"),
        ("9401400003851", "id-number-format"),
        ("94014000038x", "id-number-format"),
        ("940140000386", "id-number-check-digit"),
        ("880315300500", "id-number-never-issued"),
    ] {
        let r = app
            .post(&op, "/api/v1/organisations", org("higher", bin))
            .await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, code).await;
        assert_eq!(p["field"], "bin", "{bin}");
    }
    let r = app
        .post(&op, "/api/v1/organisations", org("higher", BIN_A))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .post(&op, "/api/v1/organisations", org("higher", BIN_A))
        .await;
    problem(r, StatusCode::CONFLICT, "bin-taken").await;
});

both!(only_the_operator_registers_organisations, |app| {
    let op = app.operator_token().await;
    let a = app.org(&op, BIN_A, "higher").await;
    let (_, admin) = app.staff(&op, a, "admin@a.kz", &["org-admin"]).await;
    let r = app
        .post(&admin, "/api/v1/organisations", org("higher", BIN_B))
        .await;
    problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .put(
            &admin,
            &format!("/api/v1/organisations/{a}"),
            org("higher", BIN_A),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.put(&op, &format!("/api/v1/organisations/{a}"), json!({ "kind": "postgraduate", "bin": BIN_A, "name_kk": "Жаңа", "name_ru": "Новое", "name_en": "New", "address": "Алматы" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["name_en"], "New");
    assert_eq!(v["kind"], "postgraduate");
});

both!(nobody_reaches_another_organisations_data, |app| {
    let op = app.operator_token().await;
    let a = app.org(&op, BIN_A, "higher").await;
    let b = app.org(&op, BIN_B, "technical-vocational").await;
    let (_, admin_a) = app.staff(&op, a, "admin@a.kz", &["org-admin"]).await;
    let (staff_b, _) = app.staff(&op, b, "admin@b.kz", &["org-admin"]).await;

    // Own organisation: visible.
    assert_eq!(
        app.get(&admin_a, &format!("/api/v1/organisations/{a}"))
            .await
            .status(),
        StatusCode::OK
    );
    let list: Value = app
        .get(&admin_a, "/api/v1/organisations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], a);

    // Another organisation: as if it did not exist.
    problem(
        app.get(&admin_a, &format!("/api/v1/organisations/{b}"))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    problem(
        app.get(&admin_a, &format!("/api/v1/organisations/{b}/staff"))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    problem(
        app.get(
            &admin_a,
            &format!("/api/v1/organisations/{b}/staff/{staff_b}"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let r = app
        .post(
            &admin_a,
            &format!("/api/v1/organisations/{b}/staff"),
            json!({ "full_name": "X", "email": "x@b.kz", "position": "teacher" }),
        )
        .await;
    problem(r, StatusCode::NOT_FOUND, "not-found").await;
    // A staff id of B through A's path finds nothing either.
    problem(
        app.get(
            &admin_a,
            &format!("/api/v1/organisations/{a}/staff/{staff_b}"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let r = app
        .put(
            &admin_a,
            &format!("/api/v1/organisations/{a}/staff/{staff_b}"),
            json!({ "position": "other", "roles": [], "active": false }),
        )
        .await;
    problem(r, StatusCode::NOT_FOUND, "not-found").await;
    // And the HTML pages agree.
    let r = app
        .client()
        .get(app.url(&format!("/orgs/{b}")))
        .bearer_auth(&admin_a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
});

both!(roles_decide_what_staff_may_do, |app| {
    let op = app.operator_token().await;
    let a = app.org(&op, BIN_A, "higher").await;
    let (_, admin) = app.staff(&op, a, "admin@a.kz", &["org-admin"]).await;
    let (_, member) = app.staff(&op, a, "member@a.kz", &["member"]).await;
    let (_, secretary) = app.staff(&op, a, "secretary@a.kz", &["secretary"]).await;

    // A member sees the organisation but not the staff list.
    assert_eq!(
        app.get(&member, &format!("/api/v1/organisations/{a}"))
            .await
            .status(),
        StatusCode::OK
    );
    problem(
        app.get(&member, &format!("/api/v1/organisations/{a}/staff"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // A secretary reads the staff list but cannot add to it.
    let staff: Value = app
        .get(&secretary, &format!("/api/v1/organisations/{a}/staff"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(staff.as_array().map(Vec::len), Some(3));
    let r = app
        .post(
            &secretary,
            &format!("/api/v1/organisations/{a}/staff"),
            json!({ "full_name": "X", "email": "x@a.kz", "position": "teacher" }),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN, "forbidden").await;

    // The admin adds, changes and deactivates staff; a deactivated post loses its roles' effect.
    let r = app
        .post(&admin, &format!("/api/v1/organisations/{a}/staff"), json!({ "full_name": "Ким Андрей", "email": "Kim@A.kz", "iin": "850715400357", "position": "teacher", "roles": ["member", "member"] }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["staff"]["email"], "kim@a.kz");
    assert_eq!(added["staff"]["roles"], json!(["member"]));
    assert_eq!(added["staff"]["accepted"], false);
    assert!(
        app.mail_link("kim@a.kz", "staff-invitation")
            .await
            .is_some()
    );
    let kim = added["staff"]["id"].as_i64().unwrap();
    let r = app
        .put(
            &admin,
            &format!("/api/v1/organisations/{a}/staff/{kim}"),
            json!({ "position": "specialist", "roles": ["secretary"], "active": true }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["roles"], json!(["secretary"]));
    assert_eq!(v["position"], "specialist");

    // The same person twice, a taken IIN, a bad role, a bad IIN.
    let r = app
        .post(
            &admin,
            &format!("/api/v1/organisations/{a}/staff"),
            json!({ "full_name": "Ким", "email": "kim@a.kz", "position": "teacher" }),
        )
        .await;
    problem(r, StatusCode::CONFLICT, "staff-exists").await;
    // An IIN typed for another person is not checked against accounts (which would tell
    // the admin who holds it): the post waits for its person to accept it.
    let r = app.post(&admin, &format!("/api/v1/organisations/{a}/staff"), json!({ "full_name": "Другой", "email": "other@a.kz", "iin": "850715400357", "position": "teacher" })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app.post(&admin, &format!("/api/v1/organisations/{a}/staff"), json!({ "full_name": "Другой", "email": "other@a.kz", "position": "teacher", "roles": ["root"] })).await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "unknown-value").await;
    assert_eq!(p["field"], "role");
    let r = app.post(&admin, &format!("/api/v1/organisations/{a}/staff"), json!({ "full_name": "Другой", "email": "other@a.kz", "iin": "850715400358", "position": "teacher" })).await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "id-number-check-digit").await;
    assert_eq!(p["field"], "iin");

    // Deactivating the member takes their access away.
    let list: Value = app
        .get(&admin, &format!("/api/v1/organisations/{a}/staff"))
        .await
        .json()
        .await
        .unwrap();
    let member_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == "member@a.kz")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .put(
            &admin,
            &format!("/api/v1/organisations/{a}/staff/{member_id}"),
            json!({ "position": "teacher", "roles": ["member"], "active": false }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.get(&member, &format!("/api/v1/organisations/{a}"))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
});

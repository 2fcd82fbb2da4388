//! Bad input gets a clear 4xx problem document with a stable code, never a 500.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

both!(
    malformed_and_oversized_bodies_are_problems_not_500s,
    |app| {
        let op = app.operator_token().await;
        let c = app.client();
        let url = app.url("/api/v1/organisations");
        let r = c
            .post(&url)
            .bearer_auth(&op)
            .header("content-type", "application/json")
            .body("{\"kind\": ")
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::BAD_REQUEST, "malformed-body").await;
        let r = c
            .post(&url)
            .bearer_auth(&op)
            .header("content-type", "application/json")
            .body("[1,2,3]")
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::BAD_REQUEST, "malformed-body").await;
        let r = c
            .post(&url)
            .bearer_auth(&op)
            .json(&json!({ "kind": 5 }))
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::BAD_REQUEST, "malformed-body").await;
        let r = c
            .post(&url)
            .bearer_auth(&op)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
        problem(
            r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        )
        .await;
        // Over the limit: refused from the Content-Length, before the body is read. (A
        // plain client may be cut off while still sending, so speak HTTP on a socket.)
        let (status, body) = raw_post(&app, "/api/v1/organisations", &op, 2 * 1024 * 1024).await;
        assert_eq!(status, 413, "{body}");
        assert!(body.contains("\"code\":\"body-too-large\""), "{body}");
        // Over-long text inside a valid body.
        let r = c
        .post(&url)
        .bearer_auth(&op)
        .json(&json!({ "kind": "higher", "bin": BIN_A, "name_kk": "ә".repeat(301), "name_ru": "Колледж", "address": "Астана" }))
        .send()
        .await
        .unwrap();
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "text-length").await;
        assert_eq!(p["field"], "name_kk");
    }
);

both!(unknown_routes_bad_ids_and_methods_are_problems, |app| {
    let op = app.operator_token().await;
    problem(
        app.get(&op, "/api/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    problem(
        app.get(&op, "/api/v1/organisations/abc").await,
        StatusCode::BAD_REQUEST,
        "bad-request",
    )
    .await;
    problem(
        app.get(&op, "/api/v1/organisations/99999").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    problem(
        app.get(&op, "/api/v1/organisations/99999999999999999999")
            .await,
        StatusCode::BAD_REQUEST,
        "bad-request",
    )
    .await;
    let r = app
        .client()
        .delete(app.url("/api/v1/organisations"))
        .bearer_auth(&op)
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed").await;
    // A page that does not exist is a translated page, not a problem document.
    let r = app
        .client()
        .get(app.url("/no-such-page"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(body.contains("lang=\"ru\""));
    assert!(body.contains("not-found"));
});

both!(problem_details_follow_the_callers_language, |app| {
    let op = app.operator_token().await;
    let body = json!({ "kind": "general-secondary", "bin": BIN_A, "name_kk": "Мектеп", "name_ru": "Школа", "address": "Астана" });
    let mut details = Vec::new();
    for lang in ["kk", "ru", "en"] {
        let r = app
            .client()
            .post(app.url("/api/v1/organisations"))
            .bearer_auth(&op)
            .header("accept-language", lang)
            .json(&body)
            .send()
            .await
            .unwrap();
        let p: Value = problem(
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "rule-4-organisation-not-eligible",
        )
        .await;
        assert_eq!(
            p["type"],
            "urn:tanu:problem:rule-4-organisation-not-eligible"
        );
        assert_eq!(p["instance"], "/api/v1/organisations");
        details.push(p["detail"].as_str().unwrap().to_owned());
    }
    assert!(details[0].contains("4-тармағы"), "{}", details[0]);
    assert!(details[1].contains("Пункт 4"), "{}", details[1]);
    assert!(details[2].starts_with("Rule 4"), "{}", details[2]);
});

both!(operations_endpoints_and_security_headers, |app| {
    let c = app.client();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "ready");
    let r = c.get(app.url("/")).send().await.unwrap();
    let h = r.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(h.get("x-request-id").is_some());
    // /metrics needs a configured token (abuse::metrics_need_the_configured_token).
    let spec: Value = c
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        spec["openapi"].as_str().map(|s| s.starts_with("3.1")),
        Some(true)
    );
    let docs = c.get(app.url("/api/v1/docs")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("/api/v1/organisations"));
});

/// Sends the head of a POST announcing `length` bytes and only the first kilobyte of
/// them, and reads the answer: (status, body).
async fn raw_post(app: &TestApp, path: &str, token: &str, length: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&[b' '; 1024]).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

// A NUL byte is text to SQLite but refused by PostgreSQL: each of these answered 500 on
// PostgreSQL until scripts/fuzz-api found them (issue 8).
both!(nul_bytes_are_refused_or_match_nothing_never_500s, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    let r = app
        .client()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({ "email": "a\u{0}b@x.kz", "password": PASSWORD, "name": "x" }))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED, "bad-credentials").await;
    for path in [
        format!("/api/v1/organisations/{org}/applications?q=a%00b"),
        format!("/api/v1/organisations/{org}/audit?action=%00"),
        "/api/v1/audit?action=%00".to_owned(),
    ] {
        let r = app.get(&op, &path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(
            r.json::<Value>().await.unwrap().as_array().map(Vec::len),
            Some(0),
            "{path}"
        );
    }
    let r = app
        .client()
        .post(app.url("/api/v1/candidates"))
        .json(&json!({ "full_name": "Нұл Байт", "email": "nul@mail.kz", "password": PASSWORD, "iin": "850715400357" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.verify_email("nul@mail.kz").await;
    let candidate = app.token("nul@mail.kz", PASSWORD).await;
    let r = app
        .post(
            &candidate,
            "/api/v1/applications",
            json!({ "org_id": org, "statement": "a\u{0}b", "unit_ids": [], "consent": true }),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY, "text-length").await;
});

both!(an_oversized_request_head_is_refused_not_buffered, |app| {
    // The server holds at most 16 KiB of a request before its handler reads it, so a
    // head larger than that is refused with 431; an ordinary request is served after it.
    let r = app
        .client()
        .get(app.url("/healthz"))
        .header("x-padding", "a".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let r = app
        .client()
        .get(app.url("/healthz"))
        .header("x-padding", "a".repeat(4 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
});

/// A second server on the test app's services, with small connection limits.
async fn limited_server(
    app: &TestApp,
    max: usize,
    keep_alive_below: usize,
    head_within: Duration,
    busy_head_within: Duration,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let settings = tanu_web::WebSettings {
        connections: tanu_web::ConnectionLimits {
            max,
            keep_alive_below,
            head_within,
            busy_head_within,
            ..tanu_web::ConnectionLimits::default()
        },
        ..tanu_web::WebSettings::default()
    };
    let state = tanu_web::state(app.ctx.clone(), settings);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let _ = tanu_web::serve(listener, state, async move {
            let _ = stopped.await;
        })
        .await;
    });
    (addr, stop, served)
}

/// Opens `n` connections that never send a request.
async fn idle_connections(addr: &str, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    out
}

/// `GET /healthz` on a connection of its own.
async fn fresh_get(addr: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap()
}

both!(
    connections_past_the_limit_wait_for_a_place_and_are_then_served,
    |app| {
        let (addr, _stop, _) =
            limited_server(&app, 4, 2, Duration::from_secs(60), Duration::from_secs(60)).await;
        // Every place taken by a connection that sends nothing: a new client is not served...
        let idle = idle_connections(&addr, 4).await;
        let waiting = {
            let addr = addr.clone();
            tokio::spawn(async move { fresh_get(&addr).await.status() })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "served while all places were taken");
        // ...until places free up: it waited in the queue and was not refused.
        drop(idle);
        let status = tokio::time::timeout(Duration::from_secs(20), waiting)
            .await
            .expect("served once places were free")
            .unwrap();
        assert_eq!(status, StatusCode::OK);
    }
);

both!(connections_that_send_nothing_are_closed_in_time, |app| {
    use tokio::io::AsyncReadExt as _;
    let (addr, _stop, _) =
        limited_server(&app, 4, 2, Duration::from_secs(1), Duration::from_secs(1)).await;
    // The time limit for a request head runs from the moment a client connects...
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(15), silent.read_to_end(&mut rest))
        .await
        .expect("a connection that sends nothing is closed")
        .ok();
    // ...so connections that send nothing cannot keep the server's places.
    let _idle = idle_connections(&addr, 4).await;
    let r = tokio::time::timeout(Duration::from_secs(15), fresh_get(&addr))
        .await
        .expect("served once the silent connections were closed");
    assert_eq!(r.status(), StatusCode::OK);
});

both!(
    past_half_its_connections_the_server_stops_keeping_them_alive,
    |app| {
        use tokio::io::AsyncReadExt as _;
        let (addr, _stop, _) =
            limited_server(&app, 8, 4, Duration::from_secs(60), Duration::from_secs(1)).await;
        let r = fresh_get(&addr).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers().get("connection").is_none(),
            "kept alive when idle"
        );
        let idle = idle_connections(&addr, 5).await;
        let r = fresh_get(&addr).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers().get("connection").map(|v| v.to_str().unwrap()),
            Some("close"),
            "a busy server keeps a new connection alive"
        );
        // ...and gives a new connection the shorter time to send its request head.
        let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(15), silent.read_to_end(&mut rest))
            .await
            .expect("a busy server closes a silent new connection after its short limit")
            .ok();
        // Once they are gone, connections are kept alive again.
        drop(idle);
        let mut kept_alive = false;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if fresh_get(&addr).await.headers().get("connection").is_none() {
                kept_alive = true;
                break;
            }
        }
        assert!(
            kept_alive,
            "still not keeping connections alive after the idle ones left"
        );
    }
);

both!(
    shutting_down_answers_requests_under_way_and_closes_idle_connections,
    |app| {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (addr, stop, served) =
            limited_server(&app, 8, 4, Duration::from_secs(60), Duration::from_secs(60)).await;
        // A client kept alive after its request, a connection that has sent nothing, and
        // a request under way: its head sent, its body not yet.
        let kept = reqwest::Client::new();
        let r = kept
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.bytes().await.unwrap();
        let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let mut under_way = tokio::net::TcpStream::connect(&addr).await.unwrap();
        under_way
            .write_all(
                b"POST /api/v1/auth/token HTTP/1.1\r\nhost: tanu\r\n\
                  content-type: application/json\r\ncontent-length: 2\r\n\
                  expect: 100-continue\r\n\r\n",
            )
            .await
            .unwrap();
        // The server has read the head and is waiting for the body once it says so.
        let mut interim = [0u8; 25];
        tokio::time::timeout(Duration::from_secs(15), under_way.read_exact(&mut interim))
            .await
            .expect("100 Continue")
            .unwrap();
        assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        stop.send(()).unwrap();
        // No new client is taken on...
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(&addr).await.is_ok() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "still accepting 10 s after shutdown began"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // ...the request under way is finished and answered, then its connection closed...
        under_way.write_all(b"{}").await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(15), under_way.read_to_end(&mut answer))
            .await
            .expect("the request under way is answered and its connection closed")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 400") && answer.contains("application/problem+json"),
            "{answer}"
        );
        // ...and the idle connections are closed: the server stops long before their
        // 60 s limit.
        tokio::time::timeout(Duration::from_secs(15), served)
            .await
            .expect("the server stopped with connections held")
            .unwrap();
        let mut rest = Vec::new();
        assert_eq!(
            silent.read_to_end(&mut rest).await.unwrap_or(0),
            0,
            "the silent connection was closed without an answer"
        );
    }
);

both!(a_query_parameter_that_does_not_parse_is_named, |app| {
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    for (path, name) in [
        (
            format!("/api/v1/organisations/{org}/applications?overdue=yes"),
            "overdue",
        ),
        (
            format!("/api/v1/organisations/{org}/applications?programme_id=abc"),
            "programme_id",
        ),
    ] {
        let p = problem(
            app.get(&op, &path).await,
            StatusCode::BAD_REQUEST,
            "malformed-query",
        )
        .await;
        let detail = p["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(name), "{path}: {p}");
    }
});

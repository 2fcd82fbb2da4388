//! What an anonymous attacker tries against a release build (issue 20): bodies too large
//! for what an endpoint needs, bodies that trickle or stall, operations endpoints that
//! say too much. Each story ends with the server still answering.

use std::time::Duration;

use futures::StreamExt as _;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::common::*;

/// The largest file `POST /api/v1/verify` and `POST /verify` take (the server's default).
const VERIFY_LIMIT: usize = 10 * 1024 * 1024;

/// Sends `head` and then `body` on a socket of its own, and reads the answer until the
/// server closes the connection or `within` passes: (status, whole answer).
async fn raw(addr: &str, head: &str, body: &[u8], within: Duration) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    // The server may answer and close before it has read everything: not an error here.
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(within, s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// One chunk of a `Transfer-Encoding: chunked` body.
fn chunk(data: &[u8]) -> Vec<u8> {
    let mut v = format!("{:x}\r\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\r\n");
    v
}

both!(verify_refuses_a_body_over_its_own_limit, |app| {
    let addr = app.base.trim_start_matches("http://").to_owned();
    // Announced over the limit: refused from the head, before a byte of the body is read.
    let head = format!(
        "POST /api/v1/verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/pdf\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        VERIFY_LIMIT + 1024 * 1024
    );
    let (status, answer) = raw(&addr, &head, &[b' '; 1024], Duration::from_secs(10)).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("\"code\":\"file-too-large\""), "{answer}");
    // Sent without a length, one byte too many: refused once the count passes the limit,
    // with the same status and code.
    let head = format!(
        "POST /api/v1/verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/pdf\r\n\
         Accept-Language: en\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let mut body = Vec::with_capacity(VERIFY_LIMIT + 4096);
    let piece = vec![b'%'; 64 * 1024];
    for _ in 0..VERIFY_LIMIT / piece.len() {
        body.extend_from_slice(&chunk(&piece));
    }
    body.extend_from_slice(&chunk(b"!"));
    body.extend_from_slice(b"0\r\n\r\n");
    let (status, answer) = raw(&addr, &head, &body, Duration::from_secs(20)).await;
    assert_eq!(status, 413, "{}", &answer[..answer.len().min(2000)]);
    assert!(answer.contains("\"code\":\"file-too-large\""), "{answer}");
    assert!(answer.contains("10 MB"), "{answer}");
    // The verification page's form: the same limit, a translated page.
    let c = app.browser();
    let page = c
        .get(app.url("/verify"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = "/verify".to_owned();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("code", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![b'%'; VERIFY_LIMIT + 1]).file_name("big.pdf"),
        );
    let r = c
        .post(app.url(&action))
        .header("accept-language", "en")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("larger than 10 MB"));
    // Under the limit, both are answered as before.
    let r = app
        .client()
        .post(app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .body(pdf("small"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["verdict"], "unknown");
});

both!(verify_hashes_a_streamed_body_as_it_arrives, |app| {
    // A PDF sent in pieces without a length is hashed as a whole, as when sent at once.
    let mut bytes = pdf("streamed");
    bytes.extend(std::iter::repeat_n(b'x', 300 * 1024));
    let sha = hex::encode(Sha256::digest(&bytes));
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(7 * 1024 + 3).map(|c| Ok(c.to_vec())).collect();
    let stream = futures::stream::iter(pieces).then(|piece| async {
        tokio::time::sleep(Duration::from_millis(2)).await;
        piece
    });
    let r = app
        .client()
        .post(app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["verdict"], "unknown");
    assert_eq!(v["presented_sha256"], sha.as_str());
    let whole: Value = app
        .client()
        .post(app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .body(bytes.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(whole, v);
    // An empty body is a file too (of no bytes), as before.
    let empty: Value = app
        .client()
        .post(app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        empty["presented_sha256"],
        hex::encode(Sha256::digest(b"")).as_str()
    );
});

/// A second server on the test app's services with short body limits: 1 s of silence
/// stalls a body, which must then average 1 KiB/s after its first second.
async fn impatient_server(app: &TestApp, max: usize) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let settings = tanu_web::WebSettings {
        connections: tanu_web::ConnectionLimits {
            max,
            keep_alive_below: max,
            body_idle: Duration::from_secs(1),
            body_floor: Duration::from_secs(1),
            body_rate: 1024,
            ..tanu_web::ConnectionLimits::default()
        },
        ..tanu_web::WebSettings::default()
    };
    let state = tanu_web::state(app.ctx.clone(), settings);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = tanu_web::serve(listener, state, async move {
            let _ = stopped.await;
        })
        .await;
    });
    (addr, stop)
}

/// Sends a request head announcing 1,000 bytes of body and the first 10 of them, then
/// nothing: the connection, to read the answer from.
async fn stalled(addr: &str, path: &str, content_type: &str, extra: &str) -> tokio::net::TcpStream {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Language: en\r\nContent-Type: {content_type}\r\n\
         {extra}Content-Length: 1000\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(b"0123456789").await.unwrap();
    s
}

/// Reads until the server closes the connection, at most `within`: the answer, or
/// `None` when the server kept the connection open.
async fn answer_within(s: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    let mut out = Vec::new();
    tokio::time::timeout(within, s.read_to_end(&mut out))
        .await
        .ok()?
        .ok()?;
    Some(String::from_utf8_lossy(&out).to_string())
}

both!(
    a_body_that_stalls_is_answered_408_and_its_connection_closed,
    |app| {
        let (addr, _stop) = impatient_server(&app, 16).await;
        let started = std::time::Instant::now();
        // The public verification (its own router), a JSON call, and a page form whose CSRF
        // token the server reads from the body: each stops after 10 of its 1,000 bytes.
        let mut verify = stalled(&addr, "/api/v1/verify", "application/pdf", "").await;
        let mut json = stalled(&addr, "/api/v1/auth/token", "application/json", "").await;
        let mut form = stalled(
            &addr,
            "/login",
            "application/x-www-form-urlencoded",
            &format!("Cookie: tanu_csrf={}\r\n", "c".repeat(43)),
        )
        .await;
        for (what, s, problem) in [
            ("verify", &mut verify, true),
            ("json", &mut json, true),
            ("form", &mut form, false),
        ] {
            let answer = answer_within(s, Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("{what}: still open after 10 s"));
            assert!(answer.starts_with("HTTP/1.1 408 "), "{what}: {answer}");
            if problem {
                assert!(answer.contains("application/problem+json"), "{answer}");
                assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
            } else {
                assert!(answer.contains("text/html"), "{answer}");
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
    }
);

both!(
    stalled_bodies_do_not_keep_the_server_from_answering,
    |app| {
        // Every place taken by a request whose body stalled: /healthz is answered as soon
        // as they are dropped, within seconds (it waited 90 s and more in the attack).
        let (addr, _stop) = impatient_server(&app, 4).await;
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(stalled(&addr, "/api/v1/verify", "application/pdf", "").await);
        }
        let health = tokio::time::timeout(Duration::from_secs(10), async {
            reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap()
                .get(format!("http://{addr}/healthz"))
                .send()
                .await
                .unwrap()
                .status()
        })
        .await
        .expect("/healthz answered while stalled bodies held every place");
        assert_eq!(health, StatusCode::OK);
        for mut s in held {
            let answer = answer_within(&mut s, Duration::from_secs(10)).await;
            assert!(
                answer
                    .as_deref()
                    .is_some_and(|a| a.starts_with("HTTP/1.1 408 ")),
                "{answer:?}"
            );
        }
    }
);

both!(a_body_that_trickles_is_cut_off_once_too_slow, |app| {
    // One byte every 300 ms never stalls for a second, but is far below 1 KiB/s: cut off
    // shortly after the first second, long before its 1,000 bytes could arrive.
    let (addr, _stop) = impatient_server(&app, 16).await;
    let mut s = stalled(&addr, "/api/v1/verify", "application/pdf", "").await;
    let started = std::time::Instant::now();
    let (mut rx, mut tx) = s.split();
    let trickle = async {
        for _ in 0..990 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if tx.write_all(b"x").await.is_err() {
                break;
            }
        }
    };
    let mut out = Vec::new();
    tokio::select! {
        _ = rx.read_to_end(&mut out) => {}
        () = trickle => {}
        () = tokio::time::sleep(Duration::from_secs(15)) => {}
    }
    let answer = String::from_utf8_lossy(&out);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
});

/// A second server on the test app's database, with files in a local folder and the
/// given metrics token.
async fn ops_server(
    app: &TestApp,
    files: &std::path::Path,
    metrics_token: Option<&str>,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let ctx = tanu_app::Ctx {
        objects: tanu_storage::Objects::open(&tanu_storage::ObjectsConfig::Local(files.to_owned()))
            .unwrap(),
        ..app.ctx.clone()
    };
    let settings = tanu_web::WebSettings {
        metrics_token: metrics_token.and_then(tanu_web::MetricsToken::new),
        ..tanu_web::WebSettings::default()
    };
    let state = tanu_web::state(ctx, settings);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = tanu_web::serve(listener, state, async move {
            let _ = stopped.await;
        })
        .await;
    });
    (base, stop)
}

both!(metrics_need_the_configured_token, |app| {
    let c = app.client();
    let files = TempDir::new();
    // No token configured: there is no /metrics to find.
    let (base, _stop) = ops_server(&app, &files.0, None).await;
    let _ = c.get(format!("{base}/healthz")).send().await.unwrap();
    let r = c.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!r.text().await.unwrap().contains("tanu_http_requests_total"));
    // With one: refused without it or with another, served with it.
    let token = "scrape-3f1c9a7be2d04c55a8e6";
    let (base, _stop) = ops_server(&app, &files.0, Some(token)).await;
    let _ = c.get(format!("{base}/healthz")).send().await.unwrap();
    for sent in [None, Some("wrong"), Some(&token[..token.len() - 1])] {
        let mut req = c.get(format!("{base}/metrics"));
        if let Some(s) = sent {
            req = req.bearer_auth(s);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{sent:?}");
        assert!(
            r.headers()
                .get("www-authenticate")
                .is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")),
            "{sent:?}"
        );
        let body = r.text().await.unwrap();
        assert!(!body.contains("tanu_http_requests_total"), "{body}");
    }
    let r = c
        .get(format!("{base}/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("tanu_http_requests_total"));
});

both!(
    readyz_says_whether_ready_and_nothing_about_where_data_lives,
    |app| {
        let files = TempDir::new();
        let (base, _stop) = ops_server(&app, &files.0, None).await;
        let r = app
            .client()
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body = r.text().await.unwrap();
        let folder = files.0.display().to_string();
        let leaf = files.0.file_name().unwrap().to_string_lossy().to_string();
        for secret in [
            folder.as_str(),
            leaf.as_str(),
            "files",
            "local",
            "s3",
            "postgres",
            "sqlite",
        ] {
            assert!(!body.to_lowercase().contains(secret), "{secret} in {body}");
        }
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            serde_json::json!({ "status": "ready" })
        );
    }
);

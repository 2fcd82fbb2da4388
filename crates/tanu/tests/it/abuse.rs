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
    assert!(answer.contains("\"code\":\"body-too-large\""), "{answer}");
    // Sent without a length, one byte too many: refused once the count passes the limit.
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
    assert_eq!(status, 422, "{}", &answer[..answer.len().min(2000)]);
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
    let at = page.find("action=\"/verify?csrf=").unwrap() + "action=\"".len();
    let action = page[at..].split('"').next().unwrap().to_owned();
    let form = reqwest::multipart::Form::new().text("code", "").part(
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
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
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

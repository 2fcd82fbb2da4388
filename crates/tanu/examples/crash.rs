//! Crash test: under a write load, kill the server with SIGKILL several times; after each
//! restart, everything that was answered with success is there (applications, documents
//! with the SHA-256 the client computed), no half-written file or row is visible (every
//! document row's file exists with its recorded hash), and `tanu audit verify` passes.
//!
//! `cargo run --release -p tanu --example crash -- --bin target/release/tanu --rounds 5
//!  [--database-url postgres://…]` (scripts/crash-test runs it on both databases).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "crash-test-password";

struct Args {
    bin: String,
    rounds: usize,
    writers: usize,
    database_url: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        bin: "target/release/tanu".into(),
        rounds: 5,
        writers: 16,
        database_url: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        match v[i].as_str() {
            "--bin" => a.bin = v[i + 1].clone(),
            "--rounds" => a.rounds = v[i + 1].parse().unwrap_or(5),
            "--writers" => a.writers = v[i + 1].parse().unwrap_or(16),
            "--database-url" => a.database_url = Some(v[i + 1].clone()),
            _ => {}
        }
        i += 2;
    }
    a
}

/// What the server said succeeded.
#[derive(Debug, Clone)]
struct Acked {
    token: String,
    application: i64,
    /// (kind, sha256) of documents acknowledged.
    documents: Vec<(String, String)>,
}

fn start(a: &Args, dir: &std::path::Path, port: u16) -> Child {
    let mut cmd = Command::new(&a.bin);
    cmd.arg("--data-dir").arg(dir);
    if let Some(url) = &a.database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("TANU_LOG_LEVEL", "warn")
        // Every writer registers from 127.0.0.1.
        .env("TANU_REGISTRATIONS_PER_HOUR", "1000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts")
}

async fn wait_ready(c: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if c.get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become ready");
}

/// One writer: registers, files a draft, uploads documents; records each success.
async fn writer(c: reqwest::Client, base: String, id: String, acked: Arc<Mutex<Vec<Acked>>>) {
    let email = format!("{id}@crash.test");
    let ok = c
        .post(format!("{base}/api/v1/candidates"))
        .json(&json!({ "full_name": format!("Апат Сынақ {id}"), "email": email, "password": PASSWORD, "foreign_document": id.to_uppercase() }))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    if !ok {
        return;
    }
    let Ok(r) = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({ "email": email, "password": PASSWORD, "name": "crash" }))
        .send()
        .await
    else {
        return;
    };
    let Ok(v) = r.json::<Value>().await else {
        return;
    };
    let Some(token) = v["token"].as_str().map(str::to_owned) else {
        return;
    };
    let Ok(r) = c
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(&token)
        .json(
            &json!({ "org_id": 1, "statement": "Курс бітірдім", "unit_ids": [], "consent": true }),
        )
        .send()
        .await
    else {
        return;
    };
    if !r.status().is_success() {
        return;
    }
    let Ok(v) = r.json::<Value>().await else {
        return;
    };
    let Some(application) = v["id"].as_i64() else {
        return;
    };
    let index = {
        let mut g = acked.lock().unwrap();
        g.push(Acked {
            token: token.clone(),
            application,
            documents: Vec::new(),
        });
        g.len() - 1
    };
    for kind in ["statement", "identity", "confirming"] {
        let mut body = b"%PDF-1.4\n".to_vec();
        let mut seed = Sha256::digest(format!("{id}{kind}").as_bytes()).to_vec();
        while body.len() < 200_000 {
            seed = Sha256::digest(&seed).to_vec();
            body.extend_from_slice(&seed);
        }
        body.extend_from_slice(b"\n%%EOF");
        let sha = hex::encode(Sha256::digest(&body));
        let part = reqwest::multipart::Part::bytes(body).file_name(format!("{kind}.pdf"));
        let form = reqwest::multipart::Form::new().part("file", part);
        let ok = c
            .post(format!(
                "{base}/api/v1/applications/{application}/documents/{kind}"
            ))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if !ok {
            return;
        }
        acked.lock().unwrap()[index]
            .documents
            .push((kind.to_owned(), sha));
    }
}

/// Every acknowledged write is there.
async fn check_acked(c: &reqwest::Client, base: &str, acked: &[Acked]) -> usize {
    let mut docs = 0;
    for a in acked {
        let r = c
            .get(format!("{base}/api/v1/applications/{}", a.application))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "acknowledged application {} lost",
            a.application
        );
        let v: Value = r.json().await.unwrap();
        for (kind, sha) in &a.documents {
            let found = v["documents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["kind"] == kind.as_str() && d["sha256"] == sha.as_str());
            assert!(
                found,
                "acknowledged {kind} of application {} lost",
                a.application
            );
            docs += 1;
        }
    }
    docs
}

/// Every document row has its file, with its hash (nothing half-written is visible).
async fn check_files(a: &Args, dir: &std::path::Path) -> usize {
    let rows: Vec<(String, String)> = match &a.database_url {
        Some(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let rows = sqlx::query_as("SELECT object_key, sha256 FROM documents")
                .fetch_all(&pool)
                .await
                .unwrap();
            pool.close().await;
            rows
        }
        None => {
            let opts = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.join("tanu.db"))
                .read_only(true);
            let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
            let rows = sqlx::query_as("SELECT object_key, sha256 FROM documents")
                .fetch_all(&pool)
                .await
                .unwrap();
            pool.close().await;
            rows
        }
    };
    for (key, sha) in &rows {
        let bytes = std::fs::read(dir.join("files").join(key))
            .unwrap_or_else(|e| panic!("document row {key} has no file: {e}"));
        assert_eq!(
            &hex::encode(Sha256::digest(&bytes)),
            sha,
            "file {key} differs from its row"
        );
    }
    rows.len()
}

fn audit_verify(a: &Args, dir: &std::path::Path) {
    let mut cmd = Command::new(&a.bin);
    cmd.arg("--data-dir").arg(dir);
    if let Some(url) = &a.database_url {
        cmd.arg("--database-url").arg(url);
    }
    let out = cmd.args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "audit verify failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    print!("    {}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::main]
async fn main() {
    let a = args();
    let dir = std::env::temp_dir().join(format!("tanu-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Demo data gives an organisation (id 1) to apply to.
    let mut cmd = Command::new(&a.bin);
    cmd.arg("--data-dir").arg(&dir);
    if let Some(url) = &a.database_url {
        cmd.arg("--database-url").arg(url);
    }
    assert!(cmd.arg("demo").output().unwrap().status.success(), "demo");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::new();
    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    println!(
        "crash test: {} rounds, {} writers, {}",
        a.rounds,
        a.writers,
        if a.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    for round in 0..a.rounds {
        let mut server = start(&a, &dir, port);
        wait_ready(&c, &base).await;
        let stop = Instant::now() + Duration::from_millis(2500 + 700 * round as u64);
        let mut n = 0;
        let mut tasks = Vec::new();
        while Instant::now() < stop {
            while tasks.len() < a.writers {
                n += 1;
                tasks.push(tokio::spawn(writer(
                    c.clone(),
                    base.clone(),
                    format!("r{round}w{n}p{}", std::process::id()),
                    acked.clone(),
                )));
            }
            tasks.retain(|t| !t.is_finished());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // SIGKILL in the middle of the writes.
        server.kill().unwrap();
        server.wait().unwrap();
        for t in tasks {
            let _ = t.await;
        }
        let snapshot = acked.lock().unwrap().clone();
        let mut server = start(&a, &dir, port);
        wait_ready(&c, &base).await;
        let docs = check_acked(&c, &base, &snapshot).await;
        server.kill().unwrap();
        server.wait().unwrap();
        let rows = check_files(&a, &dir).await;
        println!(
            "  round {}: killed after {} writers; {} acknowledged applications and {docs} documents all present; {rows} document files match their rows",
            round + 1,
            n,
            snapshot.len()
        );
        audit_verify(&a, &dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("crash test passed");
}

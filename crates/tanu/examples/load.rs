//! Load run against a running Tanu (release build, `tanu demo` data) on loopback, with
//! the ceilings of the same machine measured in the same run. `scripts/bench` starts the
//! server and calls this; run it by hand with
//! `cargo run --release -p tanu --example load -- --base http://127.0.0.1:8080 --pid PID --data-dir DIR`.
//!
//! Prints, for each case: requests per second, p50 and p99 latency at `--concurrency`
//! clients, errors, and the ratio to its ceiling; then the server's peak memory.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PASSWORD: &str = "tanu-demo-2026";

struct Args {
    base: String,
    pid: Option<u32>,
    data_dir: std::path::PathBuf,
    concurrency: usize,
    seconds: u64,
    burst: usize,
    /// The server's database, for the vote fixture (default: SQLite in the data folder).
    database_url: Option<String>,
    /// Only the upload burst, on a server that has served nothing else.
    only_burst: bool,
}

fn args() -> Args {
    let mut a = Args {
        base: "http://127.0.0.1:8080".into(),
        pid: None,
        data_dir: std::env::temp_dir(),
        concurrency: 32,
        seconds: 10,
        burst: 500,
        database_url: None,
        only_burst: std::env::args().any(|x| x == "--only-burst"),
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        match v[i].as_str() {
            "--base" => a.base = v[i + 1].clone(),
            "--pid" => a.pid = v[i + 1].parse().ok(),
            "--data-dir" => a.data_dir = v[i + 1].clone().into(),
            "--concurrency" => a.concurrency = v[i + 1].parse().unwrap_or(32),
            "--seconds" => a.seconds = v[i + 1].parse().unwrap_or(10),
            "--burst" => a.burst = v[i + 1].parse().unwrap_or(500),
            "--database-url" => a.database_url = Some(v[i + 1].clone()),
            _ => {}
        }
        i += 2;
    }
    a
}

#[derive(Debug, Clone)]
struct Outcome {
    name: String,
    rps: f64,
    p50: Duration,
    p99: Duration,
    ok: u64,
    errors: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Runs `make_request` from `concurrency` tasks for `seconds`.
async fn run<F, Fut>(name: &str, concurrency: usize, seconds: u64, make_request: F) -> Outcome
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(make_request);
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (f, stop, counter, errors) = (f.clone(), stop.clone(), counter.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if f(n).await {
                    lat.push(t.elapsed());
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            lat
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    Outcome {
        name: name.to_owned(),
        rps: all.len() as f64 / elapsed,
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
        ok: all.len() as u64,
        errors: errors.load(Ordering::Relaxed),
    }
}

/// The server's process id, for its memory after each case.
static SERVER: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

fn print(o: &Outcome, ceiling: Option<&Outcome>) {
    let ratio = ceiling
        .map(|c| format!("{:>6.1}% of {}", 100.0 * o.rps / c.rps, c.name))
        .unwrap_or_default();
    let rss = rss_mb(SERVER.get().copied())
        .map(|mb| format!("  server {mb:.0} MB"))
        .unwrap_or_default();
    println!(
        "{:<44} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ok {:>7}  errors {:>4}  {}{rss}",
        o.name,
        o.rps,
        o.p50.as_secs_f64() * 1000.0,
        o.p99.as_secs_f64() * 1000.0,
        o.ok,
        o.errors,
        ratio
    );
}

async fn token(c: &reqwest::Client, base: &str, email: &str) -> String {
    let v: Value = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({ "email": email, "password": PASSWORD, "name": "load" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().expect("token").to_owned()
}

fn peak_rss_mb(pid: Option<u32>) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn rss_mb(pid: Option<u32>) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs one statement on whichever database the server uses.
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db.pool() {
            tanu_storage::Pool::Sqlite($p) => $body,
            tanu_storage::Pool::Postgres($p) => $body,
        }
    };
}

/// Vote slots for the vote case: meetings of the college's commission opened and left
/// with every agenda item open for voting, written straight into the server's database
/// (setting up thousands of held meetings through the API would take longer than the
/// run). Returns, per meeting, its slots in order: the URL and the member's token.
async fn vote_fixture(
    c: &reqwest::Client,
    base: &str,
    a: &Args,
    cases: usize,
    slots_per_case: usize,
) -> Vec<Vec<Vec<(String, String)>>> {
    let url = a
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", a.data_dir.join("tanu.db").display()));
    let db = tanu_storage::Db::open_url(&url).await.unwrap();
    let commission: i64 = on_db!(&db, p => sqlx::query_scalar(
        "SELECT commission_id FROM meetings WHERE org_id = 1 ORDER BY id LIMIT 1").fetch_one(p).await.unwrap());
    let members: Vec<(i64, i64, String)> = on_db!(&db, p => sqlx::query_as(
        "SELECT m.id, m.person_id, p.email FROM commission_members m JOIN persons p ON p.id = m.person_id \
         WHERE m.commission_id = $1 AND m.left_at IS NULL ORDER BY m.id")
        .bind(commission).fetch_all(p).await.unwrap());
    let apps: Vec<i64> = on_db!(&db, p => sqlx::query_scalar(
        "SELECT id FROM applications WHERE org_id = 1 ORDER BY id").fetch_all(p).await.unwrap());
    assert!(
        !members.is_empty() && !apps.is_empty(),
        "demo commission and applications"
    );
    let ids = serde_json::to_string(&members.iter().map(|m| m.0).collect::<Vec<_>>()).unwrap();
    let per_meeting = apps.len() * members.len();
    let meetings = cases * slots_per_case.div_ceil(per_meeting).max(1);
    let now = tanu_storage::now();
    let mut tokens = Vec::new();
    for (_, _, email) in &members {
        tokens.push(token(c, base, email).await);
    }
    let mut all = Vec::new();
    for _ in 0..meetings {
        let mut slots = Vec::new();
        let meeting: i64 = on_db!(&db, p => sqlx::query_scalar(
            "INSERT INTO meetings (org_id, commission_id, starts_at, place, status, presiding_member_id, \
             presiding_as_deputy, opened_at, created_by, created_at) \
             VALUES (1, $1, $2, 'Load run', 'open', $3, FALSE, $2, $4, $2) RETURNING id")
            .bind(commission).bind(now).bind(members[0].0).bind(members[0].1).fetch_one(p).await.unwrap());
        for (member, _, _) in &members {
            on_db!(&db, p => sqlx::query(
                "INSERT INTO meeting_attendance (meeting_id, member_id, present, recorded_at) VALUES ($1, $2, TRUE, $3)")
                .bind(meeting).bind(member).bind(now).execute(p).await.map(|_| ()).unwrap());
        }
        for (position, app) in apps.iter().enumerate() {
            let item: i64 = on_db!(&db, p => sqlx::query_scalar(
                "INSERT INTO agenda_items (meeting_id, application_id, position, status, interview_notes, \
                 taking_part, taking_part_ids, presiding_member_id) \
                 VALUES ($1, $2, $3, 'voting', '', $4, $5, $6) RETURNING id")
                .bind(meeting).bind(app).bind(i64::try_from(position).unwrap() + 1)
                .bind(i64::try_from(members.len()).unwrap()).bind(&ids).bind(members[0].0)
                .fetch_one(p).await.unwrap());
            for t in &tokens {
                slots.push((
                    format!("{base}/api/v1/organisations/1/meetings/{meeting}/items/{item}/vote"),
                    t.clone(),
                ));
            }
        }
        all.push(slots);
    }
    db.close().await;
    let per_case = meetings / cases;
    let mut all = all.into_iter();
    (0..cases)
        .map(|_| all.by_ref().take(per_case).collect())
        .collect()
}

/// This machine's flush rate: 4 KiB written and fsync'd, over and over.
fn fsync_probe(dir: &std::path::Path, seconds: u64) -> f64 {
    use std::io::Write;
    let path = dir.join("fsync-probe.bin");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = [7u8; 4096];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        f.write_all(&block).unwrap();
        f.sync_data().unwrap();
        n += 1;
    }
    let _ = std::fs::remove_file(path);
    n as f64 / start.elapsed().as_secs_f64()
}

/// A bare durable single-row insert per transaction through sqlx's SQLite driver, with
/// Tanu's settings (WAL, synchronous=FULL).
async fn sqlx_sqlite_ceiling(dir: &std::path::Path, concurrency: usize, seconds: u64) -> Outcome {
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    let path = dir.join("ceiling.db");
    let _ = std::fs::remove_file(&path);
    let opts = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    // One connection: requests queue for it in order, as Tanu's writers queue for their
    // turn. (Several connections racing for SQLite's one write lock spend their time in
    // its busy handler's sleeps and measured lower.)
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let o = run(
        "ceiling: durable insert, sqlx SQLite",
        concurrency,
        seconds,
        move |n| {
            let pool = pool.clone();
            async move {
                let Ok(mut tx) = pool.begin_with("BEGIN IMMEDIATE").await else {
                    return false;
                };
                let ok = sqlx::query("INSERT INTO t (v) VALUES ($1)")
                    .bind(n.to_string())
                    .execute(&mut *tx)
                    .await
                    .is_ok();
                ok && tx.commit().await.is_ok()
            }
        },
    )
    .await;
    let _ = std::fs::remove_file(&path);
    o
}

/// The same through sqlx's PostgreSQL driver.
async fn sqlx_pg_ceiling(url: &str, concurrency: usize, seconds: u64) -> Option<Outcome> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .connect(url)
        .await
        .ok()?;
    sqlx::query("DROP TABLE IF EXISTS tanu_ceiling")
        .execute(&pool)
        .await
        .ok()?;
    sqlx::query("CREATE TABLE tanu_ceiling (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)")
        .execute(&pool)
        .await
        .ok()?;
    let p2 = pool.clone();
    let o = run(
        "ceiling: durable insert, sqlx PostgreSQL",
        concurrency,
        seconds,
        move |n| {
            let pool = p2.clone();
            async move {
                sqlx::query("INSERT INTO tanu_ceiling (v) VALUES ($1)")
                    .bind(n.to_string())
                    .execute(&pool)
                    .await
                    .is_ok()
            }
        },
    )
    .await;
    let _ = sqlx::query("DROP TABLE tanu_ceiling").execute(&pool).await;
    Some(o)
}

/// The web framework's ceiling: a bare axum handler with a fixed small body.
async fn axum_ceiling(client: reqwest::Client, concurrency: usize, seconds: u64) -> Outcome {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "fixed body 13" }));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let url = format!("http://{addr}/");
    let o = run(
        "ceiling: bare axum, fixed 13-byte body",
        concurrency,
        seconds,
        move |_| {
            let (c, url) = (client.clone(), url.clone());
            async move {
                c.get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        },
    )
    .await;
    server.abort();
    o
}

async fn get_ok(c: &reqwest::Client, url: &str, token: Option<&str>) -> bool {
    let mut r = c.get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    body_ok(r).await
}

/// Sends the request and reads the whole answer; whether both succeeded.
async fn body_ok(r: reqwest::RequestBuilder) -> bool {
    match r.send().await {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        _ => false,
    }
}

#[tokio::main]
async fn main() {
    let a = args();
    if let Some(pid) = a.pid {
        let _ = SERVER.set(pid);
    }
    let c = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    if a.only_burst {
        println!(
            "server memory before the burst, after start-up only: {:.1} MB",
            rss_mb(a.pid).unwrap_or(f64::NAN)
        );
        burst(&a, &c).await;
        return;
    }
    let base = a.base.clone();
    println!(
        "Tanu load run: {base}, {} clients, {} s per case, {} cores",
        a.concurrency,
        a.seconds,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // Ceilings, in the same run.
    let fsync = tokio::task::spawn_blocking({
        let dir = a.data_dir.clone();
        move || fsync_probe(&dir, 3)
    })
    .await
    .unwrap();
    println!(
        "{:<44} {fsync:>9.0} fsync/s (4 KiB write + fdatasync)",
        "ceiling: disk flush rate"
    );
    let web = axum_ceiling(c.clone(), a.concurrency, a.seconds).await;
    print(&web, None);
    let sqlite = sqlx_sqlite_ceiling(&a.data_dir, a.concurrency, a.seconds).await;
    print(&sqlite, None);
    let pg = match std::env::var("TANU_BENCH_POSTGRES_URL") {
        Ok(url) => sqlx_pg_ceiling(&url, a.concurrency, a.seconds).await,
        Err(_) => None,
    };
    if let Some(pg) = &pg {
        print(pg, None);
    }
    let write_ceiling = if std::env::var("TANU_BENCH_BACKEND").as_deref() == Ok("postgres") {
        pg.clone().unwrap_or_else(|| sqlite.clone())
    } else {
        sqlite.clone()
    };

    // Fixture: demo accounts, the college (organisation 1), its final protocol.
    let secretary = token(&c, &base, "secretary@college.demo").await;
    let admin = token(&c, &base, "admin@college.demo").await;
    let protocols: Value = c
        .get(format!("{base}/api/v1/organisations/1/protocols"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let protocol_id = protocols[0]["id"].as_i64().expect("demo protocol");
    let p: Value = c
        .get(format!(
            "{base}/api/v1/organisations/1/protocols/{protocol_id}"
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = p["documents"][0]["code"].as_str().unwrap().to_owned();
    // A draft addendum whose text is saved over and over: a one-row state change plus its
    // audit event, through the whole stack.
    let add: Value = c
        .post(format!(
            "{base}/api/v1/organisations/1/protocols/{protocol_id}/addenda"
        ))
        .bearer_auth(&secretary)
        .json(&json!({ "addendum_text": "Жүктеме сынағы" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let addendum = add["id"].as_i64().expect("addendum");

    println!();
    let health = {
        let (c, url) = (c.clone(), format!("{base}/healthz"));
        run(
            "GET /healthz (whole middleware stack)",
            a.concurrency,
            a.seconds,
            move |_| {
                let (c, url) = (c.clone(), url.clone());
                async move { get_ok(&c, &url, None).await }
            },
        )
        .await
    };
    print(&health, Some(&web));
    let verify = {
        let (c, url) = (c.clone(), format!("{base}/api/v1/verify/{code}"));
        run(
            "GET /api/v1/verify/{code} (public read)",
            a.concurrency,
            a.seconds,
            move |_| {
                let (c, url) = (c.clone(), url.clone());
                async move { get_ok(&c, &url, None).await }
            },
        )
        .await
    };
    print(&verify, Some(&web));
    let queue = {
        let (c, t) = (c.clone(), secretary.clone());
        let url = format!("{base}/orgs/1/applications?status=submitted&q=%D0%B0");
        run(
            "queue page, filter + Cyrillic search",
            a.concurrency,
            a.seconds,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move { get_ok(&c, &url, Some(&t)).await }
            },
        )
        .await
    };
    print(&queue, Some(&web));
    let queue_br = {
        let (c, t) = (c.clone(), secretary.clone());
        let url = format!("{base}/orgs/1/applications?status=submitted&q=%D0%B0");
        run(
            "  the same, compressed as browsers ask (br)",
            a.concurrency,
            a.seconds,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move {
                    body_ok(
                        c.get(&url)
                            .bearer_auth(&t)
                            .header("accept-encoding", "br, gzip"),
                    )
                    .await
                }
            },
        )
        .await
    };
    print(&queue_br, Some(&web));
    let report = {
        let (c, t) = (c.clone(), admin.clone());
        let url = format!("{base}/api/v1/organisations/1/reports");
        run(
            "organisation report (JSON)",
            a.concurrency,
            a.seconds,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move { get_ok(&c, &url, Some(&t)).await }
            },
        )
        .await
    };
    print(&report, Some(&web));
    let save = {
        let (c, t) = (c.clone(), secretary.clone());
        let url = format!("{base}/api/v1/organisations/1/protocols/{addendum}");
        run("state change: save draft text + audit event", a.concurrency, a.seconds, move |n| {
            let (c, url, t) = (c.clone(), url.clone(), t.clone());
            async move {
                c.put(&url)
                    .bearer_auth(&t)
                    .json(&json!({ "opening_text": format!("{n}"), "closing_text": "", "addendum_text": "Жүктеме сынағы" }))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    print(&save, Some(&write_ceiling));
    let save_minimal = {
        let (c, t) = (c.clone(), secretary.clone());
        let url = format!("{base}/api/v1/organisations/1/protocols/{addendum}");
        run("  the same, Prefer: return=minimal (204)", a.concurrency, a.seconds, move |n| {
            let (c, url, t) = (c.clone(), url.clone(), t.clone());
            async move {
                c.put(&url)
                    .bearer_auth(&t)
                    .header("prefer", "return=minimal")
                    .json(&json!({ "opening_text": format!("{n}"), "closing_text": "", "addendum_text": "Жүктеме сынағы" }))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == reqwest::StatusCode::NO_CONTENT)
            }
        })
        .await
    };
    print(&save_minimal, Some(&write_ceiling));
    // Each vote slot (an item and a member) takes one vote; each case has a quarter of
    // the meetings. In the first two cases the clients take the slots meeting by
    // meeting, so at any moment they vote in one or two meetings and take turns on
    // those meetings' rows (as the rules need: one vote per member, the count at
    // closing). In the last two they take them round the meetings, so each client
    // votes in a meeting of its own, as in an admission week when many commissions sit
    // at once.
    // Slots for 6,000 votes a second per case, twice the fastest rate seen here.
    let slots_per_case = 6_000 * usize::try_from(a.seconds).unwrap_or(10);
    let mut cases = vote_fixture(&c, &base, &a, 4, slots_per_case)
        .await
        .into_iter();
    for (name, minimal, spread) in [
        ("state change: record a vote (rule 14)", false, false),
        ("  the same, Prefer: return=minimal (204)", true, false),
        ("  the same, each client in its own meeting", false, true),
        ("  the same, Prefer: return=minimal (204)", true, true),
    ] {
        let mine = cases.next().unwrap_or_default();
        assert!(
            !spread || mine.len() >= a.concurrency,
            "fewer meetings than clients"
        );
        let slots: Vec<(String, String)> = if spread {
            let per_meeting = mine.iter().map(Vec::len).max().unwrap_or(0);
            (0..per_meeting)
                .flat_map(|i| mine.iter().filter_map(move |m| m.get(i).cloned()))
                .collect()
        } else {
            mine.concat()
        };
        let (c, slots) = (c.clone(), Arc::new(slots));
        let vote = run(name, a.concurrency, a.seconds, move |n| {
            let (c, slots) = (c.clone(), slots.clone());
            async move {
                let Some((url, t)) = slots.get(usize::try_from(n).unwrap()) else {
                    // Out of slots: counted as an error, without spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    return false;
                };
                let mut r = c.post(url).bearer_auth(t);
                if minimal {
                    r = r.header("prefer", "return=minimal");
                }
                r.json(&json!({ "choice": if n % 3 == 0 { "refuse" } else { "recognise" } }))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await;
        print(&vote, Some(&write_ceiling));
    }
    let preview = {
        let (c, t) = (c.clone(), secretary.clone());
        let url = format!("{base}/api/v1/organisations/1/protocols/{addendum}/pdf?lang=kk");
        run(
            "render a draft PDF (addendum preview)",
            4,
            a.seconds,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move { get_ok(&c, &url, Some(&t)).await }
            },
        )
        .await
    };
    print(&preview, None);
    println!(
        "server memory after the reads and writes: {:.1} MB now, {:.1} MB peak",
        rss_mb(a.pid).unwrap_or(f64::NAN),
        peak_rss_mb(a.pid).unwrap_or(f64::NAN)
    );

    burst(&a, &c).await;
}

/// The burst: many candidates each uploading three 1 MB files at once.
async fn burst(a: &Args, c: &reqwest::Client) {
    let base = a.base.clone();
    println!();
    println!(
        "burst: {} candidates, three 1 MB uploads each, all at once",
        a.burst
    );
    let mut drafts = Vec::new();
    let setup = Instant::now();
    for i in 0..a.burst {
        let email = format!("burst{i}.{}@load.test", std::process::id());
        let r = c
            .post(format!("{base}/api/v1/candidates"))
            .json(&json!({ "full_name": format!("Жүктеме Үміткер {i}"), "email": email, "password": PASSWORD, "foreign_document": format!("LOAD{i:06}") }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "registration {i}: {}", r.status());
        let t = token(c, &base, &email).await;
        let v: Value = c
            .post(format!("{base}/api/v1/applications"))
            .bearer_auth(&t)
            .json(&json!({ "org_id": 1, "statement": "Курс бітірдім", "unit_ids": [], "consent": true }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        drafts.push((t, v["id"].as_i64().expect("draft")));
    }
    println!("  set-up: {:.1} s", setup.elapsed().as_secs_f64());
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(1024 * 1024 - 6, b' ');
    pdf.extend_from_slice(b"\n%%EOF");
    let pdf = bytes::Bytes::from(pdf);
    let before = peak_rss_mb(a.pid);
    // The server's resident memory, sampled every 10 ms while the burst runs.
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = tokio::spawn({
        let (sampling, pid) = (sampling.clone(), a.pid);
        async move {
            let mut max = 0.0f64;
            while sampling.load(Ordering::Relaxed) {
                max = max.max(rss_mb(pid).unwrap_or(0.0));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            max
        }
    });
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (t, id) in drafts {
        for kind in ["statement", "identity", "confirming"] {
            let (c, t, pdf) = (c.clone(), t.clone(), pdf.clone());
            let url = format!("{base}/api/v1/applications/{id}/documents/{kind}");
            tasks.push(tokio::spawn(async move {
                let part = reqwest::multipart::Part::stream(pdf).file_name(format!("{kind}.pdf"));
                let form = reqwest::multipart::Form::new().part("file", part);
                let t0 = Instant::now();
                let ok = c
                    .post(&url)
                    .bearer_auth(&t)
                    .multipart(form)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                (ok, t0.elapsed())
            }));
        }
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (ok, d) = t.await.unwrap();
        if ok {
            lat.push(d);
        } else {
            errors += 1;
        }
    }
    lat.sort_unstable();
    let secs = start.elapsed().as_secs_f64();
    sampling.store(false, Ordering::Relaxed);
    let burst_max = sampler.await.unwrap();
    println!(
        "  {} uploads in {:.1} s ({:.0} MB/s), errors {}, p50 {:.0} ms, p99 {:.0} ms",
        lat.len(),
        secs,
        lat.len() as f64 / secs,
        errors,
        percentile(&lat, 0.5).as_secs_f64() * 1000.0,
        percentile(&lat, 0.99).as_secs_f64() * 1000.0
    );
    println!(
        "  server memory during the burst: {burst_max:.1} MB at most (sampled every 10 ms); \
         peak since start (VmHWM) {:.1} MB before the burst, {:.1} MB after",
        before.unwrap_or(f64::NAN),
        peak_rss_mb(a.pid).unwrap_or(f64::NAN)
    );
}

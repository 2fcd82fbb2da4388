//! Test harness: every test starts the real app on a free port with its own database,
//! and drives it over HTTP like a client would. `both!` runs one story on SQLite and on
//! PostgreSQL.
//!
//! PostgreSQL comes from `TANU_TEST_POSTGRES_URL` (default: postgres@127.0.0.1:5432);
//! each test gets a fresh database, dropped afterwards. Without a server the PostgreSQL
//! half says SKIPPED and passes, unless `TANU_TEST_REQUIRE_POSTGRES=1` (as in CI).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::crate_in_macro_def
)]

mod contract;
mod fixtures;

pub use fixtures::*;

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use tanu_app::Ctx;
use tanu_storage::{Backend, Db, Objects, ObjectsConfig, Pool};

/// Runs one async test story on both databases.
#[macro_export]
macro_rules! both {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn story($app: crate::common::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                story(crate::common::TestApp::spawn(tanu_storage::Backend::Sqlite).await.expect("sqlite app")).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match crate::common::TestApp::spawn(tanu_storage::Backend::Postgres).await {
                    Some(app) => story(app).await,
                    None => eprintln!("SKIPPED: PostgreSQL not reachable; set TANU_TEST_POSTGRES_URL"),
                }
            }
        }
    };
}

/// Runs one story on SQLite and on PostgreSQL (skipped, or failing when required, as
/// `both!` does).
#[macro_export]
macro_rules! on_both {
    ($name:ident, |$backend:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn story($backend: tanu_storage::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                story(tanu_storage::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                story(tanu_storage::Backend::Postgres).await;
            }
        }
    };
}

pub const OPERATOR_EMAIL: &str = "operator@test.kz";
/// The upload limit of the test app (small, so that going over it is cheap).
pub const UPLOAD_LIMIT: u64 = 2 * 1024 * 1024;
pub const PASSWORD: &str = "correct horse battery";

/// Valid BINs (check digit verified) for fixtures.
pub const BIN_A: &str = "940140000385";
pub const BIN_B: &str = "990140004654";

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let mut r = [0u8; 4];
    getrandom::fill(&mut r).unwrap();
    format!(
        "{prefix}_{}_{}_{:08x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        u32::from_le_bytes(r)
    )
}

pub fn postgres_url() -> String {
    std::env::var("TANU_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn require_postgres() -> bool {
    std::env::var("TANU_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// A PostgreSQL database made for one test and dropped with it.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create() -> Option<Self> {
        let admin_url = postgres_url();
        let admin = match Db::open_postgres(&admin_url).await {
            Ok(db) => db,
            Err(e) if !require_postgres() => {
                eprintln!("PostgreSQL at {admin_url} not usable: {e}");
                return None;
            }
            Err(e) => panic!(
                "PostgreSQL required (TANU_TEST_REQUIRE_POSTGRES=1) but {admin_url} failed: {e}"
            ),
        };
        let name = unique("tanu_t");
        let Pool::Postgres(pool) = admin.pool() else {
            unreachable!()
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(pool)
            .await
            .expect("create database");
        admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("postgres url");
        url.set_path(&name);
        Some(Self {
            admin_url,
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let admin = Db::open_postgres(&admin_url).await.ok()?;
                if let Pool::Postgres(pool) = admin.pool() {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(pool)
                    .await;
                }
                admin.close().await;
                Some(())
            })
        })
        .join();
    }
}

/// A running app with its own database.
pub struct TestApp {
    pub base: String,
    pub ctx: Ctx,
    pub backend: Backend,
    /// The app's clock: `app.clock.set(Some(t))` stands every request at `t`.
    pub clock: tanu_web::Clock,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _pg: Option<PgDatabase>,
    _dir: Option<TempDir>,
}

/// A folder removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(unique("tanu-test"));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Every API answer this process gave must be one its operation's OpenAPI entry
        // lists: integrators code against the document, not against the server.
        if !std::thread::panicking() {
            let wrong = contract::undocumented();
            assert!(
                wrong.is_empty(),
                "answers the OpenAPI document does not list:\n{}",
                wrong.join("\n")
            );
        }
    }
}

impl TestApp {
    /// Starts the app; `None` when PostgreSQL is wanted but not there (and not required).
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(
            backend,
            tanu_app::Policy {
                // Tests register many candidates from 127.0.0.1.
                registrations_per_hour: 10_000,
                ..tanu_app::Policy::default()
            },
        )
        .await
    }

    /// Starts the app with its own policy (limits and quotas).
    pub async fn spawn_with(backend: Backend, policy: tanu_app::Policy) -> Option<Self> {
        let (db, pg, dir) = match backend {
            Backend::Sqlite => {
                let dir = TempDir::new();
                (
                    Db::open_sqlite(&dir.0.join("tanu.db"))
                        .await
                        .expect("sqlite"),
                    None,
                    Some(dir),
                )
            }
            Backend::Postgres => {
                let pg = PgDatabase::create().await?;
                (
                    Db::open_postgres(&pg.url).await.expect("postgres"),
                    Some(pg),
                    None,
                )
            }
        };
        db.migrate().await.expect("migrations");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let ctx = Ctx {
            db,
            objects: Objects::open(&ObjectsConfig::Memory).expect("memory store"),
            issuer: tanu_app::protocols::Issuer {
                pdf: renderer(),
                signer: std::sync::Arc::new(
                    tanu_app::signing::Signer::generate().expect("signing key"),
                ),
                public_url: base.clone(),
            },
            policy,
        };
        tanu_app::rule_sets::seed(&ctx, tanu_storage::now())
            .await
            .expect("seed");
        tanu_app::accounts::create_operator(
            &ctx,
            OPERATOR_EMAIL,
            "Оператор Тест",
            PASSWORD,
            tanu_storage::now(),
        )
        .await
        .expect("operator");
        let clock = tanu_web::Clock::default();
        let settings = tanu_web::WebSettings {
            max_upload_bytes: UPLOAD_LIMIT,
            clock: clock.clone(),
            ..tanu_web::WebSettings::default()
        };
        let state = tanu_web::state(ctx.clone(), settings);
        // As `tanu serve` does: events of PostgreSQL writes join the audit chain as they
        // commit (reads of the trail seal too, so tests never depend on its timing).
        tokio::spawn(tanu_storage::repo::audit::run_sealer(ctx.db.clone()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = tanu_web::serve(listener, state, async move {
                let _ = rx.await;
            })
            .await;
        });
        Some(Self {
            base,
            ctx,
            backend,
            clock,
            shutdown: Some(tx),
            _pg: pg,
            _dir: dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies, like a browser.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A browser signed in through the login form as `email` (password [`PASSWORD`]),
    /// and the CSRF token of its session.
    pub async fn signed_in(&self, email: &str) -> (Client, String) {
        let c = self.browser();
        let login = c
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = c
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf_of(&login).as_str()),
                ("email", email),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email} signs in");
        let home = c
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (c, csrf_of(&home))
    }

    /// A plain API client.
    pub fn client(&self) -> Client {
        Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// An API token for the given account, by POST /api/v1/auth/token.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let r = self
            .client()
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({ "email": email, "password": password, "name": "test" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "token for {email}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn operator_token(&self) -> String {
        self.token(OPERATOR_EMAIL, PASSWORD).await
    }

    /// GET with a bearer token.
    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// GET with a bearer token, expecting success: the JSON body.
    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let r = self.get(token, path).await;
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// POST JSON with a bearer token.
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.client()
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// PUT JSON with a bearer token.
    pub async fn put(&self, token: &str, path: &str, body: Value) -> Response {
        self.client()
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Registers an organisation as the operator; returns its id.
    pub async fn org(&self, op: &str, bin: &str, kind: &str) -> i64 {
        let r = self
            .post(
                op,
                "/api/v1/organisations",
                json!({ "kind": kind, "bin": bin, "name_kk": "Колледж", "name_ru": "Колледж", "address": "Астана" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// Adds a staff member with roles and lets them set PASSWORD; returns (staff id, token).
    pub async fn staff(&self, op: &str, org: i64, email: &str, roles: &[&str]) -> (i64, String) {
        let r = self
            .post(
                op,
                &format!("/api/v1/organisations/{org}/staff"),
                json!({ "full_name": "Тестов Тест", "email": email, "position": "teacher", "roles": roles }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: Value = r.json().await.unwrap();
        let id = body["staff"]["id"].as_i64().unwrap();
        self.accept_invitation(email).await;
        (id, self.token(email, PASSWORD).await)
    }

    /// The secret of the newest e-mail of `kind` sent to `email`, read from the outbox
    /// (its link ends with the secret).
    pub async fn mail_secret(&self, email: &str, kind: &str) -> String {
        let link = self
            .mail_link(email, kind)
            .await
            .unwrap_or_else(|| panic!("no {kind} e-mail to {email}"));
        link.rsplit('/').next().unwrap().to_owned()
    }

    /// The link of the newest e-mail of `kind` sent to `email`, if any.
    pub async fn mail_link(&self, email: &str, kind: &str) -> Option<String> {
        let sql = "SELECT link FROM notifications WHERE email_to = $1 AND kind = $2 ORDER BY id DESC LIMIT 1";
        match self.ctx.db.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar(sql)
                .bind(email)
                .bind(kind)
                .fetch_optional(p)
                .await
                .unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar(sql)
                .bind(email)
                .bind(kind)
                .fetch_optional(p)
                .await
                .unwrap(),
        }
    }

    /// How many e-mails of `kind` went to `email`.
    pub async fn mail_count(&self, email: &str, kind: &str) -> i64 {
        let sql = "SELECT COUNT(*) FROM notifications WHERE email_to = $1 AND kind = $2";
        match self.ctx.db.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar(sql)
                .bind(email)
                .bind(kind)
                .fetch_one(p)
                .await
                .unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar(sql)
                .bind(email)
                .bind(kind)
                .fetch_one(p)
                .await
                .unwrap(),
        }
    }

    /// Opens the verification link sent to `email`, as its owner would.
    pub async fn verify_email(&self, email: &str) {
        let token = self.mail_secret(email, "verify-email").await;
        let r = self
            .client()
            .post(self.url("/api/v1/auth/verify-email"))
            .json(&json!({ "token": token }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "verifying {email}");
    }

    /// Accepts the newest staff invitation sent to `email` by setting PASSWORD (an
    /// account new to Tanu).
    pub async fn accept_invitation(&self, email: &str) {
        let inv = self.mail_secret(email, "staff-invitation").await;
        let r = self
            .client()
            .post(self.url(&format!("/api/v1/invitations/{inv}")))
            .json(&json!({ "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "accepting for {email}");
    }

    /// Registers a candidate and verifies their e-mail; returns their token.
    pub async fn candidate(&self, email: &str, iin: &str) -> String {
        let r = self
            .client()
            .post(self.url("/api/v1/candidates"))
            .json(&json!({ "full_name": "Үміткер Тест", "email": email, "password": PASSWORD, "iin": iin }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED, "registering {email}");
        self.verify_email(email).await;
        self.token(email, PASSWORD).await
    }
}

/// Reads a problem document and checks its shape; returns it.
pub async fn problem(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status, "status for {code}");
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        ct.starts_with("application/problem+json"),
        "content-type {ct}"
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["status"], status.as_u16());
    assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
    v
}

/// The value of `name="csrf"` in a page.
pub fn csrf_of(html: &str) -> String {
    let at =
        html.find("name=\"csrf\" value=\"").expect("csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// A minimal PDF (what the type check looks at: the header and the end marker).
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// A minimal PNG (signature, a chunk, and the end chunk).
pub fn png() -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    v.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77,
        0x53, 0xDE,
    ]);
    v.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
    v
}

impl TestApp {
    /// Uploads a document as multipart with a bearer token.
    pub async fn upload(
        &self,
        token: &str,
        application: i64,
        kind: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        self.client()
            .post(self.url(&format!(
                "/api/v1/applications/{application}/documents/{kind}"
            )))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

/// One typesetter for the whole test binary (it is Sync and keeps its caches warm).
pub fn renderer() -> std::sync::Arc<tanu_pdf::Renderer> {
    static R: std::sync::OnceLock<std::sync::Arc<tanu_pdf::Renderer>> = std::sync::OnceLock::new();
    R.get_or_init(|| std::sync::Arc::new(tanu_pdf::Renderer::new().expect("typesetter")))
        .clone()
}

/// Runs one statement straight on the database, behind the app's back (to stage what
/// only time or tampering would produce).
pub async fn sql(db: &Db, statement: &str) {
    match db.pool() {
        Pool::Sqlite(p) => {
            sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(p)
                .await
                .unwrap();
        }
        Pool::Postgres(p) => {
            sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(p)
                .await
                .unwrap();
        }
    }
}

/// One text read straight from the database.
pub async fn text(db: &Db, query: &str) -> String {
    let q = sqlx::AssertSqlSafe(query.to_owned());
    match db.pool() {
        Pool::Sqlite(p) => sqlx::query_scalar::<_, String>(q)
            .fetch_one(p)
            .await
            .unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar::<_, String>(q)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

/// One number read straight from the database (a count, a sum).
pub async fn scalar(db: &Db, query: &str) -> i64 {
    let q = sqlx::AssertSqlSafe(query.to_owned());
    match db.pool() {
        Pool::Sqlite(p) => sqlx::query_scalar::<_, i64>(q).fetch_one(p).await.unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar::<_, i64>(q).fetch_one(p).await.unwrap(),
    }
}

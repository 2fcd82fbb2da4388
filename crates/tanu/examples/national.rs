//! The national-scale dataset and the reports on it. Builds a fresh database and fills
//! it as a whole country's use of Tanu would: organisations, each with commissions, two
//! held meetings per commission, programmes; candidates; applications in every state,
//! with certificates, the metadata of their three documents (rule 10), agenda items and
//! decisions; and a hash-chained audit trail that `tanu audit verify` accepts. Then it
//! times the organisation report (of the biggest organisation and of a typical one) and
//! the national report, and with `--verify-audit` the walk of the whole chain.
//!
//! ```text
//! # defaults: 1,000 organisations, 5,000 commissions, 1,000,000 applications,
//! # 10,000,000 audit events
//! cargo run --release -p tanu --example national
//! cargo run --release -p tanu --example national -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/postgres
//! cargo run --release -p tanu --example national -- --applications 20000 --audit-events 0
//! ```
//!
//! SQLite goes to a file in a new temporary folder, removed afterwards (`--keep` keeps
//! it, e.g. to point `tanu serve --data-dir` at it). With a PostgreSQL URL a database
//! `tanu_bench_<pid>` is created on that server and dropped afterwards. Rows are
//! generated here (numbers and fixed text only) and inserted as multi-row `INSERT`s in
//! large transactions, by a writer task that runs while the next batch is generated.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use tanu_app::reports::{self, ReportQuery};
use tanu_app::{Actor, Ctx};
use tanu_domain::application::Status;
use tanu_storage::{Backend, Conn, Db, Objects, ObjectsConfig, Pool};

#[derive(Debug, Parser)]
struct Args {
    /// Applications to create.
    #[arg(long, default_value_t = 1_000_000)]
    applications: u64,
    /// Organisations to create.
    #[arg(long, default_value_t = 1_000)]
    organisations: u64,
    /// Commissions per organisation (each with two held meetings).
    #[arg(long, default_value_t = 5)]
    commissions_per_org: u64,
    /// Audit events to create (a valid chain).
    #[arg(long, default_value_t = 10_000_000)]
    audit_events: u64,
    /// A PostgreSQL server (any database on it); SQLite in a temporary folder without.
    #[arg(long)]
    database_url: Option<String>,
    /// Timed runs of each report.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Run ANALYZE on SQLite before timing (PostgreSQL is always vacuumed and analysed,
    /// as autovacuum would have done).
    #[arg(long)]
    analyze: bool,
    /// Also time `tanu audit verify`'s walk of the whole chain.
    #[arg(long)]
    verify_audit: bool,
    /// Keep the database afterwards (to look at query plans, or to serve it).
    #[arg(long)]
    keep: bool,
}

/// A small deterministic generator (xorshift64*), so that runs are comparable.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A timestamp literal both engines read (SQLite's stored form: six fraction digits).
fn ts(t: time::OffsetDateTime) -> String {
    let t = tanu_storage::fixed_width(t);
    format!(
        "'{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// Where an application ends up, with its share in thousandths.
const STATUSES: [(Status, u64); 9] = [
    (Status::Draft, 30),
    (Status::Submitted, 50),
    (Status::Incomplete, 40),
    (Status::Complete, 80),
    (Status::Scheduled, 50),
    (Status::Recognised, 450),
    (Status::Refused, 180),
    (Status::NotAdopted, 20),
    (Status::Withdrawn, 100),
];

const PROGRAMMES_PER_ORG: u64 = 10;
const PROVIDERS: u64 = 300;
const BATCH: usize = 1_000;

struct Bench {
    db: Db,
    backend: Backend,
}

/// Runs generated statements in one transaction.
async fn run_all(db: &Db, statements: &[String]) -> Result<()> {
    let mut tx = db.begin().await?;
    for sql in statements {
        let sql = sqlx::AssertSqlSafe(sql.clone());
        match tx.conn() {
            Conn::Sqlite(c) => {
                sqlx::raw_sql(sql).execute(&mut *c).await?;
            }
            Conn::Postgres(c) => {
                sqlx::raw_sql(sql).execute(&mut *c).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

impl Bench {
    /// `INSERT INTO table (columns) VALUES …` with explicit ids on both engines.
    fn insert_head(&self, table: &str, columns: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("INSERT INTO {table} ({columns}) VALUES "),
            Backend::Postgres => {
                format!("INSERT INTO {table} ({columns}) OVERRIDING SYSTEM VALUE VALUES ")
            }
        }
    }
}

/// A task that commits batches (one transaction each) while the next is generated.
struct Writer {
    queue: tokio::sync::mpsc::Sender<Vec<String>>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl Writer {
    fn start(db: Db) -> Self {
        let (queue, mut rx) = tokio::sync::mpsc::channel::<Vec<String>>(2);
        let task = tokio::spawn(async move {
            while let Some(batch) = rx.recv().await {
                run_all(&db, &batch).await?;
            }
            Ok(())
        });
        Self { queue, task }
    }

    async fn send(&mut self, batch: Vec<String>) -> Result<()> {
        if self.queue.send(batch).await.is_err() {
            // The writer stopped: its error says why.
            let (queue, _) = tokio::sync::mpsc::channel(1);
            let task = std::mem::replace(&mut self.task, tokio::spawn(async { Ok(()) }));
            self.queue = queue;
            task.await??;
            bail!("the writer stopped");
        }
        Ok(())
    }

    async fn finish(self) -> Result<()> {
        drop(self.queue);
        self.task.await?
    }
}

/// Groups rows into multi-row INSERTs.
struct Batcher {
    head: String,
    rows: Vec<String>,
    statements: Vec<String>,
    count: u64,
}

impl Batcher {
    fn new(head: String) -> Self {
        Self {
            head,
            rows: Vec::with_capacity(BATCH),
            statements: Vec::new(),
            count: 0,
        }
    }

    fn push(&mut self, row: String) {
        self.rows.push(row);
        self.count += 1;
        if self.rows.len() == BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.rows.is_empty() {
            self.statements
                .push(format!("{}{}", self.head, self.rows.join(",")));
            self.rows.clear();
        }
    }

    fn take(&mut self) -> Vec<String> {
        self.flush();
        std::mem::take(&mut self.statements)
    }
}

fn rate(rows: u64, took: Duration) -> String {
    let secs = took.as_secs_f64().max(1e-9);
    #[allow(clippy::cast_precision_loss)]
    let per = rows as f64 / secs;
    format!("{rows} rows in {:.1} s ({per:.0} rows/s)", secs)
}

/// A random SHA-256-shaped hex string (documents' digests).
fn hex64(rng: &mut Rng) -> String {
    format!(
        "{:016x}{:016x}{:016x}{:016x}",
        rng.next(),
        rng.next(),
        rng.next(),
        rng.next()
    )
}

/// What the audit events are about, with their share in hundredths.
const AUDIT_ACTIONS: [(&str, &str, u64); 8] = [
    ("document-viewed", "secretary", 30),
    ("login", "candidate", 20),
    ("edit", "candidate", 10),
    ("submit", "candidate", 10),
    ("document-uploaded", "candidate", 15),
    ("check", "secretary", 8),
    ("vote-recorded", "member", 5),
    ("decision", "chair", 2),
];

#[allow(clippy::too_many_lines)]
async fn fill(b: &Bench, args: &Args) -> Result<(i64, i64)> {
    let now = time::macros::datetime!(2027-01-15 12:00 UTC);
    let orgs = args.organisations.max(2);
    let per_org = args.commissions_per_org.max(1);
    let candidates = (args.applications / 2).max(10_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut writer = Writer::start(b.db.clone());

    // People (candidates, then one secretary per organisation), organisations, a rule
    // set, commissions with two held meetings each, the catalogue.
    let started = Instant::now();
    let mut persons = Batcher::new(b.insert_head(
        "persons",
        "id, email, full_name, search_name, locale, is_candidate, created_at",
    ));
    for p in 1..=candidates + orgs {
        let (who, candidate) = if p <= candidates {
            ("Candidate", "TRUE")
        } else {
            ("Secretary", "FALSE")
        };
        persons.push(format!(
            "({p}, 'bench{p}@example.kz', '{who} {p}', '{} {p}', 'kk', {candidate}, {})",
            who.to_lowercase(),
            ts(now)
        ));
        if persons.statements.len() >= 50 {
            writer.send(persons.take()).await?;
        }
    }
    let mut statements = persons.take();
    statements.push(format!(
        "{}(1, 'bench', 1, 'Bench rules', '2018-01-01', '{{}}', {})",
        b.insert_head(
            "rule_sets",
            "id, code, version, title, effective_from, params, updated_at"
        ),
        ts(now)
    ));
    let mut organisations = Batcher::new(b.insert_head(
        "organisations",
        "id, kind, bin, name_kk, name_ru, address, created_at",
    ));
    let mut commissions = Batcher::new(b.insert_head(
        "commissions",
        "id, org_id, name, term_from, term_to, rule_set_id, created_at, created_by",
    ));
    let mut meetings = Batcher::new(b.insert_head(
        "meetings",
        "id, org_id, commission_id, starts_at, place, status, created_by, created_at",
    ));
    let mut programmes = Batcher::new(b.insert_head(
        "programmes",
        "id, org_id, code, title_kk, title_ru, active, created_at",
    ));
    for o in 1..=orgs {
        organisations.push(format!(
            "({o}, 'college', '{:012}', 'Колледж {o}', 'Колледж {o}', 'Астана', {})",
            100_000_000_000 + o,
            ts(now)
        ));
        for k in 1..=per_org {
            let c = (o - 1) * per_org + k;
            commissions.push(format!(
                "({c}, {o}, 'Комиссия {k}', '2025-01-01', '2027-12-31', 1, {}, 1)",
                ts(now)
            ));
            for m in 0..2 {
                meetings.push(format!(
                    "({}, {o}, {c}, {}, 'Ауд.', 'closed', 1, {})",
                    c * 2 - 1 + m,
                    ts(now),
                    ts(now)
                ));
            }
        }
        for p in 0..PROGRAMMES_PER_ORG {
            programmes.push(format!(
                "({}, {o}, '6B0{:04}', 'Бағдарлама {p}', 'Программа {p}', TRUE, {})",
                (o - 1) * PROGRAMMES_PER_ORG + p + 1,
                p * 7 + 100,
                ts(now)
            ));
        }
    }
    for batch in [
        &mut organisations,
        &mut commissions,
        &mut meetings,
        &mut programmes,
    ] {
        statements.extend(batch.take());
    }
    writer.send(statements).await?;
    println!(
        "setup: {candidates} candidates, {orgs} organisations, {} commissions, {} meetings, {} programmes; generated in {:.1} s",
        orgs * per_org,
        orgs * per_org * 2,
        orgs * PROGRAMMES_PER_ORG,
        started.elapsed().as_secs_f64()
    );

    // Applications: 5% at organisation 1 (the big one), the rest spread evenly over
    // the others; submitted over 24 months; decisions 1–120 days later.
    let start = time::macros::datetime!(2025-01-01 0:00 UTC);
    let span_secs: u64 = 730 * 86_400;
    let (mut n_apps, mut n_certs, mut n_items, mut n_docs) = (0u64, 0u64, 0u64, 0u64);
    // Who each application belongs to, for the audit events.
    let mut owner: Vec<(u32, u32)> =
        Vec::with_capacity(usize::try_from(args.applications).unwrap_or(0));
    let started = Instant::now();
    let mut id = 0u64;
    let chunk = 25_000u64;
    while id < args.applications {
        let end = (id + chunk).min(args.applications);
        let mut apps = Batcher::new(b.insert_head(
            "applications",
            "id, org_id, candidate_id, status, number, statement, programme_id, search, created_at, created_by, submitted_at, updated_at",
        ));
        let mut certs = Batcher::new(b.insert_head(
            "certificates",
            "application_id, kind, provider_name, provider_bin, programme_title, hours, study_from, study_to, number, issued_on, outcomes, reuse_key",
        ));
        let mut docs = Batcher::new(b.insert_head(
            "documents",
            "id, application_id, kind, object_key, sha256, size, content_type, original_name, uploaded_at, uploaded_by",
        ));
        let mut items = Batcher::new(b.insert_head(
            "agenda_items",
            "id, meeting_id, application_id, position, status, interview_notes, adopted, decided_at",
        ));
        while id < end {
            id += 1;
            let org = if rng.below(20) == 0 {
                1
            } else {
                2 + rng.below(orgs - 1)
            };
            let commission = (org - 1) * per_org + 1 + rng.below(per_org);
            let candidate = 1 + rng.below(candidates);
            owner.push((
                u32::try_from(org).unwrap_or(u32::MAX),
                u32::try_from(candidate).unwrap_or(u32::MAX),
            ));
            let roll = rng.below(1000);
            let mut acc = 0;
            let status = STATUSES
                .iter()
                .find(|(_, share)| {
                    acc += share;
                    roll < acc
                })
                .map_or(Status::Submitted, |(s, _)| *s);
            let offset = i64::try_from(rng.below(span_secs)).unwrap_or(0);
            let submitted = start + time::Duration::seconds(offset);
            let submitted_sql = if status == Status::Draft {
                "NULL".to_owned()
            } else {
                ts(submitted)
            };
            let programme = if rng.below(10) == 0 {
                "NULL".to_owned()
            } else {
                ((org - 1) * PROGRAMMES_PER_ORG + 1 + rng.below(PROGRAMMES_PER_ORG)).to_string()
            };
            apps.push(format!(
                "({id}, {org}, {candidate}, '{status}', '{id}', 'statement', {programme}, 'candidate {candidate}', {}, {candidate}, {submitted_sql}, {})",
                ts(submitted),
                ts(submitted)
            ));
            // The documents of rule 10: all three once submitted, the statement only
            // in a draft.
            let kinds: &[&str] = if status == Status::Draft {
                &["statement"]
            } else {
                &["statement", "identity", "confirming"]
            };
            for kind in kinds {
                n_docs += 1;
                docs.push(format!(
                    "({n_docs}, {id}, '{kind}', 'applications/{id}/{kind}-{n_docs}', '{}', {}, 'application/pdf', '{kind}.pdf', {}, {candidate})",
                    hex64(&mut rng),
                    200_000 + rng.below(1_000_000),
                    ts(submitted)
                ));
            }
            // Providers: a few large, many small; half with a BIN. 1% reuse a number.
            let provider = (rng.below(PROVIDERS) * rng.below(PROVIDERS)) / PROVIDERS;
            let bin = if provider.is_multiple_of(2) {
                format!("'{:012}'", 200_000_000_000 + provider)
            } else {
                "NULL".to_owned()
            };
            let number = if rng.below(100) == 0 {
                format!("R-{}", rng.below(1000))
            } else {
                format!("N-{id}")
            };
            let key_provider = if provider.is_multiple_of(2) {
                format!("{:012}", 200_000_000_000 + provider)
            } else {
                format!("provider {provider}")
            };
            certs.push(format!(
                "({id}, 'certificate', 'Provider {provider}', {bin}, 'Course', 72, '2024-01-01', '2024-06-01', '{number}', '2024-06-10', '[]', '{key_provider}|{}')",
                number.to_lowercase()
            ));
            n_certs += 1;
            let decided =
                submitted + time::Duration::days(1 + i64::try_from(rng.below(120)).unwrap_or(0));
            let (first, second) = (commission * 2 - 1, commission * 2);
            match status {
                Status::Recognised | Status::Refused => {
                    let adopted = if status == Status::Recognised {
                        "recognise"
                    } else {
                        "refuse"
                    };
                    // One in twenty was voted on once without result before.
                    if rng.below(20) == 0 {
                        n_items += 1;
                        items.push(format!(
                            "({}, {first}, {id}, 1, 'not-adopted', '', NULL, NULL)",
                            n_items
                        ));
                    }
                    n_items += 1;
                    items.push(format!(
                        "({}, {second}, {id}, 1, 'decided', '', '{adopted}', {})",
                        n_items,
                        ts(decided)
                    ));
                }
                Status::NotAdopted => {
                    n_items += 1;
                    items.push(format!(
                        "({}, {first}, {id}, 1, 'not-adopted', '', NULL, NULL)",
                        n_items
                    ));
                }
                _ => {}
            }
        }
        n_apps = id;
        let mut statements = apps.take();
        statements.extend(certs.take());
        statements.extend(docs.take());
        statements.extend(items.take());
        writer.send(statements).await?;
    }
    // The audit trail: events spread evenly over the two years, each about one
    // application, chained as the server chains them.
    let mut prev = "0".repeat(64);
    let step_micros = i64::try_from(span_secs * 1_000_000 / args.audit_events.max(1))
        .unwrap_or(1)
        .max(1);
    let mut seq = 0u64;
    while seq < args.audit_events && n_apps > 0 {
        let end = (seq + 50_000).min(args.audit_events);
        let mut events = Batcher::new(b.insert_head(
            "audit_events",
            "seq, at, person_id, role, action, object_type, object_id, org_id, ip, details, personal_salt, \
             personal_digest, format, prev_hash, hash",
        ));
        while seq < end {
            seq += 1;
            let app = 1 + rng.below(n_apps);
            let (org, candidate) = owner[usize::try_from(app - 1).unwrap_or(0)];
            let roll = rng.below(100);
            let mut acc = 0;
            let (action, role, _) = AUDIT_ACTIONS
                .iter()
                .find(|(_, _, share)| {
                    acc += share;
                    roll < acc
                })
                .copied()
                .unwrap_or(("login", "candidate", 0));
            let person = if role == "candidate" {
                i64::from(candidate)
            } else {
                i64::try_from(candidates).unwrap_or(0) + i64::from(org)
            };
            // As the server stores times: six fraction digits, the last not zero.
            let at = tanu_storage::fixed_width(
                start + time::Duration::microseconds(step_micros * i64::try_from(seq).unwrap_or(0)),
            );
            let ip = format!(
                "10.{}.{}.{}",
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            );
            let details = if action == "document-viewed" {
                "{\"kind\":\"identity\"}"
            } else {
                "{}"
            };
            let seq_i = i64::try_from(seq).unwrap_or(0);
            let app_i = i64::try_from(app).unwrap_or(0);
            // The client address is the event's personal part: under a salted digest.
            let personal = tanu_storage::repo::audit::protect(&ip, None)?;
            let salt = personal.salt.unwrap_or_default();
            let digest = personal.digest.unwrap_or_default();
            let hash = tanu_storage::repo::audit::hash_of(
                seq_i,
                at,
                Some(person),
                role,
                action,
                "application",
                Some(app_i),
                Some(i64::from(org)),
                details,
                Some(&digest),
                &prev,
            );
            events.push(format!(
                "({seq}, {}, {person}, '{role}', '{action}', 'application', {app}, {org}, '{ip}', '{details}', '{salt}', \
                 '{digest}', {}, '{prev}', '{hash}')",
                ts(at),
                tanu_storage::repo::audit::FORMAT
            ));
            prev = hash;
        }
        writer.send(events.take()).await?;
    }
    if seq > 0 {
        writer
            .send(vec![format!(
                "UPDATE audit_head SET seq = {seq}, hash = '{prev}' WHERE id = 1"
            )])
            .await?;
    }
    writer.finish().await?;
    let took = started.elapsed();
    println!(
        "applications: {n_apps}; certificates: {n_certs}; documents: {n_docs}; agenda items: {n_items}; audit events: {seq}"
    );
    let total = n_apps + n_certs + n_docs + n_items + seq;
    println!("  all rows: {}", rate(total, took));

    let started = Instant::now();
    match b.db.pool() {
        Pool::Postgres(p) => {
            sqlx::raw_sql("VACUUM ANALYZE").execute(p).await?;
            println!("VACUUM ANALYZE: {:.1} s", started.elapsed().as_secs_f64());
        }
        Pool::Sqlite(p) if args.analyze => {
            sqlx::raw_sql("ANALYZE").execute(p).await?;
            println!("ANALYZE: {:.1} s", started.elapsed().as_secs_f64());
        }
        Pool::Sqlite(_) => {}
    }
    // The typical organisation: the one in the middle.
    Ok((1, i64::try_from(orgs / 2).unwrap_or(2)))
}

fn operator() -> Actor {
    Actor {
        person_id: 1,
        email: "operator@example.kz".into(),
        full_name: "Operator".into(),
        locale: tanu_domain::Locale::Kk,
        is_operator: true,
        is_candidate: false,
        roles: Vec::new(),
        email_verified: true,
        read_only: false,
    }
}

async fn time_runs<F, Fut>(label: &str, runs: usize, mut f: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<reports::Report, tanu_app::AppError>>,
{
    let mut ms = Vec::with_capacity(runs);
    let mut applications = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = f().await.map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        applications = r.applications;
    }
    ms.sort_by(f64::total_cmp);
    let (min, median, max) = (
        ms.first().copied().unwrap_or_default(),
        ms.get(ms.len() / 2).copied().unwrap_or_default(),
        ms.last().copied().unwrap_or_default(),
    );
    println!(
        "{label:<40} {applications:>9} apps  min {min:>8.1} ms  median {median:>8.1} ms  max {max:>8.1} ms"
    );
    Ok(())
}

async fn measure(db: Db, args: &Args) -> Result<()> {
    let backend = db.backend();
    db.migrate().await.context("migrations")?;
    let bench = Bench { db, backend };
    let (big, typical) = fill(&bench, args).await?;
    let ctx = Ctx {
        db: bench.db.clone(),
        objects: Objects::open(&ObjectsConfig::Memory)?,
        issuer: tanu_app::protocols::Issuer {
            pdf: Arc::new(tanu_pdf::Renderer::new()?),
            signer: Arc::new(tanu_app::signing::Signer::generate()?),
            public_url: "http://localhost".into(),
        },
        policy: tanu_app::Policy::default(),
    };
    let actor = operator();
    let now = tanu_storage::now();
    let all = ReportQuery::default();
    let year = ReportQuery {
        from: Some("2026-01-01".into()),
        to: Some("2026-12-31".into()),
    };
    let month = ReportQuery {
        from: Some("2026-03-01".into()),
        to: Some("2026-03-31".into()),
    };
    println!("{backend:?}, {} runs each:", args.runs);
    for (name, q) in [("all time", &all), ("2026", &year), ("March 2026", &month)] {
        time_runs(
            &format!("organisation {big} (big), {name}"),
            args.runs,
            || reports::organisation(&ctx, &actor, big, q, now),
        )
        .await?;
        time_runs(
            &format!("organisation {typical} (typical), {name}"),
            args.runs,
            || reports::organisation(&ctx, &actor, typical, q, now),
        )
        .await?;
        time_runs(&format!("national, {name}"), args.runs, || {
            reports::national(&ctx, &actor, q, now)
        })
        .await?;
    }
    if args.verify_audit {
        let t = Instant::now();
        let v = tanu_storage::repo::audit::verify(&bench.db).await?;
        println!(
            "audit verify: {} events in {:.1} s: {}",
            v.events,
            t.elapsed().as_secs_f64(),
            v.broken
                .map_or_else(|| "the chain is intact".to_owned(), |b| b.to_string())
        );
    }
    bench.db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    match args.database_url.clone() {
        None => {
            let dir: PathBuf =
                std::env::temp_dir().join(format!("tanu-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let path = dir.join("bench.db");
            println!("SQLite at {}", path.display());
            let result = match Db::open_sqlite(&path).await {
                Ok(db) => measure(db, &args).await,
                Err(e) => Err(e.into()),
            };
            if let Ok(meta) = std::fs::metadata(&path) {
                println!("database file: {} MB", meta.len() / 1_000_000);
            }
            if args.keep {
                println!("kept {}", path.display());
            } else {
                std::fs::remove_dir_all(&dir)?;
            }
            result
        }
        Some(url) => {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                bail!("--database-url must be a PostgreSQL URL");
            }
            let name = format!("tanu_bench_{}", std::process::id());
            let admin = Db::open_postgres(&url).await?;
            let Pool::Postgres(pool) = admin.pool() else {
                bail!("not PostgreSQL")
            };
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(pool)
                .await?;
            println!("PostgreSQL database {name}");
            let mut bench_url = url::Url::parse(&url)?;
            bench_url.set_path(&name);
            let result = match Db::open_postgres(bench_url.as_str()).await {
                Ok(db) => measure(db, &args).await,
                Err(e) => Err(e.into()),
            };
            if args.keep {
                println!("kept database {name}");
            } else {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(pool)
                .await?;
            }
            admin.close().await;
            result
        }
    }
}

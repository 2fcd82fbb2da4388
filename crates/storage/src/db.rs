//! The database handle: one concrete sqlx pool of SQLite or PostgreSQL.
//!
//! `sqlx::Any` cannot carry dates or JSON, so instead of it each query is written once
//! and compiled for both drivers by [`on_conn!`]. SQL stays in the portable subset:
//! `$n` placeholders, `RETURNING`, `ON CONFLICT`, no `ILIKE` or arrays.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::StorageError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine is behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// How long a PostgreSQL connection may sit idle before it is pinged on its next use.
const PING_IDLE_AFTER: Duration = Duration::from_secs(30);

/// Namespaces of PostgreSQL transaction advisory locks (the first of their two keys; the
/// second is a hash or an id of what is locked). Writes run side by side there; these
/// make those that check a count before they add to it take turns, and queue the writers
/// of one protocol fairly.
pub(crate) const LOCK_LOGIN_EMAIL: i32 = 1;
/// Failed logins from one client address (see [`LOCK_LOGIN_EMAIL`]).
pub(crate) const LOCK_LOGIN_ADDRESS: i32 = 2;
/// A certificate's reuse key: taken by the report trigger of PostgreSQL migration 0012
/// (which spells the number out) and before a certificate is replaced.
pub(crate) const LOCK_CERTIFICATE_KEY: i32 = 3;
/// A protocol taken for a change (`repo::protocols::lock_get`): its writers queue here in
/// arrival order before they take its row.
pub(crate) const LOCK_PROTOCOL: i32 = 4;
/// An organisation's catalogue (`repo::programmes::lock_catalogue`): its imports and
/// saves take turns, so two imports that upsert the same codes in different orders
/// cannot deadlock.
pub(crate) const LOCK_CATALOGUE: i32 = 5;
/// Anonymous actions of one kind from one client address (`repo::rate_events`).
pub(crate) const LOCK_RATE: i32 = 6;
/// An organisation's retention policy (`repo::retention::insert`): versions are numbered
/// in turn.
pub(crate) const LOCK_RETENTION: i32 = 7;

/// Takes the transaction advisory lock `(namespace, id)` on PostgreSQL, waiting for it in
/// arrival order; released when the transaction ends. A no-op on SQLite, whose writes
/// take turns anyway.
pub(crate) async fn advisory_lock(
    mut conn: Conn<'_>,
    namespace: i32,
    id: i64,
) -> Result<(), StorageError> {
    if let Conn::Postgres(pg) = conn.reborrow() {
        sqlx::query("SELECT pg_advisory_xact_lock($1, ($2 % 2147483647)::int)")
            .bind(namespace)
            .bind(id)
            .execute(&mut *pg)
            .await?;
    }
    Ok(())
}

/// The one database Tanu runs on: its pool of connections and what the process keeps
/// beside it – SQLite's writer connection (group commit, [`crate::writer`]) and the
/// wake-up of PostgreSQL's audit sealer ([`crate::repo::audit::run_sealer`]). Clones
/// share all three.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    shared: Arc<Shared>,
}

/// The pool of connections behind a [`Db`].
#[derive(Debug, Clone)]
pub enum Pool {
    /// Embedded SQLite in WAL mode.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// What the clones of one [`Db`] share besides the pool.
#[derive(Debug, Default)]
pub struct Shared {
    /// SQLite's writer, made on the first write.
    pub(crate) writer: crate::writer::Slot,
    /// Wakes the audit sealer after a PostgreSQL commit (a signal, not state: an extra
    /// one costs a read).
    pub(crate) sealer: tokio::sync::Notify,
}

/// A borrowed connection of either kind; repositories take this.
#[derive(Debug)]
pub enum Conn<'c> {
    /// SQLite.
    Sqlite(&'c mut SqliteConnection),
    /// PostgreSQL.
    Postgres(&'c mut PgConnection),
}

/// Runs the same statement text on whichever connection `$conn` holds.
/// `$c` is bound to `&mut SqliteConnection` or `&mut PgConnection`.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Postgres($c) => $body,
        }
    };
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
#[derive(Debug)]
pub enum Tx {
    /// A write on SQLite: the request's turn on the writer connection (group commit,
    /// see [`crate::writer`]).
    SqliteWrite(crate::writer::Turn),
    /// A read snapshot on SQLite (backups).
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL, with the sealer to wake once it commits.
    Postgres(Transaction<'static, Postgres>, Arc<Shared>),
}

impl Tx {
    /// The transaction's connection, for a repository call.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::SqliteWrite(t) => Conn::Sqlite(t.conn()),
            Self::Sqlite(t) => Conn::Sqlite(&mut *t),
            Self::Postgres(t, _) => Conn::Postgres(&mut *t),
        }
    }

    /// Makes the changes durable: returns once they are on disk.
    pub async fn commit(self) -> Result<(), StorageError> {
        match self {
            Self::SqliteWrite(t) => t.commit().await?,
            Self::Sqlite(t) => t.commit().await?,
            Self::Postgres(t, shared) => {
                t.commit().await?;
                // The change may have recorded audit events to be linked.
                shared.sealer.notify_one();
            }
        }
        Ok(())
    }
}

/// A connection taken from the pool for reads outside a transaction.
#[derive(Debug)]
pub enum Pooled {
    /// SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

impl Pooled {
    /// The connection, for a repository call.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(&mut *c),
            Self::Postgres(c) => Conn::Postgres(&mut *c),
        }
    }
}

impl Db {
    fn new(pool: Pool) -> Self {
        Self {
            pool,
            shared: Arc::default(),
        }
    }

    /// The pool, for statements outside the repositories (tests, tools).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Waits until a PostgreSQL write committed (or at most `at_most`): what the audit
    /// sealer sleeps on.
    pub(crate) async fn committed(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.shared.sealer.notified()).await;
    }

    /// Opens (creating if missing) the SQLite database at `path`: WAL journal, foreign
    /// keys enforced, full fsync on commit, and a busy timeout so writers queue instead
    /// of failing.
    pub async fn open_sqlite(path: &Path) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StorageError::Config(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // An embedded connection cannot go away, so it is not pinged before each use
        // (sqlx's default): that ping is a hand-off to the connection's thread and back,
        // paid several times per request.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await?;
        Ok(Self::new(Pool::Sqlite(pool)))
    }

    /// Connects to PostgreSQL at `url`.
    pub async fn open_postgres(url: &str) -> Result<Self, StorageError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StorageError::Config(format!("DATABASE_URL: {e}")))?;
        // A server connection is pinged before use only after it sat idle for a while
        // (the server or a proxy may have closed it), not on every acquire: a ping is a
        // round trip, paid several times per request.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_IDLE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await?;
        Ok(Self::new(Pool::Postgres(pool)))
    }

    /// Opens the database a URL names: `postgres://…` or `sqlite://path`.
    pub async fn open_url(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url).await
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            Self::open_sqlite(Path::new(path)).await
        } else {
            Err(StorageError::Config(
                "DATABASE_URL must start with postgres://, postgresql:// or sqlite://".to_owned(),
            ))
        }
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        match &self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations of this backend's tree, then brings the audit trail
    /// to the current format ([`crate::repo::audit::upgrade`]; a read when it is).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        crate::repo::audit::upgrade(self).await?;
        Ok(())
    }

    /// Applies this backend's migrations up to and including `version` only: a restore
    /// loads rows into the schema they were backed up from, then applies the rest.
    pub async fn migrate_to(&self, version: i64) -> Result<(), StorageError> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run_to(version, p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run_to(version, p).await?,
        }
        Ok(())
    }

    /// The newest migration this build knows for this backend.
    pub fn latest_migration(&self) -> i64 {
        let migrator = match &self.pool {
            Pool::Sqlite(_) => &SQLITE_MIGRATIONS,
            Pool::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Starts a transaction.
    ///
    /// On SQLite it is the request's turn on the one writer connection, inside the batch
    /// of requests that will be committed together (see [`crate::writer`]); the batch
    /// holds the write lock from its start (`BEGIN IMMEDIATE`), since a deferred
    /// transaction that reads and then writes fails when another writer committed in
    /// between.
    ///
    /// On PostgreSQL transactions run side by side (READ COMMITTED). Each change takes
    /// the row locks of what it changes before it reads what it checks – a protocol or
    /// a meeting first, then a commission, then applications (in ascending id order) –
    /// so that a check stays true until its change commits and no two changes wait for
    /// each other in a circle; audit events wait in
    /// `audit_pending` for [`crate::repo::audit::seal`] instead of taking turns on the
    /// chain's head.
    pub async fn begin(&self) -> Result<Tx, StorageError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::SqliteWrite(self.shared.writer.begin(p).await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?, Arc::clone(&self.shared)),
        })
    }

    /// A read-only transaction that sees one instant of the database (backups, the
    /// audit chain's verification); writers are not blocked.
    pub async fn snapshot(&self) -> Result<Tx, StorageError> {
        Ok(match &self.pool {
            // Deferred: the WAL snapshot is taken at the first read and kept to the end.
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN DEFERRED").await?),
            Pool::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
                Arc::clone(&self.shared),
            ),
        })
    }

    /// Takes a connection for reads.
    pub async fn acquire(&self) -> Result<Pooled, StorageError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Pooled::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StorageError> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(drop)?,
            Pool::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(drop)?,
        }
        Ok(())
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => {
                self.shared.writer.forget();
                p.close().await;
            }
            Pool::Postgres(p) => p.close().await,
        }
    }
}

impl Conn<'_> {
    /// Borrows the connection again for another statement in the same function.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(c),
            Self::Postgres(c) => Conn::Postgres(c),
        }
    }
}

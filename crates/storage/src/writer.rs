//! Group commit for SQLite: one writer connection, requests in turn, one `COMMIT` (one
//! disk flush) for all the requests that queued up while the previous ones ran.
//!
//! SQLite has one writer at a time, and through sqlx every statement is a hand-off to
//! the connection's worker thread. Measured on the build machine (docs/performance.md),
//! a durable transaction per request spent most of its time waiting: for the disk
//! flush, and – with several connections racing for the write lock – in SQLite's busy
//! handler, which sleeps 1, 2, 5 … 100 ms between tries while holding a pool connection.
//!
//! Here every write of this process takes its turn on one connection (first come, first
//! served; readers use the rest of the pool). The first request of a batch opens
//! `BEGIN IMMEDIATE`; each request runs inside `SAVEPOINT request`, so a request that
//! fails or is abandoned rolls back only its own changes. When a request has released
//! its savepoint and nobody is queued behind it (or the batch is full), it commits the
//! batch; otherwise it hands the turn on and waits for the batch's commit. **No request
//! is answered before the `COMMIT` that makes it durable has returned**; if that commit
//! fails, every request of the batch gets the error.
//!
//! Everything that changes the writer's state (opening, releasing, committing, rolling
//! back) runs in a spawned task that owns the turn, so that a request abandoned halfway
//! (a client that disconnects) can never leave the state out of step with the
//! connection. A request waiting for its batch's commit also checks every few
//! milliseconds that the batch has not been left without anyone to commit it (the
//! request queued behind it was abandoned), and commits it itself if so.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{OwnedMutexGuard, watch};

use crate::StorageError;

/// Requests committed together at most.
const MAX_BATCH: usize = 64;
/// How long a request waits for its batch's commit before checking the batch still has
/// someone to commit it.
const WATCH_EVERY: Duration = Duration::from_millis(5);
/// Failed batches remembered for the requests still waiting on them.
const FAILURES_KEPT: usize = 64;

/// The writer of one SQLite database file.
pub(crate) struct Writer {
    turn: Arc<tokio::sync::Mutex<Batch>>,
    /// Requests waiting for their turn.
    queued: AtomicUsize,
    /// The number of the last batch that ended (committed or failed).
    ended: watch::Sender<u64>,
    /// Batches whose commit failed, with the error.
    failures: Mutex<VecDeque<(u64, String)>>,
}

/// The writer connection and the batch being built on it.
pub(crate) struct Batch {
    conn: PoolConnection<Sqlite>,
    /// A transaction is open on `conn`.
    open: bool,
    /// The batch being built (or the last one built).
    number: u64,
    /// Requests whose changes are in the open batch.
    members: usize,
}

impl Batch {
    async fn run(&mut self, sql: &'static str) -> Result<(), StorageError> {
        sqlx::raw_sql(sql).execute(&mut *self.conn).await?;
        Ok(())
    }
}

/// A request's turn: the writer connection inside the request's savepoint.
pub struct Turn {
    writer: Arc<Writer>,
    batch: Option<OwnedMutexGuard<Batch>>,
}

impl std::fmt::Debug for Turn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Turn")
    }
}

type Registry = Mutex<HashMap<PathBuf, Arc<Writer>>>;
static WRITERS: LazyLock<Registry> = LazyLock::new(Mutex::default);

fn registry() -> std::sync::MutexGuard<'static, HashMap<PathBuf, Arc<Writer>>> {
    WRITERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn file_of(pool: &SqlitePool) -> PathBuf {
    pool.connect_options().get_filename().to_path_buf()
}

/// The writer of the file behind `pool`, created (with a connection of the pool) on
/// first use.
async fn writer_for(pool: &SqlitePool) -> Result<Arc<Writer>, StorageError> {
    let file = file_of(pool);
    if let Some(w) = registry().get(&file) {
        return Ok(Arc::clone(w));
    }
    let conn = pool.acquire().await?;
    let fresh = Arc::new(Writer {
        turn: Arc::new(tokio::sync::Mutex::new(Batch {
            conn,
            open: false,
            number: 0,
            members: 0,
        })),
        queued: AtomicUsize::new(0),
        ended: watch::Sender::new(0),
        failures: Mutex::new(VecDeque::new()),
    });
    // Another request may have created one meanwhile: use that, and return ours.
    Ok(Arc::clone(registry().entry(file).or_insert(fresh)))
}

/// Forgets the writer of the file behind `pool`, giving its connection back (before the
/// pool is closed).
pub(crate) fn forget(pool: &SqlitePool) {
    registry().remove(&file_of(pool));
}

/// Counts a request in the queue while it waits for its turn, also when it is
/// abandoned while waiting.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Self(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits for the turn and opens the request's savepoint (and the batch, if none is
/// open).
pub(crate) async fn begin(pool: &SqlitePool) -> Result<Turn, StorageError> {
    let writer = writer_for(pool).await?;
    let batch = {
        let _queued = Queued::new(&writer.queued);
        Arc::clone(&writer.turn).lock_owned().await
    };
    let batch = spawn(async move {
        let mut batch = batch;
        if !batch.open {
            batch.run("BEGIN IMMEDIATE").await?;
            batch.open = true;
            batch.number += 1;
            batch.members = 0;
        }
        if let Err(e) = batch.run("SAVEPOINT request").await {
            close_if_empty(&mut batch).await;
            return Err(e);
        }
        Ok(batch)
    })
    .await?;
    Ok(Turn {
        writer,
        batch: Some(batch),
    })
}

/// Runs a state change of the writer to its end even if the request is abandoned.
async fn spawn<T: Send + 'static>(
    f: impl Future<Output = Result<T, StorageError>> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::spawn(f)
        .await
        .map_err(|e| StorageError::Config(format!("the database writer stopped: {e}")))?
}

/// Ends an open batch that holds no request's changes, so that the write lock is not
/// kept for nothing.
async fn close_if_empty(batch: &mut Batch) {
    if batch.open && batch.members == 0 {
        if let Err(e) = batch.run("ROLLBACK").await {
            tracing::warn!(error = %e, "ending an empty write batch failed");
        }
        batch.open = false;
    }
}

impl Writer {
    /// Commits the open batch and tells its requests.
    async fn commit(&self, batch: &mut Batch) -> Result<(), StorageError> {
        let result = batch.run("COMMIT").await;
        if result.is_err() {
            // Leave no transaction behind (a failed COMMIT may leave it open).
            let _ = batch.run("ROLLBACK").await;
        }
        batch.open = false;
        if let Err(e) = &result {
            let mut failures = self
                .failures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            failures.push_back((batch.number, e.to_string()));
            while failures.len() > FAILURES_KEPT {
                failures.pop_front();
            }
        }
        self.ended.send_replace(batch.number);
        result
    }

    /// How batch `number` ended.
    fn outcome(&self, number: u64) -> Result<(), StorageError> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match failures.iter().find(|(n, _)| *n == number) {
            Some((_, e)) => Err(StorageError::Config(format!(
                "the changes could not be saved: {e}"
            ))),
            None => Ok(()),
        }
    }

    /// Waits until batch `number` has ended, committing it if it was left without
    /// anyone to do so.
    async fn wait_for(self: &Arc<Self>, number: u64) -> Result<(), StorageError> {
        let mut ended = self.ended.subscribe();
        loop {
            if *ended.borrow_and_update() >= number {
                return self.outcome(number);
            }
            tokio::select! {
                changed = ended.changed() => {
                    if changed.is_err() {
                        return Err(StorageError::Config("the database writer stopped".into()));
                    }
                }
                () = tokio::time::sleep(WATCH_EVERY) => {
                    let Ok(batch) = Arc::clone(&self.turn).try_lock_owned() else { continue };
                    if batch.open && batch.number == number && self.queued.load(Ordering::SeqCst) == 0 {
                        let writer = Arc::clone(self);
                        let _ = spawn(async move {
                            let mut batch = batch;
                            writer.commit(&mut batch).await
                        })
                        .await;
                    }
                }
            }
        }
    }
}

impl Turn {
    /// The writer connection, inside the request's savepoint.
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        match self.batch.as_mut() {
            Some(b) => &mut b.conn,
            // Only `commit` (which consumes the turn) and `drop` take the batch.
            None => unreachable!("a write turn is used after it ended"),
        }
    }

    /// Keeps the request's changes and returns once they are durable.
    pub(crate) async fn commit(mut self) -> Result<(), StorageError> {
        let Some(batch) = self.batch.take() else {
            return Err(StorageError::Config(
                "the write turn was already used".into(),
            ));
        };
        let writer = Arc::clone(&self.writer);
        let waiting_for = spawn(async move {
            let mut batch = batch;
            if let Err(e) = batch.run("RELEASE request").await {
                let _ = batch.run("ROLLBACK TO request").await;
                let _ = batch.run("RELEASE request").await;
                close_if_empty(&mut batch).await;
                return Err(e);
            }
            batch.members += 1;
            if writer.queued.load(Ordering::SeqCst) == 0 || batch.members >= MAX_BATCH {
                writer.commit(&mut batch).await?;
                return Ok(None);
            }
            // Others are queued: the batch goes on with them; the turn is handed on
            // when `batch` is dropped here.
            Ok(Some(batch.number))
        })
        .await?;
        match waiting_for {
            None => Ok(()),
            Some(number) => self.writer.wait_for(number).await,
        }
    }
}

impl Drop for Turn {
    /// A request that ends without committing: its changes are rolled back (only its
    /// own), then the batch goes on, or is committed if nobody is queued.
    fn drop(&mut self) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        let writer = Arc::clone(&self.writer);
        let undo = async move {
            let mut batch = batch;
            let _ = batch.run("ROLLBACK TO request").await;
            let _ = batch.run("RELEASE request").await;
            if batch.members > 0 && writer.queued.load(Ordering::SeqCst) == 0 {
                let _ = writer.commit(&mut batch).await;
            }
            close_if_empty(&mut batch).await;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(undo);
            }
            Err(_) => tracing::warn!("a write was abandoned outside the runtime"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use crate::{Db, Tx};

    async fn fresh(name: &str) -> Result<(Db, std::path::PathBuf), crate::StorageError> {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tanu-writer-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let db = Db::open_sqlite(&dir.join("w.db")).await?;
        if let Db::Sqlite(p) = &db {
            sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL UNIQUE)")
                .execute(p)
                .await?;
        }
        Ok((db, dir))
    }

    async fn insert(tx: &mut Tx, v: i64) -> Result<(), crate::StorageError> {
        if let crate::Conn::Sqlite(c) = tx.conn() {
            sqlx::query("INSERT INTO t (v) VALUES ($1)")
                .bind(v)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    }

    async fn values(db: &Db) -> Vec<i64> {
        match db {
            Db::Sqlite(p) => sqlx::query_scalar("SELECT v FROM t ORDER BY v")
                .fetch_all(p)
                .await
                .unwrap_or_default(),
            Db::Postgres(_) => Vec::new(),
        }
    }

    /// Many writers at once: each one answered with success is there, also after the
    /// database is closed and opened again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_all_kept() -> Result<(), crate::StorageError> {
        let (db, dir) = fresh("concurrent").await?;
        let mut tasks = Vec::new();
        for v in 0..300 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await?;
                insert(&mut tx, v).await?;
                tx.commit().await
            }));
        }
        for t in tasks {
            assert!(matches!(t.await, Ok(Ok(()))));
        }
        assert_eq!(values(&db).await, (0..300).collect::<Vec<_>>());
        db.close().await;
        let again = Db::open_sqlite(&dir.join("w.db")).await?;
        assert_eq!(values(&again).await.len(), 300);
        again.close().await;
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    /// A request that fails or is dropped undoes only its own changes; the requests
    /// batched with it keep theirs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_request_rolls_back_alone() -> Result<(), crate::StorageError> {
        let (db, dir) = fresh("rollback").await?;
        let mut tasks = Vec::new();
        for v in 0..120i64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await?;
                insert(&mut tx, v).await?;
                match v % 3 {
                    // Dropped without commit.
                    0 => Ok(false),
                    // Fails on a unique value after its own insert.
                    1 => {
                        insert(&mut tx, v).await?;
                        Ok(true)
                    }
                    _ => tx.commit().await.map(|()| true),
                }
            }));
        }
        let mut kept = Vec::new();
        for (v, t) in (0..120i64).zip(tasks) {
            match t.await {
                Ok(Ok(true)) => kept.push(v),
                Ok(Ok(false) | Err(_)) => {}
                Err(e) => panic!("task: {e}"),
            }
        }
        assert_eq!(kept, (0..120).filter(|v| v % 3 == 2).collect::<Vec<_>>());
        assert_eq!(values(&db).await, kept);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    /// Requests abandoned at any point (a client that hangs up) never leave a batch
    /// without a commit: every request answered with success is kept, and the writer
    /// goes on.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn abandoned_requests_leave_nothing_hanging() -> Result<(), crate::StorageError> {
        let (db, dir) = fresh("abandoned").await?;
        let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for v in 0..200i64 {
            let (db, answered) = (db.clone(), answered.clone());
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await?;
                insert(&mut tx, v).await?;
                tx.commit().await?;
                answered.lock().map(|mut a| a.push(v)).ok();
                Ok::<(), crate::StorageError>(())
            }));
        }
        // Abandon every fourth request wherever it is.
        tokio::task::yield_now().await;
        for (i, t) in tasks.iter().enumerate() {
            if i % 4 == 0 {
                t.abort();
            }
        }
        for t in tasks {
            let _ = t.await;
        }
        // The writer still works, promptly.
        let last = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            let mut tx = db.begin().await?;
            insert(&mut tx, 1000).await?;
            tx.commit().await
        })
        .await;
        assert!(matches!(last, Ok(Ok(()))), "the writer is stuck");
        let stored = values(&db).await;
        let answered = answered.lock().map(|a| a.clone()).unwrap_or_default();
        for v in &answered {
            assert!(stored.contains(v), "{v} was answered but is not stored");
        }
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }
}

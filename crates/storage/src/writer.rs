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

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Batches whose commit failed, with the error, and the newest batch whose
    /// outcome was forgotten to keep the list short.
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    recent: VecDeque<(u64, String)>,
    forgotten_up_to: u64,
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

impl Drop for Batch {
    /// A writer forgotten with a batch open (its database closed meanwhile) closes its
    /// connection rather than give it back to the pool inside a transaction.
    fn drop(&mut self) {
        if self.open {
            self.conn.close_on_drop();
        }
    }
}

impl Batch {
    async fn run(&mut self, sql: &'static str) -> Result<(), StorageError> {
        sqlx::raw_sql(sql).execute(&mut *self.conn).await?;
        Ok(())
    }
}

/// Whether the writer connection is inside a transaction. `BEGIN` fails inside one; a
/// probe that succeeds is undone at once.
async fn in_transaction(batch: &mut Batch) -> bool {
    match batch.run("BEGIN").await {
        Ok(()) => {
            let _ = batch.run("ROLLBACK").await;
            false
        }
        Err(_) => true,
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

/// Where a [`crate::Db`] keeps its writer: empty until the first write.
#[derive(Default)]
pub(crate) struct Slot(Mutex<Option<Arc<Writer>>>);

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot")
    }
}

impl Slot {
    fn held(&self) -> std::sync::MutexGuard<'_, Option<Arc<Writer>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for the turn and opens the request's savepoint (and the batch, if none is
    /// open).
    pub(crate) async fn begin(&self, pool: &SqlitePool) -> Result<Turn, StorageError> {
        begin(self.writer(pool).await?).await
    }

    /// The writer, created (with a connection of the pool) on first use.
    async fn writer(&self, pool: &SqlitePool) -> Result<Arc<Writer>, StorageError> {
        if let Some(w) = self.held().as_ref() {
            return Ok(Arc::clone(w));
        }
        let fresh = Arc::new(Writer::new(pool.acquire().await?));
        // Another request may have made one meanwhile: use that, and drop ours.
        Ok(Arc::clone(self.held().get_or_insert(fresh)))
    }

    /// Forgets the writer, giving its connection back (before the pool is closed).
    pub(crate) fn forget(&self) {
        self.held().take();
    }
}

impl Writer {
    fn new(conn: PoolConnection<Sqlite>) -> Self {
        Self {
            turn: Arc::new(tokio::sync::Mutex::new(Batch {
                conn,
                open: false,
                number: 0,
                members: 0,
            })),
            queued: AtomicUsize::new(0),
            ended: watch::Sender::new(0),
            failures: Mutex::new(Failures::default()),
        }
    }
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

/// Waits for `writer`'s turn and opens the request's savepoint (and the batch, if none
/// is open).
async fn begin(writer: Arc<Writer>) -> Result<Turn, StorageError> {
    let batch = {
        let _queued = Queued::new(&writer.queued);
        Arc::clone(&writer.turn).lock_owned().await
    };
    // The turn is made inside the task: if this request is abandoned meanwhile, the
    // task's result – the turn – is dropped, which rolls its savepoint back.
    spawn(async move {
        let mut batch = batch;
        if !batch.open {
            batch.run("BEGIN IMMEDIATE").await?;
            batch.open = true;
            batch.number += 1;
            batch.members = 0;
        }
        if let Err(e) = batch.run("SAVEPOINT request").await {
            writer.end_dead_or_empty(&mut batch).await;
            return Err(e);
        }
        Ok(Turn {
            writer,
            batch: Some(batch),
        })
    })
    .await
}

/// Runs a state change of the writer to its end even if the request is abandoned.
async fn spawn<T: Send + 'static>(
    f: impl Future<Output = Result<T, StorageError>> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::spawn(f)
        .await
        .map_err(|e| StorageError::Config(format!("the database writer stopped: {e}")))?
}

impl Writer {
    /// After a request's savepoint could not be opened, released or rolled back: an
    /// open batch that holds nobody's changes is ended, so that the write lock is not
    /// kept for nothing; one that does is ended too if the connection says the
    /// transaction is gone (SQLite rolls back the whole transaction on errors such as
    /// a full disk), failing its requests instead of letting later ones run outside it.
    async fn end_dead_or_empty(&self, batch: &mut Batch) {
        if !batch.open {
            return;
        }
        if batch.members == 0 {
            if let Err(e) = batch.run("ROLLBACK").await {
                tracing::warn!(error = %e, "ending an empty write batch failed");
            }
            batch.open = false;
        } else if !in_transaction(batch).await {
            let _ = self.commit(batch).await;
        }
    }

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
            failures.recent.push_back((batch.number, e.to_string()));
            while failures.recent.len() > FAILURES_KEPT {
                if let Some((n, _)) = failures.recent.pop_front() {
                    failures.forgotten_up_to = n;
                }
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
        match failures.recent.iter().find(|(n, _)| *n == number) {
            Some((_, e)) => Err(StorageError::Config(format!(
                "the changes could not be saved: {e}"
            ))),
            // Too old to know: never claim success for it.
            None if number <= failures.forgotten_up_to => Err(StorageError::Config(
                "the changes may not have been saved".to_owned(),
            )),
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
        // All in one task, the wait for the batch's commit included: a request abandoned
        // here still watches its batch to the end.
        spawn(async move {
            let mut batch = batch;
            if let Err(e) = batch.run("RELEASE request").await {
                let undone = batch.run("ROLLBACK TO request").await.is_ok()
                    && batch.run("RELEASE request").await.is_ok();
                if !undone {
                    // The transaction itself is gone: end the batch as failed.
                    let _ = writer.commit(&mut batch).await;
                }
                writer.end_dead_or_empty(&mut batch).await;
                return Err(e);
            }
            batch.members += 1;
            if writer.queued.load(Ordering::SeqCst) == 0 || batch.members >= MAX_BATCH {
                return writer.commit(&mut batch).await;
            }
            // Others are queued: the batch goes on with them; the turn is handed on.
            let number = batch.number;
            drop(batch);
            writer.wait_for(number).await
        })
        .await
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
            let undone = batch.run("ROLLBACK TO request").await.is_ok()
                && batch.run("RELEASE request").await.is_ok();
            if !undone || (batch.members > 0 && writer.queued.load(Ordering::SeqCst) == 0) {
                let _ = writer.commit(&mut batch).await;
            }
            writer.end_dead_or_empty(&mut batch).await;
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

    use crate::{Db, Pool, Tx};

    async fn fresh(name: &str) -> Result<(Db, std::path::PathBuf), crate::StorageError> {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tanu-writer-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let db = Db::open_sqlite(&dir.join("w.db")).await?;
        if let Pool::Sqlite(p) = db.pool() {
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
        match db.pool() {
            Pool::Sqlite(p) => sqlx::query_scalar("SELECT v FROM t ORDER BY v")
                .fetch_all(p)
                .await
                .unwrap_or_default(),
            Pool::Postgres(_) => Vec::new(),
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
        // Once the survivors are answered, nothing holds the write lock: another
        // connection (as another process would) writes at once.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        {
            use sqlx::ConnectOptions;
            let mut other = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.join("w.db"))
                .busy_timeout(std::time::Duration::from_millis(500))
                .connect()
                .await?;
            let free = sqlx::raw_sql("BEGIN IMMEDIATE; ROLLBACK")
                .execute(&mut other)
                .await;
            assert!(free.is_ok(), "the write lock is still held: {free:?}");
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

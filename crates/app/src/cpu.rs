//! CPU-heavy work – password hashing (Argon2id: tens of milliseconds and 19 MiB each),
//! PDF typesetting (about 100 ms and tens of MiB each) – runs on the blocking pool, never
//! on the threads that serve requests, and at most one job per core at a time: the rest
//! queue here. Under a burst (many sign-ups, many protocol previews) requests then wait
//! in line instead of all computing at once, which took no less time in all and held
//! every job's memory at the same moment.

use crate::AppError;

fn turns() -> std::sync::Arc<tokio::sync::Semaphore> {
    static TURNS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    std::sync::Arc::clone(TURNS.get_or_init(|| {
        std::sync::Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ))
    }))
}

/// Runs `job` on the blocking pool when a core is free for it.
pub(crate) async fn in_turn<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    // The turn goes with the job: a caller that is abandoned does not free the core
    // while its job still runs.
    let turn = turns()
        .acquire_owned()
        .await
        .map_err(|e| AppError::other(anyhow::Error::new(e).context("no worker for the job")))?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        job()
    })
    .await
    .map_err(|e| AppError::other(anyhow::Error::new(e).context("the job stopped")))
}

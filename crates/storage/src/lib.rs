//! Persistence for Tanu.
//!
//! One code base over SQLite (the embedded default) and PostgreSQL: [`Db`] holds one
//! concrete pool of either kind, repositories write their SQL once in the subset both
//! understand and run it through [`on_conn!`], which compiles the same statement for
//! each driver. Each backend has its own migration tree; a test keeps the two schemas
//! equivalent. Files go to an [`Objects`] store: a local folder, S3, or memory.
//!
//! This crate knows tables and rows, not rules: it never decides whether something is
//! allowed.

pub mod db;
pub mod error;
pub mod objects;
pub mod repo;
pub mod schema;

pub use db::{Backend, Conn, Db, Tx};
pub use error::StorageError;
pub use objects::{Objects, ObjectsConfig};

/// Current time truncated to microseconds, the precision both databases keep, so a
/// value read back equals the value written.
pub fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

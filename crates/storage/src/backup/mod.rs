//! A consistent online backup of the database and the files, and its restore – on
//! either database, into either database.
//!
//! A backup is a folder:
//!
//! ```text
//! tanu-backup-20261125T213341Z/
//!   manifest.json          format, versions, backend, time; per table its row count,
//!                          columns and the SHA-256 of its rows; per file key, size, SHA-256
//!   db/<table>.jsonl       one JSON object per row, columns by name, in primary-key order
//!                          (empty for the secrets of [`LEFT_OUT`])
//!   files/<object key>     every file a row refers to
//! ```
//!
//! All tables are read in one read transaction (a WAL snapshot on SQLite, `REPEATABLE
//! READ` on PostgreSQL), so the rows are those of one instant while the server goes on
//! writing. Files are copied afterwards: a stored file never changes (keys are random),
//! so the ones the snapshot's rows name are the ones it saw; each is checked against the
//! SHA-256 its row records. The folder is written as `<name>.partial` and renamed when
//! complete. The installation's signing key is not part of it (it is a secret kept
//! outside the database).
//!
//! Given public keys (age recipients), every file of the folder is encrypted to them as
//! it is written, named with `.age` added ([`encryption`]); restore then needs a
//! matching identity file, decrypts as it reads, and refuses without one.
//!
//! Restore checks the whole backup before it writes anything, then migrates the new
//! database to the backup's schema version, stores the files, loads every row in one
//! transaction, applies any newer migrations, and checks counts and file hashes again.
//! It knows tables and rows, not rules.

mod create;
pub mod encryption;
mod files;
mod restore;
mod rows;
mod tables;

pub use create::backup;
pub use encryption::{Identities, Recipients};
pub use restore::restore;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::StorageError;
use files::Digested;

/// The `format` of a manifest.
pub const FORMAT: &str = "tanu-backup";
/// The version of the folder layout and row encoding this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
pub(crate) const MANIFEST: &str = "manifest.json";
pub(crate) const DB_DIR: &str = "db";
pub(crate) const FILES_DIR: &str = "files";
/// Tables that hold rows before anyone used the database: the audit chain's head
/// (inserted by its migration) and the shipped rule sets (seeded at start-up). Restore
/// replaces their rows; any other row makes the target "not empty".
pub(crate) const SEEDED: [&str; 2] = ["audit_head", "rule_sets"];
/// Tables whose rows a backup leaves out (their files are written empty): secrets that
/// open accounts – sessions, API tokens, verification and reset links, remembered
/// browsers – and the throttles' counters. A restored installation asks everyone to sign
/// in again. Staff invitations stay: a post not yet accepted has no other way to be
/// accepted, and each is a single-use hash that expires.
pub const LEFT_OUT: [&str; 6] = [
    "sessions",
    "api_tokens",
    "account_tokens",
    "known_devices",
    "login_failures",
    "rate_events",
];
/// Columns that make a table one that refers to stored files.
pub(crate) const FILE_KEY: &str = "object_key";
pub(crate) const FILE_SHA256: &str = "sha256";
/// Set on a row whose file retention or erasure deleted: it refers to none.
pub(crate) const FILE_PURGED: &str = "purged_at";

/// The stored file a row refers to, as its key and SHA-256: none when the row has no
/// file columns, or its file was purged.
pub(crate) fn file_of(row: &serde_json::Map<String, serde_json::Value>) -> Option<(&str, &str)> {
    use serde_json::Value;
    if row.get(FILE_PURGED).is_some_and(|v| !v.is_null()) {
        return None;
    }
    match (row.get(FILE_KEY), row.get(FILE_SHA256)) {
        (Some(Value::String(key)), Some(Value::String(sha256))) => Some((key, sha256)),
        _ => None,
    }
}

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database or the object store failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Reading or writing the backup folder failed (the cause is the error's source).
    #[error("{what}")]
    Io {
        /// Which file or folder.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The backup (or the data it is made of) is not what it claims to be.
    #[error("{0}")]
    Invalid(String),
    /// The operation would overwrite something, or cannot work with this build.
    #[error("{0}")]
    Refused(String),
}

impl BackupError {
    pub(crate) fn io(what: impl fmt::Display, source: std::io::Error) -> Self {
        Self::Io {
            what: what.to_string(),
            source,
        }
    }
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        Self::Storage(e.into())
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the build that wrote it.
    pub format_version: u32,
    /// The Tanu version that wrote it.
    pub tanu_version: String,
    /// The database it was taken from: `sqlite` or `postgres`.
    pub backend: String,
    /// The newest migration applied to that database.
    pub schema_version: i64,
    /// When the backup was taken (RFC 3339).
    pub created_at: String,
    /// Every table, in an order in which rows can be inserted.
    pub tables: Vec<TableEntry>,
    /// Every file the rows refer to.
    pub files: Vec<FileEntry>,
}

/// One table of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEntry {
    /// Table name; its rows are in `db/<name>.jsonl`.
    pub name: String,
    /// Number of rows.
    pub rows: u64,
    /// SHA-256 of `db/<name>.jsonl`.
    pub sha256: String,
    /// Columns with their value type (`integer`, `boolean`, `text`, `timestamp`, `date`).
    pub columns: Vec<ColumnEntry>,
}

/// One column of a backed-up table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnEntry {
    /// Column name.
    pub name: String,
    /// Value type in the source database.
    #[serde(rename = "type")]
    pub kind: String,
}

/// One file of a backup, at `files/<key>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Object key in the store.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

impl FileEntry {
    pub(crate) fn digest(&self) -> Digested {
        Digested {
            sha256: self.sha256.clone(),
            size: self.size,
        }
    }
}

/// What a backup or restore moved.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The backup folder.
    pub path: PathBuf,
    /// Tables.
    pub tables: usize,
    /// Rows over all tables.
    pub rows: u64,
    /// Files.
    pub files: usize,
    /// Bytes of the backup: rows and files.
    pub bytes: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} tables, {} rows, {} files, {} bytes",
            self.tables, self.rows, self.files, self.bytes
        )
    }
}

/// The summary of the backup in `dir` that `manifest` describes.
pub(crate) fn summary_of(manifest: &Manifest, dir: &Path, bytes: u64) -> Summary {
    Summary {
        path: dir.to_owned(),
        tables: manifest.tables.len(),
        rows: manifest.tables.iter().map(|t| t.rows).sum(),
        files: manifest.files.len(),
        bytes,
    }
}

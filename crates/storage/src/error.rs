//! The one error type of the storage layer.

/// What went wrong talking to the database or the object store.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A unique constraint refused the row; the name says which.
    #[error("duplicate value for {0}")]
    Unique(String),
    /// A foreign key refused the row.
    #[error("referenced row does not exist: {0}")]
    ForeignKey(String),
    /// No row where one was required.
    #[error("row not found")]
    NotFound,
    /// The database gave up on the statement because other transactions held what it
    /// needed (PostgreSQL: a deadlock, a serialization failure or a lock not available;
    /// SQLite: busy or locked, with their extended codes). Nothing was changed; the same request may be sent again.
    #[error("database busy: {0}")]
    Contention(#[source] sqlx::Error),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    /// Migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The object store failed.
    #[error("object store: {0}")]
    Objects(#[from] object_store::Error),
    /// Configuration that cannot work.
    #[error("storage configuration: {0}")]
    Config(String),
    /// The operating system gave no random bytes.
    #[error("no random bytes: {0}")]
    Random(String),
    /// A stored value that does not parse (the database was edited by hand?).
    #[error("corrupt stored value in {column}: {reason}")]
    Corrupt {
        /// Where it was found.
        column: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Unique(
                db.constraint()
                    .map_or_else(|| db.message().to_owned(), str::to_owned),
            ),
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Self::ForeignKey(
                db.constraint()
                    .map_or_else(|| db.message().to_owned(), str::to_owned),
            ),
            sqlx::Error::Database(db)
                if db.code().is_some_and(|c| {
                    matches!(
                        &*c,
                        "40P01" | "40001" | "55P03" | "5" | "6" | "261" | "262" | "517" | "773"
                    )
                }) =>
            {
                Self::Contention(e)
            }
            _ => Self::Database(e),
        }
    }
}

impl StorageError {
    /// Whether a unique constraint on `what` (a column or constraint name fragment)
    /// refused the row. SQLite names columns (`persons.email`), PostgreSQL constraints
    /// (`persons_email_key`); both contain the table and column names.
    pub fn is_unique_on(&self, table: &str, column: &str) -> bool {
        matches!(self, Self::Unique(c) if c.contains(table) && c.contains(column))
    }
}

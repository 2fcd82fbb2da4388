//! Describes the live schema in backend-neutral terms, so a test can prove that the
//! SQLite and PostgreSQL migration trees produce the same tables, columns and indexes.

use std::collections::BTreeSet;

use crate::{Db, Pool, StorageError};

/// One column: table, name, neutral type class, nullable.
pub type ColumnShape = (String, String, &'static str, bool);

/// The neutral type class of a declared type. Timestamps and dates are text in SQLite.
fn class(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("bool") {
        "boolean"
    } else if t.contains("text") || t.contains("char") || t.contains("timestamp") || t == "date" {
        "text"
    } else if t.contains("bytea") || t.contains("blob") {
        "bytes"
    } else {
        "other"
    }
}

/// Every column of every table (migration bookkeeping excluded), sorted.
pub async fn columns(db: &Db) -> Result<BTreeSet<ColumnShape>, StorageError> {
    let rows: Vec<(String, String, String, bool)> = match db.pool() {
        Pool::Sqlite(p) => {
            sqlx::query_as(
                "SELECT m.name, c.name, c.type, (c.\"notnull\" = 0 AND c.pk = 0) \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await?
        }
        Pool::Postgres(p) => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES' \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(t, c, ty, null)| (t, c, class(&ty), null))
        .collect())
}

/// Names of the explicitly created indexes (not those behind keys and UNIQUE).
pub async fn indexes(db: &Db) -> Result<BTreeSet<String>, StorageError> {
    let names: Vec<String> =
        match db.pool() {
            Pool::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Postgres(p) => sqlx::query_scalar(
                "SELECT i.indexname::text FROM pg_indexes i WHERE i.schemaname = current_schema() \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            )
            .fetch_all(p)
            .await?,
        };
    Ok(names.into_iter().collect())
}

//! The live schema as backup and restore see it: every table with its columns, their
//! types, the primary key and identity columns, in an order in which each table comes
//! after the tables it references (the order rows can be inserted in).
//!
//! Read from the database itself, never from a list kept in the code, so that a table a
//! later migration adds is backed up without anyone remembering to.

use std::collections::{BTreeMap, BTreeSet};

use super::BackupError;
use crate::Conn;

/// The table that records applied migrations; the target of a restore is migrated, so
/// it is neither backed up nor loaded.
pub(crate) const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// A column's type, in the terms a backup file uses for its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A 64-bit integer: a JSON number.
    Integer,
    /// A JSON boolean (an integer 0/1 in SQLite).
    Boolean,
    /// A JSON string. In SQLite this includes timestamps and dates, which it keeps as text.
    Text,
    /// PostgreSQL `TIMESTAMPTZ`: a JSON string in RFC 3339, UTC, six fraction digits –
    /// the text SQLite keeps for the same instant.
    Timestamp,
    /// PostgreSQL `DATE`: a JSON string `YYYY-MM-DD`, as SQLite keeps it.
    Date,
}

impl Kind {
    /// The name written to the manifest.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Boolean => "boolean",
            Self::Text => "text",
            Self::Timestamp => "timestamp",
            Self::Date => "date",
        }
    }

    /// The kind of a declared SQLite type; `None` for one that backup cannot carry.
    fn sqlite(declared: &str) -> Option<Self> {
        let t = declared.to_ascii_lowercase();
        if t.contains("int") {
            Some(Self::Integer)
        } else if t.contains("bool") {
            Some(Self::Boolean)
        } else if t.contains("text") || t.contains("char") {
            Some(Self::Text)
        } else {
            None
        }
    }

    /// The kind of a PostgreSQL `information_schema` data type.
    fn postgres(data_type: &str) -> Option<Self> {
        match data_type {
            "bigint" => Some(Self::Integer),
            "boolean" => Some(Self::Boolean),
            "text" | "character varying" => Some(Self::Text),
            "timestamp with time zone" => Some(Self::Timestamp),
            "date" => Some(Self::Date),
            _ => None,
        }
    }
}

/// One column.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Its name.
    pub(crate) name: String,
    /// Its type.
    pub(crate) kind: Kind,
    /// PostgreSQL `GENERATED … AS IDENTITY`: inserted with `OVERRIDING SYSTEM VALUE`,
    /// its sequence moved past the loaded rows afterwards.
    pub(crate) identity: bool,
}

/// One table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Its name.
    pub(crate) name: String,
    /// Its columns in declaration order.
    pub(crate) columns: Vec<Column>,
    /// The primary key's columns (rows are written in this order); empty if none.
    pub(crate) primary_key: Vec<String>,
    /// The other tables its foreign keys point to.
    pub(crate) references: BTreeSet<String>,
}

impl Table {
    /// The column called `name`.
    pub(crate) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// `ORDER BY` over the primary key (every column when there is none), so that a
    /// backup lists rows in the same order on both databases.
    pub(crate) fn order_by(&self) -> String {
        let cols: Vec<&str> = if self.primary_key.is_empty() {
            self.columns.iter().map(|c| c.name.as_str()).collect()
        } else {
            self.primary_key.iter().map(String::as_str).collect()
        };
        cols.iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An identifier in double quotes. Only names from the live schema that passed
/// [`check_identifier`] get here.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

/// Table and column names are built into statements, so only plain identifiers are
/// accepted (every name Tanu's migrations use is one).
pub(crate) fn check_identifier(name: &str) -> Result<(), BackupError> {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        Ok(())
    } else {
        Err(BackupError::Invalid(format!(
            "table or column name {name:?} is not a plain identifier"
        )))
    }
}

/// Every table of the live schema (migration bookkeeping excluded), each after the
/// tables it references, ties broken by name.
pub(crate) async fn tables(conn: Conn<'_>) -> Result<Vec<Table>, BackupError> {
    let (columns, keys, references) = match conn {
        Conn::Sqlite(c) => {
            let columns: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT m.name, c.name, c.type FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> $1 \
                 ORDER BY m.name, c.cid",
            )
            .bind(MIGRATIONS_TABLE)
            .fetch_all(&mut *c)
            .await?;
            let mut typed = Vec::with_capacity(columns.len());
            for (table, column, declared) in columns {
                let kind = Kind::sqlite(&declared)
                    .ok_or_else(|| unsupported(&table, &column, &declared))?;
                typed.push((table, column, kind, false));
            }
            let keys: Vec<(String, String)> = sqlx::query_as(
                "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND c.pk > 0 ORDER BY m.name, c.pk",
            )
            .fetch_all(&mut *c)
            .await?;
            let references: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT m.name, f.\"table\" FROM sqlite_master m \
                 JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
            )
            .fetch_all(&mut *c)
            .await?;
            (typed, keys, references)
        }
        Conn::Postgres(c) => {
            let columns: Vec<(String, String, String, bool)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_identity = 'YES' \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> $1 ORDER BY c.table_name, c.ordinal_position",
            )
            .bind(MIGRATIONS_TABLE)
            .fetch_all(&mut *c)
            .await?;
            let mut typed = Vec::with_capacity(columns.len());
            for (table, column, data_type, identity) in columns {
                let kind = Kind::postgres(&data_type)
                    .ok_or_else(|| unsupported(&table, &column, &data_type))?;
                typed.push((table, column, kind, identity));
            }
            let keys: Vec<(String, String)> = sqlx::query_as(
                "SELECT k.table_name::text, k.column_name::text \
                 FROM information_schema.table_constraints t JOIN information_schema.key_column_usage k \
                 ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name \
                 WHERE t.table_schema = current_schema() AND t.constraint_type = 'PRIMARY KEY' \
                 ORDER BY k.table_name, k.ordinal_position",
            )
            .fetch_all(&mut *c)
            .await?;
            let references: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT t.relname::text, r.relname::text FROM pg_constraint k \
                 JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE k.contype = 'f' AND n.nspname = current_schema()",
            )
            .fetch_all(&mut *c)
            .await?;
            (typed, keys, references)
        }
    };

    let mut by_name: BTreeMap<String, Table> = BTreeMap::new();
    for (table, name, kind, identity) in columns {
        check_identifier(&table)?;
        check_identifier(&name)?;
        by_name
            .entry(table.clone())
            .or_insert_with(|| Table {
                name: table,
                columns: Vec::new(),
                primary_key: Vec::new(),
                references: BTreeSet::new(),
            })
            .columns
            .push(Column {
                name,
                kind,
                identity,
            });
    }
    for (table, column) in keys {
        if let Some(t) = by_name.get_mut(&table) {
            t.primary_key.push(column);
        }
    }
    for (table, referenced) in references {
        if table != referenced
            && let Some(t) = by_name.get_mut(&table)
        {
            t.references.insert(referenced);
        }
    }
    dependency_order(by_name)
}

fn unsupported(table: &str, column: &str, declared: &str) -> BackupError {
    BackupError::Invalid(format!(
        "column {table}.{column} has type {declared}, which backup does not carry yet"
    ))
}

/// Orders tables so that each comes after those it references (Kahn's algorithm, ready
/// tables by name). A cycle is refused: its rows could not be inserted table by table.
fn dependency_order(mut pending: BTreeMap<String, Table>) -> Result<Vec<Table>, BackupError> {
    let mut ordered: Vec<Table> = Vec::with_capacity(pending.len());
    let mut placed: BTreeSet<String> = BTreeSet::new();
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .values()
            .filter(|t| {
                t.references
                    .iter()
                    .all(|r| placed.contains(r) || !pending.contains_key(r))
            })
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            let names: Vec<&str> = pending.keys().map(String::as_str).collect();
            return Err(BackupError::Invalid(format!(
                "foreign keys form a cycle among {}",
                names.join(", ")
            )));
        }
        for name in ready {
            if let Some(t) = pending.remove(&name) {
                placed.insert(name);
                ordered.push(t);
            }
        }
    }
    Ok(ordered)
}

/// The newest migration applied to the database; `None` before the first.
pub(crate) async fn schema_version(conn: Conn<'_>) -> Result<Option<i64>, BackupError> {
    Ok(match conn {
        Conn::Sqlite(c) => {
            let exists: Option<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
            )
            .bind(MIGRATIONS_TABLE)
            .fetch_optional(&mut *c)
            .await?;
            if exists.is_none() {
                return Ok(None);
            }
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut *c)
                .await?
        }
        Conn::Postgres(c) => {
            let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(MIGRATIONS_TABLE)
                .fetch_one(&mut *c)
                .await?;
            if !exists {
                return Ok(None);
            }
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut *c)
                .await?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, references: &[&str]) -> (String, Table) {
        (
            name.to_owned(),
            Table {
                name: name.to_owned(),
                columns: Vec::new(),
                primary_key: Vec::new(),
                references: references.iter().map(|r| (*r).to_owned()).collect(),
            },
        )
    }

    #[test]
    fn tables_come_after_those_they_reference() {
        let tables = BTreeMap::from([
            table("ballots", &["elections", "persons"]),
            table("elections", &["persons"]),
            table("persons", &[]),
            table("audit_head", &[]),
        ]);
        let Ok(order) = dependency_order(tables) else {
            panic!("no cycle")
        };
        let names: Vec<&str> = order.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["audit_head", "persons", "elections", "ballots"]);
    }

    #[test]
    fn a_cycle_is_refused() {
        let tables = BTreeMap::from([table("a", &["b"]), table("b", &["a"]), table("c", &[])]);
        assert!(matches!(
            dependency_order(tables),
            Err(BackupError::Invalid(m)) if m.contains("a, b")
        ));
    }

    #[test]
    fn only_plain_identifiers_are_built_into_statements() {
        assert!(check_identifier("issued_documents").is_ok());
        assert!(check_identifier("_sqlx_migrations").is_ok());
        for bad in ["", "1a", "a\"b", "a b", "a;--", "ә"] {
            assert!(check_identifier(bad).is_err(), "{bad:?}");
        }
    }
}

//! Rows to JSON lines and back: one JSON object per row, columns by name, values typed
//! (numbers, booleans, strings, null), timestamps and dates as the text SQLite keeps –
//! the same file whichever database wrote it, so either can load it.

use futures::TryStreamExt;
use serde_json::{Map, Value};
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Row, Type};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use super::BackupError;
use super::tables::{Column, Kind, Table, quoted};
use crate::{Conn, on_conn};

/// How SQLite keeps an instant (see [`crate::now`]); PostgreSQL values are written so.
const TIMESTAMP: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
/// How SQLite keeps a date.
const DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");
/// Bind parameters per `INSERT`: far below both databases' limits, large enough that
/// a statement carries dozens of rows.
const PARAMS_PER_STATEMENT: usize = 1000;

/// A value ready to bind, typed for the target column.
#[derive(Debug)]
enum Bound {
    Integer(Option<i64>),
    Boolean(Option<bool>),
    Text(Option<String>),
    Timestamp(Option<OffsetDateTime>),
    Date(Option<Date>),
}

/// Writes every row of `table`, in primary-key order, as JSON lines to `out`; calls
/// `each` with every row (to collect the files rows refer to). Returns the row count.
pub(crate) async fn dump<W, F>(
    conn: Conn<'_>,
    table: &Table,
    out: &mut W,
    mut each: F,
) -> Result<u64, BackupError>
where
    W: AsyncWrite + Unpin,
    F: FnMut(&Map<String, Value>) -> Result<(), BackupError>,
{
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        quoted(&table.name),
        table.order_by()
    );
    let mut count = 0_u64;
    on_conn!(conn, c => {
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *c);
        while let Some(row) = rows.try_next().await? {
            let object = encode_row(&row, table)?;
            each(&object)?;
            let mut line = serde_json::to_vec(&object)
                .map_err(|e| BackupError::Invalid(format!("{}: {e}", table.name)))?;
            line.push(b'\n');
            out.write_all(&line).await.map_err(|e| BackupError::io("writing rows", e))?;
            count += 1;
        }
    });
    Ok(count)
}

fn encode_row<R>(row: &R, table: &Table) -> Result<Map<String, Value>, BackupError>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<OffsetDateTime>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<Date>: Decode<'r, R::Database> + Type<R::Database>,
{
    let mut object = Map::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        let bad = |e: sqlx::Error| {
            BackupError::Invalid(format!("reading {}.{}: {e}", table.name, column.name))
        };
        let value = match column.kind {
            Kind::Integer => row.try_get::<Option<i64>, _>(i).map_err(bad)?.into(),
            Kind::Boolean => row.try_get::<Option<bool>, _>(i).map_err(bad)?.into(),
            Kind::Text => row.try_get::<Option<String>, _>(i).map_err(bad)?.into(),
            Kind::Timestamp => match row.try_get::<Option<OffsetDateTime>, _>(i).map_err(bad)? {
                None => Value::Null,
                Some(t) => {
                    Value::String(t.to_offset(UtcOffset::UTC).format(TIMESTAMP).map_err(|e| {
                        BackupError::Invalid(format!("{}.{}: {e}", table.name, column.name))
                    })?)
                }
            },
            Kind::Date => match row.try_get::<Option<Date>, _>(i).map_err(bad)? {
                None => Value::Null,
                Some(d) => Value::String(d.format(DATE).map_err(|e| {
                    BackupError::Invalid(format!("{}.{}: {e}", table.name, column.name))
                })?),
            },
        };
        object.insert(column.name.clone(), value);
    }
    Ok(object)
}

/// Parses one backed-up value for a column of the target database.
fn decode_value(table: &str, column: &Column, value: &Value) -> Result<Bound, BackupError> {
    let wrong = || {
        BackupError::Invalid(format!(
            "{table}.{}: {value} is not a {} value",
            column.name,
            column.kind.name()
        ))
    };
    let text = || match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.as_str())),
        _ => Err(wrong()),
    };
    Ok(match column.kind {
        Kind::Integer => Bound::Integer(match value {
            Value::Null => None,
            Value::Number(n) => Some(n.as_i64().ok_or_else(wrong)?),
            _ => return Err(wrong()),
        }),
        Kind::Boolean => Bound::Boolean(match value {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            _ => return Err(wrong()),
        }),
        Kind::Text => Bound::Text(text()?.map(str::to_owned)),
        Kind::Timestamp => Bound::Timestamp(
            text()?
                .map(|s| OffsetDateTime::parse(s, &Rfc3339).map_err(|_| wrong()))
                .transpose()?,
        ),
        Kind::Date => Bound::Date(
            text()?
                .map(|s| Date::parse(s, DATE).map_err(|_| wrong()))
                .transpose()?,
        ),
    })
}

fn bind<'q, DB: Database>(
    query: Query<'q, DB, DB::Arguments>,
    value: Bound,
) -> Query<'q, DB, DB::Arguments>
where
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<bool>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<OffsetDateTime>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<Date>: Encode<'t, DB> + Type<DB>,
{
    match value {
        Bound::Integer(v) => query.bind(v),
        Bound::Boolean(v) => query.bind(v),
        Bound::Text(v) => query.bind(v),
        Bound::Timestamp(v) => query.bind(v),
        Bound::Date(v) => query.bind(v),
    }
}

/// Inserts the rows of one table from JSON lines. `columns` are the backup's columns of
/// the table (the target has each, checked by the caller), typed as in the target.
/// Returns the row count.
pub(crate) async fn load<R>(
    mut conn: Conn<'_>,
    table: &Table,
    columns: &[Column],
    lines: R,
) -> Result<u64, BackupError>
where
    R: tokio::io::AsyncBufRead + Unpin,
{
    let per_statement = (PARAMS_PER_STATEMENT / columns.len().max(1)).max(1);
    let overriding = match conn {
        Conn::Postgres(_) if columns.iter().any(|c| c.identity) => " OVERRIDING SYSTEM VALUE",
        _ => "",
    };
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let head = format!(
        "INSERT INTO {} ({}){overriding} VALUES ",
        quoted(&table.name),
        names.join(", ")
    );
    let full = insert_sql(&head, columns.len(), per_statement);
    let mut batch: Vec<Bound> = Vec::with_capacity(per_statement * columns.len());
    let mut count = 0_u64;
    let mut lines = lines.lines();
    while let Some(line) = lines
        .next_line()
        .await
        .map_err(|e| BackupError::io("reading rows", e))?
    {
        count += 1;
        let row: Map<String, Value> = serde_json::from_str(&line)
            .map_err(|e| BackupError::Invalid(format!("{} row {count}: {e}", table.name)))?;
        if row.len() != columns.len() {
            return Err(BackupError::Invalid(format!(
                "{} row {count} has {} columns, the manifest lists {}",
                table.name,
                row.len(),
                columns.len()
            )));
        }
        for column in columns {
            let value = row.get(&column.name).ok_or_else(|| {
                BackupError::Invalid(format!("{} row {count} has no {}", table.name, column.name))
            })?;
            batch.push(decode_value(&table.name, column, value)?);
        }
        if batch.len() == per_statement * columns.len() {
            execute(conn.reborrow(), &full, &mut batch).await?;
        }
    }
    if !batch.is_empty() {
        let sql = insert_sql(&head, columns.len(), batch.len() / columns.len().max(1));
        execute(conn.reborrow(), &sql, &mut batch).await?;
    }
    Ok(count)
}

/// `head` followed by `rows` groups of `width` numbered placeholders.
fn insert_sql(head: &str, width: usize, rows: usize) -> String {
    let mut sql = String::from(head);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for w in 0..width {
            if w > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql
}

async fn execute(conn: Conn<'_>, sql: &str, batch: &mut Vec<Bound>) -> Result<(), BackupError> {
    on_conn!(conn, c => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for value in batch.drain(..) {
            query = bind(query, value);
        }
        query.execute(&mut *c).await?;
    });
    Ok(())
}

/// Rows in `table`.
pub(crate) async fn count(conn: Conn<'_>, table: &str) -> Result<u64, BackupError> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    let n: i64 =
        on_conn!(conn, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *c).await)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Deletes every row of `table` (the seeds of a freshly migrated database).
pub(crate) async fn clear(conn: Conn<'_>, table: &str) -> Result<(), BackupError> {
    let sql = format!("DELETE FROM {}", quoted(table));
    on_conn!(conn, c => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *c).await.map(drop))?;
    Ok(())
}

/// PostgreSQL: moves each identity sequence of `table` past the loaded rows, so that
/// the next row the application inserts gets a fresh id.
pub(crate) async fn reset_identity(conn: Conn<'_>, table: &Table) -> Result<(), BackupError> {
    let Conn::Postgres(c) = conn else {
        return Ok(());
    };
    for column in table.columns.iter().filter(|c| c.identity) {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{t}', '{col}'), COALESCE(MAX({qc}), 0) + 1, false) FROM {t}",
            t = quoted(&table.name),
            col = column.name,
            qc = quoted(&column.name),
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(kind: Kind) -> Column {
        Column {
            name: "c".to_owned(),
            kind,
            identity: false,
        }
    }

    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(
            insert_sql("INSERT INTO t (a, b) VALUES ", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }

    #[test]
    fn timestamps_are_written_as_sqlite_keeps_them() {
        let t = time::macros::datetime!(2026-11-25 21:33:41.308256 +05:00);
        let text = t
            .to_offset(UtcOffset::UTC)
            .format(TIMESTAMP)
            .unwrap_or_default();
        assert_eq!(text, "2026-11-25T16:33:41.308256Z");
        let Ok(Bound::Timestamp(Some(back))) =
            decode_value("t", &column(Kind::Timestamp), &Value::String(text))
        else {
            panic!("parses back")
        };
        assert_eq!(back, t);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused() {
        for (kind, value) in [
            (Kind::Integer, Value::String("1".into())),
            (Kind::Integer, serde_json::json!(1.5)),
            (Kind::Boolean, serde_json::json!(1)),
            (Kind::Text, serde_json::json!(true)),
            (Kind::Timestamp, Value::String("yesterday".into())),
            (Kind::Date, Value::String("2026-13-01".into())),
        ] {
            assert!(
                decode_value("t", &column(kind), &value).is_err(),
                "{kind:?} {value}"
            );
        }
        assert!(matches!(
            decode_value("t", &column(Kind::Date), &Value::Null),
            Ok(Bound::Date(None))
        ));
    }
}

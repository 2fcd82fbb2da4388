//! The SQLite and PostgreSQL migration trees must build the same schema.

use tanu_storage::{Db, schema};

use crate::common::*;

#[tokio::test]
async fn sqlite_and_postgres_schemas_are_equivalent() {
    let dir = TempDir::new();
    let sqlite = Db::open_sqlite(&dir.0.join("schema.db")).await.unwrap();
    sqlite.migrate().await.unwrap();
    let Some(pg) = PgDatabase::create().await else {
        eprintln!("SKIPPED: PostgreSQL not reachable; schema equivalence not checked");
        return;
    };
    let postgres = Db::open_postgres(&pg.url).await.unwrap();
    postgres.migrate().await.unwrap();
    let (a, b) = (
        schema::columns(&sqlite).await.unwrap(),
        schema::columns(&postgres).await.unwrap(),
    );
    let only_sqlite: Vec<_> = a.difference(&b).collect();
    let only_pg: Vec<_> = b.difference(&a).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_pg:#?}"
    );
    assert!(
        a.len() > 40,
        "the schema has its tables ({} columns)",
        a.len()
    );
    assert_eq!(
        schema::indexes(&sqlite).await.unwrap(),
        schema::indexes(&postgres).await.unwrap()
    );
    postgres.close().await;
}

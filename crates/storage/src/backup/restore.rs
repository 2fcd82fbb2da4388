//! Restoring a backup: the whole backup checked first, then the new database migrated
//! to its schema version, the files stored, every row loaded in one transaction, the
//! rest of the migrations applied, and counts and file hashes checked again.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};
use tokio::io::AsyncReadExt;

use super::encryption::{Identities, Source};
use super::tables::{Column, Table};
use super::{
    BackupError, DB_DIR, FILE_KEY, FILE_SHA256, FORMAT, FORMAT_VERSION, FileEntry, MANIFEST,
    Manifest, SEEDED, Summary, TableEntry, files, rows, summary_of, tables,
};
use crate::{Conn, Db, Objects};

/// Restores the backup in `from` into `db` (a new, empty database: any row other than
/// the seeds of a fresh one is refused) and `objects`. An encrypted backup needs
/// `identities` that match one of its recipients, and is refused without them.
pub async fn restore(
    db: &Db,
    objects: &Objects,
    from: &Path,
    identities: Option<&Identities>,
) -> Result<Summary, BackupError> {
    let source = Source::of(from, identities).await?;
    let manifest = read_manifest(from, source).await?;
    let bytes = check_backup(from, &manifest, source).await?;

    // The target: empty, and not ahead of the backup's schema.
    let mut conn = db.acquire().await?;
    refuse_if_used(conn.conn()).await?;
    let current = tables::schema_version(conn.conn()).await?;
    drop(conn);
    let latest = db.latest_migration();
    if manifest.schema_version > latest {
        return Err(BackupError::Refused(format!(
            "the backup was made by Tanu {} at schema version {}; this build knows versions up to {latest} – restore with a newer Tanu",
            manifest.tanu_version, manifest.schema_version
        )));
    }
    if let Some(current) = current.filter(|v| *v > manifest.schema_version) {
        return Err(BackupError::Refused(format!(
            "the database is at schema version {current}, newer than the backup's {}; restore into a new database",
            manifest.schema_version
        )));
    }
    db.migrate_to(manifest.schema_version).await?;
    let mut conn = db.acquire().await?;
    let live = tables::tables(conn.conn()).await?;
    drop(conn);
    let steps = plan(&manifest, &live)?;

    // Files first: a committed row never points to a file that is not there yet.
    for file in &manifest.files {
        let path = files::path_of(from, &file.key);
        let input = source.open(&path).await?;
        files::copy_in(objects, &file.key, input, &path, &file.digest()).await?;
    }

    // Rows, all in one transaction, counted before it commits.
    let mut tx = db.begin().await?;
    refuse_if_used(tx.conn()).await?;
    for table in live
        .iter()
        .rev()
        .filter(|t| SEEDED.contains(&t.name.as_str()))
    {
        rows::clear(tx.conn(), &table.name).await?;
    }
    for Step {
        table,
        entry,
        columns,
    } in &steps
    {
        let path = from.join(DB_DIR).join(format!("{}.jsonl", table.name));
        let file = source.open(&path).await?;
        let loaded = rows::load(tx.conn(), table, columns, tokio::io::BufReader::new(file)).await?;
        let counted = rows::count(tx.conn(), &table.name).await?;
        if loaded != entry.rows || counted != entry.rows {
            return Err(BackupError::Invalid(format!(
                "{}: the manifest lists {} rows, {loaded} were read and {counted} are in the table",
                table.name, entry.rows
            )));
        }
        rows::reset_identity(tx.conn(), table).await?;
    }
    tx.commit().await?;
    db.migrate().await?;

    for file in &manifest.files {
        match files::digest_object(objects, &file.key).await? {
            Some(got) if got == file.digest() => {}
            Some(got) => return Err(files::mismatch(&file.key, &file.digest(), &got)),
            None => {
                return Err(BackupError::Invalid(format!(
                    "file {} is missing from the store after restore",
                    file.key
                )));
            }
        }
    }
    Ok(summary_of(&manifest, from, bytes))
}

async fn read_manifest(from: &Path, source: Source<'_>) -> Result<Manifest, BackupError> {
    let path = from.join(MANIFEST);
    let mut text = Vec::new();
    source
        .open(&path)
        .await?
        .read_to_end(&mut text)
        .await
        .map_err(|e| BackupError::io(source.path(&path).display(), e))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| BackupError::Invalid(format!("{}: {e}", path.display())))?;
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        return Err(BackupError::Refused(format!(
            "{} is {} version {}; this build reads {FORMAT} version {FORMAT_VERSION}",
            path.display(),
            manifest.format,
            manifest.format_version
        )));
    }
    Ok(manifest)
}

/// Checks every byte of the backup against the manifest, and every file a row names
/// against the files the manifest lists; returns the backup's size (of the clear
/// contents, when encrypted).
async fn check_backup(
    from: &Path,
    manifest: &Manifest,
    source: Source<'_>,
) -> Result<u64, BackupError> {
    let mut listed: BTreeMap<&str, &FileEntry> = BTreeMap::new();
    for file in &manifest.files {
        files::check_key(&file.key)?;
        if listed.insert(&file.key, file).is_some() {
            return Err(BackupError::Invalid(format!(
                "file {} is listed twice",
                file.key
            )));
        }
    }
    let mut bytes = 0_u64;
    for table in &manifest.tables {
        tables::check_identifier(&table.name)?;
        let path = from.join(DB_DIR).join(format!("{}.jsonl", table.name));
        let got = files::digest_read(source.open(&path).await?, &path).await?;
        if !got.sha256.eq_ignore_ascii_case(&table.sha256) {
            return Err(BackupError::Invalid(format!(
                "{} does not match the manifest (SHA-256 {} expected, {} found)",
                source.path(&path).display(),
                table.sha256,
                got.sha256
            )));
        }
        bytes += got.size;
        let holds_files = [FILE_KEY, FILE_SHA256]
            .iter()
            .all(|c| table.columns.iter().any(|col| col.name == *c));
        if holds_files {
            let mut text = String::new();
            source
                .open(&path)
                .await?
                .read_to_string(&mut text)
                .await
                .map_err(|e| BackupError::io(path.display(), e))?;
            for line in text.lines() {
                let row: Map<String, Value> = serde_json::from_str(line)
                    .map_err(|e| BackupError::Invalid(format!("{}: {e}", path.display())))?;
                if let Some((key, sha256)) = super::file_of(&row) {
                    match listed.get(key) {
                        Some(f) if f.sha256.eq_ignore_ascii_case(sha256) => {}
                        _ => {
                            return Err(BackupError::Invalid(format!(
                                "a {} row refers to file {key} (SHA-256 {sha256}), which the backup does not hold",
                                table.name
                            )));
                        }
                    }
                }
            }
        }
    }
    for file in &manifest.files {
        let path = files::path_of(from, &file.key);
        let got = files::digest_read(source.open(&path).await?, &path).await?;
        if got != file.digest() {
            return Err(files::mismatch(&file.key, &file.digest(), &got));
        }
        bytes += got.size;
    }
    Ok(bytes)
}

/// Refuses a database that holds any row other than the seeds of a fresh one.
async fn refuse_if_used(mut conn: Conn<'_>) -> Result<(), BackupError> {
    let mut used = Vec::new();
    for table in tables::tables(conn.reborrow()).await? {
        if SEEDED.contains(&table.name.as_str()) {
            continue;
        }
        let n = rows::count(conn.reborrow(), &table.name).await?;
        if n > 0 {
            used.push((table.name, n));
        }
    }
    if used.is_empty() {
        return Ok(());
    }
    // Accounts first: the likeliest sign of a database in use.
    used.sort_by_key(|(name, _)| name != "persons");
    let mut named: Vec<String> = used
        .iter()
        .take(3)
        .map(|(name, n)| format!("{name}: {n} {}", if *n == 1 { "row" } else { "rows" }))
        .collect();
    if used.len() > 3 {
        named.push(format!("{} more tables", used.len() - 3));
    }
    Err(BackupError::Refused(format!(
        "the database already holds data ({}); restore only into a new, empty database",
        named.join(", ")
    )))
}

/// Loading one table.
struct Step<'a> {
    /// The table in the target.
    table: &'a Table,
    /// Its entry in the manifest.
    entry: &'a TableEntry,
    /// The backup's columns, typed as the target has them.
    columns: Vec<Column>,
}

/// Pairs each table of the target, in insertion order, with its entry in the manifest
/// and the backup's columns typed as the target has them. The two must hold the same
/// tables and columns (both are at the same schema version).
fn plan<'a>(manifest: &'a Manifest, live: &'a [Table]) -> Result<Vec<Step<'a>>, BackupError> {
    let mut problems = Vec::new();
    let mut plan = Vec::with_capacity(live.len());
    for entry in &manifest.tables {
        if !live.iter().any(|t| t.name == entry.name) {
            problems.push(format!("table {} is not in this database", entry.name));
        }
    }
    for table in live {
        let Some(entry) = manifest.tables.iter().find(|e| e.name == table.name) else {
            problems.push(format!("table {} is not in the backup", table.name));
            continue;
        };
        let mut columns = Vec::with_capacity(entry.columns.len());
        for c in &entry.columns {
            match table.column(&c.name) {
                Some(live) => columns.push(live.clone()),
                None => problems.push(format!(
                    "column {}.{} is not in this database",
                    table.name, c.name
                )),
            }
        }
        for c in &table.columns {
            if !entry.columns.iter().any(|e| e.name == c.name) {
                problems.push(format!(
                    "column {}.{} is not in the backup",
                    table.name, c.name
                ));
            }
        }
        plan.push(Step {
            table,
            entry,
            columns,
        });
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(BackupError::Refused(format!(
            "the backup does not fit this database's schema at version {}: {}",
            manifest.schema_version,
            problems.join("; ")
        )))
    }
}

//! Taking a backup: every table read in one snapshot, then the files its rows name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use tokio::io::AsyncWriteExt;

use super::encryption::{Recipients, Sink};
use super::{
    BackupError, ColumnEntry, DB_DIR, FILE_KEY, FILE_SHA256, FORMAT, FORMAT_VERSION, FileEntry,
    LEFT_OUT, MANIFEST, Manifest, Summary, TableEntry, files, rows, summary_of, tables,
};
use crate::{Backend, Db, Objects};

/// Backs up `db` and the files its rows refer to. `to` names the folder to create; when
/// it is an existing folder, the backup goes into a new `tanu-backup-<time>` inside it.
/// With `keys`, every file of it is encrypted to them ([`super::encryption`]).
pub async fn backup(
    db: &Db,
    objects: &Objects,
    to: &Path,
    now: OffsetDateTime,
    keys: Option<&Recipients>,
) -> Result<Summary, BackupError> {
    let dest = if tokio::fs::metadata(to).await.is_ok_and(|m| m.is_dir()) {
        let stamp = now
            .to_offset(time::UtcOffset::UTC)
            .format(format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .map_err(|e| BackupError::Invalid(e.to_string()))?;
        to.join(format!("tanu-backup-{stamp}"))
    } else {
        to.to_owned()
    };
    let mut partial = dest.clone().into_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    for p in [&dest, &partial] {
        if tokio::fs::symlink_metadata(p).await.is_ok() {
            return Err(BackupError::Refused(format!(
                "{} already exists; a backup never overwrites",
                p.display()
            )));
        }
    }
    tokio::fs::create_dir_all(partial.join(DB_DIR))
        .await
        .map_err(|e| BackupError::io(partial.display(), e))?;
    match write_backup(db, objects, &partial, now, keys).await {
        Ok(mut summary) => {
            tokio::fs::rename(&partial, &dest)
                .await
                .map_err(|e| BackupError::io(dest.display(), e))?;
            let parent = dest
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            sync_dir(parent).await?;
            summary.path = dest;
            Ok(summary)
        }
        Err(e) => {
            if let Err(cleanup) = tokio::fs::remove_dir_all(&partial).await {
                tracing::warn!(error = %cleanup, path = %partial.display(), "removing an incomplete backup failed");
            }
            Err(e)
        }
    }
}

async fn write_backup(
    db: &Db,
    objects: &Objects,
    dir: &Path,
    now: OffsetDateTime,
    keys: Option<&Recipients>,
) -> Result<Summary, BackupError> {
    // Events of committed writes join the chain first, so the backup holds them linked.
    crate::repo::audit::seal_before_reading(db).await;
    let mut tx = db.snapshot().await?;
    let schema_version = tables::schema_version(tx.conn())
        .await?
        .ok_or_else(|| BackupError::Refused("the database has no schema yet".to_owned()))?;
    let live = tables::tables(tx.conn()).await?;
    // Object key → (SHA-256 its rows record, table).
    let mut referenced: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut entries = Vec::with_capacity(live.len());
    let mut bytes = 0_u64;
    for table in &live {
        let path = dir.join(DB_DIR).join(format!("{}.jsonl", table.name));
        let mut out = tokio::io::BufWriter::new(Sink::create(&path, keys).await?);
        let holds_files = table.column(FILE_KEY).is_some() && table.column(FILE_SHA256).is_some();
        let rows = if LEFT_OUT.contains(&table.name.as_str()) {
            0
        } else {
            rows::dump(tx.conn(), table, &mut out, |row| {
                if holds_files {
                    refer(&mut referenced, &table.name, row)?;
                }
                Ok(())
            })
            .await?
        };
        out.flush()
            .await
            .map_err(|e| BackupError::io(path.display(), e))?;
        let digest = out.into_inner().finish().await?;
        bytes += digest.size;
        entries.push(TableEntry {
            name: table.name.clone(),
            rows,
            sha256: digest.sha256,
            columns: table
                .columns
                .iter()
                .map(|c| ColumnEntry {
                    name: c.name.clone(),
                    kind: c.kind.name().to_owned(),
                })
                .collect(),
        });
    }
    tx.commit().await?;

    let mut file_entries = Vec::with_capacity(referenced.len());
    for (key, (sha256, table)) in referenced {
        files::check_key(&key)?;
        let got = files::copy_out(objects, &key, &files::path_of(dir, &key), keys).await?;
        if !got.sha256.eq_ignore_ascii_case(&sha256) {
            return Err(BackupError::Invalid(format!(
                "file {key} in the store has SHA-256 {}, but its {table} row records {sha256}",
                got.sha256
            )));
        }
        bytes += got.size;
        file_entries.push(FileEntry {
            key,
            size: got.size,
            sha256: got.sha256,
        });
    }
    sync_dir(&dir.join(DB_DIR)).await?;

    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        tanu_version: env!("CARGO_PKG_VERSION").to_owned(),
        backend: backend_name(db.backend()).to_owned(),
        schema_version,
        created_at: now
            .format(&Rfc3339)
            .map_err(|e| BackupError::Invalid(e.to_string()))?,
        tables: entries,
        files: file_entries,
    };
    let json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Invalid(e.to_string()))?;
    let path = dir.join(MANIFEST);
    let mut file = Sink::create(&path, keys).await?;
    file.write_all(&json)
        .await
        .map_err(|e| BackupError::io(path.display(), e))?;
    file.finish().await?;
    sync_dir(dir).await?;
    Ok(summary_of(&manifest, dir, bytes))
}

/// Notes the file a row refers to; the same key recorded with two hashes is corrupt.
fn refer(
    referenced: &mut BTreeMap<String, (String, String)>,
    table: &str,
    row: &Map<String, Value>,
) -> Result<(), BackupError> {
    let Some((key, sha256)) = super::file_of(row) else {
        return Ok(());
    };
    match referenced.get(key) {
        Some((known, _)) if !known.eq_ignore_ascii_case(sha256) => Err(BackupError::Invalid(
            format!("file {key} is recorded with two different SHA-256 values"),
        )),
        Some(_) => Ok(()),
        None => {
            referenced.insert(
                key.to_owned(),
                (sha256.to_ascii_lowercase(), table.to_owned()),
            );
            Ok(())
        }
    }
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Makes a rename or a new file in `dir` durable.
async fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    #[cfg(unix)]
    tokio::fs::File::open(dir)
        .await
        .map_err(|e| BackupError::io(dir.display(), e))?
        .sync_all()
        .await
        .map_err(|e| BackupError::io(dir.display(), e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

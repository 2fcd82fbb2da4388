//! Files between the object store and a backup folder, streamed, with the SHA-256 of
//! every byte counted on the way.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::BackupError;
use super::encryption::{Recipients, Sink};
use crate::Objects;

/// Read size for files of a backup.
const CHUNK: usize = 256 * 1024;

/// What was copied: hex SHA-256 and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digested {
    pub(crate) sha256: String,
    pub(crate) size: u64,
}

/// Object keys become paths under `files/`: only relative, `/`-separated keys whose
/// segments are plain names are accepted, so that no key reaches outside the folder.
pub(crate) fn check_key(key: &str) -> Result<(), BackupError> {
    let plain = !key.is_empty()
        && key
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '\0', ':']));
    if plain {
        Ok(())
    } else {
        Err(BackupError::Invalid(format!(
            "object key {key:?} cannot be a file name"
        )))
    }
}

/// Where the file of `key` lies in the backup folder `dir`.
pub(crate) fn path_of(dir: &Path, key: &str) -> PathBuf {
    key.split('/')
        .fold(dir.join(super::FILES_DIR), |p, segment| p.join(segment))
}

/// Copies the object `key` to `to` (creating its folder), durably; encrypted to `keys`
/// when given (see [`super::encryption`]).
pub(crate) async fn copy_out(
    objects: &Objects,
    key: &str,
    to: &Path,
    keys: Option<&Recipients>,
) -> Result<Digested, BackupError> {
    let Some((_, mut stream)) = objects.stream(key).await? else {
        return Err(BackupError::Invalid(format!(
            "file {key} is referenced by a row but missing from the store"
        )));
    };
    if let Some(dir) = to.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| BackupError::io(dir.display(), e))?;
    }
    let mut sink = Sink::create(to, keys).await?;
    while let Some(chunk) = stream.try_next().await.map_err(crate::StorageError::from)? {
        sink.write_all(&chunk)
            .await
            .map_err(|e| BackupError::io(to.display(), e))?;
    }
    sink.finish().await
}

/// The digest of what `input` (a file of the backup, `what`) holds.
pub(crate) async fn digest_read(
    mut input: impl AsyncRead + Unpin,
    what: &Path,
) -> Result<Digested, BackupError> {
    let mut sha = Sha256::new();
    let mut size = 0_u64;
    let mut buf = vec![0_u8; CHUNK];
    loop {
        let n = input
            .read(&mut buf)
            .await
            .map_err(|e| BackupError::io(what.display(), e))?;
        if n == 0 {
            break;
        }
        sha.update(&buf[..n]);
        size += n as u64;
    }
    Ok(Digested {
        sha256: hex::encode(sha.finalize()),
        size,
    })
}

/// Streams what `input` (the backup's file `what`) holds into the store under `key`; the
/// object becomes visible only if its bytes hash to `expected`, otherwise nothing is
/// left under `key`.
pub(crate) async fn copy_in(
    objects: &Objects,
    key: &str,
    mut input: impl AsyncRead + Unpin,
    what: &Path,
    expected: &Digested,
) -> Result<(), BackupError> {
    let mut writer = objects.writer(key).await?;
    let mut sha = Sha256::new();
    let mut size = 0_u64;
    let mut buf = vec![0_u8; CHUNK];
    loop {
        let n = match input.read(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                writer.abort().await;
                return Err(BackupError::io(what.display(), e));
            }
        };
        if n == 0 {
            break;
        }
        sha.update(&buf[..n]);
        size += n as u64;
        if let Err(e) = writer.write(Bytes::copy_from_slice(&buf[..n])).await {
            writer.abort().await;
            return Err(e.into());
        }
    }
    let got = Digested {
        sha256: hex::encode(sha.finalize()),
        size,
    };
    if &got != expected {
        writer.abort().await;
        return Err(mismatch(key, expected, &got));
    }
    writer.finish().await?;
    Ok(())
}

/// The digest of the object `key` in the store; `None` when there is none.
pub(crate) async fn digest_object(
    objects: &Objects,
    key: &str,
) -> Result<Option<Digested>, BackupError> {
    let Some((_, mut stream)) = objects.stream(key).await? else {
        return Ok(None);
    };
    let mut sha = Sha256::new();
    let mut size = 0_u64;
    while let Some(chunk) = stream.try_next().await.map_err(crate::StorageError::from)? {
        sha.update(&chunk);
        size += chunk.len() as u64;
    }
    Ok(Some(Digested {
        sha256: hex::encode(sha.finalize()),
        size,
    }))
}

/// The error for a file whose bytes are not the ones recorded.
pub(crate) fn mismatch(key: &str, expected: &Digested, got: &Digested) -> BackupError {
    BackupError::Invalid(format!(
        "file {key} does not match its record: SHA-256 {} ({} bytes) expected, {} ({} bytes) found",
        expected.sha256, expected.size, got.sha256, got.size
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_folder() {
        for good in [
            "applications/5/identity-yFaH_Cc",
            "issued/1/225N3-ZW3V2.pdf",
        ] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/./b",
            "a\\..\\b",
            "c:/x",
            "a/",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            path_of(Path::new("/b"), "issued/1/x.pdf"),
            Path::new("/b/files/issued/1/x.pdf")
        );
    }
}

//! Object storage for uploaded files: a local folder by default, any S3-compatible
//! service by configuration, memory for tests – one interface for all three.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::StorageError;

/// Where files go.
#[derive(Clone)]
pub enum ObjectsConfig {
    /// A folder on this machine.
    Local(PathBuf),
    /// An S3-compatible service.
    S3 {
        /// Endpoint URL, e.g. `https://s3.example.kz` or `http://127.0.0.1:9000`.
        endpoint: String,
        /// Bucket name.
        bucket: String,
        /// Region (many S3-compatible services ignore it).
        region: String,
        /// Access key id.
        access_key_id: String,
        /// Secret access key.
        secret_access_key: String,
    },
    /// Memory only (tests).
    Memory,
}

impl fmt::Debug for ObjectsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(p) => f.debug_tuple("Local").field(p).finish(),
            Self::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                ..
            } => f
                .debug_struct("S3")
                .field("endpoint", endpoint)
                .field("bucket", bucket)
                .field("region", region)
                .field("access_key_id", access_key_id)
                .field("secret_access_key", &"[redacted]")
                .finish(),
            Self::Memory => f.write_str("Memory"),
        }
    }
}

/// The file store.
#[derive(Clone)]
pub struct Objects {
    inner: Arc<dyn ObjectStore>,
    description: String,
    /// How much of a streamed write is buffered before it is handed to the store: S3's
    /// smallest part (5 MiB) there, a small buffer for a local folder.
    part_size: usize,
}

impl fmt::Debug for Objects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl Objects {
    /// Opens the store the configuration names, creating a local folder if needed.
    pub fn open(config: &ObjectsConfig) -> Result<Self, StorageError> {
        let mut part_size = 256 * 1024;
        let (inner, description): (Arc<dyn ObjectStore>, String) = match config {
            ObjectsConfig::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StorageError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
                (
                    Arc::new(LocalFileSystem::new_with_prefix(dir)?),
                    format!("local folder {}", dir.display()),
                )
            }
            ObjectsConfig::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let store = AmazonS3Builder::new()
                    .with_endpoint(endpoint)
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key)
                    .with_allow_http(endpoint.starts_with("http://"))
                    .with_virtual_hosted_style_request(false)
                    .build()?;
                part_size = 5 * 1024 * 1024;
                (Arc::new(store), format!("S3 bucket {bucket} at {endpoint}"))
            }
            ObjectsConfig::Memory => (Arc::new(InMemory::new()), "memory".to_owned()),
        };
        Ok(Self {
            inner,
            description,
            part_size,
        })
    }

    /// Stores `bytes` under `key` (a `/`-separated path), replacing what was there.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// Reads the object at `key`; `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        match self.inner.get(&ObjectPath::from(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the object at `key`; deleting what is not there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Starts a streamed write of `key`: parts are sent as they fill, nothing is visible
    /// under `key` until [`ObjectWriter::finish`], and [`ObjectWriter::abort`] leaves
    /// nothing behind.
    pub async fn writer(&self, key: &str) -> Result<ObjectWriter, StorageError> {
        let upload = self.inner.put_multipart(&ObjectPath::from(key)).await?;
        Ok(ObjectWriter {
            inner: object_store::WriteMultipart::new_with_chunk_size(upload, self.part_size),
        })
    }

    /// Streams the object at `key`: its size and its bytes; `None` when there is none.
    pub async fn stream(
        &self,
        key: &str,
    ) -> Result<
        Option<(
            u64,
            futures::stream::BoxStream<'static, Result<Bytes, object_store::Error>>,
        )>,
        StorageError,
    > {
        match self.inner.get(&ObjectPath::from(key)).await {
            Ok(r) => {
                let size = r.meta.size;
                Ok(Some((size, r.into_stream())))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// What the store is, for the start-up line and `/readyz`.
    pub fn describe(&self) -> &str {
        &self.description
    }
}

/// A streamed upload in progress.
pub struct ObjectWriter {
    inner: object_store::WriteMultipart,
}

impl fmt::Debug for ObjectWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ObjectWriter")
    }
}

impl ObjectWriter {
    /// Appends a chunk, waiting while too many parts are in flight (bounded memory).
    pub async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        self.inner.wait_for_capacity(2).await?;
        self.inner.put(chunk);
        Ok(())
    }

    /// Completes the object.
    pub async fn finish(self) -> Result<(), StorageError> {
        self.inner.finish().await?;
        Ok(())
    }

    /// Abandons the upload; nothing is left under the key.
    pub async fn abort(self) {
        if let Err(e) = self.inner.abort().await {
            tracing::warn!(error = %e, "aborting an upload failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn round_trip(objects: &Objects) {
        let key = "test/round-trip.txt";
        assert!(
            objects
                .put(key, Bytes::from_static("сәлем".as_bytes()))
                .await
                .is_ok()
        );
        let back = objects.get(key).await.ok().flatten();
        assert_eq!(back.as_deref(), Some("сәлем".as_bytes()));
        assert!(objects.delete(key).await.is_ok());
        assert!(matches!(objects.get(key).await, Ok(None)));
        assert!(objects.delete(key).await.is_ok());
        // Streamed: visible only once finished; an aborted one leaves nothing.
        let Ok(mut w) = objects.writer("test/streamed.bin").await else {
            panic!("writer")
        };
        for _ in 0..3 {
            assert!(
                w.write(Bytes::from(vec![7u8; 3 * 1024 * 1024]))
                    .await
                    .is_ok()
            );
        }
        assert!(matches!(objects.get("test/streamed.bin").await, Ok(None)));
        assert!(w.finish().await.is_ok());
        let size = objects
            .get("test/streamed.bin")
            .await
            .ok()
            .flatten()
            .map(|b| b.len());
        assert_eq!(size, Some(9 * 1024 * 1024));
        let Ok(mut w) = objects.writer("test/aborted.bin").await else {
            panic!("writer")
        };
        assert!(w.write(Bytes::from_static(b"partial")).await.is_ok());
        w.abort().await;
        assert!(matches!(objects.get("test/aborted.bin").await, Ok(None)));
        assert!(objects.delete("test/streamed.bin").await.is_ok());
    }

    #[tokio::test]
    async fn memory_store_round_trips() {
        let objects = Objects::open(&ObjectsConfig::Memory);
        let Ok(objects) = objects else {
            panic!("memory store opens")
        };
        round_trip(&objects).await;
    }

    #[tokio::test]
    async fn local_store_round_trips() {
        let dir = std::env::temp_dir().join(format!("tanu-objects-{}", std::process::id()));
        let Ok(objects) = Objects::open(&ObjectsConfig::Local(dir.clone())) else {
            panic!("local store opens")
        };
        round_trip(&objects).await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Runs against a real S3-compatible server when `TANU_TEST_S3_ENDPOINT` names one
    /// (`.ci/run` starts one); says so and passes otherwise.
    #[tokio::test]
    async fn s3_store_round_trips() {
        let Ok(endpoint) = std::env::var("TANU_TEST_S3_ENDPOINT") else {
            eprintln!("SKIPPED: TANU_TEST_S3_ENDPOINT not set, S3 store not tested");
            return;
        };
        let config = ObjectsConfig::S3 {
            endpoint,
            bucket: std::env::var("TANU_TEST_S3_BUCKET").unwrap_or_else(|_| "tanu-test".into()),
            region: "us-east-1".into(),
            access_key_id: "test".into(),
            secret_access_key: "test".into(),
        };
        let Ok(objects) = Objects::open(&config) else {
            panic!("S3 store opens")
        };
        round_trip(&objects).await;
    }
}

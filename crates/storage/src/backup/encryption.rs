//! Backups encrypted to public keys, with age (age-encryption.org/v1).
//!
//! An encrypted backup is the same folder, each file an age file of its own named with
//! `.age` added (`manifest.json.age`, `db/persons.jsonl.age`, `files/<key>.age`), all
//! encrypted to the same recipients. Files are encrypted as they are written and
//! decrypted as they are read, so no clear copy touches the disk; the manifest's SHA-256
//! values are those of the clear contents, counted on the way. The folder's layout shows
//! the table names and how many files there are, nothing of their contents. A
//! recipient is a public key: `age1…` (X25519, as `age-keygen` makes) or `age1pq1…`
//! (post-quantum, `age-keygen -pq`); whoever holds a matching identity file restores.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_util::compat::{
    FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt, TokioAsyncReadCompatExt,
    TokioAsyncWriteCompatExt,
};

use super::BackupError;
use super::files::Digested;

/// The suffix of the files of an encrypted backup.
pub const SUFFIX: &str = ".age";

/// The public keys a backup is encrypted to.
pub struct Recipients(Vec<Box<dyn age::Recipient + Send + Sync>>);

impl std::fmt::Debug for Recipients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipients({})", self.0.len())
    }
}

impl Recipients {
    /// Parses public keys: `age1pq1…` (post-quantum) or `age1…` (X25519), not mixed;
    /// refuses an empty list.
    pub fn parse<S: AsRef<str>>(keys: &[S]) -> Result<Self, BackupError> {
        if keys.is_empty() {
            return Err(BackupError::Refused(
                "no recipient: an encrypted backup needs at least one age public key".to_owned(),
            ));
        }
        let mut parsed: Vec<Box<dyn age::Recipient + Send + Sync>> = Vec::new();
        for key in keys {
            let key = key.as_ref().trim();
            if let Ok(r) = key.parse::<age::pq::Recipient>() {
                parsed.push(Box::new(r));
                continue;
            }
            // Classic X25519 keys are what `age-keygen` made until post-quantum ones, and
            // what operators have; age marks them deprecated for new keys only.
            #[allow(deprecated)]
            match key.parse::<age::x25519::Recipient>() {
                Ok(r) => parsed.push(Box::new(r)),
                Err(e) => {
                    return Err(BackupError::Refused(format!(
                        "{key:?} is not an age public key (age1… or age1pq1…): {e}"
                    )));
                }
            }
        }
        let keys = Self(parsed);
        // Post-quantum and classic keys cannot share a file: refused here, before any
        // file is written, rather than at the first one.
        keys.encryptor()?;
        Ok(keys)
    }

    fn encryptor(&self) -> Result<age::Encryptor, BackupError> {
        age::Encryptor::with_recipients(self.0.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .map_err(|e| BackupError::Refused(format!("cannot encrypt to these recipients: {e}")))
    }
}

/// The secret keys a backup is decrypted with: the identities of an age identity file.
pub struct Identities {
    keys: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// Where they came from, for messages.
    from: String,
}

impl std::fmt::Debug for Identities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identities({} from {})", self.keys.len(), self.from)
    }
}

impl Identities {
    /// Reads an age identity file (`AGE-SECRET-KEY-…` lines, as `age-keygen` writes).
    pub fn from_file(path: &Path) -> Result<Self, BackupError> {
        let file = std::fs::File::open(path).map_err(|e| BackupError::io(path.display(), e))?;
        Self::read(BufReader::new(file), &path.display().to_string())
    }

    /// Reads identities from the text of an identity file; `from` names it in messages.
    pub fn read(text: impl std::io::BufRead, from: &str) -> Result<Self, BackupError> {
        let invalid = |e: &dyn std::fmt::Display| {
            BackupError::Refused(format!("{from} is not an age identity file: {e}"))
        };
        let keys = age::IdentityFile::from_buffer(text)
            .map_err(|e| invalid(&e))?
            .into_identities()
            .map_err(|e| invalid(&e))?;
        if keys.is_empty() {
            return Err(invalid(&"it holds no identity"));
        }
        Ok(Self {
            keys,
            from: from.to_owned(),
        })
    }
}

/// A file of a backup being written: clear bytes in, their SHA-256 and size counted,
/// stored as written or encrypted.
pub(crate) struct Sink {
    path: PathBuf,
    out: Pin<Box<dyn AsyncWrite + Send>>,
    sha: Sha256,
    size: u64,
}

impl Sink {
    /// Creates the file at `path` (with [`SUFFIX`] added when encrypting).
    pub(crate) async fn create(
        path: &Path,
        keys: Option<&Recipients>,
    ) -> Result<Self, BackupError> {
        let path = stored_path(path, keys.is_some());
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| BackupError::io(path.display(), e))?;
        let out: Pin<Box<dyn AsyncWrite + Send>> = match keys {
            None => Box::pin(file),
            Some(keys) => {
                let writer = keys
                    .encryptor()?
                    .wrap_async_output(file.compat_write())
                    .await
                    .map_err(|e| BackupError::io(path.display(), e))?;
                Box::pin(writer.compat_write())
            }
        };
        Ok(Self {
            path,
            out,
            sha: Sha256::new(),
            size: 0,
        })
    }

    /// Ends the file (an encrypted one with its last chunk) and makes it durable.
    pub(crate) async fn finish(mut self) -> Result<Digested, BackupError> {
        self.out
            .shutdown()
            .await
            .map_err(|e| BackupError::io(self.path.display(), e))?;
        drop(self.out);
        // Any descriptor of the file flushes it.
        tokio::fs::File::open(&self.path)
            .await
            .map_err(|e| BackupError::io(self.path.display(), e))?
            .sync_all()
            .await
            .map_err(|e| BackupError::io(self.path.display(), e))?;
        Ok(Digested {
            sha256: hex::encode(self.sha.finalize()),
            size: self.size,
        })
    }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let written = std::task::ready!(this.out.as_mut().poll_write(cx, buf))?;
        this.sha.update(&buf[..written]);
        this.size += written as u64;
        Poll::Ready(Ok(written))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.get_mut().out.as_mut().poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.get_mut().out.as_mut().poll_shutdown(cx)
    }
}

/// A backup being read: clear, or encrypted and read with the identities given.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    /// The identities, when the backup is encrypted.
    keys: Option<&'a Identities>,
}

impl<'a> Source<'a> {
    /// How to read the backup in `dir`: encrypted when its manifest is; refused when it
    /// is and no identities were given.
    pub(crate) async fn of(
        dir: &Path,
        identities: Option<&'a Identities>,
    ) -> Result<Self, BackupError> {
        let clear = dir.join(super::MANIFEST);
        let sealed = stored_path(&clear, true);
        if tokio::fs::symlink_metadata(&clear).await.is_ok() {
            return Ok(Self { keys: None });
        }
        if tokio::fs::symlink_metadata(&sealed).await.is_err() {
            return Err(BackupError::Invalid(format!(
                "{} has neither {} nor {}: not a Tanu backup",
                dir.display(),
                super::MANIFEST,
                sealed
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            )));
        }
        match identities {
            Some(keys) => Ok(Self { keys: Some(keys) }),
            None => Err(BackupError::Refused(format!(
                "the backup in {} is encrypted: restoring it needs the age identity file of one of its recipients (--identity FILE)",
                dir.display()
            ))),
        }
    }

    /// Whether the backup is encrypted.
    pub(crate) fn encrypted(&self) -> bool {
        self.keys.is_some()
    }

    /// Where the file that holds the contents of `path` lies.
    pub(crate) fn path(&self, path: &Path) -> PathBuf {
        stored_path(path, self.encrypted())
    }

    /// Opens the file that holds the contents of `path` (see [`Self::path`]), decrypting.
    pub(crate) async fn open(
        &self,
        path: &Path,
    ) -> Result<Pin<Box<dyn AsyncRead + Send>>, BackupError> {
        let path = self.path(path);
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| BackupError::io(path.display(), e))?;
        let Some(keys) = self.keys else {
            return Ok(Box::pin(file));
        };
        let input = tokio::io::BufReader::new(file).compat();
        let decryptor = age::Decryptor::new_async_buffered(input)
            .await
            .map_err(|e| undecryptable(&path, keys, &e))?;
        let reader = decryptor
            .decrypt_async(keys.keys.iter().map(|k| k.as_ref() as &dyn age::Identity))
            .map_err(|e| undecryptable(&path, keys, &e))?;
        Ok(Box::pin(reader.compat()))
    }
}

fn undecryptable(path: &Path, keys: &Identities, e: &age::DecryptError) -> BackupError {
    match e {
        age::DecryptError::NoMatchingKeys => BackupError::Refused(format!(
            "no identity in {} can decrypt {}: the backup was encrypted to other keys",
            keys.from,
            path.display()
        )),
        other => BackupError::Invalid(format!("{} cannot be decrypted: {other}", path.display())),
    }
}

/// `path`, with [`SUFFIX`] added when encrypted.
fn stored_path(path: &Path, encrypted: bool) -> PathBuf {
    if encrypted {
        let mut p = path.as_os_str().to_owned();
        p.push(SUFFIX);
        PathBuf::from(p)
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use age::secrecy::ExposeSecret;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn keys_that_are_not_age_public_keys_are_refused() {
        let none: [&str; 0] = [];
        assert!(matches!(
            Recipients::parse(&none),
            Err(BackupError::Refused(_))
        ));
        match Recipients::parse(&["age1notakey"]) {
            Err(BackupError::Refused(m)) => assert!(m.contains("not an age public key"), "{m}"),
            other => panic!("{other:?}"),
        }
        #[allow(deprecated)]
        let classic = age::x25519::Identity::generate().to_public().to_string();
        let pq = age::pq::Identity::generate().to_public().to_string();
        match Recipients::parse(&[classic, pq]) {
            Err(BackupError::Refused(m)) => assert!(m.contains("cannot encrypt"), "{m}"),
            other => panic!("{other:?}"),
        }
        match Identities::read("not a key\n".as_bytes(), "key.txt") {
            Err(BackupError::Refused(m)) => assert!(m.contains("key.txt"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    // Post-quantum keys (`age-keygen -pq`) work as X25519 ones do (the integration tests
    // use those).
    #[tokio::test]
    async fn a_file_round_trips_to_a_post_quantum_key_and_no_other() {
        let dir = std::env::temp_dir().join(format!("tanu-age-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let identity = age::pq::Identity::generate();
        let keys = Recipients::parse(&[identity.to_public().to_string()]).unwrap();
        let path = dir.join("rows.jsonl");
        let mut sink = Sink::create(&path, Some(&keys)).await.unwrap();
        sink.write_all(b"{\"iin\":\"900101300126\"}\n")
            .await
            .unwrap();
        let written = sink.finish().await.unwrap();
        assert_eq!(written.size, 23);
        let stored = std::fs::read(dir.join("rows.jsonl.age")).unwrap();
        assert!(!stored.windows(12).any(|w| w == b"900101300126"));

        let text = format!("{}\n", identity.to_string().expose_secret());
        let mine = Identities::read(text.as_bytes(), "pq.key").unwrap();
        std::fs::write(
            dir.join(crate::backup::MANIFEST).with_extension("json.age"),
            b"",
        )
        .unwrap();
        let source = Source::of(&dir, Some(&mine)).await.unwrap();
        let mut back = String::new();
        source
            .open(&path)
            .await
            .unwrap()
            .read_to_string(&mut back)
            .await
            .unwrap();
        assert_eq!(back, "{\"iin\":\"900101300126\"}\n");

        let other = age::pq::Identity::generate();
        let text = format!("{}\n", other.to_string().expose_secret());
        let theirs = Identities::read(text.as_bytes(), "other.key").unwrap();
        let source = Source::of(&dir, Some(&theirs)).await.unwrap();
        match source.open(&path).await {
            Err(BackupError::Refused(m)) => assert!(m.contains("other keys"), "{m}"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("another key must not decrypt"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

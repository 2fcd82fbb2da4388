//! The installation's Ed25519 key: it signs the SHA-256 of every issued document so a
//! copy can be checked offline with the published public key. The key lives in a file
//! outside the database (generated on first use, readable by the owner only).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 key bytes follow.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The signing key and its public identity.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    key_id: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Why the key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the file failed.
    #[error("signing key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file does not hold a key.
    #[error("signing key file {0} does not hold 64 hexadecimal digits")]
    Malformed(String),
    /// No randomness.
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

impl Signer {
    /// Loads the key from `path`, or creates it there (mode 0600) when the file is absent.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| KeyError::Malformed(path.display().to_string()))?;
                Ok(Self::from_secret(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let signer = Self::generate()?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                write_private(path, &hex::encode(signer.key.to_bytes())).map_err(io)?;
                Ok(signer)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// A fresh key held in memory only (tests).
    pub fn generate() -> Result<Self, KeyError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Self::from_secret(secret))
    }

    fn from_secret(secret: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&secret);
        let key_id = key_id(&key.verifying_key());
        Self { key, key_id }
    }

    /// First 16 hex digits of the SHA-256 of the public key.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public key, raw 32 bytes in base64.
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    /// The public key as a PEM SubjectPublicKeyInfo, usable with `openssl pkeyutl`.
    pub fn public_key_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.key.verifying_key().to_bytes());
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            STANDARD.encode(der)
        )
    }

    /// Signs the statement about a document; the signature in base64.
    pub fn sign(&self, code: &str, sha256_hex: &str) -> String {
        STANDARD.encode(
            self.key
                .sign(statement(code, sha256_hex).as_bytes())
                .to_bytes(),
        )
    }
}

/// What is signed for a document: its code and the SHA-256 of its bytes, one per line.
pub fn statement(code: &str, sha256_hex: &str) -> String {
    format!("tanu-document-v1\ncode: {code}\nsha256: {sha256_hex}\n")
}

fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.to_bytes())[..8])
}

/// Checks a signature against a public key (raw base64 or PEM); `false` on any mismatch
/// or malformed input.
pub fn verify(public_key: &str, code: &str, sha256_hex: &str, signature_b64: &str) -> bool {
    let key_text: String = public_key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("");
    let Ok(mut raw) = STANDARD.decode(key_text.trim()) else {
        return false;
    };
    if raw.len() == 44 && raw.starts_with(&SPKI_PREFIX) {
        raw.drain(..12);
    }
    let Ok(raw) = <[u8; 32]>::try_from(raw) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&raw) else {
        return false;
    };
    let Some(sig) = STANDARD
        .decode(signature_b64.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    key.verify(
        statement(code, sha256_hex).as_bytes(),
        &Signature::from_bytes(&sig),
    )
    .is_ok()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signs_and_verifies_with_raw_and_pem_keys() {
        let s = Signer::generate().unwrap();
        let sig = s.sign("AB12-CD34", "00ff");
        assert!(verify(&s.public_key_base64(), "AB12-CD34", "00ff", &sig));
        assert!(verify(&s.public_key_pem(), "AB12-CD34", "00ff", &sig));
        assert!(!verify(&s.public_key_pem(), "AB12-CD34", "00fe", &sig));
        assert!(!verify(&s.public_key_pem(), "AB12-CD35", "00ff", &sig));
        let other = Signer::generate().unwrap();
        assert!(!verify(&other.public_key_pem(), "AB12-CD34", "00ff", &sig));
        assert!(!verify("garbage", "AB12-CD34", "00ff", &sig));
        assert!(!verify(&s.public_key_pem(), "AB12-CD34", "00ff", "bm90"));
    }

    #[test]
    fn key_file_is_created_once_and_reloaded() {
        let dir = std::env::temp_dir().join(format!("tanu-key-{}", std::process::id()));
        let path = dir.join("keys").join("signing.key");
        let _ = std::fs::remove_dir_all(&dir);
        let a = Signer::load_or_create(&path).unwrap();
        let b = Signer::load_or_create(&path).unwrap();
        assert_eq!(a.key_id(), b.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "nonsense").unwrap();
        assert!(matches!(
            Signer::load_or_create(&path),
            Err(KeyError::Malformed(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

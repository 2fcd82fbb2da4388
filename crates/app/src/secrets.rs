//! Random tokens and their hashes, and password hashing with Argon2id.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::AppError;

/// 32 random bytes as URL-safe base64: session ids, API tokens, invitation links.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::other(anyhow::Error::new(e).context("no randomness")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The alphabet of claim codes: Crockford's base32, without letters read as digits.
const CLAIM_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A walk-in's claim code: 12 characters of base32 (60 random bits) in groups of four,
/// e.g. `7K3Q-M2XD-9TRB`: short enough to read out and type on a phone, too many to
/// guess online.
pub fn claim_code() -> Result<String, AppError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::other(anyhow::Error::new(e).context("no randomness")))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(CLAIM_ALPHABET[usize::from(b & 31)]))
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// A claim code as typed, in the form it was issued: upper case, `O` read as `0`, `I`
/// and `L` as `1`, spaces and dashes ignored, regrouped by four. Empty when it cannot
/// be a code.
pub fn normalise_claim_code(typed: &str) -> String {
    let chars: Vec<char> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if chars.len() != 12
        || !chars
            .iter()
            .all(|c| u8::try_from(*c).is_ok_and(|b| CLAIM_ALPHABET.contains(&b)))
    {
        return String::new();
    }
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// SHA-256 of a token, hex: what the database keeps instead of the token. Tokens are
/// 256 random bits, so a fast hash is enough (unlike passwords).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with Argon2id and a fresh salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::other(anyhow::Error::new(e).context("password hashing failed")))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`hash_password`] off the request threads.
pub async fn hash_password_in_turn(password: String) -> Result<String, AppError> {
    crate::cpu::in_turn(move || hash_password(&password)).await?
}

/// [`verify_password`] off the request threads; with no hash, the dummy one is checked
/// so that an unknown e-mail takes as long as a known one.
pub async fn verify_password_in_turn(password: String, hash: Option<String>) -> bool {
    crate::cpu::in_turn(move || {
        verify_password(&password, hash.as_deref().unwrap_or_else(|| dummy_hash()))
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody has, verified against when the e-mail is unknown so
/// that the answer takes as long as for a real account.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("tanu-dummy-password-never-matches").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_code_reads_back_however_it_is_typed() {
        let code = claim_code().unwrap();
        assert_eq!(code.len(), 14);
        assert_eq!(normalise_claim_code(&code), code);
        assert_eq!(
            normalise_claim_code(&code.to_lowercase().replace('-', " ")),
            code
        );
        assert_eq!(normalise_claim_code("oooo-iiii-llll"), "0000-1111-1111");
        assert_eq!(normalise_claim_code("UUUU-0000-0000"), "");
        assert_eq!(normalise_claim_code("short"), "");
    }

    #[test]
    fn password_round_trip() {
        let Ok(hash) = hash_password("correct horse battery") else {
            panic!("hashes")
        };
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (Ok(a), Ok(b)) = (random_token(), random_token()) else {
            panic!("random")
        };
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
    }
}

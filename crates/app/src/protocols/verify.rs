//! Public verification of an issued document, by its code or its bytes.

use super::*;

/// What the public learns of a registered document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicDocument {
    /// Verification code.
    pub code: String,
    /// Language of the document.
    pub lang: String,
    /// SHA-256 of the genuine PDF, hex.
    pub sha256: String,
    /// Size of the genuine PDF.
    pub size: i64,
    /// When issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Id of the key that signed it.
    pub key_id: String,
    /// Ed25519 signature (base64) over the statement `tanu-document-v1`, code, SHA-256.
    pub signature: String,
    /// The signed statement, exactly.
    pub signed_statement: String,
    /// What may be shown.
    pub summary: PublicSummary,
}

pub(super) fn public(row: &IssuedRow) -> Result<PublicDocument, AppError> {
    Ok(PublicDocument {
        code: row.code.clone(),
        lang: row.lang.clone(),
        sha256: row.sha256.clone(),
        size: row.size,
        issued_at: row.issued_at,
        key_id: row.key_id.clone(),
        signature: row.signature.clone(),
        signed_statement: crate::signing::statement(&row.code, &row.sha256),
        summary: serde_json::from_str(&row.summary)
            .map_err(|e| corrupt("issued_documents.summary", e))?,
    })
}

/// The verdict on a document presented for checking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verdict {
    /// `genuine`: registered and unchanged; `altered`: the code is known but the file
    /// differs; `unknown`: no document has this code or these bytes; `code-only`: the
    /// code is known, no file was given to compare.
    pub verdict: String,
    /// The registered document, when one was found.
    pub document: Option<PublicDocument>,
    /// SHA-256 of the file presented, hex.
    pub presented_sha256: Option<String>,
}

/// A file presented for checking, as far as verification needs it: its SHA-256 and
/// size, counted while it streamed in (the file itself is never held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Number of bytes.
    pub size: u64,
}

/// Hashes a file presented for checking as it arrives, refusing one over `max_bytes`
/// (`file-too-large`) or cut short (`file-truncated`). Only a chunk at a time is held.
pub async fn presented<S, E>(mut stream: S, max_bytes: u64) -> Result<Presented, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| DomainError::FileTruncated)?;
        size = size.saturating_add(chunk.len() as u64);
        if size > max_bytes {
            return Err(DomainError::FileTooLarge {
                max_mb: max_bytes / (1024 * 1024),
            }
            .into());
        }
        hasher.update(&chunk);
    }
    Ok(Presented {
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

/// Checks a code and/or a presented file (see [`presented`]) against the register.
pub async fn verify(
    ctx: &Ctx,
    code: Option<&str>,
    file: Option<&Presented>,
) -> Result<Verdict, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let presented = file.map(|f| f.sha256.clone());
    let by_code = match code.filter(|c| !c.trim().is_empty()) {
        Some(c) => match rules::normalise_code(c) {
            Some(c) => repo::issued_by_code(conn.conn(), &c).await?,
            None => None,
        },
        None => None,
    };
    let code_given = code.is_some_and(|c| !c.trim().is_empty());
    let verdict = match (code_given, &by_code, &presented) {
        (true, Some(row), Some(sha)) => {
            if &row.sha256 == sha {
                ("genuine", Some(row.clone()))
            } else {
                ("altered", Some(row.clone()))
            }
        }
        (true, Some(row), None) => ("code-only", Some(row.clone())),
        (true, None, _) => ("unknown", None),
        (false, _, Some(sha)) => match repo::issued_by_sha256(conn.conn(), sha).await? {
            Some(row) => ("genuine", Some(row)),
            None => ("unknown", None),
        },
        (false, _, None) => ("unknown", None),
    };
    Ok(Verdict {
        verdict: verdict.0.to_owned(),
        document: verdict.1.as_ref().map(public).transpose()?,
        presented_sha256: presented,
    })
}

/// The installation's public key, as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    /// `Ed25519`.
    pub algorithm: String,
    /// Key id: first 16 hex digits of the SHA-256 of the raw key.
    pub key_id: String,
    /// Raw 32-byte key, base64.
    pub public_key: String,
    /// SubjectPublicKeyInfo PEM, for `openssl pkeyutl -verify -rawin`.
    pub pem: String,
    /// What is signed for each document.
    pub statement_format: String,
}

/// The public key.
pub fn public_key(ctx: &Ctx) -> PublicKey {
    let s = &ctx.issuer.signer;
    PublicKey {
        algorithm: "Ed25519".to_owned(),
        key_id: s.key_id().to_owned(),
        public_key: s.public_key_base64(),
        pem: s.public_key_pem(),
        statement_format: "tanu-document-v1\\ncode: {code}\\nsha256: {sha256 hex}\\n".to_owned(),
    }
}

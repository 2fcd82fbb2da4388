//! Documents of an application: streaming an upload into the store (checked, hashed,
//! within quota) and serving it back to those who may see it.

use super::*;

/// A stored (or half-stored) upload that is cleaned up unless it is kept: dropped –
/// a refusal, an error, or the request cancelled when the client goes away – it aborts
/// the upload or deletes the object in a task of its own, so nothing stays behind.
pub(super) struct Pending {
    pub(super) objects: tanu_storage::Objects,
    pub(super) key: String,
    pub(super) writer: Option<tanu_storage::objects::ObjectWriter>,
    pub(super) keep: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        let (objects, key, writer) = (self.objects.clone(), self.key.clone(), self.writer.take());
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                match writer {
                    Some(w) => w.abort().await,
                    None => {
                        let _ = objects.delete(&key).await;
                    }
                }
            });
        }
    }
}

/// Streams an upload into the store, refusing what is not PDF, JPEG or PNG by content,
/// empty, over `max_bytes`, over what is left of the uploader's quota (`quota_left`), or
/// cut short. Returns the pending object with its type, size and SHA-256; the caller
/// keeps it once recorded.
pub(super) async fn store_stream<S, E>(
    ctx: &Ctx,
    key: &str,
    mut stream: S,
    max_bytes: u64,
    quota_left: Option<u64>,
) -> Result<(Pending, FileType, i64, String), AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut pending = Pending {
        objects: ctx.objects.clone(),
        key: key.to_owned(),
        writer: Some(ctx.objects.writer(key).await?),
        keep: false,
    };
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut head: Vec<u8> = Vec::new();
    let mut kind: Option<FileType> = None;
    // The format's end marker, searched across chunk boundaries; a file may carry data
    // after it (phone photos append a video to the JPEG), so "seen anywhere" counts.
    let mut carry: Vec<u8> = Vec::new();
    let mut ended = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| DomainError::FileTruncated)?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(DomainError::FileTooLarge {
                max_mb: max_bytes / (1024 * 1024),
            }
            .into());
        }
        if quota_left.is_some_and(|left| size > left) {
            return Err(AppError::Refused(Refusal::UploadQuota));
        }
        if kind.is_none() {
            let want = 16usize.saturating_sub(head.len());
            head.extend_from_slice(&chunk[..chunk.len().min(want)]);
            if head.len() >= 8 {
                kind = Some(FileType::sniff(&head).ok_or(DomainError::FileTypeNotAccepted)?);
            }
        }
        if let Some(k) = kind {
            carry.extend_from_slice(&chunk[..chunk.len().min(8)]);
            ended = ended || k.looks_complete(&carry) || k.looks_complete(&chunk);
            carry.clear();
            carry.extend_from_slice(&chunk[chunk.len().saturating_sub(8)..]);
        }
        hasher.update(&chunk);
        if let Some(w) = pending.writer.as_mut() {
            w.write(chunk).await?;
        }
    }
    if size == 0 {
        return Err(DomainError::FileEmpty.into());
    }
    let kind = match kind {
        Some(k) => k,
        None => FileType::sniff(&head).ok_or(DomainError::FileTypeNotAccepted)?,
    };
    if !(ended || kind.looks_complete(&head)) {
        return Err(DomainError::FileTruncated.into());
    }
    if let Some(w) = pending.writer.take() {
        w.finish().await?;
    }
    Ok((
        pending,
        kind,
        i64::try_from(size).unwrap_or(i64::MAX),
        hex::encode(hasher.finalize()),
    ))
}

/// Uploads one of the three documents of rule 10, replacing the previous one of its
/// kind (which stays in the store and the history).
#[allow(clippy::too_many_arguments)]
pub async fn upload<S, E>(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    kind: &str,
    original_name: &str,
    stream: S,
    max_bytes: u64,
    now: OffsetDateTime,
) -> Result<Document, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let kind = DocumentKind::parse(kind)?;
    // A quota per person: registration is free, storage is not. Checked before the
    // file streams (a full quota refuses at once, a file that would pass it stops where
    // it does) and again under the person's lock, for uploads running side by side.
    let quota_left = {
        let mut conn = ctx.db.acquire().await?;
        let (app, party) = load(conn.conn(), actor, id).await?;
        may_edit(&app, party)?;
        if party == Party::Candidate {
            let stored = repo::bytes_uploaded_by(conn.conn(), actor.person_id).await?;
            let left = ctx.policy.upload_quota_bytes.saturating_sub(stored);
            if left <= 0 {
                return Err(AppError::Refused(Refusal::UploadQuota));
            }
            u64::try_from(left).ok()
        } else {
            None
        }
    };
    let key = format!(
        "applications/{id}/{}-{}",
        kind.as_str(),
        crate::secrets::random_token()?
    );
    let (mut pending, file_type, size, sha) =
        store_stream(ctx, &key, stream, max_bytes, quota_left).await?;
    let name: String = original_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = ctx.db.begin().await?;
    if !repo::lock(tx.conn(), id, now).await? {
        return Err(AppError::NotFound);
    }
    let (app, party) = load(tx.conn(), actor, id).await?;
    may_edit(&app, party)?;
    if party == Party::Candidate {
        repo::lock_person(tx.conn(), actor.person_id).await?;
        let stored = repo::bytes_uploaded_by(tx.conn(), actor.person_id).await?;
        if stored.saturating_add(size) > ctx.policy.upload_quota_bytes {
            return Err(AppError::Refused(Refusal::UploadQuota));
        }
    }
    let doc = repo::NewDocument {
        kind: kind.as_str(),
        object_key: &key,
        sha256: &sha,
        size,
        content_type: file_type.mime(),
        original_name: &name,
    };
    let doc_id = repo::insert_document(tx.conn(), id, &doc, actor.person_id, now).await?;
    let details = serde_json::json!({ "kind": kind.as_str(), "size": size, "sha256": sha, "type": file_type.mime() });
    repo::insert_event(
        tx.conn(),
        id,
        actor.person_id,
        "document-uploaded",
        &event(details),
        now,
    )
    .await?;
    // From here the file is kept: a commit that fails is cleaned up below, and one
    // interrupted mid-way leaves at worst an unreferenced object – never a record
    // without its file. (Anything failing above dropped `pending`, which deleted it.)
    pending.keep = true;
    if let Err(e) = tx.commit().await {
        let _ = ctx.objects.delete(&key).await;
        return Err(e.into());
    }
    Ok(Document {
        id: doc_id,
        kind: kind.as_str().to_owned(),
        size,
        content_type: file_type.mime().to_owned(),
        sha256: sha,
        original_name: name,
        uploaded_at: now,
    })
}

/// A document's bytes for download, recording who viewed it (every view of an identity
/// document is part of the audit trail).
pub async fn download(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    document_id: i64,
    ip: &str,
    now: OffsetDateTime,
) -> Result<
    (
        Document,
        u64,
        futures::stream::BoxStream<'static, Result<Bytes, StorageError>>,
    ),
    AppError,
> {
    let mut conn = ctx.db.acquire().await?;
    let (app, party) = load(conn.conn(), actor, id).await?;
    let d = repo::document(conn.conn(), id, document_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if d.kind == DocumentKind::Identity.as_str()
        && !need_to_know(conn.conn(), actor, &app, party).await?
    {
        return Err(need_to_know_refusal());
    }
    let (size, stream) = ctx
        .objects
        .stream(&d.object_key)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    // The view and its audit event are one write: both or neither.
    let mut tx = ctx.db.begin().await?;
    repo::insert_view(tx.conn(), d.id, actor.person_id, ip, now).await?;
    tx.commit().await?;
    let stream = stream.map(|r| r.map_err(StorageError::from)).boxed();
    Ok((
        Document {
            id: d.id,
            kind: d.kind,
            size: d.size,
            content_type: d.content_type,
            sha256: d.sha256,
            original_name: d.original_name,
            uploaded_at: d.uploaded_at,
        },
        size,
        stream,
    ))
}

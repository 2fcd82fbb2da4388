//! Issued documents: rendering protocols and extracts once, storing them with their
//! SHA-256 and the installation's signature, and serving them.

use super::*;

pub(super) fn file_name(prefix: &str, number: Option<&str>, lang: &str) -> String {
    let n = number.unwrap_or("draft").replace('/', "-");
    format!("{prefix}-{n}-{lang}.pdf")
}

pub(super) async fn render_protocol(ctx: &Ctx, doc: model::Protocol) -> Result<Vec<u8>, AppError> {
    let pdf = ctx.issuer.pdf.clone();
    crate::cpu::in_turn(move || pdf.protocol(&doc))
        .await?
        .map_err(AppError::other)
}

pub(super) async fn render_extract(ctx: &Ctx, doc: model::Extract) -> Result<Vec<u8>, AppError> {
    let pdf = ctx.issuer.pdf.clone();
    crate::cpu::in_turn(move || pdf.extract(&doc))
        .await?
        .map_err(AppError::other)
}

pub(super) fn new_code() -> Result<String, AppError> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(AppError::other)?;
    Ok(rules::verification_code(random))
}

/// What the public verification page may show of a document.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicSummary {
    /// A protocol or an extract.
    pub kind: IssuedKind,
    /// Whether the protocol is an addendum.
    pub addendum: bool,
    /// Organisation's names.
    pub organisation: OrgNames,
    /// Organisation's BIN.
    pub organisation_bin: String,
    /// Commission.
    pub commission: String,
    /// Meeting date, `DD.MM.YYYY`.
    pub meeting_date: String,
    /// Protocol number.
    pub number: String,
    /// Decisions: application number, candidate's initials, result, credits.
    pub decisions: Vec<PublicDecision>,
}

/// One decision as the public may see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicDecision {
    /// Application number.
    pub application_number: String,
    /// Candidate's initials only.
    pub candidate_initials: String,
    /// `recognised`, `refused`, `not-adopted`, `moved` or `pending`.
    pub result: String,
    /// Credits recognised.
    pub credits_total: u32,
}

pub(super) fn public_decision(i: &model::Item) -> PublicDecision {
    PublicDecision {
        application_number: i.application_number.clone(),
        candidate_initials: rules::initials(&i.candidate),
        result: i.result.clone(),
        credits_total: i.credits_total,
    }
}

/// Renders, stores, signs and records one document, unless it already exists.
#[allow(clippy::too_many_arguments)]
pub(super) async fn issue(
    ctx: &Ctx,
    p: &ProtocolRow,
    snapshot: &Snapshot,
    application_id: Option<i64>,
    lang: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<IssuedRow, AppError> {
    {
        let mut conn = ctx.db.acquire().await?;
        if let Some(row) = repo::issued_for(conn.conn(), p.id, application_id, lang).await? {
            return Ok(row);
        }
    }
    let code = new_code()?;
    let verification = model::Verification {
        code: code.clone(),
        url: format!("{}/verify/{}", ctx.issuer.public_url, code),
    };
    let doc = snapshot.in_lang(lang);
    let number = doc.number.clone().unwrap_or_default();
    let (bytes, kind, decisions) = match application_id {
        None => {
            let mut doc = doc;
            doc.verification = Some(verification);
            let decisions = doc.items.iter().map(public_decision).collect();
            (
                render_protocol(ctx, doc).await?,
                IssuedKind::Protocol,
                decisions,
            )
        }
        Some(app_id) => {
            let mut conn = ctx.db.acquire().await?;
            let app = apps_repo::get(conn.conn(), app_id)
                .await?
                .ok_or(AppError::NotFound)?;
            drop(conn);
            let item = doc
                .items
                .iter()
                .find(|i| {
                    Some(&i.application_number) == app.number.as_ref() && i.result != "pending"
                })
                .cloned()
                .ok_or(DomainError::Rule9NoDecision)?;
            let decisions = vec![public_decision(&item)];
            let extract = model::Extract {
                lang: doc.lang.clone(),
                organisation: doc.organisation.clone(),
                organisation_bin: doc.organisation_bin.clone(),
                commission: doc.commission.clone(),
                protocol_number: format!("№ {number}"),
                date: doc.date.clone(),
                rule_set: doc.rule_set.clone(),
                item,
                signatures: doc.signatures.clone(),
                verification,
                generated_at: doc.generated_at.clone(),
            };
            (
                render_extract(ctx, extract).await?,
                IssuedKind::Extract,
                decisions,
            )
        }
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let signature = ctx.issuer.signer.sign(&code, &sha256);
    let summary = PublicSummary {
        kind,
        addendum: p.kind == ProtocolKind::Addendum,
        organisation: snapshot.names.clone(),
        organisation_bin: snapshot.doc.organisation_bin.clone(),
        commission: snapshot.doc.commission.clone(),
        meeting_date: snapshot.doc.date.clone(),
        number,
        decisions,
    };
    let summary = serde_json::to_string(&summary).map_err(AppError::other)?;
    let key = format!("issued/{}/{}.pdf", p.org_id, code);
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    ctx.objects.put(&key, bytes::Bytes::from(bytes)).await?;
    let mut tx = ctx.db.begin().await?;
    let inserted = repo::insert_issued(
        tx.conn(),
        &NewIssued {
            code: &code,
            kind,
            org_id: p.org_id,
            protocol_id: p.id,
            application_id,
            lang,
            object_key: &key,
            sha256: &sha256,
            size,
            key_id: ctx.issuer.signer.key_id(),
            signature: &signature,
            summary: &summary,
            issued_by: by,
        },
        now,
    )
    .await?;
    if let Some(by) = by.filter(|_| inserted.is_some()) {
        repo::insert_event(
            tx.conn(),
            p.id,
            by,
            "issued",
            &event(serde_json::json!({ "code": code, "kind": kind, "lang": lang, "sha256": sha256, "application_id": application_id })),
            now,
        )
        .await?;
    }
    let row = repo::issued_for(tx.conn(), p.id, application_id, lang)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    if inserted.is_none() {
        // Another request issued the same document meanwhile; theirs stands.
        let _ = ctx.objects.delete(&key).await;
    }
    Ok(row)
}

pub(super) async fn issue_protocol(
    ctx: &Ctx,
    org_id: i64,
    id: i64,
    lang: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<IssuedRow, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let p = repo::get(conn.conn(), org_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if p.status != ProtocolStatus::Final {
        return Err(DomainError::Rule9ProtocolNotFinal.into());
    }
    let snapshot = snapshot_of(&p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
    issue(ctx, &p, &snapshot, None, lang, by, now).await
}

pub(super) async fn read_issued(
    ctx: &Ctx,
    row: &IssuedRow,
    prefix: &str,
    number: Option<&str>,
) -> Result<Pdf, AppError> {
    let bytes = ctx
        .objects
        .get(&row.object_key)
        .await?
        .ok_or_else(|| corrupt("issued_documents.object_key", "file missing from the store"))?;
    Ok(Pdf {
        file_name: file_name(prefix, number, &row.lang),
        bytes,
        code: Some(row.code.clone()),
    })
}

/// The protocol as PDF in a language: a preview while not final (marked as a draft),
/// the issued document once final.
pub async fn pdf(
    ctx: &Ctx,
    scope: &OrgScope,
    id: i64,
    lang: &str,
    now: OffsetDateTime,
) -> Result<Pdf, AppError> {
    let lang = check_lang(lang)?;
    let mut conn = ctx.db.acquire().await?;
    let p = repo::get(conn.conn(), scope.org_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let prefix = if p.kind == ProtocolKind::Addendum {
        "addendum"
    } else {
        "protocol"
    };
    match p.status {
        ProtocolStatus::Final => {
            drop(conn);
            let row =
                issue_protocol(ctx, scope.org_id(), id, lang, Some(scope.person_id()), now).await?;
            let number = p.seq.zip(p.year).map(|(s, y)| rules::number(s, y));
            read_issued(ctx, &row, prefix, number.as_deref()).await
        }
        ProtocolStatus::Signing => {
            let approvals = repo::approvals(conn.conn(), id).await?;
            drop(conn);
            let snapshot =
                snapshot_of(&p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
            let mut doc = snapshot.in_lang(lang);
            with_approvals(&mut doc, &approvals);
            doc.generated_at = fmt_datetime(now);
            Ok(Pdf {
                file_name: file_name(prefix, None, lang),
                bytes: render_protocol(ctx, doc).await?.into(),
                code: None,
            })
        }
        ProtocolStatus::Draft => {
            let m = meeting_of(conn.conn(), scope, &p).await?;
            let g = gather(conn.conn(), &m, &p).await?;
            drop(conn);
            let mut doc = Snapshot {
                names: g.names,
                doc: g.doc,
            }
            .in_lang(lang);
            doc.generated_at = fmt_datetime(now);
            Ok(Pdf {
                file_name: file_name(prefix, None, lang),
                bytes: render_protocol(ctx, doc).await?.into(),
                code: None,
            })
        }
    }
}

/// The extract of the decision on an application (выписка), for the candidate or the
/// organisation's staff, once the protocol recording it is final.
pub async fn extract(
    ctx: &Ctx,
    actor: &Actor,
    application_id: i64,
    lang: &str,
    now: OffsetDateTime,
) -> Result<Pdf, AppError> {
    let lang = check_lang(lang)?;
    let mut conn = ctx.db.acquire().await?;
    let app = apps_repo::get(conn.conn(), application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::applications::may_read(actor, &app)?;
    let decided = meetings_repo::for_application(conn.conn(), application_id)
        .await?
        .into_iter()
        .rev()
        .find(|e| e.item_status == ItemStatus::Decided)
        .ok_or(DomainError::Rule9NoDecision)?;
    let p = repo::of_meeting(conn.conn(), decided.meeting_id)
        .await?
        .into_iter()
        .find(|p| p.kind == ProtocolKind::Protocol)
        .ok_or(DomainError::Rule9ProtocolNotFinal)?;
    drop(conn);
    if p.status != ProtocolStatus::Final {
        return Err(DomainError::Rule9ProtocolNotFinal.into());
    }
    let snapshot = snapshot_of(&p)?.ok_or_else(|| corrupt("protocols.snapshot", "missing"))?;
    let row = issue(
        ctx,
        &p,
        &snapshot,
        Some(application_id),
        lang,
        Some(actor.person_id),
        now,
    )
    .await?;
    let name = app
        .number
        .clone()
        .unwrap_or_else(|| application_id.to_string());
    read_issued(ctx, &row, "extract", Some(&name)).await
}

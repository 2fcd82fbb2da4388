//! The organisation's catalogue of programmes and their disciplines or modules, kept by
//! its admin (one row at a time, or imported from CSV) and read by everyone who applies.

use serde::{Deserialize, Serialize};
use tanu_domain::DomainError;
use tanu_domain::person::name_text;
use tanu_storage::repo::programmes;
use time::OffsetDateTime;

use crate::{AppError, Ctx, OrgScope};

/// A discipline or module.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// `discipline` or `module`.
    pub kind: String,
    /// Title in Kazakh.
    pub title_kk: String,
    /// Title in Russian.
    pub title_ru: String,
    /// Credits.
    pub credits: i64,
    /// Learning outcomes it teaches.
    pub outcomes: Vec<String>,
}

/// A programme with its units.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Programme {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Title in Kazakh.
    pub title_kk: String,
    /// Title in Russian.
    pub title_ru: String,
    /// Its disciplines or modules.
    pub units: Vec<Unit>,
}

/// One row of the catalogue: a unit of a programme (the programme is created or
/// updated by its code). The CSV import takes the same columns, in this order.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CatalogueRow {
    /// Programme code, e.g. `6B06101`.
    pub programme_code: String,
    /// Programme title in Kazakh.
    pub programme_title_kk: String,
    /// Programme title in Russian.
    pub programme_title_ru: String,
    /// Unit code.
    pub unit_code: String,
    /// `discipline` or `module`.
    pub unit_kind: String,
    /// Unit title in Kazakh.
    pub unit_title_kk: String,
    /// Unit title in Russian.
    pub unit_title_ru: String,
    /// Credits.
    pub credits: i64,
    /// Learning outcomes separated by `;`.
    pub outcomes: String,
}

/// The CSV header the import expects.
pub const CSV_HEADER: &str = "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes";

/// Result of an import.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// Rows imported.
    pub rows: usize,
}

async fn save_row(
    conn: &mut tanu_storage::Tx,
    scope: &OrgScope,
    row: &CatalogueRow,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let code = name_text(&row.programme_code, "programme_code", 50)?;
    let title_kk = name_text(&row.programme_title_kk, "programme_title_kk", 300)?;
    let title_ru = name_text(&row.programme_title_ru, "programme_title_ru", 300)?;
    let unit_code = name_text(&row.unit_code, "unit_code", 50)?;
    let kind = match row.unit_kind.trim() {
        k @ ("discipline" | "module") => k,
        other => {
            return Err(DomainError::UnknownValue {
                field: "unit_kind",
                value: other.chars().take(32).collect(),
            }
            .into());
        }
    };
    let unit_kk = name_text(&row.unit_title_kk, "unit_title_kk", 300)?;
    let unit_ru = name_text(&row.unit_title_ru, "unit_title_ru", 300)?;
    if !(0..=240).contains(&row.credits) {
        return Err(DomainError::UnknownValue {
            field: "credits",
            value: row.credits.to_string(),
        }
        .into());
    }
    let outcomes: Vec<&str> = row
        .outcomes
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let outcomes = serde_json::to_string(&outcomes).map_err(AppError::other)?;
    let programme = programmes::upsert(
        conn.conn(),
        scope.org_id(),
        &code,
        &title_kk,
        &title_ru,
        now,
    )
    .await?;
    let unit = programmes::NewUnit {
        code: &unit_code,
        kind,
        title_kk: &unit_kk,
        title_ru: &unit_ru,
        credits: row.credits,
        outcomes: &outcomes,
    };
    programmes::upsert_unit(conn.conn(), programme, &unit).await?;
    Ok(())
}

/// Adds or updates one row (organisation admin).
pub async fn save(
    ctx: &Ctx,
    scope: &OrgScope,
    row: &CatalogueRow,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden);
    }
    let mut tx = ctx.db.begin().await?;
    programmes::lock_catalogue(tx.conn(), scope.org_id()).await?;
    save_row(&mut tx, scope, row, now).await?;
    crate::audit::record(
        tx.conn(),
        scope.person_id(),
        Some(scope.org_id()),
        "catalogue-saved",
        "programme",
        None,
        serde_json::json!({ "programme_code": row.programme_code, "unit_code": row.unit_code }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What is wrong with a row the CSV reader could not take: the column, when the reader
/// says which one.
fn unreadable(e: &csv::Error) -> DomainError {
    let column = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.field().and_then(|i| {
            CSV_HEADER
                .split(',')
                .nth(usize::try_from(i).unwrap_or(usize::MAX))
        }),
        _ => None,
    };
    match column {
        Some(column) => DomainError::CsvValue {
            column: column.to_owned(),
        },
        None => DomainError::CsvShape,
    }
}

/// Imports CSV rows (with the [`CSV_HEADER`] header) in one transaction: all or none.
/// A bad row is refused with its line number.
pub async fn import_csv(
    ctx: &Ctx,
    scope: &OrgScope,
    csv_text: &str,
    now: OffsetDateTime,
) -> Result<Imported, AppError> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let mut tx = ctx.db.begin().await?;
    programmes::lock_catalogue(tx.conn(), scope.org_id()).await?;
    let mut rows = 0;
    for (i, record) in reader.deserialize::<CatalogueRow>().enumerate() {
        let line = i + 2;
        let in_row = |reason| DomainError::CsvRow {
            line,
            reason: Box::new(reason),
        };
        let row = record.map_err(|e| in_row(unreadable(&e)))?;
        save_row(&mut tx, scope, &row, now)
            .await
            .map_err(|e| match e {
                AppError::Domain(d) => AppError::Domain(in_row(d)),
                other => other,
            })?;
        rows += 1;
    }
    if rows == 0 {
        return Err(DomainError::CsvRow {
            line: 1,
            reason: Box::new(DomainError::CsvNoRows { header: CSV_HEADER }),
        }
        .into());
    }
    crate::audit::record(
        tx.conn(),
        scope.person_id(),
        Some(scope.org_id()),
        "catalogue-imported",
        "programme",
        None,
        serde_json::json!({ "rows": rows }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Imported { rows })
}

/// An organisation's active programmes with their units (anyone logged in: candidates
/// choose from them).
pub async fn list(ctx: &Ctx, org_id: i64) -> Result<Vec<Programme>, AppError> {
    let mut conn = ctx.db.acquire().await?;
    let progs = programmes::list(conn.conn(), org_id).await?;
    let units = programmes::units(conn.conn(), org_id).await?;
    Ok(progs
        .into_iter()
        .filter(|p| p.active)
        .map(|p| Programme {
            units: units
                .iter()
                .filter(|u| u.programme_id == p.id)
                .map(|u| Unit {
                    id: u.id,
                    code: u.code.clone(),
                    kind: u.kind.clone(),
                    title_kk: u.title_kk.clone(),
                    title_ru: u.title_ru.clone(),
                    credits: u.credits,
                    outcomes: serde_json::from_str(&u.outcomes).unwrap_or_default(),
                })
                .collect(),
            id: p.id,
            code: p.code,
            title_kk: p.title_kk,
            title_ru: p.title_ru,
        })
        .collect())
}

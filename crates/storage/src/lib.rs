//! Persistence for Tanu.
//!
//! One code base over SQLite (the embedded default) and PostgreSQL: [`Db`] holds one
//! concrete pool of either kind, repositories write their SQL once in the subset both
//! understand and run it through [`on_conn!`], which compiles the same statement for
//! each driver. Each backend has its own migration tree; a test keeps the two schemas
//! equivalent. Files go to an [`Objects`] store: a local folder, S3, or memory.
//!
//! This crate knows tables and rows, not rules: it never decides whether something is
//! allowed.

pub mod backup;
pub mod db;
pub mod error;
pub mod objects;
pub mod repo;
pub mod schema;
pub mod writer;

pub use db::{Backend, Conn, Db, Pool, Tx};
pub use error::StorageError;
pub use objects::{Objects, ObjectsConfig};

/// Current time in microseconds, the precision both databases keep, so a value read
/// back equals the value written.
///
/// SQLite keeps times as RFC 3339 text and compares them as text. The formatter drops
/// trailing zeros of the fraction (`.32Z` for `.320000Z`), which would sort wrongly
/// against `.324078Z`; so the last microsecond digit is never zero, every stored time
/// has exactly six fraction digits, and text order is time order. The shift is at most
/// one microsecond.
pub fn now() -> time::OffsetDateTime {
    fixed_width(time::OffsetDateTime::now_utc())
}

/// Truncates to a microsecond whose last digit is not zero (see [`now`]).
pub fn fixed_width(t: time::OffsetDateTime) -> time::OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let micros = t.nanosecond() / 1000;
    let micros = if micros.is_multiple_of(10) {
        micros + 1
    } else {
        micros
    };
    t.replace_nanosecond(micros * 1000).unwrap_or(t)
}

/// The first stored instant of a calendar day in Kazakhstan, for "from this day" and
/// "before that day" comparisons (see [`now`]).
pub fn day_start(day: time::Date) -> time::OffsetDateTime {
    fixed_width(tanu_domain::dates::day_start(day))
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_times_sort_as_text() {
        let a = super::fixed_width(time::macros::datetime!(2026-11-25 12:00:00.32 UTC));
        let b = super::fixed_width(time::macros::datetime!(2026-11-25 12:00:00.324078 UTC));
        let c = super::fixed_width(time::macros::datetime!(2026-11-25 12:00:00 UTC));
        let fmt = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        assert!(
            fmt(c) < fmt(a) && fmt(a) < fmt(b),
            "{} {} {}",
            fmt(c),
            fmt(a),
            fmt(b)
        );
        assert_eq!(fmt(b).len(), fmt(c).len());
    }
}

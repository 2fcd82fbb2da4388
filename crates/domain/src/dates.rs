//! Calendar dates as people type them: `YYYY-MM-DD`, within the years a record of this
//! kind can sensibly hold (1900–2100), so that nothing out of the databases' range – or
//! of the calendar arithmetic – gets further than the edge.

use time::Date;

use crate::error::DomainError;

/// Parses `YYYY-MM-DD` between 1900 and 2100.
pub fn parse_date(s: &str, field: &'static str) -> Result<Date, DomainError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &format)
        .ok()
        .filter(|d| (1900..=2100).contains(&d.year()))
        .ok_or_else(|| DomainError::UnknownValue {
            field,
            value: s.chars().take(32).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn only_plausible_dates() {
        assert!(parse_date("2026-11-25", "d").is_ok());
        assert!(parse_date(" 2026-11-25 ", "d").is_ok());
        for bad in [
            "-9999-01-01",
            "25.11.2026",
            "2026-02-30",
            "1800-01-01",
            "2101-01-01",
            "",
        ] {
            assert!(parse_date(bad, "d").is_err(), "{bad}");
        }
    }
}

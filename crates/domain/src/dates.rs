//! Calendar dates as people type them: `YYYY-MM-DD`, within the years a record of this
//! kind can sensibly hold (1900–2100), so that nothing out of the databases' range – or
//! of the calendar arithmetic – gets further than the edge.

use time::{Date, Duration, Weekday};

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

/// The last day of a period of `n` working days that starts the day after `from`:
/// Monday to Friday count, Saturday and Sunday do not. Public holidays are not known
/// here (the Rules name no calendar); a rule set can lengthen the period instead. At the
/// end of the calendar the count stops there.
pub fn after_working_days(from: Date, n: u32) -> Date {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        let Some(next) = day.next_day() else { break };
        day = next;
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    day
}

/// The last day of a period of `n` calendar days that starts the day after `from`.
pub fn after_days(from: Date, n: u32) -> Date {
    from.checked_add(Duration::days(i64::from(n)))
        .unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use time::Date;
    use time::macros::date;

    use super::{after_days, after_working_days, parse_date};

    #[test]
    fn working_days_skip_the_weekend() {
        // (from, working days, last day); 2026-11-25 is a Wednesday, 11-28 a Saturday.
        let cases = [
            (date!(2026 - 11 - 25), 0, date!(2026 - 11 - 25)),
            (date!(2026 - 11 - 25), 2, date!(2026 - 11 - 27)),
            (date!(2026 - 11 - 25), 3, date!(2026 - 11 - 30)),
            (date!(2026 - 11 - 25), 5, date!(2026 - 12 - 02)),
            (date!(2026 - 11 - 28), 1, date!(2026 - 11 - 30)),
            (Date::MAX, 5, Date::MAX),
        ];
        for (from, n, last) in cases {
            assert_eq!(after_working_days(from, n), last, "{from} + {n}");
        }
        assert_eq!(after_days(date!(2026 - 11 - 25), 30), date!(2026 - 12 - 25));
        assert_eq!(after_days(Date::MAX, 30), Date::MAX);
    }

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

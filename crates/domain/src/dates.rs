//! Kazakhstan's calendar: the one time zone Tanu judges days in (UTC+5), today's date
//! there, dates and times as documents and messages print them, and dates as people
//! type them (`YYYY-MM-DD`, within the years a record of this kind can sensibly hold,
//! 1900–2100, so that nothing out of the databases' range – or of the calendar
//! arithmetic – gets further than the edge). Nothing here reads the clock: callers
//! pass `now`.

use time::{Date, Duration, OffsetDateTime, UtcOffset, Weekday};

use crate::error::DomainError;

/// Kazakhstan's time: UTC+5 in the whole country since 1 March 2024. Terms are ranges
/// of calendar days here; numbers, years and deadlines are judged on today's date here.
pub const KAZAKHSTAN: UtcOffset = time::macros::offset!(+5);

/// A moment in Kazakhstan time.
pub fn local_time(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(KAZAKHSTAN)
}

/// The calendar day in Kazakhstan at `now`.
pub fn local_today(now: OffsetDateTime) -> Date {
    local_time(now).date()
}

/// The first instant of a calendar day in Kazakhstan.
pub fn day_start(day: Date) -> OffsetDateTime {
    day.midnight().assume_offset(KAZAKHSTAN)
}

/// A date as documents print it: `DD.MM.YYYY`.
pub fn fmt_date(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

/// A time of day in Kazakhstan: `HH:MM`.
pub fn fmt_time(t: OffsetDateTime) -> String {
    let t = local_time(t);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// A moment as documents and messages print it: `DD.MM.YYYY HH:MM`, Kazakhstan time.
pub fn fmt_datetime(t: OffsetDateTime) -> String {
    format!("{} {}", fmt_date(local_today(t)), fmt_time(t))
}

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

    use super::{after_days, after_working_days, day_start, fmt_datetime, local_today, parse_date};
    use time::macros::datetime;

    /// Kazakhstan's day starts at 19:00 UTC the evening before.
    #[test]
    fn the_day_in_kazakhstan() {
        assert_eq!(
            local_today(datetime!(2026-12-31 18:59 UTC)),
            date!(2026 - 12 - 31)
        );
        assert_eq!(
            local_today(datetime!(2026-12-31 20:30 UTC)),
            date!(2027 - 01 - 01)
        );
        assert_eq!(
            day_start(date!(2027 - 01 - 01)),
            datetime!(2026-12-31 19:00 UTC)
        );
        assert_eq!(
            fmt_datetime(datetime!(2026-12-31 20:30 UTC)),
            "01.01.2027 01:30"
        );
    }

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

//! Dates as Auth0 writes them, and calendar days as operators type them. The calendar is `time`'s;
//! these fixed shapes are written and read with plain digits rather than `time`'s format
//! descriptions, whose interpreter weighs ~20 KB in the Worker.

use time::{Date, Month, OffsetDateTime};

/// Formats epoch milliseconds as Auth0 does: `2017-03-30T15:13:40.474Z`.
pub fn iso8601(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            )
        })
        .unwrap_or_default()
}

/// Days since 1970-01-01 of the calendar date whose year, month and day are these digits (exactly
/// 4, 2 and 2 of them); `None` for anything else or a day the calendar does not have.
pub fn epoch_day(year: &str, month: &str, day: &str) -> Option<i64> {
    let digits = |s: &str, n: usize| {
        if s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u16>().ok()
        } else {
            None
        }
    };
    let month = Month::try_from(u8::try_from(digits(month, 2)?).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::from(digits(year, 4)?), month, u8::try_from(digits(day, 2)?).ok()?).ok()?;
    Some((date - OffsetDateTime::UNIX_EPOCH.date()).whole_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_like_auth0() {
        assert_eq!(iso8601(1_490_886_820_474), "2017-03-30T15:13:40.474Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
        assert_eq!(iso8601(i64::MAX), "");
    }

    #[test]
    fn calendar_days() {
        assert_eq!(epoch_day("1970", "01", "01"), Some(0));
        assert_eq!(epoch_day("2000", "03", "01"), Some(11_017));
        assert_eq!(epoch_day("2024", "02", "29"), Some(19_782));
        assert_eq!(epoch_day("1969", "12", "31"), Some(-1));
        for (y, m, d) in [
            ("2023", "02", "29"),
            ("2026", "13", "01"),
            ("2026", "00", "01"),
            ("2026", "12", "00"),
            ("2026", "1", "01"),
            ("226", "12", "01"),
            ("2026", "+1", "01"),
            ("20 6", "12", "01"),
            ("2026", "12", "32"),
        ] {
            assert_eq!(epoch_day(y, m, d), None, "{y}-{m}-{d}");
        }
    }
}

//! Dates as Auth0 writes them.

use time::OffsetDateTime;

/// Formats epoch milliseconds as Auth0 does: `2017-03-30T15:13:40.474Z`.
pub fn iso8601(ms: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_like_auth0() {
        assert_eq!(iso8601(1_490_886_820_474), "2017-03-30T15:13:40.474Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    }
}

//! Times as the service stores them: milliseconds since 1970-01-01 UTC, days as `YYYY-MM-DD` (UTC).

use icao9303::pki::Time;

/// Now, in milliseconds since 1970-01-01 UTC.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn time_of(ms: i64) -> Time {
    Time::from_unix(u64::try_from(ms.div_euclid(1000)).unwrap_or(0))
}

/// The UTC day of a time: `2026-12-08`.
pub fn day(ms: i64) -> String {
    let t = time_of(ms);
    format!("{:04}-{:02}-{:02}", t.year, t.month, t.day)
}

/// RFC 3339 in UTC with seconds: `2026-12-08T00:06:05Z`.
pub fn rfc3339(ms: i64) -> String {
    let t = time_of(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Midnight UTC of a `YYYY-MM-DD` day, in milliseconds; `None` for anything else (or a day that does not
/// exist).
pub fn parse_day(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &str| -> Option<i64> {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(&text[0..4])?, num(&text[5..7])?, num(&text[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let ms = days_from_civil(y, m, d) * 86_400_000;
    // 31 February and the like come back as another day.
    (day(ms) == text).then_some(ms)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        let ms = parse_day("2024-02-29").unwrap();
        assert_eq!(day(ms), "2024-02-29");
        assert_eq!(day(ms + 86_399_999), "2024-02-29");
        assert_eq!(rfc3339(ms + 3_661_000), "2024-02-29T01:01:01Z");
        assert_eq!(parse_day("2023-02-29"), None);
        assert_eq!(parse_day("2023-13-01"), None);
        assert_eq!(parse_day("2023-1-01"), None);
        assert_eq!(parse_day("+023-01-01"), None);
    }
}

//! The UTC time of certificates and CRLs (X.509 `Time`: UTCTime or GeneralizedTime).

use std::fmt;

/// A point in time (UTC) with one-second resolution, as certificates and CRLs carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// Year (four digits).
    pub year: u16,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
    /// Hour 0..=23.
    pub hour: u8,
    /// Minute 0..=59.
    pub minute: u8,
    /// Second 0..=60.
    pub second: u8,
}

impl Time {
    /// The current time from the system clock (UTC).
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Time::from_unix(secs)
    }

    /// The UTC time `secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix(secs: u64) -> Self {
        let days = (secs / 86_400) as i64;
        let rem = secs % 86_400;
        // Civil date from days since the epoch (proleptic Gregorian calendar).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Time {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// Midnight UTC at the start of the given day.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Self {
        Time {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
        }
    }

    /// Parses the content of a UTCTime (`YYMMDDhhmm[ss]Z`, years 50..99 → 19xx) or, with
    /// `four_digit_year`, a GeneralizedTime (`YYYYMMDDhhmm[ss[.fff]]Z`, fractions dropped).
    pub(super) fn parse_asn1(value: &[u8], four_digit_year: bool) -> Option<Time> {
        let text = std::str::from_utf8(value).ok()?.strip_suffix('Z')?;
        let digits = |s: &str| -> Option<u16> {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let (year, rest) = if four_digit_year {
            (digits(text.get(0..4)?)?, text.get(4..)?)
        } else {
            let yy = digits(text.get(0..2)?)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, text.get(2..)?)
        };
        let rest = rest.split('.').next().unwrap_or("");
        if rest.len() != 8 && rest.len() != 10 {
            return None;
        }
        let field = |i: usize| -> Option<u8> { u8::try_from(digits(rest.get(i..i + 2)?)?).ok() };
        let t = Time {
            year,
            month: field(0)?,
            day: field(2)?,
            hour: field(4)?,
            minute: field(6)?,
            second: if rest.len() == 10 { field(8)? } else { 0 },
        };
        let valid = (1..=12).contains(&t.month)
            && (1..=31).contains(&t.day)
            && t.hour <= 23
            && t.minute <= 59
            && t.second <= 60;
        valid.then_some(t)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_time_and_order() {
        assert_eq!(Time::from_unix(0), Time::from_ymd(1970, 1, 1));
        let t = Time::from_unix(1_709_164_800 + 3_661);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (2024, 2, 29, 1, 1, 1)
        );
        assert!(Time::from_ymd(2024, 1, 1) < Time::from_ymd(2024, 1, 2));
        assert_eq!(t.to_string(), "2024-02-29 01:01:01 UTC");
    }
}

//! `metav1.Time.UnmarshalQueryParameter`: Go's `time.Parse(time.RFC3339, s)`, with the zero
//! time for an empty, `null` or unparsable string (as `Unstructured.GetCreationTimestamp`
//! leaves it).

/// An instant as seconds and nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    pub(crate) secs: i64,
    pub(crate) nanos: u32,
}

/// Go's zero `time.Time` (January 1, year 1, UTC).
pub(crate) const ZERO: Instant = Instant {
    secs: -62_135_596_800,
    nanos: 0,
};

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `UnmarshalQueryParameter`: the zero time when `s` does not parse.
pub(crate) fn parse_query_time(s: &str) -> Instant {
    parse_rfc3339(s).unwrap_or(ZERO)
}

fn num(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |x, &c| x * 10 + i64::from(c - b'0')))
}

/// `time.Parse(time.RFC3339, s)`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, fields range
/// checked (the hour may have one digit, and `,` may start the fraction, as Go's general
/// parser allows).
fn parse_rfc3339(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' || b[10..].first() != Some(&b'T') {
        return None;
    }
    let year = num(&b[0..4])?;
    let month = num(&b[5..7])?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let day = num(&b[8..10])?;
    if day < 1 || day > days_in(month, year) {
        return None;
    }
    let mut rest = &b[11..];
    let hour_len = match rest {
        [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => 2,
        [a, ..] if a.is_ascii_digit() => 1,
        _ => return None,
    };
    let hour = num(&rest[..hour_len])?;
    rest = &rest[hour_len..];
    if hour > 23 || rest.len() < 6 || rest[0] != b':' || rest[3] != b':' {
        return None;
    }
    let min = num(&rest[1..3])?;
    let sec = num(&rest[4..6])?;
    if min > 59 || sec > 59 {
        return None;
    }
    rest = &rest[6..];
    let mut nanos: u32 = 0;
    if rest.len() >= 2 && matches!(rest[0], b'.' | b',') && rest[1].is_ascii_digit() {
        let n = 1 + rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let digits = &rest[1..n];
        let mut scaled: u32 = 0;
        for i in 0..9 {
            scaled = scaled * 10 + digits.get(i).map_or(0, |&c| u32::from(c - b'0'));
        }
        nanos = scaled;
        rest = &rest[n..];
    }
    let offset = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hh = num(&[*h1, *h2])?;
            let mm = num(&[*m1, *m2])?;
            if hh > 23 || mm > 59 {
                return None;
            }
            let off = (hh * 60 + mm) * 60;
            if *sign == b'-' { -off } else { off }
        }
        _ => return None,
    };
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec - offset;
    Some(Instant { secs, nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339() {
        assert_eq!(
            parse_rfc3339("1970-01-01T00:00:00Z").map(|t| t.secs),
            Some(0)
        );
        assert_eq!(
            parse_rfc3339("2020-01-02T03:04:05.5+01:00"),
            Some(Instant {
                // 03:04:05.5+01:00 is 02:04:05.5 UTC.
                secs: 1_577_930_645,
                nanos: 500_000_000
            })
        );
        assert_eq!(parse_rfc3339("2021-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2020-01-02 03:04:05Z"), None);
        assert_eq!(parse_query_time("garbage"), ZERO);
        assert_eq!(
            days_from_civil(1, 1, 1) * 86_400,
            ZERO.secs,
            "Go's zero time"
        );
    }
}

//! go-yaml timestamps: the four `time.Parse` layouts go-yaml tries, and the RFC 3339
//! text `encoding/json` prints a `time.Time` as.

/// A parsed timestamp as Go's `time.Parse` leaves it: the wall clock as written and the
/// zone offset (`0` for `Z`, for a zone-less text, and for `+00:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
}

/// Go layouts go-yaml tries, in order.
#[derive(Clone, Copy)]
enum Layout {
    /// `2006-1-2T15:4:5.999999999Z07:00`
    Upper,
    /// `2006-1-2t15:4:5.999999999Z07:00`
    Lower,
    /// `2006-1-2 15:4:5.999999999`
    Spaced,
    /// `2006-1-2`
    Date,
}

/// A cursor over the text, mirroring the pieces of Go's `time.Parse` that these layouts
/// use.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn digit(&self, k: usize) -> Option<u32> {
        self.peek(k)
            .filter(u8::is_ascii_digit)
            .map(|c| u32::from(c - b'0'))
    }

    /// Go's `getnum(s, false)`: one or two digits.
    fn num(&mut self) -> Option<u32> {
        let first = self.digit(0)?;
        match self.digit(1) {
            Some(second) => {
                self.i += 2;
                Some(first * 10 + second)
            }
            None => {
                self.i += 1;
                Some(first)
            }
        }
    }

    /// Go's `getnum(s, true)`: exactly two digits.
    fn num2(&mut self) -> Option<u32> {
        let n = self.digit(0)? * 10 + self.digit(1)?;
        self.i += 2;
        Some(n)
    }

    fn literal(&mut self, c: u8) -> Option<()> {
        (self.peek(0)? == c).then(|| self.i += 1)
    }

    /// A layout space: one or more spaces.
    fn spaces(&mut self) -> Option<()> {
        self.literal(b' ')?;
        while self.peek(0) == Some(b' ') {
            self.i += 1;
        }
        Some(())
    }

    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }
}

impl Timestamp {
    /// go-yaml's `parseTimestamp`: `None` when the text is not one of its layouts or not
    /// a valid date and time.
    pub(crate) fn parse(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        let leading = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if leading != 4 || b.get(4) != Some(&b'-') {
            return None;
        }
        [Layout::Upper, Layout::Lower, Layout::Spaced, Layout::Date]
            .into_iter()
            .find_map(|layout| parse_layout(b, layout))
    }

    /// The text `encoding/json` prints (Go's RFC 3339 with nanoseconds, trailing zeros
    /// of the fraction dropped), or Go's error for offsets RFC 3339 cannot express.
    pub(crate) fn to_json(self) -> Result<String, String> {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        if self.offset == 0 {
            out.push('Z');
        } else {
            let minutes = self.offset.unsigned_abs() / 60;
            let hours = minutes / 60;
            if hours >= 24 {
                return Err("json: error calling MarshalJSON for type time.Time: \
                            Time.MarshalJSON: timezone hour outside of range [0,23]"
                    .to_owned());
            }
            let sign = if self.offset < 0 { '-' } else { '+' };
            out.push_str(&format!("{sign}{hours:02}:{:02}", minutes % 60));
        }
        Ok(out)
    }
}

fn parse_layout(b: &[u8], layout: Layout) -> Option<Timestamp> {
    let mut c = Cursor { b, i: 4 };
    let year = b[..4]
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    c.literal(b'-')?;
    let month = c.num().filter(|m| (1..=12).contains(m))?;
    c.literal(b'-')?;
    let day = c.num()?;
    let mut t = Timestamp {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: 0,
    };
    match layout {
        Layout::Date => {}
        Layout::Upper | Layout::Lower | Layout::Spaced => {
            match layout {
                Layout::Upper => c.literal(b'T')?,
                Layout::Lower => c.literal(b't')?,
                _ => c.spaces()?,
            }
            t.hour = c.num().filter(|&h| h < 24)?;
            c.literal(b':')?;
            t.minute = c.num().filter(|&m| m < 60)?;
            c.literal(b':')?;
            t.second = c.num().filter(|&s| s < 60)?;
            t.nanos = fraction(&mut c);
            if !matches!(layout, Layout::Spaced) {
                t.offset = zone(&mut c)?;
            }
        }
    }
    if !c.at_end() || day < 1 || day > days_in(month, year) {
        return None;
    }
    Some(t)
}

/// Go's `stdFracSecond9`: `.` or `,` and at least one digit, else nothing is consumed.
/// Digits past the ninth are read and dropped.
fn fraction(c: &mut Cursor<'_>) -> u32 {
    if !matches!(c.peek(0), Some(b'.' | b',')) || c.digit(1).is_none() {
        return 0;
    }
    c.i += 1;
    let mut nanos = 0u32;
    let mut scale = 100_000_000u32;
    while let Some(d) = c.digit(0) {
        nanos += d * scale;
        scale /= 10;
        c.i += 1;
    }
    nanos
}

/// Go's `Z07:00`: `Z`, or a sign and `hh:mm` (hours up to 24, minutes up to 60).
fn zone(c: &mut Cursor<'_>) -> Option<i32> {
    if c.peek(0)? == b'Z' {
        c.i += 1;
        return Some(0);
    }
    let sign = match c.peek(0)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    if c.peek(3)? != b':' || c.b.len() < c.i + 6 {
        return None;
    }
    c.i += 1;
    let hours = c.num2().filter(|&h| h <= 24)?;
    c.i += 1;
    let minutes = c.num2().filter(|&m| m <= 60)?;
    let seconds = i32::try_from((hours * 60 + minutes) * 60).ok()?;
    Some(sign * seconds)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Option<Result<String, String>> {
        Timestamp::parse(s).map(Timestamp::to_json)
    }

    fn ok(s: &str) -> Option<Result<String, String>> {
        Some(Ok(s.to_owned()))
    }

    #[test]
    fn layouts_and_printing_match_kustomize() {
        // Each expectation is what `kubectl kustomize` (kustomize v5.7.1) printed.
        assert_eq!(json("2001-12-14"), ok("2001-12-14T00:00:00Z"));
        assert_eq!(json("2001-1-2"), ok("2001-01-02T00:00:00Z"));
        assert_eq!(json("2001-12-1"), ok("2001-12-01T00:00:00Z"));
        assert_eq!(
            json("2001-12-14t21:59:43.10-05:00"),
            ok("2001-12-14T21:59:43.1-05:00")
        );
        assert_eq!(json("2001-12-14 21:59:43.10"), ok("2001-12-14T21:59:43.1Z"));
        assert_eq!(json("2001-12-14  21:59:43"), ok("2001-12-14T21:59:43Z"));
        assert_eq!(json("2001-12-14 1:2:3"), ok("2001-12-14T01:02:03Z"));
        assert_eq!(
            json("2001-12-14T21:59:43+00:00"),
            ok("2001-12-14T21:59:43Z")
        );
        assert_eq!(
            json("2001-12-14T21:59:43-00:00"),
            ok("2001-12-14T21:59:43Z")
        );
        assert_eq!(
            json("2001-12-14T21:59:43+00:60"),
            ok("2001-12-14T21:59:43+01:00")
        );
        assert_eq!(
            json("2001-12-14T21:59:43-00:30"),
            ok("2001-12-14T21:59:43-00:30")
        );
        assert_eq!(
            json("2001-12-14T21:59:43.123456789123Z"),
            ok("2001-12-14T21:59:43.123456789Z")
        );
        assert_eq!(json("2001-12-14T21:59:43,5Z"), ok("2001-12-14T21:59:43.5Z"));
        assert_eq!(json("2001-12-14T21:59:43.000Z"), ok("2001-12-14T21:59:43Z"));
        assert_eq!(
            json("2001-12-14T21:59:43.0100-23:59"),
            ok("2001-12-14T21:59:43.01-23:59")
        );
        assert_eq!(json("0000-01-01"), ok("0000-01-01T00:00:00Z"));
        assert_eq!(json("2000-02-29"), ok("2000-02-29T00:00:00Z"));
        assert_eq!(
            json("9999-12-31T23:59:59-01:00"),
            ok("9999-12-31T23:59:59-01:00")
        );
    }

    #[test]
    fn texts_go_rejects_stay_strings() {
        for s in [
            "2001-12-14T21:59:43",
            "2001-2-30",
            "1900-02-29",
            "2001-12-14T24:00:00Z",
            "2001-12-14T21:59:60Z",
            "2001-12-14T21:59:43+0530",
            "2001-12-14T21:59:43z",
            "2001-12-14T21:59:43.Z",
            "2001-12-14T21:59:43+1:00",
            "2001-012-14",
            "2001-12-14 21:59:43.10 -5",
            "12001-12-14",
            "201-12-14",
            "2001-13-01",
            "2001-12-00",
        ] {
            assert_eq!(Timestamp::parse(s), None, "{s}");
        }
    }

    #[test]
    fn offsets_of_24_hours_cannot_be_printed() {
        for s in ["2001-12-14T21:59:43+24:00", "2001-12-14T21:59:43+23:60"] {
            let printed = json(s).expect("parses");
            assert!(printed.is_err_and(|e| e.contains("timezone hour outside of range")));
        }
    }
}

//! go-yaml v2's plain-scalar resolver, as far as its encoder needs it: would a string,
//! printed without quotes, read back as something other than a string?
//!
//! go-yaml v2 (`go.yaml.in/yaml/v2` v2.4.3, the library under `sigs.k8s.io/yaml` that both
//! kustomize and Helm print through) quotes a string when `resolve("", s)` gives a
//! non-`!!str` tag, or when it looks like a YAML 1.1 base-60 float. The resolver leans on
//! Go's `strconv.ParseInt` / `ParseUint` / `ParseFloat` and `time.Parse`, whose exact
//! acceptance rules are reproduced here.

/// Whether go-yaml v2's encoder may print `s` as a plain scalar: it resolves to `!!str`
/// and is not a base-60 float (`stringv`'s `canUsePlain`).
pub(super) fn plain_is_string(s: &str) -> bool {
    resolves_to_str(s) && !is_base60_float(s)
}

/// The exact strings go-yaml v2's `resolveMap` knows (bools, nulls, special floats).
/// `<<` is in the map too but is never looked up: `<` has no resolve hint.
const RESOLVE_MAP: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No",
    "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan",
    ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
];

/// go-yaml v2's `resolve("", s)` tag is `!!str`.
fn resolves_to_str(s: &str) -> bool {
    let bytes = s.as_bytes();
    let hint = match bytes.first() {
        None => return false, // "" is null
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return true,
    };
    if RESOLVE_MAP.contains(&s) {
        return false;
    }
    match hint {
        b'.' => go_parse_float(s).is_none(),
        b'D' | b'S' => {
            if parse_timestamp(s) {
                return false;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if go_parse_int(&plain, 0).is_some() || go_parse_uint(&plain, 0).is_some() {
                return false;
            }
            if yaml_style_float(&plain) && go_parse_float(&plain).is_some() {
                return false;
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if go_parse_int(rest, 2).is_some() || go_parse_uint(rest, 2).is_some() {
                    return false;
                }
            } else if let Some(rest) = plain.strip_prefix("-0b")
                && go_parse_int(&format!("-{rest}"), 2).is_some()
            {
                return false;
            }
            true
        }
        _ => true,
    }
}

/// go-yaml v2's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub(super) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if (b'0'..=b'5').contains(&b[start]) => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseUint(s, base, 64)` for base 0 (prefixes `0x`, `0o`, `0b`, `0`
/// octal, underscores allowed) or an explicit base in 2..=36.
fn go_parse_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let base0 = base == 0;
    let b = s.as_bytes();
    let (base, digits) = if base0 {
        if b[0] == b'0' {
            match b.get(1).map(u8::to_ascii_lowercase) {
                Some(b'b') if b.len() >= 3 => (2, &b[2..]),
                Some(b'o') if b.len() >= 3 => (8, &b[2..]),
                Some(b'x') if b.len() >= 3 => (16, &b[2..]),
                _ => (8, &b[1..]),
            }
        } else {
            (10, b)
        }
    } else {
        (base, b)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        let d = match c {
            b'_' if base0 => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u32::from(c - b'0'),
            _ if c.is_ascii_alphabetic() => u32::from(c.to_ascii_lowercase() - b'a') + 10,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(d)))?;
    }
    if underscores && !underscore_ok(s) {
        return None;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, base, 64)`.
fn go_parse_int(s: &str, base: u32) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        None => return None,
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        Some(_) => (false, s),
    };
    let un = go_parse_uint(rest, base)?;
    if neg {
        0i64.checked_sub_unsigned(un)
    } else {
        i64::try_from(un).ok()
    }
}

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    if matches!(b.first(), Some(b'+' | b'-')) {
        b = &b[1..];
    }
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseFloat(s, 64)` for the inputs the resolver hands it: text that
/// starts with `.` (and may carry underscores) or matches the decimal float regex, so
/// Go's `inf`/`nan` spellings and hexadecimal floats never arrive. `None` on a syntax
/// error or on overflow (Go's `ErrRange`); underflow to zero is not an error in Go.
fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    if b.len() > i + 2 && b[i] == b'0' && b[i + 1].eq_ignore_ascii_case(&b'x') {
        // Hexadecimal floats never reach this resolver (the `.` hint and the decimal
        // regex both exclude them).
        return None;
    }
    let mut underscores = false;
    let mut saw_dot = false;
    let mut saw_digits = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'_' => underscores = true,
            b'.' if !saw_dot => saw_dot = true,
            b'0'..=b'9' => saw_digits = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while let Some(&c) = b.get(i) {
            match c {
                b'_' => underscores = true,
                b'0'..=b'9' => {}
                _ => break,
            }
            i += 1;
        }
    }
    if i != b.len() || (underscores && !underscore_ok(s)) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let v = clean.parse::<f64>().ok()?;
    v.is_finite().then_some(v)
}

/// go-yaml v2's `parseTimestamp`: four digits and a dash, then one of the layouts
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`,
/// `2006-1-2`, read with Go's `time.Parse` rules.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if lead != 4 || b.get(4) != Some(&b'-') {
        return false;
    }
    let year = b[..4]
        .iter()
        .fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0'));
    let mut r = Cursor { b, i: 5 };
    let Some(month) = r.getnum() else {
        return false;
    };
    if !(1..=12).contains(&month) || !r.lit(b'-') {
        return false;
    }
    let Some(day) = r.getnum() else {
        return false;
    };
    let date_ok = day >= 1 && day <= days_in(month, year);
    if r.done() {
        return date_ok;
    }
    let zoned = match r.peek() {
        Some(b'T' | b't') => {
            r.i += 1;
            true
        }
        Some(b' ') => {
            while r.peek() == Some(b' ') {
                r.i += 1;
            }
            false
        }
        _ => return false,
    };
    let time_ok = r.getnum().is_some_and(|h| h < 24)
        && r.lit(b':')
        && r.getnum().is_some_and(|m| m < 60)
        && r.lit(b':')
        && r.getnum().is_some_and(|s| s < 60);
    if !time_ok {
        return false;
    }
    // Optional fractional second: [.,] then digits (any number).
    if matches!(r.peek(), Some(b'.' | b',')) && r.b.get(r.i + 1).is_some_and(u8::is_ascii_digit) {
        r.i += 1;
        while r.peek().is_some_and(|c| c.is_ascii_digit()) {
            r.i += 1;
        }
    }
    if zoned {
        if r.peek() == Some(b'Z') {
            r.i += 1;
        } else {
            let z = &b[r.i.min(b.len())..];
            if z.len() < 6 || z[3] != b':' {
                return false;
            }
            let two = |p: &[u8]| {
                (p[0].is_ascii_digit() && p[1].is_ascii_digit())
                    .then(|| i64::from(p[0] - b'0') * 10 + i64::from(p[1] - b'0'))
            };
            let (Some(hr), Some(mm)) = (two(&z[1..3]), two(&z[4..6])) else {
                return false;
            };
            if hr > 24 || mm > 60 || !matches!(z[0], b'+' | b'-') {
                return false;
            }
            r.i += 6;
        }
    }
    r.done() && date_ok
}

/// A byte cursor for [`parse_timestamp`].
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }

    fn lit(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Go's `getnum(s, false)`: one or two digits.
    fn getnum(&mut self) -> Option<i64> {
        let d0 = self.peek().filter(u8::is_ascii_digit)?;
        self.i += 1;
        let mut n = i64::from(d0 - b'0');
        if let Some(d1) = self.peek().filter(u8::is_ascii_digit) {
            self.i += 1;
            n = n * 10 + i64::from(d1 - b'0');
        }
        Some(n)
    }
}

/// Days in a month of a (proleptic Gregorian) year, as Go's `daysIn`.
fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_table() {
        let non_strings = [
            "",
            "~",
            "null",
            "yes",
            "Y",
            "off",
            "ON",
            "True",
            ".inf",
            "-.Inf",
            ".NaN",
            "0777",
            "0o17",
            "0x1F",
            "0b101",
            "-0b101",
            "1_000",
            "1_",
            "+1",
            "-1",
            "08",
            "1e3",
            "1.",
            ".5",
            "+.5",
            "1e-400",
            ".5e-400",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "2001-12-14",
            "2001-1-2",
            "2000-02-29",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10",
            "2001-12-14  21:59:43",
            "2001-12-14T21:59:43Z",
            "2001-12-14T21:59:43+24:00",
            "2001-12-14T21:59:43,5Z",
            ".5_0",
            "0b+1",
        ];
        for s in non_strings {
            assert!(!resolves_to_str(s), "{s:?} should resolve to a non-string");
        }
        let strings = [
            "a",
            "yEs",
            "oN",
            "nULL",
            "<<",
            "1e400",
            ".5e400",
            "._5",
            ".5_",
            ".",
            "..",
            "1.2.3",
            "0x",
            "0b",
            "0xZ",
            "0b2",
            "_1",
            "2001-02-29",
            "2001-13-01",
            "2001-12-32",
            "2001-12-14T21:59:43",
            "2001-12-14T24:00:00Z",
            "2001-12-14T21:59:43+25:00",
            "2001-12-14T21:59:43+0500",
            "20011-12-14",
            "2001-12-14x",
            "1:30",
            ".iNf",
            "inf",
            "Infinity",
        ];
        for s in strings {
            assert!(resolves_to_str(s), "{s:?} should resolve to a string");
        }
    }

    #[test]
    fn base60() {
        for s in [
            "1:30",
            "-1:30",
            "+1:30",
            "1:30:00",
            "190:20:30.15",
            "1_0:30",
            "1:30.",
        ] {
            assert!(is_base60_float(s), "{s:?}");
        }
        for s in ["1:60", "1:3.5x", "12:", ":30", "1:", "a:30", "1:300"] {
            assert!(!is_base60_float(s), "{s:?}");
        }
    }
}

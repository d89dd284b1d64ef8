//! Go's `time` as templates use it: `time.Time` formatting and parsing with Go layouts,
//! durations, and a small built-in zone table (no tzdata access: the module is pure).

use crate::go::strconv;
use std::rc::Rc;

/// RFC 3339 with nanoseconds (Go's `time.RFC3339Nano`).
pub const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// A `time.Time`: an instant plus the zone it is displayed in.
#[derive(Debug, Clone, PartialEq)]
pub struct GoTime {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nsec: u32,
    /// Zone offset east of UTC in seconds.
    pub offset: i32,
    /// Zone abbreviation (`UTC`, `EDT`, or `+0200` style when unnamed).
    pub zone: Rc<str>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days since 1970-01-01 for a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Civil date for days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Broken-down local time.
#[derive(Debug, Clone, Copy)]
pub struct Civil {
    /// Year.
    pub year: i64,
    /// Month 1-12.
    pub month: u32,
    /// Day 1-31.
    pub day: u32,
    /// Hour.
    pub hour: u32,
    /// Minute.
    pub min: u32,
    /// Second.
    pub sec: u32,
    /// Weekday, 0 = Sunday.
    pub weekday: u32,
    /// Day of year, 1-based.
    pub yday: u32,
}

impl GoTime {
    /// A UTC instant.
    pub fn utc(unix: i64, nsec: u32) -> GoTime {
        GoTime {
            unix,
            nsec,
            offset: 0,
            zone: Rc::from("UTC"),
        }
    }

    /// The zero `time.Time` (January 1, year 1, UTC).
    pub fn zero() -> GoTime {
        GoTime::utc(-62135596800, 0)
    }

    /// The same instant displayed in a zone.
    pub fn in_zone(&self, zone: &Zone) -> GoTime {
        let (offset, name) = zone.lookup(self.unix);
        GoTime {
            unix: self.unix,
            nsec: self.nsec,
            offset,
            zone: name,
        }
    }

    /// Local civil fields.
    pub fn civil(&self) -> Civil {
        let local = self.unix + self.offset as i64;
        let days = local.div_euclid(86400);
        let secs = local.rem_euclid(86400) as u32;
        let (year, month, day) = civil_from_days(days);
        let weekday = (days + 4).rem_euclid(7) as u32;
        let yday = (days - days_from_civil(year, 1, 1) + 1) as u32;
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            min: (secs / 60) % 60,
            sec: secs % 60,
            weekday,
            yday,
        }
    }

    /// Go's `Time.String()`.
    pub fn go_string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// Adds nanoseconds.
    pub fn add_nanos(&self, d: i128) -> GoTime {
        let total = self.unix as i128 * 1_000_000_000 + self.nsec as i128 + d;
        let unix = total.div_euclid(1_000_000_000) as i64;
        let nsec = total.rem_euclid(1_000_000_000) as u32;
        GoTime {
            unix,
            nsec,
            offset: self.offset,
            zone: self.zone.clone(),
        }
    }

    /// Go's `Time.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, std, suffix) = next_std_chunk(rest);
            out.push_str(prefix);
            let Some(std) = std else {
                break;
            };
            rest = suffix;
            match std {
                Std::LongMonth => out.push_str(MONTHS[(c.month - 1) as usize]),
                Std::Month => out.push_str(&MONTHS[(c.month - 1) as usize][..3]),
                Std::NumMonth => out.push_str(&c.month.to_string()),
                Std::ZeroMonth => out.push_str(&format!("{:02}", c.month)),
                Std::LongWeekDay => out.push_str(DAYS[c.weekday as usize]),
                Std::WeekDay => out.push_str(&DAYS[c.weekday as usize][..3]),
                Std::Day => out.push_str(&c.day.to_string()),
                Std::UnderDay => out.push_str(&format!("{:>2}", c.day)),
                Std::ZeroDay => out.push_str(&format!("{:02}", c.day)),
                Std::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
                Std::ZeroYearDay => out.push_str(&format!("{:03}", c.yday)),
                Std::Hour => out.push_str(&format!("{:02}", c.hour)),
                Std::Hour12 => {
                    let h = c.hour % 12;
                    out.push_str(&(if h == 0 { 12 } else { h }).to_string())
                }
                Std::ZeroHour12 => {
                    let h = c.hour % 12;
                    out.push_str(&format!("{:02}", if h == 0 { 12 } else { h }))
                }
                Std::Minute => out.push_str(&c.min.to_string()),
                Std::ZeroMinute => out.push_str(&format!("{:02}", c.min)),
                Std::Second => out.push_str(&c.sec.to_string()),
                Std::ZeroSecond => out.push_str(&format!("{:02}", c.sec)),
                Std::LongYear => {
                    if (0..10000).contains(&c.year) {
                        out.push_str(&format!("{:04}", c.year))
                    } else {
                        out.push_str(&c.year.to_string())
                    }
                }
                Std::Year => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
                Std::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
                Std::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
                Std::TZ => {
                    if !self.zone.is_empty() {
                        out.push_str(&self.zone)
                    } else {
                        out.push_str(&fmt_offset(self.offset, false, false, false))
                    }
                }
                Std::Iso(colon, secs, short) => {
                    if self.offset == 0 {
                        out.push('Z');
                    } else {
                        out.push_str(&fmt_offset(self.offset, colon, secs, short));
                    }
                }
                Std::Num(colon, secs, short) => {
                    out.push_str(&fmt_offset(self.offset, colon, secs, short))
                }
                Std::Frac(n, nines, sep) => {
                    let digits = format!("{:09}", self.nsec);
                    let mut d = digits[..n.min(9)].to_string();
                    if nines {
                        while d.ends_with('0') {
                            d.pop();
                        }
                        if !d.is_empty() {
                            out.push(sep);
                            out.push_str(&d);
                        }
                    } else {
                        out.push(sep);
                        out.push_str(&d);
                    }
                }
            }
        }
        out
    }
}

fn fmt_offset(off: i32, colon: bool, secs: bool, short: bool) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    let (h, m, s) = (a / 3600, (a / 60) % 60, a % 60);
    let mut out = format!("{sign}{h:02}");
    if short {
        return out;
    }
    if colon {
        out.push(':');
    }
    out.push_str(&format!("{m:02}"));
    if secs {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{s:02}"));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    /// ISO 8601 `Z07:00` forms: (colon, seconds, hours only).
    Iso(bool, bool, bool),
    /// `-07:00` forms.
    Num(bool, bool, bool),
    /// Fractional seconds: digits, trim zeros, separator.
    Frac(usize, bool, char),
}

fn starts_lower(s: &str) -> bool {
    s.as_bytes().first().is_some_and(|c| c.is_ascii_lowercase())
}

/// Go's `nextStdChunk`: (prefix, std, suffix).
fn next_std_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let b = layout.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &layout[i..];
        let hit: Option<(Std, usize)> = match b[i] {
            b'J' => {
                if rest.starts_with("January") {
                    Some((Std::LongMonth, 7))
                } else if rest.starts_with("Jan") {
                    Some((Std::Month, 3))
                } else {
                    None
                }
            }
            b'M' => {
                if rest.starts_with("Monday") {
                    Some((Std::LongWeekDay, 6))
                } else if rest.starts_with("Mon") && !starts_lower(&rest[3..]) {
                    Some((Std::WeekDay, 3))
                } else if rest.starts_with("MST") {
                    Some((Std::TZ, 3))
                } else {
                    None
                }
            }
            b'0' => {
                if rest.len() >= 2 && (b'1'..=b'6').contains(&rest.as_bytes()[1]) {
                    let s = match rest.as_bytes()[1] {
                        b'1' => Std::ZeroMonth,
                        b'2' => Std::ZeroDay,
                        b'3' => Std::ZeroHour12,
                        b'4' => Std::ZeroMinute,
                        b'5' => Std::ZeroSecond,
                        _ => Std::Year,
                    };
                    Some((s, 2))
                } else if rest.starts_with("002") {
                    Some((Std::ZeroYearDay, 3))
                } else {
                    None
                }
            }
            b'1' => {
                if rest.starts_with("15") {
                    Some((Std::Hour, 2))
                } else {
                    Some((Std::NumMonth, 1))
                }
            }
            b'2' => {
                if rest.starts_with("2006") {
                    Some((Std::LongYear, 4))
                } else {
                    Some((Std::Day, 1))
                }
            }
            b'_' => {
                if rest.starts_with("_2") {
                    if rest.starts_with("_2006") {
                        // "_" then "2006"
                        None
                    } else {
                        Some((Std::UnderDay, 2))
                    }
                } else if rest.starts_with("__2") {
                    Some((Std::UnderYearDay, 3))
                } else {
                    None
                }
            }
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' => {
                if rest.starts_with("PM") {
                    Some((Std::PM, 2))
                } else {
                    None
                }
            }
            b'p' => {
                if rest.starts_with("pm") {
                    Some((Std::Pm, 2))
                } else {
                    None
                }
            }
            b'-' => {
                if rest.starts_with("-070000") {
                    Some((Std::Num(false, true, false), 7))
                } else if rest.starts_with("-07:00:00") {
                    Some((Std::Num(true, true, false), 9))
                } else if rest.starts_with("-0700") {
                    Some((Std::Num(false, false, false), 5))
                } else if rest.starts_with("-07:00") {
                    Some((Std::Num(true, false, false), 6))
                } else if rest.starts_with("-07") {
                    Some((Std::Num(false, false, true), 3))
                } else {
                    None
                }
            }
            b'Z' => {
                if rest.starts_with("Z070000") {
                    Some((Std::Iso(false, true, false), 7))
                } else if rest.starts_with("Z07:00:00") {
                    Some((Std::Iso(true, true, false), 9))
                } else if rest.starts_with("Z0700") {
                    Some((Std::Iso(false, false, false), 5))
                } else if rest.starts_with("Z07:00") {
                    Some((Std::Iso(true, false, false), 6))
                } else if rest.starts_with("Z07") {
                    Some((Std::Iso(false, false, true), 3))
                } else {
                    None
                }
            }
            b'.' | b',' => {
                let rb = rest.as_bytes();
                if rb.len() > 1 && (rb[1] == b'0' || rb[1] == b'9') {
                    let ch = rb[1];
                    let mut j = 1;
                    while j < rb.len() && rb[j] == ch {
                        j += 1;
                    }
                    if !(j < rb.len() && rb[j].is_ascii_digit()) {
                        Some((Std::Frac(j - 1, ch == b'9', rb[0] as char), j))
                    } else {
                        None
                    }
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some((s, n)) = hit {
            return (&layout[..i], Some(s), &layout[i + n..]);
        }
        // advance one char (layouts may hold UTF-8)
        i += layout[i..].chars().next().map_or(1, char::len_utf8);
    }
    (layout, None, "")
}

/// A time zone from the built-in table.
#[derive(Debug, Clone)]
pub enum Zone {
    /// A fixed offset.
    Fixed(i32, &'static str),
    /// US rules (second Sunday of March to first Sunday of November, 2:00 local).
    Us(i32, &'static str, &'static str),
    /// EU rules (last Sunday of March to last Sunday of October, 1:00 UTC).
    Eu(i32, &'static str, &'static str),
}

impl Zone {
    /// Looks up a zone name as `time.LoadLocation` would; `Local` is UTC (the module
    /// has no access to the host zone).
    pub fn load(name: &str) -> Option<Zone> {
        Some(match name {
            "" | "UTC" | "Local" | "Etc/UTC" | "GMT" | "Etc/GMT" | "Zulu" => Zone::Fixed(0, "UTC"),
            "America/New_York" | "US/Eastern" | "EST5EDT" => Zone::Us(-5 * 3600, "EST", "EDT"),
            "America/Chicago" | "US/Central" | "CST6CDT" => Zone::Us(-6 * 3600, "CST", "CDT"),
            "America/Denver" | "US/Mountain" | "MST7MDT" => Zone::Us(-7 * 3600, "MST", "MDT"),
            "America/Los_Angeles" | "US/Pacific" | "PST8PDT" => Zone::Us(-8 * 3600, "PST", "PDT"),
            "America/Phoenix" => Zone::Fixed(-7 * 3600, "MST"),
            "Europe/London" => Zone::Eu(0, "GMT", "BST"),
            "Europe/Dublin" => Zone::Eu(0, "GMT", "IST"),
            "Europe/Lisbon" => Zone::Eu(0, "WET", "WEST"),
            "Europe/Berlin" | "Europe/Paris" | "Europe/Madrid" | "Europe/Rome"
            | "Europe/Amsterdam" | "Europe/Brussels" | "Europe/Vienna" | "Europe/Zurich"
            | "Europe/Stockholm" | "Europe/Oslo" | "Europe/Copenhagen" | "Europe/Prague"
            | "Europe/Warsaw" | "Europe/Budapest" | "CET" => Zone::Eu(3600, "CET", "CEST"),
            "Europe/Athens" | "Europe/Helsinki" | "Europe/Kiev" | "Europe/Kyiv"
            | "Europe/Bucharest" | "EET" => Zone::Eu(7200, "EET", "EEST"),
            "Europe/Moscow" => Zone::Fixed(3 * 3600, "MSK"),
            "Asia/Tokyo" | "Japan" => Zone::Fixed(9 * 3600, "JST"),
            "Asia/Seoul" => Zone::Fixed(9 * 3600, "KST"),
            "Asia/Shanghai" | "PRC" | "Asia/Hong_Kong" => Zone::Fixed(8 * 3600, "CST"),
            "Asia/Singapore" => Zone::Fixed(8 * 3600, "+08"),
            "Asia/Kolkata" | "Asia/Calcutta" => Zone::Fixed(19800, "IST"),
            "Asia/Dubai" => Zone::Fixed(4 * 3600, "+04"),
            "Australia/Brisbane" => Zone::Fixed(10 * 3600, "AEST"),
            "America/Sao_Paulo" => Zone::Fixed(-3 * 3600, "-03"),
            _ => {
                if let Some(h) = name.strip_prefix("Etc/GMT") {
                    let n: i32 = h.parse().ok()?;
                    return Some(Zone::Fixed(-n * 3600, "")); // POSIX sign inverted
                }
                return None;
            }
        })
    }

    /// (offset, abbreviation) in effect at a Unix time.
    pub fn lookup(&self, unix: i64) -> (i32, Rc<str>) {
        match self {
            Zone::Fixed(o, n) => {
                if n.is_empty() {
                    (*o, Rc::from(fmt_offset(*o, false, false, true)))
                } else {
                    (*o, Rc::from(*n))
                }
            }
            Zone::Us(std, s, d) => {
                let year = civil_from_days((unix + *std as i64).div_euclid(86400)).0;
                // second Sunday in March, 2:00 local standard time
                let start = nth_sunday(year, 3, 2) * 86400 + 2 * 3600 - *std as i64;
                let end = nth_sunday(year, 11, 1) * 86400 + 2 * 3600 - (*std as i64 + 3600);
                if unix >= start && unix < end {
                    (*std + 3600, Rc::from(*d))
                } else {
                    (*std, Rc::from(*s))
                }
            }
            Zone::Eu(std, s, d) => {
                let year = civil_from_days(unix.div_euclid(86400)).0;
                let start = last_sunday(year, 3) * 86400 + 3600;
                let end = last_sunday(year, 10) * 86400 + 3600;
                if unix >= start && unix < end {
                    (*std + 3600, Rc::from(*d))
                } else {
                    (*std, Rc::from(*s))
                }
            }
        }
    }
}

fn nth_sunday(year: i64, month: u32, n: i64) -> i64 {
    let first = days_from_civil(year, month, 1);
    let wd = (first + 4).rem_euclid(7);
    let first_sun = first + (7 - wd) % 7;
    first_sun + 7 * (n - 1)
}

fn last_sunday(year: i64, month: u32) -> i64 {
    let next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    let last = next - 1;
    let wd = (last + 4).rem_euclid(7);
    last - wd
}

/// Go's `time.Duration.String()`.
pub fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        // sub-second: ns, µs, ms
        let (unit, div) = if u < 1_000 {
            ("ns", 1u64)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_str(u, div));
        out.push_str(unit);
    } else {
        let secs_total = u / 1_000_000_000;
        let h = secs_total / 3600;
        let m = (secs_total / 60) % 60;
        let s_ns = u % 60_000_000_000;
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac_str(s_ns, 1_000_000_000));
        out.push('s');
    }
    if neg { format!("-{out}") } else { out }
}

fn frac_str(v: u64, div: u64) -> String {
    let ip = v / div;
    let mut fp = v % div;
    if fp == 0 {
        return ip.to_string();
    }
    let mut digits = div.to_string().len() - 1;
    while fp.is_multiple_of(10) {
        fp /= 10;
        digits -= 1;
    }
    format!("{ip}.{fp:0digits$}")
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let err = || format!("time: invalid duration {}", strconv::quote(orig));
    let mut s = s;
    let mut neg = false;
    if let Some(r) = s.strip_prefix('-') {
        neg = true;
        s = r;
    } else if let Some(r) = s.strip_prefix('+') {
        s = r;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(err());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let num = &s[..num_end];
        if num.is_empty() || num == "." {
            return Err(err());
        }
        s = &s[num_end..];
        let unit_end = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let unit = &s[..unit_end];
        s = &s[unit_end..];
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    strconv::quote(orig)
                ));
            }
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    strconv::quote(unit),
                    strconv::quote(orig)
                ));
            }
        };
        let v: f64 = num.parse().map_err(|_| err())?;
        total += v * mult;
    }
    if total > 9.223372036854776e18 {
        return Err(err());
    }
    let t = total.round() as i64;
    Ok(if neg { -t } else { t })
}

/// Go's `time.ParseInLocation(layout, value, UTC)` (the subset of layout elements
/// templates use).
pub fn parse(layout: &str, value: &str) -> Result<GoTime, String> {
    let orig_value = value;
    let q = strconv::quote;
    let mk_err = |elem: &str, v: &str, msg: &str| {
        if msg.is_empty() {
            format!(
                "parsing time {} as {}: cannot parse {} as {}",
                q(orig_value),
                q(layout),
                q(v),
                q(elem)
            )
        } else {
            format!("parsing time {}{}", q(orig_value), msg)
        }
    };
    let mut year: i64 = 1;
    let mut month: u32 = 1;
    let mut day: u32 = 1;
    let mut yday: i64 = -1;
    let mut hour: u32 = 0;
    let mut min: u32 = 0;
    let mut sec: u32 = 0;
    let mut nsec: u32 = 0;
    let mut pm_set: Option<bool> = None;
    let mut offset: Option<i32> = None;
    let mut zone_name: Option<String> = None;
    let mut layout_rest = layout;
    let mut v = value;
    loop {
        let (prefix, std, suffix) = next_std_chunk(layout_rest);
        let std_str = &layout_rest[prefix.len()..layout_rest.len() - suffix.len()];
        // skip prefix
        let p = prefix.trim_start_matches(' ');
        let vv = if p.len() != prefix.len() {
            v.trim_start_matches(' ')
        } else {
            v
        };
        let Some(rest) = vv.strip_prefix(p) else {
            return Err(mk_err(prefix, v, ""));
        };
        v = rest;
        let Some(std) = std else {
            if !v.is_empty() {
                return Err(mk_err("", v, &format!(": extra text: {}", q(v))));
            }
            break;
        };
        layout_rest = suffix;
        let hold = v;
        let bad = |_: ()| mk_err(std_str, hold, "");
        match std {
            Std::LongYear => {
                if v.len() < 4 || !v.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    return Err(bad(()));
                }
                year = v[..4].parse().map_err(|_| bad(()))?;
                v = &v[4..];
            }
            Std::Year => {
                if v.len() < 2 || !v.as_bytes()[..2].iter().all(u8::is_ascii_digit) {
                    return Err(bad(()));
                }
                let y: i64 = v[..2].parse().map_err(|_| bad(()))?;
                year = if y >= 69 { y + 1900 } else { y + 2000 };
                v = &v[2..];
            }
            Std::LongMonth | Std::Month => {
                let mut found = false;
                for (i, m) in MONTHS.iter().enumerate() {
                    let name = if std == Std::Month { &m[..3] } else { m };
                    if v.len() >= name.len() && v[..name.len()].eq_ignore_ascii_case(name) {
                        month = i as u32 + 1;
                        v = &v[name.len()..];
                        found = true;
                        break;
                    }
                }
                if !found {
                    return Err(bad(()));
                }
            }
            Std::LongWeekDay | Std::WeekDay => {
                let mut found = false;
                for d in DAYS {
                    let name = if std == Std::WeekDay { &d[..3] } else { d };
                    if v.len() >= name.len() && v[..name.len()].eq_ignore_ascii_case(name) {
                        v = &v[name.len()..];
                        found = true;
                        break;
                    }
                }
                if !found {
                    return Err(bad(()));
                }
            }
            Std::NumMonth | Std::ZeroMonth => {
                let (n, r) = get_num(v, std == Std::ZeroMonth).ok_or_else(|| bad(()))?;
                if !(1..=12).contains(&n) {
                    return Err(mk_err("", v, ": month out of range"));
                }
                month = n;
                v = r;
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                let mut vv = v;
                if std == Std::UnderDay && vv.starts_with(' ') {
                    vv = &vv[1..];
                }
                let (n, r) = get_num(vv, std == Std::ZeroDay).ok_or_else(|| bad(()))?;
                day = n;
                v = r;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                let vv = v.trim_start_matches(' ');
                let (n, r) = get_num3(vv, std == Std::ZeroYearDay).ok_or_else(|| bad(()))?;
                yday = n as i64;
                v = r;
            }
            Std::Hour => {
                let (n, r) = get_num(v, false).ok_or_else(|| bad(()))?;
                if n >= 24 {
                    return Err(mk_err("", v, ": hour out of range"));
                }
                hour = n;
                v = r;
            }
            Std::Hour12 | Std::ZeroHour12 => {
                let (n, r) = get_num(v, std == Std::ZeroHour12).ok_or_else(|| bad(()))?;
                if n > 12 {
                    return Err(mk_err("", v, ": hour out of range"));
                }
                hour = n;
                v = r;
            }
            Std::Minute | Std::ZeroMinute => {
                let (n, r) = get_num(v, std == Std::ZeroMinute).ok_or_else(|| bad(()))?;
                if n >= 60 {
                    return Err(mk_err("", v, ": minute out of range"));
                }
                min = n;
                v = r;
            }
            Std::Second | Std::ZeroSecond => {
                let (n, r) = get_num(v, std == Std::ZeroSecond).ok_or_else(|| bad(()))?;
                if n >= 60 {
                    return Err(mk_err("", v, ": second out of range"));
                }
                sec = n;
                v = r;
                // fractional seconds after a seconds field even if the layout lacks it
                if v.len() > 1 && (v.starts_with('.') || v.starts_with(',')) {
                    let (_, nstd, _) = next_std_chunk(layout_rest);
                    if !matches!(nstd, Some(Std::Frac(..))) || !layout_rest.starts_with(['.', ','])
                    {
                        let digits: String =
                            v[1..].chars().take_while(char::is_ascii_digit).collect();
                        if !digits.is_empty() {
                            nsec = frac_nanos(&digits);
                            v = &v[1 + digits.len()..];
                        }
                    }
                }
            }
            Std::PM | Std::Pm => {
                if v.len() < 2 {
                    return Err(bad(()));
                }
                match &v[..2] {
                    "PM" | "pm" => pm_set = Some(true),
                    "AM" | "am" => pm_set = Some(false),
                    _ => return Err(bad(())),
                }
                v = &v[2..];
            }
            Std::Iso(..) | Std::Num(..) => {
                if matches!(std, Std::Iso(..)) && v.starts_with('Z') {
                    v = &v[1..];
                    offset = Some(0);
                    zone_name = Some("UTC".into());
                } else {
                    let (colon, secs, short) = match std {
                        Std::Iso(a, b, c) | Std::Num(a, b, c) => (a, b, c),
                        _ => (false, false, false),
                    };
                    let sign = match v.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(bad(())),
                    };
                    let b = v.as_bytes();
                    let two = |i: usize| -> Option<i32> {
                        if b.len() >= i + 2 && b[i].is_ascii_digit() && b[i + 1].is_ascii_digit() {
                            Some(((b[i] - b'0') * 10 + (b[i + 1] - b'0')) as i32)
                        } else {
                            None
                        }
                    };
                    let h = two(1).ok_or_else(|| bad(()))?;
                    let mut i = 3;
                    let mut m = 0;
                    let mut s = 0;
                    if !short {
                        if colon {
                            if b.get(i) != Some(&b':') {
                                return Err(bad(()));
                            }
                            i += 1;
                        }
                        m = two(i).ok_or_else(|| bad(()))?;
                        i += 2;
                        if secs {
                            if colon {
                                if b.get(i) != Some(&b':') {
                                    return Err(bad(()));
                                }
                                i += 1;
                            }
                            s = two(i).ok_or_else(|| bad(()))?;
                            i += 2;
                        }
                    }
                    offset = Some(sign * (h * 3600 + m * 60 + s));
                    v = &v[i..];
                }
            }
            Std::TZ => {
                if v.starts_with("UTC") {
                    zone_name = Some("UTC".into());
                    offset = Some(0);
                    v = &v[3..];
                } else {
                    let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                    if n < 3 {
                        return Err(bad(()));
                    }
                    zone_name = Some(v[..n].to_string());
                    v = &v[n..];
                }
            }
            Std::Frac(n, nines, _) => {
                if nines {
                    if v.starts_with(['.', ',']) {
                        let digits: String =
                            v[1..].chars().take_while(char::is_ascii_digit).collect();
                        nsec = frac_nanos(&digits);
                        v = &v[1 + digits.len()..];
                    }
                } else {
                    if v.len() < n + 1 || !v[1..=n].bytes().all(|c| c.is_ascii_digit()) {
                        return Err(bad(()));
                    }
                    nsec = frac_nanos(&v[1..=n]);
                    v = &v[n + 1..];
                }
            }
        }
    }
    if let Some(pm) = pm_set {
        if pm && hour < 12 {
            hour += 12;
        } else if !pm && hour == 12 {
            hour = 0;
        }
    }
    if yday >= 0 {
        let days = days_from_civil(year, 1, 1) + yday - 1;
        let (_, m, d) = civil_from_days(days);
        month = m;
        day = d;
    }
    let dim = match month {
        2 => {
            if is_leap(year) {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > dim {
        return Err(format!("parsing time {}: day out of range", q(orig_value)));
    }
    let days = days_from_civil(year, month, day);
    let local = days * 86400 + hour as i64 * 3600 + min as i64 * 60 + sec as i64;
    let (off, zone): (i32, Rc<str>) = match (offset, zone_name) {
        (Some(0), _) => (0, Rc::from("UTC")),
        (Some(o), _) => (o, Rc::from("")),
        (None, Some(z)) => (0, Rc::from(z.as_str())),
        (None, None) => (0, Rc::from("UTC")),
    };
    Ok(GoTime {
        unix: local - off as i64,
        nsec,
        offset: off,
        zone,
    })
}

fn frac_nanos(digits: &str) -> u32 {
    let mut d: String = digits.chars().take(9).collect();
    while d.len() < 9 {
        d.push('0');
    }
    d.parse().unwrap_or(0)
}

fn get_num(s: &str, fixed: bool) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() {
        return None;
    }
    if b.len() < 2 || !b[1].is_ascii_digit() {
        if fixed {
            return None;
        }
        return Some(((b[0] - b'0') as u32, &s[1..]));
    }
    Some((((b[0] - b'0') * 10 + (b[1] - b'0')) as u32, &s[2..]))
}

fn get_num3(s: &str, fixed: bool) -> Option<(u32, &str)> {
    let n = s.bytes().take(3).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != 3) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

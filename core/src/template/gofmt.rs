//! A port of Go's `fmt` printing (`Sprintf`, `Sprint`, `Sprintln`, `%v`) over the
//! executor's values; the `strconv` pieces it uses are in [`crate::go::strconv`].

// ---- fmt: Go's printf engine -----------------------------------------------------------
//
// A port of Go's `fmt` (print.go's `pp` and format.go's `fmt`) over the executor's values:
// the same state (flags, width, precision, the argument being printed), the same
// dispatch (`printArg`, `handleMethods`, `printValue`) and the same formatting of every
// verb, so `printf`, `print`, `println` and every `%v` the engine prints agree with Go
// byte for byte. Go prints real addresses for pointers, maps and slices under `%p` (and
// pointers inside values); those print [`FAKE_ADDR`].

use super::funcs::{bytes_to_gostr, gostr_to_bytes};
use super::value::{Elem, MapKind, Val};
use crate::go::strconv::{decode_rune, format_float, is_print, quote, quote_with};

const NIL_ANGLE: &str = "<nil>";
/// The address printed where Go prints a pointer's (not reproducible).
const FAKE_ADDR: u64 = 0xc000010000;
/// Go's `tooLarge` bound on widths, precisions and argument numbers.
const TOO_LARGE: i64 = 1_000_000;

#[derive(Default, Clone, Copy)]
struct FmtFlags {
    wid_present: bool,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    // `%+v` and `%#v` set these and clear `plus`/`sharp`: they are flagless formats.
    plus_v: bool,
    sharp_v: bool,
}

/// Go's `fmt` printer (`pp` with its `fmt`).
#[derive(Default)]
struct Printer {
    buf: String,
    f: FmtFlags,
    wid: usize,
    prec: usize,
    /// The argument being printed at top level (`pp.arg`); `None` for a nil interface.
    arg: Option<Val>,
    /// The value being printed by `printValue` (`pp.value`).
    value: Option<Val>,
    erroring: bool,
    reordered: bool,
    good_arg_num: bool,
}

/// The Go type name of a value as `fmt` spells it (`%T`, bad verbs, `%!(EXTRA`).
fn type_string(v: &Val) -> String {
    v.type_name()
}

/// `strconv.CanBackquote` of Go bytes.
fn can_backquote(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let (r, w) = decode_rune(&b[i..]);
        i += w.max(1);
        if w > 1 {
            if r == '\u{FEFF}' {
                return false;
            }
            continue;
        }
        if r == '\u{FFFD}' {
            return false;
        }
        if (r < ' ' && r != '\t') || r == '`' || r == '\u{7F}' {
            return false;
        }
    }
    true
}

/// The rune Go's `rune(c)` conversions in `%c`/`%q` produce (invalid ones become U+FFFD).
fn rune_of(c: u64) -> char {
    if c > 0x10FFFF {
        return '\u{FFFD}';
    }
    char::from_u32(c as u32).unwrap_or('\u{FFFD}')
}

/// Go's `parsenum`: a decimal number at `s[start..end]`, `(num, isnum, newi)`.
fn parsenum(s: &[u8], start: usize, end: usize) -> (i64, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num = 0i64;
    let mut isnum = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if !(-TOO_LARGE..=TOO_LARGE).contains(&num) {
            return (0, false, end);
        }
        num = num * 10 + i64::from(s[i] - b'0');
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

/// Go's `parseArgNumber`: `[n]` at the start of `s`, `(index, width, ok)`.
fn parse_arg_number(s: &[u8]) -> (i64, usize, bool) {
    if s.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (width, ok, newi) = parsenum(s, 1, i);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (width - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// Go's `intFromArg`: an integer argument for `*`, `(num, isInt, newArgNum)`.
fn int_from_arg(args: &[Val], arg_num: usize) -> (i64, bool, usize) {
    let Some(a) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let (mut num, mut is_int) = match a {
        Val::Int(i) | Val::Int64(i) | Val::Enum(_, i, _) => (*i, true),
        Val::Uint8(u) => (i64::from(*u), true),
        Val::Uint64(u) => match i64::try_from(*u) {
            Ok(i) => (i, true),
            Err(_) => (0, false),
        },
        _ => (0, false),
    };
    if !(-TOO_LARGE..=TOO_LARGE).contains(&num) {
        num = 0;
        is_int = false;
    }
    (num, is_int, arg_num + 1)
}

/// `time.Time.GoString()` (the location from what the value records: `UTC` is taken
/// for `time.UTC`, an unnamed fixed zone for `time.FixedZone("", ...)`).
fn time_go_string(t: &super::time::GoTime) -> String {
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
    let c = t.civil();
    let month = MONTHS
        .get((c.month as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("January");
    let zone: &str = &t.zone;
    let loc = if zone == "UTC" && t.offset == 0 {
        "time.UTC".to_string()
    } else {
        let unnamed = zone.len() == 5
            && zone.starts_with(['+', '-'])
            && zone[1..].bytes().all(|b| b.is_ascii_digit());
        format!("time.Location({})", quote(if unnamed { "" } else { zone }))
    };
    format!(
        "time.Date({}, time.{}, {}, {}, {}, {}, {}, {})",
        c.year, month, c.day, c.hour, c.min, c.sec, t.nsec, loc
    )
}

/// The fields of a semver version as Masterminds' `Version` struct holds them.
fn semver_fields(v: &super::value::Version) -> Vec<(&'static str, Val)> {
    vec![
        ("major", Val::Uint64(v.major())),
        ("minor", Val::Uint64(v.minor())),
        ("patch", Val::Uint64(v.patch())),
        ("pre", Val::str(v.prerelease())),
        ("metadata", Val::str(v.metadata())),
        ("original", Val::str(v.original())),
    ]
}

/// A struct field as `printValue` meets it: an ordinary value, or a pointer it prints
/// without following.
enum Field {
    Val(Val),
    /// A `*time.Location`: nil for UTC.
    Loc(bool),
}

impl Printer {
    fn new() -> Printer {
        Printer {
            good_arg_num: true,
            ..Printer::default()
        }
    }

    fn clear_flags(&mut self) {
        self.f = FmtFlags::default();
        self.wid = 0;
        self.prec = 0;
    }

    // ---- format.go -----------------------------------------------------------------

    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero && !self.f.minus {
            '0'
        } else {
            ' '
        };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    /// `pad`/`padString`: width counts runes (a raw byte counts one).
    fn pad(&mut self, s: &str) {
        if !self.f.wid_present || self.wid == 0 {
            self.buf.push_str(s);
            return;
        }
        let width = self.wid.saturating_sub(s.chars().count());
        if !self.f.minus {
            self.write_padding(width);
            self.buf.push_str(s);
        } else {
            self.buf.push_str(s);
            self.write_padding(width);
        }
    }

    fn pad_no_zero(&mut self, s: &str) {
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(s);
        self.f.zero = old;
    }

    fn fmt_boolean(&mut self, v: bool) {
        self.pad(if v { "true" } else { "false" });
    }

    fn fmt_unicode(&mut self, u: u64) {
        let mut prec = 4;
        if self.f.prec_present && self.prec > 4 {
            prec = self.prec;
        }
        let digits = format!("{u:X}");
        let mut s = String::from("U+");
        s.extend(std::iter::repeat_n('0', prec.saturating_sub(digits.len())));
        s.push_str(&digits);
        if self.f.sharp
            && u <= 0x10FFFF
            && let Some(c) = char::from_u32(u as u32)
            && is_print(c)
        {
            s.push_str(" '");
            s.push(c);
            s.push('\'');
        }
        self.pad_no_zero(&s);
    }

    fn fmt_integer(&mut self, u: u64, base: u32, signed: bool, verb: char, upper: bool) {
        let negative = signed && (u as i64) < 0;
        let u = if negative { u.wrapping_neg() } else { u };
        let mut prec: i64 = 0;
        if self.f.prec_present {
            prec = self.prec as i64;
            if prec == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.wid);
                self.f.zero = old;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.wid as i64;
            if negative || self.f.plus || self.f.space {
                prec -= 1;
            }
        }
        let digits = match (base, upper) {
            (2, _) => format!("{u:b}"),
            (8, _) => format!("{u:o}"),
            (16, false) => format!("{u:x}"),
            (16, true) => format!("{u:X}"),
            _ => u.to_string(),
        };
        let mut s = String::new();
        if negative {
            s.push('-');
        } else if self.f.plus {
            s.push('+');
        } else if self.f.space {
            s.push(' ');
        }
        if verb == 'O' {
            s.push_str("0o");
        }
        let zeros = usize::try_from(prec)
            .unwrap_or(0)
            .saturating_sub(digits.len());
        if self.f.sharp {
            match base {
                2 => s.push_str("0b"),
                8 if zeros == 0 && !digits.starts_with('0') => s.push('0'),
                16 => s.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        s.extend(std::iter::repeat_n('0', zeros));
        s.push_str(&digits);
        self.pad_no_zero(&s);
    }

    fn truncate_string<'a>(&self, s: &'a str) -> &'a str {
        if self.f.prec_present
            && let Some((i, _)) = s.char_indices().nth(self.prec)
        {
            return &s[..i];
        }
        s
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate_string(s);
        self.pad(s);
    }

    /// `fmtSbx`: hexadecimal of Go bytes.
    fn fmt_sbx(&mut self, b: &[u8], upper: bool) {
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let x = if upper { 'X' } else { 'x' };
        let mut length = b.len();
        if self.f.prec_present && self.prec < length {
            length = self.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                self.write_padding(self.wid);
            }
            return;
        }
        if self.f.wid_present && self.wid > width && !self.f.minus {
            self.write_padding(self.wid - width);
        }
        if self.f.sharp {
            self.buf.push('0');
            self.buf.push(x);
        }
        for (i, &c) in b[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf.push('0');
                    self.buf.push(x);
                }
            }
            self.buf.push(digits[usize::from(c >> 4)] as char);
            self.buf.push(digits[usize::from(c & 0xF)] as char);
        }
        if self.f.wid_present && self.wid > width && self.f.minus {
            self.write_padding(self.wid - width);
        }
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate_string(s);
        let b = gostr_to_bytes(s);
        if self.f.sharp && can_backquote(&b) {
            self.pad(&format!("`{s}`"));
            return;
        }
        let q = quote_with(&b, '"', self.f.plus);
        self.pad(&q);
    }

    fn fmt_c(&mut self, c: u64) {
        let r = rune_of(c);
        self.pad(r.encode_utf8(&mut [0; 4]));
    }

    fn fmt_qc(&mut self, c: u64) {
        let r = rune_of(c);
        let q = quote_with(r.encode_utf8(&mut [0; 4]).as_bytes(), '\'', self.f.plus);
        self.pad(&q);
    }

    /// `fmtFloat`: `verb` is strconv's format byte, `prec` the default precision.
    fn fmt_float(&mut self, v: f64, verb: char, prec: i32) {
        let prec = if self.f.prec_present {
            i32::try_from(self.prec).unwrap_or(i32::MAX)
        } else {
            prec
        };
        let s = format_float_verb(v, verb, prec);
        let mut num: Vec<u8> = if s.starts_with(['-', '+']) {
            s.into_bytes()
        } else {
            let mut n = vec![b'+'];
            n.extend_from_slice(s.as_bytes());
            n
        };
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        if num.get(1).is_some_and(|&c| c == b'I' || c == b'N') {
            let mut n: &[u8] = &num;
            if num[1] == b'N' && !self.f.space && !self.f.plus {
                n = &num[1..];
            }
            let s = String::from_utf8_lossy(n).into_owned();
            self.pad_no_zero(&s);
            return;
        }
        if self.f.sharp && verb != 'b' {
            let mut digits: i64 = match verb {
                'v' | 'g' | 'G' | 'x' => {
                    if prec == -1 {
                        6
                    } else {
                        i64::from(prec)
                    }
                }
                _ => 0,
            };
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                    }
                    b'e' | b'E' if verb != 'x' && verb != 'X' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        let s = String::from_utf8_lossy(&num).into_owned();
        if self.f.plus || num[0] != b'+' {
            if self.f.zero && !self.f.minus && self.f.wid_present && self.wid > num.len() {
                self.buf.push(num[0] as char);
                self.write_padding(self.wid - num.len());
                self.buf.push_str(&s[1..]);
                return;
            }
            self.pad(&s);
            return;
        }
        self.pad(&s[1..]);
    }

    // ---- print.go ------------------------------------------------------------------

    fn bad_verb(&mut self, verb: char) {
        self.erroring = true;
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        if let Some(arg) = self.arg.clone() {
            self.buf.push_str(&type_string(&arg));
            self.buf.push('=');
            self.print_arg(&arg, 'v');
        } else if let Some(value) = self.value.clone() {
            self.buf.push_str(&type_string(&value));
            self.buf.push('=');
            self.print_value(&value, 'v', 0);
        } else {
            self.buf.push_str(NIL_ANGLE);
        }
        self.buf.push(')');
        self.erroring = false;
    }

    fn fmt_bool(&mut self, v: bool, verb: char) {
        match verb {
            't' | 'v' => self.fmt_boolean(v),
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_0x64(&mut self, v: u64, leading_0x: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading_0x;
        self.fmt_integer(v, 16, false, 'v', false);
        self.f.sharp = sharp;
    }

    fn fmt_int_verb(&mut self, v: u64, signed: bool, verb: char) {
        match verb {
            'v' => {
                if self.f.sharp_v && !signed {
                    self.fmt_0x64(v, true);
                } else {
                    self.fmt_integer(v, 10, signed, verb, false);
                }
            }
            'd' => self.fmt_integer(v, 10, signed, verb, false),
            'b' => self.fmt_integer(v, 2, signed, verb, false),
            'o' | 'O' => self.fmt_integer(v, 8, signed, verb, false),
            'x' => self.fmt_integer(v, 16, signed, verb, false),
            'X' => self.fmt_integer(v, 16, signed, verb, true),
            'c' => self.fmt_c(v),
            'q' => self.fmt_qc(v),
            'U' => self.fmt_unicode(v),
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_float_verb(&mut self, v: f64, verb: char) {
        match verb {
            'v' => self.fmt_float(v, 'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(v, verb, -1),
            'f' | 'e' | 'E' => self.fmt_float(v, verb, 6),
            'F' => self.fmt_float(v, 'f', 6),
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_complex(&mut self, re: f64, im: f64, verb: char) {
        match verb {
            'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E' => {
                let old_plus = self.f.plus;
                self.buf.push('(');
                self.fmt_float_verb(re, verb);
                self.f.plus = true;
                self.fmt_float_verb(im, verb);
                self.buf.push_str("i)");
                self.f.plus = old_plus;
            }
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_string(&mut self, s: &str, verb: char) {
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.fmt_q(s);
                } else {
                    self.fmt_s(s);
                }
            }
            's' => self.fmt_s(s),
            'x' => self.fmt_sbx(&gostr_to_bytes(s), false),
            'X' => self.fmt_sbx(&gostr_to_bytes(s), true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char, type_name: &str) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.push_str(type_name);
                    self.buf.push('{');
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.fmt_0x64(u64::from(c), true);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.fmt_integer(u64::from(c), 10, false, verb, false);
                    }
                    self.buf.push(']');
                }
            }
            's' => self.fmt_s(&bytes_to_gostr(b)),
            'x' => self.fmt_sbx(b, false),
            'X' => self.fmt_sbx(b, true),
            'q' => self.fmt_q(&bytes_to_gostr(b)),
            _ => self.print_value(&Val::Bytes(b.into()), verb, 0),
        }
    }

    /// `fmtPointer` of a pointer-like value (`nil` = a nil pointer); `ok` is false for
    /// kinds that are not pointers.
    fn fmt_pointer(&mut self, ok: bool, nil: bool, type_name: &str, verb: char) {
        if !ok {
            self.bad_verb(verb);
            return;
        }
        let u = if nil { 0 } else { FAKE_ADDR };
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.buf.push('(');
                    self.buf.push_str(type_name);
                    self.buf.push_str(")(");
                    if u == 0 {
                        self.buf.push_str("nil");
                    } else {
                        self.fmt_0x64(u, true);
                    }
                    self.buf.push(')');
                } else if u == 0 {
                    self.pad(NIL_ANGLE);
                } else {
                    self.fmt_0x64(u, !self.f.sharp);
                }
            }
            'p' => self.fmt_0x64(u, !self.f.sharp),
            'b' | 'o' | 'd' | 'x' | 'X' => self.fmt_int_verb(u, false, verb),
            _ => self.bad_verb(verb),
        }
    }

    /// `handleMethods`: `String()` (`time.Time`, `time.Month`, `*semver.Version`) and
    /// `GoString()` (`time.Time`); `%w` is always a bad verb in `Sprintf`.
    fn handle_methods(&mut self, v: &Val, verb: char) -> bool {
        if self.erroring {
            return false;
        }
        if verb == 'w' {
            self.bad_verb(verb);
            return true;
        }
        if self.f.sharp_v {
            if let Val::Time(t) = v {
                let s = time_go_string(t);
                self.fmt_s(&s);
                return true;
            }
            return false;
        }
        if !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
            return false;
        }
        let s = match v {
            Val::Time(t) => t.go_string(),
            Val::Enum(_, _, name) => (*name).to_string(),
            Val::Semver(sv) => sv.to_string(),
            _ => return false,
        };
        self.fmt_string(&s, verb);
        true
    }

    /// `printArg`.
    fn print_arg(&mut self, v: &Val, verb: char) {
        self.arg = if v.is_nil() { None } else { Some(v.clone()) };
        self.value = None;
        if v.is_nil() {
            match verb {
                'T' | 'v' => self.pad(NIL_ANGLE),
                _ => self.bad_verb(verb),
            }
            return;
        }
        match verb {
            'T' => {
                self.fmt_s(&type_string(v));
                return;
            }
            'p' => {
                let nil = matches!(v, Val::Map(m) if m.nil);
                let ok = match v {
                    Val::Bytes(_) | Val::List(_) | Val::Map(_) | Val::Semver(_) => true,
                    Val::Struct(s) => s.ptr,
                    _ => false,
                };
                self.fmt_pointer(ok, nil, &type_string(v), 'p');
                return;
            }
            _ => {}
        }
        match v {
            Val::Bool(b) => self.fmt_bool(*b, verb),
            Val::Int(i) | Val::Int64(i) => self.fmt_int_verb(*i as u64, true, verb),
            Val::Uint8(u) => self.fmt_int_verb(u64::from(*u), false, verb),
            Val::Uint64(u) => self.fmt_int_verb(*u, false, verb),
            Val::Float(x) => self.fmt_float_verb(*x, verb),
            Val::Complex(re, im) => self.fmt_complex(*re, *im, verb),
            Val::Str(s) => self.fmt_string(s, verb),
            Val::Bytes(b) => self.fmt_bytes(b, verb, "[]byte"),
            _ => {
                if !self.handle_methods(v, verb) {
                    self.print_value(v, verb, 0);
                }
            }
        }
    }

    /// An element of an interface-typed container (slice, map or struct field).
    fn print_iface(&mut self, v: &Val, verb: char, depth: usize) {
        if v.is_nil() {
            if self.f.sharp_v {
                self.buf.push_str("interface {}(nil)");
            } else {
                self.buf.push_str(NIL_ANGLE);
            }
            return;
        }
        self.print_value(v, verb, depth + 1);
    }

    /// `printValue`.
    fn print_value(&mut self, v: &Val, verb: char, depth: usize) {
        if depth > 200 {
            self.buf.push_str("...");
            return;
        }
        if depth > 0 && !v.is_nil() {
            self.arg = Some(v.clone());
            if self.handle_methods(v, verb) {
                return;
            }
        }
        self.arg = None;
        self.value = Some(v.clone());
        match v {
            Val::Missing | Val::Nil => {
                if depth == 0 {
                    self.buf.push_str("<invalid reflect.Value>");
                } else if verb == 'v' {
                    self.buf.push_str(NIL_ANGLE);
                } else {
                    self.value = None;
                    self.bad_verb(verb);
                }
            }
            Val::Bool(b) => self.fmt_bool(*b, verb),
            Val::Int(i) | Val::Int64(i) | Val::Enum(_, i, _) => {
                self.fmt_int_verb(*i as u64, true, verb)
            }
            Val::Uint8(u) => self.fmt_int_verb(u64::from(*u), false, verb),
            Val::Uint64(u) => self.fmt_int_verb(*u, false, verb),
            Val::Float(x) => self.fmt_float_verb(*x, verb),
            Val::Complex(re, im) => self.fmt_complex(*re, *im, verb),
            Val::Str(s) => self.fmt_string(s, verb),
            Val::Bytes(b) => {
                if matches!(verb, 's' | 'q' | 'x' | 'X') {
                    self.fmt_bytes(b, verb, "[]uint8");
                    return;
                }
                let sharp_v = self.f.sharp_v;
                self.buf.push_str(if sharp_v { "[]uint8{" } else { "[" });
                for (i, &c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if sharp_v { ", " } else { " " });
                    }
                    self.print_value(&Val::Uint8(c), verb, depth + 1);
                }
                self.buf.push(if sharp_v { '}' } else { ']' });
            }
            Val::List(l) => {
                let sharp_v = self.f.sharp_v;
                if sharp_v {
                    self.buf.push_str(&type_string(v));
                    self.buf.push('{');
                } else {
                    self.buf.push('[');
                }
                for (i, x) in l.items.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if sharp_v { ", " } else { " " });
                    }
                    if l.elem == Elem::Iface {
                        self.print_iface(x, verb, depth + 1);
                    } else {
                        self.print_value(x, verb, depth + 1);
                    }
                }
                self.buf.push(if sharp_v { '}' } else { ']' });
            }
            Val::Map(m) => {
                let sharp_v = self.f.sharp_v;
                if sharp_v {
                    self.buf.push_str(&type_string(v));
                    if m.nil {
                        self.buf.push_str("(nil)");
                        return;
                    }
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                let entries: Vec<(String, Val)> = m
                    .entries
                    .borrow()
                    .iter()
                    .map(|(k, x)| (k.clone(), m.kind.entry(x).into_owned()))
                    .collect();
                for (i, (k, x)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if sharp_v { ", " } else { " " });
                    }
                    self.print_value(&Val::str(k.as_str()), verb, depth + 1);
                    self.buf.push(':');
                    match m.kind {
                        MapKind::Iface | MapKind::Values => self.print_iface(x, verb, depth + 1),
                        MapKind::Str | MapKind::Files => self.print_value(x, verb, depth + 1),
                    }
                }
                self.buf.push(if sharp_v { '}' } else { ']' });
            }
            Val::Time(t) => {
                let utc = &*t.zone == "UTC" && t.offset == 0;
                let fields = [
                    ("wall", Field::Val(Val::Uint64(u64::from(t.nsec)))),
                    (
                        "ext",
                        Field::Val(Val::Int64(t.unix.wrapping_add(62_135_596_800))),
                    ),
                    ("loc", Field::Loc(utc)),
                ];
                self.print_struct("time.Time", &fields, verb, depth);
            }
            Val::Semver(sv) => {
                if depth == 0 {
                    self.buf.push('&');
                    let fields: Vec<(&str, Field)> = semver_fields(sv)
                        .into_iter()
                        .map(|(n, x)| (n, Field::Val(x)))
                        .collect();
                    self.print_struct("semver.Version", &fields, verb, depth + 1);
                } else {
                    self.fmt_pointer(true, false, "*semver.Version", verb);
                }
            }
            Val::Struct(s) => {
                if s.ptr && depth > 0 {
                    self.fmt_pointer(true, false, &type_string(v), verb);
                    return;
                }
                let fields: Vec<(&str, Field)> = s
                    .fields
                    .iter()
                    .map(|(n, x)| (*n, Field::Val(x.clone())))
                    .collect();
                if s.ptr {
                    self.buf.push('&');
                    self.print_struct(s.type_name, &fields, verb, depth + 1);
                } else {
                    self.print_struct(s.type_name, &fields, verb, depth);
                }
            }
        }
    }

    fn print_struct(
        &mut self,
        type_name: &str,
        fields: &[(&str, Field)],
        verb: char,
        depth: usize,
    ) {
        let sharp_v = self.f.sharp_v;
        if sharp_v {
            self.buf.push_str(type_name);
        }
        self.buf.push('{');
        for (i, (name, x)) in fields.iter().enumerate() {
            if i > 0 {
                self.buf.push_str(if sharp_v { ", " } else { " " });
            }
            if self.f.plus_v || sharp_v {
                self.buf.push_str(name);
                self.buf.push(':');
            }
            match x {
                Field::Val(x) => self.print_iface(x, verb, depth),
                Field::Loc(nil) => {
                    self.arg = None;
                    self.value = None;
                    if *nil && !matches!(verb, 'v' | 'p' | 'b' | 'o' | 'd' | 'x' | 'X') {
                        // badVerb of a nil *time.Location prints it with %v: <nil>.
                        self.erroring = true;
                        self.buf.push_str("%!");
                        self.buf.push(verb);
                        self.buf.push_str("(*time.Location=<nil>)");
                        self.erroring = false;
                    } else {
                        self.fmt_pointer(true, *nil, "*time.Location", verb);
                    }
                }
            }
        }
        self.buf.push('}');
    }

    /// `doPrintf`.
    fn do_printf(&mut self, format: &str, args: &[Val]) {
        let fb = gostr_to_bytes(format);
        let end = fb.len();
        let mut arg_num = 0usize;
        let mut after_index;
        self.reordered = false;
        let mut i = 0usize;
        'format_loop: while i < end {
            self.good_arg_num = true;
            let lasti = i;
            while i < end && fb[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                self.buf.push_str(&bytes_to_gostr(&fb[lasti..i]));
            }
            if i >= end {
                break;
            }
            i += 1;
            self.clear_flags();
            while i < end {
                let c = fb[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            if c == b'v' || c == b'w' {
                                self.set_v_flags();
                            }
                            self.print_arg(&args[arg_num], c as char);
                            arg_num += 1;
                            i += 1;
                            continue 'format_loop;
                        }
                        break;
                    }
                }
                i += 1;
            }
            (arg_num, i, after_index) = self.arg_number(arg_num, &fb, i, args.len());
            if i < end && fb[i] == b'*' {
                i += 1;
                let (w, ok, n) = int_from_arg(args, arg_num);
                arg_num = n;
                self.f.wid_present = ok;
                if !ok {
                    self.buf.push_str("%!(BADWIDTH)");
                }
                if w < 0 {
                    self.f.minus = true;
                    self.f.zero = false;
                }
                self.wid = w.unsigned_abs() as usize;
                after_index = false;
            } else {
                let (w, ok, n) = parsenum(&fb, i, end);
                self.wid = w as usize;
                self.f.wid_present = ok;
                i = n;
                if after_index && ok {
                    self.good_arg_num = false;
                }
            }
            if i + 1 < end && fb[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, &fb, i, args.len());
                if i < end && fb[i] == b'*' {
                    i += 1;
                    let (p, mut ok, n) = int_from_arg(args, arg_num);
                    arg_num = n;
                    let mut p = p;
                    if p < 0 {
                        p = 0;
                        ok = false;
                    }
                    self.prec = p as usize;
                    self.f.prec_present = ok;
                    if !ok {
                        self.buf.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, ok, n) = parsenum(&fb, i, end);
                    i = n;
                    self.prec = if ok { p as usize } else { 0 };
                    self.f.prec_present = true;
                }
            }
            if !after_index {
                (arg_num, i, _) = self.arg_number(arg_num, &fb, i, args.len());
            }
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let (verb, size) = decode_rune(&fb[i..]);
            i += size.max(1);
            if verb == '%' {
                self.buf.push('%');
            } else if !self.good_arg_num {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(BADINDEX)");
            } else if arg_num >= args.len() {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(MISSING)");
            } else {
                if verb == 'v' || verb == 'w' {
                    self.set_v_flags();
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }
        if !self.reordered && arg_num < args.len() {
            self.clear_flags();
            self.buf.push_str("%!(EXTRA ");
            for (k, a) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.push_str(", ");
                }
                if a.is_nil() {
                    self.buf.push_str(NIL_ANGLE);
                } else {
                    self.buf.push_str(&type_string(a));
                    self.buf.push('=');
                    self.print_arg(a, 'v');
                }
            }
            self.buf.push(')');
        }
    }

    /// `%v` and `%w`: `#` and `+` become the flagless `%#v` / `%+v` formats.
    fn set_v_flags(&mut self) {
        self.f.sharp_v = self.f.sharp;
        self.f.sharp = false;
        self.f.plus_v = self.f.plus;
        self.f.plus = false;
    }

    /// `argNumber`: an explicit `[n]` argument index at `fb[i..]`.
    fn arg_number(
        &mut self,
        arg_num: usize,
        fb: &[u8],
        i: usize,
        num_args: usize,
    ) -> (usize, usize, bool) {
        if fb.len() <= i || fb[i] != b'[' {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(&fb[i..]);
        if ok && 0 <= index && (index as usize) < num_args {
            return (index as usize, i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }
}

/// strconv's `AppendFloat` for every format `fmt` uses (`b e E f g G x X`).
fn format_float_verb(v: f64, verb: char, prec: i32) -> String {
    match verb {
        'b' => format_float_b(v),
        'x' | 'X' => format_float_x(v, verb, prec),
        _ => format_float(v, verb, prec),
    }
}

/// strconv's `%b` of a float64: `-ddddp±ddd`.
fn format_float_b(v: f64) -> String {
    if !v.is_finite() {
        return format_float(v, 'g', -1);
    }
    let bits = v.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> 52) & 0x7FF) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    exp += -1023 - 52;
    format!(
        "{}{}p{}{}",
        if neg { "-" } else { "" },
        mant,
        if exp >= 0 { "+" } else { "" },
        exp
    )
}

/// strconv's `%x`/`%X` of a float64: `-0x1.yyyyp±dd`.
fn format_float_x(v: f64, verb: char, prec: i32) -> String {
    if !v.is_finite() {
        return format_float(v, 'g', -1);
    }
    let bits = v.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> 52) & 0x7FF) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    exp -= 1023;
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if verb == 'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push('0');
    out.push(verb);
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    }
    out.push(if verb == 'X' { 'P' } else { 'p' });
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

/// Go's `fmt.Sprintf`.
pub(crate) fn sprintf(format: &str, args: &[Val]) -> String {
    let mut p = Printer::new();
    p.do_printf(format, args);
    p.buf
}

/// Go's `fmt.Sprint`: operands separated by a space when neither side is a string.
pub(crate) fn sprint(args: &[Val]) -> String {
    let mut p = Printer::new();
    let mut prev_string = false;
    for (n, a) in args.iter().enumerate() {
        let is_string = matches!(a, Val::Str(_));
        if n > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// Go's `fmt.Sprintln`.
pub(crate) fn sprintln(args: &[Val]) -> String {
    let mut p = Printer::new();
    for (n, a) in args.iter().enumerate() {
        if n > 0 {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v');
    }
    p.buf.push('\n');
    p.buf
}

/// `%v` (or `%#v`) of one value into `out`: as an argument of `Sprint` when `depth` is
/// 0, else as an element inside a value.
pub(crate) fn write_value(out: &mut String, v: &Val, sharp_v: bool, depth: usize) {
    let mut p = Printer::new();
    p.f.sharp_v = sharp_v;
    if depth == 0 {
        p.print_arg(v, 'v');
    } else {
        p.print_iface(v, 'v', depth - 1);
    }
    out.push_str(&p.buf);
}

#[cfg(test)]
mod printf_tests {
    //! Expected texts are what helm v4.1.4 renders for the same `printf` (values from
    //! values.yaml are float64, `int` gives int, `nil` an untyped nil).
    use super::{sprint, sprintf, sprintln};
    use crate::template::value::Val;
    use std::collections::BTreeMap;

    fn f(x: f64) -> Val {
        Val::Float(x)
    }
    fn i(x: i64) -> Val {
        Val::Int(x)
    }
    fn s(x: &str) -> Val {
        Val::str(x)
    }
    fn l(items: Vec<Val>) -> Val {
        Val::list(items)
    }
    /// `.Values.m`: `{a: 1, b: -2.5, c: "x", d: [1, -2, null], e: {z: -1}}`.
    fn m() -> Val {
        let mut e = BTreeMap::new();
        e.insert("z".to_string(), f(-1.0));
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), f(1.0));
        m.insert("b".to_string(), f(-2.5));
        m.insert("c".to_string(), s("x"));
        m.insert("d".to_string(), l(vec![f(1.0), f(-2.0), Val::Nil]));
        m.insert("e".to_string(), Val::dict(e));
        Val::dict(m)
    }
    /// `.Values.l`: `[1, -2, "s", null, true, 1.5]`.
    fn vl() -> Val {
        l(vec![
            f(1.0),
            f(-2.0),
            s("s"),
            Val::Nil,
            Val::Bool(true),
            f(1.5),
        ])
    }

    #[track_caller]
    fn check(format: &str, args: &[Val], want: &str) {
        assert_eq!(sprintf(format, args), want, "printf {format:?}");
    }

    /// `%+v` is a flagless format: nested numbers get no sign (Go moves `+` to plusV).
    #[test]
    fn plus_v_prints_no_signs() {
        check(
            "%+v",
            &[m()],
            "map[a:1 b:-2.5 c:x d:[1 -2 <nil>] e:map[z:-1]]",
        );
        check("%+v", &[vl()], "[1 -2 s <nil> true 1.5]");
        check(
            "%v|%+v|%#v",
            &[Val::Int64(-5), Val::Int64(-5), Val::Int64(-5)],
            "-5|-5|-5",
        );
    }

    #[test]
    fn sharp_v_is_go_syntax() {
        check(
            "%#v",
            &[m()],
            "map[string]interface {}{\"a\":1, \"b\":-2.5, \"c\":\"x\", \
             \"d\":[]interface {}{1, -2, interface {}(nil)}, \"e\":map[string]interface {}{\"z\":-1}}",
        );
        check(
            "%#v",
            &[vl()],
            "[]interface {}{1, -2, \"s\", interface {}(nil), true, 1.5}",
        );
        check(
            "%#g %#.3x %#v",
            &[f(1.0), f(1.0), f(1e21)],
            "1.00000 0x1.000p+00 1e+21",
        );
    }

    /// Flags apply to each element, not to the collection; nil elements print `<nil>`
    /// whatever the verb.
    #[test]
    fn collections_format_their_elements() {
        check("%5v", &[vl()], "[    1    -2     s <nil>  true   1.5]");
        check(
            "%-4d|",
            &[l(vec![i(1), i(-2), Val::Int64(3)])],
            "[1    -2   3   ]|",
        );
        check("%05d", &[l(vec![i(-1), i(2)])], "[-0001 00002]");
        check(
            "%x",
            &[l(vec![s("ab"), i(10), f(1.5)])],
            "[6162 a 0x1.8p+00]",
        );
        check(
            "%d",
            &[vl()],
            "[%!d(float64=1) %!d(float64=-2) %!d(string=s) <nil> %!d(bool=true) %!d(float64=1.5)]",
        );
        check(
            "%s",
            &[m()],
            "map[a:%!s(float64=1) b:%!s(float64=-2.5) c:x d:[%!s(float64=1) %!s(float64=-2) <nil>] \
             e:map[z:%!s(float64=-1)]]",
        );
        check(
            "%q",
            &[l(vec![s("a"), i(97), Val::Nil])],
            "[\"a\" 'a' <nil>]",
        );
        check("%v %v", &[Val::Nil, l(vec![Val::Nil])], "<nil> [<nil>]");
    }

    #[test]
    fn argument_errors() {
        check("%d", &[Val::Nil], "%!d(<nil>)");
        check("%T %T %T", &[i(1), f(1.5), Val::Nil], "int float64 <nil>");
        check("%.3T", &[Val::dict(BTreeMap::new())], "map");
        check("%!", &[i(1)], "%!!(int=1)");
        check("%z", &[i(1)], "%!z(int=1)");
        check("%d %d", &[i(1)], "1 %!d(MISSING)");
        check(
            "%d",
            &[i(1), i(2), s("x"), Val::Nil],
            "1%!(EXTRA int=2, string=x, <nil>)",
        );
        check("%[2]d %[1]d", &[i(1), i(2)], "2 1");
        check("%[3]d", &[i(1), i(2)], "%!d(BADINDEX)");
        check("%[1]d %d", &[i(1), i(2)], "1 2");
        check("%", &[], "%!(NOVERB)");
        check("%*d", &[s("x"), i(1)], "%!(BADWIDTH)1");
        check("%.*d", &[i(-1), i(5)], "%!(BADPREC)5");
        check(
            "%*d|%-*d|%.*f",
            &[i(5), i(1), i(-5), i(2), i(2), f(1.23456)],
            "    1|2    |1.23",
        );
        check("%t %t", &[Val::Bool(true), i(1)], "true %!t(int=1)");
        check(
            "%w|%#w|%+w",
            &[i(1), s("a"), Val::Nil],
            "%!w(int=1)|%!w(string=\"a\")|%!w(<nil>)",
        );
    }

    #[test]
    fn numbers() {
        check(
            "%-5.2f|%+.3e|%08.3f|% g",
            &[f(1.5), f(-1234.5678), f(-1.23456), f(100000000.0)],
            "1.50 |-1.235e+03|-001.235| 1e+08",
        );
        check(
            "%x %X %b",
            &[f(1.5), f(-0.1), f(8.0)],
            "0x1.8p+00 -0X1.999999999999AP-04 4503599627370496p-49",
        );
        check(
            "%v %v %v %05v",
            &[
                f(f64::NAN),
                f(f64::INFINITY),
                f(f64::NEG_INFINITY),
                f(f64::NEG_INFINITY),
            ],
            "NaN +Inf -Inf  -Inf",
        );
        check(
            "%c %q %U %#U %c %+q",
            &[i(65), i(233), i(9731), i(9731), i(-1), i(233)],
            "A 'é' U+2603 U+2603 '☃' \u{FFFD} '\\u00e9'",
        );
        check(
            "%08b %o %O %#o %#x",
            &[i(5), i(8), i(8), i(8), i(255)],
            "00000101 10 0o10 010 0xff",
        );
    }

    #[test]
    fn strings_and_bytes() {
        let raw = crate::template::funcs::bytes_to_gostr(b"\xff");
        check(
            "%+q %#q %#q %q",
            &[s("é\n"), s("a`b"), s("ok"), Val::str(raw)],
            "\"\\u00e9\\n\" \"a`b\" `ok` \"\\xff\"",
        );
        check(
            "% x|%#X|% #x|%.1x",
            &[s("hé"), s("hé"), s("hé"), s("hé")],
            "68 c3 a9|0X68C3A9|0x68 0xc3 0xa9|68",
        );
        check(
            "%6.2v|%-8q|%.1s",
            &[s("hello"), s("hi"), s("日本")],
            "    he|\"hi\"    |日",
        );
        let b = Val::Bytes(b"A\x00\xff\xe9".to_vec().into());
        check(
            "%x|%d|%#v|%v",
            &[b.clone(), b.clone(), b.clone(), b],
            "4100ffe9|[65 0 255 233]|[]byte{0x41, 0x0, 0xff, 0xe9}|[65 0 255 233]",
        );
    }

    #[test]
    fn semver_prints_through_string_and_fields() {
        let v = crate::template::funcs::semver::parse_version("1.2.3-b+m").expect("version");
        let v = Val::Semver(std::rc::Rc::new(v));
        check(
            "%v|%s|%d|%#v",
            &[v.clone(), v.clone(), v.clone(), v],
            "1.2.3-b+m|1.2.3-b+m|&{1 2 3 %!d(string=b) %!d(string=m) %!d(string=1.2.3-b+m)}|\
             &semver.Version{major:0x1, minor:0x2, patch:0x3, pre:\"b\", metadata:\"m\", \
             original:\"1.2.3-b+m\"}",
        );
    }

    #[test]
    fn print_and_println() {
        // Sprint adds a space only between two operands that are not strings.
        assert_eq!(
            sprint(&[s("a"), i(1), i(2), s("b"), Val::Nil, i(3)]),
            "a1 2b<nil> 3"
        );
        assert_eq!(sprintln(&[s("a"), i(1), Val::Nil]), "a 1 <nil>\n");
    }
}

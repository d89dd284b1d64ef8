//! Go's number printing: `strconv.FormatFloat`, `strconv.FormatInt` and the float
//! encoding of `encoding/json`, reproduced byte for byte.
//!
//! Both Go tools print numbers through these functions (go-yaml's encoder uses
//! `FormatFloat(f, 'g', -1, 64)`, the JSON round trip uses `encoding/json`), and so does
//! the template engine for `%v`, `printf` and `toJson`.
//!
//! ```
//! use gitward::go::number::{format_float, json_float};
//! assert_eq!(format_float(1e6, b'g', -1, 64), "1e+06");
//! assert_eq!(format_float(0.1, b'f', 3, 64), "0.100");
//! assert_eq!(json_float(1e-7).as_deref(), Some("1e-7"));
//! assert_eq!(json_float(f64::NAN), None);
//! ```

/// The decimal digits of a float as Go's `decimalSlice` holds them: `digits` are ASCII
/// digits without trailing zeros (empty for zero), the value is `0.digits × 10^dp`.
struct Digits {
    digits: Vec<u8>,
    dp: i32,
}

impl Digits {
    fn nd(&self) -> i32 {
        i32::try_from(self.digits.len()).unwrap_or(i32::MAX)
    }

    fn digit(&self, i: i32) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.digits.get(i))
            .copied()
            .unwrap_or(b'0')
    }

    /// Builds digits from a mantissa string (digits and an optional '.') and the
    /// decimal exponent of its first digit, as Rust's `{:e}` prints them.
    fn from_sci(text: &str) -> Digits {
        let (mant, exp) = match text.split_once('e') {
            Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Digits { digits, dp: 0 };
        }
        Digits {
            digits,
            dp: exp.saturating_add(1),
        }
    }

    /// Builds digits from a fixed-point string as Rust's `{:.N}` prints it.
    fn from_fixed(text: &str) -> Digits {
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let int_len = i32::try_from(int.len()).unwrap_or(i32::MAX);
        let all = int.bytes().chain(frac.bytes());
        let mut leading = 0i32;
        let mut digits = Vec::with_capacity(int.len() + frac.len());
        for b in all {
            if digits.is_empty() && b == b'0' {
                leading += 1;
            } else {
                digits.push(b);
            }
        }
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Digits { digits, dp: 0 };
        }
        Digits {
            digits,
            dp: int_len - leading,
        }
    }
}

/// The parts of an IEEE float as Go's `genericFtoa` decomposes them.
struct Decomposed {
    neg: bool,
    mant: u64,
    exp: i32,
    mantbits: u32,
}

/// A value narrowed to the requested size: the float itself (for digit generation) and
/// its sign/mantissa/exponent, or the special spelling for NaN and infinities.
enum Narrowed {
    Special(&'static str),
    F64(f64, Decomposed),
    F32(f32, Decomposed),
}

fn narrow(f: f64, bit_size: u32) -> Narrowed {
    let (bits, mantbits, expbits, bias) = if bit_size == 32 {
        (u64::from((f as f32).to_bits()), 23u32, 8u32, -127i32)
    } else {
        (f.to_bits(), 52u32, 11u32, -1023i32)
    };
    let neg = bits >> (expbits + mantbits) != 0;
    let raw_exp = (bits >> mantbits) & ((1u64 << expbits) - 1);
    let mut mant = bits & ((1u64 << mantbits) - 1);
    let max_exp = (1u64 << expbits) - 1;
    if raw_exp == max_exp {
        return Narrowed::Special(if mant != 0 {
            "NaN"
        } else if neg {
            "-Inf"
        } else {
            "+Inf"
        });
    }
    // raw_exp < 2^11, so the conversion cannot fail.
    let mut exp = i32::try_from(raw_exp).unwrap_or(0);
    if raw_exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << mantbits;
    }
    exp += bias;
    let d = Decomposed {
        neg,
        mant,
        exp,
        mantbits,
    };
    if bit_size == 32 {
        Narrowed::F32(f as f32, d)
    } else {
        Narrowed::F64(f, d)
    }
}

/// Formats `f` as Go's `strconv.FormatFloat(f, fmt, prec, bitSize)`.
///
/// `fmt` is one of `b'b'`, `b'e'`, `b'E'`, `b'f'`, `b'g'`, `b'G'`, `b'x'`, `b'X'`
/// (anything else prints `%` followed by the byte, as Go does). `prec` is the number of
/// digits (after the point for `e`/`f`/`x`, significant for `g`); `-1` (any negative)
/// means the shortest text that parses back to the same value. `bit_size` is 32 to
/// round and print as a Go `float32`; any other value means 64. NaN prints `NaN`,
/// infinities `+Inf` / `-Inf`.
///
/// The output grows with `prec`; callers printing user-chosen precisions should bound
/// it (Go's `fmt` rejects precisions above 1e6).
pub fn format_float(f: f64, fmt: u8, prec: i32, bit_size: u32) -> String {
    let (value, d) = match narrow(f, bit_size) {
        Narrowed::Special(s) => return s.to_owned(),
        Narrowed::F64(v, d) => (v, d),
        Narrowed::F32(v, d) => (f64::from(v), d),
    };
    match fmt {
        b'b' => return fmt_b(&d),
        b'x' | b'X' => return fmt_x(&d, prec, fmt),
        _ => {}
    }
    let shortest = prec < 0;
    let is32 = bit_size == 32;
    let abs = value.abs();
    let mut prec = prec;
    let digs = if d.mant == 0 {
        Digits {
            digits: Vec::new(),
            dp: 0,
        }
    } else if shortest {
        let text = if is32 {
            format!("{:e}", abs as f32)
        } else {
            format!("{abs:e}")
        };
        let digs = closest_shortest(Digits::from_sci(&text), abs, is32);
        prec = match fmt {
            b'e' | b'E' => (digs.nd() - 1).max(0),
            b'f' => (digs.nd() - digs.dp).max(0),
            b'g' | b'G' => digs.nd(),
            _ => prec,
        };
        digs
    } else {
        match fmt {
            b'e' | b'E' => sig_digits(abs, is32, prec.saturating_add(1)),
            b'g' | b'G' => {
                if prec == 0 {
                    prec = 1;
                }
                sig_digits(abs, is32, prec)
            }
            b'f' => {
                let p = usize::try_from(prec).unwrap_or(0);
                let text = if is32 {
                    format!("{:.*}", p, abs as f32)
                } else {
                    format!("{abs:.p$}")
                };
                Digits::from_fixed(&text)
            }
            _ => Digits {
                digits: Vec::new(),
                dp: 0,
            },
        }
    };
    format_digits(shortest, d.neg, &digs, prec, fmt)
}

/// Picks Go's answer among the shortest digit strings that parse back to `abs`.
///
/// Rust's shortest formatting finds the right number of digits, but when two strings of
/// that length both round-trip and sit equally close to the exact value it can pick the
/// upper one; Go picks the one nearest the exact binary value, ties to an even last
/// digit. That is the correctly rounded `n`-digit value, whenever it round-trips.
fn closest_shortest(shortest: Digits, abs: f64, is32: bool) -> Digits {
    let rounded = sig_digits(abs, is32, shortest.nd());
    if rounded.digits == shortest.digits && rounded.dp == shortest.dp {
        return shortest;
    }
    let text = format!(
        "0.{}e{}",
        String::from_utf8_lossy(&rounded.digits),
        rounded.dp
    );
    let round_trips = if is32 {
        text.parse::<f32>()
            .is_ok_and(|v| f64::from(v).to_bits() == abs.to_bits())
    } else {
        text.parse::<f64>()
            .is_ok_and(|v| v.to_bits() == abs.to_bits())
    };
    if round_trips { rounded } else { shortest }
}

/// The first `n` significant digits of `abs`, correctly rounded (half to even).
fn sig_digits(abs: f64, is32: bool, n: i32) -> Digits {
    let after_point = usize::try_from(n.saturating_sub(1)).unwrap_or(0);
    let text = if is32 {
        format!("{:.*e}", after_point, abs as f32)
    } else {
        format!("{abs:.after_point$e}")
    };
    Digits::from_sci(&text)
}

/// Go's `formatDigits`.
fn format_digits(shortest: bool, neg: bool, digs: &Digits, prec: i32, fmt: u8) -> String {
    match fmt {
        b'e' | b'E' => fmt_e(neg, digs, prec, fmt),
        b'f' => fmt_f(neg, digs, prec),
        b'g' | b'G' => {
            let mut prec = prec;
            let mut eprec = prec;
            if eprec > digs.nd() && digs.nd() >= digs.dp {
                eprec = digs.nd();
            }
            // %e is used if the exponent from the conversion is less than -4 or
            // greater than or equal to the precision; shortest uses precision 6.
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                if prec > digs.nd() {
                    prec = digs.nd();
                }
                let efmt = if fmt == b'G' { b'E' } else { b'e' };
                return fmt_e(neg, digs, prec - 1, efmt);
            }
            if prec > digs.dp {
                prec = digs.nd();
            }
            fmt_f(neg, digs, (prec - digs.dp).max(0))
        }
        other => {
            let mut s = String::from("%");
            s.push(char::from(other));
            s
        }
    }
}

/// Go's `fmtE`: `-d.dddde±dd`.
fn fmt_e(neg: bool, digs: &Digits, prec: i32, fmt: u8) -> String {
    let mut out = String::with_capacity(usize::try_from(prec).unwrap_or(0) + 8);
    if neg {
        out.push('-');
    }
    out.push(char::from(digs.digit(0)));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(char::from(digs.digit(i)));
        }
    }
    out.push(char::from(fmt));
    let mut exp = digs.dp - 1;
    if digs.digits.is_empty() {
        exp = 0;
    }
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

/// Go's `fmtF`: `-ddddddd.ddddd`.
fn fmt_f(neg: bool, digs: &Digits, prec: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if digs.dp > 0 {
        for i in 0..digs.dp {
            out.push(char::from(digs.digit(i)));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            out.push(char::from(digs.digit(digs.dp.saturating_add(i))));
        }
    }
    out
}

/// Go's `fmtB`: `-ddddddddp±ddd`.
fn fmt_b(d: &Decomposed) -> String {
    let exp = d.exp - i32::try_from(d.mantbits).unwrap_or(0);
    let sign = if d.neg { "-" } else { "" };
    let plus = if exp >= 0 { "+" } else { "" };
    format!("{sign}{}p{plus}{exp}", d.mant)
}

/// Go's `fmtX`: `-0x1.yyyyyyyyp±dd`.
fn fmt_x(d: &Decomposed, prec: i32, fmt: u8) -> String {
    let mut mant = d.mant;
    let mut exp = if mant == 0 { 0 } else { d.exp };
    // Shift digits so the leading 1 (if any) is at bit 1<<60.
    mant <<= 60 - d.mantbits;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = u32::try_from(prec * 4).unwrap_or(0);
        let extra = (mant << shift) & ((1 << 60) - 1);
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
    let hex: &[u8; 16] = if fmt == b'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    out.push('0');
    out.push(char::from(fmt));
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    let nibble = |m: u64| char::from(hex[usize::try_from((m >> 60) & 15).unwrap_or(0)]);
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(nibble(mant));
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(nibble(mant));
            mant <<= 4;
        }
    }
    out.push(if fmt == b'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

/// Formats a `float64` as Go's `encoding/json` does (ES6 number formatting): `'f'`
/// shortest when `1e-6 <= |f| < 1e21` or `f == 0`, else `'e'` shortest with a
/// single-digit negative exponent unpadded (`1e-7`, `1e+21`). `-0` prints `-0`.
///
/// Returns `None` for NaN and infinities, which `encoding/json` refuses
/// (`json: unsupported value`).
pub fn json_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    let fmt = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        b'e'
    } else {
        b'f'
    };
    let mut s = format_float(f, fmt, -1, 64);
    if fmt == b'e' {
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    Some(s)
}

/// Formats an integer as Go's `strconv.FormatInt(i, base)`: lower-case digits, a
/// leading `-` for negatives. Bases outside 2..=36 print base 10.
pub fn format_int(i: i64, base: u32) -> String {
    let digits = format_uint(i.unsigned_abs(), base);
    if i < 0 { format!("-{digits}") } else { digits }
}

/// Formats an unsigned integer as Go's `strconv.FormatUint(u, base)`: lower-case
/// digits. Bases outside 2..=36 print base 10.
pub fn format_uint(u: u64, base: u32) -> String {
    let base = if (2..=36).contains(&base) { base } else { 10 };
    if base == 10 {
        return u.to_string();
    }
    let mut buf = Vec::new();
    let mut u = u;
    loop {
        let d = u32::try_from(u % u64::from(base)).unwrap_or(0);
        buf.push(char::from_digit(d, base).unwrap_or('0'));
        u /= u64::from(base);
        if u == 0 {
            break;
        }
    }
    buf.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples Go's documentation and the emitters lean on.
    #[test]
    fn format_float_examples() {
        let cases: &[(f64, &str)] = &[
            (1e6, "1e+06"),
            (1000000.5, "1.0000005e+06"),
            (123456.0, "123456"),
            (1.2345678901234568e+29, "1.2345678901234568e+29"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (-0.0, "-0"),
            (1e21, "1e+21"),
            (1.2345678901234567e19, "1.2345678901234567e+19"),
            (9.223372036854776e18, "9.223372036854776e+18"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for &(f, want) in cases {
            assert_eq!(format_float(f, b'g', -1, 64), want, "{f:e}");
        }
        assert_eq!(format_float(1.0, b'q', -1, 64), "%q");
        assert_eq!(format_float(0.1, b'g', -1, 32), "0.1");
        assert_eq!(format_float(0.1, b'g', 20, 64), "0.10000000000000000555");
        assert_eq!(format_float(2.5, b'f', 0, 64), "2");
        assert_eq!(format_float(3.5, b'f', 0, 64), "4");
        assert_eq!(format_float(1e23, b'f', -1, 64), "100000000000000000000000");
    }

    /// Shortest digits: when two strings of the shortest length both parse back, Go
    /// takes the one nearest the exact value, ties to even (Rust's own `{:e}` can differ).
    #[test]
    fn shortest_ties_go_to_even() {
        assert_eq!(
            format_float(f64::from_bits(0x41dbb347bc424000), b'g', -1, 64),
            "1.8589365610351562e+09"
        );
        assert_eq!(
            format_float(f64::from_bits(0x4315cc95660cc0ed), b'f', -1, 64),
            "1533979136307259.2"
        );
        assert_eq!(
            format_float(f64::from_bits(0x414691e290358135), b'e', -1, 32),
            "2.9582772e+06"
        );
    }

    /// `(value, fmt, prec, bit_size, output)` as Go 1.25.7 and 1.26 `strconv.FormatFloat`
    /// print it (a sample of a 2-million-case comparison: e/E/f/g/G at precisions -1..40,
    /// b/x/X, 32 and 64 bits, over special, random-bit and decimal-looking values).
    const FORMAT_CASES: &[(f64, u8, i32, u32, &str)] = &[
        (
            f64::from_bits(0x0000000000000000),
            b'e',
            20,
            64,
            "0.00000000000000000000e+00",
        ),
        (f64::from_bits(0x0000000000000000), b'g', -1, 64, "0"),
        (f64::from_bits(0x0000000000000000), b'b', -1, 64, "0p-1074"),
        (f64::from_bits(0x0000000000000000), b'f', 1, 32, "0.0"),
        (f64::from_bits(0x0000000000000000), b'g', -1, 32, "0"),
        (f64::from_bits(0x0000000000000000), b'x', 0, 32, "0x0p+00"),
        (f64::from_bits(0x8000000000000000), b'e', 0, 64, "-0e+00"),
        (
            f64::from_bits(0x8000000000000000),
            b'e',
            20,
            64,
            "-0.00000000000000000000e+00",
        ),
        (f64::from_bits(0x8000000000000000), b'f', 2, 64, "-0.00"),
        (
            f64::from_bits(0x8000000000000000),
            b'f',
            20,
            64,
            "-0.00000000000000000000",
        ),
        (f64::from_bits(0x8000000000000000), b'g', -1, 64, "-0"),
        (f64::from_bits(0x8000000000000000), b'g', 0, 64, "-0"),
        (f64::from_bits(0x8000000000000000), b'x', 0, 32, "-0x0p+00"),
        (f64::from_bits(0x3ff0000000000000), b'e', -1, 64, "1e+00"),
        (f64::from_bits(0x3ff0000000000000), b'e', 3, 64, "1.000e+00"),
        (f64::from_bits(0x3ff0000000000000), b'g', -1, 64, "1"),
        (f64::from_bits(0x3ff0000000000000), b'G', -1, 64, "1"),
        (f64::from_bits(0x3ff0000000000000), b'x', 0, 32, "0x1p+00"),
        (f64::from_bits(0x3fb999999999999a), b'e', 0, 64, "1e-01"),
        (f64::from_bits(0x3fb999999999999a), b'f', 0, 64, "0"),
        (f64::from_bits(0x3fb999999999999a), b'g', -1, 64, "0.1"),
        (f64::from_bits(0x3fb999999999999a), b'g', 3, 64, "0.1"),
        (
            f64::from_bits(0x3fb999999999999a),
            b'x',
            -1,
            64,
            "0x1.999999999999ap-04",
        ),
        (f64::from_bits(0x3fb999999999999a), b'x', 0, 32, "0x1p-03"),
        (f64::from_bits(0x3ff8000000000000), b'e', 3, 64, "1.500e+00"),
        (f64::from_bits(0x3ff8000000000000), b'E', -1, 64, "1.5E+00"),
        (f64::from_bits(0x3ff8000000000000), b'f', 0, 64, "2"),
        (f64::from_bits(0x3ff8000000000000), b'f', 2, 64, "1.50"),
        (f64::from_bits(0x3ff8000000000000), b'g', -1, 64, "1.5"),
        (f64::from_bits(0x3ff8000000000000), b'g', 0, 64, "2"),
        (f64::from_bits(0x3ff8000000000000), b'g', 40, 64, "1.5"),
        (f64::from_bits(0x4004000000000000), b'e', 3, 64, "2.500e+00"),
        (f64::from_bits(0x4004000000000000), b'E', -1, 64, "2.5E+00"),
        (
            f64::from_bits(0x4004000000000000),
            b'f',
            20,
            64,
            "2.50000000000000000000",
        ),
        (f64::from_bits(0x4004000000000000), b'g', -1, 64, "2.5"),
        (f64::from_bits(0x3fc0000000000000), b'g', -1, 64, "0.125"),
        (f64::from_bits(0x3fc0000000000000), b'g', 17, 64, "0.125"),
        (f64::from_bits(0x412e848000000000), b'e', 3, 64, "1.000e+06"),
        (f64::from_bits(0x412e848000000000), b'f', -1, 64, "1000000"),
        (f64::from_bits(0x412e848000000000), b'g', -1, 64, "1e+06"),
        (
            f64::from_bits(0x412e848000000000),
            b'X',
            3,
            64,
            "0X1.E84P+19",
        ),
        (f64::from_bits(0x412e848000000000), b'f', 1, 32, "1000000.0"),
        (
            f64::from_bits(0x412e848100000000),
            b'g',
            -1,
            64,
            "1.0000005e+06",
        ),
        (f64::from_bits(0x412e848100000000), b'x', 0, 32, "0x1p+20"),
        (f64::from_bits(0x40fe240000000000), b'e', 3, 64, "1.235e+05"),
        (
            f64::from_bits(0x40fe240000000000),
            b'e',
            20,
            64,
            "1.23456000000000000000e+05",
        ),
        (f64::from_bits(0x40fe240000000000), b'f', -1, 64, "123456"),
        (f64::from_bits(0x40fe240000000000), b'g', -1, 64, "123456"),
        (
            f64::from_bits(0x40fe240000000000),
            b'x',
            -1,
            64,
            "0x1.e24p+16",
        ),
        (
            f64::from_bits(0x40fe240000000000),
            b'X',
            3,
            64,
            "0X1.E24P+16",
        ),
        (f64::from_bits(0x40fe240000000000), b'f', 1, 32, "123456.0"),
        (f64::from_bits(0x3f1a36e2eb1c432d), b'E', -1, 64, "1E-04"),
        (
            f64::from_bits(0x3f1a36e2eb1c432d),
            b'b',
            -1,
            64,
            "7378697629483821p-66",
        ),
        (f64::from_bits(0x3f1a36e2eb1c432d), b'e', 3, 64, "1.000e-04"),
        (f64::from_bits(0x3f1a36e2eb1c432d), b'f', -1, 64, "0.0001"),
        (
            f64::from_bits(0x3f1a36e2eb1c432d),
            b'f',
            20,
            64,
            "0.00010000000000000000",
        ),
        (f64::from_bits(0x3f1a36e2eb1c432d), b'g', -1, 64, "0.0001"),
        (f64::from_bits(0x3f1a36e2eb1c432d), b'g', 0, 64, "0.0001"),
        (f64::from_bits(0x3f1a36e2eb1c432d), b'g', 17, 64, "0.0001"),
        (
            f64::from_bits(0x3f1a36e2eb1c432d),
            b'X',
            3,
            64,
            "0X1.A37P-14",
        ),
        (
            f64::from_bits(0x3f1a36e2eb1c432d),
            b'b',
            -1,
            32,
            "13743895p-37",
        ),
        (
            f64::from_bits(0x3ee4f8b588e368f1),
            b'b',
            -1,
            64,
            "5902958103587057p-69",
        ),
        (f64::from_bits(0x3ee4f8b588e368f1), b'e', 0, 64, "1e-05"),
        (
            f64::from_bits(0x3ee4f8b588e368f1),
            b'e',
            20,
            64,
            "1.00000000000000008180e-05",
        ),
        (f64::from_bits(0x3ee4f8b588e368f1), b'E', -1, 64, "1E-05"),
        (
            f64::from_bits(0x3ee4f8b588e368f1),
            b'f',
            20,
            64,
            "0.00001000000000000000",
        ),
        (f64::from_bits(0x3ee4f8b588e368f1), b'g', -1, 64, "1e-05"),
        (
            f64::from_bits(0x3ee4f8b588e368f1),
            b'g',
            17,
            64,
            "1.0000000000000001e-05",
        ),
        (
            f64::from_bits(0x3ee4f8b588e368f1),
            b'g',
            40,
            64,
            "1.000000000000000081803053914031309545862e-05",
        ),
        (
            f64::from_bits(0x3ee4f8b588e368f1),
            b'e',
            5,
            32,
            "1.00000e-05",
        ),
        (f64::from_bits(0x3ee4f8b588e368f1), b'g', -1, 32, "1e-05"),
        (
            f64::from_bits(0x3eb0c6f7a0b5ed8d),
            b'e',
            20,
            64,
            "9.99999999999999954748e-07",
        ),
        (f64::from_bits(0x3eb0c6f7a0b5ed8d), b'f', 0, 64, "0"),
        (f64::from_bits(0x3eb0c6f7a0b5ed8d), b'g', -1, 64, "1e-06"),
        (
            f64::from_bits(0x3eb0c6f7a0b5ed8d),
            b'g',
            17,
            64,
            "9.9999999999999995e-07",
        ),
        (
            f64::from_bits(0x3eb0c6f7a0b5ed8d),
            b'x',
            -1,
            64,
            "0x1.0c6f7a0b5ed8dp-20",
        ),
        (f64::from_bits(0x3eb0c6f7a0b5ed8d), b'g', -1, 32, "1e-06"),
        (f64::from_bits(0x3e7ad7f29abcaf48), b'e', 3, 64, "1.000e-07"),
        (f64::from_bits(0x3e7ad7f29abcaf48), b'f', 2, 64, "0.00"),
        (f64::from_bits(0x3e7ad7f29abcaf48), b'g', -1, 64, "1e-07"),
        (f64::from_bits(0x3e7ad7f29abcaf48), b'f', 1, 32, "0.0"),
        (f64::from_bits(0x3e7ad7f29abcaf48), b'x', 0, 32, "0x1p-23"),
        (
            f64::from_bits(0x4415af1d78b58c40),
            b'f',
            0,
            64,
            "100000000000000000000",
        ),
        (f64::from_bits(0x4415af1d78b58c40), b'g', -1, 64, "1e+20"),
        (f64::from_bits(0x4415af1d78b58c40), b'g', 0, 64, "1e+20"),
        (f64::from_bits(0x4415af1d78b58c40), b'g', 17, 64, "1e+20"),
        (
            f64::from_bits(0x4415af1d78b58c40),
            b'e',
            5,
            32,
            "1.00000e+20",
        ),
        (
            f64::from_bits(0x4415af1d78b58c40),
            b'f',
            1,
            32,
            "100000002004087734272.0",
        ),
        (f64::from_bits(0x444b1ae4d6e2ef50), b'g', 3, 64, "1e+21"),
        (f64::from_bits(0x444b1ae4d6e2ef50), b'g', 17, 64, "1e+21"),
        (
            f64::from_bits(0x444b1ae4d6e2ef50),
            b'f',
            1,
            32,
            "1000000020040877342720.0",
        ),
        (f64::from_bits(0x444b1ae4d6e2ef50), b'E', -1, 64, "1E+21"),
        (f64::from_bits(0x444b1ae4d6e2ef50), b'g', -1, 64, "1e+21"),
        (f64::from_bits(0x444b1ae4d6e2ef50), b'g', 0, 64, "1e+21"),
        (
            f64::from_bits(0x444b1ae4d6e2ef50),
            b'x',
            -1,
            64,
            "0x1.b1ae4d6e2ef5p+69",
        ),
        (
            f64::from_bits(0x444b1ae4d6e2ef50),
            b'X',
            3,
            64,
            "0X1.B1BP+69",
        ),
        (
            f64::from_bits(0x444b1ae4d6e2ef50),
            b'e',
            5,
            32,
            "1.00000e+21",
        ),
        (f64::from_bits(0x444b1ae4d6e2ef50), b'g', -1, 32, "1e+21"),
        (
            f64::from_bits(0x7fefffffffffffff),
            b'f',
            -1,
            64,
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            f64::from_bits(0x7fefffffffffffff),
            b'g',
            -1,
            64,
            "1.7976931348623157e+308",
        ),
        (f64::from_bits(0x7fefffffffffffff), b'b', -1, 32, "+Inf"),
        (f64::from_bits(0x7fefffffffffffff), b'x', 0, 32, "+Inf"),
        (f64::from_bits(0x0000000000000001), b'b', -1, 64, "1p-1074"),
        (f64::from_bits(0x0000000000000001), b'e', 0, 64, "5e-324"),
        (
            f64::from_bits(0x0000000000000001),
            b'e',
            3,
            64,
            "4.941e-324",
        ),
        (
            f64::from_bits(0x0000000000000001),
            b'e',
            20,
            64,
            "4.94065645841246544177e-324",
        ),
        (
            f64::from_bits(0x0000000000000001),
            b'f',
            -1,
            64,
            "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005",
        ),
        (f64::from_bits(0x0000000000000001), b'g', -1, 64, "5e-324"),
        (
            f64::from_bits(0x0000000000000001),
            b'g',
            17,
            64,
            "4.9406564584124654e-324",
        ),
        (
            f64::from_bits(0x0000000000000001),
            b'g',
            40,
            64,
            "4.940656458412465441765687928682213723651e-324",
        ),
        (f64::from_bits(0x0000000000000001), b'G', -1, 64, "5E-324"),
        (f64::from_bits(0x0000000000000001), b'f', 1, 32, "0.0"),
        (f64::from_bits(0x0000000000000001), b'b', -1, 32, "0p-149"),
        (f64::from_bits(0x7ff0000000000000), b'f', 0, 64, "+Inf"),
        (f64::from_bits(0x7ff0000000000000), b'g', -1, 64, "+Inf"),
        (f64::from_bits(0x7ff0000000000000), b'g', 0, 64, "+Inf"),
        (f64::from_bits(0x7ff0000000000000), b'g', 17, 64, "+Inf"),
        (f64::from_bits(0xfff0000000000000), b'e', 0, 64, "-Inf"),
        (f64::from_bits(0xfff0000000000000), b'g', -1, 64, "-Inf"),
        (f64::from_bits(0xfff0000000000000), b'g', 3, 64, "-Inf"),
        (f64::from_bits(0xfff0000000000000), b'g', 17, 64, "-Inf"),
        (f64::from_bits(0x43e0000000000000), b'e', 0, 64, "9e+18"),
        (
            f64::from_bits(0x43e0000000000000),
            b'E',
            -1,
            64,
            "9.223372036854776E+18",
        ),
        (
            f64::from_bits(0x43e0000000000000),
            b'f',
            0,
            64,
            "9223372036854775808",
        ),
        (
            f64::from_bits(0x43e0000000000000),
            b'f',
            2,
            64,
            "9223372036854775808.00",
        ),
        (
            f64::from_bits(0x43e0000000000000),
            b'f',
            20,
            64,
            "9223372036854775808.00000000000000000000",
        ),
        (
            f64::from_bits(0x43e0000000000000),
            b'g',
            -1,
            64,
            "9.223372036854776e+18",
        ),
        (
            f64::from_bits(0x43e0000000000000),
            b'G',
            -1,
            64,
            "9.223372036854776E+18",
        ),
        (
            f64::from_bits(0x43e0000000000000),
            b'b',
            -1,
            64,
            "4503599627370496p+11",
        ),
        (f64::from_bits(0x43e0000000000000), b'x', -1, 64, "0x1p+63"),
        (
            f64::from_bits(0x43e0000000000000),
            b'g',
            -1,
            32,
            "9.223372e+18",
        ),
        (f64::from_bits(0x3fa999999999999a), b'g', -1, 64, "0.05"),
        (
            f64::from_bits(0x3fa999999999999a),
            b'b',
            -1,
            64,
            "7205759403792794p-57",
        ),
        (f64::from_bits(0x3fa999999999999a), b'x', 0, 32, "0x1p-04"),
        (
            f64::from_bits(0x4315cc95660cc0ed),
            b'g',
            -1,
            64,
            "1.5339791363072592e+15",
        ),
        (
            f64::from_bits(0x4315cc95660cc0ed),
            b'b',
            -1,
            64,
            "6135916545229037p-2",
        ),
        (
            f64::from_bits(0x4315cc95660cc0ed),
            b'e',
            5,
            32,
            "1.53398e+15",
        ),
        (f64::from_bits(0x414691e290358135), b'e', 3, 64, "2.958e+06"),
        (
            f64::from_bits(0x414691e290358135),
            b'g',
            -1,
            64,
            "2.9582771266328343e+06",
        ),
        (
            f64::from_bits(0x414691e290358135),
            b'g',
            40,
            64,
            "2958277.1266328343190252780914306640625",
        ),
        (
            f64::from_bits(0x414691e290358135),
            b'b',
            -1,
            32,
            "11833109p-2",
        ),
        (f64::from_bits(0x414691e290358135), b'x', 0, 32, "0x1p+21"),
        (
            f64::from_bits(0x41dbb347bc424000),
            b'g',
            -1,
            64,
            "1.8589365610351562e+09",
        ),
        (f64::from_bits(0x41dbb347bc424000), b'x', 0, 32, "0x1p+31"),
        (f64::from_bits(0x7ff8000000000001), b'g', -1, 64, "NaN"),
        (f64::from_bits(0x7ff8000000000001), b'X', 3, 64, "NaN"),
        (f64::from_bits(0x7ff8000000000001), b'e', 5, 32, "NaN"),
        (
            f64::from_bits(0xc8cc1c6bd0de701a),
            b'g',
            -1,
            64,
            "-4.8976304485358906e+42",
        ),
        (f64::from_bits(0xc8cc1c6bd0de701a), b'b', -1, 32, "-Inf"),
        (
            f64::from_bits(0xc596bf62c0000000),
            b'e',
            -1,
            64,
            "-1.7600103453265423e+27",
        ),
        (
            f64::from_bits(0xc596bf62c0000000),
            b'E',
            -1,
            64,
            "-1.7600103453265423E+27",
        ),
        (
            f64::from_bits(0xc596bf62c0000000),
            b'g',
            -1,
            64,
            "-1.7600103453265423e+27",
        ),
        (f64::from_bits(0x02939d0b2e4e3b16), b'f', 0, 64, "0"),
        (
            f64::from_bits(0x02939d0b2e4e3b16),
            b'g',
            -1,
            64,
            "2.9990127290171177e-296",
        ),
        (
            f64::from_bits(0xc2ffd82c0dd12000),
            b'g',
            -1,
            64,
            "-5.60213e+14",
        ),
        (
            f64::from_bits(0xc2ffd82c0dd12000),
            b'X',
            3,
            64,
            "-0X1.FD8P+48",
        ),
        (
            f64::from_bits(0x3c2131f1c8ef58b3),
            b'g',
            -1,
            64,
            "4.66074e-19",
        ),
        (
            f64::from_bits(0x3c2131f1c8ef58b3),
            b'g',
            17,
            64,
            "4.6607400000000005e-19",
        ),
        (
            f64::from_bits(0x3c2131f1c8ef58b3),
            b'g',
            40,
            64,
            "4.660740000000000477361530372507949261044e-19",
        ),
        (
            f64::from_bits(0xabe7bede12269287),
            b'E',
            -1,
            64,
            "-3.474034432575371E-97",
        ),
        (
            f64::from_bits(0xabe7bede12269287),
            b'f',
            -1,
            64,
            "-0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003474034432575371",
        ),
        (
            f64::from_bits(0xabe7bede12269287),
            b'g',
            -1,
            64,
            "-3.474034432575371e-97",
        ),
        (
            f64::from_bits(0xabe7bede12269287),
            b'g',
            40,
            64,
            "-3.474034432575370914080737576544020420497e-97",
        ),
        (
            f64::from_bits(0xabe7bede12269287),
            b'G',
            -1,
            64,
            "-3.474034432575371E-97",
        ),
        (
            f64::from_bits(0xabe7bede12269287),
            b'b',
            -1,
            64,
            "-6683785460880007p-373",
        ),
        (
            f64::from_bits(0x9373600676893192),
            b'e',
            -1,
            64,
            "-5.620397427194974e-215",
        ),
        (
            f64::from_bits(0x9373600676893192),
            b'E',
            -1,
            64,
            "-5.620397427194974E-215",
        ),
        (
            f64::from_bits(0x9373600676893192),
            b'g',
            -1,
            64,
            "-5.620397427194974e-215",
        ),
        (
            f64::from_bits(0x9373600676893192),
            b'g',
            40,
            64,
            "-5.620397427194973953678174213107478706408e-215",
        ),
        (
            f64::from_bits(0x41d4906971d14000),
            b'e',
            -1,
            64,
            "1.3800339912695312e+09",
        ),
        (
            f64::from_bits(0x41d4906971d14000),
            b'g',
            -1,
            64,
            "1.3800339912695312e+09",
        ),
        (
            f64::from_bits(0x4621668776da8317),
            b'e',
            20,
            64,
            "6.89305000000000058235e+29",
        ),
        (
            f64::from_bits(0x4621668776da8317),
            b'f',
            -1,
            64,
            "689305000000000000000000000000",
        ),
        (
            f64::from_bits(0x4621668776da8317),
            b'g',
            -1,
            64,
            "6.89305e+29",
        ),
        (
            f64::from_bits(0x4621668776da8317),
            b'G',
            -1,
            64,
            "6.89305E+29",
        ),
        (
            f64::from_bits(0x4621668776da8317),
            b'e',
            5,
            32,
            "6.89305e+29",
        ),
        (
            f64::from_bits(0x4621668776da8317),
            b'g',
            -1,
            32,
            "6.89305e+29",
        ),
        (
            f64::from_bits(0xd0869c4d7af890d0),
            b'e',
            20,
            64,
            "-8.37799572332257731084e+79",
        ),
        (
            f64::from_bits(0xd0869c4d7af890d0),
            b'g',
            -1,
            64,
            "-8.377995723322577e+79",
        ),
        (
            f64::from_bits(0x4620bb7d7c58983d),
            b'g',
            -1,
            64,
            "6.62838e+29",
        ),
        (
            f64::from_bits(0x4620bb7d7c58983d),
            b'g',
            -1,
            32,
            "6.62838e+29",
        ),
        (
            f64::from_bits(0x3be1f5a692818712),
            b'g',
            -1,
            64,
            "3.04247e-20",
        ),
        (f64::from_bits(0x3be1f5a692818712), b'g', 3, 64, "3.04e-20"),
    ];

    #[test]
    fn format_float_matches_go() {
        for &(f, fmt, prec, bits, want) in FORMAT_CASES {
            assert_eq!(
                format_float(f, fmt, prec, bits),
                want,
                "FormatFloat({f:e}, {}, {prec}, {bits})",
                char::from(fmt)
            );
        }
    }

    /// `(value, json.Marshal output)` from Go 1.25.7's `encoding/json`.
    const JSON_CASES: &[(f64, &str)] = &[
        (f64::from_bits(0x0000000000000000), "0"),         // 0.0
        (f64::from_bits(0x8000000000000000), "-0"),        // -0.0
        (f64::from_bits(0x3ff0000000000000), "1"),         // 1.0
        (f64::from_bits(0x3fb999999999999a), "0.1"),       // 0.1
        (f64::from_bits(0x3ff8000000000000), "1.5"),       // 1.5
        (f64::from_bits(0x4004000000000000), "2.5"),       // 2.5
        (f64::from_bits(0x3fc0000000000000), "0.125"),     // 0.125
        (f64::from_bits(0x412e848000000000), "1000000"),   // 1000000.0
        (f64::from_bits(0x412e848100000000), "1000000.5"), // 1000000.5
        (f64::from_bits(0x40fe240000000000), "123456"),    // 123456.0
        (f64::from_bits(0x3f1a36e2eb1c432d), "0.0001"),    // 0.0001
        (f64::from_bits(0x3ee4f8b588e368f1), "0.00001"),   // 1e-05
        (f64::from_bits(0x3eb0c6f7a0b5ed8d), "0.000001"),  // 1e-06
        (f64::from_bits(0x3e7ad7f29abcaf48), "1e-7"),      // 1e-07
        (f64::from_bits(0x4415af1d78b58c40), "100000000000000000000"), // 1e+20
        (f64::from_bits(0x444b1ae4d6e2ef50), "1e+21"),     // 1e+21
        (
            f64::from_bits(0x7fefffffffffffff),
            "1.7976931348623157e+308",
        ), // 1.7976931348623157e+308
        (f64::from_bits(0x0000000000000001), "5e-324"),    // 5e-324
        (f64::from_bits(0x7ff0000000000000), "!"),         // inf
        (f64::from_bits(0xfff0000000000000), "!"),         // -inf
        (f64::from_bits(0x43e0000000000000), "9223372036854776000"), // 9.223372036854776e+18
        (f64::from_bits(0x3fa999999999999a), "0.05"),      // 0.05
        (f64::from_bits(0x4315cc95660cc0ed), "1533979136307259.2"), // 1533979136307259.2
        (f64::from_bits(0x414691e290358135), "2958277.1266328343"), // 2958277.1266328343
        (f64::from_bits(0x41dbb347bc424000), "1858936561.0351562"), // 1858936561.0351562
        (f64::from_bits(0x7ff8000000000001), "!"),         // nan
        (
            f64::from_bits(0xc8cc1c6bd0de701a),
            "-4.8976304485358906e+42",
        ), // -4.8976304485358906e+42
        (
            f64::from_bits(0xc596bf62c0000000),
            "-1.7600103453265423e+27",
        ), // -1.7600103453265423e+27
        (
            f64::from_bits(0x02939d0b2e4e3b16),
            "2.9990127290171177e-296",
        ), // 2.9990127290171177e-296
        (f64::from_bits(0xc2ffd82c0dd12000), "-560213000000000"), // -560213000000000.0
        (f64::from_bits(0x3c2131f1c8ef58b3), "4.66074e-19"), // 4.66074e-19
        (f64::from_bits(0xabe7bede12269287), "-3.474034432575371e-97"), // -3.474034432575371e-97
        (
            f64::from_bits(0x9373600676893192),
            "-5.620397427194974e-215",
        ), // -5.620397427194974e-215
        (f64::from_bits(0x41d4906971d14000), "1380033991.2695312"), // 1380033991.2695312
        (f64::from_bits(0x4621668776da8317), "6.89305e+29"), // 6.89305e+29
        (f64::from_bits(0xd0869c4d7af890d0), "-8.377995723322577e+79"), // -8.377995723322577e+79
        (f64::from_bits(0x4620bb7d7c58983d), "6.62838e+29"), // 6.62838e+29
        (f64::from_bits(0x3be1f5a692818712), "3.04247e-20"), // 3.04247e-20
    ];

    #[test]
    fn json_float_matches_go() {
        for &(f, want) in JSON_CASES {
            let got = json_float(f).unwrap_or_else(|| "!".to_owned());
            assert_eq!(got, want, "json.Marshal({f:e})");
        }
        assert_eq!(json_float(1e-7).as_deref(), Some("1e-7"));
        assert_eq!(json_float(1.5e-5).as_deref(), Some("0.000015"));
        assert_eq!(json_float(1e21).as_deref(), Some("1e+21"));
        assert_eq!(json_float(1e20).as_deref(), Some("100000000000000000000"));
        assert_eq!(
            json_float(1.2345678901234568e29).as_deref(),
            Some("1.2345678901234568e+29")
        );
        assert_eq!(json_float(5e-324).as_deref(), Some("5e-324"));
        assert_eq!(json_float(1e-10).as_deref(), Some("1e-10"));
        assert_eq!(json_float(-0.0).as_deref(), Some("-0"));
        assert_eq!(json_float(f64::INFINITY), None);
    }

    #[test]
    fn format_int_matches_go() {
        assert_eq!(format_int(-255, 16), "-ff");
        assert_eq!(format_int(i64::MIN, 10), "-9223372036854775808");
        assert_eq!(format_int(i64::MIN, 2).len(), 65);
        assert_eq!(format_int(35, 36), "z");
        assert_eq!(format_uint(u64::MAX, 10), "18446744073709551615");
        assert_eq!(format_uint(8, 8), "10");
        assert_eq!(format_uint(0, 2), "0");
    }
}

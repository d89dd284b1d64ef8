//! The operators of `fluxcd/pkg/envsubst` v1.7.1 (`funcs.go`) and its variant of Go's
//! `path.Match` (`envsubst/path`), on bytes: offsets and lengths count bytes, case
//! mapping and reversal decode runes (an invalid byte becomes `U+FFFD`) as Go does.

use crate::go::strconv::decode_rune;
use crate::go::unicode::{to_lower, to_upper};

/// Go's `for _, r := range s`: the runes of `s`, an invalid byte as `U+FFFD`.
fn runes(s: &[u8]) -> impl Iterator<Item = char> + '_ {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (r, w) = decode_rune(rest);
        rest = &rest[w..];
        Some(r)
    })
}

fn push_rune(out: &mut Vec<u8>, r: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(r.encode_utf8(&mut b).as_bytes());
}

/// `strings.Map(f, s)` (which is what `ToLower`/`ToUpper` do past their ASCII fast path;
/// on ASCII the result is the same).
fn map_runes(s: &[u8], f: fn(char) -> char) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for r in runes(s) {
        push_rune(&mut out, f(r));
    }
    out
}

fn map_first(s: &[u8], f: fn(char) -> char) -> Vec<u8> {
    if s.is_empty() {
        return Vec::new();
    }
    let (r, n) = decode_rune(s);
    let mut out = Vec::with_capacity(s.len() + 3);
    push_rune(&mut out, f(r));
    out.extend_from_slice(&s[n..]);
    out
}

/// `strconv.Atoi`: an optional sign and decimal digits, within 64 bits.
fn atoi(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for d in digits {
        let d = i64::from(d - b'0');
        v = v.checked_mul(10)?;
        v = if neg {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

/// `toSubstr`; `None` where Go would slice out of range (and panic).
fn substr(s: &[u8], args: &[Vec<u8>]) -> Option<Vec<u8>> {
    let Some(first) = args.first() else {
        return Some(s.to_vec());
    };
    let Some(mut pos) = atoi(first) else {
        return Some(s.to_vec());
    };
    let len = i64::try_from(s.len()).ok()?;
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let slice = |a: i64, b: i64| -> Option<Vec<u8>> {
        let a = usize::try_from(a).ok()?;
        let b = usize::try_from(b).ok()?;
        s.get(a..b).map(<[u8]>::to_vec)
    };
    if args.len() == 1 {
        return if pos < len {
            slice(pos, len)
        } else {
            Some(Vec::new())
        };
    }
    let Some(length) = atoi(&args[1]) else {
        return Some(s.to_vec());
    };
    if length < 0 {
        let end = len + length;
        if end < pos {
            return Some(Vec::new());
        }
        return slice(pos, end);
    }
    let end = pos.wrapping_add(length);
    if end >= len {
        return if pos < len {
            slice(pos, len)
        } else {
            Some(Vec::new())
        };
    }
    slice(pos, end)
}

/// `strings.Replace(s, old, new, n)` (`n < 0`: all); `None` once the result would pass
/// `limit` bytes.
fn replace(s: &[u8], old: &[u8], new: &[u8], n: isize, limit: usize) -> Option<Vec<u8>> {
    if old == new || n == 0 {
        return Some(s.to_vec());
    }
    let mut out = Vec::with_capacity(s.len());
    let mut start = 0;
    let mut done = 0isize;
    while n < 0 || done < n {
        let j = if old.is_empty() {
            if done > 0 {
                if start >= s.len() {
                    break;
                }
                let (_, w) = decode_rune(&s[start..]);
                start + w
            } else {
                start
            }
        } else {
            match find(&s[start..], old) {
                Some(i) => start + i,
                None => break,
            }
        };
        out.extend_from_slice(&s[start..j]);
        out.extend_from_slice(new);
        if out.len() > limit {
            return None;
        }
        start = j + old.len();
        done += 1;
    }
    out.extend_from_slice(&s[start..]);
    Some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `reverse`: the runes in reverse order (invalid bytes as `U+FFFD`).
fn reverse(s: &[u8]) -> Vec<u8> {
    let rs: Vec<char> = runes(s).collect();
    let mut out = Vec::with_capacity(s.len());
    for r in rs.into_iter().rev() {
        push_rune(&mut out, r);
    }
    out
}

/// `trimShortest`: drops the shortest non-empty prefix matching the pattern.
fn trim_shortest(s: &[u8], pat: &[u8]) -> Vec<u8> {
    let mut shortest = 0;
    for i in 0..s.len() {
        let end = s.len() - i;
        match glob_match(pat, &s[..end]) {
            Err(BadPattern) => return s.to_vec(),
            Ok(true) => shortest = end,
            Ok(false) => {}
        }
    }
    s[shortest..].to_vec()
}

/// `trimLongest`: drops the longest non-empty prefix matching the pattern.
fn trim_longest(s: &[u8], pat: &[u8]) -> Vec<u8> {
    for i in 0..s.len() {
        let end = s.len() - i;
        match glob_match(pat, &s[..end]) {
            Err(BadPattern) => return s.to_vec(),
            Ok(true) => return s[end..].to_vec(),
            Ok(false) => {}
        }
    }
    s.to_vec()
}

/// Why an operator could not give a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FuncError {
    /// Go would slice out of range (and crash).
    OutOfRange,
    /// The result would pass the size limit.
    TooLarge,
}

/// Applies the operator `name` (with `args` evaluated) to the value `v` (`lookupFunc`),
/// producing at most `limit` bytes.
pub(super) fn apply(
    name: &str,
    v: &[u8],
    args: &[Vec<u8>],
    limit: usize,
) -> Result<Vec<u8>, FuncError> {
    let arg = |i: usize| args.get(i).map(Vec::as_slice);
    let replaced =
        |old: &[u8], new: &[u8], n| replace(v, old, new, n, limit).ok_or(FuncError::TooLarge);
    let out = match name {
        "," => map_first(v, to_lower),
        ",," => map_runes(v, to_lower),
        "^" => map_first(v, to_upper),
        "^^" => map_runes(v, to_upper),
        "#" if args.is_empty() => v.len().to_string().into_bytes(),
        "#" => trim_shortest(v, arg(0).unwrap_or_default()),
        "##" => arg(0).map_or_else(|| v.to_vec(), |p| trim_longest(v, p)),
        "%" => arg(0).map_or_else(
            || v.to_vec(),
            |p| reverse(&trim_shortest(&reverse(v), &reverse(p))),
        ),
        "%%" => arg(0).map_or_else(
            || v.to_vec(),
            |p| reverse(&trim_longest(&reverse(v), &reverse(p))),
        ),
        ":" => substr(v, args).ok_or(FuncError::OutOfRange)?,
        "/#" => match args {
            [old, new] if v.starts_with(old) => replaced(old, new, 1)?,
            _ => v.to_vec(),
        },
        "/%" => match args {
            [old, new] if v.ends_with(old) => {
                let mut out = v[..v.len() - old.len()].to_vec();
                out.extend_from_slice(new);
                out
            }
            _ => v.to_vec(),
        },
        "/" => match args {
            [] => v.to_vec(),
            [old] => replaced(old, b"", 1)?,
            [old, new, ..] => replaced(old, new, 1)?,
        },
        "//" => match args {
            [] => v.to_vec(),
            [old] => replaced(old, b"", -1)?,
            [old, new, ..] => replaced(old, new, -1)?,
        },
        // `toDefault`: every other name, the plain `${V}` included.
        _ if v.is_empty() && !args.is_empty() => {
            if args.iter().map(Vec::len).sum::<usize>() > limit {
                return Err(FuncError::TooLarge);
            }
            args.concat()
        }
        _ => v.to_vec(),
    };
    if out.len() > limit {
        return Err(FuncError::TooLarge);
    }
    Ok(out)
}

/// The pattern is malformed (`path.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BadPattern;

/// `envsubst/path.Match`: Go's `path.Match` as drone/envsubst changed it — `*` and `?`
/// match `/` too, and a trailing `*` matches whatever is left.
pub(super) fn glob_match(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, BadPattern> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(true);
        }
        let (t, ok, err) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if let Some(e) = err {
            return Err(e);
        }
        if star {
            for i in 0..name.len() {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
                if let Some(e) = err {
                    return Err(e);
                }
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let [b'*', rest @ ..] = pattern {
        pattern = rest;
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// `matchChunk`: the rest of `s` after the chunk, whether it matched, and a pattern error.
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, Option<BadPattern>) {
    while !chunk.is_empty() {
        if s.is_empty() {
            return (s, false, None);
        }
        match chunk[0] {
            b'[' => {
                let (r, n) = decode_rune(s);
                s = &s[n..];
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&b'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = match get_esc(chunk) {
                        Ok(x) => x,
                        Err(e) => return (s, false, Some(e)),
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        match get_esc(&chunk[1..]) {
                            Ok((h, rest)) => {
                                hi = h;
                                chunk = rest;
                            }
                            Err(e) => return (s, false, Some(e)),
                        }
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    return (s, false, None);
                }
            }
            b'?' => {
                let (_, n) = decode_rune(s);
                s = &s[n..];
                chunk = &chunk[1..];
            }
            c => {
                let c = if c == b'\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        Some(&c) => c,
                        None => return (s, false, Some(BadPattern)),
                    }
                } else {
                    c
                };
                if c != s[0] {
                    return (s, false, None);
                }
                s = &s[1..];
                chunk = &chunk[1..];
            }
        }
    }
    (s, true, None)
}

/// `getEsc`: a possibly escaped character of a class; the rest of the chunk must not be
/// empty.
fn get_esc(mut chunk: &[u8]) -> Result<(char, &[u8]), BadPattern> {
    match chunk.first() {
        None | Some(b'-' | b']') => return Err(BadPattern),
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(BadPattern);
            }
        }
        _ => {}
    }
    let (r, n) = decode_rune(chunk);
    let rest = &chunk[n..];
    if (r == '\u{FFFD}' && n == 1) || rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_as_go() {
        assert_eq!(atoi(b"12"), Some(12));
        assert_eq!(atoi(b"-3"), Some(-3));
        assert_eq!(atoi(b"+3"), Some(3));
        assert_eq!(atoi(b" 3"), None);
        assert_eq!(atoi(b""), None);
        assert_eq!(atoi(b"-"), None);
        assert_eq!(atoi(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(atoi(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(atoi(b"9223372036854775808"), None);
    }

    #[test]
    fn replace_as_go() {
        let r = |s: &[u8], o: &[u8], n: &[u8], c| replace(s, o, n, c, 1 << 20).expect("small");
        assert_eq!(r(b"abc", b"", b"x", -1), b"xaxbxcx");
        assert_eq!(replace(b"abc", b"", b"xx", -1, 5), None);
        assert_eq!(r(b"abc", b"", b"x", 1), b"xabc");
        assert_eq!(r(b"aaa", b"a", b"b", 2), b"bba");
        assert_eq!(r("é".as_bytes(), b"", b"-", -1), "-é-".as_bytes());
    }

    #[test]
    fn the_forked_match() {
        assert_eq!(glob_match(b"a*", b"a/b"), Ok(true));
        assert_eq!(glob_match(b"a?b", b"a/b"), Ok(true));
        assert_eq!(glob_match(b"*b", b"a/b"), Ok(true));
        assert_eq!(glob_match(b"[a-c]x", b"bx"), Ok(true));
        assert_eq!(glob_match(b"[^a-c]x", b"bx"), Ok(false));
        assert_eq!(glob_match(b"[", b"a"), Err(BadPattern));
        assert_eq!(glob_match(b"\\", b"a"), Err(BadPattern));
    }

    #[test]
    fn operators() {
        let a = |n: &str, v: &str, args: &[&str]| {
            let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
            String::from_utf8(apply(n, v.as_bytes(), &args, 1 << 20).expect("no panic"))
                .expect("utf8")
        };
        assert_eq!(a("#", "héllo", &[]), "6");
        assert_eq!(a("#", "abcabc", &["*b"]), "cabc");
        assert_eq!(a("##", "abcabc", &["*b"]), "c");
        assert_eq!(a("%", "abcabc", &["b*"]), "abca");
        assert_eq!(a("%%", "abcabc", &["b*"]), "a");
        assert_eq!(a("#", "abc", &["*"]), "bc");
        assert_eq!(a(":", "hello", &["1", "-1"]), "ell");
        assert_eq!(a(":", "hello", &["-3"]), "llo");
        assert_eq!(a(":", "hello", &["x"]), "hello");
        assert_eq!(a("^^", "straße", &[]), "STRAßE");
        assert_eq!(a(",", "ÉCOLE", &[]), "éCOLE");
        assert_eq!(a("/#", "abc", &["a"]), "abc");
        assert_eq!(a("/#", "abc", &["a", "x"]), "xbc");
        assert_eq!(a("/%", "abc", &["c", "x"]), "abx");
        assert_eq!(a("//", "a.b.c", &[".", "-"]), "a-b-c");
        assert_eq!(a("/", "a.b.c", &["."]), "ab.c");
        assert_eq!(a(":-", "", &["x", "y"]), "xy");
        assert_eq!(a("^,", "v", &[]), "v");
        let huge = [b"1".to_vec(), (i64::MAX - 1).to_string().into_bytes()];
        assert_eq!(apply(":", b"abc", &huge, 10), Ok(b"bc".to_vec()));
        // 1 + MAX wraps negative in Go, which then slices out of range.
        let over = [b"1".to_vec(), i64::MAX.to_string().into_bytes()];
        assert_eq!(apply(":", b"abc", &over, 10), Err(FuncError::OutOfRange));
        let wrap = [i64::MAX.to_string().into_bytes(), b"2".to_vec()];
        assert_eq!(apply(":", b"abc", &wrap, 10), Err(FuncError::OutOfRange));
    }
}

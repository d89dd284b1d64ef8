//! Go's `path/filepath.Match` (Unix flavour: `/` separates, `\` escapes), used by
//! `.helmignore` rules and `--show-only`.

/// The pattern is malformed (`filepath.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadPattern;

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

/// `filepath.Match(pattern, name)`.
pub(crate) fn matches(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    // A literal matches itself only.
    if !pattern.contains(['*', '?', '[', '\\']) {
        return Ok(pattern == name);
    }
    // `*` and a literal (`*.tgz`, `*~`), the common `.helmignore` shape: the star takes
    // what is before the literal, which holds no separator.
    if let Some(lit) = pattern.strip_prefix('*')
        && !lit.is_empty()
        && !lit.contains(['*', '?', '[', '\\'])
    {
        return Ok(name
            .strip_suffix(lit)
            .is_some_and(|head| !head.contains('/')));
    }
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok, err) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if err {
            return Err(BadPattern);
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                if err {
                    return Err(BadPattern);
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if match_chunk(chunk, b"").2 {
                return Err(BadPattern);
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while pattern.first() == Some(&b'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut inrange = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Decodes one UTF-8 character (Go's `utf8.DecodeRune`: invalid bytes are U+FFFD, 1 byte).
fn decode(s: &[u8]) -> (u32, usize) {
    let n = match s.first() {
        None => return (0xFFFD, 0),
        Some(&b) if b < 0x80 => return (u32::from(b), 1),
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(_) => 2,
    };
    match s.get(..n).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(t) => (t.chars().next().map_or(0xFFFD, |c| c as u32), n),
        None => (0xFFFD, 1),
    }
}

/// Returns (rest, ok, bad-pattern).
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, bool) {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            b'[' => {
                let mut r = 0u32;
                if !failed {
                    let (c, n) = decode(s);
                    r = c;
                    s = &s[n..];
                }
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
                    let Some((lo, rest)) = get_esc(chunk) else {
                        return (b"", false, true);
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let Some((h, rest)) = get_esc(&chunk[1..]) else {
                            return (b"", false, true);
                        };
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode(s);
                    s = &s[n.max(1)..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let mut c = c;
                if c == b'\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        None => return (b"", false, true),
                        Some(&n) => c = n,
                    }
                }
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        (b"", false, false)
    } else {
        (s, true, false)
    }
}

fn get_esc(chunk: &[u8]) -> Option<(u32, &[u8])> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some(b'-') | Some(b']') => return None,
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return None;
            }
        }
        _ => {}
    }
    let (r, n) = decode(chunk);
    if r == 0xFFFD && n == 1 {
        return None;
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return None;
    }
    Some((r, rest))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn go_match_cases() {
        let ok = |p: &str, n: &str| matches(p, n).unwrap_or(false);
        assert!(ok("abc", "abc"));
        assert!(ok("*", "abc"));
        assert!(!ok("*", "a/b"));
        assert!(ok("*c", "abc"));
        assert!(ok("a*/b", "abc/b"));
        assert!(!ok("a*b*c*d*e*/f", "axbxcxdxexxx/fff"));
        assert!(ok("ab[c]", "abc"));
        assert!(ok("ab[b-d]", "abc"));
        assert!(!ok("ab[^c]", "abc"));
        assert!(ok("a?b", "a☺b"));
        assert!(!ok("a?b", "a/b"));
        assert!(ok("templates/.?*", "templates/.hidden"));
        assert!(!ok("templates/.?*", "templates/."));
        assert!(ok("a\\*b", "a*b"));
        assert!(matches("[", "a").is_err());
        assert!(matches("a[", "x").is_err());
        assert!(matches("*x\\", "x").is_err());
        assert!(ok(
            "templates/subdir/role*",
            "templates/subdir/rolebinding.yaml"
        ));
        assert!(ok("*.tgz", "a.tgz"));
        assert!(ok("*.tgz", ".tgz"));
        assert!(!ok("*.tgz", "d/a.tgz"));
        assert!(!ok("*.tgz", "a.tgz.x"));
        assert!(ok("*~", "x~"));
        assert!(ok("*a", "aa"));
        assert!(!ok("*a", "b"));
    }
}

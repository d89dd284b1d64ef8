//! Ignore rules as Flux reads them: gitignore-style patterns, `.sourceignore` files and the
//! default exclusions.
//!
//! The matcher is a port of `github.com/fluxcd/pkg/sourceignore` v0.18.0 and its
//! `gitignore` package, which is go-git v5.16.4's `plumbing/format/gitignore` copied (the
//! two `pattern.go` files are the same code). It is *not* git's algorithm:
//!
//! * each path component is matched with Go's `filepath.Match` ([`go_match`]); a malformed
//!   pattern matches nothing;
//! * a pattern without `/` matches the name of any component of the path, so it also
//!   matches everything below a matching directory;
//! * a pattern with a `/` is anchored at its domain (the directory of the `.sourceignore`
//!   that holds it, or the root); `**` as a whole component matches zero or more
//!   components, a component that merely contains `**` never matches;
//! * the last matching pattern wins and every path is checked on its own, so a file can be
//!   re-included inside an excluded directory.
//!
//! Paths and patterns are bytes: file names need not be UTF-8, and Go treats them as bytes
//! too (runes are decoded only where `filepath.Match` does).

use std::fmt;

/// `sourceignore.IgnoreFile`: the name of the per-directory ignore file.
pub const IGNORE_FILE: &str = ".sourceignore";
/// `sourceignore.ExcludeVCS`.
pub const EXCLUDE_VCS: &str = ".git/,.gitignore,.gitmodules,.gitattributes";
/// `sourceignore.ExcludeExt`.
pub const EXCLUDE_EXT: &str = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip";
/// `sourceignore.ExcludeCI`.
pub const EXCLUDE_CI: &str = ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,codeship-services.yml,codeship-steps.yml";
/// `sourceignore.ExcludeExtra`.
pub const EXCLUDE_EXTRA: &str = "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";

/// The longest line `bufio.Scanner` returns with its default buffer: a longer line stops
/// the scan (`bufio.ErrTooLong`), and it and every later line are dropped.
pub const MAX_RULE_LINE: usize = 64 * 1024 - 1;

// ---------------------------------------------------------------------------------------
// Go's path/filepath.Match (Unix)
// ---------------------------------------------------------------------------------------

/// `filepath.ErrBadPattern`: the pattern is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

const RUNE_ERROR: u32 = 0xFFFD;

/// Go's `utf8.DecodeRune`: the rune at the start of `b` and its width; invalid or
/// truncated encodings decode as `(RuneError, 1)`, an empty input as `(RuneError, 0)`.
pub(crate) fn decode_rune(b: &[u8]) -> (u32, usize) {
    let Some(&b0) = b.first() else {
        return (RUNE_ERROR, 0);
    };
    if b0 < 0x80 {
        return (u32::from(b0), 1);
    }
    let cont = |i: usize| b.get(i).copied().filter(|c| c & 0xC0 == 0x80);
    let (width, init, lo, hi) = match b0 {
        0xC2..=0xDF => (2, u32::from(b0 & 0x1F), 0x80, 0xBF),
        0xE0 => (3, u32::from(b0 & 0x0F), 0xA0, 0xBF),
        0xE1..=0xEC | 0xEE..=0xEF => (3, u32::from(b0 & 0x0F), 0x80, 0xBF),
        0xED => (3, u32::from(b0 & 0x0F), 0x80, 0x9F),
        0xF0 => (4, u32::from(b0 & 0x07), 0x90, 0xBF),
        0xF1..=0xF3 => (4, u32::from(b0 & 0x07), 0x80, 0xBF),
        0xF4 => (4, u32::from(b0 & 0x07), 0x80, 0x8F),
        _ => return (RUNE_ERROR, 1),
    };
    // The second byte has a narrower range for some lead bytes (overlongs, surrogates).
    match b.get(1) {
        Some(&b1) if (lo..=hi).contains(&b1) => {}
        _ => return (RUNE_ERROR, 1),
    }
    let mut r = init;
    for i in 1..width {
        match cont(i) {
            Some(c) => r = (r << 6) | u32::from(c & 0x3F),
            None => return (RUNE_ERROR, 1),
        }
    }
    (r, width)
}

/// Go's `path/filepath.Match` on Unix: whether `name` matches the shell pattern `pattern`
/// (`*`, `?`, `[...]` with `^` negation and ranges, `\` escapes; `*` and `?` never match
/// `/`). A malformed pattern is [`BadPattern`], reported only when Go reports it (Go stops
/// checking once the outcome is known).
pub fn go_match(pattern: &[u8], name: &[u8]) -> Result<bool, BadPattern> {
    let mut pattern = pattern;
    let mut name = name;
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // Trailing * matches rest of string unless it has a /.
            return Ok(!name.contains(&b'/'));
        }
        // Look for match at current position.
        let (t, ok, err) = match_chunk(chunk, name);
        // If we're the last chunk, make sure we've exhausted the name, otherwise we'll give
        // a false result even if we could still match using the star.
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if let Some(e) = err {
            return Err(e);
        }
        if star {
            // Look for match skipping i+1 bytes. Cannot skip /.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    // If we're the last chunk, make sure we exhausted the name.
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
                if let Some(e) = err {
                    return Err(e);
                }
                i += 1;
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// `scanChunk`: the next segment of the pattern, a non-star string possibly preceded by
/// stars.
fn scan_chunk(pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut pattern = pattern;
    let mut star = false;
    while let Some((b'*', rest)) = pattern.split_first() {
        pattern = rest;
        star = true;
    }
    let mut inrange = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            // Error check handled in matchChunk: bad pattern.
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => return (star, &pattern[..i], &pattern[i..]),
            _ => {}
        }
        i += 1;
    }
    (star, pattern, &[])
}

/// `matchChunk`: whether `chunk` (literals, classes and `?` only) matches the start of
/// `s`; returns the rest of `s`, whether it matched, and a pattern error.
fn match_chunk<'a>(chunk: &[u8], s: &'a [u8]) -> (&'a [u8], bool, Option<BadPattern>) {
    let mut chunk = chunk;
    let mut s = s;
    // After the match fails, the loop continues on processing chunk, checking that the
    // pattern is well-formed but no longer reading s.
    let mut failed = false;
    while let Some(&c0) = chunk.first() {
        failed = failed || s.is_empty();
        match c0 {
            b'[' => {
                // Character class.
                let mut r = 0;
                if !failed {
                    let (rr, n) = decode_rune(s);
                    r = rr;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                // Possibly negated.
                let mut negated = false;
                if chunk.first() == Some(&b'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                // Parse all ranges.
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = match get_esc(chunk) {
                        Ok(v) => v,
                        Err(e) => return (&[], false, Some(e)),
                    };
                    chunk = rest;
                    let mut hi = lo;
                    // get_esc never leaves chunk empty without an error.
                    if chunk.first() == Some(&b'-') {
                        match get_esc(&chunk[1..]) {
                            Ok((h, rest)) => {
                                hi = h;
                                chunk = rest;
                            }
                            Err(e) => return (&[], false, Some(e)),
                        }
                    }
                    matched = matched || (lo <= r && r <= hi);
                    nrange += 1;
                }
                failed = failed || matched == negated;
            }
            b'?' => {
                if !failed {
                    failed = s[0] == b'/';
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if c0 == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return (&[], false, Some(BadPattern));
                    }
                }
                if !failed {
                    failed = chunk[0] != s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        return (&[], false, None);
    }
    (s, true, None)
}

/// `getEsc`: a possibly escaped character of a character class.
fn get_esc(chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(BadPattern),
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(BadPattern);
            }
        }
        Some(_) => {}
    }
    let (r, n) = decode_rune(chunk);
    if r == RUNE_ERROR && n == 1 {
        return Err(BadPattern);
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((r, rest))
}

// ---------------------------------------------------------------------------------------
// gitignore.Pattern and gitignore.Matcher
// ---------------------------------------------------------------------------------------

/// What one pattern says about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchResult {
    /// The pattern does not apply.
    NoMatch,
    /// The path is excluded.
    Exclude,
    /// The path is re-included (`!pattern`).
    Include,
}

/// One gitignore line (`gitignore.ParsePattern`), scoped to a domain: the directory,
/// relative to the archive root, whose paths it applies to.
#[derive(Clone, PartialEq, Eq)]
pub struct Pattern {
    domain: Vec<Vec<u8>>,
    pattern: Vec<Vec<u8>>,
    inclusion: bool,
    dir_only: bool,
    is_glob: bool,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |v: &[Vec<u8>]| {
            v.iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("/")
        };
        write!(
            f,
            "Pattern({}{}{} in {:?})",
            if self.inclusion { "!" } else { "" },
            join(&self.pattern),
            if self.dir_only { "/" } else { "" },
            join(&self.domain)
        )
    }
}

impl Pattern {
    /// `gitignore.ParsePattern(p, domain)`. `domain` is the components of the directory the
    /// pattern belongs to, relative to the root of what is matched (empty for the root).
    /// The caller has already dropped comments and blank lines ([`read_patterns`] does).
    pub fn parse(p: &[u8], domain: &[Vec<u8>]) -> Pattern {
        let mut p = p;
        let mut inclusion = false;
        if let Some(rest) = p.strip_prefix(b"!") {
            inclusion = true;
            p = rest;
        }
        if !p.ends_with(b"\\ ") {
            while let Some(rest) = p.strip_suffix(b" ") {
                p = rest;
            }
        }
        let mut dir_only = false;
        if let Some(rest) = p.strip_suffix(b"/") {
            dir_only = true;
            p = rest;
        }
        let is_glob = p.contains(&b'/');
        Pattern {
            domain: domain.to_vec(),
            pattern: p.split(|&b| b == b'/').map(<[u8]>::to_vec).collect(),
            inclusion,
            dir_only,
            is_glob,
        }
    }

    /// `pattern.Match`: what this pattern says about `path` (components relative to the
    /// root; the root itself is the empty path and never matches).
    pub fn matches<C: AsRef<[u8]>>(&self, path: &[C], is_dir: bool) -> MatchResult {
        if path.len() <= self.domain.len() {
            return MatchResult::NoMatch;
        }
        if self
            .domain
            .iter()
            .zip(path)
            .any(|(d, p)| d.as_slice() != p.as_ref())
        {
            return MatchResult::NoMatch;
        }
        let path = &path[self.domain.len()..];
        let matched = if self.is_glob {
            self.glob_match(path, is_dir)
        } else {
            self.simple_name_match(path, is_dir)
        };
        match (matched, self.inclusion) {
            (false, _) => MatchResult::NoMatch,
            (true, true) => MatchResult::Include,
            (true, false) => MatchResult::Exclude,
        }
    }

    fn simple_name_match<C: AsRef<[u8]>>(&self, path: &[C], is_dir: bool) -> bool {
        let first = self.pattern.first().map_or(&[][..], Vec::as_slice);
        for (i, name) in path.iter().enumerate() {
            match go_match(first, name.as_ref()) {
                Err(_) => return false,
                Ok(false) => continue,
                Ok(true) => {}
            }
            if self.dir_only && !is_dir && i == path.len() - 1 {
                return false;
            }
            return true;
        }
        false
    }

    fn glob_match<C: AsRef<[u8]>>(&self, path: &[C], is_dir: bool) -> bool {
        let mut path = path;
        let mut matched = false;
        let mut can_traverse = false;
        for (i, pattern) in self.pattern.iter().enumerate() {
            if pattern.is_empty() {
                can_traverse = false;
                continue;
            }
            if pattern.as_slice() == b"**" {
                if i == self.pattern.len() - 1 {
                    break;
                }
                can_traverse = true;
                continue;
            }
            if pattern.windows(2).any(|w| w == b"**") {
                return false;
            }
            if path.is_empty() {
                return false;
            }
            if can_traverse {
                can_traverse = false;
                while let Some((e, rest)) = path.split_first() {
                    path = rest;
                    match go_match(pattern, e.as_ref()) {
                        Err(_) => return false,
                        Ok(true) => {
                            matched = true;
                            break;
                        }
                        Ok(false) if path.is_empty() => {
                            // If nothing left then fail.
                            matched = false;
                        }
                        Ok(false) => {}
                    }
                }
            } else {
                match go_match(pattern, path[0].as_ref()) {
                    Ok(true) => {}
                    _ => return false,
                }
                matched = true;
                path = &path[1..];
            }
        }
        if matched && self.dir_only && !is_dir && path.is_empty() {
            matched = false;
        }
        matched
    }
}

/// `gitignore.Matcher`: patterns in increasing priority; the last one that matches decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

impl Matcher {
    /// `gitignore.NewMatcher(ps)`.
    pub fn new(patterns: Vec<Pattern>) -> Self {
        Matcher { patterns }
    }

    /// The patterns, lowest priority first.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// `matcher.Match`: whether `path` (components relative to the root) is excluded.
    pub fn is_excluded<C: AsRef<[u8]>>(&self, path: &[C], is_dir: bool) -> bool {
        for p in self.patterns.iter().rev() {
            match p.matches(path, is_dir) {
                MatchResult::NoMatch => continue,
                r => return r == MatchResult::Exclude,
            }
        }
        false
    }

    /// [`Matcher::is_excluded`] for a `/`-separated relative path (`""` is the root).
    pub fn is_excluded_path(&self, path: &[u8], is_dir: bool) -> bool {
        if path.is_empty() {
            return self.is_excluded::<&[u8]>(&[], is_dir);
        }
        let parts: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
        self.is_excluded(&parts, is_dir)
    }
}

// ---------------------------------------------------------------------------------------
// sourceignore
// ---------------------------------------------------------------------------------------

/// Go's `unicode.IsSpace` for a decoded rune.
fn go_is_space(r: u32) -> bool {
    matches!(
        r,
        0x09..=0x0D | 0x20 | 0x85 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000
    )
}

/// Whether `strings.TrimSpace(s)` is empty (invalid UTF-8 is never space).
fn is_blank(s: &[u8]) -> bool {
    let mut s = s;
    while !s.is_empty() {
        let (r, n) = decode_rune(s);
        if (r == RUNE_ERROR && n == 1) || !go_is_space(r) {
            return false;
        }
        s = &s[n..];
    }
    true
}

/// The lines `bufio.Scanner` with `ScanLines` yields: split at `\n`, one trailing `\r`
/// dropped from each, no empty final line, and the scan stops at the first line longer
/// than [`MAX_RULE_LINE`] (`ErrTooLong`).
pub fn scan_lines(text: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        if line.len() > MAX_RULE_LINE {
            break;
        }
        out.push(line.strip_suffix(b"\r").unwrap_or(line));
        rest = next;
    }
    out
}

/// `sourceignore.ReadPatterns`: every line that does not start with `#` and is not blank,
/// parsed as a pattern of `domain`.
pub fn read_patterns(text: &[u8], domain: &[Vec<u8>]) -> Vec<Pattern> {
    scan_lines(text)
        .into_iter()
        .filter(|s| !s.starts_with(b"#") && !is_blank(s))
        .map(|s| Pattern::parse(s, domain))
        .collect()
}

fn comma_patterns(list: &str, domain: &[Vec<u8>]) -> Vec<Pattern> {
    list.split(',')
        .map(|p| Pattern::parse(p.as_bytes(), domain))
        .collect()
}

/// `sourceignore.VCSPatterns`: [`EXCLUDE_VCS`].
pub fn vcs_patterns(domain: &[Vec<u8>]) -> Vec<Pattern> {
    comma_patterns(EXCLUDE_VCS, domain)
}

/// `sourceignore.DefaultPatterns`: [`EXCLUDE_EXT`], [`EXCLUDE_CI`], [`EXCLUDE_EXTRA`].
pub fn default_patterns(domain: &[Vec<u8>]) -> Vec<Pattern> {
    let all = [EXCLUDE_EXT, EXCLUDE_CI, EXCLUDE_EXTRA].join(",");
    comma_patterns(&all, domain)
}

/// `sourceignore.NewDefaultMatcher`: the VCS and default patterns, then `ps`.
pub fn default_matcher(ps: Vec<Pattern>, domain: &[Vec<u8>]) -> Matcher {
    let mut all = vcs_patterns(domain);
    all.extend(default_patterns(domain));
    all.extend(ps);
    Matcher::new(all)
}

/// The matcher of source-controller's `storage.SourceIgnoreFilter(ps, root)`: with no
/// patterns at all, the VCS, extension, CI and extra defaults; as soon as there is one,
/// only the VCS exclusions followed by `ps`.
pub fn source_controller_matcher(ps: Vec<Pattern>) -> Matcher {
    if ps.is_empty() {
        return default_matcher(ps, &[]);
    }
    let mut all = vcs_patterns(&[]);
    all.extend(ps);
    Matcher::new(all)
}

/// The default of `flux build artifact --ignore-paths`: `ExcludeVCS` and `ExcludeExt`,
/// one rule per element.
pub fn build_artifact_default_rules() -> Vec<String> {
    EXCLUDE_VCS
        .split(',')
        .chain(EXCLUDE_EXT.split(','))
        .map(str::to_owned)
        .collect()
}

/// The matcher `flux build artifact` (`oci.Client.Build`) uses: the rules joined with
/// newlines and read as one ignore file at the root.
pub fn build_artifact_matcher<S: AsRef<str>>(rules: &[S]) -> Matcher {
    let joined = rules
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join("\n");
    Matcher::new(read_patterns(joined.as_bytes(), &[]))
}

// ---------------------------------------------------------------------------------------
// pflag StringSlice values (encoding/csv)
// ---------------------------------------------------------------------------------------

/// Why a `--ignore-paths` value is not one CSV record (Go's `csv.ParseError` and `io.EOF`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The value holds no record (only empty lines): Go's `io.EOF`.
    #[error("EOF")]
    Eof,
    /// `csv.ErrBareQuote` or `csv.ErrQuote` at a position.
    #[error("{}", csv_message(.start_line, .line, .column, .bare))]
    Parse {
        /// The line where the record starts.
        start_line: usize,
        /// The line of the error.
        line: usize,
        /// The column (1-based, in bytes) of the error.
        column: usize,
        /// `true` for a bare `"` in an unquoted field, `false` for a stray or missing `"`
        /// in a quoted one.
        bare: bool,
    },
}

fn csv_message(start_line: &usize, line: &usize, column: &usize, bare: &bool) -> String {
    let what = if *bare {
        "bare \" in non-quoted-field"
    } else {
        "extraneous or missing \" in quoted-field"
    };
    if start_line != line {
        format!("record on line {start_line}; parse error on line {line}, column {column}: {what}")
    } else {
        format!("parse error on line {line}, column {column}: {what}")
    }
}

/// A reader of lines as `encoding/csv`'s `readLine` returns them: each with its `\n`,
/// `\r\n` normalised to `\n`, and a `\r` just before the end of input dropped.
struct CsvLines<'a> {
    rest: &'a [u8],
    num_line: usize,
}

impl CsvLines<'_> {
    /// The next line, or `None` at the end of input (Go's `io.EOF` with an empty line).
    fn next_line(&mut self) -> Option<Vec<u8>> {
        if self.rest.is_empty() {
            return None;
        }
        let (mut line, rest) = match self.rest.iter().position(|&b| b == b'\n') {
            Some(i) => (self.rest[..=i].to_vec(), &self.rest[i + 1..]),
            None => {
                let mut l = self.rest.to_vec();
                // For backwards compatibility, drop trailing \r before EOF.
                if l.last() == Some(&b'\r') {
                    l.pop();
                }
                (l, &[][..])
            }
        };
        self.rest = rest;
        self.num_line += 1;
        let n = line.len();
        if n >= 2 && line[n - 2] == b'\r' && line[n - 1] == b'\n' {
            line[n - 2] = b'\n';
            line.truncate(n - 1);
        }
        Some(line)
    }
}

fn length_nl(b: &[u8]) -> usize {
    usize::from(b.last() == Some(&b'\n'))
}

/// The value of one `--ignore-paths VALUE` as pflag's `StringSlice` reads it
/// (`readAsCSV`): `""` is the empty list, anything else the first record of
/// `csv.NewReader(strings.NewReader(value)).Read()` with Go's defaults (comma `,`, no
/// comments, strict quotes, leading spaces kept).
pub fn string_slice_value(value: &str) -> Result<Vec<String>, CsvError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = CsvLines {
        rest: value.as_bytes(),
        num_line: 0,
    };
    // Read line (automatically skipping past empty lines).
    let mut owned = loop {
        match r.next_line() {
            None => return Err(CsvError::Eof),
            Some(l) if l.len() == length_nl(&l) => continue,
            Some(l) => break l,
        }
    };
    let rec_line = r.num_line;
    let mut fields: Vec<Vec<u8>> = Vec::new();
    let mut col = 1usize;
    let mut pos_line = r.num_line;
    let mut l: &[u8];
    let mut start = 0usize;
    'field: loop {
        l = &owned[start..];
        if l.first() != Some(&b'"') {
            // Non-quoted string field.
            let i = l.iter().position(|&b| b == b',');
            let field = match i {
                Some(i) => &l[..i],
                None => &l[..l.len() - length_nl(l)],
            };
            if let Some(j) = field.iter().position(|&b| b == b'"') {
                return Err(CsvError::Parse {
                    start_line: rec_line,
                    line: r.num_line,
                    column: col + j,
                    bare: true,
                });
            }
            fields.push(field.to_vec());
            match i {
                Some(i) => {
                    start += i + 1;
                    col += i + 1;
                    continue 'field;
                }
                None => break 'field,
            }
        }
        // Quoted string field.
        let mut buf: Vec<u8> = Vec::new();
        start += 1;
        col += 1;
        loop {
            l = &owned[start..];
            if let Some(i) = l.iter().position(|&b| b == b'"') {
                // Hit next quote.
                buf.extend_from_slice(&l[..i]);
                start += i + 1;
                col += i + 1;
                l = &owned[start..];
                match l.first() {
                    Some(b'"') => {
                        // `""` sequence (append quote).
                        buf.push(b'"');
                        start += 1;
                        col += 1;
                    }
                    Some(b',') => {
                        // `",` sequence (end of field).
                        start += 1;
                        col += 1;
                        fields.push(buf);
                        continue 'field;
                    }
                    _ if length_nl(l) == l.len() => {
                        // `"\n` sequence (end of line).
                        fields.push(buf);
                        break 'field;
                    }
                    _ => {
                        // `"*` sequence (invalid non-escaped quote).
                        return Err(CsvError::Parse {
                            start_line: rec_line,
                            line: r.num_line,
                            column: col - 1,
                            bare: false,
                        });
                    }
                }
            } else if !l.is_empty() {
                // Hit end of line (copy all data so far).
                buf.extend_from_slice(l);
                col += l.len();
                match r.next_line() {
                    Some(next) => {
                        if !next.is_empty() {
                            pos_line += 1;
                            col = 1;
                        }
                        owned = next;
                    }
                    None => owned = Vec::new(),
                }
                start = 0;
            } else {
                // Abrupt end of file.
                return Err(CsvError::Parse {
                    start_line: rec_line,
                    line: pos_line,
                    column: col,
                    bare: false,
                });
            }
        }
    }
    Ok(fields
        .into_iter()
        .map(|f| String::from_utf8_lossy(&f).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> Result<bool, BadPattern> {
        go_match(p.as_bytes(), n.as_bytes())
    }

    #[test]
    fn filepath_match_like_go() {
        // Cases from Go's path/filepath match_test.go.
        let cases: &[(&str, &str, Result<bool, BadPattern>)] = &[
            ("abc", "abc", Ok(true)),
            ("*", "abc", Ok(true)),
            ("*c", "abc", Ok(true)),
            ("a*", "a", Ok(true)),
            ("a*", "abc", Ok(true)),
            ("a*", "ab/c", Ok(false)),
            ("a*/b", "abc/b", Ok(true)),
            ("a*/b", "a/c/b", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Ok(true)),
            ("a*b?c*x", "abxbbxdbxebxczzy", Ok(false)),
            ("ab[c]", "abc", Ok(true)),
            ("ab[b-d]", "abc", Ok(true)),
            ("ab[e-g]", "abc", Ok(false)),
            ("ab[^c]", "abc", Ok(false)),
            ("ab[^b-d]", "abc", Ok(false)),
            ("ab[^e-g]", "abc", Ok(true)),
            ("a\\*b", "a*b", Ok(true)),
            ("a\\*b", "ab", Ok(false)),
            ("a?b", "a☺b", Ok(true)),
            ("a[^a]b", "a☺b", Ok(true)),
            ("a???b", "a☺b", Ok(false)),
            ("a[^a][^a][^a]b", "a☺b", Ok(false)),
            ("[a-ζ]*", "α", Ok(true)),
            ("*[a-ζ]", "A", Ok(false)),
            ("a?b", "a/b", Ok(false)),
            ("a*b", "a/b", Ok(false)),
            ("[\\]a]", "]", Ok(true)),
            ("[\\-]", "-", Ok(true)),
            ("[x\\-]", "x", Ok(true)),
            ("[x\\-]", "-", Ok(true)),
            ("[x\\-]", "z", Ok(false)),
            ("[\\-x]", "x", Ok(true)),
            ("[\\-x]", "-", Ok(true)),
            ("[\\-x]", "a", Ok(false)),
            ("[]a]", "]", Err(BadPattern)),
            ("[-]", "-", Err(BadPattern)),
            ("[x-]", "x", Err(BadPattern)),
            ("[x-]", "-", Err(BadPattern)),
            ("[x-]", "z", Err(BadPattern)),
            ("[-x]", "x", Err(BadPattern)),
            ("[-x]", "-", Err(BadPattern)),
            ("[-x]", "a", Err(BadPattern)),
            ("\\", "a", Err(BadPattern)),
            ("[a-b-c]", "a", Err(BadPattern)),
            ("[", "a", Err(BadPattern)),
            ("[^", "a", Err(BadPattern)),
            ("[^bc", "a", Err(BadPattern)),
            ("a[", "a", Err(BadPattern)),
            ("a[", "ab", Err(BadPattern)),
            ("a[", "x", Err(BadPattern)),
            ("a/b[", "x", Err(BadPattern)),
            ("*x", "xxx", Ok(true)),
            // `!` does not negate a class in Go (only `^` does): `[!a]` is `!` or `a`.
            ("[!a]*", "a1", Ok(true)),
            ("[!a]*", "!x", Ok(true)),
            ("[!a]*", "b1", Ok(false)),
        ];
        for (p, n, want) in cases {
            assert_eq!(m(p, n), *want, "Match({p:?}, {n:?})");
        }
    }

    fn matcher(rules: &[&str]) -> Matcher {
        build_artifact_matcher(rules)
    }

    #[test]
    fn unanchored_name_excludes_everything_below() {
        let m = matcher(&["tmp"]);
        assert!(m.is_excluded_path(b"app/tmp", true));
        assert!(m.is_excluded_path(b"app/tmp/cache.tmp", false));
        assert!(!m.is_excluded_path(b"app/tmpx", false));
        assert!(!m.is_excluded_path(b"", true));
    }

    #[test]
    fn dir_only_and_anchoring() {
        let m = matcher(&["build/"]);
        assert!(m.is_excluded_path(b"build", true));
        assert!(m.is_excluded_path(b"build/x", false));
        assert!(!m.is_excluded_path(b"lib/build", false));
        let m = matcher(&["app/build"]);
        assert!(m.is_excluded_path(b"app/build", true));
        assert!(!m.is_excluded_path(b"x/app/build", true));
        let m = matcher(&["/"]);
        assert!(!m.is_excluded_path(b"a", false));
        let m = matcher(&["./README.md"]);
        assert!(!m.is_excluded_path(b"README.md", false));
    }

    #[test]
    fn double_star() {
        let m = matcher(&["**/values.yaml"]);
        assert!(m.is_excluded_path(b"values.yaml", false));
        assert!(m.is_excluded_path(b"a/b/values.yaml", false));
        let m = matcher(&["**"]);
        assert!(m.is_excluded_path(b"a", true));
        assert!(!m.is_excluded_path(b"", true));
        let m = matcher(&["data/**/"]);
        assert!(m.is_excluded_path(b"data", true));
        assert!(m.is_excluded_path(b"data/x", false));
        // Without a slash, `**` is just two stars for filepath.Match.
        let m = matcher(&["a**b"]);
        assert!(m.is_excluded_path(b"axxb", false));
        let m = matcher(&["x/a**b"]);
        assert!(!m.is_excluded_path(b"x/ab", false));
    }

    #[test]
    fn last_rule_wins_per_path() {
        let m = matcher(&["app/", "!app/service.yaml"]);
        assert!(m.is_excluded_path(b"app", true));
        assert!(!m.is_excluded_path(b"app/service.yaml", false));
        assert!(m.is_excluded_path(b"app/other.yaml", false));
    }

    #[test]
    fn rule_syntax() {
        // Comments only in column 0; blank lines; trailing spaces; escaped trailing space.
        let ps = read_patterns(b"#c\n #x\n\n  \t\n*.md   \nREADME\\ \r\n", &[]);
        assert_eq!(ps.len(), 3);
        let m = Matcher::new(ps);
        assert!(m.is_excluded_path(b" #x", false));
        assert!(m.is_excluded_path(b"a.md", false));
        assert!(m.is_excluded_path(b"README ", false));
        assert!(!m.is_excluded_path(b"README", false));
        // Lines longer than the scanner's buffer stop the scan.
        let mut long = vec![b'a'; MAX_RULE_LINE + 1];
        long.extend_from_slice(b"\nb\n");
        assert!(read_patterns(&long, &[]).is_empty());
        let mut ok = vec![b'a'; MAX_RULE_LINE];
        ok.extend_from_slice(b"\nb\n");
        assert_eq!(read_patterns(&ok, &[]).len(), 2);
    }

    #[test]
    fn nested_domains() {
        let domain = vec![b"sub".to_vec()];
        let m = Matcher::new(read_patterns(b"/x.yaml\n*.txt\n", &domain));
        assert!(m.is_excluded_path(b"sub/x.yaml", false));
        assert!(!m.is_excluded_path(b"x.yaml", false));
        assert!(m.is_excluded_path(b"sub/a/b.txt", false));
        assert!(!m.is_excluded_path(b"b.txt", false));
        assert!(!m.is_excluded_path(b"sub", true));
    }

    #[test]
    fn source_controller_defaults() {
        let m = source_controller_matcher(Vec::new());
        assert!(m.is_excluded_path(b".github", true));
        assert!(m.is_excluded_path(b"a/logo.png", false));
        assert!(m.is_excluded_path(b"x/.sops.yaml", false));
        assert!(m.is_excluded_path(b".git", true));
        let m = source_controller_matcher(read_patterns(b"*.txt", &[]));
        assert!(!m.is_excluded_path(b".github", true));
        assert!(!m.is_excluded_path(b"a/logo.png", false));
        assert!(m.is_excluded_path(b".git/HEAD", false));
    }

    #[test]
    fn csv_values_like_pflag() {
        let ok = |v: &str| string_slice_value(v).unwrap();
        assert_eq!(ok(""), Vec::<String>::new());
        assert_eq!(ok("a,b"), ["a", "b"]);
        assert_eq!(ok("a,,b,"), ["a", "", "b", ""]);
        assert_eq!(ok(" a , b"), [" a ", " b"]);
        assert_eq!(ok("\"a,b\",c"), ["a,b", "c"]);
        assert_eq!(ok("\"a\"\"b\""), ["a\"b"]);
        assert_eq!(ok("\"a\r\nb\""), ["a\nb"]);
        assert_eq!(ok("\n\na\n\nb"), ["a"]);
        assert_eq!(ok("a\r"), ["a"]);
        assert_eq!(ok("a\rb"), ["a\rb"]);
        assert_eq!(string_slice_value("\n"), Err(CsvError::Eof));
        assert_eq!(
            string_slice_value("a\"b").map_err(|e| e.to_string()),
            Err("parse error on line 1, column 2: bare \" in non-quoted-field".into())
        );
        assert_eq!(
            string_slice_value("\"a").map_err(|e| e.to_string()),
            Err("parse error on line 1, column 3: extraneous or missing \" in quoted-field".into())
        );
        assert_eq!(
            string_slice_value("\"a\"b").map_err(|e| e.to_string()),
            Err("parse error on line 1, column 3: extraneous or missing \" in quoted-field".into())
        );
        assert_eq!(
            string_slice_value("\"a\nb").map_err(|e| e.to_string()),
            Err("record on line 1; parse error on line 2, column 2: extraneous or missing \" in quoted-field".into())
        );
    }

    #[test]
    fn decode_rune_like_go() {
        assert_eq!(decode_rune("é".as_bytes()), (0xE9, 2));
        assert_eq!(decode_rune("日".as_bytes()), (0x65E5, 3));
        assert_eq!(decode_rune(b"\xC0\x80"), (RUNE_ERROR, 1));
        assert_eq!(decode_rune(b"\xED\xA0\x80"), (RUNE_ERROR, 1));
        assert_eq!(decode_rune(b"\xF0\x9F\x98\x80"), (0x1F600, 4));
        assert_eq!(decode_rune(b"\xF4\x90\x80\x80"), (RUNE_ERROR, 1));
        assert_eq!(decode_rune(b""), (RUNE_ERROR, 0));
    }
}

//! Which inputs kustomize v5.7.1 fetches over the network, decided as it decides.
//!
//! Two tests do it. A file that kustomize's loader reads (a resource file, a patch, a
//! generator's `files:`/`envs:`, `openapi: path:`, `configurations:`, `crds:`, a
//! replacement `path:`, a helm values file, ...) is fetched over HTTP when Go's
//! `url.Parse` accepts it with the scheme `http` or `https` ([`is_remote_file`],
//! kustomize's `loader.IsRemoteFile`). A kustomization directory (a `resources:` entry
//! that is not a file, a `components:` entry) is cloned with git when
//! [`RepoSpec::parse`] (kustomize's `git.NewRepoSpecFromURL`) accepts it. Everything
//! else is a local path.
//!
//! Pure string functions: nothing here touches the network or a file.

pub mod fetch;
#[cfg(test)]
mod tests;

/// A git repository, a ref and a directory in it: kustomize's `git.RepoSpec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSpec {
    /// The reference as written.
    pub raw: String,
    /// Scheme, user and host: `https://github.com/`, `git@github.com:`, `file://`.
    pub host: String,
    /// The repository's path on the host: `kubernetes-sigs/kustomize`, `org/repo.git`.
    pub repo_path: String,
    /// The kustomization's directory within the repository (`""` for its root).
    pub kust_root_path: String,
    /// The branch, tag or commit (`?ref=`, else `?version=`; `""` for the default branch).
    pub git_ref: String,
    /// Whether submodules are cloned (`?submodules=`, default true).
    pub submodules: bool,
    /// The time allowed for each git command, in nanoseconds (Go's `time.Duration`;
    /// `?timeout=` as seconds or a Go duration, default 27 s).
    pub timeout_nanos: i64,
}

/// kustomize's default git command timeout (27 s).
pub const DEFAULT_GIT_TIMEOUT_NANOS: i64 = 27_000_000_000;

const GIT_SUFFIX: &str = ".git";
const GIT_ROOT_DELIMITER: &str = "_git/";
const FILE_SCHEME: &str = "file://";
const HTTP_SCHEME: &str = "http://";
const HTTPS_SCHEME: &str = "https://";
const SSH_SCHEME: &str = "ssh://";
/// kustomize's `allSegments`: a `file://` repository path is taken whole.
const ALL_SEGMENTS: Option<usize> = None;
const ORG_REPO_SEGMENTS: Option<usize> = Some(2);

impl RepoSpec {
    /// kustomize's `git.NewRepoSpecFromURL`: parses a git-like URL, and errs (with
    /// kustomize's words) on anything else, which kustomize then takes for a local path.
    pub fn parse(n: &str) -> Result<RepoSpec, String> {
        if n.starts_with('/') {
            return Err(format!("uri looks like abs path: {n}"));
        }
        // The query first: `?` cannot appear %-encoded.
        let (rest, query) = n.split_once('?').unwrap_or((n, ""));
        let (git_ref, timeout_nanos, submodules) = parse_query(query);
        let (host, rest) = extract_host(rest)?;
        let segments = if host.starts_with(FILE_SCHEME) {
            ALL_SEGMENTS
        } else {
            ORG_REPO_SEGMENTS
        };
        let (repo_path, kust_root_path) = parse_path_parts(rest, segments)?;
        Ok(RepoSpec {
            raw: n.to_owned(),
            host,
            repo_path,
            kust_root_path,
            git_ref,
            submodules,
            timeout_nanos,
        })
    }

    /// What kustomize hands to git to clone (`CloneSpec`): host and repository path.
    pub fn clone_spec(&self) -> String {
        format!("{}{}", self.host, self.repo_path)
    }
}

/// kustomize's `parsePathParts`: the repository path and the kustomization root in it.
fn parse_path_parts(n: &str, segments: Option<usize>) -> Result<(String, String), String> {
    let split = try_explicit_marker_split(n).or_else(|| try_default_length_split(n, segments));
    let Some((repo_path, kust_root)) = split.filter(|(r, _)| !r.is_empty()) else {
        return Err("failed to parse repo path segment".into());
    };
    if kust_root_path_exits_repo(&kust_root) {
        return Err(format!("url path exits repo: {n}"));
    }
    let kust_root = kust_root.strip_prefix('/').unwrap_or(&kust_root).to_owned();
    Ok((repo_path, kust_root))
}

fn try_explicit_marker_split(n: &str) -> Option<(String, String)> {
    if let Some(i) = n.find(GIT_ROOT_DELIMITER) {
        // `.../_git/repo/path`: the repository is the element after `_git/`.
        let root = &n[..i + GIT_ROOT_DELIMITER.len()];
        let sub: Vec<&str> = n[i + GIT_ROOT_DELIMITER.len()..].split('/').collect();
        let first = sub.first().copied().unwrap_or("");
        return Some((
            format!("{root}{first}"),
            sub.get(1..).unwrap_or(&[]).join("/"),
        ));
    }
    if let Some(i) = n.find("//") {
        return Some((n[..i].to_owned(), n[i + 2..].to_owned()));
    }
    if let Some(i) = n.find(GIT_SUFFIX) {
        let end = i + GIT_SUFFIX.len();
        return Some((n[..end].to_owned(), n[end..].to_owned()));
    }
    None
}

fn try_default_length_split(n: &str, segments: Option<usize>) -> Option<(String, String)> {
    let Some(len) = segments else {
        return Some((n.to_owned(), String::new()));
    };
    let parts: Vec<&str> = n.split('/').collect();
    if parts.len() < len {
        return None;
    }
    Some((parts[..len].join("/"), parts[len..].join("/")))
}

/// Whether the cleaned path (a leading `/` dropped) starts with `..`.
fn kust_root_path_exits_repo(p: &str) -> bool {
    let cleaned = super::resource::join_clean("", p.strip_prefix('/').unwrap_or(p));
    cleaned.split('/').next() == Some("..")
}

/// kustomize's `parseQuery`: ref (`ref` over `version`), timeout and submodules; the
/// defaults for all three when Go's `url.ParseQuery` reports any error.
fn parse_query(query: &str) -> (String, i64, bool) {
    let defaults = (String::new(), DEFAULT_GIT_TIMEOUT_NANOS, true);
    let Ok(values) = go_parse_query(query) else {
        return defaults;
    };
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut git_ref = get("version").to_owned();
    if !get("ref").is_empty() {
        git_ref = get("ref").to_owned();
    }
    let mut timeout = DEFAULT_GIT_TIMEOUT_NANOS;
    let t = get("timeout");
    if !t.is_empty() {
        match (go_atoi(t), go_parse_duration(t)) {
            (Some(secs), _) if secs > 0 => timeout = secs.wrapping_mul(1_000_000_000),
            (_, Some(d)) if d > 0 => timeout = d,
            _ => {}
        }
    }
    let mut submodules = true;
    if let Some(b) = go_parse_bool(get("submodules")) {
        submodules = b;
    }
    (git_ref, timeout, submodules)
}

/// kustomize's `extractHost`: the scheme, user and host, and the rest of the URL.
fn extract_host(n: &str) -> Result<(String, &str), String> {
    // go-getter's `git::` prefix is dropped (kustomize logs a warning).
    let n = trim_prefix_ignore_case(n, "git::").unwrap_or(n);
    let (scheme, after_scheme) = extract_scheme(n);
    let (username, n) = extract_username(after_scheme);
    let std_github = is_standard_github_host(n);
    let accept_scp = scheme.is_empty() && (!username.is_empty() || std_github);
    if scheme.is_empty() && !accept_scp {
        return Err("failed to parse scheme".into());
    }
    if scheme == FILE_SCHEME {
        // Everything after the scheme, a "user" included, is the repository's path.
        return Ok((scheme.to_owned(), after_scheme));
    }
    let (mut host, rest) = match find_path_separator(n, accept_scp) {
        Some(i) => (&n[..=i], &n[i + 1..]),
        None => (n, ""),
    };
    let (mut scheme, mut username) = (scheme, username);
    if std_github {
        // GitHub URLs are normalised: ssh or a user means scp-like, else https.
        if scheme.starts_with(SSH_SCHEME) || !username.is_empty() {
            scheme = "";
            host = "github.com:";
        } else {
            scheme = HTTPS_SCHEME;
            username = "";
            host = "github.com/";
        }
    }
    if host.is_empty() {
        return Err("failed to parse host segment".into());
    }
    Ok((format!("{scheme}{username}{host}"), rest))
}

/// `strings.ToLower(s[:len(prefix)]) == prefix` (Go lowers Unicode; the prefixes here are
/// ASCII, so a non-ASCII byte never matches).
fn trim_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.as_bytes().get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix.as_bytes()) && head.iter().all(u8::is_ascii) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

fn extract_scheme(s: &str) -> (&'static str, &str) {
    for prefix in [SSH_SCHEME, HTTPS_SCHEME, HTTP_SCHEME, FILE_SCHEME] {
        if let Some(rest) = trim_prefix_ignore_case(s, prefix) {
            return (prefix, rest);
        }
    }
    ("", s)
}

/// `^([a-zA-Z][a-zA-Z0-9-]*)@`: the user and `@`, and the rest.
fn extract_username(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return ("", s);
    }
    let end = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-'))
        .unwrap_or(b.len());
    if b.get(end) == Some(&b'@') {
        (&s[..=end], &s[end + 1..])
    } else {
        ("", s)
    }
}

fn is_standard_github_host(s: &str) -> bool {
    trim_prefix_ignore_case(s, "github.com/").is_some()
        || trim_prefix_ignore_case(s, "github.com:").is_some()
}

/// kustomize's `findPathSeparator`: the first `/`, or for scp-like URLs a `:` before it.
fn find_path_separator(host_path: &str, accept_scp: bool) -> Option<usize> {
    let slash = host_path.find('/');
    if accept_scp {
        let colon = host_path.find(':');
        if let Some(c) = colon
            && c > 0
            && slash.is_none_or(|s| c < s)
        {
            return Some(c);
        }
        if slash.is_none() {
            return colon;
        }
    }
    slash
}

/// kustomize's `loader.IsRemoteFile`: Go's `url.Parse` accepts the path and its scheme is
/// `http` or `https` (any case). kustomize's loader fetches such a file over HTTP.
pub fn is_remote_file(path: &str) -> bool {
    matches!(go_url_parse_scheme(path).as_deref(), Some("http" | "https"))
}

/// The scheme Go's `url.Parse` (Go 1.25) finds, lowercased, when it parses `raw` without
/// error (`""` for a URL without one); `None` when it reports an error.
fn go_url_parse_scheme(raw: &str) -> Option<String> {
    let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
    if u.bytes().any(|b| b < b' ' || b == 0x7f) {
        return None;
    }
    if u == "*" {
        return Some(String::new());
    }
    let (scheme, rest) = go_get_scheme(u)?;
    let scheme = scheme.to_ascii_lowercase();
    let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        rest.split_once('?').map_or(rest, |(r, _)| r)
    };
    let opaque_ok = |scheme: String| -> Option<String> {
        go_unescape(frag, Mode::Fragment)?;
        Some(scheme)
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            return opaque_ok(scheme);
        }
        let segment = rest.split_once('/').map_or(rest, |(s, _)| s);
        if segment.contains(':') {
            return None;
        }
    }
    let mut path = rest;
    if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority = &rest[2..];
        let (authority, p) = match authority.find('/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        };
        go_parse_authority(authority)?;
        path = p;
    }
    go_unescape(path, Mode::Path)?;
    if !frag.is_empty() {
        go_unescape(frag, Mode::Fragment)?;
    }
    Some(scheme)
}

/// Go's `getScheme`: `Some((scheme, rest))`, `None` for its error (a leading `:`).
fn go_get_scheme(raw: &str) -> Option<(&str, &str)> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Some(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return None;
                }
                return Some((&raw[..i], &raw[i + 1..]));
            }
            _ => return Some(("", raw)),
        }
    }
    Some(("", raw))
}

fn go_parse_authority(authority: &str) -> Option<()> {
    let (user, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    go_parse_host(host)?;
    if let Some(userinfo) = user {
        let valid = userinfo.chars().all(|r| {
            r.is_ascii_alphanumeric()
                || matches!(
                    r,
                    '-' | '.'
                        | '_'
                        | ':'
                        | '~'
                        | '!'
                        | '$'
                        | '&'
                        | '\''
                        | '('
                        | ')'
                        | '*'
                        | '+'
                        | ','
                        | ';'
                        | '='
                        | '%'
                        | '@'
                )
        });
        if !valid {
            return None;
        }
        let (name, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        go_unescape(name, Mode::UserPassword)?;
        go_unescape(password, Mode::UserPassword)?;
    }
    Some(())
}

fn go_parse_host(host: &str) -> Option<()> {
    if host.contains('[') {
        let close = host.rfind(']')?;
        let open = host.rfind('[')?;
        let colon_port = &host[close + 1..];
        if !valid_optional_port(colon_port) {
            return None;
        }
        go_unescape(colon_port, Mode::Host)?;
        let hostname = host.get(open + 1..close)?;
        let unescaped = match hostname.find("%25") {
            Some(z) => {
                let h = go_unescape(&hostname[..z], Mode::Host)?;
                let zone = go_unescape(&hostname[z..], Mode::Zone)?;
                format!("{h}{zone}")
            }
            None => go_unescape(hostname, Mode::Host)?,
        };
        // `netip.ParseAddr`, and an IPv4 address is refused in brackets.
        let addr = unescaped
            .split_once('%')
            .map_or(unescaped.as_str(), |(a, _)| a);
        addr.parse::<std::net::Ipv6Addr>().ok()?;
        return Some(());
    }
    if let Some(i) = host.rfind(':')
        && !valid_optional_port(&host[i..])
    {
        return None;
    }
    go_unescape(host, Mode::Host).map(|_| ())
}

/// `^(:[0-9]*)?$`.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The parts of a URL Go's `unescape` treats apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}

/// Go's `shouldEscape` for the host modes (the only ones whose unescape consults it).
fn host_should_escape(c: u8) -> bool {
    !(c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
                | b'-'
                | b'_'
                | b'.'
                | b'~'
        ))
}

/// Go's `net/url.unescape`: `None` where Go returns an error.
fn go_unescape(s: &str, mode: Mode) -> Option<String> {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let (h, l) = (*b.get(i + 1)?, *b.get(i + 2)?);
                let (hv, lv) = (hex(h)?, hex(l)?);
                if mode == Mode::Host && hv < 8 && &b[i..i + 3] != b"%25" {
                    return None;
                }
                let v = hv << 4 | lv;
                if mode == Mode::Zone
                    && &b[i..i + 3] != b"%25"
                    && v != b' '
                    && host_should_escape(v)
                {
                    return None;
                }
                out.push(v);
                i += 3;
            }
            b'+' => {
                out.push(if mode == Mode::QueryComponent {
                    b' '
                } else {
                    b'+'
                });
                i += 1;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && host_should_escape(c) {
                    return None;
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Go's `url.ParseQuery`: the pairs in order, or an error if any part is malformed.
fn go_parse_query(query: &str) -> Result<Vec<(String, String)>, ()> {
    if query.matches('&').count() + 1 > 10_000 {
        return Err(());
    }
    let mut out = Vec::new();
    let mut failed = false;
    for part in query.split('&') {
        if part.contains(';') {
            failed = true;
            continue;
        }
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match (
            go_unescape(k, Mode::QueryComponent),
            go_unescape(v, Mode::QueryComponent),
        ) {
            (Some(k), Some(v)) => out.push((k, v)),
            _ => failed = true,
        }
    }
    if failed { Err(()) } else { Ok(out) }
}

/// Go's `strconv.Atoi` (64-bit `int`).
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse::<i64>().ok()
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn go_parse_duration(orig: &str) -> Option<i64> {
    const LIMIT: u64 = 1 << 63;
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next()
        && (c == '-' || c == '+')
    {
        neg = c == '-';
        s = &s[1..];
    }
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return None;
        }
        // [0-9]*
        let mut v: u64 = 0;
        let mut i = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return None;
            }
            v = v * 10 + u64::from(b[i] - b'0');
            if v > LIMIT {
                return None;
            }
            i += 1;
        }
        let pre = i > 0;
        s = &s[i..];
        // (\.[0-9]*)?
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if let Some(r) = s.strip_prefix('.') {
            let b = r.as_bytes();
            let mut j = 0;
            let mut overflow = false;
            while j < b.len() && b[j].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(b[j] - b'0');
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                j += 1;
            }
            post = j > 0;
            s = &r[j..];
        }
        if !pre && !post {
            return None;
        }
        let end = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if end == 0 {
            return None;
        }
        let unit: u64 = match &s[..end] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        s = &s[end..];
        if v > LIMIT / unit {
            return None;
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return None;
            }
        }
        d += v;
        if d > LIMIT {
            return None;
        }
    }
    if neg {
        return Some((d as i64).wrapping_neg());
    }
    if d > LIMIT - 1 {
        return None;
    }
    Some(d as i64)
}

/// kustomize's `generators.ParseFileSource`: the key and the path of a generator `files:`
/// entry (`path`, or `key=path`).
pub(crate) fn parse_file_source(source: &str) -> Result<(String, &str), String> {
    match source.matches('=').count() {
        0 => Ok((go_path_base(source), source)),
        1 if source.starts_with('=') => Err(format!(
            "missing key name for file path {} in source {}",
            crate::go::strconv::quote(&source[1..]),
            crate::go::strconv::quote(source)
        )),
        1 if source.ends_with('=') => Err(format!(
            "missing file path for key name {} in source {}",
            crate::go::strconv::quote(&source[..source.len() - 1]),
            crate::go::strconv::quote(source)
        )),
        1 => {
            let (k, p) = source.split_once('=').unwrap_or((source, ""));
            Ok((k.to_owned(), p))
        }
        _ => Err(format!(
            "source {} key name or file path contains '='",
            crate::go::strconv::quote(source)
        )),
    }
}

/// Go's `path.Base`.
fn go_path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

/// An input kustomize would fetch over the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRef {
    /// The directory of the kustomization that names it.
    pub kustomization: crate::tree::RelPath,
    /// The field naming it: `resources`, `components`, `generators`, `transformers`,
    /// `validators`, `openapi.path`, `configurations`, `crds`, `patches.path`,
    /// `patchesJson6902.path`, `patchesStrategicMerge`, `replacements.path`,
    /// `configMapGenerator.envs`, `configMapGenerator.files`, `secretGenerator.envs`,
    /// `secretGenerator.files`, `helmCharts.valuesFile`,
    /// `helmCharts.additionalValuesFiles`, `helmCharts.repo`, or for a builtin plugin
    /// configuration `<Kind>.<field>` (`PatchTransformer.path`).
    pub field: String,
    /// The reference as written (for a generator file, the path part of `key=path`).
    pub raw: String,
    /// How kustomize fetches it.
    pub fetch: Fetch,
}

/// How kustomize fetches a remote input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fetch {
    /// An HTTP GET of a file.
    Http {
        /// The URL.
        url: String,
    },
    /// A `resources:` (or plugin) URL that is also a git URL: kustomize GETs it and
    /// reads the body as resources; if that fails other than with an HTTP error status
    /// of a URL that is not a repository, it clones the repository instead.
    HttpOrGit {
        /// The URL.
        url: String,
        /// The repository.
        repo: RepoSpec,
    },
    /// A git clone; the kustomization is `repo.kust_root_path` in it.
    Git(RepoSpec),
    /// A chart that is not in the chart home: kustomize runs `helm pull`.
    HelmChart {
        /// The chart repository URL (`oci://` or `https://`).
        repo: String,
        /// The chart's name.
        name: String,
        /// The chart's version (`""` for the latest).
        version: String,
    },
}

/// Collects the remote inputs of a kustomization and of what it reaches locally.
pub(super) fn collect(t: &super::Target<'_>, out: &mut Vec<RemoteRef>) -> Result<(), super::Error> {
    let k = &t.k;
    let here = t.ldr.root.clone();
    let push = |out: &mut Vec<RemoteRef>, field: &str, raw: &str, fetch: Fetch| {
        out.push(RemoteRef {
            kustomization: here.clone(),
            field: field.to_owned(),
            raw: raw.to_owned(),
            fetch,
        });
    };
    // A file the loader reads.
    let file = |out: &mut Vec<RemoteRef>, field: &str, raw: &str| {
        if is_remote_file(raw) {
            push(
                out,
                field,
                raw,
                Fetch::Http {
                    url: raw.to_owned(),
                },
            );
        }
    };
    if let Some((_, p)) = k.openapi.iter().find(|(key, _)| key == "path") {
        file(out, "openapi.path", p);
    }
    for (field, list) in [
        ("resources", &k.resources),
        ("generators", &k.generators),
        ("transformers", &k.transformers),
        ("validators", &k.validators),
    ] {
        let plugins = field != "resources";
        for entry in list {
            if plugins
                && let Ok(rs) = super::parse_resources(entry.as_bytes(), "inline")
                && !rs.is_empty()
            {
                for r in &rs {
                    plugin_config(t, &r.obj, out);
                }
                continue;
            }
            resource_entry(t, field, entry, plugins, out)?;
        }
    }
    for c in &k.components {
        match RepoSpec::parse(c) {
            Ok(spec) => push(out, "components", c, Fetch::Git(spec)),
            Err(_) => sub_kustomization(t, c, out)?,
        }
    }
    for p in &k.configurations {
        file(out, "configurations", p);
    }
    for p in &k.crds {
        file(out, "crds", p);
    }
    for p in &k.patches {
        file(out, "patches.path", &p.path);
    }
    for p in &k.patches_json6902 {
        file(out, "patchesJson6902.path", &p.path);
    }
    for p in &k.patches_strategic_merge {
        let inline = super::parse_resources(p.as_bytes(), "inline").is_ok_and(|r| !r.is_empty());
        if !inline {
            file(out, "patchesStrategicMerge", p);
        }
    }
    for r in &k.replacements {
        if let Some(p) = r.get("path").and_then(crate::yaml::Value::as_str) {
            file(out, "replacements.path", p);
        }
    }
    for (field, gens) in [
        ("configMapGenerator", &k.config_map_generator),
        ("secretGenerator", &k.secret_generator),
    ] {
        for g in gens {
            generator_files(&g.envs, &g.files, field, &mut |f, raw| file(out, f, raw));
        }
    }
    for c in &k.helm_charts {
        helm_chart(t, c, k.helm_globals.as_ref(), "helmCharts", out);
    }
    Ok(())
}

/// A `resources:` entry, or a generator/transformer/validator entry that is not inline.
fn resource_entry(
    t: &super::Target<'_>,
    field: &str,
    entry: &str,
    plugins: bool,
    out: &mut Vec<RemoteRef>,
) -> Result<(), super::Error> {
    let push = |out: &mut Vec<RemoteRef>, fetch: Fetch| {
        out.push(RemoteRef {
            kustomization: t.ldr.root.clone(),
            field: field.to_owned(),
            raw: entry.to_owned(),
            fetch,
        });
    };
    if is_remote_file(entry) {
        let fetch = match RepoSpec::parse(entry) {
            Ok(repo) => Fetch::HttpOrGit {
                url: entry.to_owned(),
                repo,
            },
            Err(_) => Fetch::Http {
                url: entry.to_owned(),
            },
        };
        push(out, fetch);
        return Ok(());
    }
    if let Ok(bytes) = t.ldr.load(entry) {
        if plugins && let Ok(rs) = super::parse_resources(&bytes, entry) {
            for r in &rs {
                plugin_config(t, &r.obj, out);
            }
        }
        return Ok(());
    }
    if let Ok(spec) = RepoSpec::parse(entry) {
        push(out, Fetch::Git(spec));
        return Ok(());
    }
    sub_kustomization(t, entry, out)
}

/// A local base or component: its own remote inputs. One that cannot be loaded (no
/// such directory, no kustomization file) fetches nothing; the build reports it.
fn sub_kustomization(
    t: &super::Target<'_>,
    path: &str,
    out: &mut Vec<RemoteRef>,
) -> Result<(), super::Error> {
    let Ok(child) = t.ldr.child(path) else {
        return Ok(());
    };
    let mut warnings = Vec::new();
    let Ok(sub) = super::Target::load(child, t.opts, t.ctx, &mut warnings) else {
        return Ok(());
    };
    collect(&sub, out)
}

/// The env files and file sources of a generator.
fn generator_files(
    envs: &[String],
    files: &[String],
    field: &str,
    file: &mut dyn FnMut(&str, &str),
) {
    for e in envs {
        file(&format!("{field}.envs"), e);
    }
    for f in files {
        if let Ok((_, p)) = parse_file_source(f) {
            file(&format!("{field}.files"), p);
        }
    }
}

/// A `helmCharts` entry or `HelmChartInflationGenerator` configuration: values files,
/// and the chart itself when the chart home lacks it.
fn helm_chart(
    t: &super::Target<'_>,
    c: &crate::yaml::Value,
    globals: Option<&crate::yaml::Value>,
    field: &str,
    out: &mut Vec<RemoteRef>,
) {
    let Ok(a) = super::helmchart::HelmChartArgs::decode(c, globals, false) else {
        return;
    };
    let mut push = |f: &str, raw: &str, fetch: Fetch| {
        out.push(RemoteRef {
            kustomization: t.ldr.root.clone(),
            field: format!("{field}.{f}"),
            raw: raw.to_owned(),
            fetch,
        });
    };
    for (f, p) in std::iter::once(("valuesFile", &a.values_file)).chain(
        a.additional_values_files
            .iter()
            .map(|p| ("additionalValuesFiles", p)),
    ) {
        if is_remote_file(p) {
            push(f, p, Fetch::Http { url: p.clone() });
        }
    }
    if !a.repo.is_empty() && !t.chart_present(&a) {
        push(
            "repo",
            &a.repo,
            Fetch::HelmChart {
                repo: a.repo.clone(),
                name: a.name.clone(),
                version: a.version.clone(),
            },
        );
    }
}

/// The files a builtin plugin configuration reads.
fn plugin_config(t: &super::Target<'_>, v: &crate::yaml::Value, out: &mut Vec<RemoteRef>) {
    use crate::yaml::Value;
    if v.get("apiVersion").and_then(Value::as_str) != Some("builtin") {
        return;
    }
    let Some(kind) = v.get("kind").and_then(Value::as_str) else {
        return;
    };
    let strings = |key: &str| -> Vec<String> {
        match v.get(key) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut file = |field: &str, raw: &str| {
        if is_remote_file(raw) {
            out.push(RemoteRef {
                kustomization: t.ldr.root.clone(),
                field: format!("{kind}.{field}"),
                raw: raw.to_owned(),
                fetch: Fetch::Http {
                    url: raw.to_owned(),
                },
            });
        }
    };
    match kind {
        "PatchTransformer" | "PatchJson6902Transformer" => {
            for p in strings("path") {
                file("path", &p);
            }
        }
        "PatchStrategicMergeTransformer" => {
            for p in strings("paths") {
                let inline =
                    super::parse_resources(p.as_bytes(), "inline").is_ok_and(|r| !r.is_empty());
                if !inline {
                    file("paths", &p);
                }
            }
        }
        "ConfigMapGenerator" | "SecretGenerator" => {
            let mut envs = strings("envs");
            envs.extend(strings("env"));
            for e in &envs {
                file("envs", e);
            }
            for f in strings("files") {
                if let Ok((_, p)) = parse_file_source(&f) {
                    file("files", p);
                }
            }
        }
        "ReplacementTransformer" => {
            if let Some(Value::Seq(items)) = v.get("replacements") {
                for r in items {
                    if let Some(p) = r.get("path").and_then(Value::as_str) {
                        file("replacements.path", p);
                    }
                }
            }
        }
        "ValueAddTransformer" => {
            for p in strings("targetFilePath") {
                file("targetFilePath", &p);
            }
        }
        "HelmChartInflationGenerator" => helm_chart(t, v, None, kind, out),
        _ => {}
    }
}

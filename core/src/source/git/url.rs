//! Git remote URLs: `https://`, `http://`, `ssh://`, `git://`, `file://` and scp-like
//! `user@host:path`, with credentials in the URL split off so that they never reach a
//! log line or an error message.

use std::fmt;

/// How a remote is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Smart HTTP over TLS.
    Https,
    /// Smart HTTP in the clear.
    Http,
    /// `ssh://` or scp-like `user@host:path`.
    Ssh,
    /// The git daemon protocol.
    Git,
    /// A repository on the local file system.
    File,
}

/// A parsed remote URL. Its `Display` is the URL without any password or HTTP user
/// (safe for messages).
#[derive(Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// The transport.
    pub scheme: Scheme,
    /// The user (ssh login; for HTTP(S), a basic-auth user given in the URL).
    pub user: Option<String>,
    password: Option<String>,
    /// The host (IPv6 addresses without brackets).
    pub host: String,
    /// The port, when given.
    pub port: Option<u16>,
    /// The path (with its leading `/` for URL forms; as written for scp-like).
    pub path: String,
    /// Written as scp-like `user@host:path`.
    pub scp_like: bool,
}

impl fmt::Debug for GitUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitUrl")
            .field("scheme", &self.scheme)
            .field("user", &self.user.as_ref().map(|_| "<redacted>"))
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("path", &self.path)
            .finish()
    }
}

/// A URL that cannot be used as a Git remote. The message never contains a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Git URL '{url}': {reason}")]
pub struct UrlError {
    /// The URL with any userinfo removed.
    pub url: String,
    /// Why.
    pub reason: String,
}

impl GitUrl {
    /// Parses a remote URL.
    ///
    /// # Errors
    /// An unknown scheme, a missing host or path, a bad port.
    pub fn parse(url: &str) -> Result<GitUrl, UrlError> {
        let err = |reason: &str| UrlError {
            url: strip_userinfo(url),
            reason: reason.to_owned(),
        };
        if url.chars().any(|c| c.is_control() || c == ' ') {
            return Err(err("it contains spaces or control characters"));
        }
        if let Some((scheme, rest)) = url.split_once("://") {
            let scheme = match scheme.to_ascii_lowercase().as_str() {
                "https" => Scheme::Https,
                "http" => Scheme::Http,
                "ssh" | "git+ssh" | "ssh+git" => Scheme::Ssh,
                "git" => Scheme::Git,
                "file" => Scheme::File,
                _ => {
                    return Err(err(
                        "unsupported scheme (use https, http, ssh, git or file)",
                    ));
                }
            };
            if scheme == Scheme::File {
                if rest.is_empty() {
                    return Err(err("no path"));
                }
                return Ok(GitUrl {
                    scheme,
                    user: None,
                    password: None,
                    host: String::new(),
                    port: None,
                    path: rest.to_owned(),
                    scp_like: false,
                });
            }
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let (userinfo, hostport) = match authority.rfind('@') {
                Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
                None => (None, authority),
            };
            let (user, password) = match userinfo {
                Some(ui) => match ui.split_once(':') {
                    Some((u, p)) => (Some(percent_decode(u)), Some(percent_decode(p))),
                    None => (Some(percent_decode(ui)), None),
                },
                None => (None, None),
            };
            let (host, port) = split_host_port(hostport).map_err(|r| err(&r))?;
            if host.is_empty() {
                return Err(err("no host"));
            }
            if path.len() <= 1 {
                return Err(err("no repository path"));
            }
            if password.is_some() && scheme == Scheme::Ssh {
                return Err(err("passwords in ssh URLs are not supported; use a key"));
            }
            return Ok(GitUrl {
                scheme,
                user: user.filter(|u| !u.is_empty()),
                password: password.filter(|p| !p.is_empty()),
                host,
                port,
                path: path.to_owned(),
                scp_like: false,
            });
        }
        // scp-like: [user@]host:path, with no slash before the colon.
        if let Some(colon) = url.find(':') {
            let before = &url[..colon];
            if !before.contains('/') && !before.is_empty() {
                let (user, host) = match before.rfind('@') {
                    Some(i) => (Some(before[..i].to_owned()), &before[i + 1..]),
                    None => (None, before),
                };
                let host = host.trim_start_matches('[').trim_end_matches(']');
                let path = &url[colon + 1..];
                if host.is_empty() || path.is_empty() {
                    return Err(err("no host or path"));
                }
                return Ok(GitUrl {
                    scheme: Scheme::Ssh,
                    user: user.filter(|u| !u.is_empty()),
                    password: None,
                    host: host.to_owned(),
                    port: None,
                    path: path.to_owned(),
                    scp_like: true,
                });
            }
        }
        if url.starts_with('/') {
            return Ok(GitUrl {
                scheme: Scheme::File,
                user: None,
                password: None,
                host: String::new(),
                port: None,
                path: url.to_owned(),
                scp_like: false,
            });
        }
        Err(err(
            "not a URL (expected scheme://host/path or user@host:path)",
        ))
    }

    /// The password given in the URL (HTTP(S) basic auth), if any.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The port to connect to: the one given, or the scheme's default.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(match self.scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
            Scheme::Ssh => 22,
            Scheme::Git => 9418,
            Scheme::File => 0,
        })
    }

    fn host_port(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }

    /// The URL to connect to: HTTP(S) without userinfo (credentials travel separately);
    /// ssh with its login user.
    pub fn connect_url(&self) -> String {
        match self.scheme {
            Scheme::File => format!("file://{}", self.path),
            Scheme::Ssh if self.scp_like => {
                let host = if self.host.contains(':') {
                    format!("[{}]", self.host)
                } else {
                    self.host.clone()
                };
                match &self.user {
                    Some(u) => format!("{u}@{host}:{}", self.path),
                    None => format!("{host}:{}", self.path),
                }
            }
            Scheme::Ssh => match &self.user {
                Some(u) => format!("ssh://{u}@{}{}", self.host_port(), self.path),
                None => format!("ssh://{}{}", self.host_port(), self.path),
            },
            Scheme::Https => format!("https://{}{}", self.host_port(), self.path),
            Scheme::Http => format!("http://{}{}", self.host_port(), self.path),
            Scheme::Git => format!("git://{}{}", self.host_port(), self.path),
        }
    }

    /// Resolves a submodule URL relative to this one (`../other.git`, `./sub`), as
    /// `git submodule` does (the superproject URL counts as a directory); absolute URLs
    /// are returned as they are.
    pub fn join_relative(&self, rel: &str) -> String {
        if !(rel.starts_with("./") || rel.starts_with("../")) {
            return rel.to_owned();
        }
        let base = self.connect_url();
        // The part that never changes (scheme and authority, or scp's `host:`).
        let (prefix, path) = if self.scp_like {
            match base.find(':') {
                Some(i) => (base[..=i].to_owned(), base[i + 1..].to_owned()),
                None => (String::new(), base.clone()),
            }
        } else {
            match base.find("://") {
                Some(i) => {
                    let after = &base[i + 3..];
                    let cut = after.find('/').map_or(base.len(), |j| i + 3 + j);
                    (base[..cut].to_owned(), base[cut..].to_owned())
                }
                None => (String::new(), base.clone()),
            }
        };
        let lead = if path.starts_with('/') { "/" } else { "" };
        let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for comp in rel.split('/') {
            match comp {
                "." | "" => {}
                ".." => {
                    parts.pop();
                }
                c => parts.push(c),
            }
        }
        format!("{prefix}{lead}{}", parts.join("/"))
    }
}

impl fmt::Display for GitUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.connect_url())
    }
}

fn split_host_port(hp: &str) -> Result<(String, Option<u16>), String> {
    if let Some(rest) = hp.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| "unclosed '[' in the host".to_owned())?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => return Err("garbage after the host".to_owned()),
        };
        return Ok((host.to_owned(), port));
    }
    match hp.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() => Ok((h.to_owned(), Some(parse_port(p)?))),
        Some((h, _)) => Ok((h.to_owned(), None)),
        None => Ok((hp.to_owned(), None)),
    }
}

fn parse_port(p: &str) -> Result<u16, String> {
    p.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("invalid port '{p}'"))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                // Two hex digits: at most 255.
                out.push(u8::try_from(h * 16 + l).unwrap_or(0));
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `url` with the userinfo of a `scheme://user:pass@host` form removed: safe to show.
pub fn strip_userinfo(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            if scheme.eq_ignore_ascii_case("ssh") && !rest[..at].contains(':') {
                return url.to_owned();
            }
            return format!("{scheme}://{}", &rest[at + 1..]);
        }
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms() {
        let u = GitUrl::parse("https://user:s3cret@example.com:8443/org/repo.git").expect("https");
        assert_eq!(u.scheme, Scheme::Https);
        assert_eq!(u.user.as_deref(), Some("user"));
        assert_eq!(u.password(), Some("s3cret"));
        assert_eq!(u.port, Some(8443));
        assert_eq!(u.to_string(), "https://example.com:8443/org/repo.git");
        assert!(!format!("{u:?}").contains("s3cret"));

        let u = GitUrl::parse("git@github.com:org/repo.git").expect("scp");
        assert_eq!(u.scheme, Scheme::Ssh);
        assert!(u.scp_like);
        assert_eq!(u.user.as_deref(), Some("git"));
        assert_eq!(u.port_or_default(), 22);
        assert_eq!(u.to_string(), "git@github.com:org/repo.git");

        let u = GitUrl::parse("ssh://git@[::1]:2222/srv/repo.git").expect("ssh v6");
        assert_eq!(u.host, "::1");
        assert_eq!(u.port, Some(2222));
        assert_eq!(u.to_string(), "ssh://git@[::1]:2222/srv/repo.git");

        let u = GitUrl::parse("git://127.0.0.1:9418/test.git").expect("git");
        assert_eq!(u.scheme, Scheme::Git);
        assert_eq!(
            GitUrl::parse("/srv/repo.git").expect("path").scheme,
            Scheme::File
        );
    }

    #[test]
    fn refuses_bad_urls_without_echoing_passwords() {
        let e = GitUrl::parse("ftp://u:hunter2@host/x").expect_err("ftp");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(GitUrl::parse("https://host").is_err());
        assert!(GitUrl::parse("https://host:99999/x").is_err());
        assert!(GitUrl::parse("relative/path").is_err());
    }

    #[test]
    fn strips_userinfo() {
        assert_eq!(strip_userinfo("https://a:b@host/x@y"), "https://host/x@y");
        assert_eq!(strip_userinfo("ssh://git@host/x"), "ssh://git@host/x");
    }

    #[test]
    fn relative_submodule_urls() {
        let u = GitUrl::parse("https://example.com/org/repo.git").expect("url");
        assert_eq!(
            u.join_relative("../other.git"),
            "https://example.com/org/other.git"
        );
        assert_eq!(
            u.join_relative("./sub.git"),
            "https://example.com/org/repo.git/sub.git"
        );
        assert_eq!(u.join_relative("https://x/y.git"), "https://x/y.git");
        let u = GitUrl::parse("git@host:org/repo.git").expect("scp");
        assert_eq!(u.join_relative("../lib.git"), "git@host:org/lib.git");
    }
}

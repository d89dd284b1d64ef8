//! The `git://` protocol (git daemon), spoken directly: a TCP connection, the
//! `git-upload-pack` request line, the ref advertisement, and (for a fetch) the same
//! upload-pack request and response as smart HTTP. A refresh costs one connection and
//! never initialises libgit2; a fetch sends its request on the connection the refs were
//! listed on (one `git-upload-pack` on the server, as `git clone` costs).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::{GitError, Limits, ProgressFn};
use crate::source::git::RemoteRefs;
use crate::source::git::pktline::{self, Advertisement, Pkt, PktError, PktReader};
use crate::source::git::url::GitUrl;

/// How long to wait for a connection or a read when no deadline is set.
const DEFAULT_WAIT: Duration = Duration::from_secs(120);

/// A `git://` remote.
pub(super) struct DaemonRemote {
    host: String,
    port: u16,
    path: String,
    shown: String,
    limits: Limits,
    deadline: Option<Instant>,
    advertisement: Option<Advertisement>,
    /// The connection the refs were listed on, kept for the first fetch.
    listed: Option<TcpStream>,
}

impl Drop for DaemonRemote {
    fn drop(&mut self) {
        // Nothing wanted after all: end the conversation politely (a flush).
        if let Some(mut s) = self.listed.take() {
            let _ = s.write_all(b"0000");
        }
    }
}

impl DaemonRemote {
    pub(super) fn new(url: &GitUrl, limits: &Limits, deadline: Option<Instant>) -> Self {
        DaemonRemote {
            host: url.host.clone(),
            port: url.port_or_default(),
            path: url.path.clone(),
            shown: url.to_string(),
            limits: limits.clone(),
            deadline,
            advertisement: None,
            listed: None,
        }
    }

    fn wait(&self) -> Result<Duration, GitError> {
        match self.deadline {
            None => Ok(DEFAULT_WAIT),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    Err(GitError::Timeout {
                        url: self.shown.clone(),
                    })
                } else {
                    Ok(left)
                }
            }
        }
    }

    fn net(&self, e: &std::io::Error) -> GitError {
        if matches!(
            e.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ) {
            GitError::Timeout {
                url: self.shown.clone(),
            }
        } else {
            GitError::Network {
                url: self.shown.clone(),
                reason: e.to_string(),
            }
        }
    }

    fn pkt_err(&self, e: PktError) -> GitError {
        match e {
            PktError::Remote(m) => {
                let lower = m.to_ascii_lowercase();
                if lower.contains("no such repository")
                    || lower.contains("not found")
                    || lower.contains("access denied")
                    || lower.contains("not exported")
                {
                    GitError::RepositoryNotFound {
                        url: self.shown.clone(),
                    }
                } else {
                    GitError::Remote {
                        url: self.shown.clone(),
                        message: m,
                    }
                }
            }
            PktError::Io(reason) => GitError::Network {
                url: self.shown.clone(),
                reason,
            },
            other => GitError::Protocol {
                url: self.shown.clone(),
                reason: other.to_string(),
            },
        }
    }

    /// Connects, asks for upload-pack and reads the advertisement.
    fn open(&mut self) -> Result<(TcpStream, Advertisement), GitError> {
        let wait = self.wait()?;
        let addrs = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| self.net(&e))?;
        let mut last = None;
        let mut stream = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, wait) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let mut stream = match (stream, last) {
            (Some(s), _) => s,
            (None, Some(e)) => return Err(self.net(&e)),
            (None, None) => {
                return Err(GitError::Network {
                    url: self.shown.clone(),
                    reason: "the host name resolves to no address".into(),
                });
            }
        };
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(self.wait()?))
            .map_err(|e| self.net(&e))?;
        stream
            .set_write_timeout(Some(self.wait()?))
            .map_err(|e| self.net(&e))?;
        let host = if self.port == 9418 {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let mut req = Vec::new();
        pktline::write_pkt(
            &mut req,
            format!("git-upload-pack {}\0host={host}\0", self.path).as_bytes(),
        )
        .map_err(|e| self.pkt_err(e))?;
        stream.write_all(&req).map_err(|e| self.net(&e))?;

        // The advertisement: packets up to the flush, re-framed for the parser.
        let mut body = Vec::new();
        let mut total: u64 = 0;
        {
            let mut reader = PktReader::new(&mut stream);
            loop {
                match reader.next_pkt().map_err(|e| self.pkt_err(e))? {
                    Some(Pkt::Data(d)) => {
                        total += d.len() as u64 + 4;
                        if total > self.limits.max_advertisement_bytes {
                            return Err(GitError::TooLarge {
                                url: self.shown.clone(),
                                what: "ref advertisement".into(),
                                limit: self.limits.max_advertisement_bytes,
                            });
                        }
                        if let Some(msg) = d.strip_prefix(b"ERR ") {
                            let msg = String::from_utf8_lossy(msg).trim_end().to_owned();
                            return Err(self.pkt_err(PktError::Remote(msg)));
                        }
                        pktline::write_pkt(&mut body, d).map_err(|e| self.pkt_err(e))?;
                    }
                    Some(Pkt::Flush) => break,
                    Some(_) => {
                        return Err(self.pkt_err(PktError::Advertisement(
                            "unexpected delimiter in the ref advertisement".into(),
                        )));
                    }
                    None => {
                        return Err(self.pkt_err(PktError::Truncated));
                    }
                }
            }
        }
        pktline::write_flush(&mut body);
        let adv = pktline::parse_advertisement(&body, false).map_err(|e| self.pkt_err(e))?;
        Ok((stream, adv))
    }

    /// Lists the refs. The connection stays open for a fetch; it is closed politely (a
    /// flush: nothing wanted) when the remote is dropped without one.
    pub(super) fn list(&mut self) -> Result<RemoteRefs, GitError> {
        let (stream, adv) = self.open()?;
        if let Some(mut old) = self.listed.replace(stream) {
            let _ = old.write_all(b"0000");
        }
        let refs = adv.refs.clone();
        self.advertisement = Some(adv);
        Ok(refs)
    }

    /// Fetches `wants` into `repo`; returns the shallow commits.
    pub(super) fn fetch(
        &mut self,
        repo: &git2::Repository,
        wants: &[String],
        depth: Option<u32>,
        progress: Option<&ProgressFn>,
    ) -> Result<Vec<String>, GitError> {
        let (mut stream, adv) = match (self.listed.take(), &self.advertisement) {
            (Some(s), Some(adv)) => (s, adv.clone()),
            _ => self.open()?,
        };
        let mut caps: Vec<&str> = Vec::new();
        for c in ["side-band-64k", "ofs-delta", "no-progress"] {
            if adv.has(c) {
                caps.push(c);
            }
        }
        if !adv.has("side-band-64k") {
            return Err(GitError::Protocol {
                url: self.shown.clone(),
                reason: "the server does not offer side-band-64k".into(),
            });
        }
        let depth = match depth {
            Some(d) if adv.has("shallow") => {
                caps.push("shallow");
                Some(d)
            }
            _ => None,
        };
        caps.push(concat!("agent=gitward/", env!("CARGO_PKG_VERSION")));
        let body =
            pktline::upload_pack_request(wants, &caps, depth).map_err(|e| self.pkt_err(e))?;
        stream.write_all(&body).map_err(|e| self.net(&e))?;
        let deadline = self.deadline;
        let reader = DeadlineReader {
            inner: &mut stream,
            deadline,
        };
        super::pack::receive(
            reader,
            depth.is_some(),
            repo,
            &self.shown,
            self.limits.max_download_bytes,
            deadline,
            progress,
        )
    }
}

/// Keeps the socket's read timeout at what is left of the deadline.
struct DeadlineReader<'a> {
    inner: &'a mut TcpStream,
    deadline: Option<Instant>,
}

impl Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(d) = self.deadline {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "deadline passed",
                ));
            }
            self.inner.set_read_timeout(Some(left))?;
        }
        self.inner.read(buf)
    }
}

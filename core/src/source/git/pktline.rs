//! Git's pkt-line framing and the smart protocol's (version 0/1) ref advertisement and
//! upload-pack request, as `git http-backend` and `git upload-pack` speak them.
//!
//! A pkt-line is four hexadecimal digits giving the length (the four digits included) and
//! the payload; `0000` is a flush packet, `0001` a delimiter, `0002` a response end.

use std::io::Read;

use super::{RemoteRef, RemoteRefs};

/// The largest pkt-line, length prefix included (`LARGE_PACKET_MAX`).
pub const MAX_PKT: usize = 65520;

/// One packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pkt<'a> {
    /// `0000`.
    Flush,
    /// `0001` (protocol v2).
    Delim,
    /// `0002` (protocol v2).
    End,
    /// A payload.
    Data(&'a [u8]),
}

/// Malformed protocol data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PktError {
    /// A length prefix that is not four hex digits or is out of range.
    #[error("invalid pkt-line length {0:?}")]
    Length(String),
    /// The data ends inside a packet.
    #[error("truncated pkt-line")]
    Truncated,
    /// Payload too large for one packet.
    #[error("pkt-line payload of {0} bytes is too large")]
    TooLarge(usize),
    /// The advertisement is not what a smart server sends.
    #[error("{0}")]
    Advertisement(String),
    /// The server reported an error (`ERR ...` or side-band 3).
    #[error("remote error: {0}")]
    Remote(String),
    /// Reading failed.
    #[error("{0}")]
    Io(String),
}

/// Parses the packet at the start of `buf`: `Ok(None)` when `buf` holds less than a
/// whole packet.
///
/// # Errors
/// An invalid length prefix.
pub fn parse_pkt(buf: &[u8]) -> Result<Option<(Pkt<'_>, usize)>, PktError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = parse_len(&buf[..4])?;
    match len {
        0 => return Ok(Some((Pkt::Flush, 4))),
        1 => return Ok(Some((Pkt::Delim, 4))),
        2 => return Ok(Some((Pkt::End, 4))),
        3 => return Err(PktError::Length("0003".into())),
        _ => {}
    }
    if buf.len() < len {
        return Ok(None);
    }
    Ok(Some((Pkt::Data(&buf[4..len]), len)))
}

fn parse_len(h: &[u8]) -> Result<usize, PktError> {
    let text = std::str::from_utf8(h).map_err(|_| PktError::Length(format!("{h:?}")))?;
    let len = usize::from_str_radix(text, 16).map_err(|_| PktError::Length(text.to_owned()))?;
    if len > MAX_PKT {
        return Err(PktError::Length(text.to_owned()));
    }
    Ok(len)
}

/// Appends `data` as one packet.
///
/// # Errors
/// `data` is longer than a packet can hold.
pub fn write_pkt(out: &mut Vec<u8>, data: &[u8]) -> Result<(), PktError> {
    let len = data.len() + 4;
    if len > MAX_PKT {
        return Err(PktError::TooLarge(data.len()));
    }
    out.extend_from_slice(format!("{len:04x}").as_bytes());
    out.extend_from_slice(data);
    Ok(())
}

/// Appends a flush packet.
pub fn write_flush(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0000");
}

/// A parsed ref advertisement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advertisement {
    /// The refs (peeled tags as `<tag>^{}` entries) and `HEAD`'s symref.
    pub refs: RemoteRefs,
    /// The capabilities of the first line.
    pub capabilities: Vec<String>,
    /// The protocol version the server announced (`version 1` lines); 0 otherwise.
    pub version: u32,
}

impl Advertisement {
    /// Whether the server announced `cap` (exactly, or as `cap=...`).
    pub fn has(&self, cap: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c == cap || c.strip_prefix(cap).is_some_and(|r| r.starts_with('=')))
    }
}

/// Parses what `GET .../info/refs?service=git-upload-pack` returns (`smart_http`: the
/// `# service=` header first) or what `git upload-pack` prints first.
///
/// # Errors
/// Malformed packets or lines.
pub fn parse_advertisement(body: &[u8], smart_http: bool) -> Result<Advertisement, PktError> {
    let mut cur = Cursor { body, pos: 0 };
    if smart_http {
        match cur.next()? {
            Some(Pkt::Data(d)) if trim_nl(d).starts_with(b"# service=") => {}
            _ => {
                return Err(PktError::Advertisement(
                    "not a smart HTTP ref advertisement (no '# service=' line)".into(),
                ));
            }
        }
        // Some servers omit the flush after the service line.
        let save = cur.pos;
        if cur.next()? != Some(Pkt::Flush) {
            cur.pos = save;
        }
    }
    let mut adv = Advertisement::default();
    let mut first = true;
    while let Some(p) = cur.next()? {
        let line = match p {
            Pkt::Flush => break,
            Pkt::Delim | Pkt::End => {
                return Err(PktError::Advertisement(
                    "unexpected delimiter in the ref advertisement".into(),
                ));
            }
            Pkt::Data(d) => trim_nl(d),
        };
        if let Some(msg) = line.strip_prefix(b"ERR ") {
            return Err(PktError::Remote(String::from_utf8_lossy(msg).into_owned()));
        }
        if first && line.starts_with(b"version ") {
            let v = std::str::from_utf8(&line[8..])
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            adv.version = v;
            if v == 2 {
                return Err(PktError::Advertisement(
                    "the server answered with protocol version 2".into(),
                ));
            }
            continue;
        }
        if line.starts_with(b"shallow ") {
            continue;
        }
        let (refpart, caps) = match line.iter().position(|&b| b == 0) {
            Some(i) => (&line[..i], Some(&line[i + 1..])),
            None => (line, None),
        };
        if let Some(caps) = caps.filter(|_| first) {
            let caps = String::from_utf8_lossy(caps);
            adv.capabilities = caps
                .split(' ')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
            for c in &adv.capabilities {
                if let Some(target) = c.strip_prefix("symref=HEAD:") {
                    adv.refs.head_symref = Some(target.to_owned());
                }
            }
        }
        first = false;
        let text = std::str::from_utf8(refpart)
            .map_err(|_| PktError::Advertisement("a ref line is not UTF-8".into()))?;
        let (oid, name) = text
            .split_once(' ')
            .ok_or_else(|| PktError::Advertisement(format!("malformed ref line {text:?}")))?;
        if !(oid.len() == 40 || oid.len() == 64) || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PktError::Advertisement(format!(
                "malformed object id in {text:?}"
            )));
        }
        if name == "capabilities^{}" {
            // An empty repository.
            continue;
        }
        adv.refs.refs.push(RemoteRef {
            name: name.to_owned(),
            oid: oid.to_ascii_lowercase(),
        });
    }
    Ok(adv)
}

struct Cursor<'a> {
    body: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn next(&mut self) -> Result<Option<Pkt<'a>>, PktError> {
        if self.pos >= self.body.len() {
            return Ok(None);
        }
        match parse_pkt(&self.body[self.pos..])? {
            Some((p, n)) => {
                self.pos += n;
                Ok(Some(p))
            }
            None => Err(PktError::Truncated),
        }
    }
}

fn trim_nl(d: &[u8]) -> &[u8] {
    d.strip_suffix(b"\n").unwrap_or(d)
}

/// The body of a stateless (smart HTTP) upload-pack request for a fresh fetch: `wants`
/// with the capabilities (`caps`) on the first line, `deepen <depth>` when shallow, then
/// `done` (nothing is had locally).
///
/// # Errors
/// No wants, or a line too long for a packet.
pub fn upload_pack_request(
    wants: &[String],
    caps: &[&str],
    depth: Option<u32>,
) -> Result<Vec<u8>, PktError> {
    let mut out = Vec::new();
    if wants.is_empty() {
        return Err(PktError::Advertisement("nothing to fetch".into()));
    }
    for (i, w) in wants.iter().enumerate() {
        let line = if i == 0 && !caps.is_empty() {
            format!("want {w} {}\n", caps.join(" "))
        } else {
            format!("want {w}\n")
        };
        write_pkt(&mut out, line.as_bytes())?;
    }
    if let Some(d) = depth {
        write_pkt(&mut out, format!("deepen {d}\n").as_bytes())?;
    }
    write_flush(&mut out);
    write_pkt(&mut out, b"done\n")?;
    Ok(out)
}

/// Reads packets from a stream, one at a time, into an internal buffer.
pub struct PktReader<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: Read> PktReader<R> {
    /// Wraps a stream.
    pub fn new(inner: R) -> Self {
        PktReader {
            inner,
            buf: Vec::with_capacity(MAX_PKT),
        }
    }

    /// The next packet, `Ok(None)` at the end of the stream.
    ///
    /// # Errors
    /// Malformed data, a truncated packet or a read error.
    pub fn next_pkt(&mut self) -> Result<Option<Pkt<'_>>, PktError> {
        let mut head = [0u8; 4];
        if !self.fill(&mut head)? {
            return Ok(None);
        }
        let len = parse_len(&head)?;
        match len {
            0 => return Ok(Some(Pkt::Flush)),
            1 => return Ok(Some(Pkt::Delim)),
            2 => return Ok(Some(Pkt::End)),
            3 => return Err(PktError::Length("0003".into())),
            _ => {}
        }
        self.buf.resize(len - 4, 0);
        self.inner
            .read_exact(&mut self.buf)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => PktError::Truncated,
                _ => PktError::Io(e.to_string()),
            })?;
        Ok(Some(Pkt::Data(&self.buf)))
    }

    /// Fills `head` completely, or returns `false` at a clean end of stream.
    fn fill(&mut self, head: &mut [u8; 4]) -> Result<bool, PktError> {
        let mut got = 0;
        while got < head.len() {
            match self.inner.read(&mut head[got..]) {
                Ok(0) if got == 0 => return Ok(false),
                Ok(0) => return Err(PktError::Truncated),
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(PktError::Io(e.to_string())),
            }
        }
        Ok(true)
    }
}

/// What one packet of an upload-pack response carries once the negotiation is over.
#[derive(Debug, PartialEq, Eq)]
pub enum Band<'a> {
    /// Pack data (side-band 1).
    Pack(&'a [u8]),
    /// Progress text (side-band 2).
    Progress(&'a [u8]),
    /// The end of the response (a flush).
    End,
}

/// Reads an upload-pack response to a request made by [`upload_pack_request`]: the
/// shallow section (when `shallow` was requested), `NAK`/`ACK`, then side-band packets.
pub struct UploadPackResponse<R> {
    reader: PktReader<R>,
    shallow_pending: bool,
    nak_pending: bool,
    /// `shallow <id>` lines received: the commits whose parents were cut off.
    pub shallow: Vec<String>,
}

impl<R: Read> UploadPackResponse<R> {
    /// Wraps the response stream; `deepen`: the request asked for a shallow fetch.
    pub fn new(inner: R, deepen: bool) -> Self {
        UploadPackResponse {
            reader: PktReader::new(inner),
            shallow_pending: deepen,
            nak_pending: true,
            shallow: Vec::new(),
        }
    }

    /// The next piece of the response.
    ///
    /// # Errors
    /// Protocol errors, errors the server reports, read errors.
    pub fn next_band(&mut self) -> Result<Band<'_>, PktError> {
        if self.shallow_pending {
            loop {
                match self.reader.next_pkt()? {
                    Some(Pkt::Flush) => break,
                    Some(Pkt::Data(d)) => {
                        let d = trim_nl(d);
                        if let Some(id) = d.strip_prefix(b"shallow ") {
                            self.shallow.push(String::from_utf8_lossy(id).into_owned());
                        } else if d.starts_with(b"unshallow ") {
                        } else if let Some(msg) = d.strip_prefix(b"ERR ") {
                            return Err(PktError::Remote(
                                String::from_utf8_lossy(msg).into_owned(),
                            ));
                        } else {
                            return Err(PktError::Advertisement(format!(
                                "unexpected line in the shallow section: {:?}",
                                String::from_utf8_lossy(d)
                            )));
                        }
                    }
                    Some(_) => {
                        return Err(PktError::Advertisement(
                            "unexpected delimiter in the shallow section".into(),
                        ));
                    }
                    None => return Err(PktError::Truncated),
                }
            }
            self.shallow_pending = false;
        }
        if self.nak_pending {
            match self.reader.next_pkt()? {
                Some(Pkt::Data(d)) => {
                    let d = trim_nl(d);
                    if let Some(msg) = d.strip_prefix(b"ERR ") {
                        return Err(PktError::Remote(String::from_utf8_lossy(msg).into_owned()));
                    }
                    if !(d == b"NAK" || d.starts_with(b"ACK ")) {
                        return Err(PktError::Advertisement(format!(
                            "expected NAK, got {:?}",
                            String::from_utf8_lossy(&d[..d.len().min(64)])
                        )));
                    }
                }
                _ => return Err(PktError::Advertisement("expected NAK".into())),
            }
            self.nak_pending = false;
        }
        match self.reader.next_pkt()? {
            None | Some(Pkt::Flush) => Ok(Band::End),
            Some(Pkt::Delim | Pkt::End) => Err(PktError::Advertisement(
                "unexpected delimiter in the pack stream".into(),
            )),
            Some(Pkt::Data(d)) => match d.split_first() {
                Some((1, rest)) => Ok(Band::Pack(rest)),
                Some((2, rest)) => Ok(Band::Progress(rest)),
                Some((3, rest)) => Err(PktError::Remote(
                    String::from_utf8_lossy(trim_nl(rest)).into_owned(),
                )),
                _ if d.starts_with(b"ERR ") => Err(PktError::Remote(
                    String::from_utf8_lossy(trim_nl(&d[4..])).into_owned(),
                )),
                _ => Err(PktError::Advertisement("unknown side-band".into())),
            },
        }
    }
}

//! Artifacts as Flux packs them: reproducible `.tar.gz` files with a `sha256:` digest.
//!
//! Two packers, both writing the very bytes the Go code writes (Go's `archive/tar` headers,
//! Go's `compress/gzip` at the default level through [`crate::go::gzip::GzipWriter`], the
//! pieces written in the same order and sizes):
//!
//! * [`build_artifact`]: what `flux build artifact` (flux2 v2.9.5, `oci.Client.Build` of
//!   `fluxcd/pkg/oci` v0.68.1, `fluxcd/pkg/tar` v1.2.0) packs for a directory: the rules of
//!   `--ignore-paths` (default [`ignore::build_artifact_default_rules`]), `.sourceignore`
//!   files *not* read, permission bits kept (with setuid, setgid and sticky), symbolic links
//!   and other special files skipped.
//! * [`Artifact::from_git_checkout`]: what source-controller (v1.10.2, `fluxcd/pkg/artifact`
//!   `storage.Archive` with `SourceIgnoreFilter`) packs for a `GitRepository`: every
//!   `.sourceignore` (each scoped to its directory; directories named `.git` are not
//!   searched), then `spec.ignore`, over the default exclusions
//!   ([`ignore::source_controller_matcher`]); modes normalised to 0750 for directories,
//!   0700 for files with an execute bit and 0600 for the others. The [`Artifact`] is a
//!   [`FileTree`] as it is, so builds can read it without packing; [`Artifact::pack`]
//!   gives the tarball and its digest.
//!
//! Both take the tree as a list of [`Entry`] values (path, kind, mode, bytes or link
//! target); reading a real directory into that list is the shell's job
//! (`source::walk` with the `io` feature). Nothing here follows a symbolic link out of the
//! tree: the packers skip links, and a `.sourceignore` that is a link is read only when the
//! link resolves inside the tree (a link leaving it is an error).

use std::collections::{BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::ignore::{self, Matcher, Pattern};
use crate::go::gzip::GzipWriter;
use crate::tree::{EntryKind as TreeKind, FileTree, RelPath, TreeError};

/// What an entry of a source tree is (as `lstat` sees it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link and its target, as stored.
    Symlink {
        /// The link's target (`readlink`).
        target: Vec<u8>,
    },
    /// Anything else (device, FIFO, socket). Never packed.
    Other,
}

/// One entry of a source tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The `/`-separated path relative to the tree root; empty for the root itself.
    pub path: Vec<u8>,
    /// What it is.
    pub kind: EntryKind,
    /// The permission bits with setuid (0o4000), setgid (0o2000) and sticky (0o1000):
    /// `st_mode & 0o7777`.
    pub mode: u32,
    /// The content of a regular file (empty for the other kinds).
    pub data: Vec<u8>,
}

impl Entry {
    /// A directory.
    pub fn dir(path: impl Into<Vec<u8>>, mode: u32) -> Self {
        Entry {
            path: path.into(),
            kind: EntryKind::Dir,
            mode,
            data: Vec::new(),
        }
    }

    /// A regular file.
    pub fn file(path: impl Into<Vec<u8>>, mode: u32, data: impl Into<Vec<u8>>) -> Self {
        Entry {
            path: path.into(),
            kind: EntryKind::File,
            mode,
            data: data.into(),
        }
    }

    /// A symbolic link.
    pub fn symlink(path: impl Into<Vec<u8>>, target: impl Into<Vec<u8>>) -> Self {
        Entry {
            path: path.into(),
            kind: EntryKind::Symlink {
                target: target.into(),
            },
            mode: 0o777,
            data: Vec::new(),
        }
    }

    fn components(&self) -> Vec<&[u8]> {
        components(&self.path)
    }
}

/// Why a tree could not be packed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// A path is not a clean relative path (empty, `.` or `..` component, leading `/`, NUL).
    #[error("invalid path in tree: {path:?}")]
    InvalidPath {
        /// The path, lossily decoded.
        path: String,
    },
    /// Two entries have the same path.
    #[error("duplicate path in tree: {path:?}")]
    Duplicate {
        /// The path, lossily decoded.
        path: String,
    },
    /// The list has no entry for the root, or the root is not a directory.
    #[error("not a directory: the tree root")]
    RootNotDir,
    /// A `.sourceignore` is a symbolic link that leaves the tree (or loops).
    #[error("symbolic link leaves the tree: {path:?}")]
    LinkEscape {
        /// The link's path, lossily decoded.
        path: String,
    },
    /// A `.sourceignore` could not be opened (a link through a file, for example), which
    /// makes source-controller fail too.
    #[error("failed to load source ignore patterns from {path:?}: {message}")]
    IgnoreFile {
        /// The `.sourceignore` path, lossily decoded.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// An archive could not be read.
    #[error("{message}")]
    Archive {
        /// What went wrong.
        message: String,
    },
    /// An archive is over a limit ([`UntarLimits`]).
    #[error("archive too large: {message}")]
    TooLarge {
        /// Which limit.
        message: String,
    },
    /// An archive does not have the expected digest.
    #[error("artifact digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The digest asked for.
        expected: String,
        /// The digest of the bytes.
        actual: String,
    },
    /// The gzip port hit a broken internal invariant (never observed).
    #[error("gzip: internal error in the compressor")]
    Gzip,
}

/// A packed artifact: the `.tar.gz` bytes and their digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// The gzip-compressed tarball.
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of [`Packed::bytes`] (the OCI/`go-digest` canonical form Flux records).
    pub digest: String,
}

impl Packed {
    fn new(bytes: Vec<u8>) -> Self {
        let digest = digest(&bytes);
        Packed { bytes, digest }
    }
}

/// `sha256:<hex>` of bytes: the canonical digest Flux records for an artifact.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// Bounds on reading an artifact tarball ([`Artifact::from_tarball`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UntarLimits {
    /// The most bytes the entries may declare in total (Flux's `DefaultMaxUntarSize`,
    /// 100 MiB).
    pub max_size: u64,
    /// The most entries.
    pub max_entries: usize,
    /// Drop symbolic links instead of refusing the archive (`tar.WithSkipSymlinks`).
    pub skip_symlinks: bool,
}

impl Default for UntarLimits {
    fn default() -> Self {
        UntarLimits {
            max_size: 100 << 20,
            max_entries: 100_000,
            skip_symlinks: false,
        }
    }
}

impl UntarLimits {
    /// The most decompressed bytes read: the contents plus room for a header, a PAX
    /// record block and padding per entry.
    fn max_stream_bytes(&self) -> u64 {
        let per_entry = 4 * 512;
        self.max_size
            .saturating_add((self.max_entries as u64).saturating_mul(per_entry))
            .saturating_add(1024)
    }
}

/// A reader that fails once more than `left` bytes would be read, and says so in `hit`.
struct Limited<'a, R> {
    inner: R,
    left: u64,
    hit: &'a std::cell::Cell<bool>,
}

impl<R: std::io::Read> std::io::Read for Limited<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.hit.set(true);
            return Err(std::io::Error::other("decompressed archive over the limit"));
        }
        let n = usize::try_from(self.left).map_or(buf.len(), |l| l.min(buf.len()));
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// A member name as extraction reads it: `./` and empty components dropped, trailing `/`
/// dropped, the root as the empty path; `None` for names Flux refuses (empty, absolute,
/// with `\`) and for any `..` component (which could leave the directory).
fn clean_member_name(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || raw.starts_with(b"/") || raw.contains(&b'\\') || raw.contains(&0) {
        return None;
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    for c in raw.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return None,
            c => parts.push(c),
        }
    }
    Some(parts.join(&b'/'))
}

fn hex(b: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(char::from(HEX[usize::from(x >> 4)]));
        s.push(char::from(HEX[usize::from(x & 15)]));
    }
    s
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn components(path: &[u8]) -> Vec<&[u8]> {
    if path.is_empty() {
        Vec::new()
    } else {
        path.split(|&b| b == b'/').collect()
    }
}

/// Checks paths and returns the entries in `filepath.WalkDir` order (each directory's
/// names sorted byte-wise, a directory before its contents), which is the order of the
/// components compared as lists.
fn walk_order(entries: &[Entry]) -> Result<Vec<&Entry>, ArtifactError> {
    for e in entries {
        let bad = !e.path.is_empty()
            && (e.path.contains(&0)
                || e.path
                    .split(|&b| b == b'/')
                    .any(|c| c.is_empty() || c == b"." || c == b".."));
        if bad {
            return Err(ArtifactError::InvalidPath {
                path: lossy(&e.path),
            });
        }
    }
    let mut sorted: Vec<(Vec<&[u8]>, &Entry)> =
        entries.iter().map(|e| (e.components(), e)).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for w in sorted.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(ArtifactError::Duplicate {
                path: lossy(&w[0].1.path),
            });
        }
    }
    Ok(sorted.into_iter().map(|(_, e)| e).collect())
}

// ---------------------------------------------------------------------------------------
// Go's archive/tar writer (the parts Flux's packers reach)
// ---------------------------------------------------------------------------------------

const BLOCK: usize = 512;
const NAME_SIZE: usize = 100;
const PREFIX_SIZE: usize = 155;
/// `fluxcd/pkg/tar`'s `bufferSize` and `io.Copy`'s buffer: file data reaches the gzip
/// writer in pieces of this size.
const COPY_BUFFER: usize = 32 * 1024;

const TYPE_REG: u8 = b'0';
const TYPE_DIR: u8 = b'5';
const TYPE_XHEADER: u8 = b'x';

/// `isASCII`: every byte in 1..0x80 (a C string of ASCII).
fn is_ascii(s: &[u8]) -> bool {
    s.iter().all(|&c| c != 0 && c < 0x80)
}

/// `toASCII`: the ASCII bytes, the others dropped.
fn to_ascii(s: &[u8]) -> Vec<u8> {
    s.iter().copied().filter(|&c| c != 0 && c < 0x80).collect()
}

/// `formatter.formatString`: copy, NUL-terminate when there is room; a truncated value
/// whose last kept byte is `/` has its trailing slashes replaced by NUL.
fn format_string(b: &mut [u8], s: &[u8]) {
    let n = s.len().min(b.len());
    b[..n].copy_from_slice(&s[..n]);
    if s.len() < b.len() {
        b[s.len()] = 0;
    }
    if s.len() > b.len() && b.last() == Some(&b'/') {
        let keep = &s[..b.len() - 1];
        let trimmed = keep.len() - keep.iter().rev().take_while(|&&c| c == b'/').count();
        b[trimmed] = 0;
    }
}

/// `fitsInOctal`.
fn fits_in_octal(n: usize, x: u64) -> bool {
    let oct_bits = (n - 1) * 3;
    n >= 22 || x < 1u64 << oct_bits
}

/// `formatter.formatOctal`: zero-padded octal leaving room for a NUL; 0 if it does not
/// fit (Go records an error that these callers ignore).
fn format_octal(b: &mut [u8], x: u64) {
    let x = if fits_in_octal(b.len(), x) { x } else { 0 };
    let digits = format!("{x:o}");
    let pad = b.len().saturating_sub(digits.len() + 1);
    let mut s = vec![b'0'; pad];
    s.extend_from_slice(digits.as_bytes());
    format_string(b, &s);
}

/// `block.setFormat` for USTAR and PAX: magic, version and checksum.
fn set_format_ustar(blk: &mut [u8; BLOCK]) {
    blk[257..263].copy_from_slice(b"ustar\0");
    blk[263..265].copy_from_slice(b"00");
    let sum: u64 = blk
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if (148..156).contains(&i) {
                u64::from(b' ')
            } else {
                u64::from(c)
            }
        })
        .sum();
    format_octal(&mut blk[148..155], sum);
    blk[155] = b' ';
}

/// `splitUSTARPath`.
fn split_ustar_path(name: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut length = name.len();
    if length <= NAME_SIZE || !is_ascii(name) {
        return None;
    } else if length > PREFIX_SIZE + 1 {
        length = PREFIX_SIZE + 1;
    } else if name[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].iter().rposition(|&c| c == b'/')?;
    let nlen = name.len() - i - 1;
    if i == 0 || nlen > NAME_SIZE || nlen == 0 || i > PREFIX_SIZE {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// `formatPAXRecord`.
fn format_pax_record(k: &[u8], v: &[u8]) -> Vec<u8> {
    const PADDING: usize = 3; // ' ', '=' and '\n'
    let mut size = k.len() + v.len() + PADDING;
    size += size.to_string().len();
    let record = |size: usize| {
        let mut r = size.to_string().into_bytes();
        r.push(b' ');
        r.extend_from_slice(k);
        r.push(b'=');
        r.extend_from_slice(v);
        r.push(b'\n');
        r
    };
    let mut r = record(size);
    if r.len() != size {
        r = record(r.len());
    }
    r
}

/// `path.Join(dir, "PaxHeaders.0", file)` for `dir, file = path.Split(name)` of a clean
/// relative name.
fn pax_header_name(name: &[u8]) -> Vec<u8> {
    let (dir, file) = match name.iter().rposition(|&c| c == b'/') {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => (&name[..0], name),
    };
    let mut out = dir.to_vec();
    out.extend_from_slice(b"PaxHeaders.0/");
    out.extend_from_slice(file);
    out
}

/// One member to write: a regular file or a directory (the only kinds Flux packs).
struct Member<'a> {
    name: &'a [u8],
    dir: bool,
    mode: u32,
    data: &'a [u8],
}

/// A Go `tar.Writer` over a Go `gzip.Writer`, with the write pattern of
/// `fluxcd/pkg/tar.Tar` and source-controller's `Archive` (header blocks, then file data
/// in [`COPY_BUFFER`] pieces, padding before the next header).
struct TarGz {
    gz: GzipWriter,
    pad: usize,
}

impl TarGz {
    fn new() -> Self {
        TarGz {
            gz: GzipWriter::new_default(),
            pad: 0,
        }
    }

    /// `Writer.Flush`: the padding of the previous entry.
    fn flush(&mut self) {
        let zeros = [0u8; BLOCK];
        self.gz.write(&zeros[..self.pad]);
        self.pad = 0;
    }

    /// `writeRawHeader` then the entry's data pieces.
    fn raw(&mut self, blk: &[u8; BLOCK], data: &[u8], pieces: usize) {
        self.flush();
        self.gz.write(blk);
        for chunk in data.chunks(pieces) {
            self.gz.write(chunk);
        }
        self.pad = (BLOCK - data.len() % BLOCK) % BLOCK;
    }

    /// `tar.FileInfoHeader` + sanitising + `Writer.WriteHeader` + copying the data.
    fn member(&mut self, m: &Member<'_>) {
        let size = m.data.len() as u64;
        let typeflag = if m.dir { TYPE_DIR } else { TYPE_REG };
        let size = if m.dir { 0 } else { size };
        // allowedFormats: which of USTAR/PAX, and the PAX records.
        let mut pax: Vec<(&[u8], Vec<u8>)> = Vec::new();
        let mut ustar = true;
        if !is_ascii(m.name) || m.name.len() > NAME_SIZE {
            if split_ustar_path(m.name).is_none() {
                ustar = false;
            }
            pax.push((b"path", m.name.to_vec()));
        }
        if !fits_in_octal(12, size) {
            ustar = false;
            pax.push((b"size", size.to_string().into_bytes()));
        }
        let mut blk = [0u8; BLOCK];
        let template = |blk: &mut [u8; BLOCK], name: &[u8]| {
            blk[156] = typeflag;
            format_string(&mut blk[0..100], name);
            format_string(&mut blk[157..257], b"");
            format_octal(&mut blk[100..108], u64::from(m.mode));
            format_octal(&mut blk[108..116], 0);
            format_octal(&mut blk[116..124], 0);
            format_octal(&mut blk[124..136], size);
            format_octal(&mut blk[136..148], 0);
            format_string(&mut blk[265..297], b"");
            format_string(&mut blk[297..329], b"");
            format_octal(&mut blk[329..337], 0);
            format_octal(&mut blk[337..345], 0);
        };
        let data = if m.dir { &[][..] } else { m.data };
        if ustar {
            let (prefix, name) = split_ustar_path(m.name).unwrap_or((&[], m.name));
            template(&mut blk, name);
            format_string(&mut blk[345..500], prefix);
            set_format_ustar(&mut blk);
            self.raw(&blk, data, COPY_BUFFER);
            return;
        }
        // writePAXHeader: the records (sorted by key), as a file of type 'x'.
        pax.sort();
        let records: Vec<u8> = pax
            .iter()
            .flat_map(|(k, v)| format_pax_record(k, v))
            .collect();
        let mut hdr = [0u8; BLOCK];
        let mut name = to_ascii(&pax_header_name(m.name));
        name.truncate(NAME_SIZE);
        while name.last() == Some(&b'/') {
            name.pop();
        }
        hdr[156] = TYPE_XHEADER;
        format_string(&mut hdr[0..100], &name);
        format_octal(&mut hdr[100..108], 0);
        format_octal(&mut hdr[108..116], 0);
        format_octal(&mut hdr[116..124], 0);
        format_octal(&mut hdr[124..136], records.len() as u64);
        format_octal(&mut hdr[136..148], 0);
        set_format_ustar(&mut hdr);
        // io.WriteString(tw, data): one piece.
        self.raw(&hdr, &records, records.len().max(1));
        template(&mut blk, &to_ascii(m.name));
        set_format_ustar(&mut blk);
        self.raw(&blk, data, COPY_BUFFER);
    }

    /// `tar.Writer.Close` then `gzip.Writer.Close`.
    fn finish(mut self) -> Result<Vec<u8>, ArtifactError> {
        self.flush();
        let zeros = [0u8; BLOCK];
        self.gz.write(&zeros);
        self.gz.write(&zeros);
        self.gz.finish().map_err(|_| ArtifactError::Gzip)
    }
}

/// The member name of an entry: its path, `.` for the root.
fn member_name(path: &[u8]) -> &[u8] {
    if path.is_empty() { b"." } else { path }
}

fn pack_members<'a>(members: impl Iterator<Item = Member<'a>>) -> Result<Packed, ArtifactError> {
    let mut w = TarGz::new();
    for m in members {
        w.member(&m);
    }
    Ok(Packed::new(w.finish()?))
}

// ---------------------------------------------------------------------------------------
// flux build artifact
// ---------------------------------------------------------------------------------------

/// The entries `flux build artifact` packs for a directory tree, in archive order: the
/// root and every directory and regular file not excluded by `matcher`, with their own
/// modes. Symbolic links (also a root that is a link) and special files are left out.
pub fn build_artifact_members<'a>(
    entries: &'a [Entry],
    matcher: &Matcher,
) -> Result<Vec<&'a Entry>, ArtifactError> {
    let ordered = walk_order(entries)?;
    match ordered.first() {
        Some(root) if root.path.is_empty() => match root.kind {
            EntryKind::Dir => {}
            // `os.Stat` followed the link to a directory, `WalkDir` did not: no members.
            EntryKind::Symlink { .. } => return Ok(Vec::new()),
            _ => return Err(ArtifactError::RootNotDir),
        },
        _ => return Err(ArtifactError::RootNotDir),
    }
    Ok(ordered
        .into_iter()
        .filter(|e| matches!(e.kind, EntryKind::Dir | EntryKind::File))
        .filter(|e| !matcher.is_excluded(&e.components(), e.kind == EntryKind::Dir))
        .collect())
}

/// `flux build artifact --path DIR [--ignore-paths RULES]`: the tarball of a directory
/// tree (`entries`, which must hold the root as the entry with the empty path) with the
/// given rules (each one or more gitignore lines; the flag's default is
/// [`ignore::build_artifact_default_rules`]).
///
/// For `--path FILE`, Flux copies the file into a fresh temporary directory (mode 0700,
/// the file's permission bits as the umask leaves them) and packs that directory: pass
/// those two entries.
pub fn build_artifact<S: AsRef<str>>(
    entries: &[Entry],
    rules: &[S],
) -> Result<Packed, ArtifactError> {
    let matcher = ignore::build_artifact_matcher(rules);
    let members = build_artifact_members(entries, &matcher)?;
    pack_members(members.into_iter().map(|e| Member {
        name: member_name(&e.path),
        dir: e.kind == EntryKind::Dir,
        mode: e.mode & 0o7777,
        data: &e.data,
    }))
}

// ---------------------------------------------------------------------------------------
// source-controller
// ---------------------------------------------------------------------------------------

/// source-controller's `DefaultDirMode`.
pub const DIR_MODE: u32 = 0o750;
/// source-controller's `DefaultFileMode`.
pub const FILE_MODE: u32 = 0o600;
/// source-controller's `DefaultExeFileMode`.
pub const EXE_FILE_MODE: u32 = 0o700;

/// source-controller's `setDefaultMode`.
fn normalised_mode(kind: &EntryKind, mode: u32) -> u32 {
    match kind {
        EntryKind::Dir => DIR_MODE,
        _ if mode & 0o111 != 0 => EXE_FILE_MODE,
        _ => FILE_MODE,
    }
}

/// How many symbolic links are followed when resolving one path (Linux's limit).
const MAX_LINK_HOPS: usize = 40;

enum Resolved<'a> {
    Entry(&'a Entry),
    Missing,
}

/// Resolves `path` (components) inside the tree, following symbolic links on the way;
/// a link that leaves the root, an absolute target or too many links is an error.
fn resolve<'a>(
    index: &HashMap<&[u8], &'a Entry>,
    path: &[&[u8]],
    link_path: &[u8],
) -> Result<Resolved<'a>, ArtifactError> {
    let escape = || ArtifactError::LinkEscape {
        path: lossy(link_path),
    };
    let mut hops = 0;
    let mut todo: Vec<Vec<u8>> = path.iter().rev().map(|c| c.to_vec()).collect();
    let mut cur: Vec<Vec<u8>> = Vec::new();
    while let Some(c) = todo.pop() {
        if c.is_empty() || c == b"." {
            continue;
        }
        if c == b".." {
            if cur.pop().is_none() {
                return Err(escape());
            }
            continue;
        }
        cur.push(c);
        let joined = cur.join(&b'/');
        let Some(e) = index.get(joined.as_slice()) else {
            return Ok(Resolved::Missing);
        };
        match &e.kind {
            EntryKind::Symlink { target } => {
                hops += 1;
                if hops > MAX_LINK_HOPS || target.starts_with(b"/") {
                    return Err(escape());
                }
                cur.pop();
                for t in target.split(|&b| b == b'/').rev() {
                    todo.push(t.to_vec());
                }
            }
            EntryKind::Dir => {}
            _ if todo.is_empty() => {}
            // A file in the middle of a path: ENOTDIR, an error for Flux too.
            _ => {
                return Err(ArtifactError::IgnoreFile {
                    path: lossy(link_path),
                    message: "not a directory".into(),
                });
            }
        }
    }
    let joined = cur.join(&b'/');
    Ok(index
        .get(joined.as_slice())
        .map_or(Resolved::Missing, |e| Resolved::Entry(e)))
}

/// `sourceignore.LoadIgnorePatterns(root)`: the patterns of every `.sourceignore`, the
/// root's first, then each sub-directory's in walk order; directories named `.git` (and
/// what is below them) are not searched; each file's patterns are scoped to its directory.
pub fn load_ignore_patterns(entries: &[Entry]) -> Result<Vec<Pattern>, ArtifactError> {
    let ordered = walk_order(entries)?;
    let index: HashMap<&[u8], &Entry> = entries.iter().map(|e| (e.path.as_slice(), e)).collect();
    let mut out = Vec::new();
    for dir in ordered {
        if dir.kind != EntryKind::Dir {
            continue;
        }
        let comps = dir.components();
        // Reached only through directories that are real (not links) and not named .git;
        // entries below a link cannot exist in an lstat walk, so checking names suffices.
        if comps.iter().any(|c| *c == b".git") {
            continue;
        }
        let mut file = dir.path.clone();
        if !file.is_empty() {
            file.push(b'/');
        }
        file.extend_from_slice(ignore::IGNORE_FILE.as_bytes());
        let text: &[u8] = match index.get(file.as_slice()) {
            None => continue,
            Some(e) => match &e.kind {
                EntryKind::File => &e.data,
                EntryKind::Symlink { .. } => {
                    let mut path = comps.clone();
                    path.push(ignore::IGNORE_FILE.as_bytes());
                    match resolve(&index, &path, &file)? {
                        Resolved::Entry(t) if t.kind == EntryKind::File => &t.data,
                        _ => continue,
                    }
                }
                // A directory opens but cannot be read: no patterns. Special files are
                // not read.
                _ => continue,
            },
        };
        let domain: Vec<Vec<u8>> = comps.iter().map(|c| c.to_vec()).collect();
        out.extend(ignore::read_patterns(text, &domain));
    }
    Ok(out)
}

/// A Git source's artifact as source-controller packs it: the members (in archive order,
/// modes normalised) and their content. It is a [`FileTree`] as it is (directories that
/// only hold re-included files exist implicitly, as they do once the tarball is
/// extracted); [`Artifact::pack`] writes the tarball.
#[derive(Debug, Clone)]
pub struct Artifact {
    members: Vec<Entry>,
    files: HashMap<Vec<u8>, usize>,
    /// Every directory (explicit or implied by a member below it) and its children's
    /// names (those that are UTF-8: a `RelPath` cannot name the others, which stay packed).
    dirs: HashMap<Vec<u8>, BTreeSet<String>>,
}

impl Artifact {
    /// source-controller's artifact of a checkout (`entries`, the root included; what
    /// `.git` holds may be left out, it is excluded anyway): the `.sourceignore` files and
    /// then `spec_ignore` (`GitRepository.spec.ignore`) over the default exclusions.
    pub fn from_git_checkout(
        entries: &[Entry],
        spec_ignore: Option<&str>,
    ) -> Result<Artifact, ArtifactError> {
        let mut ps = load_ignore_patterns(entries)?;
        if let Some(text) = spec_ignore {
            ps.extend(ignore::read_patterns(text.as_bytes(), &[]));
        }
        let matcher = ignore::source_controller_matcher(ps);
        Self::with_matcher(entries, &matcher)
    }

    /// The archive of `entries` with a given matcher (source-controller's `Archive` with a
    /// filter): directories and regular files not excluded, modes normalised.
    pub fn with_matcher(entries: &[Entry], matcher: &Matcher) -> Result<Artifact, ArtifactError> {
        let ordered = walk_order(entries)?;
        match ordered.first() {
            Some(root) if root.path.is_empty() && root.kind == EntryKind::Dir => {}
            _ => return Err(ArtifactError::RootNotDir),
        }
        let mut members = Vec::new();
        for e in ordered {
            let is_dir = match e.kind {
                EntryKind::Dir => true,
                EntryKind::File => false,
                _ => continue,
            };
            if matcher.is_excluded(&e.components(), is_dir) {
                continue;
            }
            members.push(Entry {
                path: e.path.clone(),
                kind: e.kind.clone(),
                mode: normalised_mode(&e.kind, e.mode),
                data: e.data.clone(),
            });
        }
        Ok(Self::from_members(members))
    }

    /// The indexes over members (already in archive order, paths unique and clean).
    fn from_members(members: Vec<Entry>) -> Artifact {
        let mut files = HashMap::new();
        let mut dirs: HashMap<Vec<u8>, BTreeSet<String>> = HashMap::new();
        dirs.insert(Vec::new(), BTreeSet::new());
        for (i, m) in members.iter().enumerate() {
            let comps = m.components();
            let mut parent: Vec<u8> = Vec::new();
            for c in &comps {
                let names = dirs.entry(parent.clone()).or_default();
                if let Ok(name) = std::str::from_utf8(c) {
                    names.insert(name.to_owned());
                }
                if !parent.is_empty() {
                    parent.push(b'/');
                }
                parent.extend_from_slice(c);
            }
            if m.kind == EntryKind::Dir {
                dirs.entry(m.path.clone()).or_default();
            } else {
                files.insert(m.path.clone(), i);
            }
        }
        Artifact {
            members,
            files,
            dirs,
        }
    }

    /// Reads a `.tar.gz` artifact (one Flux made, fetched from source-controller or an OCI
    /// registry) as Flux's `tar.Untar` extracts it, without touching a disk: the sum of
    /// the entries' sizes is bounded ([`UntarLimits`], 100 MiB by default as in Flux), so
    /// is the decompressed stream and the number of entries; names that are absolute,
    /// hold `\` or a `..` component are refused; symbolic links are refused unless
    /// [`UntarLimits::skip_symlinks`]; other special entries are refused. When
    /// `expected_digest` is given (`sha256:<hex>`, as in an artifact's status), the bytes
    /// must have it. A later entry for the same path replaces an earlier one.
    pub fn from_tarball(
        bytes: &[u8],
        expected_digest: Option<&str>,
        limits: &UntarLimits,
    ) -> Result<Artifact, ArtifactError> {
        if let Some(want) = expected_digest {
            let got = digest(bytes);
            if got != want {
                return Err(ArtifactError::DigestMismatch {
                    expected: want.to_owned(),
                    actual: got,
                });
            }
        }
        let bad = |message: String| ArtifactError::Archive { message };
        if !bytes.starts_with(b"\x1f\x8b") {
            return Err(bad(
                "requires gzip-compressed body: gzip: invalid header".into()
            ));
        }
        let hit = std::cell::Cell::new(false);
        let gz = Limited {
            inner: flate2::read::MultiGzDecoder::new(bytes),
            left: limits.max_stream_bytes(),
            hit: &hit,
        };
        let mut archive = tar::Archive::new(gz);
        let too_big = |what: &str| ArtifactError::TooLarge {
            message: format!("{what} over the limit"),
        };
        let tar_err = |e: std::io::Error| {
            if hit.get() {
                too_big("decompressed archive")
            } else {
                bad(format!("tar error: {e}"))
            }
        };
        let entries = archive.entries().map_err(tar_err)?;
        let mut by_path: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut members: Vec<Entry> = vec![Entry::dir("", 0o750)];
        by_path.insert(Vec::new(), 0);
        let mut processed: u64 = 0;
        for (count, entry) in entries.enumerate() {
            if count >= limits.max_entries {
                return Err(too_big("number of entries"));
            }
            let mut entry = entry.map_err(tar_err)?;
            let header = entry.header().clone();
            let size = header.size().map_err(tar_err)?;
            processed = processed.saturating_add(size);
            if processed > limits.max_size {
                return Err(ArtifactError::TooLarge {
                    message: format!(
                        "tar is bigger than max archive size of {} bytes",
                        limits.max_size
                    ),
                });
            }
            let raw = entry.path_bytes().into_owned();
            let path = clean_member_name(&raw)
                .ok_or_else(|| ArtifactError::InvalidPath { path: lossy(&raw) })?;
            let mode = header.mode().unwrap_or(0o644) & 0o7777;
            let et = header.entry_type();
            if et.is_pax_global_extensions() {
                continue;
            }
            let special = et.is_character_special() || et.is_block_special() || et.is_fifo();
            // Go's `FileInfo().Mode()` is regular for every type that is not a link, a
            // device, a directory or a FIFO (hard links included: they extract empty).
            let new = if !et.is_dir() && !et.is_symlink() && !special {
                if path.is_empty() {
                    return Err(ArtifactError::InvalidPath { path: lossy(&raw) });
                }
                let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                std::io::Read::read_to_end(&mut std::io::Read::take(&mut entry, size), &mut data)
                    .map_err(tar_err)?;
                if data.len() as u64 != size {
                    return Err(bad(format!(
                        "only wrote {} bytes to {}; expected {size}",
                        data.len(),
                        lossy(&path)
                    )));
                }
                Entry::file(path, mode & 0o777, data)
            } else if et.is_dir() {
                Entry::dir(path, (mode & 0o777) | 0o700)
            } else if et.is_symlink() {
                if limits.skip_symlinks {
                    continue;
                }
                return Err(bad(format!(
                    "tar file entry {} is a symlink, which is not allowed in this context",
                    lossy(&raw)
                )));
            } else {
                return Err(bad(format!(
                    "tar file entry {} contained unsupported file type",
                    lossy(&raw)
                )));
            };
            // A path cannot be a file and hold entries at the same time.
            let comps = components(&new.path);
            for n in 1..comps.len() {
                let parent = comps[..n].join(&b'/');
                if let Some(&i) = by_path.get(parent.as_slice())
                    && members[i].kind != EntryKind::Dir
                {
                    return Err(bad(format!("{}: not a directory", lossy(&parent))));
                }
            }
            match by_path.get(new.path.as_slice()) {
                Some(&i) => {
                    if members[i].kind == EntryKind::Dir && new.kind != EntryKind::Dir {
                        return Err(bad(format!("{}: is a directory", lossy(&new.path))));
                    }
                    members[i] = new;
                }
                None => {
                    by_path.insert(new.path.clone(), members.len());
                    members.push(new);
                }
            }
        }
        Ok(Self::from_members(members))
    }

    /// The members in archive order (the root first, as `.`'s entry with the empty path).
    pub fn members(&self) -> &[Entry] {
        &self.members
    }

    /// The tarball and its digest, as source-controller's storage writes it.
    pub fn pack(&self) -> Result<Packed, ArtifactError> {
        pack_members(self.members.iter().map(|e| Member {
            name: member_name(&e.path),
            dir: e.kind == EntryKind::Dir,
            mode: e.mode,
            data: &e.data,
        }))
    }
}

impl FileTree for Artifact {
    fn read(&self, path: &RelPath) -> Result<Vec<u8>, TreeError> {
        match self.files.get(path.as_str().as_bytes()) {
            Some(&i) => Ok(self.members[i].data.clone()),
            None if self.dirs.contains_key(path.as_str().as_bytes()) => Err(TreeError::WrongKind {
                path: path.to_string(),
                expected: "file",
            }),
            None => Err(TreeError::NotFound {
                path: path.to_string(),
            }),
        }
    }

    fn kind(&self, path: &RelPath) -> Result<Option<TreeKind>, TreeError> {
        let p = path.as_str().as_bytes();
        if self.files.contains_key(p) {
            Ok(Some(TreeKind::File))
        } else if self.dirs.contains_key(p) {
            Ok(Some(TreeKind::Dir))
        } else {
            Ok(None)
        }
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<String>, TreeError> {
        let key = dir.as_str().as_bytes();
        if let Some(names) = self.dirs.get(key) {
            return Ok(names.iter().cloned().collect());
        }
        if self.files.contains_key(key) {
            return Err(TreeError::WrongKind {
                path: dir.to_string(),
                expected: "directory",
            });
        }
        Err(TreeError::NotFound {
            path: dir.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn untar(bytes: &[u8]) -> Vec<(String, u8, u32, Vec<u8>)> {
        let mut gz = flate2::read::GzDecoder::new(bytes);
        let mut raw = Vec::new();
        gz.read_to_end(&mut raw).unwrap();
        let mut a = tar::Archive::new(&raw[..]);
        a.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let h = e.header().clone();
                let mut d = Vec::new();
                e.read_to_end(&mut d).unwrap();
                (
                    String::from_utf8_lossy(&e.path_bytes()).into_owned(),
                    h.entry_type().as_byte(),
                    h.mode().unwrap(),
                    d,
                )
            })
            .collect()
    }

    fn tree() -> Vec<Entry> {
        vec![
            Entry::dir("", 0o755),
            Entry::dir("app", 0o755),
            Entry::file("app/a.yaml", 0o644, "a: 1\n"),
            Entry::file("app/run.sh", 0o4755, "#!/bin/sh\n"),
            Entry::symlink("app/link.yaml", "a.yaml"),
            Entry::file("logo.png", 0o644, "png"),
            Entry::dir(".git", 0o755),
            Entry::file(".git/HEAD", 0o644, "ref\n"),
            Entry::file("README.md", 0o600, "hi\n"),
        ]
    }

    #[test]
    fn build_artifact_packs_like_flux() {
        let p = build_artifact(&tree(), &ignore::build_artifact_default_rules()).unwrap();
        let got = untar(&p.bytes);
        let names: Vec<(&str, u32)> = got.iter().map(|m| (m.0.as_str(), m.2)).collect();
        assert_eq!(
            names,
            [
                (".", 0o755),
                ("README.md", 0o600),
                ("app", 0o755),
                ("app/a.yaml", 0o644),
                ("app/run.sh", 0o4755)
            ]
        );
        assert!(p.digest.starts_with("sha256:") && p.digest.len() == 71);
        // Reproducible, whatever order the entries come in.
        let mut rev = tree();
        rev.reverse();
        assert_eq!(
            build_artifact(&rev, &ignore::build_artifact_default_rules()).unwrap(),
            p
        );
    }

    #[test]
    fn empty_rules_pack_everything_but_links() {
        let p = build_artifact::<&str>(&tree(), &[]).unwrap();
        let got = untar(&p.bytes);
        assert_eq!(got.len(), 8);
        assert!(got.iter().all(|m| m.0 != "app/link.yaml"));
    }

    #[test]
    fn root_link_gives_an_empty_archive() {
        let p = build_artifact::<&str>(&[Entry::symlink("", "elsewhere")], &[]).unwrap();
        assert!(untar(&p.bytes).is_empty());
    }

    #[test]
    fn hostile_paths_are_refused() {
        for bad in ["../x", "a/../b", "/etc", "a//b", "./a", "a/"] {
            let e =
                build_artifact::<&str>(&[Entry::dir("", 0o755), Entry::file(bad, 0o644, "")], &[]);
            assert!(matches!(e, Err(ArtifactError::InvalidPath { .. })), "{bad}");
        }
        let dup = [
            Entry::dir("", 0o755),
            Entry::file("a", 0o644, ""),
            Entry::dir("a", 0o755),
        ];
        assert!(matches!(
            build_artifact::<&str>(&dup, &[]),
            Err(ArtifactError::Duplicate { .. })
        ));
        assert_eq!(
            build_artifact::<&str>(&[Entry::file("a", 0o644, "")], &[]),
            Err(ArtifactError::RootNotDir)
        );
    }

    #[test]
    fn long_and_unicode_names_use_ustar_prefix_or_pax() {
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
        let uni = "日本語.yaml".to_owned();
        let very = "x".repeat(300);
        let entries = vec![
            Entry::dir("", 0o755),
            Entry::dir("d".repeat(120), 0o755),
            Entry::file(long.clone(), 0o644, "x"),
            Entry::file(uni.clone(), 0o644, "y"),
            Entry::file(very.clone(), 0o644, vec![7u8; 70_000]),
        ];
        let p = build_artifact::<&str>(&entries, &[]).unwrap();
        let got = untar(&p.bytes);
        let names: Vec<&str> = got.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(names, [".", &"d".repeat(120), &long, &very, &uni]);
        assert_eq!(got[3].3.len(), 70_000);
    }

    #[test]
    fn source_controller_normalises_and_reads_sourceignore() {
        let entries = vec![
            Entry::dir("", 0o755),
            Entry::file(".sourceignore", 0o644, "/drop.yaml\n"),
            Entry::dir("sub", 0o700),
            Entry::file("sub/.sourceignore", 0o644, "*.txt\n"),
            Entry::file("sub/a.txt", 0o644, ""),
            Entry::file("a.txt", 0o644, ""),
            Entry::file("drop.yaml", 0o644, ""),
            Entry::file("run.sh", 0o755, ""),
            Entry::file("logo.png", 0o644, ""),
            Entry::dir(".git", 0o755),
            Entry::file(".git/.sourceignore", 0o644, "*\n"),
        ];
        let a = Artifact::from_git_checkout(&entries, Some("!sub/a.txt\n")).unwrap();
        let got: Vec<(String, u32)> = a
            .members()
            .iter()
            .map(|e| (lossy(&e.path), e.mode))
            .collect();
        // Rules exist, so the extension defaults are dropped (logo.png packed).
        assert_eq!(
            got,
            [
                ("".into(), 0o750),
                (".sourceignore".into(), 0o600),
                ("a.txt".into(), 0o600),
                ("logo.png".into(), 0o600),
                ("run.sh".into(), 0o700),
                ("sub".into(), 0o750),
                ("sub/.sourceignore".into(), 0o600),
                ("sub/a.txt".into(), 0o600),
            ]
        );
        let root = RelPath::root();
        assert_eq!(
            a.list(&root).unwrap(),
            [".sourceignore", "a.txt", "logo.png", "run.sh", "sub"]
        );
        let p = a.pack().unwrap();
        assert_eq!(untar(&p.bytes).len(), 8);
        assert_eq!(untar(&p.bytes)[0].0, ".");
    }

    #[test]
    fn source_controller_defaults_without_rules() {
        let entries = vec![
            Entry::dir("", 0o755),
            Entry::file("logo.png", 0o644, ""),
            Entry::dir(".github", 0o755),
            Entry::file(".github/ci.yaml", 0o644, ""),
            Entry::file("k.yaml", 0o644, ""),
        ];
        let a = Artifact::from_git_checkout(&entries, None).unwrap();
        let got: Vec<String> = a.members().iter().map(|e| lossy(&e.path)).collect();
        assert_eq!(got, ["", "k.yaml"]);
    }

    #[test]
    fn sourceignore_links_are_confined() {
        let mut entries = vec![
            Entry::dir("", 0o755),
            Entry::dir("sub", 0o755),
            Entry::symlink("sub/.sourceignore", "../rules"),
            Entry::file("rules", 0o644, "*.txt\n"),
            Entry::file("sub/x.txt", 0o644, ""),
        ];
        let a = Artifact::from_git_checkout(&entries, None).unwrap();
        let got: Vec<String> = a.members().iter().map(|e| lossy(&e.path)).collect();
        assert_eq!(got, ["", "rules", "sub"]);
        entries[2] = Entry::symlink("sub/.sourceignore", "../../etc/passwd");
        assert!(matches!(
            Artifact::from_git_checkout(&entries, None),
            Err(ArtifactError::LinkEscape { .. })
        ));
        entries[2] = Entry::symlink("sub/.sourceignore", "/etc/passwd");
        assert!(Artifact::from_git_checkout(&entries, None).is_err());
        entries[2] = Entry::symlink("sub/.sourceignore", ".sourceignore");
        assert!(Artifact::from_git_checkout(&entries, None).is_err());
    }

    /// A gzip tarball written with the `tar` crate (headers as given, no checks).
    fn raw_tgz(members: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
        let mut raw = Vec::new();
        for (name, typeflag, data) in members {
            let mut h = [0u8; 512];
            h[..name.len()].copy_from_slice(name);
            h[100..108].copy_from_slice(b"0000644\0");
            let size = format!("{:011o}\0", data.len());
            h[124..136].copy_from_slice(size.as_bytes());
            h[156] = *typeflag;
            h[257..263].copy_from_slice(b"ustar\0");
            h[263..265].copy_from_slice(b"00");
            h[148..156].copy_from_slice(b"        ");
            let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
            h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
            raw.extend_from_slice(&h);
            raw.extend_from_slice(data);
            raw.resize(raw.len().div_ceil(512) * 512, 0);
        }
        raw.resize(raw.len() + 1024, 0);
        crate::go::gzip::compress_best(&raw)
    }

    #[test]
    fn tarballs_read_back_as_trees() {
        let p = build_artifact(&tree(), &ignore::build_artifact_default_rules()).unwrap();
        let a = Artifact::from_tarball(&p.bytes, Some(&p.digest), &UntarLimits::default()).unwrap();
        assert_eq!(
            a.read(&RelPath::new("app/run.sh").unwrap()).unwrap(),
            b"#!/bin/sh\n"
        );
        assert_eq!(a.list(&RelPath::root()).unwrap(), ["README.md", "app"]);
        // Packing what was read gives the same bytes back (same members, same modes).
        let again = Artifact::from_tarball(&p.bytes, None, &UntarLimits::default()).unwrap();
        assert_eq!(again.members().len(), 5);
        assert!(matches!(
            Artifact::from_tarball(&p.bytes, Some("sha256:00"), &UntarLimits::default()),
            Err(ArtifactError::DigestMismatch { .. })
        ));
        // Long and non-ASCII names come back through PAX records and USTAR prefixes.
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
        let entries = vec![
            Entry::dir("", 0o755),
            Entry::dir("d".repeat(120), 0o755),
            Entry::file(long.clone(), 0o644, "x"),
            Entry::file("日本語.yaml", 0o644, "y"),
            Entry::file("x".repeat(300), 0o644, "z"),
        ];
        let p = build_artifact::<&str>(&entries, &[]).unwrap();
        let a = Artifact::from_tarball(&p.bytes, None, &UntarLimits::default()).unwrap();
        assert_eq!(a.read(&RelPath::new(&long).unwrap()).unwrap(), b"x");
        assert_eq!(a.read(&RelPath::new("日本語.yaml").unwrap()).unwrap(), b"y");
        assert_eq!(
            a.read(&RelPath::new(&"x".repeat(300)).unwrap()).unwrap(),
            b"z"
        );
    }

    #[test]
    fn hostile_tarballs_are_refused() {
        let lim = UntarLimits::default();
        for name in [&b"../x"[..], b"/etc/passwd", b"a/../../x", b"a\\b", b".."] {
            let t = raw_tgz(&[(name, b'0', b"x")]);
            assert!(
                matches!(
                    Artifact::from_tarball(&t, None, &lim),
                    Err(ArtifactError::InvalidPath { .. })
                ),
                "{}",
                lossy(name)
            );
        }
        let link = raw_tgz(&[(b"l", b'2', b"")]);
        assert!(Artifact::from_tarball(&link, None, &lim).is_err());
        let skip = UntarLimits {
            skip_symlinks: true,
            ..lim
        };
        assert_eq!(
            Artifact::from_tarball(&link, None, &skip)
                .unwrap()
                .members()
                .len(),
            1
        );
        assert!(Artifact::from_tarball(&raw_tgz(&[(b"dev", b'3', b"")]), None, &lim).is_err());
        // A file then an entry below it.
        let clash = raw_tgz(&[(b"a", b'0', b"x"), (b"a/b", b'0', b"y")]);
        assert!(Artifact::from_tarball(&clash, None, &lim).is_err());
        assert!(Artifact::from_tarball(b"not gzip", None, &lim).is_err());
        // Sizes: the declared sizes are bounded, and so is the decompressed stream.
        let small = UntarLimits {
            max_size: 10,
            max_entries: 4,
            ..lim
        };
        let big = raw_tgz(&[(b"a", b'0', &[0u8; 11])]);
        assert!(matches!(
            Artifact::from_tarball(&big, None, &small),
            Err(ArtifactError::TooLarge { .. })
        ));
        let many: Vec<(&[u8], u8, &[u8])> = vec![(b"d", b'5', b""); 6];
        assert!(matches!(
            Artifact::from_tarball(&raw_tgz(&many), None, &small),
            Err(ArtifactError::TooLarge { .. })
        ));
        // A file declaring 1 GiB is refused from its header, before any data is read.
        let mut h = [0u8; 512];
        h[0] = b'z';
        h[100..108].copy_from_slice(b"0000644\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", 1u64 << 30).as_bytes());
        h[156] = b'0';
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let huge = crate::go::gzip::compress_best(&h);
        assert!(matches!(
            Artifact::from_tarball(&huge, None, &lim),
            Err(ArtifactError::TooLarge { .. })
        ));
        // Data the entries do not declare (a big PAX record block) is bounded by the limit
        // on the decompressed stream.
        let pax = vec![b'a'; 64 * 1024];
        let bomb = raw_tgz(&[(b"x", b'x', &pax), (b"f", b'0', b"")]);
        assert!(matches!(
            Artifact::from_tarball(&bomb, None, &small),
            Err(ArtifactError::TooLarge { .. })
        ));
    }

    #[test]
    fn reincluded_file_has_an_implicit_directory() {
        let entries = vec![
            Entry::dir("", 0o755),
            Entry::dir("app", 0o755),
            Entry::file("app/service.yaml", 0o644, "s"),
            Entry::file("app/other.yaml", 0o644, "o"),
        ];
        let a = Artifact::from_git_checkout(&entries, Some("app/\n!app/service.yaml\n")).unwrap();
        let got: Vec<String> = a.members().iter().map(|e| lossy(&e.path)).collect();
        assert_eq!(got, ["", "app/service.yaml"]);
        let app = RelPath::new("app").unwrap();
        assert_eq!(a.kind(&app).unwrap(), Some(TreeKind::Dir));
        assert_eq!(a.list(&app).unwrap(), ["service.yaml"]);
        assert_eq!(
            a.read(&RelPath::new("app/service.yaml").unwrap()).unwrap(),
            b"s"
        );
        assert!(a.read(&RelPath::new("app/other.yaml").unwrap()).is_err());
    }
}

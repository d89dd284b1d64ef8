//! The pure half of a Git source, as Flux's source-controller defines it.
//!
//! * [`GitRef`] is GitRepository's `spec.ref`; [`GitRef::strategy`] applies Flux's
//!   precedence (commit > name > semver > tag > branch) and yields a [`Strategy`].
//! * [`resolve`] decides, from the refs a remote advertises ([`RemoteRefs`], what
//!   `git ls-remote` prints), which ref to fetch and which commit it names, so that a
//!   refresh can compare with the last revision before fetching anything.
//! * [`Revision`] prints revisions exactly as Flux does: `main@sha1:<40 hex>`,
//!   `v1.2.0@sha1:...`, `refs/pull/1/head@sha1:...` (a `name` ref), `sha1:...` (a bare
//!   commit).
//! * [`pktline`] reads the smart protocol's ref advertisement, [`known_hosts`] matches ssh
//!   host keys, [`signature`] splits signed commits and tags and (feature `verify`)
//!   checks OpenPGP and SSH signatures.
//!
//! One deliberate difference: with no `spec.ref` at all, Flux checks out `master`; here
//! the remote's default branch (what its `HEAD` points to) is used.

use std::fmt;

pub mod known_hosts;
pub mod pktline;
pub mod signature;
pub mod url;

/// A GitRepository's `spec.ref`. Empty strings count as unset, as in Flux.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GitRef {
    /// `spec.ref.branch`.
    pub branch: Option<String>,
    /// `spec.ref.tag`.
    pub tag: Option<String>,
    /// `spec.ref.semver`: a Masterminds semver range over the repository's tags.
    pub semver: Option<String>,
    /// `spec.ref.name`: any reference name, e.g. `refs/pull/1/head`.
    pub name: Option<String>,
    /// `spec.ref.commit`: a full commit id, alone or together with `branch`.
    pub commit: Option<String>,
}

impl GitRef {
    /// A branch.
    pub fn branch(name: impl Into<String>) -> Self {
        GitRef {
            branch: Some(name.into()),
            ..GitRef::default()
        }
    }

    /// A tag.
    pub fn tag(name: impl Into<String>) -> Self {
        GitRef {
            tag: Some(name.into()),
            ..GitRef::default()
        }
    }

    /// The highest tag matching a semver range.
    pub fn semver(range: impl Into<String>) -> Self {
        GitRef {
            semver: Some(range.into()),
            ..GitRef::default()
        }
    }

    /// A reference name (`refs/...`).
    pub fn name(name: impl Into<String>) -> Self {
        GitRef {
            name: Some(name.into()),
            ..GitRef::default()
        }
    }

    /// A commit, optionally looked up on `branch`.
    pub fn commit(commit: impl Into<String>, branch: Option<String>) -> Self {
        GitRef {
            commit: Some(commit.into()),
            branch,
            ..GitRef::default()
        }
    }

    /// What to check out, by Flux's precedence: commit, then name, semver, tag, branch,
    /// and the remote's default branch when nothing is set.
    ///
    /// # Errors
    /// A commit that is not a full hexadecimal id, or a name that is not a valid
    /// reference name.
    pub fn strategy(&self) -> Result<Strategy, RefError> {
        let set = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
        let branch = set(&self.branch);
        if let Some(commit) = set(&self.commit) {
            if !is_full_hex(&commit) {
                return Err(RefError::Commit { commit });
            }
            return Ok(Strategy::Commit {
                commit: commit.to_ascii_lowercase(),
                branch,
            });
        }
        if let Some(name) = set(&self.name) {
            check_ref_name(&name)?;
            return Ok(Strategy::Name(name));
        }
        if let Some(range) = set(&self.semver) {
            return Ok(Strategy::SemVer(range));
        }
        if let Some(tag) = set(&self.tag) {
            check_ref_name(&format!("refs/tags/{tag}"))?;
            return Ok(Strategy::Tag(tag));
        }
        if let Some(branch) = branch {
            check_ref_name(&format!("refs/heads/{branch}"))?;
            return Ok(Strategy::Branch(branch));
        }
        Ok(Strategy::DefaultBranch)
    }
}

/// A [`GitRef`] with Flux's precedence applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// A commit id (lower-case, 40 hex digits); with a branch, the revision names it.
    Commit {
        /// The commit.
        commit: String,
        /// The branch it is on, if given.
        branch: Option<String>,
    },
    /// A full reference name.
    Name(String),
    /// A semver range over the tags.
    SemVer(String),
    /// A tag.
    Tag(String),
    /// A branch.
    Branch(String),
    /// The remote's default branch.
    DefaultBranch,
}

impl Strategy {
    /// Whether the revision uses the full reference name (`spec.ref.name` was set).
    pub fn absolute(&self) -> bool {
        matches!(self, Strategy::Name(_))
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Commit {
                commit,
                branch: Some(b),
            } => write!(f, "commit '{commit}' on branch '{b}'"),
            Strategy::Commit { commit, .. } => write!(f, "commit '{commit}'"),
            Strategy::Name(n) => write!(f, "ref '{n}'"),
            Strategy::SemVer(r) => write!(f, "semver range '{r}'"),
            Strategy::Tag(t) => write!(f, "tag '{t}'"),
            Strategy::Branch(b) => write!(f, "branch '{b}'"),
            Strategy::DefaultBranch => f.write_str("the default branch"),
        }
    }
}

/// A `spec.ref` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// `commit` is not a full commit id.
    #[error("commit '{commit}' is not a full commit id (40 hexadecimal digits)")]
    Commit {
        /// The value given.
        commit: String,
    },
    /// A reference name git would refuse.
    #[error("ref '{name}' is invalid: {reason}")]
    Name {
        /// The reference name.
        name: String,
        /// Which rule of `git check-ref-format` it breaks.
        reason: &'static str,
    },
}

fn is_full_hex(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks a reference name against `git check-ref-format`'s rules (a trailing `^{}`,
/// which names a peeled tag, is allowed).
///
/// # Errors
/// The rule the name breaks.
pub fn check_ref_name(name: &str) -> Result<(), RefError> {
    let err = |reason| {
        Err(RefError::Name {
            name: name.to_owned(),
            reason,
        })
    };
    let body = name.strip_suffix("^{}").unwrap_or(name);
    if body.is_empty() {
        return err("it is empty");
    }
    if body.starts_with('/') || body.ends_with('/') {
        return err("Git refs cannot begin or end with a slash '/'");
    }
    if body.ends_with('.') || body.ends_with(".lock") {
        return err("it ends with '.' or '.lock'");
    }
    if body.contains("..") || body.contains("//") || body.contains("@{") || body == "@" {
        return err("it contains '..', '//' or '@{'");
    }
    if body
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || b" ~^:?*[\\".contains(&b))
    {
        return err("it contains a control character, a space or one of ~^:?*[\\");
    }
    if body.split('/').any(|c| c.starts_with('.')) {
        return err("a component starts with '.'");
    }
    Ok(())
}

/// A revision as Flux prints it: an optional reference and a commit id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Revision {
    /// The full reference (`refs/heads/main`, `refs/tags/v1.0.0`, `refs/pull/1/head`), if any.
    pub reference: Option<String>,
    /// The commit id.
    pub commit: String,
    /// Print the full reference (Flux does when `spec.ref.name` is set) rather than the
    /// part after `refs/<kind>/`.
    pub absolute: bool,
}

impl Revision {
    /// `sha1:<id>` (`<unknown>:<id>` for ids that are not SHA-1), as Flux's `Hash.Digest`.
    pub fn digest(&self) -> String {
        hash_digest(&self.commit)
    }
}

/// Flux's `Hash.Digest`: `sha1:<id>` for 40-character ids.
pub fn hash_digest(id: &str) -> String {
    if id.len() == 40 {
        format!("sha1:{id}")
    } else {
        format!("<unknown>:{id}")
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digest = self.digest();
        match self.reference.as_deref().filter(|r| !r.is_empty()) {
            Some(r) if self.absolute => write!(f, "{r}@{digest}"),
            Some(r) => {
                // Go: strings.SplitAfterN(ref, "/", 3), third part.
                let mut parts = r.splitn(3, '/');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(_), Some(_), Some(short)) => write!(f, "{short}@{digest}"),
                    _ => f.write_str(&digest),
                }
            }
            None => f.write_str(&digest),
        }
    }
}

/// Flux's `TransformRevision`: a revision in the old formats (`main/<id>`, `<id>`) in
/// the current one (`main@sha1:<id>`, `sha1:<id>`); current ones are returned as given.
pub fn transform_revision(rev: &str) -> String {
    if rev.is_empty() || rev.contains(':') {
        return rev.to_owned();
    }
    let (pointer, hash) = split_revision(rev);
    match pointer {
        Some(p) => format!("{p}@{}", hash_digest(hash)),
        None => hash_digest(hash),
    }
}

/// Flux's `SplitRevision`: the named pointer (if any) and the hash of a revision in any
/// of its formats.
pub fn split_revision(rev: &str) -> (Option<&str>, &str) {
    let pointer = if let Some(i) = rev.rfind('@') {
        Some(&rev[..i])
    } else if let Some(i) = rev.rfind('/') {
        Some(&rev[..i]).filter(|s| *s != "HEAD")
    } else {
        None
    };
    let hash = if let Some(i) = rev.rfind(':') {
        &rev[i + 1..]
    } else if let Some(i) = rev.rfind('/') {
        &rev[i + 1..]
    } else {
        rev
    };
    (pointer, hash)
}

/// One ref a remote advertises (`git ls-remote`'s lines; a peeled tag appears as a second
/// entry named `<tag>^{}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteRef {
    /// The full name, e.g. `refs/heads/main`, `refs/tags/v1^{}`, `HEAD`.
    pub name: String,
    /// The object id it points to.
    pub oid: String,
}

/// What a remote advertises.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteRefs {
    /// The refs, in the remote's order.
    pub refs: Vec<RemoteRef>,
    /// What `HEAD` points to (`refs/heads/main`), when the remote says.
    pub head_symref: Option<String>,
}

impl RemoteRefs {
    /// The object a ref points to.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.refs
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.oid.as_str())
    }

    /// The tag names (without `refs/tags/` and without peeled duplicates), in order.
    pub fn tags(&self) -> Vec<String> {
        self.refs
            .iter()
            .filter_map(|r| r.name.strip_prefix("refs/tags/"))
            .filter(|t| !t.ends_with("^{}"))
            .map(str::to_owned)
            .collect()
    }
}

/// Picks tags for a semver range. The shared Masterminds module (`crate::semver`) plugs in
/// here; any `Fn(&str, &[String]) -> Result<Vec<String>, String>` is one.
pub trait TagSelector: Send + Sync {
    /// Of `tags` (names without `refs/tags/`), those whose version (Masterminds'
    /// `NewVersion`: a `v` prefix allowed) matches `range` and equals the highest matching
    /// version: usually one tag, several only when they differ in build metadata or `v`
    /// prefix. Empty when nothing matches.
    ///
    /// # Errors
    /// The range does not parse (the message says why).
    fn highest(&self, range: &str, tags: &[String]) -> Result<Vec<String>, String>;
}

impl<F> TagSelector for F
where
    F: Fn(&str, &[String]) -> Result<Vec<String>, String> + Send + Sync,
{
    fn highest(&self, range: &str, tags: &[String]) -> Result<Vec<String>, String> {
        self(range, tags)
    }
}

/// The selector a fetch uses unless told otherwise: the shared Masterminds module
/// ([`crate::semver`]), tags read as Flux reads them ([`Version::parse_flux`]), every tag
/// of the highest matching version returned (ties are broken by commit time).
///
/// [`Version::parse_flux`]: crate::semver::Version::parse_flux
pub fn default_tag_selector() -> std::sync::Arc<dyn TagSelector> {
    std::sync::Arc::new(Masterminds)
}

/// [`TagSelector`] on [`crate::semver`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Masterminds;

impl TagSelector for Masterminds {
    fn highest(&self, range: &str, tags: &[String]) -> Result<Vec<String>, String> {
        use crate::semver::{Constraints, Version, matching_with};
        let c = Constraints::parse(range).map_err(|e| e.to_string())?;
        let found = matching_with(&c, tags, Version::parse_flux);
        let Some(top) = found.first().map(|m| m.version.clone()) else {
            return Ok(Vec::new());
        };
        Ok(found
            .iter()
            .take_while(|m| m.version.compare(&top) == std::cmp::Ordering::Equal)
            .map(|m| m.input.to_owned())
            .collect())
    }
}

/// Selects tags for semver ranges when no semver implementation was wired in: every range
/// is refused.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoSemver;

impl TagSelector for NoSemver {
    fn highest(&self, range: &str, _tags: &[String]) -> Result<Vec<String>, String> {
        Err(format!(
            "semver range '{range}': no semver implementation is available in this build"
        ))
    }
}

/// Where a [`Strategy`] leads on a given remote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The reference recorded in the revision (`refs/heads/main`, `refs/tags/v1`,
    /// `refs/pull/1/head`; a `name` ending in `^{}` keeps it), if any.
    pub reference: Option<String>,
    /// Print the reference in full (see [`Revision::absolute`]).
    pub absolute: bool,
    /// The refs to fetch (full names, no `^{}`); empty for a bare commit.
    pub fetch: Vec<String>,
    /// The commit to check out, when known without fetching (always for branches, tags and
    /// names; for a commit strategy, the commit itself).
    pub commit: Option<String>,
    /// Whether `commit` is a tip the remote advertises (so a shallow fetch of `fetch`
    /// reaches it).
    pub commit_is_tip: bool,
    /// The tag's short name, when a tag was selected (tag and semver strategies, names
    /// under `refs/tags/`): what `verify` mode `Tag` checks.
    pub tag: Option<String>,
    /// Tags that tie for the highest semver version: the newest commit among them wins
    /// (Flux compares committer times), so they must be fetched to decide.
    pub semver_ties: Vec<String>,
}

impl Resolution {
    /// The revision, when the commit is known.
    pub fn revision(&self) -> Option<Revision> {
        self.commit.as_ref().map(|c| Revision {
            reference: self.reference.clone(),
            commit: c.clone(),
            absolute: self.absolute,
        })
    }
}

/// Why a strategy cannot be resolved on a remote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The branch, tag or name is not advertised.
    #[error("{what} not found")]
    NotFound {
        /// `branch 'x'`, `tag 'v1'`, `ref 'refs/...'`.
        what: String,
    },
    /// The remote does not say which branch is its default, or has no branches.
    #[error("cannot determine the remote's default branch (HEAD)")]
    NoDefaultBranch,
    /// The range does not parse.
    #[error("semver parse error: {reason}")]
    Semver {
        /// The range.
        range: String,
        /// Why.
        reason: String,
    },
    /// No tag matches the range.
    #[error("no match found for semver: {range}")]
    NoSemverMatch {
        /// The range.
        range: String,
    },
}

/// Flux's version filter before the range check: `ParseVersion` wants three dot-separated
/// parts (`v1.2` is not a version there, though Masterminds would accept it).
fn three_parts(tag: &str) -> bool {
    tag.splitn(3, '.').count() == 3
}

/// Resolves a strategy against what the remote advertises.
///
/// # Errors
/// The ref is not advertised, the default branch is unknown, or no tag matches.
pub fn resolve(
    strategy: &Strategy,
    refs: &RemoteRefs,
    semver: &dyn TagSelector,
) -> Result<Resolution, ResolveError> {
    let tip = |name: &str| -> Option<String> { refs.get(name).map(str::to_owned) };
    match strategy {
        Strategy::Branch(b) => branch(refs, b),
        Strategy::DefaultBranch => {
            let name = default_branch(refs).ok_or(ResolveError::NoDefaultBranch)?;
            branch(refs, name.trim_start_matches("refs/heads/"))
        }
        Strategy::Tag(t) => tag(refs, t),
        Strategy::SemVer(range) => {
            let tags: Vec<String> = refs.tags().into_iter().filter(|t| three_parts(t)).collect();
            let mut best = semver
                .highest(range, &tags)
                .map_err(|reason| ResolveError::Semver {
                    range: range.clone(),
                    reason,
                })?;
            best.sort();
            best.dedup();
            match best.len() {
                0 => Err(ResolveError::NoSemverMatch {
                    range: range.clone(),
                }),
                1 => tag(refs, &best[0]),
                _ => Ok(Resolution {
                    reference: None,
                    absolute: false,
                    fetch: best.iter().map(|t| format!("refs/tags/{t}")).collect(),
                    commit: None,
                    commit_is_tip: false,
                    tag: None,
                    semver_ties: best,
                }),
            }
        }
        Strategy::Name(name) => {
            let not_found = || ResolveError::NotFound {
                what: format!("ref '{name}'"),
            };
            let base = name.strip_suffix("^{}").unwrap_or(name);
            let is_tag = base.starts_with("refs/tags/");
            // Flux's filterRefs: for a tag, prefer the peeled entry.
            let commit = if is_tag {
                tip(&format!("{base}^{{}}")).or_else(|| tip(base))
            } else {
                tip(name)
            }
            .ok_or_else(not_found)?;
            Ok(Resolution {
                reference: Some(name.clone()),
                absolute: true,
                fetch: vec![base.to_owned()],
                commit: Some(commit),
                commit_is_tip: true,
                tag: base.strip_prefix("refs/tags/").map(str::to_owned),
                semver_ties: Vec::new(),
            })
        }
        Strategy::Commit { commit, branch: b } => {
            let (reference, fetch, is_tip) = match b {
                Some(b) => {
                    let r = format!("refs/heads/{b}");
                    let oid = tip(&r).ok_or_else(|| ResolveError::NotFound {
                        what: format!("branch '{b}'"),
                    })?;
                    let is_tip = oid == *commit;
                    (Some(r.clone()), vec![r], is_tip)
                }
                None => {
                    // A tip that is exactly this commit can be fetched shallowly.
                    let found = refs.refs.iter().find(|r| {
                        r.oid == *commit && r.name.starts_with("refs/") && !r.name.ends_with("^{}")
                    });
                    match found {
                        Some(r) => (None, vec![r.name.clone()], true),
                        None => (None, Vec::new(), false),
                    }
                }
            };
            Ok(Resolution {
                reference,
                absolute: false,
                fetch,
                commit: Some(commit.clone()),
                commit_is_tip: is_tip,
                tag: None,
                semver_ties: Vec::new(),
            })
        }
    }
}

fn branch(refs: &RemoteRefs, b: &str) -> Result<Resolution, ResolveError> {
    let r = format!("refs/heads/{b}");
    let oid = refs.get(&r).ok_or_else(|| ResolveError::NotFound {
        what: format!("branch '{b}'"),
    })?;
    Ok(Resolution {
        reference: Some(r.clone()),
        absolute: false,
        fetch: vec![r],
        commit: Some(oid.to_owned()),
        commit_is_tip: true,
        tag: None,
        semver_ties: Vec::new(),
    })
}

fn tag(refs: &RemoteRefs, t: &str) -> Result<Resolution, ResolveError> {
    let r = format!("refs/tags/{t}");
    let oid = refs.get(&r).ok_or_else(|| ResolveError::NotFound {
        what: format!("tag '{t}'"),
    })?;
    let commit = refs.get(&format!("{r}^{{}}")).unwrap_or(oid);
    Ok(Resolution {
        reference: Some(r.clone()),
        absolute: false,
        fetch: vec![r],
        commit: Some(commit.to_owned()),
        commit_is_tip: true,
        tag: Some(t.to_owned()),
        semver_ties: Vec::new(),
    })
}

/// The remote's default branch: the target of its `HEAD` symref, or else the one branch
/// whose tip equals `HEAD` (preferring `main`, then `master`, then the first by name).
pub fn default_branch(refs: &RemoteRefs) -> Option<String> {
    if let Some(s) = refs
        .head_symref
        .as_ref()
        .filter(|s| s.starts_with("refs/heads/"))
    {
        return Some(s.clone());
    }
    let head = refs.get("HEAD")?;
    let mut candidates: Vec<&str> = refs
        .refs
        .iter()
        .filter(|r| r.oid == head && r.name.starts_with("refs/heads/"))
        .map(|r| r.name.as_str())
        .collect();
    candidates.sort_unstable();
    for preferred in ["refs/heads/main", "refs/heads/master"] {
        if candidates.contains(&preferred) {
            return Some(preferred.to_owned());
        }
    }
    candidates.first().map(|s| (*s).to_owned())
}

/// Among semver tags that tie, the one Flux picks: the newest committer time wins; on
/// equal times, the last by name (Flux's order there depends on Go map iteration).
pub fn break_semver_tie(candidates: &[(String, i64)]) -> Option<&str> {
    let mut sorted: Vec<&(String, i64)> = candidates.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    sorted.last().map(|(t, _)| t.as_str())
}

/// `spec.verify.mode`: what must carry a valid signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerifyMode {
    /// The commit checked out (`HEAD`; Flux's `head` is accepted too).
    Head,
    /// The tag object the commit was checked out through.
    Tag,
    /// Both.
    TagAndHead,
}

impl VerifyMode {
    /// Parses Flux's mode names (`HEAD`, `head`, `Tag`, `TagAndHEAD`).
    ///
    /// # Errors
    /// Any other name.
    pub fn parse(s: &str) -> Result<VerifyMode, String> {
        match s {
            "HEAD" | "head" | "Head" => Ok(VerifyMode::Head),
            "Tag" | "tag" => Ok(VerifyMode::Tag),
            "TagAndHEAD" | "tagandhead" | "TagAndHead" => Ok(VerifyMode::TagAndHead),
            _ => Err(format!(
                "unknown verification mode '{s}' (expected HEAD, Tag or TagAndHEAD)"
            )),
        }
    }

    /// Whether the commit's signature is checked.
    pub fn verify_head(self) -> bool {
        matches!(self, VerifyMode::Head | VerifyMode::TagAndHead)
    }

    /// Whether the tag's signature is checked.
    pub fn verify_tag(self) -> bool {
        matches!(self, VerifyMode::Tag | VerifyMode::TagAndHead)
    }
}

impl fmt::Display for VerifyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerifyMode::Head => "HEAD",
            VerifyMode::Tag => "Tag",
            VerifyMode::TagAndHead => "TagAndHEAD",
        })
    }
}

#[cfg(test)]
mod tests;

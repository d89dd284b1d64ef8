//! Semantic versions and version ranges as `github.com/Masterminds/semver/v3` reads them.
//!
//! One implementation for every place the Go tools evaluate a version range: Flux's
//! `GitRepository` and `OCIRepository` `.spec.ref.semver`, `HelmChart`/`HelmRelease` chart
//! versions, Helm's chart dependency ranges and `kubeVersion`, and Sprig's `semver` /
//! `semverCompare` template functions. The Rust `semver` crate orders versions but reads
//! ranges with Cargo's (npm-like) rules; Masterminds differs in many details (partial
//! versions widen bounds, pre-releases of *any* version match once a range names one,
//! `1.2.3` alone is an exact match, `v` prefixes and leading zeros are accepted, the range
//! grammar is a set of regular expressions whose corner cases matter), so this module
//! follows the Go code (`version.go`, `constraints.go`) step by step, regular
//! expressions included.
//!
//! * [`Version::parse`] is `NewVersion` (the coercing parser: `v1`, `1.2`, `01.2.3`).
//! * [`Version::compare`] is `Compare`: build metadata is ignored.
//! * [`Constraints::parse`] is `NewConstraint`, [`Constraints::check`] is `Check`.
//! * [`matching`] and [`select_highest`] filter a list of tags or chart versions the way
//!   Flux and Helm pick one: the matching inputs, highest first; [`matching_with`] and
//!   [`Version::parse_flux`] read them as Flux's source-controller does (three parts).
//!
//! Two releases of the library are in use: Flux (source-controller v1.10.2) links
//! v3.5.0, which added hard limits (a range over 512 bytes or with more than 32 `||`
//! groups is refused, a version over 256 bytes does not parse) and quotes the text in
//! "improper constraint" errors; Helm v4.1.4 links v3.4.0 (no limits, unquoted). The
//! default is v3.5.0; [`Compat::V3_4`] gives Helm's behaviour.
//!
//! ```
//! use gitward::semver::{Constraints, Version, matching};
//!
//! let range = Constraints::parse(">=1.2.3, <2 || ~3.1").expect("a valid range");
//! assert!(range.check(&Version::parse("v1.4").expect("a version")));
//! assert!(!range.check(&Version::parse("2.0.0").expect("a version")));
//!
//! // Tags as a Git repository lists them: non-versions are skipped, the inputs are
//! // returned as given, highest first.
//! let tags = ["v1.2.3", "latest", "1.10.0", "v3.1.9", "3.2.0", "2.0.0-rc.1"];
//! let picked: Vec<&str> = matching(&range, &tags).iter().map(|m| m.input).collect();
//! assert_eq!(picked, ["v3.1.9", "1.10.0", "v1.2.3"]);
//!
//! // Pre-releases only match when the range names one.
//! let pre = Constraints::parse(">=2.0.0-0").expect("a valid range");
//! assert!(pre.check(&Version::parse("2.0.0-rc.1").expect("a version")));
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use regex::Regex;

#[cfg(test)]
mod tests;

/// v3.5.0's `MaxVersionLen`: a longer version string does not parse.
pub const MAX_VERSION_LEN: usize = 256;
/// v3.5.0's `MaxConstraintLen`: a longer range is refused.
pub const MAX_CONSTRAINT_LEN: usize = 512;
/// v3.5.0's `MaxConstraintGroups`: a range with more `||` groups is refused.
pub const MAX_CONSTRAINT_GROUPS: usize = 32;

/// How many bytes rewriting hyphen ranges may scan before a range is refused as too
/// complex. Go rewrites each `A - B` with a search from the start of the string, which is
/// quadratic; v3.5.0's length limit keeps that small, v3.4.0 has no limit. Only ranges of
/// tens of kilobytes made of thousands of hyphen ranges reach this bound.
const MAX_REWRITE_SCAN: usize = 256 << 20;

/// Which release of Masterminds/semver to behave like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Compat {
    /// v3.5.0 (Flux source-controller v1.10.2, flux2 v2.9.5): length and group limits,
    /// quoted "improper constraint" messages.
    #[default]
    V3_5,
    /// v3.4.0 (Helm v4.1.4 and the Sprig functions of its templates): no limits,
    /// unquoted messages.
    V3_4,
}

/// How ranges and versions are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Options {
    /// The library release to follow (default v3.5.0).
    pub compat: Compat,
    /// `Constraints.IncludePrerelease`: pre-release versions may match every group, not
    /// only the groups that name a pre-release (default false).
    pub include_prerelease: bool,
}

impl Options {
    /// Options for `compat`.
    pub fn with_compat(mut self, compat: Compat) -> Self {
        self.compat = compat;
        self
    }

    /// Sets [`Options::include_prerelease`].
    pub fn with_include_prerelease(mut self, include: bool) -> Self {
        self.include_prerelease = include;
        self
    }
}

// ---------------------------------------------------------------------------------------
// Errors

/// Why a version string does not parse (`NewVersion`'s errors, in its words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// `ErrInvalidSemVer`: the text is not shaped like a version.
    #[error("invalid semantic version")]
    Invalid,
    /// `ErrVersionTooLong` (v3.5.0): more than [`MAX_VERSION_LEN`] bytes.
    #[error("version string is too long (max {MAX_VERSION_LEN} bytes)")]
    TooLong,
    /// A major, minor or patch number does not fit in 64 bits.
    #[error("error parsing version segment: strconv.ParseUint: parsing {}: value out of range", go_quote(.segment))]
    SegmentOutOfRange {
        /// The digits, as written.
        segment: String,
    },
    /// `ErrSegmentStartsZero`: a numeric pre-release identifier with a leading zero.
    #[error("version segment starts with 0")]
    SegmentStartsZero,
    /// `ErrInvalidPrerelease`.
    #[error("invalid prerelease string")]
    InvalidPrerelease,
    /// `ErrInvalidMetadata`.
    #[error("invalid metadata string")]
    InvalidMetadata,
}

/// Why a range does not parse (`NewConstraint`'s errors, in its words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstraintError {
    /// `ErrConstraintTooLong` (v3.5.0): more than [`MAX_CONSTRAINT_LEN`] bytes.
    #[error("constraint string is too long (max {MAX_CONSTRAINT_LEN} bytes)")]
    TooLong,
    /// `ErrTooManyConstraintGroups` (v3.5.0): more than [`MAX_CONSTRAINT_GROUPS`] groups.
    #[error("too many constraint groups (max {MAX_CONSTRAINT_GROUPS})")]
    TooManyGroups,
    /// A `||` group (after hyphen ranges are rewritten), or one comparison of it, does
    /// not follow the grammar.
    #[error("improper constraint: {}", match .compat {
        Compat::V3_4 => .text.clone(),
        Compat::V3_5 => go_quote(.text),
    })]
    Improper {
        /// The text refused.
        text: String,
        /// How the message quotes it (v3.5.0: Go's `%q`, v3.4.0: as is).
        compat: Compat,
    },
    /// A comparison matched the grammar but its version does not parse (`1x.2`, a
    /// version part holding `|`, a number over 64 bits).
    #[error("constraint parser error")]
    Parser,
    /// gitward's own bound (not in Go): rewriting the hyphen ranges of a range of tens
    /// of kilobytes would scan more than 256 MiB.
    #[error("constraint is too complex")]
    TooComplex,
}

// ---------------------------------------------------------------------------------------
// Regular expressions (constraints.go and version.go, with Go's `\s` spelled out: Go's
// `\s` is `[\t\n\f\r ]`, Rust's also matches `\v` and Unicode spaces).

const WS: &str = r"[\t\n\f\r ]";

/// `looseSemVerRegex`.
const LOOSE: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
/// `cvRegex` (the `|` inside the brackets is a literal character, as in Go).
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
/// The operators, in Go's order (leftmost-first alternation: the order matters).
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

struct Regexes {
    loose: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| {
        let mk = |p: String| Regex::new(&p).expect("the patterns are constant and valid");
        Regexes {
            loose: mk(format!("^{LOOSE}$")),
            constraint: mk(format!("^{WS}*({OPS}){WS}*({CV}){WS}*$")),
            range: mk(format!("{WS}*({CV}){WS}+-{WS}+({CV}){WS}*")),
            find: mk(format!("({OPS}){WS}*({CV})")),
            valid: mk(format!(
                "^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$"
            )),
        }
    })
}

// ---------------------------------------------------------------------------------------
// Versions

/// A semantic version as Masterminds reads it: numbers, pre-release, build metadata and
/// the text it was parsed from.
///
/// Equality (`==`) compares every field, the original text included; use
/// [`Version::compare`] (or [`Version::equal`]) for precedence, which ignores build
/// metadata as Masterminds' `Compare` does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// `NewVersion` as v3.5.0 has it: `v` prefix, partial versions (`1`, `1.2`) and
    /// leading zeros in the numbers accepted; pre-release and metadata validated; at
    /// most [`MAX_VERSION_LEN`] bytes.
    pub fn parse(text: &str) -> Result<Version, VersionError> {
        Version::parse_with(text, &Options::default())
    }

    /// `NewVersion` of the release `opts.compat` names.
    pub fn parse_with(text: &str, opts: &Options) -> Result<Version, VersionError> {
        parse_version(text, opts.compat)
    }

    /// `ParseVersion` of `github.com/fluxcd/pkg/version`, what Flux's source-controller
    /// reads Git tags, OCI tags and chart versions with: the text needs at least two dots
    /// (`1.2` and `v1` are not versions there), then [`Version::parse`] (v3.5.0). Quirks
    /// kept: `1.2-rc.1.2` passes (as `1.2.0-rc.1.2`).
    pub fn parse_flux(text: &str) -> Result<Version, VersionError> {
        if text.splitn(3, '.').count() != 3 {
            return Err(VersionError::Invalid);
        }
        Version::parse(text)
    }

    /// `New`: a version from its parts, without validation of `pre` and `metadata` (as
    /// in Go); the original text is the normalised form.
    pub fn new(major: u64, minor: u64, patch: u64, pre: &str, metadata: &str) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: pre.to_owned(),
            metadata: metadata.to_owned(),
            original: String::new(),
        };
        v.original = v.to_string();
        v
    }

    /// The major number.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The pre-release, without its `-` (empty for a release).
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata, without its `+`.
    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    /// The text the version was parsed from (`Original()`); [`fmt::Display`] prints the
    /// normalised form (`String()`).
    pub fn original(&self) -> &str {
        &self.original
    }

    /// `Compare`: major, minor, patch, then pre-release (a release is higher than its
    /// pre-releases; identifiers compare numerically when both are numbers, numbers
    /// lower than words, then by field count). Build metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            })
    }

    /// `Equal`: the same precedence (build metadata ignored).
    pub fn equal(&self, other: &Version) -> bool {
        self.compare(other) == Ordering::Equal
    }

    /// `IncMajor`: `X+1.0.0`, pre-release and metadata dropped, the `v` prefix kept.
    /// At `u64::MAX` the number wraps to 0 as in v3.4.0 (v3.5.0 panics).
    pub fn inc_major(&self) -> Version {
        self.bumped(self.major.wrapping_add(1), 0, 0)
    }

    /// `IncMinor`: `X.Y+1.0`, pre-release and metadata dropped, the `v` prefix kept
    /// (wrapping at `u64::MAX`, see [`Version::inc_major`]).
    pub fn inc_minor(&self) -> Version {
        self.bumped(self.major, self.minor.wrapping_add(1), 0)
    }

    /// `IncPatch`: a pre-release becomes its release (`1.2.3-rc.1` → `1.2.3`), a release
    /// gets the next patch number; metadata dropped, the `v` prefix kept (wrapping at
    /// `u64::MAX`, see [`Version::inc_major`]).
    pub fn inc_patch(&self) -> Version {
        let patch = if self.pre.is_empty() {
            self.patch.wrapping_add(1)
        } else {
            self.patch
        };
        self.bumped(self.major, self.minor, patch)
    }

    fn bumped(&self, major: u64, minor: u64, patch: u64) -> Version {
        let mut n = Version {
            major,
            minor,
            patch,
            pre: String::new(),
            metadata: String::new(),
            original: String::new(),
        };
        n.original = format!("{}{n}", self.v_prefix());
        n
    }

    /// `SetPrerelease`: the same version with another pre-release (validated unless
    /// empty); the `v` prefix is kept.
    pub fn set_prerelease(&self, pre: &str) -> Result<Version, VersionError> {
        if !pre.is_empty() {
            validate_prerelease(pre)?;
        }
        let mut n = self.clone();
        n.pre = pre.to_owned();
        n.original = format!("{}{n}", self.v_prefix());
        Ok(n)
    }

    /// `SetMetadata`: the same version with other build metadata (validated unless
    /// empty); the `v` prefix is kept.
    pub fn set_metadata(&self, metadata: &str) -> Result<Version, VersionError> {
        if !metadata.is_empty() {
            validate_metadata(metadata)?;
        }
        let mut n = self.clone();
        n.metadata = metadata.to_owned();
        n.original = format!("{}{n}", self.v_prefix());
        Ok(n)
    }

    fn v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }
}

impl fmt::Display for Version {
    /// `String()`: `MAJOR.MINOR.PATCH[-PRE][+META]`, without a `v` prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = VersionError;

    /// [`Version::parse`].
    fn from_str(s: &str) -> Result<Version, VersionError> {
        Version::parse(s)
    }
}

/// `strconv.ParseUint(s, 10, 64)` for text the regular expressions already limited to
/// ASCII digits: `None` when it is empty, holds anything else, or overflows.
fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// `coerceNewVersion` (what `NewVersion` runs, `CoerceNewVersion` being true).
fn parse_version(text: &str, compat: Compat) -> Result<Version, VersionError> {
    if compat == Compat::V3_5 && text.len() > MAX_VERSION_LEN {
        return Err(VersionError::TooLong);
    }
    let m = regexes()
        .loose
        .captures(text)
        .ok_or(VersionError::Invalid)?;
    let group = |i: usize| m.get(i).map_or("", |g| g.as_str());
    let number = |s: &str| {
        parse_u64(s).ok_or_else(|| VersionError::SegmentOutOfRange {
            segment: s.to_owned(),
        })
    };
    let major = number(group(1))?;
    let minor = match group(2) {
        "" => 0,
        g => number(g.trim_start_matches('.'))?,
    };
    let patch = match group(3) {
        "" => 0,
        g => number(g.trim_start_matches('.'))?,
    };
    let pre = group(5);
    let metadata = group(8);
    if !pre.is_empty() {
        validate_prerelease(pre)?;
    }
    if !metadata.is_empty() {
        validate_metadata(metadata)?;
    }
    Ok(Version {
        major,
        minor,
        patch,
        pre: pre.to_owned(),
        metadata: metadata.to_owned(),
        original: text.to_owned(),
    })
}

fn is_identifier_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// `validatePrerelease`: non-empty identifiers of `[0-9A-Za-z-]`, numeric ones without a
/// leading zero.
fn validate_prerelease(p: &str) -> Result<(), VersionError> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err(VersionError::InvalidPrerelease);
        }
        if part.bytes().all(|b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(VersionError::SegmentStartsZero);
            }
        } else if !part.bytes().all(is_identifier_char) {
            return Err(VersionError::InvalidPrerelease);
        }
    }
    Ok(())
}

/// `validateMetadata`: non-empty identifiers of `[0-9A-Za-z-]`.
fn validate_metadata(m: &str) -> Result<(), VersionError> {
    for part in m.split('.') {
        if part.is_empty() || !part.bytes().all(is_identifier_char) {
            return Err(VersionError::InvalidMetadata);
        }
    }
    Ok(())
}

/// `comparePrerelease`: identifier by identifier, a missing one being empty.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (mut sa, mut sb) = (a.split('.'), b.split('.'));
    loop {
        match (sa.next(), sb.next()) {
            (None, None) => return Ordering::Equal,
            (x, y) => {
                let d = compare_pre_part(x.unwrap_or(""), y.unwrap_or(""));
                if d != Ordering::Equal {
                    return d;
                }
            }
        }
    }
}

/// `comparePrePart`: numbers (that fit in 64 bits) numerically and below words, words
/// bytewise; an empty identifier is lower than any other.
fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (parse_u64(s), parse_u64(o)) {
        (None, None) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(x), Some(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Constraints

/// The comparison functions of `constraintOps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn from_go(op: &str) -> Option<Op> {
        Some(match op {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => return None,
        })
    }
}

/// One comparison (`constraint` in Go).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    /// The version compared with (wildcards and missing parts as zeros).
    con: Version,
    /// The version as written (`4.x`).
    orig: String,
    /// The operator as written.
    op_text: String,
    op: Op,
    /// Some part was a wildcard or missing.
    dirty: bool,
    /// The minor part was a wildcard or missing.
    minor_dirty: bool,
    /// The patch part was a wildcard or missing.
    patch_dirty: bool,
}

/// An AND group: every term must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    terms: Vec<Term>,
    /// A term names a pre-release, so pre-release versions may match this group.
    has_pre: bool,
}

/// A version range (`Constraints`): `||`-separated groups of comparisons that must all
/// hold. [`fmt::Display`] prints it as Masterminds' `String()` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraints {
    groups: Vec<Group>,
    include_prerelease: bool,
    compat: Compat,
}

impl Constraints {
    /// `NewConstraint` as v3.5.0 has it.
    pub fn parse(text: &str) -> Result<Constraints, ConstraintError> {
        Constraints::parse_with(text, &Options::default())
    }

    /// `NewConstraint` of the release `opts.compat` names, with `IncludePrerelease` set
    /// from `opts`.
    pub fn parse_with(text: &str, opts: &Options) -> Result<Constraints, ConstraintError> {
        let compat = opts.compat;
        if compat == Compat::V3_5 && text.len() > MAX_CONSTRAINT_LEN {
            return Err(ConstraintError::TooLong);
        }
        let rewritten = rewrite_range(text)?;
        let ors: Vec<&str> = rewritten.split("||").collect();
        if compat == Compat::V3_5 && ors.len() > MAX_CONSTRAINT_GROUPS {
            return Err(ConstraintError::TooManyGroups);
        }
        let re = regexes();
        let mut groups = Vec::with_capacity(ors.len());
        for or in ors {
            if !re.valid.is_match(or) {
                return Err(ConstraintError::Improper {
                    text: or.to_owned(),
                    compat,
                });
            }
            let mut found: Vec<&str> = re.find.find_iter(or).map(|m| m.as_str()).collect();
            if found.is_empty() {
                found.push(or);
            }
            let terms = found
                .into_iter()
                .map(|s| parse_term(s, compat))
                .collect::<Result<Vec<_>, _>>()?;
            let has_pre = terms.iter().any(|t| !t.con.pre.is_empty());
            groups.push(Group { terms, has_pre });
        }
        Ok(Constraints {
            groups,
            include_prerelease: opts.include_prerelease,
            compat,
        })
    }

    /// `Check`: some group holds entirely for `v`. A pre-release version only matches
    /// a group that names a pre-release itself (or with `include_prerelease`).
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|g| {
            let include_pre = self.include_prerelease || g.has_pre;
            g.terms.iter().all(|t| check_term(t, v, include_pre))
        })
    }

    /// Parses `text` as a version with this range's [`Compat`] and checks it; `false`
    /// when it does not parse.
    pub fn check_str(&self, text: &str) -> bool {
        parse_version(text, self.compat).is_ok_and(|v| self.check(&v))
    }

    /// The library release this range was parsed for.
    pub fn compat(&self) -> Compat {
        self.compat
    }
}

impl fmt::Display for Constraints {
    /// `String()`: each comparison as written (operator then version), AND terms joined
    /// by a space, groups by ` || `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, g) in self.groups.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            for (j, t) in g.terms.iter().enumerate() {
                if j > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{}{}", t.op_text, t.orig)?;
            }
        }
        Ok(())
    }
}

impl FromStr for Constraints {
    type Err = ConstraintError;

    /// [`Constraints::parse`].
    fn from_str(s: &str) -> Result<Constraints, ConstraintError> {
        Constraints::parse(s)
    }
}

/// `rewriteRange`: every `A - B` becomes `>= A, <= B `. As in Go, each match is replaced
/// at its first occurrence in the string rewritten so far (which is not always where it
/// was found).
fn rewrite_range(text: &str) -> Result<String, ConstraintError> {
    let re = regexes();
    let found: Vec<(&str, &str, &str)> = re
        .range
        .captures_iter(text)
        .map(|m| {
            let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
            (g(0), g(1), g(11))
        })
        .collect();
    if found.is_empty() {
        return Ok(text.to_owned());
    }
    let mut out = text.to_owned();
    let mut scanned = 0usize;
    for (all, from, to) in found {
        scanned = scanned.saturating_add(out.len());
        if scanned > MAX_REWRITE_SCAN {
            return Err(ConstraintError::TooComplex);
        }
        if let Some(at) = out.find(all) {
            out.replace_range(at..at + all.len(), &format!(">= {from}, <= {to} "));
        }
    }
    Ok(out)
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// `parseConstraint`: one comparison, wildcards and missing parts turned into zeros and
/// "dirty" flags.
fn parse_term(text: &str, compat: Compat) -> Result<Term, ConstraintError> {
    if text.is_empty() {
        // Go's special case for an empty string (`>=0.0.0`); unreachable from
        // `NewConstraint`, whose grammar needs a version in every group.
        return Ok(Term {
            con: Version::new(0, 0, 0, "", ""),
            orig: String::new(),
            op_text: String::new(),
            op: Op::TildeOrEqual,
            dirty: true,
            minor_dirty: false,
            patch_dirty: false,
        });
    }
    let improper = || ConstraintError::Improper {
        text: text.to_owned(),
        compat,
    };
    let m = regexes().constraint.captures(text).ok_or_else(improper)?;
    let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
    let (op_text, orig) = (g(1), g(2));
    let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
    let op = Op::from_go(op_text).ok_or_else(improper)?;
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let ver = if is_x(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
        dirty = true;
        minor_dirty = true;
        format!("{major}.0.0{pre}")
    } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        orig.to_owned()
    };
    let con = parse_version(&ver, compat).map_err(|_| ConstraintError::Parser)?;
    Ok(Term {
        con,
        orig: orig.to_owned(),
        op_text: op_text.to_owned(),
        op,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// One comparison function of `constraints.go`, `includePre` decided by the group.
fn check_term(c: &Term, v: &Version, include_pre: bool) -> bool {
    // Every function starts by refusing pre-releases the group does not ask for.
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    let cmp = v.compare(&c.con);
    match c.op {
        Op::TildeOrEqual => {
            if c.dirty {
                tilde(c, v, cmp)
            } else {
                cmp == Ordering::Equal
            }
        }
        Op::NotEqual => {
            if c.dirty {
                if c.con.major != v.major {
                    return true;
                }
                if c.con.minor != v.minor && !c.minor_dirty {
                    return true;
                } else if c.minor_dirty {
                    return false;
                } else if c.con.patch != v.patch && !c.patch_dirty {
                    return true;
                } else if c.patch_dirty {
                    if !v.pre.is_empty() || !c.con.pre.is_empty() {
                        return compare_prerelease(&v.pre, &c.con.pre) != Ordering::Equal;
                    }
                    return false;
                }
            }
            cmp != Ordering::Equal
        }
        Op::Greater => {
            if !c.dirty {
                return cmp == Ordering::Greater;
            }
            if v.major > c.con.major {
                true
            } else if v.major < c.con.major || c.minor_dirty {
                false
            } else if c.patch_dirty {
                v.minor > c.con.minor
            } else {
                cmp == Ordering::Greater
            }
        }
        Op::Less => cmp == Ordering::Less,
        Op::GreaterEqual => cmp != Ordering::Less,
        Op::LessEqual => {
            if !c.dirty {
                return cmp != Ordering::Greater;
            }
            if v.major > c.con.major {
                return false;
            }
            !(v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty)
        }
        Op::Tilde => tilde(c, v, cmp),
        Op::Caret => {
            if cmp == Ordering::Less {
                return false;
            }
            if c.con.major > 0 || c.minor_dirty {
                return v.major == c.con.major;
            }
            if v.major > 0 {
                return false;
            }
            if c.con.minor > 0 || c.patch_dirty {
                return v.minor == c.con.minor;
            }
            if v.minor > 0 {
                return false;
            }
            c.con.patch == v.patch
        }
    }
}

/// `constraintTilde` (after the pre-release check).
fn tilde(c: &Term, v: &Version, cmp: Ordering) -> bool {
    if cmp == Ordering::Less {
        return false;
    }
    if c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty && !c.patch_dirty
    {
        return true;
    }
    if v.major != c.con.major {
        return false;
    }
    v.minor == c.con.minor || c.minor_dirty
}

// ---------------------------------------------------------------------------------------
// Selecting versions

/// An input that satisfied a range, with its parsed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'a> {
    /// Its position among the inputs.
    pub index: usize,
    /// The input as given (a tag, a chart version: not normalised).
    pub input: &'a str,
    /// The parsed version.
    pub version: Version,
}

/// The inputs that parse as versions (`NewVersion` with the range's [`Compat`]) and
/// satisfy `range`, highest first (`Compare`, so build metadata does not order them);
/// equal versions keep their input order. Inputs that are not versions (`latest`,
/// `release-1.1`) are skipped. This is what `gitward semver` prints.
pub fn matching<'a, S>(range: &Constraints, inputs: &'a [S]) -> Vec<Match<'a>>
where
    S: AsRef<str>,
{
    let compat = range.compat;
    matching_with(range, inputs, |s| parse_version(s, compat))
}

/// [`matching`] with another version parser, such as [`Version::parse_flux`] for tags
/// and chart versions as Flux reads them. Equal versions (differing in build metadata
/// only) keep their input order; Flux breaks such ties by commit or chart creation time,
/// which a caller that has them can apply to the result.
pub fn matching_with<'a, S, F>(range: &Constraints, inputs: &'a [S], parse: F) -> Vec<Match<'a>>
where
    S: AsRef<str>,
    F: Fn(&str) -> Result<Version, VersionError>,
{
    let mut found: Vec<Match<'a>> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, s)| {
            let input = s.as_ref();
            let version = parse(input).ok()?;
            range.check(&version).then_some(Match {
                index,
                input,
                version,
            })
        })
        .collect();
    // `sort_by` is stable: equal versions stay in input order.
    found.sort_by(|a, b| b.version.compare(&a.version));
    found
}

/// The highest input satisfying `range` (the first of [`matching`]), as Flux picks a tag
/// or a chart version; `None` when nothing matches.
pub fn select_highest<'a, S>(range: &Constraints, inputs: &'a [S]) -> Option<Match<'a>>
where
    S: AsRef<str>,
{
    matching(range, inputs).into_iter().next()
}

// ---------------------------------------------------------------------------------------

/// Go's `%q` for the texts in messages: escapes as `strconv.Quote` does for ASCII; other
/// characters are kept unless they are control, format or space characters (Go's
/// `IsPrint` tables also escape unassigned code points, which this does not know).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            ' '..='~' => out.push(c),
            c if c.is_ascii() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if c.is_control() || c.is_whitespace() || is_format(c) => {
                let n = u32::from(c);
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Unicode format characters (category Cf) and private use / non-characters that Go
/// escapes; the common ones.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}'
        | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}' | '\u{e000}'..='\u{f8ff}' | '\u{fffe}' | '\u{ffff}'
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}' | '\u{f0000}'..='\u{10ffff}')
}

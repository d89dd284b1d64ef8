//! Helm chart repository indexes (`index.yaml`) read as Helm v4.1.4 reads them
//! (`repo.loadIndex`), one chart at a time and with bounded memory.
//!
//! Helm decodes the whole index: `json.Valid` decides between `encoding/json` and
//! `sigs.k8s.io/yaml.UnmarshalStrict` (go-yaml v2 with duplicate keys refused, then
//! `encoding/json` with unknown fields refused), every entry is validated, and
//! `IndexFile.Get` picks a version. Real indexes are 20–50 MB and Helm holds several
//! copies of them (YAML tree, JSON text, structs): over a gigabyte for a 50 MB index.
//!
//! [`parse_chart_index`] streams the document instead. go-yaml's events
//! ([`goparse`](crate::yaml::goparse)) are read one by one; only the top-level fields and
//! the one chart asked for are built into nodes and decoded exactly as Helm decodes them
//! (go-yaml v2 scalars, `sigs.k8s.io/yaml`'s coercion of numbers bound for strings,
//! `encoding/json`'s case-insensitive field names and type errors). The rest of the
//! document is checked without being kept: the whole text must parse, no mapping may
//! repeat a key, and every chart entry, maintainer and dependency may only hold fields
//! Helm knows — the errors that make Helm refuse an index because of some other chart.
//! Type errors inside *other* charts' entries (a number where Helm wants a list) are
//! not detected; Helm would refuse the whole index for them.
//!
//! An index that aliases into the chart from elsewhere in the document (rare) is parsed
//! whole instead, with the same result.
//!
//! [`select_version`] is `IndexFile.Get`: an exact version string first, then the highest
//! version satisfying the range (`*` when none is given: the latest non-pre-release).
//! Range evaluation is a parameter ([`VersionSelector`]) so that one semver
//! implementation serves Git tags, OCI tags and chart versions alike.
//!
//! ```
//! use gitward::source::helm_index::{parse_chart_index, select_version, IndexOptions};
//!
//! let index = "apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.2.0\n    urls: [web-1.2.0.tgz]\n    digest: abc\n  - name: web\n    version: 1.3.0-rc.1\n    urls: [web-1.3.0-rc.1.tgz]\n  other:\n  - name: other\n    version: 0.1.0\n";
//! let chart = parse_chart_index(index.as_bytes(), "web", &IndexOptions::default())?;
//! // A stand-in for a semver range evaluator: `*` is "the highest non-pre-release".
//! let latest_stable = |range: &str, versions: &[&str]| -> Result<Option<usize>, String> {
//!     assert_eq!(range, "*");
//!     Ok(versions.iter().position(|v| !v.contains('-')))
//! };
//! let v = select_version(&chart, None, &latest_stable)?;
//! assert_eq!(v.metadata.version, "1.2.0");
//! assert_eq!(v.urls, ["web-1.2.0.tgz"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::go::strconv;
use std::collections::HashSet;

use saphyr_parser::{Event, Span};

use crate::helm::typed::{Target, json_for};
use crate::helm::{DEPENDENCY, MAINTAINER, Metadata, decode_metadata_value, validate_metadata};
use crate::yaml::goparse::{Dialect, GoParser};
use crate::yaml::{
    DuplicateKeys, Node, NodeKind, ParseOptions, SubtreeBuilder, Value, YamlError, go_error,
    parse_stream, resolve_go_v2,
};

/// Largest index accepted by default (128 MiB). Flux's source-controller refuses indexes
/// over 50 MiB by default (`--helm-index-max-size`); Helm has no limit.
pub const DEFAULT_MAX_INDEX_BYTES: usize = 128 << 20;

/// How an index is read.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IndexOptions {
    /// Largest index accepted, in bytes ([`IndexError::TooLarge`] beyond).
    pub max_bytes: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            max_bytes: DEFAULT_MAX_INDEX_BYTES,
        }
    }
}

impl IndexOptions {
    /// These options with another size limit.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

/// One version of a chart in an index (`repo.ChartVersion`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartVersion {
    /// The chart's metadata, validated and sanitised as Helm does (`apiVersion` `v1`
    /// when the entry has none).
    pub metadata: Metadata,
    /// `urls`: where the archive is, absolute or relative to the repository URL.
    pub urls: Vec<String>,
    /// `created`, as written (RFC 3339), empty when absent.
    pub created: String,
    /// `removed`.
    pub removed: bool,
    /// `digest`: the SHA-256 of the archive in hex, empty when absent.
    pub digest: String,
}

/// What an index says about one chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartIndex {
    /// The index's `apiVersion`.
    pub api_version: String,
    /// The chart asked for.
    pub chart: String,
    /// Its valid versions in index order; `None` when the index has no entry of that
    /// name. Invalid entries are left out with a warning, as Helm does.
    pub versions: Option<Vec<ChartVersion>>,
    /// What Helm logs while loading the index (`skipping loading invalid entry ...`).
    pub warnings: Vec<String>,
    /// Whether the index was JSON (read with `encoding/json`'s lenient rules).
    pub json: bool,
}

/// Why an index cannot be read. The texts are Helm's (`loadIndex`), without the
/// repository URL, which the caller adds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The index is empty.
    #[error("empty index.yaml file")]
    Empty,
    /// The index is larger than [`IndexOptions::max_bytes`].
    #[error("index is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// No `apiVersion`.
    #[error("no API version specified")]
    NoApiVersion,
    /// The YAML or JSON does not decode into an index (`error converting YAML to JSON:
    /// ...`, `error unmarshaling JSON: ...`).
    #[error("{message}")]
    Decode {
        /// Helm's text.
        message: String,
    },
}

/// Why no version can be picked ([`select_version`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// The index has no entry of that name (Helm: `no chart name found`).
    #[error("chart {chart:?} not found")]
    NoChartName {
        /// The chart.
        chart: String,
    },
    /// No version matches (Helm: `no chart version found for CHART-VERSION`).
    #[error("{}", not_found_text(chart, requested.as_deref()))]
    NoChartVersion {
        /// The chart.
        chart: String,
        /// The version or range asked for, if any.
        requested: Option<String>,
    },
    /// The range does not parse.
    #[error("invalid version range {range:?}: {message}")]
    InvalidRange {
        /// The range.
        range: String,
        /// Why.
        message: String,
    },
}

fn not_found_text(chart: &str, requested: Option<&str>) -> String {
    match requested {
        Some(v) => format!("chart {chart:?} version {v:?} not found"),
        None => format!("chart {chart:?} not found"),
    }
}

/// Evaluates a version range over a list of versions, as Masterminds/semver v3 does:
/// the position of the highest version in `versions` that satisfies `range`, `None`
/// when none does (inputs that are not versions are skipped), an error when `range`
/// does not parse. `*` asks for the highest version that is not a pre-release.
///
/// Any `Fn(&str, &[&str]) -> Result<Option<usize>, String>` is one, so the semver module
/// (`semver::Constraints` + `select_highest`, in Helm's v3.4.0 mode) plugs in as a
/// closure.
pub trait VersionSelector {
    /// The index of the highest match.
    ///
    /// # Errors
    /// The range's parse error, as text.
    fn highest_matching(&self, range: &str, versions: &[&str]) -> Result<Option<usize>, String>;
}

impl<F> VersionSelector for F
where
    F: Fn(&str, &[&str]) -> Result<Option<usize>, String>,
{
    fn highest_matching(&self, range: &str, versions: &[&str]) -> Result<Option<usize>, String> {
        self(range, versions)
    }
}

/// `IndexFile.Get(name, version)`: with a version, an entry whose version is exactly that
/// text wins; otherwise the highest version satisfying the range (`*` when `requested`
/// is `None` or empty: the latest version that is not a pre-release).
///
/// # Errors
/// [`SelectError::NoChartName`] when the index has no such chart,
/// [`SelectError::NoChartVersion`] when nothing matches, [`SelectError::InvalidRange`].
pub fn select_version<'a>(
    index: &'a ChartIndex,
    requested: Option<&str>,
    selector: &dyn VersionSelector,
) -> Result<&'a ChartVersion, SelectError> {
    let requested = requested.filter(|r| !r.is_empty());
    let Some(versions) = &index.versions else {
        return Err(SelectError::NoChartName {
            chart: index.chart.clone(),
        });
    };
    let not_found = || SelectError::NoChartVersion {
        chart: index.chart.clone(),
        requested: requested.map(str::to_owned),
    };
    if versions.is_empty() {
        return Err(not_found());
    }
    if let Some(r) = requested
        && let Some(v) = versions.iter().find(|v| v.metadata.version == r)
    {
        return Ok(v);
    }
    let range = requested.unwrap_or("*");
    let texts: Vec<&str> = versions
        .iter()
        .map(|v| v.metadata.version.as_str())
        .collect();
    match selector.highest_matching(range, &texts) {
        Err(message) => Err(SelectError::InvalidRange {
            range: range.to_owned(),
            message,
        }),
        Ok(Some(i)) => versions.get(i).ok_or_else(not_found),
        Ok(None) => Err(not_found()),
    }
}

/// `repo.ResolveReferenceURL(base, reference)`: an absolute reference as it is; a
/// relative one resolved against `base` taken as a directory, keeping `base`'s query.
///
/// # Errors
/// When either does not parse as a URL.
pub fn resolve_reference_url(base: &str, reference: &str) -> Result<String, String> {
    if let Ok(abs) = url::Url::parse(reference) {
        // Go's url.IsAbs: a scheme. `url` also takes `c:/x` as one; so does Go.
        let _ = abs;
        return Ok(reference.to_owned());
    }
    let mut b = url::Url::parse(base).map_err(|e| format!("failed to parse {base} as URL: {e}"))?;
    let query = b.query().map(str::to_owned);
    let path = format!("{}/", b.path().trim_end_matches('/'));
    b.set_path(&path);
    let mut r = b
        .join(reference)
        .map_err(|e| format!("failed to parse {reference} as URL: {e}"))?;
    r.set_query(query.as_deref());
    Ok(r.to_string())
}

// ---------------------------------------------------------------------------------------
// Reading.

/// Reads what `index` (the bytes of an `index.yaml`, YAML or JSON) says about `chart`.
///
/// # Errors
/// [`IndexError`]: the index is empty, too large, does not decode as Helm decodes it
/// (syntax, duplicate keys, unknown fields, type errors in the chart asked for), or has
/// no `apiVersion`.
pub fn parse_chart_index(
    index: &[u8],
    chart: &str,
    opts: &IndexOptions,
) -> Result<ChartIndex, IndexError> {
    if index.is_empty() {
        return Err(IndexError::Empty);
    }
    if index.len() > opts.max_bytes {
        return Err(IndexError::TooLarge {
            size: index.len(),
            limit: opts.max_bytes,
        });
    }
    let text = String::from_utf8_lossy(index);
    let raw = match json_index(&text, chart) {
        Some(raw) => raw,
        None => yaml_index(&text, chart)?,
    };
    finish(raw, chart)
}

/// The undecoded parts an index is made of.
struct Raw {
    json: bool,
    /// Top-level fields other than `entries`, in document order.
    fields: Vec<(String, Value)>,
    /// The chart's entry (`None`: absent).
    chart: Option<Value>,
}

fn decode_err(message: impl Into<String>) -> IndexError {
    IndexError::Decode {
        message: message.into(),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn type_err(v: &Value, field: &str, ty: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go struct field {field} of type {ty}",
        json_kind(v)
    )
}

fn finish(raw: Raw, chart: &str) -> Result<ChartIndex, IndexError> {
    let wrap = |e: String| {
        if raw.json {
            decode_err(e)
        } else {
            decode_err(format!("error unmarshaling JSON: while decoding JSON: {e}"))
        }
    };
    let mut api_version = String::new();
    for (key, v) in &raw.fields {
        let k = key.to_ascii_lowercase();
        match (k.as_str(), v) {
            (_, Value::Null) => {}
            ("apiversion", Value::String(s)) => api_version.clone_from(s),
            ("apiversion", v) => return Err(wrap(type_err(v, "IndexFile.apiVersion", "string"))),
            ("generated", Value::String(s)) => {
                check_time(s).map_err(wrap)?;
            }
            ("generated", v) => return Err(wrap(type_err(v, "IndexFile.generated", "time.Time"))),
            ("serverinfo", Value::Map(_)) => {}
            ("serverinfo", v) => {
                return Err(wrap(type_err(
                    v,
                    "IndexFile.serverInfo",
                    "map[string]interface {}",
                )));
            }
            ("publickeys", Value::Seq(items)) => {
                if let Some(x) = items
                    .iter()
                    .find(|x| !matches!(x, Value::String(_) | Value::Null))
                {
                    return Err(wrap(type_err(x, "IndexFile.publicKeys", "string")));
                }
            }
            ("publickeys", v) => return Err(wrap(type_err(v, "IndexFile.publicKeys", "[]string"))),
            ("annotations", Value::Map(m)) => {
                if let Some(x) = m
                    .values()
                    .find(|x| !matches!(x, Value::String(_) | Value::Null))
                {
                    return Err(wrap(type_err(x, "IndexFile.annotations", "string")));
                }
            }
            ("annotations", v) => {
                return Err(wrap(type_err(
                    v,
                    "IndexFile.annotations",
                    "map[string]string",
                )));
            }
            _ => {}
        }
    }
    let mut warnings = Vec::new();
    let versions = match raw.chart {
        None => None,
        Some(Value::Null) => Some(Vec::new()),
        Some(Value::Seq(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                match decode_chart_version(item).map_err(&wrap)? {
                    None => warnings.push(format!(
                        "skipping loading invalid entry for chart {chart:?}: empty entry"
                    )),
                    Some(mut cv) => {
                        if cv.metadata.api_version.is_empty() {
                            "v1".clone_into(&mut cv.metadata.api_version);
                        }
                        match validate_metadata(&mut cv.metadata) {
                            Ok(()) => out.push(cv),
                            Err(e)
                                if e.message.starts_with(
                                    "validation: more than one dependency with name or alias",
                                ) =>
                            {
                                out.push(cv);
                            }
                            Err(e) => warnings.push(format!(
                                "skipping loading invalid entry for chart {chart:?} {:?}: {}",
                                cv.metadata.version, e.message
                            )),
                        }
                    }
                }
            }
            Some(out)
        }
        Some(v) => {
            return Err(wrap(type_err(
                &v,
                "IndexFile.entries",
                "repo.ChartVersions",
            )));
        }
    };
    if api_version.is_empty() {
        return Err(IndexError::NoApiVersion);
    }
    Ok(ChartIndex {
        api_version,
        chart: chart.to_owned(),
        versions,
        warnings,
        json: raw.json,
    })
}

/// `time.Time.UnmarshalJSON` of a string: RFC 3339 (`2006-01-02T15:04:05Z07:00`, with
/// optional fractional seconds), or Go's `time.Parse` error text.
fn check_time(v: &str) -> Result<(), String> {
    const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";
    let q = strconv::quote;
    let cannot = |rest: &str, elem: &str| {
        format!(
            "parsing time {} as \"{LAYOUT}\": cannot parse {} as {}",
            q(v),
            q(rest),
            q(elem)
        )
    };
    let range = |what: &str| format!("parsing time {}: {what} out of range", q(v));
    let digits = |rest: &str, n: usize| -> Option<u32> {
        let d = rest.get(..n)?;
        if d.bytes().all(|b| b.is_ascii_digit()) {
            d.parse().ok()
        } else {
            None
        }
    };
    let mut rest = v;
    let year = digits(rest, 4).ok_or_else(|| cannot(rest, "2006"))?;
    rest = &rest[4..];
    let mut fields = [0u32; 5];
    for (i, (sep, elem)) in [
        ("-", "01"),
        ("-", "02"),
        ("T", "15"),
        (":", "04"),
        (":", "05"),
    ]
    .iter()
    .enumerate()
    {
        rest = rest.strip_prefix(sep).ok_or_else(|| cannot(rest, sep))?;
        // `15` (stdHour) takes one or two digits; the others exactly two.
        let n = if *elem == "15" && !rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
            1
        } else {
            2
        };
        fields[i] = digits(rest, n).ok_or_else(|| cannot(rest, elem))?;
        rest = &rest[n..];
    }
    let [month, day, hour, minute, second] = fields;
    if !(1..=12).contains(&month) {
        return Err(range("month"));
    }
    if hour > 23 {
        return Err(range("hour"));
    }
    if minute > 59 {
        return Err(range("minute"));
    }
    if second > 59 {
        return Err(range("second"));
    }
    if (rest.starts_with('.') || rest.starts_with(','))
        && rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit)
    {
        let n = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        rest = &rest[1 + n..];
    }
    if let Some(r) = rest.strip_prefix('Z') {
        rest = r;
    } else {
        let b = rest.as_bytes();
        let ok = b.len() >= 6
            && (b[0] == b'+' || b[0] == b'-')
            && b[1].is_ascii_digit()
            && b[2].is_ascii_digit()
            && b[3] == b':'
            && b[4].is_ascii_digit()
            && b[5].is_ascii_digit();
        if !ok {
            return Err(cannot(rest, "Z07:00"));
        }
        rest = &rest[6..];
    }
    if !rest.is_empty() {
        return Err(format!("parsing time {}: extra text: {}", q(v), q(rest)));
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > days {
        return Err(range("day"));
    }
    Ok(())
}

/// `chart.Metadata` plus `repo.ChartVersion`'s own fields, for `sigs.k8s.io/yaml`'s
/// coercion.
static CHART_VERSION: Target = Target::Fields(&[
    ("name", Target::Str),
    ("home", Target::Str),
    ("sources", Target::SliceOf(&Target::Str)),
    ("version", Target::Str),
    ("description", Target::Str),
    ("keywords", Target::SliceOf(&Target::Str)),
    ("maintainers", Target::SliceOf(&MAINTAINER)),
    ("icon", Target::Str),
    ("apiVersion", Target::Str),
    ("condition", Target::Str),
    ("tags", Target::Str),
    ("appVersion", Target::Str),
    ("deprecated", Target::Any),
    ("annotations", Target::MapOf(&Target::Str)),
    ("kubeVersion", Target::Str),
    ("dependencies", Target::SliceOf(&DEPENDENCY)),
    ("type", Target::Str),
    ("urls", Target::SliceOf(&Target::Str)),
    ("created", Target::Any),
    ("removed", Target::Any),
    ("digest", Target::Str),
    ("checksum", Target::Str),
    ("engine", Target::Str),
    ("tillerVersion", Target::Str),
    ("url", Target::Str),
]);

static CHART_VERSIONS: Target = Target::SliceOf(&CHART_VERSION);

static ROOT_FIELDS: Target = Target::Fields(&[
    ("apiVersion", Target::Str),
    ("generated", Target::Any),
    ("serverInfo", Target::Any),
    ("publicKeys", Target::SliceOf(&Target::Str)),
    ("annotations", Target::MapOf(&Target::Str)),
]);

fn decode_chart_version(v: &Value) -> Result<Option<ChartVersion>, String> {
    let m = match v {
        Value::Null => return Ok(None),
        Value::Map(m) => m,
        v => return Err(type_err(v, "IndexFile.entries", "repo.ChartVersion")),
    };
    let mut metadata = Metadata::default();
    decode_metadata_value(v, &mut metadata).map_err(|e| {
        e.replace(
            "Go struct field Metadata.",
            "Go struct field ChartVersion.entries.Metadata.",
        )
        .replace(
            "Go struct field Maintainer.maintainers.",
            "Go struct field Maintainer.entries.Metadata.maintainers.",
        )
        .replace(
            "Go struct field Dependency.dependencies.",
            "Go struct field Dependency.entries.Metadata.dependencies.",
        )
    })?;
    let mut cv = ChartVersion {
        metadata,
        urls: Vec::new(),
        created: String::new(),
        removed: false,
        digest: String::new(),
    };
    let mut keys: Vec<(&String, &Value)> = m.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    for (k, x) in keys {
        let field = |n: &str| format!("ChartVersion.entries.{n}");
        match (k.to_ascii_lowercase().as_str(), x) {
            ("urls", Value::Null) => cv.urls.clear(),
            ("urls", Value::Seq(items)) => {
                cv.urls = Vec::with_capacity(items.len());
                for it in items {
                    match it {
                        Value::String(s) => cv.urls.push(s.clone()),
                        Value::Null => cv.urls.push(String::new()),
                        it => return Err(type_err(it, &field("urls"), "string")),
                    }
                }
            }
            ("urls", x) => return Err(type_err(x, &field("urls"), "[]string")),
            ("created", Value::Null) => {}
            ("created", Value::String(s)) => {
                check_time(s)?;
                cv.created.clone_from(s);
            }
            ("created", x) => return Err(type_err(x, &field("created"), "time.Time")),
            ("removed", Value::Null) => {}
            ("removed", Value::Bool(b)) => cv.removed = *b,
            ("removed", x) => return Err(type_err(x, &field("removed"), "bool")),
            ("digest", Value::String(s)) => cv.digest.clone_from(s),
            (
                "digest" | "checksum" | "engine" | "tillerversion" | "url",
                Value::Null | Value::String(_),
            ) => {}
            (f @ ("digest" | "checksum" | "engine" | "tillerversion" | "url"), x) => {
                return Err(type_err(x, &field(f), "string"));
            }
            _ => {}
        }
    }
    Ok(Some(cv))
}

// ---------------------------------------------------------------------------------------
// JSON indexes: `json.Valid` then `json.Unmarshal` (unknown fields ignored).

/// The index read as JSON, or `None` when it is not valid JSON (then Helm reads YAML).
fn json_index(text: &str, chart: &str) -> Option<Raw> {
    let first = text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .as_bytes()
        .first()?;
    if !matches!(
        first,
        b'{' | b'[' | b'"' | b'n' | b't' | b'f' | b'-' | b'0'..=b'9'
    ) {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let mut raw = Raw {
        json: true,
        fields: Vec::new(),
        chart: None,
    };
    let ok = serde::de::DeserializeSeed::deserialize(
        JsonRoot {
            raw: &mut raw,
            chart,
        },
        &mut de,
    )
    .is_ok()
        && de.end().is_ok();
    ok.then_some(raw)
}

fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            Value::Number(crate::yaml::Number::Float(n.as_f64().unwrap_or(f64::NAN)))
        }
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(items) => Value::Seq(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(m) => {
            Value::Map(m.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

/// Go's `encoding/json` field matching: exact, else ASCII case-insensitive.
fn go_field<'f>(fields: &[&'f str], key: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| f.eq_ignore_ascii_case(key)))
        .copied()
}

const ROOT_FIELD_NAMES: &[&str] = &[
    "serverInfo",
    "apiVersion",
    "generated",
    "entries",
    "publicKeys",
    "annotations",
];

struct JsonRoot<'r> {
    raw: &'r mut Raw,
    chart: &'r str,
}

impl<'de> serde::de::DeserializeSeed<'de> for JsonRoot<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for JsonRoot<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an index")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match go_field(ROOT_FIELD_NAMES, &key) {
                Some("entries") => map.next_value_seed(JsonEntries {
                    raw: &mut *self.raw,
                    chart: self.chart,
                })?,
                Some(f) => {
                    let v: serde_json::Value = map.next_value()?;
                    self.raw.fields.push((f.to_owned(), from_json(v)));
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct JsonEntries<'r> {
    raw: &'r mut Raw,
    chart: &'r str,
}

impl<'de> serde::de::DeserializeSeed<'de> for JsonEntries<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for JsonEntries<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("index entries")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == self.chart {
                let v: serde_json::Value = map.next_value()?;
                self.raw.chart = Some(from_json(v));
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// YAML indexes: one pass over go-yaml v2's events.

/// What Helm's types expect at each level: the fields it knows (for `UnmarshalStrict`'s
/// unknown-field check) and the kinds of values (for `encoding/json`'s type errors), with
/// the field path and type Go's error names.
#[derive(Clone, Copy)]
enum Shape {
    /// A struct (or null): field names matched ASCII case-insensitively.
    Struct {
        fields: &'static [(&'static str, Shape)],
        at: &'static str,
        ty: &'static str,
    },
    /// A list (or null).
    Seq {
        elem: &'static Shape,
        at: &'static str,
        ty: &'static str,
    },
    /// A map (or null).
    Map {
        value: &'static Shape,
        at: &'static str,
        ty: &'static str,
    },
    /// A string: any scalar (`sigs.k8s.io/yaml` turns numbers and booleans into text).
    Str(&'static str),
    /// A boolean (or null).
    Bool(&'static str),
    /// A `time.Time`: an RFC 3339 string (or null).
    Time(&'static str),
    /// Anything.
    Any,
}

const fn str_seq(at: &'static str) -> Shape {
    Shape::Seq {
        elem: &Shape::Any,
        at,
        ty: "[]string",
    }
}

static MAINTAINER_SHAPE: Shape = Shape::Struct {
    fields: &[
        (
            "name",
            Shape::Str("Maintainer.entries.Metadata.maintainers.name"),
        ),
        (
            "email",
            Shape::Str("Maintainer.entries.Metadata.maintainers.email"),
        ),
        (
            "url",
            Shape::Str("Maintainer.entries.Metadata.maintainers.url"),
        ),
    ],
    at: "ChartVersion.entries.Metadata.maintainers",
    ty: "v2.Maintainer",
};

static DEPENDENCY_SHAPE: Shape = Shape::Struct {
    fields: &[
        (
            "name",
            Shape::Str("Dependency.entries.Metadata.dependencies.name"),
        ),
        (
            "version",
            Shape::Str("Dependency.entries.Metadata.dependencies.version"),
        ),
        (
            "repository",
            Shape::Str("Dependency.entries.Metadata.dependencies.repository"),
        ),
        (
            "condition",
            Shape::Str("Dependency.entries.Metadata.dependencies.condition"),
        ),
        (
            "tags",
            str_seq("Dependency.entries.Metadata.dependencies.tags"),
        ),
        (
            "enabled",
            Shape::Bool("Dependency.entries.Metadata.dependencies.enabled"),
        ),
        ("import-values", Shape::Any),
        (
            "alias",
            Shape::Str("Dependency.entries.Metadata.dependencies.alias"),
        ),
    ],
    at: "ChartVersion.entries.Metadata.dependencies",
    ty: "v2.Dependency",
};

static CHART_VERSION_SHAPE: Shape = Shape::Struct {
    fields: &[
        ("name", Shape::Str("ChartVersion.entries.Metadata.name")),
        ("home", Shape::Str("ChartVersion.entries.Metadata.home")),
        ("sources", str_seq("ChartVersion.entries.Metadata.sources")),
        (
            "version",
            Shape::Str("ChartVersion.entries.Metadata.version"),
        ),
        (
            "description",
            Shape::Str("ChartVersion.entries.Metadata.description"),
        ),
        (
            "keywords",
            str_seq("ChartVersion.entries.Metadata.keywords"),
        ),
        (
            "maintainers",
            Shape::Seq {
                elem: &MAINTAINER_SHAPE,
                at: "ChartVersion.entries.Metadata.maintainers",
                ty: "[]*v2.Maintainer",
            },
        ),
        ("icon", Shape::Str("ChartVersion.entries.Metadata.icon")),
        (
            "apiVersion",
            Shape::Str("ChartVersion.entries.Metadata.apiVersion"),
        ),
        (
            "condition",
            Shape::Str("ChartVersion.entries.Metadata.condition"),
        ),
        ("tags", Shape::Str("ChartVersion.entries.Metadata.tags")),
        (
            "appVersion",
            Shape::Str("ChartVersion.entries.Metadata.appVersion"),
        ),
        (
            "deprecated",
            Shape::Bool("ChartVersion.entries.Metadata.deprecated"),
        ),
        (
            "annotations",
            Shape::Map {
                value: &Shape::Str("ChartVersion.entries.Metadata.annotations"),
                at: "ChartVersion.entries.Metadata.annotations",
                ty: "map[string]string",
            },
        ),
        (
            "kubeVersion",
            Shape::Str("ChartVersion.entries.Metadata.kubeVersion"),
        ),
        (
            "dependencies",
            Shape::Seq {
                elem: &DEPENDENCY_SHAPE,
                at: "ChartVersion.entries.Metadata.dependencies",
                ty: "[]*v2.Dependency",
            },
        ),
        ("type", Shape::Str("ChartVersion.entries.Metadata.type")),
        ("urls", str_seq("ChartVersion.entries.urls")),
        ("created", Shape::Time("ChartVersion.entries.created")),
        ("removed", Shape::Bool("ChartVersion.entries.removed")),
        ("digest", Shape::Str("ChartVersion.entries.digest")),
        ("checksum", Shape::Str("ChartVersion.entries.checksum")),
        ("engine", Shape::Str("ChartVersion.entries.engine")),
        (
            "tillerVersion",
            Shape::Str("ChartVersion.entries.tillerVersion"),
        ),
        ("url", Shape::Str("ChartVersion.entries.url")),
    ],
    at: "IndexFile.entries",
    ty: "repo.ChartVersion",
};

static CHART_VERSIONS_SHAPE: Shape = Shape::Seq {
    elem: &CHART_VERSION_SHAPE,
    at: "IndexFile.entries",
    ty: "repo.ChartVersions",
};

static ROOT_SHAPE: Shape = Shape::Struct {
    fields: &[
        ("serverInfo", Shape::Any),
        ("apiVersion", Shape::Any),
        ("generated", Shape::Any),
        (
            "entries",
            Shape::Map {
                value: &CHART_VERSIONS_SHAPE,
                at: "IndexFile.entries",
                ty: "map[string]repo.ChartVersions",
            },
        ),
        ("publicKeys", Shape::Any),
        ("annotations", Shape::Any),
    ],
    at: "",
    ty: "repo.IndexFile",
};

/// The JSON kind of a scalar event as go-yaml v2 resolves it.
fn scalar_value(
    text: &str,
    style: saphyr_parser::ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
) -> Value {
    let node = Node {
        kind: NodeKind::Scalar(crate::yaml::Scalar {
            text: text.to_owned(),
            style: match style {
                saphyr_parser::ScalarStyle::Plain => crate::yaml::ScalarStyle::Plain,
                saphyr_parser::ScalarStyle::SingleQuoted => crate::yaml::ScalarStyle::SingleQuoted,
                saphyr_parser::ScalarStyle::DoubleQuoted => crate::yaml::ScalarStyle::DoubleQuoted,
                saphyr_parser::ScalarStyle::Literal => crate::yaml::ScalarStyle::Literal,
                saphyr_parser::ScalarStyle::Folded => crate::yaml::ScalarStyle::Folded,
            },
            tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
        }),
        pos: crate::yaml::Pos::default(),
        tag: None,
    };
    resolve_go_v2(&node).unwrap_or(Value::Null)
}

/// `encoding/json`'s type check of one value (not looking inside collections).
fn check_kind(shape: Shape, event: &Event<'_>) -> Result<(), IndexError> {
    let kind = match event {
        Event::MappingStart(..) => "object",
        Event::SequenceStart(..) => "array",
        Event::Scalar(..) => "scalar",
        _ => return Ok(()),
    };
    let fail = |found: &str, at: &str, ty: &str| {
        Err(decode_err(format!(
            "error unmarshaling JSON: while decoding JSON: {}",
            type_err_kind(found, at, ty)
        )))
    };
    let scalar = || match event {
        Event::Scalar(t, style, _, tag) => scalar_value(t, *style, tag.as_deref()),
        _ => Value::Null,
    };
    match shape {
        Shape::Any => Ok(()),
        Shape::Struct { at, ty, .. } | Shape::Seq { at, ty, .. } | Shape::Map { at, ty, .. } => {
            let wanted = match shape {
                Shape::Struct { .. } | Shape::Map { .. } => "object",
                _ => "array",
            };
            if kind == wanted {
                return Ok(());
            }
            if kind == "scalar" {
                let v = scalar();
                if v == Value::Null {
                    return Ok(());
                }
                return fail(json_kind(&v), at, ty);
            }
            fail(kind, at, ty)
        }
        Shape::Str(at) => match kind {
            "scalar" => Ok(()),
            k => fail(k, at, "string"),
        },
        Shape::Bool(at) => match kind {
            "scalar" => match scalar() {
                Value::Null | Value::Bool(_) => Ok(()),
                v => fail(json_kind(&v), at, "bool"),
            },
            k => fail(k, at, "bool"),
        },
        Shape::Time(at) => match kind {
            "scalar" => match scalar() {
                Value::Null => Ok(()),
                Value::String(s) => check_time(&s).map_err(|e| {
                    decode_err(format!("error unmarshaling JSON: while decoding JSON: {e}"))
                }),
                v => fail(json_kind(&v), at, "time.Time"),
            },
            k => fail(k, at, "time.Time"),
        },
    }
}

fn type_err_kind(found: &str, at: &str, ty: &str) -> String {
    if at.is_empty() {
        format!("json: cannot unmarshal {found} into Go value of type {ty}")
    } else {
        format!("json: cannot unmarshal {found} into Go struct field {at} of type {ty}")
    }
}

/// Keys seen in one mapping: a short list, or a set once it grows.
enum Keys {
    Few(Vec<String>),
    Many(HashSet<String>),
}

impl Keys {
    /// Records `k`; false when it was there already.
    fn insert(&mut self, k: &str) -> bool {
        match self {
            Keys::Few(v) => {
                if v.iter().any(|x| x == k) {
                    return false;
                }
                v.push(k.to_owned());
                if v.len() > 32 {
                    let set: HashSet<String> = std::mem::take(v).into_iter().collect();
                    *self = Keys::Many(set);
                }
                true
            }
            Keys::Many(s) => s.insert(k.to_owned()),
        }
    }
}

/// What a collection being read is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The document's root mapping.
    Root,
    /// `entries`.
    Entries,
    /// Anything else.
    Other,
}

enum Frame {
    Map {
        shape: Shape,
        role: Role,
        keys: Keys,
        /// The value to come: its shape and role (`None` while a key is expected).
        pending: Option<(Shape, Role, Capture)>,
        /// A complex key is being skipped (its value comes next).
        complex_key: bool,
    },
    Seq {
        element: Shape,
    },
}

/// Where a value being read goes.
#[derive(Clone, PartialEq, Eq)]
enum Capture {
    /// Nowhere: checked only.
    None,
    /// A top-level field.
    Field(String),
    /// The chart's entry.
    Chart,
}

struct Capturing<'t, 'o> {
    builder: SubtreeBuilder<'t, 'o>,
    /// Stack depth the captured value started at.
    depth: usize,
    target: Capture,
}

fn yaml_err(e: &YamlError) -> IndexError {
    decode_err(format!("error converting YAML to JSON: {}", e.go_text()))
}

fn yaml_index(text: &str, chart: &str) -> Result<Raw, IndexError> {
    let opts = ParseOptions {
        duplicate_keys: DuplicateKeys::LastWins,
        first_document_only: true,
        skip_empty_documents: false,
        ..ParseOptions::helm_values()
    };
    let mut w = Walker {
        text,
        chart,
        opts: &opts,
        raw: Raw {
            json: false,
            fields: Vec::new(),
            chart: None,
        },
        stack: Vec::new(),
        capture: None,
        needs_full_parse: false,
        dup_errors: Vec::new(),
        skip_depth: 0,
        root_kind: None,
        json_error: None,
    };
    let mut started = false;
    for ev in GoParser::new(text, Dialect::V2) {
        let (event, span): (Event<'_>, Span) = ev.map_err(|e| yaml_err(&go_error(&e)))?;
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::DocumentStart(_) => started = true,
            _ if started => w.event(event, span)?,
            _ => {}
        }
    }
    if !w.dup_errors.is_empty() {
        return Err(decode_err(format!(
            "error converting YAML to JSON: yaml: unmarshal errors:\n  {}",
            w.dup_errors.join("\n  ")
        )));
    }
    if let Some(e) = w.json_error {
        return Err(e);
    }
    if w.needs_full_parse {
        return full_parse(text, chart, &opts);
    }
    if let Some(kind) = w.root_kind {
        return Err(decode_err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type repo.IndexFile"
        )));
    }
    Ok(w.raw)
}

/// The streaming pass over one document's events.
struct Walker<'t, 'o> {
    text: &'t str,
    chart: &'t str,
    opts: &'o ParseOptions,
    raw: Raw,
    stack: Vec<Frame>,
    capture: Option<Capturing<'t, 'o>>,
    /// An alias in the chart's entry names an anchor outside it.
    needs_full_parse: bool,
    /// `UnmarshalStrict`'s duplicate key errors.
    dup_errors: Vec<String>,
    /// Nesting of a complex key being skipped.
    skip_depth: usize,
    /// The JSON kind of a root that is not a mapping or null.
    root_kind: Option<&'static str>,
    /// The first unknown field or type error found outside the captured values:
    /// reported once the whole text has parsed (YAML errors come first in Helm).
    json_error: Option<IndexError>,
}

impl<'t, 'o> Walker<'t, 'o> {
    fn feed(&mut self, event: Event<'t>, span: Span) -> Result<(), IndexError> {
        if let Some(c) = self.capture.as_mut() {
            if let Event::Alias(id) = event
                && !c.builder.knows_anchor(id)
            {
                // Decided on a second, whole-document pass; keep checking the rest.
                self.needs_full_parse = true;
                self.capture = None;
                return Ok(());
            }
            c.builder.event(event, span).map_err(|e| yaml_err(&e))?;
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'t>, span: Span) -> Result<(), IndexError> {
        if self.skip_depth > 0 {
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => self.skip_depth += 1,
                Event::MappingEnd | Event::SequenceEnd => self.skip_depth -= 1,
                _ => {}
            }
            self.feed(event, span)?;
            if self.skip_depth == 0 {
                value_done(&mut self.stack);
            }
            return Ok(());
        }
        if let Some(Frame::Map { pending: None, .. }) = self.stack.last()
            && !matches!(event, Event::MappingEnd)
        {
            return self.key(event, span);
        }
        let (shape, role, target) = match self.stack.last() {
            None => (ROOT_SHAPE, Role::Root, Capture::None),
            Some(Frame::Map { pending, .. }) => {
                pending
                    .clone()
                    .unwrap_or((Shape::Any, Role::Other, Capture::None))
            }
            Some(Frame::Seq { element }) => (*element, Role::Other, Capture::None),
        };
        if self.stack.is_empty() {
            self.root_kind = match &event {
                Event::SequenceStart(..) => Some("array"),
                Event::Scalar(t, style, _, tag) => {
                    let null = matches!(style, saphyr_parser::ScalarStyle::Plain)
                        && tag.is_none()
                        && matches!(t.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                    (!null).then_some("string")
                }
                _ => None,
            };
        }
        if self.capture.is_none()
            && target == Capture::None
            && role != Role::Root
            && self.json_error.is_none()
            && let Err(e) = check_kind(shape, &event)
        {
            self.json_error = Some(e);
        }
        if self.capture.is_none()
            && target != Capture::None
            && !matches!(event, Event::MappingEnd | Event::SequenceEnd)
        {
            self.capture = Some(Capturing {
                builder: SubtreeBuilder::new(self.text, self.opts).map_err(|e| yaml_err(&e))?,
                depth: self.stack.len(),
                target,
            });
        }
        match event {
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.feed(event, span)?;
                self.close_capture()?;
                value_done(&mut self.stack);
            }
            Event::MappingStart(..) => {
                self.feed(event, span)?;
                self.stack.push(Frame::Map {
                    shape: match shape {
                        Shape::Struct { .. } | Shape::Map { .. } => shape,
                        _ => Shape::Any,
                    },
                    role,
                    keys: Keys::Few(Vec::new()),
                    pending: None,
                    complex_key: false,
                });
            }
            Event::SequenceStart(..) => {
                self.feed(event, span)?;
                self.stack.push(Frame::Seq {
                    element: match shape {
                        Shape::Seq { elem, .. } => *elem,
                        _ => Shape::Any,
                    },
                });
            }
            Event::Scalar(..) | Event::Alias(_) => {
                self.feed(event, span)?;
                self.close_capture()?;
                value_done(&mut self.stack);
            }
            _ => {}
        }
        Ok(())
    }

    /// An event at a key position of a mapping.
    fn key(&mut self, event: Event<'t>, span: Span) -> Result<(), IndexError> {
        let Some(Frame::Map {
            shape,
            role,
            keys,
            pending,
            complex_key,
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        let Event::Scalar(key, ..) = &event else {
            // A complex key (a collection or an alias): skipped. sigs.k8s.io/yaml refuses
            // most of them when converting; nothing Helm writes has one.
            *pending = Some((Shape::Any, Role::Other, Capture::None));
            if matches!(event, Event::MappingStart(..) | Event::SequenceStart(..)) {
                *complex_key = true;
                self.skip_depth = 1;
            }
            return self.feed(event, span);
        };
        let key: &str = key;
        if key != "<<" && !keys.insert(key) {
            self.dup_errors.push(format!(
                "line {}: key {} already set in map",
                span.start.line(),
                strconv::quote(key)
            ));
        }
        let next = match (*shape, *role) {
            (Shape::Struct { fields, .. }, r) => {
                let f = fields
                    .iter()
                    .find(|(n, _)| *n == key)
                    .or_else(|| fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(key)));
                match f {
                    Some(("entries", s)) if r == Role::Root => (*s, Role::Entries, Capture::None),
                    Some((n, s)) if r == Role::Root => {
                        (*s, Role::Other, Capture::Field((*n).to_owned()))
                    }
                    Some((_, s)) => (*s, Role::Other, Capture::None),
                    None if key == "<<" => (Shape::Any, Role::Other, Capture::None),
                    None => {
                        if self.json_error.is_none() {
                            self.json_error = Some(decode_err(format!(
                                "error unmarshaling JSON: while decoding JSON: json: unknown field {}",
                                strconv::quote(key)
                            )));
                        }
                        (Shape::Any, Role::Other, Capture::None)
                    }
                }
            }
            (Shape::Map { value, .. }, Role::Entries) if key == self.chart => {
                (*value, Role::Other, Capture::Chart)
            }
            (Shape::Map { value, .. }, _) => (*value, Role::Other, Capture::None),
            _ => (Shape::Any, Role::Other, Capture::None),
        };
        *pending = Some(next);
        self.feed(event, span)
    }

    fn close_capture(&mut self) -> Result<(), IndexError> {
        let depth = self.stack.len();
        if self.capture.as_ref().is_some_and(|c| c.depth == depth)
            && let Some(c) = self.capture.take()
        {
            let node = c.builder.finish().map_err(|e| yaml_err(&e))?;
            let value = match node {
                Some(n) => resolve_go_v2(&n).map_err(|e| yaml_err(&e))?,
                None => Value::Null,
            };
            store(c.target, value, &mut self.raw)?;
        }
        Ok(())
    }
}

/// After a value: the mapping above expects a key again (or, after a complex key, its
/// value).
fn value_done(stack: &mut [Frame]) {
    if let Some(Frame::Map {
        pending,
        complex_key,
        ..
    }) = stack.last_mut()
    {
        if *complex_key {
            *complex_key = false;
        } else {
            *pending = None;
        }
    }
}

fn store(target: Capture, value: Value, raw: &mut Raw) -> Result<(), IndexError> {
    match target {
        Capture::None => {}
        Capture::Field(name) => {
            let t = match &ROOT_FIELDS {
                Target::Fields(fs) => fs.iter().find(|(n, _)| *n == name).map(|(_, t)| t),
                _ => None,
            };
            let v = match t {
                Some(t) => json_for(value, t).map_err(decode_err)?,
                None => value,
            };
            raw.fields.push((name, v));
        }
        Capture::Chart => {
            raw.chart = Some(json_for(value, &CHART_VERSIONS).map_err(decode_err)?);
        }
    }
    Ok(())
}

/// The whole first document as nodes: for indexes whose chart entry uses anchors defined
/// elsewhere. Keys were already checked by the streaming pass.
fn full_parse(text: &str, chart: &str, opts: &ParseOptions) -> Result<Raw, IndexError> {
    let docs = parse_stream(text, opts).map_err(|e| yaml_err(&e))?;
    let mut raw = Raw {
        json: false,
        fields: Vec::new(),
        chart: None,
    };
    let Some(root) = docs.into_iter().next() else {
        return Ok(raw);
    };
    let NodeKind::Map(pairs) = root.kind else {
        return Ok(raw);
    };
    for (k, v) in pairs {
        let NodeKind::Scalar(ks) = &k.kind else {
            continue;
        };
        let fields = [
            "serverInfo",
            "apiVersion",
            "generated",
            "publicKeys",
            "annotations",
        ];
        if ks.text.eq_ignore_ascii_case("entries") {
            if let NodeKind::Map(charts) = v.kind {
                for (ck, cv) in charts {
                    if matches!(&ck.kind, NodeKind::Scalar(s) if s.text == chart) {
                        let value = resolve_go_v2(&cv).map_err(|e| yaml_err(&e))?;
                        store(Capture::Chart, value, &mut raw)?;
                    }
                }
            }
        } else if let Some(f) = go_field(&fields, &ks.text) {
            let value = resolve_go_v2(&Node { ..v }).map_err(|e| yaml_err(&e))?;
            store(Capture::Field(f.to_owned()), value, &mut raw)?;
        }
    }
    Ok(raw)
}

#[cfg(test)]
mod tests;

//! Helm's release records and how Helm v4 stores them in the cluster: the
//! `sh.helm.release.v1.<name>.v<revision>` Secret.
//!
//! Helm v4 (`pkg/storage/driver`) stores a release as a Secret of type
//! `helm.sh/release.v1` whose `data.release` is the base64 text of the gzip (best
//! compression) of the release's `encoding/json` form, with the labels `name`, `owner`
//! (`helm`), `status`, `version` and `createdAt` (on create) or `modifiedAt` (on update),
//! plus the release's own labels.
//!
//! * [`Release`] mirrors Helm's `release/v1.Release` field by field, keeping what Go
//!   distinguishes (a `null` list from an empty one, a missing time from the zero time) so
//!   that [`Release::to_json`] prints exactly what `json.Marshal` prints and
//!   [`Release::from_json`] reads what `json.Unmarshal` reads (numbers in values become
//!   float64, as in Go).
//! * [`encode_release`] / [`decode_release`] are Helm's `encodeRelease` / `decodeRelease`:
//!   the gzip bytes are those of Go's `compress/gzip` at `BestCompression` (see
//!   [`crate::go::gzip`]), so a record round-trips byte for byte.
//! * [`release_secret`] and [`release_from_secret`] build and read the Secret object.
//! * [`ChartRecord::from_chart`] and [`Release::set_rendered`] fill a record from a loaded
//!   chart and a render, as `helm install` does.
//!
//! The module is pure: times are given by the caller.
//!
//! ```
//! use gitward::helm::release::{Release, Status, Timestamp, encode_release, decode_release};
//! let mut rel = Release::new("web", "prod", 1, None, Default::default(), Timestamp::from_unix(1_700_000_000, 0));
//! rel.set_status(Status::Deployed, "Install complete");
//! let stored = encode_release(&rel).unwrap();
//! assert_eq!(decode_release(&stored).unwrap().to_json().unwrap(), rel.to_json().unwrap());
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::chart::{Chart, Dependency, Maintainer, Metadata};
use super::engine::Rendered;
use crate::go::json::write_str;
use crate::yaml::{Map, Value};

/// Largest decompressed release accepted by [`decode_release`] (Helm has no bound; a
/// Secret holds at most 1 MiB, so this leaves a wide margin).
pub const MAX_DECODED_SIZE: usize = 256 * 1024 * 1024;
/// Deepest JSON nesting accepted by [`Release::from_json`].
pub const MAX_JSON_DEPTH: usize = 2_000;
/// The Secret `type` of Helm 3 and 4 releases.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// Labels that Helm's storage driver sets itself; they are not release labels.
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// A release record could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// The stored text is not base64.
    #[error("illegal base64 data: {0}")]
    Base64(String),
    /// The gzip stream is corrupt or too large.
    #[error("gzip: {0}")]
    Gzip(String),
    /// The JSON is malformed or does not fit Helm's release type; the message names the
    /// field as Go does (`Release.info.status`).
    #[error("{0}")]
    Json(String),
    /// A value cannot be printed as JSON (NaN, infinity, a time outside years 0–9999).
    #[error("json: {0}")]
    Unsupported(String),
    /// The Secret lacks `data.release` or is not a Helm release Secret.
    #[error("{0}")]
    Secret(String),
}

fn json_err(m: impl Into<String>) -> ReleaseError {
    ReleaseError::Json(m.into())
}

// ---------------------------------------------------------------------------------------
// Time

/// A Go `time.Time` as JSON carries it: an instant and the zone offset it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nsec: u32,
    /// Offset east of UTC, in seconds, the time is printed with (`Z` when 0).
    pub offset: i32,
}

impl Timestamp {
    /// The zero `time.Time` (January 1, year 1, UTC), which `omitzero` leaves out.
    pub const ZERO: Timestamp = Timestamp {
        unix: -62_135_596_800,
        nsec: 0,
        offset: 0,
    };

    /// A UTC instant.
    pub fn from_unix(unix: i64, nsec: u32) -> Timestamp {
        Timestamp {
            unix,
            nsec: nsec.min(999_999_999),
            offset: 0,
        }
    }

    /// Whether this is Go's zero time (`Time.IsZero`).
    pub fn is_zero(&self) -> bool {
        self.unix == Self::ZERO.unix && self.nsec == 0
    }

    fn go(&self) -> crate::template::time::GoTime {
        let utc = crate::template::time::GoTime::utc(self.unix, self.nsec);
        crate::template::time::GoTime {
            offset: self.offset,
            ..utc
        }
    }

    /// `Time.MarshalJSON` without the quotes: RFC 3339 with trailing-zero-free
    /// nanoseconds; years outside 0–9999 are an error, as in Go.
    pub fn to_rfc3339(&self) -> Result<String, ReleaseError> {
        let t = self.go();
        let year = t.civil().year;
        if !(0..=9999).contains(&year) {
            return Err(ReleaseError::Unsupported(
                "error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]".into(),
            ));
        }
        Ok(t.format(crate::template::time::RFC3339_NANO))
    }

    /// `Time.UnmarshalJSON` of a quoted RFC 3339 text (without the quotes).
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, ReleaseError> {
        let t = crate::template::time::parse("2006-01-02T15:04:05Z07:00", s).map_err(json_err)?;
        Ok(Timestamp {
            unix: t.unix,
            nsec: t.nsec,
            offset: t.offset,
        })
    }
}

impl Default for Timestamp {
    fn default() -> Self {
        Timestamp::ZERO
    }
}

// ---------------------------------------------------------------------------------------
// The record

/// A release's status (`common.Status`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// `unknown`.
    Unknown,
    /// `deployed`.
    Deployed,
    /// `uninstalled`.
    Uninstalled,
    /// `superseded`.
    Superseded,
    /// `failed`.
    Failed,
    /// `uninstalling`.
    Uninstalling,
    /// `pending-install`.
    PendingInstall,
    /// `pending-upgrade`.
    PendingUpgrade,
    /// `pending-rollback`.
    PendingRollback,
    /// Any other text (Go keeps whatever the record says); empty when unset.
    Other(String),
}

impl Status {
    /// The text Helm stores.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Unknown => "unknown",
            Status::Deployed => "deployed",
            Status::Uninstalled => "uninstalled",
            Status::Superseded => "superseded",
            Status::Failed => "failed",
            Status::Uninstalling => "uninstalling",
            Status::PendingInstall => "pending-install",
            Status::PendingUpgrade => "pending-upgrade",
            Status::PendingRollback => "pending-rollback",
            Status::Other(s) => s,
        }
    }

    /// Reads a stored status.
    pub fn parse(s: &str) -> Status {
        match s {
            "unknown" => Status::Unknown,
            "deployed" => Status::Deployed,
            "uninstalled" => Status::Uninstalled,
            "superseded" => Status::Superseded,
            "failed" => Status::Failed,
            "uninstalling" => Status::Uninstalling,
            "pending-install" => Status::PendingInstall,
            "pending-upgrade" => Status::PendingUpgrade,
            "pending-rollback" => Status::PendingRollback,
            other => Status::Other(other.to_string()),
        }
    }

    /// An operation is underway (`Status.IsPending`).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback
        )
    }
}

impl Default for Status {
    fn default() -> Self {
        Status::Other(String::new())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `release/v1.Info`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info {
    /// When the release was first deployed (`None` is Go's zero time, left out).
    pub first_deployed: Option<Timestamp>,
    /// When the release was last deployed.
    pub last_deployed: Option<Timestamp>,
    /// When it was deleted.
    pub deleted: Option<Timestamp>,
    /// A human-friendly log entry (`Install complete`).
    pub description: String,
    /// The status.
    pub status: Status,
    /// Rendered `NOTES.txt`.
    pub notes: String,
}

/// `release/v1.HookExecution`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HookExecution {
    /// When the hook started.
    pub started_at: Option<Timestamp>,
    /// When it completed.
    pub completed_at: Option<Timestamp>,
    /// `Unknown`, `Running`, `Succeeded`, `Failed`, or empty before the first run.
    pub phase: String,
}

/// `release/v1.Hook`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseHook {
    /// `metadata.name` of the hook object.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Chart-relative path of the template.
    pub path: String,
    /// The hook's manifest.
    pub manifest: String,
    /// Events it fires on (`pre-install`, ...).
    pub events: Vec<String>,
    /// Its last execution.
    pub last_run: HookExecution,
    /// `helm.sh/hook-weight`.
    pub weight: i64,
    /// `helm.sh/hook-delete-policy`.
    pub delete_policies: Vec<String>,
    /// `helm.sh/hook-output-log-policy`.
    pub output_log_policies: Vec<String>,
}

/// A chart file in a release record (`common.File`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Chart-relative path.
    pub name: String,
    /// Contents (`null` in JSON when `None`).
    pub data: Option<Vec<u8>>,
    /// Modification time, when known.
    pub mod_time: Option<Timestamp>,
}

/// `Chart.lock` (`chart/v2.Lock`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lock {
    /// When the lock file was generated.
    pub generated: Timestamp,
    /// Digest of the dependencies.
    pub digest: String,
    /// The locked dependencies (`None` is JSON `null`).
    pub dependencies: Option<Vec<Option<Dependency>>>,
}

/// The chart of a release (`chart/v2.Chart` as JSON sees it: the top chart only;
/// subcharts are not stored).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartRecord {
    /// `Chart.yaml`.
    pub metadata: Option<Metadata>,
    /// `Chart.lock`.
    pub lock: Option<Lock>,
    /// Templates (`None` is JSON `null`: a chart without templates).
    pub templates: Option<Vec<FileRecord>>,
    /// `values.yaml` (`None` when the chart has none).
    pub values: Option<Value>,
    /// `values.schema.json`.
    pub schema: Option<Vec<u8>>,
    /// Modification time of the schema (always printed, zero when unknown: Go's
    /// `omitempty` does not omit a struct).
    pub schema_mod_time: Timestamp,
    /// Other files.
    pub files: Option<Vec<FileRecord>>,
    /// Modification time of `Chart.yaml`.
    pub mod_time: Option<Timestamp>,
}

/// `release/v1.Release`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Release {
    /// Release name.
    pub name: String,
    /// Status and times.
    pub info: Option<Info>,
    /// The chart released.
    pub chart: Option<ChartRecord>,
    /// The user-supplied values (`None` or an empty map are left out of the JSON).
    pub config: Option<Map>,
    /// Rendered manifests (no hooks, no CRDs).
    pub manifest: String,
    /// Hooks (`None` entries are JSON `null`).
    pub hooks: Vec<Option<ReleaseHook>>,
    /// Revision, from 1.
    pub version: i64,
    /// Namespace.
    pub namespace: String,
    /// Release labels; stored as Secret labels, not in the JSON.
    pub labels: BTreeMap<String, String>,
    /// `ssa` or `csa` (empty means client-side apply).
    pub apply_method: String,
}

impl ChartRecord {
    /// The record Helm stores for a loaded chart: metadata, templates, values, schema and
    /// files of the top chart. File times are unknown (left out); fill them in when the
    /// source knows them. `values` is `None` when the chart has no `values.yaml` and no
    /// dependencies.
    pub fn from_chart(chart: &Chart) -> ChartRecord {
        let rec = |f: &super::File| FileRecord {
            name: f.name.clone(),
            data: Some(f.data.to_vec()),
            mod_time: None,
        };
        let list = |fs: &[super::File]| {
            if fs.is_empty() {
                None
            } else {
                Some(fs.iter().map(rec).collect())
            }
        };
        ChartRecord {
            metadata: Some(chart.metadata.clone()),
            lock: chart
                .lock
                .as_ref()
                .and_then(|l| lock_from(l).ok().flatten()),
            templates: list(&chart.templates),
            // Nil without a values.yaml, unless dependency processing set it (Helm's
            // processImportValues assigns the chart's values whenever it has
            // dependencies).
            values: (chart.has_values || !chart.metadata.dependencies.is_empty())
                .then(|| chart.values.clone()),
            schema: chart.schema.clone(),
            schema_mod_time: Timestamp::ZERO,
            files: list(&chart.files),
            mod_time: None,
        }
    }
}

impl Release {
    /// A new record as `helm install` creates it before rendering: first and last
    /// deployed at `now`, status `unknown`.
    pub fn new(
        name: &str,
        namespace: &str,
        version: i64,
        chart: Option<ChartRecord>,
        config: Map,
        now: Timestamp,
    ) -> Release {
        Release {
            name: name.to_string(),
            info: Some(Info {
                first_deployed: Some(now),
                last_deployed: Some(now),
                status: Status::Unknown,
                ..Info::default()
            }),
            chart,
            config: Some(config),
            version,
            namespace: namespace.to_string(),
            ..Release::default()
        }
    }

    /// `Release.SetStatus`.
    pub fn set_status(&mut self, status: Status, description: &str) {
        let info = self.info.get_or_insert_with(Info::default);
        info.status = status;
        info.description = description.to_string();
    }

    /// Takes the manifest, hooks and notes of a render, as `helm install` does: the
    /// manifest is every non-hook document with its `# Source:` header.
    pub fn set_rendered(&mut self, rendered: &Rendered) {
        let mut manifest = String::new();
        for m in &rendered.manifests {
            manifest.push_str("---\n# Source: ");
            manifest.push_str(&m.name);
            manifest.push('\n');
            manifest.push_str(&m.content);
            manifest.push('\n');
        }
        self.manifest = go_text(&manifest);
        self.hooks = rendered
            .hooks
            .iter()
            .map(|h| {
                Some(ReleaseHook {
                    name: h.name.clone(),
                    kind: h.kind.clone(),
                    path: h.path.clone(),
                    manifest: go_text(&h.manifest),
                    events: h.events.clone(),
                    last_run: HookExecution::default(),
                    weight: h.weight,
                    delete_policies: h.delete_policies.clone(),
                    output_log_policies: h.output_log_policies.clone(),
                })
            })
            .collect();
        if !rendered.notes.is_empty() {
            self.info.get_or_insert_with(Info::default).notes = go_text(&rendered.notes);
        }
    }

    /// The name of the Secret that stores this revision.
    pub fn secret_name(&self) -> String {
        secret_name(&self.name, self.version)
    }

    /// `json.Marshal(rel)`, byte for byte.
    pub fn to_json(&self) -> Result<String, ReleaseError> {
        let mut o = Obj::new();
        o.str_omit("name", &self.name);
        if let Some(info) = &self.info {
            o.raw("info", &info_json(info)?);
        }
        if let Some(chart) = &self.chart {
            o.raw("chart", &chart_json(chart)?);
        }
        if let Some(config) = self.config.as_ref().filter(|c| !c.is_empty()) {
            o.raw("config", &value_json(&Value::Map(config.clone()))?);
        }
        o.str_omit("manifest", &self.manifest);
        if !self.hooks.is_empty() {
            let mut items = Vec::with_capacity(self.hooks.len());
            for h in &self.hooks {
                items.push(match h {
                    Some(h) => hook_json(h)?,
                    None => "null".to_string(),
                });
            }
            o.raw("hooks", &array(items));
        }
        if self.version != 0 {
            o.raw("version", &self.version.to_string());
        }
        o.str_omit("namespace", &self.namespace);
        o.str_omit("apply_method", &self.apply_method);
        Ok(o.finish())
    }

    /// `json.Unmarshal` into a `Release`: keys match field names case-insensitively
    /// (an exact match wins), unknown keys are ignored, numbers inside values and config
    /// become float64 as in Go.
    pub fn from_json(text: &str) -> Result<Release, ReleaseError> {
        check_depth(text)?;
        let v = crate::template::parse_json(text).map_err(json_err)?;
        release_from_value(&v)
    }
}

/// `sh.helm.release.v1.<name>.v<version>`.
pub fn secret_name(name: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{name}.v{version}")
}

/// Text rendered by the engine carries bytes that are not UTF-8 as private-use
/// characters; Go's JSON encoder prints such bytes as U+FFFD.
fn go_text(s: &str) -> String {
    let bytes = crate::template::gostr_to_bytes(s);
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Encoding: the storage driver

/// Helm's `encodeRelease`: JSON, gzip at best compression (Go's exact bytes), base64.
pub fn encode_release(rel: &Release) -> Result<String, ReleaseError> {
    let json = rel.to_json()?;
    Ok(B64.encode(crate::go::gzip::compress_best(json.as_bytes())))
}

/// Helm's `decodeRelease`: base64, then gunzip when the gzip magic is there (older
/// records are plain JSON), then JSON.
pub fn decode_release(data: &str) -> Result<Release, ReleaseError> {
    let bytes = B64
        .decode(data.trim_end_matches(['\n', '\r']))
        .map_err(|e| ReleaseError::Base64(e.to_string()))?;
    let json = if bytes.len() > 3 && bytes[..3] == [0x1f, 0x8b, 0x08] {
        let mut out = Vec::new();
        let mut dec =
            flate2::read::GzDecoder::new(bytes.as_slice()).take(MAX_DECODED_SIZE as u64 + 1);
        dec.read_to_end(&mut out)
            .map_err(|e| ReleaseError::Gzip(e.to_string()))?;
        if out.len() > MAX_DECODED_SIZE {
            return Err(ReleaseError::Gzip(format!(
                "release is larger than {MAX_DECODED_SIZE} bytes decompressed"
            )));
        }
        out
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(&json);
    Release::from_json(&text)
}

/// Labels of the Secret: the release's own labels, then `name`, `owner`, `status`,
/// `version` (which win over release labels of the same name).
pub fn secret_labels(rel: &Release) -> BTreeMap<String, String> {
    let mut l = rel.labels.clone();
    l.insert("name".into(), rel.name.clone());
    l.insert("owner".into(), "helm".into());
    l.insert(
        "status".into(),
        rel.info
            .as_ref()
            .map(|i| i.status.as_str().to_string())
            .unwrap_or_default(),
    );
    l.insert("version".into(), rel.version.to_string());
    l
}

/// When the Secret is written, which sets one time label (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretWrite {
    /// `Create`: sets `createdAt`.
    Create {
        /// Unix seconds.
        now: i64,
    },
    /// `Update`: sets `modifiedAt` (and, as in Helm, drops `createdAt`).
    Update {
        /// Unix seconds.
        now: i64,
    },
}

/// The Secret Helm v4's storage driver writes for a release (`newSecretsObject`), with
/// `metadata.namespace` set to the release namespace (Helm sets it through the client).
pub fn release_secret(rel: &Release, write: SecretWrite) -> Result<Value, ReleaseError> {
    let encoded = encode_release(rel)?;
    // Helm refuses release labels that clash with the driver's own, so the order in
    // which the two sets are combined does not matter for a valid release.
    let mut all = secret_labels(rel);
    match write {
        SecretWrite::Create { now } => all.insert("createdAt".into(), now.to_string()),
        SecretWrite::Update { now } => all.insert("modifiedAt".into(), now.to_string()),
    };
    let mut meta = Map::default();
    meta.insert("name".into(), Value::String(rel.secret_name()));
    if !rel.namespace.is_empty() {
        meta.insert("namespace".into(), Value::String(rel.namespace.clone()));
    }
    meta.insert(
        "labels".into(),
        Value::Map(
            all.into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        ),
    );
    let mut data = Map::default();
    data.insert("release".into(), Value::String(B64.encode(encoded)));
    let mut secret = Map::default();
    secret.insert("apiVersion".into(), Value::String("v1".into()));
    secret.insert("kind".into(), Value::String("Secret".into()));
    secret.insert("metadata".into(), Value::Map(meta));
    secret.insert("type".into(), Value::String(SECRET_TYPE.into()));
    secret.insert("data".into(), Value::Map(data));
    Ok(Value::Map(secret))
}

/// Reads a release Secret as Helm's `Secrets.Get` does: decodes `data.release` and
/// takes the non-system labels as the release's labels.
pub fn release_from_secret(secret: &Value) -> Result<Release, ReleaseError> {
    let data = secret
        .get_path(&["data", "release"])
        .and_then(Value::as_str)
        .ok_or_else(|| ReleaseError::Secret("the Secret has no data.release".into()))?;
    let raw = B64
        .decode(data)
        .map_err(|e| ReleaseError::Base64(format!("data.release: {e}")))?;
    let text = String::from_utf8(raw)
        .map_err(|_| ReleaseError::Secret("data.release is not base64 text".into()))?;
    let mut rel = decode_release(&text)?;
    if let Some(labels) = secret
        .get_path(&["metadata", "labels"])
        .and_then(Value::as_map)
    {
        for (k, v) in labels {
            if !SYSTEM_LABELS.contains(&k.as_str())
                && let Some(v) = v.as_str()
            {
                rel.labels.insert(k.clone(), v.to_string());
            }
        }
    }
    Ok(rel)
}

// ---------------------------------------------------------------------------------------
// JSON output, field by field in Go's struct order

struct Obj {
    out: String,
    first: bool,
}

impl Obj {
    fn new() -> Obj {
        Obj {
            out: String::from("{"),
            first: true,
        }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
    }

    fn raw(&mut self, k: &str, v: &str) {
        self.key(k);
        self.out.push_str(v);
    }

    fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        write_str(&mut self.out, v, true);
    }

    fn str_omit(&mut self, k: &str, v: &str) {
        if !v.is_empty() {
            self.str(k, v);
        }
    }

    fn strs_omit(&mut self, k: &str, v: &[String]) {
        if !v.is_empty() {
            self.raw(k, &strings(v));
        }
    }

    fn time_omit(&mut self, k: &str, t: &Option<Timestamp>) -> Result<(), ReleaseError> {
        if let Some(t) = t.filter(|t| !t.is_zero()) {
            self.time(k, &t)?;
        }
        Ok(())
    }

    fn time(&mut self, k: &str, t: &Timestamp) -> Result<(), ReleaseError> {
        let s = t.to_rfc3339()?;
        self.str(k, &s);
        Ok(())
    }

    fn bytes(&mut self, k: &str, b: &Option<Vec<u8>>) {
        match b {
            Some(b) => self.str(k, &B64.encode(b)),
            None => self.raw(k, "null"),
        }
    }

    fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

fn array(items: Vec<String>) -> String {
    let mut s = String::from("[");
    s.push_str(&items.join(","));
    s.push(']');
    s
}

fn strings(v: &[String]) -> String {
    let mut s = String::from("[");
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        write_str(&mut s, x, true);
    }
    s.push(']');
    s
}

fn value_json(v: &Value) -> Result<String, ReleaseError> {
    crate::go::json::to_string(v).map_err(|e| ReleaseError::Unsupported(e.value))
}

fn info_json(i: &Info) -> Result<String, ReleaseError> {
    let mut o = Obj::new();
    o.time_omit("first_deployed", &i.first_deployed)?;
    o.time_omit("last_deployed", &i.last_deployed)?;
    o.time_omit("deleted", &i.deleted)?;
    o.str_omit("description", &i.description);
    o.str_omit("status", i.status.as_str());
    o.str_omit("notes", &i.notes);
    Ok(o.finish())
}

fn hook_json(h: &ReleaseHook) -> Result<String, ReleaseError> {
    let mut o = Obj::new();
    o.str_omit("name", &h.name);
    o.str_omit("kind", &h.kind);
    o.str_omit("path", &h.path);
    o.str_omit("manifest", &h.manifest);
    o.strs_omit("events", &h.events);
    let mut run = Obj::new();
    run.time_omit("started_at", &h.last_run.started_at)?;
    run.time_omit("completed_at", &h.last_run.completed_at)?;
    run.str("phase", &h.last_run.phase);
    o.raw("last_run", &run.finish());
    if h.weight != 0 {
        o.raw("weight", &h.weight.to_string());
    }
    o.strs_omit("delete_policies", &h.delete_policies);
    o.strs_omit("output_log_policies", &h.output_log_policies);
    Ok(o.finish())
}

fn file_json(f: &FileRecord) -> Result<String, ReleaseError> {
    let mut o = Obj::new();
    o.str("name", &f.name);
    o.bytes("data", &f.data);
    o.time_omit("modtime", &f.mod_time)?;
    Ok(o.finish())
}

fn files_json(fs: &Option<Vec<FileRecord>>) -> Result<String, ReleaseError> {
    match fs {
        None => Ok("null".into()),
        Some(fs) => {
            let mut items = Vec::with_capacity(fs.len());
            for f in fs {
                items.push(file_json(f)?);
            }
            Ok(array(items))
        }
    }
}

fn maintainer_json(m: &Maintainer) -> String {
    let mut o = Obj::new();
    o.str_omit("name", &m.name);
    o.str_omit("email", &m.email);
    o.str_omit("url", &m.url);
    o.finish()
}

fn dependency_json(d: &Dependency) -> Result<String, ReleaseError> {
    let mut o = Obj::new();
    o.str("name", &d.name);
    o.str_omit("version", &d.version);
    o.str("repository", &d.repository);
    o.str_omit("condition", &d.condition);
    o.strs_omit("tags", &d.tags);
    if d.enabled {
        o.raw("enabled", "true");
    }
    if !d.import_values.is_empty() {
        o.raw(
            "import-values",
            &value_json(&Value::Seq(d.import_values.clone()))?,
        );
    }
    o.str_omit("alias", &d.alias);
    Ok(o.finish())
}

fn dependencies_json(ds: &[Option<Dependency>]) -> Result<String, ReleaseError> {
    let mut items = Vec::with_capacity(ds.len());
    for d in ds {
        items.push(match d {
            Some(d) => dependency_json(d)?,
            None => "null".into(),
        });
    }
    Ok(array(items))
}

fn metadata_json(m: &Metadata) -> Result<String, ReleaseError> {
    let mut o = Obj::new();
    o.str_omit("name", &m.name);
    o.str_omit("home", &m.home);
    o.strs_omit("sources", &m.sources);
    o.str_omit("version", &m.version);
    o.str_omit("description", &m.description);
    o.strs_omit("keywords", &m.keywords);
    if !m.maintainers.is_empty() {
        let items = m
            .maintainers
            .iter()
            .map(|x| x.as_ref().map_or_else(|| "null".into(), maintainer_json))
            .collect();
        o.raw("maintainers", &array(items));
    }
    o.str_omit("icon", &m.icon);
    o.str_omit("apiVersion", &m.api_version);
    o.str_omit("condition", &m.condition);
    o.str_omit("tags", &m.tags);
    o.str_omit("appVersion", &m.app_version);
    if m.deprecated {
        o.raw("deprecated", "true");
    }
    if let Some(a) = m.annotations.as_ref().filter(|a| !a.is_empty()) {
        let mut s = Obj::new();
        for (k, v) in a {
            s.key_escaped(k);
            write_str(&mut s.out, v, true);
        }
        o.raw("annotations", &s.finish());
    }
    o.str_omit("kubeVersion", &m.kube_version);
    if !m.dependencies.is_empty() {
        o.raw("dependencies", &dependencies_json(&m.dependencies)?);
    }
    o.str_omit("type", &m.chart_type);
    Ok(o.finish())
}

impl Obj {
    /// A key that needs escaping (map keys).
    fn key_escaped(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_str(&mut self.out, k, true);
        self.out.push(':');
    }
}

fn lock_json(l: &Lock) -> Result<String, ReleaseError> {
    let mut o = Obj::new();
    o.time("generated", &l.generated)?;
    o.str("digest", &l.digest);
    match &l.dependencies {
        Some(ds) => o.raw("dependencies", &dependencies_json(ds)?),
        None => o.raw("dependencies", "null"),
    }
    Ok(o.finish())
}

fn chart_json(c: &ChartRecord) -> Result<String, ReleaseError> {
    let mut o = Obj::new();
    match &c.metadata {
        Some(m) => o.raw("metadata", &metadata_json(m)?),
        None => o.raw("metadata", "null"),
    }
    match &c.lock {
        Some(l) => o.raw("lock", &lock_json(l)?),
        None => o.raw("lock", "null"),
    }
    o.raw("templates", &files_json(&c.templates)?);
    match &c.values {
        Some(v @ Value::Map(_)) => o.raw("values", &value_json(v)?),
        _ => o.raw("values", "null"),
    }
    o.bytes("schema", &c.schema);
    o.time("schemamodtime", &c.schema_mod_time)?;
    o.raw("files", &files_json(&c.files)?);
    o.time_omit("modtime", &c.mod_time)?;
    Ok(o.finish())
}

// ---------------------------------------------------------------------------------------
// JSON input, as encoding/json fills Go structs

/// Refuses nesting deeper than [`MAX_JSON_DEPTH`] before the recursive decoder runs.
fn check_depth(text: &str) -> Result<(), ReleaseError> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut esc = false;
    for b in text.bytes() {
        if in_str {
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(json_err(format!(
                        "release JSON nests deeper than {MAX_JSON_DEPTH} levels"
                    )));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A JSON object being read into a Go struct named `path` (for error messages).
struct Fields<'a> {
    map: Option<&'a Map>,
    path: String,
}

impl<'a> Fields<'a> {
    fn new(v: &'a Value, path: &str, go_type: &str) -> Result<Option<Fields<'a>>, ReleaseError> {
        match v {
            Value::Null => Ok(None),
            Value::Map(m) => Ok(Some(Fields {
                map: Some(m),
                path: path.to_string(),
            })),
            other => Err(mismatch(other, path, go_type)),
        }
    }

    /// The value for a field: the last key equal to `name`, ignoring ASCII case
    /// (encoding/json assigns keys in order, so the last match wins).
    fn get(&self, name: &str) -> Option<&'a Value> {
        let map = self.map?;
        let mut found = None;
        for (k, v) in map {
            if k.eq_ignore_ascii_case(name) {
                found = Some(v);
            }
        }
        found
    }

    fn field_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{}", self.path, name)
        }
    }

    fn string(&self, name: &str) -> Result<String, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(mismatch(other, &self.field_path(name), "string")),
        }
    }

    fn bool(&self, name: &str) -> Result<bool, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(mismatch(other, &self.field_path(name), "bool")),
        }
    }

    fn int(&self, name: &str) -> Result<i64, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Number(n)) => {
                let f = match n {
                    crate::yaml::Number::Int(i) => return Ok(*i),
                    crate::yaml::Number::UInt(u) => *u as f64,
                    crate::yaml::Number::Float(f) => *f,
                };
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    Ok(f as i64)
                } else {
                    Err(json_err(format!(
                        "json: cannot unmarshal number {} into Go struct field {} of type int",
                        crate::go::json::float(f).unwrap_or_default(),
                        self.field_path(name)
                    )))
                }
            }
            Some(other) => Err(mismatch(other, &self.field_path(name), "int")),
        }
    }

    fn strings(&self, name: &str, go_type: &str) -> Result<Vec<String>, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Seq(items)) => items
                .iter()
                .map(|x| match x {
                    Value::String(s) => Ok(s.clone()),
                    Value::Null => Ok(String::new()),
                    other => Err(mismatch(other, &self.field_path(name), go_type)),
                })
                .collect(),
            Some(other) => Err(mismatch(
                other,
                &self.field_path(name),
                &format!("[]{go_type}"),
            )),
        }
    }

    fn time(&self, name: &str) -> Result<Option<Timestamp>, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            // Info and HookExecution read an empty text as no time.
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Timestamp::parse_rfc3339(s).map(Some),
            Some(other) => Err(mismatch(other, &self.field_path(name), "time.Time")),
        }
    }

    fn bytes(&self, name: &str) -> Result<Option<Vec<u8>>, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                let clean: String = s.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
                B64.decode(clean).map(Some).map_err(|e| {
                    json_err(format!(
                        "illegal base64 data in Go struct field {}: {e}",
                        self.field_path(name)
                    ))
                })
            }
            Some(other) => Err(mismatch(other, &self.field_path(name), "[]uint8")),
        }
    }

    fn map(&self, name: &str, go_type: &str) -> Result<Option<Map>, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Map(m)) => Ok(Some(m.clone())),
            Some(other) => Err(mismatch(other, &self.field_path(name), go_type)),
        }
    }

    fn list<T>(
        &self,
        name: &str,
        go_type: &str,
        each: impl Fn(&Value, &str) -> Result<Option<T>, ReleaseError>,
    ) -> Result<Option<Vec<Option<T>>>, ReleaseError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Seq(items)) => {
                let path = self.field_path(name);
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(each(x, &path)?);
                }
                Ok(Some(out))
            }
            Some(other) => Err(mismatch(other, &self.field_path(name), go_type)),
        }
    }
}

fn mismatch(v: &Value, path: &str, go_type: &str) -> ReleaseError {
    json_err(format!(
        "json: cannot unmarshal {} into Go struct field {} of type {}",
        crate::go::json::kind_name(v),
        path,
        go_type
    ))
}

fn release_from_value(v: &Value) -> Result<Release, ReleaseError> {
    let Some(f) = Fields::new(v, "Release", "v1.Release")? else {
        return Ok(Release::default());
    };
    let info = match f.get("info") {
        None | Some(Value::Null) => None,
        Some(v) => Some(info_from(v)?),
    };
    let chart = match f.get("chart") {
        None | Some(Value::Null) => None,
        Some(v) => Some(chart_from(v)?),
    };
    let hooks = f
        .list("hooks", "[]*v1.Hook", |x, path| match x {
            Value::Null => Ok(None),
            x => hook_from(x, path).map(Some),
        })?
        .unwrap_or_default();
    Ok(Release {
        name: f.string("name")?,
        info,
        chart,
        config: f.map("config", "map[string]interface {}")?,
        manifest: f.string("manifest")?,
        hooks,
        version: f.int("version")?,
        namespace: f.string("namespace")?,
        labels: BTreeMap::new(),
        apply_method: f.string("apply_method")?,
    })
}

fn info_from(v: &Value) -> Result<Info, ReleaseError> {
    let Some(f) = Fields::new(v, "Release.info", "v1.Info")? else {
        return Ok(Info::default());
    };
    Ok(Info {
        first_deployed: f.time("first_deployed")?,
        last_deployed: f.time("last_deployed")?,
        deleted: f.time("deleted")?,
        description: f.string("description")?,
        status: Status::parse(&f.string("status")?),
        notes: f.string("notes")?,
    })
}

fn hook_from(v: &Value, path: &str) -> Result<ReleaseHook, ReleaseError> {
    let Some(f) = Fields::new(v, path, "v1.Hook")? else {
        return Ok(ReleaseHook::default());
    };
    let last_run = match f.get("last_run") {
        None | Some(Value::Null) => HookExecution::default(),
        Some(v) => {
            let path = f.field_path("last_run");
            match Fields::new(v, &path, "v1.HookExecution")? {
                None => HookExecution::default(),
                Some(r) => HookExecution {
                    started_at: r.time("started_at")?,
                    completed_at: r.time("completed_at")?,
                    phase: r.string("phase")?,
                },
            }
        }
    };
    Ok(ReleaseHook {
        name: f.string("name")?,
        kind: f.string("kind")?,
        path: f.string("path")?,
        manifest: f.string("manifest")?,
        events: f.strings("events", "v1.HookEvent")?,
        last_run,
        weight: f.int("weight")?,
        delete_policies: f.strings("delete_policies", "v1.HookDeletePolicy")?,
        output_log_policies: f.strings("output_log_policies", "v1.HookOutputLogPolicy")?,
    })
}

fn file_from(v: &Value, path: &str) -> Result<Option<FileRecord>, ReleaseError> {
    let Some(f) = Fields::new(v, path, "common.File")? else {
        return Ok(None);
    };
    Ok(Some(FileRecord {
        name: f.string("name")?,
        data: f.bytes("data")?,
        mod_time: f.time("modtime")?,
    }))
}

/// A `null` entry in a file list (a nil `*File`, which Helm never writes) is dropped.
fn files_from(f: &Fields<'_>, name: &str) -> Result<Option<Vec<FileRecord>>, ReleaseError> {
    Ok(f.list(name, "[]*common.File", file_from)?
        .map(|items| items.into_iter().flatten().collect()))
}

fn dependency_from(v: &Value, path: &str) -> Result<Option<Dependency>, ReleaseError> {
    let Some(f) = Fields::new(v, path, "v2.Dependency")? else {
        return Ok(None);
    };
    let import_values = match f.get("import-values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Seq(items)) => items.clone(),
        Some(other) => {
            return Err(mismatch(
                other,
                &f.field_path("import-values"),
                "[]interface {}",
            ));
        }
    };
    Ok(Some(Dependency {
        name: f.string("name")?,
        version: f.string("version")?,
        repository: f.string("repository")?,
        condition: f.string("condition")?,
        tags: f.strings("tags", "string")?,
        enabled: f.bool("enabled")?,
        import_values,
        alias: f.string("alias")?,
    }))
}

fn metadata_from(v: &Value) -> Result<Option<Metadata>, ReleaseError> {
    let Some(f) = Fields::new(v, "Release.chart.metadata", "v2.Metadata")? else {
        return Ok(None);
    };
    let maintainers = f
        .list("maintainers", "[]*v2.Maintainer", |x, path| {
            let Some(m) = Fields::new(x, path, "v2.Maintainer")? else {
                return Ok(None);
            };
            Ok(Some(Maintainer {
                name: m.string("name")?,
                email: m.string("email")?,
                url: m.string("url")?,
            }))
        })?
        .unwrap_or_default();
    let annotations = match f.map("annotations", "map[string]string")? {
        None => None,
        Some(m) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                match v {
                    Value::String(s) => {
                        out.insert(k, s);
                    }
                    Value::Null => {
                        out.insert(k, String::new());
                    }
                    other => {
                        return Err(mismatch(&other, &f.field_path("annotations"), "string"));
                    }
                }
            }
            Some(out)
        }
    };
    Ok(Some(Metadata {
        name: f.string("name")?,
        home: f.string("home")?,
        sources: f.strings("sources", "string")?,
        version: f.string("version")?,
        description: f.string("description")?,
        keywords: f.strings("keywords", "string")?,
        maintainers,
        icon: f.string("icon")?,
        api_version: f.string("apiVersion")?,
        condition: f.string("condition")?,
        tags: f.string("tags")?,
        app_version: f.string("appVersion")?,
        deprecated: f.bool("deprecated")?,
        annotations,
        kube_version: f.string("kubeVersion")?,
        dependencies: f
            .list("dependencies", "[]*v2.Dependency", dependency_from)?
            .unwrap_or_default(),
        chart_type: f.string("type")?,
    }))
}

/// Reads `Chart.lock` as decoded from YAML (or a release's `lock` object).
pub(crate) fn lock_from(v: &Value) -> Result<Option<Lock>, ReleaseError> {
    let Some(f) = Fields::new(v, "Release.chart.lock", "v2.Lock")? else {
        return Ok(None);
    };
    Ok(Some(Lock {
        generated: match f.get("generated") {
            None | Some(Value::Null) => Timestamp::ZERO,
            Some(Value::String(s)) => Timestamp::parse_rfc3339(s)?,
            Some(other) => return Err(mismatch(other, &f.field_path("generated"), "time.Time")),
        },
        digest: f.string("digest")?,
        dependencies: f.list("dependencies", "[]*v2.Dependency", dependency_from)?,
    }))
}

fn chart_from(v: &Value) -> Result<ChartRecord, ReleaseError> {
    let Some(f) = Fields::new(v, "Release.chart", "v2.Chart")? else {
        return Ok(ChartRecord::default());
    };
    let values = match f.get("values") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Map(_)) => Some(v.clone()),
        Some(other) => {
            return Err(mismatch(
                other,
                &f.field_path("values"),
                "map[string]interface {}",
            ));
        }
    };
    Ok(ChartRecord {
        metadata: match f.get("metadata") {
            None => None,
            Some(v) => metadata_from(v)?,
        },
        lock: match f.get("lock") {
            None => None,
            Some(v) => lock_from(v)?,
        },
        templates: files_from(&f, "templates")?,
        values,
        schema: f.bytes("schema")?,
        schema_mod_time: match f.get("schemamodtime") {
            None | Some(Value::Null) => Timestamp::ZERO,
            Some(Value::String(s)) => Timestamp::parse_rfc3339(s)?,
            Some(other) => {
                return Err(mismatch(other, &f.field_path("schemamodtime"), "time.Time"));
            }
        },
        files: files_from(&f, "files")?,
        mod_time: f.time("modtime")?,
    })
}

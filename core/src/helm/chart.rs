//! The chart model and Helm v4's chart loader (`pkg/chart/v2/loader`): directories with
//! `.helmignore`, packaged archives, `Chart.yaml` decoding and validation, subcharts.

use crate::go::strconv;
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use super::ignore::Rules;
use super::typed::{Target, yaml_to_json_for};
use super::{Error, ErrorKind};
use crate::tree::{EntryKind, FileTree, RelPath};
use crate::yaml::{Map, Value};

/// Largest file Helm accepts in a chart (`MaxDecompressedFileSize`, 5 MiB).
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Largest decompressed archive Helm accepts (`MaxDecompressedChartSize`, 100 MiB).
pub const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Most entries read from one chart (directory walk or archive).
pub const MAX_ENTRIES: usize = 100_000;
/// Deepest nesting of subcharts loaded.
pub const MAX_NESTING: usize = 32;
/// Largest total size of a chart directory read.
pub const MAX_DIR_SIZE: u64 = 512 * 1024 * 1024;

/// A file of a chart: its path relative to the chart root and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Path relative to the chart root, `/`-separated.
    pub name: String,
    /// Contents (a UTF-8 byte order mark is removed on load); shared, so cloning a
    /// chart does not copy file contents.
    pub data: Arc<[u8]>,
}

/// A maintainer entry of `Chart.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maintainer {
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `url`.
    pub url: String,
}

/// A dependency entry of `Chart.yaml` (or `requirements.yaml` for `apiVersion: v1`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    /// `name`.
    pub name: String,
    /// `version` (a semver constraint).
    pub version: String,
    /// `repository`.
    pub repository: String,
    /// `condition`: comma-separated value paths.
    pub condition: String,
    /// `tags`.
    pub tags: Vec<String>,
    /// `enabled` (recomputed from conditions and tags while rendering).
    pub enabled: bool,
    /// `import-values`, raw (strings or `{child, parent}` maps).
    pub import_values: Vec<Value>,
    /// `alias`.
    pub alias: String,
}

/// `Chart.yaml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// `name`.
    pub name: String,
    /// `home`.
    pub home: String,
    /// `sources`.
    pub sources: Vec<String>,
    /// `version`.
    pub version: String,
    /// `description`.
    pub description: String,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `maintainers` (`None` entries are `null` nodes, refused by validation).
    pub maintainers: Vec<Option<Maintainer>>,
    /// `icon`.
    pub icon: String,
    /// `apiVersion` (`v1` when absent).
    pub api_version: String,
    /// `condition`.
    pub condition: String,
    /// `tags`.
    pub tags: String,
    /// `appVersion`.
    pub app_version: String,
    /// `deprecated`.
    pub deprecated: bool,
    /// `annotations`.
    pub annotations: Option<BTreeMap<String, String>>,
    /// `kubeVersion` (a semver constraint).
    pub kube_version: String,
    /// `dependencies` (`None` entries are `null` nodes, refused by validation).
    pub dependencies: Vec<Option<Dependency>>,
    /// `type`: `application` (or empty) or `library`.
    pub chart_type: String,
}

/// A loaded chart with its subcharts.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// `Chart.yaml`.
    pub metadata: Metadata,
    /// Files under `templates/`, in load order.
    pub templates: Vec<File>,
    /// `values.yaml` (a map; documents of a multi-document file merged).
    pub values: Value,
    /// `values.schema.json`, raw.
    pub schema: Option<Vec<u8>>,
    /// Every other file (`.Files`), in load order; includes `crds/`.
    pub files: Vec<File>,
    /// `Chart.lock` (or `requirements.lock`) as decoded YAML, when present.
    pub lock: Option<Value>,
    /// Whether the chart has a `values.yaml` (Helm's `Values` is nil otherwise, which a
    /// stored release shows as `"values": null`).
    pub has_values: bool,
    /// Subcharts found in `charts/` (directories and archives).
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether `type: library`.
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.eq_ignore_ascii_case("library")
    }
}

fn load_err(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Load, message)
}

// ---------------------------------------------------------------------------
// Decoding Chart.yaml as sigs.k8s.io/yaml + encoding/json decode it into Metadata.

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

struct Decoder {
    err: Option<String>,
}

impl Decoder {
    fn type_err(&mut self, v: &Value, field: &str, ty: &str) {
        if self.err.is_none() {
            self.err = Some(format!(
                "json: cannot unmarshal {} into Go struct field {field} of type {ty}",
                json_kind(v)
            ));
        }
    }

    fn string(&mut self, v: &Value, field: &str, into: &mut String) {
        match v {
            Value::Null => {}
            Value::String(s) => *into = s.clone(),
            _ => self.type_err(v, field, "string"),
        }
    }

    fn boolean(&mut self, v: &Value, field: &str, into: &mut bool) {
        match v {
            Value::Null => {}
            Value::Bool(b) => *into = *b,
            _ => self.type_err(v, field, "bool"),
        }
    }

    fn strings(&mut self, v: &Value, field: &str, into: &mut Vec<String>) {
        match v {
            Value::Null => into.clear(),
            Value::Seq(items) => {
                *into = items
                    .iter()
                    .map(|x| {
                        let mut s = String::new();
                        self.string(x, field, &mut s);
                        s
                    })
                    .collect();
            }
            _ => self.type_err(v, field, "[]string"),
        }
    }

    /// Sorted keys (Go marshals the YAML map to JSON with sorted keys), each matched to
    /// a field case-insensitively.
    fn fields(m: &Map) -> Vec<(&String, &Value)> {
        let mut v: Vec<(&String, &Value)> = m.iter().collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    fn maintainer(&mut self, v: &Value) -> Option<Maintainer> {
        let m = match v {
            Value::Null => return None,
            Value::Map(m) => m,
            _ => {
                self.type_err(v, "Metadata.maintainers", "v2.Maintainer");
                return Some(Maintainer::default());
            }
        };
        let mut out = Maintainer::default();
        for (k, v) in Self::fields(m) {
            match k.to_ascii_lowercase().as_str() {
                "name" => self.string(v, "Maintainer.maintainers.name", &mut out.name),
                "email" => self.string(v, "Maintainer.maintainers.email", &mut out.email),
                "url" => self.string(v, "Maintainer.maintainers.url", &mut out.url),
                _ => {}
            }
        }
        Some(out)
    }

    fn dependency(&mut self, v: &Value) -> Option<Dependency> {
        let m = match v {
            Value::Null => return None,
            Value::Map(m) => m,
            _ => {
                self.type_err(v, "Metadata.dependencies", "v2.Dependency");
                return Some(Dependency::default());
            }
        };
        let mut d = Dependency::default();
        for (k, v) in Self::fields(m) {
            let f = |n: &str| format!("Dependency.dependencies.{n}");
            match k.to_ascii_lowercase().as_str() {
                "name" => self.string(v, &f("name"), &mut d.name),
                "version" => self.string(v, &f("version"), &mut d.version),
                "repository" => self.string(v, &f("repository"), &mut d.repository),
                "condition" => self.string(v, &f("condition"), &mut d.condition),
                "tags" => self.strings(v, &f("tags"), &mut d.tags),
                "enabled" => self.boolean(v, &f("enabled"), &mut d.enabled),
                "import-values" => match v {
                    Value::Null => d.import_values.clear(),
                    Value::Seq(items) => d.import_values = items.clone(),
                    _ => self.type_err(v, &f("import-values"), "[]interface {}"),
                },
                "alias" => self.string(v, &f("alias"), &mut d.alias),
                _ => {}
            }
        }
        Some(d)
    }

    fn metadata(&mut self, v: &Value, md: &mut Metadata) {
        let m = match v {
            Value::Null => return,
            Value::Map(m) => m,
            _ => {
                if self.err.is_none() {
                    self.err = Some(format!(
                        "json: cannot unmarshal {} into Go value of type v2.Metadata",
                        json_kind(v)
                    ));
                }
                return;
            }
        };
        for (k, v) in Self::fields(m) {
            let f = |n: &str| format!("Metadata.{n}");
            match k.to_ascii_lowercase().as_str() {
                "name" => self.string(v, &f("name"), &mut md.name),
                "home" => self.string(v, &f("home"), &mut md.home),
                "sources" => self.strings(v, &f("sources"), &mut md.sources),
                "version" => self.string(v, &f("version"), &mut md.version),
                "description" => self.string(v, &f("description"), &mut md.description),
                "keywords" => self.strings(v, &f("keywords"), &mut md.keywords),
                "maintainers" => match v {
                    Value::Null => md.maintainers.clear(),
                    Value::Seq(items) => {
                        md.maintainers = items.iter().map(|x| self.maintainer(x)).collect();
                    }
                    _ => self.type_err(v, &f("maintainers"), "[]*v2.Maintainer"),
                },
                "icon" => self.string(v, &f("icon"), &mut md.icon),
                "apiversion" => self.string(v, &f("apiVersion"), &mut md.api_version),
                "condition" => self.string(v, &f("condition"), &mut md.condition),
                "tags" => self.string(v, &f("tags"), &mut md.tags),
                "appversion" => self.string(v, &f("appVersion"), &mut md.app_version),
                "deprecated" => self.boolean(v, &f("deprecated"), &mut md.deprecated),
                "annotations" => match v {
                    Value::Null => md.annotations = None,
                    Value::Map(a) => {
                        let mut out = md.annotations.take().unwrap_or_default();
                        for (k, x) in a {
                            let mut s = String::new();
                            self.string(x, &f("annotations"), &mut s);
                            out.insert(k.clone(), s);
                        }
                        md.annotations = Some(out);
                    }
                    _ => self.type_err(v, &f("annotations"), "map[string]string"),
                },
                "kubeversion" => self.string(v, &f("kubeVersion"), &mut md.kube_version),
                "dependencies" => match v {
                    Value::Null => md.dependencies.clear(),
                    Value::Seq(items) => {
                        md.dependencies = items.iter().map(|x| self.dependency(x)).collect();
                    }
                    _ => self.type_err(v, &f("dependencies"), "[]*v2.Dependency"),
                },
                "type" => self.string(v, &f("type"), &mut md.chart_type),
                _ => {}
            }
        }
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` error text for a YAML problem.
pub(crate) fn yaml_error_text(e: &crate::yaml::YamlError) -> String {
    format!("error converting YAML to JSON: {}", e.go_text())
}

pub(crate) static MAINTAINER: Target = Target::Fields(&[
    ("name", Target::Str),
    ("email", Target::Str),
    ("url", Target::Str),
]);

pub(crate) static DEPENDENCY: Target = Target::Fields(&[
    ("name", Target::Str),
    ("version", Target::Str),
    ("repository", Target::Str),
    ("condition", Target::Str),
    ("tags", Target::SliceOf(&Target::Str)),
    ("enabled", Target::Any),
    ("import-values", Target::Any),
    ("alias", Target::Str),
]);

/// `chart.Metadata`'s shape, for `sigs.k8s.io/yaml`'s string coercion.
static METADATA: Target = Target::Fields(&[
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
]);

/// The loader's `chartBase`, read to pick the chart API version.
static CHART_BASE: Target = Target::Fields(&[("apiVersion", Target::Str)]);

/// Decodes `Chart.yaml`-shaped YAML onto `md` (fields present in the text replace).
pub(crate) fn decode_metadata(data: &[u8], md: &mut Metadata) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let v = yaml_to_json_for(&text, &METADATA)?;
    let mut d = Decoder { err: None };
    d.metadata(&v, md);
    match d.err {
        Some(e) => Err(format!("error unmarshaling JSON: while decoding JSON: {e}")),
        None => Ok(()),
    }
}

/// Decodes a value already converted as `sigs.k8s.io/yaml` converts it (see
/// [`super::typed::json_for`]) onto `md`, as `encoding/json` fills `chart.Metadata`:
/// fields present replace, unknown fields are ignored. The error is the first type
/// mismatch, in Go's words.
pub(crate) fn decode_metadata_value(v: &Value, md: &mut Metadata) -> Result<(), String> {
    let mut d = Decoder { err: None };
    d.metadata(v, md);
    match d.err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

static LOCK: Target = Target::Fields(&[
    ("generated", Target::Any),
    ("digest", Target::Str),
    ("dependencies", Target::SliceOf(&DEPENDENCY)),
]);

/// `Chart.lock` (or `requirements.lock`) as `chart.Lock`: its `digest` and its
/// `dependencies` (`None` for a null entry).
///
/// # Errors
/// A type error in Go's words.
pub fn lock_dependencies(lock: &Value) -> Result<(String, Vec<Option<Dependency>>), String> {
    let v = super::typed::coerce_strings(lock, &LOCK);
    let mut d = Decoder { err: None };
    let mut digest = String::new();
    let mut deps = Vec::new();
    if let Value::Map(m) = &v {
        for (k, x) in Decoder::fields(m) {
            match k.to_ascii_lowercase().as_str() {
                "digest" => d.string(x, "Lock.digest", &mut digest),
                "dependencies" => match x {
                    Value::Null => deps.clear(),
                    Value::Seq(items) => deps = items.iter().map(|i| d.dependency(i)).collect(),
                    _ => d.type_err(x, "Lock.dependencies", "[]*v2.Dependency"),
                },
                _ => {}
            }
        }
    }
    match d.err {
        Some(e) => Err(e),
        None => Ok((digest, deps)),
    }
}

/// Go's `sanitizeString`: whitespace becomes a space, non-printable characters go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if strconv::is_print(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

fn validation(msg: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Invalid, format!("validation: {msg}"))
}

/// `Metadata.Validate`: sanitises strings and checks required fields.
pub(crate) fn validate_metadata(md: &mut Metadata) -> Result<(), Error> {
    for s in [
        &mut md.name,
        &mut md.description,
        &mut md.home,
        &mut md.icon,
        &mut md.condition,
        &mut md.tags,
        &mut md.app_version,
        &mut md.kube_version,
    ] {
        *s = sanitize(s);
    }
    for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
        *s = sanitize(s);
    }
    if md.api_version.is_empty() {
        return Err(validation("chart.metadata.apiVersion is required"));
    }
    if md.name.is_empty() {
        return Err(validation("chart.metadata.name is required"));
    }
    if md.name == "." || md.name == ".." {
        return Err(validation(format!(
            "chart.metadata.name {} is not allowed",
            go_quote(&md.name)
        )));
    }
    let base = md.name.trim_end_matches('/');
    let base = base.rsplit('/').next().unwrap_or(base);
    if md.name != base {
        return Err(validation(format!(
            "chart.metadata.name {} is invalid",
            go_quote(&md.name)
        )));
    }
    if md.version.is_empty() {
        return Err(validation("chart.metadata.version is required"));
    }
    if !crate::template::semver_valid(&md.version) {
        return Err(validation(format!(
            "chart.metadata.version {} is invalid",
            go_quote(&md.version)
        )));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return Err(validation(
            "chart.metadata.type must be application or library",
        ));
    }
    for m in md.maintainers.iter_mut() {
        match m {
            None => {
                return Err(validation(
                    "maintainers must not contain empty or null nodes",
                ));
            }
            Some(m) => {
                m.name = sanitize(&m.name);
                m.email = sanitize(&m.email);
                m.url = sanitize(&m.url);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for d in md.dependencies.iter_mut() {
        let Some(d) = d else {
            return Err(validation(
                "dependencies must not contain empty or null nodes",
            ));
        };
        d.name = sanitize(&d.name);
        d.version = sanitize(&d.version);
        d.repository = sanitize(&d.repository);
        d.condition = sanitize(&d.condition);
        for t in d.tags.iter_mut() {
            *t = sanitize(t);
        }
        if !d.alias.is_empty()
            && !d
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(validation(format!(
                "dependency {} has disallowed characters in the alias",
                go_quote(&d.name)
            )));
        }
        let key = if d.alias.is_empty() {
            d.name.clone()
        } else {
            d.alias.clone()
        };
        if !seen.insert(key.clone()) {
            return Err(validation(format!(
                "more than one dependency with name or alias {}",
                go_quote(&key)
            )));
        }
    }
    Ok(())
}

/// Go's `%q` for plain text.
pub(crate) fn go_quote(s: &str) -> String {
    strconv::quote(s)
}

// ---------------------------------------------------------------------------
// Values files.

/// Splits a stream into documents as `k8s.io/apimachinery`'s `YAMLReader` does.
fn split_yaml_documents(text: &str) -> Result<Vec<String>, String> {
    let mut docs = Vec::new();
    let mut buf = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!("invalid Yaml document separator: {trimmed}"));
            }
            if !buf.is_empty() {
                docs.push(std::mem::take(&mut buf));
            }
            continue;
        }
        buf.push_str(line);
    }
    if !buf.is_empty() {
        docs.push(buf);
    }
    Ok(docs)
}

/// `loader.LoadValues`: every document of the stream, merged with `MergeMaps`.
pub fn load_values(data: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(data);
    let mut out = Value::Map(Map::default());
    let docs =
        split_yaml_documents(&text).map_err(|e| format!("error reading yaml document: {e}"))?;
    for doc in docs {
        let v = crate::yaml::parse_yaml_to_json(&doc)
            .map_err(|e| format!("cannot unmarshal yaml document: {}", yaml_error_text(&e)))?;
        match v {
            Value::Null => {}
            Value::Map(_) => out = super::values::merge_maps(out, v),
            other => {
                return Err(format!(
                    "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&other)
                ));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// LoadFiles.

fn ext(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) => &base[i..],
        None => "",
    }
}

/// `loader.LoadFiles`: builds a chart from its files (paths relative to its root).
pub(crate) fn load_files(files: Vec<File>, depth: usize) -> Result<Chart, Error> {
    let ahead = (depth == 0).then(|| load_ahead(&files, depth));
    load_files_with(files, depth, ahead)
}

/// Work of [`load_files`] done ahead, on two threads, for the top chart: its values and
/// its subcharts (by directory or archive name), each as `load_files` computes it.
struct Ahead {
    values: Option<Result<Value, String>>,
    subcharts: BTreeMap<String, Result<Chart, Error>>,
}

/// Parses the top chart's `values.yaml` and loads its subcharts on two threads (they
/// are independent); [`load_files_with`] then takes the results in its own order, so
/// errors are the same.
fn load_ahead(files: &[File], depth: usize) -> Ahead {
    enum Job<'f> {
        Values(&'f [u8]),
        Sub(String, Vec<File>),
    }
    let mut jobs = Vec::new();
    for f in files {
        if f.name == "values.yaml" {
            jobs.push(Job::Values(&f.data));
        }
    }
    for (n, files) in group_subcharts(files) {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        jobs.push(Job::Sub(n, files));
    }
    let mut ahead = Ahead {
        values: None,
        subcharts: BTreeMap::new(),
    };
    if jobs.len() < 2 {
        return ahead;
    }
    // Larger work first, so the two threads finish together.
    let size = |j: &Job<'_>| match j {
        Job::Values(d) => d.len() * 8,
        Job::Sub(_, fs) => fs.iter().map(|f| f.data.len()).sum(),
    };
    jobs.sort_by_key(|j| std::cmp::Reverse(size(j)));
    let done = super::par::map(&jobs, 2, |job| match job {
        Job::Values(data) => (None, Some(load_values(data))),
        Job::Sub(n, files) => (
            Some((n.clone(), load_subchart(n, files.clone(), depth))),
            None,
        ),
    });
    for (sub, values) in done {
        if let Some((n, r)) = sub {
            ahead.subcharts.insert(n, r);
        }
        if values.is_some() {
            ahead.values = values;
        }
    }
    ahead
}

/// The files under `charts/`, by subchart (directory or archive name), names relative
/// to `charts/`; provenance files are not subcharts.
fn group_subcharts(files: &[File]) -> BTreeMap<String, Vec<File>> {
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in files {
        if let Some(fname) = f.name.strip_prefix("charts/") {
            if ext(&f.name) == ".prov" {
                continue;
            }
            let cname = fname.split('/').next().unwrap_or(fname).to_string();
            subcharts.entry(cname).or_default().push(File {
                name: fname.to_string(),
                data: f.data.clone(),
            });
        }
    }
    subcharts
}

/// Loads subchart `n` from its files (relative to `charts/`), as `load_files` does once
/// it has checked an archive's name.
fn load_subchart(n: &str, files: Vec<File>, depth: usize) -> Result<Chart, Error> {
    if ext(n) == ".tgz" {
        let Some(file) = files.into_iter().next() else {
            return Err(load_err("empty subchart"));
        };
        archive_files(&file.data).and_then(|fs| load_files(fs, depth + 1))
    } else {
        let buff: Vec<File> = files
            .into_iter()
            .filter_map(|f| {
                let (_, rest) = f.name.split_once('/')?;
                Some(File {
                    name: rest.to_string(),
                    data: f.data,
                })
            })
            .collect();
        load_files(buff, depth + 1)
    }
}

fn load_files_with(
    files: Vec<File>,
    depth: usize,
    mut ahead: Option<Ahead>,
) -> Result<Chart, Error> {
    if depth > MAX_NESTING {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("subcharts nested more than {MAX_NESTING} levels deep"),
        ));
    }
    let mut md: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            let m = md.get_or_insert_with(Metadata::default);
            decode_metadata(&f.data, m).map_err(|e| {
                load_err(format!("cannot load Chart.yaml: {e}")).in_file("Chart.yaml")
            })?;
            if m.api_version.is_empty() {
                m.api_version = "v1".into();
            }
        }
    }
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut values = Value::Map(Map::default());
    let mut schema = None;
    let mut lock = None;
    let mut has_values = false;
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {
                let text = String::from_utf8_lossy(&f.data);
                match crate::yaml::parse_yaml_to_json(&text) {
                    Ok(v) => lock = Some(v),
                    Err(e) => {
                        return Err(load_err(format!(
                            "cannot load {}: {}",
                            f.name,
                            yaml_error_text(&e)
                        ))
                        .in_file(&f.name));
                    }
                }
                if f.name == "requirements.lock" {
                    let m = md.get_or_insert_with(Metadata::default);
                    if m.api_version == "v1" {
                        other.push(f);
                    }
                }
            }
            "values.yaml" => {
                has_values = true;
                let parsed = match ahead.as_mut().and_then(|a| a.values.take()) {
                    Some(v) => v,
                    None => load_values(&f.data),
                };
                values = parsed.map_err(|e| {
                    load_err(format!("cannot load values.yaml: {e}")).in_file("values.yaml")
                })?;
            }
            "values.schema.json" => schema = Some(f.data.to_vec()),
            "requirements.yaml" => {
                let m = md.get_or_insert_with(Metadata::default);
                decode_metadata(&f.data, m).map_err(|e| {
                    load_err(format!("cannot load requirements.yaml: {e}"))
                        .in_file("requirements.yaml")
                })?;
                if m.api_version == "v1" {
                    other.push(f);
                }
            }
            n if n.starts_with("templates/") => templates.push(f),
            n if n.starts_with("charts/") => {
                if ext(n) == ".prov" {
                    other.push(f);
                    continue;
                }
                let fname = &n["charts/".len()..];
                let cname = fname.split('/').next().unwrap_or(fname).to_string();
                let fname = fname.to_string();
                subcharts.entry(cname).or_default().push(File {
                    name: fname,
                    data: f.data,
                });
            }
            _ => other.push(f),
        }
    }
    let Some(mut metadata) = md else {
        return Err(load_err("Chart.yaml file is missing"));
    };
    validate_metadata(&mut metadata)?;
    let mut chart = Chart {
        metadata,
        templates,
        values,
        schema,
        files: other,
        lock,
        has_values,
        dependencies: Vec::new(),
    };
    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        if ext(&n) == ".tgz"
            && let Some(file) = files.first()
            && file.name != n
        {
            return Err(load_err(format!(
                "error unpacking subchart tar in {}: expected {}, got {}",
                chart.name(),
                n,
                file.name
            )));
        }
        if ext(&n) == ".tgz" && files.is_empty() {
            continue;
        }
        let sc = match ahead.as_mut().and_then(|a| a.subcharts.remove(&n)) {
            Some(r) => r,
            None => load_subchart(&n, files, depth),
        };
        match sc {
            Ok(sc) => chart.dependencies.push(sc),
            Err(mut e) => {
                e.message = format!(
                    "error unpacking subchart {} in {}: {}",
                    n,
                    chart.name(),
                    e.message
                );
                if e.chart.is_none() {
                    e.chart = Some(n.clone());
                }
                return Err(e);
            }
        }
    }
    Ok(chart)
}

// ---------------------------------------------------------------------------
// Archives.

/// Go's `path.Clean`.
pub(crate) fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(b"\xEF\xBB\xBF") {
        data.drain(..3);
    }
    data
}

/// `archive.LoadArchiveFiles`: the files of a gzipped tar chart archive, with the
/// top-level directory removed. Refuses absolute paths, `..`, links out of the chart
/// and oversized content.
pub(crate) fn archive_files(bytes: &[u8]) -> Result<Vec<File>, Error> {
    if !bytes.starts_with(b"\x1f\x8b") {
        return Err(load_err("gzip: invalid header"));
    }
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut tar = tar::Archive::new(gz);
    let entries = tar
        .entries()
        .map_err(|e| load_err(format!("reading chart archive: {e}")))?;
    let mut files = Vec::new();
    let mut remaining = MAX_CHART_SIZE;
    for (count, entry) in entries.enumerate() {
        if count >= MAX_ENTRIES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("chart archive has more than {MAX_ENTRIES} entries"),
            ));
        }
        let mut entry = entry.map_err(|e| load_err(format!("reading chart archive: {e}")))?;
        let et = entry.header().entry_type();
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if et.is_dir() || raw_name.ends_with('/') {
            continue;
        }
        if et.is_pax_global_extensions()
            || et.is_pax_local_extensions()
            || et.is_gnu_longname()
            || et.is_gnu_longlink()
        {
            continue;
        }
        let delim = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delim).collect();
        let n = parts[1..].join("/");
        if n.starts_with('/') {
            return Err(load_err("chart illegally contains absolute paths"));
        }
        let n = clean_path(&n);
        if n == "." {
            return Err(load_err(format!(
                "chart illegally contains content outside the base directory: {}",
                go_quote(&raw_name)
            )));
        }
        if n.starts_with("..") {
            return Err(load_err("chart illegally references parent directory"));
        }
        let nb = n.as_bytes();
        if nb.len() >= 3 && nb[0].is_ascii_alphabetic() && nb[1] == b':' && nb[2] == b'/' {
            return Err(load_err("chart contains illegally named files"));
        }
        if parts[0] == "Chart.yaml" {
            return Err(load_err("chart yaml not in base directory"));
        }
        if et.is_symlink() || et.is_hard_link() {
            // Helm reads a link entry as an empty file; a link pointing out of the
            // chart is refused outright.
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let dir = n.rsplit_once('/').map_or("", |(d, _)| d);
            let joined = clean_path(&format!("{dir}/{target}"));
            if target.starts_with('/') || joined.starts_with("..") {
                return Err(load_err(format!(
                    "chart illegally contains a link out of the chart: {}",
                    go_quote(&raw_name)
                )));
            }
            files.push(File {
                name: n,
                data: Arc::from(Vec::new()),
            });
            continue;
        }
        let size = entry.header().size().unwrap_or(0);
        if size > remaining {
            return Err(load_err(format!(
                "decompressed chart is larger than the maximum size {MAX_CHART_SIZE}"
            )));
        }
        if size > MAX_FILE_SIZE {
            return Err(load_err(format!(
                "decompressed chart file {} is larger than the maximum file size {MAX_FILE_SIZE}",
                go_quote(&raw_name)
            )));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(remaining)
            .read_to_end(&mut data)
            .map_err(|e| load_err(format!("reading chart archive: {e}")))?;
        let written = data.len() as u64;
        remaining = remaining.saturating_sub(written);
        if written < size || remaining == 0 {
            return Err(load_err(format!(
                "decompressed chart is larger than the maximum size {MAX_CHART_SIZE}"
            )));
        }
        files.push(File {
            name: n,
            data: strip_bom(data).into(),
        });
    }
    if files.is_empty() {
        return Err(load_err("no files in chart archive"));
    }
    Ok(files)
}

/// Loads a packaged chart (`.tgz`) from its bytes.
pub fn load_archive(bytes: &[u8]) -> Result<Chart, Error> {
    let files = archive_files(bytes).map_err(|e| {
        if e.kind == ErrorKind::Limit {
            e
        } else {
            let mut e2 = load_err(format!("unable to load chart archive: {}", e.message));
            e2.chart = e.chart;
            e2
        }
    })?;
    check_api_version(&files)?;
    load_files(files, 0)
}

fn check_api_version(files: &[File]) -> Result<(), Error> {
    let Some(f) = files.iter().find(|f| f.name == "Chart.yaml") else {
        return Err(load_err(
            "unable to detect chart version, no Chart.yaml found",
        ));
    };
    api_version_gate(&f.data)
}

fn api_version_gate(data: &[u8]) -> Result<(), Error> {
    let text = String::from_utf8_lossy(data);
    let v = yaml_to_json_for(&text, &CHART_BASE)
        .map_err(|e| load_err(format!("cannot load Chart.yaml: {e}")).in_file("Chart.yaml"))?;
    if !matches!(v, Value::Map(_) | Value::Null) {
        return Err(load_err(format!(
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type loader.chartBase",
            json_kind(&v)
        ))
        .in_file("Chart.yaml"));
    }
    let api = match v.get("apiVersion") {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Null) | None => "",
        Some(other) => {
            return Err(load_err(format!(
                "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field chartBase.apiVersion of type string",
                json_kind(other)
            ))
            .in_file("Chart.yaml"));
        }
    };
    match api {
        "v1" | "v2" | "" => Ok(()),
        "v3" => Err(Error::new(
            ErrorKind::Unsupported,
            "charts with apiVersion v3 are not supported",
        )),
        _ => Err(load_err("unsupported chart version")),
    }
}

/// Reads a chart directory (`.helmignore` applied, as `loader.LoadDir` does).
fn dir_files(tree: &dyn FileTree, root: &RelPath) -> Result<Vec<File>, Error> {
    let tree_err = |e: crate::tree::TreeError| load_err(e.to_string());
    let ignore_path = root.join(".helmignore").map_err(tree_err)?;
    let mut rules = if tree.kind(&ignore_path).map_err(tree_err)? == Some(EntryKind::File) {
        let data = tree.read(&ignore_path).map_err(tree_err)?;
        Rules::parse(&data).map_err(|e| load_err(e).in_file(".helmignore"))?
    } else {
        Rules::default()
    };
    rules.add_defaults();
    let mut files = Vec::new();
    let mut total = 0u64;
    walk(tree, root, "", &rules, &mut files, &mut total)?;
    Ok(files)
}

fn walk(
    tree: &dyn FileTree,
    root: &RelPath,
    rel: &str,
    rules: &Rules,
    out: &mut Vec<File>,
    total: &mut u64,
) -> Result<(), Error> {
    let tree_err = |e: crate::tree::TreeError| load_err(e.to_string());
    let dir = if rel.is_empty() {
        root.clone()
    } else {
        root.join(rel).map_err(tree_err)?
    };
    for name in tree.list(&dir).map_err(tree_err)? {
        let n = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let path = root.join(&n).map_err(tree_err)?;
        match tree.kind(&path).map_err(tree_err)? {
            None => continue,
            Some(EntryKind::Dir) => {
                if rules.ignore(&n, true) {
                    continue;
                }
                walk(tree, root, &n, rules, out, total)?;
            }
            Some(EntryKind::File) => {
                if rules.ignore(&n, false) {
                    continue;
                }
                if out.len() >= MAX_ENTRIES {
                    return Err(Error::new(
                        ErrorKind::Limit,
                        format!("chart has more than {MAX_ENTRIES} files"),
                    ));
                }
                let data = tree.read(&path).map_err(tree_err)?;
                if data.len() as u64 > MAX_FILE_SIZE {
                    return Err(load_err(format!(
                        "chart file {} is larger than the maximum file size {MAX_FILE_SIZE}",
                        go_quote(&name)
                    )));
                }
                *total += data.len() as u64;
                if *total > MAX_DIR_SIZE {
                    return Err(Error::new(
                        ErrorKind::Limit,
                        format!("chart is larger than {MAX_DIR_SIZE} bytes"),
                    ));
                }
                out.push(File {
                    name: n,
                    data: strip_bom(data).into(),
                });
            }
        }
    }
    Ok(())
}

/// Loads a chart from `path` in `tree`: a chart directory or a packaged `.tgz` file.
pub fn load_chart(tree: &dyn FileTree, path: &RelPath) -> Result<Chart, Error> {
    let tree_err = |e: crate::tree::TreeError| load_err(e.to_string());
    match tree.kind(path).map_err(tree_err)? {
        None => Err(load_err(format!(
            "path {} not found",
            go_quote(path.as_str())
        ))),
        Some(EntryKind::File) => {
            let bytes = tree.read(path).map_err(tree_err)?;
            if !bytes.starts_with(b"\x1f\x8b\x08") {
                let name = path.as_str();
                if name.ends_with(".yml") || name.ends_with(".yaml") {
                    return Err(load_err(format!(
                        "file '{name}' seems to be a YAML file, but expected a gzipped archive"
                    )));
                }
                return Err(load_err(format!(
                    "file '{name}' does not appear to be a gzipped archive; got 'application/octet-stream'"
                )));
            }
            let files = archive_files(&bytes).map_err(|e| match e.kind {
                ErrorKind::Limit => e,
                _ => load_err("unable to load chart archive"),
            })?;
            check_api_version(&files)?;
            load_files(files, 0)
        }
        Some(EntryKind::Dir) => {
            let cy = path.join("Chart.yaml").map_err(tree_err)?;
            let data = tree
                .read(&cy)
                .map_err(|e| load_err(format!("unable to detect chart at {}: {e}", cy.as_str())))?;
            api_version_gate(&data)?;
            let files = dir_files(tree, path)?;
            load_files(files, 0)
        }
    }
}

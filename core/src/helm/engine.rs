//! `helm template`: values, dependencies, schema, rendering every template of a chart
//! and its subcharts with their scoped values, and printing the result as Helm does.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use super::chart::{Chart, Metadata};
use super::par::Queue;
use super::sort::{Doc, Hook, Manifest, file_docs, sort_docs, split_manifests, trim_space};
use super::{Error, ErrorKind};
use crate::template::value::{Elem, List, MapKind, Val};
use crate::template::{Env, ParsedText, TemplateError, Templates};
use crate::yaml::Value;

/// Helm v4.1.4's default Kubernetes version (`.Capabilities.KubeVersion`).
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// Helm v3.17.2's default Kubernetes version.
pub const HELM3_DEFAULT_KUBE_VERSION: &str = "v1.32.0";

/// Which Helm release's `helm template` to reproduce where Helm v3 and v4 differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HelmCompat {
    /// Helm v4.1.4 (`gitward template`).
    #[default]
    Helm4,
    /// Helm v3.17.2, the `helm` that `kubectl kustomize --enable-helm` runs (kustomize
    /// v5.7.1 accepts only Helm 3): its `.Capabilities` (Kubernetes v1.32.0 and its API
    /// versions, `--kube-version` read as a Masterminds semantic version, its build
    /// information).
    Helm3,
}

/// Everything `helm template` takes besides the chart.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Release name (validated as Helm does: lowercase DNS-1123, at most 53 characters).
    pub release_name: String,
    /// Release namespace.
    pub namespace: String,
    /// `.Release.Revision` (1 for `helm template`).
    pub revision: i64,
    /// `--is-upgrade`.
    pub is_upgrade: bool,
    /// The user's values (`-f` files and `--set*` flags, already merged; see
    /// [`super::UserValues`]).
    pub values: Value,
    /// `--kube-version` (`None`: Helm's default, v1.35.0).
    pub kube_version: Option<String>,
    /// `--api-versions` (added to Helm's default list).
    pub api_versions: Vec<String>,
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--no-hooks`.
    pub no_hooks: bool,
    /// `--show-only` patterns (paths relative to the chart, `filepath.Match` globs).
    pub show_only: Vec<String>,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// `--render-subchart-notes` (notes are not printed by `helm template`; kept for
    /// [`Rendered::notes`]).
    pub subchart_notes: bool,
    /// Clock, randomness, lookup objects and limits for the templates.
    pub env: Env,
    /// The Helm release reproduced.
    pub compat: HelmCompat,
    /// Threads rendering may use (the calling one included): helpers parse template
    /// texts and read rendered files into documents while later templates execute.
    /// The output is the same whatever the number; 1 keeps everything on the calling
    /// thread.
    pub threads: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
            values: Value::Map(Default::default()),
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
            skip_schema_validation: false,
            subchart_notes: false,
            env: Env::default(),
            compat: HelmCompat::Helm4,
            threads: 2,
        }
    }
}

/// The result of [`render`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// Manifests in install order (`rel.Manifest` without CRDs).
    pub manifests: Vec<Manifest>,
    /// Hooks in kind order.
    pub hooks: Vec<Hook>,
    /// CRD files printed with `--include-crds`: (path, raw text).
    pub crds: Vec<(String, String)>,
    /// Rendered `NOTES.txt` of the chart (and of subcharts with
    /// `subchart_notes`).
    pub notes: String,
    /// The values the templates saw (`.Values` of the top chart).
    pub values: Value,
    /// Warnings Helm would log.
    pub warnings: Vec<super::Warning>,
    text: String,
}

impl Rendered {
    /// What `helm template` prints on standard output. Bytes that are not UTF-8 (from
    /// binary files) are carried as private-use characters; see [`Rendered::to_bytes`].
    pub fn to_text(&self) -> String {
        self.text.clone()
    }

    /// The exact bytes `helm template` prints.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes().into_owned()
    }

    /// The exact bytes `helm template` prints, borrowed when the text carries no raw
    /// bytes (no copy of a large output).
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        crate::template::gostr_bytes(&self.text)
    }
}

/// A parsed Kubernetes version (`common.ParseKubeVersion`).
#[derive(Debug, Clone)]
struct KubeVersion {
    version: String,
    normalized: String,
    major: String,
    minor: String,
}

fn parse_kube_version(v: &str) -> Result<KubeVersion, String> {
    let s = v.trim_start();
    let body = s.strip_prefix('v').unwrap_or(s);
    let end = body
        .char_indices()
        .find(|(i, c)| {
            !(c.is_ascii_digit()
                || (*c == '.'
                    && body[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_ascii_digit())
                    && *i > 0))
        })
        .map_or(body.len(), |(i, _)| i);
    let numbers = &body[..end];
    if numbers.is_empty() {
        return Err(format!("could not parse {} as version", quote(v)));
    }
    let comps: Vec<&str> = numbers.split('.').collect();
    if comps.len() < 2 {
        return Err(format!("illegal version string {}", quote(v)));
    }
    let mut nums = Vec::new();
    for (i, c) in comps.iter().enumerate() {
        if i == 0 && c.starts_with('0') && *c != "0" {
            return Err(format!(
                "illegal zero-prefixed version component {} in {}",
                quote(c),
                quote(v)
            ));
        }
        let n: u64 = c.parse().map_err(|e| {
            format!(
                "illegal non-numeric version component {} in {}: {e}",
                quote(c),
                quote(v)
            )
        })?;
        nums.push(n.to_string());
    }
    Ok(KubeVersion {
        version: if v.starts_with('v') {
            v.to_string()
        } else {
            format!("v{v}")
        },
        normalized: format!("v{}", nums.join(".")),
        major: nums[0].clone(),
        minor: nums[1].clone(),
    })
}

/// Helm v3's `chartutil.ParseKubeVersion`: a Masterminds (v3.3) semantic version, `v`
/// prefixed; `Version` is `v` and the version printed back.
fn parse_kube_version_helm3(v: &str) -> Result<KubeVersion, String> {
    let with_v = if v.starts_with('v') {
        v.to_owned()
    } else {
        format!("v{v}")
    };
    // Helm v3.17.2 links Masterminds/semver v3.3.0, which accepts what v3.4.0 does but
    // words its errors with capitals.
    let sv = crate::template::parse_semver(&with_v).map_err(|e| match e.as_str() {
        "invalid semantic version" => "Invalid Semantic Version".to_owned(),
        "version segment starts with 0" => "Version segment starts with 0".to_owned(),
        "invalid prerelease string" => "Invalid Prerelease string".to_owned(),
        "invalid metadata string" => "Invalid Metadata string".to_owned(),
        other => match other.strip_prefix("error parsing version segment") {
            Some(rest) => format!("Error parsing version segment{rest}"),
            None => other.to_owned(),
        },
    })?;
    // `String()`: the numbers, `-pre` and `+metadata`.
    let text = format!("v{sv}");
    Ok(KubeVersion {
        version: text.clone(),
        normalized: text,
        major: sv.major().to_string(),
        minor: sv.minor().to_string(),
    })
}

fn quote(s: &str) -> String {
    super::chart::go_quote(s)
}

fn s(v: &str) -> Val {
    Val::str(v)
}

fn str_items(v: &[String]) -> Val {
    Val::list(v.iter().map(|x| s(x)).collect())
}

fn capabilities(kv: &KubeVersion, extra: &[String], compat: HelmCompat) -> Val {
    use crate::template::helm as th;
    let (defaults, set_type) = match compat {
        HelmCompat::Helm4 => (th::DEFAULT_API_VERSIONS, "common.VersionSet"),
        HelmCompat::Helm3 => (th::HELM3_DEFAULT_API_VERSIONS, "chartutil.VersionSet"),
    };
    let mut apis: Vec<Val> = defaults.iter().map(|x| s(x)).collect();
    apis.extend(extra.iter().map(|a| s(a)));
    let api = Val::List(Rc::new(List {
        elem: Elem::Str,
        named: Some(set_type),
        items: apis,
    }));
    match compat {
        HelmCompat::Helm4 => th::capabilities_val(
            th::kube_version_val(&kv.version, &kv.normalized, &kv.major, &kv.minor),
            api,
        ),
        HelmCompat::Helm3 => th::helm3_capabilities_val(
            th::helm3_kube_version_val(&kv.version, &kv.major, &kv.minor),
            api,
        ),
    }
}

/// `.Chart`: `MetadataAsMap()` plus `IsRoot`.
fn chart_object(md: &Metadata, is_root: bool) -> Val {
    let mut m = BTreeMap::new();
    m.insert("Name".into(), s(&md.name));
    m.insert("Home".into(), s(&md.home));
    m.insert("Sources".into(), str_items(&md.sources));
    m.insert("Version".into(), s(&md.version));
    m.insert("Description".into(), s(&md.description));
    m.insert("Keywords".into(), str_items(&md.keywords));
    let maint: Vec<Val> = md
        .maintainers
        .iter()
        .map(|x| match x {
            None => Val::Nil,
            Some(x) => {
                let mut mm = BTreeMap::new();
                mm.insert("Name".into(), s(&x.name));
                mm.insert("Email".into(), s(&x.email));
                mm.insert("URL".into(), s(&x.url));
                Val::dict(mm)
            }
        })
        .collect();
    m.insert("Maintainers".into(), Val::list(maint));
    m.insert("Icon".into(), s(&md.icon));
    m.insert("APIVersion".into(), s(&md.api_version));
    m.insert("Condition".into(), s(&md.condition));
    m.insert("Tags".into(), s(&md.tags));
    m.insert("AppVersion".into(), s(&md.app_version));
    m.insert("Deprecated".into(), Val::Bool(md.deprecated));
    let ann: BTreeMap<String, Val> = md
        .annotations
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), s(v)))
        .collect();
    // An unset `map[string]string` field stays a nil map (`null` in JSON).
    let ann = if md.annotations.is_some() {
        Val::map(MapKind::Str, ann)
    } else {
        Val::nil_map(MapKind::Str)
    };
    m.insert("Annotations".into(), ann);
    m.insert("KubeVersion".into(), s(&md.kube_version));
    let deps: Vec<Val> = md
        .dependencies
        .iter()
        .map(|d| match d {
            None => Val::Nil,
            Some(d) => {
                let mut dm = BTreeMap::new();
                dm.insert("Name".into(), s(&d.name));
                dm.insert("Version".into(), s(&d.version));
                dm.insert("Repository".into(), s(&d.repository));
                dm.insert("Condition".into(), s(&d.condition));
                dm.insert("Tags".into(), str_items(&d.tags));
                dm.insert("Enabled".into(), Val::Bool(d.enabled));
                let iv: Vec<Val> = d
                    .import_values
                    .iter()
                    .map(|x| match x {
                        Value::Map(mm) => Val::map(
                            MapKind::Str,
                            mm.iter()
                                .map(|(k, v)| (k.clone(), s(v.as_str().unwrap_or(""))))
                                .collect(),
                        ),
                        other => Val::from_value(other),
                    })
                    .collect();
                dm.insert("ImportValues".into(), Val::list(iv));
                dm.insert("Alias".into(), s(&d.alias));
                Val::dict(dm)
            }
        })
        .collect();
    m.insert("Dependencies".into(), Val::list(deps));
    m.insert("Type".into(), s(&md.chart_type));
    m.insert("IsRoot".into(), Val::Bool(is_root));
    Val::dict(m)
}

/// A `common.Values` view of a map value (shares the nested maps).
fn as_values_map(v: &Val) -> Val {
    match v {
        Val::Map(m) => Val::map(MapKind::Values, m.entries.borrow().clone()),
        _ => Val::map(MapKind::Values, BTreeMap::new()),
    }
}

/// The engine string of file bytes, borrowed when they are UTF-8.
fn gostr(b: &[u8]) -> Cow<'_, str> {
    crate::template::gostr_from_bytes(b)
}

/// Go's `strings.ReplaceAll(s, "<no value>", "")`, copying only when it occurs.
fn strip_no_value(s: String) -> String {
    if s.contains("<no value>") {
        s.replace("<no value>", "")
    } else {
        s
    }
}

struct Renderable {
    /// The chart's top-level object (`next`), shared by its templates.
    data: Val,
    base_path: String,
}

/// `recAllTpls`: collects every template with the data it is rendered with.
fn rec_all_tpls(
    c: &Chart,
    full_path: &str,
    is_root: bool,
    parent_values: &Val,
    release: &Val,
    caps: &Val,
    out: &mut BTreeMap<String, Renderable>,
) -> Val {
    let values = if is_root {
        parent_values.clone()
    } else {
        match parent_values {
            Val::Map(m) => match m.entries.borrow().get(c.name()) {
                Some(v @ Val::Map(_)) => as_values_map(v),
                _ => Val::map(MapKind::Values, BTreeMap::new()),
            },
            _ => Val::map(MapKind::Values, BTreeMap::new()),
        }
    };
    let files: BTreeMap<String, Val> = c
        .files
        .iter()
        .map(|f| (f.name.clone(), Val::Str(Rc::from(gostr(&f.data).as_ref()))))
        .collect();
    let mut subcharts = BTreeMap::new();
    for child in &c.dependencies {
        let child_path = format!("{full_path}/charts/{}", child.name());
        let next = rec_all_tpls(child, &child_path, false, &values, release, caps, out);
        subcharts.insert(child.name().to_string(), next);
    }
    let mut next = BTreeMap::new();
    next.insert("Chart".into(), chart_object(&c.metadata, is_root));
    next.insert("Files".into(), Val::map(MapKind::Files, files));
    next.insert("Release".into(), release.clone());
    next.insert("Capabilities".into(), caps.clone());
    next.insert("Values".into(), values);
    next.insert("Subcharts".into(), Val::dict(subcharts));
    let next = Val::map(MapKind::Values, next);
    for t in &c.templates {
        if c.is_library() {
            let base = t.name.rsplit('/').next().unwrap_or(&t.name);
            if !base.starts_with('_') {
                continue;
            }
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                data: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    next
}

/// The text of every template [`rec_all_tpls`] collects, by the same names (the same
/// walk, so a later duplicate wins as there).
fn template_texts<'c>(c: &'c Chart, full_path: &str, out: &mut BTreeMap<String, Cow<'c, str>>) {
    for child in &c.dependencies {
        template_texts(child, &format!("{full_path}/charts/{}", child.name()), out);
    }
    for t in &c.templates {
        if c.is_library() {
            let base = t.name.rsplit('/').next().unwrap_or(&t.name);
            if !base.starts_with('_') {
                continue;
            }
        }
        out.insert(format!("{full_path}/{}", t.name), gostr(&t.data));
    }
}

/// `sortTemplates`: deepest paths first, then reverse lexical order.
fn sort_templates(names: Vec<String>) -> Vec<String> {
    let mut keys = names;
    keys.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
    keys
}

/// Helm's `reformatExecErrorMsg` applied to the engine's error.
fn reformat_exec_error(filename: &str, err: &TemplateError) -> String {
    match err {
        TemplateError::Parse(_) => err.helm_message(),
        TemplateError::Limit(m) => m.clone(),
        TemplateError::Exec { message, user } => {
            let tokens: Vec<&str> = message.splitn(3, ": ").collect();
            if tokens.len() != 3 {
                return format!("execution error in ({filename}): {message}");
            }
            if let Some((_, msg)) = user {
                return format!("execution error at ({}): {msg}", tokens[1]);
            }
            let mut traces: Vec<(String, String, String)> = Vec::new();
            let mut cur: &str = message;
            loop {
                let Some(rest) = cur.strip_prefix("template: ") else {
                    return message.clone();
                };
                if rest.starts_with("no template ") {
                    let t = (String::new(), cur.to_string(), String::new());
                    if traces.last() != Some(&t) {
                        traces.push(t);
                    }
                    break;
                }
                if let Some(idx) = rest.find(": executing ") {
                    let name = &rest[..idx];
                    let after = &rest[idx + ": executing ".len()..];
                    let Some(a1) = after.strip_prefix('"') else {
                        return message.clone();
                    };
                    let Some(endq) = a1.find('"') else {
                        return message.clone();
                    };
                    let func = &a1[..endq];
                    let Some(after_at) = a1[endq + 1..].strip_prefix(" at <") else {
                        return message.clone();
                    };
                    let Some(end_loc) = after_at.find(">: ") else {
                        return message.clone();
                    };
                    let loc = &after_at[..end_loc];
                    let full = &after_at[end_loc + 3..];
                    let shown = match full.find(" template:") {
                        Some(c) => &full[..c],
                        None => full,
                    };
                    let t = (
                        name.to_string(),
                        shown.to_string(),
                        format!("executing \"{func}\" at <{loc}>:"),
                    );
                    if traces.last() != Some(&t) {
                        traces.push(t);
                    }
                    // The wrapped error of `error calling X: <err>`, if any.
                    if let Some(r) = full.strip_prefix("error calling ")
                        && let Some(i) = r.find(": ")
                    {
                        cur = &r[i + 2..];
                        continue;
                    }
                    break;
                }
                match rest.rfind(": ") {
                    Some(sep) => {
                        let name = &rest[..sep];
                        let mut msg = &rest[sep + 2..];
                        if let Some(c) = msg.find(" template:") {
                            msg = &msg[..c];
                        }
                        let t = (name.to_string(), msg.to_string(), String::new());
                        if traces.last() != Some(&t) {
                            traces.push(t);
                        }
                        break;
                    }
                    None => return message.clone(),
                }
            }
            let mut out = String::new();
            for (loc, msg, exec) in traces {
                if !loc.is_empty() {
                    out.push_str(&format!("{loc}\n  "));
                }
                if !exec.is_empty() {
                    out.push_str(&format!("{exec}\n    "));
                }
                if !msg.is_empty() {
                    out.push_str(&format!("{msg}\n"));
                }
            }
            trim_space(&out).to_string()
        }
    }
}

fn render_error(message: String, file: &str) -> Error {
    let mut e = Error::new(ErrorKind::Template, message).in_file(file);
    e.debug_hint = true;
    e
}

/// Renders every template (`keys`, in execution order; `parsed` gives their parse
/// results in that order), handing each output (file name, text) to `emit` in execution
/// order; returns the parsed set.
#[allow(clippy::too_many_arguments)]
fn render_templates(
    chart: &Chart,
    values: &Value,
    release: &Val,
    caps: &Val,
    env: &Env,
    keys: &[String],
    parsed: &dyn Fn() -> Vec<Result<ParsedText, TemplateError>>,
    emit: &mut dyn FnMut(String, String),
) -> Result<Templates, Error> {
    let mut tpls = BTreeMap::new();
    let root_values = as_values_map(&Val::from_value(values));
    rec_all_tpls(
        chart,
        chart.name(),
        true,
        &root_values,
        release,
        caps,
        &mut tpls,
    );
    let mut set = Templates::new();
    for (k, p) in keys.iter().zip(parsed()) {
        set.add_parsed(p.map_err(|e| render_error(e.helm_message(), k))?);
    }
    for k in keys {
        let base = k.rsplit('/').next().unwrap_or(k);
        if base.starts_with('_') {
            continue;
        }
        let Some(r) = tpls.get(k) else {
            continue;
        };
        if let Val::Map(m) = &r.data {
            let mut tm = BTreeMap::new();
            tm.insert("Name".to_string(), s(k));
            tm.insert("BasePath".to_string(), s(&r.base_path));
            m.entries
                .borrow_mut()
                .insert("Template".into(), Val::map(MapKind::Values, tm));
        }
        let out = set.execute(k, r.data.clone(), env).map_err(|e| {
            let mut err = render_error(reformat_exec_error(k, &e), k);
            if let TemplateError::Limit(_) = e {
                err.kind = ErrorKind::Limit;
            }
            err
        })?;
        emit(k.clone(), strip_no_value(out));
    }
    Ok(set)
}

/// Template text below which everything stays on one thread (a helper thread costs
/// more than it saves on a small chart: starting it, and the memory its allocator and
/// stack touch).
const PARALLEL_TEXT: usize = 64 << 10;

/// Template text above which the parsed set is freed on a thread of its own once
/// rendering is done (nothing waits for it; a process that exits may never finish).
const DROP_LATER_TEXT: usize = 512 << 10;

/// One template text's parse, once some thread has made it.
type ParseSlot = Option<Result<ParsedText, TemplateError>>;

/// Parse results of the template texts, filled by whichever thread parses each.
struct Parses<'t> {
    texts: &'t [(&'t str, &'t str)],
    next: AtomicUsize,
    done: Mutex<(Vec<ParseSlot>, usize)>,
    all_done: Condvar,
}

impl Parses<'_> {
    /// Parses texts nobody has taken yet, until none is left.
    fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some((name, text)) = self.texts.get(i) else {
                return;
            };
            let r = Templates::parse(name, text);
            let mut d = lock(&self.done);
            if let Some(slot) = d.0.get_mut(i) {
                *slot = Some(r);
            }
            d.1 += 1;
            if d.1 == self.texts.len() {
                self.all_done.notify_all();
            }
        }
    }

    /// Helps, then waits for the texts others are parsing; the results in text order.
    fn results(&self) -> Vec<Result<ParsedText, TemplateError>> {
        self.work();
        let mut d = lock(&self.done);
        while d.1 < self.texts.len() {
            d = self
                .all_done
                .wait(d)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        std::mem::take(&mut d.0)
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(TemplateError::Limit("template not parsed".into()))))
            .collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Renders every template and reads the outputs into documents (`SortManifests`'s
/// per-file work) on `threads` threads: a helper parses template texts while the
/// rendering thread builds the templates' data, then reads rendered files while later
/// templates execute. Returns the `NOTES.txt` outputs and the documents of every other
/// file, in path order.
#[allow(clippy::type_complexity)]
fn render_and_read(
    chart: &Chart,
    values: &Value,
    release: &Val,
    caps: &Val,
    env: &Env,
    threads: usize,
) -> Result<(BTreeMap<String, String>, Vec<(String, Vec<Doc>)>), Error> {
    let mut text_map = BTreeMap::new();
    template_texts(chart, chart.name(), &mut text_map);
    let keys = sort_templates(text_map.keys().cloned().collect());
    let texts: Vec<(&str, &str)> = keys
        .iter()
        .filter_map(|k| Some((k.as_str(), text_map.get(k)?.as_ref())))
        .collect();
    let size: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let threads = if size < PARALLEL_TEXT {
        1
    } else {
        threads.max(1)
    };
    let parses = Parses {
        texts: &texts,
        next: AtomicUsize::new(0),
        done: Mutex::new(((0..texts.len()).map(|_| None).collect(), 0)),
        all_done: Condvar::new(),
    };
    let queue: Queue<(String, String)> = Queue::new();
    let read: Mutex<BTreeMap<String, Result<Vec<Doc>, Error>>> = Mutex::new(BTreeMap::new());
    let read_work = || {
        while let Some((path, content)) = queue.pop() {
            let docs = file_docs(&path, &content);
            drop(content);
            lock(&read).insert(path, docs);
        }
    };
    let helper = || {
        parses.work();
        read_work();
    };
    let mut notes = BTreeMap::new();
    let set = std::thread::scope(|sc| {
        super::par::spawn_helpers(sc, threads - 1, &helper);
        let r = render_templates(
            chart,
            values,
            release,
            caps,
            env,
            &keys,
            &|| parses.results(),
            &mut |k, out| {
                if k.ends_with("NOTES.txt") {
                    notes.insert(k, out);
                } else {
                    queue.push((k, out));
                }
            },
        );
        queue.close(r.is_err());
        read_work();
        r
    })?;
    if threads > 1 && size >= DROP_LATER_TEXT {
        super::par::drop_later(set);
    } else {
        drop(set);
    }
    let read = read
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut files = Vec::with_capacity(read.len());
    for (path, docs) in read {
        let docs = docs.map_err(|mut e| {
            e.debug_hint = true;
            e
        })?;
        files.push((path, docs));
    }
    Ok((notes, files))
}

fn crd_objects(c: &Chart, full_path: &str, out: &mut Vec<(String, String)>) {
    for f in &c.files {
        let lower = f.name.to_ascii_lowercase();
        let ext_ok = [".yaml", ".yml", ".json"].iter().any(|e| {
            let base = lower.rsplit('/').next().unwrap_or(&lower);
            base.rfind('.').is_some_and(|i| &base[i..] == *e)
        });
        if f.name.starts_with("crds/") && ext_ok {
            out.push((
                format!("{full_path}/{}", f.name),
                gostr(&f.data).into_owned(),
            ));
        }
    }
    for d in &c.dependencies {
        crd_objects(d, &format!("{full_path}/charts/{}", d.name()), out);
    }
}

/// Helm's release name rule.
fn validate_release_name(name: &str) -> Result<(), Error> {
    let err = |m: &str| {
        Err(Error::new(
            ErrorKind::ReleaseName,
            format!(
                "release name check failed: release name {}: {m}",
                quote(name)
            ),
        ))
    };
    if name.is_empty() {
        return err("no name provided");
    }
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    if name.len() > 53 || !name.split('.').all(label_ok) {
        return err(
            "invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53",
        );
    }
    Ok(())
}

/// The top chart as `helm install` stores it in the release record: dependencies
/// processed for the user's `values` as Helm's `ProcessDependenciesWithMerge` does
/// (disabled subcharts removed, `enabled` set on each dependency, import-values applied
/// and the chart's values coalesced with its subcharts'). [`render`] does the same on a
/// copy of its own.
pub fn process_chart(chart: &Chart, values: &Value) -> Result<Chart, Error> {
    super::deps::check_dependencies(chart)?;
    let mut chart = chart.clone();
    super::deps::process_dependencies(&mut chart, values, &mut Vec::new(), HelmCompat::Helm4)?;
    Ok(chart)
}

/// Renders a chart as `helm template` does (Helm v4.1.4).
///
/// Template recursion uses native stack (about 16 KiB per `include`/`template` level;
/// Helm allows 1000 levels): call this on a thread with a large stack, e.g. 512 MiB via
/// `std::thread::Builder::stack_size`.
pub fn render(chart: &Chart, opts: &RenderOptions) -> Result<Rendered, Error> {
    let mut warnings = Vec::new();
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("{} charts are not installable", chart.metadata.chart_type),
        )
        .in_chart(chart.name()));
    }
    if chart.metadata.deprecated {
        warnings.push(super::Warning::new("this chart is deprecated"));
    }
    super::deps::check_dependencies(chart)?;
    validate_release_name(&opts.release_name)?;
    let mut chart = chart.clone();
    super::deps::process_dependencies(&mut chart, &opts.values, &mut warnings, opts.compat)?;
    let kv = match (&opts.kube_version, opts.compat) {
        (None, HelmCompat::Helm4) => parse_kube_version(DEFAULT_KUBE_VERSION),
        (None, HelmCompat::Helm3) => parse_kube_version_helm3(HELM3_DEFAULT_KUBE_VERSION),
        (Some(v), HelmCompat::Helm4) => parse_kube_version(v),
        (Some(v), HelmCompat::Helm3) => parse_kube_version_helm3(v),
    }
    .map_err(|e| {
        Error::new(
            ErrorKind::KubeVersion,
            format!(
                "invalid kube version '{}': {e}",
                opts.kube_version.as_deref().unwrap_or("")
            ),
        )
    })?;
    let caps = capabilities(&kv, &opts.api_versions, opts.compat);
    let values = super::values::coalesce_values(&chart, &opts.values, opts.compat)?;
    if !opts.skip_schema_validation {
        super::schema::validate_chart(&chart, &values)?;
    }
    // renderResources
    if !chart.metadata.kube_version.is_empty()
        && !crate::template::semver_satisfies(&chart.metadata.kube_version, &kv.normalized)
    {
        let mut e = Error::new(
            ErrorKind::KubeVersion,
            format!(
                "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
                chart.metadata.kube_version, kv.version
            ),
        )
        .in_chart(chart.name());
        e.debug_hint = true;
        return Err(e);
    }
    let mut rel = BTreeMap::new();
    rel.insert("Name".into(), s(&opts.release_name));
    rel.insert("Namespace".into(), s(&opts.namespace));
    rel.insert("IsUpgrade".into(), Val::Bool(opts.is_upgrade));
    rel.insert("IsInstall".into(), Val::Bool(!opts.is_upgrade));
    rel.insert("Revision".into(), Val::Int(opts.revision));
    rel.insert("Service".into(), s("Helm"));
    let release = Val::dict(rel);
    let (note_files, files) =
        render_and_read(&chart, &values, &release, &caps, &opts.env, opts.threads)?;
    let mut notes = String::new();
    let top_notes = format!("{}/templates/NOTES.txt", chart.name());
    for (k, v) in note_files {
        if opts.subchart_notes || k == top_notes {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(&v);
        }
    }
    let (hooks, manifests) = sort_docs(files);
    let mut crds = Vec::new();
    if opts.include_crds {
        crd_objects(&chart, chart.name(), &mut crds);
    }
    let mut manifest = String::new();
    for (name, data) in &crds {
        manifest.push_str(&format!("---\n# Source: {name}\n{data}\n"));
    }
    for m in &manifests {
        manifest.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content));
    }
    let mut all = String::new();
    all.push_str(trim_space(&manifest));
    all.push('\n');
    if !opts.no_hooks {
        for h in &hooks {
            if opts.skip_tests && h.is_test() {
                continue;
            }
            all.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
        }
    }
    let text = if opts.show_only.is_empty() {
        all
    } else {
        show_only(&all, &opts.show_only)?
    };
    Ok(Rendered {
        manifests,
        hooks,
        crds,
        notes,
        values,
        warnings,
        text,
    })
}

fn show_only(all: &str, patterns: &[String]) -> Result<String, Error> {
    let docs = split_manifests(all);
    let mut out = String::new();
    for f in patterns {
        let f = f.replace('\\', "/");
        let mut missing = true;
        for d in &docs {
            let Some(name) = source_name(d) else {
                continue;
            };
            if !super::glob::matches(&f, name).unwrap_or(false) {
                continue;
            }
            out.push_str(&format!("---\n{d}\n"));
            missing = false;
        }
        if missing {
            return Err(Error::new(
                ErrorKind::ShowOnly,
                format!("could not find template {f} in chart"),
            ));
        }
    }
    Ok(out)
}

/// The first match of `# Source: [^/]+/(.+)` in a document.
fn source_name(doc: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = doc[from..].find("# Source: ") {
        let start = from + i + "# Source: ".len();
        let line = doc[start..].split('\n').next().unwrap_or("");
        if let Some(slash) = line.find('/')
            && slash > 0
            && slash + 1 < line.len()
        {
            return Some(&line[slash + 1..]);
        }
        from = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_versions() {
        let k = parse_kube_version("1.35.0").expect("ok");
        assert_eq!(
            (k.version.as_str(), k.normalized.as_str(), k.major.as_str()),
            ("v1.35.0", "v1.35.0", "1")
        );
        let k = parse_kube_version("v1.33.4-gke.1245000").expect("ok");
        assert_eq!(k.normalized, "v1.33.4");
        assert!(parse_kube_version("1").is_err());
        assert!(parse_kube_version("x").is_err());
    }

    #[test]
    fn template_order() {
        let k = sort_templates(vec![
            "a/templates/x.yaml".into(),
            "a/charts/b/templates/y.yaml".into(),
            "a/templates/y.yaml".into(),
        ]);
        assert_eq!(
            k,
            [
                "a/charts/b/templates/y.yaml",
                "a/templates/y.yaml",
                "a/templates/x.yaml"
            ]
        );
    }

    #[test]
    fn release_names() {
        assert!(validate_release_name("r1").is_ok());
        assert!(validate_release_name("a.b-c").is_ok());
        assert!(validate_release_name("A").is_err());
        assert!(validate_release_name("-a").is_err());
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }
}

//! Native `kustomize build`, byte-compatible with kustomize v5.7.1.
//!
//! [`build`] reads a kustomization from a [`FileTree`] and returns the resources kustomize
//! would print, in its order. It does no I/O beyond the tree it is handed: remote bases,
//! files and charts are listed by [`remote_refs`], and fetched during the build only
//! through a [`Fetcher`] the caller hands in ([`Options::with_fetcher`]; the shell's is
//! `gitward::io::kustomize_remote`). Without one they are reported as unsupported.

mod decode;
mod fieldspec;
mod generators;
mod helmchart;
mod jsonpatch;
mod loader;
mod namereference;
mod nodehash;
pub(crate) mod patch;
mod plugins;
pub mod remote;
mod replacements;
mod resmap;
mod resource;
mod sort;
mod transformers;
pub mod types;
mod vars;

use crate::go::strconv;
use std::fmt;

use crate::tree::{FileTree, RelPath};
use crate::yaml::{Map, Value};
use fieldspec::{FsSlice, TransformerConfig};
use loader::Loader;
pub use remote::fetch::{ChartPull, FetchFailure, FetchFailureKind, Fetcher, SharedTree};
use resmap::ResMap;
use resource::Resource;
use types::{FieldSpec, Kustomization};

/// The file names kustomize recognises, in the order it tries them.
pub const KUSTOMIZATION_FILE_NAMES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Which files a kustomization may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictor {
    /// Files must lie in or below the kustomization's directory (kustomize's default).
    #[default]
    RootOnly,
    /// Any file in the tree.
    None,
}

/// The final ordering of resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reorder {
    /// Not given: `legacy`, unless the kustomization sets `sortOptions`.
    #[default]
    Unspecified,
    /// kustomize's legacy kind order.
    Legacy,
    /// The order resources were accumulated in.
    None,
}

/// Build options (the flags of `kubectl kustomize`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// `--load-restrictor`.
    pub load_restrictor: LoadRestrictor,
    /// `--reorder`.
    pub reorder: Reorder,
    /// `--enable-managedby-label`.
    pub managed_by_label: bool,
    /// `--enable-helm`: render `helmCharts`.
    pub enable_helm: bool,
    /// The built-in strategic-merge schema to use; `None` parses the embedded table for
    /// this build (about 25 ms). Callers running many builds parse it once with
    /// [`crate::smp::Schema::builtin`] and share it.
    pub schema: Option<std::sync::Arc<crate::smp::Schema>>,
    /// How remote bases, files and charts are fetched; `None`: they are unsupported.
    pub fetcher: Option<remote::fetch::FetcherHandle>,
}

impl Options {
    /// Sets the load restrictor.
    pub fn with_load_restrictor(mut self, r: LoadRestrictor) -> Self {
        self.load_restrictor = r;
        self
    }
    /// Sets the reorder mode.
    pub fn with_reorder(mut self, r: Reorder) -> Self {
        self.reorder = r;
        self
    }
    /// Adds `app.kubernetes.io/managed-by`.
    pub fn with_managed_by_label(mut self, on: bool) -> Self {
        self.managed_by_label = on;
        self
    }
    /// Renders `helmCharts`.
    pub fn with_helm(mut self, on: bool) -> Self {
        self.enable_helm = on;
        self
    }
    /// Fetches remote bases, files and charts through `fetcher` (each repository and
    /// chart once per build).
    pub fn with_fetcher(mut self, fetcher: std::sync::Arc<dyn Fetcher>) -> Self {
        self.fetcher = Some(remote::fetch::FetcherHandle(fetcher));
        self
    }
    /// Shares a parsed built-in schema across builds.
    pub fn with_schema(mut self, schema: std::sync::Arc<crate::smp::Schema>) -> Self {
        self.schema = Some(schema);
        self
    }
}

/// The version kustomize reports in the managed-by label.
pub const KUSTOMIZE_VERSION: &str = "v5.7.1";

/// The result of a build.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildOutput {
    /// The resources, in output order.
    pub resources: Vec<Value>,
    /// Warnings kustomize prints on stderr (deprecated fields, ...).
    pub warnings: Vec<String>,
}

impl BuildOutput {
    /// The YAML stream `kubectl kustomize` prints.
    pub fn to_yaml(&self) -> String {
        crate::yaml::dump_kustomize_docs(&self.resources)
    }
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No kustomization file in a directory.
    MissingKustomization,
    /// A kustomization file that kustomize rejects.
    InvalidKustomization,
    /// A file that is not valid YAML.
    Yaml,
    /// A file or directory that cannot be read, or that the load restrictor refuses.
    Load,
    /// Bases that include each other.
    Cycle,
    /// Two resources with one id, or a merge/replace without a target.
    Conflict,
    /// A patch that cannot be applied.
    Patch,
    /// A transformer or generator failed.
    Transform,
    /// Something gitward does not do (remote bases, exec plugins, ...).
    Unsupported,
}

/// A build error: its kind and kustomize's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The category.
    pub kind: ErrorKind,
    /// The message, naming the file, object or path involved.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

fn err(kind: ErrorKind, message: impl Into<String>) -> Error {
    Error {
        kind,
        message: message.into(),
    }
}

fn wrap(e: Error, prefix: impl fmt::Display) -> Error {
    Error {
        kind: e.kind,
        message: format!("{prefix}: {}", e.message),
    }
}

/// Builds the kustomization in directory `path` of `tree`.
pub fn build(tree: &dyn FileTree, path: &RelPath, opts: &Options) -> Result<BuildOutput, Error> {
    let state = std::sync::Arc::new(remote::fetch::RemoteState::new(
        opts.fetcher.as_ref().map(|f| f.0.clone()),
    ));
    let ldr = Loader::new(
        tree,
        path.clone(),
        opts.load_restrictor == LoadRestrictor::RootOnly,
        state.clone(),
    );
    let res = build_with(ldr, opts);
    // Without a fetcher, a remote input met on the way makes the build unsupported,
    // whatever became of the error that reported it.
    match (state.hit.get(), res) {
        (None, res) => res,
        (Some(_), Err(e))
            if e.message
                .contains("must be fetched by the source layer first") =>
        {
            Err(err(ErrorKind::Unsupported, e.message))
        }
        (Some(msg), _) => Err(err(ErrorKind::Unsupported, msg.clone())),
    }
}

/// Builds the kustomization a git URL names (`kubectl kustomize <URL>`), through the
/// options' fetcher.
///
/// # Errors
/// The URL is not a git URL kustomize accepts, there is no fetcher, the clone failed, or
/// the build did.
pub fn build_url(url: &str, opts: &Options) -> Result<BuildOutput, Error> {
    remote::RepoSpec::parse(url).map_err(|e| err(ErrorKind::Load, e))?;
    let state = std::sync::Arc::new(remote::fetch::RemoteState::new(
        opts.fetcher.as_ref().map(|f| f.0.clone()),
    ));
    let empty = crate::tree::MemTree::new();
    let top = Loader::new(&empty, RelPath::root(), true, state.clone());
    let res = top
        .child(url)
        .map_err(|e| err(ErrorKind::Load, e))
        .and_then(|ldr| build_with(ldr, opts));
    match (state.hit.get(), res) {
        (Some(msg), _) => Err(err(ErrorKind::Unsupported, msg.clone())),
        (None, res) => res,
    }
}

fn build_with(ldr: Loader<'_>, opts: &Options) -> Result<BuildOutput, Error> {
    let mut warnings = Vec::new();
    let ctx = Ctx::new(opts);
    let mut target = Target::load(ldr, opts, &ctx, &mut warnings)?;
    target.set_schema(true)?;
    if !target.k.build_metadata.is_empty() {
        target.origin = Some(String::new());
    }
    let mut acc = target.accumulate(Acc::default(), &mut warnings)?;

    // Hash suffixes, then references to renamed objects, then vars.
    add_hashes(&mut acc.rm)?;
    namereference::fix(&mut acc.rm, &acc.tc).map_err(|e| err(ErrorKind::Transform, e))?;
    vars::resolve(&mut acc.rm, &acc.vars, &acc.tc).map_err(|e| err(ErrorKind::Transform, e))?;
    // Every object must still have a kind and a name (a JSON patch may have removed
    // them); then objects marked local-config are dropped.
    for r in &acc.rm.items {
        validate_metadata(r)?;
    }
    acc.rm.items.retain(|r| {
        !matches!(
            r.obj.get_path(&["metadata", "annotations", "config.kubernetes.io/local-config"]),
            Some(Value::String(s)) if s != "false"
        )
    });

    let k = &target.k;
    if k.sort_options.is_some() {
        apply_sort_options(&mut acc.rm, k.sort_options.as_ref())?;
    } else if opts.reorder != Reorder::None {
        sort::legacy(&mut acc.rm.items, None, None);
    }
    if opts.managed_by_label || k.build_metadata.iter().any(|b| b == "managedByLabel") {
        let t = transformers::MapEntryTransformer {
            entries: vec![(
                "app.kubernetes.io/managed-by".into(),
                format!("kustomize-{KUSTOMIZE_VERSION}"),
            )],
            field_specs: FsSlice(vec![FieldSpec {
                path: "metadata/labels".into(),
                create: true,
                ..Default::default()
            }]),
        };
        t.transform(&mut acc.rm)
            .map_err(|e| err(ErrorKind::Transform, e))?;
    }
    let want_origin = k.build_metadata.iter().any(|b| b == "originAnnotations");
    let want_transformations = k
        .build_metadata
        .iter()
        .any(|b| b == "transformerAnnotations");
    for r in acc.rm.items.iter_mut() {
        let mut annos = Vec::new();
        if want_origin && let Some(o) = &r.origin {
            annos.push(("config.kubernetes.io/origin".to_owned(), o.annotation()));
        }
        if want_transformations && !r.transformations.is_empty() {
            let list: String = r
                .transformations
                .iter()
                .map(resource::Origin::list_entry)
                .collect();
            annos.push((
                "alpha.config.kubernetes.io/transformations".to_owned(),
                list,
            ));
        }
        // kustomize ends every build by rewriting each resource's annotations as a string
        // map (`RemoveOriginAnnotations`, `RemoveTransformerAnnotations`: kyaml's
        // `SetAnnotations` clears the field and writes nothing for an empty map), unless
        // both kinds of build metadata are kept; then only `RemoveBuildAnnotations`
        // rewrites them, and it leaves an empty map alone.
        let mut all = r
            .kyaml_annotations()
            .map_err(|e| err(ErrorKind::Transform, e))?;
        let rewrite = !(want_origin && want_transformations && all.is_empty());
        all.retain(|(k, _)| !resource::BUILD_ANNOTATIONS.contains(&k.as_str()));
        if !annos.is_empty() {
            resmap::merge_pairs(&mut all, annos);
        }
        if rewrite || !all.is_empty() {
            r.set_string_map("annotations", &all);
        }
    }
    Ok(BuildOutput {
        resources: acc.rm.items.into_iter().map(|r| r.obj).collect(),
        warnings,
    })
}

/// kustomize's `configureBuiltinPlugin` wrapping of a configuration error: `trouble
/// configuring builtin <plugin> with config: `<config YAML>`: <error>`.
fn config_error(e: Error, plugin: &str, config: &str) -> Error {
    wrap(
        e,
        format_args!("trouble configuring builtin {plugin} with config: `\n{config}`"),
    )
}

/// kustomize's `GetValidatedMetadata`, which it runs on every object before it drops
/// local-config ones: a kind is needed, and a name unless the kind ends in `List`. The
/// error shows the object's `ResourceMeta` as Go's `%v` prints it (with kustomize's
/// build annotations).
fn validate_metadata(r: &Resource) -> Result<(), Error> {
    let kind = r.kind();
    if !kind.is_empty() && (kind.ends_with("List") || !r.name().is_empty()) {
        return Ok(());
    }
    let go_map = |mut pairs: Vec<(String, String)>| {
        pairs.sort();
        let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("map[{}]", items.join(" "))
    };
    let mut annotations = r.annotations();
    if matches!(r.obj.get("metadata"), Some(Value::Map(_))) {
        resmap::merge_pairs(&mut annotations, jsonpatch::build_annotations(r));
    }
    let meta = format!(
        "{{{{{} {}}} {{{{{} {}}} {} {}}}}}",
        r.api_version(),
        kind,
        r.name(),
        r.namespace(),
        go_map(r.labels()),
        go_map(annotations)
    );
    let what = if kind.is_empty() {
        "kind"
    } else {
        "metadata.name"
    };
    Err(err(
        ErrorKind::Transform,
        format!("missing {what} in object {meta}"),
    ))
}

/// Appends the content hash to the names of generated objects that ask for it.
fn add_hashes(rm: &mut ResMap) -> Result<(), Error> {
    for r in rm.items.iter_mut() {
        if r.wants_hash() {
            let h = generators::hash(r).map_err(|e| err(ErrorKind::Transform, e))?;
            r.store_previous_id();
            let name = format!("{}-{h}", r.name());
            r.set_name(&name);
            r.needs_hash = false;
        }
    }
    Ok(())
}

/// kustomize's `SortOrderTransformer`.
fn apply_sort_options(rm: &mut ResMap, so: Option<&types::SortOptions>) -> Result<(), Error> {
    let Some(so) = so else { return Ok(()) };
    match so.order.as_str() {
        "legacy" => {
            let (first, last) = match &so.legacy {
                Some((f, l)) => (Some(f.as_slice()), Some(l.as_slice())),
                None => (None, None),
            };
            sort::legacy(&mut rm.items, first, last);
            Ok(())
        }
        "fifo" if so.legacy.is_some() => Err(err(
            ErrorKind::InvalidKustomization,
            "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
        )),
        "fifo" => Ok(()),
        _ => Err(err(
            ErrorKind::InvalidKustomization,
            "the field 'sortOptions.order' must be one of [fifo, legacy]",
        )),
    }
}

/// The remote inputs a build of the kustomization in `path` needs, for the shell to
/// fetch first: every file kustomize would fetch over HTTP and every kustomization it
/// would clone with git, in the kustomization and in the local bases, components and
/// plugin configurations it reaches (see [`remote`]).
pub fn remote_refs(tree: &dyn FileTree, path: &RelPath) -> Result<Vec<remote::RemoteRef>, Error> {
    let ldr = Loader::new(tree, path.clone(), false, Default::default());
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let defaults = Options::default();
    let ctx = Ctx::new(&defaults);
    let t = Target::load(ldr, &defaults, &ctx, &mut warnings)?;
    remote::collect(&t, &mut out)?;
    Ok(out)
}

/// What a kustomization accumulates: resources, field-spec configuration, vars.
#[derive(Debug, Clone)]
struct Acc {
    rm: ResMap,
    tc: TransformerConfig,
    vars: Vec<Value>,
}

impl Default for Acc {
    /// An empty accumulation; each kustomization merges the built-in configuration (plus
    /// its `configurations:`) into it, as kustomize does.
    fn default() -> Self {
        Acc {
            rm: ResMap::new(),
            tc: TransformerConfig::default(),
            vars: Vec::new(),
        }
    }
}

impl Acc {
    fn merge(&mut self, other: Acc) -> Result<(), Error> {
        self.rm
            .append_all(other.rm.items)
            .map_err(|e| err(ErrorKind::Conflict, e))?;
        self.tc
            .merge(&other.tc)
            .map_err(|e| err(ErrorKind::InvalidKustomization, e))?;
        vars::merge_sets(&mut self.vars, other.vars).map_err(|e| err(ErrorKind::Conflict, e))?;
        Ok(())
    }
}

/// One kustomization being built.
struct Target<'a> {
    ldr: Loader<'a>,
    k: Kustomization,
    /// The kustomization file's name.
    file_name: String,
    opts: &'a Options,
    ctx: &'a Ctx,
    /// This kustomization's path from the top one, when origins are tracked.
    origin: Option<String>,
}

/// State one build shares across its kustomizations: kustomize keeps the OpenAPI schema
/// as a global that the first kustomization naming one sets (the top one resets it).
struct Ctx {
    /// The built-in schema: the caller's, or parsed on first use (many builds never
    /// merge a strategic patch, and parsing the table is most of a small build's time).
    builtin: std::cell::OnceCell<std::sync::Arc<crate::smp::Schema>>,
    custom: std::cell::RefCell<Option<std::sync::Arc<crate::smp::Schema>>>,
    /// Whether a kustomization has chosen the schema (a version or a custom file).
    chosen: std::cell::Cell<bool>,
}

impl Ctx {
    fn new(opts: &Options) -> Self {
        let builtin = std::cell::OnceCell::new();
        if let Some(s) = &opts.schema {
            let _ = builtin.set(s.clone());
        }
        Ctx {
            builtin,
            custom: std::cell::RefCell::new(None),
            chosen: std::cell::Cell::new(false),
        }
    }

    fn schema(&self) -> std::sync::Arc<crate::smp::Schema> {
        self.custom.borrow().clone().unwrap_or_else(|| {
            self.builtin
                .get_or_init(|| std::sync::Arc::new(crate::smp::Schema::builtin()))
                .clone()
        })
    }
}

/// kustomize's reader rewrites `metadata.annotations` as a string map: every scalar
/// value becomes the string of its source text (`1.50` stays `"1.50"`, `null` is `"null"`).
fn stringify_annotations(doc: &mut crate::yaml::Node) {
    use crate::yaml::{NodeKind, ScalarStyle};
    let key_is = |k: &crate::yaml::Node, name: &str| matches!(&k.kind, NodeKind::Scalar(s) if s.text == name);
    let NodeKind::Map(top) = &mut doc.kind else {
        return;
    };
    for (k, meta) in top.iter_mut() {
        if !key_is(k, "metadata") {
            continue;
        }
        let NodeKind::Map(fields) = &mut meta.kind else {
            continue;
        };
        for (fk, annos) in fields.iter_mut() {
            if !key_is(fk, "annotations") {
                continue;
            }
            let NodeKind::Map(pairs) = &mut annos.kind else {
                continue;
            };
            for (_, v) in pairs.iter_mut() {
                if let NodeKind::Scalar(sc) = &mut v.kind {
                    if sc.style == ScalarStyle::Plain {
                        sc.style = ScalarStyle::DoubleQuoted;
                    }
                    sc.tag = None;
                }
            }
        }
    }
}

/// Whether `bytes` (the file `file`) decode as Kubernetes objects as kustomize's resource
/// factory reads them (`SliceFromBytes`): valid YAML, every document a map with a kind
/// and a name (lists expanded; empty documents skipped).
///
/// # Errors
/// The error kustomize's reader would give.
pub fn check_resources(bytes: &[u8], file: &str) -> Result<(), Error> {
    parse_resources(bytes, file).map(|_| ())
}

pub(crate) fn parse_resources(bytes: &[u8], file: &str) -> Result<Vec<Resource>, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| err(ErrorKind::Yaml, format!("{file}: file is not valid UTF-8")))?;
    let yaml_err = |e: crate::yaml::YamlError| {
        err(
            ErrorKind::Yaml,
            format!(
                "MalformedYAMLError: {} in File: {file}",
                e.go_message.unwrap_or_else(|| format!(
                    "{} (line {}, column {})",
                    e.message, e.line, e.column
                ))
            ),
        )
    };
    // Documents are resolved as the parser finishes them, so only one node tree is alive
    // at a time.
    let mut docs = Vec::new();
    crate::yaml::parse_stream_each(
        text,
        &crate::yaml::ParseOptions::kustomize(),
        &mut |mut n| {
            stringify_annotations(&mut n);
            docs.push(crate::yaml::resolve_kustomize(&n)?);
            Ok(())
        },
    )
    .map_err(yaml_err)?;
    let hash_sources = hash_sources(text, &docs);
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<(Value, Option<resource::HashSource>)> =
        docs.into_iter().zip(hash_sources).collect();
    while let Some((doc, hash_source)) = queue.pop_front() {
        match &doc {
            Value::Null => continue,
            Value::Map(m) if m.is_empty() => continue,
            Value::Map(_) => {}
            _ => {
                return Err(err(
                    ErrorKind::Yaml,
                    format!("{file}: document is not a map"),
                ));
            }
        }
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List")
            && let Some(items) = doc.get("items")
        {
            match items {
                Value::Seq(items) => {
                    queue.extend(items.iter().map(|i| (i.clone(), None)));
                    continue;
                }
                Value::Null => continue,
                _ => {
                    return Err(err(
                        ErrorKind::Yaml,
                        format!("expected array in {kind}/items, but found a non-array"),
                    ));
                }
            }
        }
        if kind.is_empty() {
            return Err(err(
                ErrorKind::Yaml,
                format!("missing kind in object in {file}"),
            ));
        }
        let name = doc
            .get_path(&["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap_or("");
        if name.is_empty() && !kind.ends_with("List") {
            return Err(err(
                ErrorKind::Yaml,
                format!("missing metadata.name in object of kind {kind} in {file}"),
            ));
        }
        let mut r = Resource::new(doc);
        r.hash_source = hash_source;
        out.push(r);
    }
    Ok(out)
}

/// For each document, what kustomize hashes for a resource asking for a hash suffix
/// through its annotations (see [`nodehash`]); computed only when one asks, and not for
/// files holding lists (kustomize's reader unwraps those itself).
fn hash_sources(text: &str, docs: &[Value]) -> Vec<Option<resource::HashSource>> {
    let asks = |d: &Value| {
        matches!(
            d.get_path(&["metadata", "annotations", resource::NEEDS_HASH_SUFFIX]),
            Some(Value::String(s)) if s == "enabled"
        )
    };
    let is_list = |d: &Value| {
        d.get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
    };
    let none = || docs.iter().map(|_| None).collect();
    if !docs.iter().any(asks) || docs.iter().any(is_list) {
        return none();
    }
    let Some(jsons) = nodehash::document_node_jsons(text) else {
        return none();
    };
    if jsons.len() != docs.iter().filter(|d| !d.is_null()).count() {
        return none();
    }
    let mut jsons = jsons.into_iter();
    docs.iter()
        .map(|d| {
            if d.is_null() {
                return None;
            }
            let json = jsons.next()?;
            asks(d).then(|| std::sync::Arc::new((json, d.clone())))
        })
        .collect()
}

impl<'a> Target<'a> {
    fn load(
        ldr: Loader<'a>,
        opts: &'a Options,
        ctx: &'a Ctx,
        warnings: &mut Vec<String>,
    ) -> Result<Self, Error> {
        let mut found = Vec::new();
        for name in KUSTOMIZATION_FILE_NAMES {
            let p = ldr
                .root
                .join(name)
                .map_err(|e| err(ErrorKind::Load, e.to_string()))?;
            if ldr.is_loadable_file(&p) {
                found.push(p);
            }
        }
        let file = match found.as_slice() {
            [] => {
                return Err(err(
                    ErrorKind::MissingKustomization,
                    format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                        ldr.show(&ldr.root)
                    ),
                ));
            }
            [one] => one.clone(),
            _ => {
                return Err(err(
                    ErrorKind::InvalidKustomization,
                    format!(
                        "Found multiple kustomization files under: {}",
                        ldr.show(&ldr.root)
                    ),
                ));
            }
        };
        let bytes = ldr
            .tree
            .read(&file)
            .map_err(|e| err(ErrorKind::Load, e.to_string()))?;
        let text = String::from_utf8_lossy(&bytes);
        let value = crate::yaml::parse_helm_values(&text).map_err(|e| {
            err(
                ErrorKind::InvalidKustomization,
                format!(
                    "invalid Kustomization: {} (line {}, column {}) in {}",
                    e.message,
                    e.line,
                    e.column,
                    ldr.show(&file)
                ),
            )
        })?;
        let k = Kustomization::decode(&value).map_err(|e| {
            err(
                ErrorKind::InvalidKustomization,
                format!("invalid Kustomization: {e}"),
            )
        })?;
        for (field, msg) in [
            (
                "bases",
                "'bases' is deprecated. Please use 'resources' instead.",
            ),
            (
                "commonLabels",
                "'commonLabels' is deprecated. Please use 'labels' instead.",
            ),
            (
                "imageTags",
                "'imageTags' is deprecated. Please use 'images' instead.",
            ),
            (
                "patchesJson6902",
                "'patchesJson6902' is deprecated. Please use 'patches' instead.",
            ),
            (
                "patchesStrategicMerge",
                "'patchesStrategicMerge' is deprecated. Please use 'patches' instead.",
            ),
            (
                "vars",
                "'vars' is deprecated. Please use 'replacements' instead.",
            ),
        ] {
            if value
                .as_map()
                .is_some_and(|m| m.keys().any(|k| k.eq_ignore_ascii_case(field)))
            {
                let fix = if field == "vars" {
                    "[EXPERIMENTAL] Run"
                } else {
                    "Run"
                };
                warnings.push(format!(
                    "# Warning: {msg} {fix} 'kustomize edit fix' to update your Kustomization automatically."
                ));
            }
        }
        if k.empty {
            return Err(err(
                ErrorKind::InvalidKustomization,
                "kustomization.yaml is empty",
            ));
        }
        let errs = k.enforce_fields();
        if !errs.is_empty() {
            return Err(err(
                ErrorKind::InvalidKustomization,
                format!(
                    "Failed to read kustomization file under {}:\n{}",
                    ldr.show(&ldr.root),
                    errs.join("\n")
                ),
            ));
        }
        let file_name = file.file_name().to_owned();
        Ok(Target {
            ldr,
            k,
            file_name,
            opts,
            ctx,
            origin: None,
        })
    }

    fn accumulate(&self, acc: Acc, warnings: &mut Vec<String>) -> Result<Acc, Error> {
        let mut acc = self
            .accumulate_resources(acc, &self.k.resources, warnings)
            .map_err(|e| wrap(e, "accumulating resources"))?;
        let tc = self.transformer_config()?;
        acc.tc
            .merge(&tc)
            .map_err(|e| err(ErrorKind::InvalidKustomization, e))?;
        for path in &self.k.crds {
            let bytes = self.ldr.load(path).map_err(|e| err(ErrorKind::Load, e))?;
            let text = String::from_utf8_lossy(&bytes);
            let doc = crate::yaml::parse_yaml_to_json(&text).map_err(|e| {
                err(
                    ErrorKind::Yaml,
                    format!("unable to parse open API definition from '{path}': {e}"),
                )
            })?;
            let crd_tc = fieldspec::config_from_crds(&doc);
            acc.tc.merge(&crd_tc).map_err(|e| {
                err(
                    ErrorKind::InvalidKustomization,
                    format!("merging CRDs [{path}]: {e}"),
                )
            })?;
        }
        self.run_generators(&mut acc)?;
        let mut acc = self
            .accumulate_components(acc, warnings)
            .map_err(|e| wrap(e, "accumulating components"))?;
        self.run_transformers(&mut acc)?;
        if !self.k.validators.is_empty() {
            return Err(err(ErrorKind::Unsupported, "validators are not supported"));
        }
        vars::merge_vars(&mut acc.rm, &mut acc.vars, &self.k.vars)
            .map_err(|e| err(ErrorKind::Conflict, e))?;
        Ok(acc)
    }

    fn accumulate_resources(
        &self,
        mut acc: Acc,
        paths: &[String],
        warnings: &mut Vec<String>,
    ) -> Result<Acc, Error> {
        // One index of current ids for all the files appended here (rebuilt after a
        // directory is merged), so accumulation stays linear in the number of resources.
        let mut idx = acc.rm.cur_index();
        for path in paths {
            if remote::is_remote_file(path) {
                if !self.ldr.fetches() {
                    return Err(err(
                        ErrorKind::Unsupported,
                        self.ldr.remote("resource", path),
                    ));
                }
                acc = self.accumulate_remote(acc, path, warnings)?;
                idx = acc.rm.cur_index();
                continue;
            }
            let file_err = match self.ldr.load(path) {
                Ok(bytes) => {
                    let mut res = parse_resources(&bytes, path)
                        .map_err(|e| wrap(e, format!("accumulating resources from '{path}'")))?;
                    if let Some(o) = &self.origin {
                        let origin = resource::Origin {
                            path: resource::join_clean(o, path),
                            ..Default::default()
                        };
                        for r in res.iter_mut() {
                            r.origin = Some(origin.clone());
                        }
                    }
                    acc.rm.append_all_indexed(res, &mut idx).map_err(|e| {
                        err(
                            ErrorKind::Conflict,
                            format!("merging resources from '{path}': {e}"),
                        )
                    })?;
                    continue;
                }
                Err(e) => e,
            };
            if remote::RepoSpec::parse(path).is_ok() && !self.ldr.fetches() {
                return Err(err(
                    ErrorKind::Unsupported,
                    self.ldr.remote("resource", path),
                ));
            }
            let child = self.ldr.child(path).map_err(|e| {
                let kind = if e.starts_with("cycle detected") {
                    ErrorKind::Cycle
                } else {
                    ErrorKind::Load
                };
                err(
                    kind,
                    format!(
                        "accumulation err='accumulating resources from '{path}': {file_err}': {e}"
                    ),
                )
            })?;
            let sub_origin = self.origin.as_ref().map(|o| resource::join_clean(o, path));
            acc = self
                .accumulate_directory(acc, child, false, sub_origin, warnings)
                .map_err(|e| {
                    wrap(
                        e,
                        format!(
                            "accumulation err='accumulating resources from '{path}': {file_err}'"
                        ),
                    )
                })?;
            idx = acc.rm.cur_index();
        }
        Ok(acc)
    }

    /// A `resources:` entry that is an `http(s)` URL, as kustomize's
    /// `accumulateResources` takes it: a GET of the file first; unless that ended in an
    /// HTTP error status of a URL that is not a repository, a clone when the URL is a git
    /// URL.
    fn accumulate_remote(
        &self,
        mut acc: Acc,
        path: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Acc, Error> {
        let file_err = match self.ldr.load(path) {
            Ok(bytes) => match parse_resources(&bytes, path) {
                Ok(mut res) => {
                    if let Some(o) = &self.origin {
                        let origin = resource::Origin {
                            path: resource::join_clean(o, path),
                            ..Default::default()
                        };
                        for r in res.iter_mut() {
                            r.origin = Some(origin.clone());
                        }
                    }
                    acc.rm.append_all(res).map_err(|e| {
                        err(
                            ErrorKind::Conflict,
                            format!("merging resources from '{path}': {e}"),
                        )
                    })?;
                    return Ok(acc);
                }
                Err(e) => wrap(e, format!("accumulating resources from '{path}'")),
            },
            Err(e) if e.starts_with(loader::HTTP_ERROR) => {
                return Err(err(
                    ErrorKind::Load,
                    format!("accumulating resources from '{path}': {e}"),
                ));
            }
            Err(e) => err(
                ErrorKind::Load,
                format!("accumulating resources from '{path}': {e}"),
            ),
        };
        // kustomize's `ldr.New`: a clone for a git URL, else a local directory.
        let child = match self.ldr.child(path) {
            Ok(c) => c,
            Err(e) => {
                if file_err.kind == ErrorKind::Yaml && !e.starts_with(loader::TIMEOUT_PREFIX) {
                    return Err(file_err);
                }
                let kind = if e.starts_with("cycle detected") {
                    ErrorKind::Cycle
                } else {
                    ErrorKind::Load
                };
                return Err(err(
                    kind,
                    format!("accumulation err='{}': {e}", file_err.message),
                ));
            }
        };
        let sub_origin = self.origin.as_ref().map(|o| resource::join_clean(o, path));
        self.accumulate_directory(acc, child, false, sub_origin, warnings)
            .map_err(|e| wrap(e, format!("accumulation err='{}'", file_err.message)))
    }

    fn accumulate_components(
        &self,
        mut acc: Acc,
        warnings: &mut Vec<String>,
    ) -> Result<Acc, Error> {
        for path in &self.k.components {
            if remote::RepoSpec::parse(path).is_ok() && !self.ldr.fetches() {
                return Err(err(
                    ErrorKind::Unsupported,
                    self.ldr.remote("component", path),
                ));
            }
            let child = self.ldr.child(path).map_err(|e| {
                let kind = if e.starts_with("cycle detected") {
                    ErrorKind::Cycle
                } else {
                    ErrorKind::Load
                };
                err(kind, format!("loader.New \"{e}\""))
            })?;
            let sub_origin = self.origin.as_ref().map(|o| resource::join_clean(o, path));
            acc = self
                .accumulate_directory(acc, child, true, sub_origin, warnings)
                .map_err(|e| wrap(e, "accumulateDirectory"))?;
        }
        Ok(acc)
    }

    fn accumulate_directory(
        &self,
        acc: Acc,
        ldr: Loader<'a>,
        component: bool,
        origin: Option<String>,
        warnings: &mut Vec<String>,
    ) -> Result<Acc, Error> {
        let root = ldr.show(&ldr.root);
        let mut sub = Target::load(ldr, self.opts, self.ctx, warnings)
            .map_err(|e| wrap(e, format!("couldn't make target for path '{root}'")))?;
        sub.k.build_metadata = self.k.build_metadata.clone();
        sub.origin = origin;
        sub.set_schema(false)?;
        if component && !sub.k.is_component() {
            let kind = if sub.k.kind.is_empty() {
                "Kustomization"
            } else {
                &sub.k.kind
            };
            return Err(err(
                ErrorKind::InvalidKustomization,
                format!("expected kind 'Component' for path '{root}' but got '{kind}'"),
            ));
        }
        if !component && sub.k.is_component() {
            return Err(err(
                ErrorKind::InvalidKustomization,
                format!("expected kind != 'Component' for path '{root}'"),
            ));
        }
        if component {
            // A component works on its parent's accumulation directly.
            sub.accumulate(acc, warnings)
                .map_err(|e| wrap(e, format!("recursed accumulation of path '{root}'")))
        } else {
            let sub_acc = sub
                .accumulate(Acc::default(), warnings)
                .map_err(|e| wrap(e, format!("recursed accumulation of path '{root}'")))?;
            let mut acc = acc;
            acc.merge(sub_acc)
                .map_err(|e| wrap(e, format!("recursed merging from path '{root}'")))?;
            Ok(acc)
        }
    }

    /// The origin of a builtin generator or transformer configured by this kustomization.
    fn builtin_origin(&self, kind: &str) -> Option<resource::Origin> {
        self.origin.as_ref().map(|o| resource::Origin {
            configured_in: resource::join_clean(o, &self.file_name),
            configured_by: Some(("builtin".into(), kind.into(), String::new(), String::new())),
            ..Default::default()
        })
    }

    /// Records that a transformer ran over every resource (kustomize's
    /// `AddTransformerAnnotation`).
    fn record(&self, acc: &mut Acc, origin: Option<resource::Origin>) {
        let Some(o) = origin else { return };
        for r in acc.rm.items.iter_mut() {
            if r.origin.is_none() {
                r.origin = Some(o.clone());
            } else {
                r.transformations.push(o.clone());
            }
        }
    }

    /// kustomize's `openapi.SetSchema`: a custom schema (`openapi: {path: ...}`) becomes
    /// the build's schema if none is set yet, or always for the top kustomization.
    fn set_schema(&self, reset: bool) -> Result<(), Error> {
        if self.ctx.chosen.get() && !reset {
            return Ok(());
        }
        let path = self
            .k
            .openapi
            .iter()
            .find(|(k, _)| k == "path")
            .map(|(_, v)| v.clone());
        let version = self.k.openapi.iter().find(|(k, _)| k == "version");
        if let Some((_, v)) = version
            && !matches!(v.as_str(), "" | "default" | "v1.21.2" | "v1_21_2")
        {
            return Err(err(
                ErrorKind::InvalidKustomization,
                "the specified OpenAPI version is not built in",
            ));
        }
        match path {
            Some(_) if version.is_some() => Err(err(
                ErrorKind::InvalidKustomization,
                "builtin version and custom schema provided, cannot use both",
            )),
            Some(p) => {
                let bytes = self.ldr.load(&p).map_err(|e| err(ErrorKind::Load, e))?;
                let doc = crate::yaml::parse_yaml_to_json(&String::from_utf8_lossy(&bytes))
                    .map_err(|e| err(ErrorKind::Yaml, format!("{p}: {e}")))?;
                let schema = crate::smp::Schema::from_openapi_document(&doc).map_err(|e| {
                    err(
                        ErrorKind::InvalidKustomization,
                        format!("invalid schema file {p}: {e}"),
                    )
                })?;
                *self.ctx.custom.borrow_mut() = Some(std::sync::Arc::new(schema));
                self.ctx.chosen.set(true);
                Ok(())
            }
            None => {
                if reset {
                    *self.ctx.custom.borrow_mut() = None;
                }
                self.ctx
                    .chosen
                    .set(version.is_some_and(|(_, v)| v != "default"));
                Ok(())
            }
        }
    }

    /// Configures one `patchesJson6902:` entry (kustomize's
    /// `PatchJson6902Transformer.Config`): loads and decodes the patch. The caller wraps
    /// errors as kustomize does (see [`config_error`]).
    fn configure_json6902(&self, pc: &types::Patch) -> Result<jsonpatch::Patch, Error> {
        let pe = |e: String| err(ErrorKind::Patch, e);
        match &pc.target {
            // kustomize dereferences the missing target.
            None => {
                return Err(pe(
                    "panic: runtime error: invalid memory address or nil pointer dereference"
                        .into(),
                ));
            }
            Some(t) if t.name.is_empty() => return Err(pe("must specify the target name".into())),
            Some(_) => {}
        }
        let text = match (pc.path.is_empty(), pc.patch.is_empty()) {
            (true, true) => return Err(pe("empty file path and empty jsonOp".into())),
            (false, false) => {
                return Err(pe("must specify a file path or jsonOp, not both".into()));
            }
            (false, true) => {
                let bytes = self
                    .ldr
                    .load(&pc.path)
                    .map_err(|e| err(ErrorKind::Load, e))?;
                if bytes.is_empty() {
                    return Err(pe(format!(
                        "patch file '{}' empty seems to be empty",
                        pc.path
                    )));
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
            (true, false) => pc.patch.clone(),
        };
        let (ops, json) = jsonpatch::decode(&text).map_err(|e| match e {
            jsonpatch::DecodeError::Yaml(e) => pe(e),
            jsonpatch::DecodeError::Json { json, error } => pe(format!("decoding {json}: {error}")),
        })?;
        if ops.is_empty() {
            return Err(pe(format!(
                "patch appears to be empty; file={}, JsonOp={json}",
                pc.path
            )));
        }
        Ok(ops)
    }

    /// Applies one configured `patchesJson6902:` entry.
    fn apply_json6902(
        &self,
        acc: &mut Acc,
        pc: &types::Patch,
        ops: &jsonpatch::Patch,
    ) -> Result<(), Error> {
        let pe = |e: String| err(ErrorKind::Patch, e);
        let Some(target) = &pc.target else {
            return Ok(());
        };
        for i in patch::select(&acc.rm, target).map_err(pe)? {
            jsonpatch::apply_to_resource(&mut acc.rm.items[i], ops, true).map_err(pe)?;
        }
        Ok(())
    }

    /// Configures one `patches:` entry (kustomize's `PatchTransformer.Config`): loads the
    /// patch and decides whether it is strategic merge or JSON 6902. `config` is the
    /// configuration as kustomize shows it in some errors; the caller wraps errors as
    /// kustomize does (see [`config_error`]).
    fn configure_patch(&self, pc: &types::Patch, config: &str) -> Result<patch::Configured, Error> {
        let pe = |e: String| err(ErrorKind::Patch, e);
        let inline = pc.patch.trim();
        let (text, source) = match (inline.is_empty(), pc.path.is_empty()) {
            (true, true) => {
                return Err(pe(format!(
                    "must specify one of patch and path in\n{config}"
                )));
            }
            (false, false) => {
                return Err(pe(format!(
                    "patch and path can't be set at the same time\n{config}"
                )));
            }
            (true, false) => (
                String::from_utf8_lossy(&self.ldr.load(&pc.path).map_err(|e| {
                    err(
                        ErrorKind::Load,
                        format!("failed to get the patch file from path({}): {e}", pc.path),
                    )
                })?)
                .into_owned(),
                format!("[path: {}]", strconv::quote(&pc.path)),
            ),
            (false, true) => (
                inline.to_owned(),
                format!("[patch: {}]", strconv::quote(inline)),
            ),
        };
        // A patch with no document reads as an empty JSON patch.
        if patch::is_empty_document(&text) {
            return Ok(patch::Configured {
                loaded: patch::Loaded::Json(jsonpatch::Patch::default()),
                source,
            });
        }
        let file = if pc.path.is_empty() {
            "inline patch"
        } else {
            pc.path.as_str()
        };
        let mut loaded = patch::load_patch_text(&text, file, &source).map_err(pe)?;
        if let patch::Loaded::Strategic(sms) = &mut loaded {
            for p in sms.iter_mut() {
                p.allow_name_change = pc.option("allowNameChange");
                p.allow_kind_change = pc.option("allowKindChange");
            }
        }
        Ok(patch::Configured { loaded, source })
    }

    /// Applies one configured `patches:` entry (kustomize's `PatchTransformer.Transform`).
    fn apply_patch(
        &self,
        acc: &mut Acc,
        pc: &types::Patch,
        configured: &patch::Configured,
    ) -> Result<(), Error> {
        let pe = |e: String| err(ErrorKind::Patch, e);
        match &configured.loaded {
            patch::Loaded::Strategic(sms) => match &pc.target {
                Some(t) => {
                    if sms.len() > 1 {
                        return Err(pe(format!(
                            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {}",
                            configured.source
                        )));
                    }
                    let selected = patch::select(&acc.rm, t).map_err(pe)?;
                    if let Some(sm) = sms.first() {
                        patch::apply_sm_selected(&mut acc.rm, &selected, sm, &self.ctx.schema())
                            .map_err(pe)?;
                    }
                }
                None => {
                    for p in sms {
                        let id = p.org_id();
                        let i = patch::get_by_id(&acc.rm, &id).map_err(|e| {
                            pe(format!(
                                "no resource matches strategic merge patch \"{id}\": {e}"
                            ))
                        })?;
                        patch::apply_sm_to(&mut acc.rm, &[i], p, &self.ctx.schema()).map_err(pe)?;
                    }
                }
            },
            patch::Loaded::Json(ops) => {
                let t = pc.target.as_ref().ok_or_else(|| {
                    pe(format!(
                        "must specify a target for JSON patch {}",
                        configured.source
                    ))
                })?;
                for i in patch::select(&acc.rm, t).map_err(pe)? {
                    let r = &mut acc.rm.items[i];
                    r.store_previous_id();
                    jsonpatch::apply_to_resource(r, ops, false).map_err(pe)?;
                }
            }
        }
        Ok(())
    }

    /// The built-in configuration plus `configurations:` files.
    fn transformer_config(&self) -> Result<TransformerConfig, Error> {
        let mut tc = TransformerConfig::builtin();
        for path in &self.k.configurations {
            let bytes = self.ldr.load(path).map_err(|e| err(ErrorKind::Load, e))?;
            let text = String::from_utf8_lossy(&bytes);
            let v = crate::yaml::parse_helm_values(&text)
                .map_err(|e| err(ErrorKind::Yaml, format!("{path}: {e}")))?;
            let custom = decode_transformer_config(&v)
                .map_err(|e| err(ErrorKind::InvalidKustomization, format!("{path}: {e}")))?;
            tc.merge(&custom)
                .map_err(|e| err(ErrorKind::InvalidKustomization, e))?;
        }
        Ok(tc)
    }

    fn run_generators(&self, acc: &mut Acc) -> Result<(), Error> {
        let global = self.k.generator_options.as_ref();
        for g in &self.k.config_map_generator {
            let opts = generators::merge_options(g.options.as_ref(), global);
            let mut r = generators::config_map(&self.ldr, g, opts.as_ref())
                .map_err(|e| err(ErrorKind::Transform, e))?;
            r.origin = self.builtin_origin("ConfigMapGenerator");
            acc.rm.absorb_all(vec![r]).map_err(|e| {
                err(
                    ErrorKind::Conflict,
                    format!("merging from generator ConfigMapGenerator: {e}"),
                )
            })?;
        }
        for g in &self.k.secret_generator {
            let opts = generators::merge_options(g.options.as_ref(), global);
            let mut r = generators::secret(&self.ldr, g, opts.as_ref())
                .map_err(|e| err(ErrorKind::Transform, e))?;
            r.origin = self.builtin_origin("SecretGenerator");
            acc.rm.absorb_all(vec![r]).map_err(|e| {
                err(
                    ErrorKind::Conflict,
                    format!("merging from generator SecretGenerator: {e}"),
                )
            })?;
        }
        for c in &self.k.helm_charts {
            let args = helmchart::HelmChartArgs::decode(c, self.k.helm_globals.as_ref(), true)
                .map_err(|e| {
                    err(
                        ErrorKind::InvalidKustomization,
                        format!("invalid Kustomization: {e}"),
                    )
                })?;
            let mut rs = self.inflate_helm(&args)?;
            let origin = self.builtin_origin("HelmChartInflationGenerator");
            for r in rs.iter_mut() {
                r.origin = origin.clone();
            }
            acc.rm.absorb_all(rs).map_err(|e| {
                err(
                    ErrorKind::Conflict,
                    format!("merging from generator HelmChartInflationGenerator: {e}"),
                )
            })?;
        }
        if !self.k.generators.is_empty() {
            let mut w = Vec::new();
            let configs = self.plugin_configs(&self.k.generators, &mut w)?;
            self.run_plugin_generators(acc, &configs)?;
        }
        Ok(())
    }

    fn run_transformers(&self, acc: &mut Acc) -> Result<(), Error> {
        let k = &self.k;
        let tc = acc.tc.clone();
        let t = |e: String| err(ErrorKind::Transform, e);
        let pe = |e: String| err(ErrorKind::Patch, e);
        // kustomize configures every builtin transformer before it runs any: loading
        // errors come before transformation errors.
        let mut loaded = Vec::new();
        if !k.patches_strategic_merge.is_empty() {
            for entry in &k.patches_strategic_merge {
                match parse_resources(entry.as_bytes(), "inline patch") {
                    Ok(rs) if !rs.is_empty() => loaded.extend(rs),
                    _ => {
                        let bytes = self.ldr.load(entry).map_err(|e| err(ErrorKind::Load, e))?;
                        loaded.extend(parse_resources(&bytes, entry)?);
                    }
                }
            }
            if loaded.is_empty() {
                return Err(pe(format!(
                    "patch appears to be empty; files=[{}], Patch=",
                    k.patches_strategic_merge.join(" ")
                )));
            }
        }
        let patches = k
            .patches
            .iter()
            .map(|pc| {
                let config = patch::patch_config_yaml(pc);
                self.configure_patch(pc, &config)
                    .map_err(|e| config_error(e, "PatchTransformer", &config))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let json6902 = k
            .patches_json6902
            .iter()
            .map(|pc| {
                self.configure_json6902(pc).map_err(|e| {
                    config_error(
                        e,
                        "PatchJson6902Transformer",
                        &patch::json6902_config_yaml(pc),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !k.patches_strategic_merge.is_empty() {
            for p in &loaded {
                let i = patch::get_by_id(&acc.rm, &p.org_id()).map_err(pe)?;
                patch::apply_sm_to(&mut acc.rm, &[i], p, &self.ctx.schema()).map_err(pe)?;
            }
            self.record(acc, self.builtin_origin("PatchStrategicMergeTransformer"));
        }
        for (pc, configured) in k.patches.iter().zip(&patches) {
            self.apply_patch(acc, pc, configured)?;
            self.record(acc, self.builtin_origin("PatchTransformer"));
        }
        if !k.namespace.is_empty() {
            transformers::NamespaceTransformer {
                namespace: k.namespace.clone(),
                field_specs: tc.namespace.clone(),
                ..Default::default()
            }
            .transform(&mut acc.rm)
            .map_err(t)?;
            self.record(acc, self.builtin_origin("NamespaceTransformer"));
        }
        if !k.name_prefix.is_empty() {
            transformers::PrefixSuffixTransformer {
                prefix: k.name_prefix.clone(),
                suffix: String::new(),
                field_specs: tc.name_prefix.clone(),
            }
            .transform(&mut acc.rm)
            .map_err(t)?;
            self.record(acc, self.builtin_origin("PrefixTransformer"));
        }
        if !k.name_suffix.is_empty() {
            transformers::PrefixSuffixTransformer {
                prefix: String::new(),
                suffix: k.name_suffix.clone(),
                field_specs: tc.name_suffix.clone(),
            }
            .transform(&mut acc.rm)
            .map_err(t)?;
            self.record(acc, self.builtin_origin("SuffixTransformer"));
        }
        if !k.labels.is_empty() || !k.common_labels.is_empty() {
            for label in &k.labels {
                let mut fss = FsSlice(label.fields.clone());
                fss.merge_all(&tc.labels)
                    .map_err(|e| t(format!("failed to merge labels: {e}")))?;
                if label.include_selectors {
                    fss.merge_all(&tc.common_labels)
                        .map_err(|e| t(format!("failed to merge labels: {e}")))?;
                } else {
                    if label.include_templates {
                        fss.merge_all(&tc.template_labels)
                            .map_err(|e| t(format!("failed to merge template fieldSpec: {e}")))?;
                    }
                    fss.merge_one(FieldSpec {
                        path: "metadata/labels".into(),
                        create: true,
                        ..Default::default()
                    })
                    .map_err(|e| t(format!("failed to merge labels: {e}")))?;
                }
                transformers::MapEntryTransformer {
                    entries: label.pairs.clone(),
                    field_specs: fss,
                }
                .transform(&mut acc.rm)
                .map_err(t)?;
                self.record(acc, self.builtin_origin("LabelTransformer"));
            }
            transformers::MapEntryTransformer {
                entries: k.common_labels.clone(),
                field_specs: tc.common_labels.clone(),
            }
            .transform(&mut acc.rm)
            .map_err(t)?;
            self.record(acc, self.builtin_origin("LabelTransformer"));
        }
        if !k.common_annotations.is_empty() {
            transformers::MapEntryTransformer {
                entries: k.common_annotations.clone(),
                field_specs: tc.common_annotations.clone(),
            }
            .transform(&mut acc.rm)
            .map_err(t)?;
            self.record(acc, self.builtin_origin("AnnotationsTransformer"));
        }
        for (pc, ops) in k.patches_json6902.iter().zip(&json6902) {
            self.apply_json6902(acc, pc, ops)?;
            self.record(acc, self.builtin_origin("PatchJson6902Transformer"));
        }
        for r in &k.replicas {
            transformers::ReplicaCountTransformer {
                replica: r.clone(),
                field_specs: tc.replicas.clone(),
            }
            .transform(&mut acc.rm)
            .map_err(t)?;
            self.record(acc, self.builtin_origin("ReplicaCountTransformer"));
        }
        for img in &k.images {
            transformers::ImageTagTransformer {
                image: img.clone(),
                field_specs: tc.images.clone(),
            }
            .transform(&mut acc.rm)
            .map_err(t)?;
            self.record(acc, self.builtin_origin("ImageTagTransformer"));
        }
        if !k.replacements.is_empty() {
            replacements::apply(&mut acc.rm, &self.ldr, &k.replacements).map_err(t)?;
            self.record(acc, self.builtin_origin("ReplacementTransformer"));
        }
        if !k.transformers.is_empty() {
            let mut w = Vec::new();
            let configs = self.plugin_configs(&k.transformers, &mut w)?;
            self.run_plugin_transformers(acc, &configs)?;
        }
        Ok(())
    }
}

/// Reads a `configurations:` file (field specs per transformer).
fn decode_transformer_config(v: &Value) -> Result<TransformerConfig, String> {
    let empty = Map::default();
    let m = v.as_map().unwrap_or(&empty);
    let mut tc = TransformerConfig::default();
    for (k, val) in m {
        let specs = || -> Result<FsSlice, String> {
            let mut out = FsSlice::default();
            if let Value::Seq(items) = val {
                for i in items {
                    out.merge_one(FieldSpec::decode_lenient(i)?)?;
                }
            }
            Ok(out)
        };
        match k.as_str() {
            "namePrefix" => tc.name_prefix = specs()?,
            "nameSuffix" => tc.name_suffix = specs()?,
            "namespace" => tc.namespace = specs()?,
            "commonLabels" => tc.common_labels = specs()?,
            "templateLabels" => tc.template_labels = specs()?,
            "labels" => tc.labels = specs()?,
            "commonAnnotations" => tc.common_annotations = specs()?,
            "images" => tc.images = specs()?,
            "replicas" => tc.replicas = specs()?,
            "varReference" => tc.var_reference = specs()?,
            "nameReference" => {
                if let Value::Seq(items) = val {
                    tc.name_reference = items.clone();
                }
            }
            other => return Err(format!("json: unknown field \"{other}\"")),
        }
    }
    Ok(tc)
}

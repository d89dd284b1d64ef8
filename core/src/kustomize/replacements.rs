//! `replacements`: copy a value from one object's field into fields of others
//! (kustomize's `ReplacementTransformer` and its `replacement` filter).
//!
//! Sources and targets are chosen by exact group/version/kind/name/namespace against any of
//! an object's ids (current or previous), targets further by label and annotation
//! selectors. Sources are read with kyaml's `Lookup` paths, targets written through its
//! `PathMatcher` paths (see [`path`]).

pub(crate) mod labels;
pub(crate) mod path;

use super::decode::Fields;
use super::loader::Loader;
use super::resmap::ResMap;
use super::resource::{DEFAULT_NAMESPACE, Id, Resource};
use crate::model::Gvk;
use crate::yaml::{Map, Value};
use labels::LabelSelector;
use path::Create;

/// The field a replacement reads or writes when none is given.
const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// A resource id selector (`resid.ResId` inline fields; empty fields match anything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ResIdSel {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ResIdSel {
    fn decode(f: &Fields<'_>) -> Result<Self, String> {
        Ok(ResIdSel {
            group: f.string("group")?,
            version: f.string("version")?,
            kind: f.string("kind")?,
            name: f.string("name")?,
            namespace: f.string("namespace")?,
        })
    }

    fn is_empty(&self) -> bool {
        *self == ResIdSel::default()
    }

    /// kyaml's `ResId.IsSelectedBy(selector)` with `self` the selector.
    fn selects(&self, id: &KId) -> bool {
        (self.name.is_empty() || self.name == id.name)
            && (self.namespace.is_empty() || effective_ns(&self.namespace) == id.ns)
            && (self.group.is_empty() || self.group == id.group)
            && (self.version.is_empty() || self.version == id.version)
            && (self.kind.is_empty() || self.kind == id.kind)
    }
}

impl std::fmt::Display for ResIdSel {
    /// kyaml's `ResId.String()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or = |s: &str, d: &'static str| {
            if s.is_empty() {
                d.to_owned()
            } else {
                s.to_owned()
            }
        };
        write!(
            f,
            "{}.{}.{}/{}.{}",
            or(&self.kind, "[noKind]"),
            or(&self.version, "[noVer]"),
            or(&self.group, "[noGrp]"),
            or(&self.name, "[noName]"),
            or(&self.namespace, "[noNs]")
        )
    }
}

/// kyaml's namespace comparison for ids built without cluster-scope knowledge.
fn effective_ns(ns: &str) -> &str {
    if ns.is_empty() { DEFAULT_NAMESPACE } else { ns }
}

/// An id as kyaml's `MakeResIds` builds it (namespace already effective).
#[derive(Debug, Clone)]
struct KId {
    group: String,
    version: String,
    kind: String,
    name: String,
    ns: String,
}

/// The current id and the previous ones of a resource, kyaml style.
fn make_ids(r: &Resource) -> Vec<KId> {
    let cur: Id = r.cur_id();
    let Gvk {
        group,
        version,
        kind,
    } = cur.gvk;
    let mut out = vec![KId {
        group: group.clone(),
        version: version.clone(),
        kind,
        name: cur.name,
        ns: effective_ns(&cur.namespace).to_owned(),
    }];
    for p in &r.prev_ids {
        out.push(KId {
            group: group.clone(),
            version: version.clone(),
            kind: p.gvk.kind.clone(),
            name: p.name.clone(),
            ns: p.effective_namespace().to_owned(),
        });
    }
    out
}

/// `options:` of a source or target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldOptions {
    pub delimiter: String,
    pub index: i64,
    pub encoding: String,
    pub create: bool,
}

impl FieldOptions {
    fn decode(v: &Value, strict: bool) -> Result<Self, String> {
        let known = &["delimiter", "index", "encoding", "create"];
        with_fields(v, "FieldOptions", known, strict, |f| {
            Ok(FieldOptions {
                delimiter: f.string("delimiter")?,
                index: f.int("index")?,
                encoding: f.string("encoding")?,
                create: f.boolean("create")?,
            })
        })
    }

    /// kustomize's `FieldOptions.String()`.
    fn describe(&self) -> String {
        if self.delimiter.is_empty() && !self.create {
            return String::new();
        }
        format!("{}({}), create={}", self.delimiter, self.index, self.create)
    }
}

/// `source:` of a replacement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SourceSel {
    pub id: ResIdSel,
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

impl SourceSel {
    fn decode(v: &Value, strict: bool) -> Result<Self, String> {
        let known = &[
            "group",
            "version",
            "kind",
            "name",
            "namespace",
            "fieldPath",
            "options",
        ];
        with_fields(v, "SourceSelector", known, strict, |f| {
            Ok(SourceSel {
                id: ResIdSel::decode(f)?,
                field_path: f.string("fieldPath")?,
                options: f.opt("options", |o| FieldOptions::decode(o, strict))?,
            })
        })
    }
}

impl std::fmt::Display for SourceSel {
    /// kustomize's `SourceSelector.String()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.id)?;
        if !self.field_path.is_empty() {
            write!(f, ":{}", self.field_path)?;
        }
        let opts = self
            .options
            .as_ref()
            .map(FieldOptions::describe)
            .unwrap_or_default();
        if !opts.is_empty() {
            write!(f, ":{opts}")?;
        }
        Ok(())
    }
}

/// A `select:` or `reject:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selector {
    pub id: ResIdSel,
    pub annotation_selector: String,
    pub label_selector: String,
}

impl Selector {
    fn decode(v: &Value, strict: bool) -> Result<Self, String> {
        let known = &[
            "group",
            "version",
            "kind",
            "name",
            "namespace",
            "annotationSelector",
            "labelSelector",
        ];
        with_fields(v, "Selector", known, strict, |f| {
            Ok(Selector {
                id: ResIdSel::decode(f)?,
                annotation_selector: f.string("annotationSelector")?,
                label_selector: f.string("labelSelector")?,
            })
        })
    }

    /// Whether the object's annotations and labels satisfy both selectors.
    fn matches_anno_and_labels(&self, r: &Resource) -> Result<bool, String> {
        let anno = LabelSelector::parse(&self.annotation_selector)?.matches(&r.annotations());
        let labels = LabelSelector::parse(&self.label_selector)?.matches(&r.labels());
        Ok(anno && labels)
    }
}

/// One entry of `targets:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TargetSel {
    pub select: Option<Selector>,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

impl TargetSel {
    fn decode(v: &Value, strict: bool) -> Result<Self, String> {
        let known = &["select", "reject", "fieldPaths", "options"];
        with_fields(v, "TargetSelector", known, strict, |f| {
            Ok(TargetSel {
                select: f.opt("select", |s| Selector::decode(s, strict))?,
                reject: f.list("reject", |s| Selector::decode(s, strict))?,
                field_paths: f.strings("fieldPaths")?,
                options: f.opt("options", |o| FieldOptions::decode(o, strict))?,
            })
        })
    }
}

/// One replacement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Replacement {
    pub source: Option<SourceSel>,
    /// `None` when `targets` is absent (an error), `Some(empty)` when it is an empty list.
    pub targets: Option<Vec<TargetSel>>,
    pub source_value: Option<String>,
}

const REPLACEMENT_FIELDS: &[&str] = &["source", "targets", "sourceValue"];

impl Replacement {
    fn from_fields(f: &Fields<'_>, strict: bool) -> Result<Self, String> {
        Ok(Replacement {
            source: f.opt("source", |s| SourceSel::decode(s, strict))?,
            targets: f.opt("targets", |t| match t {
                Value::Seq(items) => items.iter().map(|i| TargetSel::decode(i, strict)).collect(),
                _ => Err("json: cannot unmarshal object into Go struct field Replacement.targets of type []*types.TargetSelector"
                    .to_owned()),
            })?,
            source_value: f.opt("sourceValue", |v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err("json: cannot unmarshal non-string into Go struct field Replacement.sourceValue of type string"
                    .to_owned()),
            })?,
        })
    }

    fn decode(v: &Value, strict: bool) -> Result<Self, String> {
        with_fields(v, "Replacement", REPLACEMENT_FIELDS, strict, |f| {
            Self::from_fields(f, strict)
        })
    }
}

/// Decodes `v` with `dec`: strictly (unknown fields are errors, as in a kustomization) or
/// leniently (unknown fields ignored, as in a replacement file).
fn with_fields<T>(
    v: &Value,
    ty: &'static str,
    known: &[&'static str],
    strict: bool,
    dec: impl FnOnce(&Fields<'_>) -> Result<T, String>,
) -> Result<T, String> {
    if strict {
        return dec(&Fields::new(v, ty, known)?);
    }
    let filtered = match v {
        Value::Map(m) => Value::Map(
            m.iter()
                .filter(|(k, _)| known.iter().any(|n| n.eq_ignore_ascii_case(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map>(),
        ),
        other => other.clone(),
    };
    dec(&Fields::new(&filtered, ty, known)?)
}

/// Go's `reflect.Kind` name of a decoded JSON value.
fn go_reflect_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "slice",
        Value::Map(_) => "map",
    }
}

/// Reads the replacement list of a kustomization: inline entries and `path:` files.
pub(crate) fn load(ldr: &Loader<'_>, list: &[Value]) -> Result<Vec<Replacement>, String> {
    let mut out = Vec::new();
    for entry in list {
        let mut known: Vec<&'static str> = REPLACEMENT_FIELDS.to_vec();
        known.push("path");
        let f = Fields::new(entry, "ReplacementField", &known)?;
        let path = f.string("path")?;
        let inline = Replacement::from_fields(&f, true)?;
        if path.is_empty() {
            out.push(inline);
            continue;
        }
        if inline.source.is_some() || inline.targets.as_ref().is_some_and(|t| !t.is_empty()) {
            return Err("cannot specify both path and inline replacement".into());
        }
        let bytes = ldr.load(&path)?;
        let text = String::from_utf8_lossy(&bytes);
        let v = crate::yaml::parse_helm_values(&text).map_err(|e| e.to_string())?;
        match &v {
            Value::Seq(items) => {
                for i in items {
                    out.push(Replacement::decode(i, false)?);
                }
            }
            Value::Map(_) => out.push(Replacement::decode(&v, false)?),
            other => {
                return Err(format!(
                    "unsupported replacement type encountered within replacement path: {}",
                    go_reflect_kind(other)
                ));
            }
        }
    }
    Ok(out)
}

/// Applies replacements (inline ones or `path:` files) to all resources.
pub(crate) fn apply(
    rm: &mut ResMap,
    ldr: &Loader<'_>,
    replacements: &[Value],
) -> Result<(), String> {
    let list = load(ldr, replacements)?;
    for r in &list {
        apply_one(rm, r)?;
    }
    super::vars::stringify_annotations(rm);
    Ok(())
}

/// A replacement value: the node read from the source (or `sourceValue`), and for
/// scalars its text and tag (`None`: untagged, typed by its text when written).
#[derive(Debug, Clone)]
struct RValue {
    node: Value,
    text: String,
    tag: Option<&'static str>,
}

fn tag_of(v: &Value) -> Option<&'static str> {
    match v {
        Value::Null => Some("null"),
        Value::Bool(_) => Some("bool"),
        Value::Number(crate::yaml::Number::Float(_)) => Some("float"),
        Value::Number(_) => Some("int"),
        Value::String(_) => Some("str"),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

impl RValue {
    fn is_scalar(&self) -> bool {
        !matches!(self.node, Value::Map(_) | Value::Seq(_))
    }

    /// This value's node as written where a whole node is replaced.
    fn as_node(&self) -> Result<Value, String> {
        if !self.is_scalar() {
            return Ok(self.node.clone());
        }
        typed(&self.text, self.tag)
    }
}

/// A scalar with this text and tag as kustomize prints it.
fn typed(text: &str, tag: Option<&str>) -> Result<Value, String> {
    match tag {
        None => Ok(path::resolve_plain(text)),
        Some("str") => Ok(Value::String(text.to_owned())),
        Some(t) => path::resolve_tagged(text, Some(t))
            .map_err(|e| format!("map[string]interface {{}}(nil): yaml: {e}")),
    }
}

fn is_nil_or_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    }
}

fn source_value(rm: &ResMap, r: &Replacement) -> Result<RValue, String> {
    if r.source_value.is_some() && r.source.is_some() {
        return Err("value and resource selectors are mutually exclusive".into());
    }
    if let Some(sv) = &r.source_value {
        return Ok(RValue {
            node: Value::String(sv.clone()),
            text: sv.clone(),
            tag: None,
        });
    }
    let Some(src) = &r.source else {
        return Err("replacements must specify a source and at least one target".into());
    };
    let mut found: Option<&Resource> = None;
    for res in &rm.items {
        if make_ids(res).iter().any(|id| src.id.selects(id)) {
            if found.is_some() {
                return Err(format!("multiple matches for selector {src}"));
            }
            found = Some(res);
        }
    }
    let Some(res) = found else {
        return Err(format!("nothing selected by {src}"));
    };
    let fp = if src.field_path.is_empty() {
        DEFAULT_FIELD_PATH
    } else {
        src.field_path.as_str()
    };
    let node = path::lookup(&res.obj, &path::split(fp))
        .map_err(|e| format!("error looking up replacement source: {e}"))?;
    let node = match node {
        Some(n) if !is_nil_or_empty(n) => n,
        _ => {
            return Err(format!(
                "fieldPath `{fp}` is missing for replacement source {}",
                src.id
            ));
        }
    };
    let mut value = RValue {
        node: node.clone(),
        text: path::scalar_text(node),
        tag: tag_of(node),
    };
    if let Some(opts) = src.options.as_ref().filter(|o| !o.delimiter.is_empty()) {
        if !value.is_scalar() {
            return Err("delimiter option can only be used with scalar nodes".into());
        }
        let parts: Vec<&str> = value.text.split(opts.delimiter.as_str()).collect();
        let part = usize::try_from(opts.index).ok().and_then(|i| parts.get(i));
        let Some(part) = part else {
            return Err(format!(
                "options.index {} is out of bounds for value {}",
                opts.index, value.text
            ));
        };
        value.text = (*part).to_owned();
    }
    Ok(value)
}

/// Go's `%q` for a plain string.
fn go_quote(s: &str) -> String {
    crate::go::json::to_string(&Value::String(s.to_owned())).unwrap_or_else(|_| format!("\"{s}\""))
}

fn apply_one(rm: &mut ResMap, r: &Replacement) -> Result<(), String> {
    if r.source_value.is_none() && r.source.is_none() {
        return Err("replacements must specify a source and at least one target".into());
    }
    let Some(targets) = &r.targets else {
        return Err("replacements must specify a source and at least one target".into());
    };
    let value = source_value(rm, r)?;
    for t in targets {
        let Some(select) = &t.select else {
            return Err("target must specify resources to select".into());
        };
        let default_paths = [DEFAULT_FIELD_PATH.to_owned()];
        let paths: &[String] = if t.field_paths.is_empty() {
            &default_paths
        } else {
            &t.field_paths
        };
        for res in rm.items.iter_mut() {
            if !select.matches_anno_and_labels(res)? {
                continue;
            }
            let mut rejected = false;
            for rj in &t.reject {
                if rj.annotation_selector.is_empty() && rj.label_selector.is_empty() {
                    continue;
                }
                if rj.matches_anno_and_labels(res)? {
                    rejected = true;
                    break;
                }
            }
            if rejected {
                continue;
            }
            let ids = make_ids(res);
            let reject_by_id = t
                .reject
                .iter()
                .filter(|rj| !rj.id.is_empty())
                .any(|rj| ids.iter().any(|id| rj.id.selects(id)));
            if reject_by_id || !ids.iter().any(|id| select.id.selects(id)) {
                continue;
            }
            copy_to_target(res, &value, paths, t.options.as_ref())?;
        }
    }
    Ok(())
}

fn copy_to_target(
    res: &mut Resource,
    value: &RValue,
    paths: &[String],
    opts: Option<&FieldOptions>,
) -> Result<(), String> {
    let create = match opts {
        Some(o) if o.create => match value.node {
            Value::Map(_) => Create::Map,
            Value::Seq(_) => Create::Seq,
            _ => Create::Scalar,
        },
        _ => Create::No,
    };
    for fp in paths {
        let what = if create == Create::No {
            format!(
                "unable to find field {} in replacement target",
                go_quote(fp)
            )
        } else {
            format!(
                "unable to find or create field {} in replacement target",
                go_quote(fp)
            )
        };
        let n = path::visit_matches(
            &mut res.obj,
            &path::split(fp),
            create,
            &mut |node, created| set_field(node, created, value, opts),
        )
        .map_err(|e| format!("{what}: {e}"))?;
        if n == 0 {
            return Err(what);
        }
    }
    Ok(())
}

/// kustomize's `setFieldValue`: a scalar target keeps its type and takes the text; any
/// other target is replaced by the value node.
fn set_field(
    target: &mut Value,
    created: bool,
    value: &RValue,
    opts: Option<&FieldOptions>,
) -> Result<(), String> {
    let target_scalar = !matches!(target, Value::Map(_) | Value::Seq(_));
    let mut text = value.text.clone();
    if let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) {
        if !target_scalar {
            return Err("delimiter option can only be used with scalar nodes".into());
        }
        let current = path::scalar_text(target);
        let mut parts: Vec<String> = current
            .split(o.delimiter.as_str())
            .map(str::to_owned)
            .collect();
        let v = if value.node.is_null() {
            String::new()
        } else {
            value.text.clone()
        };
        match usize::try_from(o.index) {
            Err(_) => parts.insert(0, v),
            Ok(i) if i >= parts.len() => parts.push(v),
            Ok(i) => {
                if let Some(slot) = parts.get_mut(i) {
                    *slot = v;
                }
            }
        }
        text = parts.join(&o.delimiter);
    }
    if created && value.is_scalar() {
        *target = path::resolve_plain(&text);
    } else if target_scalar && !created {
        *target = typed(&text, tag_of(target))?;
    } else if value.is_scalar() {
        let v = RValue {
            node: value.node.clone(),
            text,
            tag: value.tag,
        };
        *target = v.as_node()?;
    } else {
        *target = value.node.clone();
    }
    Ok(())
}

//! `vars`: `$(NAME)` references replaced by values read from objects (kustomize's
//! deprecated `vars`, its `varReference` configuration and its `refvar` filter).
//!
//! A var names an object (`objref`) and a field of it (`fieldref.fieldPath`, default
//! `metadata.name`). The object is matched when the kustomization declaring the var is
//! accumulated (so by the names it has there); the value is read at the end of the build,
//! after name references are fixed, and substituted into the fields `varReference` lists.

use super::decode::Fields;
use super::fieldspec::{FsSlice, TransformerConfig};
use super::namereference::apply_spec;
use super::replacements::path;
use super::resmap::ResMap;
use super::resource::{DEFAULT_NAMESPACE, Id, Resource};
use super::types::{FieldSpec, GvkSel};
use crate::model::Gvk;
use crate::yaml::{Number, Value};

/// `objref` of a var (kustomize's `Target`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ObjRef {
    pub api_version: String,
    pub gvk: GvkSel,
    pub name: String,
    pub namespace: String,
}

impl ObjRef {
    /// The group/version/kind with `apiVersion` applied (kustomize's `Target.GVK()`).
    fn resolved(&self) -> GvkSel {
        let mut g = self.gvk.clone();
        if self.api_version.is_empty() {
            return g;
        }
        let parts: Vec<&str> = self.api_version.split('/').collect();
        match parts.as_slice() {
            [group, version] => {
                g.group = (*group).to_owned();
                g.version = (*version).to_owned();
            }
            [version] => g.version = (*version).to_owned(),
            _ => {}
        }
        g
    }
}

/// One var.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Var {
    pub name: String,
    pub objref: ObjRef,
    pub field_path: String,
}

fn gvk_string(g: &GvkSel) -> String {
    super::transformers::gvk_string(g)
}

impl Var {
    /// Decodes a `vars:` entry (Go `encoding/json` rules: case-insensitive names, unknown
    /// fields rejected).
    pub(crate) fn decode(v: &Value) -> Result<Self, String> {
        let f = Fields::new(v, "Var", &["name", "objref", "fieldref"])?;
        let objref = match f.raw("objref") {
            None => ObjRef::default(),
            Some(o) => {
                let of = Fields::new(
                    o,
                    "Target",
                    &[
                        "apiVersion",
                        "group",
                        "version",
                        "kind",
                        "name",
                        "namespace",
                    ],
                )?;
                ObjRef {
                    api_version: of.string("apiVersion")?,
                    gvk: GvkSel {
                        group: of.string("group")?,
                        version: of.string("version")?,
                        kind: of.string("kind")?,
                    },
                    name: of.string("name")?,
                    namespace: of.string("namespace")?,
                }
            }
        };
        let field_path = match f.raw("fieldref") {
            None => String::new(),
            Some(fr) => Fields::new(fr, "FieldSelector", &["fieldPath"])?.string("fieldPath")?,
        };
        Ok(Var {
            name: f.string("name")?,
            objref,
            field_path,
        })
    }

    /// The var as kustomize stores it: field path defaulted, `apiVersion` applied.
    fn defaulted(&self) -> Var {
        let mut v = self.clone();
        if v.field_path.is_empty() {
            v.field_path = "metadata.name".into();
        }
        v.objref.gvk = v.objref.resolved();
        v
    }

    /// Go's `%v` of the var (`{NAME Kind.version.group {fieldPath}}`).
    fn go_repr(&self) -> String {
        format!(
            "{{{} {} {{{}}}}}",
            self.name,
            gvk_string(&self.objref.gvk),
            self.field_path
        )
    }
}

fn decode_all(raw: &[Value]) -> Result<Vec<Var>, String> {
    raw.iter().map(Var::decode).collect()
}

/// Whether an id of a resource is the var's target (kustomize's `MergeVars` matcher).
fn id_matches(v: &Var, gvk: &GvkSel, id: &Id, id_ns_effective: &str) -> bool {
    let same_gvkn = id.name == v.objref.name
        && id.gvk.group == gvk.group
        && id.gvk.version == gvk.version
        && id.gvk.kind == gvk.kind;
    if v.objref.namespace.is_empty() {
        return same_gvkn;
    }
    let want = if v.objref.namespace == DEFAULT_NAMESPACE {
        DEFAULT_NAMESPACE
    } else {
        &v.objref.namespace
    };
    same_gvkn && want == id_ns_effective
}

/// kustomize's ids of a resource (previous ones first), with effective namespaces.
fn ids_of(r: &Resource) -> Vec<(Id, String)> {
    let cur = r.cur_id();
    let mut out: Vec<(Id, String)> = r
        .prev_ids
        .iter()
        .map(|p| {
            let id = Id {
                gvk: Gvk {
                    group: cur.gvk.group.clone(),
                    version: cur.gvk.version.clone(),
                    kind: p.gvk.kind.clone(),
                },
                name: p.name.clone(),
                namespace: p.namespace.clone(),
            };
            (id, p.effective_namespace().to_owned())
        })
        .collect();
    let ns = cur.effective_namespace().to_owned();
    out.push((cur, ns));
    out
}

/// Records a kustomization's `vars:` (kustomize's `MergeVars`): each var's target object
/// is marked now, then the vars join the accumulated set (a name already there is an
/// error).
pub(crate) fn merge_vars(
    rm: &mut ResMap,
    acc: &mut Vec<Value>,
    incoming: &[Value],
) -> Result<(), String> {
    if incoming.is_empty() {
        return Ok(());
    }
    let vars = decode_all(incoming)?;
    let list = || {
        format!(
            "[{}]",
            vars.iter().map(Var::go_repr).collect::<Vec<_>>().join(" ")
        )
    };
    for v in &vars {
        let gvk = v.objref.resolved();
        let matched: Vec<usize> = rm
            .items
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.obj.as_map().is_none_or(|m| m.is_empty()))
            .filter(|(_, r)| ids_of(r).iter().any(|(id, ns)| id_matches(v, &gvk, id, ns)))
            .map(|(i, _)| i)
            .collect();
        match matched.as_slice() {
            [] => {}
            [one] => {
                if let Some(r) = rm.items.get_mut(*one) {
                    r.ref_var_names.push(v.name.clone());
                }
            }
            many => {
                let mut shown = v.clone();
                shown.objref.gvk = gvk;
                return Err(format!(
                    "merging vars {}: found {} resId matches for var {} (unable to disambiguate)",
                    list(),
                    many.len(),
                    shown.go_repr()
                ));
            }
        }
    }
    let mut names: Vec<String> = decode_all(acc)?.into_iter().map(|v| v.name).collect();
    for (v, raw) in vars.iter().zip(incoming) {
        if names.contains(&v.name) {
            return Err(format!(
                "merging vars {}: var '{}' already encountered",
                list(),
                v.name
            ));
        }
        names.push(v.name.clone());
        acc.push(raw.clone());
    }
    Ok(())
}

/// Merges a base's vars into its parent's (kustomize's `VarSet.MergeSet`).
pub(crate) fn merge_sets(acc: &mut Vec<Value>, other: Vec<Value>) -> Result<(), String> {
    let mut names: Vec<String> = decode_all(acc)?.into_iter().map(|v| v.name).collect();
    for raw in other {
        let v = Var::decode(&raw)?;
        if names.contains(&v.name) {
            return Err(format!("var '{}' already encountered", v.name));
        }
        names.push(v.name);
        acc.push(raw);
    }
    Ok(())
}

/// kustomize's built-in `varReference` fields: (kind, path) pairs, grouped by where each
/// kind keeps its pod spec.
fn builtin_var_reference() -> FsSlice {
    const CONTAINER_FIELDS: &[&str] = &["args", "command", "env/value", "volumeMounts/mountPath"];
    let mut rows: Vec<(&str, String)> = Vec::new();
    let pod = |kind: &'static str, prefix: &str, nfs: &str, rows: &mut Vec<(&str, String)>| {
        for c in ["containers", "initContainers"] {
            for f in CONTAINER_FIELDS {
                rows.push((kind, format!("{prefix}{c}/{f}")));
            }
        }
        rows.push((kind, nfs.to_owned()));
    };
    pod(
        "CronJob",
        "spec/jobTemplate/spec/template/spec/",
        "spec/jobTemplate/spec/template/volumes/nfs/server",
        &mut rows,
    );
    pod(
        "DaemonSet",
        "spec/template/spec/",
        "spec/template/spec/volumes/nfs/server",
        &mut rows,
    );
    pod(
        "Deployment",
        "spec/template/spec/",
        "spec/template/spec/volumes/nfs/server",
        &mut rows,
    );
    rows.push(("Deployment", "spec/template/metadata/annotations".into()));
    for p in ["spec/rules/host", "spec/tls/hosts", "spec/tls/secretName"] {
        rows.push(("Ingress", p.into()));
    }
    pod(
        "Job",
        "spec/template/spec/",
        "spec/template/spec/volumes/nfs/server",
        &mut rows,
    );
    pod("Pod", "spec/", "spec/volumes/nfs/server", &mut rows);
    pod(
        "ReplicaSet",
        "spec/template/spec/",
        "spec/template/spec/volumes/nfs/server",
        &mut rows,
    );
    rows.push(("Service", "spec/ports/port".into()));
    rows.push(("Service", "spec/ports/targetPort".into()));
    pod(
        "StatefulSet",
        "spec/template/spec/",
        "spec/volumeClaimTemplates/spec/nfs/server",
        &mut rows,
    );
    rows.push(("PersistentVolume", "spec/nfs/server".into()));
    rows.push(("", "metadata/labels".into()));
    rows.push(("", "metadata/annotations".into()));
    FsSlice(
        rows.into_iter()
            .map(|(kind, path)| FieldSpec {
                gvk: GvkSel {
                    kind: kind.to_owned(),
                    ..Default::default()
                },
                path,
                create: false,
            })
            .collect(),
    )
}

/// The var reference field specs in force: built-in plus custom, in kustomize's order.
fn var_reference(tc: &TransformerConfig) -> Result<FsSlice, String> {
    let mut fs = builtin_var_reference();
    fs.merge_all(&tc.var_reference)
        .map_err(|e| format!("failed to merge VarReference fieldSpec: {e}"))?;
    // kustomize sorts by kind order; a stable sort keeps equal kinds in merge order.
    fs.0.sort_by(|a, b| super::namereference::gvk_cmp(&a.gvk, &b.gvk));
    Ok(fs)
}

/// A var's value as kustomize reads it (`GetFieldValue`): scalars keep their type, maps and
/// sequences are not substituted.
#[derive(Debug, Clone, PartialEq)]
enum VarValue {
    Scalar(Value),
    Complex,
}

fn field_value(r: &Resource, field_path: &str) -> Option<VarValue> {
    let parts = path::convert_slice_index(path::split(field_path));
    match path::lookup(&r.obj, &parts) {
        Ok(Some(Value::Map(_) | Value::Seq(_))) => Some(VarValue::Complex),
        Ok(Some(v)) => Some(VarValue::Scalar(v.clone())),
        _ => None,
    }
}

/// Go's `%v` of a var value in the middle of a string.
fn go_print(v: &Value) -> String {
    match v {
        Value::Number(Number::Float(f)) => go_float_v(*f),
        other => path::scalar_text(other),
    }
}

/// Go's `%v` for a float64 (`strconv.FormatFloat(f, 'g', -1, 64)` with Go's exponent form).
fn go_float_v(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let exp = f.abs().log10().floor() as i32;
    if (-4..21).contains(&exp) {
        let s = format!("{f}");
        return s;
    }
    // Shortest round-trip digits in scientific form, Go style (`1e+21`, `1.5e-07`).
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((mant, e)) => {
            let n: i32 = e.parse().unwrap_or(0);
            let sign = if n < 0 { '-' } else { '+' };
            format!("{mant}e{sign}{:02}", n.abs())
        }
        None => s,
    }
}

/// kustomize's `DoReplacements`: `$(NAME)` replaced where NAME is known, `$$` escapes a
/// dollar, anything else kept as written. A string that is exactly one var reference takes
/// the var's value with its type.
fn expand(input: &str, lookup: &mut dyn FnMut(&str) -> Option<Value>) -> Value {
    let b = input.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < b.len() {
        if b[cursor] == b'$' && cursor + 1 < b.len() {
            out.extend_from_slice(&b[checkpoint..cursor]);
            let rest = &b[cursor + 1..];
            let advance = match rest.first() {
                Some(b'$') => {
                    out.push(b'$');
                    1
                }
                Some(b'(') => match rest.iter().skip(1).position(|c| *c == b')') {
                    Some(p) => {
                        let close = p + 1;
                        let name = String::from_utf8_lossy(&rest[1..close]).into_owned();
                        let mapped = lookup(&name);
                        if b.len() == close + 2 && cursor == 0 {
                            // The whole string is one reference: keep the value's type.
                            return mapped.unwrap_or_else(|| Value::String(format!("$({name})")));
                        }
                        match mapped {
                            Some(v) => out.extend_from_slice(go_print(&v).as_bytes()),
                            None => out.extend_from_slice(format!("$({name})").as_bytes()),
                        }
                        close + 1
                    }
                    None => {
                        out.extend_from_slice(b"$(");
                        1
                    }
                },
                Some(&c) => {
                    // Go converts the byte to a rune, so a non-ASCII byte becomes U+00XX.
                    out.push(b'$');
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(char::from(c).encode_utf8(&mut buf).as_bytes());
                    1
                }
                None => 0,
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint < b.len() {
        out.extend_from_slice(&b[checkpoint..]);
    }
    Value::String(String::from_utf8_lossy(&out).into_owned())
}

/// Substitutes into one node found by a var reference field spec.
fn substitute(
    node: &mut Value,
    lookup: &mut dyn FnMut(&str) -> Option<Value>,
) -> Result<(), String> {
    match node {
        Value::Null => Ok(()),
        Value::String(s) => {
            *node = expand(s, lookup);
            Ok(())
        }
        Value::Map(m) => {
            for (_, v) in m.iter_mut() {
                if let Value::String(s) = v {
                    *v = expand(s, lookup);
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                match item {
                    Value::String(s) => *item = expand(s, lookup),
                    _ => return Err("invalid value type expect a string".into()),
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// kustomize rewrites `metadata.annotations` as a string map when it removes its build
/// annotations at the end of a build; values written as numbers or booleans by vars or
/// replacements come out as strings.
pub(crate) fn stringify_annotations(rm: &mut ResMap) {
    for r in rm.items.iter_mut() {
        let Some(Value::Map(meta)) = r.obj.as_map_mut().and_then(|m| m.get_mut("metadata")) else {
            continue;
        };
        let Some(Value::Map(annos)) = meta.get_mut("annotations") else {
            continue;
        };
        for v in annos.values_mut() {
            if matches!(v, Value::Bool(_) | Value::Number(_)) {
                *v = Value::String(super::resource::scalar_string(v));
            }
        }
    }
}

/// Resolves vars: reads each var's value from the object marked for it and substitutes
/// `$(NAME)` in the `varReference` fields of every object.
pub(crate) fn resolve(
    rm: &mut ResMap,
    vars: &[Value],
    tc: &TransformerConfig,
) -> Result<(), String> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut list: Vec<Var> = decode_all(vars)?.iter().map(Var::defaulted).collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    let mut values: Vec<(String, VarValue)> = Vec::with_capacity(list.len());
    for v in &list {
        let holder = rm.items.iter().find(|r| r.ref_var_names.contains(&v.name));
        let Some(holder) = holder else {
            return Err(format!(
                "var '{}' cannot be mapped to a field in the set of known resources",
                v.go_repr()
            ));
        };
        let Some(value) = field_value(holder, &v.field_path) else {
            return Err(format!(
                "field specified in var '{}' not found in corresponding resource",
                v.go_repr()
            ));
        };
        values.push((v.name.clone(), value));
    }
    let specs = var_reference(tc)?;
    let mut lookup = |name: &str| -> Option<Value> {
        match values.iter().find(|(n, _)| n == name) {
            Some((_, VarValue::Scalar(v))) => Some(v.clone()),
            _ => None,
        }
    };
    for r in rm.items.iter_mut() {
        let id = r.cur_id();
        let gvk = id.gvk.clone();
        for fs in &specs.0 {
            if !fs.gvk.selects(&gvk) {
                continue;
            }
            apply_spec(&mut r.obj, &id, fs, &mut |n| substitute(n, &mut lookup))?;
        }
    }
    stringify_annotations(rm);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(s: &str) -> Value {
        let mut l = |n: &str| match n {
            "A" => Some(Value::String("x".into())),
            "N" => Some(Value::Number(Number::Int(8080))),
            _ => None,
        };
        expand(s, &mut l)
    }

    #[test]
    fn expands_like_kustomize() {
        assert_eq!(ex("$(A)"), Value::String("x".into()));
        assert_eq!(ex("$(N)"), Value::Number(Number::Int(8080)));
        assert_eq!(ex("p-$(N)-$(A)"), Value::String("p-8080-x".into()));
        assert_eq!(ex("$$(A)"), Value::String("$(A)".into()));
        assert_eq!(ex("$(B) $(A"), Value::String("$(B) $(A".into()));
        assert_eq!(ex("$(B)"), Value::String("$(B)".into()));
        assert_eq!(ex("a$"), Value::String("a$".into()));
        assert_eq!(ex("$x$"), Value::String("$x$".into()));
    }

    #[test]
    fn formats_floats_like_go() {
        assert_eq!(go_float_v(1.5), "1.5");
        assert_eq!(go_float_v(1e21), "1e+21");
        assert_eq!(go_float_v(100.0), "100");
    }
}

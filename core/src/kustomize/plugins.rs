//! `transformers:` and `generators:` entries: configurations of kustomize's builtin
//! plugins (`apiVersion: builtin`), inline, in files, or produced by a kustomization
//! directory. Exec and Go plugins are never run.

use super::decode::Fields;
use super::fieldspec::FsSlice;
use super::resource::Resource;
use super::types::{FieldSpec, GeneratorArgs, Image, Patch, Replica, Selector};
use super::{Acc, Error, ErrorKind, Target, err, patch, transformers, wrap};
use crate::yaml::Value;

/// The Go types of the builtin plugins' configurations, as far as
/// `sigs.k8s.io/yaml.Unmarshal` cares: kustomize hands each configuration to its plugin's
/// `Config`, which unmarshals it with the plugin struct as target, so a number or boolean
/// bound for a `string` (`labels: {enabled: true}`, `newTag: 1.10`) becomes its text
/// instead of failing.
mod shapes {
    use crate::helm::typed::Target::{self, Any, Fields, MapOf, SliceOf, Str};

    // A field promoted from an embedded struct (`resid.Gvk` in a `FieldSpec`, `ResId` in
    // a `Selector`, `GeneratorArgs` in a generator, `HelmChart` in the Helm generator)
    // is looked up with the embedded struct as its target (`t.Field(f.index[0])`), so
    // nothing under it is turned into text: those fields are `Any` here.
    const STRING_MAP: Target = MapOf(&Str);
    const STRINGS: Target = SliceOf(&Str);
    const FIELD_SPECS: Target = SliceOf(&Fields(&[
        ("group", Any),
        ("version", Any),
        ("kind", Any),
        ("path", Str),
        ("create", Any),
    ]));
    const OBJECT_META: Target = Fields(&[
        ("name", Str),
        ("namespace", Str),
        ("labels", MapOf(&Str)),
        ("annotations", MapOf(&Str)),
    ]);
    const SELECTOR: Target = Fields(&[("labelSelector", Str), ("annotationSelector", Str)]);

    const LABELS: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("labels", STRING_MAP),
        ("fieldSpecs", FIELD_SPECS),
    ]);
    const ANNOTATIONS: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("annotations", STRING_MAP),
        ("fieldSpecs", FIELD_SPECS),
    ]);
    const NAMESPACE: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("fieldSpecs", FIELD_SPECS),
        ("setRoleBindingSubjects", Str),
    ]);
    const PREFIX_SUFFIX: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("prefix", Str),
        ("suffix", Str),
        ("fieldSpecs", FIELD_SPECS),
    ]);
    const IMAGE_TAG: Target = Fields(&[
        ("metadata", OBJECT_META),
        (
            "imageTag",
            Fields(&[
                ("name", Str),
                ("newName", Str),
                ("tagSuffix", Str),
                ("newTag", Str),
                ("digest", Str),
            ]),
        ),
        ("fieldSpecs", FIELD_SPECS),
    ]);
    const REPLICA_COUNT: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("replica", Fields(&[("name", Str)])),
        ("fieldSpecs", FIELD_SPECS),
    ]);
    const PATCH: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("path", Str),
        ("patch", Str),
        ("target", SELECTOR),
    ]);
    const PATCH_JSON6902: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("target", SELECTOR),
        ("path", Str),
        ("jsonOp", Str),
    ]);
    const PATCH_SM: Target = Fields(&[
        ("metadata", OBJECT_META),
        ("paths", STRINGS),
        ("patches", Str),
    ]);
    const VALUE_ADD: Target = Fields(&[("value", Str), ("targetFilePath", Str)]);
    const METADATA_ONLY: Target = Fields(&[("metadata", OBJECT_META)]);

    /// The shape of builtin plugin `kind`'s configuration, if it is one.
    pub(super) fn of(kind: &str) -> Option<&'static Target> {
        Some(match kind {
            "LabelTransformer" => &LABELS,
            "AnnotationsTransformer" => &ANNOTATIONS,
            "NamespaceTransformer" => &NAMESPACE,
            "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => &PREFIX_SUFFIX,
            "ImageTagTransformer" => &IMAGE_TAG,
            "ReplicaCountTransformer" => &REPLICA_COUNT,
            "PatchTransformer" => &PATCH,
            "PatchJson6902Transformer" => &PATCH_JSON6902,
            "PatchStrategicMergeTransformer" => &PATCH_SM,
            "ValueAddTransformer" => &VALUE_ADD,
            "ConfigMapGenerator" | "SecretGenerator" | "HelmChartInflationGenerator" => {
                &METADATA_ONLY
            }
            _ => return None,
        })
    }

    /// The Go type name `encoding/json` errors give a plugin's configuration.
    pub(super) fn type_name(kind: &str) -> &'static str {
        match kind {
            "LabelTransformer" => "LabelTransformerPlugin",
            "AnnotationsTransformer" => "AnnotationsTransformerPlugin",
            "NamespaceTransformer" => "NamespaceTransformerPlugin",
            "PrefixSuffixTransformer" => "PrefixSuffixTransformerPlugin",
            "PrefixTransformer" => "PrefixTransformerPlugin",
            "SuffixTransformer" => "SuffixTransformerPlugin",
            "ImageTagTransformer" => "ImageTagTransformerPlugin",
            "ReplicaCountTransformer" => "ReplicaCountTransformerPlugin",
            "PatchTransformer" => "PatchTransformerPlugin",
            "PatchJson6902Transformer" => "PatchJson6902TransformerPlugin",
            "PatchStrategicMergeTransformer" => "PatchStrategicMergeTransformerPlugin",
            "ReplacementTransformer" => "ReplacementTransformerPlugin",
            _ => "Plugin",
        }
    }
}

/// A builtin plugin's configuration as its plugin decodes it (see [`shapes`]).
fn typed_config(kind: &str, obj: &Value) -> Value {
    match shapes::of(kind) {
        Some(shape) => crate::helm::typed::coerce_strings(obj, shape),
        None => obj.clone(),
    }
}

fn field_specs(f: &Fields<'_>, name: &str) -> Result<FsSlice, String> {
    Ok(FsSlice(f.list(name, FieldSpec::decode_lenient)?))
}

impl<'a> Target<'a> {
    /// Loads the plugin configurations an entry list names.
    pub(super) fn plugin_configs(
        &self,
        entries: &[String],
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Resource>, Error> {
        let mut out = Vec::new();
        for e in entries {
            if let Ok(mut rs) = super::parse_resources(e.as_bytes(), "inline plugin configuration")
                && !rs.is_empty()
            {
                if let Some(o) = &self.origin {
                    for r in rs.iter_mut() {
                        r.origin = Some(super::resource::Origin {
                            path: super::resource::join_clean(o, &self.file_name),
                            ..Default::default()
                        });
                    }
                }
                out.extend(rs);
                continue;
            }
            let acc =
                self.accumulate_resources(Acc::default(), std::slice::from_ref(e), warnings)?;
            out.extend(acc.rm.items);
        }
        Ok(out)
    }

    /// Runs builtin transformer configurations in order.
    pub(super) fn run_plugin_transformers(
        &self,
        acc: &mut Acc,
        configs: &[Resource],
    ) -> Result<(), Error> {
        for c in configs {
            let (api, kind) = (c.api_version(), c.kind());
            if api != "builtin" {
                return Err(err(
                    ErrorKind::Unsupported,
                    format!(
                        "unable to load plugin {kind} ({api}): only builtin plugins are supported (no exec or Go plugins)"
                    ),
                ));
            }
            self.transform_with(acc, c)
                .map_err(|e| wrap(e, format!("builtin {kind}")))?;
            let origin = c.origin.as_ref().map(|o| super::resource::Origin {
                configured_in: o.path.clone(),
                configured_by: Some((
                    c.api_version().to_owned(),
                    c.kind().to_owned(),
                    c.name().to_owned(),
                    c.namespace().to_owned(),
                )),
                ..Default::default()
            });
            self.record(acc, origin);
        }
        Ok(())
    }

    fn transform_with(&self, acc: &mut Acc, c: &Resource) -> Result<(), Error> {
        let t = |e: String| err(ErrorKind::Transform, e);
        let kind = c.kind().to_owned();
        let typed = typed_config(&kind, &c.obj);
        let v = &typed;
        match kind.as_str() {
            "LabelTransformer" | "AnnotationsTransformer" => {
                let key = if kind == "LabelTransformer" {
                    "labels"
                } else {
                    "annotations"
                };
                let f = Fields::lenient(v, shapes::type_name(&kind), &[key, "fieldSpecs"])
                    .map_err(t)?;
                transformers::MapEntryTransformer {
                    entries: f.string_map(key).map_err(t)?,
                    field_specs: field_specs(&f, "fieldSpecs").map_err(t)?,
                }
                .transform(&mut acc.rm)
                .map_err(t)
            }
            "NamespaceTransformer" => {
                let f = Fields::lenient(
                    v,
                    shapes::type_name(&kind),
                    &[
                        "metadata",
                        "fieldSpecs",
                        "unsetOnly",
                        "setRoleBindingSubjects",
                    ],
                )
                .map_err(t)?;
                // The configuration's own namespace, as its plugin decoded it (a number
                // there is text).
                let ns = v
                    .get_path(&["metadata", "namespace"])
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                transformers::NamespaceTransformer {
                    namespace: ns,
                    field_specs: field_specs(&f, "fieldSpecs").map_err(t)?,
                    unset_only: f.boolean("unsetOnly").map_err(t)?,
                    role_binding_subjects: f.string("setRoleBindingSubjects").map_err(t)?,
                }
                .transform(&mut acc.rm)
                .map_err(t)
            }
            "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
                let f = Fields::lenient(
                    v,
                    shapes::type_name(&kind),
                    &["prefix", "suffix", "fieldSpecs"],
                )
                .map_err(t)?;
                let prefix = if kind == "SuffixTransformer" {
                    String::new()
                } else {
                    f.string("prefix").map_err(t)?
                };
                let suffix = if kind == "PrefixTransformer" {
                    String::new()
                } else {
                    f.string("suffix").map_err(t)?
                };
                transformers::PrefixSuffixTransformer {
                    prefix,
                    suffix,
                    field_specs: field_specs(&f, "fieldSpecs").map_err(t)?,
                }
                .transform(&mut acc.rm)
                .map_err(t)
            }
            "ImageTagTransformer" => {
                let f = Fields::lenient(v, shapes::type_name(&kind), &["imageTag", "fieldSpecs"])
                    .map_err(t)?;
                let image = f
                    .opt("imageTag", Image::decode)
                    .map_err(t)?
                    .unwrap_or_default();
                transformers::ImageTagTransformer {
                    image,
                    field_specs: field_specs(&f, "fieldSpecs").map_err(t)?,
                }
                .transform(&mut acc.rm)
                .map_err(t)
            }
            "ReplicaCountTransformer" => {
                let f = Fields::lenient(v, shapes::type_name(&kind), &["replica", "fieldSpecs"])
                    .map_err(t)?;
                let replica = f
                    .opt("replica", Replica::decode)
                    .map_err(t)?
                    .unwrap_or_default();
                transformers::ReplicaCountTransformer {
                    replica,
                    field_specs: field_specs(&f, "fieldSpecs").map_err(t)?,
                }
                .transform(&mut acc.rm)
                .map_err(t)
            }
            "PatchTransformer" => {
                let f = Fields::lenient(
                    v,
                    shapes::type_name(&kind),
                    &["path", "patch", "target", "options"],
                )
                .map_err(t)?;
                let pc = Patch {
                    path: f.string("path").map_err(t)?,
                    patch: f.string("patch").map_err(t)?,
                    target: f.opt("target", Selector::decode).map_err(t)?,
                    options: f.bool_map("options").map_err(t)?,
                };
                let configured = self.configure_patch(&pc, &crate::yaml::emit_kustomize(v))?;
                self.apply_patch(acc, &pc, &configured)
            }
            "PatchStrategicMergeTransformer" => {
                let f = Fields::lenient(v, shapes::type_name(&kind), &["paths", "patches"])
                    .map_err(t)?;
                let mut loaded = Vec::new();
                for p in f.strings("paths").map_err(t)? {
                    match super::parse_resources(p.as_bytes(), "inline patch") {
                        Ok(rs) if !rs.is_empty() => loaded.extend(rs),
                        _ => {
                            let bytes = self.ldr.load(&p).map_err(|e| err(ErrorKind::Load, e))?;
                            loaded.extend(super::parse_resources(&bytes, &p)?);
                        }
                    }
                }
                let inline = f.string("patches").map_err(t)?;
                if !inline.trim().is_empty() {
                    loaded.extend(super::parse_resources(inline.as_bytes(), "inline patch")?);
                }
                if loaded.is_empty() {
                    return Err(err(ErrorKind::Patch, "patch appears to be empty"));
                }
                for p in &loaded {
                    let i = patch::get_by_id(&acc.rm, &p.org_id())
                        .map_err(|e| err(ErrorKind::Patch, e))?;
                    patch::apply_sm_to(&mut acc.rm, &[i], p, &self.ctx.schema())
                        .map_err(|e| err(ErrorKind::Patch, e))?;
                }
                Ok(())
            }
            "PatchJson6902Transformer" => {
                let f = Fields::lenient(v, shapes::type_name(&kind), &["target", "path", "jsonOp"])
                    .map_err(t)?;
                let pc = Patch {
                    path: f.string("path").map_err(t)?,
                    patch: f.string("jsonOp").map_err(t)?,
                    target: f.opt("target", Selector::decode).map_err(t)?,
                    options: Vec::new(),
                };
                let ops = self.configure_json6902(&pc)?;
                self.apply_json6902(acc, &pc, &ops)
            }
            "ReplacementTransformer" => {
                let f =
                    Fields::lenient(v, shapes::type_name(&kind), &["replacements"]).map_err(t)?;
                let list = f.list("replacements", |x| Ok(x.clone())).map_err(t)?;
                super::replacements::apply(&mut acc.rm, &self.ldr, &list).map_err(t)
            }
            "HashTransformer" => super::add_hashes(&mut acc.rm),
            "ValueAddTransformer" => self.value_add(acc, v).map_err(t),
            other => Err(err(
                ErrorKind::InvalidKustomization,
                format!("unable to load builtin {other}.builtin.[noGrp]"),
            )),
        }
    }

    /// `ValueAddTransformer`: writes a value (or inserts it as a path segment) at a field
    /// path of the selected resources.
    fn value_add(&self, acc: &mut Acc, v: &Value) -> Result<(), String> {
        let f = Fields::lenient(
            v,
            "ValueAddTransformer",
            &["value", "targets", "targetFilePath"],
        )?;
        let mut value = f.string("value")?.trim().to_owned();
        if value.is_empty() {
            value = self.ldr.root.file_name().to_owned();
        }
        let decode_targets =
            |list: &Value| -> Result<Vec<(Option<Selector>, String, i64)>, String> {
                let Value::Seq(items) = list else {
                    return Ok(Vec::new());
                };
                items
                    .iter()
                    .map(|i| {
                        let tf = Fields::lenient(
                            i,
                            "Target",
                            &["selector", "fieldPath", "filePathPosition"],
                        )?;
                        Ok((
                            tf.opt("selector", Selector::decode)?,
                            tf.string("fieldPath")?,
                            tf.int("filePathPosition")?,
                        ))
                    })
                    .collect()
            };
        let mut targets = decode_targets(f.raw("targets").unwrap_or(&Value::Null))?;
        let file = f.string("targetFilePath")?;
        if !file.is_empty() {
            let bytes = self.ldr.load(&file)?;
            let doc = crate::yaml::parse_yaml_to_json(&String::from_utf8_lossy(&bytes))
                .map_err(|e| e.to_string())?;
            targets.extend(decode_targets(doc.get("targets").unwrap_or(&Value::Null))?);
        }
        if targets.is_empty() {
            return Err("must specify at least one target".into());
        }
        for (sel, path, pos) in targets {
            if path.is_empty() {
                return Err("fieldPath cannot be empty".into());
            }
            if pos < 0 {
                return Err(format!(
                    "value of FilePathPosition ({pos}) cannot be negative"
                ));
            }
            let picked: Vec<usize> = match &sel {
                Some(s) => patch::select(&acc.rm, s)?,
                None => (0..acc.rm.items.len()).collect(),
            };
            for i in picked {
                let r = &mut acc.rm.items[i];
                if path == "metadata/namespace" {
                    transformers::NamespaceTransformer::set_plain(r, &value)?;
                    continue;
                }
                let fields = super::fieldspec::split_path(&path);
                let mut node = &mut r.obj;
                for name in &fields {
                    let m = super::resource::ensure_map(node);
                    node = m
                        .entry(name.to_string())
                        .or_insert(Value::String(String::new()));
                }
                let old = super::resource::scalar_string(node);
                let new = if pos > 0 {
                    let mut parts: Vec<&str> = old.split('/').collect();
                    let p = pos as usize;
                    if p > parts.len() {
                        parts.push(&value);
                    } else {
                        parts.insert(p - 1, &value);
                    }
                    parts.join("/")
                } else {
                    value.clone()
                };
                *node = Value::String(new);
            }
        }
        Ok(())
    }

    /// Runs builtin generator configurations in order.
    pub(super) fn run_plugin_generators(
        &self,
        acc: &mut Acc,
        configs: &[Resource],
    ) -> Result<(), Error> {
        let t = |e: String| err(ErrorKind::Transform, e);
        for c in configs {
            let (api, kind) = (c.api_version().to_owned(), c.kind().to_owned());
            if api != "builtin" {
                return Err(err(
                    ErrorKind::Unsupported,
                    format!(
                        "unable to load plugin {kind} ({api}): only builtin plugins are supported (no exec or Go plugins)"
                    ),
                ));
            }
            if kind == "IAMPolicyGenerator" {
                let mut r = iam_policy(&c.obj).map_err(t)?;
                r.origin = c.origin.as_ref().map(|o| super::resource::Origin {
                    configured_in: o.path.clone(),
                    configured_by: Some((
                        api.clone(),
                        kind.clone(),
                        c.name().to_owned(),
                        c.namespace().to_owned(),
                    )),
                    ..Default::default()
                });
                acc.rm.absorb_all(vec![r]).map_err(|e| {
                    err(
                        ErrorKind::Conflict,
                        format!("merging from generator {kind}: {e}"),
                    )
                })?;
                continue;
            }
            let secret = match kind.as_str() {
                "ConfigMapGenerator" => false,
                "SecretGenerator" => true,
                "HelmChartInflationGenerator" => {
                    let typed = typed_config(&kind, &c.obj);
                    let args =
                        super::helmchart::HelmChartArgs::decode(&typed, None, false).map_err(t)?;
                    let rs = self.inflate_helm(&args)?;
                    acc.rm.absorb_all(rs).map_err(|e| {
                        err(
                            ErrorKind::Conflict,
                            format!("merging from generator {kind}: {e}"),
                        )
                    })?;
                    continue;
                }
                other => {
                    return Err(err(
                        ErrorKind::InvalidKustomization,
                        format!("unable to load builtin {other}.builtin.[noGrp]"),
                    ));
                }
            };
            let mut plain = typed_config(&kind, &c.obj);
            if let Some(m) = plain.as_map_mut() {
                for k in ["apiVersion", "kind", "metadata"] {
                    m.shift_remove(k);
                }
            }
            let mut args = lenient_generator_args(&plain, secret).map_err(t)?;
            if args.name.is_empty() {
                args.name = c.name().to_owned();
            }
            if args.namespace.is_empty() {
                args.namespace = c.namespace().to_owned();
            }
            let opts = args.options.clone();
            let mut r = if secret {
                super::generators::secret(&self.ldr, &args, opts.as_ref())
            } else {
                super::generators::config_map(&self.ldr, &args, opts.as_ref())
            }
            .map_err(t)?;
            r.origin = c.origin.as_ref().map(|o| super::resource::Origin {
                configured_in: o.path.clone(),
                configured_by: Some((
                    api.clone(),
                    kind.clone(),
                    c.name().to_owned(),
                    c.namespace().to_owned(),
                )),
                ..Default::default()
            });
            acc.rm.absorb_all(vec![r]).map_err(|e| {
                err(
                    ErrorKind::Conflict,
                    format!("merging from generator {kind}: {e}"),
                )
            })?;
        }
        Ok(())
    }
}

/// `IAMPolicyGenerator` (GKE only): a ServiceAccount annotated with its Google service
/// account.
fn iam_policy(v: &Value) -> Result<Resource, String> {
    let f = Fields::lenient(
        v,
        "IAMPolicyGenerator",
        &["cloud", "kubernetesService", "serviceAccount"],
    )?;
    let cloud = f.string("cloud")?;
    if cloud != "gke" {
        return Err(format!("cloud provider {cloud} not supported yet"));
    }
    let ks = f.raw("kubernetesService").cloned().unwrap_or_default();
    let ksf = Fields::lenient(&ks, "KubernetesService", &["namespace", "name"])?;
    let sa = f.raw("serviceAccount").cloned().unwrap_or_default();
    let saf = Fields::lenient(&sa, "ServiceAccount", &["name", "projectId"])?;
    let mut annos = crate::yaml::Map::default();
    annos.insert(
        "iam.gke.io/gcp-service-account".into(),
        format!(
            "{}@{}.iam.gserviceaccount.com",
            saf.string("name")?,
            saf.string("projectId")?
        )
        .into(),
    );
    let mut meta = crate::yaml::Map::default();
    meta.insert("annotations".into(), Value::Map(annos));
    meta.insert("name".into(), ksf.string("name")?.into());
    let ns = ksf.string("namespace")?;
    if !ns.is_empty() {
        meta.insert("namespace".into(), ns.into());
    }
    let mut m = crate::yaml::Map::default();
    m.insert("apiVersion".into(), "v1".into());
    m.insert("kind".into(), "ServiceAccount".into());
    m.insert("metadata".into(), Value::Map(meta));
    Ok(Resource::new(Value::Map(m)))
}

fn lenient_generator_args(v: &Value, secret: bool) -> Result<GeneratorArgs, String> {
    // Generator plugin configs carry other keys (apiVersion, kind, metadata): drop
    // unknown ones before the strict decode.
    let known = [
        "namespace",
        "name",
        "behavior",
        "literals",
        "files",
        "envs",
        "env",
        "options",
        "type",
    ];
    let mut m = v.as_map().cloned().unwrap_or_default();
    m.retain(|k, _| {
        known.iter().any(|n| n.eq_ignore_ascii_case(k))
            && (secret || !k.eq_ignore_ascii_case("type"))
    });
    GeneratorArgs::decode(&Value::Map(m), secret)
}

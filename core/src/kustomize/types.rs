//! The kustomization file and the configuration types of kustomize's builtin plugins.

use super::decode::{DecodeError, Fields};
use crate::yaml::Value;

/// `kustomize.config.k8s.io/v1beta1`.
pub const KUSTOMIZATION_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
/// `kustomize.config.k8s.io/v1alpha1`.
pub const COMPONENT_VERSION: &str = "kustomize.config.k8s.io/v1alpha1";

/// Group, version and kind as a selector or field spec names them (empty = any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GvkSel {
    /// Group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl GvkSel {
    fn decode(f: &Fields<'_>) -> Result<Self, DecodeError> {
        Ok(GvkSel {
            group: f.string("group")?,
            version: f.string("version")?,
            kind: f.string("kind")?,
        })
    }
}

/// A resource selector (`target:` of a patch, `select:` of a replacement).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Group, version, kind (regular expressions).
    pub gvk: GvkSel,
    /// Name (a regular expression).
    pub name: String,
    /// Namespace (a regular expression).
    pub namespace: String,
    /// A label selector.
    pub label_selector: String,
    /// An annotation selector.
    pub annotation_selector: String,
}

const SELECTOR_FIELDS: &[&str] = &[
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "annotationSelector",
];

impl Selector {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(v, "Selector", SELECTOR_FIELDS)?;
        Ok(Selector {
            gvk: GvkSel::decode(&f)?,
            name: f.string("name")?,
            namespace: f.string("namespace")?,
            label_selector: f.string("labelSelector")?,
            annotation_selector: f.string("annotationSelector")?,
        })
    }
}

/// A patch: a file or inline text, with an optional target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patch {
    /// A file holding the patch.
    pub path: String,
    /// The patch text itself.
    pub patch: String,
    /// Which resources to patch.
    pub target: Option<Selector>,
    /// `allowNameChange`, `allowKindChange`.
    pub options: Vec<(String, bool)>,
}

impl Patch {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(v, "Patch", &["path", "patch", "target", "options"])?;
        Ok(Patch {
            path: f.string("path")?,
            patch: f.string("patch")?,
            target: f.opt("target", Selector::decode)?,
            options: f.bool_map("options")?,
        })
    }

    /// Whether an option is set.
    pub fn option(&self, name: &str) -> bool {
        self.options.iter().any(|(k, v)| k == name && *v)
    }
}

/// An image override.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// The image name to match.
    pub name: String,
    /// A replacement name.
    pub new_name: String,
    /// A suffix appended to the tag.
    pub tag_suffix: String,
    /// A replacement tag.
    pub new_tag: String,
    /// A replacement digest.
    pub digest: String,
}

impl Image {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(
            v,
            "Image",
            &["name", "newName", "tagSuffix", "newTag", "digest"],
        )?;
        Ok(Image {
            name: f.string("name")?,
            new_name: f.string("newName")?,
            tag_suffix: f.string("tagSuffix")?,
            new_tag: f.string("newTag")?,
            digest: f.string("digest")?,
        })
    }
}

/// A replica count override.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replica {
    /// The resource name.
    pub name: String,
    /// The count.
    pub count: i64,
}

impl Replica {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(v, "Replica", &["name", "count"])?;
        Ok(Replica {
            name: f.string("name")?,
            count: f.int("count")?,
        })
    }
}

/// Where a transformer writes: a gvk filter, a `/`-separated path, and whether to create
/// the field when it is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpec {
    /// Which kinds.
    pub gvk: GvkSel,
    /// The path, `/`-separated; `[]` marks a list.
    pub path: String,
    /// Create the field when missing.
    pub create: bool,
}

impl FieldSpec {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        Self::decode_with(v, true)
    }

    /// As read by plugin configurations and `configurations:` files (unknown keys ignored).
    pub(crate) fn decode_lenient(v: &Value) -> Result<Self, DecodeError> {
        Self::decode_with(v, false)
    }

    fn decode_with(v: &Value, strict: bool) -> Result<Self, DecodeError> {
        const KNOWN: &[&str] = &["group", "version", "kind", "path", "create"];
        let f = if strict {
            Fields::new(v, "FieldSpec", KNOWN)?
        } else {
            Fields::lenient(v, "FieldSpec", KNOWN)?
        };
        Ok(FieldSpec {
            gvk: GvkSel::decode(&f)?,
            path: f.string("path")?,
            create: f.boolean("create")?,
        })
    }
}

/// A `labels:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Label {
    /// The labels.
    pub pairs: Vec<(String, String)>,
    /// Also write selectors.
    pub include_selectors: bool,
    /// Also write pod templates.
    pub include_templates: bool,
    /// Extra places to write.
    pub fields: Vec<FieldSpec>,
}

impl Label {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(
            v,
            "Label",
            &["pairs", "includeSelectors", "includeTemplates", "fields"],
        )?;
        Ok(Label {
            pairs: f.string_map("pairs")?,
            include_selectors: f.boolean("includeSelectors")?,
            include_templates: f.boolean("includeTemplates")?,
            fields: f.list("fields", FieldSpec::decode)?,
        })
    }
}

/// `generatorOptions:` (or a generator's own `options:`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratorOptions {
    /// Labels for generated objects.
    pub labels: Vec<(String, String)>,
    /// Annotations for generated objects.
    pub annotations: Vec<(String, String)>,
    /// Leave the name without a hash suffix.
    pub disable_name_suffix_hash: Option<bool>,
    /// Set `immutable: true`.
    pub immutable: Option<bool>,
}

impl GeneratorOptions {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(
            v,
            "GeneratorOptions",
            &[
                "labels",
                "annotations",
                "disableNameSuffixHash",
                "immutable",
            ],
        )?;
        Ok(GeneratorOptions {
            labels: f.string_map("labels")?,
            annotations: f.string_map("annotations")?,
            disable_name_suffix_hash: f
                .raw("disableNameSuffixHash")
                .map(|_| f.boolean("disableNameSuffixHash"))
                .transpose()?,
            immutable: f
                .raw("immutable")
                .map(|_| f.boolean("immutable"))
                .transpose()?,
        })
    }
}

/// A ConfigMap or Secret generator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratorArgs {
    /// Namespace of the generated object.
    pub namespace: String,
    /// Name of the generated object.
    pub name: String,
    /// `create` (default), `merge` or `replace`.
    pub behavior: String,
    /// `key=value` literals.
    pub literals: Vec<String>,
    /// Files (`[key=]path`).
    pub files: Vec<String>,
    /// Env files.
    pub envs: Vec<String>,
    /// Options of this generator.
    pub options: Option<GeneratorOptions>,
    /// Secret type (secrets only).
    pub secret_type: String,
}

impl GeneratorArgs {
    pub(crate) fn decode(v: &Value, secret: bool) -> Result<Self, DecodeError> {
        let mut known = vec![
            "namespace",
            "name",
            "behavior",
            "literals",
            "files",
            "envs",
            "env",
            "options",
        ];
        if secret {
            known.push("type");
        }
        let f = Fields::new(
            v,
            if secret {
                "SecretArgs"
            } else {
                "ConfigMapArgs"
            },
            &known,
        )?;
        let mut envs = f.strings("envs")?;
        let env = f.string("env")?;
        if !env.is_empty() {
            envs.push(env);
        }
        Ok(GeneratorArgs {
            namespace: f.string("namespace")?,
            name: f.string("name")?,
            behavior: f.string("behavior")?,
            literals: f.strings("literals")?,
            files: f.strings("files")?,
            envs,
            options: f.opt("options", GeneratorOptions::decode)?,
            secret_type: if secret {
                f.string("type")?
            } else {
                String::new()
            },
        })
    }
}

/// `sortOptions:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortOptions {
    /// `legacy` or `fifo`.
    pub order: String,
    /// Custom legacy order: kinds first and last.
    pub legacy: Option<(Vec<String>, Vec<String>)>,
}

impl SortOptions {
    pub(crate) fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(v, "SortOptions", &["order", "legacySortOptions"])?;
        let legacy = f.opt("legacySortOptions", |lv| {
            let lf = Fields::new(lv, "LegacySortOptions", &["orderFirst", "orderLast"])?;
            Ok((lf.strings("orderFirst")?, lf.strings("orderLast")?))
        })?;
        Ok(SortOptions {
            order: f.string("order")?,
            legacy,
        })
    }
}

/// A kustomization file (`Kustomization` or `Component`), after kustomize's own fix-ups
/// (`bases` folded into `resources`, `imageTags` into `images`, `env` into `envs`).
#[derive(Debug, Clone, Default)]
pub struct Kustomization {
    /// `Kustomization` or `Component`.
    pub kind: String,
    /// The apiVersion.
    pub api_version: String,
    /// `openapi:` (path or version).
    pub openapi: Vec<(String, String)>,
    /// `namePrefix`.
    pub name_prefix: String,
    /// `nameSuffix`.
    pub name_suffix: String,
    /// `namespace`.
    pub namespace: String,
    /// `commonLabels`.
    pub common_labels: Vec<(String, String)>,
    /// `labels`.
    pub labels: Vec<Label>,
    /// `commonAnnotations`.
    pub common_annotations: Vec<(String, String)>,
    /// `patchesStrategicMerge` (paths or inline patches).
    pub patches_strategic_merge: Vec<String>,
    /// `patchesJson6902`.
    pub patches_json6902: Vec<Patch>,
    /// `patches`.
    pub patches: Vec<Patch>,
    /// `images` (and `imageTags`).
    pub images: Vec<Image>,
    /// `replacements` (raw: inline ones or `path:` entries).
    pub replacements: Vec<Value>,
    /// `replicas`.
    pub replicas: Vec<Replica>,
    /// `vars` (raw).
    pub vars: Vec<Value>,
    /// `sortOptions`.
    pub sort_options: Option<SortOptions>,
    /// `resources` (and `bases`).
    pub resources: Vec<String>,
    /// `components`.
    pub components: Vec<String>,
    /// `crds`.
    pub crds: Vec<String>,
    /// `configMapGenerator`.
    pub config_map_generator: Vec<GeneratorArgs>,
    /// `secretGenerator`.
    pub secret_generator: Vec<GeneratorArgs>,
    /// `helmGlobals` (raw).
    pub helm_globals: Option<Value>,
    /// `helmCharts` and `helmChartInflationGenerator` (raw).
    pub helm_charts: Vec<Value>,
    /// `generatorOptions`.
    pub generator_options: Option<GeneratorOptions>,
    /// `configurations`.
    pub configurations: Vec<String>,
    /// `generators` (paths or inline configs).
    pub generators: Vec<String>,
    /// `transformers` (paths or inline configs).
    pub transformers: Vec<String>,
    /// `validators`.
    pub validators: Vec<String>,
    /// `buildMetadata`.
    pub build_metadata: Vec<String>,
    /// Whether the file set nothing at all besides `apiVersion`/`kind`.
    pub empty: bool,
}

/// The top-level fields of kustomize's `types.Kustomization`, with its `TypeMeta`.
pub const KUSTOMIZATION_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

fn raw_list(f: &Fields<'_>, name: &str) -> Result<Vec<Value>, DecodeError> {
    f.list(name, |v| Ok(v.clone()))
}

/// A `[]string` whose entries may also be inline YAML maps (generators, transformers):
/// kustomize reads those lists as strings, so a map entry must be given as a string.
fn string_or_inline(f: &Fields<'_>, name: &str) -> Result<Vec<String>, DecodeError> {
    f.strings(name)
}

impl Kustomization {
    /// Decodes a kustomization file's value (read as `sigs.k8s.io/yaml` reads it).
    pub fn decode(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::new(v, "Kustomization", KUSTOMIZATION_FIELDS)?;
        if let Some(meta) = f.raw("metadata") {
            Fields::new(
                meta,
                "ObjectMeta",
                &["name", "namespace", "labels", "annotations"],
            )?;
        }
        let mut resources = f.strings("resources")?;
        resources.extend(f.strings("bases")?);
        let mut images = f.list("images", Image::decode)?;
        images.extend(f.list("imageTags", Image::decode)?);
        let mut helm_charts = raw_list(&f, "helmCharts")?;
        helm_charts.extend(raw_list(&f, "helmChartInflationGenerator")?);
        let openapi = f.string_map("openapi")?;
        let empty = match v {
            Value::Map(m) => m
                .keys()
                .all(|k| k.eq_ignore_ascii_case("apiVersion") || k.eq_ignore_ascii_case("kind")),
            _ => true,
        };
        Ok(Kustomization {
            kind: f.string("kind")?,
            api_version: f.string("apiVersion")?,
            openapi,
            name_prefix: f.string("namePrefix")?,
            name_suffix: f.string("nameSuffix")?,
            namespace: f.string("namespace")?,
            common_labels: f.string_map("commonLabels")?,
            labels: f.list("labels", Label::decode)?,
            common_annotations: f.string_map("commonAnnotations")?,
            patches_strategic_merge: f.strings("patchesStrategicMerge")?,
            patches_json6902: f.list("patchesJson6902", Patch::decode)?,
            patches: f.list("patches", Patch::decode)?,
            images,
            replacements: raw_list(&f, "replacements")?,
            replicas: f.list("replicas", Replica::decode)?,
            vars: raw_list(&f, "vars")?,
            sort_options: f.opt("sortOptions", SortOptions::decode)?,
            resources,
            components: f.strings("components")?,
            crds: f.strings("crds")?,
            config_map_generator: f
                .list("configMapGenerator", |g| GeneratorArgs::decode(g, false))?,
            secret_generator: f.list("secretGenerator", |g| GeneratorArgs::decode(g, true))?,
            helm_globals: f.raw("helmGlobals").cloned(),
            helm_charts,
            generator_options: f.opt("generatorOptions", GeneratorOptions::decode)?,
            configurations: f.strings("configurations")?,
            generators: string_or_inline(&f, "generators")?,
            transformers: string_or_inline(&f, "transformers")?,
            validators: string_or_inline(&f, "validators")?,
            build_metadata: f.strings("buildMetadata")?,
            empty,
        })
    }

    /// Whether this is a `Component`.
    pub fn is_component(&self) -> bool {
        self.kind == "Component"
    }

    /// kustomize's `EnforceFields`: the kind and apiVersion it accepts.
    pub fn enforce_fields(&self) -> Vec<String> {
        let mut errs = Vec::new();
        if !self.kind.is_empty() && self.kind != "Kustomization" && self.kind != "Component" {
            errs.push("kind should be Kustomization or Component".to_owned());
        }
        let required = if self.is_component() {
            COMPONENT_VERSION
        } else {
            KUSTOMIZATION_VERSION
        };
        let kind = if self.kind.is_empty() {
            "Kustomization"
        } else {
            &self.kind
        };
        if !self.api_version.is_empty() && self.api_version != required {
            errs.push(format!("apiVersion for {kind} should be {required}"));
        }
        errs
    }
}

//! The Flux `Kustomization` object (`kustomize.toolkit.fluxcd.io/v1`, the fields a build
//! uses), read from a file as `flux build kustomization --kustomization-file` reads it.

use super::{FluxBuildError, GROUP};
use crate::go::number::format_float;
use crate::yaml::{Number, ParseOptions, Value, parse_stream, resolve_go_v2};

/// A Flux Kustomization: its name, namespace and the spec fields a build uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kustomization {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (empty when the file gives none).
    pub namespace: String,
    /// The spec.
    pub spec: Spec,
}

/// The spec fields of a Kustomization that shape a build (others are ignored, as the
/// `--dry-run` build ignores them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spec {
    /// `targetNamespace` (empty: not set).
    pub target_namespace: String,
    /// `namePrefix`.
    pub name_prefix: String,
    /// `nameSuffix`.
    pub name_suffix: String,
    /// `patches`.
    pub patches: Vec<Patch>,
    /// `images`.
    pub images: Vec<Image>,
    /// `components`.
    pub components: Vec<String>,
    /// `ignoreMissingComponents`.
    pub ignore_missing_components: bool,
    /// `buildMetadata`.
    pub build_metadata: Vec<String>,
    /// `commonMetadata`.
    pub common_metadata: Option<CommonMetadata>,
    /// `postBuild`.
    pub post_build: Option<PostBuild>,
}

/// A patch of `spec.patches`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch {
    /// The patch text (strategic merge or JSON 6902).
    pub patch: String,
    /// Its target.
    pub target: Option<Selector>,
}

/// A patch target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    /// `group`.
    pub group: String,
    /// `version`.
    pub version: String,
    /// `kind`.
    pub kind: String,
    /// `name`.
    pub name: String,
    /// `namespace`.
    pub namespace: String,
    /// `labelSelector`.
    pub label_selector: String,
    /// `annotationSelector`.
    pub annotation_selector: String,
}

/// An entry of `spec.images`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Image {
    /// `name`.
    pub name: String,
    /// `newName`.
    pub new_name: String,
    /// `newTag`.
    pub new_tag: String,
    /// `digest`.
    pub digest: String,
}

/// `spec.commonMetadata`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommonMetadata {
    /// Labels, in file order.
    pub labels: Vec<(String, String)>,
    /// Annotations, in file order.
    pub annotations: Vec<(String, String)>,
}

/// `spec.postBuild`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostBuild {
    /// `substitute`, in file order (`None`: not set).
    pub substitute: Option<Vec<(String, String)>>,
    /// `substituteStrategy: Always`.
    pub always: bool,
}

/// Finds the Kustomization `name` in `text` (the contents of `file`, YAML or JSON
/// documents): the first document whose apiVersion is in the
/// `kustomize.toolkit.fluxcd.io` group, whose kind is `Kustomization`, and whose
/// namespace is `namespace` or empty.
///
/// # Errors
/// [`FluxBuildError::Unmarshal`] for a document that is not valid or has a field of the
/// wrong type (checked for every document read, as the reference decodes each into the
/// Kustomization type), [`FluxBuildError::NotFound`] when no document matches.
pub fn find_kustomization(
    text: &str,
    file: &str,
    name: &str,
    namespace: &str,
) -> Result<Kustomization, FluxBuildError> {
    let unmarshal = |message: String| FluxBuildError::Unmarshal {
        file: file.to_owned(),
        message,
    };
    let docs = parse_stream(text, &ParseOptions::helm_values())
        .map_err(|e| unmarshal(format!("error converting YAML to JSON: {}", e.go_text())))?;
    for (i, node) in docs.iter().enumerate() {
        let doc = resolve_go_v2(node)
            .map_err(|e| unmarshal(format!("error converting YAML to JSON: {}", e.go_text())))?;
        let k = decode(&doc).map_err(|e| unmarshal(format!("document {}: {e}", i + 1)))?;
        let Some((api_version, kind, k)) = k else {
            continue;
        };
        if api_version.starts_with(&format!("{GROUP}/"))
            && kind == "Kustomization"
            && k.name == name
            && (k.namespace == namespace || k.namespace.is_empty())
        {
            return Ok(k);
        }
    }
    Err(FluxBuildError::NotFound {
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        file: file.to_owned(),
    })
}

type Decoded = Option<(String, String, Kustomization)>;

fn decode(doc: &Value) -> Result<Decoded, String> {
    let m = match doc {
        Value::Null => return Ok(None),
        Value::Map(m) => m,
        _ => return Err("cannot unmarshal a non-object into a Kustomization".into()),
    };
    let api_version = string(m.get("apiVersion"), "apiVersion")?;
    let kind = string(m.get("kind"), "kind")?;
    let meta = object(m.get("metadata"), "metadata")?;
    let name = string(meta.and_then(|m| m.get("name")), "metadata.name")?;
    let namespace = string(meta.and_then(|m| m.get("namespace")), "metadata.namespace")?;
    for f in ["labels", "annotations"] {
        string_map(meta.and_then(|m| m.get(f)), &format!("metadata.{f}"))?;
    }
    let spec = match object(m.get("spec"), "spec")? {
        None => Spec::default(),
        Some(s) => decode_spec(s)?,
    };
    Ok(Some((
        api_version,
        kind,
        Kustomization {
            name,
            namespace,
            spec,
        },
    )))
}

fn decode_spec(s: &crate::yaml::Map) -> Result<Spec, String> {
    let get = |k: &str| s.get(k);
    for f in ["prune", "suspend", "force", "wait"] {
        boolean(get(f), &format!("spec.{f}"))?;
    }
    for f in ["path", "serviceAccountName", "deletionPolicy"] {
        string(get(f), &format!("spec.{f}"))?;
    }
    let mut spec = Spec {
        target_namespace: string(get("targetNamespace"), "spec.targetNamespace")?,
        name_prefix: string(get("namePrefix"), "spec.namePrefix")?,
        name_suffix: string(get("nameSuffix"), "spec.nameSuffix")?,
        components: string_list(get("components"), "spec.components")?,
        ignore_missing_components: boolean(
            get("ignoreMissingComponents"),
            "spec.ignoreMissingComponents",
        )?,
        build_metadata: string_list(get("buildMetadata"), "spec.buildMetadata")?,
        ..Spec::default()
    };
    for (i, p) in list(get("patches"), "spec.patches")?.iter().enumerate() {
        let field = format!("spec.patches[{i}]");
        let Some(pm) = object(Some(p), &field)? else {
            spec.patches.push(Patch::default());
            continue;
        };
        let target = match object(pm.get("target"), &format!("{field}.target"))? {
            None => None,
            Some(t) => {
                let f = |k: &str| string(t.get(k), &format!("{field}.target.{k}"));
                Some(Selector {
                    group: f("group")?,
                    version: f("version")?,
                    kind: f("kind")?,
                    name: f("name")?,
                    namespace: f("namespace")?,
                    label_selector: f("labelSelector")?,
                    annotation_selector: f("annotationSelector")?,
                })
            }
        };
        spec.patches.push(Patch {
            patch: string(pm.get("patch"), &format!("{field}.patch"))?,
            target,
        });
    }
    for (i, im) in list(get("images"), "spec.images")?.iter().enumerate() {
        let field = format!("spec.images[{i}]");
        let Some(m) = object(Some(im), &field)? else {
            spec.images.push(Image::default());
            continue;
        };
        let f = |k: &str| string(m.get(k), &format!("{field}.{k}"));
        spec.images.push(Image {
            name: f("name")?,
            new_name: f("newName")?,
            new_tag: f("newTag")?,
            digest: f("digest")?,
        });
    }
    if let Some(cm) = object(get("commonMetadata"), "spec.commonMetadata")? {
        spec.common_metadata = Some(CommonMetadata {
            labels: string_map(cm.get("labels"), "spec.commonMetadata.labels")?.unwrap_or_default(),
            annotations: string_map(cm.get("annotations"), "spec.commonMetadata.annotations")?
                .unwrap_or_default(),
        });
    }
    if let Some(pb) = object(get("postBuild"), "spec.postBuild")? {
        let strategy = string(
            pb.get("substituteStrategy"),
            "spec.postBuild.substituteStrategy",
        )?;
        spec.post_build = Some(PostBuild {
            // An empty map is omitted when the object is converted for the generator.
            substitute: string_map(pb.get("substitute"), "spec.postBuild.substitute")?
                .filter(|m| !m.is_empty()),
            always: strategy == "Always",
        });
    }
    Ok(spec)
}

fn mismatch(v: &Value, field: &str, want: &str) -> String {
    format!(
        "json: cannot unmarshal {} into field {field} of type {want}",
        crate::go::json::kind_name(v)
    )
}

/// A `string` field: `sigs.k8s.io/yaml` turns a YAML number or boolean bound for a
/// string into its text (floats at 32-bit precision), `null` leaves it empty.
fn string(v: Option<&Value>, field: &str) -> Result<String, String> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(Value::Number(Number::Int(i))) => Ok(i.to_string()),
        Some(Value::Number(Number::UInt(u))) => Ok(u.to_string()),
        Some(Value::Number(Number::Float(f))) => Ok(format_float(*f, b'g', -1, 32)),
        Some(v) => Err(mismatch(v, field, "string")),
    }
}

fn boolean(v: Option<&Value>, field: &str) -> Result<bool, String> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(mismatch(v, field, "bool")),
    }
}

fn object<'a>(v: Option<&'a Value>, field: &str) -> Result<Option<&'a crate::yaml::Map>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Map(m)) => Ok(Some(m)),
        Some(v) => Err(mismatch(v, field, "object")),
    }
}

fn list<'a>(v: Option<&'a Value>, field: &str) -> Result<&'a [Value], String> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Seq(s)) => Ok(s),
        Some(v) => Err(mismatch(v, field, "array")),
    }
}

fn string_list(v: Option<&Value>, field: &str) -> Result<Vec<String>, String> {
    list(v, field)?
        .iter()
        .enumerate()
        .map(|(i, s)| string(Some(s), &format!("{field}[{i}]")))
        .collect()
}

fn string_map(v: Option<&Value>, field: &str) -> Result<Option<Vec<(String, String)>>, String> {
    let Some(m) = object(v, field)? else {
        return Ok(None);
    };
    m.iter()
        .map(|(k, v)| Ok((k.clone(), string(Some(v), &format!("{field}.{k}"))?)))
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: apps
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: other
---
apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata:
  name: apps
spec:
  targetNamespace: prod
  patchesStrategicMerge: [{kind: X}]
  postBuild:
    substitute: {a: b, v: yes}
    substituteStrategy: Always
";

    #[test]
    fn finds_the_first_matching_document_in_any_version_and_empty_namespace() {
        let k = find_kustomization(FILE, "f.yaml", "apps", "flux-system").unwrap();
        assert_eq!(k.namespace, "");
        assert_eq!(k.spec.target_namespace, "prod");
        let pb = k.spec.post_build.unwrap();
        assert!(pb.always);
        assert_eq!(
            pb.substitute,
            Some(vec![("a".into(), "b".into()), ("v".into(), "true".into())])
        );
        let k = find_kustomization(FILE, "f.yaml", "apps", "other").unwrap();
        assert_eq!(k.namespace, "other");
    }

    #[test]
    fn not_found_and_type_errors_name_the_file_and_field() {
        let e = find_kustomization(FILE, "f.yaml", "nope", "flux-system").unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to get kustomization object: failed find kustomization with name 'nope' and namespace 'flux-system' in file 'f.yaml'"
        );
        let bad = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: a\nspec:\n  postBuild:\n    substitute:\n      num: [3]\n";
        let e = find_kustomization(bad, "f.yaml", "a", "flux-system").unwrap_err();
        assert!(e.to_string().contains("f.yaml"), "{e}");
        assert!(
            e.to_string().contains("spec.postBuild.substitute.num"),
            "{e}"
        );
    }
}

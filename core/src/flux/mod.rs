//! What Flux's kustomize-controller does to a directory before it applies it, as
//! `flux build kustomization --dry-run` (flux v2.9.5, `fluxcd/pkg/kustomize` v1.35.6)
//! shows it.
//!
//! [`find_kustomization`] reads the Flux `Kustomization` object from a (multi-document)
//! file; [`generate`] writes the `kustomization.yaml` the controller builds (generated
//! when the directory has none, with the object's spec applied); [`build`] runs kustomize
//! on it, then post-build substitution, the owner labels, SOPS masking and
//! `commonMetadata`; [`to_yaml`] prints the objects as the flux CLI prints them.
//! Everything is read through a [`FileTree`]; nothing is written.
//!
//! What the dry-run build does not do, as the reference does not: read `substituteFrom`
//! ConfigMaps and Secrets (with only `substituteFrom`, nothing is substituted), decrypt
//! SOPS data (encrypted Secrets are masked instead), or build the Kustomizations found in
//! the output (`--recursive`). kustomize runs as gitward's engine (kustomize v5.7.1,
//! api v0.20.1) where flux embeds api v0.21.1; no case of the corpus tells them apart.
//!
//! ```
//! use gitward::flux::{build, find_kustomization, to_yaml, BuildOptions};
//! use gitward::tree::{MemTree, RelPath};
//!
//! let mut t = MemTree::new();
//! t.add_file("apps/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  env: ${env}\n").unwrap();
//! let k = find_kustomization(
//!     "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  postBuild:\n    substitute:\n      env: prod\n",
//!     "apps.yaml", "apps", "flux-system",
//! ).unwrap();
//! let out = build(&t, &RelPath::new("apps").unwrap(), &k, &BuildOptions::default()).unwrap();
//! assert!(to_yaml(&out.objects).unwrap().contains("  env: prod\n"));
//! ```

mod generate;
mod postbuild;
mod spec;

use crate::kustomize::{self, LoadRestrictor, Options, Reorder};
use crate::tree::{EntryKind, FileTree, RelPath, TreeError};
use crate::yaml::Value;

pub use generate::{Generated, generate, is_local_relative_path};
pub use postbuild::{
    MaskError, SOPS_MASK, SubstituteError, mask_sops, set_common_metadata, set_owner_labels,
    substitute, validate_var_name,
};
pub use spec::{
    CommonMetadata, Image, Kustomization, Patch, PostBuild, Selector, Spec, find_kustomization,
};

/// The group of Flux's Kustomization API; also the prefix of the owner labels.
pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";

/// Why a Flux build failed; the messages are the flux CLI's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FluxBuildError {
    /// The Kustomization file is not valid YAML/JSON, or a field has the wrong type.
    #[error(
        "failed to get kustomization object: failed to unmarshall kustomization file {file}: {message}"
    )]
    Unmarshal {
        /// The file.
        file: String,
        /// What is wrong, naming the document and field.
        message: String,
    },
    /// No document of the file is the Kustomization asked for.
    #[error(
        "failed to get kustomization object: failed find kustomization with name '{name}' and namespace '{namespace}' in file '{file}'"
    )]
    NotFound {
        /// The name asked for.
        name: String,
        /// The namespace asked for.
        namespace: String,
        /// The file.
        file: String,
    },
    /// The `kustomization.yaml` could not be generated.
    #[error("failed to generate kustomization.yaml: {0}")]
    Generate(String),
    /// kustomize failed.
    #[error("kustomize build failed: {0}")]
    Kustomize(String),
    /// kustomize refused an input gitward does not support (remote bases without a
    /// fetcher, plugins).
    #[error("kustomize build failed: {0}")]
    Unsupported(String),
    /// Post-build substitution failed for an object.
    #[error("var substitution failed for '{name}': envsubst error: {message}")]
    Substitute {
        /// The object's name.
        name: String,
        /// What failed.
        message: String,
    },
    /// A Secret's data could not be masked.
    #[error("failed to mask secret {name} sops data: {message}")]
    Mask {
        /// The Secret's name.
        name: String,
        /// What failed.
        message: String,
    },
    /// An object cannot be printed.
    #[error("{0}")]
    Print(String),
}

/// Options of [`build`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BuildOptions {
    /// `--strict-substitute`: an unset variable without a default is an error.
    pub strict_substitute: bool,
    /// `--ignore-paths`: extra ignore rules for the generated kustomization (gitignore
    /// format, anchored at the built directory).
    pub ignore_paths: Vec<String>,
    /// The kustomize options; load restrictions are always off and objects are never
    /// reordered (as kustomize-controller builds), whatever is set here.
    pub kustomize: Options,
}

impl BuildOptions {
    /// Sets strict substitution.
    pub fn with_strict_substitute(mut self, on: bool) -> Self {
        self.strict_substitute = on;
        self
    }
    /// Sets the extra ignore rules.
    pub fn with_ignore_paths(mut self, rules: Vec<String>) -> Self {
        self.ignore_paths = rules;
        self
    }
    /// Sets the kustomize options (a fetcher, a shared schema).
    pub fn with_kustomize(mut self, opts: Options) -> Self {
        self.kustomize = opts;
        self
    }
}

/// The result of [`build`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildOutput {
    /// The objects, in the order flux prints them.
    pub objects: Vec<Value>,
    /// kustomize's warnings (deprecated fields), which flux prints on stderr.
    pub warnings: Vec<String>,
}

/// Builds directory `dir` of `tree` as kustomize-controller builds it for `k` (in dry-run
/// mode: `substituteFrom` is not read).
///
/// # Errors
/// [`FluxBuildError`] at the first step that fails.
pub fn build(
    tree: &dyn FileTree,
    dir: &RelPath,
    k: &Kustomization,
    opts: &BuildOptions,
) -> Result<BuildOutput, FluxBuildError> {
    let generated = generate(tree, dir, k, &opts.ignore_paths)?;
    let overlay = Overlay {
        inner: tree,
        path: dir
            .join(&generated.file_name)
            .map_err(|e| FluxBuildError::Generate(e.to_string()))?,
        content: generated.content.into_bytes(),
    };
    let kopts = opts
        .kustomize
        .clone()
        .with_load_restrictor(LoadRestrictor::None)
        .with_reorder(Reorder::None);
    let out = kustomize::build(&overlay, dir, &kopts).map_err(|e| match e.kind {
        kustomize::ErrorKind::Unsupported => FluxBuildError::Unsupported(e.message),
        _ => FluxBuildError::Kustomize(e.message),
    })?;
    let mut resources = out.resources;
    if let Some(pb) = &k.spec.post_build {
        for i in 0..resources.len() {
            let r = &resources[i];
            if let Some(v) = substitute(r, pb, opts.strict_substitute).map_err(|e| {
                FluxBuildError::Substitute {
                    name: object_name(r).to_owned(),
                    message: e.to_string(),
                }
            })? {
                // The substituted object replaces the one with its id (`ResMap.Replace`):
                // two objects now sharing an id is an error.
                let id = ResId::of(&v);
                if resources
                    .iter()
                    .enumerate()
                    .any(|(j, o)| j != i && ResId::of(o) == id)
                {
                    return Err(FluxBuildError::Kustomize(format!(
                        "in Replace: multiple matches for Id {id}"
                    )));
                }
                resources[i] = v;
            }
        }
    }
    for r in resources.iter_mut() {
        set_owner_labels(r, &k.name, &k.namespace);
        mask_sops(r).map_err(|e| FluxBuildError::Mask {
            name: object_name(r).to_owned(),
            message: e.to_string(),
        })?;
    }
    let mut objects = read_objects(resources);
    if let Some(cm) = &k.spec.common_metadata {
        set_common_metadata(&mut objects, cm);
    }
    Ok(BuildOutput {
        objects,
        warnings: out.warnings,
    })
}

/// Prints objects as `flux build kustomization` does: each as `sigs.k8s.io/yaml` marshals
/// it, followed by `---\n`.
///
/// # Errors
/// [`FluxBuildError::Print`] for a value that has no YAML form on the Go side.
pub fn to_yaml(objects: &[Value]) -> Result<String, FluxBuildError> {
    let mut s = String::new();
    for o in objects {
        s.push_str(
            &crate::yaml::try_emit_kustomize(o)
                .map_err(|e| FluxBuildError::Print(e.to_string()))?,
        );
        s.push_str("---\n");
    }
    Ok(s)
}

/// An object's id as kustomize compares current ids: group/version/kind, name and
/// namespace (`default` and none are the same namespace).
#[derive(PartialEq, Eq)]
struct ResId<'v> {
    api_version: &'v str,
    kind: &'v str,
    name: &'v str,
    namespace: &'v str,
}

impl<'v> ResId<'v> {
    fn of(v: &'v Value) -> Self {
        let s = |p: &[&str]| v.get_path(p).and_then(Value::as_str).unwrap_or("");
        let ns = s(&["metadata", "namespace"]);
        ResId {
            api_version: s(&["apiVersion"]),
            kind: s(&["kind"]),
            name: s(&["metadata", "name"]),
            namespace: if ns.is_empty() { "default" } else { ns },
        }
    }
}

impl std::fmt::Display for ResId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}/{}.{}",
            self.kind, self.api_version, self.name, self.namespace
        )
    }
}

fn object_name(v: &Value) -> &str {
    v.get_path(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `ssautil.ReadObjects`: objects with an `items` list are expanded, objects without an
/// apiVersion, kind or name are dropped, and so are kustomize's own `Kustomization`s.
fn read_objects(resources: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for r in resources {
        if let Some(Value::Seq(items)) = r.get("items") {
            out.extend(items.iter().filter(|i| i.as_map().is_some()).cloned());
            continue;
        }
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
        if object_name(&r).is_empty() || s("kind").is_empty() || s("apiVersion").is_empty() {
            continue;
        }
        if s("kind").eq_ignore_ascii_case("kustomization")
            && s("apiVersion").starts_with("kustomize.config.k8s.io/")
        {
            continue;
        }
        out.push(r);
    }
    out
}

/// A tree with one file added (or replaced): the generated `kustomization.yaml`, served
/// without writing into the user's directory.
struct Overlay<'a> {
    inner: &'a dyn FileTree,
    path: RelPath,
    content: Vec<u8>,
}

impl FileTree for Overlay<'_> {
    fn read(&self, path: &RelPath) -> Result<Vec<u8>, TreeError> {
        if *path == self.path {
            return Ok(self.content.clone());
        }
        self.inner.read(path)
    }
    fn kind(&self, path: &RelPath) -> Result<Option<EntryKind>, TreeError> {
        if *path == self.path {
            return Ok(Some(EntryKind::File));
        }
        self.inner.kind(path)
    }
    fn list(&self, dir: &RelPath) -> Result<Vec<String>, TreeError> {
        let mut names = self.inner.list(dir)?;
        if *dir == self.path.parent() {
            let name = self.path.file_name().to_owned();
            if let Err(i) = names.binary_search(&name) {
                names.insert(i, name);
            }
        }
        Ok(names)
    }
    fn canonical(&self, path: &RelPath) -> Result<Option<RelPath>, TreeError> {
        if *path == self.path {
            return Ok(Some(path.clone()));
        }
        self.inner.canonical(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    fn kustomization(spec: &str) -> Kustomization {
        let text = format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n{spec}"
        );
        find_kustomization(&text, "k.yaml", "apps", "flux-system").unwrap()
    }

    fn run(files: &[(&str, &str)], spec: &str) -> Result<String, FluxBuildError> {
        let mut t = MemTree::new();
        for (p, c) in files {
            t.add_file(p, *c).unwrap();
        }
        let out = build(
            &t,
            &RelPath::new("app").unwrap(),
            &kustomization(spec),
            &BuildOptions::default(),
        )?;
        to_yaml(&out.objects)
    }

    #[test]
    fn substitution_then_owner_labels_then_common_metadata() {
        let out = run(
            &[(
                "app/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  n: \"${num}\"\n",
            )],
            "  targetNamespace: ns-${env}\n  commonMetadata:\n    labels:\n      team: ${env}\n      kustomize.toolkit.fluxcd.io/name: cm\n  postBuild:\n    substitute:\n      num: \"3\"\n      env: prod\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "apiVersion: v1\ndata:\n  \"n\": 3\nkind: ConfigMap\nmetadata:\n  labels:\n    kustomize.toolkit.fluxcd.io/name: cm\n    kustomize.toolkit.fluxcd.io/namespace: flux-system\n    team: ${env}\n  name: cfg\n  namespace: ns-prod\n---\n"
        );
    }

    #[test]
    fn objects_without_names_lists_and_kustomize_configs_as_the_reader_treats_them() {
        let mut objects = vec![
            crate::yaml::parse_kustomize_docs(
                "apiVersion: v1\nkind: Thing\nmetadata:\n  name: t\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
            )
            .unwrap()
            .remove(0),
            crate::yaml::parse_kustomize_docs(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata:\n  name: k\n",
            )
            .unwrap()
            .remove(0),
            crate::yaml::parse_kustomize_docs("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: g-\n")
                .unwrap()
                .remove(0),
        ];
        objects = read_objects(objects);
        assert_eq!(objects.len(), 1);
        assert_eq!(object_name(&objects[0]), "a");
    }

    #[test]
    fn substitution_that_makes_two_ids_equal_fails() {
        let e = run(
            &[
                (
                    "app/a.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${x}\n",
                ),
                (
                    "app/b.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n",
                ),
            ],
            "  postBuild:\n    substitute:\n      x: same\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("multiple matches"), "{e}");
    }

    #[test]
    fn an_empty_directory_builds_nothing() {
        assert_eq!(
            run(&[("app/README.md", "x")], "  prune: true\n").unwrap(),
            ""
        );
    }
}

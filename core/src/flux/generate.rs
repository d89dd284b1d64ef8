//! The `kustomization.yaml` kustomize-controller builds: the directory's own (its
//! `resources`, `components` and `crds` filtered by the ignore rules) or one generated
//! from the YAML files found in it, with the Flux Kustomization's spec applied.

use super::{FluxBuildError, Kustomization};
use crate::kustomize::KUSTOMIZATION_FILE_NAMES;
use crate::kustomize::types::KUSTOMIZATION_FIELDS;
use crate::source::ignore::{IGNORE_FILE, Matcher, Pattern, default_matcher, read_patterns};
use crate::tree::{EntryKind, FileTree, RelPath};
use crate::yaml::{Map, Value};

/// A kustomization file as kustomize-controller writes it before the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Its name in the directory (`kustomization.yaml` when generated, else the name of
    /// the file found).
    pub file_name: String,
    /// Its text.
    pub content: String,
    /// Whether the directory had no kustomization file.
    pub created: bool,
}

fn gen_err(e: impl std::fmt::Display) -> FluxBuildError {
    FluxBuildError::Generate(e.to_string())
}

/// The kustomization file for directory `dir` of `tree` with `k`'s spec applied
/// (`targetNamespace`, `namePrefix`, `nameSuffix`, `patches`, `components`, `images`,
/// `buildMetadata`). `ignore_paths` are extra ignore rules (`--ignore-paths`, gitignore
/// format, anchored at `dir`), after the `.sourceignore` files.
///
/// # Errors
/// [`FluxBuildError::Generate`]: a file that does not decode as Kubernetes objects, a
/// listed resource that does not exist, a component that is not a local relative path,
/// an existing kustomization file that is not valid YAML.
pub fn generate(
    tree: &dyn FileTree,
    dir: &RelPath,
    k: &Kustomization,
    ignore_paths: &[String],
) -> Result<Generated, FluxBuildError> {
    let matcher = load_matcher(tree, dir, ignore_paths)?;
    let mut existing = None;
    for name in KUSTOMIZATION_FILE_NAMES {
        let p = dir.join(name).map_err(gen_err)?;
        if tree.kind(&p).map_err(gen_err)? == Some(EntryKind::File) {
            existing = Some((name.to_string(), p));
            break;
        }
    }
    let (file_name, mut kus, created) = match existing {
        Some((name, p)) => {
            let text = tree.read_to_string(&p).map_err(gen_err)?;
            let v = crate::yaml::parse_yaml_go_v2(&text)
                .map_err(|e| gen_err(format!("error converting YAML to JSON: {}", e.go_text())))?;
            let mut m = match v {
                Value::Null => known_fields(Map::default()),
                Value::Map(m) => known_fields(m),
                _ => {
                    return Err(gen_err(format!(
                        "{name}: cannot unmarshal a non-object into a Kustomization"
                    )));
                }
            };
            if matches!(m.get("resources"), None | Some(Value::Null))
                || matches!(m.get("resources"), Some(Value::Seq(s)) if s.is_empty())
            {
                m.insert(
                    "buildMetadata".into(),
                    Value::Seq(vec!["originAnnotations".into()]),
                );
            }
            (name, m, false)
        }
        None => {
            let mut files = Vec::new();
            scan(tree, dir, dir, &matcher, &mut files)?;
            let mut m = Map::default();
            m.insert(
                "apiVersion".into(),
                "kustomize.config.k8s.io/v1beta1".into(),
            );
            m.insert("kind".into(), "Kustomization".into());
            if files.is_empty() {
                m.insert("namespace".into(), "_placeholder".into());
            } else {
                m.insert(
                    "resources".into(),
                    Value::Seq(files.into_iter().map(Value::from).collect()),
                );
            }
            ("kustomization.yaml".to_owned(), m, true)
        }
    };
    for field in ["resources", "components", "crds"] {
        filter_list(tree, dir, &matcher, &mut kus, field, field != "crds")?;
    }
    apply_spec(tree, dir, k, &mut kus)?;
    let content = crate::yaml::try_emit_kustomize(&Value::Map(kus)).map_err(gen_err)?;
    Ok(Generated {
        file_name,
        content,
        created,
    })
}

fn apply_spec(
    tree: &dyn FileTree,
    dir: &RelPath,
    k: &Kustomization,
    kus: &mut Map,
) -> Result<(), FluxBuildError> {
    let s = &k.spec;
    for (field, v) in [
        ("namespace", &s.target_namespace),
        ("namePrefix", &s.name_prefix),
        ("nameSuffix", &s.name_suffix),
    ] {
        if !v.is_empty() {
            kus.insert(field.into(), v.as_str().into());
        }
    }
    if !s.patches.is_empty() {
        let list = seq_field(kus, "patches");
        for p in &s.patches {
            let mut pm = Map::default();
            if !p.patch.is_empty() {
                pm.insert("patch".into(), p.patch.as_str().into());
            }
            if let Some(t) = &p.target {
                let tm = non_empty(&[
                    ("group", &t.group),
                    ("version", &t.version),
                    ("kind", &t.kind),
                    ("name", &t.name),
                    ("namespace", &t.namespace),
                    ("labelSelector", &t.label_selector),
                    ("annotationSelector", &t.annotation_selector),
                ]);
                pm.insert("target".into(), Value::Map(tm));
            }
            list.push(Value::Map(pm));
        }
    }
    for c in &s.components {
        if !is_local_relative_path(c) {
            return Err(gen_err(format!(
                "component path '{c}' must be local and relative"
            )));
        }
        if s.ignore_missing_components {
            let exists = dir
                .join(c)
                .ok()
                .and_then(|p| tree.kind(&p).ok().flatten())
                .is_some();
            if !exists {
                continue;
            }
        }
        seq_field(kus, "components").push(c.as_str().into());
    }
    for im in &s.images {
        let images = seq_field(kus, "images");
        let found = images.iter_mut().find_map(|e| match e {
            Value::Map(m) if m.get("name").and_then(Value::as_str) == Some(im.name.as_str()) => {
                Some(m)
            }
            _ => None,
        });
        match found {
            Some(e) => {
                if !im.new_name.is_empty() {
                    e.insert("newName".into(), im.new_name.as_str().into());
                }
                if !im.new_tag.is_empty() || !im.digest.is_empty() {
                    for (key, v) in [("newTag", &im.new_tag), ("digest", &im.digest)] {
                        if v.is_empty() {
                            e.shift_remove(key);
                        } else {
                            e.insert(key.into(), v.as_str().into());
                        }
                    }
                }
            }
            None => images.push(Value::Map(non_empty(&[
                ("name", &im.name),
                ("newName", &im.new_name),
                ("newTag", &im.new_tag),
                ("digest", &im.digest),
            ]))),
        }
    }
    if !s.build_metadata.is_empty() {
        kus.insert(
            "buildMetadata".into(),
            Value::Seq(s.build_metadata.iter().map(|b| b.as_str().into()).collect()),
        );
    }
    Ok(())
}

/// An existing kustomization as it comes out of flux's round trip through kustomize's
/// Go type: fields the type does not have are dropped, keys matching a field only up
/// to case (as `encoding/json` matches them) take the field's name (the later one wins),
/// and null fields are left out.
fn known_fields(m: Map) -> Map {
    let mut out = Map::default();
    // The Go value starts with kustomize's default TypeMeta.
    out.insert(
        "apiVersion".into(),
        "kustomize.config.k8s.io/v1beta1".into(),
    );
    out.insert("kind".into(), "Kustomization".into());
    for (k, v) in m {
        let field = KUSTOMIZATION_FIELDS.iter().find(|f| **f == k).or_else(|| {
            KUSTOMIZATION_FIELDS
                .iter()
                .find(|f| f.eq_ignore_ascii_case(&k))
        });
        if let Some(f) = field
            && !v.is_null()
        {
            out.insert((*f).to_owned(), v);
        }
    }
    out
}

/// A map of the fields whose value is not empty (Go's `omitempty`).
fn non_empty(fields: &[(&str, &String)]) -> Map {
    let mut m = Map::default();
    for (key, v) in fields {
        if !v.is_empty() {
            m.insert((*key).into(), v.as_str().into());
        }
    }
    m
}

/// The list in `field`, created (or replacing a non-list) when needed.
fn seq_field<'m>(kus: &'m mut Map, field: &str) -> &'m mut Vec<Value> {
    let v = kus
        .entry(field.to_owned())
        .or_insert(Value::Seq(Vec::new()));
    if !matches!(v, Value::Seq(_)) {
        *v = Value::Seq(Vec::new());
    }
    match v {
        Value::Seq(s) => s,
        _ => unreachable!("just made a sequence"),
    }
}

/// `IsLocalRelativePath`: not a remote reference and not absolute.
pub fn is_local_relative_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    for p in [
        "git::",
        "gh:",
        "ssh://",
        "https://",
        "http://",
        "git@",
        "github.com:",
        "github.com/",
    ] {
        if p.len() < path.len() && lower.starts_with(p) {
            return false;
        }
    }
    !(path.starts_with('/') || lower.trim_start_matches("file://").starts_with('/'))
}

/// The components of `p` below `dir`, or `None` when `p` is not inside it.
fn below<'p>(dir: &RelPath, p: &'p RelPath) -> Option<Vec<&'p str>> {
    if !p.starts_with(dir) {
        return None;
    }
    let rest = if dir.is_root() {
        p.as_str()
    } else {
        p.as_str()
            .get(dir.as_str().len()..)?
            .trim_start_matches('/')
    };
    Some(rest.split('/').filter(|c| !c.is_empty()).collect())
}

/// `sourceignore.LoadIgnorePatterns(dir)` under the default exclusions: every
/// `.sourceignore` in `dir` and below (not under `.git`), each anchored at its directory.
fn load_matcher(
    tree: &dyn FileTree,
    dir: &RelPath,
    ignore_paths: &[String],
) -> Result<Matcher, FluxBuildError> {
    fn walk(
        tree: &dyn FileTree,
        d: &RelPath,
        domain: &mut Vec<Vec<u8>>,
        out: &mut Vec<Pattern>,
    ) -> Result<(), FluxBuildError> {
        let f = d.join(IGNORE_FILE).map_err(gen_err)?;
        if tree.kind(&f).map_err(gen_err)? == Some(EntryKind::File) {
            out.extend(read_patterns(&tree.read(&f).map_err(gen_err)?, domain));
        }
        for name in tree.list(d).map_err(gen_err)? {
            let p = d.join(&name).map_err(gen_err)?;
            if name != ".git" && tree.kind(&p).map_err(gen_err)? == Some(EntryKind::Dir) {
                domain.push(name.into_bytes());
                walk(tree, &p, domain, out)?;
                domain.pop();
            }
        }
        Ok(())
    }
    let mut ps = Vec::new();
    walk(tree, dir, &mut Vec::new(), &mut ps)?;
    if !ignore_paths.is_empty() {
        ps.extend(read_patterns(ignore_paths.join("\n").as_bytes(), &[]));
    }
    Ok(default_matcher(ps, &[]))
}

fn ignored(dir: &RelPath, matcher: &Matcher, p: &RelPath, is_dir: bool) -> bool {
    below(dir, p).is_some_and(|c| !c.is_empty() && matcher.is_excluded(&c, is_dir))
}

/// `filterKsWithIgnoreFiles` on one list: every local entry must exist, and ignored
/// ones are dropped; URLs are kept (not for `crds`).
fn filter_list(
    tree: &dyn FileTree,
    dir: &RelPath,
    matcher: &Matcher,
    kus: &mut Map,
    field: &str,
    urls_allowed: bool,
) -> Result<(), FluxBuildError> {
    let Some(Value::Seq(items)) = kus.get(field) else {
        return Ok(());
    };
    let mut kept = Vec::new();
    for item in items {
        let s = match item {
            Value::String(s) => s.clone(),
            _ => {
                kept.push(item.clone());
                continue;
            }
        };
        if urls_allowed && is_url(&s) {
            kept.push(item.clone());
            continue;
        }
        let missing = || gen_err(format!("lstat {s}: no such file or directory"));
        let p = dir.join(&s).map_err(|_| missing())?;
        let kind = tree.kind(&p).map_err(|_| missing())?.ok_or_else(missing)?;
        if ignored(dir, matcher, &p, kind == EntryKind::Dir) {
            continue;
        }
        kept.push(item.clone());
    }
    kus.insert(field.to_owned(), Value::Seq(kept));
    Ok(())
}

/// Go's `url.ParseRequestURI(s)` succeeding with a scheme: `scheme:/...`.
fn is_url(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && s[colon + 1..].starts_with('/')
}

/// `scanManifests`: a lexical walk collecting `*.yaml` / `*.yml` files that decode as
/// Kubernetes objects, and sub-directories holding a kustomization file (not descended).
fn scan(
    tree: &dyn FileTree,
    base: &RelPath,
    d: &RelPath,
    matcher: &Matcher,
    out: &mut Vec<String>,
) -> Result<(), FluxBuildError> {
    for name in tree.list(d).map_err(gen_err)? {
        let p = d.join(&name).map_err(gen_err)?;
        let rel = || {
            let c = below(base, &p).unwrap_or_default();
            format!("./{}", c.join("/"))
        };
        match tree.kind(&p).map_err(gen_err)? {
            Some(EntryKind::Dir) => {
                let mut has_kustomization = false;
                for k in KUSTOMIZATION_FILE_NAMES {
                    let kp = p.join(k).map_err(gen_err)?;
                    if tree.kind(&kp).map_err(gen_err)? == Some(EntryKind::File) {
                        has_kustomization = true;
                        break;
                    }
                }
                if has_kustomization {
                    out.push(rel());
                } else {
                    scan(tree, base, &p, matcher, out)?;
                }
            }
            Some(EntryKind::File) => {
                let ext = name.rfind('.').map(|i| &name[i..]).unwrap_or("");
                if ext != ".yaml" && ext != ".yml" {
                    continue;
                }
                if ignored(base, matcher, &p, false) {
                    continue;
                }
                let bytes = tree.read(&p).map_err(gen_err)?;
                crate::kustomize::check_resources(&bytes, p.as_str()).map_err(|e| {
                    gen_err(format!(
                        "failed to decode Kubernetes YAML from {p}: {}",
                        e.message
                    ))
                })?;
                out.push(rel());
            }
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flux::{Image, Spec};
    use crate::tree::MemTree;

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";

    fn tree(files: &[(&str, &str)]) -> MemTree {
        let mut t = MemTree::new();
        for (p, c) in files {
            t.add_file(p, *c).unwrap();
        }
        t
    }

    fn gen_for(t: &MemTree, spec: Spec) -> Result<Generated, FluxBuildError> {
        let k = Kustomization {
            name: "x".into(),
            namespace: "flux-system".into(),
            spec,
        };
        generate(t, &RelPath::new("app").unwrap(), &k, &[])
    }

    #[test]
    fn generated_lists_yaml_files_and_kustomization_dirs_in_lexical_order() {
        let t = tree(&[
            ("app/b.yaml", CM),
            ("app/a.yml", CM),
            ("app/c.YAML", CM),
            ("app/d.json", CM),
            ("app/.hidden.yaml", CM),
            ("app/sub/kustomization.yaml", "resources: [x.yaml]\n"),
            ("app/sub/x.yaml", CM),
            ("app/deep/e.yaml", CM),
            ("app/ignored/f.yaml", CM),
            ("app/.sourceignore", "ignored/\n"),
            ("app/.sops.yaml", "creation_rules: []\n"),
        ]);
        let g = gen_for(&t, Spec::default()).unwrap();
        assert!(g.created);
        assert_eq!(g.file_name, "kustomization.yaml");
        assert_eq!(
            g.content,
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ./.hidden.yaml\n- ./a.yml\n- ./b.yaml\n- ./deep/e.yaml\n- ./sub\n"
        );
    }

    #[test]
    fn ignore_paths_add_rules_after_the_sourceignore_files() {
        let t = tree(&[("app/a.yaml", CM), ("app/b/c.yaml", CM), ("app/d.yaml", CM)]);
        let k = Kustomization::default();
        let g = generate(
            &t,
            &RelPath::new("app").unwrap(),
            &k,
            &["b/".into(), "/d.yaml".into()],
        )
        .unwrap();
        assert!(
            g.content.ends_with("resources:\n- ./a.yaml\n"),
            "{}",
            g.content
        );
    }

    #[test]
    fn generated_refuses_a_file_that_is_not_kubernetes_yaml_and_empty_dirs_get_a_placeholder() {
        let t = tree(&[("app/values.yaml", "replicas: 2\n")]);
        let e = gen_for(&t, Spec::default()).unwrap_err();
        assert!(
            e.to_string()
                .contains("failed to decode Kubernetes YAML from app/values.yaml")
        );
        let t = tree(&[("app/readme.md", "x")]);
        let g = gen_for(&t, Spec::default()).unwrap();
        assert!(
            g.content.contains("namespace: _placeholder\n"),
            "{}",
            g.content
        );
    }

    #[test]
    fn spec_fields_are_applied_to_an_existing_kustomization() {
        let t = tree(&[
            (
                "app/kustomization.yml",
                "resources: [a.yaml]\nnamespace: old\nimages:\n- name: nginx\n  newTag: '1.0'\n  newName: my/nginx\ncomponents: [c1]\n",
            ),
            ("app/a.yaml", CM),
            ("app/c1/kustomization.yaml", "kind: Component\n"),
        ]);
        let spec = Spec {
            target_namespace: "prod".into(),
            name_prefix: "p-".into(),
            components: vec!["missing".into()],
            ignore_missing_components: true,
            images: vec![
                Image {
                    name: "nginx".into(),
                    digest: "sha256:abc".into(),
                    ..Image::default()
                },
                Image {
                    name: "redis".into(),
                    new_tag: "7".into(),
                    ..Image::default()
                },
            ],
            ..Spec::default()
        };
        let g = gen_for(&t, spec).unwrap();
        assert!(!g.created);
        assert_eq!(g.file_name, "kustomization.yml");
        assert_eq!(
            g.content,
            "apiVersion: kustomize.config.k8s.io/v1beta1\ncomponents:\n- c1\nimages:\n- digest: sha256:abc\n  name: nginx\n  newName: my/nginx\n- name: redis\n  newTag: \"7\"\nkind: Kustomization\nnamePrefix: p-\nnamespace: prod\nresources:\n- a.yaml\n"
        );
    }

    #[test]
    fn existing_kustomization_loses_fields_its_go_type_does_not_have() {
        let t = tree(&[
            (
                "app/kustomization.yaml",
                "resources: [a.yaml]\nunknownField: 1\nNamePrefix: p-\nnameSuffix: null\n",
            ),
            ("app/a.yaml", CM),
        ]);
        let g = gen_for(&t, Spec::default()).unwrap();
        assert_eq!(
            g.content,
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: p-\nresources:\n- a.yaml\n"
        );
    }

    #[test]
    fn existing_without_resources_gets_origin_annotations_and_missing_resources_fail() {
        let t = tree(&[(
            "app/kustomization.yaml",
            "configMapGenerator:\n- name: x\n  literals: [a=b]\n",
        )]);
        let g = gen_for(&t, Spec::default()).unwrap();
        assert!(g.content.contains("buildMetadata:\n- originAnnotations\n"));
        let t = tree(&[("app/kustomization.yaml", "resources: [nope.yaml]\n")]);
        assert!(gen_for(&t, Spec::default()).is_err());
    }

    #[test]
    fn components_must_be_local_and_relative() {
        assert!(is_local_relative_path("../c"));
        assert!(!is_local_relative_path("/abs"));
        assert!(!is_local_relative_path("https://github.com/x/y"));
        assert!(!is_local_relative_path("file:///x"));
        let t = tree(&[("app/a.yaml", CM)]);
        let spec = Spec {
            components: vec!["github.com/x/y".into()],
            ..Spec::default()
        };
        assert_eq!(
            gen_for(&t, spec).unwrap_err().to_string(),
            "failed to generate kustomization.yaml: component path 'github.com/x/y' must be local and relative"
        );
    }
}

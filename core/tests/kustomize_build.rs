//! Behaviour of `kustomize::build` on trees written here: overlays, determinism across
//! threads, and bad input (cycles, escapes, malformed YAML, missing files).

use gitward::kustomize::{ErrorKind, LoadRestrictor, Options, build};
use gitward::tree::{MemTree, RelPath};

fn tree(files: &[(&str, &str)]) -> MemTree {
    let mut t = MemTree::new();
    for (p, c) in files {
        t.add_file(p, *c).expect("valid path");
    }
    t
}

fn build_text(t: &MemTree, dir: &str) -> Result<String, gitward::kustomize::Error> {
    build(t, &RelPath::new(dir).expect("path"), &Options::default()).map(|o| o.to_yaml())
}

const BASE_K: &str = "resources:\n- deploy.yaml\n- svc.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - a=b\n";
const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.0\n";
const SVC: &str =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n";

fn overlay_tree() -> MemTree {
    tree(&[
        ("base/kustomization.yaml", BASE_K),
        ("base/deploy.yaml", DEPLOY),
        ("base/svc.yaml", SVC),
        (
            "prod/kustomization.yaml",
            "resources:\n- ../base\nnamePrefix: prod-\nnamespace: prod\nimages:\n- name: nginx\n  newTag: \"1.2\"\ncommonLabels:\n  env: prod\n",
        ),
    ])
}

#[test]
fn overlay_builds_in_legacy_order_with_prefix_namespace_and_images() {
    let out = build_text(&overlay_tree(), "prod").expect("builds");
    let expected = "\
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  labels:
    env: prod
  name: prod-cfg-4h2mbtbbt6
  namespace: prod
---
apiVersion: v1
kind: Service
metadata:
  labels:
    env: prod
  name: prod-web
  namespace: prod
spec:
  ports:
  - port: 80
  selector:
    env: prod
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    env: prod
  name: prod-web
  namespace: prod
spec:
  selector:
    matchLabels:
      env: prod
  template:
    metadata:
      labels:
        env: prod
    spec:
      containers:
      - image: nginx:1.2
        name: web
";
    assert_eq!(out, expected);
}

#[test]
fn eight_parallel_builds_give_identical_bytes() {
    let t = std::sync::Arc::new(overlay_tree());
    let first = build_text(&t, "prod").expect("builds");
    // The threads share one parsed schema, as a long-running caller would.
    let schema = std::sync::Arc::new(gitward::smp::Schema::builtin());
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let t = t.clone();
            let opts = Options::default().with_schema(schema.clone());
            std::thread::spawn(move || {
                build(&*t, &RelPath::new("prod").expect("path"), &opts)
                    .expect("builds")
                    .to_yaml()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), first);
    }
}

#[test]
fn a_cycle_of_bases_is_an_error_naming_it() {
    let t = tree(&[
        ("a/kustomization.yaml", "resources:\n- ../b\n"),
        ("b/kustomization.yaml", "resources:\n- ../a\n"),
    ]);
    let e = build_text(&t, "a").expect_err("cycle");
    assert_eq!(e.kind, ErrorKind::Cycle, "{e}");
    assert!(e.message.contains("cycle detected"), "{e}");
    assert!(e.message.contains("/a"), "{e}");
}

#[test]
fn a_kustomization_including_itself_is_a_cycle() {
    let t = tree(&[("a/kustomization.yaml", "resources:\n- .\n")]);
    let e = build_text(&t, "a").expect_err("cycle");
    assert_eq!(e.kind, ErrorKind::Cycle, "{e}");
}

#[test]
fn files_outside_the_kustomization_root_are_refused_by_default() {
    let t = tree(&[
        (
            "secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
        ),
        ("app/kustomization.yaml", "resources:\n- ../secret.yaml\n"),
    ]);
    let e = build_text(&t, "app").expect_err("restricted");
    assert!(e.message.contains("is not in or below"), "{e}");
    let opts = Options::default().with_load_restrictor(LoadRestrictor::None);
    let out =
        build(&t, &RelPath::new("app").expect("path"), &opts).expect("allowed without restriction");
    assert_eq!(out.resources.len(), 1);
}

#[test]
fn paths_above_the_tree_root_are_refused() {
    let t = tree(&[(
        "app/kustomization.yaml",
        "resources:\n- ../../../etc/passwd\n",
    )]);
    let e = build_text(&t, "app").expect_err("escape");
    assert!(e.message.contains("escapes the root"), "{e}");
}

#[test]
fn malformed_yaml_names_the_file_and_line() {
    let t = tree(&[
        ("app/kustomization.yaml", "resources:\n- bad.yaml\n"),
        (
            "app/bad.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [1, 2\n",
        ),
    ]);
    let e = build_text(&t, "app").expect_err("malformed");
    assert_eq!(e.kind, ErrorKind::Yaml, "{e}");
    // kubectl kustomize's words (go-yaml v3 names the line before the sequence's).
    assert!(
        e.message.ends_with(
            "MalformedYAMLError: yaml: line 5: did not find expected ',' or ']' in File: bad.yaml"
        ),
        "{e}"
    );
}

#[test]
fn patch_files_are_parsed_as_loaded_and_inline_patches_trimmed() {
    // A block scalar ending a patch file keeps its line break; an inline patch is
    // trimmed first, so its last block scalar loses it (as kubectl kustomize prints).
    let t = tree(&[
        (
            "app/kustomization.yaml",
            "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: x\n    data:\n      b: |\n        two\n",
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"1\"\n",
        ),
        (
            "app/p.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: |\n    one\n",
        ),
    ]);
    assert_eq!(
        build_text(&t, "app").expect("builds"),
        "apiVersion: v1\ndata:\n  a: |\n    one\n  b: two\nkind: ConfigMap\nmetadata:\n  name: x\n"
    );
}

#[test]
fn missing_files_and_kustomizations_are_errors() {
    let t = tree(&[("app/kustomization.yaml", "resources:\n- nope.yaml\n")]);
    let e = build_text(&t, "app").expect_err("missing");
    assert!(e.message.contains("nope.yaml"), "{e}");
    let e = build_text(&t, "elsewhere").expect_err("no kustomization");
    assert_eq!(e.kind, ErrorKind::MissingKustomization, "{e}");
}

#[test]
fn unknown_fields_are_errors() {
    let t = tree(&[("app/kustomization.yaml", "resources: []\nnamePrefx: x-\n")]);
    let e = build_text(&t, "app").expect_err("unknown field");
    assert_eq!(e.kind, ErrorKind::InvalidKustomization, "{e}");
    assert!(e.message.contains("unknown field \"namePrefx\""), "{e}");
}

#[test]
fn field_names_match_case_insensitively_as_go_json_does() {
    let t = tree(&[
        (
            "app/kustomization.yaml",
            "resources:\n- cm.yaml\nnameprefix: p-\n",
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let out = build_text(&t, "app").expect("builds");
    assert!(out.contains("name: p-c"), "{out}");
}

#[test]
fn a_patch_target_that_matches_nothing_changes_nothing() {
    let t = tree(&[
        (
            "app/kustomization.yaml",
            "resources:\n- cm.yaml\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /x\n      value: 1\n",
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    assert_eq!(
        build_text(&t, "app").expect("builds"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
    );
}

#[test]
fn a_strategic_merge_patch_without_a_target_object_is_an_error() {
    let t = tree(&[
        (
            "app/kustomization.yaml",
            "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n",
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
        (
            "app/p.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  a: b\n",
        ),
    ]);
    let e = build_text(&t, "app").expect_err("no target");
    assert_eq!(e.kind, ErrorKind::Patch, "{e}");
    assert!(e.message.contains("other"), "{e}");
}

#[test]
fn remote_resources_are_listed_not_fetched() {
    let t = tree(&[(
        "app/kustomization.yaml",
        "resources:\n- https://github.com/example/repo//deploy?ref=v1\n- local.yaml\n",
    )]);
    let refs =
        gitward::kustomize::remote_refs(&t, &RelPath::new("app").expect("path")).expect("lists");
    let raw: Vec<&str> = refs.iter().map(|r| r.raw.as_str()).collect();
    assert_eq!(raw, ["https://github.com/example/repo//deploy?ref=v1"]);
    let e = build_text(&t, "app").expect_err("remote");
    assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
    assert!(e.message.contains("https://github.com/example/repo"), "{e}");
}

/// Every input kustomize would fetch (a file its loader reads that Go's `url.Parse` takes
/// for an http(s) URL; a kustomization directory that `git.NewRepoSpecFromURL` accepts)
/// is listed by `remote_refs`, in the kustomization and the local bases it reaches, and
/// makes `build` fail as unsupported instead of being opened as a local path.
#[test]
fn remote_inputs_are_listed_and_unsupported_in_every_field() {
    use gitward::kustomize::remote::Fetch;
    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "resources:\n- github.com:argoproj/argo-cd.git/manifests/cluster-install?ref=v2.12.0\n",
            "resources",
            "git",
        ),
        (
            "resources:\n- git@github.com:org/repo//base?ref=main\n",
            "resources",
            "git",
        ),
        (
            "resources:\n- https://raw.githubusercontent.com/org/repo/main/cm.yaml\n",
            "resources",
            "http-or-git",
        ),
        (
            "resources:\n- https://example.com/cm.yaml\n",
            "resources",
            "http",
        ),
        (
            "components:\n- https://github.com/org/repo//components/x?ref=v1\n",
            "components",
            "git",
        ),
        (
            "configMapGenerator:\n- name: dash\n  files:\n  - https://github.com/NVIDIA/dcgm-exporter/raw/main/grafana/dash.json\n",
            "configMapGenerator.files",
            "http",
        ),
        (
            "configMapGenerator:\n- name: dash\n  files:\n  - d.json=https://example.com/d.json\n",
            "configMapGenerator.files",
            "http",
        ),
        (
            "secretGenerator:\n- name: s\n  envs:\n  - https://example.com/s.env\n",
            "secretGenerator.envs",
            "http",
        ),
        (
            "openapi:\n  path: https://raw.githubusercontent.com/argoproj/argo-schema-generator/main/schema/argo_all_k8s_kustomize_schema.json\nresources:\n- cm.yaml\n",
            "openapi.path",
            "http",
        ),
        (
            "resources:\n- cm.yaml\npatches:\n- path: https://example.com/p.yaml\n",
            "patches.path",
            "http",
        ),
        (
            "resources:\n- cm.yaml\npatchesStrategicMerge:\n- https://example.com/p.yaml\n",
            "patchesStrategicMerge",
            "http",
        ),
        (
            "resources:\n- cm.yaml\npatchesJson6902:\n- path: https://example.com/p.yaml\n  target: {version: v1, kind: ConfigMap, name: c}\n",
            "patchesJson6902.path",
            "http",
        ),
        (
            "resources:\n- cm.yaml\nconfigurations:\n- https://example.com/c.yaml\n",
            "configurations",
            "http",
        ),
        (
            "resources:\n- cm.yaml\ncrds:\n- https://example.com/crd.json\n",
            "crds",
            "http",
        ),
        (
            "resources:\n- cm.yaml\nreplacements:\n- path: https://example.com/r.yaml\n",
            "replacements.path",
            "http",
        ),
        (
            "resources:\n- cm.yaml\ntransformers:\n- |\n  apiVersion: builtin\n  kind: PatchTransformer\n  metadata: {name: p}\n  path: https://example.com/p.yaml\n",
            "PatchTransformer.path",
            "http",
        ),
        (
            "resources:\n- cm.yaml\ntransformers:\n- https://github.com/org/repo//transformers?ref=v1\n",
            "transformers",
            "http-or-git",
        ),
    ];
    for &(k, field, how) in cases {
        let t = tree(&[("app/kustomization.yaml", k), ("app/cm.yaml", CM)]);
        let refs = gitward::kustomize::remote_refs(&t, &RelPath::new("app").expect("path"))
            .expect("lists");
        assert_eq!(refs.len(), 1, "{k}: {refs:?}");
        assert_eq!(refs[0].field, field, "{k}");
        assert_eq!(refs[0].kustomization.as_str(), "app", "{k}");
        let got = match &refs[0].fetch {
            Fetch::Http { .. } => "http",
            Fetch::HttpOrGit { .. } => "http-or-git",
            Fetch::Git(_) => "git",
            other => panic!("{k}: {other:?}"),
        };
        assert_eq!(got, how, "{k}");
        let e = build_text(&t, "app").expect_err("remote");
        assert_eq!(e.kind, ErrorKind::Unsupported, "{k}: {e}");
        assert!(
            e.message
                .contains("must be fetched by the source layer first"),
            "{k}: {e}"
        );
    }
    // Through a local base; and the repository spec of an scp-like GitHub URL.
    let t = tree(&[
        ("app/kustomization.yaml", "resources:\n- ../base\n"),
        (
            "base/kustomization.yaml",
            "resources:\n- github.com:argoproj/argo-cd.git/manifests/cluster-install?ref=v2.12.0\n",
        ),
    ]);
    let refs =
        gitward::kustomize::remote_refs(&t, &RelPath::new("app").expect("path")).expect("lists");
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(refs[0].kustomization.as_str(), "base");
    let Fetch::Git(spec) = &refs[0].fetch else {
        panic!("{refs:?}")
    };
    assert_eq!(spec.clone_spec(), "https://github.com/argoproj/argo-cd.git");
    assert_eq!(spec.kust_root_path, "manifests/cluster-install");
    assert_eq!(spec.git_ref, "v2.12.0");
    assert_eq!(
        build_text(&t, "app").expect_err("remote").kind,
        ErrorKind::Unsupported
    );
    // Local paths that only look remote stay local.
    let t = tree(&[
        (
            "app/kustomization.yaml",
            "resources:\n- github.com/org/repo/cm.yaml\n- ssh://cm.yaml\n",
        ),
        ("app/github.com/org/repo/cm.yaml", CM),
        (
            "app/ssh:/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n",
        ),
    ]);
    assert!(
        gitward::kustomize::remote_refs(&t, &RelPath::new("app").expect("path"))
            .expect("lists")
            .is_empty()
    );
    assert_eq!(
        build_text(&t, "app").expect("local files"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n"
    );
}

/// Builtin plugin configurations are unmarshalled by `sigs.k8s.io/yaml` into the plugin's
/// struct: numbers and booleans bound for strings become text (`kubectl kustomize`'s
/// output), where a kustomization field of the same type is an error.
#[test]
fn plugin_configs_turn_numbers_and_booleans_into_strings() {
    let t = tree(&[
        (
            "k/kustomization.yaml",
            "resources:\n- cm.yaml\ntransformers:\n- t.yaml\n- i.yaml\n- ns.yaml\n",
        ),
        (
            "k/cm.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
        ),
        (
            "k/t.yaml",
            "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels:\n  enabled: true\n  n: 3\n  f: 1.50\n  z: null\n  o: 0o17\n  y: yes\nfieldSpecs:\n- path: metadata/labels\n  create: true\n",
        ),
        (
            "k/i.yaml",
            "apiVersion: builtin\nkind: ImageTagTransformer\nmetadata:\n  name: i\nimageTag:\n  name: nginx\n  newTag: 1.10\nfieldSpecs:\n- path: spec/containers/image\n",
        ),
        (
            "k/ns.yaml",
            "apiVersion: builtin\nkind: NamespaceTransformer\nmetadata:\n  name: n\n  namespace: 123\nfieldSpecs:\n- path: metadata/namespace\n  create: true\n",
        ),
    ]);
    let out = build_text(&t, "k").expect("builds");
    assert_eq!(
        out,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    enabled: \"true\"\n    f: \"1.5\"\n    \"n\": \"3\"\n    o: \"15\"\n    \"y\": \"yes\"\n    z: \"\"\n  name: a\n  namespace: \"123\"\nspec:\n  containers:\n  - image: nginx:1.1\n    name: c\n"
    );
    // Fields promoted from embedded structs are not coerced (kustomize fails there too).
    let t = tree(&[
        ("k/kustomization.yaml", "generators:\n- g.yaml\n"),
        (
            "k/g.yaml",
            "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: g\nliterals:\n- a=1\noptions:\n  labels:\n    x: true\n",
        ),
    ]);
    let e = build_text(&t, "k").expect_err("kustomize refuses");
    assert!(e.message.contains("cannot unmarshal bool"), "{e}");
}

/// An `images` name is a Go regular expression in kustomize (`image.IsImageMatched`):
/// metacharacters match as in Go, and a name that does not compile is an error once an
/// image is met (kustomize v5.7.1 panics there), not a silent no-match.
#[test]
fn image_names_are_go_regexps_and_invalid_ones_fail() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: nginx:1.0\n";
    let t = tree(&[
        (
            "k/kustomization.yaml",
            "resources:\n- p.yaml\nimages:\n- name: ng.*\n  newTag: \"2\"\n",
        ),
        ("k/p.yaml", pod),
    ]);
    assert!(
        build_text(&t, "k")
            .expect("builds")
            .contains("image: nginx:2")
    );
    let t = tree(&[
        (
            "k/kustomization.yaml",
            "resources:\n- p.yaml\nimages:\n- name: (nginx\n  newTag: \"2\"\n",
        ),
        ("k/p.yaml", pod),
    ]);
    let e = build_text(&t, "k").expect_err("invalid name");
    assert!(
        e.message.contains(
            "invalid image name \"(nginx\" in images: error parsing regexp: missing closing )"
        ),
        "{e}"
    );
    // No image to match: kustomize never evaluates the pattern.
    let t = tree(&[(
        "k/kustomization.yaml",
        "images:\n- name: (nginx\n  newTag: \"2\"\n",
    )]);
    assert_eq!(build_text(&t, "k").expect("nothing to match"), "");
}

/// kustomize ends every build by rewriting `metadata.annotations` of every resource as a
/// string map (kyaml `SetAnnotations`), which removes a null or empty map, reads a map or
/// list value as "" and a list of annotations as keys and values. Labels, and annotations
/// below `metadata`, are left as they are. (Expected: kubectl kustomize v1.35.2.)
#[test]
fn annotations_empty_dropped_labels_kept() {
    let t = tree(&[
        ("k/kustomization.yaml", "resources:\n- r.yaml\n"),
        (
            "k/r.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  annotations: {}\n  labels: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  annotations:\n    m: {a: b}\n    s: [1, 2]\n    q:\n  labels:\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n  annotations: [a, b, c, d]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f\n  annotations: hello\nspec:\n  template:\n    metadata:\n      annotations: {}\n      labels: {}\n",
        ),
    ]);
    let expected = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  labels: {}
  name: b
---
apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    m: \"\"
    q: \"\"
    s: \"\"
  labels: null
  name: d
---
apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    a: b
    c: d
  name: e
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: f
spec:
  template:
    metadata:
      annotations: {}
      labels: {}
---
apiVersion: v1
kind: Service
metadata:
  name: a
";
    assert_eq!(build_text(&t, "k").expect("builds"), expected);
    // Keeping both kinds of build metadata leaves an empty map alone.
    let t = tree(&[
        (
            "k/kustomization.yaml",
            "resources:\n- r.yaml\nbuildMetadata: [originAnnotations, transformerAnnotations]\nconfigMapGenerator:\n- name: g\n  options:\n    annotations: {}\n",
        ),
        (
            "k/r.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {}\n",
        ),
    ]);
    let expected = "\
apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    config.kubernetes.io/origin: |
      path: r.yaml
  name: c
---
apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    config.kubernetes.io/origin: |
      configuredIn: kustomization.yaml
      configuredBy:
        apiVersion: builtin
        kind: ConfigMapGenerator
  name: g-6ct58987ht
";
    assert_eq!(build_text(&t, "k").expect("builds"), expected);
}

/// JSON 6902 patches are decoded from the text as kustomize has it: a `patches:` file,
/// a `patchesJson6902:` file or `patch:` untrimmed (a block scalar ending the text keeps
/// its line break), a `patches:` inline patch trimmed. (Expected: kubectl kustomize.)
#[test]
fn json_patch_text_is_trimmed_only_when_inline_in_patches() {
    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n";
    const OPS: &str = "- op: add\n  path: /data/x\n  value: |\n    hello\n";
    let kept =
        "apiVersion: v1\ndata:\n  a: b\n  x: |\n    hello\nkind: ConfigMap\nmetadata:\n  name: c\n";
    let trimmed =
        "apiVersion: v1\ndata:\n  a: b\n  x: hello\nkind: ConfigMap\nmetadata:\n  name: c\n";
    for (k, expected) in [
        (
            "resources: [cm.yaml]\npatches:\n- path: j.yaml\n  target: {kind: ConfigMap}\n",
            kept,
        ),
        (
            "resources: [cm.yaml]\npatchesJson6902:\n- path: j.yaml\n  target: {version: v1, kind: ConfigMap, name: c}\n",
            kept,
        ),
        (
            "resources: [cm.yaml]\npatchesJson6902:\n- patch: |\n    - op: add\n      path: /data/x\n      value: |\n        hello\n  target: {version: v1, kind: ConfigMap, name: c}\n",
            kept,
        ),
        ("resources: [cm.yaml]\ntransformers: [t.yaml]\n", kept),
        (
            "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |\n    - op: add\n      path: /data/x\n      value: |\n        hello\n",
            trimmed,
        ),
    ] {
        let t = tree(&[
            ("k/kustomization.yaml", k),
            ("k/cm.yaml", CM),
            ("k/j.yaml", OPS),
            (
                "k/t.yaml",
                "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: x}\npath: j.yaml\ntarget: {kind: ConfigMap}\n",
            ),
        ]);
        assert_eq!(build_text(&t, "k").expect("builds"), expected, "{k}");
    }
}

/// kustomize reads a generator `behavior` it does not know (`add`, `Merge`) as
/// unspecified, which creates (`types.NewGenerationBehavior`), in `configMapGenerator`,
/// `secretGenerator` and generator plugin configurations alike.
#[test]
fn generator_behavior_unknown_creates() {
    let t = tree(&[
        (
            "k/kustomization.yaml",
            "configMapGenerator:\n- name: c\n  behavior: add\n  literals: [x=y]\nsecretGenerator:\n- name: s\n  behavior: bogus\n  literals: [x=y]\ngenerators: [g.yaml]\n",
        ),
        (
            "k/g.yaml",
            "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: g}\nbehavior: Merge\nliterals: [q=r]\n",
        ),
        (
            "o/kustomization.yaml",
            "resources: [../k]\nconfigMapGenerator:\n- name: c\n  behavior: Merge\n  literals: [x=z]\n",
        ),
    ]);
    let expected = "\
apiVersion: v1
data:
  x: \"y\"
kind: ConfigMap
metadata:
  name: c-6gc9d749f7
---
apiVersion: v1
data:
  q: r
kind: ConfigMap
metadata:
  name: g-9kd464tkd2
---
apiVersion: v1
data:
  x: eQ==
kind: Secret
metadata:
  name: s-t86b282gdf
type: Opaque
";
    assert_eq!(build_text(&t, "k").expect("builds"), expected);
    // Unspecified creates, so it collides with the base's ConfigMap.
    let e = build_text(&t, "o").expect_err("exists");
    assert!(
        e.message.ends_with("id resid.ResId{Gvk:resid.Gvk{Group:\"\", Version:\"v1\", Kind:\"ConfigMap\", isClusterScoped:false}, Name:\"c\", Namespace:\"\"} exists; behavior must be merge or replace"),
        "{e}"
    );
}

/// `helmCharts` are rendered as kubectl kustomize renders them, with `helm template` of
/// Helm 3 (v3.17.2): its `.Capabilities` (Kubernetes v1.32.0 and its API versions, a
/// `--kube-version` read as a semantic version, its build information), a comma in
/// `apiVersions` separating versions, and a null in the values file (kustomize passes the
/// chart's own `values.yaml` as `-f`) deleting the key even where the default is null.
/// (Expected: kubectl kustomize --enable-helm --helm-command helm-v3.17.2.)
#[test]
fn helm_charts_see_helm3_capabilities_and_values() {
    const TEMPLATE: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: caps
data:
  kube: "{{ .Capabilities.KubeVersion }}"
  kubeStruct: {{ printf "%v" .Capabilities.KubeVersion | quote }}
  helm: {{ .Capabilities.HelmVersion | toJson | quote }}
  resourceV1: {{ .Capabilities.APIVersions.Has "resource.k8s.io/v1" | quote }}
  networkingV1alpha1: {{ .Capabilities.APIVersions.Has "networking.k8s.io/v1alpha1" | quote }}
  extra: {{ .Capabilities.APIVersions.Has "b.io/v1" | quote }}
  resources: {{ toJson .Values.resources | quote }}
"#;
    let files = |k: &'static str| {
        tree(&[
            ("k/kustomization.yaml", k),
            (
                "k/chart/Chart.yaml",
                "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
            ),
            (
                "k/chart/values.yaml",
                "resources:\n  limits:\n  requests:\n    cpu: 1m\n",
            ),
            ("k/chart/templates/cm.yaml", TEMPLATE),
        ])
    };
    let build_helm = |t: &MemTree| {
        build(
            t,
            &RelPath::new("k").expect("path"),
            &Options::default().with_helm(true),
        )
        .map(|o| o.to_yaml())
        .expect("builds")
    };
    let helm = r#"'{"version":"v3.17.2","git_commit":"cc0bbbd6d6276b83880042c1ecb34087e84d41eb","git_tree_state":"clean","go_version":"go1.23.7"}'"#;
    let t = files("helmGlobals:\n  chartHome: .\nhelmCharts:\n- name: chart\n  releaseName: t\n");
    assert_eq!(
        build_helm(&t),
        format!(
            "apiVersion: v1\ndata:\n  extra: \"false\"\n  helm: {helm}\n  kube: v1.32.0\n  kubeStruct: '{{v1.32.0 1 32}}'\n  networkingV1alpha1: \"true\"\n  resourceV1: \"false\"\n  resources: '{{\"requests\":{{\"cpu\":\"1m\"}}}}'\nkind: ConfigMap\nmetadata:\n  name: caps\n"
        )
    );
    let t = files(
        "helmGlobals:\n  chartHome: .\nhelmCharts:\n- name: chart\n  releaseName: t\n  apiVersions: [a.io/v1,b.io/v1]\n  kubeVersion: 1.30-rc.1\n",
    );
    assert_eq!(
        build_helm(&t),
        format!(
            "apiVersion: v1\ndata:\n  extra: \"true\"\n  helm: {helm}\n  kube: v1.30.0-rc.1\n  kubeStruct: '{{v1.30.0-rc.1 1 30}}'\n  networkingV1alpha1: \"true\"\n  resourceV1: \"false\"\n  resources: '{{\"requests\":{{\"cpu\":\"1m\"}}}}'\nkind: ConfigMap\nmetadata:\n  name: caps\n"
        )
    );
}

/// A resource annotated `internal.config.kubernetes.io/needsHashSuffix: enabled` gets a
/// content-hash name suffix, whatever its kind, and references follow; kustomize's
/// bookkeeping annotations are removed from every resource. (Expected: kubectl
/// kustomize; a Job hashes the go-yaml node kustomize read, lines and columns included.)
#[test]
fn needs_hash_suffix_annotation_hashes_any_resource() {
    let t = tree(&[
        ("k/kustomization.yaml", "resources:\n- r.yaml\n"),
        (
            "k/r.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: init\n  annotations:\n    internal.config.kubernetes.io/needsHashSuffix: enabled\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  annotations:\n    internal.config.kubernetes.io/needsHashSuffix: enabled\n    keep: me\n    config.kubernetes.io/index: \"0\"\ndata:\n  a: b\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    internal.config.kubernetes.io/needsHashSuffix: disabled\nspec:\n  containers:\n  - name: c\n    image: x\n    envFrom:\n    - configMapRef:\n        name: cfg\n",
        ),
    ]);
    let expected = "\
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  annotations:
    keep: me
  name: cfg-4h2mbtbbt6
---
apiVersion: batch/v1
kind: Job
metadata:
  name: init-8cc6bf5g8d
spec:
  template:
    spec:
      containers:
      - image: x
        name: c
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - envFrom:
    - configMapRef:
        name: cfg-4h2mbtbbt6
    image: x
    name: c
";
    assert_eq!(build_text(&t, "k").expect("builds"), expected);
}

/// An `openapi:` schema declared in a component is the schema the including overlay's
/// patches use (kustomize's global `openapi.SetSchema` is set by the component, which
/// accumulates before the overlay's transformers run): the list merges by its
/// `x-kubernetes-patch-merge-key` instead of being replaced. Expected from kubectl.
#[test]
fn openapi_schema_from_a_component_serves_the_overlay_patches() {
    let schema = r##"{"definitions": {"v1alpha1.MyKind": {"properties": {"spec": {"properties": {"items": {"items": {"$ref": "#/definitions/v1alpha1.Item"}, "type": "array", "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}}, "type": "object"}}, "type": "object", "x-kubernetes-group-version-kind": [{"group": "example.com", "kind": "MyKind", "version": "v1alpha1"}]}, "v1alpha1.Item": {"properties": {"name": {"type": "string"}, "value": {"type": "string"}}, "type": "object"}}}"##;
    let files = |with_component: bool| {
        let k = if with_component {
            "resources:\n- r.yaml\ncomponents:\n- ../comp\npatches:\n- path: p.yaml\n"
        } else {
            "resources:\n- r.yaml\npatches:\n- path: p.yaml\n"
        };
        tree(&[
            ("comp/schema.json", schema),
            (
                "comp/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nopenapi:\n  path: schema.json\n",
            ),
            (
                "ov/r.yaml",
                "apiVersion: example.com/v1alpha1\nkind: MyKind\nmetadata:\n  name: m\nspec:\n  items:\n  - name: a\n    value: \"1\"\n  - name: b\n    value: \"2\"\n",
            ),
            (
                "ov/p.yaml",
                "apiVersion: example.com/v1alpha1\nkind: MyKind\nmetadata:\n  name: m\nspec:\n  items:\n  - name: b\n    value: \"3\"\n  - name: c\n    value: \"4\"\n",
            ),
            ("ov/kustomization.yaml", k),
        ])
    };
    let head = "apiVersion: example.com/v1alpha1\nkind: MyKind\nmetadata:\n  name: m\nspec:\n  items:\n  - name: b\n    value: \"3\"\n  - name: c\n    value: \"4\"\n";
    assert_eq!(
        build_text(&files(true), "ov").expect("builds"),
        format!("{head}  - name: a\n    value: \"1\"\n")
    );
    assert_eq!(build_text(&files(false), "ov").expect("builds"), head);
}

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
    assert_eq!(refs, ["https://github.com/example/repo//deploy?ref=v1"]);
    let e = build_text(&t, "app").expect_err("remote");
    assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
    assert!(e.message.contains("https://github.com/example/repo"), "{e}");
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

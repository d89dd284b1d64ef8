//! Confinement of `kustomize::build` on real directories with symbolic links: under the
//! default `LoadRestrictionsRootOnly` no file is read from outside the kustomization root,
//! whatever link leads there, for every field that names a file; Helm charts inflated by
//! `helmCharts` never read outside the chart. `LoadRestrictionsNone` follows links as
//! kustomize does. The last test builds random trees with random links.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use gitward::kustomize::{LoadRestrictor, Options, build};
use gitward::tree::{DirTree, RelPath};

/// What every file outside the kustomization root carries; it must never reach output.
const MARKER: &str = "TOPSECRET-4d1f";

/// A scratch directory: `k/` is the kustomization root, `out/` lies beside it.
struct Scratch {
    base: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        let base =
            std::env::temp_dir().join(format!("gitward-confine-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("k")).expect("mkdir k");
        std::fs::create_dir_all(base.join("out/dir")).expect("mkdir out");
        let s = Scratch { base };
        let cm = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaked\ndata:\n  secret: {MARKER}\n"
        );
        s.write("out/cm.yaml", &cm);
        s.write("out/dir/cm.yaml", &cm);
        s.write("out/token", MARKER);
        s.write("out/dir/token", MARKER);
        s.write("out/env", &format!("TOKEN={MARKER}\n"));
        s.write(
            "out/patch.yaml",
            &format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in\ndata:\n  secret: {MARKER}\n"
            ),
        );
        s.write(
            "out/json6902.yaml",
            &format!("- op: add\n  path: /data/secret\n  value: {MARKER}\n"),
        );
        s.write("out/kustomization.yaml", "resources:\n- ../out/cm.yaml\n");
        s.write(
            "k/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in\ndata:\n  a: b\n",
        );
        s
    }

    fn write(&self, rel: &str, content: &str) {
        let p = self.base.join(rel);
        std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    fn link(&self, target: &str, rel: &str) {
        let p = self.base.join(rel);
        std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
        symlink(target, p).expect("symlink");
    }

    fn build(&self, restrictor: LoadRestrictor) -> Result<String, String> {
        build_dir(&self.base, "k", restrictor)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn build_dir(base: &Path, dir: &str, restrictor: LoadRestrictor) -> Result<String, String> {
    let tree = DirTree::new(base).map_err(|e| e.to_string())?;
    let opts = Options::default()
        .with_load_restrictor(restrictor)
        .with_helm(true);
    build(&tree, &RelPath::new(dir).expect("path"), &opts)
        .map(|o| o.to_yaml())
        .map_err(|e| e.to_string())
}

/// Builds with the default restrictor and expects kustomize's security error naming
/// `shown`; then builds without restriction and expects the outside bytes in the output.
fn refused_then_allowed(s: &Scratch, shown: &str) {
    let e = s.build(LoadRestrictor::RootOnly).expect_err("refused");
    assert!(
        e.contains(&format!(
            "security; file '/k/{shown}' is not in or below '/k'"
        )),
        "{e}"
    );
    assert!(!e.contains(MARKER), "{e}");
    let out = s
        .build(LoadRestrictor::None)
        .expect("allowed without restriction");
    assert!(out.contains(MARKER), "{out}");
}

#[test]
fn resource_linked_to_a_file_outside() {
    let s = Scratch::new("resource");
    s.write("k/kustomization.yaml", "resources:\n- r.yaml\n");
    s.link("../out/cm.yaml", "k/r.yaml");
    refused_then_allowed(&s, "r.yaml");
}

#[test]
fn resource_under_a_linked_directory() {
    let s = Scratch::new("resdir");
    s.write("k/kustomization.yaml", "resources:\n- etc/cm.yaml\n");
    s.link("../out/dir", "k/etc");
    refused_then_allowed(&s, "etc/cm.yaml");
}

#[test]
fn resource_through_an_absolute_link() {
    let s = Scratch::new("abslink");
    s.write("k/kustomization.yaml", "resources:\n- r.yaml\n");
    let target = s.base.join("out/cm.yaml");
    s.link(target.to_str().expect("utf-8"), "k/r.yaml");
    refused_then_allowed(&s, "r.yaml");
}

#[test]
fn chained_links_that_end_outside() {
    let s = Scratch::new("chain");
    s.write("k/kustomization.yaml", "resources:\n- a.yaml\n");
    s.link("b.yaml", "k/a.yaml");
    s.link("sub/c.yaml", "k/b.yaml");
    s.link("../../out/cm.yaml", "k/sub/c.yaml");
    refused_then_allowed(&s, "a.yaml");
}

#[test]
fn configmap_generator_files_and_envs() {
    for (field, entry, link, target) in [
        ("files", "h", "k/h", "../out/token"),
        ("files", "key=h", "k/h", "../out/token"),
        ("files", "etc/token", "k/etc", "../out/dir"),
        ("envs", "e", "k/e", "../out/env"),
    ] {
        let s = Scratch::new(&format!("cmgen-{field}-{}", entry.replace(['/', '='], "_")));
        s.write(
            "k/kustomization.yaml",
            &format!("configMapGenerator:\n- name: x\n  {field}:\n  - {entry}\n"),
        );
        s.link(target, link);
        let shown = entry.rsplit('=').next().expect("a path");
        refused_then_allowed(&s, shown);
    }
}

#[test]
fn secret_generator_files_and_env() {
    let s = Scratch::new("secretgen");
    s.write(
        "k/kustomization.yaml",
        "secretGenerator:\n- name: x\n  files:\n  - t\n",
    );
    s.link("../out/token", "k/t");
    let e = s.build(LoadRestrictor::RootOnly).expect_err("refused");
    assert!(e.contains("security; file '/k/t'"), "{e}");
    // Secret data is base64: the allowed build carries the encoded marker.
    let out = s.build(LoadRestrictor::None).expect("allowed");
    assert!(out.contains("VE9QU0VDUkVULTRkMWY="), "{out}");
}

#[test]
fn patches_of_every_kind() {
    for (kust, link, target, shown) in [
        (
            "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n",
            "k/p.yaml",
            "../out/patch.yaml",
            "p.yaml",
        ),
        (
            "resources:\n- cm.yaml\npatchesStrategicMerge:\n- p.yaml\n",
            "k/p.yaml",
            "../out/patch.yaml",
            "p.yaml",
        ),
        (
            "resources:\n- cm.yaml\npatchesJson6902:\n- target:\n    version: v1\n    kind: ConfigMap\n    name: in\n  path: j.yaml\n",
            "k/j.yaml",
            "../out/json6902.yaml",
            "j.yaml",
        ),
        (
            "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  path: j.yaml\n",
            "k/j.yaml",
            "../out/json6902.yaml",
            "j.yaml",
        ),
    ] {
        let s = Scratch::new(&format!("patch-{}", shown.replace('.', "_")));
        s.write("k/kustomization.yaml", kust);
        s.link(target, link);
        refused_then_allowed(&s, shown);
    }
}

#[test]
fn replacements_file() {
    let s = Scratch::new("replacements");
    s.write(
        "out/repl.yaml",
        "- source:\n    kind: ConfigMap\n    name: in\n    fieldPath: data.a\n  targets:\n  - select:\n      kind: ConfigMap\n    fieldPaths:\n    - data.TOPSECRET-4d1f\n    options:\n      create: true\n",
    );
    s.write(
        "k/kustomization.yaml",
        "resources:\n- cm.yaml\nreplacements:\n- path: r.yaml\n",
    );
    s.link("../out/repl.yaml", "k/r.yaml");
    refused_then_allowed(&s, "r.yaml");
}

#[test]
fn plugin_configuration_files() {
    s_plugin(
        "transformers",
        "apiVersion: builtin\nkind: AnnotationsTransformer\nmetadata:\n  name: a\nannotations:\n  leak: TOPSECRET-4d1f\nfieldSpecs:\n- path: metadata/annotations\n  create: true\n",
    );
    s_plugin(
        "generators",
        "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: gen\nliterals:\n- leak=TOPSECRET-4d1f\n",
    );
}

fn s_plugin(field: &str, config: &str) {
    let s = Scratch::new(&format!("plugin-{field}"));
    s.write("out/plugin.yaml", config);
    s.write(
        "k/kustomization.yaml",
        &format!("resources:\n- cm.yaml\n{field}:\n- t.yaml\n"),
    );
    s.link("../out/plugin.yaml", "k/t.yaml");
    refused_then_allowed(&s, "t.yaml");
}

#[test]
fn openapi_crds_and_configurations_files() {
    for (kust, shown) in [
        (
            "resources:\n- cm.yaml\nopenapi:\n  path: schema.json\n",
            "schema.json",
        ),
        (
            "resources:\n- cm.yaml\ncrds:\n- schema.json\n",
            "schema.json",
        ),
        (
            "resources:\n- cm.yaml\nconfigurations:\n- schema.json\n",
            "schema.json",
        ),
    ] {
        let s = Scratch::new(&format!("schema-{}", kust.len()));
        s.write("out/schema.json", "{}\n");
        s.write("k/kustomization.yaml", kust);
        s.link("../out/schema.json", &format!("k/{shown}"));
        let e = s.build(LoadRestrictor::RootOnly).expect_err("refused");
        assert!(
            e.contains(&format!(
                "security; file '/k/{shown}' is not in or below '/k'"
            )),
            "{kust}: {e}"
        );
        assert!(s.build(LoadRestrictor::None).is_ok(), "{kust}");
    }
}

#[test]
fn a_kustomization_file_linked_from_outside_is_not_found() {
    let s = Scratch::new("kfile");
    s.link("../out/kustomization.yaml", "k/kustomization.yaml");
    let e = s.build(LoadRestrictor::RootOnly).expect_err("refused");
    assert!(
        e.contains("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '/k'"),
        "{e}"
    );
    // Without restriction kustomize reads it; its own resource then lies outside `k`.
    let out = s.build(LoadRestrictor::None).expect("allowed");
    assert!(out.contains(MARKER), "{out}");
}

#[test]
fn links_inside_the_root_keep_working() {
    let s = Scratch::new("inside");
    s.write(
        "k/sub/real.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: real\n",
    );
    s.write("k/sub/token", "inner");
    s.link("sub/real.yaml", "k/r.yaml");
    s.link("sub", "k/alias");
    s.write(
        "k/kustomization.yaml",
        "resources:\n- r.yaml\n- alias/real.yaml\nconfigMapGenerator:\n- name: g\n  files:\n  - alias/token\n",
    );
    // Two links to one file: the same object twice is a conflict, as in kustomize; build
    // them one at a time.
    s.write(
        "k/kustomization.yaml",
        "resources:\n- r.yaml\nconfigMapGenerator:\n- name: g\n  files:\n  - alias/token\n",
    );
    let out = s
        .build(LoadRestrictor::RootOnly)
        .expect("links inside the root");
    assert!(
        out.contains("name: real") && out.contains("token: inner"),
        "{out}"
    );
}

#[test]
fn bases_may_live_outside_but_their_files_are_confined_to_them() {
    // A base reached through a link is a root of its own (kustomize's ConfirmedDir): its
    // files must lie under where the link points.
    let s = Scratch::new("base");
    s.write("k/kustomization.yaml", "resources:\n- b\n");
    s.link("../out", "k/b");
    let out = s
        .build(LoadRestrictor::RootOnly)
        .expect("a base is its own root");
    assert!(out.contains("name: leaked"), "{out}");

    let s = Scratch::new("base-escape");
    s.write("base/kustomization.yaml", "resources:\n- x.yaml\n");
    s.link("../out/cm.yaml", "base/x.yaml");
    s.write("k/kustomization.yaml", "resources:\n- b\n");
    s.link("../base", "k/b");
    let e = s.build(LoadRestrictor::RootOnly).expect_err("refused");
    assert!(
        e.contains("security; file '/base/x.yaml' is not in or below '/base'"),
        "{e}"
    );
}

#[test]
fn helm_chart_files_and_values_are_confined() {
    let chart = "apiVersion: v2\nname: c\nversion: 0.1.0\n";
    let tpl = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  v: {{ .Values.v | quote }}\n";
    // A template linked out of the chart.
    let s = Scratch::new("chart-template");
    s.write("k/charts/c/Chart.yaml", chart);
    s.write("k/charts/c/values.yaml", "v: x\n");
    s.write(
        "out/t.yaml",
        &format!("kind: ConfigMap\ndata:\n  s: {MARKER}\n"),
    );
    s.link("../../../../out/t.yaml", "k/charts/c/templates/t.yaml");
    s.write(
        "k/kustomization.yaml",
        "helmCharts:\n- name: c\n  releaseName: r\n",
    );
    for r in [LoadRestrictor::RootOnly, LoadRestrictor::None] {
        let e = s.build(r).expect_err("chart confined");
        assert!(e.contains("symbolic link leaves the root"), "{e}");
        assert!(!e.contains(MARKER), "{e}");
    }
    // A values file linked out of the kustomization root.
    let s = Scratch::new("chart-values");
    s.write("k/charts/c/Chart.yaml", chart);
    s.write("k/charts/c/values.yaml", "v: x\n");
    s.write("k/charts/c/templates/cm.yaml", tpl);
    s.write("out/values.yaml", &format!("v: {MARKER}\n"));
    s.link("../out/values.yaml", "k/v.yaml");
    s.write(
        "k/kustomization.yaml",
        "helmCharts:\n- name: c\n  releaseName: r\n  valuesFile: v.yaml\n",
    );
    refused_then_allowed(&s, "v.yaml");
    s.write(
        "k/kustomization.yaml",
        "helmCharts:\n- name: c\n  releaseName: r\n  additionalValuesFiles:\n  - v.yaml\n",
    );
    let e = s.build(LoadRestrictor::RootOnly).expect_err("refused");
    assert!(e.contains("security; file '/k/v.yaml'"), "{e}");
    // The chart's own values.yaml linked outside.
    let s = Scratch::new("chart-own-values");
    s.write("k/charts/c/Chart.yaml", chart);
    s.write("k/charts/c/templates/cm.yaml", tpl);
    s.write("out/values.yaml", &format!("v: {MARKER}\n"));
    s.link("../../../out/values.yaml", "k/charts/c/values.yaml");
    s.write(
        "k/kustomization.yaml",
        "helmCharts:\n- name: c\n  releaseName: r\n",
    );
    let e = s.build(LoadRestrictor::RootOnly).expect_err("refused");
    assert!(!e.contains(MARKER), "{e}");
}

/// A small deterministic generator (xorshift64*), so the property test needs no crate and
/// every failure is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Random trees with random links (relative and absolute, to files and directories, inside
/// and outside the root, chained, dangling) and random kustomizations naming them in every
/// field that reads a file: under `LoadRestrictionsRootOnly` nothing from outside `k/` may
/// appear in the output or in an error.
#[test]
fn random_trees_with_random_links_never_leak() {
    let iterations: u64 = std::env::var("GITWARD_CONFINE_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut leaks = Vec::new();
    let mut built = 0;
    for seed in 1..=iterations {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let s = Scratch::new(&format!("prop-{seed}"));
        std::fs::remove_file(s.base.join("out/kustomization.yaml")).expect("rm");
        s.write(
            "k/sub/cm2.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in2\n",
        );
        s.write("k/sub/token", "inner");
        let abs_out = s.base.join("out");
        let abs_out = abs_out.to_str().expect("utf-8").to_owned();
        let targets = [
            "../out/cm.yaml".to_owned(),
            "../out/token".to_owned(),
            "../out/env".to_owned(),
            "../out/dir".to_owned(),
            "../out".to_owned(),
            "../../out/cm.yaml".to_owned(),
            format!("{abs_out}/cm.yaml"),
            format!("{abs_out}/dir"),
            "sub/cm2.yaml".to_owned(),
            "sub".to_owned(),
            "cm.yaml".to_owned(),
            "l0".to_owned(),
            "l1".to_owned(),
            "missing".to_owned(),
            "..".to_owned(),
            "/".to_owned(),
        ];
        let names = ["l0", "l1", "l2", "sub/l3", "sub/l4"];
        for name in names {
            if rng.below(4) > 0 {
                let t = &targets[rng.below(targets.len())];
                let _ = symlink(t, s.base.join("k").join(name));
            }
        }
        let paths = [
            "l0",
            "l1",
            "l2",
            "sub/l3",
            "sub/l4",
            "l0/cm.yaml",
            "l1/token",
            "l2/dir/cm.yaml",
            "sub/l3/cm.yaml",
            "l0/dir/token",
            "cm.yaml",
            "sub/cm2.yaml",
        ];
        let mut k = String::from("resources:\n- cm.yaml\n");
        let fields = rng.below(3) + 1;
        for _ in 0..fields {
            // Half the time a path that is fine for the field, so builds succeed often
            // enough to show that confinement does not just break everything.
            let p = if rng.below(2) == 0 {
                rng.pick(&paths)
            } else {
                rng.pick(&["sub/token", "sub/cm2.yaml"])
            };
            match rng.below(9) {
                0 | 1 => k.push_str(&format!(
                    "configMapGenerator:\n- name: g\n  files:\n  - {p}\n"
                )),
                2 => k.push_str(&format!("patches:\n- path: {p}\n")),
                3 => k.push_str(&format!("patchesStrategicMerge:\n- {p}\n")),
                4 => k.push_str(&format!("secretGenerator:\n- name: s\n  files:\n  - {p}\n")),
                5 => k.push_str(&format!("transformers:\n- {p}\n")),
                6 => k.push_str(&format!("crds:\n- {p}\n")),
                7 => k.push_str(&format!("components:\n- {p}\n")),
                _ => {
                    k = k.replacen("- cm.yaml\n", &format!("- cm.yaml\n- {p}\n"), 1);
                }
            }
        }
        s.write("k/kustomization.yaml", &k);
        // (a) kustomize's semantics on a wide tree: bases may lie anywhere, files must lie
        // under their kustomization root. `out/` has no kustomization, so nothing of it
        // may be read. (b) A tree rooted at the kustomization (as a fetched source is):
        // nothing outside it, whatever the restrictor.
        let k_root = s.base.join("k");
        let runs = [
            (s.base.as_path(), "k", LoadRestrictor::RootOnly),
            (k_root.as_path(), "", LoadRestrictor::RootOnly),
            (k_root.as_path(), "", LoadRestrictor::None),
        ];
        for (tree_root, dir, restrictor) in runs {
            let text = match build_dir(tree_root, dir, restrictor) {
                Ok(out) => {
                    built += 1;
                    out
                }
                Err(e) => e,
            };
            // Secret data is base64-encoded: look for that spelling too.
            if text.contains(MARKER) || text.contains("VE9QU0VDUkVULTRkMWY") {
                leaks.push(format!(
                    "seed {seed} ({restrictor:?} in {dir:?}):\n{k}\n=> {text}"
                ));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "outside bytes reached the output:\n{}",
        leaks.join("\n\n")
    );
    // The generator must exercise successful builds too, or it tests nothing.
    assert!(
        built > iterations / 4,
        "only {built} of {} builds succeeded",
        iterations * 3
    );
}

//! `helm template` fixtures: a chart with subcharts (alias, condition, tags,
//! import-values in both forms), a library chart, globals, hooks, tests, CRDs,
//! `.helmignore`, and flags; expected text produced by the reference Helm v4.1.4 on the
//! same files.

#![allow(clippy::unwrap_used)]

use gitward::helm::{
    ErrorKind, RenderOptions, Rendered, UserValues, load_archive, load_chart, render,
};
use gitward::tree::{MemTree, RelPath};

const FILES: &[(&str, &str)] = &[
    (
        r#"app/Chart.yaml"#,
        r#"apiVersion: v2
name: app
version: 1.2.3
appVersion: "4.5"
kubeVersion: ">=1.20.0-0"
dependencies:
  - name: sub
    version: "0.1.0"
    repository: "file://../sub"
    condition: sub.enabled
    tags: [backend]
    import-values:
      - child: exported
        parent: fromSub
      - data
  - name: sub
    alias: other
    version: "~0.1"
    condition: other.enabled
  - name: lib
    version: 0.1.0
"#,
    ),
    (
        r#"app/values.yaml"#,
        r#"replicas: 2
global:
  region: eu
  nested: {a: 1}
sub:
  enabled: true
  greeting: hello-from-parent
other:
  enabled: false
removeMe: keep
list: [1, 2]
"#,
    ),
    (
        r#"app/.helmignore"#,
        r#"# comment
*.bak
ignored/
"#,
    ),
    (r#"app/notes.bak"#, r#"ignored"#),
    (r#"app/ignored/x.txt"#, r#"ignored"#),
    (
        r#"app/files/config.txt"#,
        r#"a=1
b=2
"#,
    ),
    (
        r#"app/templates/_helpers.tpl"#,
        r#"{{- define "app.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}
"#,
    ),
    (
        r#"app/templates/NOTES.txt"#,
        r#"Notes for {{ .Release.Name }}
"#,
    ),
    (
        r#"app/templates/cm.yaml"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "app.name" . }}
  labels:
    {{- include "lib.labels" . | nindent 4 }}
data:
  replicas: {{ .Values.replicas | quote }}
  region: {{ .Values.global.region }}
  fromSub: {{ .Values.fromSub | toJson | quote }}
  imported: {{ .Values.imported | default "none" | quote }}
  removed: {{ hasKey .Values "removeMe" | quote }}
  config: {{ .Files.Get "files/config.txt" | quote }}
  subcharts: {{ keys .Subcharts | sortAlpha | join "," }}
  kube: {{ .Capabilities.KubeVersion.Version }}
  deps: {{ range .Chart.Dependencies }}{{ .Name }}:{{ .Enabled }} {{ end }}
  template: {{ .Template.Name }} {{ .Template.BasePath }}
  isInstall: {{ .Release.IsInstall | quote }}
---
# only a comment
"#,
    ),
    (
        r#"app/templates/deploy.yaml"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.replicas }}
---
apiVersion: v1
kind: Service
metadata:
  name: svc
"#,
    ),
    (
        r#"app/templates/zz-custom.yaml"#,
        r#"apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns
"#,
    ),
    (
        r#"app/templates/hooks.yaml"#,
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "5"
---
apiVersion: v1
kind: Pod
metadata:
  name: test
  annotations:
    helm.sh/hook: test
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unknown-hook
  annotations:
    helm.sh/hook: not-a-hook
"#,
    ),
    (
        r#"app/crds/widget.yaml"#,
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
"#,
    ),
    (
        r#"app/charts/sub/Chart.yaml"#,
        r#"apiVersion: v2
name: sub
version: 0.1.0
"#,
    ),
    (
        r#"app/charts/sub/values.yaml"#,
        r#"greeting: hi
enabled: true
exported:
  value: 42
exports:
  data:
    imported: yes-imported
global:
  region: us
  extra: sub-global
"#,
    ),
    (
        r#"app/charts/sub/templates/cm.yaml"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Chart.Name }}-{{ .Release.Name }}
data:
  greeting: {{ .Values.greeting }}
  region: {{ .Values.global.region }}
  extra: {{ .Values.global.extra }}
  nested: {{ .Values.global.nested | toJson | quote }}
  isRoot: {{ .Chart.IsRoot | quote }}
"#,
    ),
    (
        r#"app/charts/sub/crds/sub-crd.yaml"#,
        r#"kind: CustomResourceDefinition
metadata:
  name: subs.example.com
"#,
    ),
    (
        r#"app/charts/lib/Chart.yaml"#,
        r#"apiVersion: v2
name: lib
version: 0.1.0
type: library
"#,
    ),
    (
        r#"app/charts/lib/templates/_labels.tpl"#,
        r#"{{- define "lib.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
"#,
    ),
    (
        r#"app/charts/lib/templates/ignored.yaml"#,
        r#"kind: ShouldNotRender
"#,
    ),
];

const OVER_YAML: &str = r#"replicas: 9
global:
  region: ap
sub:
  greeting: null
---
list: [7]
"#;

fn tree() -> MemTree {
    let mut t = MemTree::new();
    for (p, c) in FILES {
        t.add_file(p, *c).unwrap();
    }
    t
}

/// Parses the fixture's helm arguments into options (the subset used here).
fn options(args: &[&str]) -> RenderOptions {
    let mut o = RenderOptions::default();
    let mut uv = UserValues::default();
    let mut pos = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let mut next = || {
            i += 1;
            args[i].to_string()
        };
        match a {
            "--namespace" => o.namespace = next(),
            "--kube-version" => o.kube_version = Some(next()),
            "--include-crds" => o.include_crds = true,
            "--skip-tests" => o.skip_tests = true,
            "--is-upgrade" => o.is_upgrade = true,
            "--no-hooks" => o.no_hooks = true,
            "--show-only" => o.show_only.push(next()),
            "--set" => uv.set.push(next()),
            "--set-string" => uv.set_string.push(next()),
            "--set-json" => uv.set_json.push(next()),
            "-f" => {
                let f = next();
                uv.value_files.push((f, OVER_YAML.as_bytes().to_vec()));
            }
            other => pos.push(other.to_string()),
        }
        i += 1;
    }
    o.release_name = pos[0].clone();
    o.values = uv
        .merge(&mut |p: &str| Err(format!("open {p}: no such file or directory")))
        .unwrap();
    o
}

fn run(args: &[&str]) -> Result<Rendered, gitward::helm::Error> {
    let t = tree();
    let chart = load_chart(&t, &RelPath::new("app").unwrap())?;
    let opts = options(args);
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || render(&chart, &opts))
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn defaults() {
    let r = run(&[
        r#"r1"#,
        r#"chart/app"#,
        r#"--namespace"#,
        r#"ns1"#,
        r#"--kube-version"#,
        r#"1.35.0"#,
    ]);
    assert_eq!(
        r.unwrap().to_text(),
        r#"---
# Source: app/templates/zz-custom.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: ns
---
# Source: app/charts/sub/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: sub-r1
data:
  greeting: hello-from-parent
  region: eu
  extra: sub-global
  nested: "{\"a\":1}"
  isRoot: "false"
---
# Source: app/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-r1
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/version: "4.5"
data:
  replicas: "2"
  region: eu
  fromSub: "{\"value\":42}"
  imported: "yes-imported"
  removed: "true"
  config: "a=1\nb=2\n"
  subcharts: lib,sub
  kube: v1.35.0
  deps: sub:true lib:true 
  template: app/templates/cm.yaml app/templates
  isInstall: "true"
---
# Source: app/templates/deploy.yaml
apiVersion: v1
kind: Service
metadata:
  name: svc
---
# Source: app/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: r1
  namespace: ns1
spec:
  replicas: 2
---
# Source: app/templates/cm.yaml
# only a comment
---
# Source: app/templates/zz-custom.yaml
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
---
# Source: app/templates/hooks.yaml
apiVersion: v1
kind: Pod
metadata:
  name: test
  annotations:
    helm.sh/hook: test
---
# Source: app/templates/hooks.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "5"
"#
    );
}

#[test]
fn crds_and_flags() {
    let r = run(&[
        r#"r1"#,
        r#"chart/app"#,
        r#"--include-crds"#,
        r#"--skip-tests"#,
        r#"--is-upgrade"#,
        r#"--kube-version"#,
        r#"1.30.2"#,
        r#"--set"#,
        r#"replicas=5,removeMe=null,other.enabled=true"#,
        r#"--set-string"#,
        r#"sub.greeting=007"#,
    ]);
    assert_eq!(
        r.unwrap().to_text(),
        r#"---
# Source: app/crds/widget.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com

---
# Source: app/charts/sub/crds/sub-crd.yaml
kind: CustomResourceDefinition
metadata:
  name: subs.example.com

---
# Source: app/charts/other/crds/sub-crd.yaml
kind: CustomResourceDefinition
metadata:
  name: subs.example.com

---
# Source: app/templates/zz-custom.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: ns
---
# Source: app/charts/other/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: other-r1
data:
  greeting: hi
  region: eu
  extra: sub-global
  nested: "{\"a\":1}"
  isRoot: "false"
---
# Source: app/charts/sub/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: sub-r1
data:
  greeting: 007
  region: eu
  extra: sub-global
  nested: "{\"a\":1}"
  isRoot: "false"
---
# Source: app/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-r1
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/version: "4.5"
data:
  replicas: "5"
  region: eu
  fromSub: "{\"value\":42}"
  imported: "yes-imported"
  removed: "false"
  config: "a=1\nb=2\n"
  subcharts: lib,other,sub
  kube: v1.30.2
  deps: sub:true other:true lib:true 
  template: app/templates/cm.yaml app/templates
  isInstall: "false"
---
# Source: app/templates/deploy.yaml
apiVersion: v1
kind: Service
metadata:
  name: svc
---
# Source: app/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: r1
  namespace: default
spec:
  replicas: 5
---
# Source: app/templates/cm.yaml
# only a comment
---
# Source: app/templates/zz-custom.yaml
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
---
# Source: app/templates/hooks.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "5"
"#
    );
}

#[test]
fn no_hooks_tags() {
    let r = run(&[
        r#"r2"#,
        r#"chart/app"#,
        r#"--no-hooks"#,
        r#"--set"#,
        r#"tags.backend=false,sub.enabled=null"#,
        r#"--kube-version"#,
        r#"1.35.0"#,
    ]);
    assert_eq!(
        r.unwrap().to_text(),
        r#"---
# Source: app/templates/zz-custom.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: ns
---
# Source: app/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-r2
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/version: "4.5"
data:
  replicas: "2"
  region: eu
  fromSub: "null"
  imported: "none"
  removed: "true"
  config: "a=1\nb=2\n"
  subcharts: lib
  kube: v1.35.0
  deps: lib:true 
  template: app/templates/cm.yaml app/templates
  isInstall: "true"
---
# Source: app/templates/deploy.yaml
apiVersion: v1
kind: Service
metadata:
  name: svc
---
# Source: app/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: r2
  namespace: default
spec:
  replicas: 2
---
# Source: app/templates/cm.yaml
# only a comment
---
# Source: app/templates/zz-custom.yaml
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
"#
    );
}

#[test]
fn show_only() {
    let r = run(&[
        r#"r1"#,
        r#"chart/app"#,
        r#"--show-only"#,
        r#"templates/deploy.yaml"#,
        r#"--show-only"#,
        r#"charts/sub/templates/*"#,
        r#"--kube-version"#,
        r#"1.35.0"#,
    ]);
    assert_eq!(
        r.unwrap().to_text(),
        r#"---
# Source: app/templates/deploy.yaml
apiVersion: v1
kind: Service
metadata:
  name: svc
---
# Source: app/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: r1
  namespace: default
spec:
  replicas: 2
---
# Source: app/charts/sub/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: sub-r1
data:
  greeting: hello-from-parent
  region: eu
  extra: sub-global
  nested: "{\"a\":1}"
  isRoot: "false"
"#
    );
}

#[test]
fn values_file() {
    let r = run(&[
        r#"r1"#,
        r#"chart/app"#,
        r#"-f"#,
        r#"over.yaml"#,
        r#"--set-json"#,
        r#"list=[3]"#,
        r#"--kube-version"#,
        r#"1.35.0"#,
    ]);
    assert_eq!(
        r.unwrap().to_text(),
        r#"---
# Source: app/templates/zz-custom.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: ns
---
# Source: app/charts/sub/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: sub-r1
data:
  greeting: 
  region: ap
  extra: sub-global
  nested: "{\"a\":1}"
  isRoot: "false"
---
# Source: app/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-r1
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/version: "4.5"
data:
  replicas: "9"
  region: ap
  fromSub: "{\"value\":42}"
  imported: "yes-imported"
  removed: "true"
  config: "a=1\nb=2\n"
  subcharts: lib,sub
  kube: v1.35.0
  deps: sub:true lib:true 
  template: app/templates/cm.yaml app/templates
  isInstall: "true"
---
# Source: app/templates/deploy.yaml
apiVersion: v1
kind: Service
metadata:
  name: svc
---
# Source: app/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: r1
  namespace: default
spec:
  replicas: 9
---
# Source: app/templates/cm.yaml
# only a comment
---
# Source: app/templates/zz-custom.yaml
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
---
# Source: app/templates/hooks.yaml
apiVersion: v1
kind: Pod
metadata:
  name: test
  annotations:
    helm.sh/hook: test
---
# Source: app/templates/hooks.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "5"
"#
    );
}

#[test]
fn kube_too_old() {
    let r = run(&[r#"r1"#, r#"chart/app"#, r#"--kube-version"#, r#"1.19.0"#]);
    let e = r.unwrap_err();
    assert_eq!(
        e.helm_text(),
        r#"chart requires kubeVersion: >=1.20.0-0 which is incompatible with Kubernetes v1.19.0

Use --debug flag to render out invalid YAML"#
    );
}

#[test]
fn bad_name() {
    let r = run(&[r#"Bad_Name"#, r#"chart/app"#]);
    let e = r.unwrap_err();
    assert_eq!(
        e.helm_text(),
        r#"release name check failed: release name "Bad_Name": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"#
    );
}

#[test]
fn notes_and_dependencies() {
    let r = run(&["r1", "app"]).unwrap();
    assert_eq!(r.notes, "Notes for r1\n");
    let t = tree();
    let chart = load_chart(&t, &RelPath::new("app").unwrap()).unwrap();
    let deps = gitward::helm::dependencies(&chart);
    let names: Vec<(&str, bool)> = deps.iter().map(|d| (d.name.as_str(), d.vendored)).collect();
    assert_eq!(names, [("sub", true), ("sub", true), ("lib", true)]);
    assert_eq!(deps[1].alias.as_deref(), Some("other"));
    // `.helmignore` kept these out of `.Files`.
    assert!(
        chart
            .files
            .iter()
            .all(|f| !f.name.ends_with(".bak") && !f.name.starts_with("ignored/"))
    );
}

fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (p, c) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(c.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, p, c.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

#[test]
fn archive_matches_directory() {
    let files: Vec<(&str, &str)> = FILES.iter().map(|(p, c)| (*p, *c)).collect();
    let bytes = tgz(&files);
    let from_archive = load_archive(&bytes).unwrap();
    let t = tree();
    let mut from_dir = load_chart(&t, &RelPath::new("app").unwrap()).unwrap();
    // The archive holds what .helmignore would have excluded.
    from_dir.files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut fa = from_archive.clone();
    fa.files.retain(|f| {
        !f.name.ends_with(".bak") && !f.name.starts_with("ignored/") && f.name != ".helmignore"
    });
    fa.files.sort_by(|a, b| a.name.cmp(&b.name));
    from_dir.files.retain(|f| f.name != ".helmignore");
    assert_eq!(fa.metadata, from_dir.metadata);
    assert_eq!(fa.files, from_dir.files);
    assert_eq!(fa.dependencies.len(), 2);
}

#[test]
fn archive_refuses_escapes() {
    let bad = tgz(&[(
        "app/Chart.yaml",
        "apiVersion: v2\nname: a\nversion: 1.0.0\n",
    )]);
    assert!(load_archive(&bad).is_ok());
    // A raw tar header whose name climbs out of the chart.
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..13].copy_from_slice(b"app/../../etc");
    h.set_size(1);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, &b"x"[..]).unwrap();
    let bytes = b.into_inner().unwrap().finish().unwrap();
    let e = load_archive(&bytes).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert!(
        e.message.contains("illegally references parent directory"),
        "{}",
        e.message
    );
    assert!(load_archive(b"not gzip").is_err());
}

#[test]
fn schema_errors_are_worded_as_helm() {
    let mut t = MemTree::new();
    t.add_file("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
        .unwrap();
    t.add_file("c/values.yaml", "age: 3\n").unwrap();
    t.add_file(
        "c/values.schema.json",
        r#"{"type":"object","required":["name"],"properties":{"age":{"type":"integer","minimum":0}}}"#,
    )
    .unwrap();
    let chart = load_chart(&t, &RelPath::new("c").unwrap()).unwrap();
    let mut opts = RenderOptions::default();
    let uv = UserValues {
        set: vec!["age=-5".into()],
        ..Default::default()
    };
    opts.values = uv.merge(&mut |_: &str| Err(String::new())).unwrap();
    let e = render(&chart, &opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Schema);
    assert_eq!(
        e.helm_text(),
        "values don't meet the specifications of the schema(s) in the following chart(s):\nc:\n- at '': missing property 'name'\n- at '/age': minimum: got -5, want 0\n"
    );
    opts.skip_schema_validation = true;
    assert!(render(&chart, &opts).is_ok());
}

/// `sigs.k8s.io/yaml` decodes `Chart.yaml` and each manifest's head into Go structs: YAML
/// numbers and booleans bound for their `string` fields become text (floats as float32
/// `'g'`), where a plain JSON decode would fail.
#[test]
fn numbers_for_string_fields_become_text() {
    let mut t = MemTree::new();
    t.add_file(
        "c/Chart.yaml",
        "apiVersion: v2\nname: coerce\nversion: 0.1.0\nappVersion: 1.10\nkeywords: [1e3, on]\nannotations:\n  prerelease: true\n  build: 1234567.0\nmaintainers:\n  - name: 12\n",
    )
    .unwrap();
    t.add_file(
        "c/templates/cm.yaml",
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: late
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: 5
data:
  chart: {{ .Chart | toJson | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: 7
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: -1.0
    enabled: yes
"#,
    )
    .unwrap();
    let chart = load_chart(&t, &RelPath::new("c").unwrap()).unwrap();
    let opts = RenderOptions {
        release_name: "r1".into(),
        ..Default::default()
    };
    let r = render(&chart, &opts).unwrap();
    assert_eq!(
        r.to_text(),
        r##"
---
# Source: coerce/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: late
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: 5
data:
  chart: "{\"APIVersion\":\"v2\",\"Annotations\":{\"build\":\"1.234567e+06\",\"prerelease\":\"true\"},\"AppVersion\":\"1.1\",\"Condition\":\"\",\"Dependencies\":[],\"Deprecated\":false,\"Description\":\"\",\"Home\":\"\",\"Icon\":\"\",\"IsRoot\":true,\"Keywords\":[\"1000\",\"true\"],\"KubeVersion\":\"\",\"Maintainers\":[{\"Email\":\"\",\"Name\":\"12\",\"URL\":\"\"}],\"Name\":\"coerce\",\"Sources\":[],\"Tags\":\"\",\"Type\":\"\",\"Version\":\"0.1.0\"}"
---
# Source: coerce/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: 7
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: -1.0
    enabled: yes
"##
    );
}

/// Type errors name the innermost Go struct, as `encoding/json` does.
#[test]
fn chart_yaml_type_errors_name_the_inner_struct() {
    let cases = [
        (
            "maintainers:\n- name: [1]\n",
            "json: cannot unmarshal array into Go struct field Maintainer.maintainers.name of type string",
        ),
        (
            "dependencies:\n- enabled: x\n",
            "json: cannot unmarshal string into Go struct field Dependency.dependencies.enabled of type bool",
        ),
        (
            "dependencies: [1]\n",
            "json: cannot unmarshal number into Go struct field Metadata.dependencies of type v2.Dependency",
        ),
        (
            "maintainers: 1\n",
            "json: cannot unmarshal number into Go struct field Metadata.maintainers of type []*v2.Maintainer",
        ),
    ];
    for (extra, want) in cases {
        let mut t = MemTree::new();
        t.add_file(
            "c/Chart.yaml",
            format!("apiVersion: v2\nname: c\nversion: 0.1.0\n{extra}"),
        )
        .unwrap();
        let e = load_chart(&t, &RelPath::new("c").unwrap()).unwrap_err();
        assert_eq!(
            e.helm_text(),
            format!("cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: {want}"),
            "{extra}"
        );
    }
    let mut t = MemTree::new();
    t.add_file("c/Chart.yaml", "- 1\n").unwrap();
    let e = load_chart(&t, &RelPath::new("c").unwrap()).unwrap_err();
    assert_eq!(
        e.helm_text(),
        "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type loader.chartBase"
    );
}

/// `.Chart.Annotations` is a nil map when `Chart.yaml` has none: `null` in JSON, equal
/// to `nil`, printed as an empty map.
#[test]
fn unset_chart_annotations_are_a_nil_map() {
    let render_with = |chart_yaml: &str| {
        let mut t = MemTree::new();
        t.add_file("c/Chart.yaml", chart_yaml).unwrap();
        t.add_file(
            "c/templates/t.yaml",
            "a: {{ .Chart.Annotations | toJson }}\nb: {{ eq .Chart.Annotations nil }}\nc: {{ .Chart.Annotations }}\nd: {{ .Chart.Annotations | deepCopy | toJson }}\n",
        )
        .unwrap();
        let chart = load_chart(&t, &RelPath::new("c").unwrap()).unwrap();
        let opts = RenderOptions {
            release_name: "r".into(),
            ..Default::default()
        };
        render(&chart, &opts).unwrap().to_text()
    };
    assert_eq!(
        render_with("apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        "---\n# Source: c/templates/t.yaml\na: null\nb: true\nc: map[]\nd: null\n"
    );
    assert_eq!(
        render_with("apiVersion: v2\nname: c\nversion: 0.1.0\nannotations: {x: v}\n"),
        "---\n# Source: c/templates/t.yaml\na: {\"x\":\"v\"}\nb: false\nc: map[x:v]\nd: {\"x\":\"v\"}\n"
    );
}

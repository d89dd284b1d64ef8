//! Name references, vars and replacements through `kustomize::build`, on trees written
//! here. Expected outputs were produced by kustomize v5.7.1 (`kubectl kustomize`) on the
//! same trees.

use gitward::kustomize::{Options, build};
use gitward::tree::{MemTree, RelPath};

fn tree(files: &[(&str, &str)]) -> MemTree {
    let mut t = MemTree::new();
    for (p, c) in files {
        t.add_file(p, *c).expect("valid path");
    }
    t
}

fn run(files: &[(&str, &str)], dir: &str) -> Result<String, String> {
    let t = tree(files);
    let path = RelPath::new(dir).expect("path");
    build(&t, &path, &Options::default())
        .map(|o| o.to_yaml())
        .map_err(|e| e.message)
}

/// Generated ConfigMap/Secret hashes, prefix, suffix and namespace reach every built-in referrer field (env, envFrom, volumes, roleRef, subjects, resourceNames, HPA).
#[test]
fn nameref_prefix() {
    let files = [
        (
            "base/kustomization.yaml",
            r#"namePrefix: b-
resources:
- app.yaml
configMapGenerator:
- name: cfg
  literals: [a=1]
secretGenerator:
- name: sec
  literals: [p=x]
"#,
        ),
        (
            "base/app.yaml",
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      serviceAccountName: sa
      containers:
      - name: c
        envFrom:
        - configMapRef: {name: cfg}
        env:
        - name: P
          valueFrom: {secretKeyRef: {name: sec, key: p}}
      volumes:
      - name: v
        configMap: {name: cfg}
      - name: other
        configMap: {name: not-managed}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [cfg, unrelated]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: r
subjects:
- kind: ServiceAccount
  name: sa
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
"#,
        ),
        (
            "prod/kustomization.yaml",
            r#"namespace: prod
nameSuffix: -v2
resources:
- ../base
"#,
        ),
    ];
    let expected = r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: b-sa-v2
  namespace: prod
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: b-r-v2
  namespace: prod
rules:
- apiGroups:
  - ""
  resourceNames:
  - b-cfg-v2-h29d89cmmt
  - unrelated
  resources:
  - configmaps
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: b-rb-v2
  namespace: prod
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: b-r-v2
subjects:
- kind: ServiceAccount
  name: b-sa-v2
  namespace: prod
---
apiVersion: v1
data:
  a: "1"
kind: ConfigMap
metadata:
  name: b-cfg-v2-h29d89cmmt
  namespace: prod
---
apiVersion: v1
data:
  p: eA==
kind: Secret
metadata:
  name: b-sec-v2-bm76c6cd96
  namespace: prod
type: Opaque
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b-app-v2
  namespace: prod
spec:
  template:
    spec:
      containers:
      - env:
        - name: P
          valueFrom:
            secretKeyRef:
              key: p
              name: b-sec-v2-bm76c6cd96
        envFrom:
        - configMapRef:
            name: b-cfg-v2-h29d89cmmt
        name: c
      serviceAccountName: b-sa-v2
      volumes:
      - configMap:
          name: b-cfg-v2-h29d89cmmt
        name: v
      - configMap:
          name: not-managed
        name: other
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: b-hpa-v2
  namespace: prod
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: b-app-v2
"#;
    assert_eq!(run(&files, "prod").expect("builds"), expected);
}

/// Two overlays renaming one base differently: each referrer keeps to the copy that shares its prefixes.
#[test]
fn nameref_diamond() {
    let files = [
        (
            "base/kustomization.yaml",
            r#"resources: [cm.yaml]
"#,
        ),
        (
            "base/cm.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: shared}
data: {k: v}
"#,
        ),
        (
            "left/kustomization.yaml",
            r#"namePrefix: l-
resources: [../base, pod.yaml]
"#,
        ),
        (
            "left/pod.yaml",
            r#"apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox
    envFrom:
    - configMapRef: {name: shared}
"#,
        ),
        (
            "right/kustomization.yaml",
            r#"namePrefix: r-
resources: [../base, pod.yaml]
"#,
        ),
        (
            "right/pod.yaml",
            r#"apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox
    envFrom:
    - configMapRef: {name: shared}
"#,
        ),
        (
            "top/kustomization.yaml",
            r#"resources: [../left, ../right]
"#,
        ),
    ];
    let expected = r#"apiVersion: v1
data:
  k: v
kind: ConfigMap
metadata:
  name: l-shared
---
apiVersion: v1
data:
  k: v
kind: ConfigMap
metadata:
  name: r-shared
---
apiVersion: v1
kind: Pod
metadata:
  name: l-p
spec:
  containers:
  - envFrom:
    - configMapRef:
        name: l-shared
    image: busybox
    name: c
---
apiVersion: v1
kind: Pod
metadata:
  name: r-p
spec:
  containers:
  - envFrom:
    - configMapRef:
        name: r-shared
    image: busybox
    name: c
"#;
    assert_eq!(run(&files, "top").expect("builds"), expected);
}

/// A reference that two renamed objects could satisfy is an error naming both.
#[test]
fn nameref_ambiguous_reference_is_an_error() {
    let files = [
        (
            "a/kustomization.yaml",
            r#"namePrefix: a-
resources: [../cm]
"#,
        ),
        (
            "b/kustomization.yaml",
            r#"namePrefix: b-
resources: [../cm2]
"#,
        ),
        (
            "cm/kustomization.yaml",
            r#"resources: [cm.yaml]
"#,
        ),
        (
            "cm/cm.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: c}
"#,
        ),
        (
            "cm2/kustomization.yaml",
            r#"resources: [cm.yaml]
namespace: other
"#,
        ),
        (
            "cm2/cm.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: c}
"#,
        ),
        (
            "top/kustomization.yaml",
            r#"namePrefix: t-
resources: [../a, ../b, cr.yaml]
"#,
        ),
        (
            "top/cr.yaml",
            r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr}
rules:
- resources: [configmaps]
  resourceNames: [c]
"#,
        ),
    ];
    let e = run(&files, "top").expect_err("fails");
    assert!(
        e.starts_with(
            "updating name reference in 'rules/resourceNames' field of \
             'ClusterRole.v1.rbac.authorization.k8s.io/t-cr.[noNs]': considering field \
             'rules/resourceNames' of object ClusterRole.v1.rbac.authorization.k8s.io/t-cr.[noNs]: \
             visit traversal on path: [resourceNames]: found multiple possible referrals: \
             ConfigMap.v1.[noGrp]/t-a-c.[noNs], ConfigMap.v1.[noGrp]/t-b-c.other\n"
        ),
        "{e}"
    );
}

/// Custom `nameReference` entries from `configurations:` (scalar and list fields).
#[test]
fn nameref_custom() {
    let files = [
        (
            "kustomization.yaml",
            r#"namePrefix: x-
resources: [r.yaml]
configurations: [conf.yaml]
"#,
        ),
        (
            "conf.yaml",
            r#"nameReference:
- kind: Bucket
  group: example.com
  fieldSpecs:
  - kind: App
    path: spec/storage/bucketRef
  - kind: App
    path: spec/buckets
"#,
        ),
        (
            "r.yaml",
            r#"apiVersion: example.com/v1
kind: Bucket
metadata: {name: data}
---
apiVersion: example.com/v1
kind: App
metadata: {name: app}
spec:
  storage: {bucketRef: data}
  buckets: [data, other]
"#,
        ),
    ];
    let expected = r#"apiVersion: example.com/v1
kind: App
metadata:
  name: x-app
spec:
  buckets:
  - x-data
  - other
  storage:
    bucketRef: x-data
---
apiVersion: example.com/v1
kind: Bucket
metadata:
  name: x-data
"#;
    assert_eq!(run(&files, "").expect("builds"), expected);
}

/// Vars: typed whole-string substitution, `$$` escapes, unknown and unterminated references left alone, values read after renames.
#[test]
fn vars_basic() {
    let files = [
        (
            "base/kustomization.yaml",
            r#"resources: [r.yaml]
vars:
- name: SVC
  objref: {kind: Service, name: web, apiVersion: v1}
- name: PORT
  objref: {kind: Service, name: web, apiVersion: v1}
  fieldref: {fieldpath: 'spec.ports[0].port'}
- name: IMG
  objref: {kind: Deployment, name: web, apiVersion: apps/v1}
  fieldref: {fieldPath: 'spec.template.spec.containers[0].image'}
"#,
        ),
        (
            "base/r.yaml",
            r#"apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    svc: $(SVC)
    port: $(PORT)
spec:
  template:
    metadata:
      annotations: {note: "$(SVC):$(PORT) $$(SVC) $(UNKNOWN) $(SVC"}
    spec:
      containers:
      - name: c
        image: nginx:1.2
        command: [run, "--port=$(PORT)", "$(IMG)"]
        env:
        - name: ADDR
          value: http://$(SVC):$(PORT)/
        - name: N
          value: $(PORT)
"#,
        ),
        (
            "prod/kustomization.yaml",
            r#"namePrefix: p-
resources: [../base]
"#,
        ),
    ];
    let expected = r#"apiVersion: v1
kind: Service
metadata:
  name: p-web
spec:
  ports:
  - port: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    port: "8080"
    svc: p-web
  name: p-web
spec:
  template:
    metadata:
      annotations:
        note: p-web:8080 $(SVC) $(UNKNOWN) $(SVC
    spec:
      containers:
      - command:
        - run
        - --port=8080
        - nginx:1.2
        env:
        - name: ADDR
          value: http://p-web:8080/
        - name: "N"
          value: 8080
        image: nginx:1.2
        name: c
"#;
    assert_eq!(run(&files, "prod").expect("builds"), expected);
}

/// Two bases declaring the same var is an error.
#[test]
fn vars_dup() {
    let files = [
        (
            "a/kustomization.yaml",
            r#"resources: [r.yaml]
vars:
- name: V
  objref: {kind: ConfigMap, name: a, apiVersion: v1}
"#,
        ),
        (
            "a/r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: a}
"#,
        ),
        (
            "b/kustomization.yaml",
            r#"resources: [r.yaml]
vars:
- name: V
  objref: {kind: ConfigMap, name: b, apiVersion: v1}
"#,
        ),
        (
            "b/r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: b}
"#,
        ),
        (
            "top/kustomization.yaml",
            r#"resources: [../a, ../b]
"#,
        ),
    ];
    let e = run(&files, "top").expect_err("fails");
    assert!(e.contains(r#"var 'V' already encountered"#), "{e}");
}

/// A var whose object is not in the build is an error.
#[test]
fn vars_unmatched() {
    let files = [
        (
            "kustomization.yaml",
            r#"resources: [r.yaml]
vars:
- name: V
  objref: {kind: ConfigMap, name: nope}
"#,
        ),
        (
            "r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: a}
"#,
        ),
    ];
    let e = run(&files, "").expect_err("fails");
    assert!(e.contains(r#"var '{V ConfigMap.[noVer].[noGrp] {metadata.name}}' cannot be mapped to a field in the set of known resources"#), "{e}");
}

/// Replacements: list matches, wildcards, reject, label selectors, delimiter splicing, create, sourceValue typing, whole-node copies, `path:` files.
#[test]
fn repl_basic() {
    let files = [
        (
            "kustomization.yaml",
            r#"resources: [r.yaml]
replacements:
- source: {kind: ConfigMap, name: env, fieldPath: data.IMAGE}
  targets:
  - select: {kind: Deployment}
    reject: [{name: skip}]
    fieldPaths:
    - spec.template.spec.containers.[name=app].image
    - spec.template.spec.initContainers.*.image
- source: {kind: ConfigMap, name: env, fieldPath: data.HOST, options: {delimiter: ".", index: 0}}
  targets:
  - select: {kind: Deployment, labelSelector: "tier in (web)"}
    fieldPaths: [metadata.annotations.short-host]
    options: {create: true}
  - select: {kind: Deployment}
    fieldPaths: ['spec.template.spec.containers.0.env.[name=URL].value']
    options: {delimiter: "/", index: 2}
- sourceValue: "3"
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths: [spec.replicas, metadata.labels.count]
- source: {kind: ConfigMap, name: env, fieldPath: data}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths: [spec.template.metadata.annotations]
    options: {create: true}
- path: more.yaml
"#,
        ),
        (
            "more.yaml",
            r#"- source: {kind: Deployment, name: web, fieldPath: spec.replicas}
  targets:
  - select: {kind: ConfigMap}
    fieldPaths: [data.replicas]
    options: {create: true}
"#,
        ),
        (
            "r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: env}
data: {IMAGE: "nginx:1.25", HOST: "api.example.com"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: web, count: "1"}
spec:
  replicas: 1
  template:
    spec:
      initContainers:
      - {name: init, image: busybox}
      containers:
      - name: app
        image: old
        env:
        - {name: URL, value: "http://placeholder/path"}
      - name: sidecar
        image: keep
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: skip
spec:
  template:
    spec:
      containers:
      - name: app
        image: old
        env:
        - {name: URL, value: "http://x/y"}
"#,
        ),
    ];
    let expected = r#"apiVersion: v1
data:
  HOST: api.example.com
  IMAGE: nginx:1.25
  replicas: 3
kind: ConfigMap
metadata:
  name: env
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: skip
spec:
  template:
    spec:
      containers:
      - env:
        - name: URL
          value: http://api/y
        image: old
        name: app
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    short-host: api
  labels:
    count: "3"
    tier: web
  name: web
spec:
  replicas: 3
  template:
    metadata:
      annotations:
        HOST: api.example.com
        IMAGE: nginx:1.25
    spec:
      containers:
      - env:
        - name: URL
          value: http://api/path
        image: nginx:1.25
        name: app
      - image: keep
        name: sidecar
      initContainers:
      - image: nginx:1.25
        name: init
"#;
    assert_eq!(run(&files, "").expect("builds"), expected);
}

/// A source selector matching nothing is an error.
#[test]
fn repl_nothing() {
    let files = [
        (
            "kustomization.yaml",
            r#"resources: [r.yaml]
replacements:
- source: {kind: Secret, name: nope, fieldPath: data.x}
  targets:
  - select: {kind: ConfigMap}
    fieldPaths: [data.y]
"#,
        ),
        (
            "r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {y: z}
"#,
        ),
    ];
    let e = run(&files, "").expect_err("fails");
    assert!(
        e.contains(r#"nothing selected by Secret.[noVer].[noGrp]/nope.[noNs]:data.x"#),
        "{e}"
    );
}

/// A source selector matching several objects is an error.
#[test]
fn repl_multi() {
    let files = [
        (
            "kustomization.yaml",
            r#"resources: [r.yaml]
replacements:
- source: {kind: ConfigMap}
  targets:
  - select: {kind: ConfigMap}
    fieldPaths: [data.y]
"#,
        ),
        (
            "r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {y: z}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
data: {y: z}
"#,
        ),
    ];
    let e = run(&files, "").expect_err("fails");
    assert!(
        e.contains(r#"multiple matches for selector ConfigMap.[noVer].[noGrp]/[noName].[noNs]"#),
        "{e}"
    );
}

/// A target field that does not exist (without create) is an error.
#[test]
fn repl_nofield() {
    let files = [
        (
            "kustomization.yaml",
            r#"resources: [r.yaml]
replacements:
- source: {kind: ConfigMap, name: a, fieldPath: data.y}
  targets:
  - select: {kind: ConfigMap, name: b}
    fieldPaths: [data.missing]
"#,
        ),
        (
            "r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {y: z}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
data: {y: z}
"#,
        ),
    ];
    let e = run(&files, "").expect_err("fails");
    assert!(
        e.contains(r#"unable to find field "data.missing" in replacement target"#),
        "{e}"
    );
}

/// A source field that does not exist is an error.
#[test]
fn repl_missing_source_field() {
    let files = [
        (
            "kustomization.yaml",
            r#"resources: [r.yaml]
replacements:
- source: {kind: ConfigMap, name: a, fieldPath: data.nope}
  targets:
  - select: {kind: ConfigMap, name: b}
    fieldPaths: [data.y]
"#,
        ),
        (
            "r.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {y: z}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
data: {y: z}
"#,
        ),
    ];
    let e = run(&files, "").expect_err("fails");
    assert!(e.contains(r#"fieldPath `data.nope` is missing for replacement source ConfigMap.[noVer].[noGrp]/a.[noNs]"#), "{e}");
}

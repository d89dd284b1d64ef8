//! Strategic merge patches checked against the reference `kubectl kustomize`
//! (kubectl v1.35.2, kustomize v5.7.1): each fixture was built as a kustomization with
//! `resources: [base.yaml]` and `patches: [{path: patch.yaml}]`, and the expected
//! document is what the reference printed.

#[path = "smp_support.rs"]
mod support;

use gitward::smp::{Schema, SmpError};
use support::{check, smp};

#[test]
fn configmap_fields_merge_and_null_deletes() {
    let base = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels: {app: web, tier: front}
data:
  a: "1"
  b: "2"
  keep: null
"#;
    let patch = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels:
    tier: null
    team: x
data:
  a: changed
  b: null
  absent: null
  added:
    q: null
    r: 1
    s: {}
    t: []
"#;
    let expected = r#"
apiVersion: v1
data:
  a: changed
  added:
    r: 1
    s: {}
    t: []
  keep: null
kind: ConfigMap
metadata:
  labels:
    app: web
    team: x
  name: cm
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn containers_merge_by_name_patch_first() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: a
        image: a:1
        args: [x, y]
        env:
        - name: E1
          value: "1"
        - name: E2
          value: "2"
      - name: b
        image: b:1
      - name: c
        image: c:1
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: c
        image: c:2
      - name: new
        image: new:1
      - name: a
        args: [z]
        env:
        - name: E3
          value: "3"
        - name: E1
          value: one
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 3
  template:
    spec:
      containers:
      - image: c:2
        name: c
      - image: new:1
        name: new
      - args:
        - z
        env:
        - name: E3
          value: "3"
        - name: E1
          value: one
        - name: E2
          value: "2"
        image: a:1
        name: a
      - image: b:1
        name: b
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn element_without_merge_key_in_object_wipes_list() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
      - image: y
      - name: c
        image: z
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: new
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: "y"
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn element_without_merge_key_in_patch() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
      - name: b
        image: y
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: nameless
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers: []
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn element_replace_is_noop_and_element_delete() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        imagePullPolicy: Always
      - name: b
        image: y
      - name: c
        image: z
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: new
        $patch: replace
      - name: b
        $patch: delete
      - name: missing
        $patch: delete
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        imagePullPolicy: Always
        name: a
      - image: z
        name: c
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn list_replace_directive_keeps_last_duplicate() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
      - name: b
        image: y
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - $patch: replace
      - name: c
        image: new
      - name: c
        image: dup
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: dup
        name: c
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn list_delete_directive_removes_field() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      initContainers:
      - name: i
        image: i
      containers:
      - name: a
        image: x
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      initContainers:
      - $patch: delete
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn map_delete_and_replace_directives() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector:
    matchLabels: {app: a, tier: t}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      annotations: {x: "1"}
    spec:
      securityContext: {runAsUser: 1}
      containers:
      - name: a
        image: x
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector:
    matchLabels:
      app: b
      $patch: replace
  strategy:
    rollingUpdate:
      $patch: delete
  template:
    metadata:
      annotations:
        $patch: delete
    spec:
      securityContext:
        $patch: merge
        fsGroup: 2
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector:
    matchLabels:
      app: b
  strategy:
    type: RollingUpdate
  template:
    metadata: {}
    spec:
      containers:
      - image: x
        name: a
      securityContext:
        fsGroup: 2
        runAsUser: 1
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn whole_object_delete() {
    let base = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data: {a: b}
"#;
    let patch = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
$patch: delete
"#;
    check(&Schema::builtin(), base, patch, None);
}

#[test]
fn finalizers_union_patch_first() {
    let base = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  finalizers: [a, b, c]
"#;
    let patch = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  finalizers: [d, b, d, e]
"#;
    let expected = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  finalizers:
  - d
  - b
  - e
  - a
  - c
  name: cm
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn apimachinery_directives_pass_through() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: [a, b, c]
spec:
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1}
  template:
    spec:
      containers:
      - name: a
        image: x
      - name: b
        image: y
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  $deleteFromPrimitiveList/finalizers: [b]
  finalizers: [d, a]
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
  template:
    spec:
      $setElementOrder/containers:
      - name: b
      - name: a
      containers:
      - name: a
        image: new
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  $deleteFromPrimitiveList/finalizers:
  - b
  finalizers:
  - d
  - a
  - b
  - c
  name: d
spec:
  strategy:
    $retainKeys:
    - type
    rollingUpdate:
      maxSurge: 1
    type: Recreate
  template:
    spec:
      $setElementOrder/containers:
      - name: b
      - name: a
      containers:
      - image: new
        name: a
      - image: "y"
        name: b
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn ports_multi_key_merge() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        ports:
        - containerPort: 80
        - containerPort: 53
          protocol: UDP
        - containerPort: 53
          protocol: TCP
          name: dns-tcp
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        ports:
        - containerPort: 80
          protocol: TCP
          name: http
        - containerPort: 53
          protocol: TCP
          name: dns
        - containerPort: 8080
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
        ports:
        - containerPort: 8080
        - containerPort: 80
        - containerPort: 53
          protocol: UDP
        - containerPort: 53
          name: dns
          protocol: TCP
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn service_ports_merge() {
    let base = r#"
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  selector: {app: a}
  ports:
  - port: 80
    targetPort: 8080
    protocol: TCP
  - port: 443
    targetPort: 8443
"#;
    let patch = r#"
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
  - port: 443
    targetPort: 9443
    protocol: TCP
  - port: 9000
    name: metrics
"#;
    let expected = r#"
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
  - name: metrics
    port: 9000
  - port: 80
    protocol: TCP
    targetPort: 8080
  - port: 443
    targetPort: 8443
  selector:
    app: a
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn custom_resource_lists_are_replaced() {
    let base = r#"
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t
spec:
  containers:
  - name: a
    image: x
  - name: b
    image: y
  settings: {a: 1, b: 2}
"#;
    let patch = r#"
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t
spec:
  containers:
  - name: a
    image: new
  settings: {b: 3}
"#;
    let expected = r#"
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t
spec:
  containers:
  - image: new
    name: a
  settings:
    a: 1
    b: 3
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn nested_typed_object_in_custom_resource() {
    let base = r#"
apiVersion: example.com/v1
kind: Wrapper
metadata:
  name: w
spec:
  workload:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: inner
    spec:
      template:
        spec:
          containers:
          - name: a
            image: x
          - name: b
            image: y
"#;
    let patch = r#"
apiVersion: example.com/v1
kind: Wrapper
metadata:
  name: w
spec:
  workload:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
          - name: b
            image: new
"#;
    let expected = r#"
apiVersion: example.com/v1
kind: Wrapper
metadata:
  name: w
spec:
  workload:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: inner
    spec:
      template:
        spec:
          containers:
          - image: new
            name: b
          - image: x
            name: a
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn volumes_mounts_and_pull_secrets() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      imagePullSecrets:
      - name: s1
      volumes:
      - name: v1
        configMap: {name: cm1}
      - name: v2
        emptyDir: {}
      containers:
      - name: a
        image: x
        volumeMounts:
        - name: v1
          mountPath: /a
        - name: v2
          mountPath: /b
      tolerations:
      - key: k1
        operator: Exists
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      imagePullSecrets:
      - name: s2
      volumes:
      - name: v1
        configMap: {name: cm2}
      - name: v3
        secret: {secretName: s}
      containers:
      - name: a
        volumeMounts:
        - name: v3
          mountPath: /b
      tolerations:
      - key: k2
        operator: Exists
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
        volumeMounts:
        - mountPath: /b
          name: v3
        - mountPath: /a
          name: v1
      imagePullSecrets:
      - name: s2
      - name: s1
      tolerations:
      - key: k2
        operator: Exists
      volumes:
      - configMap:
          name: cm2
        name: v1
      - name: v3
        secret:
          secretName: s
      - emptyDir: {}
        name: v2
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn new_list_from_patch_is_deduplicated() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      initContainers:
      - name: i
        image: one
        env:
        - name: X
          value: null
      - name: i
        image: two
      - name: j
        image: three
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
      initContainers:
      - image: two
        name: i
      - image: three
        name: j
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn null_element_in_object_list() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
      - null
      - name: b
        image: y
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: b
        image: new
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: new
        name: b
      - image: x
        name: a
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn conditions_without_strategy_are_replaced() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
status:
  conditions:
  - type: Available
    status: "True"
  - type: Progressing
    status: "True"
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
status:
  conditions:
  - type: Available
    status: "False"
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
status:
  conditions:
  - status: "False"
    type: Available
  - status: "True"
    type: Progressing
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn unknown_directive_is_an_error() {
    let base = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  a: b
"#;
    let patch = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  $patch: nonsense
"#;
    // kubectl: error: unknown patch strategy 'nonsense'
    let err = smp(&Schema::builtin(), base, patch);
    assert!(
        matches!(err, Err(SmpError::UnknownDirective { .. })),
        "{err:?}"
    );
}

#[test]
fn kind_mismatch_is_an_error() {
    let base = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  a: b
"#;
    let patch = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data: [x]
"#;
    // kubectl: error: wrong node kind: expected MappingNode but got SequenceNode: node contents:
    let err = smp(&Schema::builtin(), base, patch);
    assert!(matches!(err, Err(SmpError::KindMismatch { .. })), "{err:?}");
}

#[test]
fn delete_of_missing_map_adds_nothing() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    metadata:
      labels:
        $patch: delete
    spec:
      containers:
      - name: a
        resources:
          $patch: delete
      affinity:
        $patch: replace
        nodeAffinity: {}
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    metadata: {}
    spec:
      affinity:
        nodeAffinity: {}
      containers:
      - image: x
        name: a
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn scalar_and_type_changes() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 1
  paused: false
  template:
    spec:
      containers:
      - name: a
        image: x
        command: [sh]
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: "2"
  paused: null
  template:
    spec:
      containers:
      - name: a
        command: null
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: "2"
  template:
    spec:
      containers:
      - image: x
        name: a
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn topology_spread_two_keys() {
    let base = r#"
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  topologySpreadConstraints:
  - topologyKey: zone
    whenUnsatisfiable: DoNotSchedule
    maxSkew: 1
  - topologyKey: host
    whenUnsatisfiable: ScheduleAnyway
    maxSkew: 1
  containers:
  - name: a
    image: x
"#;
    let patch = r#"
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  topologySpreadConstraints:
  - topologyKey: zone
    whenUnsatisfiable: ScheduleAnyway
    maxSkew: 5
  - topologyKey: host
    whenUnsatisfiable: ScheduleAnyway
    maxSkew: 2
"#;
    let expected = r#"
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - image: x
    name: a
  topologySpreadConstraints:
  - maxSkew: 5
    topologyKey: zone
    whenUnsatisfiable: ScheduleAnyway
  - maxSkew: 1
    topologyKey: zone
    whenUnsatisfiable: DoNotSchedule
  - maxSkew: 2
    topologyKey: host
    whenUnsatisfiable: ScheduleAnyway
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

#[test]
fn directive_list_with_extra_keys_is_an_element() {
    let base = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
"#;
    let patch = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: b
        image: y
        $patch: merge
"#;
    let expected = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: "y"
        name: b
      - image: x
        name: a
"#;
    check(&Schema::builtin(), base, patch, Some(expected));
}

//! Regression tests from the differential run against `kubectl kustomize`
//! (`tools/smp-diff.py`): nulls, empty maps and lists, and directives, as kustomize
//! v5.7.1 prints the patched object. Each expected text is what the reference printed.

use super::{Options, Schema, TypeRef};
use crate::yaml::{Value, dump_kustomize_docs, parse_kustomize_docs};

fn doc(text: &str) -> Value {
    let mut docs = parse_kustomize_docs(text).expect("fixture parses");
    assert_eq!(docs.len(), 1, "one document");
    docs.remove(0)
}

/// Applies `patch` to `base` as a kustomize patch and prints the result (`""` when the
/// object is deleted).
fn apply(base: &str, patch: &str) -> String {
    let schema = Schema::builtin();
    let out = super::apply(
        &doc(base),
        &doc(patch),
        &schema,
        &TypeRef::Infer,
        &Options::default(),
    )
    .expect("merge succeeds");
    out.map(|v| dump_kustomize_docs(&[v])).unwrap_or_default()
}

#[track_caller]
fn check(base: &str, patch: &str, want: &str) {
    assert_eq!(apply(base, patch), want, "\nbase:\n{base}\npatch:\n{patch}");
}

/// `$patch: replace` at the top: kustomize keeps the object's own node, and the merge's
/// result (the patch) is dropped, so nothing changes.
#[test]
fn top_level_replace_leaves_the_object() {
    check(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\nbinaryData:\n  a: \"~\"\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\nbinaryData: ~\nimmutable: null\n$patch: replace\n",
        "apiVersion: v1\nbinaryData:\n  a: \"~\"\nkind: ConfigMap\nmetadata:\n  name: r\n",
    );
    // `merge` itself returns the result of the walk.
    let schema = Schema::builtin();
    let out = super::merge(
        &doc("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  a: b\n"),
        &doc("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n$patch: replace\n"),
        &schema,
        &TypeRef::Infer,
        &Options::default(),
    )
    .expect("merge succeeds");
    assert_eq!(
        out.map(|v| dump_kustomize_docs(&[v])).as_deref(),
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n")
    );
}

/// `$patch: delete` at the top deletes the object.
#[test]
fn top_level_delete_deletes() {
    check(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n$patch: delete\n",
        "",
    );
}

/// A null for a key the object lacks leaves nothing, at the top of `metadata` and in a map.
#[test]
fn absent_key_null() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: b
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations: null
  labels: null
data:
  x: null
"#,
        r#"apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// A map the object lacks whose children are all null stays as an empty map; its parents are created.
#[test]
fn nested_all_null_children() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: null
          preferredDuringSchedulingIgnoredDuringExecution: ~
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      affinity:
        nodeAffinity: {}
      containers:
      - image: x
        name: a
"#,
    );
}

/// Deleting a map's only child leaves the map empty.
#[test]
fn selector_child_null() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector:
    matchLabels:
      a: b
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector:
    matchLabels: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector: {}
"#,
    );
}

/// The object's own nulls stay when the patch does not mention them (`MakePersistentNullNode`).
#[test]
fn target_explicit_null_kept() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: null
  b: ~
  c: x
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  c: y
"#,
        r#"apiVersion: v1
data:
  a: null
  b: null
  c: "y"
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// A null deletes a whole map.
#[test]
fn patch_null_removes_map() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: b
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data: null
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// An empty map changes nothing in a present map.
#[test]
fn empty_map_patch_present() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: b
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data: {}
"#,
        r#"apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// An empty map for an absent field is added.
#[test]
fn empty_map_patch_absent() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data: {}
binaryData: {}
"#,
        r#"apiVersion: v1
binaryData: {}
data: {}
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// An empty list merged into a list with merge keys leaves it as it was.
#[test]
fn empty_list_patch_merge_list() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        args: [p, q]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers: []
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - args:
        - p
        - q
        image: x
        name: a
"#,
    );
}

/// An empty list replaces a list without a patch strategy.
#[test]
fn empty_list_patch_plain_list() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        args: [p, q]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        args: []
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - args: []
        image: x
        name: a
"#,
    );
}

/// An empty list for an absent field is added, merged list or not.
#[test]
fn empty_list_patch_absent() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      tolerations: []
      volumes: []
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
      tolerations: []
      volumes: []
"#,
    );
}

/// A null deletes a list with merge keys.
#[test]
fn null_merge_list_removed() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
      initContainers:
      - name: i
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      initContainers: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
"#,
    );
}

/// Nulls inside a merged list element delete the element's fields.
#[test]
fn element_field_nulls() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        env:
        - name: E
          value: v
        resources:
          limits:
            cpu: 1
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: null
        env: ~
        resources:
          limits: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        resources: {}
"#,
    );
}

/// A new list element is merged with itself: its nulls go, a map left empty stays.
#[test]
fn new_element_with_nulls() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: b
        image: y
        args: null
        resources:
          limits: null
        env:
        - name: E
          value: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - env:
        - name: E
        image: "y"
        name: b
        resources: {}
      - image: x
        name: a
"#,
    );
}

/// `$patch: delete` on an element removes the matching element.
#[test]
fn delete_element() {
    check(
        r#"apiVersion: apps/v1
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
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        $patch: delete
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: "y"
        name: b
"#,
    );
}

/// `$patch: delete` on an element the object lacks leaves nothing behind.
#[test]
fn delete_absent_element() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: z
        $patch: delete
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
"#,
    );
}

/// A `$patch: replace` element replaces the whole list with the patch's other elements.
#[test]
fn replace_list() {
    check(
        r#"apiVersion: apps/v1
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
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - $patch: replace
      - name: c
        image: z
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: z
        name: c
"#,
    );
}

/// A lone `$patch: delete` element deletes the list.
#[test]
fn delete_list() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
      volumes:
      - name: v
        emptyDir: {}
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      volumes:
      - $patch: delete
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: x
        name: a
"#,
    );
}

/// `$patch: replace` on a map replaces it; nulls inside are still removed.
#[test]
fn map_replace() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        resources:
          limits:
            cpu: 1
          requests:
            cpu: 1
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        resources:
          $patch: replace
          limits:
            memory: 1Gi
            cpu: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        resources:
          limits:
            memory: 1Gi
"#,
    );
}

/// `$patch: delete` on a map deletes it.
#[test]
fn map_delete() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
      affinity:
        nodeAffinity: {}
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      affinity:
        $patch: delete
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
"#,
    );
}

/// `$patch: delete` on a map the object lacks adds nothing.
#[test]
fn map_delete_absent() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      affinity:
        $patch: delete
        nodeAffinity: {}
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
"#,
    );
}

/// `$patch: merge` is the default and is removed.
#[test]
fn map_merge_directive() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: b
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  $patch: merge
  c: d
  a: null
"#,
        r#"apiVersion: v1
data:
  c: d
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// A list of scalars with the merge strategy is a union, the patch's elements first.
#[test]
fn primitive_list_union() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: [a, b]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: [c, a]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  finalizers:
  - c
  - a
  - b
  name: d
"#,
    );
}

/// A null deletes a list of scalars.
#[test]
fn primitive_list_null() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: [a, b]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
"#,
    );
}

/// An empty list leaves a merged list of scalars as it was.
#[test]
fn primitive_list_empty() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: [a, b]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: []
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  finalizers:
  - a
  - b
  name: d
"#,
    );
}

/// A lone `$patch: delete` element deletes a list of scalars.
#[test]
fn primitive_list_delete() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers: [a, b]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  finalizers:
  - $patch: delete
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
"#,
    );
}

/// A null deletes `spec`.
#[test]
fn spec_null() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 1
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
"#,
    );
}

/// Every spelling of null in a patch deletes: `~`, `Null`, `NULL`, an empty value, `null`.
#[test]
fn null_spellings() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: x
  b: x
  c: x
  d: x
  e: x
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: ~
  b: Null
  c: NULL
  d:
  e: null
"#,
        r#"apiVersion: v1
data: {}
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// An empty map in a new element stays (`emptyDir: {}`); a null next to it deletes.
#[test]
fn volume_empty_dir() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
      volumes:
      - name: v
        configMap:
          name: c
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      volumes:
      - name: w
        emptyDir: {}
      - name: v
        configMap: null
        emptyDir: {}
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
      volumes:
      - emptyDir: {}
        name: w
      - emptyDir: {}
        name: v
"#,
    );
}

/// Ports merge on `containerPort` and `protocol`; a null in the patch's port deletes nothing else.
#[test]
fn ports_multikey_null_protocol() {
    check(
        r#"apiVersion: apps/v1
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
        - containerPort: 80
          protocol: UDP
"#,
        r#"apiVersion: apps/v1
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
          protocol: UDP
          name: null
          hostPort: 8080
"#,
        r#"apiVersion: apps/v1
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
        - containerPort: 80
          hostPort: 8080
          protocol: UDP
"#,
    );
}

/// `$patch: replace` on a list element has no effect: the object's element is put back.
#[test]
fn element_replace_ignored() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        args: [p]
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        $patch: replace
        image: y
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - args:
        - p
        image: x
        name: a
"#,
    );
}

/// Without a schema, lists are replaced and nulls inside them stay; maps merge.
#[test]
fn crd_no_schema() {
    check(
        r#"apiVersion: example.com/v1
kind: Foo
metadata:
  name: f
spec:
  items:
  - name: a
    v: 1
  m:
    k: null
    j: 1
"#,
        r#"apiVersion: example.com/v1
kind: Foo
metadata:
  name: f
spec:
  items:
  - name: b
    v: null
  m:
    j: null
    n: null
    o: {p: null}
"#,
        r#"apiVersion: example.com/v1
kind: Foo
metadata:
  name: f
spec:
  items:
  - name: b
    v: null
  m:
    k: null
    o: {}
"#,
    );
}

/// A null over the object's null deletes it.
#[test]
fn null_over_null() {
    check(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: null
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: null
"#,
        r#"apiVersion: v1
data: {}
kind: ConfigMap
metadata:
  name: c
"#,
    );
}

/// A map over the object's null is added, its nulls removed.
#[test]
fn map_over_null() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        resources: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        resources:
          limits:
            cpu: 1
            memory: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        resources:
          limits:
            cpu: 1
"#,
    );
}

/// An empty map whose patch children are all null stays empty.
#[test]
fn empty_map_with_null_children() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector: {}
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector:
    matchLabels: null
    matchExpressions: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector: {}
"#,
    );
}

/// A number or boolean put over a string that was certainly quoted takes its quoted style and comes out a string; over a plain string it keeps its type.
#[test]
fn quoted_target_string() {
    check(
        r#"apiVersion: example.com/v1
kind: Foo
metadata:
  name: f
a: "8080"
b: x
c: "true"
d: ""
"#,
        r#"apiVersion: example.com/v1
kind: Foo
metadata:
  name: f
a: 9090
b: true
c: false
d: 1
"#,
        r#"a: "9090"
apiVersion: example.com/v1
b: true
c: "false"
d: "1"
kind: Foo
metadata:
  name: f
"#,
    );
}

/// Service ports merge on `port`; null and `$patch: delete` inside elements.
#[test]
fn service_ports() {
    check(
        r#"apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
  - port: 80
    targetPort: 8080
  - port: 443
"#,
        r#"apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
  - port: 80
    targetPort: null
    protocol: TCP
  - port: 443
    $patch: delete
"#,
        r#"apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
  - port: 80
    targetPort: 8080
  - port: 443
"#,
    );
}

/// A list without merge keys (tolerations) is replaced, nulls inside kept.
#[test]
fn tolerations_replaced() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      tolerations:
      - key: a
        operator: Exists
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      tolerations:
      - key: b
        value: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      tolerations:
      - key: b
        value: null
"#,
    );
}

/// A null deletes a nested map inside a merged element.
#[test]
fn env_value_from_null() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        env:
        - name: E
          valueFrom:
            fieldRef:
              fieldPath: x
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: a
        env:
        - name: E
          valueFrom: null
          value: v
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - env:
        - name: E
          value: v
        name: a
"#,
    );
}

/// A patch whose fields are all null deletes them, and `labels` it lacks are not added.
#[test]
fn top_level_all_null() {
    check(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 1
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  labels: ~
spec:
  replicas: null
  template: null
  selector: null
"#,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec: {}
"#,
    );
}

/// Errors are worded as kustomize words them (`kubectl kustomize` printed
/// `error: wrong node kind: expected ScalarNode but got MappingNode: node contents:`
/// followed by `q: x` and `b: [1]`, as written; the node is printed here in kustomize's
/// output form).
#[test]
fn errors_read_as_kustomize_words_them() {
    let schema = Schema::builtin();
    let err = |patch: &str| {
        super::apply(
            &doc("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  a: x\n"),
            &doc(patch),
            &schema,
            &TypeRef::Infer,
            &Options::default(),
        )
        .expect_err("the merge fails")
    };
    let e = err(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  a:\n    q: x\n    b: [1]\n",
    );
    assert_eq!(
        e.to_string(),
        "wrong node kind: expected ScalarNode but got MappingNode: node contents:\nb:\n- 1\nq: x\n"
    );
    assert!(matches!(e, super::SmpError::KindMismatch { ref path, .. } if path == "data.a"));
    let e =
        err("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  $patch: nonsense\n");
    assert_eq!(e.to_string(), "unknown patch strategy 'nonsense'");
}

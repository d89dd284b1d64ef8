//! Schemas other than the builtin one: a kustomization's `openapi:` document (checked
//! against the reference `kubectl kustomize`), documents added over the builtin schema,
//! CRDs (a gitward extension), explicit type references and schema errors.

#[path = "smp_support.rs"]
mod support;

use gitward::smp::{Options, Schema, TypeRef, merge};
use support::{check, yaml};

const SCHEMA: &str = r##"
definitions:
  com.example.v1.Widget:
    type: object
    x-kubernetes-group-version-kind:
    - group: example.com
      kind: Widget
      version: v1
    properties:
      spec:
        $ref: "#/definitions/com.example.v1.WidgetSpec"
  com.example.v1.WidgetSpec:
    type: object
    properties:
      parts:
        type: array
        x-kubernetes-patch-strategy: merge
        x-kubernetes-patch-merge-key: id
        items:
          $ref: "#/definitions/com.example.v1.Part"
      tags:
        type: array
        x-kubernetes-patch-strategy: merge
        items:
          type: string
      plain:
        type: array
        items:
          type: string
  com.example.v1.Part:
    type: object
    properties:
      id:
        type: string
      size:
        type: integer
"##;

const WIDGET: &str = r##"
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  parts:
  - id: a
    size: 1
  - id: b
    size: 2
  tags: [x, y]
  plain: [p, q]
"##;

const WIDGET_PATCH: &str = r##"
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  parts:
  - id: c
    size: 3
  - id: a
    size: 10
  tags: [z, x]
  plain: [r]
"##;

/// kubectl kustomize with `openapi: {path: schema.yaml}` and both patches.
const WIDGET_MERGED: &str = r##"
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  parts:
  - id: c
    size: 3
  - id: a
    size: 10
  - id: b
    size: 2
  plain:
  - r
  tags:
  - z
  - x
  - "y"
"##;

const DEPLOYMENT: &str = r##"
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
"##;

const DEPLOYMENT_PATCH: &str = r##"
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
"##;

#[test]
fn openapi_document_replaces_builtin_types() {
    let schema = Schema::from_openapi_document(&yaml(SCHEMA)).unwrap();
    assert!(schema.knows_type("example.com/v1", "Widget"));
    assert!(!schema.knows_type("apps/v1", "Deployment"));
    assert!(schema.knows_type("kustomize.config.k8s.io/v1beta1", "Kustomization"));
    check(&schema, WIDGET, WIDGET_PATCH, Some(WIDGET_MERGED));
    // The Deployment has no schema any more: its containers are replaced (reference
    // output).
    let replaced = r##"
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
"##;
    check(&schema, DEPLOYMENT, DEPLOYMENT_PATCH, Some(replaced));
}

#[test]
fn openapi_document_added_over_builtin() {
    let schema = Schema::builtin()
        .with_openapi_document(&yaml(SCHEMA))
        .unwrap();
    check(&schema, WIDGET, WIDGET_PATCH, Some(WIDGET_MERGED));
    let merged = r##"
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
      - name: a
        image: x
"##;
    check(&schema, DEPLOYMENT, DEPLOYMENT_PATCH, Some(merged));
}

#[test]
fn builtin_alone_replaces_custom_lists() {
    let replaced = r##"
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  parts:
  - id: c
    size: 3
  - id: a
    size: 10
  tags: [z, x]
  plain: [r]
"##;
    check(&Schema::builtin(), WIDGET, WIDGET_PATCH, Some(replaced));
}

const CRD: &str = r##"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  names:
    kind: Gadget
    plural: gadgets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [port, protocol]
                items:
                  type: object
                  properties:
                    port:
                      type: integer
                    protocol:
                      type: string
                    name:
                      type: string
              labels:
                type: array
                x-kubernetes-list-type: set
                items:
                  type: string
              order:
                type: array
                x-kubernetes-list-type: atomic
                items:
                  type: string
              template:
                type: object
                x-kubernetes-preserve-unknown-fields: true
"##;

#[test]
fn crd_list_types_drive_merging() {
    let schema = Schema::builtin().with_crd(&yaml(CRD)).unwrap();
    assert!(schema.knows_type("example.com/v1", "Gadget"));
    let base = r##"
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: g
spec:
  ports:
  - port: 80
    protocol: TCP
    name: http
  - port: 53
    protocol: UDP
    name: dns
  labels: [a, b]
  order: [one, two]
  template:
    spec:
      containers:
      - name: a
        image: x
"##;
    let patch = r##"
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: g
spec:
  ports:
  - port: 80
    protocol: TCP
    name: web
  labels: [c, a]
  order: [three]
  template:
    spec:
      containers:
      - name: b
        image: y
"##;
    let expected = r##"
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: g
spec:
  ports:
  - port: 80
    protocol: TCP
    name: web
  - port: 53
    protocol: UDP
    name: dns
  labels: [c, a, b]
  order: [three]
  template:
    spec:
      containers:
      - name: b
        image: y
"##;
    check(&schema, base, patch, Some(expected));
}

#[test]
fn crd_errors_name_the_field() {
    let bad = yaml(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\nspec:\n  names: {kind: X}\n",
    );
    let err = Schema::builtin().with_crd(&bad).unwrap_err();
    assert!(err.to_string().contains("spec.group"), "{err}");
    let doc = yaml("definitions:\n  a:\n    properties: [x]\n");
    let err = Schema::builtin().with_openapi_document(&doc).unwrap_err();
    assert!(
        err.to_string().contains("definitions.a.properties"),
        "{err}"
    );
}

#[test]
fn explicit_type_references() {
    let schema = Schema::builtin();
    let opts = Options::default();
    // A bare pod spec: no apiVersion/kind to infer from.
    let base = yaml("containers:\n- name: a\n  image: x\n- name: b\n  image: y\n");
    let patch = yaml("containers:\n- name: b\n  image: new\n");
    let merged = yaml("containers:\n- name: b\n  image: new\n- name: a\n  image: x\n");
    let by_def = TypeRef::Definition("io.k8s.api.core.v1.PodSpec".to_owned());
    assert_eq!(
        merge(&base, &patch, &schema, &by_def, &opts).unwrap(),
        Some(merged)
    );
    let inferred = merge(&base, &patch, &schema, &TypeRef::Infer, &opts).unwrap();
    assert_eq!(inferred, Some(patch.clone()));
    let wrapped_base = yaml("spec:\n  containers:\n  - name: a\n    image: x\n");
    let wrapped_patch = yaml("spec:\n  containers:\n  - name: b\n    image: y\n");
    let out = merge(
        &wrapped_base,
        &wrapped_patch,
        &schema,
        &TypeRef::gvk("v1", "Pod"),
        &opts,
    )
    .unwrap();
    let want = yaml("spec:\n  containers:\n  - name: b\n    image: y\n  - name: a\n    image: x\n");
    assert_eq!(out, Some(want));
}

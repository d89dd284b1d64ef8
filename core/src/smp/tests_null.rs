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

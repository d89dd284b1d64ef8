//! Bounds: deep nesting, big lists, hostile inputs.

use gitward::smp::{Options, Schema, SmpError, TypeRef, merge};
use gitward::yaml::{Map, Value};

fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Map>(),
    )
}

fn deployment(containers: Vec<Value>) -> Value {
    map(vec![
        ("apiVersion", "apps/v1".into()),
        ("kind", "Deployment".into()),
        (
            "spec",
            map(vec![(
                "template",
                map(vec![(
                    "spec",
                    map(vec![("containers", Value::Seq(containers))]),
                )]),
            )]),
        ),
    ])
}

fn env_container(name: &str, range: std::ops::Range<usize>, tag: &str) -> Value {
    let env = range
        .map(|i| {
            map(vec![
                ("name", format!("E{i}").into()),
                ("value", tag.into()),
            ])
        })
        .collect();
    map(vec![("name", name.into()), ("env", Value::Seq(env))])
}

#[test]
fn big_merge_lists_are_fast() {
    let n = 20_000;
    let base = deployment(vec![env_container("a", 0..n, "base")]);
    let patch = deployment(vec![env_container("a", n / 2..n + n / 2, "patch")]);
    let schema = Schema::builtin();
    let out = merge(&base, &patch, &schema, &TypeRef::Infer, &Options::default()).unwrap();
    let env = out
        .as_ref()
        .and_then(|o| o.get_path(&["spec", "template", "spec", "containers"]))
        .and_then(Value::as_seq)
        .and_then(|c| c.first())
        .and_then(|c| c.get("env"))
        .and_then(Value::as_seq)
        .unwrap();
    assert_eq!(env.len(), n + n / 2);
    // Patch elements first, in patch order; then the object's others.
    assert_eq!(
        env[0].get("name"),
        Some(&Value::from(format!("E{}", n / 2)))
    );
    assert_eq!(env[0].get("value"), Some(&Value::from("patch")));
    assert_eq!(env[n].get("name"), Some(&Value::from("E0")));
}

fn nested(depth: usize, leaf: Value, seq: bool) -> Value {
    let mut v = leaf;
    for _ in 0..depth {
        v = if seq {
            Value::Seq(vec![v])
        } else {
            map(vec![("k", v)])
        };
    }
    v
}

#[test]
fn deep_nesting_is_bounded() {
    let schema = Schema::builtin();
    let opts = Options::default();
    for seq in [false, true] {
        let base = nested(990, "a".into(), seq);
        let patch = nested(990, "b".into(), seq);
        let out = merge(&base, &patch, &schema, &TypeRef::Infer, &opts);
        assert!(out.is_ok(), "{out:?}");
        let base = nested(1500, "a".into(), seq);
        let patch = nested(1500, "b".into(), seq);
        let out = merge(&base, &patch, &schema, &TypeRef::Infer, &opts);
        assert!(matches!(out, Err(SmpError::DepthLimit { .. })), "{out:?}");
    }
}

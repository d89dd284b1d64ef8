//! What kustomize and Helm hold after reading YAML: scalar resolution, keys, merges.
//!
//! Every expectation here was checked against the reference tools (`kubectl kustomize`
//! of kubectl v1.35.2 = kustomize v5.7.1, and `helm template` of helm v4.1.4); the
//! fixture tests read `shared/yaml-semantics/`, whose expected files those tools wrote.

use std::path::PathBuf;

use gitward::go::number::format_float;
use gitward::yaml::{
    Number, ParseOptions, Value, YamlErrorKind, dump_kustomize_docs, emit_helm, parse_helm_values,
    parse_kustomize_docs, parse_stream, resolve_helm_values, resolve_kustomize,
};

fn int(i: i64) -> Value {
    Value::Number(Number::Int(i))
}

fn uint(u: u64) -> Value {
    Value::Number(Number::UInt(u))
}

fn float(f: f64) -> Value {
    Value::Number(Number::Float(f))
}

fn s(text: &str) -> Value {
    Value::from(text)
}

/// The value kustomize makes of `v: <yaml>`.
fn kustomize(yaml: &str) -> Result<Value, String> {
    let docs = parse_kustomize_docs(&format!("v: {yaml}\n")).map_err(|e| e.message)?;
    Ok(docs[0].get("v").cloned().expect("a v key"))
}

/// The value Helm makes of `v: <yaml>` in values.yaml.
fn helm(yaml: &str) -> Result<Value, String> {
    let values = parse_helm_values(&format!("v: {yaml}\n")).map_err(|e| e.message)?;
    Ok(values.get("v").cloned().expect("a v key"))
}

fn check(profile: fn(&str) -> Result<Value, String>, cases: &[(&str, Value)]) {
    let mut wrong = Vec::new();
    for (yaml, want) in cases {
        match profile(yaml) {
            Ok(got) if got == *want => {}
            got => wrong.push(format!("{yaml:?}: got {got:?}, want {want:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn check_errors(profile: fn(&str) -> Result<Value, String>, cases: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for (yaml, want) in cases {
        match profile(yaml) {
            Err(message) if message.contains(want) => {}
            got => wrong.push(format!(
                "{yaml:?}: got {got:?}, want an error with {want:?}"
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn kustomize_plain_scalars_resolve_as_go_yaml_v3_after_json() {
    check(
        kustomize,
        &[
            // shared/yaml-semantics/kustomize-scalars
            ("1000000", int(1_000_000)),
            ("12345678901234567890", uint(12_345_678_901_234_567_890)),
            (
                "123456789012345678901234567890",
                float(1.234_567_890_123_456_8e29),
            ),
            ("1.50", float(1.5)),
            ("yes", s("yes")),
            ("y", s("y")),
            ("~", Value::Null),
            ("0777", int(511)),
            ("0o777", int(511)),
            ("0x1F", int(31)),
            ("1e3", int(1000)),
            ("2001-12-14", s("2001-12-14T00:00:00Z")),
            ("1_000", int(1000)),
            ("1:30", s("1:30")),
            ("True", Value::Bool(true)),
            ("Null", Value::Null),
            ("0b101", int(5)),
            ("+12", int(12)),
            // More forms, each printed by kubectl kustomize.
            ("on", s("on")),
            ("off", s("off")),
            ("NO", s("NO")),
            ("FALSE", Value::Bool(false)),
            ("tRUE", s("tRUE")),
            ("", Value::Null),
            ("NULL", Value::Null),
            ("nUll", s("nUll")),
            ("08", int(8)),
            ("0o8", s("0o8")),
            ("-0x1F", int(-31)),
            ("0x_1F", int(31)),
            ("1__0", int(10)),
            ("-0b101", int(-5)),
            ("0x", s("0x")),
            ("1e21", float(1e21)),
            ("1e20", float(1e20)),
            ("9223372036854775807", int(i64::MAX)),
            ("9223372036854775808", uint(9_223_372_036_854_775_808)),
            ("-9223372036854775809", float(-9.223_372_036_854_776e18)),
            ("18446744073709551616", float(1.844_674_407_370_955_2e19)),
            ("9.3e18", uint(9_300_000_000_000_000_000)),
            ("1.0", int(1)),
            ("1.", int(1)),
            ("-0", int(0)),
            ("-0.0", int(0)),
            ("0.000001", float(1e-6)),
            ("1e-7", float(1e-7)),
            (".5", float(0.5)),
            ("+.5", float(0.5)),
            ("1_0.5", float(10.5)),
            ("1e400", s("1e400")),
            ("._5", s("._5")),
            ("1,000", s("1,000")),
            ("inf", s("inf")),
            // Timestamps are printed by encoding/json as RFC 3339.
            (
                "2001-12-14t21:59:43.10-05:00",
                s("2001-12-14T21:59:43.1-05:00"),
            ),
            ("2001-12-14 21:59:43.10", s("2001-12-14T21:59:43.1Z")),
            ("2001-1-2", s("2001-01-02T00:00:00Z")),
            ("2001-12-14T21:59:43+00:00", s("2001-12-14T21:59:43Z")),
            ("2001-12-14 21:59:43.10 -5", s("2001-12-14 21:59:43.10 -5")),
            ("2001-12-14T21:59:43", s("2001-12-14T21:59:43")),
            ("2001-2-30", s("2001-2-30")),
        ],
    );
}

#[test]
fn kustomize_quoted_block_and_tagged_scalars() {
    check(
        kustomize,
        &[
            ("\"yes\"", s("yes")),
            ("'0777'", s("0777")),
            ("\"~\"", s("~")),
            ("|\n  line1\n  line2", s("line1\nline2\n")),
            (">-\n  folded\n  text", s("folded text")),
            ("!!str 123", s("123")),
            ("!!str true", s("true")),
            ("!!str ~", s("~")),
            ("!!str", s("")),
            ("!!str 2001-12-14", s("2001-12-14")),
            ("!!int \"5\"", int(5)),
            ("!!int 0x1F", int(31)),
            ("!<tag:yaml.org,2002:int> \"7\"", int(7)),
            ("!!float 1", int(1)),
            ("!!float 1e3", int(1000)),
            ("!!float \"1.5\"", float(1.5)),
            ("!!bool \"true\"", Value::Bool(true)),
            ("!!null \"\"", Value::Null),
            ("!!null ~", Value::Null),
            ("!!timestamp \"2001-12-14\"", s("2001-12-14T00:00:00Z")),
            ("!!binary aGVsbG8=", s("hello")),
            ("!!binary |\n  aGVs\n  bG8=", s("hello")),
            ("!!binary gA==", s("\u{FFFD}")),
            ("!!merge x", s("x")),
            // Unknown tags keep the text as a string; a bare `!` is no tag in go-yaml v3.
            ("!foo 123", s("123")),
            ("!foo \"x\"", s("x")),
            ("!foo", s("")),
            ("! 123", int(123)),
            ("! \"123\"", s("123")),
        ],
    );
}

#[test]
fn kustomize_fails_where_kustomize_fails() {
    check_errors(
        kustomize,
        &[
            (".inf", "json: unsupported value: +Inf"),
            ("-.inf", "json: unsupported value: -Inf"),
            (".NaN", "json: unsupported value: NaN"),
            ("[1, .nan]", "json: unsupported value: NaN"),
            ("!!int abc", "cannot decode !!str `abc` as a !!int"),
            ("!!int", "cannot decode !!null `` as a !!int"),
            ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
            ("!!bool yes", "cannot decode !!str `yes` as a !!bool"),
            ("!!null x", "cannot decode !!str `x` as a !!null"),
            (
                "!!float 9223372036854775808",
                "cannot decode !!int `9223372036854775808` as a !!float",
            ),
            (
                "!!timestamp 2001",
                "cannot decode !!int `2001` as a !!timestamp",
            ),
            (
                "!!binary \"%%%\"",
                "!!binary value contains invalid base64 data",
            ),
            (
                "2001-12-14T21:59:43+24:00",
                "timezone hour outside of range [0,23]",
            ),
            // Below the top level, keys must be strings for encoding/json.
            (
                "{1: a}",
                "json: unsupported type: map[interface {}]interface {}",
            ),
            (
                "{true: a}",
                "json: unsupported type: map[interface {}]interface {}",
            ),
            (
                "{2001-12-14: a}",
                "json: unsupported type: map[interface {}]interface {}",
            ),
            (
                "[{1.5: a}]",
                "json: unsupported type: map[interface {}]interface {}",
            ),
            (
                "{!foo x: a}",
                "json: unsupported type: map[interface {}]interface {}",
            ),
            ("{[a]: b}", "invalid map key"),
            ("{{a: 1}: b}", "invalid map key"),
        ],
    );
}

#[test]
fn kustomize_keys() {
    // Nested keys that resolve to strings are fine, however written.
    let v = kustomize("{\"1\": a, !!str 2: b, y: c, \"~\": d, 1_a: e}").expect("string keys");
    let keys: Vec<&str> = v
        .as_map()
        .expect("map")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["1", "2", "y", "~", "1_a"]);
    // Top-level keys become their text, whatever they resolve to.
    let docs = parse_kustomize_docs("1: x\ntrue: y\n0x10: z\n").expect("valid");
    let keys: Vec<&str> = docs[0]
        .as_map()
        .expect("map")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["1", "true", "0x10"]);
    let err = parse_kustomize_docs("~: x\n").expect_err("null key");
    assert_eq!(err.kind, YamlErrorKind::Unsupported);
}

#[test]
fn kustomize_error_positions_point_at_the_value() {
    let err = parse_kustomize_docs("a: 1\nb:\n  c: [x, .inf]\n").expect_err(".inf");
    assert_eq!(err.kind, YamlErrorKind::Unsupported);
    assert_eq!((err.line, err.column), (3, 10));
    assert_eq!(
        err.to_string(),
        "line 3, column 10: json: unsupported value: +Inf"
    );
}

#[test]
fn helm_scalars_resolve_as_yaml_1_1_and_every_number_is_a_float64() {
    check(
        helm,
        &[
            // shared/yaml-semantics/helm-values-semantics
            ("1000000", float(1e6)),
            ("12345678901234567890", float(1.234_567_890_123_456_7e19)),
            ("9223372036854775807", float(9.223_372_036_854_776e18)),
            ("1.50", float(1.5)),
            ("yes", Value::Bool(true)),
            ("on", Value::Bool(true)),
            ("On", Value::Bool(true)),
            ("~", Value::Null),
            ("0777", float(511.0)),
            ("0o777", float(511.0)),
            ("0x1F", float(31.0)),
            ("1e3", float(1000.0)),
            ("2001-12-14", s("2001-12-14")),
            ("1_000", float(1000.0)),
            ("\"quoted\"", s("quoted")),
            // More forms, each printed by helm template.
            ("y", Value::Bool(true)),
            ("Y", Value::Bool(true)),
            ("n", Value::Bool(false)),
            ("NO", Value::Bool(false)),
            ("off", Value::Bool(false)),
            ("OFF", Value::Bool(false)),
            ("08", float(8.0)),
            ("0o17", float(15.0)),
            ("-0x1F", float(-31.0)),
            ("1__0", float(10.0)),
            ("0b101", float(5.0)),
            ("+12", float(12.0)),
            ("1e21", float(1e21)),
            ("9223372036854775808", float(9.223_372_036_854_776e18)),
            ("18446744073709551616", float(1.844_674_407_370_955_2e19)),
            ("123456789", float(123_456_789.0)),
            ("1.5", float(1.5)),
            ("0.1", float(0.1)),
            ("1e-7", float(1e-7)),
            ("1_0.5", float(10.5)),
            ("1e400", s("1e400")),
            ("._5", s("._5")),
            ("1:30", s("1:30")),
            ("190:20:30", s("190:20:30")),
            (
                "2001-12-14t21:59:43.10-05:00",
                s("2001-12-14t21:59:43.10-05:00"),
            ),
            ("!!timestamp 2001-12-14", s("2001-12-14")),
            ("!!str yes", s("yes")),
            ("\"yes\"", s("yes")),
            ("!!float 3", float(3.0)),
            ("!!int \"7\"", float(7.0)),
            ("!!binary aGVsbG8=", s("hello")),
            // go-yaml v2 keeps `!` as an unknown tag: the text stays a string.
            ("! 123", s("123")),
            ("!foo 123", s("123")),
        ],
    );
    // JSON keeps the sign of a negative zero float, not of a negative zero integer.
    let neg = helm("-0.0").expect("valid");
    assert!(matches!(neg, Value::Number(Number::Float(f)) if f == 0.0 && f.is_sign_negative()));
    let zero = helm("-0").expect("valid");
    assert!(matches!(zero, Value::Number(Number::Float(f)) if f == 0.0 && f.is_sign_positive()));
}

#[test]
fn helm_fails_where_helm_fails() {
    check_errors(
        helm,
        &[
            (".inf", "json: unsupported value: +Inf"),
            ("-.Inf", "json: unsupported value: -Inf"),
            (".nan", "json: unsupported value: NaN"),
            ("!!bool maybe", "cannot decode !!str `maybe` as a !!bool"),
            ("{~: 1}", "unsupported map key of type: %!s(<nil>)"),
            (
                "{9223372036854775808: 1}",
                "unsupported map key of type: uint64, key: 0x8000000000000000",
            ),
            ("{[a]: 1}", "invalid map key"),
        ],
    );
}

#[test]
fn helm_keys_become_strings_like_sigs_k8s_yaml() {
    let values = parse_helm_values(
        "m: {1: a, 1.5: b, 0.1: c, true: d, 2001-12-14: e, 1e3: f, 3.14159265358979: g, \
         0x10: h, 1000000.0: i, -0.0: j, 1e-7: k, .inf: l}\ny: 1\nn: 2\noff: 3\n",
    )
    .expect("valid");
    let m = values.get("m").and_then(Value::as_map).expect("map");
    let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "-0",
            ".inf",
            "0.1",
            "1",
            "1.5",
            "1000",
            "16",
            "1e+06",
            "1e-07",
            "2001-12-14",
            "3.1415927",
            "true"
        ]
    );
    // `y`, `n` and `off` are booleans in YAML 1.1, so the keys are "true" and "false";
    // `n` and `off` collide and the later one wins.
    assert_eq!(values.get("true"), Some(&float(1.0)));
    assert_eq!(values.get("false"), Some(&float(3.0)));
    assert_eq!(values.get("y"), None);
}

#[test]
fn duplicate_keys_are_an_error_for_kustomize_and_last_wins_for_helm() {
    let err = parse_kustomize_docs("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
    assert_eq!(err.kind, YamlErrorKind::DuplicateKey);
    assert_eq!(err.message, "mapping key \"a\" already defined at line 1");
    assert_eq!((err.line, err.column), (3, 1));
    // go-yaml v3 compares the text: a quoted and a plain key clash.
    let err = parse_kustomize_docs("m:\n  a: 1\n  \"a\": 2\n").expect_err("duplicate");
    assert_eq!(
        (err.line, err.message.as_str()),
        (3, "mapping key \"a\" already defined at line 2")
    );

    let v = parse_helm_values("a: 1\nb: 2\na: 3\n").expect("last wins");
    assert_eq!(v.get("a"), Some(&float(3.0)));
    // `y` and `true` are the same YAML 1.1 key; the last assignment wins.
    let v = parse_helm_values("y: 1\ntrue: 2\ny: 3\n").expect("last wins");
    assert_eq!(v.get("true"), Some(&float(3.0)));
}

#[test]
fn merge_keys_follow_each_tool() {
    let yaml = "\
base: &b {a: 1, b: 2}
other: &o {a: 10, c: 30, d: 40}
m1:
  a: 0
  <<: *b
m2:
  <<: *b
  a: 0
m3:
  <<: [*o, *b]
  d: 0
m4:
  <<: {x: 1, y: {n: 1}}
  y: 2
";
    let k = &parse_kustomize_docs(yaml).expect("valid")[0];
    let h = parse_helm_values(yaml).expect("valid");
    let get = |v: &Value, m: &str, key: &str| v.get_path(&[m, key]).cloned();
    // kustomize: the mapping's own keys win wherever they stand.
    assert_eq!(get(k, "m1", "a"), Some(int(0)));
    assert_eq!(get(k, "m2", "a"), Some(int(0)));
    assert_eq!(get(k, "m2", "b"), Some(int(2)));
    // Helm (go-yaml v2): a merge overrides the keys before it.
    assert_eq!(get(&h, "m1", "a"), Some(float(1.0)));
    assert_eq!(get(&h, "m2", "a"), Some(float(0.0)));
    // Both: earlier mappings of a merged sequence win.
    for v in [k, &h] {
        let m3 = v.get("m3").and_then(Value::as_map).expect("m3");
        let mut keys: Vec<&str> = m3.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["a", "b", "c", "d"]);
    }
    assert_eq!(get(k, "m3", "a"), Some(int(10)));
    assert_eq!(get(k, "m3", "d"), Some(int(0)));
    assert_eq!(get(&h, "m3", "a"), Some(float(10.0)));
    assert_eq!(get(k, "m4", "y"), Some(int(2)));
    assert_eq!(get(k, "m4", "x"), Some(int(1)));
}

#[test]
fn merge_key_errors_and_quirks() {
    let err = parse_kustomize_docs("m:\n  <<: {a: 1}\n  <<: {b: 2}\n").expect_err("two merges");
    assert_eq!(
        (err.kind, err.message.as_str()),
        (YamlErrorKind::DuplicateKey, "duplicate merge key")
    );
    assert_eq!((err.line, err.column), (3, 3));
    // go-yaml v2 applies both, in turn.
    let v = parse_helm_values("m:\n  <<: {a: 1}\n  <<: {a: 2, b: 2}\n").expect("valid");
    assert_eq!(v.get_path(&["m", "a"]), Some(&float(2.0)));
    for bad in ["m: {<<: 1}", "m: {<<: [1]}", "m: {<<: ~}"] {
        for err in [
            parse_kustomize_docs(bad).expect_err(bad),
            parse_helm_values(bad).expect_err(bad),
        ] {
            assert_eq!(err.kind, YamlErrorKind::Unsupported, "{bad}");
            assert!(
                err.message
                    .contains("map merge requires map or sequence of maps"),
                "{bad}"
            );
        }
    }
    // kyaml clears the first key spelled `<<`, even a quoted one; Helm keeps it as a key.
    let k = parse_kustomize_docs("m: {\"<<\": {q: 1}}\n").expect("valid");
    assert_eq!(k[0].get("m"), Some(&Value::Map(Default::default())));
    let h = parse_helm_values("m: {\"<<\": {q: 1}}\n").expect("valid");
    assert_eq!(h.get_path(&["m", "<<", "q"]), Some(&float(1.0)));
    // Duplicates inside an inline merged mapping: kyaml keeps the first, silently.
    let k = parse_kustomize_docs("m: {<<: {a: 2, a: 3}}\n").expect("valid");
    assert_eq!(k[0].get_path(&["m", "a"]), Some(&int(2)));
}

#[test]
fn kustomize_sees_what_kyaml_re_encoding_writes() {
    // kyaml prints each resource with go-yaml v3's emitter and decodes the text. The
    // emitter writes an empty plain scalar in a flow collection, or as a key, as `''`.
    let yaml = "\
block:
  k:
flow: {a: , b: ~, c: !!null }
pairs: [a: ]
seq: [{a: }]
anchored: &m
  k:
copied_into_flow: [*m]
merged_into_flow: {<<: *m}
merged_into_block:
  <<: {k: }
";
    let k = &parse_kustomize_docs(yaml).expect("valid")[0];
    let h = parse_helm_values(yaml).expect("valid");
    let empty = Value::from("");
    assert_eq!(k.get_path(&["block", "k"]), Some(&Value::Null));
    assert_eq!(k.get_path(&["flow", "a"]), Some(&empty));
    assert_eq!(k.get_path(&["flow", "b"]), Some(&Value::Null));
    assert_eq!(k.get_path(&["flow", "c"]), Some(&Value::Null));
    let first = |v: &Value, key: &str| v.get(key).and_then(Value::as_seq).map(|s| s[0].clone());
    assert_eq!(
        first(k, "pairs").and_then(|m| m.get("a").cloned()),
        Some(empty.clone())
    );
    assert_eq!(
        first(k, "seq").and_then(|m| m.get("a").cloned()),
        Some(empty.clone())
    );
    let keyed = parse_kustomize_docs("? \n: empty key\n").expect("valid");
    assert_eq!(keyed[0].get(""), Some(&s("empty key")));
    assert_eq!(k.get_path(&["anchored", "k"]), Some(&Value::Null));
    assert_eq!(
        first(k, "copied_into_flow").and_then(|m| m.get("k").cloned()),
        Some(empty.clone())
    );
    assert_eq!(k.get_path(&["merged_into_flow", "k"]), Some(&empty));
    assert_eq!(k.get_path(&["merged_into_block", "k"]), Some(&Value::Null));
    // Helm decodes the text once: empty plain scalars are null everywhere.
    assert_eq!(h.get_path(&["flow", "a"]), Some(&Value::Null));
    assert_eq!(
        first(&h, "pairs").and_then(|m| m.get("a").cloned()),
        Some(Value::Null)
    );
}

#[test]
fn kustomize_folded_scalars_gain_breaks_like_kyaml() {
    // go-yaml v3's folded writer adds a line break before more-indented lines and
    // before kept trailing blank lines (shown here as kubectl kustomize printed them).
    let docs = parse_kustomize_docs(
        "more: >\n  a\n    b\n  c\nkept: >+\n  a\n\nlit: |+\n  a\n\nplain: >\n  a\n  b\n\n  c\nz: 1\n",
    )
    .expect("valid");
    assert_eq!(docs[0].get("more"), Some(&s("a\n\n  b\nc\n")));
    assert_eq!(docs[0].get("kept"), Some(&s("a\n\n\n")));
    assert_eq!(docs[0].get("lit"), Some(&s("a\n\n")));
    assert_eq!(docs[0].get("plain"), Some(&s("a b\nc\n")));
    // Helm reads the text once.
    let h = parse_helm_values("more: >\n  a\n    b\n  c\n").expect("valid");
    assert_eq!(h.get("more"), Some(&s("a\n  b\nc\n")));
}

#[test]
fn resolvers_work_on_nodes_from_either_profile() {
    let docs = parse_stream("a: yes\n", &ParseOptions::kustomize()).expect("valid");
    assert_eq!(
        resolve_kustomize(&docs[0]).expect("ok").get("a"),
        Some(&s("yes"))
    );
    assert_eq!(
        resolve_helm_values(&docs[0]).expect("ok").get("a"),
        Some(&Value::Bool(true))
    );
}

// ---- fixtures in shared/yaml-semantics ----

/// `shared/yaml-semantics`, or `None` (with a note) when the shared folder is absent
/// outside CI.
#[allow(clippy::print_stderr)] // The note on a skipped test is meant for the person running it.
fn semantics_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("GITWARD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("yaml-semantics");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared data not found at {} (set GITWARD_SHARED)",
        dir.display()
    );
    eprintln!(
        "skipping: shared data not found at {} (set GITWARD_SHARED)",
        dir.display()
    );
    None
}

fn read(dir: &std::path::Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn kustomize_scalars_fixture() {
    let Some(dir) = semantics_dir() else { return };
    let docs = parse_kustomize_docs(&read(&dir, "kustomize-scalars/cm.yaml")).expect("valid");
    let data = docs[0].get("data").expect("data");
    let want = [
        ("a_big", int(1_000_000)),
        ("b_huge", uint(12_345_678_901_234_567_890)),
        ("c_toohuge", float(1.234_567_890_123_456_8e29)),
        ("d_flt", float(1.5)),
        ("e_yes", s("yes")),
        ("f_y", s("y")),
        ("g_tilde", Value::Null),
        ("h_octal", int(511)),
        ("i_octal12", int(511)),
        ("j_hex", int(31)),
        ("k_sci", int(1000)),
        ("l_ts", s("2001-12-14T00:00:00Z")),
        ("m_under", int(1000)),
        ("n_sexa", s("1:30")),
        ("p_true", Value::Bool(true)),
        ("q_null", Value::Null),
        ("r_bin", int(5)),
        ("s_plus", int(12)),
    ];
    for (key, value) in &want {
        assert_eq!(data.get(key), Some(value), "{key}");
    }
    assert_eq!(data.as_map().map(|m| m.len()), Some(want.len()));
    assert_eq!(
        dump_kustomize_docs(&docs),
        read(&dir, "expected/kustomize-scalars.yaml")
    );
}

#[test]
fn kustomize_strings_fixture() {
    let Some(dir) = semantics_dir() else { return };
    let docs = parse_kustomize_docs(&read(&dir, "kustomize-strings/cm.yaml")).expect("valid");
    let data = docs[0].get("data").and_then(Value::as_map).expect("data");
    assert!(data.values().all(|v| matches!(v, Value::String(_))));
    assert_eq!(data.get("y"), Some(&s("y")));
    assert_eq!(data.get("nl"), Some(&s("line1\nline2\n")));
    assert_eq!(data.get("q2"), Some(&s("say \"hi\"")));
    assert_eq!(
        dump_kustomize_docs(&docs),
        read(&dir, "expected/kustomize-strings.yaml")
    );
}

#[test]
fn kustomize_order_fixture_values() {
    let Some(dir) = semantics_dir() else { return };
    let docs = parse_kustomize_docs(&read(&dir, "kustomize-order/cm.yaml")).expect("valid");
    assert_eq!(docs.len(), 2);
    let data = docs[0].get("data").expect("data");
    assert_eq!(data.get("yesv"), Some(&s("yes")));
    assert_eq!(data.get("onv"), Some(&s("on")));
    assert_eq!(data.get("octal"), Some(&int(511)));
    assert_eq!(data.get("huge"), Some(&uint(12_345_678_901_234_567_890)));
    assert_eq!(
        data.get_path(&["flow", "b"]),
        Some(&Value::Seq(vec![int(1), int(2)]))
    );
    let args = docs[1]
        .get_path(&["spec", "template", "spec", "containers"])
        .and_then(Value::as_seq)
        .and_then(|c| c[0].get("args"));
    assert_eq!(args, Some(&Value::Seq(vec![s("a"), s("b")])));
}

/// Go's `%v` of a value as `quote` prints it (sprig's `quote` skips nil).
fn go_v(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::Float(f)) => format_float(*f, b'g', -1, 64),
        Value::Number(Number::Int(i)) => i.to_string(),
        Value::Number(Number::UInt(u)) => u.to_string(),
        Value::String(s) => s.clone(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// Go's `kindOf`.
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(Number::Float(_)) => "float64",
        Value::Number(Number::Int(_)) => "int64",
        Value::Number(Number::UInt(_)) => "uint64",
        Value::String(_) => "string",
        Value::Seq(_) => "slice",
        Value::Map(_) => "map",
    }
}

/// The `.Values.NAME` references of a template line, in order.
fn values_refs(line: &str) -> Vec<&str> {
    line.split(".Values.")
        .skip(1)
        .map(|rest| {
            rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("")
        })
        .collect()
}

#[test]
fn helm_values_semantics() {
    let Some(dir) = semantics_dir() else { return };
    let values =
        parse_helm_values(&read(&dir, "helm-values-semantics/values.yaml")).expect("valid");
    // The values themselves (what `.Values` holds).
    assert_eq!(values.get("big"), Some(&float(1e6)));
    assert_eq!(values.get("huge"), Some(&float(1.234_567_890_123_456_7e19)));
    assert_eq!(values.get("yesv"), Some(&Value::Bool(true)));
    assert_eq!(values.get("Onv"), Some(&Value::Bool(true)));
    assert_eq!(values.get("tilde"), Some(&Value::Null));
    assert_eq!(values.get("octal12"), Some(&float(511.0)));
    assert_eq!(values.get("ts"), Some(&s("2001-12-14")));
    assert_eq!(values.get("str"), Some(&s("quoted")));

    // The rendered `data` lines, template line by template line.
    let template = read(&dir, "helm-values-semantics/templates/cm.yaml");
    let expected = read(&dir, "expected/helm-values-semantics.yaml");
    let mut checked = 0;
    for line in template.lines().skip_while(|l| *l != "data:").skip(1) {
        let Some((key, _)) = line.trim_start().split_once(':') else {
            continue;
        };
        let refs = values_refs(line);
        if refs.is_empty() || key == "nested" {
            continue;
        }
        let get = |name: &str| {
            values
                .get(name)
                .unwrap_or_else(|| panic!("no value {name}"))
        };
        let text = if line.contains("kindOf") {
            refs.iter()
                .map(|r| kind_of(get(r)))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            go_v(get(refs[0]))
        };
        let want_line = expected
            .lines()
            .find(|l| {
                l.strip_prefix("  ")
                    .and_then(|l| l.split_once(':'))
                    .is_some_and(|(k, _)| k == key)
            })
            .unwrap_or_else(|| panic!("no expected line for {key}"));
        let want = want_line
            .split_once(": ")
            .map_or("", |(_, v)| v)
            .trim_matches('"');
        assert_eq!(text, want, "{key}");
        checked += 1;
    }
    assert_eq!(checked, 16, "every data line but nested is checked");

    // `nested` is printed with toYaml.
    let nested = emit_helm(values.get("nested").expect("nested"));
    let want: Vec<&str> = expected
        .lines()
        .skip_while(|l| !l.starts_with("  nested: |"))
        .skip(1)
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    assert_eq!(
        nested.trim_end_matches('\n').lines().collect::<Vec<_>>(),
        want
    );
}

#[test]
fn helm_toyaml_strings_fixture() {
    let Some(dir) = semantics_dir() else { return };
    let values = parse_helm_values(&read(&dir, "helm-toyaml-strings/values.yaml")).expect("valid");
    let data = values.get("data").expect("data");
    let map = data.as_map().expect("map");
    assert!(map.values().all(|v| matches!(v, Value::String(_))));
    // `y:` and `off:` are YAML 1.1 booleans as keys; `n` and `off` are both "false"
    // and the later (`off`) wins.
    assert_eq!(map.get("true"), Some(&s("y")));
    assert_eq!(map.get("false"), Some(&s("off")));
    assert!(!map.contains_key("y") && !map.contains_key("n") && !map.contains_key("off"));
    let expected = read(&dir, "expected/helm-toyaml-strings.yaml");
    let want: Vec<&str> = expected
        .lines()
        .skip_while(|l| *l != "data:")
        .skip(1)
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect();
    let got = emit_helm(data);
    assert_eq!(got.trim_end_matches('\n').lines().collect::<Vec<_>>(), want);
}

//! Helm release records against what Helm v4.1.4 stored in a real cluster.
//!
//! The fixtures in `fixtures/helm-release/` were made with the reference Helm v4.1.4
//! against the test kube-apiserver from the chart `demo/` (written for this test):
//! `helm install rel1 demo -n default --set extra.n=3 --set-string extra.s='<&>'
//! --set-json extra.f=1.5e300 --labels team=x`, then `helm upgrade rel1 demo -n default
//! --set replicas=5`. `v1.secret.json` (now superseded) and `v2.secret.json` are the
//! release Secrets as read back from the API server (server-set metadata removed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use gitward::helm::release::{
    ChartRecord, HookExecution, Release, ReleaseError, SecretWrite, Status, Timestamp,
    decode_release, encode_release, release_from_secret, release_secret, secret_name,
};
use gitward::helm::{RenderOptions, load_chart, process_chart, render};
use gitward::tree::{DirTree, RelPath};
use gitward::yaml::{Map, Value};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm-release")
}

fn secret_file(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join(name)).unwrap();
    gitward::template::parse_json(&text).unwrap()
}

fn secret(v: u32) -> Value {
    secret_file(&format!("v{v}.secret.json"))
}

fn stored(v: u32) -> String {
    stored_in(&secret(v))
}

fn stored_in(secret: &Value) -> String {
    use base64::Engine as _;
    let data = secret
        .get_path(&["data", "release"])
        .and_then(Value::as_str)
        .unwrap()
        .to_string();
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap(),
    )
    .unwrap()
}

fn helm_json(v: u32) -> String {
    json_of(&stored(v))
}

fn json_of(stored: &str) -> String {
    use base64::Engine as _;
    use std::io::Read;
    let gz = base64::engine::general_purpose::STANDARD
        .decode(stored)
        .unwrap();
    let mut out = String::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[test]
fn decoding_and_encoding_reproduce_helms_bytes() {
    for v in [1, 2] {
        let rel = decode_release(&stored(v)).unwrap();
        assert_eq!(rel.to_json().unwrap(), helm_json(v), "JSON of v{v}");
        assert_eq!(
            encode_release(&rel).unwrap(),
            stored(v),
            "stored text of v{v}"
        );
    }
}

#[test]
fn decoded_fields_are_helms() {
    let rel = release_from_secret(&secret(1)).unwrap();
    assert_eq!(rel.name, "rel1");
    assert_eq!(rel.version, 1);
    assert_eq!(rel.namespace, "default");
    assert_eq!(rel.apply_method, "ssa");
    let info = rel.info.as_ref().unwrap();
    assert_eq!(info.status, Status::Superseded);
    assert_eq!(info.description, "Install complete");
    assert_eq!(info.notes, "Thanks for installing rel1.\n");
    // Custom labels come back; the driver's own do not.
    assert_eq!(
        rel.labels.iter().collect::<Vec<_>>(),
        vec![(&"team".to_string(), &"x".to_string())]
    );
    let hook = rel.hooks[0].as_ref().unwrap();
    assert_eq!(hook.events, ["pre-install", "pre-upgrade"]);
    assert_eq!(hook.weight, -5);
    assert_eq!(hook.last_run.phase, "Succeeded");
    // Config numbers are float64 after Go's decoding: 3 prints as 3, 1.5e300 as 1.5e+300.
    let config = rel.config.as_ref().unwrap();
    let extra = config.get("extra").unwrap();
    assert_eq!(
        gitward::go::json::to_string(extra).unwrap(),
        r#"{"f":1.5e+300,"n":3,"s":"\u003c\u0026\u003e"}"#
    );
    let chart = rel.chart.as_ref().unwrap();
    assert_eq!(
        chart.files.as_ref().unwrap()[2].data.as_deref(),
        Some(&b"\x00\x01\xff binary"[..])
    );
}

/// Builds the record `helm install` stored from the chart and a render, taking from
/// Helm's record only what depends on the clock and the file system (times).
#[test]
fn a_record_built_from_the_chart_matches_helms() {
    let helm = decode_release(&stored(1)).unwrap();
    let tree = DirTree::new(fixtures()).unwrap();
    let chart = load_chart(&tree, &RelPath::new("demo").unwrap()).unwrap();

    let mut config = Value::Map(Map::default());
    gitward::helm::strvals::parse_set("extra.n=3", &mut config).unwrap();
    gitward::helm::strvals::parse_set_string("extra.s=<&>", &mut config).unwrap();
    gitward::helm::strvals::parse_set_json("extra.f=1.5e300", &mut config).unwrap();
    let Value::Map(config_map) = config.clone() else {
        panic!()
    };

    let processed = process_chart(&chart, &config).unwrap();
    let mut record = ChartRecord::from_chart(&processed);
    let hc = helm.chart.as_ref().unwrap();
    record.mod_time = hc.mod_time;
    record.schema_mod_time = hc.schema_mod_time;
    for (ours, theirs) in [
        (&mut record.templates, &hc.templates),
        (&mut record.files, &hc.files),
    ] {
        let theirs = theirs.as_ref().unwrap();
        let ours = ours.as_mut().unwrap();
        assert_eq!(ours.len(), theirs.len());
        for (o, t) in ours.iter_mut().zip(theirs) {
            assert_eq!(o.name, t.name);
            o.mod_time = t.mod_time;
        }
    }
    let info = helm.info.as_ref().unwrap();
    let mut rel = Release::new(
        "rel1",
        "default",
        1,
        Some(record),
        config_map,
        info.first_deployed.unwrap(),
    );
    rel.apply_method = "ssa".into();
    let rendered = render(
        &chart,
        &RenderOptions {
            release_name: "rel1".into(),
            namespace: "default".into(),
            values: config,
            ..Default::default()
        },
    )
    .unwrap();
    rel.set_rendered(&rendered);
    rel.set_status(Status::Superseded, "Install complete");
    let hr = helm.hooks[0].as_ref().unwrap();
    rel.hooks[0].as_mut().unwrap().last_run = HookExecution {
        phase: "Succeeded".into(),
        ..hr.last_run.clone()
    };
    assert_eq!(rel.to_json().unwrap(), helm_json(1));
}

/// `nov/` has no values.yaml, no other files and no Chart.lock: Helm stores `null` for
/// all three (`helm install nov nov -n default`).
#[test]
fn a_chart_without_values_file_stores_null_values() {
    let stored = stored_in(&secret_file("nov.secret.json"));
    let helm = decode_release(&stored).unwrap();
    let tree = DirTree::new(fixtures()).unwrap();
    let chart = load_chart(&tree, &RelPath::new("nov").unwrap()).unwrap();
    let mut record =
        ChartRecord::from_chart(&process_chart(&chart, &Value::Map(Map::default())).unwrap());
    let hc = helm.chart.as_ref().unwrap();
    record.mod_time = hc.mod_time;
    record.schema_mod_time = hc.schema_mod_time;
    for (o, t) in record
        .templates
        .as_mut()
        .unwrap()
        .iter_mut()
        .zip(hc.templates.as_ref().unwrap())
    {
        o.mod_time = t.mod_time;
    }
    assert_eq!(record.values, None);
    assert_eq!(record.files, None);
    let info = helm.info.as_ref().unwrap();
    let mut rel = Release::new(
        "nov",
        "default",
        1,
        Some(record),
        Map::default(),
        info.first_deployed.unwrap(),
    );
    rel.apply_method = helm.apply_method.clone();
    let rendered = render(
        &chart,
        &RenderOptions {
            release_name: "nov".into(),
            namespace: "default".into(),
            ..Default::default()
        },
    )
    .unwrap();
    rel.set_rendered(&rendered);
    rel.set_status(Status::Deployed, "Install complete");
    assert_eq!(rel.to_json().unwrap(), json_of(&stored));
    assert_eq!(encode_release(&rel).unwrap(), stored);
}

#[test]
fn the_secret_is_helms() {
    let rel = release_from_secret(&secret(2)).unwrap();
    let now = 1_795_768_770;
    let ours = release_secret(&rel, SecretWrite::Update { now }).unwrap();
    assert_eq!(
        gitward::go::json::to_string(&ours).unwrap(),
        gitward::go::json::to_string(&secret(2)).unwrap()
    );
    let created = release_secret(&rel, SecretWrite::Create { now }).unwrap();
    let labels = created.get_path(&["metadata", "labels"]).unwrap();
    assert_eq!(
        labels.get("createdAt").and_then(Value::as_str),
        Some("1795768770")
    );
    assert!(labels.get("modifiedAt").is_none());
    assert_eq!(secret_name("rel1", 2), "sh.helm.release.v1.rel1.v2");
}

#[test]
fn plain_json_records_are_read_too() {
    use base64::Engine as _;
    // Releases stored before compression: base64 of the JSON itself.
    let text = base64::engine::general_purpose::STANDARD
        .encode(r#"{"name":"old","version":3,"info":{"status":"deployed","first_deployed":""}}"#);
    let rel = decode_release(&text).unwrap();
    assert_eq!(rel.name, "old");
    assert_eq!(rel.version, 3);
    assert_eq!(rel.info.as_ref().unwrap().first_deployed, None);
    assert_eq!(
        rel.to_json().unwrap(),
        r#"{"name":"old","info":{"status":"deployed"},"version":3}"#
    );
}

#[test]
fn field_names_match_case_insensitively_as_in_go() {
    let rel = Release::from_json(r#"{"NAME":"a","Version":2,"namespace":"n"}"#).unwrap();
    assert_eq!((rel.name.as_str(), rel.version), ("a", 2));
}

#[test]
fn bad_records_are_clear_errors() {
    let e = decode_release("not base64!").unwrap_err();
    assert!(matches!(e, ReleaseError::Base64(_)), "{e}");
    let e = Release::from_json(r#"{"version":"1"}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "json: cannot unmarshal string into Go struct field Release.version of type int"
    );
    let e = Release::from_json(r#"{"info":{"last_deployed":"yesterday"}}"#).unwrap_err();
    assert!(e.to_string().contains("parsing time"), "{e}");
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let e = Release::from_json(&format!(r#"{{"config":{{"a":{deep}}}}}"#)).unwrap_err();
    assert!(e.to_string().contains("deeper than"), "{e}");
    // Truncated gzip.
    use base64::Engine as _;
    let mut gz = base64::engine::general_purpose::STANDARD
        .decode(stored(1))
        .unwrap();
    gz.truncate(gz.len() / 2);
    let e = decode_release(&base64::engine::general_purpose::STANDARD.encode(gz)).unwrap_err();
    assert!(matches!(e, ReleaseError::Gzip(_)), "{e}");
    let e = release_from_secret(&Value::Map(Map::default())).unwrap_err();
    assert!(e.to_string().contains("data.release"), "{e}");
}

#[test]
fn times_print_as_go_prints_them() {
    let t = Timestamp {
        unix: 1_700_000_000,
        nsec: 120_000_000,
        offset: 3600,
    };
    assert_eq!(t.to_rfc3339().unwrap(), "2023-11-14T23:13:20.12+01:00");
    assert_eq!(
        Timestamp::parse_rfc3339("2023-11-14T23:13:20.12+01:00").unwrap(),
        t
    );
    assert_eq!(
        Timestamp::from_unix(0, 0).to_rfc3339().unwrap(),
        "1970-01-01T00:00:00Z"
    );
    assert_eq!(
        Timestamp::ZERO.to_rfc3339().unwrap(),
        "0001-01-01T00:00:00Z"
    );
    assert!(
        Timestamp::from_unix(300_000_000_000, 0)
            .to_rfc3339()
            .is_err()
    );
}
